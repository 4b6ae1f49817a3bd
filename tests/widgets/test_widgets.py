"""Headless widget tests: forms, autosave, limits, restore, sign-in and the app.

ipywidgets 8 builds and updates widgets without a kernel. Browser edits are
simulated with ``widget.set_state({...})``, which is what a comm message from the
page does. Autosave runs through an injected fake scheduler, so no test sleeps.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Callable, Iterator, Mapping
from contextlib import closing
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any

import ipywidgets as w
import pytest

import pdkit
from pdkit import StoreError
from pdkit.app import FormApp, form_app
from pdkit.definitions import FIELD_TYPES, Field, FormDefinition, Option, SchoolGoal
from pdkit.store import JSONValue, Participant, Store, open_store
from pdkit.testing import FakeScheduler, descendants, page_loaded, shown_text
from pdkit.widgets import (
    CONTROL_BUILDERS,
    BrowserIdentity,
    FieldControl,
    FormView,
    SignIn,
    build_control,
)

PAGE = "http://h/voila/render/goal-setting.ipynb"

SCHOOL_GOALS = [
    Option(value="reading", label="Every student reads for pleasure"),
    Option(value="talk", label="More student talk in maths"),
]

ANSWERS: dict[str, JSONValue] = {
    "school_goal": "talk",
    "goal": "By March, 8 of my 10 students will ask a question in every maths lesson.",
    "focus": "More student questions",
    "point_a": "Two or three students ask questions; the rest wait.",
    "point_b": "Most students ask at least one question a lesson.",
    "target_date": "2026-03-31",
    "confidence": 3,
    "evidence": ["student_work", "survey"],
    "action_steps": ["Plan question stems", "Try think-pair-share"],
    "measure_instrument": "Weekly exit ticket",
    "measure_unit": "percent",
    "baseline": 40.0,
    "target": 80.0,
}
"""A full answer to goal-setting: one value of every field type."""


# --------------------------------------------------------------------------- helpers


class FlakyStore:
    """A store whose writes fail while ``failing`` is set (reads still work)."""

    def __init__(self, inner: Store) -> None:
        self.inner = inner
        self.failing = False
        self.attempts = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def record(self, *args: Any, **kwargs: Any) -> Any:
        self.attempts += 1
        if self.failing:
            raise StoreError("the store sqlite:///x cannot be written: disk I/O error")
        return self.inner.record(*args, **kwargs)


class CountingStore:
    """Counts the participants created through it."""

    def __init__(self, inner: Store) -> None:
        self.inner = inner
        self.created: list[Participant] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def create_participant(self, *args: Any, **kwargs: Any) -> Any:
        participant, token = self.inner.create_participant(*args, **kwargs)
        self.created.append(participant)
        return participant, token


def field_box(view: FormView, field_id: str) -> w.Box:
    """The box that lays out one field (input, help, notice, hints)."""
    control = view.field(field_id)
    (box,) = [
        b
        for b in descendants(view.widget)
        if isinstance(b, w.Box) and "pdkit-field" in b._dom_classes and control.widget in b.children
    ]
    return box


def hints_html(view: FormView, field_id: str) -> str:
    """The suggestions shown under a field, as laid out in the form."""
    control = view.field(field_id)
    shown = [
        c.value
        for c in field_box(view, field_id).children
        if isinstance(c, w.HTML) and c is not control.notice and "pdkit-help" not in c.value
    ]
    assert len(shown) == 1
    return str(shown[0])


def shows_join(sign_in: SignIn) -> bool:
    """The join step is in the page and not held back (made ahead, it waits hidden until
    the kernel or the browser's script says it is a newcomer's page)."""
    shown = descendants(sign_in.body)
    ahead = "pdkit-ahead" in sign_in.join_step._dom_classes
    return sign_in.name_input in shown and sign_in.join_button in shown and not ahead


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(autouse=True)
def _close_widgets() -> Iterator[None]:
    yield
    w.Widget.close_all()


@pytest.fixture(autouse=True)
def _no_hub(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    monkeypatch.delenv("PDKIT_SCHOOL_GOALS", raising=False)
    monkeypatch.delenv("PDKIT_STORE", raising=False)


@pytest.fixture
def definition() -> FormDefinition:
    return pdkit.load_definition("goal-setting").with_options({"school_goals": SCHOOL_GOALS})


@pytest.fixture
def store() -> Iterator[Store]:
    opened = open_store("memory://")
    yield opened
    opened.close()


@pytest.fixture
def participant(store: Store) -> Participant:
    return store.create_participant("Ana")[0]


@pytest.fixture
def scheduler() -> FakeScheduler:
    return FakeScheduler()


@pytest.fixture
def make_view(
    definition: FormDefinition, store: Store, participant: Participant, scheduler: FakeScheduler
) -> Callable[..., FormView]:
    def make(**options: Any) -> FormView:
        options.setdefault("store", store)
        options.setdefault("schedule", scheduler)
        options.setdefault("participant_id", participant.id)
        return FormView(definition, **options)

    return make


@pytest.fixture
def view(make_view: Callable[..., FormView]) -> FormView:
    return make_view()


def latest(view: FormView) -> Mapping[str, JSONValue]:
    return view.store.latest(view.participant_id, view.definition.id, viewer=view.participant_id)


def history_len(view: FormView) -> int:
    return len(
        view.store.history(view.participant_id, view.definition.id, viewer=view.participant_id)
    )


def fill(view: FormView, answers: Mapping[str, JSONValue]) -> None:
    for field_id, value in answers.items():
        view.field(field_id).value = value


# --------------------------------------------------------------------------- controls


def test_control_builders_cover_every_field_type() -> None:
    assert set(CONTROL_BUILDERS) == set(FIELD_TYPES)


@pytest.mark.parametrize("field_type", FIELD_TYPES)
def test_every_control_builds_and_answers_json(field_type: str) -> None:
    with_options = field_type in ("choice", "multi_choice", "scale")
    options = (Option(1, "One"), Option(2, "Two")) if with_options else ()
    control = build_control(Field(id="f", type=field_type, label="F", options=options))
    assert isinstance(control, FieldControl)
    assert isinstance(control.widget, w.Widget)
    assert control.value in (None, "", [])
    assert json.loads(json.dumps(control.value)) == control.value


def test_unknown_field_type_has_no_control() -> None:
    with pytest.raises(KeyError):
        build_control(Field(id="f", type="slider", label="F"))


# --------------------------------------------------------------------------- saving


def test_fill_every_field_type_and_save(view: FormView) -> None:
    assert {f.type for f in view.definition.fields} == set(FIELD_TYPES)
    fill(view, ANSWERS)
    assert view.values() == ANSWERS
    assert latest(view) == {}

    view.save_button.click()

    saved = latest(view)
    assert saved == ANSWERS
    assert json.loads(json.dumps(saved)) == ANSWERS
    assert type(saved["confidence"]) is int
    assert view.field("target_date").input.value == dt.date(2026, 3, 31)
    assert "Saved at" in view.status.value
    assert view.unsaved() == {}
    assert view.last_error is None
    events = view.store.history(view.participant_id, view.definition.id, viewer=view.participant_id)
    assert {e.spec_version for e in events} == {view.definition.spec_version}


def test_multi_choice_keeps_option_order(view: FormView) -> None:
    view.field("evidence").value = ["survey", "student_work"]
    assert view.field("evidence").value == ["student_work", "survey"]
    with pytest.raises(ValueError, match="not options"):
        view.field("evidence").value = ["homework"]


def test_browser_edits_of_every_kind_reach_the_answer(view: FormView) -> None:
    view.field("school_goal").input.set_state({"index": 1})
    view.field("goal").input.set_state({"value": "Students talk"})
    view.field("target_date").input.set_state({"value": {"year": 2026, "month": 2, "date": 31}})
    view.field("confidence").input.set_state({"index": 3})
    view.field("evidence").boxes["video"].set_state({"value": True})
    view.field("action_steps").rows[0].input.set_state({"value": "  Plan stems  "})
    assert view.unsaved() == {
        "school_goal": "talk",
        "goal": "Students talk",
        "target_date": "2026-03-31",
        "confidence": 4,
        "evidence": ["video"],
        "action_steps": ["Plan stems"],
    }


def test_autosave_after_browser_edits(view: FormView, scheduler: FakeScheduler) -> None:
    goal = view.field("goal").input
    assert scheduler.calls == []

    goal.set_state({"value": "More"})
    assert len(scheduler.calls) == 1
    (pending,) = scheduler.pending
    assert 0 < pending.delay <= 1.0
    assert "Saving" in view.status.value
    assert history_len(view) == 0  # nothing written before the timer fires

    goal.set_state({"value": "More questions"})
    goal.set_state({"value": "More questions from students"})
    view.field("focus").input.set_state({"value": "Questions"})
    assert len(scheduler.calls) == 1  # a burst schedules one save

    scheduler.fire()
    assert latest(view) == {"goal": "More questions from students", "focus": "Questions"}
    assert history_len(view) == 2
    assert "Saved at" in view.status.value

    goal.set_state({"value": "More questions from all students"})
    assert len(scheduler.calls) == 2
    assert len(scheduler.pending) == 1
    scheduler.fire()
    assert latest(view)["goal"] == "More questions from all students"


def test_save_button_cancels_the_pending_autosave(view: FormView, scheduler: FakeScheduler) -> None:
    view.field("goal").input.set_state({"value": "A goal"})
    (handle,) = scheduler.calls
    view.save_button.click()
    assert handle.cancelled
    assert latest(view) == {"goal": "A goal"}
    view.field("goal").input.set_state({"value": "A better goal"})
    assert len(scheduler.pending) == 1  # the next change schedules again


def test_changes_waiting_for_their_autosave_are_saved_when_the_kernel_exits(
    view: FormView, scheduler: FakeScheduler, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A closed page stops its kernel at once (pdkit serve): what was typed in the last
    second, still waiting for its autosave, is saved on the way out (atexit)."""
    import weakref

    from pdkit.widgets import _form

    monkeypatch.setattr(_form, "_WAITING", weakref.WeakSet())  # this test's forms only
    view.field("goal").input.set_state({"value": "Typed just before closing"})
    assert len(scheduler.pending) == 1
    assert history_len(view) == 0
    assert _form.save_waiting() == 1
    assert latest(view) == {"goal": "Typed just before closing"}
    assert scheduler.pending == []  # the timer is cancelled: nothing is written twice
    assert _form.save_waiting() == 0
    view.field("goal").input.set_state({"value": "Typed, then saved by the timer"})
    scheduler.fire()
    assert _form.save_waiting() == 0
    assert history_len(view) == 2


def test_change_back_to_saved_value_schedules_nothing(
    view: FormView, scheduler: FakeScheduler
) -> None:
    view.field("goal").value = "Saved"
    view.save()
    calls = len(scheduler.calls)
    view.field("focus").value = ""  # same as before
    view.field("goal").value = "Saved"
    assert len(scheduler.calls) == calls


def test_only_changed_fields_are_written(view: FormView) -> None:
    fill(view, {"goal": "One", "focus": "Two", "confidence": 2})
    assert view.save() == 3
    assert history_len(view) == 3

    view.field("focus").value = "Two, better"
    assert view.unsaved() == {"focus": "Two, better"}
    assert view.save() == 1
    assert history_len(view) == 4
    assert [
        e.field
        for e in view.store.history(
            view.participant_id, view.definition.id, viewer=view.participant_id
        )
    ][-1] == ("focus")

    assert view.save() == 0  # no change: nothing written
    view.save_button.click()
    assert history_len(view) == 4
    assert "Saved at" in view.status.value

    view.field("goal").value = "One"  # set to what the store holds
    assert view.save() == 0
    assert history_len(view) == 4


def test_rebuilt_view_restores_every_value(
    make_view: Callable[..., FormView], store: Store, participant: Participant
) -> None:
    first = make_view()
    fill(first, ANSWERS)
    first.save()
    events = history_len(first)

    scheduler = FakeScheduler()
    again = make_view(schedule=scheduler)
    assert again.values() == ANSWERS
    assert again.unsaved() == {}
    assert again.restore_problems == []
    assert history_len(again) == events  # building writes nothing …
    assert scheduler.calls == []  # … and schedules nothing
    assert again.field("target_date").input.value == dt.date(2026, 3, 31)
    assert [r.input.value for r in again.field("action_steps").rows] == [
        "Plan question stems",
        "Try think-pair-share",
        "",  # one empty row to add to
    ]
    assert again.field("evidence").boxes["survey"].value is True
    assert again.field("evidence").boxes["video"].value is False
    assert again.field("school_goal").input.value == "talk"
    assert again.field("goal").input.value == ANSWERS["goal"]
    assert "Still to answer" not in again.missing.value

    again.save()
    assert history_len(again) == events


def test_views_of_two_participants_are_separate(
    make_view: Callable[..., FormView], store: Store
) -> None:
    ben, _ = store.create_participant("Ben")
    ana_view = make_view()
    ana_view.field("goal").value = "Ana's goal"
    ana_view.save()
    ben_view = make_view(participant_id=ben.id)
    assert ben_view.field("goal").value == ""
    assert store.latest(ben.id, "goal-setting", viewer=ben.id) == {}


# --------------------------------------------------------------------------- limits


def test_goal_is_cut_at_its_character_limit(view: FormView, scheduler: FakeScheduler) -> None:
    limit = view.definition.field("goal").max_chars
    assert limit == 600
    goal = view.field("goal")
    goal.input.set_state({"value": "x" * 700})

    assert goal.input.value == "x" * 600
    assert goal.value == "x" * 600
    assert "600" in goal.notice.value
    assert "limit" in goal.notice.value.lower()
    assert goal.notice in descendants(view.widget)  # shown under the input

    scheduler.fire()
    view.save()
    goal.value = "y" * 650  # a paste through the API is cut as well
    assert goal.value == "y" * 600
    view.save_button.click()
    stored = [
        e.value
        for e in view.store.history(
            view.participant_id, "goal-setting", "goal", viewer=view.participant_id
        )
    ]
    assert stored == ["x" * 600, "y" * 600]
    assert max(len(v) for v in stored) <= 600


def test_counter_under_the_limit(view: FormView) -> None:
    view.field("focus").value = "abc"
    assert "3 / 80" in view.field("focus").notice.value


def test_list_items_are_cut_at_max_chars(view: FormView) -> None:
    steps = view.field("action_steps")
    steps.rows[0].input.set_state({"value": "s" * 250})
    assert steps.value == ["s" * 200]
    assert "200" in steps.rows[0].notice.value
    view.save()
    assert latest(view)["action_steps"] == ["s" * 200]


def test_list_max_items_disables_add(view: FormView) -> None:
    steps = view.field("action_steps")
    assert len(steps.rows) == 1
    assert not steps.add_button.disabled
    for _ in range(4):
        steps.add_button.click()
    assert len(steps.rows) == 5
    assert steps.add_button.disabled
    steps.add_button.click()  # a stale click from the browser
    assert len(steps.rows) == 5
    assert "At most 5" in steps.notice.value
    assert steps.notice in descendants(view.widget)

    with pytest.raises(ValueError, match="at most 5"):
        steps.value = [f"step {i}" for i in range(6)]
    steps.value = [f"step {i}" for i in range(5)]
    assert steps.add_button.disabled
    steps.remove_row(0)
    assert steps.value == [f"step {i}" for i in range(1, 5)]
    assert not steps.add_button.disabled
    assert steps.notice.value == ""


# --------------------------------------------------------------------------- restore problems


def test_restored_value_that_no_longer_fits(
    make_view: Callable[..., FormView], store: Store, participant: Participant
) -> None:
    store.record(
        participant.id,
        "goal-setting",
        {
            "school_goal": "retired-goal",
            "goal": "Still here",
            "confidence": 9,
            "target_date": "not a date",
            "action_steps": "was text once",
            "old_field": "x",
        },
        spec_version="goal-setting@0",
    )
    before = len(store.history(participant.id, "goal-setting", viewer=participant.id))

    view = make_view()

    problems = "\n".join(view.restore_problems)
    for field_id in ("school_goal", "confidence", "target_date", "action_steps"):
        assert field_id in problems
    assert "old_field" not in problems  # a removed field is simply not shown
    assert not any(p.startswith("goal:") for p in view.restore_problems)
    assert view.field("goal").value == "Still here"
    assert view.field("school_goal").value is None
    assert view.field("action_steps").value == []
    assert view.unsaved() == {}
    assert (
        len(store.history(participant.id, "goal-setting", viewer=participant.id)) == before
    )  # nothing rewritten

    view.field("school_goal").value = "reading"
    view.save()
    assert latest(view)["school_goal"] == "reading"


def test_restored_choice_when_the_options_are_gone(store: Store, participant: Participant) -> None:
    store.record(participant.id, "goal-setting", {"school_goal": "reading"}, spec_version="x")
    no_goals = pdkit.load_definition("goal-setting").with_options({})
    view = FormView(no_goals, store=store, participant_id=participant.id, schedule=FakeScheduler())
    assert any(p.startswith("school_goal") for p in view.restore_problems)
    assert "nothing to choose from" in view.field("school_goal").notice.value
    assert view.save() == 0
    assert store.latest(participant.id, "goal-setting", viewer=participant.id) == {
        "school_goal": "reading"
    }


# --------------------------------------------------------------------------- store failures


def test_store_failure_keeps_the_answers(
    make_view: Callable[..., FormView], store: Store, scheduler: FakeScheduler
) -> None:
    flaky = FlakyStore(store)
    view = make_view(store=flaky)
    flaky.failing = True

    view.field("goal").input.set_state({"value": "Do not lose me"})
    view.field("action_steps").value = ["Step one"]
    scheduler.fire()  # the autosave fails …
    assert flaky.attempts == 1
    assert "Not saved" in view.status.value
    assert view.last_error is not None
    assert view.field("goal").value == "Do not lose me"
    assert view.unsaved() == {"goal": "Do not lose me", "action_steps": ["Step one"]}

    view.save_button.click()  # … so does the button while the store is down
    assert "Not saved" in view.status.value
    assert latest(view) == {}

    view.field("focus").value = "Kept"  # a new change tries again later
    assert len(scheduler.pending) == 1

    flaky.failing = False
    view.save_button.click()
    assert "Saved at" in view.status.value
    assert latest(view) == {
        "goal": "Do not lose me",
        "action_steps": ["Step one"],
        "focus": "Kept",
    }
    assert view.unsaved() == {}
    assert view.last_error is None


def test_sqlite_failure_mid_write_shows_not_saved(
    tmp_path: Path, definition: FormDefinition
) -> None:
    path = tmp_path / "s.sqlite3"
    store = open_store(path)
    participant, _ = store.create_participant("Ana")
    with closing(sqlite3.connect(path)) as db:
        db.execute(
            "CREATE TRIGGER boom BEFORE INSERT ON responses WHEN NEW.field = 'focus' "
            "BEGIN SELECT RAISE(ABORT, 'disk on fire'); END"
        )
        db.commit()
    view = FormView(
        definition, store=store, participant_id=participant.id, schedule=FakeScheduler()
    )
    fill(view, {"goal": "A goal", "focus": "Focus"})
    assert view.save() == 0
    assert "Not saved" in view.status.value
    assert (
        store.latest(participant.id, "goal-setting", viewer=participant.id) == {}
    )  # all or nothing
    assert view.unsaved() == {"goal": "A goal", "focus": "Focus"}
    store.close()


# --------------------------------------------------------------------------- guidance


def test_goal_hints(view: FormView) -> None:
    assert hints_html(view, "goal") == ""

    view.field("goal").input.set_state({"value": "My students will ask more questions"})
    shown = hints_html(view, "goal")
    assert "By when?" in shown  # the date suggestion
    assert "Clear and checkable" not in shown

    view.field("goal").input.set_state({"value": ANSWERS["goal"]})
    shown = hints_html(view, "goal")
    assert "Clear and checkable" in shown
    assert "By when?" not in shown

    view.field("goal").input.set_state({"value": "   "})
    assert hints_html(view, "goal") == ""


def test_hints_are_escaped_and_per_field(view: FormView) -> None:
    view.field("point_b").value = "<b>students</b> 80%"
    assert "Clear and checkable" in hints_html(view, "point_b")  # measure and students only
    assert hints_html(view, "goal") == ""


def test_required_fields_listed_until_answered(view: FormView) -> None:
    assert "My goal" in view.missing.value
    assert "Which school goal" in view.missing.value
    view.field("goal").input.set_state({"value": "A goal"})
    assert "My goal" not in view.missing.value
    assert "Which school goal" in view.missing.value
    view.field("school_goal").value = "reading"
    assert view.missing.value == ""
    view.field("goal").input.set_state({"value": ""})
    assert "My goal" in view.missing.value


def test_required_fields_are_labelled(view: FormView) -> None:
    assert "(required)" in view.field("goal").input.description
    assert "(required)" not in view.field("focus").input.description


# --------------------------------------------------------------------------- sign-in


@pytest.fixture
def counting(store: Store) -> CountingStore:
    return CountingStore(store)


@dataclass
class Calls:
    signed_in: list[Participant] = field(default_factory=list)
    signed_out: int = 0

    def sign_in(self, store: Any, browser: BrowserIdentity | None = None, **kw: Any) -> SignIn:
        return SignIn(
            store,
            browser=browser,
            on_signed_in=self.signed_in.append,
            on_signed_out=self._out,
            **kw,
        )

    def _out(self) -> None:
        self.signed_out += 1


def test_join_step_is_shown_after_the_browser_reports(counting: CountingStore) -> None:
    calls = Calls()
    browser = BrowserIdentity()
    sign_in = calls.sign_in(counting, browser)
    assert not shows_join(sign_in)  # still waiting for the page
    # ... with the join step made already, held back for the browser to show at once
    assert sign_in.name_input in descendants(sign_in.body)
    assert "pdkit-ahead" in sign_in.join_step._dom_classes
    page_loaded(browser)
    assert shows_join(sign_in)
    assert sign_in.participant is None
    assert counting.created == []
    assert calls.signed_in == []


def test_join_creates_a_participant(counting: CountingStore) -> None:
    calls = Calls()
    browser = BrowserIdentity()
    sign_in = calls.sign_in(counting, browser)
    page_loaded(browser)

    joined = sign_in.join("  Sam  ")

    assert joined is not None
    assert joined.display_name == "Sam"
    assert counting.created == [joined]
    assert browser.token
    assert sign_in.token == browser.token
    assert counting.participant_for_token(browser.token) == joined
    assert calls.signed_in == [joined]
    assert f"{PAGE}?pdkit={browser.token}" in sign_in.header.value
    assert "Sam" in sign_in.header.value
    assert not shows_join(sign_in)
    assert sign_in.sign_out_button in descendants(sign_in.body)


def test_join_button_uses_the_typed_name(counting: CountingStore) -> None:
    calls = Calls()
    browser = BrowserIdentity()
    sign_in = calls.sign_in(counting, browser)
    page_loaded(browser)
    sign_in.name_input.set_state({"value": "Ana Ruiz"})
    sign_in.join_button.click()
    assert [p.display_name for p in counting.created] == ["Ana Ruiz"]


@pytest.mark.parametrize("name", ["", "   ", "\t\n", "x" * 81])
def test_bad_name_shows_an_error_and_creates_nobody(counting: CountingStore, name: str) -> None:
    calls = Calls()
    browser = BrowserIdentity()
    sign_in = calls.sign_in(counting, browser)
    page_loaded(browser)
    assert sign_in.join(name) is None
    assert "pdkit-error" in sign_in.message.value
    assert "name" in sign_in.message.value
    assert counting.created == []
    assert calls.signed_in == []
    assert browser.token == ""
    assert shows_join(sign_in)
    assert sign_in.message in descendants(sign_in.body)


def test_name_is_escaped_in_the_header(counting: CountingStore) -> None:
    calls = Calls()
    browser = BrowserIdentity()
    sign_in = calls.sign_in(counting, browser)
    page_loaded(browser)
    name = "<img src=x onerror=alert(1)>"
    sign_in.join(name)
    assert escape(name) in sign_in.header.value
    assert "<img" not in sign_in.header.value
    assert counting.created[0].display_name == name  # stored as typed, escaped when shown


def test_stored_token_resumes_without_joining(counting: CountingStore) -> None:
    first = Calls()
    browser = BrowserIdentity()
    joining = first.sign_in(counting, browser)
    page_loaded(browser)
    sam = joining.join("Sam")
    assert sam is not None

    second = Calls()
    reload_browser = BrowserIdentity()
    sign_in = second.sign_in(counting, reload_browser)
    page_loaded(reload_browser, stored_token=browser.token)
    assert second.signed_in == [sam]
    assert sign_in.participant == sam
    assert len(counting.created) == 1
    assert not shows_join(sign_in)
    assert reload_browser.token == browser.token


def test_already_reported_browser_resumes_at_once(counting: CountingStore) -> None:
    sam, token = counting.create_participant("Sam")
    browser = BrowserIdentity()
    page_loaded(browser, url_token=token)
    calls = Calls()
    sign_in = calls.sign_in(counting, browser)
    assert calls.signed_in == [sam]
    assert sign_in.participant == sam


def test_unknown_url_token_says_so_and_offers_join(counting: CountingStore) -> None:
    calls = Calls()
    browser = BrowserIdentity()
    sign_in = calls.sign_in(counting, browser)
    page_loaded(browser, url_token="not-a-real-token")
    assert "not known" in sign_in.message.value
    assert shows_join(sign_in)
    assert sign_in.participant is None
    assert calls.signed_in == []


def test_url_token_wins_over_someone_elses_stored_token(counting: CountingStore) -> None:
    ana, ana_token = counting.create_participant("Ana")
    ben, ben_token = counting.create_participant("Ben")
    calls = Calls()
    browser = BrowserIdentity()
    sign_in = calls.sign_in(counting, browser)
    page_loaded(browser, url_token=ben_token, stored_token=ana_token)
    assert sign_in.participant == ben
    assert calls.signed_in == [ben]
    assert browser.token == ben_token
    assert ana != ben


def test_unknown_url_token_with_a_valid_stored_token_says_so(counting: CountingStore) -> None:
    ana, ana_token = counting.create_participant("Ana")
    calls = Calls()
    browser = BrowserIdentity()
    sign_in = calls.sign_in(counting, browser)
    page_loaded(browser, url_token="not-a-real-token", stored_token=ana_token)
    assert sign_in.participant == ana
    assert calls.signed_in == [ana]
    assert "not known" in sign_in.message.value
    assert sign_in.message in descendants(sign_in.body)
    assert not shows_join(sign_in)


def test_sign_out_forgets_the_participant(counting: CountingStore) -> None:
    calls = Calls()
    browser = BrowserIdentity()
    sign_in = calls.sign_in(counting, browser)
    page_loaded(browser)
    sign_in.join("Sam")
    assert browser.token

    sign_in.sign_out_button.click()
    assert browser.token == ""
    assert sign_in.participant is None
    assert sign_in.token is None
    assert calls.signed_out == 1
    assert shows_join(sign_in)
    assert sign_in.name_input.value == ""


def test_hub_user_signs_in_without_joining(counting: CountingStore) -> None:
    first = Calls()
    sign_in = first.sign_in(counting, hub_user="alice")
    assert not shows_join(sign_in)
    (alice,) = first.signed_in
    assert alice.display_name == "alice"
    assert alice.external_id == "jupyterhub:alice"
    assert "alice" in sign_in.header.value

    second = Calls()
    again = second.sign_in(counting, hub_user="alice")
    assert second.signed_in == [alice]
    assert again.participant == alice
    assert len(counting.created) == 1

    third = Calls()
    third.sign_in(counting, hub_user="bob")
    assert third.signed_in[0].id != alice.id


# --------------------------------------------------------------------------- the app


def test_form_app_shows_the_form_after_joining(store: Store) -> None:
    goals = [SchoolGoal("talk", "More student talk"), SchoolGoal("read", "Reading")]
    app = FormApp(pdkit.load_definition("goal-setting"), store=store, school_goals=goals)
    assert app.form is None
    page_loaded(app.sign_in.browser)
    assert app.form is None
    assert shows_join(app.sign_in)

    app.sign_in.join("Sam")
    assert isinstance(app.form, FormView)
    (shown,) = app.form_box.children  # the goal, above the feedback on it
    assert shown.children[0] is app.form.widget
    assert "No feedback on your goal yet" in shown_text(shown.children[1])
    assert app.sign_in.participant is not None
    assert app.form.participant_id == app.sign_in.participant.id
    assert [o.value for o in app.form.definition.field("school_goal").options] == ["talk", "read"]

    app.form.field("goal").value = "Typed, not yet autosaved"
    participant_id = app.form.participant_id
    app.sign_in.sign_out()  # signing out saves what is there
    assert app.form is None
    assert app.form_box.children == ()
    assert store.latest(participant_id, "goal-setting", viewer=participant_id) == {
        "goal": "Typed, not yet autosaved"
    }


class UnreadableStore:
    """A store whose reads of answers fail (the database went away)."""

    def __init__(self, inner: Store) -> None:
        self.inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def latest(self, *args: Any, **kwargs: Any) -> Any:
        raise StoreError("the store sqlite:///x cannot be read: <disk I/O error>")


def test_form_app_says_so_when_saved_answers_cannot_be_read(store: Store) -> None:
    app = FormApp(
        pdkit.load_definition("goal-setting"),
        store=UnreadableStore(store),  # type: ignore[arg-type]
        school_goals=[SchoolGoal("talk", "Talk")],
    )
    page_loaded(app.sign_in.browser)
    app.sign_in.join("Sam")
    assert app.form is None
    [shown] = app.form_box.children
    assert "could not be loaded" in shown.value
    assert "&lt;disk I/O error&gt;" in shown.value


def test_form_app_function_with_a_store(store: Store) -> None:
    app = form_app("goal-setting", store=store, school_goals=[SchoolGoal("talk", "Talk")])
    assert isinstance(app, FormApp)
    page_loaded(app.sign_in.browser)
    app.sign_in.join("Sam")
    assert isinstance(app.form, FormView)


@pytest.mark.parametrize("name", ["no-such-definition", "<b>no-such</b>"])
def test_form_app_reports_a_bad_definition(store: Store, name: str) -> None:
    with pytest.raises(pdkit.DefinitionError) as caught:
        pdkit.load_definition(name)
    widget = form_app(name, store=store)
    assert isinstance(widget, w.HTML)
    assert not isinstance(widget, FormApp)
    assert "cannot start" in widget.value
    assert escape(str(caught.value)) in widget.value
    if "<" in name:
        assert name not in widget.value
