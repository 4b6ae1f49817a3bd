"""Every protocol of the library runs on the facilitator's control as its definition says:
norms once (or left out), each round's steps once per round with every member presenting
once where someone presents, the debrief after the last round; sizes outside a protocol's
range are refused with what to do.

Polling is ``refresh()`` called by hand, as in the other widget tests: no test sleeps.
"""

from __future__ import annotations

from collections.abc import Iterator
from html import escape

import ipywidgets as w
import pytest

from pdkit import pacing, rounds
from pdkit.definitions import builtin_definitions, load_protocol
from pdkit.store import Participant, Run, Store, open_store
from pdkit.testing import FakeClock, FakeScheduler, shown_text
from pdkit.widgets import PacingControl, ProtocolRunner

T0 = 1000.0


@pytest.fixture(autouse=True)
def _close_widgets() -> Iterator[None]:
    yield
    w.Widget.close_all()


@pytest.fixture
def store() -> Iterator[Store]:
    opened = open_store("memory://")
    yield opened
    opened.close()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(T0, step=0)


def room(store: Store, size: int) -> list[Participant]:
    """One group of ``size`` people."""
    people = [store.create_participant(f"P{i}")[0] for i in range(size)]
    store.set_groups("default", [[p.id for p in people]])
    return people


def step_now(run: Run) -> str:
    """The id of the protocol step the run is at."""
    made = rounds.plan(load_protocol(run.protocol), run.rounds, run.skipped)
    return made.stages[run.state.step].step.id


@pytest.mark.parametrize("protocol_id", builtin_definitions("protocol"))
def test_every_protocol_runs_norms_rounds_and_debrief_as_declared(
    protocol_id: str, store: Store, clock: FakeClock
) -> None:
    protocol = load_protocol(protocol_id)
    size = max(protocol.group_size[0], 3) if protocol.group_size[1] >= 3 else 2
    people = room(store, size)
    control = PacingControl(store, clock=clock, seed=7)
    control.protocol.value = protocol_id
    expected_rounds = size if protocol.presenter else 1
    assert control.rounds.value == expected_rounds
    run = control.start(protocol_id, skip_norms=False)
    assert run is not None, shown_text(control.message)
    page = ProtocolRunner(store, people[0], clock=clock, schedule=FakeScheduler())
    assert escape(protocol.steps[0].title) in page.heading.value

    first = [s.id for s in protocol.steps if s.round == "first"]
    each = [s.id for s in protocol.steps if s.round == "each"]
    last = [s.id for s in protocol.steps if s.round == "last"]
    walked = []
    presenters = []
    current = store.get_run(run.id)
    while current is not None and current.state.status != pacing.ENDED:
        walked.append(step_now(current))
        if protocol.presenter and walked[-1] == each[0]:
            (roles,) = current.roles.values()
            presenters.append(next(p for p, r in roles.items() if r == protocol.presenter))
        clock.now += 1
        control.next()
        current = store.get_run(run.id)
    assert walked == first + each * expected_rounds + last
    if protocol.presenter:
        assert sorted(presenters) == sorted(p.id for p in people)  # each presents once


@pytest.mark.parametrize("protocol_id", builtin_definitions("protocol"))
def test_the_norms_step_can_be_left_out(protocol_id: str, store: Store, clock: FakeClock) -> None:
    protocol = load_protocol(protocol_id)
    room(store, max(protocol.group_size[0], 2))
    control = PacingControl(store, clock=clock, seed=7)
    run = control.start(protocol_id, rounds_count=1, skip_norms=True)
    assert run is not None, shown_text(control.message)
    assert protocol.steps[0].id in run.skipped
    assert step_now(run) == next(s.id for s in protocol.steps if not s.skippable)


def test_a_pair_can_hold_a_chalk_talk_but_not_a_microlab(store: Store, clock: FakeClock) -> None:
    room(store, 2)
    control = PacingControl(store, clock=clock, seed=7)
    assert control.start("microlab") is None
    said = shown_text(control.message)
    assert "Microlabs needs groups of 3" in said
    assert "Chalk Talk" in said  # a protocol that fits a pair is suggested
    assert store.runs() == []
    control.protocol.value = "chalk-talk"  # as the facilitator picks it
    assert control.rounds.value == 1  # nobody presents: one round
    control.start_button.click()
    (run,) = store.runs()
    assert run.protocol == "chalk-talk"
    assert run.rounds == 1
