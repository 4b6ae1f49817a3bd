"""Serving many on one machine: pre-heated kernel pools, culling that spares them, and
a limit on running kernels (`pdkit serve --pool … --max-kernels …`)."""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import logging
import resource
import subprocess
import sys
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import zmq
from jupyter_client.manager import KernelManager
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from tornado import web
from traitlets.config import Application, Configurable
from voila.voila_kernel_manager import voila_kernel_manager_factory

from _kernels import ipc_kernels
from pdkit.cli import main
from pdkit.cli import parser as _parser
from pdkit.cli._facilitating import pools as _pools
from pdkit.errors import PdkitError
from pdkit.links import query_value
from pdkit.serve import DEFAULT_POOLS, ServeConfig, default_max_kernels, prepare, voila_command
from pdkit.serve._config import (
    SOCKETS_PER_KERNEL,
    key_weakness,
    random_key,
    zmq_socket_budget,
)
from pdkit.serve._log_filters import skip_records_nobody_shows
from pdkit.serve.kernels import NotTrustedFilter, PdkitKernelManager, PingTimeoutFilter


def _flag(command: list[str], name: str) -> str | None:
    found = [a.split("=", 1)[1] for a in command if a.startswith(f"--{name}=")]
    return found[0] if found else None


def test_the_default_pools_the_goal_setting_workbook() -> None:
    config = ServeConfig(port=9999, pools=dict(DEFAULT_POOLS), max_kernels=50)
    command = voila_command(config)
    assert "--preheat_kernel=True" in command
    pools = json.loads(_flag(command, "VoilaKernelManager.kernel_pools_config") or "{}")
    assert pools == {"default": {"pool_size": 0}, "goal-setting.ipynb": {"pool_size": 2}}
    assert _flag(command, "VoilaKernelManager.fill_delay") == "30.0"
    assert _flag(command, "PdkitKernelManager.max_kernels") == "50"
    assert (
        _flag(command, "VoilaConfiguration.multi_kernel_manager_class")
        == "pdkit.serve.kernels.PdkitKernelManager"
    )
    # a closed page's kernel is freed within 8 s (and its process exits soon after)
    assert _flag(command, "MappingKernelManager.cull_idle_timeout") == "6"
    assert _flag(command, "MappingKernelManager.cull_interval") == "2"
    assert _flag(command, "KernelManager.transport") == "ipc"  # no TCP port races
    assert _flag(command, "KernelManager.shutdown_wait_time") == "1.0"
    assert _flag(command, "VoilaExecutor.iopub_timeout") == "120"  # a crowd's late output


def test_no_pools_means_no_preheating() -> None:
    command = voila_command(ServeConfig(port=9999, pools={"goal-setting": 0}))
    assert "--preheat_kernel=True" not in command
    assert _flag(command, "VoilaKernelManager.kernel_pools_config") is None


def test_a_pool_for_a_workbook_that_is_not_served_is_refused(tmp_path: Path) -> None:
    config = ServeConfig(store=str(tmp_path / "s.sqlite3"), port=0, pools={"goal-seting": 5})
    with pytest.raises(
        PdkitError, match=r"no workbook 'goal-seting' here \(workbooks: .*goal-setting"
    ):
        prepare(config, io.StringIO())


def test_prepare_says_what_is_pre_heated(tmp_path: Path) -> None:
    out = io.StringIO()
    prepare(
        ServeConfig(
            store=str(tmp_path / "s.sqlite3"), port=0, pools={"reflection": 3}, max_kernels=9
        ),
        out,
    )
    assert "pre-heated: 3 kernels for reflection; at most 9 kernels" in out.getvalue()
    assert "closed pages freed after 6 s idle" in out.getvalue()


@pytest.mark.parametrize(
    ("given", "pools"),
    [
        (None, DEFAULT_POOLS),
        (["goal-setting=40"], {"goal-setting": 40}),
        (["goal-setting.ipynb=4", "reflection=1"], {"goal-setting": 4, "reflection": 1}),
        (["0"], {}),
    ],
)
def test_pool_flags(given: list[str] | None, pools: dict[str, int]) -> None:
    assert _pools(given) == pools


@pytest.mark.parametrize("bad", ["goal-setting", "=4", "goal-setting=many", "goal-setting=-1"])
def test_a_bad_pool_flag_says_how_to_write_it(bad: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--pool", bad, "--port", "0"]) == 2
    assert "write WORKBOOK=N, such as --pool goal-setting=40" in capsys.readouterr().err


def test_the_default_limit_follows_the_memory() -> None:
    limit = default_max_kernels()
    total_mb = int(Path("/proc/meminfo").read_text().split()[1]) // 1024
    by_files = zmq_socket_budget() // SOCKETS_PER_KERNEL
    assert limit == min(max((total_mb - 2048) // 60, 10), by_files)


def test_the_default_limit_never_promises_more_kernels_than_the_server_can_connect() -> None:
    """With few open files allowed, the limit follows them, not the memory (300 pages once
    met ZeroMQ's 1,023 sockets: 230 of them failed)."""
    script = (
        "import resource; resource.setrlimit(resource.RLIMIT_NOFILE, (1000, 4000)); "
        "from pdkit.serve import default_max_kernels; print(default_max_kernels())"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert int(done.stdout) == 4000 // 2 // SOCKETS_PER_KERNEL  # the hard limit, raised to


def test_the_kernel_connections_may_use_the_sockets_the_limit_counts_on() -> None:
    manager = PdkitKernelManager()
    try:
        allowed = manager.context.get(zmq.MAX_SOCKETS)
        assert allowed >= default_max_kernels() * SOCKETS_PER_KERNEL
        assert allowed > 1023  # ZeroMQ's own default
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        assert soft == hard or hard == resource.RLIM_INFINITY  # raised to what is allowed
    finally:
        manager.context.destroy(linger=0)


# --------------------------------------------------------------------------- the kernel manager


def _run(coroutine: Any) -> Any:
    """Run a coroutine to completion on a fresh loop in its own thread.

    The browser tests' Playwright (sync API) keeps an event loop running in the main
    thread for the whole session, so ``asyncio.run`` cannot be used here directly.
    """
    outcome: dict[str, Any] = {}

    def work() -> None:
        try:
            outcome["value"] = asyncio.run(coroutine)
        except BaseException as error:  # re-raised in the calling thread
            outcome["error"] = error

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


class _Done:
    """A finished pool task (what Voilà keeps in ``_pools``)."""

    def __init__(self, kernel_id: str) -> None:
        self.kernel_id = kernel_id

    def done(self) -> bool:
        return True

    def cancelled(self) -> bool:
        return False

    def exception(self) -> None:
        return None

    def result(self) -> dict[str, Any]:
        return {"kernel_id": self.kernel_id}


def test_pooled_kernels_are_never_culled() -> None:
    manager = PdkitKernelManager()
    manager._pools = {"goal-setting.ipynb": [_Done("pooled")]}
    assert manager._pooled() == {"pooled"}
    _run(manager.cull_kernel_if_idle("pooled"))  # skipped: not even looked up
    with pytest.raises(KeyError):
        _run(manager.cull_kernel_if_idle("used"))  # the culler looks it up


def test_a_kernel_still_starting_is_not_culled() -> None:
    class Starting:
        @property
        def last_activity(self) -> None:
            raise ValueError("traitlets: expected a datetime, not None")

    manager = PdkitKernelManager()
    manager._kernels["starting"] = Starting()
    _run(manager.cull_kernel_if_idle("starting"))  # no error, nothing culled
    assert "starting" in manager._kernels


def test_a_full_server_refuses_new_kernels(monkeypatch: pytest.MonkeyPatch) -> None:
    manager = PdkitKernelManager(max_kernels=2)
    monkeypatch.setattr(manager, "list_kernel_ids", lambda: ["a", "b"])
    with pytest.raises(web.HTTPError) as caught:
        _run(manager.start_kernel())
    assert caught.value.status_code == 503
    assert "server is full" in (caught.value.reason or "")


class _Idle:
    """A started kernel, idle for ``seconds`` (what the culler reads of a kernel)."""

    execution_state = "idle"
    kernel_name = "python3"

    def __init__(self, seconds: float) -> None:
        self.last_activity = datetime.now(timezone.utc) - timedelta(seconds=seconds)
        self.kernel_spec = type("Spec", (), {"metadata": {}})()


def _culling(
    monkeypatch: pytest.MonkeyPatch, kernels: dict[str, float]
) -> tuple[PdkitKernelManager, list[str]]:
    manager = PdkitKernelManager(cull_idle_timeout=10, connect_grace=120)
    culled: list[str] = []

    async def shutdown(kernel_id: str, *args: Any, **kwargs: Any) -> None:
        culled.append(kernel_id)

    monkeypatch.setattr(manager, "shutdown_kernel", shutdown)
    for kernel_id, idle in kernels.items():
        manager._kernels[kernel_id] = _Idle(idle)
        manager._kernel_connections[kernel_id] = 0
    return manager, culled


def test_a_kernel_whose_page_has_not_connected_yet_is_kept(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # handed out from the pool 30 s ago; the browser's websocket is still on its way
    manager, culled = _culling(monkeypatch, {"handed-out": 30, "abandoned": 121})
    _run(manager.cull_kernel_if_idle("handed-out"))
    assert culled == []
    _run(manager.cull_kernel_if_idle("abandoned"))  # never connected, past the grace
    assert culled == ["abandoned"]


def test_a_page_that_connected_and_closed_is_freed_after_the_idle_timeout(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    manager, culled = _culling(monkeypatch, {"closed": 11, "open": 11, "recent": 5})
    for kernel_id in ("closed", "open", "recent"):
        manager.notify_connect(kernel_id)
    manager.notify_disconnect("closed")
    manager.notify_disconnect("recent")
    for kernel_id in ("closed", "open", "recent"):
        _run(manager.cull_kernel_if_idle(kernel_id))
    assert culled == ["closed"]  # "open" still has its page; "recent" not idle long enough


def test_served_kernels_keep_no_ipython_history(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a crowd of kernels starting at once queued for the history database's lock
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    env = prepare(ServeConfig(store=str(tmp_path / "s.sqlite3"), port=0), io.StringIO())
    assert env["IPYTHONDIR"] == str(tmp_path / "cache" / "pdkit" / "ipython")
    printed: list[str] = []
    with ipc_kernels() as config:
        manager = KernelManager(config=config)
        manager.start_kernel(env=env)
        client = manager.client()
        client.start_channels()
        client.wait_for_ready(timeout=60)
        try:
            reply = client.execute_interactive(
                "print(get_ipython().history_manager.enabled, get_ipython().profile_dir.location)",
                output_hook=lambda msg: printed.append(msg["content"].get("text", "")),
                timeout=60,
            )
        finally:
            client.stop_channels()
            manager.shutdown_kernel(now=True)
    assert reply["content"]["status"] == "ok"
    assert "".join(printed).split() == [
        "False",
        str(tmp_path / "cache" / "pdkit" / "ipython" / "profile_default"),
    ]


class _Pending(_Done):
    """A pool entry still waiting for ``fill_delay`` or still starting its kernel."""

    def done(self) -> bool:
        return False


def _voila_manager(folder: Path, **config: Any) -> Any:
    """The kernel manager Voilà makes of pdkit's (its pool class is a subclass)."""

    class Server(Configurable):  # what Voilà's pool reads of its server application
        root_dir = str(folder)
        notebook_path = None

    return voila_kernel_manager_factory(PdkitKernelManager, True, 0)(parent=Server(), **config)


def test_only_ready_kernels_count_as_voilas_pool(tmp_path: Path) -> None:
    voila_manager = _voila_manager(tmp_path)
    pool = [_Pending("refill-1"), _Done("ready-1"), _Pending("refill-2"), _Done("ready-2")]
    voila_manager._pools = {"goal-setting.ipynb": pool}
    # the handler asks for the size, then takes the first entry: a ready kernel
    assert voila_manager.get_pool_size("goal-setting.ipynb") == 2
    assert [entry.kernel_id for entry in pool] == ["ready-1", "ready-2", "refill-1", "refill-2"]
    voila_manager._pools = {"goal-setting.ipynb": [_Pending("refill-1")]}
    assert voila_manager.get_pool_size("goal-setting.ipynb") == 0  # start a kernel now
    assert voila_manager.get_pool_size("reflection.ipynb") == 0


def test_a_kernel_handed_out_after_minutes_in_the_pool_waits_for_its_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The grace for a page to connect starts when its kernel leaves the pool: a kernel
    pre-heated 5 minutes before the room came was culled before its websocket arrived."""
    voila_manager = _voila_manager(tmp_path, cull_idle_timeout=10, connect_grace=120)
    voila_manager._stopping = True  # no refill started by the hand-out
    culled: list[str] = []

    async def shutdown(kernel_id: str, *args: Any, **kwargs: Any) -> None:
        culled.append(kernel_id)

    monkeypatch.setattr(voila_manager, "shutdown_kernel", shutdown)
    renderer = type("Renderer", (), {"stop_generator": False, "rendered_cache": []})()

    async def hand_out() -> None:
        pooled: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        pooled.set_result({"renderer": renderer, "task": None, "kernel_id": "warm"})
        voila_manager._pools = {"goal-setting.ipynb": [pooled]}
        await voila_manager.get_rendered_notebook("goal-setting.ipynb")

    voila_manager._kernels["warm"] = _Idle(300)  # pre-heated 5 minutes ago
    voila_manager._kernel_connections["warm"] = 0
    _run(hand_out())
    assert renderer.stop_generator  # Voilà's own hand-out ran
    _run(voila_manager.cull_kernel_if_idle("warm"))
    assert culled == []  # its page's websocket is still on its way
    voila_manager._kernels["warm"] = _Idle(121)  # the grace went by, and no page came
    _run(voila_manager.cull_kernel_if_idle("warm"))
    assert culled == ["warm"]


def test_idle_kernels_are_culled_at_once_not_one_after_another(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # stopping a kernel waits for its process to exit: one by one, a room took minutes
    manager, culled = _culling(monkeypatch, {f"closed-{i}": 11 for i in range(5)})
    for kernel_id in list(manager._kernels):
        manager.notify_connect(kernel_id)
        manager.notify_disconnect(kernel_id)
    stopping = 0
    most = 0

    async def slow_shutdown(kernel_id: str, *args: Any, **kwargs: Any) -> None:
        nonlocal stopping, most
        stopping += 1
        most = max(most, stopping)
        await asyncio.sleep(0.2)
        stopping -= 1
        culled.append(kernel_id)

    monkeypatch.setattr(manager, "shutdown_kernel", slow_shutdown)
    broken = _Idle(11)
    broken.last_activity = "yesterday"  # type: ignore[assignment]
    manager._kernels["broken"] = broken  # its failure is logged; the others are still culled
    _run(manager.cull_kernels())
    assert sorted(culled) == [f"closed-{i}" for i in range(5)]
    assert most == 5


def test_replacements_for_a_room_arriving_together_are_spread_out(tmp_path: Path) -> None:
    # 40 kernels handed out at once were replaced all at once 30 s later, taking the
    # machine from the room (and the culler) for half a minute
    voila_manager = _voila_manager(tmp_path, fill_delay=30.0, refill_spacing=1.5)
    asked: list[float] = []
    voila_manager._voila_fill = lambda delay, *args, **kwargs: asked.append(delay)
    for _ in range(3):  # what Voilà does after handing out each kernel
        voila_manager.fill_if_needed(delay=None, notebook_name="goal-setting.ipynb")
    voila_manager.fill_if_needed(delay=0, notebook_name="reflection.ipynb")  # first fill
    assert asked[3] == 0
    assert asked[0] == pytest.approx(30.0, abs=0.1)
    assert asked[1] == pytest.approx(31.5, abs=0.1)
    assert asked[2] == pytest.approx(33.0, abs=0.1)


def test_the_command_line_default_is_the_serving_default() -> None:
    subcommands = next(a for a in _parser()._actions if isinstance(a, argparse._SubParsersAction))
    serve = subcommands.choices["serve"]
    given = next(a.default for a in serve._actions if "--cull-idle" in a.option_strings)
    assert given == ServeConfig.cull_idle_timeout


def test_the_culler_kills_an_idle_kernel_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # asking politely cost the server ~90 ms a kernel: 100 closed pages waited for it
    stopped: list[tuple[str, bool]] = []

    async def jupyter_servers(
        self: Any, kernel_id: str, now: bool = False, restart: bool = False
    ) -> None:
        stopped.append((kernel_id, now))

    monkeypatch.setattr(AsyncMappingKernelManager, "shutdown_kernel", jupyter_servers)
    manager = PdkitKernelManager(cull_idle_timeout=10)
    manager._kernels["closed"] = _Idle(11)
    manager._kernel_connections["closed"] = 0
    manager.notify_connect("closed")
    manager.notify_disconnect("closed")
    _run(manager.cull_kernels())
    _run(manager.shutdown_kernel("asked"))  # anything else (the API, the server stopping)
    assert stopped == [("closed", True), ("asked", False)]


def test_the_meaningless_not_trusted_warning_is_kept_out_of_the_log() -> None:
    # Voilà marks every output it shows trusted itself: a notebook's signature decides
    # nothing there, and the warning came on every page load
    app = Application()
    PdkitKernelManager(parent=app)
    PdkitKernelManager(parent=app)  # a second manager adds no second filter
    assert sum(isinstance(f, NotTrustedFilter) for f in app.log.filters) == 1
    shown: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: shown.append(record.getMessage())  # type: ignore[method-assign]
    app.log.addHandler(handler)
    try:
        app.log.warning("Notebook %s is not trusted", "goal-setting.ipynb")
        app.log.warning("Notebook %s could not be read", "goal-setting.ipynb")
    finally:
        app.log.removeHandler(handler)
    assert shown == ["Notebook goal-setting.ipynb could not be read"]


def test_the_server_makes_no_log_record_that_no_handler_would_show() -> None:
    # traitlets sets an application's logger to DEBUG and its handler to the log level:
    # each debug call (one per message a kernel sends) made a record for nothing
    class QuietRoom(Application):
        pass

    class DebuggedRoom(Application):
        pass

    quiet, debugged = QuietRoom(log_level=logging.INFO), DebuggedRoom(log_level=logging.DEBUG)
    assert quiet.log.isEnabledFor(logging.DEBUG)  # as traitlets leaves it
    PdkitKernelManager(parent=quiet)
    PdkitKernelManager(parent=debugged)
    assert not quiet.log.isEnabledFor(logging.DEBUG)
    assert quiet.log.isEnabledFor(logging.INFO)  # what its handler shows still comes
    assert debugged.log.isEnabledFor(logging.DEBUG)  # --debug: every record is shown

    child = logging.getLogger("pdkit-tests.room")
    child.setLevel(logging.DEBUG)
    shown_here = logging.Handler(logging.WARNING)
    child.addHandler(shown_here)
    everything = logging.Handler(logging.DEBUG)  # an ancestor shows its debug records
    logging.getLogger("pdkit-tests").addHandler(everything)
    try:
        skip_records_nobody_shows(child)
        assert child.isEnabledFor(logging.DEBUG)
        child.propagate = False
        skip_records_nobody_shows(child)
        assert not child.isEnabledFor(logging.INFO)
        assert child.isEnabledFor(logging.WARNING)
    finally:
        child.removeHandler(shown_here)
        logging.getLogger("pdkit-tests").removeHandler(everything)


def test_a_closed_page_s_kernel_culled_is_information_not_a_warning() -> None:
    app = Application()
    PdkitKernelManager(parent=app)
    levels: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: levels.append(record.levelname)  # type: ignore[method-assign]
    app.log.addHandler(handler)
    try:
        app.log.warning(NotTrustedFilter.CULLING, "idle", "python3", "k-1", 0, 7)
        app.log.warning("Culling '%s' dead kernel '%s' (%s).", "dead", "python3", "k-2")
    finally:
        app.log.removeHandler(handler)
    assert levels == ["INFO", "WARNING"]  # a dead kernel is worth a warning


def test_tornado_s_ping_timeout_note_is_kept_out_of_the_log() -> None:
    app = Application()
    PdkitKernelManager(parent=app)
    tornado_log = logging.getLogger("tornado.general")
    assert sum(isinstance(f, PingTimeoutFilter) for f in tornado_log.filters) == 1
    shown: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: shown.append(record.getMessage())  # type: ignore[method-assign]
    tornado_log.addHandler(handler)
    try:
        tornado_log.warning(
            "The websocket_ping_timeout (90000) cannot be longer than the "
            "websocket_ping_interval (30000).\nSetting websocket_ping_timeout=30000"
        )
        tornado_log.warning("Malformed HTTP message from 127.0.0.1")
    finally:
        tornado_log.removeHandler(handler)
    assert shown == ["Malformed HTTP message from 127.0.0.1"]


# --------------------------------------------------------------------------- facilitator key


@pytest.mark.parametrize(
    ("key", "why"),
    [
        ("1234", "it has 4 characters; a key needs at least 16"),
        ("given-key", "it has 9 characters"),
        ("abababababababababab", "it uses only 2 different characters; a key needs at least 10"),
        ("abcdefghijklmnopqrst", "it is mostly repeated or consecutive characters"),
        ("9876543210987654", "it is mostly repeated or consecutive characters"),
    ],
)
def test_a_weak_facilitator_key_is_refused_with_how_to_make_a_good_one(
    key: str,
    why: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("PDKIT_FACILITATOR_KEY", raising=False)
    monkeypatch.setattr(
        "pdkit.serve._voila.subprocess.Popen", lambda *a, **k: pytest.fail("Voilà started")
    )
    store = str(tmp_path / "s.sqlite3")
    assert main(["serve", "--facilitator-key", key, "--port", "0", "--store", store]) == 2
    err = capsys.readouterr().err
    assert f"--facilitator-key is too weak to guard the facilitator's dashboard: {why}" in err
    assert "Leave it out and pdkit serve makes a random one" in err
    assert 'python -c "import secrets; print(secrets.token_urlsafe(16))"' in err

    monkeypatch.setenv("PDKIT_FACILITATOR_KEY", key)
    assert main(["serve", "--port", "0", "--store", store]) == 2
    assert "$PDKIT_FACILITATOR_KEY is too weak" in capsys.readouterr().err


def test_a_strong_key_of_ones_own_goes_in_the_link_as_typed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PDKIT_FACILITATOR_KEY", raising=False)
    key = "Spring PD & room 12: 7 teachers"  # a passphrase: long and varied
    out = io.StringIO()
    env = prepare(ServeConfig(store=str(tmp_path / "s.sqlite3"), facilitator_key=key), out)
    assert env["PDKIT_FACILITATOR_KEY"] == key
    links = [line.rsplit(" ", 1)[-1] for line in out.getvalue().splitlines() if "key=" in line]
    assert [link.split("?")[0].rsplit("/", 1)[-1] for link in links] == [
        "facilitator.ipynb",
        "room.ipynb",  # the room display opens with the facilitator's key too
    ]
    for link in links:
        assert query_value(link, "key") == key  # quoted in the link, read back whole


def test_the_random_key_is_strong(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PDKIT_FACILITATOR_KEY", raising=False)
    keys = {random_key() for _ in range(200)}
    assert len(keys) == 200
    assert all(len(k) == 22 and key_weakness(k) is None for k in keys)  # 128 random bits
    env = prepare(ServeConfig(store=str(tmp_path / "s.sqlite3")), io.StringIO())
    assert key_weakness(env["PDKIT_FACILITATOR_KEY"]) is None


def test_a_port_in_use_is_refused_before_anything_starts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Voilà would quietly move to another port, and every printed link would be wrong."""
    import socket

    monkeypatch.setattr(
        "pdkit.serve._voila.subprocess.Popen", lambda *a, **k: pytest.fail("Voilà started")
    )
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        store = str(tmp_path / "s.sqlite3")
        assert main(["serve", "--port", str(port), "--store", store]) == 2
    err = capsys.readouterr().err
    assert f"cannot serve on port {port} of 127.0.0.1: Address already in use" in err
    assert "choose another port with --port" in err
    assert "--Voila.port_retries=0" in voila_command(ServeConfig(port=port))


def test_served_kernels_skip_the_widgets_echo_unless_told(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One tab per kernel: ipywidgets' echo of each change would be one more message
    through the server per keystroke. Whoever sets JUPYTER_WIDGETS_ECHO keeps theirs."""
    monkeypatch.delenv("JUPYTER_WIDGETS_ECHO", raising=False)
    config = ServeConfig(store=str(tmp_path / "s.sqlite3"), port=0)
    assert prepare(config, io.StringIO())["JUPYTER_WIDGETS_ECHO"] == "0"
    monkeypatch.setenv("JUPYTER_WIDGETS_ECHO", "1")
    config = ServeConfig(store=str(tmp_path / "t.sqlite3"), port=0)
    assert prepare(config, io.StringIO())["JUPYTER_WIDGETS_ECHO"] == "1"


def test_pages_of_pdkit_s_template_come_with_the_style_sheet_and_kernels_send_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pdkit's template has the style sheet in the page, so its kernels send no copy
    (14 KB and a model less per page); another template gets the copy from the kernel."""
    import jinja2

    from pdkit.app._page import sheet, style
    from pdkit.serve import template_data_dir

    monkeypatch.delenv("PDKIT_PAGE_STYLE", raising=False)
    config = ServeConfig(store=str(tmp_path / "s.sqlite3"), port=0)
    env = prepare(config, io.StringIO())
    assert env["PDKIT_PAGE_STYLE"] == "template"
    assert "--VoilaConfiguration.allow_template_override=NO" in voila_command(config)
    monkeypatch.setenv("PDKIT_PAGE_STYLE", "template")  # set by someone, yet another template
    other = ServeConfig(store=str(tmp_path / "t.sqlite3"), port=0, template="lab")
    assert "PDKIT_PAGE_STYLE" not in prepare(other, io.StringIO())
    assert "--VoilaConfiguration.allow_template_override=NO" not in voila_command(other)

    assert sheet() == []  # the kernel side, told
    monkeypatch.delenv("PDKIT_PAGE_STYLE")
    (copy,) = sheet()
    assert copy.value == style()
    # The template's own words include the very file the kernels would send.
    folder = template_data_dir() / "voila" / "templates" / "pdkit"
    included = jinja2.Environment(loader=jinja2.FileSystemLoader(folder)).from_string(
        '{% include "pdkit.css" %}'
    )
    assert f"<style>{included.render()}</style>" == style().replace("\n</style>", "</style>")
    assert '{% include "pdkit.css" %}' in (folder / "index.html.j2").read_text()


def test_the_kernels_are_told_which_definition_texts_were_checked(tmp_path: Path) -> None:
    """Those the goal-setting page loads are among them: its kernel compiles no schema
    validator (about 4 MiB of generated code in each kernel of a room)."""
    import hashlib

    from pdkit.definitions import builtin_definition_path, builtin_workbook_path

    env = prepare(ServeConfig(store=str(tmp_path / "s.sqlite3"), port=0), io.StringIO())
    told = set(env["PDKIT_DEFINITIONS_CHECKED"].split())
    for path in (builtin_workbook_path("goal-setting"), builtin_definition_path("goal-setting")):
        digest = hashlib.sha256(path.read_text(encoding="utf-8").encode()).hexdigest()[:32]
        assert digest in told, path


def test_the_kernels_take_the_definitions_data_the_server_parsed(tmp_path: Path) -> None:
    """A goal-setting kernel of ``pdkit serve`` builds its page without PyYAML (0.7 MiB
    of Python objects in every kernel of a room): the server wrote the data of every text
    it parsed, and the page built from them is the page built from the YAML."""
    from pdkit.serve._voila import runtime_env

    env = prepare(ServeConfig(store=str(tmp_path / "s.sqlite3"), port=0), io.StringIO())
    runtime_env(env, tmp_path / "runtime")
    assert env["JUPYTER_RUNTIME_DIR"] == str(tmp_path / "runtime")
    assert len(list(Path(env["PDKIT_DEFINITIONS_PARSED"]).glob("*.json"))) > 10
    script = (
        "import sys, pdkit.app\n"
        "workbook = pdkit.app.Workbook('goal-setting')\n"
        "assert workbook.error is None, workbook.error\n"
        "print('yaml' in sys.modules, repr(workbook.definition))\n"
    )
    with_copies = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    env.pop("PDKIT_DEFINITIONS_PARSED")
    from_yaml = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    loaded_yaml, definition = with_copies.stdout.split(" ", 1)
    assert loaded_yaml == "False"
    assert from_yaml.stdout == f"True {definition}"


def test_prepare_keeps_no_copies_of_what_is_parsed_after_it(tmp_path: Path) -> None:
    """A process that runs ``prepare`` and goes on parsing (a test run) does not keep a
    copy of every text it parses afterwards."""
    from pdkit.definitions import _parsed

    prepare(ServeConfig(store=str(tmp_path / "s.sqlite3"), port=0), io.StringIO())
    kept = len(_parsed._parsed)
    assert kept > 10
    _parsed.compose("parsed: after prepare\n", "after.yaml")
    assert len(_parsed._parsed) == kept


def test_a_page_s_kernel_connection_asks_the_kernel_one_question() -> None:
    # jupyter_server asked on a new shell channel and a new control channel at every
    # attempt; pdkit's Voilà asks on control only (every browser test connects this way)
    from jupyter_server.services.kernels.connection.channels import (
        ZMQChannelsWebsocketConnection,
    )

    from pdkit.serve._app import PdkitVoila
    from pdkit.serve._connection import OneQuestionConnection

    assert PdkitVoila().kernel_websocket_connection_class is OneQuestionConnection
    assert issubclass(OneQuestionConnection, ZMQChannelsWebsocketConnection)
    assert OneQuestionConnection.nudge is not ZMQChannelsWebsocketConnection.nudge
