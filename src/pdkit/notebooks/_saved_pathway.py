"""A teacher's pathway in a saved workbook, under ``metadata["pdkit"]["pathway"]``, read
back exactly, with a readable Markdown cell; and the extra sections a saved workbook
gets from the store after its answers (observations, the pathway, the coach's thread).

The section is ``{"format": 1, "id", "title", "school_goal", "required_done",
"required_total", "optional_done", "min_optional", "complete", "steps": [...]}``; each
step ``{"id", "title", "type", "required", "status", "link", "note", "at"}`` (``status``
one of :data:`pdkit.pathways.DONE`, ``OPEN``, ``LOCKED``; ``link``, ``note`` and ``at``
from the teacher's tick, empty / None for a step pdkit saw done or not ticked). A
pseudonymous copy keeps only each step's status (:func:`pathway_status_only`). A file
without the section (saved before pathways, or by a teacher on no pathway) has none.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from typing import Any

from .._environ import PATHWAYS_ENV
from ..definitions import load_pathways
from ..errors import AccessError, PdkitError
from ..i18n import N_, translator
from ..pathways import DONE, LOCKED, OPEN
from ..store import Participant, Store, ViewerLike
from ._markdown import md_escape
from ._observations import add_observations
from .build import markdown_cell, notebook_language
from .untrusted import Damaged, is_time, kind_of

__all__ = [
    "PATHWAY_FORMAT",
    "PATHWAY_TAG",
    "add_sections",
    "pathway_cell",
    "pathway_section",
    "pathway_status_only",
    "read_pathway",
]

PATHWAY_TAG = "pdkit-pathway"
"""The tag of the Markdown cell that shows the pathway to a person."""

PATHWAY_FORMAT = 1
"""The version of ``metadata["pdkit"]["pathway"]``."""

_STATUSES = (DONE, OPEN, LOCKED)
_COUNTS = ("required_done", "required_total", "optional_done", "min_optional")
_STEP_TEXTS = ("id", "title", "type", "status", "link", "note")


def pathway_section(store: Store, participant_id: str, viewer: ViewerLike) -> dict[str, Any] | None:
    """The section of a saved workbook: the pathway the teacher follows and where they
    stand (None when they follow none, or ``viewer`` may not see it)."""
    try:
        chosen = store.pathway_choice(participant_id, viewer=viewer)
        if chosen is None:
            return None
        found = {p.id: p for p in load_pathways(os.environ.get(PATHWAYS_ENV) or None)}
        pathway = found.get(chosen)
        if pathway is None:
            return None  # a pathway this server no longer offers
        now = store.pathway_progress(participant_id, pathway, viewer=viewer)
    except (AccessError, PdkitError):
        return None
    steps = [
        {
            "id": s.step.id,
            "title": s.step.title,
            "type": s.step.type,
            "required": s.step.required,
            "status": s.status,
            "link": s.tick.link if s.tick is not None and s.tick.done else "",
            "note": s.tick.note if s.tick is not None and s.tick.done else "",
            "at": s.tick.at if s.tick is not None and s.tick.done else None,
        }
        for s in now.steps
    ]
    return {
        "format": PATHWAY_FORMAT,
        "id": pathway.id,
        "title": pathway.title,
        "school_goal": pathway.school_goal,
        "required_done": now.required_done,
        "required_total": now.required_total,
        "optional_done": now.optional_done,
        "min_optional": now.min_optional,
        "complete": now.complete,
        "steps": steps,
    }


_MARKS = {DONE: N_("done"), OPEN: N_("to do"), LOCKED: N_("locked")}


def pathway_cell(section: Mapping[str, Any], language: str | None = None) -> dict[str, Any]:
    """The pathway as a Markdown cell a person reads (never read back), in the workbook's
    ``language``."""
    t = translator(language)
    said = t("Required steps: {done} of {total} done.").format(
        done=section["required_done"], total=section["required_total"]
    )
    said += " " + t("Optional steps: {done} done of at least {least}.").format(
        done=section["optional_done"], least=section["min_optional"]
    )
    lines = [
        "## " + t("My pathway: {title}").format(title=md_escape(section["title"])),
        "",
        said + (" " + t("Completed.") if section["complete"] else ""),
        "",
    ]
    for step in section["steps"]:
        kind = t("required") if step["required"] else t("optional")
        line = f"- **{md_escape(step['title'])}** ({t(_MARKS[step['status']])}; {kind})"
        if step["link"]:
            safe = step["link"].replace("<", "%3C").replace(">", "%3E")
            line += f": <{safe}>"
        if step["note"]:
            line += f" — {md_escape(step['note'])}"
        lines.append(line)
    return markdown_cell("\n".join(lines), cell_id="pathway", metadata={"tags": [PATHWAY_TAG]})


def pathway_status_only(notebook: dict[str, Any]) -> None:
    """Keep only each step's status in a saved workbook's pathway (no link, note or
    time: for a pseudonymous copy); its cell is written again (changed in place)."""
    section = notebook["metadata"]["pdkit"].get("pathway")
    if not isinstance(section, dict):
        return
    for step in section.get("steps", ()):
        if isinstance(step, dict):
            step.update(link="", note="", at=None)
    notebook["cells"] = [
        pathway_cell(section, notebook_language(notebook))
        if PATHWAY_TAG in c.get("metadata", {}).get("tags", ())
        else c
        for c in notebook["cells"]
    ]


def add_sections(
    notebook: dict[str, Any],
    store: Store,
    participant: Participant,
    who: ViewerLike,
    append_comment: Callable[[dict[str, Any], str, str, datetime], object],
) -> None:
    """Put what follows the answers into a saved ``notebook``, as ``who`` may read it:
    the observations of the teacher's teaching, their pathway, and their coaches'
    messages of the thread (as coach comments, through ``append_comment``)."""
    add_observations(notebook, store, participant.id, who)
    if (section := pathway_section(store, participant.id, who)) is not None:
        notebook["metadata"]["pdkit"]["pathway"] = section
        notebook["cells"].append(pathway_cell(section, notebook_language(notebook)))
    try:
        thread = store.comments(participant.id, viewer=who)
    except AccessError:
        return  # not this viewer's to read: not in their copy
    names: dict[str, str] = {}
    for comment in thread:
        if comment.author == participant.id:
            continue  # the teacher's own replies are not coach comments
        if comment.author not in names:
            person = store.get_participant(comment.author)
            names[comment.author] = person.display_name if person is not None else "?"
        stamp = datetime.fromtimestamp(comment.at, tz=timezone.utc).replace(microsecond=0)
        append_comment(notebook, names[comment.author], comment.text, stamp)


def read_pathway(meta: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The pathway section of a saved workbook's metadata, every value checked
    (:class:`~.untrusted.Damaged` if one is not as pdkit writes it), or None."""
    section = meta.get("pathway")
    if section is None:
        return None
    where = "metadata.pdkit.pathway"
    if type(section) is not dict:
        raise Damaged(N_("{where} is {kind}, not an object"), where=where, kind=kind_of(section))
    if section.get("format") != PATHWAY_FORMAT:
        raise Damaged(N_("{where}.format is not {expected}"), where=where, expected=PATHWAY_FORMAT)
    for key in ("id", "title", "school_goal"):
        if type(section.get(key)) is not str:
            raise Damaged(
                N_("{where} is {kind}, not text"),
                where=f"{where}.{key}",
                kind=kind_of(section.get(key)),
            )
    for key in _COUNTS:
        value = section.get(key)
        if type(value) is not int or value < 0:
            raise Damaged(
                N_("{where} is {kind}, not a count"), where=f"{where}.{key}", kind=kind_of(value)
            )
    if type(section.get("complete")) is not bool:
        raise Damaged(N_("{where} is not true or false"), where=f"{where}.complete")
    steps = section.get("steps")
    if type(steps) is not list or len(steps) > 40:
        raise Damaged(
            N_("{where} is not a list of at most {most} steps"), where=f"{where}.steps", most=40
        )
    for n, step in enumerate(steps):
        at = f"{where}.steps[{n}]"
        if type(step) is not dict:
            raise Damaged(N_("{where} is {kind}, not an object"), where=at, kind=kind_of(step))
        for key in _STEP_TEXTS:
            if type(step.get(key)) is not str:
                raise Damaged(
                    N_("{where} is {kind}, not text"),
                    where=f"{at}.{key}",
                    kind=kind_of(step.get(key)),
                )
        if step["status"] not in _STATUSES:
            raise Damaged(
                N_("{where} is not one of {allowed}"),
                where=f"{at}.status",
                allowed=", ".join(_STATUSES),
            )
        if step["link"] and not step["link"].startswith(("https://", "http://")):
            raise Damaged(N_("{where} is not a web link"), where=f"{at}.link")
        if type(step.get("required")) is not bool:
            raise Damaged(N_("{where} is not true or false"), where=f"{at}.required")
        if step.get("at") is not None and not is_time(step["at"]):
            raise Damaged(
                N_("{where} is {kind}, not a time"), where=f"{at}.at", kind=kind_of(step["at"])
            )
    return section
