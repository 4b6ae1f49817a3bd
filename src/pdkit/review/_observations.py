"""The ``observations`` frame: one row per observation of a teacher's teaching that the
reader may read (from a store, as its viewer; from a saved workbook, what its copy
holds): who observed whom, the day, the goal version it is linked to, how the teacher
shares it, how many look-fors and how many were seen, and the notes for the teacher."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..store import Observation
from ._frames import rows

__all__ = ["observation_entry", "observation_rows"]

_COLUMNS = (
    "participant",
    "observation",
    "observer",
    "observer_name",
    "day",
    "goal_version",
    "sent_at",
    "share",
    "look_fors",
    "seen",
    "general",
    "glow",
    "grow",
    "source",
)


def observation_entry(obs: Observation, observer_name: str, source: str) -> tuple[Any, ...]:
    """One observation as the frame's row (in the order of its columns)."""
    marks = obs.marks
    seen = sum(1 for lf in obs.look_fors if marks.get(lf["id"], {}).get("seen") == "seen")
    return (
        obs.teacher,
        obs.id,
        obs.observer,
        observer_name,
        obs.day,
        obs.goal_version,
        obs.sent_at,
        obs.share,
        len(obs.look_fors),
        seen,
        str(obs.notes.get("general") or ""),
        str(obs.notes.get("glow") or ""),
        str(obs.notes.get("grow") or ""),
        source,
    )


def observation_rows(found: Mapping[str, tuple[Any, ...]]) -> dict[str, list[Any]]:
    """The frame's columns from the observations collected (by id), by teacher, then day."""
    columns = rows("observations")
    for entry in sorted(found.values(), key=lambda e: (e[0], e[4], e[1])):
        for column, value in zip(_COLUMNS, entry, strict=True):
            columns[column].append(value)
    return columns
