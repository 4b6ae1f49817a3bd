"""A room's start and stop: ``pdkit serve --pool goal-setting=N`` from its start to its first
answer, to a ready goal-setting page, and from Ctrl+C (SIGINT) to its exit, with every
process below it checked gone.

Prints, in seconds from the start of ``pdkit serve``:
- ``first answer``: the first HTTP answer of any kind on ``/`` (the server listens);
- ``goal page``: the first answer of the goal-setting page that is the workbook itself
  (not a "getting ready" page), with its own duration;
- ``stop``: from SIGINT to the server's exit; ``left``: processes below it still alive
  3 s after (they are then killed, by PID).

It fails (exit 1) unless there was a room to stop (processes below the server), the
goal page came (unless ``--stop-at`` stopped the room before), the stop took at most
``STOP_TARGET`` seconds (#18 item 3) and nothing was left behind: a benchmark that
stopped an empty room measures nothing.

Usage: python benchmarks/room_start.py [N] [--stop-at SECONDS] [--full]
(default N = 300; ``--stop-at`` sends SIGINT that many seconds after the start instead of
after the goal page, to stop a room still pre-heating; ``--full`` waits for the pool to be
full, as the terminal says, and prints when).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

GOAL_LIMIT = 1800.0
"""Seconds from the start after which the goal page counts as never come (without
``--stop-at``; a room of 300 shows it within a few seconds)."""

STOP_TARGET = 10.0
"""Seconds from SIGINT to the server's exit, with every process below it gone."""

READY_MARK = b"pdkit-getting-ready"
"""In the "getting ready" page only (its ``<meta name>``)."""


def descendants(root: int) -> list[int]:
    """PIDs of every process below ``root``."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def get(url: str, timeout: float = 60) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return int(response.status), response.read()
    except urllib.error.HTTPError as error:
        return int(error.code), b""


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", nargs="?", type=int, default=300)
    parser.add_argument("--stop-at", type=float, default=None)
    parser.add_argument(
        "--full", action="store_true", help="stop once the terminal says the pool is full"
    )
    args = parser.parse_args()
    port = 18900 + os.getpid() % 500
    with tempfile.TemporaryDirectory() as folder:
        log_path = Path(folder) / "serve.log"
        command = [
            sys.executable, "-m", "pdkit.cli", "serve",
            "--store", str(Path(folder) / "room.sqlite3"), "--port", str(port),
            "--pool", f"goal-setting={args.n}", "--max-kernels", "0",
        ]  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        with log_path.open("wb") as log:
            start = time.monotonic()
            proc = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        seen: list[int] = []
        try:
            first = None
            while first is None:
                if proc.poll() is not None:
                    print(log_path.read_text(errors="replace"))
                    return 1
                with contextlib.suppress(OSError):
                    get(base + "/", timeout=120)
                    first = time.monotonic() - start
                time.sleep(0.05) if first is None else None
            print(f"first answer: {first:.1f} s", flush=True)
            goal = None
            give_up = args.stop_at if args.stop_at is not None else GOAL_LIMIT
            while goal is None and time.monotonic() - start < give_up:
                asked = time.monotonic()
                status, body = get(f"{base}/voila/render/goal-setting.ipynb", timeout=300)
                took = time.monotonic() - asked
                if status == 200 and READY_MARK not in body:
                    goal = time.monotonic() - start
                    print(f"goal page: {goal:.1f} s (its request took {took:.1f} s)", flush=True)
                else:
                    time.sleep(1)
            while args.full and "pdkit: pre-heated goal-setting" not in log_path.read_text(
                errors="replace"
            ):
                time.sleep(0.5)
            if args.full:
                print(f"pool full: {time.monotonic() - start:.1f} s", flush=True)
            if args.stop_at is not None:
                time.sleep(max(0.0, args.stop_at - (time.monotonic() - start)))
            seen = descendants(proc.pid)
            print(f"processes below the server: {len(seen)}", flush=True)
            asked = time.monotonic()
            os.kill(proc.pid, signal.SIGINT)
            proc.wait(timeout=300)
            stopped = time.monotonic() - asked
            print(f"stop: {stopped:.1f} s", flush=True)
            time.sleep(3)
            left = [pid for pid in seen + descendants(proc.pid) if alive(pid)]
            print(f"left: {len(left)}", flush=True)
        finally:
            for pid in [proc.pid, *seen, *descendants(proc.pid)]:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=10)
            progress = [
                line
                for line in log_path.read_text(errors="replace").splitlines()
                if "pre-heat" in line or "ready" in line
            ]
            print("\n".join(progress[-8:]))
    failed = [
        problem
        for problem, wrong in (
            ("no process below the server: there was no room to stop", not seen),
            ("the goal page never came", goal is None and args.stop_at is None),
            (f"the stop took {stopped:.1f} s (target {STOP_TARGET:g} s)", stopped > STOP_TARGET),
            (f"{len(left)} processes were left behind", bool(left)),
        )
        if wrong
    ]
    if failed:
        print("room_start: " + "; ".join(failed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
