"""A kernel's output streams are flushed after each message only when something was
written to them (pdkit.widgets._flush): ipykernel flushed stdout and stderr after every
message a page sent, each flush two hand-overs to the output thread and a wait for it."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest
import zmq
from jupyter_client.session import Session

from pdkit.widgets._flush import flush_only_what_was_written


@pytest.fixture
def stream() -> Iterator[tuple[Any, zmq.Socket[bytes], list[Any]]]:
    """A kernel's stdout as ipykernel makes it, its output thread publishing to a socket
    this test reads; and the tasks handed to that thread."""
    from ipykernel.iostream import IOPubThread, OutStream

    assert flush_only_what_was_written()
    context = zmq.Context()
    pub, sub = context.socket(zmq.PUB), context.socket(zmq.SUB)
    port = pub.bind_to_random_port("tcp://127.0.0.1")
    sub.connect(f"tcp://127.0.0.1:{port}")
    sub.setsockopt(zmq.SUBSCRIBE, b"")
    time.sleep(0.2)  # the subscription reaches the publisher
    thread = IOPubThread(pub)
    thread.start()
    out = OutStream(Session(key=b""), thread, "stdout", watchfd=False)
    handed: list[Any] = []
    plain = thread.schedule

    def schedule(task: Any) -> None:
        handed.append(task)
        plain(task)

    thread.schedule = schedule  # type: ignore[method-assign]
    try:
        yield out, sub, handed
    finally:
        thread.stop()
        pub.close(linger=0)
        sub.close(linger=0)
        context.term()


def test_a_flush_with_nothing_written_hands_nothing_to_the_output_thread(
    stream: tuple[Any, zmq.Socket[bytes], list[Any]],
) -> None:
    out, _sub, handed = stream
    out.flush()  # a new stream's first flush runs (it may hold what came before)
    handed.clear()
    out.flush()
    out.flush()
    assert handed == []


def test_what_was_written_is_sent_by_the_flush(
    stream: tuple[Any, zmq.Socket[bytes], list[Any]],
) -> None:
    out, sub, handed = stream
    out.write("printed by a handler\n")
    out.flush()  # waits until the output thread has sent it
    assert len(handed) >= 2  # the flush and the wait for it, as ipykernel does
    assert sub.poll(2000)
    parts = sub.recv_multipart()
    assert any(b"printed by a handler" in part for part in parts)
    handed.clear()
    out.flush()  # sent already: nothing more to do
    assert handed == []


def test_outside_a_kernel_nothing_changes_and_ipykernel_is_not_imported(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delitem(sys.modules, "ipykernel.iostream", raising=False)
    assert flush_only_what_was_written() is False
    assert "ipykernel.iostream" not in sys.modules


def test_a_print_through_ipython_s_own_write_is_flushed(
    stream: tuple[Any, zmq.Socket[bytes], list[Any]],
) -> None:
    # IPython replaces a kernel's sys.stdout.write with its own (which calls the stream's
    # write it found): the flush must still see what was printed (a notebook's outputs
    # were lost when it did not)
    out, sub, _handed = stream
    found_write = out.write
    out.write = lambda text: found_write(text)
    out.write("printed through IPython\n")
    out.flush()
    assert sub.poll(2000)
    assert any(b"printed through IPython" in part for part in sub.recv_multipart())
