"""Shared fixtures: a real `pdkit serve` in its own process group, a real Chromium, and a
throw-away PostgreSQL server; and the test tiers.

Tests live in one folder per tier, and each test gets its tier's marker:

- ``unit``: pure logic, and the store contract against every backend;
- ``widgets``: headless ipywidgets with an injected clock and scheduler;
- ``notebooks``: built and saved notebooks, and every shipped notebook executed;
- ``deploy``: Binder files and a real local JupyterHub;
- ``browser``: Playwright and Chromium against a real ``pdkit serve`` (one at a time).

``make check`` runs the first three (in two processes, under a minute); ``make test``
runs everything in one session, as CI does.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
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
from _servers import (
    CHROMIUM_ARGS,
    Server,
    chromium_path,
    free_port,
    missing,
    running,
    serve_command,
)

LOG_TAIL = 200
"""Lines of a server's log shown under a test that failed while it ran."""


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """A failed test that ran a `pdkit serve` shows the end of that server's log (what the
    kernels said), so that a failure in CI can be read without running it again."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    server = getattr(item, "funcargs", {}).get("pdkit_server")
    if report.failed and isinstance(server, Server) and server.log_path.exists():
        lines = server.log().splitlines()[-LOG_TAIL:]
        report.sections.append((f"pdkit serve log (last {LOG_TAIL} lines)", "\n".join(lines)))


@pytest.fixture
def pdkit_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Server]:
    """`pdkit serve` with a fresh SQLite store, on a free port; stopped in teardown."""
    monkeypatch.delenv("PDKIT_STORE", raising=False)
    store = tmp_path / "store.sqlite3"
    port = free_port()
    command = serve_command(store, port)
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
    port = free_port()
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


@pytest.fixture(scope="session")
def playwright() -> Iterator[Any]:
    """The session's one Playwright (its sync API runs one event loop per process: a test
    that needs a browser of its own launches it from here, never a second Playwright)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("playwright is not installed (pip install -e '.[test]')")
    with sync_playwright() as started:
        yield started


@pytest.fixture(scope="session")
def browser(playwright: Any) -> Iterator[Any]:
    """A headless Chromium driven by Playwright (Debian's chromium where there is one)."""
    executable = chromium_path()
    try:
        launched = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
    except Exception as exc:  # no browser at all: say how to get one
        missing(
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
        missing("psycopg is not installed (pip install -e '.[test]')")
    bin_dir = find_postgres_bin()
    if bin_dir is None:
        missing(
            "no PostgreSQL server binaries (initdb, pg_ctl in /usr/lib/postgresql/*/bin); "
            "install Debian's postgresql (scripts/setup.sh does)"
        )
    user = unprivileged_user()
    if user is None:
        missing("PostgreSQL cannot run as root and there is no 'postgres' user to run it as")
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
    from _deploy import binder_env_in, build_binder_env, prepared

    ready = prepared("binder")  # make test builds it in the background (scripts/test.sh)
    if ready is not None:
        return binder_env_in(ready)
    return build_binder_env(tmp_path_factory.mktemp("binder"))


@pytest.fixture(scope="session")
def http_proxy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """configurable-http-proxy, JupyterHub's proxy, installed from npm for a local hub."""
    from _deploy import install_http_proxy, prepared, proxy_in

    npm = shutil.which("npm")
    if npm is None:
        missing("npm is not installed (a local JupyterHub needs configurable-http-proxy)")
    ready = prepared("chp")  # make test installs it in the background (scripts/test.sh)
    if ready is not None:
        return proxy_in(ready)
    return install_http_proxy(tmp_path_factory.mktemp("chp"), npm)


TIERS = ("unit", "widgets", "notebooks", "deploy", "browser")


SERVER_TIERS = ("deploy", "browser")
"""Tiers whose tests start servers and browsers: run one at a time, on one worker, when the
suite runs on several (``pytest -n 2``, as ``make test`` does)."""

ALONGSIDE = ("tests/deploy/test_binder_files.py",)
"""Files of those tiers that start no server and open no browser (they read files and run
commands): they run beside the others, test by test."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark each test with its tier (the folder it is in), and run the :data:`ALONGSIDE`
    files last: they wait for what ``make test`` prepares in the background, which is
    ready by then, so no worker sits waiting for it at the start."""
    for item in items:
        tier = item.path.parent.name
        if tier in TIERS:
            item.add_marker(getattr(pytest.mark, tier))
    items.sort(key=lambda item: item.nodeid.startswith(ALONGSIDE))  # stable: order kept


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """On several workers, the tests of the server tiers are one unit of work: one worker
    runs them one after another, while the others take the rest, test by test. (An
    ``xdist_group`` mark would say the same, but pytest-xdist 3.8 does not honour it here.)"""
    from xdist.scheduler import LoadScopeScheduling

    servers = tuple(f"tests/{tier}/" for tier in SERVER_TIERS)

    class ServersApart(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            if nodeid.startswith(servers) and not nodeid.startswith(ALONGSIDE):
                return "servers"
            return nodeid

    return ServersApart(config, log)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """The accessibility audit's cost in this run (tests/_a11y.py), when it ran."""
    from tests._a11y import SPENT, STATES

    if STATES or SPENT:
        spent = ", ".join(f"{kind} {seconds:.1f} s" for kind, seconds in sorted(SPENT.items()))
        terminalreporter.write_line(f"accessibility audit: {len(STATES)} page states, {spent}")
