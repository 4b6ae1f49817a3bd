"""Versions of an item (a goal, a check-in): the one rule, used by the teacher's page and
by the coach's review alike.

Answers save as people type, so one sitting makes many events. A *version* is the
state of the item at the end of a stretch of work:

- a new stretch starts at the first edit at least ``gap`` seconds (30 minutes: another
  sitting) after the one before, and at the first edit after the teacher said "Start a
  new version" (a revision mark);
- a stretch that leaves the item as the version before it was is not a new version.

:func:`versions` is pure: events in, versions out, so the same edits always give the
same versions wherever they are shown.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any, Protocol

__all__ = [
    "SITTING_GAP",
    "Version",
    "answered_in",
    "version_starts",
    "versions",
    "versions_of",
]

SITTING_GAP = 30 * 60.0
"""Seconds without a change after which the next change starts a new version."""


class _Event(Protocol):
    @property
    def field(self) -> str: ...

    @property
    def value(self) -> Any: ...

    @property
    def at(self) -> float: ...


@dataclass(frozen=True)
class Version:
    """One version: its number (1, 2, …), when its first and last changes were made, the
    whole item at its end, and the fields that differ from the version before (all, for
    the first)."""

    number: int
    started: float
    at: float
    values: dict[str, Any] = field(default_factory=dict)
    changed: tuple[str, ...] = ()


def version_starts(times: Sequence[float], marks: Sequence[float], gap: float) -> list[int]:
    """Which edits start a stretch of work (their indexes; the first always does): an
    edit at least ``gap`` seconds after the one before, or the first edit after a
    revision mark (a mark at or after the edit before it, before it)."""
    ordered = sorted(marks)
    if not ordered:  # the common case: pauses alone
        later = [i for i, (last, at) in enumerate(pairwise(times), 1) if at - last >= gap]
        return [0, *later] if len(times) else []
    starts = [0] if len(times) else []
    for index, (last, at) in enumerate(pairwise(times), 1):
        if at - last >= gap:
            starts.append(index)
        else:
            first = bisect_left(ordered, last)
            if first < len(ordered) and ordered[first] < at:
                starts.append(index)
    return starts


def versions(
    events: Iterable[_Event], marks: Sequence[float] = (), gap: float = SITTING_GAP
) -> list[Version]:
    """The versions of an item from its events (oldest first) and revision marks."""
    listed = list(events)
    return versions_of(
        [e.field for e in listed],
        [e.value for e in listed],
        [e.at for e in listed],
        marks,
        gap,
    )


def versions_of(
    fields: Sequence[str],
    values: Sequence[Any],
    times: Sequence[float],
    marks: Sequence[float] = (),
    gap: float = SITTING_GAP,
    *,
    starts: Sequence[int] | None = None,
) -> list[Version]:
    """:func:`versions` of events given as columns (the same rule, for many events: the
    coach's review of a cohort). ``starts``: :func:`version_starts` of these events
    when the caller found them already (for a whole cohort at once)."""
    found_starts = version_starts(times, marks, gap) if starts is None else starts
    cuts = [*found_starts, len(times)]
    found: list[Version] = []
    now: dict[str, Any] = {}
    before: dict[str, Any] = {}
    for start, end in pairwise(cuts):
        now.update(zip(fields[start:end], values[start:end], strict=True))
        changed = (
            tuple(k for k, v in now.items() if before.get(k, _MISSING) != v)
            if found
            else tuple(now)  # the first version: every field is new
        )
        if changed or not found:  # else the item is as the version before left it
            before = dict(now)
            found.append(Version(len(found) + 1, times[start], times[end - 1], before, changed))
    return found


_MISSING = object()


def answered_in(found: Sequence[Version], at: float, gap: float = SITTING_GAP) -> int | None:
    """The number of the version that answers feedback the teacher marked as answered at
    ``at``: the newest version made in the same sitting as the mark (its changes within
    ``gap`` of it, before or after: a teacher ticks the feedback while revising); else the
    first version after the mark; else the newest. None without versions."""
    if not found:
        return None
    same = [v for v in found if v.started - gap <= at <= v.at + gap]
    if same:
        return same[-1].number
    return next((v.number for v in found if v.started > at), found[-1].number)
