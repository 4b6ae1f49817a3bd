"""Hub load: N teachers sign in to a real local JupyterHub at once, open the goal-setting
workbook on their own server and save a goal, with the store in PostgreSQL behind
PgBouncer in transaction mode, reached only through the pdkit hub service.

Starts, in a temporary folder, and stops by PID at the end (nothing is left running):

- PostgreSQL (``initdb``/``pg_ctl``, as the tests start it: tests/_postgres_server.py);
- PgBouncer (Debian's ``pgbouncer``) in transaction mode in front of it, with a server
  pool of ``--pool`` connections (default 10);
- JupyterHub (DummyAuthenticator, local process spawner, configurable-http-proxy from
  npm) with the guide's settings (tests/_deploy.py: local_hub): the pdkit hub service
  holds ``postgresql://…`` of PgBouncer; teachers' servers get the service's
  ``pdkit-hub://`` URL, no password. Beyond the guide's (:data:`ROOM_SETTINGS`): the
  spawn timeouts raised to 600 s, and kernels over Unix sockets (servers sharing one
  machine otherwise collide on their kernels' TCP ports).

Each teacher is a light client in this process (all released at once), doing what a
browser does:

1. *sign in*: GET /hub/login for its ``_xsrf``, POST /hub/login (user and password);
2. *server*: GET /hub/spawn/<user> starts their server; the hub's progress event stream
   (as the spawn-pending page reads it) until it says ready;
3. *form*: GET /user/<user>/voila/render/workbooks/goal-setting.ipynb (through the hub's
   OAuth redirects), the kernel websocket, kernel_info, the widget states
   (join_storm.py's Kernel); on a hub the workbook signs the user in itself, so the goal
   form is there at once;
4. *save*: the goal typed, Save clicked, until the status next to Save says "Saved at".

"Form usable" is from the sign-in to the goal form ready to type in (steps 1-3). Then
every goal is read back from PostgreSQL (directly, by ``open_store``, as each teacher):
a save that was confirmed but is missing or different is lost. The script prints each
step's p50 and p95, CPU and memory (PSS of the hub and everything it started: the proxy,
the service, every teacher's server and kernel), and the most server connections
PostgreSQL had. It exits non-zero unless every teacher saved and nothing was lost.

Then every page stays open for ``--hold`` seconds (default 60) while no one types, and the
store calls the open pages make meanwhile are counted (each page asks for new peer feedback
every 10 s): the steady load a room puts on the service.

Usage: python benchmarks/hub_load.py [N ...] [--pool P] [--timeout S] [--hold S] [--env DIR]
(``BENCH_SERVER_LOG=FILE`` keeps the hub's log, with its servers' and the service's.)

The hub's environment (a fresh virtualenv with pdkit from this checkout as Binder
installs it, JupyterHub, and the proxy from npm) is built in --env (default: a temporary
folder; give a folder to build it once and reuse it: about a minute).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from tornado.httpclient import HTTPRequest
from tornado.websocket import websocket_connect

from _harness import free_port, stop
from join_storm import (
    CONFIG_RE,
    OUTPUT_RE,
    V1,
    VIEW_MIME,
    Kernel,
    cmdlines,
    cpu_seconds,
    descendants,
    machine,
    pct,
    pss_kib,
    reap,
    staged,
)

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
from _deploy import (  # noqa: E402  (the tests' helpers: one home for the hub's set-up)
    LEAKY_ENV,
    BinderEnv,
    binder_env_in,
    build_binder_env,
    install_http_proxy,
    local_hub,
    proxy_in,
    run,
)
from _postgres_server import (  # noqa: E402
    SUPERUSER,
    PostgresServer,
    find_postgres_bin,
    throwaway_postgres,
    unprivileged_user,
)

PASSWORD = "load-test-password"
WORKBOOK = "voila/render/workbooks/goal-setting.ipynb"
XSRF_RE = re.compile(r'name="_xsrf" value="([^"]+)"')
DATABASE = "pdkit_hub_load"

ROOM_SETTINGS = """
# The load test's: a room arriving at once, on a slow machine.
c.JupyterHub.concurrent_spawn_limit = {spawn_limit}
c.Spawner.start_timeout = 600
c.Spawner.http_timeout = 600

# Kernels over Unix sockets, in a short folder of each teacher's: on one machine every
# server picks its kernels' TCP ports on its own, and with dozens starting at once two
# kernels took the same port (one never started: ZMQError "Address already in use", its
# page never came; 1 of 50) and a kernel took the port the hub had given a server not yet
# listening (the hub waited for it in vain). Pods on Kubernetes have ports of their own.
c.Spawner.args = [*c.Spawner.args, "--KernelManager.transport=ipc"]
c.Spawner.environment["JUPYTER_RUNTIME_DIR"] = "{runtime}/{{username}}"
"""
"""More hub settings for the load test (after the guide's, :func:`local_hub`)."""


# --------------------------------------------------------------------------- PgBouncer


@contextlib.contextmanager
def pgbouncer(pg: PostgresServer, pool: int, max_clients: int) -> Iterator[int]:
    """Debian's PgBouncer in transaction mode in front of ``pg``; yields its port. It runs
    as the server's user (PgBouncer refuses root), in its own folder, stopped by PID."""
    program = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
    if not Path(program).exists():
        raise SystemExit("hub_load: no pgbouncer (apt-get install pgbouncer; setup.sh does)")
    base = Path(tempfile.mkdtemp(prefix="pdkit-pgbouncer-"))
    port = free_port()
    (base / "users.txt").write_text(f'"{SUPERUSER}" ""\n')
    (base / "pgbouncer.ini").write_text(
        "[databases]\n"
        f"* = host=127.0.0.1 port={pg.port}\n"
        "[pgbouncer]\n"
        f"listen_addr = 127.0.0.1\nlisten_port = {port}\n"
        f"unix_socket_dir = {base}\n"
        "auth_type = trust\n"
        f"auth_file = {base / 'users.txt'}\n"
        f"admin_users = {SUPERUSER}\n"
        "pool_mode = transaction\n"
        f"default_pool_size = {pool}\n"
        f"max_client_conn = {max_clients}\n"
        f"logfile = {base / 'pgbouncer.log'}\n"
        "ignore_startup_parameters = extra_float_digits,options\n"
    )
    if pg.user:
        import pwd

        entry = pwd.getpwnam(pg.user)
        for path in (base, *base.iterdir()):
            os.chown(path, entry.pw_uid, entry.pw_gid)
    command = [program, str(base / "pgbouncer.ini")]
    if pg.user:
        command = ["runuser", "-u", pg.user, "--", *command]
    proc = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    try:
        _wait_port(port, proc, base / "pgbouncer.log")
        yield port
    finally:
        below = descendants(proc.pid)
        stop(proc)
        reap([p for p in below if Path(f"/proc/{p}").exists()])
        shutil.rmtree(base, ignore_errors=True)


def _wait_port(port: int, proc: subprocess.Popen[bytes], log: Path, limit: float = 30) -> None:
    import socket

    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            said = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise SystemExit(f"hub_load: pgbouncer exited ({proc.returncode}):\n{said}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
            return
        time.sleep(0.2)
    raise SystemExit(f"hub_load: pgbouncer did not listen on {port} within {limit:.0f} s")


def bounced(port: int) -> int:
    """Transactions PgBouncer passed to the load test's database (its ``SHOW STATS``):
    the proof that the store was reached through it."""
    import psycopg

    # The admin console speaks only the simple query protocol: a client-side cursor.
    with psycopg.connect(
        f"postgresql://{SUPERUSER}@127.0.0.1:{port}/pgbouncer",
        autocommit=True,
        cursor_factory=psycopg.ClientCursor,
    ) as conn:
        cursor = conn.execute("SHOW STATS")
        names = [c.name for c in cursor.description or ()]
        for row in cursor.fetchall():
            found = dict(zip(names, row, strict=True))
            if found.get("database") == DATABASE:
                return int(found["total_xact_count"])
    return 0


class PeakConnections:
    """The most connections PostgreSQL had at once (``pg_stat_activity``, client
    backends), sampled every 0.2 s in a thread while the block runs."""

    def __init__(self, pg: PostgresServer) -> None:
        self.pg = pg
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        import psycopg

        with psycopg.connect(self.pg.url(DATABASE), autocommit=True) as conn:
            while not self._stop.is_set():
                row = conn.execute(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()"
                ).fetchone()
                self.peak = max(self.peak, int(row[0]) if row else 0)
                self._stop.wait(0.2)

    def __enter__(self) -> PeakConnections:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(5)


# --------------------------------------------------------------------------- a teacher


@dataclass
class Teacher:
    user: str
    goal: str
    stage: str = "waiting"
    error: str = ""
    login: float | None = None  # GET /hub/login → the POST answered
    server: float | None = None  # spawn → the progress stream says ready
    form: float | None = None  # the workbook's GET → the goal form in the widget states
    save: float | None = None  # the goal sent + Save → "Saved at"
    usable: float | None = None  # sign-in → the goal form ready to type in (1-3)
    kernel: Kernel | None = None

    @property
    def saved(self) -> bool:
        return self.save is not None


async def teacher(base: str, who: Teacher, timeout: float, go: asyncio.Event) -> Teacher:
    await go.wait()
    async with httpx.AsyncClient(base_url=base, timeout=timeout) as http:
        await staged(_flow(http, base, who), who, timeout)
    return who


async def _flow(http: httpx.AsyncClient, base: str, who: Teacher) -> None:
    t0 = time.perf_counter()
    who.stage = "sign in"
    page = await http.get("/hub/login")
    found = XSRF_RE.search(page.text)
    if found is None:
        raise RuntimeError("no _xsrf on the hub's sign-in page")
    signed = await http.post(
        "/hub/login",
        data={"username": who.user, "password": PASSWORD, "_xsrf": found.group(1)},
    )
    if signed.status_code != 302:
        raise RuntimeError(f"sign-in answered {signed.status_code}")
    who.login = time.perf_counter() - t0

    who.stage = "server"
    t_server = time.perf_counter()
    await http.get(f"/hub/spawn/{who.user}")  # starts the server; 302 to pending or to it
    xsrf = http.cookies.get("_xsrf", path="/hub/") or http.cookies.get("_xsrf") or ""
    progress = f"/hub/api/users/{who.user}/server/progress"
    async with http.stream("GET", progress, headers={"X-XSRFToken": xsrf}) as events:
        if events.status_code != 200:
            raise RuntimeError(f"the progress stream answered {events.status_code}")
        said = ""
        async for line in events.aiter_lines():
            if not line.startswith("data:"):
                continue
            said = line
            if '"ready": true' in line or '"failed": true' in line:
                break
    if '"ready": true' not in said:
        raise RuntimeError(f"the server did not start: {said[:300]}")
    who.server = time.perf_counter() - t_server

    who.stage = "form"
    t_form = time.perf_counter()
    opened = await http.get(f"/user/{who.user}/{WORKBOOK}", follow_redirects=True)
    if opened.status_code != 200:
        raise RuntimeError(f"the workbook answered {opened.status_code} at {opened.url}")
    html = opened.text
    config = CONFIG_RE.search(html)
    if config is None:
        raise RuntimeError("no jupyter-config-data in the workbook's page")
    kernel_id = json.loads(config.group(1))["kernelId"]
    roots = [
        view["model_id"]
        for m in OUTPUT_RE.finditer(html)
        if (view := json.loads(m.group(1)).get("data", {}).get(VIEW_MIME))
    ]
    cookie = "; ".join(f"{c.name}={c.value}" for c in http.cookies.jar)
    session = uuid.uuid4().hex
    ws_url = (
        base.replace("http://", "ws://")
        + f"/user/{who.user}/api/kernels/{kernel_id}/channels?session_id={session}"
    )
    ws = await websocket_connect(HTTPRequest(ws_url, headers={"Cookie": cookie}), subprotocols=[V1])
    kernel = who.kernel = Kernel(ws, session)
    info = kernel.send("kernel_info_request", {})
    with contextlib.suppress(asyncio.TimeoutError):  # the front-end waits 3 s at most
        await asyncio.wait_for(kernel.until(lambda: info in kernel.replies), 3)
    await kernel.fetch_states()
    goal = kernel.find(roots, "TextareaModel", "My goal (required)")
    save = kernel.find(roots, "ButtonModel", "Save")
    status = kernel.sibling(roots, save, "HTMLModel") if save else None
    if goal is None or save is None or status is None:
        raise RuntimeError(f"no goal form on the page; it says: {kernel.text(roots)}")
    who.form = time.perf_counter() - t_form
    who.usable = time.perf_counter() - t0

    who.stage = "save"
    t_save = time.perf_counter()
    kernel.update(goal, {"value": who.goal})
    kernel.click(save)
    await kernel.until(lambda: "Saved at" in kernel.models[status].get("value", ""))
    who.save = time.perf_counter() - t_save
    who.stage = "done"


# --------------------------------------------------------------------------- one run


@dataclass
class Run:
    n: int
    teachers: list[Teacher]
    lost: int
    seconds: float
    cpu: dict[str, float]  # CPU seconds during the storm, by part (PARTS)
    pss_kib: dict[str, int]  # PSS by part while every teacher is connected
    teachers_rss_kib: int  # the teachers' processes' RSS then, each counted whole
    servers: int  # single-user servers running then
    pg_peak: int  # the most connections PostgreSQL had (PgBouncer's, to the store)
    bounced: int  # transactions PgBouncer passed to the store's database
    calls: int  # requests the pdkit service answered (its log, in the hub's), until all saved
    held: Held


def lost_goals(pg: PostgresServer, teachers: Sequence[Teacher]) -> int:
    """Confirmed saves whose goal is not in the store, read as each teacher."""
    from pdkit import open_store

    store = open_store(pg.url(DATABASE))
    try:
        lost = 0
        for who in teachers:
            if not who.saved:
                continue
            person = store.participant_for_external_id(f"jupyterhub:{who.user}")
            answers = store.latest(person.id, "goal-setting", viewer=person.id) if person else {}
            lost += answers.get("goal") != who.goal
        return lost
    finally:
        store.close()


PARTS = ("hub", "proxy", "service", "teachers")
"""What a hub's processes are, for the figures: the hub itself, its proxy, the pdkit
service (the shared parts), and the teachers' servers with their kernels."""


def parts(hub_pid: int) -> dict[str, list[int]]:
    """The hub's processes and all it started, by :data:`PARTS`."""
    found: dict[str, list[int]] = {part: [] for part in PARTS}
    for pid, cmdline in cmdlines(descendants(hub_pid)):
        if b"jupyterhub-singleuser" in cmdline:
            found["teachers"].extend(descendants(pid))  # the server and its kernels
        elif b"hub-service" in cmdline:
            found["service"].append(pid)
        elif b"configurable-http-proxy" in cmdline:
            found["proxy"].append(pid)
    taken = {pid for pids in found.values() for pid in pids}
    found["hub"] = [pid for pid in descendants(hub_pid) if pid not in taken]
    return found


def single_user_servers(teachers: Sequence[int]) -> int:
    """How many of the teachers' processes are single-user servers."""
    return sum(b"jupyterhub-singleuser" in cmdline for _, cmdline in cmdlines(teachers))


@dataclass
class Held:
    """The open pages' steady load on the pdkit service while no one types (each page
    asks for new peer feedback every 10 s: ``feedback`` calls)."""

    pages: int
    seconds: float
    calls: int
    service_cpu: float


async def storm(
    base: str, n: int, timeout: float, hub_pid: int, hold: float, log: Path
) -> tuple[list[Teacher], dict[str, int], int, dict[str, float], int, Held]:
    """N teachers at once; returns them, and once all are done and still connected: the
    PSS of each part, the teachers' RSS, the CPU time of each part, how many servers run;
    then what the open pages ask of the service in ``hold`` seconds."""
    go = asyncio.Event()
    teachers = [
        Teacher(user=f"t{i:04d}", goal=f"Teacher {i}: students explain their thinking in pairs")
        for i in range(n)
    ]
    tasks = [asyncio.ensure_future(teacher(base, t, timeout, go)) for t in teachers]
    await asyncio.sleep(0.2)
    go.set()
    done = await asyncio.gather(*tasks)
    now = parts(hub_pid)
    pss = {part: pss_kib(pids) for part, pids in now.items()}
    rss = pss_kib(now["teachers"], field="Rss")
    cpu = {part: cpu_seconds(pids) for part, pids in now.items()}
    servers = single_user_servers(now["teachers"])
    calls_before, started = service_calls(log), time.perf_counter()
    await asyncio.sleep(hold)
    service = parts(hub_pid)["service"]
    held = Held(
        pages=sum(1 for t in done if t.kernel is not None and not t.kernel.closed),
        seconds=time.perf_counter() - started,
        calls=service_calls(log) - calls_before,
        service_cpu=cpu_seconds(service) - cpu["service"],
    )
    for t in done:
        if t.kernel is not None:
            t.kernel.close()
    return done, pss, rss, cpu, servers, held


def run_once(
    env: BinderEnv, proxy: Path, n: int, pool: int, timeout: float, hold: float = 0.0
) -> Run:
    bin_dir, user = find_postgres_bin(), unprivileged_user()
    if bin_dir is None or user is None:
        raise SystemExit("hub_load: no PostgreSQL server programs (setup.sh installs them)")
    # The service reaches PostgreSQL: pdkit's postgres extra, as the guide's image has it.
    run([env.bin("python"), "-m", "pip", "install", "--quiet", "psycopg[binary]>=3.1"])
    with (
        throwaway_postgres(bin_dir, user) as pg,
        pgbouncer(pg, pool, max_clients=max(100, 4 * n)) as bouncer,
        tempfile.TemporaryDirectory(prefix="pdkit-hub-load-") as tmp,
        tempfile.TemporaryDirectory(prefix="hl", dir="/tmp") as runtime,  # a socket's path
    ):  # must be short (107 bytes): /tmp/hlXXXXXXXX/<user>/kernel-<id>-ipc-<n>
        pg.admin().execute(f'CREATE DATABASE "{DATABASE}"')
        root = Path(tmp)
        hub = local_hub(
            root,
            env,
            proxy,
            store_url=f"postgresql://{SUPERUSER}@127.0.0.1:{bouncer}/{DATABASE}",
            password=PASSWORD,
            facilitators=[],
            coaches=[],
            extra=ROOM_SETTINGS.format(spawn_limit=max(100, n), runtime=runtime),
        )
        env_vars = {k: v for k, v in os.environ.items() if k not in LEAKY_ENV}
        proc = _start_hub(env, hub.config, root, env_vars)
        try:
            _wait_http(hub.base_url + "/hub/login", proc, root / "hub.log")
            before = {part: cpu_seconds(pids) for part, pids in parts(proc.pid).items()}
            started = time.perf_counter()
            with PeakConnections(pg) as peak:
                # In a thread of its own: a caller may be running an event loop already
                # (a test session with a browser open). Not waited for on Ctrl-C: the hub
                # is stopped below, and the teachers' connections end with it.
                worker = ThreadPoolExecutor(1)
                try:
                    teachers, pss, rss, after, servers, held = worker.submit(
                        asyncio.run,
                        storm(hub.base_url, n, timeout, proc.pid, hold, root / "hub.log"),
                    ).result()
                finally:
                    worker.shutdown(wait=False, cancel_futures=True)
            seconds = time.perf_counter() - started
            cpu = {part: after[part] - before.get(part, 0.0) for part in PARTS}
            lost = lost_goals(pg, teachers)
            through = bounced(bouncer)
            calls = service_calls(root / "hub.log") - held.calls
        finally:
            below = descendants(proc.pid)
            with contextlib.suppress(OSError, subprocess.TimeoutExpired):
                stop(proc)
            time.sleep(1)
            reap([p for p in below if Path(f"/proc/{p}").exists()])
            # The proxy runs in a session of its own, made to outlive a hub that restarts:
            # a hub that died (a service that could not start) leaves it running.
            with contextlib.suppress(OSError, ValueError):
                left = int((root / "proxy.pid").read_text().strip())
                if b"configurable-http-proxy" in Path(f"/proc/{left}/cmdline").read_bytes():
                    reap([left])
            kept = os.environ.get("BENCH_SERVER_LOG")
            if kept:  # the hub's log, with the servers' and the service's, to read later
                shutil.copyfile(root / "hub.log", kept)
        return Run(
            n, teachers, lost, seconds, cpu, pss, rss, servers, peak.peak, through, calls, held
        )


def service_calls(log: Path) -> int:
    """Store calls the pdkit service answered: the lines it logs (``[pdkit hub-service]
    … "POST …/call/<method> …"``, in the hub's output)."""
    text = log.read_text(errors="replace")
    return sum(1 for line in text.splitlines() if "[pdkit hub-service]" in line and "POST" in line)


def _start_hub(env: BinderEnv, config: Path, root: Path, variables: dict[str, str]) -> Any:
    with (root / "hub.log").open("wb") as log:  # the hub writes to its own copy
        return subprocess.Popen(
            ["env", "-C", str(root), env.bin("jupyterhub"), "-f", str(config)],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env=variables,
        )


def _wait_http(url: str, proc: Any, log: Path, limit: float = 120) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            said = log.read_text(errors="replace")[-3000:]
            raise SystemExit(f"hub_load: the hub exited:\n{said}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=2).status_code == 200:
                return
        time.sleep(0.5)
    raise SystemExit(f"hub_load: the hub did not answer within {limit:.0f} s")


# --------------------------------------------------------------------------- reporting


def seconds(value: float) -> str:
    return "—" if math.isnan(value) else f"{value:.2f} s"


def describe(r: Run) -> None:
    ok = [t for t in r.teachers if t.saved]
    failed = [t for t in r.teachers if t.error]
    print(f"\nN = {r.n}: {len(ok)} saved, {r.lost} lost, {len(failed)} failed, {r.seconds:.0f} s")
    for what in ("login", "server", "form", "usable", "save"):
        values = [getattr(t, what) for t in r.teachers if getattr(t, what) is not None]
        p50, p95 = seconds(pct(values, 0.5)), seconds(pct(values, 0.95))
        print(f"  {what:<7} p50 {p50:>8}  p95 {p95:>8}")
    cpu = ", ".join(f"{part} {r.cpu[part]:.1f} s" for part in PARTS)
    print(f"  CPU {sum(r.cpu.values()):.0f} s: {cpu} ({r.cpu['teachers'] / r.n:.2f} s a teacher)")
    pss = ", ".join(f"{part} {r.pss_kib[part] / 1024:.0f} MiB" for part in PARTS)
    each = r.pss_kib["teachers"] / 1024 / max(r.servers, 1)
    whole = r.teachers_rss_kib / 1024 / max(r.servers, 1)
    print(f"  PSS {pss} ({each:.0f} MiB a teacher: server and kernel; {r.servers} servers)")
    print(f"  RSS a teacher (server and kernel, nothing shared, as in a pod): {whole:.0f} MiB")
    per_call = r.cpu["service"] / r.calls * 1000 if r.calls else math.nan
    print(
        f"  pdkit service: {r.calls} store calls ({r.calls / r.n:.1f} a teacher), "
        f"{per_call:.1f} ms of CPU each; PostgreSQL: at most {r.pg_peak} connections, "
        f"{r.bounced} transactions through PgBouncer"
    )
    h = r.held
    if h.seconds > 1 and h.pages:
        rate = h.calls / h.seconds / h.pages
        print(
            f"  {h.pages} pages open for {h.seconds:.0f} s: {h.calls} store calls "
            f"({rate:.3f} a second a page), the service's CPU {h.service_cpu:.1f} s"
        )
    reasons: dict[str, int] = {}
    for t in failed:
        reasons[t.error[:160]] = reasons.get(t.error[:160], 0) + 1
    for reason, count in sorted(reasons.items(), key=lambda kv: -kv[1])[:5]:
        print(f"  failed ×{count}: {reason}")


def measured(runs: Sequence[Run]) -> None:
    """Exit non-zero unless every run measured real work: every teacher saved, none lost."""
    for r in runs:
        saved = sum(t.saved for t in r.teachers)
        if saved != r.n or r.lost:
            raise SystemExit(f"hub_load: N={r.n}: {saved} of {r.n} saved, {r.lost} lost")


def environment(folder: Path | None) -> tuple[BinderEnv, Path]:
    """The hub's environment and proxy, built in ``folder`` (or reused from it)."""
    root = folder or Path(tempfile.mkdtemp(prefix="pdkit-hub-env-"))
    env, chp = binder_env_in(root), root / "chp"
    if not (root / "built").exists():
        shutil.rmtree(root, ignore_errors=True)
        root.mkdir(parents=True)
        print(f"building the hub's environment in {root} (about a minute)", flush=True)
        env = build_binder_env(root)
        npm = shutil.which("npm")
        if npm is None:
            raise SystemExit("hub_load: npm is needed for JupyterHub's proxy")
        install_http_proxy(chp, npm)
        (root / "built").write_text("ok")
    return env, proxy_in(chp)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", nargs="*", type=int, default=[10])
    parser.add_argument("--pool", type=int, default=10, help="PgBouncer's server connections")
    parser.add_argument("--timeout", type=float, default=900)
    parser.add_argument("--env", type=Path, default=None)
    parser.add_argument(
        "--hold", type=float, default=60, help="seconds the pages stay open once all saved"
    )
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, _interrupt)  # stop the servers on kill too
    env, proxy = environment(args.env)
    print(f"machine: {machine()}; PgBouncer transaction mode, pool {args.pool}")
    runs = []
    for n in args.n:
        r = run_once(env, proxy, n, args.pool, args.timeout, args.hold)
        describe(r)
        runs.append(r)
    measured(runs)


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


if __name__ == "__main__":
    main()
