"""The clock of a protocol run: which step, how much time is left, paused or not.

Pure functions over an immutable :class:`RunState`, with the time passed in, so a
facilitator's click, every participant's countdown and the tests all compute the
same thing. The store keeps the state; nothing here sleeps or reads a clock.

Time running out does not move the group on: the facilitator paces. A step past its
time shows how far over it is (``remaining`` turns negative).

The steps walked are a protocol's own, or a :class:`pdkit.rounds.Plan` of its steps
over several rounds; ``RunState.step`` is the place in that order and
``RunState.round`` the round that place belongs to.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from .definitions import ProtocolDefinition
from .rounds import Plan

Paced = ProtocolDefinition | Plan
"""What a run walks through: a protocol's steps once, or a plan of rounds."""

__all__ = [
    "ENDED",
    "PAUSED",
    "RUNNING",
    "Paced",
    "RunState",
    "back",
    "end",
    "extend",
    "format_clock",
    "next_step",
    "pause",
    "remaining",
    "resume",
    "start",
]

RUNNING = "running"
PAUSED = "paused"
ENDED = "ended"


@dataclass(frozen=True)
class RunState:
    """Where a run is. ``used`` counts the step's seconds before the clock last started."""

    step: int
    status: str
    started_at: float
    allotted: float
    used: float = 0.0
    round: int = 0


def start(protocol: Paced, now: float) -> RunState:
    """The first step, its clock running."""
    return _enter(protocol, 0, now)


def _enter(protocol: Paced, step: int, now: float) -> RunState:
    round_ = protocol.stage(step).round if isinstance(protocol, Plan) else 0
    return RunState(
        step=step,
        status=RUNNING,
        started_at=now,
        allotted=protocol.steps[step].seconds,
        round=round_,
    )


def next_step(protocol: Paced, state: RunState, now: float) -> RunState:
    """The next step with a fresh clock; after the last step, the run ends."""
    if state.status == ENDED:
        return state
    if state.step + 1 >= len(protocol.steps):
        return end(state, now)
    return _enter(protocol, state.step + 1, now)


def back(protocol: Paced, state: RunState, now: float) -> RunState:
    """The previous step (or the first again) with a fresh clock; reopens an ended run
    on its last step."""
    if state.status == ENDED:
        return _enter(protocol, state.step, now)
    return _enter(protocol, max(0, state.step - 1), now)


def extend(state: RunState, seconds: float) -> RunState:
    """More time for the current step (a negative amount takes time away, never below 0)."""
    if state.status == ENDED:
        return state
    return replace(state, allotted=max(0.0, state.allotted + seconds))


def pause(state: RunState, now: float) -> RunState:
    """Stop the clock; the time used so far is kept."""
    if state.status != RUNNING:
        return state
    return replace(
        state, status=PAUSED, used=state.used + max(0.0, now - state.started_at), started_at=now
    )


def resume(state: RunState, now: float) -> RunState:
    """Start the clock again where it stopped."""
    if state.status != PAUSED:
        return state
    return replace(state, status=RUNNING, started_at=now)


def end(state: RunState, now: float) -> RunState:
    """Finish the run (notes stay; ``back`` reopens it)."""
    stopped = pause(state, now)
    return replace(stopped, status=ENDED)


def remaining(state: RunState, now: float) -> float:
    """Seconds left in the step; negative once over time."""
    running = max(0.0, now - state.started_at) if state.status == RUNNING else 0.0
    return state.allotted - state.used - running


def format_clock(seconds: float) -> str:
    """``4:05`` left, or ``+0:42`` over time."""
    sign = "+" if seconds < 0 else ""
    whole = math.floor(-seconds) if seconds < 0 else math.ceil(seconds)
    return f"{sign}{whole // 60}:{whole % 60:02d}"
