"""Observations in a saved workbook: the observations of the teacher's teaching that the
copy's viewer may read, under ``metadata["pdkit"]["observations"]``, read back exactly.

The section is ``{"format": 1, "items": [...], "names": {observer id: name}}``; each
item holds an observation's record (:class:`pdkit.store.Observation`: ids, times, the
goal version, how it is shared, and what the observer wrote, checked on reading as the
store checks it on writing). A file without the section (saved before observations)
reads as having none.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import PdkitError
from ..i18n import N_, translator
from ..observations import SHARES, check_notes
from ..store import Observation, Store, ViewerLike
from ._markdown import md_escape
from .build import markdown_cell, notebook_language
from .untrusted import Damaged, is_time, kind_of, shown, text_map

__all__ = [
    "OBSERVATIONS_FORMAT",
    "OBSERVATIONS_TAG",
    "add_observations",
    "observations_cell",
    "observations_section",
    "read_observations",
]

OBSERVATIONS_TAG = "pdkit-observations"
"""The tag of the Markdown cell that shows the observations to a person."""

OBSERVATIONS_FORMAT = 1
"""The version of ``metadata["pdkit"]["observations"]``."""

MAX_OBSERVATIONS = 1000
"""A saved workbook holds at most this many observations (a cycle has a handful)."""


def observations_section(
    store: Store, participant_id: str, viewer: ViewerLike
) -> dict[str, Any] | None:
    """The section of a saved workbook (None when the viewer may read none)."""
    found = store.observations_of(participant_id, viewer=viewer)[:MAX_OBSERVATIONS]
    if not found:
        return None
    names: dict[str, str] = {}
    for obs in found:
        if obs.observer not in names:
            person = store.get_participant(obs.observer)
            names[obs.observer] = person.display_name if person is not None else "?"
    items = [
        {
            "id": o.id,
            "teacher": o.teacher,
            "observer": o.observer,
            "created_at": o.created_at,
            "updated_at": o.updated_at,
            "sent_at": o.sent_at,
            "goal_version": o.goal_version,
            "share": o.share,
            "notes": dict(o.notes),
        }
        for o in found
    ]
    return {"format": OBSERVATIONS_FORMAT, "items": items, "names": names}


_SEEN = {"seen": N_("seen"), "not_yet": N_("not yet"), "": N_("not marked")}
_NOTES = (("general", N_("Note")), ("glow", N_("Glow")), ("grow", N_("Grow")))


def observations_cell(section: Mapping[str, Any], language: str | None = None) -> dict[str, Any]:
    """The observations of a section, as a Markdown cell a person reads (the data itself
    is in the metadata; this cell is never read back), in the workbook's ``language``."""
    t = translator(language)
    names = section.get("names", {})
    parts = [f"## {t('Observations of my teaching')}"]
    for item in section["items"]:
        notes = item["notes"]
        version = item["goal_version"]
        head = f"### {md_escape(str(notes.get('date') or t('No date')))}, "
        head += t("observed by {name}").format(name=md_escape(names.get(item["observer"], "?")))
        head += f" ({t('goal version {n}').format(n=version)})" if version is not None else ""
        lines = [head]
        marks = notes.get("marks", {})
        for look_for in notes.get("look_fors", []):
            mark = marks.get(look_for["id"], {})
            note = f": {md_escape(mark['note'])}" if mark.get("note") else ""
            seen = t(_SEEN.get(mark.get("seen", ""), ""))
            lines.append(f"- **{md_escape(look_for['text'])}**: {seen}{note}")
        for key, label in _NOTES:
            if notes.get(key):
                lines.append(f"\n**{t(label)}**: {md_escape(str(notes[key]))}")
        parts.append("\n".join(lines))
    return markdown_cell(
        "\n\n".join(parts), cell_id="observations", metadata={"tags": [OBSERVATIONS_TAG]}
    )


def add_observations(notebook: dict[str, Any], store: Store, teacher: str, who: ViewerLike) -> None:
    """Put the observations of ``teacher``'s teaching that ``who`` may read into a saved
    ``notebook``: under ``metadata["pdkit"]["observations"]`` and as a Markdown cell."""
    if (observed := observations_section(store, teacher, who)) is not None:
        notebook["metadata"]["pdkit"]["observations"] = observed
        notebook["cells"].append(observations_cell(observed, notebook_language(notebook)))


def _time(value: Any, where: str, *, optional: bool = False) -> float | None:
    if optional and value is None:
        return None
    if not is_time(value):
        raise Damaged(N_("{where} is {kind}, not a time"), where=where, kind=kind_of(value))
    return float(value)


def _item(raw: Any, where: str) -> Observation:
    if type(raw) is not dict:
        raise Damaged(N_("{where} is {kind}, not an object"), where=where, kind=kind_of(raw))
    for key in ("id", "teacher", "observer", "share"):
        if type(raw.get(key)) is not str:
            raise Damaged(
                N_("{where} is {kind}, not text"),
                where=f"{where}.{key}",
                kind=kind_of(raw.get(key)),
            )
    if raw["share"] not in SHARES:
        raise Damaged(
            N_("{where} is not one of {allowed}"), where=f"{where}.share", allowed=", ".join(SHARES)
        )
    version = raw.get("goal_version")
    if version is not None and (type(version) is not int or version < 1):
        raise Damaged(
            N_("{where} is {kind}, not a version number"),
            where=f"{where}.goal_version",
            kind=kind_of(version),
        )
    notes = raw.get("notes")
    if type(notes) is not dict:
        raise Damaged(
            N_("{where} is {kind}, not an object"), where=f"{where}.notes", kind=kind_of(notes)
        )
    try:
        checked = check_notes(notes)
    except PdkitError as exc:
        raise Damaged(N_("{where}.notes: {problem}"), where=where, problem=exc) from None
    if checked != notes:
        raise Damaged(N_("{where}.notes are not as pdkit writes them"), where=where)
    return Observation(
        id=raw["id"],
        teacher=raw["teacher"],
        observer=raw["observer"],
        created_at=_time(raw.get("created_at"), f"{where}.created_at") or 0.0,
        goal_version=version,
        notes=checked,
        updated_at=_time(raw.get("updated_at"), f"{where}.updated_at") or 0.0,
        sent_at=_time(raw.get("sent_at"), f"{where}.sent_at", optional=True),
        share=raw["share"],
    )


def read_observations(
    meta: Mapping[str, Any],
) -> tuple[tuple[Observation, ...], dict[str, str]]:
    """The observations of a saved workbook's ``metadata["pdkit"]`` and their observers'
    names (none in a file saved before observations); :class:`Damaged` says what is wrong."""
    section = meta.get("observations")
    if section is None:
        return (), {}
    if type(section) is not dict:
        raise Damaged(
            N_("{where} is {kind}, not an object"), where="observations", kind=kind_of(section)
        )
    fmt = section.get("format")
    if type(fmt) is not int or not 1 <= fmt <= OBSERVATIONS_FORMAT:
        raise Damaged(  # the value cut short: a file may hold anything there
            N_("observations.format {value} is not one this pdkit reads"), value=shown(fmt)
        )
    items = section.get("items")
    if type(items) is not list or len(items) > MAX_OBSERVATIONS:
        raise Damaged(
            N_("observations.items is not a list of at most {most}"), most=MAX_OBSERVATIONS
        )
    found = tuple(_item(raw, f"observations.items[{n}]") for n, raw in enumerate(items))
    return found, text_map(section.get("names", {}), "observations.names")
