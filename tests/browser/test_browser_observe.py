"""Observations in a real Chromium against a real `pdkit serve`: a teacher invites a
colleague from "My goal"; the colleague opens the observation page with their personal
link and observes with the goal's look-fors; the teacher sees the notes without a
reload; the coach sees them only once the teacher shares them."""

from __future__ import annotations

from typing import Any

import pytest
from tests._a11y import audit, fits, unlabelled

from pdkit import open_store
from pdkit.links import COACH_PURPOSE

pytestmark = pytest.mark.browser

LOAD = 90_000  # ms: a cold Voilà page on a busy 2-core machine


def _open(browser: Any, url: str) -> Any:
    page = browser.new_context().new_page()
    page.on("dialog", lambda dialog: pytest.fail(f"a dialog opened: {dialog.message}"))
    page.goto(url)
    return page


def test_invite_observe_send_and_share_with_the_coach(pdkit_server: Any, browser: Any) -> None:
    store = open_store(pdkit_server.store_path)
    try:
        ana, ana_token = store.create_participant("Ana")
        _ben, ben_token = store.create_participant("Ben")
        kim, _ = store.create_participant("Kim", role="coach")
        store.assign_coach(kim.id, [ana.id])
        store.record(
            ana.id,
            "goal-setting",
            {
                "goal": "Most students explain their reasoning",
                "point_b": "Two thirds talk in pairs",
                "action_steps": ["Think-pair-share daily"],
            },
            spec_version="goal-setting@1",
        )
        coach_token = store.issue_link(kim.id, COACH_PURPOSE)
    finally:
        store.close()

    teacher = _open(browser, pdkit_server.url("my-goal.ipynb") + f"?pdkit={ana_token}")

    # Ana invites Ben from "My goal".
    invite = teacher.get_by_role("button", name="Invite")
    invite.wait_for(timeout=LOAD)
    teacher.get_by_label("Invite a colleague to observe me").select_option(label="Ben")
    invite.click()
    teacher.get_by_text("Ben may observe you now.").wait_for(timeout=15_000)

    # Ben opens the observation page with his personal link: Ana is whom he may observe.
    peer = _open(browser, pdkit_server.url("observe.ipynb") + f"?pdkit={ben_token}")
    start = peer.get_by_role("button", name="Start observing")
    start.wait_for(timeout=LOAD)
    start.click()
    rows = peer.locator(".pdkit-look-for-row")
    rows.filter(has_text="Think-pair-share daily").wait_for(timeout=15_000)
    assert rows.count() == 3  # the goal, point B and the action step
    assert unlabelled(peer) == []
    audit(peer, "observe: look-fors")
    fits(peer, "observe: look-fors")
    step = rows.filter(has_text="Think-pair-share daily")
    step.get_by_role("button", name="Seen").click()
    step.get_by_label("Note").fill("Pairs at 10:05")
    peer.get_by_label("Glow: what went well").fill("Every pair talked")
    peer.get_by_role("button", name="Send to Ana").click()
    peer.get_by_text("Sent to Ana").wait_for(timeout=15_000)
    audit(peer, "observe: notes sent")

    # Ana sees the notes on "My goal" without a reload, linked to her goal's version.
    seen = teacher.locator(".pdkit-observation", has_text="Pairs at 10:05")
    seen.wait_for(timeout=10_000)
    assert "observed by Ben" in seen.inner_text()
    assert "goal version 1" in seen.inner_text()
    assert "Every pair talked" in seen.inner_text()

    # Her coach sees it only once she shares it (her goal is private).
    coach = _open(browser, pdkit_server.url("coach.ipynb") + f"?pdkit={coach_token}")
    opener = coach.get_by_role("button", name="Open Ana")
    opener.wait_for(timeout=LOAD)
    opener.click()
    shared = coach.locator(".pdkit-observations-shared")
    shared.get_by_text("No observations yet.").wait_for(timeout=15_000)
    assert coach.get_by_text("Pairs at 10:05").count() == 0
    teacher.get_by_label("Share with my coach").select_option(label="Share with my coach")
    teacher.get_by_text("Saved: Share with my coach.").wait_for(timeout=10_000)
    shared.get_by_text("Pairs at 10:05").wait_for(timeout=10_000)
    audit(teacher, "My goal: an observation shared")
    audit(coach, "coach: a teacher's shared observation")
