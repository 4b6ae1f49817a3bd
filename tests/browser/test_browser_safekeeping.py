"""Nothing a teacher types is lost, even when the kernel or the whole server dies while
they type: in a real Chromium against a real `pdkit serve` (then a new one on the same
store and port), with kill -9.

Within 2 s of the loss the page says so in a banner (role=alert) and Save says it
cannot save; what was typed and not acknowledged by the store is kept in the browser,
and after a restart and a reload it is in the store: 0 characters lost.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from _servers import Server, crash, free_port, kernel_pid, open_page, running, serve_command
from pdkit import open_store

pytestmark = pytest.mark.browser

LOAD = 90_000  # ms: a cold Voilà page on a busy 2-core CI machine
BANNER_WITHIN = 2.0  # s, from the kill to the banner on the page
GOAL = "My goal (required)"


class Workshop:
    """`pdkit serve` on one store and port, which a test may crash and start again."""

    def __init__(self, tmp_path: Path, stack: ExitStack) -> None:
        self.tmp_path = tmp_path
        self.stack = stack
        self.store = tmp_path / "store.sqlite3"
        self.port = free_port()
        self.starts = 0
        self.server = self.start()

    def start(self) -> Server:
        self.starts += 1
        self.server = self.stack.enter_context(
            running(
                serve_command(self.store, self.port),
                base_url=f"http://127.0.0.1:{self.port}",
                store=self.store,
                log_path=self.tmp_path / f"serve-{self.starts}.log",
            )
        )
        return self.server

    def stored_goal(self) -> dict[str, Any]:
        store = open_store(str(self.store))
        try:
            (ana,) = store.participants()
            return store.latest(ana.id, "goal-setting", viewer=ana.id)
        finally:
            store.close()


@pytest.fixture
def workshop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Workshop]:
    monkeypatch.delenv("PDKIT_STORE", raising=False)
    with ExitStack() as stack:
        yield Workshop(tmp_path, stack)


def _kernel_of(page: Any) -> str:
    """The id of the kernel the page talks to (from its websocket's address)."""
    sockets = [url for url in page.__dict__["_pdkit_sockets"] if "/api/kernels/" in url]
    assert sockets, "the page opened no kernel websocket"
    return str(sockets[-1].split("/api/kernels/")[1].split("/")[0])


def _open(browser: Any, url: str) -> Any:
    page = open_page(browser, url)
    page.__dict__["_pdkit_sockets"] = []
    page.on("websocket", lambda ws: page.__dict__["_pdkit_sockets"].append(ws.url))
    return page


def _banner_after(page: Any, since: float) -> float:
    banner = page.locator(".pdkit-lost[role=alert]")
    banner.wait_for(timeout=15_000)
    seen = time.monotonic() - since
    text = banner.inner_text()
    assert "connection to the workshop is lost" in text
    assert "saved until now are safe" in text
    assert "kept in this browser" in text
    assert banner.get_by_role("button", name="Reload the page").is_visible()
    assert page.get_by_role("button", name="Save").is_disabled()
    assert "Cannot save now" in page.locator(".pdkit-footer .pdkit-status").inner_text()
    return seen


def _reload_and_find(page: Any, goal: str, step: str, restored: int) -> None:
    page.reload()
    box = page.get_by_label(GOAL)
    box.wait_for(timeout=LOAD)
    page.locator(".pdkit-restored").wait_for(timeout=30_000)
    note = page.locator(".pdkit-restored").inner_text()
    assert (
        f"Restored {restored} unsaved change{'' if restored == 1 else 's'} from this browser."
        in note
    )
    assert box.input_value() == goal
    assert page.get_by_label("Step 1").input_value() == step
    assert page.locator(".pdkit-lost").is_hidden()  # the new page works
    page.get_by_text("Saved at").first.wait_for(timeout=10_000)
    kept = page.evaluate(
        "() => Object.keys(localStorage).filter((k) => k.startsWith('pdkit:pending:'))"
    )
    assert kept == [], f"the page still keeps {kept} after the store saved it"


def test_typing_survives_a_dead_kernel_and_a_dead_server(browser: Any, workshop: Workshop) -> None:
    page = _open(browser, workshop.server.url())
    page.get_by_label("Your name").fill("Ana Ruiz", timeout=LOAD)
    page.get_by_role("button", name="Join").click()
    box = page.get_by_label(GOAL)
    box.wait_for(timeout=30_000)
    box.fill("Students ask questions")
    page.get_by_text("Saved at").first.wait_for(timeout=10_000)
    assert workshop.stored_goal()["goal"] == "Students ask questions"

    # 1. The kernel dies (kill -9) while the teacher types.
    box.press_sequentially(" in every lesson", delay=20)
    killed = time.monotonic()
    os.kill(kernel_pid(workshop.server, _kernel_of(page)), signal.SIGKILL)
    seen = _banner_after(page, killed)
    assert seen <= BANNER_WITHIN, f"the page said nothing for {seen:.2f} s"
    box.press_sequentially(", by March", delay=20)  # typed after the loss
    page.get_by_label("Step 1").fill("Teach question stems")
    goal = "Students ask questions in every lesson, by March"
    assert workshop.stored_goal().get("goal") != goal  # the store never got it

    _reload_and_find(page, goal, "Teach question stems", restored=2)
    assert workshop.stored_goal()["goal"] == goal
    assert workshop.stored_goal()["action_steps"] == ["Teach question stems"]

    # 2. The whole server dies (kill -9 of everything) while the teacher types.
    box = page.get_by_label(GOAL)
    box.press_sequentially(" (8 of 10 students)", delay=20)
    killed = time.monotonic()
    crash(workshop.server)
    seen = _banner_after(page, killed)
    assert seen <= BANNER_WITHIN, f"the page said nothing for {seen:.2f} s"
    box.press_sequentially(" and they answer each other", delay=20)
    step = page.get_by_label("Step 1")
    step.press("End")  # typing goes on at the end of what is there
    step.press_sequentially(" on Mondays", delay=20)

    workshop.start()  # a new server on the same store and port
    back = page.locator(".pdkit-lost-back")
    back.get_by_text("The workshop is back").wait_for(timeout=15_000)

    goal += " (8 of 10 students) and they answer each other"
    _reload_and_find(page, goal, "Teach question stems on Mondays", restored=2)
    stored = workshop.stored_goal()
    assert stored["goal"] == goal  # 0 characters lost
    assert stored["action_steps"] == ["Teach question stems on Mondays"]
