"""The dashboard's follow-up in a real browser against a real `pdkit serve`: the facilitator
sets the session's check-in dates to 2w,4w, adds a coach and gives them a teacher, and
shows the coach's link; the store has all of it, and the page never holds what the
teacher wrote."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from _servers import open_page
from pdkit import open_store
from pdkit.cli import main

pytestmark = pytest.mark.browser

LOAD = 90_000
FOLLOW = 15_000
SECRET = "Shared plan: wait five seconds after every question"


def test_the_facilitator_sets_the_follow_up_and_a_coach(
    pdkit_server: Any, browser: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    base = pdkit_server.base_url
    store_path = str(pdkit_server.store_path)
    assert (
        main(["session", "create", "--title", "Spring", "--store", store_path, "--url", base]) == 0
    )
    printed = capsys.readouterr().out
    dashboard_url = re.search(r"(http\S+facilitator\.ipynb\?session=\S+)", printed).group(1)  # type: ignore[union-attr]
    link = re.search(r"goal-setting: (http\S+)", printed).group(1)  # type: ignore[union-attr]

    # A teacher joins and shares her goal with the whole session.
    ana = open_page(browser, url=link)
    ana.get_by_label("Your name").fill("Ana", timeout=LOAD)
    ana.get_by_role("button", name="Join").click()
    ana.get_by_label("My goal (required)").fill(SECRET, timeout=30_000)
    ana.get_by_label("Who can see this?").select_option(label="Everyone in this session")
    ana.locator(".pdkit-form").get_by_text("Saved at").wait_for(timeout=FOLLOW)

    boss = open_page(browser, url=dashboard_url)
    boss.get_by_role("heading", name="Follow-up").wait_for(timeout=LOAD)
    day = date.fromisoformat(boss.get_by_label("Session day").input_value())

    # A mistake first: said in one sentence, the typing kept, nothing stored.
    boss.get_by_label("Check-in dates").fill("2w,someday")
    boss.get_by_role("button", name="Save check-in dates").click()
    boss.get_by_text("'someday' is not a check-in date").wait_for(timeout=FOLLOW)
    assert boss.get_by_label("Check-in dates").input_value() == "2w,someday"

    boss.get_by_label("Check-in dates").fill("2w,4w")
    boss.get_by_role("button", name="Save check-in dates").click()
    two, four = day + timedelta(weeks=2), day + timedelta(weeks=4)
    boss.get_by_text(f"Saved: check-ins on {two.isoformat()}, {four.isoformat()}").wait_for(
        timeout=FOLLOW
    )
    checkins = boss.locator(".pdkit-checkins")
    checkins.get_by_role("cell", name="0 of 2").wait_for(timeout=FOLLOW)

    boss.get_by_label("Coach's name").fill("Carla Ruiz")
    boss.get_by_role("button", name="Add coach").click()
    boss.get_by_text("Added the coach Carla Ruiz").wait_for(timeout=FOLLOW)
    boss.get_by_label("Teachers").select_option(label="Ana")
    boss.get_by_role("button", name="Assign to coach").click()
    boss.get_by_text("Carla Ruiz coaches Ana now (1 new)").wait_for(timeout=FOLLOW)
    checkins.get_by_role("cell", name="Carla Ruiz").wait_for(timeout=FOLLOW)

    boss.get_by_role("button", name="Show the coach's link").click()
    shown = boss.locator(".pdkit-coach-link code")
    shown.wait_for(timeout=FOLLOW)
    coach_url = shown.inner_text().strip()
    assert coach_url.startswith(f"{base}/voila/render/coach.ipynb?pdkit=")

    assert SECRET not in boss.content()  # statuses only, even of a goal shared with all

    store = open_store(pdkit_server.store_path)
    try:
        [session] = store.sessions()
        schedule = store.checkin_schedule(session.id)
        assert schedule is not None
        assert schedule.dates == (two, four)
        [coach] = store.coaches(session.id)
        assert coach.display_name == "Carla Ruiz"
        [teacher] = [p for p in store.participants(session.id) if p.role == "teacher"]
        assert store.coached_by(coach.id) == [teacher.id]
        token = parse_qs(urlsplit(coach_url).query)["pdkit"][0]
        signed_in = store.participant_for_token(token)
        assert signed_in is not None
        assert signed_in.id == coach.id
    finally:
        store.close()
    for page in (ana, boss):
        page.context.close()
