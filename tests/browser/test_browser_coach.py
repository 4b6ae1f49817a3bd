"""The coach's page in a real Chromium against a real `pdkit serve`: the coach's link
opens their queue, a teacher's page, a comment that the teacher's "My goal" (open in
another browser) shows within 2 s, agreeing the goal and marking it met."""

from __future__ import annotations

import time
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


def test_coach_link_queue_teacher_comment_and_met(pdkit_server: Any, browser: Any) -> None:
    store = open_store(pdkit_server.store_path)
    try:
        ana, ana_token = store.create_participant("Ana")
        ben, _ = store.create_participant("Ben Unassigned")
        kim, _ = store.create_participant("Kim", role="coach")
        store.assign_coach(kim.id, [ana.id])
        store.record(ana.id, "goal-setting", {"goal": "More questions"}, spec_version="g@1")
        store.set_visibility(ana.id, "goal-setting", "coach")
        store.record(ben.id, "goal-setting", {"goal": "Ben's goal"}, spec_version="g@1")
        store.set_visibility(ben.id, "goal-setting", "session")
        zoe, _ = store.create_participant("Zoe")
        store.record(zoe.id, "goal-setting", {"goal": "Zoe's goal"}, spec_version="g@1")
        store.set_visibility(zoe.id, "goal-setting", "coach")
        store.assign_coach(kim.id, [zoe.id])
        coach_token = store.issue_link(kim.id, COACH_PURPOSE)
    finally:
        store.close()

    teacher = _open(browser, pdkit_server.url("my-goal.ipynb") + f"?pdkit={ana_token}")
    coach = _open(browser, pdkit_server.url("coach.ipynb") + f"?pdkit={coach_token}")

    opener = coach.get_by_role("button", name="Open Ana")
    opener.wait_for(timeout=LOAD)
    rows = coach.locator(".pdkit-queue-row")
    assert [r.split(" · ")[0] for r in rows.all_inner_texts()] == ["Ana", "Zoe"]
    assert coach.get_by_text("Ben Unassigned").count() == 0, "only the coach's teachers"
    assert unlabelled(coach) == []
    audit(coach, "coach: caseload queue")
    fits(coach, "coach: caseload queue")

    # Zoe checks in and asks for a conversation: she moves up without a reload.
    store = open_store(pdkit_server.store_path)
    try:
        store.record(zoe.id, "exit-ticket", {"progress": 2, "support": "coach"}, spec_version="e@1")
        store.set_visibility(zoe.id, "exit-ticket", "coach")
    finally:
        store.close()
    coach.wait_for_function(
        "() => document.querySelector('.pdkit-queue-row').textContent.startsWith('Zoe')",
        timeout=10_000,
    )
    assert "asks for you" in rows.first.inner_text()
    store = open_store(pdkit_server.store_path)
    try:
        store.set_goal_status(ana.id, "asked", by=ana.id)
    finally:
        store.close()
    opener.click()
    coach.locator("dd", has_text="More questions").wait_for(timeout=15_000)

    teacher.locator(".pdkit-goal-status-asked").wait_for(timeout=LOAD)
    coach.get_by_label("Your message").fill("Which students will you watch first?")
    assert unlabelled(coach) == []
    coach.locator(".pdkit-thread").get_by_role("button", name="Send").click()
    coach.get_by_text("Sent.").wait_for(timeout=15_000)
    audit(coach, "coach: a teacher's goal, a comment sent")
    fits(coach, "coach: a teacher's goal")
    sent = time.monotonic()
    teacher.get_by_text("Which students will you watch first?").wait_for(timeout=2_000)
    assert time.monotonic() - sent < 2.0

    coach.get_by_role("button", name="Agree this goal").click()
    teacher.locator(".pdkit-goal-status-agreed").wait_for(timeout=5_000)
    coach.get_by_role("button", name="Mark met").click()
    teacher.locator(".pdkit-goal-status-met").wait_for(timeout=5_000)
    store = open_store(pdkit_server.store_path)
    try:
        assert store.goal_status(ana.id, viewer=ana.id).status == "met"
    finally:
        store.close()

    # A teacher's link on the coach's page: refused, nothing shown.
    refused = _open(browser, pdkit_server.url("coach.ipynb") + f"?pdkit={ana_token}")
    refused.get_by_text("This page is for coaches").wait_for(timeout=LOAD)
    assert refused.get_by_text("Ana").count() == 0
    audit(refused, "coach: refused to a teacher's link")
