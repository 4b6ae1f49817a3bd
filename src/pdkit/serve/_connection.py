"""A page's kernel connection with one question to the kernel where jupyter_server asks two.

When a page's websocket connects, jupyter_server makes sure the kernel hears and the new
IOPub subscription works before it relays anything (a ZeroMQ subscriber misses what is
published before its subscription reaches the publisher): it asks the kernel for its
info on a new shell channel *and* on a new control channel, again every half second,
until one of them answers and an IOPub message came through. Each question is a message
the kernel handles and two more it publishes (busy, idle), which the server reads and
relays to the page: with a room connecting at once, the second question was about a
tenth of the processor time a page cost the server and its kernel before Join.

:class:`OneQuestionConnection` asks on the page's own control channel only (it answers
even while the shell is busy), with jupyter_server's rules otherwise: a busy kernel is
not asked, a stopped kernel or a closed channel ends the wait, a kernel still starting is
waited for, and after ``kernel_info_timeout`` the page goes on as before. An answer to a
question asked again comes after the page's channels are relayed: the page sees a reply
to a message of another session, which Jupyter's front end leaves alone.

It also opens no stdin channel: a Voilà page never answers ``input()`` (its cells run on
the server, without stdin, and its widgets' handlers get none), and each ZeroMQ socket is
two open files in the server (its signal and its connection). A page holds three sockets
where jupyter_server opened four, and two more for each question.
"""

from __future__ import annotations

import asyncio
from typing import Any

from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection
from tornado.ioloop import IOLoop

__all__ = ["CHANNELS", "OneQuestionConnection"]

RETRY_SECONDS = 0.5
"""How long to wait for an answer before asking again (jupyter_server's pace)."""


CHANNELS = ("iopub", "shell", "control")
"""The channels a page's connection opens (jupyter_server's, without stdin)."""


class OneQuestionConnection(ZMQChannelsWebsocketConnection):
    """jupyter_server's kernel websocket connection, its nudge one question at a time on
    the page's control channel, and no stdin channel."""

    def create_stream(self) -> None:
        identity = self.session.bsession
        for channel in CHANNELS:
            stream = getattr(self.kernel_manager, "connect_" + channel)(identity=identity)
            stream.channel = channel
            self.channels[channel] = stream

    def nudge(self) -> asyncio.Future[None]:
        manager = self.kernel_manager
        if getattr(manager, "execution_state", None) == "busy":
            done: asyncio.Future[None] = asyncio.Future()
            done.set_result(None)  # as jupyter_server: a busy kernel is not asked
            return done
        control = self.channels["control"]  # the page's: relayed once the nudge is done
        iopub = self.channels["iopub"]
        ports = list(manager.ports)
        answered: asyncio.Future[None] = asyncio.Future()
        heard: asyncio.Future[None] = asyncio.Future()
        loop = IOLoop.current()
        pending: list[Any] = []

        def on_answer(_msg: Any) -> None:
            if not answered.done():
                answered.set_result(None)

        def on_iopub(_msg: Any) -> None:
            if not heard.done():
                iopub.stop_on_recv()
                heard.set_result(None)

        def give_up() -> None:
            for future in (answered, heard):
                if not future.done():
                    future.cancel()

        def ask() -> None:
            pending.clear()
            if (
                self.kernel_id not in self.multi_kernel_manager
                or list(manager.ports) != ports
                or control.closed()
                or iopub.closed()
            ):
                give_up()
                return
            if answered.done() and heard.done():
                return
            self.session.send(control, "kernel_info_request")
            pending.append(loop.call_later(RETRY_SECONDS, ask))

        async def started() -> None:
            while getattr(manager, "execution_state", None) == "starting":
                await asyncio.sleep(0.05)

        iopub.on_recv(on_iopub)
        control.on_recv(on_answer)
        pending.append(loop.call_later(0, ask))

        async def wait() -> None:
            try:
                await asyncio.wait_for(
                    asyncio.gather(answered, heard, started()), timeout=self.kernel_info_timeout
                )
            except (asyncio.CancelledError, asyncio.TimeoutError):
                pass
            finally:
                give_up()
                for handle in pending:
                    loop.remove_timeout(handle)
                if not control.closed():
                    control.stop_on_recv()
                if not iopub.closed():
                    iopub.stop_on_recv()

        return asyncio.ensure_future(wait())
