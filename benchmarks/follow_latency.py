"""How fast does every participant's page follow the facilitator? (real Chromium, real Voilà)

Starts `pdkit serve`, opens N participant pages on the protocol workbook and the
facilitator page, forms groups, starts Tuning, then clicks "Next step" K times and
measures, for every participant page, the time from the click until the page shows
the new step. Prints median, p95 and max over all participants and clicks. Exits
non-zero unless every page followed every click and the store's run is at the step the
facilitator moved it to.

Usage: python benchmarks/follow_latency.py [N] [K]   (default 4 participants, 5 clicks)
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from _harness import CHROMIUM, CHROMIUM_ARGS, free_port, start, stop, wait_http

N = int(sys.argv[1]) if len(sys.argv) > 1 else 4
K = int(sys.argv[2]) if len(sys.argv) > 2 else 5
KEY = "bench-Hd3nQ8wR5yT1uJ6e"  # pdkit serve refuses weak keys
STEPS = 8  # the Tuning protocol's


def run_step(path: Path) -> tuple[int, int]:
    """(participants, the step of the session's one run), as the store has them."""
    from pdkit import open_store

    store = open_store(str(path), create=False)
    try:
        [run] = store.runs()
        return len(store.participants()), run.state.step
    finally:
        store.close()


def main() -> None:
    if not (N >= 2 and 1 <= K < STEPS):  # a protocol runs in groups of two or more
        raise SystemExit(f"follow_latency: N must be at least 2 and K between 1 and {STEPS - 1}")
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        server = start(
            [
                sys.executable,
                "-m",
                "pdkit.cli",
                "serve",
                "--port",
                str(port),
                "--store",
                str(Path(tmp) / "s.sqlite3"),
                "--facilitator-key",
                KEY,
            ]
        )
        base = f"http://127.0.0.1:{port}/voila/render"
        try:
            wait_http(f"http://127.0.0.1:{port}/")
            with sync_playwright() as p:
                browser = p.chromium.launch(
                    executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
                )
                pages = []
                for i in range(N):
                    page = browser.new_context().new_page()
                    page.goto(f"{base}/protocol.ipynb")
                    page.get_by_label("Your name").fill(f"P{i}", timeout=120_000)
                    page.get_by_role("button", name="Join").click()
                    page.get_by_text("No protocol is running").wait_for(timeout=60_000)
                    pages.append(page)
                boss = browser.new_context().new_page()
                boss.goto(f"{base}/facilitator.ipynb?key={KEY}")
                boss.get_by_label("Group size").fill("4", timeout=120_000)
                boss.get_by_role("button", name="Form groups at random").click()
                boss.get_by_label("Protocol").select_option(label="Tuning protocol")
                boss.get_by_role("button", name="Start").click()
                for page in pages:
                    page.get_by_text(f"Step 1 of {STEPS}").wait_for(timeout=30_000)
                delays: list[float] = []
                for click in range(K):
                    t0 = time.perf_counter()
                    boss.get_by_role("button", name="Next step").click()
                    for page in pages:
                        page.get_by_text(f"Step {click + 2} of {STEPS}").wait_for(timeout=30_000)
                        delays.append(time.perf_counter() - t0)
                browser.close()
        finally:
            stop(server)
        joined, step = run_step(Path(tmp) / "s.sqlite3")
    if len(delays) != N * K or joined != N or step != K:
        raise SystemExit(
            f"follow_latency: {len(delays)} of {N * K} page updates measured; the store has "
            f"{joined} of {N} participants and its run at step {step + 1}, not {K + 1}"
        )
    delays.sort()
    p95 = delays[max(0, round(0.95 * len(delays)) - 1)]
    print(f"{N} participants, {K} clicks: a participant's page shows the facilitator's step")
    print(
        f"median {statistics.median(delays):.2f} s, p95 {p95:.2f} s, max {delays[-1]:.2f} s "
        "(store polled every 1.0 s; the page waits are sequential, so later pages include the "
        "time spent checking earlier ones)"
    )


if __name__ == "__main__":
    main()
