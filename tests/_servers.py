"""Servers and browsers for the tests that need them: a real ``pdkit serve`` (or Voilà, or a
hub) in its own process group, stopped by PID with everything below it, and pages in a
real Chromium."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

FACILITATOR_KEY = "test-Xq7rM2vK9pL4tZ8w"  # as strong as pdkit serve asks (16+ varied characters)

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def missing(what: str) -> None:
    """In CI a missing browser or server is a failure; on a laptop, a skip that says why."""
    if IN_CI:
        pytest.fail(f"{what} (CI=true: a missing tool fails the run)")
    pytest.skip(what)


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """A running `pdkit serve`."""

    base_url: str
    store_path: Path
    proc: subprocess.Popen[bytes]
    log_path: Path

    def url(self, notebook: str = "goal-setting.ipynb") -> str:
        return f"{self.base_url}/voila/render/{notebook}"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def serve_command(store: Path, port: int, *more: str) -> list[str]:
    """The command line of `pdkit serve` on ``store`` and ``port`` (then ``more``)."""
    import sys

    return [
        sys.executable,
        "-m",
        "pdkit.cli",
        "serve",
        "--store",
        str(store),
        "--port",
        str(port),
        "--facilitator-key",
        FACILITATOR_KEY,
        *more,
    ]


def crash(server: Server) -> None:
    """kill -9 the server and everything below it, kernels included: a machine's
    crash as the pages see it (nothing is told, nothing is cleaned up)."""
    below = _descendants(server.proc.pid)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.proc.pid, signal.SIGKILL)
    for pid in below:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    server.proc.wait(timeout=10)


def kernel_pid(server: Server, kernel_id: str) -> int:
    """The PID of the server's kernel ``kernel_id`` (its connection file names it)."""
    for pid in _descendants(server.proc.pid):
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if b"ipykernel" in command and kernel_id.encode() in command:
            return pid
    raise AssertionError(f"no process of kernel {kernel_id} under the server")


def web_pid(server: Server) -> int:
    """The PID of the server's web process (`pdkit serve` runs Voilà in a child)."""
    for pid in [server.proc.pid, *_descendants(server.proc.pid)]:
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if b"voila_main" in command:
            return pid
    raise AssertionError("no Voilà process under the server")


def _descendants(root: int) -> list[int]:
    """PIDs of every process below ``root`` (kernels run in sessions of their own)."""
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


def kernel_ids(root: int) -> set[str]:
    """The ids of the kernels running below ``root`` (a kernel's connection file, on its
    command line, is named after its id)."""
    found = set()
    for pid in _descendants(root):
        try:
            args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        for arg in args:
            name = Path(arg.decode(errors="replace")).name
            if name.startswith("kernel-") and name.endswith(".json") and _alive(pid):
                found.add(name.removeprefix("kernel-").removesuffix(".json"))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def _stop(proc: subprocess.Popen[bytes]) -> list[int]:
    """Stop the server's process group; returns the PIDs that had to be killed after it."""
    below = _descendants(proc.pid)
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
    # The group had SIGTERM with the server: a kernel busy on a loaded machine may take a
    # moment to exit. One still there after 5 s outlived its server.
    deadline = time.monotonic() + 5
    while any(_alive(pid) for pid in below) and time.monotonic() < deadline:
        time.sleep(0.1)
    leftovers = [pid for pid in below if _alive(pid)]
    for pid in leftovers:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    return leftovers


def _remember_group(pgid: int) -> None:
    """Write a server's process group to ``$PDKIT_TEST_PGIDS`` (when set): ``.ci/run``
    stops any group still alive when the run ends, by its number, never by a name."""
    record = os.environ.get("PDKIT_TEST_PGIDS")
    if record:
        with open(record, "a", encoding="ascii") as stream:
            stream.write(f"{pgid}\n")


@contextmanager
def running(
    command: list[str],
    *,
    base_url: str,
    store: Path,
    log_path: Path,
    env: dict[str, str] | None = None,
) -> Iterator[Server]:
    """Run a server in its own process group until the block ends; fail clearly if it
    does not answer, and fail if any of its processes (kernels included) outlive it."""
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            command,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
        )
    _remember_group(proc.pid)
    server = Server(base_url, store, proc, log_path)
    leftovers: list[int] = []
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                pytest.fail(f"{command[2:4]} exited with {proc.returncode}:\n{server.log()}")
            try:
                with urllib.request.urlopen(base_url + "/", timeout=2) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"{command[2:4]} did not answer within 90 s:\n{server.log()}")
            time.sleep(0.25)
        yield server
    finally:
        leftovers = _stop(proc)
    assert not leftovers, f"processes outlived their server: {leftovers}"


def open_page(browser: Any, url: str, *, downloads: bool = False) -> Any:
    """A page in a fresh browser context (its own storage: another person), at ``url``.
    A JavaScript dialog fails the test: no teacher's text may ever open one."""
    page = browser.new_context(accept_downloads=downloads).new_page()
    page.on("dialog", lambda dialog: pytest.fail(f"a dialog opened: {dialog.message}"))
    page.goto(url)
    return page


def chromium_path() -> str | None:
    for candidate in (
        os.environ.get("PDKIT_CHROMIUM"),
        "/usr/bin/chromium",
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
    ):
        if candidate and Path(candidate).exists():
            return candidate
    return None
