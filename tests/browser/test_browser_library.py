"""The protocol library in a real browser: the facilitator's picker starts on Tuning and
lists the library by title, and a new protocol (Chalk Talk, silent, no presenter) runs
for the room with its norms step first.

A real `pdkit serve`, real Chromium: one participant on the protocol workbook, the
facilitator on the facilitator workbook; two more participants join through the store.
"""

from __future__ import annotations

from typing import Any

import pytest

from _servers import FACILITATOR_KEY, open_page
from pdkit import open_store
from pdkit.definitions import builtin_definitions, load_protocol

pytestmark = pytest.mark.browser

LOAD = 90_000
FOLLOW = 10_000  # ms


def test_the_picker_starts_on_tuning_and_chalk_talk_runs(pdkit_server: Any, browser: Any) -> None:
    chalk = load_protocol("chalk-talk")
    ana = open_page(browser, pdkit_server.url("protocol.ipynb"))
    ana.get_by_label("Your name").fill("Ana", timeout=LOAD)
    ana.get_by_role("button", name="Join").click()
    ana.get_by_text("No protocol is running for your group yet").wait_for(timeout=30_000)
    store = open_store(pdkit_server.store_path)
    try:
        for name in ("Ben", "Cy"):
            store.create_participant(name)

        boss = open_page(browser, pdkit_server.url("facilitator.ipynb") + f"?key={FACILITATOR_KEY}")
        picker = boss.get_by_label("Protocol")
        picker.wait_for(timeout=LOAD)
        # ipywidgets writes the spaces of option labels as no-break spaces.
        titles = [t.replace("\xa0", " ") for t in picker.locator("option").all_inner_texts()]
        shipped = [load_protocol(i).title for i in builtin_definitions("protocol")]
        assert titles == sorted(shipped, key=str.casefold)
        selected = picker.evaluate("el => el.options[el.selectedIndex].text").replace("\xa0", " ")
        assert selected == load_protocol("tuning").title
        assert titles[0] != selected

        boss.get_by_label("Group size").fill("3")
        boss.get_by_role("button", name="Form groups at random").click()
        boss.get_by_text("3 people have joined, in 1 group").wait_for(timeout=FOLLOW)
        picker.select_option(label=chalk.title)
        boss.get_by_role("button", name="Start").click()
        total = len(chalk.steps)
        boss.get_by_text(f"Step 1 of {total}").wait_for(timeout=FOLLOW)

        ana.get_by_text(f"Step 1 of {total}: {chalk.steps[0].title}").wait_for(timeout=FOLLOW)
        [run] = store.runs()
        me = next(p for p in store.participants() if p.display_name == "Ana")
        placement = run.placement(me.id)
        assert placement is not None
        role = placement[1]
        assert role in {"facilitator", "participant"}
        assert f"You are the {chalk.role(role).label}" in ana.inner_text("body")

        boss.get_by_role("button", name="Next step").click()
        boss.get_by_role("button", name="Next step").click()
        talk = chalk.steps[2]
        ana.get_by_text(f"Step 3 of {total}: {talk.title}").wait_for(timeout=FOLLOW)
        # The step's title and its prompt are two messages: wait for the prompt as well.
        ana.get_by_text(talk.prompt_for(role)).wait_for(timeout=FOLLOW)
    finally:
        store.close()
