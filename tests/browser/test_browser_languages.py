"""Every page in every language of pdkit's catalogs, and a right-to-left workbook, in a real
Chromium against one real `pdkit serve`.

The participant's pages (join, the goal-setting form, reflection, My goal, peer feedback,
the protocol page), the coach's page, then, with a protocol running for a group, the
facilitator's dashboard and the room display (with the facilitator's key) open with
``?lang=es`` and ``?lang=fr``; the test fails if any of pdkit's English words (a msgid of
its catalog, the parts longer than 12 characters between placeholders:
:mod:`tests._english`) shows on the page untranslated. Then a workbook whose definition is
in Arabic renders right to left (``dir="rtl"`` and ``lang="ar"`` on the page and the
workbook's container, text aligned right) without scrolling sideways at 390 px, while
pdkit's own words, which have no Arabic catalog, stay English.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest
from tests._a11y import fits
from tests._english import definition_texts, english_parts

from _servers import FACILITATOR_KEY, Server, free_port, open_page, running, serve_command
from pdkit import open_store, pacing
from pdkit.definitions import load_protocol, load_workbook
from pdkit.i18n import translator
from pdkit.links import COACH_PURPOSE
from pdkit.serve import builtin_workbooks_dir

pytestmark = pytest.mark.browser

LOAD = 90_000  # ms: a cold Voilà page on a busy 2-core machine
SETTLE = 1_000  # ms: what a page shows a moment after its first words (late widgets)
RTL_DATA = Path(__file__).resolve().parents[1] / "data" / "rtl"
LANGUAGES = ("es", "fr")
# Kernels pre-heated for the pages the journey opens twice (one per language): each page then
# opens without a kernel start. Not for the dashboard and the room display, opened last: pools
# for them too made the journey slower (133 s against 112 s, one run each, 2026-12-03).
POOLS = [
    arg
    for name in (
        "reflection",
        "my-goal",
        "peer-feedback",
        "protocol",
        "coach",
        "facilitator",
        "room",
    )
    for arg in ("--pool", f"{name}=2")
]


@pytest.fixture
def languages_server(tmp_path: Path) -> Iterator[Server]:
    """`pdkit serve` on pdkit's workbooks and a workbook in Arabic (tests/data/rtl)."""
    root = tmp_path / "workbooks"
    shutil.copytree(builtin_workbooks_dir(), root)
    for definition in RTL_DATA.glob("*.yaml"):
        shutil.copy(definition, root)
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_markdown_cell("# دفتر الأهداف"),
        nbformat.v4.new_code_cell(
            'from pdkit.app import Workbook\n\nworkbook = Workbook("arabic-workbook.yaml")\n'
            "workbook"
        ),
        nbformat.v4.new_code_cell("workbook.section(0)"),
    ]
    notebook.metadata["pdkit"] = {"language": "ar", "workbook": "arabic-workbook"}
    nbformat.write(notebook, root / "arabic.ipynb")
    store = tmp_path / "store.sqlite3"
    port = free_port()
    with running(
        serve_command(store, port, str(root), *POOLS),
        base_url=f"http://127.0.0.1:{port}",
        store=store,
        log_path=tmp_path / "serve.log",
    ) as server:
        yield server


def _heading_in(page: Any, workbook: str, language: str) -> None:
    """The notebook's heading (its first Markdown cell, in the definition's language) and
    the page's title in the page's language."""
    there, english = load_workbook(workbook, language=language), load_workbook(workbook)
    assert there.title != english.title
    heading = page.locator("#rendered_cells h1").first
    page.wait_for_function(
        "t => document.querySelector('#rendered_cells h1').textContent.startsWith(t)",
        arg=there.title,
        timeout=LOAD,
    )
    assert heading.get_attribute("lang") == language
    assert english.title not in heading.inner_text()
    page.wait_for_function("t => document.title.startsWith(t)", arg=there.title, timeout=LOAD)


def _untranslated(page: Any, parts: list[str]) -> list[str]:
    page.wait_for_timeout(SETTLE)
    shown = page.locator("body").inner_text()
    return [part for part in parts if part in shown]


def test_every_page_in_every_language_then_right_to_left(
    languages_server: Any, browser: Any
) -> None:
    started = time.monotonic()
    store = open_store(languages_server.store_path)
    try:
        ana, ana_token = store.create_participant("Ana")
        ben, _ = store.create_participant("Ben")
        kim, _ = store.create_participant("Kim", role="coach")
        store.assign_coach(kim.id, [ana.id])
        store.record(ana.id, "goal-setting", {"goal": "More questions"}, spec_version="g@1")
        store.set_visibility(ana.id, "goal-setting", "coach")
        coach_token = store.issue_link(kim.id, COACH_PURPOSE)
    finally:
        store.close()
    url = languages_server.url
    found: dict[str, list[str]] = {}
    definitions = definition_texts()
    for language in LANGUAGES:
        t = translator(language)
        parts = english_parts(language, definitions)
        assert len(parts) > 200, "the check needs pdkit's words"
        me = f"pdkit={ana_token}&lang={language}"

        # The join page, then the goal-setting form once joined.
        page = open_page(browser, url("goal-setting.ipynb") + f"?lang={language}")
        page.get_by_role("button", name=t("Join")).wait_for(timeout=LOAD)
        _heading_in(page, "goal-setting", language)
        found[f"{language} join"] = _untranslated(page, parts)
        page.get_by_label(t("Your name")).fill("Lucía")
        page.get_by_role("button", name=t("Join")).click()
        page.get_by_role("button", name=t("Not you? Sign out")).wait_for(timeout=LOAD)
        page.get_by_text(t("Who can see this?")).first.wait_for(timeout=LOAD)
        found[f"{language} goal-setting"] = _untranslated(page, parts)
        assert page.locator("html").get_attribute("lang") == language
        assert page.locator("html").get_attribute("dir") == "ltr"  # left to right, as before
        page.context.close()

        for notebook, ready in (
            ("reflection.ipynb", t("Not you? Sign out")),
            ("my-goal.ipynb", t("Every version of my goal")),
            ("peer-feedback.ipynb", t("Versions of your goal")),
            ("protocol.ipynb", t("Not you? Sign out")),
        ):
            page = open_page(browser, url(notebook) + f"?{me}")
            page.get_by_text(ready).first.wait_for(timeout=LOAD)
            found[f"{language} {notebook}"] = _untranslated(page, parts)
            page.context.close()

        coach = open_page(browser, url("coach.ipynb") + f"?pdkit={coach_token}&lang={language}")
        coach.get_by_role("button", name=t("Open {name}").format(name="Ana")).wait_for(timeout=LOAD)
        found[f"{language} coach"] = _untranslated(coach, parts)
        coach.context.close()

    # A protocol running for a group: the dashboard's pacing control and the room display
    # show its step, who speaks and the group's counts.
    store = open_store(languages_server.store_path)
    try:
        [group] = store.set_groups("default", [[ana.id, ben.id]])
        tuning = load_protocol("tuning")
        store.start_run(
            "default",
            tuning.id,
            tuning.spec_version,
            {group.id: {ana.id: "presenter", ben.id: "participant"}},
            pacing.start(tuning, time.time()),
        )
    finally:
        store.close()
    for language in LANGUAGES:
        t = translator(language)
        parts = english_parts(language, definitions)
        lead = f"?key={FACILITATOR_KEY}&lang={language}"
        page = open_page(browser, url("facilitator.ipynb") + lead)
        page.get_by_text(t("Who is where")).first.wait_for(timeout=LOAD)
        page.locator(".pdkit-run-status").first.wait_for(timeout=LOAD)
        _heading_in(page, "facilitator", language)
        found[f"{language} facilitator"] = _untranslated(page, parts)
        assert page.locator("html").get_attribute("lang") == language
        page.context.close()

        page = open_page(browser, url("room.ipynb") + lead)
        page.locator(".pdkit-room-step").first.wait_for(timeout=LOAD)
        page.get_by_text(t("Step {n} of {total}").split("{")[0]).first.wait_for(timeout=LOAD)
        found[f"{language} room"] = _untranslated(page, parts)
        page.context.close()

    untranslated = {where: said for where, said in found.items() if said}
    assert untranslated == {}, untranslated
    assert ben.id  # a second person in the room: the pages list more than one

    # A workbook whose definition is in Arabic: right to left, pdkit's words in English
    # (no Arabic catalog), nothing sticking out sideways on a phone.
    page = open_page(browser, url("arabic.ipynb") + f"?pdkit={ana_token}")
    app = page.locator('.pdkit-app[dir="rtl"]').first
    app.wait_for(timeout=LOAD)
    page.get_by_label("هدفي").first.wait_for(timeout=LOAD)
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("html").get_attribute("lang") == "ar"
    assert app.get_attribute("lang") == "ar"
    assert app.evaluate("el => getComputedStyle(el).direction") == "rtl"
    label = page.locator(".pdkit-app .widget-label", has_text="هدفي").first
    assert label.evaluate("el => getComputedStyle(el).textAlign") == "right"
    assert page.get_by_role("button", name="Not you? Sign out").count() == 1
    fits(page, "an Arabic workbook, right to left", widths=(390,))
    page.context.close()

    print(f"languages journey: {time.monotonic() - started:.0f} s")
