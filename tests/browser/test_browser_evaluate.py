"""The anonymous session evaluation in a real browser against a real `pdkit serve`.

A teacher opens the day page; the facilitator's room reaches the last part (the session
evaluation); she answers and sends it, sees "Thank you", and after a reload still sees
"Thank you" (no form, nothing of her answers in the page or in the browser's storage).
Four more teachers answer through the store (the page's own code path: one sheet each).
The facilitator's dashboard goes from "fewer than 5 answers" to the counts per option.
"""

from __future__ import annotations

from typing import Any

import pytest
from tests._a11y import audit, fits

from _servers import FACILITATOR_KEY, open_page
from pdkit import open_store

pytestmark = pytest.mark.browser

LOAD = 90_000
FOLLOW = 15_000  # ms: the page follows the room, the dashboard redraws, within this
OPEN = "Fewer slides, more time for the protocol"


def test_five_teachers_evaluate_and_the_dashboard_counts(pdkit_server: Any, browser: Any) -> None:
    ana = open_page(browser, pdkit_server.url("day.ipynb"))
    boss = open_page(browser, pdkit_server.url("facilitator.ipynb") + f"?key={FACILITATOR_KEY}")
    ana.get_by_label("Your name").fill("Ana Teacher", timeout=LOAD)
    ana.get_by_role("button", name="Join").click()
    ana.get_by_text("Part 1 of 5: Set your goal").wait_for(timeout=30_000)
    store = open_store(pdkit_server.store_path)
    try:
        store.set_agenda_part("default", "day", 4, expected_version=0)
        ana.get_by_text("Part 5 of 5: Session evaluation").wait_for(timeout=FOLLOW)
        form = ana.locator(".pdkit-evaluation")
        form.get_by_text("How did today go?").wait_for(timeout=FOLLOW)
        form.locator(".widget-radio-box").nth(0).get_by_label("Strongly agree").check()
        form.locator(".widget-radio-box").nth(1).get_by_label("Agree", exact=True).check()
        form.locator("textarea").fill(OPEN)
        audit(ana, "evaluation: filled")
        fits(ana, "evaluation: filled")
        kept = ana.evaluate("() => JSON.stringify(Object.assign({}, window.localStorage))")
        assert OPEN in kept  # kept by the page while it is not sent (a lost connection)
        form.get_by_role("button", name="Send my answers").click()
        form.get_by_text("Thank you: your answers are in.").wait_for(timeout=FOLLOW)
        audit(ana, "evaluation: sent")
        assert OPEN not in ana.inner_text("body")
        kept = ana.evaluate("() => JSON.stringify(Object.assign({}, window.localStorage))")
        assert OPEN not in kept
        assert store.evaluation_count("default", "session-evaluation") == 1
        boss.get_by_text("Session evaluation: 1 answered").wait_for(timeout=LOAD)
        boss.get_by_text("fewer than 5 answers: shown when 5 have answered").wait_for()

        ana.reload()  # the same browser again: "Thank you", no form
        ana.get_by_text("Thank you: your answers are in.").wait_for(timeout=LOAD)
        assert ana.locator(".pdkit-evaluation textarea").count() == 0

        # Four more teachers, through the store as their pages would send.
        for i in range(4):
            who, _ = store.create_participant(f"Teacher {i}")
            store.submit_evaluation(
                who.id,
                "session-evaluation",
                {"reaction": 5, "learning": 3},
                session="default",
                spec_version="session-evaluation@1",
            )
        boss.get_by_text("Session evaluation: 5 answered").wait_for(timeout=FOLLOW)
        summary = boss.locator(".pdkit-evaluation-summary")
        summary.wait_for(timeout=FOLLOW)
        said = summary.inner_text()
        assert "Strongly agree: 5" in said, said
        assert "Neutral: 4" in said, said
        assert OPEN not in boss.inner_text("body")  # open answers only in the tables
        audit(boss, "dashboard: the evaluation's summary")
    finally:
        store.close()
