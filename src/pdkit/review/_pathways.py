"""The ``pathways`` frame: one row per teacher and step of the pathway they follow, as the
reader may see it (from a store, as its viewer: the path is shared as the goal is; from
a saved workbook, what its copy holds; a pseudonymous copy holds only each step's
status): the pathway, the step, its type, whether it is required, its status (``done``,
``open``, ``locked``) and the teacher's tick (link, note, when)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import cache
from typing import Any

from .._environ import PATHWAYS_ENV
from ..definitions import PathwayDefinition, load_pathways
from ..errors import AccessError, PdkitError
from ..store import Store, Viewer
from ._frames import rows

__all__ = ["pathway_entries", "pathway_rows", "saved_pathway_entries"]

_COLUMNS = (
    "participant",
    "pathway",
    "step",
    "type",
    "required",
    "status",
    "link",
    "note",
    "at",
    "source",
)

Entries = dict[tuple[str, str, str], tuple[Any, ...]]


def saved_pathway_entries(pid: str, section: Mapping[str, Any] | None, source: str) -> Entries:
    """The rows of a saved workbook's pathway section (checked when it was read)."""
    if section is None:
        return {}
    return {
        (pid, section["id"], s["id"]): (
            pid,
            section["id"],
            s["id"],
            s["type"],
            s["required"],
            s["status"],
            s["link"],
            s["note"],
            s.get("at"),
            source,
        )
        for s in section["steps"]
    }


def pathway_entries(
    store: Store, pid: str, viewer: Viewer, offered: dict[str, PathwayDefinition] | None
) -> Entries:
    """The rows of a teacher's pathway in a store, as ``viewer`` may see it (none when
    they follow none, the viewer may not see it, or the pathway is not ``offered``)."""
    try:
        chosen = store.pathway_choice(pid, viewer=viewer)
        if chosen is None:
            return {}
        if offered is None:
            offered = _offered(os.environ.get(PATHWAYS_ENV) or None)
        pathway = offered.get(chosen)
        if pathway is None:
            return {}
        now = store.pathway_progress(pid, pathway, viewer=viewer)
    except (AccessError, PdkitError):
        return {}
    found: Entries = {}
    for s in now.steps:
        tick = s.tick if s.tick is not None and s.tick.done else None
        found[(pid, pathway.id, s.step.id)] = (
            pid,
            pathway.id,
            s.step.id,
            s.step.type,
            s.step.required,
            s.status,
            tick.link if tick else "",
            tick.note if tick else "",
            tick.at if tick else None,
            store.url,
        )
    return found


@cache
def _offered(source: str | None) -> dict[str, PathwayDefinition]:
    """The pathways offered (a district's folder, else pdkit's), read once per review."""
    return {p.id: p for p in load_pathways(source)}


def pathway_rows(found: Mapping[tuple[str, str, str], tuple[Any, ...]]) -> dict[str, list[Any]]:
    """The frame's columns from the rows collected, by teacher, pathway, then step order."""
    columns = rows("pathways")
    for entry in found.values():
        for column, value in zip(_COLUMNS, entry, strict=True):
            columns[column].append(value)
    return columns
