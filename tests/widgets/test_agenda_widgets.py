"""Headless tests of the agenda: the facilitator's control moves the room, two tabs
cannot both move it, and a teacher's day page follows the room, opens earlier parts
again and never loses what was typed. Polling is ``check()`` / ``refresh()`` by hand."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pdkit.app import Workbook
from pdkit.app._agenda import DayPart
from pdkit.definitions import AgendaDefinition, load_workbook
from pdkit.store import Store, open_store
from pdkit.testing import page_loaded, shown_text
from pdkit.widgets import FormView, ProtocolRunner
from pdkit.widgets._agenda import AgendaControl

DAY = load_workbook("day")
assert isinstance(DAY, AgendaDefinition)
PAGE = "http://h/voila/render/day.ipynb"


@pytest.fixture
def store() -> Iterator[Store]:
    opened = open_store("memory://")
    yield opened
    opened.close()


def day_page(store: Store, name: str) -> tuple[Workbook, DayPart]:
    workbook = Workbook("day", store=store)
    assert workbook.error is None, workbook.error
    assert workbook.app is not None
    page_loaded(workbook.app.sign_in.browser, page_url=PAGE)  # type: ignore[union-attr]
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


def test_a_teacher_follows_the_room_and_goes_back_without_losing_typing(store: Store) -> None:
    control = AgendaControl(store, DAY)
    _workbook, ana = day_page(store, "Ana")
    _other, ben = day_page(store, "Ben")
    assert ana.shown == 0
    assert "Part 1 of 5: Set your goal" in ana.where.value
    assert [b.disabled for b in ana.buttons] == [False, True, True, True, True]
    assert "(coming)" in ana.buttons[1].description
    goal_form(ana).field("goal").value = "Ask one open question per lesson"  # typed, unsaved

    control.next_button.click()
    ana.check()
    ben.check()
    assert (ana.shown, ben.shown) == (1, 1)  # both pages followed the room
    assert isinstance(getattr(ana.parts[1], "runner", None), ProtocolRunner)
    assert "Part 2 of 5: Protocol rounds" in ana.where.value
    assert ana.participant is not None
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
    assert "session evaluation form comes with a later version" in shown_text(ana.widget)
    assert [b.disabled for b in ana.buttons] == [False] * 5


def test_a_teacher_who_opens_the_page_late_lands_on_the_rooms_part(store: Store) -> None:
    store.set_agenda_part("default", "day", 3, expected_version=0)
    _workbook, cleo = day_page(store, "Cleo")
    assert cleo.shown == 3
    assert "Part 4 of 5: Reflect on the day" in cleo.where.value
