"""A teacher's pathway in a real Chromium against one real `pdkit serve`, on a 390 px
phone, across two browser sessions: she joins, sets a goal with a school goal, opens
"My goal" and picks the pathway of her school goal, ticks a step with a link; in a
second session (her personal link, a fresh browser) she completes the reflection
workbook, and the pathway's workbook step completes itself; a reload keeps it all."""

from __future__ import annotations

from typing import Any

import pytest
from tests._a11y import unlabelled

from pdkit import open_store

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LOAD = 90_000  # ms: a cold Voilà page on a busy 2-core machine
FOLLOW = 20_000
PHONE = {"width": 390, "height": 844}


def _session(browser: Any) -> Any:
    return browser.new_context(viewport=PHONE)


def _open(context: Any, url: str) -> Any:
    page = context.new_page()
    page.on("dialog", lambda dialog: pytest.fail(f"a dialog opened: {dialog.message}"))
    page.goto(url)
    return page


def _fits(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width} px wide on a 390 px phone"


def test_pick_a_pathway_tick_a_step_and_a_workbook_completes_its_step(
    pdkit_server: Any, browser: Any
) -> None:
    # Session 1: join, set a goal for the school goal "talk".
    first = _session(browser)
    page = _open(first, pdkit_server.url())
    page.get_by_label("Your name").fill("Ana", timeout=LOAD)
    page.get_by_role("button", name="Join").click()
    page.get_by_label("My goal (required)").wait_for(timeout=30_000)
    page.get_by_role("radio", name="Students do more of the talking and thinking").check()
    page.get_by_label("My goal (required)").fill("Most students explain their thinking")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Saved at").wait_for(timeout=FOLLOW)
    link = page.locator("a.pdkit-resume-link").get_attribute("href")
    assert link
    token = link.split("pdkit=")[1].split("&")[0]

    # "My goal": the pathways of her school goal come first; she follows one.
    home = _open(first, pdkit_server.url("my-goal.ipynb") + f"?pdkit={token}")
    panel = home.locator(".pdkit-pathway")
    follow = panel.get_by_role("button", name="Follow this pathway")
    follow.wait_for(timeout=LOAD)
    picker = panel.get_by_label("Pathway")
    first_offered = picker.locator("option").nth(1).inner_text().replace("\xa0", " ")
    assert first_offered == "More student talk, step by step"  # her school goal's first
    picker.select_option(label="More student talk, step by step")
    follow.click()
    counts = panel.locator(".pdkit-pathway-counts")
    counts.get_by_text("Required steps: 0 of 2 done.").wait_for(timeout=FOLLOW)
    reflect = panel.locator(".pdkit-step-reflect")
    assert "Waits for: Read about think-pair-share" in reflect.inner_text()
    assert reflect.get_by_role("button").count() == 0  # it completes itself: no tick

    # She ticks the reading with a link and a note.
    read = panel.locator(".pdkit-step-read-think-pair-share")
    read.get_by_label("Link (optional)").fill("https://example.org/my-notes")
    read.get_by_label("Note (optional)").fill("Tried it in period 2")
    read.get_by_role("button", name="Mark as done").click()
    counts.get_by_text("Required steps: 1 of 2 done.").wait_for(timeout=FOLLOW)
    kept = read.locator("a", has_text="https://example.org/my-notes")
    assert kept.get_attribute("href") == "https://example.org/my-notes"
    assert kept.get_attribute("rel") == "noopener noreferrer"
    assert "Waits for" not in reflect.inner_text()
    assert unlabelled(home) == []
    _fits(home)
    first.close()

    # Session 2: her personal link in a fresh browser; she completes the reflection.
    second = _session(browser)
    work = _open(second, pdkit_server.url("reflection.ipynb") + f"?pdkit={token}")
    work.get_by_label("What: what happened").fill("Pairs talked for five minutes", timeout=LOAD)
    work.get_by_text("Saved at").wait_for(timeout=FOLLOW)

    # Back on "My goal": the workbook step has completed itself, and a reload keeps it all.
    home = _open(second, pdkit_server.url("my-goal.ipynb") + f"?pdkit={token}")
    panel = home.locator(".pdkit-pathway")
    counts = panel.locator(".pdkit-pathway-counts")
    counts.get_by_text("Required steps: 2 of 2 done.").wait_for(timeout=LOAD)
    home.reload()
    panel = home.locator(".pdkit-pathway")
    counts = panel.locator(".pdkit-pathway-counts")
    counts.get_by_text("Required steps: 2 of 2 done.").wait_for(timeout=LOAD)
    assert "Optional steps: 0 done of at least 2." in counts.inner_text()
    assert "(done; required" in panel.locator(".pdkit-step-reflect").inner_text()
    read = panel.locator(".pdkit-step-read-think-pair-share")
    assert "Tried it in period 2" in read.inner_text()
    assert panel.get_by_role("button", name="Change my pathway").count() == 1
    _fits(home)

    # The store holds the choice and the tick.
    store = open_store(pdkit_server.store_path)
    try:
        [ana] = [p for p in store.participants() if p.display_name == "Ana"]
        assert store.pathway_choice(ana.id, viewer=ana.id) == "talk"
        tick = store.pathway_ticks(ana.id, "talk", viewer=ana.id)["read-think-pair-share"]
        assert (tick.done, tick.link) == (True, "https://example.org/my-notes")
    finally:
        store.close()
    second.close()
