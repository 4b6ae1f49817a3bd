"""Headless tests of the agenda: the facilitator's control moves the room, two tabs
cannot both move it, and a teacher's day page follows the room, opens earlier parts
again and never loses what was typed. Polling is ``check()`` / ``refresh()`` by hand."""

from __future__ import annotations

from collections.abc import Iterator
from html import escape

import pytest

from pdkit import pacing
from pdkit.app import FACILITATOR_KEY_ENV, FacilitatorApp, Workbook
from pdkit.app._agenda import DayPart
from pdkit.app._facilitator import RoomApp
from pdkit.definitions import AgendaDefinition, load_protocol, load_workbook
from pdkit.store import Participant, Run, Store, open_store
from pdkit.testing import FakeClock, FakeScheduler, descendants, page_loaded, shown_text
from pdkit.widgets import FormView, ProtocolRunner
from pdkit.widgets._agenda import AgendaControl
from pdkit.widgets._room import RoomDisplay

DAY = load_workbook("day")
assert isinstance(DAY, AgendaDefinition)
PAGE = "http://h/voila/render/day.ipynb"
TUNING = load_protocol("tuning")
T0 = 1000.0


@pytest.fixture
def store() -> Iterator[Store]:
    opened = open_store("memory://")
    yield opened
    opened.close()


def day_page(store: Store, name: str, query: str = "") -> tuple[Workbook, DayPart]:
    workbook = Workbook("day", store=store)
    assert workbook.error is None, workbook.error
    assert workbook.app is not None
    page_loaded(workbook.app.sign_in.browser, page_url=PAGE + query)  # type: ignore[union-attr]
    workbook.app.sign_in.join(name)  # type: ignore[union-attr]
    [day] = workbook.app.parts  # type: ignore[union-attr]
    assert isinstance(day, DayPart)
    return workbook, day


def goal_form(day: DayPart) -> FormView:
    form = getattr(day.parts[day.shown or 0], "form", None)
    assert isinstance(form, FormView)
    return form


def test_the_facilitator_moves_the_room_part_by_part(store: Store) -> None:
    control = AgendaControl(store, DAY)
    assert "Part 1 of 5" in control.outline.value
    assert control.back_button.disabled
    for index in range(1, 5):
        control.next_button.click()
        assert store.agenda_state("default", "day").part == index
        assert f"Part {index + 1} of 5" in control.outline.value
    assert control.next_button.disabled  # the last part
    assert "25 min" in control.outline.value  # planned minutes of each part
    control.back_button.click()
    assert store.agenda_state("default", "day").part == 3
    assert [e.part for e in store.agenda_events("default", "day")] == [1, 2, 3, 4, 3]


def test_two_tabs_clicking_at_once_move_the_room_once(store: Store) -> None:
    first, second = AgendaControl(store, DAY), AgendaControl(store, DAY)
    first.next_button.click()
    second.next_button.click()  # it still showed part 1: refused, and it shows part 2
    assert store.agenda_state("default", "day").part == 1
    assert "moved from another tab" in second.message.value
    assert "Part 2 of 5" in second.outline.value
    second.next_button.click()  # now it moves on from what it shows
    assert store.agenda_state("default", "day").part == 2
    first.refresh()
    assert "Part 3 of 5" in first.outline.value


def test_a_teacher_follows_the_room_and_goes_back_without_losing_typing(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Autosave waits for a scheduler that never fires by itself: typing stays unsaved
    # until the page saves it (outside a kernel it would otherwise save at once).
    later = FakeScheduler()
    monkeypatch.setitem(FormView.__init__.__kwdefaults__, "schedule", later)
    control = AgendaControl(store, DAY)
    _workbook, ana = day_page(store, "Ana")
    _other, ben = day_page(store, "Ben")
    assert ana.shown == 0
    assert "Part 1 of 5: Set your goal" in ana.where.value
    assert [b.disabled for b in ana.buttons] == [False, True, True, True, True]
    assert "(coming)" in ana.buttons[1].description
    goal_form(ana).field("goal").value = "Ask one open question per lesson"  # typed, unsaved
    assert ana.participant is not None
    assert store.latest(ana.participant.id, "goal-setting", viewer=ana.participant.id) == {}
    assert later.pending  # the autosave is still waiting

    control.next_button.click()
    ana.check()
    ben.check()
    assert (ana.shown, ben.shown) == (1, 1)  # both pages followed the room
    assert isinstance(getattr(ana.parts[1], "runner", None), ProtocolRunner)
    assert "Part 2 of 5: Protocol rounds" in ana.where.value
    saved = store.latest(ana.participant.id, "goal-setting", viewer=ana.participant.id)
    assert saved["goal"] == "Ask one open question per lesson"  # kept on the way out

    ana.buttons[0].click()  # back to the goal: the answer is there
    assert ana.shown == 0
    assert goal_form(ana).field("goal").value == "Ask one open question per lesson"
    assert "You are looking back" in ana.where.value
    assert ana.to_room.layout.display is None
    ana.buttons[3].click()  # a later part is not open yet
    assert ana.shown == 0
    ana.to_room.click()
    assert ana.shown == 1

    control.next_button.click()  # revise: the goal again, with the feedback on it
    ana.check()
    assert ana.shown == 2
    text = shown_text(ana.widget)
    assert "Ask one open question per lesson" in text
    assert "Revise your goal" in text
    control.next_button.click()
    control.next_button.click()
    ana.check()
    assert ana.shown == 4
    text = shown_text(ana.widget)  # the session evaluation (it was a placeholder before)
    assert "How did today go?" in text
    assert "Send my answers" in text
    assert [b.disabled for b in ana.buttons] == [False] * 5


def test_a_teacher_who_opens_the_page_late_lands_on_the_rooms_part(store: Store) -> None:
    store.set_agenda_part("default", "day", 3, expected_version=0)
    _workbook, cleo = day_page(store, "Cleo")
    assert cleo.shown == 3
    assert "Part 4 of 5: Reflect on the day" in cleo.where.value


@pytest.mark.parametrize("language", ["es", "fr"])
def test_the_agenda_page_in_the_links_language(store: Store, language: str) -> None:
    """The parts' titles and intros (the agenda's own words) in the page's language."""
    there = load_workbook("day", language=language)
    assert isinstance(there, AgendaDefinition)
    assert there.parts[0].title != DAY.parts[0].title
    _workbook, ana = day_page(store, "Ana", f"?lang={language}")
    said = ana.where.value + " ".join(b.description for b in ana.buttons)
    assert escape(there.parts[0].title) in said
    assert all(f"{i + 1}. {p.title}" in said for i, p in enumerate(there.parts))
    assert DAY.parts[0].title not in said
    english = day_page(store, "Ben")[1]
    assert f"1. {DAY.parts[0].title}" in english.buttons[0].description


# --------------------------------------------------------------------------- facilitator, room


def test_the_facilitator_page_has_the_agenda_control(store: Store) -> None:
    app = FacilitatorApp(store=store, key="k")
    page_loaded(app.browser, page_url="http://h/voila/render/facilitator.ipynb?key=k")
    assert app.dashboard is not None
    assert isinstance(app.dashboard.agenda, AgendaControl)
    assert app.dashboard.agenda.widget in descendants(app.body)
    app.dashboard.agenda.next_button.click()
    assert store.agenda_state("default", "day").part == 1


def run_for_two_groups(store: Store, clock: FakeClock) -> tuple[Run, list[Participant]]:
    people = [store.create_participant(n)[0] for n in ("Ana", "Ben", "Cleo", "Dev", "Eli")]
    groups = store.set_groups("default", [[p.id for p in people[:3]], [p.id for p in people[3:]]])
    roles = {g.id: TUNING.assign_roles(list(g.members)) for g in groups}
    run = store.start_run(
        "default", "tuning", TUNING.spec_version, roles, pacing.start(TUNING, clock())
    )
    return run, people


def test_the_room_display_shows_part_step_countdown_speakers_and_counts_only(
    store: Store,
) -> None:
    clock = FakeClock(T0, step=0)
    room = RoomDisplay(store, clock=clock)
    assert "No protocol is running yet" in room.run_html.value
    assert room.agenda_html.value == ""  # no agenda given, none moved
    run, people = run_for_two_groups(store, clock)
    secret = "My students in 4B struggle with fractions"
    store.record(people[0].id, "goal-setting", {"goal": secret}, spec_version="goal-setting@1")
    store.set_visibility(people[0].id, "goal-setting", "session")
    step = TUNING.steps[0]
    store.record_notes(run.id, step.id, people[1].id, {"n": "a note nobody on the wall reads"})
    store.set_agenda_part("default", "day", 1, expected_version=0)
    room.refresh()
    assert "Part 2 of 5" in room.agenda_html.value
    assert "Protocol rounds" in room.agenda_html.value
    assert "Next: Revise your goal" in room.agenda_html.value
    assert f"Step 1 of {len(TUNING.steps)}" in room.run_html.value
    assert escape(step.title) in room.run_html.value
    assert room.countdown.remaining == step.seconds
    assert room.countdown.running
    speakers = [TUNING.role(r).label for r in step.speaking if r != "all"] or ["everyone"]
    assert all(escape(label) in room.who.value for label in speakers)
    assert "Group 1: 3 people · 1 wrote notes in this step" in room.groups.value
    assert "Group 2: 2 people · 0 wrote notes in this step" in room.groups.value
    text = shown_text(room.widget)
    for person in people:
        assert person.display_name not in text
    assert secret not in text
    assert "nobody on the wall" not in text

    # it follows: the next step, and the next part of the day
    latest = store.get_run(run.id)
    assert latest is not None
    store.update_run(
        run.id, pacing.next_step(TUNING, latest.state, clock()), expected_version=latest.version
    )
    store.set_agenda_part("default", "day", 2, expected_version=1)
    room.refresh()
    assert f"Step 2 of {len(TUNING.steps)}" in room.run_html.value
    assert "Revise your goal" in room.agenda_html.value
    assert "Group 1: 3 people · 0 wrote notes in this step" in room.groups.value


def test_the_room_page_opens_with_the_facilitators_key_only(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(FACILITATOR_KEY_ENV, "k")
    room = Workbook("room", store=store)
    room_app = room.app
    assert isinstance(room_app, RoomApp)
    page_loaded(room_app.browser, page_url="http://h/voila/render/room.ipynb?key=wrong")
    assert room_app.room is None
    assert "This page is for the facilitator" in shown_text(room_app.body)


def test_the_room_page_opens_with_the_right_key(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(FACILITATOR_KEY_ENV, "k")
    room = Workbook("room", store=store)
    assert isinstance(room.app, RoomApp)
    assert room.app.room is None  # waiting for the page's address
    page_loaded(room.app.browser, page_url="http://h/voila/render/room.ipynb?key=k")
    assert isinstance(room.app.room, RoomDisplay)
    assert room.app.room.widget in descendants(room.app.body)
    # before the facilitator moves the day on, the wall shows its first part
    assert "Part 1 of 5" in room.app.room.agenda_html.value
    assert "Set your goal" in room.app.room.agenda_html.value
    assert "pdkit-room-page" in room.app.widget._dom_classes
