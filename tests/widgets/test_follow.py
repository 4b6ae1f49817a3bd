"""Following the facilitator without polling the store (pdkit.widgets._follow): a
participant's runner and a second facilitator tab redraw on the runs' change signal at
their next check (a tenth of a second), not at the slow poll, and read nothing from the
store while nothing changes.

Two stores on one SQLite file are two kernels: the facilitator's and a participant's.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import ipywidgets as w
import pytest

from pdkit import pacing
from pdkit.pacing import RunState
from pdkit.store import SQLiteStore
from pdkit.testing import FakeClock, FakeScheduler, shown_text
from pdkit.widgets import PacingControl, ProtocolRunner
from pdkit.widgets._follow import CHECK_EVERY, SAFETY_EVERY, Following, follow


@pytest.fixture(autouse=True)
def _close_widgets() -> Iterator[None]:
    yield
    w.Widget.close_all()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "s.sqlite3"


@pytest.fixture
def facilitator_store(db: Path) -> Iterator[SQLiteStore]:
    store = SQLiteStore(db)
    yield store
    store.close()


@pytest.fixture
def page_store(db: Path, facilitator_store: SQLiteStore) -> Iterator[SQLiteStore]:
    store = SQLiteStore(db)
    yield store
    store.close()


def counted(store: SQLiteStore) -> list[str]:
    """Every statement the store's connection runs from now on."""
    statements: list[str] = []
    store._sqlite.connection.set_trace_callback(statements.append)
    return statements


def test_the_runner_redraws_on_the_signal_and_reads_nothing_meanwhile(
    facilitator_store: SQLiteStore, page_store: SQLiteStore
) -> None:
    clock = FakeClock(1000.0, step=0)
    people = [facilitator_store.create_participant(n)[0] for n in ("Ana", "Ben", "Cy")]
    control = PacingControl(facilitator_store, clock=clock, protocols=["tuning"], seed=1)
    runner = ProtocolRunner(page_store, people[0], clock=clock, schedule=FakeScheduler())
    following = runner.stop_polling
    assert isinstance(following, Following)
    following.clock = clock  # the slow poll never comes unless the test moves the clock
    statements = counted(page_store)

    for _ in range(50):  # five seconds of checks with nothing changing …
        assert not following.check()
    assert statements == []  # … read nothing from the store
    assert "No protocol is running" in shown_text(runner.widget)

    control.form_groups(3)  # Tuning needs three or more
    control.start("tuning", rounds_count=1)
    assert following.check()  # the next check after the facilitator's click redraws
    assert "Step 1 of 8" in shown_text(runner.widget)
    assert statements  # by reading the run, once
    control.next()
    statements.clear()
    assert following.check()
    assert "Step 2 of 8" in shown_text(runner.widget)
    # The run and its rounds' roles, the step's notes and the presenter's goal (who may see
    # it: the presenter, their group, their visibility): a handful, not a poll loop.
    assert len(statements) <= 8

    statements.clear()
    for _ in range(20):
        assert not following.check()
    assert statements == []
    clock.now += SAFETY_EVERY  # the slow poll reads the store even without a signal
    assert following.check()
    assert statements
    following()  # stopping
    control.next()
    assert not following.check()
    assert "Step 2 of 8" in shown_text(runner.widget)


def test_a_second_facilitator_tab_follows_the_first(
    facilitator_store: SQLiteStore, page_store: SQLiteStore
) -> None:
    clock = FakeClock(1000.0, step=0)
    for name in ("Ana", "Ben", "Cy", "Dee"):
        facilitator_store.create_participant(name)
    first = PacingControl(facilitator_store, clock=clock, protocols=["tuning"], seed=1)
    second = PacingControl(page_store, clock=clock, protocols=["tuning"], seed=1)
    following = second.stop_polling
    assert isinstance(following, Following)
    following.clock = clock
    first.form_groups(3)
    first.start("tuning", rounds_count=1)
    assert following.check()
    assert second.run is not None
    first.next()
    assert following.check()
    assert second.run.state.step == 1


def test_follow_checks_on_the_scheduler_it_is_given(
    facilitator_store: SQLiteStore, page_store: SQLiteStore
) -> None:
    """Each tick checks the signal and schedules the next one; stopping cancels it."""
    people = [facilitator_store.create_participant(n)[0] for n in ("Ana", "Ben")]
    scheduler = FakeScheduler()
    clock = FakeClock(0.0, step=0)
    seen: list[int] = []
    following = follow(
        page_store.run_signal("default"),
        lambda: seen.append(len(page_store.runs())),
        schedule=scheduler,
        clock=clock,
    )
    assert [h.delay for h in scheduler.pending] == [CHECK_EVERY]
    scheduler.fire()
    assert seen == []
    facilitator_store.start_run(
        "default",
        "tuning",
        "tuning@1",
        {"g": {people[0].id: "p", people[1].id: "q"}},
        RunState(step=0, status=pacing.RUNNING, started_at=0.0, allotted=60.0),
    )
    scheduler.fire()
    assert seen == [1]
    assert following.refreshes == 1
    following()
    assert scheduler.pending == []
