"""Headless tests of protocol runs: the participant's runner, the facilitator's pacing
control, the reflection sequence, the facilitator page's key and the served links.

The clock is a mutable float handed to every widget, autosave goes through a fake
scheduler and polling is ``refresh()`` called by hand, so no test sleeps.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from html import escape
from pathlib import Path
from typing import Any

import ipywidgets as w
import pytest

from pdkit import pacing
from pdkit.app import FACILITATOR_KEY_ENV, FacilitatorApp, ReflectionApp
from pdkit.definitions import builtin_definitions, load_form, load_protocol, protocol_by_id
from pdkit.errors import ConflictError
from pdkit.pacing import RunState
from pdkit.serve import ServeConfig, builtin_workbooks_dir, prepare
from pdkit.store import JSONValue, Participant, Run, Store, Viewer, open_store
from pdkit.testing import FakeClock, FakeScheduler, descendants, page_loaded
from pdkit.widgets import FormView, PacingControl, ProtocolRunner
from pdkit.widgets._runner import NEXT_AFTER, NOTES_AFTER, run_plan

ALL = Viewer.steward(include_private=True)  # every note, for checking what was stored

TUNING = load_protocol("tuning")
PROTOCOLS = ["tuning", "success-analysis", "like-wish-wonder"]
T0 = 1000.0
FACILITATOR_PAGE = "http://h/voila/render/facilitator.ipynb"


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(autouse=True)
def _close_widgets() -> Iterator[None]:
    yield
    w.Widget.close_all()


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("JUPYTERHUB_USER", "PDKIT_SCHOOL_GOALS", "PDKIT_STORE", FACILITATOR_KEY_ENV):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def store() -> Iterator[Store]:
    opened = open_store("memory://")
    yield opened
    opened.close()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(T0, step=0)  # the time every widget reads; tests move it by hand


@pytest.fixture
def scheduler() -> FakeScheduler:
    return FakeScheduler()


@pytest.fixture
def trio(store: Store) -> list[Participant]:
    return [store.create_participant(name)[0] for name in ("<b>Ana</b>", "Ben & Co", "Cy")]


@pytest.fixture
def make_control(store: Store, clock: FakeClock) -> Callable[..., PacingControl]:
    def make(**options: Any) -> PacingControl:
        options.setdefault("clock", clock)
        options.setdefault("protocols", PROTOCOLS)
        options.setdefault("seed", 7)
        return PacingControl(options.pop("store", store), **options)

    return make


@pytest.fixture
def control(make_control: Callable[..., PacingControl]) -> PacingControl:
    return make_control()


@pytest.fixture
def make_runner(
    store: Store, clock: FakeClock, scheduler: FakeScheduler
) -> Callable[[Participant], ProtocolRunner]:
    def make(participant: Participant) -> ProtocolRunner:
        return ProtocolRunner(store, participant, clock=clock, schedule=scheduler)

    return make


@pytest.fixture
def paced(
    store: Store, clock: FakeClock, scheduler: FakeScheduler
) -> Callable[[Participant, FakeScheduler], ProtocolRunner]:
    """A runner as the participant's page makes it: notes forms drawn ``NOTES_AFTER`` and
    made ahead ``NEXT_AFTER``, through ``later`` (a fake scheduler the test fires)."""

    def make(participant: Participant, later: FakeScheduler) -> ProtocolRunner:
        return ProtocolRunner(
            store,
            participant,
            clock=clock,
            schedule=scheduler,
            notes_after=NOTES_AFTER,
            later=later,
        )

    return make


def started(control: PacingControl, protocol: str = "tuning", size: int = 3) -> Run:
    control.form_groups(size)
    run = control.start(protocol)
    assert run is not None
    return run


def by_role(run: Run, participants: list[Participant]) -> dict[str, Participant]:
    """The run's participants by role id (one per role in these tests)."""
    found = {}
    for person in participants:
        placement = run.placement(person.id)
        if placement is not None:
            found[placement[1]] = person
    return found


def shown_text(widget: w.Widget) -> str:
    """Every HTML and label text in a widget tree."""
    return "\n".join(
        str(getattr(child, "value", ""))
        for child in descendants(widget)
        if isinstance(child, w.HTML | w.Label)
    )


# --------------------------------------------------------------------------- the runner


def test_runner_waits_then_shows_the_first_step(
    store: Store,
    clock: FakeClock,
    trio: list[Participant],
    control: PacingControl,
    make_runner: Callable[[Participant], ProtocolRunner],
) -> None:
    ana = trio[0]
    runner = make_runner(ana)
    assert runner.run is None
    assert "pdkit-waiting" in runner.heading.value
    assert "No protocol is running for your group" in runner.heading.value
    assert runner.countdown.state == "idle"
    assert not runner.countdown.running
    assert runner.notes is None

    run = started(control)
    clock.now = T0 + 42.0
    runner.refresh()

    group_id, role_id = run.placement(ana.id) or ("", "")
    step = TUNING.steps[0]
    heading = runner.heading.value
    assert runner.run is not None
    assert runner.run.id == run.id
    assert runner.role == role_id
    assert run.rounds == 3  # a triad: each member presents once
    assert f"Step 1 of {len(run_plan(run).stages)}: {escape(step.title)}" in heading
    assert f"You are the <strong>{escape(TUNING.role(role_id).label)}</strong>" in heading
    for person in trio:
        label = TUNING.role(run.roles[group_id][person.id]).label
        assert f"{escape(person.display_name)} ({escape(label)})" in heading
    assert "&lt;b&gt;Ana&lt;/b&gt;" in heading
    assert "<b>Ana</b>" not in heading
    assert "Ben &amp; Co" in heading
    assert escape(step.prompt_for(role_id)) in runner.prompt.value
    assert runner.countdown.remaining == pytest.approx(step.seconds - 42.0)
    assert runner.countdown.running is True
    assert runner.countdown.state == "running"
    assert 'aria-current="step"' in runner.outline.value


def test_each_role_sees_its_own_prompt(
    trio: list[Participant],
    control: PacingControl,
    make_runner: Callable[[Participant], ProtocolRunner],
) -> None:
    run = started(control)
    roles = by_role(run, trio)
    assert set(roles) == {"presenter", "facilitator", "participant"}
    intro = TUNING.steps[0]
    facilitator = make_runner(roles["facilitator"])
    presenter = make_runner(roles["presenter"])
    assert escape(intro.prompts["facilitator"]) in facilitator.prompt.value
    assert escape(intro.prompts["all"]) in presenter.prompt.value
    assert escape(intro.prompts["facilitator"]) not in presenter.prompt.value
    assert "You speak in this step." in facilitator.who.value
    assert "You speak in this step." not in presenter.who.value


def test_two_runners_follow_one_control_and_keep_their_notes(
    store: Store,
    clock: FakeClock,
    scheduler: FakeScheduler,
    trio: list[Participant],
    control: PacingControl,
    make_runner: Callable[[Participant], ProtocolRunner],
) -> None:
    run = started(control)
    roles = by_role(run, trio)
    presenter_person, participant_person = roles["presenter"], roles["participant"]
    presenter = make_runner(presenter_person)
    participant = make_runner(participant_person)

    clock.now = T0 + 300.0
    control.next_button.click()
    presenter.refresh()
    participant.refresh()
    step = TUNING.steps[1]
    for runner in (presenter, participant):
        assert (
            f"Step 2 of {len(run_plan(run).stages)}: {escape(step.title)}" in runner.heading.value
        )
        assert runner.step == step
        assert runner.countdown.remaining == pytest.approx(step.seconds)
    assert escape(step.prompts["presenter"]) in presenter.prompt.value
    assert escape(step.prompts["all"]) in participant.prompt.value
    assert presenter.prompt.value != participant.prompt.value

    assert presenter.notes is not None
    assert participant.notes is not None
    question = "How can students ask more?"
    presenter.notes.field("focusing_question").value = question
    presenter.notes.save()
    participant.notes.field("first_notes").value = "Clear aims <3"
    participant.notes.save()
    written = [
        (n.step, n.role, n.participant, n.field, n.value) for n in store.notes(run.id, viewer=ALL)
    ]
    assert written == [
        ("presentation", "presenter", presenter_person.id, "focusing_question", question),
        ("presentation", "participant", participant_person.id, "first_notes", "Clear aims <3"),
    ]

    # Typed, not saved (the autosave has not fired): going on saves it.
    presenter.notes.field("focusing_question").value = "How can ALL students ask more?"
    assert len(scheduler.pending) == 1  # its autosave waits
    control.next()
    presenter.refresh()
    participant.refresh()
    assert store.latest_notes(
        run.id, "presentation", presenter_person.id, viewer=presenter_person.id
    ) == {"focusing_question": "How can ALL students ask more?"}
    assert presenter.step is not None
    assert presenter.step.id == "clarifying"
    assert presenter.notes is None  # the presenter writes nothing while questions are asked
    assert "Nothing to write down" in shown_text(presenter.notes_box)
    assert participant.notes is not None
    assert list(participant.notes.controls) == ["questions"]

    control.back()
    presenter.refresh()
    participant.refresh()
    assert presenter.step == step
    assert presenter.notes is not None
    assert presenter.notes.field("focusing_question").value == "How can ALL students ask more?"
    assert participant.notes is not None
    assert participant.notes.field("first_notes").value == "Clear aims <3"
    assert presenter.notes.unsaved() == {}


def test_runner_follows_extend_pause_and_end(
    clock: FakeClock,
    trio: list[Participant],
    control: PacingControl,
    make_runner: Callable[[Participant], ProtocolRunner],
) -> None:
    started(control)
    runner = make_runner(trio[0])
    seconds = TUNING.steps[0].seconds

    clock.now = T0 + 10.0
    control.extend(300)
    runner.refresh()
    assert runner.countdown.remaining == pytest.approx(seconds + 300 - 10)
    assert control.countdown.remaining == pytest.approx(seconds + 300 - 10)

    clock.now = T0 + 20.0
    control.pause_button.click()
    assert control.pause_button.description == "Resume"
    runner.refresh()
    assert runner.countdown.state == "paused"
    assert runner.countdown.running is False
    assert runner.countdown.remaining == pytest.approx(seconds + 300 - 20)

    clock.now = T0 + 500.0  # paused time does not count
    runner.refresh()
    assert runner.countdown.remaining == pytest.approx(seconds + 300 - 20)
    control.toggle_pause()
    assert control.pause_button.description == "Pause"
    runner.refresh()
    assert runner.countdown.state == "running"
    assert runner.countdown.running is True
    assert runner.countdown.remaining == pytest.approx(seconds + 300 - 20)

    clock.now = T0 + 530.0
    control.add1_button.click()
    runner.refresh()
    assert runner.countdown.remaining == pytest.approx(seconds + 360 - 50)

    control.end_button.click()
    runner.refresh()
    assert runner.countdown.state == "ended"
    assert runner.countdown.running is False
    assert "has ended" in runner.prompt.value
    assert "Ended: " in runner.heading.value
    assert runner.who.value == ""
    assert "Ended" in control.status.value
    for button in (
        control.next_button,
        control.add1_button,
        control.add5_button,
        control.pause_button,
        control.end_button,
    ):
        assert button.disabled, button.description
    assert not control.back_button.disabled  # back reopens the run
    assert control.progress.value == ""

    control.back()
    runner.refresh()
    assert runner.countdown.state == "running"
    assert "has ended" not in runner.prompt.value
    assert not control.next_button.disabled


def test_buttons_before_any_run_are_disabled(control: PacingControl) -> None:
    assert control.run is None
    assert all(b.disabled for b in control.controls.children)
    assert "No protocol is running" in control.status.value


def test_a_new_control_picks_up_the_running_run_but_not_an_ended_one(
    trio: list[Participant], control: PacingControl, make_control: Callable[..., PacingControl]
) -> None:
    run = started(control)
    control.next()
    again = make_control()
    assert again.run is not None
    assert again.run.id == run.id
    assert again.run.state.step == 1
    assert "Step 2 of" in again.status.value
    control.end()
    after_end = make_control()
    assert after_end.run is None
    assert all(b.disabled for b in after_end.controls.children)


def test_a_run_started_in_another_tab_is_picked_up(
    trio: list[Participant],
    control: PacingControl,
    make_control: Callable[..., PacingControl],
    clock: FakeClock,
) -> None:
    first = started(control)
    other_tab = make_control()
    assert other_tab.run is not None
    assert other_tab.run.id == first.id
    clock.now += 5
    second = control.start("like-wish-wonder")
    assert second is not None
    other_tab.refresh()
    assert other_tab.run is not None
    assert other_tab.run.id == second.id
    other_tab.next()  # acts on the new run, not the old one
    moved, kept = control.store.get_run(second.id), control.store.get_run(first.id)
    assert moved is not None
    assert kept is not None
    assert (moved.state.step, kept.state.step) == (1, 0)


def test_giving_up_after_repeated_conflicts_says_so(
    trio: list[Participant], control: PacingControl, monkeypatch: pytest.MonkeyPatch
) -> None:
    started(control)

    def always_conflict(*_args: Any, **_kwargs: Any) -> Run:
        raise ConflictError("changed meanwhile")

    monkeypatch.setattr(control.store, "update_run", always_conflict)
    control.next()
    assert "kept changing" in control.message.value


def test_stale_second_control_still_moves_the_run_on(
    store: Store,
    trio: list[Participant],
    control: PacingControl,
    make_control: Callable[..., PacingControl],
) -> None:
    run = started(control)
    other = make_control()  # a second facilitator tab
    assert other.run is not None
    assert other.run.version == 1
    control.next()
    other.next()  # not refreshed: still thinks the run is at step 0
    stored = store.get_run(run.id)
    assert stored is not None
    assert stored.state.step == 2
    assert stored.version == 3
    assert other.run is not None
    assert other.run.state.step == 2
    assert "Step 3 of" in other.status.value
    control.refresh()
    assert "Step 3 of" in control.status.value


class RacingStore:
    """A store where another facilitator's click lands between this one's read and write."""

    def __init__(self, inner: Store) -> None:
        self.inner = inner
        self.races = 0
        self.conflicts = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def update_run(
        self, run_id: str, state: RunState, *, expected_version: int, **more: Any
    ) -> Run:
        if self.races == 0:
            self.races += 1
            current = self.inner.get_run(run_id)
            assert current is not None
            moved = pacing.next_step(TUNING, current.state, T0)
            self.inner.update_run(run_id, moved, expected_version=current.version)
        try:
            return self.inner.update_run(run_id, state, expected_version=expected_version, **more)
        except ConflictError:
            self.conflicts += 1
            raise


def test_a_conflicting_click_is_retried_on_the_fresh_run(
    store: Store,
    trio: list[Participant],
    control: PacingControl,
    make_control: Callable[..., PacingControl],
) -> None:
    run = started(control)
    racing = RacingStore(store)
    other = make_control(store=racing)
    other.next()
    assert racing.conflicts == 1
    stored = store.get_run(run.id)
    assert stored is not None
    assert (stored.state.step, stored.version) == (2, 3)
    assert other.run == stored


def test_polling_without_a_change_keeps_the_notes_form(
    clock: FakeClock,
    trio: list[Participant],
    control: PacingControl,
    make_runner: Callable[[Participant], ProtocolRunner],
) -> None:
    run = started(control)
    presenter = make_runner(by_role(run, trio)["presenter"])
    control.next()
    presenter.refresh()
    form = presenter.notes
    assert form is not None
    form.field("focusing_question").value = "half a thou"
    stamp = presenter.countdown.stamp
    for _ in range(3):
        clock.now += 1.0
        presenter.refresh()
        assert presenter.notes is form
    assert presenter.countdown.stamp == stamp  # nothing sent to the browser either
    control.extend(60)  # the run changes, the step does not
    control.toggle_pause()
    presenter.refresh()
    assert presenter.notes is form
    assert form.field("focusing_question").value == "half a thou"
    assert presenter.notes_box.children[-1] is form.widget


def test_a_new_run_gets_a_new_notes_form_even_at_the_same_step(
    store: Store,
    trio: list[Participant],
    control: PacingControl,
    make_runner: Callable[[Participant], ProtocolRunner],
) -> None:
    # Both protocols open with a norms step that has no notes: move each run on to its
    # second step, where everyone writes, so both runs are at the same step index.
    first = started(control, "success-analysis")
    control.next()
    ana = trio[0]
    runner = make_runner(ana)
    assert runner.notes is not None
    runner.notes.field("success_story").value = "For the first run"
    runner.notes.save()

    second = control.start("like-wish-wonder")
    assert second is not None
    control.next()
    runner.refresh()
    assert runner.run is not None
    assert runner.run.id == second.id
    protocol = load_protocol("like-wish-wonder")
    assert runner.run.state.step == 1
    role = runner.role
    assert role is not None
    expected = [f.id for f in protocol.steps[1].capture_for(role)]
    assert runner.notes is not None
    assert list(runner.notes.controls) == expected
    field = protocol.steps[1].capture_for(role)[0]
    answer: JSONValue = ["For the second run"] if field.type == "list" else "For the second run"
    runner.notes.field(field.id).value = answer
    runner.notes.save()
    assert store.latest_notes(second.id, protocol.steps[1].id, ana.id, viewer=ana.id) == {
        field.id: answer
    }
    assert [n.value for n in store.notes(first.id, viewer=ALL)] == ["For the first run"]


def test_a_page_shows_the_new_step_at_once_and_its_notes_form_a_moment_later(
    store: Store,
    trio: list[Participant],
    control: PacingControl,
    paced: Callable[[Participant, FakeScheduler], ProtocolRunner],
) -> None:
    """When a room moves on, each page sends the step first and builds the notes form
    (most of the work) ``NOTES_AFTER`` seconds later: nothing typed goes to the wrong step."""
    run = started(control)
    control.next()
    person = by_role(run, trio)["presenter"]
    later = FakeScheduler()
    runner = paced(person, later)
    (first,) = later.pending
    assert NOTES_AFTER[0] <= first.delay <= NOTES_AFTER[1]
    assert runner.notes is None
    assert runner.notes_box.children == ()
    later.fire()
    assert runner.notes is not None
    runner.notes.field("focusing_question").value = "Typed in step 2"

    control.next()
    runner.refresh()
    stages = len(run_plan(run).stages)
    assert f"Step 3 of {stages}: {escape(TUNING.steps[2].title)}" in runner.heading.value
    assert escape(TUNING.steps[2].prompts["presenter"]) in runner.prompt.value
    assert runner.notes is None
    assert runner.notes_box.children == ()  # nothing to type into
    assert store.latest_notes(run.id, "presentation", person.id, viewer=person.id) == {
        "focusing_question": "Typed in step 2"
    }
    (pending,) = later.pending

    control.next()  # moved on again before the form was drawn: only the latest is drawn
    runner.refresh()
    assert pending.cancelled
    later.fire()
    assert runner.step == TUNING.steps[3]
    assert runner.notes is None  # the presenter listens in this step
    assert "Nothing to write down" in shown_text(runner.notes_box)

    control.next()
    runner.refresh()
    runner.stop()  # the page leaves: no form is drawn after it
    assert later.pending == []
    assert runner.notes_box.children == ()


def test_the_next_steps_notes_form_is_made_ahead_and_swapped_in_at_the_click(
    store: Store,
    trio: list[Participant],
    control: PacingControl,
    paced: Callable[[Participant, FakeScheduler], ProtocolRunner],
) -> None:
    """A moment after a step is shown the page makes the next step's form (not shown);
    the click then only swaps it in. Going back instead makes the right form."""
    run = started(control)
    control.next()  # step 2: presentation
    person = by_role(run, trio)["participant"]
    later = FakeScheduler()
    runner = paced(person, later)
    later.fire()  # step 2's form is drawn...
    (ahead,) = later.pending  # ...and step 3's is to be made a moment later
    assert NEXT_AFTER[0] <= ahead.delay <= NEXT_AFTER[1]
    shown_before = runner.notes_box.children
    later.fire()
    assert runner.notes_box.children == shown_before  # made, not shown
    assert runner.step == TUNING.steps[1]

    control.next()  # step 3: clarifying questions
    runner.refresh()
    notes = runner.notes
    assert notes is not None  # shown at the click: nothing waits
    assert list(notes.controls) == [f.id for f in TUNING.steps[2].capture_for("participant")]
    assert runner.notes_box.children[-1] is notes.widget
    notes.field("questions").value = "Who chose the groups?"
    notes.save()
    assert store.latest_notes(run.id, "clarifying", person.id, viewer=person.id) == {
        "questions": "Who chose the groups?"
    }
    later.fire()  # step 4's form made ahead

    control.back()  # not the step made ahead: its form is made as usual
    runner.refresh()
    assert runner.notes is None
    (draw,) = later.pending
    assert NOTES_AFTER[0] <= draw.delay <= NOTES_AFTER[1]
    later.fire()
    assert runner.notes is not None
    assert list(runner.notes.controls) == [f.id for f in TUNING.steps[1].capture_for("participant")]

    # The last step of a round: the next round's roles differ, nothing is made ahead.
    made = run_plan(run)
    last = next(
        i for i, stage in enumerate(made.stages[:-1]) if made.stages[i + 1].round != stage.round
    )
    while runner.step_index != last:
        for handle in later.pending:
            handle.cancel()
        control.next()
        runner.refresh()
    later.fire()  # its form drawn
    assert later.pending == []


# --------------------------------------------------------------------------- starting


def test_start_without_groups_says_so_and_starts_nothing(
    store: Store, trio: list[Participant], control: PacingControl
) -> None:
    assert control.start("tuning") is None
    assert "pdkit-error" in control.message.value
    assert "Form groups first" in control.message.value
    assert store.runs() == []
    control.start_button.click()
    assert store.runs() == []


@pytest.mark.parametrize("joined", [0, 1])
def test_forming_groups_needs_two_people(store: Store, control: PacingControl, joined: int) -> None:
    for n in range(joined):
        store.create_participant(f"P{n}")
    control.form_groups(2)
    assert "pdkit-error" in control.message.value
    assert "At least two people" in control.message.value
    assert store.groups() == []


def test_form_groups_shows_the_groups(
    store: Store, trio: list[Participant], control: PacingControl
) -> None:
    control.group_size.value = 3
    control.form_button.click()
    (group,) = store.groups()
    assert sorted(group.members) == sorted(p.id for p in trio)
    assert re.search(r"Formed 1 group\b", control.message.value)
    assert "3 people" in control.groups_html.value
    assert "&lt;b&gt;Ana&lt;/b&gt;" in control.groups_html.value
    assert "<b>Ana</b>" not in control.groups_html.value
    assert [v for _, v in control.target.options] == ["", group.id]


def test_the_seed_makes_the_groups(
    store: Store, make_control: Callable[..., PacingControl]
) -> None:
    people = [store.create_participant(f"P{i}")[0].id for i in range(9)]
    made = []
    for _ in range(2):
        control = make_control(seed=11)
        control.form_groups(3)
        made.append([g.members for g in store.groups()])
    assert made[0] == made[1]
    assert sorted(m for g in made[0] for m in g) == sorted(people)


def test_the_protocol_picker_lists_the_library_by_title_and_starts_on_tuning(
    make_control: Callable[..., PacingControl],
) -> None:
    control = make_control(protocols=None)  # every shipped protocol
    options = list(control.protocol.options)
    assert {i for _title, i in options} == set(builtin_definitions("protocol"))
    titles = [title for title, _i in options]
    assert titles == sorted(titles, key=str.casefold)
    assert titles[0] != "Tuning protocol"  # so starting on Tuning is a choice, not the order
    assert control.protocol.value == "tuning"
    assert control.protocol.label == "Tuning protocol"


def test_the_chosen_protocols_summary_shows_what_start_starts(
    make_control: Callable[..., PacingControl],
) -> None:
    """The kernel draws the chosen protocol's summary under the picker: a facilitator
    (and a test) sees which protocol the kernel has before pressing Start, even when the
    browser's choice is still on its way (ipywidgets holds a quick second change back
    while the kernel is busy, and a click can overtake it)."""
    control = make_control(protocols=None)
    tuning, chalk = load_protocol("tuning"), load_protocol("chalk-talk")
    assert escape(tuning.summary) in control.protocol_about.value
    control.protocol.value = "chalk-talk"
    assert escape(chalk.summary) in control.protocol_about.value
    assert escape(tuning.summary) not in control.protocol_about.value
    spanish = make_control(protocols=None, language="es")
    assert escape(load_protocol("tuning", language="es").summary) in spanish.protocol_about.value


def test_without_tuning_the_picker_starts_on_the_first_title(
    make_control: Callable[..., PacingControl],
) -> None:
    control = make_control(protocols=["warm-cool-feedback", "chalk-talk", "microlab"])
    assert [i for _title, i in control.protocol.options] == [
        "chalk-talk",
        "microlab",
        "warm-cool-feedback",
    ]
    assert control.protocol.value == "chalk-talk"


def test_start_for_one_group_only(
    store: Store,
    make_control: Callable[..., PacingControl],
    make_runner: Callable[[Participant], ProtocolRunner],
) -> None:
    people = [store.create_participant(name)[0] for name in "ABCDEF"]
    control = make_control()
    control.form_groups(3)  # Tuning needs three or more
    first, second = store.groups()
    control.protocol.value = "tuning"
    control.target.value = first.id
    control.start_button.click()
    (run,) = store.runs()
    assert list(run.roles) == [first.id]
    assert set(run.roles[first.id]) == set(first.members)
    assert "for 1 group" in control.message.value
    assert "for 1 groups" not in control.message.value

    inside = next(p for p in people if p.id in first.members)
    outside = next(p for p in people if p.id in second.members)
    assert "pdkit-waiting" in make_runner(outside).heading.value
    assert store.run_for(outside.id) is None
    assert make_runner(inside).countdown.state == "running"


def test_start_for_all_groups(store: Store, make_control: Callable[..., PacingControl]) -> None:
    for name in "ABCDEFG":
        store.create_participant(name)
    control = make_control()
    control.form_groups(3)
    run = control.start("tuning")
    assert run is not None
    assert list(run.roles) == [g.id for g in store.groups()]
    assert sorted(len(r) for r in run.roles.values()) == [3, 4]


# --------------------------------------------------------------------------- progress


def test_progress_counts_writers_and_never_shows_their_notes(
    store: Store,
    make_control: Callable[..., PacingControl],
    make_runner: Callable[[Participant], ProtocolRunner],
) -> None:
    people = [store.create_participant(name)[0] for name in "ABCDEF"]
    control = make_control()
    run = started(control, size=3)
    first, second = run.roles  # group ids, in the order they are numbered
    control.next()
    control.refresh()
    assert "Group 1: 0 of 3 wrote notes" in control.progress.value
    assert "Group 2: 0 of 3 wrote notes" in control.progress.value

    presenter_id = next(p for p, r in run.roles[first].items() if r == "presenter")
    writer = make_runner(next(p for p in people if p.id == presenter_id))
    assert writer.notes is not None
    secret = "My secret focusing question"
    writer.notes.field("focusing_question").value = secret
    writer.notes.save()
    writer.notes.field("focusing_question").value = secret + " (edited)"
    writer.notes.save()  # two events, still one writer
    control.refresh()
    assert "Group 1: 1 of 3 wrote notes" in control.progress.value
    assert "Group 2: 0 of 3 wrote notes" in control.progress.value
    assert "secret" not in shown_text(control.widget)

    control.next()  # counts are per step
    assert "Group 1: 0 of 3 wrote notes" in control.progress.value
    assert second in run.roles


# --------------------------------------------------------------------------- reflections


def visible(view: FormView) -> list[str]:
    return [fid for fid, box in view.boxes.items() if box.layout.display != "none"]


@pytest.fixture
def reflection(store: Store) -> ReflectionApp:
    app = ReflectionApp([load_form("what-so-what-now-what"), load_form("exit-ticket")], store=store)
    page_loaded(app.sign_in.browser)
    app.sign_in.join("Sam")
    return app


def test_reflection_shows_one_prompt_at_a_time(reflection: ReflectionApp) -> None:
    form = reflection.form
    assert form is not None
    assert form.definition.id == "what-so-what-now-what"
    assert form.sequential
    shown = descendants(form.widget)
    assert form.next_button in shown
    assert form.back_button in shown

    assert visible(form) == ["what"]
    assert form.back_button.disabled
    assert not form.next_button.disabled
    assert "Prompt 1 of 3" in form.progress.value

    form.next_button.click()
    assert visible(form) == ["so_what"]
    assert "Prompt 2 of 3" in form.progress.value
    assert not form.back_button.disabled
    assert not form.next_button.disabled

    form.next_button.click()
    assert visible(form) == ["now_what"]
    assert "Prompt 3 of 3" in form.progress.value
    assert form.next_button.disabled
    form.next_button.click()  # already at the end
    assert visible(form) == ["now_what"]

    form.back_button.click()
    form.back_button.click()
    assert visible(form) == ["what"]
    assert form.back_button.disabled
    form.back_button.click()
    assert visible(form) == ["what"]


def test_moving_between_prompts_saves_what_was_typed(
    store: Store, scheduler: FakeScheduler
) -> None:
    sam = store.create_participant("Sam")[0]
    definition = load_form("what-so-what-now-what")
    form = FormView(definition, store=store, participant_id=sam.id, schedule=scheduler)
    form.field("what").value = "Students argued about fractions."
    assert scheduler.pending  # an autosave is waiting, nothing written yet
    assert store.latest(sam.id, definition.id, viewer=sam.id) == {}
    form.next_button.click()
    assert store.latest(sam.id, definition.id, viewer=sam.id) == {
        "what": "Students argued about fractions."
    }
    assert not scheduler.pending  # the waiting autosave is no longer needed
    form.field("so_what").value = "They care about being right."
    form.back_button.click()
    assert (
        store.latest(sam.id, definition.id, viewer=sam.id)["so_what"]
        == "They care about being right."
    )

    again = FormView(definition, store=store, participant_id=sam.id, schedule=scheduler)
    assert again.field("what").value == "Students argued about fractions."
    assert again.field("so_what").value == "They care about being right."
    assert visible(again) == ["what"]


def test_reflection_rebuilt_restores_the_answers(store: Store, reflection: ReflectionApp) -> None:
    form = reflection.form
    assert form is not None
    form.field("what").value = "A quiet student explained her method."
    form.show(2)
    form.field("now_what").value = "Ask her to lead the warm-up."

    reflection.choice.value = "exit-ticket"
    assert reflection.form is not None
    assert reflection.form.definition.id == "exit-ticket"
    reflection.choice.value = "what-so-what-now-what"
    rebuilt = reflection.form
    assert rebuilt is not None
    assert rebuilt is not form
    assert rebuilt.field("what").value == "A quiet student explained her method."
    assert rebuilt.field("now_what").value == "Ask her to lead the warm-up."
    assert rebuilt.field("so_what").value == ""
    assert visible(rebuilt) == ["what"]


def test_a_form_that_is_not_a_sequence_shows_every_field(store: Store) -> None:
    sam = store.create_participant("Sam")[0]
    form = FormView(load_form("goal-setting"), store=store, participant_id=sam.id)
    assert not form.sequential
    assert visible(form) == list(form.boxes)
    buttons = [d.description for d in descendants(form.widget) if isinstance(d, w.Button)]
    assert "Save" in buttons
    assert not {"Back", "Next"} & set(buttons)  # not even built (each is a message)
    assert not hasattr(form, "next_button")


# --------------------------------------------------------------------------- facilitator page


def test_facilitator_page_opens_with_the_right_key(store: Store) -> None:
    app = FacilitatorApp(store=store, key="k")
    assert app.control is None  # still waiting for the page to report its address
    page_loaded(app.browser, page_url=f"{FACILITATOR_PAGE}?key=k")
    assert isinstance(app.control, PacingControl)
    assert app.control.widget in descendants(app.body)  # inside the dashboard


@pytest.mark.parametrize(
    "query", ["", "?key=", "?key=K", "?key=kk", "?key=wrong", "?other=k", "?key=k%20"]
)
def test_facilitator_page_refuses_a_wrong_or_missing_key(store: Store, query: str) -> None:
    app = FacilitatorApp(store=store, key="k")
    page_loaded(app.browser, page_url=f"{FACILITATOR_PAGE}{query}")
    assert app.control is None
    text = shown_text(app.body)
    assert "This page is for the facilitator" in text
    assert "pdkit-error" in text
    assert not any(isinstance(c, w.Button) for c in descendants(app.widget))


def test_facilitator_page_without_a_key_opens_at_once(store: Store) -> None:
    app = FacilitatorApp(store=store, key=None)
    assert isinstance(app.control, PacingControl)
    assert app.control.widget in descendants(app.body)  # inside the dashboard


# --------------------------------------------------------------------------- served links


@pytest.fixture
def config(tmp_path: Path) -> ServeConfig:
    return ServeConfig(path=builtin_workbooks_dir(), store=str(tmp_path / "s.sqlite3"), port=8123)


def facilitator_link(printed: str) -> str:
    (line,) = [ln for ln in printed.splitlines() if "facilitator" in ln]
    return line.rsplit(" ", 1)[-1]


def test_prepare_prints_the_facilitator_link_with_the_given_key(config: ServeConfig) -> None:
    config.facilitator_key = "given-Rk4vP9sW2mQ7"  # pdkit serve refuses weak keys
    out = io.StringIO()
    env = prepare(config, out)
    link = facilitator_link(out.getvalue())
    assert link == "http://127.0.0.1:8123/voila/render/facilitator.ipynb?key=given-Rk4vP9sW2mQ7"
    assert env[FACILITATOR_KEY_ENV] == "given-Rk4vP9sW2mQ7"
    others = [ln for ln in out.getvalue().splitlines() if "/voila/render/" in ln]
    assert len(others) > 1
    keyed = [ln for ln in others if "key=" in ln]  # the facilitator's and the room display's
    assert [ln.split(": ")[1].split(" ")[0] for ln in keyed] == ["facilitator", "room"]
    assert all(ln.endswith("?key=given-Rk4vP9sW2mQ7") for ln in keyed)


def test_prepare_makes_a_random_key(config: ServeConfig, tmp_path: Path) -> None:
    out = io.StringIO()
    env = prepare(config, out)
    key = env[FACILITATOR_KEY_ENV]
    assert len(key) >= 16
    assert re.fullmatch(r"[A-Za-z0-9_-]+", key)
    assert facilitator_link(out.getvalue()).endswith(f"?key={key}")
    assert config.facilitator_key == key

    other = ServeConfig(path=builtin_workbooks_dir(), store=config.store, port=8124)
    assert prepare(other, io.StringIO())[FACILITATOR_KEY_ENV] != key


@pytest.mark.parametrize("language", ["es", "fr"])
def test_the_protocol_speaks_the_pages_language(
    store: Store,
    clock: FakeClock,
    trio: list[Participant],
    make_control: Callable[..., PacingControl],
    scheduler: FakeScheduler,
    language: str,
) -> None:
    """A protocol's own words (its title, the step, the role, the prompt) come in the
    page's language, on the facilitator's control and on each participant's page; a page
    in English beside it stays English (the run names its protocol by id only)."""
    there = protocol_by_id("tuning", language)
    step, english_step = there.steps[0], TUNING.steps[0]
    assert there.title != TUNING.title
    assert step.title != english_step.title
    control = make_control(language=language)
    assert (there.title, "tuning") in control.protocol.options
    run = started(control)
    ana = trio[0]
    _group, role = run.placement(ana.id) or ("", "")
    runner = ProtocolRunner(store, ana, clock=clock, schedule=scheduler, language=language)
    runner.refresh()
    heading = runner.heading.value
    assert escape(step.title) in heading
    assert escape(english_step.title) not in heading
    assert escape(there.role(role).label) in heading
    assert escape(step.prompt_for(role)) in runner.prompt.value
    assert escape(english_step.prompt_for(role)) not in runner.prompt.value
    assert escape(there.title) in control.status.value
    assert escape(step.title) in control.status.value
    english = ProtocolRunner(store, ana, clock=clock, schedule=scheduler)
    english.refresh()
    assert escape(english_step.title) in english.heading.value
