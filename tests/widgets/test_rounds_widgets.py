"""Rounds on the pages: every member of a triad presents once, the presenter's goal is
the work on every page of the group, feedback written in the feedback steps reaches the
presenter, group sizes are checked, and a late joiner gets a turn.

Polling is ``refresh()`` called by hand and autosave goes through a fake scheduler, as
in the other widget tests: no test sleeps.
"""

from __future__ import annotations

from collections.abc import Iterator

import ipywidgets as w
import pytest

from pdkit import pacing
from pdkit.definitions import load_protocol
from pdkit.definitions.ids import GOAL_FORM
from pdkit.store import Participant, Store, open_store
from pdkit.testing import FakeClock, FakeScheduler, shown_text
from pdkit.widgets import PacingControl, ProtocolRunner

WARM_COOL = load_protocol("warm-cool-feedback")
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


@pytest.fixture
def trio(store: Store) -> list[Participant]:
    return [store.create_participant(name)[0] for name in ("Ana", "Ben", "Cy")]


@pytest.fixture
def control(store: Store, clock: FakeClock) -> PacingControl:
    made = PacingControl(store, clock=clock, seed=7)
    made.form_groups(3)
    made.protocol.value = "warm-cool-feedback"
    return made


def runner(store: Store, person: Participant, clock: FakeClock) -> ProtocolRunner:
    return ProtocolRunner(store, person, clock=clock, schedule=FakeScheduler())


def presenter_of(store: Store) -> str:
    (run,) = store.runs()
    (roles,) = run.roles.values()
    return next(p for p, r in roles.items() if r == "presenter")


def test_in_three_rounds_each_member_of_the_triad_presents_once(
    store: Store, trio: list[Participant], control: PacingControl, clock: FakeClock
) -> None:
    assert control.rounds.value == 3  # suggested: one round per member
    run = control.start("warm-cool-feedback")
    assert run is not None
    assert "3 rounds" in control.message.value
    pages = {p.id: runner(store, p, clock) for p in trio}
    names = {p.id: p.display_name for p in trio}
    presenters = []
    per_round = len(WARM_COOL.steps)
    for round_ in range(3):
        presenter = presenter_of(store)
        presenters.append(presenter)
        for pid, page in pages.items():
            page.refresh()
            heading = page.heading.value
            assert f"Round {round_ + 1} of 3" in heading
            said = "you present" if pid == presenter else f"{names[presenter]} presents"
            assert said in heading
        assert f"Round {round_ + 1} of 3" in control.status.value
        for _ in range(per_round):
            clock.now += 60
            control.next()
    assert sorted(presenters) == sorted(p.id for p in trio)
    (ended,) = store.runs()
    assert ended.state.status == pacing.ENDED
    assert sorted(ended.turns) == [0, 1, 2]


def test_the_presenter_s_goal_is_on_every_page_of_the_group_once_shared(
    store: Store, trio: list[Participant], control: PacingControl, clock: FakeClock
) -> None:
    control.start("warm-cool-feedback")
    presenter_id = presenter_of(store)
    presenter = next(p for p in trio if p.id == presenter_id)
    listener = next(p for p in trio if p.id != presenter_id)
    goal = "Every student explains their thinking aloud once a week"
    store.record(presenter_id, GOAL_FORM, {"goal": goal}, spec_version="goal-setting@1")

    mine, theirs = runner(store, presenter, clock), runner(store, listener, clock)
    assert goal in shown_text(mine.widget)  # the presenter sees their own goal
    assert "Your group cannot see your goal" in shown_text(mine.widget)
    assert goal not in shown_text(theirs.widget)  # private: hidden from the group
    assert "has not shared their goal with the group" in shown_text(theirs.widget)

    mine.work.share_button.click()
    assert store.visibility(presenter_id, GOAL_FORM) == "group"
    assert "Your group cannot see your goal" not in shown_text(mine.widget)
    clock.now += 60
    control.next()  # the next step: every page reads the goal again
    theirs.refresh()
    assert goal in shown_text(theirs.widget)
    assert f"{presenter.display_name}’s goal, as shared with the group" in shown_text(theirs.widget)


def test_feedback_written_in_a_round_reaches_the_presenter_s_list(
    store: Store, trio: list[Participant], control: PacingControl, clock: FakeClock
) -> None:
    control.start("warm-cool-feedback")
    presenter_id = presenter_of(store)
    (roles,) = store.runs()[0].roles.values()
    giver = next(p for p in trio if roles[p.id] == "participant")
    page = runner(store, giver, clock)
    warm = WARM_COOL.step_index("warm")
    for _ in range(warm):
        control.next()
    page.refresh()
    assert page.notes is not None
    assert "goes to the presenter's feedback on their goal" in shown_text(page.widget)
    page.notes.field("warm").value = ["A clear focus on talk", "  ", "Measurable by May"]
    page.notes.save()
    received = store.feedback(viewer=presenter_id, owner_id=presenter_id)
    assert [(f.category, f.text, f.giver, f.form) for f in received] == [
        ("warm", "A clear focus on talk", giver.id, GOAL_FORM),
        ("warm", "Measurable by May", giver.id, GOAL_FORM),
    ]
    assert {f.run for f in received} == {store.runs()[0].id}
    from pdkit.definitions import load_form
    from pdkit.widgets import PeerFeedback

    presenter = next(p for p in trio if p.id == presenter_id)
    listed = PeerFeedback(store, presenter, load_form(GOAL_FORM))
    assert "A clear focus on talk" in shown_text(listed.received_box)  # the peer-feedback page
    page.notes.field("warm").value = ["A clear focus on student talk"]
    page.notes.save()  # editing a note edits its feedback; a removed item goes
    received = store.feedback(viewer=presenter_id, owner_id=presenter_id)
    assert [f.text for f in received] == ["A clear focus on student talk"]
    # The presenter's own notes in a feedback step are not feedback to themselves.
    mine = runner(store, next(p for p in trio if p.id == presenter_id), clock)
    assert mine.notes is not None
    assert "goes to the presenter's feedback" not in shown_text(mine.widget)


def test_a_pair_cannot_start_tuning_and_is_told_what_to_do(store: Store, clock: FakeClock) -> None:
    for name in ("Ana", "Ben"):
        store.create_participant(name)
    control = PacingControl(store, clock=clock)
    control.form_groups(2)
    assert control.start("tuning") is None
    message = shown_text(control.message)
    assert "Tuning protocol needs groups of 3 to 12; Group 1 has 2." in message
    assert WARM_COOL.title in message
    assert store.runs() == []


def test_the_norms_step_can_be_left_out(
    store: Store, trio: list[Participant], clock: FakeClock
) -> None:
    control = PacingControl(store, clock=clock)
    control.form_groups(3)
    run = control.start("tuning", skip_norms=True, rounds_count=1)
    assert run is not None
    assert run.skipped == ("intro",)
    page = runner(store, trio[0], clock)
    assert "Introductions and norms" not in page.outline.value
    assert "Step 1 of 7: The presenter sets the context" in page.heading.value


def test_a_late_joiner_takes_part_from_the_next_round_and_presents(
    store: Store, trio: list[Participant], control: PacingControl, clock: FakeClock
) -> None:
    control.start("warm-cool-feedback", rounds_count=4)
    dee = store.create_participant("Dee")[0]
    store.place_in_group(dee.id)
    late = runner(store, dee, clock)
    assert "No protocol is running for your group" in late.heading.value
    presented = [presenter_of(store)]
    for _ in range(3):
        for _ in range(len(WARM_COOL.steps)):
            control.next()
        presented.append(presenter_of(store))
        late.refresh()
        assert "Round" in late.heading.value
    assert sorted(presented) == sorted([*(p.id for p in trio), dee.id])


def test_the_revision_records_which_feedback_it_answers_for_teacher_and_coach(
    store: Store, trio: list[Participant], control: PacingControl, clock: FakeClock
) -> None:
    from pdkit.app._coach import TeacherView
    from pdkit.widgets import FeedbackToRevision

    control.start("warm-cool-feedback")
    presenter_id = presenter_of(store)
    presenter = next(p for p in trio if p.id == presenter_id)
    (roles,) = store.runs()[0].roles.values()
    giver = next(p for p in trio if roles[p.id] == "participant")
    store.record(presenter_id, GOAL_FORM, {"goal": "Talk more"}, spec_version="goal-setting@1")
    page = runner(store, giver, clock)
    for _ in range(WARM_COOL.step_index("cool")):
        control.next()
    page.refresh()
    assert page.notes is not None
    page.notes.field("cool").value = ["How will you know students talk more?"]
    page.notes.save()

    mine = FeedbackToRevision(store, presenter_id)
    [box] = mine.boxes.values()
    assert not box.value
    assert "How will you know students talk more?" in box.description
    assert giver.display_name in box.description
    store.start_revision(presenter_id, GOAL_FORM)
    store.record(
        presenter_id,
        GOAL_FORM,
        {"goal": "Talk more, counted in weekly exit tickets"},
        spec_version="goal-setting@1",
    )
    box.value = True  # "My revision answers this"
    [answered] = store.feedback_trace(presenter_id, viewer=presenter_id)
    assert answered.answered_at is not None
    assert "Version 2 answers" in mine.html.value
    assert "How will you know students talk more?" in mine.html.value

    # Their coach sees the trace once the goal is shared with them, without the giver.
    coach = store.create_participant("Coach Kim", role="coach")[0]
    store.assign_coach(coach.id, [presenter_id])
    hidden = TeacherView(store, coach, presenter, name=presenter.display_name)
    assert "How will you know" not in shown_text(hidden.widget)
    store.set_visibility(presenter_id, GOAL_FORM, "coach")
    view = TeacherView(store, coach, presenter, name=presenter.display_name)
    shown = shown_text(view.widget)
    assert "Version 2 answers" in shown
    assert "How will you know students talk more?" in shown
    assert giver.display_name not in shown
    [seen] = store.feedback_trace(presenter_id, viewer=coach.id)
    assert seen.giver == ""
    box.value = False  # no longer: the trace forgets it
    assert store.feedback_trace(presenter_id, viewer=presenter_id) == []


def test_the_after_session_page_shows_how_each_run_went_and_no_notes(
    store: Store,
    trio: list[Participant],
    control: PacingControl,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from pdkit.widgets._fidelity import FidelityReport

    monkeypatch.setattr(store, "_clock", clock)  # the store logs changes at the same time

    report = FidelityReport(store, clock=clock)
    assert "No protocol has run in this session yet." in shown_text(report.widget)
    # Without the norms step: the report's first row is the first round's sharing.
    control.start("warm-cool-feedback", rounds_count=2, skip_norms=True)
    presenter_id = presenter_of(store)
    page = runner(store, next(p for p in trio if p.id == presenter_id), clock)
    assert page.notes is not None
    page.notes.field("feedback_wanted").value = "A secret wish"
    page.notes.save()
    clock.now += 150
    control.extend(60)
    clock.now += 60
    control.next()
    clock.now += 30
    control.end()
    report.refresh()
    shown = shown_text(report.widget)
    assert "Warm and cool feedback on a goal" in shown
    assert "2 rounds" in shown
    assert "secret" not in shown
    first = report.html.value.split("<tbody>")[1].split("</tr>")[0]
    # round 1, share: 3 minutes planned, 3.5 run, 1 added, entered once, 1 wrote notes
    assert first.startswith("<tr><td>1</td>")
    assert "<td>3</td><td>3.5</td><td>1</td><td>0</td><td>1</td><td>done</td><td>1</td>" in first
    assert "not reached" in report.html.value


def test_someone_who_leaves_is_passed_over_and_nobody_loses_a_turn(
    store: Store, trio: list[Participant], control: PacingControl, clock: FakeClock
) -> None:
    control.start("warm-cool-feedback")
    first = presenter_of(store)
    (run,) = store.runs()
    (group_id,) = run.roles
    order = list(run.roles[group_id])
    leaving = order[1]  # next in turn
    control.leaver.value = leaving
    control.leave_button.click()
    assert "has left Group 1" in shown_text(control.message)
    assert leaving not in store.groups()[0].members
    for _ in range(len(WARM_COOL.steps)):
        control.next()
    (moved,) = store.runs()
    assert leaving not in moved.roles[group_id]
    second = presenter_of(store)
    assert second not in (first, leaving)
    page = runner(store, next(p for p in trio if p.id == leaving), clock)
    assert "a round you are not part of" in page.heading.value
    control.left("")
    assert "Choose who has left." in shown_text(control.message)


def test_a_protocol_where_nobody_presents_runs_one_round_whatever_the_box_says(
    store: Store, trio: list[Participant], control: PacingControl
) -> None:
    control.rounds.value = 3  # left from a protocol with a presenter
    run = control.start("chalk-talk")
    assert run is not None
    assert run.rounds == 1
