"""The participant's form is built before anyone signs in, and Join only fills it in.

In a pre-heated kernel the notebook runs before the page is asked for: widgets that
exist then reach the browser in one message with the page, while each widget made at
Join is a message of its own through the one server process, for every participant of
a room joining at once (#18). What is built ahead must never show one participant's
answers to another, nor save anything by being filled in.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import ipywidgets as w
import pytest
from ipywidgets.widgets.widget import _instances

from pdkit.app import Workbook
from pdkit.app._participant import ParticipantApp
from pdkit.app._parts import FormPart
from pdkit.store import Store, open_store
from pdkit.testing import FakeScheduler, descendants, page_loaded, shown_text
from pdkit.widgets import FormView, Safekeeper

PAGE = "http://x/voila/render/goal-setting.ipynb"


@pytest.fixture(autouse=True)
def _fresh(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    monkeypatch.delenv("PDKIT_SCHOOL_GOALS", raising=False)
    w.Widget.close_all()
    yield
    w.Widget.close_all()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(str(tmp_path / "s.sqlite3"))
    yield opened
    opened.close()


def _app(workbook: Workbook) -> ParticipantApp:
    assert isinstance(workbook.app, ParticipantApp)
    return workbook.app


def _goal_form(workbook: Workbook) -> FormView:
    part = _app(workbook).parts[0]
    assert isinstance(part, FormPart)
    assert isinstance(part.form, FormView)
    return part.form


def test_join_fills_in_the_form_built_before_the_page_was_asked_for(store: Store) -> None:
    workbook = Workbook("goal-setting", store=store)
    ahead = set(_instances)
    page_loaded(_app(workbook).sign_in.browser, page_url=PAGE)
    joined = _app(workbook).sign_in.join("Sam")
    assert joined is not None
    made_at_join = set(_instances) - ahead
    form = _goal_form(workbook)
    assert form.participant_id == joined.id
    assert form.widget.model_id in ahead  # the goal form's widgets came with the page
    assert form.field("goal").widget.model_id in ahead
    assert form.widget in descendants(workbook.section(0))
    # 104 models were made at Join when the form was built then; now none: the feedback
    # panel under the goal, the box of both and the signed-in row are made ahead too
    assert made_at_join == set(), sorted(_instances[m]._model_name for m in made_at_join)


def test_typing_makes_no_widget(store: Store) -> None:
    """A field with hints redraws them as the teacher types: in the same widget (it made a
    new one per keystroke, each a message through the server and a widget kept forever)."""
    workbook = Workbook("goal-setting", store=store)
    page_loaded(_app(workbook).sign_in.browser, page_url=PAGE)
    assert _app(workbook).sign_in.join("Sam") is not None
    goal = _goal_form(workbook).field("goal").widget
    before = set(_instances)
    for typed in ("S", "St", "Students explain", "Students explain their thinking by May"):
        goal.value = typed
    assert set(_instances) == before


def test_a_form_filled_in_at_join_has_the_participants_answers_and_saves_nothing(
    store: Store,
) -> None:
    sam, token = store.create_participant("Sam")
    store.record(
        sam.id,
        "goal-setting",
        {"goal": "More talk in pairs", "confidence": 3},
        spec_version="goal-setting@1",
    )
    store.set_visibility(sam.id, "goal-setting", "coach")
    events = len(store.history(sam.id, "goal-setting", viewer=sam.id))
    workbook = Workbook("goal-setting", store=store)

    page_loaded(_app(workbook).sign_in.browser, page_url=PAGE, url_token=token)
    form = _goal_form(workbook)
    assert form.participant_id == sam.id
    assert form.field("goal").value == "More talk in pairs"
    assert form.field("confidence").value == 3
    assert form.visibility is not None
    assert form.visibility.level == "coach"
    assert "coach" in form.visibility.says.value.lower()
    assert form.unsaved() == {}
    assert "Goal" not in form.missing.value  # the guidance is Sam's, not the empty form's
    assert len(store.history(sam.id, "goal-setting", viewer=sam.id)) == events
    assert store.visibility(sam.id, "goal-setting") == "coach"

    form.field("goal").value = "More talk in pairs, every lesson"
    form.save()  # (outside an event loop the autosave has run already)
    assert form.last_error is None
    assert store.latest(sam.id, "goal-setting", viewer=sam.id)["goal"] == (
        "More talk in pairs, every lesson"
    )
    form.visibility.choose("group")
    assert store.visibility(sam.id, "goal-setting") == "group"


def test_the_next_participant_on_the_same_page_sees_nothing_of_the_last(store: Store) -> None:
    workbook = Workbook("goal-setting", store=store)
    sign_in = _app(workbook).sign_in
    page_loaded(sign_in.browser, page_url=PAGE)
    sam = sign_in.join("Sam")
    first = _goal_form(workbook)
    first.field("goal").value = "Sam's private goal"
    assert first.visibility is not None
    first.visibility.choose("session")
    sign_in.sign_out()

    ana = sign_in.join("Ana")
    assert sam is not None
    assert ana is not None
    second = _goal_form(workbook)
    assert second is not first
    assert second.participant_id == ana.id
    assert second.field("goal").value == ""
    assert second.visibility is not None
    assert second.visibility.level == "private"
    assert store.latest(sam.id, "goal-setting", viewer=sam.id)["goal"] == "Sam's private goal"
    assert store.latest(ana.id, "goal-setting", viewer=ana.id) == {}


def test_a_page_in_another_language_gets_its_form_in_that_language(store: Store) -> None:
    workbook = Workbook("goal-setting", store=store)
    ahead = set(_instances)
    page_loaded(_app(workbook).sign_in.browser, page_url=PAGE + "?lang=es")
    assert _app(workbook).sign_in.join("Sam") is not None
    form = _goal_form(workbook)
    assert form.language == "es"
    assert form.widget.model_id not in ahead  # built at Join, in Spanish
    assert form.save_button.description == "Guardar"
    assert "Mi meta (obligatorio)" in shown_text(form.widget)  # its questions too


def test_a_form_built_for_no_one_cannot_save_and_is_bound_once(store: Store) -> None:
    from pdkit.definitions import load_form

    keeper = Safekeeper()
    form = FormView(
        load_form("goal-setting"),
        store=store,
        participant_id=None,
        sharing=True,
        keeper=keeper,
        schedule=FakeScheduler(),
    )
    assert "form:goal-setting" not in keeper._forms  # nobody's typing to keep yet
    form.field("goal").value = "typed before anyone signed in"
    assert form.save() == 0
    assert "not" in form.status.value.lower()  # it says it did not save
    sam, _ = store.create_participant("Sam")
    fresh = FormView(load_form("goal-setting"), store=store, participant_id=None, keeper=keeper)
    fresh.bind(sam.id)
    assert keeper._forms["form:goal-setting"] is fresh
    with pytest.raises(ValueError, match="already"):
        fresh.bind(sam.id)
