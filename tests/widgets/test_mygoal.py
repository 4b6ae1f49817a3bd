"""The teacher's "My goal" page (app/_mygoal.py), built as the shipped workbook runs it,
on every store backend."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import ipywidgets as w
import pytest
from tests._stores import BACKENDS

from pdkit._clock import CLOCK_OFFSET_ENV, today
from pdkit.app import MyGoalPage, Workbook
from pdkit.followup import ASKED, DRAFT, GOAL_STATUSES, status_move
from pdkit.store import Store
from pdkit.testing import page_loaded, shown_text

PAGE = "http://h/base/voila/render/my-goal.ipynb"
GOAL = "By March, 8 of my 10 students ask a question <b>every</b> lesson"


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


@dataclass
class World:
    teacher: str
    token: str
    coach: str


def world(store: Store, *, goal: bool = True, coach: bool = True, share: str = "coach") -> World:
    teacher, token = store.create_participant("Ana")
    coach_id = ""
    if coach:
        kim, _ = store.create_participant("Kim", role="coach")
        store.assign_coach(kim.id, [teacher.id])
        coach_id = kim.id
    if goal:
        store.record(
            teacher.id,
            "goal-setting",
            {"goal": GOAL, "target_date": (today() + timedelta(days=60)).isoformat()},
            spec_version="goal-setting@1",
        )
        store.set_visibility(teacher.id, "goal-setting", share)
    return World(teacher.id, token, coach_id)


def open_page(store: Store, token: str, url: str = PAGE) -> MyGoalPage:
    """The shipped my-goal workbook, as a page load with the personal link."""
    workbook = Workbook("my-goal", store=store)
    assert workbook.error is None
    app = workbook.app
    page_loaded(app.sign_in.browser, page_url=url, url_token=token)  # type: ignore[union-attr]
    part = app.parts[0]  # type: ignore[union-attr]
    assert part.page is not None
    return part.page  # type: ignore[no-any-return]


def test_my_goal_shows_the_goal_its_status_checkins_and_thread(store: Store) -> None:
    ana = world(store)
    start = today()
    store.set_checkin_schedule(
        "default", start - timedelta(days=1), [start + timedelta(days=13), start + timedelta(27)]
    )
    page = open_page(store, ana.token)

    assert "&lt;b&gt;every&lt;/b&gt;" in page.goal_html.value, "escaped"
    assert "<b>every" not in shown_text(page.widget)
    assert "Draft" in page.status_html.value
    assert f"Your next check-in: {(start + timedelta(days=13)).isoformat()}" in page.plan_html.value
    assert "(my own date)" in page.plan_html.value
    assert page.thread is not None
    assert "No messages yet" in page.thread.list_html.value
    assert "Version 1" in page.versions_html.value
    labels = [b.description for b in page.moves_box.children]
    allowed = [s for s in GOAL_STATUSES if status_move(DRAFT, s, "teacher") is None]
    assert labels == [
        *(
            {"asked": "Ask my coach to agree this goal", "dropped": "Drop this goal"}[s]
            for s in allowed
        ),
        "Revise my goal",
    ]
    link = "http://h/base/voila/render/goal-setting.ipynb?pdkit=" + ana.token
    assert f'href="{link}"' in page.goal_html.value

    # Ask my coach to agree: the status moves; the coach's answer shows on the next read.
    [ask] = [b for b in page.moves_box.children if b.description.startswith("Ask my coach")]
    ask.click()
    assert store.goal_status(ana.teacher, viewer=ana.teacher).status == ASKED
    assert "Waiting for your coach" in page.status_html.value
    assert [b.description for b in page.moves_box.children] == [
        "Take back my question",
        "Revise my goal",
    ]
    store.set_goal_status(ana.teacher, "agreed", by=ana.coach)
    store.add_comment(ana.coach, ana.teacher, "Agreed: a strong goal.")
    page.refresh()
    page.thread.refresh()  # what the page's polls do (every 2 s and every 1 s)
    assert "Agreed with your coach" in page.status_html.value
    assert "Coach: Kim" in page.thread.list_html.value
    assert "Agreed: a strong goal." in page.thread.list_html.value
    assert "I met this goal" in [b.description for b in page.moves_box.children]


def test_asking_without_sharing_says_what_to_do(store: Store) -> None:
    ana = world(store, share="private")
    page = open_page(store, ana.token)
    assert "Your coach cannot see your goal yet" in page.goal_html.value
    assert page.move(ASKED) is False
    assert "share it with your coach" in page.status_message.value
    assert 'role="alert"' in page.status_message.value
    assert store.goal_status(ana.teacher, viewer=ana.teacher).status == DRAFT


def test_helpful_empty_states(store: Store) -> None:
    ana = world(store, goal=False, coach=False)
    page = open_page(store, ana.token)
    text = shown_text(page.widget)
    assert "You have not set a goal yet." in page.goal_html.value
    assert f"goal-setting.ipynb?pdkit={ana.token}" in page.goal_html.value
    assert "You have no coach yet" in text
    assert "no check-in dates yet" in page.plan_html.value
    assert page.ics_button.disabled
    assert "No versions yet." in page.versions_html.value
    assert "Nobody shares a goal with you yet" in page.shared_html.value
    assert page.moves_box.children == ()
    assert page.thread is None

    # A coach assigned while the page is open: the thread appears by itself.
    kim, _ = store.create_participant("Kim", role="coach")
    store.assign_coach(kim.id, [ana.teacher])
    page.refresh()
    assert page.thread is not None


def test_the_check_in_form_is_one_click_away_and_counts(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    ana = world(store)
    start = today()
    due = start + timedelta(days=14)
    store.set_checkin_schedule("default", start, [due])
    # The session-day check-in (the exit ticket) counts for no date.
    store.record(ana.teacher, "exit-ticket", {"progress": 1}, spec_version="exit-ticket@1")
    monkeypatch.setenv(CLOCK_OFFSET_ENV, str(16 * 86400))  # two weeks and two days later
    page = open_page(store, ana.token)
    assert "overdue (2 days)" in page.plan_html.value
    assert page.checkin_box.children == ()

    page.checkin_button.click()
    assert page.checkin is not None
    assert page.checkin_box.children == (page.checkin.widget,)
    page.checkin.controls["progress"].value = 3  # type: ignore[attr-defined]
    page.checkin.save()
    page.refresh()
    assert store.checkin_plan(ana.teacher, today(), viewer=ana.teacher).done == 1
    assert f"{due.isoformat()} · done" in page.plan_html.value
    assert "overdue" not in page.plan_html.value


def test_a_second_check_in_saved_unchanged_still_counts(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The form opens with the last check-in's answers; Save, with nothing changed, is
    a check-in all the same: a whole new version, counted once."""
    ana = world(store)
    start = today()
    store.set_checkin_schedule("default", start, [start + timedelta(14), start + timedelta(28)])
    monkeypatch.setenv(CLOCK_OFFSET_ENV, str(14 * 86400))
    first = open_page(store, ana.token)
    first.checkin_button.click()
    assert first.checkin is not None
    first.checkin.controls["progress"].value = 3  # type: ignore[attr-defined]
    first.checkin.save()
    assert len(store.checkin_times(ana.teacher)) == 1

    monkeypatch.setenv(CLOCK_OFFSET_ENV, str(28 * 86400))  # two weeks on: a new page
    second = open_page(store, ana.token)
    second.checkin_button.click()
    assert second.checkin is not None
    assert second.checkin.values()["progress"] == 3  # the last answers, to start from
    assert second.checkin.save() >= 1  # saved unchanged: still written
    assert len(store.checkin_times(ana.teacher)) == 2
    assert store.checkin_plan(ana.teacher, today(), viewer=ana.teacher).done == 2
    assert second.checkin.save() == 0  # and only once


def test_the_calendar_file_holds_the_dates_and_the_personal_link(store: Store) -> None:
    ana = world(store)
    start = today()
    dates = [start + timedelta(days=14), start + timedelta(days=28)]
    store.set_checkin_schedule("default", start, dates)
    page = open_page(store, ana.token)
    sent: list[dict[str, object]] = []
    page.download.send = lambda content, buffers=None: sent.append(content)  # type: ignore[method-assign]
    page.ics_button.click()
    [message] = sent
    assert message["filename"] == "my-check-ins.ics"
    assert message["mime"] == "text/calendar"
    data = page.calendar().decode()
    assert data.startswith("BEGIN:VCALENDAR")
    for when in dates:
        assert f"DTSTART;VALUE=DATE:{when:%Y%m%d}" in data
    assert data.count("BEGIN:VEVENT") == 3  # and the teacher's own date
    unfolded = data.replace("\r\n ", "")
    assert f"my-goal.ipynb?pdkit={ana.token}" in unfolded
    assert GOAL not in unfolded, "no written text in a calendar file"


def test_reminders_off_opts_out_and_says_so_with_a_way_back(store: Store) -> None:
    ana = world(store)
    store.set_contact(ana.teacher, "ana@school.org")
    page = open_page(store, ana.token, PAGE + "?reminders=off")
    contact = store.contact(ana.teacher, viewer=ana.teacher)
    assert contact is not None
    assert contact.opted_out_at is not None
    assert "Reminders by email are off" in page.reminders.html.value
    page.reminders.button.click()
    contact = store.contact(ana.teacher, viewer=ana.teacher)
    assert contact is not None
    assert contact.opted_out_at is None
    assert "on again" in page.reminders.html.value


def test_every_workbook_page_links_to_my_goal(store: Store) -> None:
    ana = world(store)
    workbook = Workbook("goal-setting", store=store)
    app = workbook.app
    page_loaded(
        app.sign_in.browser,  # type: ignore[union-attr]
        page_url="http://h/voila/render/goal-setting.ipynb",
        url_token=ana.token,
    )
    home = app.home.value  # type: ignore[union-attr]
    assert f'href="http://h/voila/render/my-goal.ipynb?pdkit={ana.token}"' in home
    page = open_page(store, ana.token)
    assert page is not None
    mine = Workbook("my-goal", store=store)
    page_loaded(mine.app.sign_in.browser, page_url=PAGE, url_token=ana.token)  # type: ignore[union-attr]
    assert mine.app.home.value == ""  # type: ignore[union-attr]


def test_one_goal_history_through_many_sessions(store: Store) -> None:
    ana = world(store)
    later, _key = store.create_session("Spring PD day")
    store.attend(ana.teacher, later.id)
    store.record(ana.teacher, "goal-setting", {"goal": "A second version"}, spec_version="g@1")
    store.start_revision(ana.teacher, "goal-setting")
    store.record(ana.teacher, "goal-setting", {"goal": "A third version"}, spec_version="g@1")
    page = open_page(store, ana.token)
    assert "A third version" in page.goal_html.value
    assert "Spring PD day" in page.sessions_html.value
    assert "Version 2" in page.versions_html.value


def test_what_others_share_respects_visibility(store: Store) -> None:
    ana = world(store)
    ben, _ = store.create_participant("Ben")
    cai, _ = store.create_participant("Cai")
    dee, _ = store.create_participant("Dee")
    store.set_groups("default", [[ana.teacher, ben.id, cai.id]])
    for who, text, level in (
        (ben.id, "Ben's group goal", "group"),
        (cai.id, "Cai's private goal", "private"),
        (dee.id, "Dee's coach-only goal", "coach"),
    ):
        store.record(who, "goal-setting", {"goal": text}, spec_version="goal-setting@1")
        store.set_visibility(who, "goal-setting", level)
    store.add_comment(ana.coach, ana.teacher, "for Ana only")
    page = open_page(store, ana.token)
    text = shown_text(page.widget)
    assert "Ben&#x27;s group goal" in page.shared_html.value
    assert "Cai" not in text
    assert "private goal" not in text
    assert "Dee" not in text
