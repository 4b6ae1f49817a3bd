"""The fidelity report: planned against actual minutes per step and round, time added,
pauses, steps left out or not reached, going back, and who wrote notes."""

from __future__ import annotations

import pytest

from pdkit import pacing, rounds
from pdkit.definitions import load_protocol
from pdkit.fidelity import COLUMNS, fidelity
from pdkit.store import RunEvent

TUNING = load_protocol("tuning")
WARM_COOL = load_protocol("warm-cool-feedback")


def log(plan: rounds.Plan, moves: list[tuple[float, str]]) -> list[RunEvent]:
    """The run's events for facilitator clicks at the given times."""
    state = pacing.start(plan, moves[0][0])
    events = [RunEvent("r", moves[0][0], state.step, state.round, state.status, state.allotted, 0)]
    for at, move in moves[1:]:
        if move == "next":
            state = pacing.next_step(plan, state, at)
        elif move == "back":
            state = pacing.back(plan, state, at)
        elif move == "pause":
            state = pacing.pause(state, at)
        elif move == "resume":
            state = pacing.resume(state, at)
        elif move == "+60":
            state = pacing.extend(state, 60)
        elif move == "end":
            state = pacing.end(state, at)
        events.append(
            RunEvent("r", at, state.step, state.round, state.status, state.allotted, state.used)
        )
    return events


def test_minutes_added_pauses_and_going_back_are_counted_per_step() -> None:
    # Without the norms step, so that the clicks below fall on the first round's steps.
    plan = rounds.plan(WARM_COOL, 2, skipped=["norms"])
    each = [s for s in WARM_COOL.steps if s.round == "each"]
    events = log(
        plan,
        [
            (0.0, "start"),
            (60.0, "+60"),
            (120.0, "pause"),
            (300.0, "resume"),
            (360.0, "next"),
            (420.0, "back"),
            (480.0, "next"),
            (540.0, "end"),
        ],
    )
    found = fidelity(plan, events, now=10_000.0, writers={(0, "share"): 2})
    share, clarifying = found[0], found[1]
    assert share.actual == pytest.approx((120 + 60 + 60) / 60)  # paused time not counted
    assert share.paused == pytest.approx(3.0)
    assert (share.added, share.pauses, share.visits) == (1.0, 1, 2)
    assert share.wrote_notes == 2
    assert clarifying.actual == pytest.approx(2.0)
    assert clarifying.visits == 2
    assert {r.state for r in found[2:-1]} == {"not reached"}  # the run ended early
    assert [r.round for r in found[:-1]] == [1] * len(each) + [2] * len(each)
    assert (found[-1].step, found[-1].state) == ("norms", "left out")
    assert len(found[0].row()) == len(COLUMNS)


def test_a_step_left_out_and_the_step_under_way_are_named() -> None:
    plan = rounds.plan(TUNING, 1, skipped=["intro"])
    events = log(plan, [(0.0, "start"), (600.0, "next")])
    found = fidelity(plan, events, now=900.0)
    assert found[0].state == "done"
    assert found[0].actual == pytest.approx(10.0)
    assert found[1].state == "now"
    assert found[1].actual == pytest.approx(5.0)  # running until now
    assert found[-1].step == "intro"
    assert found[-1].state == "left out"
    assert fidelity(plan, [], now=0.0)[0].state == "not reached"
