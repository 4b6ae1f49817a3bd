"""A page's kernel connection through a real `pdkit serve`: it answers the page, and it
holds the ZeroMQ sockets a Voilà page uses and no more (pdkit.serve._connection).

The client here does what Voilà's page does first: GET the page, then open its kernel's
websocket (protocol v1.kernel.websocket.jupyter.org) and ask for the kernel's info."""

from __future__ import annotations

import asyncio
import json
import os
import re
import uuid
from datetime import datetime, timezone
from typing import Any

from jupyter_server.services.kernels.connection.base import (
    deserialize_msg_from_ws_v1,
    serialize_msg_to_ws_v1,
)
from tests._servers import Server, web_pid
from tornado.httpclient import AsyncHTTPClient, HTTPRequest
from tornado.websocket import WebSocketClientConnection, websocket_connect

V1 = "v1.kernel.websocket.jupyter.org"
CONFIG_RE = re.compile(
    r'<script id="jupyter-config-data" type="application/json">(.*?)</script>', re.S
)
PAGES = 4


def _open_files(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def _message(msg_type: str, session: str) -> tuple[str, bytes]:
    msg_id = uuid.uuid4().hex
    header = {
        "msg_id": msg_id,
        "msg_type": msg_type,
        "username": "",
        "session": session,
        "date": datetime.now(timezone.utc).isoformat(),
        "version": "5.3",
    }
    parts = [json.dumps(part).encode() for part in (header, {}, {}, {})]
    return msg_id, serialize_msg_to_ws_v1(parts, "shell")


async def _fetch(server: Server) -> tuple[str, str]:
    """GET the goal-setting page: its kernel's id and the page's cookies."""
    http = AsyncHTTPClient()
    page = await http.fetch(HTTPRequest(server.url(), request_timeout=120))
    cookie = "; ".join(v.split(";", 1)[0] for v in page.headers.get_list("Set-Cookie"))
    found = CONFIG_RE.search(page.body.decode())
    assert found is not None
    return json.loads(found.group(1))["kernelId"], cookie


async def _connect(
    server: Server, kernel_id: str, cookie: str
) -> tuple[WebSocketClientConnection, list[dict[str, Any]], str]:
    """Open the page's kernel websocket; ask for the kernel's info and wait for the
    answer. Returns the websocket, what it received until then and its session."""
    url = f"{server.base_url}/api/kernels/{kernel_id}/channels?session_id={uuid.uuid4().hex}"
    ws = await websocket_connect(
        HTTPRequest(url.replace("http://", "ws://"), headers={"Cookie": cookie}),
        subprotocols=[V1],
    )
    session = uuid.uuid4().hex
    asked, frame = _message("kernel_info_request", session)
    await ws.write_message(frame, binary=True)
    received: list[dict[str, Any]] = []
    while True:
        got = await asyncio.wait_for(ws.read_message(), 60)
        assert isinstance(got, bytes), got
        channel, parts = deserialize_msg_from_ws_v1(got)
        header, parent = json.loads(parts[0]), json.loads(parts[1])
        received.append({"channel": channel, "header": header, "parent": parent})
        if channel == "shell" and parent.get("msg_id") == asked:
            assert header["msg_type"] == "kernel_info_reply"
            return ws, received, session


async def _quiet_open_files(pid: int) -> int:
    """The server's open files once they stopped changing (a pool refilling opens some)."""
    last, same = -1, 0
    for _ in range(600):
        now = _open_files(pid)
        same = same + 1 if now == last else 0
        if same >= 10:
            return now
        last = now
        await asyncio.sleep(0.1)
    raise AssertionError("the server's open files never settled")


def test_a_page_connects_with_three_sockets_and_gets_its_answers(
    pdkit_server: Server,
) -> None:
    """jupyter_server opens four ZeroMQ sockets for each page (iopub, shell, control and
    stdin) and two more for each question it asks before relaying; a Voilà page never
    answers input() (its cells run on the server, its widgets' handlers get no stdin),
    and pdkit asks its one question on the page's own control channel. Each socket is
    open files in the server (its signal and its TCP connection), so a room of pages
    counts them against the server's limits. The page still gets its answers."""

    async def run() -> None:
        pid = web_pid(pdkit_server)
        first = await _connect(pdkit_server, *await _fetch(pdkit_server))  # opens what it keeps
        fetched = [await _fetch(pdkit_server) for _ in range(PAGES)]
        before = await _quiet_open_files(pid)
        pages = [await _connect(pdkit_server, *page) for page in fetched]
        await asyncio.sleep(1.5)  # a question asked again (after 0.5 s) has its answer by now
        per_page = (await _quiet_open_files(pid) - before) / PAGES
        for ws, received, session in pages:
            # Besides its own answer, at most the answer to the server's question asked
            # again (a kernel slower than 0.5 s): of another session, which Jupyter's
            # front end leaves alone.
            answers = [m for m in received if m["channel"] in ("shell", "control")]
            mine = [m for m in answers if m["parent"].get("session") == session]
            assert [m["channel"] for m in mine] == ["shell"], answers
            for other in answers:
                if other not in mine:
                    assert other["header"]["msg_type"] == "kernel_info_reply", other
            ws.close()
        first[0].close()
        # The websocket (1) and three sockets of two open files each; jupyter_server's
        # four sockets made it 9 (checked by hand against its connection class).
        assert per_page <= 7, per_page

    asyncio.run(run())
