"""A teacher keeps their own copy: download the workbook, then upload it to continue.

Real Chromium against a real `pdkit serve`: the download button hands the browser a
.ipynb that parses and holds the answers (and an HTML page to print); uploading that
file as a new participant in a fresh browser restores the answers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nbformat
import pytest
from playwright.sync_api import expect
from tests._a11y import audit, fits

from pdkit.notebooks import read_saved

pytestmark = pytest.mark.browser

LOAD = 90_000
GOAL = "By May, 9 of my 10 students explain <their> reasoning in writing"


def _join(browser: Any, url: str, name: str) -> Any:
    page = browser.new_context(accept_downloads=True).new_page()
    page.on("dialog", lambda dialog: pytest.fail(f"a dialog opened: {dialog.message}"))
    page.goto(url)
    page.get_by_label("Your name").fill(name, timeout=LOAD)
    page.get_by_role("button", name="Join").click()
    page.get_by_label("My goal (required)").wait_for(timeout=30_000)
    return page


def test_download_then_upload_in_a_fresh_session(
    pdkit_server: Any, browser: Any, tmp_path: Path
) -> None:
    page = _join(browser, pdkit_server.url("goal-setting.ipynb"), "Ana")
    page.get_by_label("My goal (required)").fill(GOAL)
    page.get_by_role("radio", name="Students do more of the talking and thinking").check()
    page.get_by_label("Step 1").fill("Teach question stems")
    page.locator(".pdkit-form").get_by_role("button", name="Save").click()
    page.get_by_text("Saved at").wait_for(timeout=15_000)

    # The file tools wait behind "My copy", closed, so that a newcomer meets the questions
    # first; the button says whether they are open.
    menu = page.get_by_role("button", name="My copy")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(page.get_by_role("button", name="Download my workbook")).to_be_hidden()
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    controls = menu.get_attribute("aria-controls")
    assert controls
    expect(
        page.locator(f"#{controls}").get_by_role("button", name="Download my workbook")
    ).to_be_visible()
    expect(page.locator(".widget-upload")).to_have_text("Upload to continue")  # no counter
    with page.expect_download(timeout=30_000) as caught:
        page.get_by_role("button", name="Download my workbook").click()
    saved_path = tmp_path / caught.value.suggested_filename
    caught.value.save_as(saved_path)
    assert saved_path.name == "goal-setting-ana.ipynb"
    nbformat.validate(nbformat.read(saved_path, as_version=4))
    saved = read_saved(saved_path.read_bytes(), source=saved_path.name)
    assert saved.answers["goal-setting"]["goal"] == GOAL
    assert saved.answers["goal-setting"]["school_goal"] == "talk"
    assert saved.participant["display_name"] == "Ana"

    with page.expect_download(timeout=30_000) as printed:
        page.get_by_role("button", name="Download to print").click()
    html_path = tmp_path / printed.value.suggested_filename
    printed.value.save_as(html_path)
    html = html_path.read_text(encoding="utf-8")
    assert "explain &lt;their&gt; reasoning" in html
    assert "Students do more of the talking and thinking" in html  # labels, not ids
    printable = page.context.new_page()
    printable.goto(html_path.as_uri())
    audit(printable, "the printable page")
    fits(printable, "the printable page")
    page.context.close()

    # A fresh browser, a new participant (Binder forgot everything): upload to continue.
    later = _join(browser, pdkit_server.url("goal-setting.ipynb"), "Ana again")
    assert later.get_by_label("My goal (required)").input_value() == ""
    later.get_by_role("button", name="My copy").click()
    with later.expect_file_chooser(timeout=15_000) as chooser:
        later.get_by_role("button", name="Upload to continue").click()
    chooser.value.set_files(str(saved_path))
    later.get_by_text("Restored").wait_for(timeout=30_000)
    later.get_by_label("My goal (required)").wait_for(timeout=15_000)
    assert later.get_by_label("My goal (required)").input_value() == GOAL
    assert later.get_by_role(
        "radio", name="Students do more of the talking and thinking"
    ).is_checked()
    assert later.get_by_label("Step 1").input_value() == "Teach question stems"
    later.context.close()
