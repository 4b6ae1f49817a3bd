"""The evidence log in a real Chromium against a real `pdkit serve`: on "My goal" the
teacher adds a link attached to their latest check-in and a piece of student work (the
page reminds them to de-identify it and offers no audience wider than the coach); the
link opens safely; the coach's page of the teacher shows what the coach may see, and not
the item the teacher kept to themself; the teacher changes an item (the coach's page
follows, the earlier version is kept), withdraws one and puts it back; a class's scores
summarised on the private class-data page are attached to a check-in and drawn in the
evidence log."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tests._a11y import audit, fits, unlabelled

from pdkit import open_store
from pdkit.links import COACH_PURPOSE

pytestmark = pytest.mark.browser

LOAD = 90_000  # ms: a cold Voilà page on a busy 2-core machine
FOLLOW = 15_000  # ms: a page that polls the store shows a change within this


def _open(browser: Any, url: str) -> Any:
    page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    page.on("dialog", lambda dialog: pytest.fail(f"a dialog opened: {dialog.message}"))
    page.goto(url)
    return page


def test_evidence_on_my_goal_and_the_coach_page(
    pdkit_server: Any, browser: Any, tmp_path: Path
) -> None:
    store = open_store(pdkit_server.store_path)
    try:
        ana, token = store.create_participant("Ana")
        kim, _ = store.create_participant("Kim", role="coach")
        store.assign_coach(kim.id, [ana.id])
        store.record(ana.id, "goal-setting", {"goal": "More questions"}, spec_version="g@1")
        store.set_visibility(ana.id, "goal-setting", "session")
        store.record(ana.id, "exit-ticket", {"progress": 2}, spec_version="e@1")
        store.add_evidence(
            ana.id, kind="other", caption="Kept to myself", text="x", visibility="private"
        )
        coach_token = store.issue_link(kim.id, COACH_PURPOSE)
    finally:
        store.close()

    page = _open(browser, pdkit_server.url("my-goal.ipynb") + f"?pdkit={token}")
    log = page.locator(".pdkit-evidence")
    add = log.get_by_role("button", name="Add evidence")
    add.wait_for(timeout=LOAD)
    assert unlabelled(page) == []
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 391, f"the page is {width} px wide on a 390 px phone"
    audit(page, "evidence: the empty log")

    # A link, with the latest check-in.
    log.get_by_label("Kind").select_option(label="Survey")
    log.get_by_label("Link").fill("https://example.org/exit-survey?week=3")
    log.get_by_label("Caption").fill("Exit survey <week 3>")
    checkin = log.get_by_label("With check-in")
    checkin.select_option(
        label=checkin.locator("option", has_text="My latest check-in").inner_text()
    )
    add.click()
    link = log.locator("a.pdkit-evidence-link", has_text="Exit survey <week 3>")
    link.wait_for(timeout=15_000)
    assert link.get_attribute("href") == "https://example.org/exit-survey?week=3"
    assert link.get_attribute("rel") == "noopener noreferrer"
    assert link.get_attribute("target") == "_blank"
    log.get_by_text("with check-in 1").wait_for(timeout=5_000)

    # Student work: the box is ticked, the reminder shows, no audience beyond the coach.
    log.get_by_label("Kind").select_option(label="Student work")
    log.get_by_text("De-identify it first").wait_for(timeout=10_000)
    assert log.get_by_label("Contains student data").is_checked()
    audiences = log.get_by_label("Who can see it").locator("option").all_inner_texts()
    assert [a.replace("\xa0", " ") for a in audiences] == [
        "As my goal",
        "Only me",
        "Me and my coach",
    ]
    log.get_by_label("Or a short text").fill("Three essays, names removed")
    log.get_by_label("Caption").fill("Essays after the stems")
    add.click()
    log.get_by_text("Essays after the stems").wait_for(timeout=15_000)
    assert log.locator(".pdkit-evidence-student").count() == 1
    audit(page, "evidence: a link and student work added")
    fits(page, "evidence: a link and student work added")

    store = open_store(pdkit_server.store_path)
    try:
        items = {i.caption: i for i in store.evidence(ana.id, viewer=ana.id)}
    finally:
        store.close()
    assert items["Exit survey <week 3>"].checkin == 1
    assert items["Exit survey <week 3>"].shown == "session"
    assert items["Essays after the stems"].student_data
    assert items["Essays after the stems"].shown == "coach"

    # A caption typed and not added yet is kept by the browser through a reload.
    log.get_by_label("Caption").fill("Half typed, not added")
    page.wait_for_timeout(500)  # the page keeps typing as it comes
    page.reload()
    page.wait_for_function(
        "() => [...document.querySelectorAll('.pdkit-evidence input')]"
        ".some((el) => el.value === 'Half typed, not added')",
        timeout=LOAD,
    )

    # The coach's page of Ana: what the coach may see, not what Ana kept to herself.
    coach = _open(browser, pdkit_server.url("coach.ipynb") + f"?pdkit={coach_token}")
    opener = coach.get_by_role("button", name="Open Ana")
    opener.wait_for(timeout=LOAD)
    opener.click()
    shown = coach.locator(".pdkit-evidence")
    shown.get_by_text("Essays after the stems").wait_for(timeout=15_000)
    assert shown.locator("a.pdkit-evidence-link").get_attribute("rel") == "noopener noreferrer"
    assert shown.get_by_text("Exit survey <week 3>").count() == 1
    assert shown.get_by_text("Kept to myself").count() == 0
    assert shown.get_by_role("button", name="Add evidence").count() == 0

    # Ana changes an item (a new version; the coach's page follows), withdraws one (the
    # coach no longer sees it) and puts it back.
    log.get_by_label("Caption").fill("")
    survey = log.locator(".pdkit-evidence-row", has_text="Exit survey <week 3>")
    survey.get_by_role("button", name="Edit").click()
    caption = log.get_by_label("Caption")
    page.wait_for_function(
        "() => [...document.querySelectorAll('.pdkit-evidence input')]"
        ".some((el) => el.value === 'Exit survey <week 3>')",
        timeout=FOLLOW,
    )
    caption.fill("Exit survey, weeks 3 and 4")
    log.get_by_role("button", name="Save changes").click()
    log.get_by_text("Changed.").wait_for(timeout=FOLLOW)
    shown.get_by_text("Exit survey, weeks 3 and 4").wait_for(timeout=FOLLOW)
    assert shown.get_by_text("Exit survey <week 3>").count() == 0
    essays = log.locator(".pdkit-evidence-row", has_text="Essays after the stems")
    essays.get_by_role("button", name="Withdraw").click()
    withdrawn = log.locator(".pdkit-evidence-withdrawn", has_text="Essays after the stems")
    withdrawn.wait_for(timeout=FOLLOW)
    shown.get_by_text("Essays after the stems").wait_for(state="detached", timeout=FOLLOW)
    withdrawn.get_by_role("button", name="Put back").click()
    shown.get_by_text("Essays after the stems").wait_for(timeout=FOLLOW)
    store = open_store(pdkit_server.store_path)
    try:
        history = store.evidence_history(items["Exit survey <week 3>"].id, viewer=ana.id)
    finally:
        store.close()
    assert [v.caption for v in history] == ["Exit survey <week 3>", "Exit survey, weeks 3 and 4"]

    # From "My goal" to the private class-data page: a CSV's summary (never a row) is
    # attached to the latest check-in, and "My goal" draws it in the evidence log.
    scores = tmp_path / "class.csv"
    scores.write_text("week,score\nWeek 1,40\nWeek 1,50\nWeek 2,60\nWeek 2,64\n")
    data = _open(browser, pdkit_server.url("class-data.ipynb") + f"?pdkit={token}")
    with data.expect_file_chooser(timeout=LOAD) as chooser:
        data.get_by_role("button", name="Upload a CSV").click(timeout=LOAD)
    chooser.value.set_files(str(scores))
    data.get_by_text("class.csv: 4 rows read.").wait_for(timeout=FOLLOW)
    data.get_by_role("button", name="Attach to my check-in").click()
    data.get_by_text("Attached to your latest check-in").wait_for(timeout=FOLLOW)
    data.context.close()
    drawn = log.locator("svg.pdkit-evidence-chart")
    drawn.wait_for(timeout=FOLLOW)
    described = drawn.locator("desc").text_content() or ""
    assert "Week 1: 45" in described, described
    assert "Week 2: 62" in described, described
    audit(coach, "coach: a teacher's evidence")
    page.context.close()
    coach.context.close()
