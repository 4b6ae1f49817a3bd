"""The facilitator's after-session page: how each protocol run went against its plan
(:mod:`pdkit.fidelity`), as tables a facilitator reads and the dashboard exports.
Counts and minutes only, never what anyone wrote."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from html import escape

import ipywidgets as w

from .._clock import now
from ..definitions import protocol_by_id
from ..errors import PdkitError
from ..fidelity import StepRecord, fidelity
from ..i18n import N_, plural_translator, translator
from ..store import DEFAULT_SESSION, Run, RunStore
from ._lean import HTML, VBox
from ._runner import run_plan

__all__ = ["FidelityReport", "run_records"]


def run_records(
    store: RunStore, run: Run, at: float, language: str | None = None
) -> list[StepRecord]:
    """How ``run`` went, step by step and round by round, up to ``at`` (the steps'
    titles in ``language``)."""
    writers: Counter[tuple[int, str]] = Counter()
    for round_ in range(run.rounds):
        for (_group, step_id), people in store.note_writers(run.id, round=round_).items():
            writers[(round_, step_id)] += len(people)
    return fidelity(run_plan(run, language), store.run_events(run.id), at, writers)


def _minutes(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".") if value else "0"


_HEADS = (
    N_("Round"),
    N_("Step"),
    N_("Planned"),
    N_("Ran"),
    N_("Added"),
    N_("Pauses"),
    N_("Times entered"),
    N_("State"),
    N_("Wrote notes"),
)
_STATES = {
    "left out": N_("left out"),
    "done": N_("done"),
    "now": N_("now"),
    "not reached": N_("not reached"),
}


def _table(
    run: Run,
    records: list[StepRecord],
    t: Callable[[str], str] = str,
    language: str | None = None,
) -> str:
    protocol = protocol_by_id(run.protocol, language)
    planned = sum(r.planned for r in records if r.state != "left out")
    actual = sum(r.actual for r in records)
    added = sum(r.added for r in records)
    left_out = [r.title for r in records if r.state == "left out"]
    rows = "".join(
        f"<tr><td>{r.round}</td><th scope='row'>{escape(r.title)}</th>"
        f"<td>{_minutes(r.planned)}</td><td>{_minutes(r.actual)}</td>"
        f"<td>{_minutes(r.added)}</td><td>{r.pauses}</td><td>{r.visits}</td>"
        f"<td>{escape(t(_STATES.get(r.state, r.state)))}</td><td>{r.wrote_notes}</td></tr>"
        for r in records
    )
    tn = plural_translator(language)
    groups = len(run.roles)
    numbers = {
        "groups": tn("{count} group", "{count} groups", groups).format(count=groups),
        "rounds": tn("{count} round", "{count} rounds", run.rounds).format(count=run.rounds),
        "planned": _minutes(planned),
        "actual": _minutes(actual),
        "added": _minutes(added),
    }
    summary = (
        t(
            "{groups}, {rounds}: {planned} minutes planned, {actual} run, {added} added; "
            "left out: {left_out}."
        ).format(**numbers, left_out=", ".join(left_out))
        if left_out
        else t(
            "{groups}, {rounds}: {planned} minutes planned, {actual} run, {added} added."
        ).format(**numbers)
    )
    heads = "".join(f"<th scope='col'>{escape(t(h))}</th>" for h in _HEADS)
    return (
        f"<h3>{escape(protocol.title)}</h3><p>{escape(summary)}</p>"
        '<table class="pdkit-fidelity"><caption>'
        f"{escape(t('Planned and actual minutes per step'))}</caption>"
        f"<thead><tr>{heads}</tr></thead><tbody>{rows}</tbody></table>"
    )


class FidelityReport:
    """Every run of a session, newest first, against its plan (see the module docs)."""

    def __init__(
        self,
        store: RunStore,
        *,
        session: str = DEFAULT_SESSION,
        clock: Callable[[], float] = now,
        language: str | None = None,
    ) -> None:
        self.t = t = translator(language)
        self.language = language
        self.store = store
        self.session = session
        self._clock = clock
        self.html = HTML()
        self.refresh_button = w.Button(description=t("Read again"), icon="refresh")
        self.refresh_button.on_click(lambda _: self.refresh())
        helps = t(
            "For each run: the minutes planned and run per step and round, time added, pauses "
            "and how many wrote notes. Counts only, never what anyone wrote."
        )
        self.widget = VBox(
            [
                HTML(
                    value=f"<h2>{escape(t('How the protocols ran'))}</h2>"
                    f"<p class='pdkit-help'>{escape(helps)}</p>"
                ),
                self.refresh_button,
                self.html,
            ]
        )
        self.widget.add_class("pdkit-fidelity-report")
        self.refresh()

    def refresh(self) -> None:
        try:
            runs = self.store.runs(self.session)
            at = self._clock()
            parts = [
                _table(run, run_records(self.store, run, at, self.language), self.t, self.language)
                for run in runs
            ]
        except PdkitError as exc:
            self.html.value = f'<p class="pdkit-error" role="alert">{escape(exc.said(self.t))}</p>'
            return
        none = escape(self.t("No protocol has run in this session yet."))
        self.html.value = "".join(parts) if parts else f'<p class="pdkit-empty">{none}</p>'
