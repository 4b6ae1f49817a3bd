"""The foundation's user story, in a real Chromium against a real `pdkit serve`.

A teacher joins, fills every field type, reloads (a new kernel) and finds everything
restored without joining again; their personal link restores it in a fresh browser;
the store on disk holds the answers; markup typed by a teacher shows as text.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect
from tests._a11y import audit, fits

from pdkit import open_store

pytestmark = pytest.mark.browser

LOAD = 90_000  # ms: a cold Voilà page on a busy 2-core CI machine
XSS_NAME = "Ana <img src=x onerror=window.__pdkit_xss=1>"
XSS_TEXT = "<img src=x onerror=window.__pdkit_xss=2> talk moves"
GOAL = "By March, 8 of my 10 students ask a question in every lesson"
ANSWERS: dict[str, Any] = {
    "school_goal": "talk",
    "goal": GOAL,
    "focus": XSS_TEXT,
    "point_a": "Two students ask questions; most wait for me.",
    "point_b": "Most students ask a question each lesson.",
    "target_date": "2027-03-31",
    "confidence": 3,
    "evidence": ["student_work", "survey"],
    "action_steps": ["Teach three question stems", "Tally questions on Fridays"],
}


def _open(context: Any, url: str) -> Any:
    page = context.new_page()
    page.on("dialog", lambda dialog: pytest.fail(f"a dialog opened: {dialog.message}"))
    page.goto(url)
    return page


def _join(page: Any, name: str) -> None:
    page.get_by_label("Your name").fill(name, timeout=LOAD)
    page.get_by_role("button", name="Join").click()
    page.get_by_label("My goal (required)").wait_for(timeout=30_000)


def _fill_everything(page: Any) -> None:
    page.get_by_role("radio", name="Students do more of the talking and thinking").check()
    page.get_by_label("My goal (required)").fill(GOAL)
    page.get_by_label("Short title for my goal").fill(XSS_TEXT)
    page.get_by_label("Point A: where my students are now").fill(ANSWERS["point_a"])
    page.get_by_label("Point B: where I want them to be").fill(ANSWERS["point_b"])
    page.get_by_label("By when?").fill(ANSWERS["target_date"])
    page.get_by_role("radio", name="Fairly").check()
    page.get_by_role("checkbox", name="Samples of student work").check()
    page.get_by_role("checkbox", name="A short student survey").check()
    page.get_by_label("Step 1").fill(ANSWERS["action_steps"][0])
    page.get_by_role("button", name="Add a step").click()
    page.get_by_label("Step 2").fill(ANSWERS["action_steps"][1])


def _assert_restored(page: Any) -> None:
    page.get_by_label("My goal (required)").wait_for(timeout=LOAD)
    assert page.get_by_label("Your name").count() == 0, "the join step came back"
    assert page.get_by_role(
        "radio", name="Students do more of the talking and thinking"
    ).is_checked()
    assert page.get_by_label("My goal (required)").input_value() == GOAL
    assert page.get_by_label("Short title for my goal").input_value() == XSS_TEXT
    assert (
        page.get_by_label("Point A: where my students are now").input_value() == ANSWERS["point_a"]
    )
    assert page.get_by_label("Point B: where I want them to be").input_value() == ANSWERS["point_b"]
    assert page.get_by_label("By when?").input_value() == ANSWERS["target_date"]
    assert page.get_by_role("radio", name="Fairly").is_checked()
    assert page.get_by_role("checkbox", name="Samples of student work").is_checked()
    assert page.get_by_role("checkbox", name="A short student survey").is_checked()
    assert not page.get_by_role("checkbox", name="Assessment results").is_checked()
    assert page.get_by_label("Step 1").input_value() == ANSWERS["action_steps"][0]
    assert page.get_by_label("Step 2").input_value() == ANSWERS["action_steps"][1]
    assert page.evaluate("window.__pdkit_xss") is None


def test_goal_survives_reload_and_resume_link(pdkit_server: Any, browser: Any) -> None:
    context = browser.new_context()
    page = _open(context, pdkit_server.url())
    page.get_by_label("Your name").wait_for(timeout=LOAD)
    audit(page, "join")
    fits(page, "join")
    _join(page, XSS_NAME)
    audit(page, "goal form, empty")
    who = page.locator(".pdkit-who")
    assert XSS_NAME in who.inner_text(), "the name must show as typed, as text"
    assert who.locator("img").count() == 0

    _fill_everything(page)
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Saved at").wait_for(timeout=15_000)
    assert page.evaluate("window.__pdkit_xss") is None
    audit(page, "goal form, filled and saved")
    fits(page, "goal form, filled")

    # The store on disk holds every answer, as JSON values.
    store = open_store(pdkit_server.store_path)
    try:
        [participant_id] = {e.participant for e in _all_events(store)}
        assert store.latest(participant_id, "goal-setting", viewer=participant_id) == ANSWERS
        participant = store.get_participant(participant_id)
        assert participant is not None
        assert participant.display_name == XSS_NAME
    finally:
        store.close()

    # A plain reload is a new kernel: everything comes back, with no join step.
    page.reload()
    _assert_restored(page)

    # The original link (without the token) in the same browser: restored too.
    original = _open(context, pdkit_server.url())
    _assert_restored(original)

    # The personal resume link sits behind "Copy my personal link": the link goes to the
    # clipboard and the status next to the button says so; the link itself shows on demand.
    shown = page.locator("a.pdkit-resume-link")
    expect(shown).to_be_hidden()
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.get_by_role("button", name="Copy my personal link").click()
    expect(page.locator(".pdkit-resume").get_by_role("status")).to_have_text(
        "Copied: keep it somewhere safe, such as a bookmark or a note to yourself."
    )
    link = page.evaluate("navigator.clipboard.readText()")
    assert link == shown.get_attribute("href")
    assert "pdkit=" in link
    page.get_by_text("Show my link").click()
    expect(shown).to_be_visible()

    # The personal resume link in a fresh browser (no localStorage): restored.
    other_device = browser.new_context()
    _assert_restored(_open(other_device, link))

    # Someone else typing the same name in another browser is a new participant.
    namesake = _open(browser.new_context(), pdkit_server.url())
    _join(namesake, XSS_NAME)
    assert namesake.get_by_label("My goal (required)").input_value() == ""
    context.close()
    other_device.close()


def test_autosave_without_clicking_save(pdkit_server: Any, browser: Any) -> None:
    context = browser.new_context()
    page = _open(context, pdkit_server.url())
    _join(page, "Bo")
    page.get_by_label("My goal (required)").fill("Students explain their thinking by June")
    page.get_by_text("Saved at").wait_for(timeout=15_000)  # no click: autosave
    page.reload()
    page.get_by_label("My goal (required)").wait_for(timeout=LOAD)
    assert page.get_by_label("My goal (required)").input_value() == (
        "Students explain their thinking by June"
    )
    context.close()


_WATCH_NAME_BOX = """
window.__pdkit_seen = {nameBox: false, whileAhead: false};
new MutationObserver(() => {
  const box = document.querySelector(".pdkit-signin .pdkit-name input");
  const step = document.querySelector(".pdkit-join-step");
  const seen = window.__pdkit_seen;
  if (box && box.offsetParent !== null) {
    seen.nameBox = true;
    if (step && step.classList.contains("pdkit-ahead")) {
      seen.whileAhead = true;
      window.__pdkit_box = window.__pdkit_box || box;
    }
  }
}).observe(document, {childList: true, subtree: true, attributes: true});
"""
"""Records, as the page is drawn, whether the name box was ever visible, and whether it
was while the join step was still the one made ahead (before the kernel had heard from
the browser)."""


def _shell_messages(frame: Any) -> tuple[str, dict[str, Any]] | None:
    """A frame the page sent on its kernel websocket, as (msg_type, content) when it is
    a shell message (protocol v1.kernel.websocket.jupyter.org, else JSON)."""
    import json
    import struct

    if isinstance(frame, str):
        msg = json.loads(frame)
        if msg.get("channel") != "shell":
            return None
        return msg["header"]["msg_type"], msg["content"]
    count = struct.unpack_from("<Q", frame, 0)[0]
    offsets = struct.unpack_from(f"<{count}Q", frame, 8)
    parts = [frame[offsets[i] : offsets[i + 1]] for i in range(len(offsets) - 1)]
    if parts[0] != b"shell":
        return None
    return json.loads(parts[1])["msg_type"], json.loads(parts[4])


def test_a_newcomer_can_type_at_once_and_a_returning_teacher_never_sees_the_join_step(
    pdkit_server: Any, browser: Any
) -> None:
    """The join step comes with the page: a newcomer's browser shows it without waiting
    for the kernel to hear from it, and tells the kernel nothing until Join, which is one
    message (the name, the click and the page's report together: a room joining at once
    is that much less for the server to relay). A returning teacher's page waits for the
    kernel and goes straight to their workbook, never showing a name box to type into."""
    context = browser.new_context()
    context.add_init_script(_WATCH_NAME_BOX)
    sent: list[tuple[str, dict[str, Any]]] = []

    def watch(ws: Any) -> None:
        def on_frame(frame: Any) -> None:
            if (message := _shell_messages(frame)) is not None:
                sent.append(message)

        ws.on("framesent", on_frame)

    page = context.new_page()
    page.on("dialog", lambda dialog: pytest.fail(f"a dialog opened: {dialog.message}"))
    page.on("websocket", watch)
    page.goto(pdkit_server.url())
    box = page.get_by_label("Your name")
    box.wait_for(timeout=LOAD)
    page.wait_for_timeout(1500)  # what the page would send on its own, it has sent
    comms = [content for kind, content in sent if kind == "comm_msg"]
    assert all(c["data"].get("method") == "request_states" for c in comms), comms
    same = "document.querySelector('.pdkit-signin .pdkit-name input') === window.__pdkit_box"
    assert page.evaluate(same), "the join step was drawn again: typing in it loses the focus"
    before = len(sent)
    box.fill("Nia")
    box.press("Tab")  # leaving the box sends nothing: its text goes with Join
    page.get_by_role("button", name="Join").click()
    page.get_by_label("My goal (required)").wait_for(timeout=30_000)
    at_join = sent[before:]
    assert [kind for kind, _content in at_join] == ["comm_msg"], at_join
    data = at_join[0][1]["data"]
    assert data["method"] == "custom", data
    message = data["content"]
    assert message["items"] == {"sign-in:name": "Nia", "sign-in:email": ""}, message
    assert message["click"] == "sign-in:join", message
    assert message["report"]["page_url"].startswith(pdkit_server.url()), message
    seen = page.evaluate("window.__pdkit_seen")
    assert seen["nameBox"], seen
    assert seen["whileAhead"], f"the name box waited for the kernel: {seen}"
    link = page.locator("a.pdkit-resume-link")  # made from the page's report
    assert link.get_attribute("href").startswith(pdkit_server.url()), link.get_attribute("href")
    page.get_by_label("My goal (required)").fill(GOAL)
    page.get_by_text("Saved at").wait_for(timeout=15_000)

    again = _open(context, pdkit_server.url())  # the same browser: a stored token
    again.get_by_label("My goal (required)").wait_for(timeout=LOAD)
    assert again.get_by_label("My goal (required)").input_value() == GOAL
    seen = again.evaluate("window.__pdkit_seen")
    assert not seen["nameBox"], "a returning teacher was shown the join step"

    spanish = _open(browser.new_context(), pdkit_server.url() + "?lang=es")
    spanish.get_by_label("Tu nombre").wait_for(timeout=LOAD)  # after the kernel: in Spanish
    assert spanish.get_by_label("Your name").count() == 0
    context.close()
    spanish.context.close()


def test_a_newcomer_who_joins_without_a_name_is_told_and_keeps_the_step(
    pdkit_server: Any, browser: Any
) -> None:
    """Join with an empty name box: the step says what to do and stays as it is; the name
    typed then joins with Enter, as a form is sent (one message, as the button's), with the
    personal link made from the page's report (sent with the first Join, taken once)."""
    context = browser.new_context()
    page = context.new_page()
    sent: list[tuple[str, dict[str, Any]]] = []
    page.on(
        "websocket",
        lambda ws: ws.on(
            "framesent", lambda f: sent.append(m) if (m := _shell_messages(f)) else None
        ),
    )
    page.goto(pdkit_server.url())
    box = page.get_by_label("Your name")
    box.wait_for(timeout=LOAD)
    page.get_by_role("button", name="Join").click()
    expect(page.get_by_role("alert")).to_contain_text("Please type your name", timeout=30_000)
    before = len(sent)
    box.fill("Nia Second")
    box.press("Enter")
    page.get_by_label("My goal (required)").wait_for(timeout=30_000)
    at_enter = sent[before:]
    assert len(at_enter) == 1, at_enter
    assert at_enter[0][1]["data"]["content"]["click"] == "sign-in:join", at_enter
    expect(page.locator(".pdkit-who")).to_contain_text("Nia Second")
    link = page.locator("a.pdkit-resume-link")
    assert link.get_attribute("href").startswith(pdkit_server.url()), link.get_attribute("href")
    context.close()


def _all_events(store: Any) -> list[Any]:
    """Every participant's goal-setting events, read through the public API."""
    import sqlite3

    path = store.path
    with sqlite3.connect(path) as db:
        ids = [row[0] for row in db.execute("SELECT id FROM participants")]
    return [e for pid in ids for e in store.history(pid, "goal-setting", viewer=pid)]


def test_the_workbook_works_in_jupyterlab(lab_server: Any, browser: Any) -> None:
    """The same notebook, opened and run in JupyterLab, saves to the store."""
    context = browser.new_context()
    page = _open(context, f"{lab_server.base_url}/lab/tree/goal-setting.ipynb")
    page.locator(".jp-Notebook").wait_for(timeout=LOAD)
    # Run All only once the kernel is up (the status bar says so), or the click is lost.
    page.get_by_text(re.compile(r"\| Idle")).first.wait_for(timeout=LOAD)
    page.get_by_role("menuitem", name="Run").click()
    page.locator('[data-command="runmenu:run-all"]').click()
    _join(page, "Lab Teacher")
    page.get_by_label("My goal (required)").fill("By June, all my students write daily")
    page.locator(".pdkit-form").get_by_role("button", name="Save").click()
    page.get_by_text("Saved at").wait_for(timeout=15_000)
    assert page.locator("a.pdkit-resume-link").count() == 0, "no Voilà resume link in JupyterLab"
    store = open_store(lab_server.store_path)
    try:
        [event] = _all_events(store)
        assert event.value == "By June, all my students write daily"
    finally:
        store.close()
    context.close()


def test_a_name_typed_key_by_key_reaches_the_kernel_once(pdkit_server: Any, browser: Any) -> None:
    """The sign-in's boxes send what is typed when the box is left or Join clicked, not
    at each keystroke: a room typing its names at once was a message through the one
    server per key (and two more back, the kernel's busy and idle)."""
    context = browser.new_context()
    page = context.new_page()
    sent: list[Any] = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda frame: sent.append(frame)))
    page.goto(pdkit_server.url())
    name = page.get_by_label("Your name")
    name.wait_for(timeout=LOAD)
    page.wait_for_timeout(1_000)  # the page's own messages at load are done
    before = len(sent)
    name.press_sequentially("Nia Okafor-Lee", delay=40)
    page.wait_for_timeout(500)
    typing = len(sent) - before
    assert typing == 0, f"{typing} messages to the kernel while typing 14 keys"
    page.get_by_role("button", name="Join").click()
    page.get_by_label("My goal (required)").wait_for(timeout=30_000)
    expect(page.locator(".pdkit-who")).to_contain_text("Nia Okafor-Lee")
    context.close()
