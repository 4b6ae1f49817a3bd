"""Versions of an item (a goal): pure functions over its answer events.

Answers save as people type, so one sitting makes many events. A *version* is the
state of the item at the end of a stretch of work: a new version starts when the
teacher says so (a revision mark, "Start a new version") or after a pause of at least
``gap`` seconds (30 minutes: another sitting). The coach's review counts sittings the
same way (:mod:`pdkit.review`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

__all__ = ["SITTING_GAP", "Version", "versions"]

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
    """One version: its number (1, 2, …), when it was last changed, the whole item at
    its end, and the fields that differ from the version before (all, for the first)."""

    number: int
    started: float
    at: float
    values: dict[str, Any] = field(default_factory=dict)
    changed: tuple[str, ...] = ()


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
        elif event.at - last >= gap or any(last <= m < event.at for m in ordered_marks):
            close()
            before = dict(values)
            started = event.at
        values[event.field] = event.value
        last = event.at
    if values:
        close()
    return found


_MISSING = object()
