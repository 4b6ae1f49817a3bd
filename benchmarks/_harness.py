"""Shared plumbing for the browser benchmarks: servers in their own process group, Chromium."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import threading
import time
import urllib.request
from typing import IO

CHROMIUM = os.environ.get("PDKIT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(cmd: list[str], env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    """Start a server in its own process group (with ``env`` added to this process's
    environment); its output is discarded, or appended to the file named by
    ``BENCH_SERVER_LOG`` with a time on each line (to see what the server did meanwhile)."""
    log = os.environ.get("BENCH_SERVER_LOG")
    environment = {**os.environ, **(env or {})}
    if not log:
        return subprocess.Popen(
            cmd,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            env=environment,
        )
    proc = subprocess.Popen(
        cmd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        env=environment,
    )

    def copy(source: IO[bytes], path: str) -> None:
        with open(path, "ab") as out:
            for line in source:
                out.write(f"{time.time():.3f} ".encode() + line)
                out.flush()

    assert proc.stdout is not None
    threading.Thread(target=copy, args=(proc.stdout, log), daemon=True).start()
    return proc


def wait_http(url: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.25)
    raise SystemExit(f"{url} did not answer within {timeout:.0f} s")


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop the server's process group (Voilà shuts its kernels down on SIGTERM); one
    still running 30 s later is killed, waited for, and the timeout raised."""
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        raise
