"""Evidence of impact in one journey, in a real Chromium against a real `pdkit serve`
(#16): a teacher sets a measured goal (a typo in a number is refused with a message, not
lost) and shares it with her coach; she checks in twice from "My goal" with the measure's
value, and adds a link to the first check-in as evidence; "My goal" draws A → now → B
with the numbers in words; she invites a colleague from "My goal", who observes her with
her goal's look-fors (the goal, point B, the action step and the measure); she sees his
notes without a reload, and her coach sees them only while she shares them; the coach's
page of her draws the same A → now → B and lists the evidence with its check-in; she
answers the session evaluation, and the facilitator's dashboard counts it (and shows the
answers once five have answered)."""

from __future__ import annotations

from typing import Any

import pytest
from tests._a11y import audit, fits, unlabelled

from _servers import FACILITATOR_KEY
from pdkit import open_store
from pdkit.links import COACH_PURPOSE

pytestmark = pytest.mark.browser

LOAD = 90_000  # ms: a cold Voilà page on a busy 2-core machine
FOLLOW = 15_000  # ms: a page that polls the store shows a change within this
VALUE_LABEL = "Weekly exit ticket, now (%)"
SURVEY = "https://example.org/exit-survey?week=2"


def _open(context: Any, url: str) -> Any:
    page = context.new_page()
    page.on("dialog", lambda dialog: pytest.fail(f"a dialog opened: {dialog.message}"))
    page.goto(url)
    return page


def _check_in(page: Any, value: str, *, share: bool = False) -> None:
    """A check-in from "My goal": open it, answer the first prompt, type the value, save;
    the page's measure then shows the value (it reads the store every 2 s)."""
    page.get_by_role("button", name="Check in now").click(timeout=LOAD)
    page.get_by_role("radio", name="Just started").check(timeout=30_000)
    page.get_by_role("button", name="Next").click()
    page.get_by_label(VALUE_LABEL).fill(value)
    form = page.locator(".pdkit-form")
    if share:
        form.get_by_label("Who can see this?").select_option(label="Me and my coach")
    form.get_by_role("button", name="Save").click()
    page.locator(".pdkit-status-saved").last.wait_for(timeout=FOLLOW)
    page.get_by_text(f"to {value}% so far").wait_for(timeout=10_000)


def _described(chart: Any) -> str:
    text: str = chart.locator("desc").text_content() or ""
    return text


def test_a_measured_goal_with_evidence_an_observation_and_the_evaluation(
    pdkit_server: Any, browser: Any
) -> None:
    store = open_store(pdkit_server.store_path)
    try:
        ana, token = store.create_participant("Ana")
        _ben, ben_token = store.create_participant("Ben")
        kim, _ = store.create_participant("Kim", role="coach")
        store.assign_coach(kim.id, [ana.id])
        coach_token = store.issue_link(kim.id, COACH_PURPOSE)
    finally:
        store.close()
    context = browser.new_context()

    # ------------------------------------------------------------ a measured goal, shared
    goal = _open(context, pdkit_server.url("goal-setting.ipynb") + f"?pdkit={token}")
    goal.get_by_label("My goal (required)").fill(
        "By March, 80% of my class reach the exit ticket's goal", timeout=LOAD
    )
    goal.get_by_label("Point B: where I want them to be").fill("Four in five pass the ticket")
    goal.get_by_label("Step 1").fill("Think-pair-share daily")
    goal.get_by_label("Optional: what I will count to see progress").fill("Weekly exit ticket")
    goal.get_by_role("radio", name="Percent (%)").check()
    goal.get_by_label("Point A as a number: where my students are now").fill("40")
    goal.get_by_text("Add point B as a number too").wait_for(timeout=10_000)  # a hint
    target = goal.get_by_label("Point B as a number: where I want them to be")
    target.fill("1e999")
    goal.get_by_text("Type a number with digits only").wait_for(timeout=10_000)
    assert target.input_value() == "1e999", "what was typed stays in the input"
    target.fill("80")
    form = goal.locator(".pdkit-form").first
    form.get_by_label("Who can see this?").select_option(label="Me and my coach")
    form.get_by_role("button", name="Save").click()
    goal.locator(".pdkit-status-saved").first.wait_for(timeout=FOLLOW)
    goal.close()

    store = open_store(pdkit_server.store_path)
    try:
        saved = store.latest(ana.id, "goal-setting", viewer=ana.id)
        assert store.visibility(ana.id, "goal-setting") == "coach"
    finally:
        store.close()
    assert (saved["baseline"], saved["target"], saved["measure_unit"]) == (40.0, 80.0, "percent")

    # ------------------------------------- two check-ins, the first with a link as evidence
    page = _open(context, pdkit_server.url("my-goal.ipynb") + f"?pdkit={token}")
    _check_in(page, "50", share=True)
    log = page.locator(".pdkit-evidence", has_text="My evidence")
    log.get_by_label("Kind").select_option(label="Survey")
    log.get_by_label("Link").fill(SURVEY)
    log.get_by_label("Caption").fill("Exit survey, week 2")
    checkin = log.get_by_label("With check-in")
    checkin.locator("option", has_text="My latest check-in").wait_for(state="attached")
    checkin.select_option(
        label=checkin.locator("option", has_text="My latest check-in").inner_text()
    )
    log.get_by_role("button", name="Add evidence").click()
    added = log.locator("a.pdkit-evidence-link", has_text="Exit survey, week 2")
    added.wait_for(timeout=FOLLOW)
    assert added.get_attribute("href") == SURVEY
    log.get_by_text("with check-in 1").first.wait_for(timeout=5_000)
    page.reload()  # a new kernel: the next check-in is a new version
    _check_in(page, "62")

    words = page.locator(".pdkit-measure-words")
    assert words.inner_text().startswith("From 40% to 62% so far; target 80%")
    chart = page.locator("svg.pdkit-measure-chart")
    assert chart.is_visible()
    described = _described(chart)
    for said in ("Point A: 40%", "Point B: 80%", "50%", "62%"):
        assert said in described
    assert chart.locator("circle.point").count() == 3  # A, then the two check-ins
    box = chart.bounding_box()
    assert box is not None
    assert box["width"] > 200
    link = page.locator("a.pdkit-class-data-link")
    assert (link.get_attribute("href") or "").endswith(f"class-data.ipynb?pdkit={token}")

    # -------------------------------- a colleague observes with the goal's look-fors
    invite = page.get_by_role("button", name="Invite")
    page.get_by_label("Invite a colleague to observe me").select_option(label="Ben")
    invite.click()
    page.get_by_text("Ben may observe you now.").wait_for(timeout=FOLLOW)
    peer = _open(browser.new_context(), pdkit_server.url("observe.ipynb") + f"?pdkit={ben_token}")
    start = peer.get_by_role("button", name="Start observing")
    start.wait_for(timeout=LOAD)
    start.click()
    rows = peer.locator(".pdkit-look-for-row")
    measured = rows.filter(has_text="Weekly exit ticket")
    measured.wait_for(timeout=FOLLOW)  # the goal's measure is a look-for
    assert rows.count() == 4  # the goal, point B, the action step and the measure
    assert rows.filter(has_text="Think-pair-share daily").count() == 1
    assert unlabelled(peer) == []
    audit(peer, "observe: look-fors")
    fits(peer, "observe: look-fors")
    measured.get_by_role("button", name="Seen").click()
    measured.get_by_label("Note").fill("Exit tickets collected at 10:40")
    peer.get_by_label("Glow: what went well").fill("Every student handed one in")
    peer.get_by_role("button", name="Send to Ana").click()
    peer.get_by_text("Sent to Ana").wait_for(timeout=FOLLOW)
    audit(peer, "observe: notes sent")
    peer.context.close()
    seen = page.locator(".pdkit-observation", has_text="Exit tickets collected at 10:40")
    seen.wait_for(timeout=FOLLOW)  # without a reload, linked to her goal's version
    assert "observed by Ben" in seen.inner_text()
    assert "goal version 1" in seen.inner_text()
    assert "Every student handed one in" in seen.inner_text()

    # Notes follow the goal's sharing (with her coach) unless she keeps them to herself:
    # her coach sees them only while she shares them.
    sharing = page.get_by_label("Share with my coach")
    sharing.select_option(label="Keep it to myself")
    page.get_by_text("Saved: Keep it to myself.").wait_for(timeout=10_000)
    coach = _open(browser.new_context(), pdkit_server.url("coach.ipynb") + f"?pdkit={coach_token}")
    coach.get_by_role("button", name="Open Ana").click(timeout=LOAD)
    shared = coach.locator(".pdkit-observations-shared")
    shared.get_by_text("No observations yet.").wait_for(timeout=FOLLOW)
    assert coach.get_by_text("Exit tickets collected at 10:40").count() == 0
    sharing.select_option(label="Share with my coach")
    page.get_by_text("Saved: Share with my coach.").wait_for(timeout=10_000)
    shared.get_by_text("Exit tickets collected at 10:40").wait_for(timeout=FOLLOW)
    audit(page, "My goal: an observation shared")
    audit(coach, "coach: a teacher's shared observation")

    # On a phone the chart shrinks to the screen: nothing wider than it.
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(300)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 391, f"the page is {width} px wide on a 390 px phone"
    context.close()

    # --------------------------------------------- the coach sees A → now → B and the evidence
    seen_chart = coach.locator("svg.pdkit-measure-chart")
    seen_chart.wait_for(timeout=FOLLOW)
    described = _described(seen_chart)
    for said in ("Point A: 40%", "Point B: 80%", "50%", "62%"):
        assert said in described
    assert seen_chart.locator("circle.point").count() == 3
    words_seen = coach.locator(".pdkit-measure-words").inner_text()
    assert words_seen.startswith("From 40% to 62% so far; target 80%")
    evidence = coach.locator(".pdkit-evidence a.pdkit-evidence-link", has_text="Exit survey")
    evidence.wait_for(timeout=FOLLOW)
    assert evidence.get_attribute("href") == SURVEY
    assert "with check-in 1" in coach.locator(".pdkit-evidence").inner_text()
    coach.context.close()

    # ------------------------------------------- the session evaluation, on the dashboard
    boss = _open(
        browser.new_context(), pdkit_server.url("facilitator.ipynb") + f"?key={FACILITATOR_KEY}"
    )
    teacher = _open(browser.new_context(), pdkit_server.url("evaluation.ipynb") + f"?pdkit={token}")
    form = teacher.locator(".pdkit-evaluation")
    form.get_by_text("How did today go?").wait_for(timeout=LOAD)
    form.locator(".widget-radio-box").nth(0).get_by_label("Strongly agree").check()
    form.get_by_role("button", name="Send my answers").click()
    form.get_by_text("Thank you: your answers are in.").wait_for(timeout=FOLLOW)
    boss.get_by_text("Session evaluation: 1 answered").wait_for(timeout=LOAD)
    boss.get_by_text("fewer than 5 answers: shown when 5 have answered").wait_for()
    store = open_store(pdkit_server.store_path)
    try:
        for i in range(4):  # four more, through the store as their pages would send
            who, _ = store.create_participant(f"Teacher {i}")
            store.submit_evaluation(
                who.id,
                "session-evaluation",
                {"reaction": 5},
                session="default",
                spec_version="session-evaluation@1",
            )
    finally:
        store.close()
    boss.get_by_text("Session evaluation: 5 answered").wait_for(timeout=FOLLOW)
    said = boss.locator(".pdkit-evaluation-summary").inner_text()
    assert "Strongly agree: 5" in said, said
