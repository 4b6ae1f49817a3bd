"""A facilitator paces the Tuning protocol for the room; participants follow in real browsers.

Three real Chromium contexts against a real `pdkit serve`: two participants on the
protocol workbook, one facilitator on the facilitator workbook. Four more
participants (joined through the store) make the room two triads (Tuning needs three
or more), so one control paces several groups; one round here (rounds have their own
browser test). Every participant sees each step the facilitator moves to,
with its countdown, and the notes they write land in the store under their role
and the step.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from tests._a11y import audit, fits

from _servers import FACILITATOR_KEY, open_page
from pdkit import open_store
from pdkit.definitions import load_protocol
from pdkit.store import Viewer

ALL = Viewer.steward(include_private=True)  # every note, for checking what was stored

pytestmark = pytest.mark.browser

LOAD = 90_000
FOLLOW = 10_000  # ms: a participant's page follows the facilitator within this


def _join(page: Any, name: str) -> None:
    page.get_by_label("Your name").fill(name, timeout=LOAD)
    page.get_by_role("button", name="Join").click()
    page.get_by_text("No protocol is running for your group yet").wait_for(timeout=30_000)


def test_facilitator_paces_tuning_for_several_groups(pdkit_server: Any, browser: Any) -> None:
    tuning = load_protocol("tuning")
    ana = open_page(browser, pdkit_server.url("protocol.ipynb"))
    ben = open_page(browser, pdkit_server.url("protocol.ipynb"))
    _join(ana, "Ana")
    _join(ben, "Ben <b>bold</b>")
    audit(ana, "protocol: waiting for the facilitator")
    store = open_store(pdkit_server.store_path)
    try:
        for name in ("Cy", "Dee", "Eve", "Fay"):  # more people in the room, not watched here
            store.create_participant(name)

        # Without the key, the facilitator page refuses.
        stranger = open_page(browser, pdkit_server.url("facilitator.ipynb"))
        stranger.get_by_text("This page is for the facilitator").wait_for(timeout=LOAD)
        assert stranger.get_by_role("button", name="Start").count() == 0
        audit(stranger, "dashboard: refused without the key")

        boss = open_page(browser, pdkit_server.url("facilitator.ipynb") + f"?key={FACILITATOR_KEY}")
        boss.get_by_label("Group size").fill("3", timeout=LOAD)
        boss.get_by_role("button", name="Form groups at random").click()
        boss.get_by_text("6 people have joined, in 2 groups").wait_for(timeout=FOLLOW)
        boss.get_by_label("Protocol").select_option(label=tuning.title)
        # The suggestion for triads comes first: one round each.
        boss.get_by_text("3 rounds: each member of every group presents once").wait_for(
            timeout=FOLLOW
        )
        boss.get_by_label("Rounds").fill("1")
        boss.get_by_label("Rounds").press("Tab")
        boss.get_by_text("1 round: 1 member of each group presents").wait_for(timeout=FOLLOW)
        # The random groups, replaced by the same triads again with the watched two first
        # (each presents in round 1: both write notes in the presentation step).
        ids = {p.display_name.split(" ")[0]: p.id for p in store.participants()}
        store.set_groups(
            "default",
            [[ids["Ana"], ids["Cy"], ids["Eve"]], [ids["Ben"], ids["Dee"], ids["Fay"]]],
        )
        boss.get_by_role("button", name="Start").click()
        boss.get_by_text("for 2 groups. Step 1 of 8").wait_for(timeout=FOLLOW)
        audit(boss, "dashboard: protocol running")
        fits(boss, "dashboard: protocol running")

        people = {"Ana": ana, "Ben": ben}
        for page in people.values():
            page.get_by_text("Step 1 of 8: Introductions and norms").wait_for(timeout=FOLLOW)
            assert re.fullmatch(r"\d+:\d\d left", page.locator(".pdkit-countdown").inner_text())
        assert "Ben <b>bold</b>" in ben.locator(".pdkit-group").inner_text()  # shown as text

        boss.get_by_role("button", name="Next step").click()
        step = tuning.steps[1]
        for page in people.values():
            page.get_by_text(f"Step 2 of 8: {step.title}").wait_for(timeout=FOLLOW)

        # Each writes the notes of their own role in this step.
        [run] = store.runs()
        written = {}
        for name, page in people.items():
            person = next(p for p in store.participants() if p.display_name.startswith(name))
            placement = run.placement(person.id)
            assert placement is not None
            _group, role = placement
            assert f"You are the {tuning.role(role).label}" in page.inner_text("body")
            fields = step.capture_for(role)
            if not fields:  # a group's facilitator writes nothing in this step
                assert "Nothing to write down in this step" in page.inner_text("body")
                continue
            field = fields[0]
            text = f"{name} writes as {role} in {step.id}"
            page.get_by_label(field.label).fill(text)
            page.locator(".pdkit-runner").get_by_text("Saved at").wait_for(timeout=FOLLOW)
            written[person.id] = (role, field.id, text)
        for name, page in people.items():
            audit(page, f"protocol: {name}'s role, notes written")
        fits(ana, "protocol: a role's notes")

        # More time, then a pause: both follow.
        before = int(ana.locator(".pdkit-countdown").get_attribute("data-seconds"))
        boss.get_by_role("button", name="+5 min").click()
        ana.wait_for_function(
            f"Number(document.querySelector('.pdkit-countdown').dataset.seconds) > {before + 200}",
            timeout=FOLLOW,
        )
        boss.get_by_role("button", name="Pause").click()
        for page in people.values():
            page.get_by_text(re.compile(r"Paused, \d+:\d\d left")).wait_for(timeout=FOLLOW)
        audit(ana, "protocol: paused")
        audit(boss, "dashboard: protocol paused")

        assert written  # the test is seeded (seed-free groups: at most one facilitator here)
        notes = store.notes(run.id, viewer=ALL)
        for pid, (role, field_id, text) in written.items():
            mine = [n for n in notes if n.participant == pid]
            assert [(n.step, n.role, n.field, n.value) for n in mine] == [
                (step.id, role, field_id, text)
            ]
        for page in (ana, ben, boss):
            assert page.evaluate("document.querySelectorAll('.pdkit-app b').length") == 0
    finally:
        store.close()
