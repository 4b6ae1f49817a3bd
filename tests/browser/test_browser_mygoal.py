"""The teacher's "My goal" in a real Chromium against a real `pdkit serve`, at phone
width: opened with the personal link, ask the coach to agree, a coach's comment written
through the store appears within 2 s without a reload, a message typed here reaches the
store, and the calendar file downloads."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from tests._a11y import audit, fits, unlabelled

from pdkit import open_store
from pdkit._clock import today

pytestmark = pytest.mark.browser

LOAD = 90_000  # ms: a cold Voilà page on a busy 2-core machine
PHONE = {"width": 390, "height": 844}
GOAL = "By March, 8 of my 10 students ask a question <img src=x onerror=window.__x=1>"


def test_my_goal_with_a_personal_link(pdkit_server: Any, browser: Any, tmp_path: Path) -> None:
    store = open_store(pdkit_server.store_path)
    try:
        ana, token = store.create_participant("Ana")
        kim, _ = store.create_participant("Kim", role="coach")
        store.assign_coach(kim.id, [ana.id])
        store.record(ana.id, "goal-setting", {"goal": GOAL}, spec_version="goal-setting@1")
        store.set_visibility(ana.id, "goal-setting", "coach")
        day = today()
        store.set_checkin_schedule("default", day, [day + timedelta(14), day + timedelta(28)])
    finally:
        store.close()

    context = browser.new_context(accept_downloads=True, viewport=PHONE)
    page = context.new_page()
    page.on("dialog", lambda dialog: pytest.fail(f"a dialog opened: {dialog.message}"))
    page.goto(pdkit_server.url("my-goal.ipynb") + f"?pdkit={token}")
    ask = page.get_by_role("button", name="Ask my coach to agree this goal")
    ask.wait_for(timeout=LOAD)
    assert page.get_by_text("ask a question <img", exact=False).count() >= 1, "shown as text"
    assert page.evaluate("window.__x") is None
    assert page.get_by_text(f"Your next check-in: {day + timedelta(14)}").count() == 1

    # Phone width: nothing wider than the screen, every input and button labelled.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 1, f"the page is {width} px wide on a 390 px phone"
    assert unlabelled(page) == []
    audit(page, "My goal")
    fits(page, "My goal")
    # Each label of the goal's summary stands above its answer (the widgets' stylesheet
    # floated them side by side, and on a phone a tall label pushed the next one aside).
    beside = page.evaluate(
        """() => [...document.querySelectorAll('.pdkit-summary dd')].filter((dd) => {
          const dt = dd.previousElementSibling;
          return dt && dd.getBoundingClientRect().top < dt.getBoundingClientRect().bottom - 1;
        }).map((dd) => dd.previousElementSibling.textContent)"""
    )
    assert beside == [], f"answers beside their labels: {beside}"

    ask.click()
    page.locator(".pdkit-goal-status-asked").wait_for(timeout=15_000)

    # The coach writes (through the store, as their page does): it appears within 2 s.
    store = open_store(pdkit_server.store_path)
    try:
        store.add_comment(kim.id, ana.id, "Agreed in principle: how will you count questions?")
        written = time.monotonic()
        page.get_by_text("how will you count questions?").wait_for(timeout=2_000)
        shown_after = time.monotonic() - written
    finally:
        store.close()
    assert shown_after < 2.0
    assert page.get_by_text("Coach: Kim").count() == 1

    # A reply typed here reaches the store.
    page.get_by_label("Your message").fill("A tally on Fridays.")
    page.locator(".pdkit-thread").get_by_role("button", name="Send").click()
    page.get_by_text("Sent.").wait_for(timeout=15_000)
    audit(page, "My goal: a reply sent")
    store = open_store(pdkit_server.store_path)
    try:
        texts = [c.text for c in store.comments(ana.id, viewer=ana.id)]
    finally:
        store.close()
    assert texts[-1] == "A tally on Fridays."

    # The calendar file is a real download.
    with page.expect_download(timeout=30_000) as caught:
        page.get_by_role("button", name="Add my check-ins to my calendar (.ics)").click()
    download = caught.value
    assert download.suggested_filename == "my-check-ins.ics"
    target = tmp_path / "cal.ics"
    download.save_as(target)
    data = target.read_text("utf-8")
    assert data.startswith("BEGIN:VCALENDAR")
    assert data.count("BEGIN:VEVENT") == 2
    assert f"{day + timedelta(14):%Y%m%d}" in data
    assert "my-goal.ipynb?pdkit=" in data.replace("\r\n ", "")

    # A message typed and not sent is kept by the browser through a reload (a new kernel).
    page.get_by_label("Your message").fill("Half a thought, not sent")
    page.wait_for_timeout(500)  # the page keeps typing as it comes
    page.reload()
    page.get_by_label("Your message").wait_for(timeout=LOAD)
    page.wait_for_function(
        "() => [...document.querySelectorAll('.pdkit-thread textarea')]"
        ".some((el) => el.value === 'Half a thought, not sent')",
        timeout=15_000,
    )
    page.get_by_text("Restored 1 unsaved change from").wait_for(timeout=5_000)

    # The check-in form is one click away, and the check-in is stored.
    page.get_by_role("button", name="Check in now").click()
    page.get_by_role("radio", name="About halfway").check(timeout=15_000)
    audit(page, "My goal: the check-in form")
    page.locator(".pdkit-my-goal").get_by_role("button", name="Save").click()
    page.get_by_text("Saved at").first.wait_for(timeout=15_000)
    store = open_store(pdkit_server.store_path)
    try:
        assert len(store.checkin_times(ana.id)) == 1
        answers = store.latest(ana.id, "exit-ticket", viewer=ana.id)
    finally:
        store.close()
    assert answers["progress"] == 3
    context.close()
