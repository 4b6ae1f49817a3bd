"""The coach's page (app/_coach.py), built as the shipped coach workbook runs it, on
every store backend: who may open it, the queue by need, a teacher's page, privacy."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import ipywidgets as w
import pytest
from tests._stores import BACKENDS

from pdkit._clock import CLOCK_OFFSET_ENV, today
from pdkit.app import CoachApp, Workbook
from pdkit.followup import AGREED, ASKED, DRAFT, MET
from pdkit.links import COACH_PURPOSE
from pdkit.store import Participant, Store
from pdkit.testing import page_loaded, shown_text

PAGE = "http://h/voila/render/coach.ipynb"


@pytest.fixture(autouse=True)
def _close_widgets() -> Iterator[None]:
    yield
    w.Widget.close_all()


@pytest.fixture(autouse=True)
def _no_hub(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    monkeypatch.delenv(CLOCK_OFFSET_ENV, raising=False)


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest) -> Iterator[Store]:
    opened: Store = request.param(request)
    yield opened
    opened.close()


def teacher(store: Store, name: str, goal: str, level: str = "coach") -> Participant:
    person, _ = store.create_participant(name)
    store.record(person.id, "goal-setting", {"goal": goal}, spec_version="goal-setting@1")
    store.set_visibility(person.id, "goal-setting", level)
    return person


def coach_page(store: Store, token: str) -> CoachApp:
    workbook = Workbook("coach", store=store)
    assert workbook.error is None
    app = workbook.app
    assert isinstance(app, CoachApp)
    page_loaded(app.browser, page_url=PAGE, url_token=token)
    return app


def names_in_queue(app: CoachApp) -> list[str]:
    return [p.display_name for _need, p in app.queue]


def test_only_a_coach_link_opens_the_page_and_anyone_else_sees_nothing(store: Store) -> None:
    ana = teacher(store, "Ana Secret", "Ana's goal text")
    kim, _ = store.create_participant("Kim", role="coach")
    store.assign_coach(kim.id, [ana.id])
    _, ana_token = store.create_participant("Other teacher")

    for token in ("", "not-a-token", ana_token):
        app = coach_page(store, token)
        text = shown_text(app.widget)
        assert "This page is for coaches" in text
        assert app.coach is None
        assert "Ana" not in text
        assert app.open(ana.id) is None
        assert app.queue == []

    app = coach_page(store, store.issue_link(kim.id, COACH_PURPOSE))
    assert app.coach is not None
    assert names_in_queue(app) == ["Ana Secret"]
    assert "Signed in as" in app.header.value


def test_a_hub_user_who_is_a_coach_signs_in_and_a_teacher_is_refused(store: Store) -> None:
    ana = teacher(store, "Ana", "goal")
    kim, _ = store.create_participant("Kim", role="coach", external_id="jupyterhub:kim")
    store.assign_coach(kim.id, [ana.id])
    store.create_participant("Ben", external_id="jupyterhub:ben")
    assert CoachApp(store=store, hub_user="kim").coach is not None
    refused = CoachApp(store=store, hub_user="ben")
    assert refused.coach is None
    assert "This page is for coaches" in shown_text(refused.widget)


def test_an_unassigned_coach_sees_nothing_not_even_names(store: Store) -> None:
    ana = teacher(store, "Ana Visible", "Ana's shared goal", level="session")
    kim, _ = store.create_participant("Kim", role="coach")
    store.assign_coach(kim.id, [ana.id])
    store.add_comment(kim.id, ana.id, "Kim's note to Ana")
    lee, _ = store.create_participant("Lee", role="coach")
    app = coach_page(store, store.issue_link(lee.id, COACH_PURPOSE))
    text = shown_text(app.widget)
    assert "No teachers are assigned to you yet" in text
    assert "Ana" not in text
    assert app.open(ana.id) is None
    assert "Kim's note" not in shown_text(app.widget)


def test_a_private_goal_and_another_teachers_thread_are_never_shown(store: Store) -> None:
    ana = teacher(store, "Ana", "Ana's private goal", level="private")
    ben = teacher(store, "Ben", "Ben's shared goal")
    kim, _ = store.create_participant("Kim", role="coach")
    store.assign_coach(kim.id, [ana.id, ben.id])
    store.add_comment(ben.id, ben.id, "Ben asks about stems")
    store.record(ana.id, "exit-ticket", {"evidence": "Ana's private check-in"}, spec_version="e@1")
    app = coach_page(store, store.issue_link(kim.id, COACH_PURPOSE))

    view = app.open(ana.id)
    assert view is not None
    text = shown_text(app.widget)
    assert "Ana has not shared their goal with you yet." in view.goal_html.value
    assert "private goal" not in text
    assert "private check-in" not in text
    assert "has not shared their check-ins" in view.checkins_html.value
    assert "Ben asks" not in text, "another teacher's thread"
    assert "Draft" in view.status_html.value or "draft" in view.status_html.value

    view = app.open(ben.id)
    assert view is not None
    assert "Ben&#x27;s shared goal" in view.goal_html.value
    assert "Ben asks about stems" in view.thread.list_html.value


def test_the_queue_is_sorted_by_need_and_a_new_check_in_moves_a_teacher(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    start = today()
    store.set_checkin_schedule("default", start, [start + timedelta(days=14)])
    ana = teacher(store, "Ana", "goal A")
    ben = teacher(store, "Ben", "goal B")
    cai = teacher(store, "Cai", "goal C")
    kim, _ = store.create_participant("Kim", role="coach")
    store.assign_coach(kim.id, [ana.id, ben.id, cai.id])
    monkeypatch.setenv(CLOCK_OFFSET_ENV, str(15 * 86400))  # the check-in date has passed
    store.record(cai.id, "exit-ticket", {"progress": 3}, spec_version="e@1")  # Cai checked in
    store.set_visibility(ben.id, "goal-setting", "coach")
    store.set_goal_status(ben.id, ASKED, by=ben.id)

    app = coach_page(store, store.issue_link(kim.id, COACH_PURPOSE))
    assert names_in_queue(app) == ["Ana", "Ben", "Cai"]
    [row] = [r for r in app.queue_box.children if "Ana" in r.children[0].value]
    assert "check-in overdue" in row.children[0].value
    assert row.children[1].description == "Open Ana"

    store.record(ana.id, "exit-ticket", {"progress": 2}, spec_version="e@1")  # Ana checks in
    app.refresh()  # what the page's poll does every 2 s
    assert names_in_queue(app) == ["Ben", "Ana", "Cai"]


def test_agree_suggest_and_mark_met(store: Store) -> None:
    ana = teacher(store, "Ana", "goal A")
    kim, _ = store.create_participant("Kim", role="coach")
    store.assign_coach(kim.id, [ana.id])
    store.set_goal_status(ana.id, ASKED, by=ana.id)
    app = coach_page(store, store.issue_link(kim.id, COACH_PURPOSE))
    assert len(app.queue) == 1
    [row] = app.queue_box.children
    row.children[1].click()  # Open Ana
    view = app.view
    assert view is not None
    assert [b.description for b in view.moves_box.children] == [
        "Agree this goal",
        "Suggest a change",
    ]

    assert view.suggest() is False
    assert "Write your suggestion" in view.message.value
    view.thread.text.value = "Make it measurable: how many students?"
    view.suggest_button.click()
    assert store.goal_status(ana.id, viewer=ana.id).status == DRAFT
    assert store.goal_status(ana.id, viewer=ana.id).note.startswith("Make it measurable")
    assert [c.text for c in store.comments(ana.id, viewer=ana.id)] == [
        "Make it measurable: how many students?"
    ]
    assert [b.description for b in view.moves_box.children] == ["Suggest a change"]

    store.set_goal_status(ana.id, ASKED, by=ana.id)
    view.refresh()
    [agree] = [b for b in view.moves_box.children if b.description == "Agree this goal"]
    agree.click()
    assert store.goal_status(ana.id, viewer=ana.id).status == AGREED
    [met] = [b for b in view.moves_box.children if b.description == "Mark met"]
    met.click()
    assert store.goal_status(ana.id, viewer=ana.id).status == MET
    app.back.click()
    assert app.view is None
    assert names_in_queue(app) == ["Ana"]


def test_same_names_are_told_apart(store: Store) -> None:
    one = teacher(store, "Ana", "goal 1")
    two = teacher(store, "Ana", "goal 2")
    kim, _ = store.create_participant("Kim", role="coach")
    store.assign_coach(kim.id, [one.id, two.id])
    app = coach_page(store, store.issue_link(kim.id, COACH_PURPOSE))
    labels = [row.children[1].description for row in app.queue_box.children]
    assert len(set(labels)) == 2
    assert {one.id[:6], two.id[:6]} == {label.rsplit("#", 1)[1].rstrip(")") for label in labels}


def test_progress_dropped_counts_only_check_ins_shared_with_the_coach(store: Store) -> None:
    from pdkit.app._caseload import teacher_needs

    ana = teacher(store, "Ana", "goal A")
    ben = teacher(store, "Ben", "goal B")
    kim, _ = store.create_participant("Kim", role="coach")
    store.assign_coach(kim.id, [ana.id, ben.id])
    for who in (ana, ben):
        store.record(who.id, "exit-ticket", {"progress": 4}, spec_version="e@1")
        store.start_revision(who.id, "exit-ticket")
        store.record(who.id, "exit-ticket", {"progress": 2}, spec_version="e@1")
    store.set_visibility(ana.id, "exit-ticket", "coach")  # Ben's stay private

    found = {p.display_name: n for n, p in teacher_needs(store, kim.id, today())}

    assert found["Ana"].progress_dropped
    assert not found["Ben"].progress_dropped, "a private check-in tells the coach nothing"
    assert [p.display_name for _n, p in teacher_needs(store, kim.id, today())] == ["Ana", "Ben"]


def test_the_coach_page_takes_the_language_of_its_link(store: Store) -> None:
    ana = teacher(store, "Ana", "Ana's goal text")
    kim, _ = store.create_participant("Kim", role="coach")
    store.assign_coach(kim.id, [ana.id])
    workbook = Workbook("coach", store=store)
    app = workbook.app
    assert isinstance(app, CoachApp)
    token = store.issue_link(kim.id, COACH_PURPOSE)
    page_loaded(app.browser, page_url=f"{PAGE}?lang=fr", url_token=token)
    assert app.language == "fr"
    assert "Connecté·e en tant que" in app.header.value
    assert app.back.description == "Retour à mes enseignant·es"
    assert "Open Ana" not in shown_text(app.widget)
    assert "Ouvrir Ana" in [b.description for b in _buttons(app.widget)]


def _buttons(widget: w.Widget) -> list[w.Button]:
    found = [widget] if isinstance(widget, w.Button) else []
    for child in getattr(widget, "children", ()):
        found.extend(_buttons(child))
    return found
