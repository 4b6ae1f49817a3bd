"""An observation as HTML: the day, the observer, the goal version it is linked to, each
look-for with what was seen, the general note and the glow and grow. Every text is
escaped."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from html import escape

from ..i18n import N_
from ..store import Observation

__all__ = ["observation_html", "observations_html"]

_SEEN = {"seen": N_("Seen"), "not_yet": N_("Not yet"), "": N_("Not marked")}
_PARTS = (("general", N_("General note")), ("glow", N_("Glow")), ("grow", N_("Grow")))


def observation_html(obs: Observation, names: Mapping[str, str], t: Callable[[str], str]) -> str:
    """One observation (``names``: display names by participant id)."""
    who = names.get(obs.observer, "")
    head = [escape(obs.day or t("no date"))]
    if who:
        head.append(escape(t("observed by {name}").format(name=who)))
    head.append(
        escape(t("goal version {n}").format(n=obs.goal_version))
        if obs.goal_version is not None
        else escape(t("before a goal was set"))
    )
    marks = obs.marks
    rows = []
    for look_for in obs.look_fors:
        mark = marks.get(look_for["id"], {})
        seen = mark.get("seen", "")
        note = mark.get("note", "")
        rows.append(
            f'<li class="pdkit-look-for pdkit-seen-{escape(seen or "none")}">'
            f"<strong>{escape(look_for['text'])}</strong>: {escape(t(_SEEN.get(seen, '')))}"
            + (f" · {escape(note)}" if note else "")
            + "</li>"
        )
    parts = "".join(
        f'<p class="pdkit-observation-{key}"><strong>{escape(t(label))}:</strong> '
        f"{escape(str(obs.notes.get(key)))}</p>"
        for key, label in _PARTS
        if obs.notes.get(key)
    )
    listed = f'<ul class="pdkit-look-fors">{"".join(rows)}</ul>' if rows else ""
    return (
        f'<div class="pdkit-observation" data-observation="{escape(obs.id, quote=True)}">'
        f'<p class="pdkit-observation-head">{" · ".join(head)}</p>{listed}{parts}</div>'
    )


def observations_html(
    found: Sequence[Observation], names: Mapping[str, str], t: Callable[[str], str]
) -> str:
    """Observations, newest first as given; a sentence when there are none."""
    if not found:
        return f'<p class="pdkit-empty">{escape(t("No observations yet."))}</p>'
    return "".join(observation_html(o, names, t) for o in found)
