"""The run clock: pure functions over RunState, with the time passed in (no sleeping)."""

from __future__ import annotations

import pytest

from pdkit import pacing
from pdkit.definitions import ProtocolDefinition, Role, Step, load_protocol
from pdkit.pacing import ENDED, PAUSED, RUNNING, RunState, format_clock, remaining

T0 = 1000.0


@pytest.fixture
def protocol() -> ProtocolDefinition:
    """Three steps of 1, 2 and 0.5 minutes."""
    return ProtocolDefinition(
        id="clock",
        title="Clock test",
        origin="tests",
        roles=(Role("member", "Member", count=None),),
        steps=(
            Step("one", "One", minutes=1),
            Step("two", "Two", minutes=2),
            Step("three", "Three", minutes=0.5),
        ),
    )


@pytest.fixture
def started(protocol: ProtocolDefinition) -> RunState:
    return pacing.start(protocol, T0)


def at_step(protocol: ProtocolDefinition, step: int, now: float = T0) -> RunState:
    state = pacing.start(protocol, now)
    for _ in range(step):
        state = pacing.next_step(protocol, state, now)
    return state


# --------------------------------------------------------------------------- start


def test_start_runs_the_first_step_with_its_seconds(started: RunState) -> None:
    assert started == RunState(step=0, status=RUNNING, started_at=T0, allotted=60.0, used=0.0)
    assert remaining(started, T0) == 60.0


def test_start_uses_the_first_steps_minutes_of_a_real_protocol() -> None:
    tuning = load_protocol("tuning")
    state = pacing.start(tuning, 50.0)
    assert state.step == 0
    assert state.status == RUNNING
    assert state.allotted == tuning.steps[0].minutes * 60 == 300.0
    assert remaining(state, 50.0 + 42.0) == 258.0


@pytest.mark.parametrize(
    ("elapsed", "left"), [(0.0, 60.0), (1.0, 59.0), (30.5, 29.5), (60.0, 0.0), (59.75, 0.25)]
)
def test_remaining_counts_down_with_time(started: RunState, elapsed: float, left: float) -> None:
    assert remaining(started, T0 + elapsed) == pytest.approx(left)


@pytest.mark.parametrize(("elapsed", "left"), [(61.0, -1.0), (102.5, -42.5), (660.0, -600.0)])
def test_remaining_goes_negative_past_time(started: RunState, elapsed: float, left: float) -> None:
    assert remaining(started, T0 + elapsed) == pytest.approx(left)
    assert started.status == RUNNING  # time running out does not move the group on


def test_a_clock_behind_the_start_counts_no_time(started: RunState) -> None:
    assert remaining(started, T0 - 10.0) == 60.0


# --------------------------------------------------------------------------- pause and resume


def test_pause_freezes_the_remaining_time(started: RunState) -> None:
    paused = pacing.pause(started, T0 + 20.0)
    assert paused.status == PAUSED
    assert paused.used == 20.0
    for later in (20.0, 21.0, 300.0, 10_000.0):
        assert remaining(paused, T0 + later) == 40.0


def test_resume_continues_from_where_it_paused(started: RunState) -> None:
    paused = pacing.pause(started, T0 + 20.0)
    resumed = pacing.resume(paused, T0 + 500.0)  # 480 s paused: not counted
    assert resumed.status == RUNNING
    assert remaining(resumed, T0 + 500.0) == 40.0
    assert remaining(resumed, T0 + 510.0) == 30.0
    assert remaining(resumed, T0 + 560.0) == -20.0


def test_several_pauses_accumulate_only_running_time(started: RunState) -> None:
    state, now, ran = started, T0, 0.0
    for run_for, pause_for in [(5.0, 100.0), (7.5, 3.0), (0.0, 50.0), (12.0, 1.0)]:
        now += run_for
        ran += run_for
        state = pacing.pause(state, now)
        assert remaining(state, now) == pytest.approx(60.0 - ran)
        now += pause_for
        assert remaining(state, now) == pytest.approx(60.0 - ran)
        state = pacing.resume(state, now)
        assert remaining(state, now) == pytest.approx(60.0 - ran)
    assert state.used == pytest.approx(24.5)
    assert remaining(state, now + 10.0) == pytest.approx(60.0 - 24.5 - 10.0)


def test_pause_when_paused_and_resume_when_running_change_nothing(started: RunState) -> None:
    assert pacing.resume(started, T0 + 5.0) == started
    paused = pacing.pause(started, T0 + 5.0)
    assert pacing.pause(paused, T0 + 50.0) == paused
    assert remaining(pacing.pause(paused, T0 + 50.0), T0 + 50.0) == 55.0


def test_functions_return_new_states_and_leave_the_old_one_alone(
    protocol: ProtocolDefinition, started: RunState
) -> None:
    before = RunState(**vars(started))
    pacing.pause(started, T0 + 5)
    pacing.extend(started, 60)
    pacing.next_step(protocol, started, T0 + 5)
    pacing.end(started, T0 + 5)
    assert started == before


# --------------------------------------------------------------------------- extend


@pytest.mark.parametrize(("seconds", "allotted"), [(60, 120.0), (300, 360.0), (0.5, 60.5)])
def test_extend_adds_time(started: RunState, seconds: float, allotted: float) -> None:
    longer = pacing.extend(started, seconds)
    assert longer.allotted == allotted
    assert remaining(longer, T0 + 10.0) == allotted - 10.0
    assert longer.status == RUNNING
    assert longer.started_at == started.started_at


def test_extend_twice_adds_up(started: RunState) -> None:
    assert pacing.extend(pacing.extend(started, 60), 60).allotted == 180.0


@pytest.mark.parametrize(("seconds", "allotted"), [(-30, 30.0), (-60, 0.0), (-600, 0.0)])
def test_negative_extend_never_goes_below_zero(
    started: RunState, seconds: float, allotted: float
) -> None:
    shorter = pacing.extend(started, seconds)
    assert shorter.allotted == allotted
    assert shorter.allotted >= 0


def test_extend_while_paused_keeps_the_clock_stopped(started: RunState) -> None:
    paused = pacing.pause(started, T0 + 50.0)
    longer = pacing.extend(paused, 60)
    assert longer.status == PAUSED
    assert remaining(longer, T0 + 1000.0) == 70.0


# --------------------------------------------------------------------------- next and back


def test_next_gives_the_next_step_a_fresh_clock(
    protocol: ProtocolDefinition, started: RunState
) -> None:
    overtime = pacing.extend(started, 30)
    moved = pacing.next_step(protocol, overtime, T0 + 200.0)
    assert moved == RunState(step=1, status=RUNNING, started_at=T0 + 200.0, allotted=120.0)
    assert remaining(moved, T0 + 230.0) == 90.0


def test_next_from_a_paused_step_runs_the_next_one(
    protocol: ProtocolDefinition, started: RunState
) -> None:
    paused = pacing.pause(started, T0 + 10.0)
    moved = pacing.next_step(protocol, paused, T0 + 70.0)
    assert moved.step == 1
    assert moved.status == RUNNING
    assert moved.used == 0.0
    assert remaining(moved, T0 + 80.0) == 110.0


def test_next_through_every_step_then_the_run_ends(protocol: ProtocolDefinition) -> None:
    state = pacing.start(protocol, T0)
    seen = [(state.step, state.allotted)]
    for minute in range(1, 3):
        state = pacing.next_step(protocol, state, T0 + 60 * minute)
        seen.append((state.step, state.allotted))
    assert seen == [(0, 60.0), (1, 120.0), (2, 30.0)]

    ended = pacing.next_step(protocol, state, T0 + 130.0)  # 10 s into the last step
    assert ended.status == ENDED
    assert ended.step == 2
    assert remaining(ended, T0 + 10_000.0) == 20.0  # the clock stopped when it ended


def test_back_from_the_first_step_stays_there_with_a_fresh_clock(
    protocol: ProtocolDefinition, started: RunState
) -> None:
    worn = pacing.pause(pacing.extend(started, 120), T0 + 50.0)
    again = pacing.back(protocol, worn, T0 + 99.0)
    assert again == RunState(step=0, status=RUNNING, started_at=T0 + 99.0, allotted=60.0)


def test_back_goes_to_the_previous_step_with_a_fresh_clock(protocol: ProtocolDefinition) -> None:
    state = at_step(protocol, 2)
    back = pacing.back(protocol, state, T0 + 5.0)
    assert back == RunState(step=1, status=RUNNING, started_at=T0 + 5.0, allotted=120.0)


def test_back_from_an_ended_run_reopens_the_last_step(protocol: ProtocolDefinition) -> None:
    last = at_step(protocol, 2)
    ended = pacing.next_step(protocol, last, T0 + 40.0)
    assert ended.status == ENDED
    reopened = pacing.back(protocol, ended, T0 + 300.0)
    assert reopened == RunState(step=2, status=RUNNING, started_at=T0 + 300.0, allotted=30.0)


def test_back_from_a_run_ended_early_reopens_that_step(
    protocol: ProtocolDefinition, started: RunState
) -> None:
    ended = pacing.end(started, T0 + 10.0)
    reopened = pacing.back(protocol, ended, T0 + 20.0)
    assert (reopened.step, reopened.status, reopened.allotted) == (0, RUNNING, 60.0)


# --------------------------------------------------------------------------- end


def test_end_stops_the_clock(started: RunState) -> None:
    ended = pacing.end(started, T0 + 15.0)
    assert ended.status == ENDED
    assert ended.step == 0
    assert remaining(ended, T0 + 15.0) == 45.0
    assert remaining(ended, T0 + 9999.0) == 45.0


def test_end_of_a_paused_run_keeps_the_paused_time(started: RunState) -> None:
    paused = pacing.pause(started, T0 + 15.0)
    ended = pacing.end(paused, T0 + 500.0)
    assert ended.status == ENDED
    assert remaining(ended, T0 + 600.0) == 45.0


def test_operations_on_an_ended_run_change_nothing(
    protocol: ProtocolDefinition, started: RunState
) -> None:
    ended = pacing.end(started, T0 + 15.0)
    later = T0 + 100.0
    assert pacing.extend(ended, 300) == ended
    assert pacing.extend(ended, -300) == ended
    assert pacing.pause(ended, later) == ended
    assert pacing.resume(ended, later) == ended
    assert pacing.next_step(protocol, ended, later) == ended
    assert pacing.end(ended, later) == ended


# --------------------------------------------------------------------------- format_clock


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [
        (0, "0:00"),
        (0.0, "0:00"),
        (0.2, "0:01"),
        (1, "0:01"),
        (59, "0:59"),
        (59.2, "1:00"),
        (60, "1:00"),
        (61, "1:01"),
        (125, "2:05"),
        (300, "5:00"),
        (599.5, "10:00"),
        (3600, "60:00"),
        (-1, "+0:01"),
        (-0.4, "+0:00"),
        (-42.5, "+0:42"),
        (-60, "+1:00"),
        (-125, "+2:05"),
    ],
)
def test_format_clock(seconds: float, shown: str) -> None:
    assert format_clock(seconds) == shown


def test_format_clock_of_a_running_step(started: RunState) -> None:
    assert format_clock(remaining(started, T0 + 0.5)) == "1:00"
    assert format_clock(remaining(started, T0 + 55.0)) == "0:05"
    assert format_clock(remaining(started, T0 + 102.5)) == "+0:42"
