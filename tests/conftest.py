"""Shared fixtures: a real `pdkit serve` in its own process group, a real Chromium, and a
throw-away PostgreSQL server."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from _postgres_server import (
    SHARED_DB,
    PostgresServer,
    find_postgres_bin,
    throwaway_postgres,
    unprivileged_user,
)

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

FACILITATOR_KEY = "test-facilitator-key"

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _missing(what: str) -> None:
    """In CI a missing browser or server is a failure; on a laptop, a skip that says why."""
    if IN_CI:
        pytest.fail(f"{what} (CI=true: a missing tool fails the run)")
    pytest.skip(what)


def _free_port() -> int:
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
    leftovers = [pid for pid in below if _alive(pid)]
    for pid in leftovers:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    return leftovers


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


@pytest.fixture
def pdkit_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Server]:
    """`pdkit serve` with a fresh SQLite store, on a free port; stopped in teardown."""
    monkeypatch.delenv("PDKIT_STORE", raising=False)
    store = tmp_path / "store.sqlite3"
    port = _free_port()
    command = [
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
    ]
    with running(
        command, base_url=f"http://127.0.0.1:{port}", store=store, log_path=tmp_path / "serve.log"
    ) as server:
        yield server


@pytest.fixture
def lab_server(tmp_path: Path) -> Iterator[Server]:
    """JupyterLab (no token, local only) on a folder holding the goal-setting workbook."""
    from pdkit.serve import builtin_workbooks_dir

    root = tmp_path / "lab"
    root.mkdir()
    shutil.copy(builtin_workbooks_dir() / "goal-setting.ipynb", root)
    store = tmp_path / "store.sqlite3"
    port = _free_port()
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        f"--port={port}",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.root_dir={root}",
        "--IdentityProvider.token=",
        "--ServerApp.password=",
        "--allow-root",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    with running(
        command,
        base_url=f"http://127.0.0.1:{port}",
        store=store,
        log_path=tmp_path / "lab.log",
        env={"PDKIT_STORE": str(store), "JUPYTER_RUNTIME_DIR": str(tmp_path / "rt")},
    ) as server:
        yield server


def open_page(browser: Any, url: str, *, downloads: bool = False) -> Any:
    """A page in a fresh browser context (its own storage: another person), at ``url``.
    A JavaScript dialog fails the test: no teacher's text may ever open one."""
    page = browser.new_context(accept_downloads=downloads).new_page()
    page.on("dialog", lambda dialog: pytest.fail(f"a dialog opened: {dialog.message}"))
    page.goto(url)
    return page


def _chromium_path() -> str | None:
    for candidate in (
        os.environ.get("PDKIT_CHROMIUM"),
        "/usr/bin/chromium",
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
    ):
        if candidate and Path(candidate).exists():
            return candidate
    return None


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """A headless Chromium driven by Playwright (Debian's chromium where there is one)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("playwright is not installed (pip install -e '.[test]')")
    executable = _chromium_path()
    with sync_playwright() as playwright:
        try:
            launched = playwright.chromium.launch(
                executable_path=executable, headless=True, args=CHROMIUM_ARGS
            )
        except Exception as exc:  # no browser at all: say how to get one
            _missing(
                f"no Chromium could be started ({exc.__class__.__name__}); "
                "install Debian's chromium or run 'playwright install chromium'"
            )
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A PostgreSQL server of our own for the whole session (tests/_postgres_server.py):
    started in a temporary folder on a free port, stopped when the session ends."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        _missing("psycopg is not installed (pip install -e '.[test]')")
    bin_dir = find_postgres_bin()
    if bin_dir is None:
        _missing(
            "no PostgreSQL server binaries (initdb, pg_ctl in /usr/lib/postgresql/*/bin); "
            "install Debian's postgresql (scripts/setup.sh does)"
        )
    user = unprivileged_user()
    if user is None:
        _missing("PostgreSQL cannot run as root and there is no 'postgres' user to run it as")
    with throwaway_postgres(bin_dir, user) as server:
        yield server


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """A URL whose tables go into a new, empty schema (fast); dropped afterwards."""
    schema = postgres_server.create_schema()
    yield postgres_server.url(SHARED_DB, schema=schema)
    postgres_server.drop_schema(schema)


@pytest.fixture
def postgres_database(postgres_server: PostgresServer) -> Iterator[str]:
    """The name of a new, empty database (slower: for tests that need a whole one)."""
    name = postgres_server.create_database()
    yield name
    postgres_server.drop_database(name)


# ---------------------------------------------------------------- deployment (Binder, hubs)


@pytest.fixture(scope="session")
def binder_env(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A copy of the repository with `pip install -r binder/requirements.txt` done in a
    fresh virtual environment, as repo2docker does it (tests/_deploy.py); ~30-60 s once."""
    from _deploy import build_binder_env

    return build_binder_env(tmp_path_factory.mktemp("binder"))


@pytest.fixture(scope="session")
def http_proxy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """configurable-http-proxy, JupyterHub's proxy, installed from npm for a local hub."""
    from _deploy import install_http_proxy

    npm = shutil.which("npm")
    if npm is None:
        _missing("npm is not installed (a local JupyterHub needs configurable-http-proxy)")
    return install_http_proxy(tmp_path_factory.mktemp("chp"), npm)
