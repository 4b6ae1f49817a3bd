"""How a protocol run went, against its plan: the fidelity report.

For each step of each round: the minutes planned and the minutes it ran, time added,
pauses, whether the step was left out (the norms step a room had agreed already) or
never reached (the run ended early), how often it was entered (going back), and how
many people wrote notes in it. Pure, as :mod:`pdkit.pacing`: the log of a run's
states (the store's ``run_events``) in, rows out, so the dashboard's table, the
facilitator's after-session page and the tests agree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from .pacing import ENDED, PAUSED, RUNNING
from .rounds import Plan

__all__ = ["COLUMNS", "StepRecord", "fidelity"]

DONE = "done"
NOW = "now"
LEFT_OUT = "left out"
NOT_REACHED = "not reached"


class _Event(Protocol):
    """A run's state just after one change (:class:`pdkit.store.RunEvent`)."""

    @property
    def at(self) -> float: ...

    @property
    def step(self) -> int: ...

    @property
    def status(self) -> str: ...

    @property
    def allotted(self) -> float: ...


@dataclass(frozen=True)
class StepRecord:
    """One step of one round of a run, as planned and as it went (minutes)."""

    round: int
    step: str
    title: str
    planned: float
    actual: float
    added: float
    pauses: int
    paused: float
    visits: int
    state: str
    wrote_notes: int

    def row(self) -> tuple[object, ...]:
        return (
            self.round,
            self.step,
            self.title,
            self.planned,
            round(self.actual, 1),
            round(self.added, 1),
            self.pauses,
            round(self.paused, 1),
            self.visits,
            self.state,
            self.wrote_notes,
        )


COLUMNS = (
    "round",
    "step",
    "title",
    "planned_minutes",
    "actual_minutes",
    "added_minutes",
    "pauses",
    "paused_minutes",
    "visits",
    "state",
    "wrote_notes",
)
"""The columns of :meth:`StepRecord.row` (round counts from 1)."""


def fidelity(
    plan: Plan,
    events: Sequence[_Event],
    now: float,
    writers: Mapping[tuple[int, str], int] | None = None,
) -> list[StepRecord]:
    """The plan's steps as they went, from the run's ``events`` (oldest first; the first
    is its start) up to ``now``; ``writers`` counts the people who wrote notes per
    (round, step id)."""
    running = [0.0] * len(plan.stages)
    paused = [0.0] * len(plan.stages)
    added = [0.0] * len(plan.stages)
    pauses = [0] * len(plan.stages)
    visits = [0] * len(plan.stages)
    last = min(events[-1].step, len(plan.stages) - 1) if events else -1
    for index, event in enumerate(events):
        place = min(max(event.step, 0), len(plan.stages) - 1)
        before = events[index - 1] if index else None
        if before is None or before.step != event.step or before.status == ENDED:
            if event.status != ENDED:
                visits[place] += 1
        elif event.allotted > before.allotted:
            added[place] += (event.allotted - before.allotted) / 60
        if event.status == PAUSED and (before is None or before.status != PAUSED):
            pauses[place] += 1
    ends = [e.at for e in events[1:]] + [now] if events else []
    for event, until in zip(events, ends, strict=True):
        place = min(max(event.step, 0), len(plan.stages) - 1)
        spent = max(0.0, until - event.at) / 60
        if event.status == RUNNING:
            running[place] += spent
        elif event.status == PAUSED:
            paused[place] += spent
    ended = bool(events) and events[-1].status == ENDED
    found = []
    for place, stage in enumerate(plan.stages):
        state = NOT_REACHED
        if visits[place]:
            state = NOW if place == last and not ended else DONE
        found.append(
            StepRecord(
                round=stage.round + 1,
                step=stage.step.id,
                title=stage.step.title,
                planned=stage.step.minutes,
                actual=running[place],
                added=added[place],
                pauses=pauses[place],
                paused=paused[place],
                visits=visits[place],
                state=state,
                wrote_notes=(writers or {}).get((stage.round, stage.step.id), 0),
            )
        )
    for step in plan.protocol.steps:
        if step.id in plan.skipped:
            found.append(
                StepRecord(1, step.id, step.title, step.minutes, 0.0, 0.0, 0, 0.0, 0, LEFT_OUT, 0)
            )
    return found
