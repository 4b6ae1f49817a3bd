"""Shared plumbing for the browser benchmarks: servers in their own process group, Chromium."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.request

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


def start(cmd: list[str]) -> subprocess.Popen[bytes]:
    """Start a server in its own process group; its output is discarded, or appended to
    the file named by ``BENCH_SERVER_LOG`` (to see what the server did meanwhile)."""
    log = os.environ.get("BENCH_SERVER_LOG")
    out = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115 (the child keeps it)
    try:
        return subprocess.Popen(cmd, stdout=out, stderr=out, start_new_session=True)
    finally:
        if log:
            out.close()  # type: ignore[union-attr]


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
    """Stop the server's process group (Voilà shuts its kernels down on SIGTERM)."""
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(timeout=30)
