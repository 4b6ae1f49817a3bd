"""Measured goals on pages (#16 item 1): the goal form's measure (numbers typed, hints
for half a measure), the check-in's value named after the goal's measure, and A → now → B
on "My goal" and on the coach's page of a teacher, on every store backend."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import ipywidgets as w
import pytest
from tests._stores import BACKENDS

from pdkit._clock import CLOCK_OFFSET_ENV, today
from pdkit.app import CoachApp, MyGoalPage, Workbook
from pdkit.definitions import load_form
from pdkit.definitions.ids import CHECKIN_FORM, GOAL_FORM, MEASURE_VALUE_FIELD
from pdkit.links import COACH_PURPOSE
from pdkit.store import Store
from pdkit.testing import FakeScheduler, page_loaded, shown_text
from pdkit.widgets import FormView
from pdkit.widgets._measure import checkin_for_goal

MEASURED = {
    "goal": "By March, 80% of my students reach the exit ticket's goal",
    "measure_instrument": "Weekly exit ticket",
    "measure_unit": "percent",
    "baseline": 40.0,
    "target": 80.0,
}


@pytest.fixture(autouse=True)
def _close_widgets() -> Iterator[None]:
    yield
    w.Widget.close_all()


@pytest.fixture(autouse=True)
def _no_hub(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    monkeypatch.delenv("PDKIT_SCHOOL_GOALS", raising=False)
    monkeypatch.delenv(CLOCK_OFFSET_ENV, raising=False)


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest) -> Iterator[Store]:
    opened: Store = request.param(request)
    yield opened
    opened.close()


def my_goal(store: Store, token: str) -> MyGoalPage:
    workbook = Workbook("my-goal", store=store)
    assert workbook.error is None
    app = workbook.app
    page_loaded(
        app.sign_in.browser,  # type: ignore[union-attr]
        page_url="http://h/voila/render/my-goal.ipynb",
        url_token=token,
    )
    page = app.parts[0].page  # type: ignore[union-attr]
    assert page is not None
    return page  # type: ignore[no-any-return]


def check_in(store: Store, token: str, value: str) -> None:
    """One check-in from "My goal", as a teacher makes it: open, type the value, save."""
    page = my_goal(store, token)
    page.checkin_button.click()
    assert page.checkin is not None
    page.checkin.field("progress").value = 3
    page.checkin.field(MEASURE_VALUE_FIELD).input.value = value
    page.checkin.save()
    page.close()
    saved = store.latest(page.pid, CHECKIN_FORM, viewer=page.pid)
    assert saved[MEASURE_VALUE_FIELD] == float(value)


def test_the_goal_form_takes_a_measure_and_refuses_what_is_not_a_number(store: Store) -> None:
    ana, _ = store.create_participant("Ana")
    scheduler = FakeScheduler()
    form = FormView(load_form(GOAL_FORM), store=store, participant_id=ana.id, schedule=scheduler)
    form.field("measure_instrument").value = "Weekly exit ticket"
    form.field("measure_unit").value = "percent"
    baseline = form.field("baseline")
    baseline.input.value = "40"
    assert form.measure_hint is not None
    assert "point B" in form.measure_hint.value  # half a measure: a hint …
    assert form.save() == 3  # … not a refusal
    assert store.latest(ana.id, GOAL_FORM, viewer=ana.id)["baseline"] == 40.0

    baseline.input.value = "1e999"
    assert "digits only" in baseline.notice.value
    assert 'role="alert"' in baseline.notice.value
    assert baseline.value == 40.0  # the answer stays as it was: nothing saved is lost
    assert form.unsaved() == {}
    assert baseline.kept_texts() == {"": "1e999"}  # what was typed stays on the page
    baseline.input.value = "45,5"
    assert baseline.notice.value == ""
    form.field("target").input.value = "80"
    assert form.measure_hint.value == ""
    form.save()
    saved = store.latest(ana.id, GOAL_FORM, viewer=ana.id)
    assert (saved["baseline"], saved["target"]) == (45.5, 80.0)
    assert isinstance(saved["target"], float)

    again = FormView(load_form(GOAL_FORM), store=store, participant_id=ana.id)
    assert again.field("baseline").input.value == "45.5"
    assert again.restore_problems == []


def test_the_check_in_names_the_goal_measure_or_leaves_it_out() -> None:
    checkin = load_form(CHECKIN_FORM)
    measured = checkin_for_goal(checkin, MEASURED)
    assert measured.field(MEASURE_VALUE_FIELD).label == "Weekly exit ticket, now (%)"
    in_words = checkin_for_goal(checkin, {"goal": "More talk", "point_b": "most"})
    assert MEASURE_VALUE_FIELD not in [f.id for f in in_words.fields]
    assert [f.id for f in in_words.fields] == [
        f.id for f in checkin.fields if f.id != MEASURE_VALUE_FIELD
    ]
    spanish = checkin_for_goal(load_form(CHECKIN_FORM, language="es"), MEASURED, "es")
    assert spanish.field(MEASURE_VALUE_FIELD).label == "Weekly exit ticket, ahora (%)"


def test_two_check_ins_draw_a_now_and_b_on_my_goal(store: Store) -> None:
    ana, token = store.create_participant("Ana")
    store.record(
        ana.id,
        GOAL_FORM,
        {**MEASURED, "target_date": (today() + timedelta(days=60)).isoformat()},
        spec_version="goal-setting@1",
    )
    check_in(store, token, "50")
    check_in(store, token, "62")

    page = my_goal(store, token)
    assert page.checkin is not None
    label = page.checkin.definition.field(MEASURE_VALUE_FIELD).label
    assert label == "Weekly exit ticket, now (%)"
    shown = page.measure.widget.value
    assert [p.value for p in page.measure.points] == [50.0, 62.0]
    assert "From 40% to 62% so far; target 80% by " in shown
    assert "55% of the way from A to B" in shown
    assert "<svg" in shown
    assert "Point B&#58; 80%" in shown
    assert "Weekly exit ticket" in shown_text(page.widget)
    assert f'href="http://h/voila/render/class-data.ipynb?pdkit={token}"' in shown

    events = store.history(ana.id, CHECKIN_FORM, viewer=ana.id)
    assert [e.value for e in events if e.field == MEASURE_VALUE_FIELD] == [50.0, 62.0]


def test_a_goal_in_words_shows_no_measure_and_no_value_prompt(store: Store) -> None:
    ana, token = store.create_participant("Ana")
    store.record(ana.id, GOAL_FORM, {"goal": "More talk"}, spec_version="goal-setting@1")
    page = my_goal(store, token)
    assert page.measure.widget.value == ""
    assert page.checkin is not None
    assert MEASURE_VALUE_FIELD not in page.checkin.controls
    page.checkin_button.click()
    page.checkin.field("progress").value = 2
    page.checkin.save()
    assert store.latest(ana.id, CHECKIN_FORM, viewer=ana.id) == {"progress": 2}


def test_the_coach_sees_only_what_is_shared_with_them(store: Store) -> None:
    ana, token = store.create_participant("Ana")
    kim, _ = store.create_participant("Kim", role="coach")
    store.assign_coach(kim.id, [ana.id])
    store.record(ana.id, GOAL_FORM, MEASURED, spec_version="goal-setting@1")
    check_in(store, token, "62")

    def teacher_view() -> str:
        workbook = Workbook("coach", store=store)
        app = workbook.app
        assert isinstance(app, CoachApp)
        page_loaded(
            app.browser,
            page_url="http://h/voila/render/coach.ipynb",
            url_token=store.issue_link(kim.id, COACH_PURPOSE),
        )
        view = app.open(ana.id)
        return "" if view is None else str(view.measure.widget.value)

    assert "40%" not in teacher_view()  # a private goal: nothing of it
    store.set_visibility(ana.id, GOAL_FORM, "coach")
    shown = teacher_view()
    assert "Point A 40%; target 80%" in shown  # the goal, but not the private check-ins
    assert "62%" not in shown
    store.set_visibility(ana.id, CHECKIN_FORM, "coach")
    shown = teacher_view()
    assert "From 40% to 62% so far" in shown
    assert "Add point" not in shown  # hints are for the teacher
