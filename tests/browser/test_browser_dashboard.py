"""A session's dashboard in a real browser against a real `pdkit serve`.

The facilitator makes a session (`pdkit session create`); two teachers join it with its
code (one types it, one opens a link that carries it) and write goals, one of them
private. The dashboard refuses without the session's key; with it, it shows the counts,
statuses, groups and the chart, every workbook's join link with a QR code to project,
follows new joiners by itself, never shows what anyone
wrote, and downloads the session's tables.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from tests._a11y import audit, fits

from _servers import open_page
from pdkit import open_store
from pdkit.cli import main
from pdkit.review import tables

pytestmark = pytest.mark.browser

LOAD = 90_000
FOLLOW = 15_000
SECRET = "Private plan: ask Dana about period 3"


def test_the_dashboard_of_a_session(
    pdkit_server: Any, browser: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    base = pdkit_server.base_url
    made = main(
        ["session", "create", "--title", "Spring <PD>",
         "--store", str(pdkit_server.store_path), "--url", base]
    )  # fmt: skip
    assert made == 0
    printed = capsys.readouterr().out
    code = re.search(r"join code: (\S+)", printed).group(1)  # type: ignore[union-attr]
    dashboard_url = re.search(r"(http\S+facilitator\.ipynb\?session=\S+)", printed).group(1)  # type: ignore[union-attr]
    link = re.search(r"goal-setting: (http\S+)", printed).group(1)  # type: ignore[union-attr]

    # Without the key: a clear refusal, no controls.
    stranger = open_page(browser, downloads=True, url=dashboard_url.split("&key=")[0])
    stranger.get_by_text("This page is for the facilitator").wait_for(timeout=LOAD)
    assert stranger.get_by_role("button").count() == 0
    audit(stranger, "dashboard: refused without the key")

    boss = open_page(browser, downloads=True, url=dashboard_url)
    boss.get_by_role("heading", name="Spring <PD>").wait_for(timeout=LOAD)
    boss.get_by_text(f"Participants join with the code {code}").wait_for(timeout=FOLLOW)
    boss.get_by_text("Nobody has joined yet").wait_for(timeout=FOLLOW)
    audit(boss, "dashboard: a new session")

    # Every participants' workbook's link carries the session's code; its QR code shows
    # for the projector when asked.
    panel = boss.locator(".pdkit-join-links")
    reflection = panel.locator("li", has_text="Reflection workbook")
    href = reflection.get_by_role("link").get_attribute("href") or ""
    assert href.endswith(f"reflection.ipynb?code={code}"), href
    assert panel.locator("li", has_text="Facilitator workbook").count() == 0
    reflection.get_by_text("QR code to project").click()
    qr = reflection.get_by_role("img", name="QR code of the link to Reflection workbook")
    assert qr.is_visible()
    box = qr.bounding_box()
    assert box is not None
    assert box["width"] >= 150  # big enough to scan from a projected screen

    ana = open_page(browser, downloads=True, url=pdkit_server.url("goal-setting.ipynb"))
    ana.get_by_label("Session code").fill(code.lower(), timeout=LOAD)
    ana.get_by_label("Your name").fill("Ana <i>")
    ana.get_by_role("button", name="Join").click()
    ana.get_by_label("My goal (required)").fill(SECRET, timeout=30_000)
    ana.locator(".pdkit-form").get_by_text("Saved at").wait_for(timeout=FOLLOW)

    ben = open_page(browser, downloads=True, url=link)
    ben.get_by_text("You are joining: Spring <PD>").wait_for(timeout=LOAD)
    audit(ben, "join: a session's link")
    assert ben.get_by_label("Session code").count() == 0
    ben.get_by_label("Your name").fill("Ben")
    ben.get_by_role("button", name="Join").click()
    ben.get_by_label("My goal (required)").fill("Students explain their reasoning", timeout=30_000)
    ben.get_by_label("Who can see this?").select_option(label="Me and my coach")
    ben.locator(".pdkit-form").get_by_text("Saved at").wait_for(timeout=FOLLOW)

    # The dashboard follows by itself: counts, statuses, no text.
    roster = boss.locator(".pdkit-roster")
    roster.get_by_text("Ana <i>").wait_for(timeout=FOLLOW)
    roster.get_by_text("Ben").wait_for(timeout=FOLLOW)
    counts = boss.locator(".pdkit-counts")
    counts.get_by_text(re.compile(r"^\s*2 joined")).wait_for(timeout=FOLLOW)
    counts.get_by_text(re.compile(r"^\s*2 goal drafted")).wait_for(timeout=FOLLOW)
    counts.get_by_text(re.compile(r"^\s*1 goal shared")).wait_for(timeout=FOLLOW)
    assert "with coach" in roster.inner_text()
    boss.get_by_label("Group size").fill("2")
    boss.get_by_role("button", name="Form groups at random").click()
    counts.get_by_text(re.compile(r"^\s*2 in a group")).wait_for(timeout=FOLLOW)
    assert SECRET not in boss.content()
    assert "Students explain their reasoning" not in boss.content()
    assert boss.locator(".pdkit-roster i").count() == 0  # a name with markup, as text
    audit(boss, "dashboard: roster, counts and groups")
    fits(boss, "dashboard: roster, counts and groups")

    with boss.expect_download(timeout=30_000) as caught:
        boss.get_by_role("button", name="Download tables (Excel)").click()
    data = Path(caught.value.path()).read_bytes()
    found = tables.read_tables(data, "xlsx")
    assert found["roster"]["display_name"].tolist() == ["Ana <i>", "Ben"]
    assert found["roster"]["goal_visibility"].tolist() == ["private", "coach"]
    assert len(found["groups"]) == 2
    assert SECRET.encode() not in data

    store = open_store(pdkit_server.store_path)
    try:
        [session] = store.sessions()
        assert {p.display_name for p in store.participants(session.id)} == {"Ana <i>", "Ben"}
        assert store.participants() == []  # nobody landed in the default session
    finally:
        store.close()
    for page in (stranger, boss, ana, ben):
        page.context.close()
