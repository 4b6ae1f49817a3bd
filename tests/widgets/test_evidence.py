"""The evidence log on "My goal" and on the coach's page of a teacher
(widgets/_evidence.py), built as the shipped workbooks run them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import ipywidgets as w
import pytest
from tests._stores import BACKENDS

from pdkit._clock import CLOCK_OFFSET_ENV
from pdkit.app import CoachApp, MyGoalPage, Workbook
from pdkit.links import COACH_PURPOSE
from pdkit.store import Store
from pdkit.testing import page_loaded, shown_text
from pdkit.widgets import EvidenceLog
from pdkit.widgets._evidence import LATEST, evidence_html

MY_GOAL = "http://h/base/voila/render/my-goal.ipynb"
COACH = "http://h/voila/render/coach.ipynb"


@pytest.fixture(autouse=True)
def _close_widgets() -> Iterator[None]:
    yield
    w.Widget.close_all()


@pytest.fixture(autouse=True)
def _no_hub(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    monkeypatch.delenv("PDKIT_SCHOOL_GOALS", raising=False)
    monkeypatch.delenv(CLOCK_OFFSET_ENV, raising=False)


@pytest.fixture(params=BACKENDS[:1])
def store(request: pytest.FixtureRequest) -> Iterator[Store]:
    opened: Store = request.param(request)
    yield opened
    opened.close()


def my_goal(store: Store, token: str) -> MyGoalPage:
    workbook = Workbook("my-goal", store=store)
    assert workbook.error is None
    app = workbook.app
    page_loaded(app.sign_in.browser, page_url=MY_GOAL, url_token=token)  # type: ignore[union-attr]
    page = app.parts[0].page  # type: ignore[union-attr]
    assert page is not None
    return page  # type: ignore[no-any-return]


def ana_with_coach(store: Store, level: str = "session") -> tuple[str, str, str]:
    ana, token = store.create_participant("Ana")
    kim, _ = store.create_participant("Kim", role="coach")
    store.assign_coach(kim.id, [ana.id])
    store.record(ana.id, "goal-setting", {"goal": "Open questions"}, spec_version="g@1")
    store.set_visibility(ana.id, "goal-setting", level)
    return ana.id, token, kim.id


def test_my_goal_adds_a_link_item_and_lists_it_escaped(store: Store) -> None:
    ana, token, _ = ana_with_coach(store)
    page = my_goal(store, token)
    log = page.evidence
    assert log.own
    assert "My evidence" in shown_text(page.widget)
    assert "No evidence yet." in shown_text(log.widget)
    assert log.made_on.value == date.today()  # the date defaults to today
    log.kind.value = "survey"
    assert log.student_data.value is False
    log.link.value = "https://example.org/results?a=1&b=2"
    log.caption.value = 'Survey <script>alert("x")</script>'
    item = log.add()
    assert item is not None
    [stored] = store.evidence(ana, viewer=ana)
    assert stored.caption == 'Survey <script>alert("x")</script>'
    listed = shown_text(log.widget)
    assert "<script>" not in listed
    assert "&lt;script&gt;" in listed
    assert 'rel="noopener noreferrer"' in listed
    assert 'target="_blank"' in listed
    assert "Added to your evidence." in listed
    assert log.caption.value == log.link.value == ""  # emptied once kept


def test_student_work_ticks_the_flag_reminds_to_de_identify_and_caps_who_sees(
    store: Store,
) -> None:
    ana, token, _ = ana_with_coach(store)
    log = my_goal(store, token).evidence
    assert [v for _, v in log.visibility.options] == [
        "goal",
        "private",
        "coach",
        "group",
        "session",
    ]
    assert log.reminder.value == ""
    log.kind.value = "student_work"
    assert log.student_data.value is True
    assert log.student_data.disabled
    assert "De-identify" in log.reminder.value
    assert [v for _, v in log.visibility.options] == ["goal", "private", "coach"]
    log.kind.value = "video"
    assert log.student_data.value is False
    assert not log.student_data.disabled
    log.student_data.value = True  # a video of a class: the teacher ticks it
    assert "De-identify" in log.reminder.value
    assert [v for _, v in log.visibility.options] == ["goal", "private", "coach"]
    log.caption.value = "Lesson clip"
    log.link.value = "https://video.example.org/v/1"
    assert log.add() is not None
    [item] = store.evidence(ana, viewer=ana)
    assert item.student_data
    assert item.shown == "coach"  # the goal is shared with the session: capped


def test_a_refused_item_keeps_what_was_typed_and_says_why(store: Store) -> None:
    ana, token, _ = ana_with_coach(store)
    log = my_goal(store, token).evidence
    log.caption.value = "My notes"
    log.link.value = "javascript:alert(1)"
    log.text.value = "A long paragraph I typed"
    assert log.add() is None
    assert "only web links" in log.message.value
    assert 'role="alert"' in log.message.value
    assert (log.caption.value, log.link.value, log.text.value) == (
        "My notes",
        "javascript:alert(1)",
        "A long paragraph I typed",
    )
    assert store.evidence(ana, viewer=ana) == []
    log.made_on.value = date.today() + timedelta(days=3)
    log.link.value = ""
    assert log.add() is None
    assert "after today" in log.message.value


def test_an_item_goes_with_the_latest_or_a_picked_check_in(store: Store) -> None:
    ana, token, _ = ana_with_coach(store)
    page = my_goal(store, token)
    log = page.evidence
    assert [v for _, v in log.checkin.options] == [None]  # no check-in yet
    store.record(ana, "exit-ticket", {"progress": 2}, spec_version="c@1")
    store.start_revision(ana, "exit-ticket")
    store.record(ana, "exit-ticket", {"progress": 3}, spec_version="c@1")
    page.refresh()
    assert [v for _, v in log.checkin.options] == [None, LATEST, 1, 2]
    log.caption.value = "Quiz"
    log.text.value = "8 of 10 right"
    log.checkin.value = LATEST
    assert log.add() is not None
    log.caption.value = "Earlier quiz"
    log.text.value = "5 of 10 right"
    log.checkin.value = 1
    assert log.add() is not None
    by_caption = {i.caption: i.checkin for i in store.evidence(ana, viewer=ana)}
    assert by_caption == {"Quiz": 2, "Earlier quiz": 1}
    assert "with check-in 2" in shown_text(log.widget)


def test_withdraw_takes_an_item_off_the_list_and_keeps_its_history(store: Store) -> None:
    ana, token, _ = ana_with_coach(store)
    log = my_goal(store, token).evidence
    log.caption.value = "Plan"
    log.text.value = "Week 1 plan"
    item = log.add()
    assert item is not None
    assert log.withdraw(item.id)
    assert store.evidence(ana, viewer=ana) == []
    assert "No evidence yet." in shown_text(log.widget)
    assert len(store.evidence_history(item.id, viewer=ana)) == 2


def test_the_coach_page_lists_what_the_coach_may_see_only(store: Store) -> None:
    ana, _token, kim = ana_with_coach(store, level="coach")
    store.add_evidence(ana, kind="survey", caption="Shared survey", link="https://e.org/s")
    store.add_evidence(ana, kind="student_work", caption="Essays", text="three samples")
    store.add_evidence(ana, kind="other", caption="Just mine", text="x", visibility="private")
    app = Workbook("coach", store=store).app
    assert isinstance(app, CoachApp)
    page_loaded(app.browser, page_url=COACH, url_token=store.issue_link(kim, COACH_PURPOSE))
    view = app.open(ana)
    assert view is not None
    text = shown_text(view.widget)
    assert "Shared survey" in text
    assert "Essays" in text
    assert "contains student data" in text
    assert "Just mine" not in text
    assert "seen by" not in text
    assert not hasattr(view.evidence, "add_button")  # the coach reads; only Ana adds
    # Another coach of nobody sees none of it.
    lee, _ = store.create_participant("Lee", role="coach")
    other = EvidenceLog(store, ana, lee.id)
    assert "No evidence yet." in shown_text(other.widget)


def test_the_list_html_escapes_everything() -> None:
    from pdkit.store import EvidenceItem

    item = EvidenceItem(
        id="x",
        teacher="t",
        version=1,
        kind='other"><b',
        caption="a=b: <i>",
        link='https://e.org/"onmouseover="x',
        text="<img src=x onerror=alert(1)>",
        made_on=date(2026, 1, 2),
        student_data=False,
        visibility="goal",
        shown="private",
        checkin=None,
        checkin_at=None,
        goal_version=1,
        withdrawn=False,
        added_at=0.0,
        at=0.0,
    )
    out = evidence_html([item], lambda s: s)
    assert "<img" not in out
    assert "<i>" not in out
    assert '"onmouseover' not in out
    assert 'data-kind="other&quot;&gt;&lt;b"' in out


def test_the_check_in_page_adds_evidence_to_this_check_in(store: Store) -> None:
    ana, token, _ = ana_with_coach(store)
    workbook = Workbook("reflection", store=store)
    assert workbook.error is None
    app = workbook.app
    page_loaded(app.sign_in.browser, page_url=MY_GOAL, url_token=token)  # type: ignore[union-attr]
    part = app.parts[0]  # type: ignore[union-attr]
    part.choice.value = "exit-ticket"
    log = part.evidence
    assert isinstance(log, EvidenceLog)
    assert part.box.children[1] is log.widget
    assert "Add evidence to this check-in" in shown_text(log.widget)
    assert log.checkin.value == LATEST
    log.caption.value = "Quiz"
    log.text.value = "7 of 10"
    assert log.add() is None  # nothing written in the check-in yet
    assert "write your check-in first" in log.message.value
    assert log.caption.value == "Quiz"  # kept
    part.form.field("progress").input.value = 3
    item = log.add()  # the check-in being typed is saved first: it is check-in 1
    assert item is not None
    assert item.checkin == 1
    assert store.latest(ana, "exit-ticket", viewer=ana)["progress"] == 3
    part.choice.value = "gibbs"  # another reflection: no evidence form
    assert part.evidence is None
    assert len(part.box.children) == 1


def test_what_is_typed_and_not_added_is_kept_by_the_page(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pdkit.widgets import Safekeeper
    from pdkit.widgets._safekeeping import KEEP_CLASS

    done: list[dict[str, str]] = []
    monkeypatch.setattr(Safekeeper, "acknowledge", lambda self, texts: done.append(dict(texts)))
    ana, token, _ = ana_with_coach(store)
    log = my_goal(store, token).evidence
    assert log.keeper is not None
    key = f"evidence:{ana}:caption"
    assert KEEP_CLASS + key in log.caption._dom_classes
    assert KEEP_CLASS + f"evidence:{ana}:text" in log.text._dom_classes
    # After a reload, the page puts back what it kept.
    assert log.put_kept(key, "Kept caption")
    assert not log.put_kept(key, "Kept caption")
    assert not log.put_kept("form:goal-setting:goal", "not ours")
    log.text.value = "kept text"
    assert log.kept_texts()[key] == "Kept caption"
    assert done == []
    assert log.add() is not None
    # Added, and the boxes emptied: the page is told they hold nothing now.
    assert done == [{key: "", f"evidence:{ana}:link": "", f"evidence:{ana}:text": ""}]


def test_edit_changes_an_item_as_a_new_version_and_cancel_leaves_it(store: Store) -> None:
    ana, token, kim = ana_with_coach(store)
    log = my_goal(store, token).evidence
    log.kind.value = "survey"
    log.caption.value = "Exit survey"
    log.link.value = "https://example.org/survey"
    item = log.add()
    assert item is not None

    assert log.edit(item.id)
    assert (log.caption.value, log.link.value, log.kind.value) == (
        "Exit survey",
        "https://example.org/survey",
        "survey",
    )
    assert log.add_button.description == "Save changes"
    log.caption.value = "Exit survey, week 2"
    log.visibility.value = "private"
    changed = log.add()
    assert changed is not None
    assert (changed.id, changed.version, changed.caption) == (item.id, 2, "Exit survey, week 2")
    assert log.add_button.description == "Add evidence"
    assert log.caption.value == "", "the form empties once the change is kept"
    assert [i.caption for i in store.evidence(ana, viewer=ana)] == ["Exit survey, week 2"]
    assert store.evidence(ana, viewer=kim) == [], "narrowed to Only me: the coach no longer sees it"
    history = store.evidence_history(item.id, viewer=ana)
    assert [v.caption for v in history] == ["Exit survey", "Exit survey, week 2"]

    # A cancelled change keeps the item as it was, and adds nothing.
    assert log.edit(item.id)
    log.caption.value = "typed, then cancelled"
    log.stop_editing()
    assert log.caption.value == ""
    assert [i.caption for i in store.evidence(ana, viewer=ana)] == ["Exit survey, week 2"]
    assert len(store.evidence_history(item.id, viewer=ana)) == 2


def test_a_refused_change_keeps_what_was_typed_and_the_item(store: Store) -> None:
    ana, token, _ = ana_with_coach(store)
    log = my_goal(store, token).evidence
    log.caption.value = "Notes"
    log.text.value = "Week 1"
    item = log.add()
    assert item is not None
    assert log.edit(item.id)
    log.link.value = "javascript:alert(1)"
    assert log.add() is None
    assert "Not changed:" in log.message.value
    assert log.link.value == "javascript:alert(1)", "what was typed stays"
    assert log.editing == item.id
    assert store.evidence(ana, viewer=ana)[0].link == ""


def test_a_withdrawn_item_is_listed_for_its_teacher_and_can_be_put_back(store: Store) -> None:
    ana, token, kim = ana_with_coach(store, level="coach")
    log = my_goal(store, token).evidence
    log.caption.value = "Video of pairs"
    log.kind.value = "video"
    log.link.value = "https://example.org/v"
    item = log.add()
    assert item is not None
    assert log.withdraw(item.id)
    assert store.evidence(ana, viewer=kim) == []
    shown = shown_text(log.widget)
    assert "Withdrawn: only you see these" in shown
    assert "Video of pairs" in shown
    assert [i.id for i in log.withdrawn] == [item.id]

    assert log.put_back(item.id)
    assert [i.caption for i in store.evidence(ana, viewer=kim)] == ["Video of pairs"]
    assert log.withdrawn == []
    assert "Withdrawn: only you see these" not in shown_text(log.widget)


def test_the_evidence_log_speaks_spanish(store: Store) -> None:
    ana, _token, _ = ana_with_coach(store)
    log = EvidenceLog(store, ana, language="es")
    shown = shown_text(log.widget)
    assert "Mis evidencias" in shown
    assert "Aún no hay evidencias." in shown
    assert log.add_button.description == "Añadir evidencia"
    assert ("Trabajo de estudiantes", "student_work") in log.kind.options
    log.kind.value = "student_work"
    assert "Anonimízala" in log.reminder.value
