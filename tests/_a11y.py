"""Accessibility checks a browser test runs on a page.

- :func:`audit` runs axe-core (bundled by ``axe-playwright-python``) with the WCAG 2.0
  and 2.1 A and AA rules on the page as it is now, and fails with every violation and
  the nodes it found them on; a rule is left out only by naming it with a reason.
- :func:`fits` sets the page to a phone's, a tablet's and a projector's width and fails
  when the page scrolls sideways, a button's text is cut off, an input is squeezed under
  48 px, or a control is a smaller touch target than 24 px.
- :func:`unlabelled` lists inputs and buttons without an accessible name.

Every audit adds its time to :data:`SPENT` (seconds, by kind), which the browser tier's
conftest prints at the end of a run, so the cost of the audit stays measured.
"""

from __future__ import annotations

import time
from collections import defaultdict
from typing import Any

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
"""The rules axe runs: WCAG 2.0 and 2.1, levels A and AA."""

WIDTHS = (390, 768, 1920)
"""A phone, a tablet, a projector (CSS pixels)."""

MIN_TARGET = 24
"""WCAG 2.2's minimum touch target (2.5.8, AA), in CSS pixels."""

SPENT: dict[str, float] = defaultdict(float)
"""Seconds spent in :func:`audit` and :func:`fits` during this run, by kind."""

STATES: list[str] = []
"""The page states audited during this run, in order."""

_AXE: Any = None


def _axe() -> Any:
    global _AXE
    if _AXE is None:
        from axe_playwright_python.sync_playwright import Axe

        _AXE = Axe()
    return _AXE


def violations(page: Any, *, skip: dict[str, str] | None = None) -> list[str]:
    """The WCAG A/AA violations axe finds on ``page`` now, one readable line per node.

    ``skip`` maps a rule id to the reason it does not apply (a reason is required)."""
    for rule, reason in (skip or {}).items():
        assert reason.strip(), f"axe rule {rule!r} left out without a reason"
    options: dict[str, Any] = {
        "runOnly": {"type": "tag", "values": WCAG_TAGS},
        "resultTypes": ["violations"],
    }
    if skip:
        options["rules"] = {rule: {"enabled": False} for rule in skip}
    results = _axe().run(page, options=options)
    found = []
    for violation in results.response["violations"]:
        for node in violation["nodes"]:
            found.append(
                f"{violation['id']} ({violation['impact']}): {violation['help']}\n"
                f"    at {node['target']}: {node['html'][:200]}\n"
                f"    {node.get('failureSummary', '')[:300]}"
            )
    return found


def audit(page: Any, state: str, *, skip: dict[str, str] | None = None) -> None:
    """Fail unless axe finds no WCAG 2.0/2.1 A or AA violation on ``page`` in ``state``."""
    started = time.perf_counter()
    found = violations(page, skip=skip)
    SPENT["axe"] += time.perf_counter() - started
    STATES.append(state)
    assert not found, f"axe: {len(found)} violation(s) on {state}:\n" + "\n".join(found)


_SIDEWAYS = """() => {
  const root = document.scrollingElement || document.documentElement;
  const wide = [...document.querySelectorAll('body *')].filter((el) => {
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.right > window.innerWidth + 1 && el.offsetParent !== null;
  }).slice(0, 5).map((el) => el.outerHTML.slice(0, 120));
  return {scroll: root.scrollWidth, width: window.innerWidth, wide};
}"""

_SMALL = """(least) => [...document.querySelectorAll(
    '.pdkit-app button, .pdkit-app input, .pdkit-app select, .pdkit-app textarea, ' +
    '.pdkit-lost button')]
  .filter((el) => el.offsetParent !== null && !el.disabled)
  .map((el) => {
    // A radio or check box is touched through its label, which wraps it.
    const target = (el.type === 'radio' || el.type === 'checkbox') && el.closest('label')
      ? el.closest('label') : el;
    const box = target.getBoundingClientRect();
    return {html: target.outerHTML.slice(0, 120), w: box.width, h: box.height};
  })
  .filter((t) => t.w > 0 && (t.w < least || t.h < least))
  .map((t) => `${Math.round(t.w)}x${Math.round(t.h)} ${t.html}`)"""


_SQUEEZED = """() => {
  // a control that reaches past the box that clips it (or the window): partly hidden
  const cut = (el) => {
    const r = el.getBoundingClientRect();
    for (let box = el.parentElement; box; box = box.parentElement) {
      if (getComputedStyle(box).overflowX !== 'visible') {
        const b = box.getBoundingClientRect();
        return r.right > b.right + 1 || r.left < b.left - 1;
      }
    }
    return r.right > document.documentElement.clientWidth + 1;
  };
  return [...document.querySelectorAll(
    '.pdkit-app button, .pdkit-app input[type=text], .pdkit-app input[type=number], ' +
    '.pdkit-app textarea, .pdkit-app select')]
  .filter((el) => el.offsetParent !== null)
  .filter((el) => el.tagName === 'BUTTON' ? el.scrollWidth > el.clientWidth + 1
    : el.getBoundingClientRect().width < 48 || cut(el) ||
      // a one-line control stretched tall (a dropdown's flex basis taken as its height)
      ((el.tagName === 'INPUT' || (el.tagName === 'SELECT' && !el.multiple && el.size <= 1))
        && el.getBoundingClientRect().height > 60))
  .map((el) => Math.round(el.getBoundingClientRect().width) + ' px: ' +
    el.outerHTML.slice(0, 100)); }"""


def fits(page: Any, state: str, widths: tuple[int, ...] = WIDTHS) -> None:
    """Fail if ``page`` scrolls sideways at any of ``widths``, has a control cut off,
    squeezed or a one-line control stretched tall, or a touch target under 24 px there;
    the page's viewport is put back as it was."""
    started = time.perf_counter()
    before = page.viewport_size
    problems = []
    try:
        for width in widths:
            page.set_viewport_size({"width": width, "height": 900})
            page.wait_for_timeout(150)  # one layout pass of Lumino's resize handler
            found = page.evaluate(_SIDEWAYS)
            if found["scroll"] > found["width"]:
                problems.append(
                    f"{state} at {width} px scrolls sideways: {found['scroll']} px wide; "
                    f"sticking out: {found['wide']}"
                )
            squeezed = page.evaluate(_SQUEEZED)
            if squeezed:
                problems.append(
                    f"{state} at {width} px: cut off, squeezed or stretched: {squeezed}"
                )
            small = page.evaluate(_SMALL, MIN_TARGET)
            if small:
                problems.append(f"{state} at {width} px: touch targets under 24 px: {small}")
    finally:
        if before is not None:
            page.set_viewport_size(before)
        SPENT["widths"] += time.perf_counter() - started
    assert not problems, "\n".join(problems)


def unlabelled(page: Any) -> list[str]:
    """Inputs and buttons of the page that have no accessible name."""
    found: list[str] = page.evaluate(
        """() => [...document.querySelectorAll(
          '.pdkit-app input, .pdkit-app textarea, .pdkit-app button, .pdkit-app select'
        )].filter((el) => el.offsetParent !== null)
        .filter((el) => {
          const named = (el.getAttribute('aria-label') || '').trim() ||
            (el.labels && [...el.labels].some((l) => l.textContent.trim())) ||
            (el.textContent || '').trim() || (el.getAttribute('title') || '').trim();
          return !named;
        }).map((el) => el.outerHTML.slice(0, 120))"""
    )
    return found
