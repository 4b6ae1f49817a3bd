"""The facilitator's pacing control in words (:mod:`._pacing`): how many rounds mean
what, and where a run is, in the page's language."""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from .. import pacing
from ..definitions import Step
from ..store import Run

__all__ = ["count_of", "rounds_help", "run_status_html"]

Translate = Callable[[str], str]


def count_of(n: int, one: str, many: str) -> str:
    """``one`` or ``many`` (translated texts with ``{n}``) for ``n``."""
    return (one if n == 1 else many).format(n=n)


def rounds_help(t: Translate, presents: bool, count: int, largest: int) -> str:
    """What ``count`` rounds mean for groups of at most ``largest`` (``presents``: someone
    presents in the protocol)."""
    if not presents:
        said = t("{rounds}. Nobody presents in this protocol: one is usual.")
    elif largest and count < largest:
        said = (
            t(
                "{rounds}: {members} of each group presents; groups of {largest} need "
                "{largest} rounds for everyone to present once."
            )
            if count == 1
            else t(
                "{rounds}: {members} of each group present; groups of {largest} need "
                "{largest} rounds for everyone to present once."
            )
        )
    else:
        said = t("{rounds}: each member of every group presents once.")
    return said.format(
        rounds=count_of(count, t("{n} round"), t("{n} rounds")),
        members=count_of(count, t("{n} member"), t("{n} members")),
        largest=largest,
    )


def run_where(t: Translate, run: Run, stages: int) -> str:
    """ "Round 2 of 3 · Step 4 of 9" (or "Ended")."""
    where = (
        t("Ended")
        if run.state.status == pacing.ENDED
        else t("Step {n} of {total}").format(n=run.state.step + 1, total=stages)
    )
    if run.rounds > 1:
        of = t("Round {n} of {total}").format(n=run.state.round + 1, total=run.rounds)
        where = f"{of} · {where}"
    return where


def run_status_html(
    t: Translate,
    run: Run,
    title: str,
    step: Step,
    stages: int,
    tn: Callable[[str, str, int], str] = lambda one, many, n: one if n == 1 else many,
) -> str:
    """The run's status line: the protocol, how many groups, where it is, the step
    (``tn``: the plural forms of the page's language)."""
    allowed = (
        " "
        + t("(usual range {low}–{high} min)").format(
            low=f"{step.allowed[0]:g}", high=f"{step.allowed[1]:g}"
        )
        if step.allowed
        else ""
    )
    said = escape(
        tn(
            "{protocol} for {groups} group. {where}: {step}, {minutes} min{allowed}.",
            "{protocol} for {groups} groups. {where}: {step}, {minutes} min{allowed}.",
            len(run.roles),
        )
    )
    return (
        '<p class="pdkit-run-status">'
        + said.format(
            protocol=f"<strong>{escape(title)}</strong>",
            groups=len(run.roles),
            where=escape(run_where(t, run, stages)),
            step=f"<strong>{escape(step.title)}</strong>",
            minutes=f"{step.minutes:g}",
            allowed=escape(allowed),
        )
        + "</p>"
    )
