"""The server notes a kernel's activity from each message read once
(:class:`pdkit.serve._activity.ActivityRecorder`), to the same effect as jupyter_server's
reader: the same messages, signed with a kernel's key, are fed to both."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timezone
from types import SimpleNamespace
from typing import Any

import pytest
from jupyter_client.session import Session
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager

from pdkit.serve._activity import ActivityRecorder
from pdkit.serve.kernels import PdkitKernelManager

KEY = b"a-kernel-key"
LONG_AGO = datetime(2000, 1, 1, tzinfo=timezone.utc)


class _Stream:
    """What ``kernel.connect_iopub()`` gives the watcher: only its callback is used here."""

    def __init__(self) -> None:
        self.callback: Callable[[list[bytes]], None] | None = None

    def on_recv(self, callback: Callable[[list[bytes]], None]) -> None:
        self.callback = callback


def _kernel() -> tuple[SimpleNamespace, _Stream]:
    stream = _Stream()
    kernel = SimpleNamespace(
        session=Session(key=KEY),
        execution_state="starting",
        last_activity=None,
        reason="unset",
        connect_iopub=lambda: stream,
    )
    return kernel, stream


def _watched(manager: Any) -> tuple[SimpleNamespace, Callable[[list[bytes]], None]]:
    kernel, stream = _kernel()
    manager._kernels["k"] = kernel
    manager.start_watching_activity("k")
    assert stream.callback is not None
    return kernel, stream.callback


def _message(kind: str, parent: str | None, content: dict[str, Any]) -> list[bytes]:
    """A message as a kernel publishes it on IOPub: identities, delimiter, signed parts."""
    session = Session(key=KEY)
    parent_header = session.msg_header(parent) if parent else {}
    msg = session.msg(kind, content=content, parent=None)
    msg["parent_header"] = parent_header
    return [b"kernel.k." + kind.encode(), *session.serialize(msg)]


def _sequence() -> list[list[bytes]]:
    """A pre-heated kernel starts, runs its notebook, a page connects and joins (new
    messages each time: a reader refuses a signature it has seen)."""
    return [
        _message("status", None, {"execution_state": "starting"}),
        _message("status", "kernel_info_request", {"execution_state": "busy"}),
        _message("status", "kernel_info_request", {"execution_state": "idle"}),
        _message("status", "execute_request", {"execution_state": "busy"}),
        _message("execute_input", "execute_request", {"code": "app", "execution_count": 1}),
        _message("comm_open", "execute_request", {"comm_id": "c", "target_name": "t", "data": {}}),
        _message("stream", "execute_request", {"name": "stdout", "text": "hello"}),
        # not activity by its kind nor by its parent's, but the kernel is busy
        _message("stream", "comm_info_request", {"name": "stdout", "text": "busy"}),
        _message("status", "execute_request", {"execution_state": "idle"}),
        _message("stream", None, {"name": "stdout", "text": "late"}),
        _message("status", "comm_msg", {"execution_state": "busy"}),
        _message("comm_msg", "comm_msg", {"comm_id": "c", "data": {"method": "update"}}),
        _message("status", "comm_msg", {"execution_state": "idle"}),
        _message("status", "comm_info_request", {"execution_state": "busy"}),
        _message("status", "comm_info_request", {"execution_state": "idle"}),
    ]


def test_the_lean_reader_notes_what_jupyter_server_s_reader_notes() -> None:
    theirs_manager, ours_manager = AsyncMappingKernelManager(), PdkitKernelManager()
    try:
        theirs, read_theirs = _watched(theirs_manager)
        ours, read_ours = _watched(ours_manager)
        assert isinstance(read_ours, ActivityRecorder)
        assert not isinstance(read_theirs, ActivityRecorder)
        assert ours.reason == theirs.reason == ""
        noted = []
        for message in _sequence():
            for kernel, manager in ((theirs, theirs_manager), (ours, ours_manager)):
                kernel.last_activity = manager.last_kernel_activity = LONG_AGO
            read_theirs(list(message))
            read_ours(list(message))
            assert ours.execution_state == theirs.execution_state
            active = ours.last_activity != LONG_AGO
            assert active == (theirs.last_activity != LONG_AGO)
            assert active == (ours_manager.last_kernel_activity != LONG_AGO)
            assert active == (theirs_manager.last_kernel_activity != LONG_AGO)
            noted.append((ours.execution_state, active))
        # the sequence is one that tells: states change, and some messages are not activity
        assert {state for state, _ in noted} == {"starting", "idle", "busy"}
        assert {active for _, active in noted} == {True, False}
    finally:
        ours_manager.context.destroy(linger=0)


def test_a_message_not_signed_with_the_kernel_s_key_is_not_activity() -> None:
    manager = PdkitKernelManager()
    try:
        kernel, read = _watched(manager)
        kernel.execution_state, kernel.last_activity = "idle", LONG_AGO
        forged = _message("status", "execute_request", {"execution_state": "busy"})
        forged[2] = b"0" * len(forged[2])  # the signature, after the identity and delimiter
        read(forged)
        read([b"no delimiter", b"{}"])
        assert kernel.execution_state == "idle"
        assert kernel.last_activity == LONG_AGO
        _, read_theirs = _watched(AsyncMappingKernelManager())
        with pytest.raises(ValueError, match="Invalid Signature"):  # jupyter_server refuses it
            read_theirs(forged)
    finally:
        manager.context.destroy(linger=0)


def test_the_lean_reader_is_faster_than_jupyter_server_s() -> None:
    """What it is for: the server's one thread reads every message every kernel sends."""
    theirs_manager, ours_manager = AsyncMappingKernelManager(), PdkitKernelManager()
    try:
        _, read_theirs = _watched(theirs_manager)
        _, read_ours = _watched(ours_manager)

        def timed(read: Callable[[list[bytes]], None]) -> float:
            best = float("inf")
            for _ in range(5):
                messages = [m for _ in range(20) for m in _sequence()]
                started = time.perf_counter()
                for message in messages:
                    read(message)
                best = min(best, time.perf_counter() - started)
            return best

        assert timed(read_ours) * 3 < timed(read_theirs)
    finally:
        ours_manager.context.destroy(linger=0)
