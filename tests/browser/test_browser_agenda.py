"""The day's agenda and the room display in real browsers against a real `pdkit serve`.

Two teachers open the day page (day.ipynb); the facilitator moves the room to the next
part from the facilitator page and both pages follow by themselves; a teacher goes back
to the goal part and finds her answer there. The room display (room.ipynb, with the
facilitator's key) shows the part, the protocol's step, a large countdown and per group
only counts, never a teacher's name, in large type at 1280x720 and 1920x1080.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from tests._a11y import audit, fits

from _servers import FACILITATOR_KEY, open_page
from pdkit import open_store, pacing
from pdkit._clock import now
from pdkit.definitions import load_protocol

pytestmark = pytest.mark.browser

LOAD = 90_000
FOLLOW = 10_000  # ms: a page follows the facilitator within this
GOAL = "Ask one open question in every lesson"


def _join(page: Any, name: str) -> None:
    page.get_by_label("Your name").fill(name, timeout=LOAD)
    page.get_by_role("button", name="Join").click()
    page.get_by_text("Part 1 of 5: Set your goal").wait_for(timeout=30_000)


def _sizes(page: Any) -> dict[str, Any]:
    """Computed font sizes (px) and colours on the room display, and whether it fits."""
    return page.evaluate(
        """() => {
        const px = (sel) => parseFloat(getComputedStyle(document.querySelector(sel)).fontSize);
        const room = document.querySelector('.pdkit-room');
        const li = document.querySelector('.pdkit-room-groups li');
        return {
          countdown: px('.pdkit-room-countdown'),
          part: px('.pdkit-room-part'),
          body: parseFloat(getComputedStyle(li).fontSize),
          color: getComputedStyle(li).color,
          background: getComputedStyle(room).backgroundColor,
          fits: document.documentElement.scrollWidth <= window.innerWidth,
        };
    }"""
    )


def _luminance(rgb: str) -> float:
    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(float(v)) for v in re.findall(r"[\d.]+", rgb)[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(a: str, b: str) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_the_room_follows_the_agenda_and_the_wall_shows_counts_only(
    pdkit_server: Any, browser: Any
) -> None:
    tuning = load_protocol("tuning")
    ana = open_page(browser, pdkit_server.url("day.ipynb"))
    ben = open_page(browser, pdkit_server.url("day.ipynb"))
    boss = open_page(browser, pdkit_server.url("facilitator.ipynb") + f"?key={FACILITATOR_KEY}")
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    wall = context.new_page()
    wall.goto(pdkit_server.url("room.ipynb") + f"?key={FACILITATOR_KEY}")
    _join(ana, "Ana Teacher")
    _join(ben, "Ben Teacher")
    assert ana.get_by_role("button", name="3. Revise your goal (coming)").is_disabled()
    audit(ana, "agenda: the day's first part")
    fits(ana, "agenda: the day's first part")
    ana.get_by_label("My goal (required)").fill(GOAL)

    store = open_store(pdkit_server.store_path)
    try:
        people = [p.id for p in store.participants()]
        people += [store.create_participant(n)[0].id for n in ("Cy Teacher", "Dee Teacher")]
        groups = store.set_groups("default", [people[:2], people[2:]])
        roles = {g.id: tuning.assign_roles(list(g.members)) for g in groups}
        store.start_run(
            "default", "tuning", tuning.spec_version, roles, pacing.start(tuning, now())
        )

        # The facilitator moves the room on: both teachers' pages follow by themselves.
        boss.get_by_role("button", name="Next part").click(timeout=LOAD)
        for page in (ana, ben):
            page.get_by_text("Part 2 of 5: Protocol rounds").wait_for(timeout=FOLLOW)
            page.get_by_text("Step 1 of 8").wait_for(timeout=FOLLOW)
        assert store.agenda_state("default", "day").part == 1

        # Ana goes back to her goal: what she typed is there; then back to the room.
        ana.get_by_role("button", name="1. Set your goal").click()
        ana.get_by_text("You are looking back").wait_for(timeout=FOLLOW)
        audit(ana, "agenda: looking back at an earlier part")
        assert ana.get_by_label("My goal (required)").input_value(timeout=FOLLOW) == GOAL
        ana.get_by_role("button", name="Go to the room's part").click()
        ana.get_by_text("The room is here now").wait_for(timeout=FOLLOW)

        # The wall: part, step, a large countdown, speakers, counts, no name.
        wall.get_by_text("Protocol rounds").wait_for(timeout=LOAD)
        wall.get_by_text("Step 1 of 8").wait_for(timeout=FOLLOW)
        wall.get_by_text("Group 2: 2 people · 0 wrote notes in this step").wait_for(timeout=FOLLOW)
        countdown = wall.locator(".pdkit-room-countdown").inner_text()
        assert re.fullmatch(r"\d+:\d\d left", countdown), countdown
        text = wall.inner_text("body")
        assert "Teacher" not in text  # no name of anyone in the room
        assert GOAL not in text
        audit(wall, "room display")
        audit(boss, "dashboard: agenda control")
        fits(wall, "room display")
        for viewport in ({"width": 1280, "height": 720}, {"width": 1920, "height": 1080}):
            wall.set_viewport_size(viewport)
            sizes = _sizes(wall)
            assert sizes["countdown"] >= 48, sizes
            assert sizes["body"] >= 28, sizes
            assert sizes["part"] >= 28, sizes
            assert _contrast(sizes["color"], sizes["background"]) >= 7, sizes
            assert sizes["fits"], sizes

        # The room follows the next part too.
        boss.get_by_role("button", name="Next part").click()
        wall.get_by_text("Revise your goal").first.wait_for(timeout=FOLLOW)
        ben.get_by_text("Part 3 of 5: Revise your goal").wait_for(timeout=FOLLOW)
    finally:
        store.close()
        context.close()
