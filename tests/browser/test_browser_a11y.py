"""Keyboard and screen reader (issue #17 item 2), in a real Chromium against a real
`pdkit serve`: one journey on one server, with the keyboard only (``page.keyboard``).

A teacher joins (the focus lands on the form's heading), answers, says who can see the
goal and saves; a facilitator forms groups and paces a protocol; the teacher writes a
note in their role and hears the countdown only at a few moments. On the way the test
checks what axe cannot: the focus order follows the page, every focus ring is at least
3:1 against its background, and the accessibility tree names each radio and check box
group by its question, ties help and errors to their fields, gives the page its language
and a title that says what it is, and makes status messages live regions. The coach
report, an offline HTML file, is checked at a phone's width without a server.
"""

from __future__ import annotations

import re
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from tests._a11y import audit, fits

from _servers import FACILITATOR_KEY, open_page
from pdkit import open_store, review
from pdkit.definitions import load_protocol
from pdkit.report import report_html
from pdkit.store import SQLiteStore

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LOAD = 90_000
FOLLOW = 15_000
GOAL = "By May, most students ask a peer a question in every lesson"

_FOCUSED = """() => {
  const el = document.activeElement;
  const box = el.getBoundingClientRect();
  const style = getComputedStyle(el);
  let back = 'rgba(0, 0, 0, 0)';
  // A ring drawn outside the control (a positive offset) lies on what is around it.
  const outside = parseFloat(style.outlineOffset) >= 0;
  for (let node = outside ? el.parentElement : el; node && node.nodeType === 1;
       node = node.parentElement) {
    const color = getComputedStyle(node).backgroundColor;
    if (!/rgba\\(.*, 0\\)$/.test(color) && color !== 'transparent') { back = color; break; }
  }
  const group = el.type === 'radio' && el.closest('[aria-labelledby]');
  const named = group && document.getElementById(group.getAttribute('aria-labelledby'));
  const label = named ? named.textContent
    : el.labels && el.labels.length ? el.labels[0].textContent
    : (el.getAttribute('aria-label') || el.textContent || '');
  let top = box.top + window.scrollY;  // where it is on the page, whatever scrolled
  for (let node = el.parentElement; node; node = node.parentElement) { top += node.scrollTop; }
  return {tag: el.tagName, type: el.type || '', label: label.trim().slice(0, 80), top,
    outline: style.outlineColor,
    width: parseFloat(style.outlineWidth), style: style.outlineStyle,
    background: back === 'rgba(0, 0, 0, 0)' ? 'rgb(255, 255, 255)' : back};
}"""


def _luminance(rgb: str) -> float:
    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(float(v)) for v in re.findall(r"[\d.]+", rgb)[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _ring_ok(focused: dict[str, Any]) -> None:
    """The focused control shows a ring at least 2 px wide and 3:1 against its background."""
    assert focused["style"] != "none", f"no focus ring: {focused}"
    assert focused["width"] >= 2, f"a focus ring under 2 px: {focused}"
    ratio = contrast(focused["outline"], focused["background"])
    assert ratio >= 3, f"focus ring at {ratio:.2f}:1 on {focused}"


def _settled(page: Any, *, quiet: float = 0.8, most: float = 15) -> None:
    """Wait until the page stops moving: what was typed goes to the kernel, and its reply
    (hints under the goal, the autosave's status) redraws parts of the page above the
    next fields. Positions measured before that would jump."""
    started = time.monotonic()
    last, since = None, started
    while time.monotonic() - started < most:
        height = page.evaluate("document.body.scrollHeight")
        if height != last:
            last, since = height, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"the page kept moving for {most} s")


def _tab_to(page: Any, wanted: str, *, most: int = 80) -> list[dict[str, Any]]:
    """Tab until the focused control's label or text matches the pattern ``wanted`` (from
    its start); every control passed on the way, in order, with its ring checked."""
    passed = []
    for _ in range(most):
        page.keyboard.press("Tab")
        focused = page.evaluate(_FOCUSED)
        if focused["tag"] != "BODY":
            _ring_ok(focused)
            passed.append(focused)
        if re.match(wanted, focused["label"]):
            return passed
    raise AssertionError(f"{wanted!r} never got the focus; passed {[p['label'] for p in passed]}")


def _pick_by_keyboard(page: Any, option: str, *, most: int = 40) -> None:
    """Choose ``option`` in the focused (closed) select with the arrow keys: Home, then
    down one option at a time. (Typing its name is a type-ahead that a slow machine
    breaks: a pause of a second between two keys starts a new search, and "Tuning"
    became "The Final Word" in one CI run.)"""
    chosen = (  # ipywidgets writes the spaces of an option as no-break spaces
        "(document.activeElement.selectedOptions[0]?.textContent ?? '')"
        ".replace(/\\u00a0/g, ' ').trim()"
    )
    assert page.evaluate("document.activeElement.tagName") == "SELECT"
    page.keyboard.press("Home")
    for _ in range(most):
        if page.evaluate(chosen) == option:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"{option!r} is not an option; the last was {page.evaluate(chosen)!r}")


def test_keyboard_only_journey_and_what_a_screen_reader_hears(
    pdkit_server: Any, browser: Any
) -> None:
    page = open_page(browser, pdkit_server.url())
    page.get_by_label("Your name").wait_for(timeout=LOAD)
    assert page.evaluate("document.documentElement.lang") == "en"
    expect(page).to_have_title("Goal-setting workbook · pdkit")

    # Join with the keyboard; the focus goes to the form's heading.
    _tab_to(page, "Your name")
    page.keyboard.type("Kay Keys")
    expect(page.get_by_label("Your name")).to_have_value("Kay Keys")
    _tab_to(page, "Join$")
    page.keyboard.press("Enter")
    page.wait_for_function(
        "document.activeElement.tagName === 'H2' && "
        "document.activeElement.textContent.includes('My goal for this cycle')",
        timeout=30_000,
    )

    # The file tools wait behind "My copy", made when it first opens (test_browser_files
    # opens it and checks that no widget counter is in the upload button's label).
    expect(page.locator(".widget-upload")).to_have_count(0)

    # What a screen reader hears of the form.
    form = page.locator(".pdkit-form")
    expect(
        form.get_by_role("radiogroup", name="Which school goal does your goal serve? (required)")
    ).to_have_count(1)
    expect(form.get_by_role("radiogroup", name="How confident am I")).to_have_count(1)
    expect(form.get_by_role("group", name="What evidence will I collect?")).to_have_count(1)
    expect(form.get_by_label("My goal (required)")).to_have_accessible_description(
        re.compile(r"^One or two sentences about what will change.*0 / 600 characters$")
    )
    expect(
        form.get_by_role("status").filter(has_text="Your answers save as you type.")
    ).to_have_count(1)

    # The form in the order it reads, by keyboard only; each ring at least 3:1.
    passed = _tab_to(page, "Which school goal")  # (a radio: its group's first)
    page.keyboard.press("ArrowDown")  # the next option, chosen as it gets the focus
    passed += _tab_to(page, r"My goal \(required\)")
    page.keyboard.type(GOAL)
    _settled(page)
    passed += _tab_to(page, "Point A as a number")
    page.keyboard.type("ten")  # not a number: an error tied to the field
    number = form.get_by_label("Point A as a number: where my students are now")
    expect(number).to_have_attribute("aria-invalid", "true", timeout=FOLLOW)
    expect(number).to_have_accessible_description(re.compile("Type a number with digits only"))
    page.keyboard.press("Control+A")
    page.keyboard.type("4")
    expect(number).not_to_have_attribute("aria-invalid", "true", timeout=FOLLOW)
    passed += _tab_to(page, r"Who can see this\?")
    page.keyboard.press("ArrowDown")  # "Me and my coach"
    passed += _tab_to(page, "Save$")
    tops = [p["top"] for p in passed]
    assert tops == sorted(tops), (
        f"the focus jumps back up: {[(p['label'], p['tag'], round(p['top'])) for p in passed]}"
    )
    page.keyboard.press("Enter")
    expect(form.get_by_role("status").filter(has_text="Saved at")).to_have_count(1, timeout=FOLLOW)
    assert page.get_by_role(
        "radio", name="Students do more of the talking and thinking"
    ).is_checked()
    audit(page, "goal form, filled by keyboard")

    store = open_store(pdkit_server.store_path)
    try:
        everyone = store.participants()
        kays = [p for p in everyone if p.display_name == "Kay Keys"]
        assert len(kays) == 1, [p.display_name for p in everyone]
        [kay] = kays
        answers = store.latest(kay.id, "goal-setting", viewer=kay.id)
        assert answers["goal"] == GOAL
        assert answers["school_goal"] == "talk"
        assert answers["baseline"] == 4
        assert store.visibility(kay.id, "goal-setting") == "coach"
        for name in ("Lu", "Mo"):
            store.create_participant(name)
    finally:
        store.close()

    # The Spanish page says so, to the browser and to a screen reader.
    spanish = open_page(browser, pdkit_server.url() + "?lang=es")
    spanish.get_by_label("Tu nombre").wait_for(timeout=LOAD)
    assert spanish.evaluate("document.documentElement.lang") == "es"
    spanish.context.close()

    # The facilitator forms groups and starts a protocol, by keyboard only.
    tuning = load_protocol("tuning")
    protocol = page.context.new_page()  # Kay's browser: no join step
    protocol.goto(pdkit_server.url("protocol.ipynb"))
    protocol.get_by_text("No protocol is running for your group yet").wait_for(timeout=LOAD)
    expect(protocol).to_have_title(re.compile(r"· pdkit$"))
    boss = open_page(browser, pdkit_server.url("facilitator.ipynb") + f"?key={FACILITATOR_KEY}")
    boss.get_by_label("Group size").wait_for(timeout=LOAD)
    _tab_to(boss, "Group size")
    boss.keyboard.press("Control+A")
    boss.keyboard.type("3")
    _tab_to(boss, "Form groups at random$")
    boss.keyboard.press("Enter")
    boss.get_by_text("3 people have joined, in 1 groups").wait_for(timeout=FOLLOW)
    _tab_to(boss, "Protocol$")
    # The kernel says which protocol it has (its summary): Start starts that one. Wait
    # for it, since ipywidgets holds a quick change back while the kernel is busy, and a
    # click can overtake it. Off Tuning (chosen at first) first, then back by keyboard.
    about = boss.locator(".pdkit-protocol-about")
    expect(about).to_have_text(tuning.summary)
    boss.keyboard.press("Home")
    expect(about).not_to_have_text(tuning.summary, timeout=FOLLOW)
    _pick_by_keyboard(boss, tuning.title)
    expect(about).to_have_text(tuning.summary, timeout=FOLLOW)
    boss.get_by_text("3 rounds: each member of every group presents once").wait_for(timeout=FOLLOW)
    _tab_to(boss, "Start$")
    boss.keyboard.press("Enter")
    boss.get_by_text(re.compile(r"Round 1 of 3 · Step 1 of \d+")).wait_for(timeout=FOLLOW)
    _tab_to(boss, "Next step$")
    boss.keyboard.press("Enter")
    boss.get_by_text(re.compile(r"Round 1 of 3 · Step 2 of \d+")).wait_for(timeout=FOLLOW)
    protocol.get_by_text(
        re.compile(rf"Step 2 of \d+: {re.escape(tuning.steps[1].title)}")
    ).wait_for(timeout=FOLLOW)

    # The countdown is a timer, not a live region; its moments are said politely.
    timer = protocol.get_by_role("timer")
    expect(timer).to_have_text(re.compile(r"\d+:\d\d left"))
    assert timer.get_attribute("aria-live") in (None, "off")
    protocol.evaluate(
        """() => { window.__said = 0; const r = document.getElementById('pdkit-announcer');
        if (r) new MutationObserver(() => { window.__said += 1; })
          .observe(r, {childList: true, characterData: true, subtree: true}); }"""
    )
    protocol.wait_for_timeout(2_000)
    assert protocol.evaluate("window.__said") == 0, "the countdown is said every second"
    _tab_to(boss, "Pause$")
    boss.keyboard.press("Enter")
    announcer = protocol.locator("#pdkit-announcer")
    expect(announcer).to_have_text(re.compile(r"Timer paused, \d+:\d\d to go"), timeout=FOLLOW)
    assert announcer.get_attribute("aria-live") == "polite"
    audit(protocol, "protocol: paused, by keyboard")

    # Kay's note in her role, by keyboard (if her role writes in this step).
    notes = protocol.locator(".pdkit-runner textarea, .pdkit-runner input[type=text]")
    if notes.count():
        label = protocol.evaluate(
            "document.querySelector('.pdkit-runner textarea, .pdkit-runner input[type=text]')"
            ".labels[0].textContent"
        )
        _tab_to(protocol, re.escape(label.strip()))
        protocol.keyboard.type("Noted by keyboard")
        protocol.locator(".pdkit-runner").get_by_role("status").filter(
            has_text="Saved at"
        ).wait_for(timeout=FOLLOW)
    _tab_to(boss, "End$")
    boss.keyboard.press("Enter")
    expect(announcer).to_have_text("Protocol finished.", timeout=FOLLOW)
    audit(protocol, "protocol: ended")
    audit(boss, "dashboard: protocol ended")

    # Peer feedback on Lu's goal (shared with the group), by keyboard.
    store = open_store(pdkit_server.store_path)
    try:
        [lu] = [p for p in store.participants() if p.display_name == "Lu"]
        store.record(lu.id, "goal-setting", {"goal": "Lu's shared goal"}, spec_version="g@1")
        store.set_visibility(lu.id, "goal-setting", "group")
    finally:
        store.close()
    peers = page.context.new_page()
    peers.goto(pdkit_server.url("peer-feedback.ipynb"))
    card = peers.locator(".pdkit-peer")
    card.get_by_text("Lu's shared goal").wait_for(timeout=LOAD)
    _tab_to(peers, "Warm: what works$")
    peers.keyboard.press("Enter")
    _tab_to(peers, "Your feedback for Lu")
    peers.keyboard.type("Clear, and checkable by June")
    _tab_to(peers, "Send feedback$")
    peers.keyboard.press("Enter")
    peers.get_by_text("Feedback sent.").wait_for(timeout=FOLLOW)
    audit(peers, "peer feedback: sent by keyboard")
    store = open_store(pdkit_server.store_path)
    try:
        [sent] = store.feedback(viewer=lu.id)
        assert sent.text == "Clear, and checkable by June"
        assert sent.category == "warm"
    finally:
        store.close()
    for opened in (page, boss):
        opened.context.close()


def test_the_coach_report_reads_on_a_phone(browser: Any, tmp_path: Path) -> None:
    """The report (an offline file): no axe violation, no sideways scrolling at 390 px,
    and each answer under its label rather than squeezed beside it."""
    store = SQLiteStore(str(tmp_path / "store.sqlite3"))
    try:
        ana = store.create_participant("Ana")[0].id
        store.record(
            ana,
            "goal-setting",
            {
                "goal": "By March, 8 of my 10 students ask a question in every lesson",
                "point_a": "Two students ask questions; most wait for me to ask.",
                "point_b": "Most students ask a question each lesson, of me or a peer.",
                "target_date": "2027-03-31",
            },
            spec_version="goal-setting@1",
        )
        store.record(
            ana,
            "exit-ticket",
            {"progress": 2, "next_step": "Tally questions on Fridays", "support": "coach"},
            spec_version="exit-ticket@1",
        )
        store.set_visibility(ana, "goal-setting", "coach")
        store.set_visibility(ana, "exit-ticket", "coach")
        loaded = review.load(store)
    finally:
        store.close()
    path = tmp_path / "report.html"
    now = datetime(2027, 1, 10, tzinfo=timezone.utc)
    path.write_text(report_html(loaded, include_private=True, now=now), "utf-8")
    context = browser.new_context(viewport={"width": 390, "height": 800})
    page = context.new_page()
    page.goto(path.as_uri())
    audit(page, "the coach report")
    fits(page, "the coach report")
    page.set_viewport_size({"width": 390, "height": 800})
    narrow = page.evaluate(
        """() => [...document.querySelectorAll('dd, td')]
        .filter((el) => el.textContent.trim().length > 20)
        .map((el) => el.getBoundingClientRect().width).filter((w) => w < 200)"""
    )
    assert narrow == [], f"answers squeezed into columns under 200 px: {narrow}"
    context.close()
