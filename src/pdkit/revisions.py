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
from typing import Any, Protocol

__all__ = ["SITTING_GAP", "Version", "starts_new_version", "versions"]

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


def starts_new_version(last: float, at: float, marks: Sequence[float], gap: float) -> bool:
    """Whether an edit at ``at``, after an edit at ``last``, starts a new stretch of work:
    a pause of at least ``gap`` seconds, or a revision mark (``marks``, sorted) in
    between (at or after ``last``, before ``at``)."""
    if at - last >= gap:
        return True
    first = bisect_left(marks, last)
    return first < len(marks) and marks[first] < at


def versions(
    events: Iterable[_Event], marks: Sequence[float] = (), gap: float = SITTING_GAP
) -> list[Version]:
    """The versions of an item from its events (oldest first) and revision marks."""
    found: list[Version] = []
    values: dict[str, Any] = {}
    before: dict[str, Any] = {}
    started = last = 0.0
    ordered_marks = sorted(marks)

    def close() -> None:
        changed = tuple(k for k, v in values.items() if before.get(k, _MISSING) != v)
        if changed or not found:
            found.append(Version(len(found) + 1, started, last, dict(values), changed))

    for index, event in enumerate(events):
        if index == 0:
            started = event.at
        elif starts_new_version(last, event.at, ordered_marks, gap):
            close()
            before = dict(values)
            started = event.at
        values[event.field] = event.value
        last = event.at
    if values:
        close()
    return found


_MISSING = object()
