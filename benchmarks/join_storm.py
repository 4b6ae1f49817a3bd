"""Join storm: N participants open the goal-setting workbook at the same moment.

Starts `pdkit serve` (the shipped workbooks, a fresh SQLite store per N) and, as the
baseline, a plain `voila` on a one-cell notebook (an ipywidgets Text, a Button that
inserts the text into SQLite, an HTML status) written to a temp dir, twice: as Voilà
starts by default, and with its own pool of N pre-heated kernels (the fair peer: what a
Voilà expert would run for a room). Then N light
clients, all in this process and released at once, each do what a browser tab does,
over Voilà's HTTP and the Jupyter kernel websocket (protocol v1.kernel.websocket.jupyter.org,
as Voilà's page; --json-protocol: the legacy JSON one):

1. GET the page (Voilà runs the notebook while it streams the HTML); read the kernel
   id from ``<script id="jupyter-config-data">`` and the root widget model ids from
   the ``application/vnd.voila.cell-output+json`` outputs; GET /api/kernels/<id>.
2. Open ws://…/api/kernels/<id>/channels?session_id=…, send kernel_info_request and
   wait for the reply, 3 s at most (the front-end holds its messages until then).
3. Fetch the widget states as ipywidgets 8 does: comm_open on target
   "jupyter.widget.control" (metadata version 1.0.0), comm_msg request_states, wait
   for update_states, comm_close. Widgets created later arrive as comm_open on iopub,
   changes as comm_msg "update".

Time to interactive: from the GET to the moment the client can type. pdkit: the
"Your name" Text is displayed (reachable through the children of the page's root
widgets): made with the page, it is shown at once by a newcomer's browser (no token,
no lang= or code= in the link, as these clients), which sends nothing more until Join.
Bare: the Text model is among the states. A light client fetches no JS/CSS and renders
nothing, so these are the server's share of a real page load, not a browser's. A
request_states reply later than 4 s is counted (the browser would then give up on it
and ask each model for its state instead).

Then the participant acts. pdkit: Join as the page does it, one comm_msg to the page's
keeper (the Safekeeper anywidget) with the name as "Your name" shows it, the click of
the button marked ``pdkit-via:…`` and the BrowserIdentity's report (url_token "",
stored_token "", page_url: a new participant), until the kernel is idle after it, then
the "My goal (required)" Textarea must be there; save latency = from sending the goal text + a click
on Save to the form's status HTML (next to Save) containing "Saved at". Bare: text
into the Text, click Save, until the status HTML contains "Saved #<rowid>" (set by
the click handler after its INSERT committed).

Before the storm the script waits until the server is quiet (`pdkit serve` fills its
pool of pre-heated kernels first, as it would before a room arrives; with --pool-room it
first waits until ``/pdkit/ready`` says the pool of N was filled, which takes minutes for
hundreds). Each page's stages are timed (the page, its kernel's websocket, kernel_info,
the widget states), and the messages and bytes each page
received through the server are counted. While every
finished client is still connected: PSS (sum of ``Pss`` in /proc/<pid>/smaps_rollup)
of the server and all its descendant processes (Voilà, every kernel, pre-heated ones
included), divided by N. Then every answer is read back (pdkit: ``open_store``,
``participants()``, ``latest(pid, "goal-setting", viewer=pid)["goal"]``; bare: the
SQLite rows): an answer whose save was confirmed but is missing or different is lost.
Failed or timed-out clients are counted apart, with the step they were stuck at.
Finally all clients close their websockets (as a tab that is closed or whose laptop
sleeps: Voilà's beforeunload beacon to /voila/api/shutdown is refused without an
_xsrf cookie, and the page sets none) and the script waits until every participant's
kernel answers 404 and its process is gone: the idle culler's doing. `pdkit serve`
runs with its own culler settings unless --cull-idle is given; the bare Voilà gets
the same ones (pdkit.serve.ServeConfig's defaults). Pre-heated kernels stay, by design.

With --browsers the clients are real headless Chromium tabs (one browser, a context
each) doing the same through the page: TTI is from navigation to the visible "Your name"
box (bare: the "Goal" box), join until "My goal (required)" shows, save until "Saved
at"; closing a tab's context closes its websocket. For small N, to check the light
clients against what a browser sees (Chromium's own CPU counts as other processes).

Usage: python benchmarks/join_storm.py [N ...]   (default: 10 25)
       [--timeout S] [--cull-idle S] [--serve-arg ARG]... [--skip-bare] [--skip-default]
       [--pool-room] [--browsers]

--pool-room pre-heats a kernel per participant (`pdkit serve --pool goal-setting=N`).

*Goal form usable* is what a teacher waits for: from the request to the goal form ready to
type in (pdkit: the page, then the join step; the bare form: the page). The table gives
pdkit's ratio to the pooled bare form (the fair peer) and to the default one.

The script exits non-zero, after printing its figures, unless every storm measured real
work: every client interactive, joined and saved, and every confirmed answer found in the
store (a storm of failures would otherwise print fine-looking percentiles of the few).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import re
import resource
import signal
import sqlite3
import struct
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

from jupyter_server.services.kernels.connection.base import (
    deserialize_msg_from_ws_v1,
    serialize_msg_to_ws_v1,
)
from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest
from tornado.websocket import WebSocketClientConnection, websocket_connect

from _harness import free_port, start, stop, wait_http

JSON = dict[str, Any]
HOST = "127.0.0.1"
KERNEL_FILE_RE = re.compile(rb"kernel-([0-9a-f-]{36})\.json")
GOAL_PAGE = "voila/render/goal-setting.ipynb"
CONFIG_RE = re.compile(
    r'<script id="jupyter-config-data" type="application/json">(.*?)</script>', re.S
)
OUTPUT_RE = re.compile(
    r'<script type="application/vnd\.voila\.cell-output\+json">(.*?)</script>', re.S
)
VIEW_MIME = "application/vnd.jupyter.widget-view+json"
VIA = "pdkit-via:"  # pdkit.widgets._safekeeping.VIA_CLASS: a button the page's keeper clicks

BARE_SOURCE = """\
import sqlite3
import ipywidgets as w

db = sqlite3.connect({db!r}, timeout=60, isolation_level=None)
db.execute("CREATE TABLE IF NOT EXISTS answers (id INTEGER PRIMARY KEY, value TEXT)")
goal = w.Text(description="Goal")
save = w.Button(description="Save")
status = w.HTML()


def on_save(_):
    row = db.execute("INSERT INTO answers (value) VALUES (?)", (goal.value,)).lastrowid
    status.value = f"Saved #{{row}}"


save.on_click(on_save)
w.VBox([goal, save, status])
"""


def bare_store(db: Path) -> None:
    """The bare form's store, made before its server starts, in WAL mode as pdkit's (a
    SQLite file keeps its mode): in SQLite's default rollback journal, a writer that meets
    another is sometimes refused at once instead of waiting (SQLITE_BUSY, to avoid a
    deadlock): the peer at its best would not risk that. (At N=100 the pooled bare form
    failed 62 and 79 of its 100 saves in two runs before this, and 62 in one run after
    it, with 37 of its pages never getting their widget states: not only its store.)"""
    with contextlib.closing(sqlite3.connect(db)) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TABLE IF NOT EXISTS answers (id INTEGER PRIMARY KEY, value TEXT)")
        conn.commit()


def bare_notebook(db: Path) -> str:
    cell = {
        "cell_type": "code",
        "execution_count": None,
        "metadata": {},
        "outputs": [],
        "source": BARE_SOURCE.format(db=str(db)),
    }
    kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return json.dumps(
        {
            "cells": [cell],
            "metadata": {"kernelspec": kernelspec},
            "nbformat": 4,
            "nbformat_minor": 4,
        }
    )


# --------------------------------------------------------------------------- processes


def _children() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        kids.setdefault(ppid, []).append(int(entry.name))
    return kids


def descendants(pid: int) -> list[int]:
    """``pid`` and every process below it (kernels run in sessions of their own, so
    following parents finds them where the process group would not)."""
    kids, found, todo = _children(), [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        todo.extend(kids.get(p, []))
    return found


def web_processes(server: int) -> list[int]:
    """The server's own processes (``pdkit serve`` and Voilà), without the kernels."""
    in_kernels = set(kernels(server))
    return [p for p in descendants(server) if p not in in_kernels]


def cmdlines(pids: Sequence[int]) -> Iterator[tuple[int, bytes]]:
    """Each of ``pids`` still running, with its command line (arguments NUL-separated)."""
    for pid in pids:
        try:
            yield pid, Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue  # gone meanwhile


def kernels(server: int) -> dict[int, str]:
    """The server's kernel processes: pid → kernel id (from the connection file name)."""
    found = {}
    for pid, cmdline in cmdlines(descendants(server)):
        if b"ipykernel" in cmdline:
            match = KERNEL_FILE_RE.search(cmdline)
            found[pid] = match.group(1).decode() if match else ""
    return found


def settle(server: int, limit: float = 180) -> None:
    """Wait until the server and its kernels use < 5 % of a core for 2 s in a row."""
    deadline = time.monotonic() + limit
    quiet = 0
    while time.monotonic() < deadline and quiet < 4:
        before = cpu_seconds(descendants(server))
        time.sleep(0.5)
        quiet = quiet + 1 if cpu_seconds(descendants(server)) - before < 0.025 else 0


def cpu_seconds(pids: Sequence[int]) -> float:
    """User + system CPU time these processes have used so far."""
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def busy_seconds() -> float:
    """CPU time the whole machine has spent not idle (all cores), from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle, iowait
    return (sum(values[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def pss_kib(pids: Sequence[int], field: str = "Pss") -> int:
    """The processes' memory in KiB: their proportional share (``Pss``), or with
    ``field="Rss"`` each counted whole (nothing shared, as in a container of its own)."""
    total = 0
    for pid in pids:
        try:
            text = Path(f"/proc/{pid}/smaps_rollup").read_text()
        except OSError:
            continue  # gone meanwhile
        for line in text.splitlines():
            if line.startswith(f"{field}:"):
                total += int(line.split()[1])
                break
    return total


def machine() -> str:
    meminfo = Path("/proc/meminfo").read_text()
    kib = int(re.search(r"MemTotal:\s+(\d+)", meminfo).group(1))  # type: ignore[union-attr]
    model = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text())
    cpu = f", {model.group(1).strip()}" if model else ""
    return f"{os.cpu_count()} cores{cpu}, {kib / 2**20:.1f} GiB RAM"


# --------------------------------------------------------------------------- the client


def _decode_binary(frame: bytes) -> JSON:
    """A legacy binary websocket frame: count, offsets, JSON, buffers (unused here)."""
    (count,) = struct.unpack("!I", frame[:4])
    offsets = struct.unpack(f"!{count}I", frame[4 : 4 * (count + 1)])
    end = offsets[1] if count > 1 else len(frame)
    msg: JSON = json.loads(frame[offsets[0] : end])
    return msg


V1 = "v1.kernel.websocket.jupyter.org"
"""The kernel websocket protocol Voilà's page asks for: the server forwards the kernel's
message parts as they are, where the legacy JSON protocol decodes and re-encodes them."""


def _decode_v1(frame: bytes) -> JSON:
    channel, parts = deserialize_msg_from_ws_v1(frame)
    header, parent, metadata, content = (json.loads(part) for part in parts[:4])
    return {
        "channel": channel,
        "header": header,
        "parent_header": parent,
        "metadata": metadata,
        "content": content,
    }


class Kernel:
    """One websocket to one kernel, and the widget models this client has seen."""

    def __init__(self, ws: WebSocketClientConnection, session: str) -> None:
        self.ws = ws
        self.session = session
        self.v1 = ws.selected_subprotocol == V1
        self.models: dict[str, JSON] = {}  # comm id → state
        self.idle: set[str] = set()  # msg ids whose handling ended (status idle)
        self.replies: dict[str, JSON] = {}  # parent msg id → shell reply
        self.control: str | None = None
        self.states_received = False
        self.closed = False
        self.received = 0  # messages from the kernel (through the server), and their bytes
        self.received_bytes = 0
        self.on_message: Callable[[JSON], None] | None = None  # sees every message, handled
        self._tick = asyncio.Event()
        self.reader = asyncio.ensure_future(self._read())

    async def _read(self) -> None:
        try:
            while True:
                frame = await self.ws.read_message()
                if frame is None:
                    break
                self.received += 1
                self.received_bytes += len(frame)
                if isinstance(frame, bytes):
                    msg = _decode_v1(frame) if self.v1 else _decode_binary(frame)
                else:
                    msg = json.loads(frame)
                self._handle(msg)
                if self.on_message is not None:
                    self.on_message(msg)
                self._tick.set()
        finally:
            self.closed = True
            self._tick.set()

    def _handle(self, msg: JSON) -> None:
        kind = msg["header"]["msg_type"]
        parent = msg.get("parent_header", {}).get("msg_id", "")
        content = msg["content"]
        if msg.get("channel") == "shell":
            self.replies[parent] = msg
        elif kind == "status" and content["execution_state"] == "idle":
            self.idle.add(parent)
        elif kind == "comm_open" and content.get("target_name") == "jupyter.widget":
            self.models[content["comm_id"]] = dict(content["data"]["state"])
        elif kind == "comm_close":
            self.models.pop(content["comm_id"], None)
        elif kind == "comm_msg":
            data = content["data"]
            if content["comm_id"] == self.control and data.get("method") == "update_states":
                for model_id, entry in data["states"].items():
                    # As the browser: a state may leave out what is at its default.
                    model = self.models.setdefault(model_id, {"_model_name": entry["model_name"]})
                    model.update(entry["state"])
                self.states_received = True
            elif data.get("method") in ("update", "echo_update"):
                self.models.setdefault(content["comm_id"], {}).update(data["state"])

    def send(self, msg_type: str, content: JSON, metadata: JSON | None = None) -> str:
        msg_id = uuid.uuid4().hex
        header = {
            "msg_id": msg_id,
            "msg_type": msg_type,
            "username": "",
            "session": self.session,
            "date": datetime.now(timezone.utc).isoformat(),
            "version": "5.3",
        }
        if self.v1:
            parts = [json.dumps(part).encode() for part in (header, {}, metadata or {}, content)]
            self.ws.write_message(serialize_msg_to_ws_v1(parts, "shell"), binary=True)
            return msg_id
        msg = {
            "header": header,
            "parent_header": {},
            "metadata": metadata or {},
            "content": content,
            "channel": "shell",
        }
        self.ws.write_message(json.dumps(msg))
        return msg_id

    def update(self, model_id: str, state: JSON) -> str:
        self.models[model_id].update(state)
        data = {"method": "update", "state": state, "buffer_paths": []}
        return self.send("comm_msg", {"comm_id": model_id, "data": data})

    def click(self, model_id: str) -> str:
        data = {"method": "custom", "content": {"event": "click"}}
        return self.send("comm_msg", {"comm_id": model_id, "data": data})

    async def until(self, done: Callable[[], bool]) -> None:
        while not done():
            if self.closed:
                raise ConnectionError("the websocket closed")
            self._tick.clear()
            await self._tick.wait()

    async def fetch_states(self) -> None:
        """ipywidgets 8's _loadFromKernel: request_states on the control comm."""
        self.control = uuid.uuid4().hex
        open_content = {
            "comm_id": self.control,
            "target_name": "jupyter.widget.control",
            "data": {},
        }
        self.send("comm_open", open_content, metadata={"version": "1.0.0"})
        data = {"method": "request_states"}
        self.send("comm_msg", {"comm_id": self.control, "data": data})
        await self.until(lambda: self.states_received)
        self.send("comm_close", {"comm_id": self.control, "data": {}})

    def shown(self, roots: Sequence[str]) -> list[str]:
        """Model ids on the page: the roots and, through ``children``, what they hold."""
        seen: list[str] = []
        todo = list(roots)
        while todo:
            model_id = todo.pop()
            if model_id in seen or model_id not in self.models:
                continue
            seen.append(model_id)
            for child in self.models[model_id].get("children", []):
                todo.append(child.removeprefix("IPY_MODEL_"))
        return seen

    def find(self, roots: Sequence[str], model: str, description: str | None = None) -> str | None:
        for model_id in self.shown(roots):
            state = self.models[model_id]
            if state.get("_model_name") == model and (
                description is None or state.get("description") == description
            ):
                return model_id
        return None

    def text(self, roots: Sequence[str]) -> str:
        """What the page's HTML widgets say, tags and styles removed, shortened."""
        parts = []
        for model_id in self.shown(roots):
            value = self.models[model_id].get("value")
            if self.models[model_id].get("_model_name") == "HTMLModel" and value:
                value = re.sub(r"<style>.*?</style>|<[^>]+>", " ", value, flags=re.S)
                parts.append(" ".join(value.split()))
        said = " / ".join(p for p in parts if p)
        return said[:300] or "(nothing)"

    def sibling(self, roots: Sequence[str], of: str, model: str) -> str | None:
        """A ``model`` widget in the same box as ``of`` (the status next to Save)."""
        ref = f"IPY_MODEL_{of}"
        for box in self.shown(roots):
            children = self.models[box].get("children", [])
            if ref in children:
                for child in children:
                    child_id = child.removeprefix("IPY_MODEL_")
                    if self.models.get(child_id, {}).get("_model_name") == model:
                        return str(child_id)
        return None

    def close(self) -> None:
        self.ws.close()


@dataclass
class Outcome:
    index: int
    name: str
    goal: str
    stage: str = "waiting"
    error: str = ""
    page: float | None = None  # GET → HTML complete
    connect: float | None = None  # GET /api/kernels/<id>, then the websocket open
    info: float | None = None  # kernel_info round trip (3 s at most)
    states: float | None = None  # request_states round trip
    tti: float | None = None
    join: float | None = None
    save: float | None = None
    kernel_id: str = ""
    kernel: Kernel | None = field(default=None, repr=False)
    close: Callable[[], Awaitable[None]] | None = field(default=None, repr=False)  # a browser tab

    @property
    def saved(self) -> bool:
        return self.save is not None

    @property
    def usable(self) -> float | None:
        """From the request to a goal form ready to type in: the page, then (pdkit) the
        join step; the bare form is usable once the page is (it has no join step)."""
        if self.tti is None:
            return None
        return self.tti + (self.join or 0.0)


async def staged(flow: Awaitable[None], out: Any, timeout: float) -> None:
    """Run a client's ``flow`` for at most ``timeout`` seconds. A failure, or the timeout,
    is written to ``out.error`` with the stage it came in (``out.stage``), and the
    client's websocket (``out.kernel``) is closed then."""
    try:
        await asyncio.wait_for(flow, timeout)
    except asyncio.TimeoutError:
        out.error = f"timed out after {timeout:.0f} s during {out.stage}"
    except Exception as exc:
        out.error = f"{out.stage}: {type(exc).__name__}: {exc}"
    if out.error and out.kernel is not None:
        out.kernel.close()


class Client:
    """What a browser tab of Voilà does, over HTTP and the kernel websocket."""

    def __init__(self, base: str, path: str, pdkit: bool, json_protocol: bool = False) -> None:
        self.base = base
        self.url = f"{base}/{path}"
        self.pdkit = pdkit
        self.json_protocol = json_protocol
        self.http = AsyncHTTPClient()

    async def run(self, out: Outcome, timeout: float, go: asyncio.Event) -> Outcome:
        await go.wait()
        await staged(self._flow(out), out, timeout)
        if out.error and out.kernel_id:
            with contextlib.suppress(Exception):  # only a hint: never fail the storm for it
                if await kernel_model(self.base, out.kernel_id) is None:
                    out.error += " (its kernel no longer existed: the server had shut it down)"
        return out

    async def open(self, out: Outcome) -> tuple[Kernel, list[str]]:
        """Steps 1-3: the page, its kernel's websocket, the widget states; returns the
        kernel and the page's root widget model ids (``out`` records the stages)."""
        t0 = time.perf_counter()
        out.stage = "page"
        request = HTTPRequest(self.url, connect_timeout=3600, request_timeout=3600)
        page = await self.http.fetch(request)
        out.page = time.perf_counter() - t0
        jar: SimpleCookie = SimpleCookie()
        for value in page.headers.get_list("Set-Cookie"):
            jar.load(value)
        cookie = "; ".join(f"{k}={m.value}" for k, m in jar.items())
        html = page.body.decode()
        config = CONFIG_RE.search(html)
        if config is None:
            raise RuntimeError("no jupyter-config-data in the page")
        out.kernel_id = json.loads(config.group(1))["kernelId"]
        roots, said = [], []
        for found in OUTPUT_RE.finditer(html):
            output = json.loads(found.group(1))
            view = output.get("data", {}).get(VIEW_MIME)
            if view:
                roots.append(view["model_id"])
            said.append(output.get("evalue") or str(output.get("text", "")).strip())
        if not roots:
            shown = " / ".join(t for t in said if t)[:300] or "no outputs at all"
            raise RuntimeError(f"the page has no widget output; it shows: {shown}")

        out.stage = "kernel model"
        t_connect = time.perf_counter()
        api = f"{self.base}/api/kernels/{out.kernel_id}"
        await self.http.fetch(HTTPRequest(api, headers={"Cookie": cookie}, request_timeout=3600))
        out.stage = "websocket"
        session = uuid.uuid4().hex
        ws_url = api.replace("http://", "ws://") + f"/channels?session_id={session}"
        ws = await websocket_connect(
            HTTPRequest(
                ws_url, headers={"Cookie": cookie}, connect_timeout=3600, request_timeout=3600
            ),
            max_message_size=256 * 2**20,
            subprotocols=[] if self.json_protocol else [V1],
        )
        kernel = out.kernel = Kernel(ws, session)
        out.connect = time.perf_counter() - t_connect
        out.stage = "kernel_info"
        t_info = time.perf_counter()
        info = kernel.send("kernel_info_request", {})
        with contextlib.suppress(asyncio.TimeoutError):  # the front-end waits 3 s at most
            await asyncio.wait_for(kernel.until(lambda: info in kernel.replies), 3)
        out.info = time.perf_counter() - t_info
        out.stage = "widget states"
        t_states = time.perf_counter()
        await kernel.fetch_states()
        out.states = time.perf_counter() - t_states
        return kernel, roots

    async def _flow(self, out: Outcome) -> None:
        t0 = time.perf_counter()
        kernel, roots = await self.open(out)

        if not self.pdkit:
            text = kernel.find(roots, "TextModel", "Goal")
            button = kernel.find(roots, "ButtonModel", "Save")
            status = kernel.find(roots, "HTMLModel")
            if text is None or button is None or status is None:
                raise RuntimeError("the bare form's widgets are not in the states")
            out.tti = time.perf_counter() - t0
            await self._save(kernel, out, (text, button, status), "Saved #")
            return

        # A newcomer's page (no token, a link without lang= or code=, as these clients):
        # the join step was made with the page and the browser shows it at once; the
        # page's report of who it is goes with the Join click (identity.js), and the
        # click, with what the name box shows, is the page keeper's one message
        # (safekeeping.js: the name box sends nothing when it is left).
        out.stage = "join step"
        name = kernel.find(roots, "TextModel", "Your name")
        join = kernel.find(roots, "ButtonModel", "Join")
        keeper = next((m for m in kernel.shown(roots) if "owner" in kernel.models[m]), None)
        identity = next((m for m in kernel.shown(roots) if "reported" in kernel.models[m]), None)
        if name is None or join is None or keeper is None or identity is None:
            raise RuntimeError(f"no join step on the page; it says: {kernel.text(roots)}")
        out.tti = time.perf_counter() - t0
        via = next(
            (
                c[len(VIA) :]
                for c in kernel.models[join].get("_dom_classes", [])
                if c.startswith(VIA)
            ),
            None,
        )
        if via is None or not kernel.models[identity].get("report_at_join"):
            raise RuntimeError("the join step does not take Join through the page's keeper")

        out.stage = "join"
        t_join = time.perf_counter()
        message = {
            "kind": "typed",
            "items": {"sign-in:name": out.name},
            "click": via,
            "report": {"url_token": "", "stored_token": "", "page_url": self.url},
        }
        click = kernel.send(
            "comm_msg", {"comm_id": keeper, "data": {"method": "custom", "content": message}}
        )
        await kernel.until(lambda: click in kernel.idle)
        out.join = time.perf_counter() - t_join
        goal = kernel.find(roots, "TextareaModel", "My goal (required)")
        save = kernel.find(roots, "ButtonModel", "Save")
        status = kernel.sibling(roots, save, "HTMLModel") if save else None
        if goal is None or save is None or status is None:
            raise RuntimeError(
                f"Join did not show the goal, Save and its status; it says: {kernel.text(roots)}"
            )

        await self._save(kernel, out, (goal, save, status), "Saved at")

    @staticmethod
    async def _save(
        kernel: Kernel, out: Outcome, form: tuple[str, str, str], confirmed: str
    ) -> None:
        """Type the goal into the text model, click Save, wait for ``confirmed`` in the
        status model (the models of the text, the button and the status, in that order)."""
        text, button, status = form
        out.stage = "save"
        t1 = time.perf_counter()
        kernel.update(text, {"value": out.goal})
        kernel.click(button)
        await kernel.until(lambda: confirmed in kernel.models[status].get("value", ""))
        out.save = time.perf_counter() - t1
        out.stage = "done"


_FOREVER_MS = 3_600_000  # the storm's own --timeout applies instead


class BrowserClient:
    """A real Chromium tab (``--browsers``): the same steps, through the page itself."""

    def __init__(self, browser: Any, base: str, path: str, pdkit: bool) -> None:
        self.browser = browser
        self.url = f"{base}/{path}"
        self.pdkit = pdkit

    async def run(self, out: Outcome, timeout: float, go: asyncio.Event) -> Outcome:
        context = await self.browser.new_context()
        page = await context.new_page()
        out.close = context.close
        await go.wait()
        try:
            await asyncio.wait_for(self._flow(page, out), timeout)
        except asyncio.TimeoutError:
            out.error = f"timed out after {timeout:.0f} s during {out.stage}"
        except Exception as exc:
            out.error = f"{out.stage}: {type(exc).__name__}: {str(exc)[:300]}"
        return out

    async def _flow(self, page: Any, out: Outcome) -> None:
        t0 = time.perf_counter()
        out.stage = "page"
        await page.goto(self.url, wait_until="commit", timeout=_FOREVER_MS)
        if not self.pdkit:
            goal = await self._usable(page, out, "Goal", t0)
            await self._save(page, out, goal, "Saved #")
            return
        name = await self._usable(page, out, "Your name", t0)
        out.stage = "join"
        t_join = time.perf_counter()
        await name.fill(out.name)
        await page.get_by_role("button", name="Join").click()
        goal = page.get_by_label("My goal (required)")
        await goal.wait_for(state="visible", timeout=_FOREVER_MS)
        out.join = time.perf_counter() - t_join
        await self._save(page, out, goal, "Saved at")

    async def _usable(self, page: Any, out: Outcome, label: str, t0: float) -> Any:
        """Wait for the first box to type in (time to interactive); note the kernel."""
        out.stage = f"{label!r} box"
        box = page.get_by_label(label)
        await box.wait_for(state="visible", timeout=_FOREVER_MS)
        out.tti = time.perf_counter() - t0
        out.kernel_id = await self._kernel_id(page)
        return box

    @staticmethod
    async def _save(page: Any, out: Outcome, goal: Any, confirmed: str) -> None:
        out.stage = "save"
        t1 = time.perf_counter()
        await goal.fill(out.goal)
        await page.get_by_role("button", name="Save").click()
        await page.get_by_text(confirmed).first.wait_for(state="visible", timeout=_FOREVER_MS)
        out.save = time.perf_counter() - t1
        out.stage = "done"

    @staticmethod
    async def _kernel_id(page: Any) -> str:
        found = await page.evaluate(
            "() => JSON.parse(document.getElementById('jupyter-config-data').textContent)"
            ".kernelId || ''"
        )
        return str(found)


@contextlib.asynccontextmanager
async def chromium(wanted: bool) -> Any:
    """One headless Chromium for the storm's tabs (``--browsers``), else None."""
    if not wanted:
        yield None
        return
    from playwright.async_api import async_playwright

    from _harness import CHROMIUM, CHROMIUM_ARGS

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            await browser.close()


# --------------------------------------------------------------------------- one storm


@dataclass
class Storm:
    label: str
    n: int
    outcomes: list[Outcome]
    wall: float
    client_cpu: float
    pss_total_kib: int
    pss_idle_kib: int
    kernels_before: int  # pre-heated, before anyone arrived
    kernels_at_peak: int
    kernels_kept: int  # still running after the cleanup: not participants' kernels
    lost: int
    cleanup: str
    server_cpu: float  # the server and its kernels, during the storm
    web_cpu: float  # of which the server processes (not kernels): one Python process relays all
    other_cpu: float  # every other process on the machine, during the storm

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.saved]

    def values(self, name: str) -> list[float]:
        return [v for o in self.outcomes if (v := getattr(o, name)) is not None]

    @property
    def other_share(self) -> float:
        """How much of the machine other work took while the storm ran."""
        return self.other_cpu / (self.wall * (os.cpu_count() or 1))

    @property
    def pss_per_participant_mib(self) -> float:
        return self.pss_total_kib / self.n / 1024


def pct(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (p95 of 10 values is the 10th)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


async def kernel_model(base: str, kernel_id: str) -> JSON | None:
    """GET /api/kernels/<id>: its execution_state, connections, last_activity; None: gone."""
    try:
        url = f"{base}/api/kernels/{kernel_id}"
        response = await AsyncHTTPClient().fetch(url, request_timeout=120)
    except HTTPClientError as exc:
        if exc.code == 404:
            return None
        raise
    model: JSON = json.loads(response.body)
    return model


async def storm(
    label: str,
    server_pid: int,
    base: str,
    path: str,
    n: int,
    args: argparse.Namespace,
    check: Callable[[list[Outcome]], int],
) -> Storm:
    settle(server_pid)
    ready = len(kernels(server_pid))
    idle = pss_kib(descendants(server_pid))
    go = asyncio.Event()
    browser = args.browser
    client: Client | BrowserClient = (
        BrowserClient(browser, base, path, pdkit=label == "pdkit")
        if browser is not None
        else Client(base, path, pdkit=label == "pdkit", json_protocol=args.json_protocol)
    )
    outcomes = [
        Outcome(
            i, f"Storm participant {i:03d}", f"By May, {i} more students explain why ({i:03d})."
        )
        for i in range(n)
    ]
    cpu0 = sum(resource.getrusage(resource.RUSAGE_SELF)[:2])
    server0, busy0 = cpu_seconds(descendants(server_pid)), busy_seconds()
    web0 = cpu_seconds(web_processes(server_pid))
    tasks = [asyncio.ensure_future(client.run(o, args.timeout, go)) for o in outcomes]
    t0 = time.perf_counter()
    go.set()
    await asyncio.gather(*tasks)
    wall = time.perf_counter() - t0
    cpu = sum(resource.getrusage(resource.RUSAGE_SELF)[:2]) - cpu0
    server_cpu = cpu_seconds(descendants(server_pid)) - server0
    web_cpu = cpu_seconds(web_processes(server_pid)) - web0
    other_cpu = max(0.0, busy_seconds() - busy0 - server_cpu - cpu)

    # Everyone who got this far is still connected: measure now.
    peak = len(kernels(server_pid))
    total = pss_kib(descendants(server_pid))
    lost = check(outcomes)

    for o in outcomes:
        if o.kernel is not None:
            o.kernel.close()
    await asyncio.gather(*(o.kernel.reader for o in outcomes if o.kernel is not None))
    await asyncio.gather(*(o.close() for o in outcomes if o.close is not None))  # tabs
    t_closed = time.perf_counter()
    if os.environ.get("BENCH_SERVER_LOG"):  # to find this moment in the server's log
        print(f"        all clients closed at {time.time():.3f}", flush=True)
    ids = {o.kernel_id for o in outcomes if o.kernel_id}
    cleanup, models, running = "", [], ids
    while time.perf_counter() - t_closed < args.cull_wait:
        # Processes first (no load on the server: asking it about 100 kernels twice a
        # second was itself work for it); then the server must have forgotten them too.
        running = set(kernels(server_pid).values()) & ids
        if running:
            await asyncio.sleep(0.5)
            continue
        try:
            found = await asyncio.gather(*(kernel_model(base, k) for k in ids))
        except (HTTPClientError, OSError):  # a busy server: ask again
            await asyncio.sleep(0.5)
            continue
        models = [m for m in found if m]
        if not models:
            cleanup = f"{time.perf_counter() - t_closed:.0f} s"
            break
        await asyncio.sleep(0.5)
    else:
        cleanup = f">{args.cull_wait:.0f} s ({len(running)} left)"
        with contextlib.suppress(HTTPClientError, OSError):
            found = await asyncio.gather(*(kernel_model(base, k) for k in running or ids))
            models = [m for m in found if m]
        for m in models:  # why the culler spared them
            print(
                f"        not culled: kernel {m['id'][:8]} execution_state "
                f"{m['execution_state']}, {m['connections']} connections, "
                f"last activity {m['last_activity']}"
            )
    kept = len(set(kernels(server_pid).values()) - ids)
    return Storm(
        label=label,
        n=n,
        outcomes=outcomes,
        wall=wall,
        client_cpu=cpu,
        pss_total_kib=total,
        pss_idle_kib=idle,
        kernels_before=ready,
        kernels_at_peak=peak,
        kernels_kept=kept,
        lost=lost,
        cleanup=cleanup,
        server_cpu=server_cpu,
        web_cpu=web_cpu,
        other_cpu=other_cpu,
    )


def pdkit_lost(store_path: Path) -> Callable[[list[Outcome]], int]:
    def check(outcomes: list[Outcome]) -> int:
        from pdkit import open_store

        store = open_store(str(store_path))
        try:
            goals: dict[str, list[Any]] = {}
            for p in store.participants():
                goals.setdefault(p.display_name, []).append(
                    store.latest(p.id, "goal-setting", viewer=p.id).get("goal")
                )
        finally:
            store.close()
        return sum(1 for o in outcomes if o.saved and goals.get(o.name) != [o.goal])

    return check


def bare_lost(db: Path) -> Callable[[list[Outcome]], int]:
    def check(outcomes: list[Outcome]) -> int:
        with contextlib.closing(sqlite3.connect(db, timeout=60)) as conn:
            try:
                rows = {value for (value,) in conn.execute("SELECT value FROM answers")}
            except sqlite3.OperationalError:  # no kernel ever ran the form: nothing saved
                rows = set()
        return sum(1 for o in outcomes if o.saved and o.goal not in rows)

    return check


# --------------------------------------------------------------------------- servers


def reap(pids: Sequence[int]) -> None:
    """Kill whatever of our server's processes outlived it (by pid, nothing else)."""
    for pid in pids:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    below = descendants(proc.pid)
    try:
        stop(proc)
    except (OSError, subprocess.TimeoutExpired):
        with contextlib.suppress(ProcessLookupError):  # gone meanwhile: nothing to stop
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    time.sleep(0.5)
    reap([p for p in below if Path(f"/proc/{p}").exists()])


async def run_pdkit(tmp: Path, n: int, args: argparse.Namespace) -> Storm:
    port = free_port()
    store = tmp / f"store-{n}.sqlite3"
    cmd = [sys.executable, "-m", "pdkit.cli", "serve", "--store", str(store)]
    cmd += ["--port", str(port), "--host", HOST]
    if args.cull_idle_given:
        cmd += ["--cull-idle", str(args.cull_idle)]
    cmd += args.serve_arg
    if args.pool_room:
        cmd += ["--pool", f"goal-setting={n}"]  # a kernel ready for everyone expected
    proc = start(cmd)
    try:
        base = f"http://{HOST}:{port}"
        wait_http(f"{base}/")  # the tree page: starts no kernel
        if args.pool_room:
            await pdkit_pool_full(base, n)
        return await storm("pdkit", proc.pid, base, GOAL_PAGE, n, args, pdkit_lost(store))
    finally:
        stop_server(proc)


async def run_bare(tmp: Path, n: int, args: argparse.Namespace, *, pooled: bool) -> Storm:
    """The bare Voilà form: as Voilà starts by default, or (``pooled``) as a Voilà expert
    would run it for a room: a pool of N pre-heated kernels that have run the notebook
    already, refilled only after the storm (``fill_delay``)."""
    port = free_port()
    label = "pool" if pooled else "bare"
    db = tmp / f"{label}-{n}.sqlite3"
    notebook = tmp / f"{label}-{n}.ipynb"
    notebook.write_text(bare_notebook(db))
    bare_store(db)
    cmd = [sys.executable, "-m", "voila", str(notebook), f"--port={port}", f"--Voila.ip={HOST}"]
    cmd += ["--no-browser", "--show_tracebacks=False", "--theme=light"]
    cmd += [
        f"--MappingKernelManager.cull_idle_timeout={args.cull_idle}",
        f"--MappingKernelManager.cull_interval={args.cull_interval}",
        "--MappingKernelManager.cull_connected=False",
    ]
    if pooled:
        cmd += [
            "--preheat_kernel=True",
            f"--pool_size={n}",
            f"--VoilaKernelManager.fill_delay={POOL_FILL_DELAY}",
        ]
    proc = start(cmd, env=BARE_ENV)
    try:
        base = f"http://{HOST}:{port}"
        wait_http(f"{base}/voila/static/voila.js")  # not "/": that would start a kernel
        if pooled:
            await pool_ready(proc.pid, n)
        return await storm(label, proc.pid, base, "", n, args, bare_lost(db))
    finally:
        stop_server(proc)


BARE_ENV = {"JUPYTER_WIDGETS_ECHO": "0"}
"""The bare form's kernels skip ipywidgets' echo of each change, as `pdkit serve`'s do:
the peer at its best (one tab per kernel has no use for it)."""

POOL_FILL_DELAY = 120
"""Seconds the pooled bare Voilà waits before refilling its pool: after the storm, so that
refilling does not compete with the room (as the issue's fair peer was configured)."""


async def pdkit_pool_full(base: str, n: int, limit: float = 1800) -> None:
    """Wait until `pdkit serve`'s pool of ``n`` has been filled once, as its
    ``/pdkit/ready`` says (the machine being quiet is not enough: pre-heating 300 kernels
    takes minutes, and :func:`settle` stops waiting after 3)."""
    t0 = time.perf_counter()
    url = f"{base}/pdkit/ready?notebook=goal-setting.ipynb"
    while True:
        said = json.loads((await AsyncHTTPClient().fetch(url)).body)
        if not said["wait"] and said["n"] >= said["of"]:
            return
        if time.perf_counter() - t0 > limit:
            raise SystemExit(f"join_storm: pdkit's pool of {n} was not ready in {limit} s: {said}")
        await asyncio.sleep(2)


async def pool_ready(server: int, n: int, limit: float = 600) -> None:
    """Wait until ``n`` pre-heated kernels run under the server (then :func:`storm`
    waits for the machine to be quiet)."""
    t0 = time.perf_counter()
    while len(kernels(server)) < n:
        if time.perf_counter() - t0 > limit:
            raise SystemExit(f"join_storm: the bare Voilà's pool of {n} was not ready in {limit} s")
        await asyncio.sleep(1)


# --------------------------------------------------------------------------- report


def seconds(value: float) -> str:
    return "—" if math.isnan(value) else f"{value:.2f} s"


def describe(s: Storm) -> None:
    ok = len(s.outcomes) - len(s.failed)
    print(
        f"  {s.label:<5} {ok}/{s.n} saved, all done {s.wall:.1f} s after the start; "
        f"{s.kernels_at_peak} kernels running ({s.kernels_before} before the storm)"
    )
    print(
        f"        CPU meanwhile: server + kernels {s.server_cpu:.1f} s "
        f"({s.server_cpu / s.n:.2f} s per participant; the web server alone "
        f"{s.web_cpu:.1f} s), this client {s.client_cpu:.1f} s, "
        f"other processes {s.other_cpu:.1f} s ({s.other_share:.0%} of the machine)"
    )
    for name, what in (
        ("page", "page HTML"),
        ("connect", "kernel websocket"),
        ("info", "kernel_info"),
        ("states", "request_states"),
        ("tti", "interactive"),
        ("join", "join"),
        ("save", "save"),
        ("usable", "goal form usable"),
    ):
        v = s.values(name)
        if v:
            print(
                f"        {what:<16} p50 {seconds(pct(v, 0.5))}  p95 {seconds(pct(v, 0.95))}"
                f"  max {seconds(max(v))}"
            )
    pages = [o.kernel for o in s.outcomes if o.kernel is not None and o.saved]
    if pages:
        count = pct([k.received for k in pages], 0.5)
        size = pct([k.received_bytes for k in pages], 0.5)
        print(
            f"        messages a page received, median: {count:.0f} ({size / 1024:.0f} KiB), "
            "through the one server process"
        )
    slow = sum(1 for v in s.values("states") if v > 4)
    if slow:
        print(f"        {slow} request_states replies took > 4 s (the browser's own timeout)")
    extra = (s.pss_total_kib - s.pss_idle_kib) / s.n / 1024
    print(
        f"        PSS {s.pss_total_kib / 1024:.0f} MiB with all connected = "
        f"{s.pss_per_participant_mib:.0f} MiB per participant "
        f"(before the storm {s.pss_idle_kib / 1024:.0f} MiB; "
        f"{extra:.0f} MiB more per participant)"
    )
    kept = (
        f"; {s.kernels_kept} other kernels still run (pre-heated, or of pages that never came)"
        if s.kernels_kept
        else ""
    )
    print(
        f"        lost answers {s.lost}; participants' kernels gone {s.cleanup} "
        f"after the last disconnect{kept}"
    )
    errors: dict[str, int] = {}
    for o in s.failed:
        errors[o.error] = errors.get(o.error, 0) + 1
    for error, count in sorted(errors.items(), key=lambda kv: -kv[1]):
        print(f"        FAILED x{count}: {error}")


def ratio(a: float, b: float) -> str:
    return "—" if math.isnan(a) or math.isnan(b) or b == 0 else f"{a / b:.1f}×"


NAMES = {"pdkit": "pdkit goal-setting", "bare": "bare Voilà form", "pool": "bare form + pool"}


def table(results: list[tuple[Storm, Storm | None, Storm | None]], args: argparse.Namespace) -> str:
    serve = " ".join(["pdkit serve", *args.serve_arg])
    if args.pool_room:
        serve += " --pool goal-setting=N"
    if args.cull_idle_given:
        serve += f" --cull-idle {args.cull_idle}"
    pools = ", ".join(f"{k}={v}" for k, v in args.pools.items()) or "none"
    head = (
        f"Measured figures, one machine ({machine()}): N "
        + ("headless Chromium tabs" if args.browsers else "light clients (no browser)")
        + " "
        f"open the page at the same moment, join and save a goal; `{serve}` "
        f"(default pre-heated pools: {pools}; idle kernels culled after {args.cull_idle} s, "
        f"checked every {args.cull_interval} s). The bare Voilà form gets the same culler, "
        "once as Voilà starts by default and once with its own pool of N pre-heated kernels "
        f"(`--preheat_kernel=True --pool_size=N --VoilaKernelManager.fill_delay="
        f"{POOL_FILL_DELAY}`): the fair peer. *Name box* is the page usable (pdkit: "
        "the name box; bare: its form); *goal form usable* is from the request to the "
        "goal form ready to type in (pdkit: the page, then the join step)."
    )
    lines = [
        head,
        "",
        "| N | server | name box p50 | name box p95 | goal form usable p50 "
        "| goal form usable p95 | save p50 | save p95 "
        "| PSS / participant | lost answers | failed clients | kernels gone after |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for pdk, bare, pool in results:
        for s in (x for x in (pdk, bare, pool) if x is not None):
            tti, save, usable = s.values("tti"), s.values("save"), s.values("usable")
            lines.append(
                f"| {s.n} | {NAMES[s.label]} | {seconds(pct(tti, 0.5))} "
                f"| {seconds(pct(tti, 0.95))} "
                f"| {seconds(pct(usable, 0.5))} | {seconds(pct(usable, 0.95))} "
                f"| {seconds(pct(save, 0.5))} | {seconds(pct(save, 0.95))} "
                f"| {s.pss_per_participant_mib:.0f} MiB | {s.lost} | {len(s.failed)} "
                f"| {s.cleanup} |"
            )
        for peer in (x for x in (pool, bare) if x is not None):
            cells = [
                ratio(pct(pdk.values(k), q), pct(peer.values(k), q))
                for k in ("tti", "usable", "save")
                for q in (0.5, 0.95)
            ]
            mem = ratio(pdk.pss_per_participant_mib, peer.pss_per_participant_mib)
            lines.append(
                f"| {pdk.n} | pdkit ÷ {NAMES[peer.label]} | {' | '.join(cells)} | {mem} | | | |"
            )
    busy = [f"{s.label} N={s.n}: {s.other_share:.0%}" for p in results for s in p if s]
    if any(s.other_share > 0.05 for p in results for s in p if s):
        lines += ["", "Other work on the machine during the storms: " + ", ".join(busy) + "."]
    return "\n".join(lines)


async def main_async(args: argparse.Namespace) -> None:
    AsyncHTTPClient.configure(None, max_clients=10_000)
    results: list[tuple[Storm, Storm | None, Storm | None]] = []
    with tempfile.TemporaryDirectory(prefix="join-storm-") as name:
        tmp = Path(name)
        async with chromium(args.browsers) as args.browser:
            await _storms(tmp, args, results)
    print()
    print(table(results, args))
    measured(results)


def measured(results: list[tuple[Storm, Storm | None, Storm | None]]) -> None:
    """Exit non-zero unless every storm measured real work: every client reached the
    page, joined and saved, and every saved answer is in the store."""
    storms = [s for pair in results for s in pair if s is not None]
    problems = [
        f"{s.label} N={s.n}: {len(s.failed)} client(s) did not save, "
        f"{s.lost} confirmed answer(s) missing from the store"
        for s in storms
        if s.failed or s.lost or not s.values("tti")
    ]
    if not storms:
        problems.append("no storm ran")
    if problems:
        raise SystemExit("join_storm: not a clean measurement:\n  " + "\n  ".join(problems))


async def _storms(
    tmp: Path, args: argparse.Namespace, results: list[tuple[Storm, Storm | None, Storm | None]]
) -> None:
    for n in args.n:
        print(f"N = {n}", flush=True)
        pdk = await run_pdkit(tmp, n, args)
        describe(pdk)
        bare = pool = None
        if not args.skip_bare:
            if not args.skip_default:
                bare = await run_bare(tmp, n, args, pooled=False)
                describe(bare)
            pool = await run_bare(tmp, n, args, pooled=True)
            describe(pool)
        results.append((pdk, bare, pool))
        sys.stdout.flush()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("n", nargs="*", type=int, default=[10, 25], help="participants per storm")
    parser.add_argument(
        "--timeout", type=float, default=300, help="seconds a client may take (default 300)"
    )
    parser.add_argument(
        "--cull-idle",
        type=int,
        default=None,
        metavar="SECONDS",
        help="passed to `pdkit serve` and used for the bare Voilà (default: pdkit serve's own)",
    )
    parser.add_argument(
        "--serve-arg",
        action="append",
        default=[],
        metavar="ARG",
        help="an extra argument for `pdkit serve`, e.g. --serve-arg=--template=lab (repeatable)",
    )
    parser.add_argument("--skip-bare", action="store_true", help="do not run the bare baseline")
    parser.add_argument(
        "--skip-default",
        action="store_true",
        help="run the bare form with its pool only (the fair peer), not as Voilà starts by default",
    )
    parser.add_argument(
        "--json-protocol",
        action="store_true",
        help="light clients speak the legacy JSON kernel protocol (the server re-encodes "
        "every message) instead of v1, as Voilà's page does",
    )
    parser.add_argument(
        "--browsers",
        action="store_true",
        help="real headless Chromium tabs instead of light clients (for small N; needs chromium)",
    )
    parser.add_argument(
        "--pool-room",
        action="store_true",
        help="pre-heat a kernel per participant: `pdkit serve --pool goal-setting=N` per storm",
    )
    args = parser.parse_args()
    import pdkit.serve

    defaults = pdkit.serve.ServeConfig()
    args.pools = getattr(pdkit.serve, "DEFAULT_POOLS", {})
    args.cull_idle_given = args.cull_idle is not None
    if args.cull_idle is None:
        args.cull_idle = defaults.cull_idle_timeout
    args.cull_interval = defaults.cull_interval
    args.cull_wait = args.cull_idle + 2 * args.cull_interval + 60
    signal.signal(signal.SIGTERM, _interrupt)  # stop the servers on kill too
    asyncio.run(main_async(args))


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


if __name__ == "__main__":
    main()
