"""A measured goal in a real Chromium against a real `pdkit serve` (#16 item 1): the teacher
sets a goal with a measure (a typo in a number is refused with a message, not lost), checks
in twice with the measure's value from "My goal", and "My goal" draws A → now → B with the
numbers in words; once she shares her goal and check-ins with her coach, the coach's page
of her draws the same."""

from __future__ import annotations

from typing import Any

import pytest

from pdkit import open_store
from pdkit.links import COACH_PURPOSE

pytestmark = pytest.mark.browser

LOAD = 90_000  # ms: a cold Voilà page on a busy 2-core machine
VALUE_LABEL = "Weekly exit ticket, now (%)"


def _open(context: Any, url: str) -> Any:
    page = context.new_page()
    page.on("dialog", lambda dialog: pytest.fail(f"a dialog opened: {dialog.message}"))
    page.goto(url)
    return page


def _check_in(page: Any, value: str) -> None:
    """A check-in from "My goal": open it, answer the first prompt, type the value, save;
    the page's measure then shows the value (it reads the store every 2 s)."""
    page.get_by_role("button", name="Check in now").click(timeout=LOAD)
    page.get_by_role("radio", name="Just started").check(timeout=30_000)
    page.get_by_role("button", name="Next").click()
    page.get_by_label(VALUE_LABEL).fill(value)
    page.locator(".pdkit-form").get_by_role("button", name="Save").click()
    page.locator(".pdkit-status-saved").last.wait_for(timeout=15_000)
    page.get_by_text(f"to {value}% so far").wait_for(timeout=10_000)


def test_a_measured_goal_from_a_to_b(pdkit_server: Any, browser: Any) -> None:
    store = open_store(pdkit_server.store_path)
    try:
        ana, token = store.create_participant("Ana")
    finally:
        store.close()
    context = browser.new_context()

    goal = _open(context, pdkit_server.url("goal-setting.ipynb") + f"?pdkit={token}")
    goal.get_by_label("My goal (required)").fill(
        "By March, 80% of my class reach the exit ticket's goal", timeout=LOAD
    )
    goal.get_by_label("Optional: what I will count to see progress").fill("Weekly exit ticket")
    goal.get_by_role("radio", name="Percent (%)").check()
    goal.get_by_label("Point A as a number: where my students are now").fill("40")
    goal.get_by_text("Add point B as a number too").wait_for(timeout=10_000)  # a hint
    target = goal.get_by_label("Point B as a number: where I want them to be")
    target.fill("1e999")
    goal.get_by_text("Type a number with digits only").wait_for(timeout=10_000)
    assert target.input_value() == "1e999", "what was typed stays in the input"
    target.fill("80")
    goal.locator(".pdkit-form").first.get_by_role("button", name="Save").click()
    goal.locator(".pdkit-status-saved").first.wait_for(timeout=15_000)
    goal.close()

    store = open_store(pdkit_server.store_path)
    try:
        saved = store.latest(ana.id, "goal-setting", viewer=ana.id)
    finally:
        store.close()
    assert (saved["baseline"], saved["target"], saved["measure_unit"]) == (40.0, 80.0, "percent")

    page = _open(context, pdkit_server.url("my-goal.ipynb") + f"?pdkit={token}")
    _check_in(page, "50")
    page.reload()  # a new kernel: the next check-in is a new version
    _check_in(page, "62")

    words = page.locator(".pdkit-measure-words")
    assert words.inner_text().startswith("From 40% to 62% so far; target 80%")
    chart = page.locator("svg.pdkit-measure-chart")
    assert chart.is_visible()
    described = chart.locator("desc").text_content() or ""
    for said in ("Point A: 40%", "Point B: 80%", "50%", "62%"):
        assert said in described
    assert chart.locator("circle.point").count() == 3  # A, then the two check-ins
    box = chart.bounding_box()
    assert box is not None
    assert box["width"] > 200
    link = page.locator("a.pdkit-class-data-link")
    assert (link.get_attribute("href") or "").endswith(f"class-data.ipynb?pdkit={token}")
    # On a phone the chart shrinks to the screen: nothing wider than it.
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(300)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 391, f"the page is {width} px wide on a 390 px phone"
    context.close()

    # Her coach sees A → now → B once she shares the goal and the check-ins with them.
    store = open_store(pdkit_server.store_path)
    try:
        kim, _ = store.create_participant("Kim", role="coach")
        store.assign_coach(kim.id, [ana.id])
        store.set_visibility(ana.id, "goal-setting", "coach")
        store.set_visibility(ana.id, "exit-ticket", "coach")
        coach_token = store.issue_link(kim.id, COACH_PURPOSE)
    finally:
        store.close()
    coach = _open(browser.new_context(), pdkit_server.url("coach.ipynb") + f"?pdkit={coach_token}")
    coach.get_by_role("button", name="Open Ana").click(timeout=LOAD)
    seen = coach.locator("svg.pdkit-measure-chart")
    seen.wait_for(timeout=15_000)
    described = seen.locator("desc").text_content() or ""
    for said in ("Point A: 40%", "Point B: 80%", "50%", "62%"):
        assert said in described
    assert seen.locator("circle.point").count() == 3
    words = coach.locator(".pdkit-measure-words").inner_text()
    assert words.startswith("From 40% to 62% so far; target 80%")
    coach.context.close()
