"""Peer feedback in a group of three, in real browsers against a real `pdkit serve`.

Ana, Ben and Cy open the peer-feedback workbook; the facilitator forms one group of
three. Cy shares her goal with the group; Ana and Ben see it and send feedback (Ben's
holds markup and a script, which must show as text and never run); the feedback
appears on Cy's page by itself; she marks it helpful, starts a new version and revises
her goal. Cy's reflection stays private: it never shows on another participant's page
nor on the facilitator's.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from tests._a11y import audit, fits

from _servers import FACILITATOR_KEY, open_page
from pdkit import open_store

pytestmark = pytest.mark.browser

LOAD = 90_000
FOLLOW = 15_000  # ms: pages poll the store every two seconds
SCRIPT = "<script>alert('feedback')</script><b>bold?</b> <img src=x onerror=alert(2)>"
SECRET = "Cy's private reflection: I felt lost in period 3"
GOAL = "Every student asks one question of a peer each lesson"
REVISED = "Every student asks and answers one peer question each lesson by June"


def _join(page: Any, name: str) -> None:
    page.get_by_label("Your name").fill(name, timeout=LOAD)
    page.get_by_role("button", name="Join").click()
    page.get_by_label("My goal (required)").wait_for(timeout=30_000)


def _sees_group(page: Any, others: list[str], timeout: int) -> None:
    """The page names the participant's group: the others, in the group's order."""
    either = "|".join(re.escape(", ".join(order)) for order in (others, others[::-1]))
    page.get_by_text(re.compile(f"^Your group: ({either})$")).wait_for(timeout=timeout)


def test_three_in_a_group_give_feedback_and_one_revises(pdkit_server: Any, browser: Any) -> None:
    url = pdkit_server.url("peer-feedback.ipynb")
    people = {name: open_page(browser, url) for name in ("Ana", "Ben", "Cy")}
    for name, page in people.items():
        _join(page, name)
    ana, ben, cy = people["Ana"], people["Ben"], people["Cy"]

    # Cy writes a private reflection in the same browser (no join step: same person).
    cy_reflect = cy.context.new_page()
    cy_reflect.on("dialog", lambda dialog: pytest.fail(f"a dialog opened: {dialog.message}"))
    cy_reflect.goto(pdkit_server.url("reflection.ipynb"))
    cy_reflect.get_by_label("What: what happened").fill(SECRET, timeout=LOAD)
    cy_reflect.get_by_text("Saved at").wait_for(timeout=FOLLOW)
    assert "Only you can see this" in cy_reflect.inner_text("body")
    audit(cy_reflect, "reflection, one prompt answered")
    fits(cy_reflect, "reflection")

    boss = open_page(browser, pdkit_server.url("facilitator.ipynb") + f"?key={FACILITATOR_KEY}")
    boss.get_by_label("Group size").fill("3", timeout=LOAD)
    boss.get_by_role("button", name="Form groups at random").click()
    boss.get_by_text("3 people have joined, in 1 groups").wait_for(timeout=FOLLOW)
    for name, page in people.items():
        _sees_group(page, [n for n in people if n != name], FOLLOW)

    # Cy sets her goal and shares it with the group; the page says who can see it.
    cy.get_by_label("My goal (required)").fill(GOAL)
    cy.get_by_label("Who can see this?").select_option(label="Me, my coach and my group")
    cy.get_by_text("You, your coach and the members of your group can see this.").wait_for(
        timeout=FOLLOW
    )
    cy.locator(".pdkit-form").get_by_text("Saved at").wait_for(timeout=FOLLOW)

    for page, kind, text in (
        (ana, "Warm: what works", "Clear and checkable"),
        (ben, "Cool: a gap or a question", SCRIPT),
    ):
        card = page.locator(".pdkit-peer")
        card.get_by_text(GOAL).wait_for(timeout=FOLLOW)
        card.get_by_role("button", name=kind).click()
        card.get_by_label("Your feedback for Cy").fill(text)
        card.get_by_role("button", name="Send feedback").click()
        page.get_by_text("Feedback sent.").wait_for(timeout=FOLLOW)
    audit(ben, "peer feedback: sent")
    fits(ben, "peer feedback")

    received = cy.locator(".pdkit-peer-feedback")
    received.get_by_text("Clear and checkable").wait_for(timeout=FOLLOW)
    received.get_by_text(SCRIPT).wait_for(timeout=FOLLOW)  # the markup, shown as text
    assert cy.locator(".pdkit-peer-feedback b", has_text="bold?").count() == 0
    assert cy.locator(".pdkit-peer-feedback img[src=x]").count() == 0
    assert "from Ana" in received.inner_text()

    cy.get_by_role("button", name="Helpful").first.click()
    cy.get_by_role("button", name="Start a new version").click()
    cy.get_by_text("This version is kept.").wait_for(timeout=FOLLOW)
    cy.get_by_label("My goal (required)").fill(REVISED)
    cy.locator(".pdkit-form").get_by_text("Saved at").wait_for(timeout=FOLLOW)
    versions = cy.locator(".pdkit-versions")
    versions.get_by_text("Version 2").wait_for(timeout=FOLLOW)
    assert "changed: My goal" in versions.inner_text()
    assert REVISED in versions.inner_text()
    audit(cy, "peer feedback: received, goal revised")

    # Ana and Ben see the revised goal; nobody but Cy ever sees her reflection.
    ana.locator(".pdkit-peer").get_by_text(REVISED).wait_for(timeout=FOLLOW)
    for page in (ana, ben, boss):
        page.reload()
    _sees_group(ana, ["Ben", "Cy"], LOAD)
    _sees_group(ben, ["Ana", "Cy"], LOAD)
    boss.get_by_text("3 people have joined, in 1 groups").wait_for(timeout=LOAD)
    for page in (ana, ben, boss):
        assert SECRET not in page.content()
        assert "period 3" not in page.inner_text("body")

    store = open_store(pdkit_server.store_path)
    try:
        [cy_id] = [p.id for p in store.participants() if p.display_name == "Cy"]
        assert store.visibility(cy_id, "goal-setting") == "group"
        assert store.visibility(cy_id, "what-so-what-now-what") == "private"
        feedback = store.feedback(viewer=cy_id)
        assert sorted(f.text for f in feedback) == sorted(["Clear and checkable", SCRIPT])
        assert [f.helpful for f in feedback] == [True, None]
        assert len(store.revision_marks(cy_id, "goal-setting")) == 1
    finally:
        store.close()
    for page in (*people.values(), boss):
        page.context.close()
