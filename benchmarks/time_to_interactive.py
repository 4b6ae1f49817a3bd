"""Time to interactive in a real Chromium: pdkit's goal-setting workbook vs a bare Voilà form.

Starts `pdkit serve` (fresh SQLite store) and a plain `voila` on a one-cell notebook
with an ipywidgets Text and Button, then loads each page N times, one at a time:
- bare Voilà: navigation → the text box is visible;
- pdkit, new participant: navigation → the join step's name box is visible;
- pdkit, returning participant (reload): navigation → their saved goal is back in the box.
Prints the median and max of each, and pdkit's ratio to the bare form. Exits non-zero
unless every page loaded, every participant's goal was restored on reload and is in the
store afterwards (a benchmark of error pages would measure nothing).

Usage: python benchmarks/time_to_interactive.py [N]   (default 5 loads; needs chromium)
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from _harness import CHROMIUM, CHROMIUM_ARGS, free_port, start, stop, wait_http

N = int(sys.argv[1]) if len(sys.argv) > 1 else 5
GOAL = "By May, 9 of 10 students explain their answer"
BARE = json.dumps(
    {
        "cells": [
            {
                "cell_type": "code",
                "execution_count": None,
                "metadata": {},
                "outputs": [],
                "source": "import ipywidgets as w\n"
                "w.VBox([w.Text(description='Goal'), w.Button(description='Save')])",
            }
        ],
        "metadata": {
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
        "nbformat": 4,
        "nbformat_minor": 4,
    }
)


def timed(page, url: str, locator: str, reload: bool = False) -> float:  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    page.reload() if reload else page.goto(url)
    page.locator(locator).first.wait_for(state="visible", timeout=120_000)
    return time.perf_counter() - t0


def stored_goals(path: Path) -> dict[str, str]:
    """Each participant's goal in the store, by display name: what the pages saved."""
    from pdkit import open_store

    store = open_store(str(path), create=False)
    try:
        return {
            p.display_name: str(store.latest(p.id, "goal-setting", viewer=p.id).get("goal"))
            for p in store.participants()
        }
    finally:
        store.close()


def summary(name: str, values: list[float], ref: float | None) -> str:
    med = statistics.median(values)
    ratio = f"  ({med / ref:.2f}x bare)" if ref else ""
    return f"{name:<34} median {med:5.2f} s   max {max(values):5.2f} s{ratio}"


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        bare_nb = Path(tmp) / "bare.ipynb"
        bare_nb.write_text(BARE)
        bp, pp = free_port(), free_port()
        bare = start([sys.executable, "-m", "voila", str(bare_nb), f"--port={bp}", "--no-browser"])
        pdk = start(
            [
                sys.executable,
                "-m",
                "pdkit.cli",
                "serve",
                "--port",
                str(pp),
                "--store",
                str(Path(tmp) / "s.sqlite3"),
            ]
        )
        try:
            wait_http(f"http://127.0.0.1:{bp}/")
            wait_http(f"http://127.0.0.1:{pp}/")
            url = f"http://127.0.0.1:{pp}/voila/render/goal-setting.ipynb"
            with sync_playwright() as p:
                browser = p.chromium.launch(
                    executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
                )
                bare_t, new_t, back_t = [], [], []
                for i in range(N):
                    ctx = browser.new_context()
                    page = ctx.new_page()
                    bare_t.append(timed(page, f"http://127.0.0.1:{bp}/", ".widget-text input"))
                    new_t.append(timed(page, url, "text=Your name"))
                    page.get_by_label("Your name").fill(f"Bench {i}")
                    page.get_by_role("button", name="Join").click()
                    goal = page.get_by_label("My goal (required)")
                    goal.fill(f"{GOAL} ({i})")
                    page.get_by_role("button", name="Save").click()
                    page.get_by_text("Saved at").wait_for()
                    back_t.append(timed(page, url, ".pdkit-form textarea", reload=True))
                    if goal.input_value() != f"{GOAL} ({i})":
                        raise SystemExit(
                            f"time_to_interactive: load {i}: the goal was not restored"
                        )
                    ctx.close()
                browser.close()
        finally:
            stop(bare)
            stop(pdk)
        saved = stored_goals(Path(tmp) / "s.sqlite3")
    wanted = {f"Bench {i}": f"{GOAL} ({i})" for i in range(N)}
    if N < 1 or saved != wanted or not len(bare_t) == len(new_t) == len(back_t) == N:
        raise SystemExit(
            f"time_to_interactive: measured {len(new_t)} of {N} loads; the store holds "
            f"{len(saved)} of the {N} goals typed"
        )
    ref = statistics.median(bare_t)
    print(f"time to interactive, {N} sequential loads each, {os.cpu_count()} cores")
    print(summary("bare Voilà + ipywidgets form", bare_t, None))
    print(summary("pdkit goal-setting, new participant", new_t, ref))
    print(summary("pdkit goal-setting, reload (restored)", back_t, ref))


if __name__ == "__main__":
    main()
