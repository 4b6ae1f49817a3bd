"""How fast ``pdkit remind`` hands a district's reminders to a mail server: N teachers
(default 3,000) whose check-in is due today, on the embedded SQLite store, each with an
address; a local SMTP server (aiosmtpd, in this process) records what it accepts.

Runs the real command (``python -m pdkit remind --rate 0``) twice and prints:

- the first run's wall time (target: every message handed over within 60 s) and the
  messages a second;
- the second run's time (it must send nothing: each reminder once).

It fails unless the server received exactly N messages for N distinct recipients, each
with its "My goal" link, the first run's summary says ``sent N``, the second's ``sent 0,
already sent N``, and the store logs N reminders sent (a benchmark that sent nothing
measures nothing).

Usage: python benchmarks/remind_3000.py [N]   (default 3000)
"""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from pdkit._clock import today
from pdkit.store import open_store

_ARGS = [a for a in sys.argv[1:] if not a.startswith("--")]
N = int(_ARGS[0]) if _ARGS else 3000
TARGET = 60.0
BASE = "https://pd.school.test"


class Recorder:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.recipients: list[str] = []
        self.with_link = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        content = bytes(envelope.original_content or envelope.content)
        with self.lock:
            self.recipients.extend(envelope.rcpt_tos)
            self.with_link += b"my-goal.ipynb?pdkit=" in content
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def make_store(path: Path) -> None:
    store = open_store(path)
    day = today()
    session, _key = store.create_session("Questioning, spring")
    store.set_checkin_schedule(
        session.id, day - timedelta(days=14), [day, day + timedelta(days=14)]
    )
    for n in range(N):
        person, _ = store.create_participant(f"Teacher {n}", session=session.id)
        store.set_contact(person.id, f"teacher{n}@school.test")
    store.close()


def remind(path: Path, url: str) -> tuple[float, str]:
    command = [
        sys.executable, "-m", "pdkit", "remind", "--store", str(path), "--base-url", BASE,
        "--smtp", url, "--rate", "0", "--quiet",
    ]  # fmt: skip
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    took = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"remind_3000: pdkit remind failed ({done.returncode}): {done.stderr}")
    return took, done.stdout.strip()


def main() -> None:
    recorder = Recorder()
    port = free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with tempfile.TemporaryDirectory(prefix="remind-bench-") as folder:
            path = Path(folder) / "store.sqlite3"
            started = time.perf_counter()
            make_store(path)
            print(f"store: {N:,} teachers due today, made in {time.perf_counter() - started:.1f} s")
            url = f"smtp://127.0.0.1:{port}?from=pd@school.test"
            first, said = remind(path, url)
            print(f"first run:  {first:.2f} s for {len(recorder.recipients):,} messages "
                  f"({len(recorder.recipients) / first:,.0f}/s)   {said}")  # fmt: skip
            second, said_again = remind(path, url)
            print(f"second run: {second:.2f} s   {said_again}")
            store = open_store(path)
            logged = sum(1 for r in store.reminders() if r[3] == "sent")
            store.close()
    finally:
        controller.stop()
    with recorder.lock:
        got, distinct, linked = len(recorder.recipients), len(set(recorder.recipients)), 0
        linked = recorder.with_link
    problems = []
    if got != N or distinct != N:
        problems.append(f"the server received {got:,} messages for {distinct:,} recipients")
    if linked != N:
        problems.append(f"{linked:,} messages held a My goal link")
    if f"sent {N}," not in said:
        problems.append(f"the first run said: {said}")
    if f"sent 0, already sent {N}," not in said_again:
        problems.append(f"the second run said: {said_again}")
    if logged != N:
        problems.append(f"the store logs {logged:,} reminders sent")
    if problems:
        raise SystemExit(f"remind_3000: expected {N:,}: " + "; ".join(problems))
    if first > TARGET:
        raise SystemExit(f"remind_3000: {first:.1f} s, over the {TARGET:.0f} s target")
    print(f"ok: {N:,} distinct recipients, each once, within {TARGET:.0f} s")


if __name__ == "__main__":
    main()
