"""The kernel manager ``pdkit serve`` gives Voilà (it runs in the server, not in kernels).

Changes to jupyter_server's ``AsyncMappingKernelManager``:

- kernels waiting in Voilà's pool of pre-heated kernels are never culled: they have no
  connection and look idle, so the idle culler (which frees the kernels of closed tabs,
  voila#1458) would otherwise empty the pool within a minute of a quiet room; nor are
  kernels that are still starting (the culler fails on them);
- a kernel no page has connected to yet is spared for ``connect_grace`` seconds after
  its last activity, not the short idle timeout: a pooled kernel handed out to a page on a
  busy server can wait longer than that for the browser's websocket, and culling it then
  leaves a page without its form. A page closed before it connected is freed after the
  grace; one that connected and closed, after the idle timeout as before;
- only *ready* pre-heated kernels count as the pool: Voilà hands the next arrival the
  first kernel in the pool even while that kernel is a replacement still waiting for
  ``fill_delay`` or still starting, so with a pool smaller than the crowd, arrivals queued
  behind the refill (30 s and more). Counted this way, an arrival either gets a kernel
  that is ready now or Voilà starts one for it at once, and a long ``fill_delay`` keeps
  refills from competing with a crowd arriving;
- refills are spread out: Voilà replaces each kernel ``fill_delay`` seconds after
  handing it out, so when a room arrives together, 40 replacements started together
  30 s later and took the machine from the room (and from the culler) for half a
  minute; here each replacement starts at least ``refill_spacing`` seconds after the
  previous one;
- idle kernels are culled all at once, not one after another: stopping a kernel waits
  for its process to exit (1 to 3 s on a busy machine), so jupyter_server's one-by-one pass
  took 25 s to free the kernels of 10 closed pages and minutes for a room; and a culled
  kernel is killed at once instead of being asked to shut down (it has been idle for
  seconds, every answer is in the store, and the polite way cost the server about 90 ms a
  kernel: 100 pages closed together waited for it);
- ``max_kernels`` refuses a new kernel once that many run, so a crowd cannot exhaust
  the machine's memory: the page then says the server is full (HTTP 503) instead of
  the machine swapping for everyone (pdkit's page handler shows a "getting ready" page
  that waits for a free place before it comes to that, :mod:`._app`);
- a pool is pre-heated a few kernels at a time (``warm_concurrency``), each counted
  ready only once its notebook has run: Voilà started every kernel of the pool at once,
  so with ``--pool goal-setting=300`` the server's one thread was busy with 300 kernels
  starting on two cores and answered no page for 77 s. Now it answers at once, and
  :meth:`PdkitKernelManager.waiting` tells the page handler whether an arrival should
  wait (the first fill still under way and no kernel ready for it); the terminal shows
  the fill's progress with an estimate (:meth:`PdkitKernelManager.report_warm_up`);
- stopping the server stops the room at once (:meth:`PdkitKernelManager.stop_room`):
  kernels still waiting to start are never started, pre-heated kernels and kernels no
  page connected to are killed, kernels of open pages get the polite second (their last
  answers are saved as they exit), all together; and any process the server started
  that is still alive then (a kernel caught halfway through its start) is killed by its
  PID. Voilà's own way waited for every kernel of the pool to finish starting, one after
  another, before stopping it: 45 s for a pool of 300.

- the server reads each message a kernel publishes once, without its dates, to note the
  kernel's activity (:class:`._activity.ActivityRecorder`): jupyter_server read each
  twice, dates and all, a fifth of the server's time when a room arrives together;

- kernels run below the server's priority (``kernel_niceness``): the one server process
  relays every page's messages, and when a room moves on together (the facilitator's
  "Next step" redraws 100 pages) 100 kernels on two cores took the server's time, so a
  page's new step waited in the server for about a second after its kernel had sent it.
  Kernels get the processor as before whenever the server has nothing to relay.

It also keeps two meaningless warnings out of the server's log (:class:`NotTrustedFilter`,
:class:`PingTimeoutFilter`, in :mod:`._log_filters`), and makes no log record that no
handler would show (:func:`._log_filters.skip_records_nobody_shows`).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import os
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import zmq
import zmq.asyncio
from jupyter_server._tz import utcnow
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from tornado import web
from traitlets import Float, Integer, default

from ..i18n import terminal_words
from ._activity import ActivityRecorder
from ._config import raise_file_limit, zmq_socket_budget
from ._log_filters import NotTrustedFilter, PingTimeoutFilter, skip_records_nobody_shows

__all__ = ["NotTrustedFilter", "PdkitKernelManager", "PingTimeoutFilter"]

_CULLING: contextvars.ContextVar[bool] = contextvars.ContextVar("pdkit_culling", default=False)
"""True while the idle culler stops a kernel (see :meth:`PdkitKernelManager.shutdown_kernel`)."""


class PdkitKernelManager(AsyncMappingKernelManager):
    """Pool-aware culling and a limit on running kernels (see the module docs)."""

    max_kernels = Integer(
        0,
        config=True,
        help="Refuse to start a kernel when this many are running (0: no limit).",
    )

    connect_grace = Integer(
        120,
        config=True,
        help="Seconds a kernel no page has connected to yet is kept (instead of the idle timeout).",
    )

    refill_spacing = Float(
        1.5,
        config=True,
        help="Seconds between the starts of two replacements for pre-heated kernels.",
    )

    warm_concurrency = Integer(
        0,
        config=True,
        help="Pre-heated kernels started at the same time (0: two per processor core).",
    )

    warm_timeout = Float(
        60.0,
        config=True,
        help="Seconds a pre-heated kernel's notebook may run before the kernel counts as ready.",
    )

    report_every = Float(
        5.0,
        config=True,
        help="Seconds between two lines of pre-heating progress in the terminal (0: none).",
    )

    kernel_niceness = Integer(
        10,
        config=True,
        help="How much lower the kernels' processor priority is than the server's "
        "(a nice value added to each kernel, 0 to 19; 0: the same).",
    )

    @default("context")
    def _context_default(self) -> zmq.asyncio.Context:
        """The ZeroMQ context of every kernel connection, allowed as many sockets as the
        server's open files do (see :func:`._config.zmq_socket_budget`): ZeroMQ's default of
        1,023 served 70 of 300 pages arriving at once. Set before its first socket."""
        self._created_context = True
        context = zmq.asyncio.Context()
        context.set(zmq.MAX_SOCKETS, zmq_socket_budget())
        return context

    def __init__(self, **kwargs: Any) -> None:
        raise_file_limit()  # before any kernel: the budget above counts on it
        super().__init__(**kwargs)  # type: ignore[no-untyped-call]
        NotTrustedFilter.install(self.log)  # the server's log (Voilà's, when it is the parent)
        PingTimeoutFilter.install()
        skip_records_nobody_shows(self.log)
        self._connected_once: set[str] = set()
        self._next_refill = 0.0
        self._first_fill: dict[str, list[Any]] = {}  # notebook → its pool's first tasks
        self._started_at = time.monotonic()
        self._reported: set[str] = set()  # notebooks whose pool's fill was reported done
        self._pace: dict[str, tuple[float, int]] = {}  # notebook → (time, ready) first seen
        self._reporter: Any = None
        self._stopping = False
        slots = int(self.warm_concurrency) or 2 * (os.cpu_count() or 1)
        self._warm_slots = asyncio.Semaphore(slots)
        if hasattr(self, "get_pool_size") and hasattr(self, "fill_if_needed"):
            # Voilà's pool class is made as a subclass of this one, so its methods can
            # only be replaced on the instance.
            self.get_pool_size = self._ready_in_pool
            self._voila_fill: Callable[..., None] = getattr(self, "fill_if_needed")  # noqa: B009
            self.fill_if_needed = self._spread_fill
            self._voila_initialize: Callable[..., Any] = getattr(self, "_initialize")  # noqa: B009
            self._initialize = self._warm
            self._voila_hand_out: Callable[..., Any] = getattr(self, "get_rendered_notebook")  # noqa: B009
            self.get_rendered_notebook = self._hand_out
            self.shutdown_all = self.stop_room

    def _spread_fill(self, delay: float | None = None, *args: Any, **kwargs: Any) -> None:
        """Voilà's ``fill_if_needed``, with a replacement (``delay=None``: after a kernel
        was handed out) put in the next free start slot (see the module docs)."""
        if self._stopping:
            return
        first = delay == 0  # Voilà's start (its refills come with delay=None)
        if delay is None:
            now = time.monotonic()
            slot = max(now + float(getattr(self, "fill_delay", 0.0)), self._next_refill)
            self._next_refill = slot + float(self.refill_spacing)
            delay = slot - now
        self._voila_fill(delay, *args, **kwargs)
        name = kwargs.get("notebook_name")
        if first and isinstance(name, str) and name not in self._first_fill:
            tasks = list(getattr(self, "_pools", {}).get(name, []))
            if tasks:
                self._first_fill[name] = tasks
                self._start_reporting()

    async def _warm(self, notebook_name: str, kernel_id: str | None = None, **kwargs: Any) -> Any:
        """Voilà's ``_initialize`` (start a kernel, run the notebook in it) for a pool, at
        most ``warm_concurrency`` at a time, done when the notebook has run."""
        async with self._warm_slots:
            if self._stopping:
                raise asyncio.CancelledError
            content = await self._voila_initialize(notebook_name, kernel_id, **kwargs)
            # (a failed notebook is the page's to report; one that waits for its request,
            # Voilà's wait_for_request(), never ends here: it is counted ready after a while)
            with contextlib.suppress(Exception, asyncio.TimeoutError):
                await asyncio.wait_for(asyncio.shield(content["task"]), self.warm_timeout)
        return content

    async def _hand_out(self, notebook_name: str, *args: Any, **kwargs: Any) -> Any:
        """Voilà's ``get_rendered_notebook`` (a pre-heated kernel for a page), the hand-out
        counted as the kernel's activity: the page's grace to connect (``connect_grace``)
        starts now, not when the kernel was pre-heated. (A kernel that had waited minutes in
        the pool was culled before its page's websocket came: 78 of 300 pages at once.)"""
        rendered = await self._voila_hand_out(notebook_name, *args, **kwargs)
        kernel = self._kernels.get(rendered[2])
        if kernel is not None:
            kernel.last_activity = utcnow()
        return rendered

    def pool_target(self, notebook_name: str) -> int:
        """How many pre-heated kernels ``notebook_name``'s pool holds when full."""
        pools: dict[str, Any] = getattr(self, "kernel_pools_config", {}) or {}
        entry = pools.get(notebook_name) or {}
        return int(entry.get("pool_size", 0)) if notebook_name in self._first_fill else 0

    def warm_up(self, notebook_name: str) -> tuple[int, int, bool]:
        """(kernels of the pool's first fill ready, the pool's size, whether that fill is
        still under way) for ``notebook_name``; (0, 0, False) without a pool."""
        tasks = self._first_fill.get(notebook_name)
        if not tasks:
            return 0, 0, False
        done = sum(1 for task in tasks if _succeeded(task))
        under_way = any(not task.done() for task in tasks)
        return done, self.pool_target(notebook_name) or len(tasks), under_way

    def waiting(self, notebook_name: str) -> tuple[str, int, int] | None:
        """Why an arrival for ``notebook_name`` should wait on a "getting ready" page, and
        the two numbers it shows, or None: serve the workbook now.

        ``("warming", ready, size)``: its pool's first fill is under way and no kernel of
        it is ready (the first arrivals take the first kernels ready; starting one more
        for each would only slow the fill down for everyone). ``("full", running,
        max_kernels)``: ``max_kernels`` run and none of them waits in a pool (a page
        closing frees one within the idle timeout).
        """
        if self._stopping:
            return None
        ready_now = self._ready_in_pool(notebook_name)
        if ready_now:
            return None
        done, size, under_way = self.warm_up(notebook_name)
        if under_way:
            return ("warming", done, size)
        running = len(self.list_kernel_ids())
        if self.max_kernels and running >= self.max_kernels:
            return ("full", running, int(self.max_kernels))
        return None

    def _start_reporting(self) -> None:
        if self._reporter is not None or not self.report_every > 0:
            return
        from tornado.ioloop import PeriodicCallback

        def report() -> None:
            self.report_warm_up()

        self._reporter = PeriodicCallback(report, float(self.report_every) * 1000)
        self._reporter.start()
        asyncio.get_event_loop().call_soon(self.report_warm_up)

    def report_warm_up(self) -> list[str]:
        """Print (and return) a line per pool still filling for the first time, and one
        when a pool is full; stops reporting when every pool is. The lines are in the
        terminal's language."""
        t, tn = terminal_words()
        lines = []
        now = time.monotonic()
        elapsed = now - self._started_at
        for name in self._first_fill:
            shown = name.removesuffix(".ipynb")
            done, size, under_way = self.warm_up(name)
            if done and name not in self._pace:
                self._pace[name] = (now, done)  # the pace counts from the first one ready
            since, done_then = self._pace.get(name, (now, done))
            if under_way:
                left = _left(size - done, done - done_then, now - since, t, tn)
                said = tn(
                    "pdkit: pre-heating {workbook}: {done} of {size} ready, {left}",
                    "pdkit: pre-heating {workbook}: {done} of {size} ready, {left}",
                    done,
                )
                lines.append(said.format(workbook=shown, done=done, size=size, left=left))
            elif name not in self._reported:
                self._reported.add(name)
                said = tn(
                    "pdkit: pre-heated {workbook}: {done} of {size} ready in {seconds} s",
                    "pdkit: pre-heated {workbook}: {done} of {size} ready in {seconds} s",
                    done,
                )
                lines.append(
                    said.format(workbook=shown, done=done, size=size, seconds=round(elapsed))
                )
        for line in lines:
            print(line, file=sys.stdout, flush=True)
        if len(self._reported) == len(self._first_fill) and self._reporter is not None:
            self._reporter.stop()
        return lines

    async def stop_room(self, now: bool = False, **kwargs: Any) -> None:
        """Stop every kernel at once, and every process the server started (see the
        module docs); Voilà calls it when the server stops."""
        self._stopping = True
        if self._reporter is not None:
            self._reporter.stop()
        pools: dict[str, list[Any]] = getattr(self, "_pools", {})
        for pool in pools.values():
            for task in pool:
                if not task.done():
                    task.cancel()
        if hasattr(self, "_pools"):
            self._pools: dict[str, list[Any]] = {}

        polite = set() if now else self._connected_once & set(self._kernels)
        for kernel_id in set(self._kernels) - polite:  # killed first, all together
            pid = getattr(getattr(self._kernels[kernel_id], "provisioner", None), "pid", None)
            if isinstance(pid, int) and pid > 0:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)

        async def stop(kernel_id: str) -> None:
            with contextlib.suppress(Exception):
                await self.shutdown_kernel(kernel_id, now=kernel_id not in polite)

        await asyncio.gather(*(stop(kernel_id) for kernel_id in list(self._kernels)))
        await asyncio.sleep(0)  # let the cancelled starts end
        for pid in _children(os.getpid()):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)

    def _ready_in_pool(self, notebook_name: str) -> int:
        """How many kernels of ``notebook_name``'s pool are ready; they are moved to the
        front, where Voilà takes the next one from (see the module docs)."""
        pool = getattr(self, "_pools", {}).get(notebook_name)
        if not pool:
            return 0
        ready = [task for task in pool if _succeeded(task)]
        pool[:] = ready + [task for task in pool if not _succeeded(task)]
        return len(ready)

    def start_watching_activity(self, kernel_id: str) -> None:
        """jupyter_server's, each message read once (:class:`._activity.ActivityRecorder`)."""
        kernel = self._kernels[kernel_id]
        kernel.reason = ""
        kernel.last_activity = utcnow()
        kernel._activity_stream = kernel.connect_iopub()
        kernel._activity_stream.on_recv(
            ActivityRecorder(self, kernel, kernel_id, self.track_message_type, self.log)
        )

    def notify_connect(self, kernel_id: str) -> None:
        self._connected_once.add(kernel_id)
        super().notify_connect(kernel_id)  # type: ignore[no-untyped-call]

    def remove_kernel(self, kernel_id: str) -> Any:
        self._connected_once.discard(kernel_id)
        return super().remove_kernel(kernel_id)

    def _pooled(self) -> set[str]:
        """Ids of the kernels that wait, pre-heated, in Voilà's pools."""
        found: set[str] = set()
        for pool in getattr(self, "_pools", {}).values():
            for task in pool:
                if _succeeded(task):
                    kernel_id = task.result().get("kernel_id")
                    if kernel_id:
                        found.add(kernel_id)
        return found

    async def cull_kernels(self) -> None:
        async def cull(kernel_id: str) -> None:
            try:
                await self.cull_kernel_if_idle(kernel_id)
            except Exception:
                self.log.exception("pdkit: could not check or cull kernel %s", kernel_id)

        await asyncio.gather(*(cull(kernel_id) for kernel_id in list(self._kernels)))

    async def cull_kernel_if_idle(self, kernel_id: str) -> None:
        idle = self._idle_seconds(kernel_id)
        if kernel_id in self._pooled() or idle is None:
            return
        if kernel_id not in self._connected_once and idle < float(self.connect_grace):
            return  # handed out to a page whose browser has not connected yet
        culling = _CULLING.set(True)
        try:
            await super().cull_kernel_if_idle(kernel_id)  # type: ignore[no-untyped-call]
        finally:
            _CULLING.reset(culling)

    async def shutdown_kernel(  # type: ignore[override]
        self, kernel_id: str, now: bool = False, restart: bool = False
    ) -> None:
        """jupyter_server's, killing the kernel at once when the culler stops it."""
        now = now or _CULLING.get()
        await super().shutdown_kernel(kernel_id, now=now, restart=restart)  # type: ignore[no-untyped-call]

    def _idle_seconds(self, kernel_id: str) -> float | None:
        """Seconds since the kernel's last activity; None while it is still starting (no
        activity recorded yet: jupyter_server's culler would fail on it and log a traceback
        per kernel when a crowd arrives); infinite for an unknown kernel (the culler then
        reports it as it does)."""
        kernel = self._kernels.get(kernel_id)
        if kernel is None:
            return float("inf")
        try:
            last = getattr(kernel, "last_activity", None)
        except Exception:  # traitlets refuses to read an unset datetime
            return None
        return None if last is None else float((utcnow() - last).total_seconds())

    async def _async_start_kernel(self, *args: Any, **kwargs: Any) -> Any:
        if self.max_kernels and len(self.list_kernel_ids()) >= self.max_kernels:
            self.log.warning("pdkit: %s kernels are running; refusing a new one", self.max_kernels)
            raise web.HTTPError(
                503,
                reason="The workshop server is full: please try again in a minute",
            )
        niceness = max(0, min(19, int(self.kernel_niceness)))
        if niceness and hasattr(os, "nice"):  # POSIX: set in the child before the kernel runs
            kwargs.setdefault("preexec_fn", functools.partial(os.nice, niceness))
        return await super()._async_start_kernel(*args, **kwargs)

    start_kernel = _async_start_kernel  # type: ignore[assignment]


def _left(
    remaining: int,
    done: int,
    elapsed: float,
    t: Callable[[str], str],
    tn: Callable[[str, str, int], str],
) -> str:
    """ "about 50 s left" for ``remaining`` kernels, at the pace of ``done`` in ``elapsed``
    (in the language of ``t`` and ``tn``)."""
    if done <= 0 or elapsed <= 0:
        return t("estimating the time left")
    seconds = remaining * elapsed / done
    if seconds < 120:
        count = round(seconds)
        return tn("about {count} s left", "about {count} s left", count).format(count=count)
    count = round(seconds / 60)
    return tn("about {count} min left", "about {count} min left", count).format(count=count)


def _children(parent: int) -> list[int]:
    """PIDs of the processes whose parent is ``parent`` (from ``/proc``; none elsewhere)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text(encoding="ascii", errors="replace").rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[1:2] == [str(parent)] and fields[0] != "Z":
            found.append(int(stat.parent.name))
    return found


def _succeeded(task: Any) -> bool:
    """Whether a pool entry (an asyncio task) has finished starting its kernel."""
    return bool(task.done() and not task.cancelled() and task.exception() is None)
