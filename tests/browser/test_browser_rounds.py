"""A room of six in two triads runs warm and cool feedback on goals over three rounds, in
real Chromium against a real `pdkit serve`: every member presents once, the presenter's
goal is on their group's pages, feedback written in a round lands in the presenter's
list, and the presenter revises their goal and records which feedback the revision
answers. A pair cannot start Tuning, and is told what to do.

One triad is watched in three browsers; the other joins through the store.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from _servers import FACILITATOR_KEY, open_page
from pdkit import open_store
from pdkit.definitions import load_protocol
from pdkit.definitions.ids import GOAL_FORM

pytestmark = pytest.mark.browser

LOAD = 90_000
FOLLOW = 15_000
GOALS = {
    "Ana": "Every student explains their thinking aloud once a week",
    "Ben": "Half of my questions are open questions by March",
    "Cy": "Students give each other feedback on drafts",
}


def _join(page: Any, name: str) -> None:
    page.get_by_label("Your name").fill(name, timeout=LOAD)
    page.get_by_role("button", name="Join").click()
    page.get_by_text("No protocol is running for your group yet").wait_for(timeout=30_000)


def test_each_member_presents_once_and_revises_from_the_feedback(
    pdkit_server: Any, browser: Any
) -> None:
    warm_cool = load_protocol("warm-cool-feedback")
    # The norms step runs once, before the first round's steps.
    once = sum(s.round == "first" for s in warm_cool.steps)
    per_round = sum(s.round == "each" for s in warm_cool.steps)
    pages = {name: open_page(browser, pdkit_server.url("protocol.ipynb")) for name in GOALS}
    for name, page in pages.items():
        _join(page, name)
    store = open_store(pdkit_server.store_path)
    try:
        people = {p.display_name: p.id for p in store.participants()}
        for name in ("Dee", "Eve", "Fay"):
            people[name] = store.create_participant(name)[0].id
        # The goals were set in the morning (two hours ago), shared with the group.
        morning = time.time() - 2 * 3600
        store._clock = lambda: morning  # type: ignore[attr-defined]
        for name, goal in GOALS.items():
            store.record(people[name], GOAL_FORM, {"goal": goal}, spec_version="goal-setting@1")
            store.set_visibility(people[name], GOAL_FORM, "group")
        store._clock = time.time  # type: ignore[attr-defined]
        store.set_groups(
            "default",
            [[people["Ana"], people["Ben"], people["Cy"]], [people["Dee"], people["Eve"]]],
        )

        boss = open_page(browser, pdkit_server.url("facilitator.ipynb") + f"?key={FACILITATOR_KEY}")
        boss.get_by_label("Protocol").select_option(label="Tuning protocol", timeout=LOAD)
        boss.get_by_role("button", name="Start").click()
        boss.get_by_text("Tuning protocol needs groups of 3 to 12; Group 2 has 2.").wait_for(
            timeout=FOLLOW
        )
        assert "Merge Group 2 with another group" in boss.inner_text(".pdkit-facilitator")
        assert warm_cool.title in boss.inner_text(".pdkit-facilitator")
        assert store.runs() == []

        store.place_in_group(people["Fay"])  # Fay arrives: two triads
        boss.get_by_label("Protocol").select_option(label=warm_cool.title)
        boss.get_by_text("3 rounds: each member of every group presents once").wait_for(
            timeout=FOLLOW
        )
        boss.get_by_role("button", name="Start").click()
        boss.get_by_text("for 2 groups. Round 1 of 3").wait_for(timeout=FOLLOW)

        order = ["Ana", "Ben", "Cy"]  # the group's order: each presents in turn
        for round_, presenter in enumerate(order):
            for name, page in pages.items():
                said = "you present" if name == presenter else f"{presenter} presents"
                page.get_by_text(f"Round {round_ + 1} of 3: {said}.").wait_for(timeout=FOLLOW)
                runner = page.locator(".pdkit-runner")
                if name == presenter:
                    runner.get_by_text("Your goal, as your group sees it").wait_for()
                else:
                    runner.get_by_text(f"{presenter}’s goal, as shared with the group").wait_for()
                assert GOALS[presenter] in runner.inner_text()
            if round_ == 0:  # Cy gives Ana warm feedback in the warm step
                for _ in range(warm_cool.step_index("warm")):
                    boss.get_by_role("button", name="Next step").click()
                cy = pages["Cy"]
                cy.get_by_text("Warm feedback", exact=False).first.wait_for(timeout=FOLLOW)
                cy.get_by_text("goes to the presenter's feedback on their goal").wait_for(
                    timeout=FOLLOW
                )
                cy.get_by_label("Comment 1").fill("Clear and worth doing")
                cy.locator(".pdkit-runner").get_by_text("Saved at").wait_for(timeout=FOLLOW)
                rest = once + per_round - warm_cool.step_index("warm")
            else:
                rest = per_round
            for _ in range(rest):
                boss.get_by_role("button", name="Next step").click()
                time.sleep(0.3)  # one click at a time, as a facilitator paces
        for page in pages.values():
            page.get_by_text("The protocol has ended").wait_for(timeout=FOLLOW)

        [run] = store.runs()
        for group_id in run.roles:
            turns = run.group_turns(group_id)
            presenters = [
                p for roles in turns.values() for p, r in roles.items() if r == "presenter"
            ]
            assert sorted(presenters) == sorted(set(presenters))  # nobody twice
            assert len(presenters) == 3  # everyone in the triad once
        received = store.feedback(viewer=people["Ana"], owner_id=people["Ana"])
        assert [(f.giver, f.category, f.text) for f in received] == [
            (people["Cy"], "warm", "Clear and worth doing")
        ]

        # Ana revises her goal from the feedback, on her goal page.
        goal_page = pages["Ana"].context.new_page()
        goal_page.goto(pdkit_server.url("goal-setting.ipynb"))
        panel = goal_page.locator(".pdkit-feedback-to-revision")
        panel.get_by_text("Feedback on my goal").wait_for(timeout=LOAD)
        box = panel.get_by_label("Warm: what works: Clear and worth doing (Cy)")
        revised = GOALS["Ana"] + ", counted in weekly exit tickets"
        goal_page.get_by_label("My goal (required)").fill(revised)
        goal_page.get_by_text("Saved at").first.wait_for(timeout=FOLLOW)
        box.check()
        panel.get_by_text("Version 2 answers").wait_for(timeout=FOLLOW)
        assert "Clear and worth doing" in panel.inner_text()
        [answered] = store.feedback_trace(people["Ana"], viewer=people["Ana"])
        assert answered.text == "Clear and worth doing"
        assert store.latest(people["Ana"], GOAL_FORM, viewer=people["Ana"])["goal"] == revised
    finally:
        store.close()
