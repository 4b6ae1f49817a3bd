"""Following the runs of a session: redraw soon after a change, without reading the store
while nothing changes.

:func:`follow` checks the store's run signal (:mod:`pdkit.store._signal`: an ``os.stat``
of a small file for SQLite, notifications already on the socket for PostgreSQL) every
``check_every`` seconds and calls ``refresh`` (which reads the store) only when the signal
says the session's runs changed, or when ``safety_every`` seconds passed since the last
refresh (a signal can be missed: a change made by another tool, a lost connection).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from ..store import RunSignal
from ._timing import Scheduler

__all__ = ["CHECK_EVERY", "SAFETY_EVERY", "Following", "follow"]

CHECK_EVERY = 0.1
"""Seconds between two checks of the signal (a check costs a few microseconds)."""

SAFETY_EVERY = 5.0
"""Seconds after which the store is read even without a signal."""


class Following:
    """A running :func:`follow`: call it to stop; :meth:`check` is one tick."""

    def __init__(
        self,
        signal: RunSignal,
        refresh: Callable[[], None],
        *,
        check_every: float,
        safety_every: float,
        clock: Callable[[], float],
        schedule: Scheduler | None,
    ) -> None:
        self.signal = signal
        self._refresh = refresh
        self._check_every = check_every
        self._safety_every = safety_every
        self.clock = clock
        """What :meth:`check` reads the time from (a test may put a fake one in)."""
        self._schedule = schedule
        self._last: float | None = None  # when the store was last read (by this)
        self._handle: object | None = None
        self.stopped = False
        self.refreshes = 0
        """How often :meth:`check` read the store (for tests and benchmarks)."""

    def check(self) -> bool:
        """Refresh if the signal says so, or the safety interval has passed; whether it did."""
        if self.stopped:
            return False
        now = self.clock()
        try:
            changed = self.signal.changed()
        except Exception:
            changed = False
        if self._last is None:
            self._last = now  # the page has just read the store itself
        if not changed and now - self._last < self._safety_every:
            return False
        self._last = now
        self.refreshes += 1
        self._refresh()
        return True

    def _tick(self) -> None:
        if self.stopped:
            return
        try:
            self.check()
        finally:
            self._next()

    def _next(self) -> None:
        if self.stopped:
            return
        if self._schedule is not None:
            self._handle = self._schedule(self._check_every, self._tick)
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # plain Python, tests: call check() yourself
        self._handle = loop.call_later(self._check_every, self._tick)

    def __call__(self) -> None:
        """Stop following."""
        self.stopped = True
        cancel = getattr(self._handle, "cancel", None)
        if cancel is not None:
            cancel()
        self.signal.close()


def follow(
    signal: RunSignal,
    refresh: Callable[[], None],
    *,
    check_every: float = CHECK_EVERY,
    safety_every: float = SAFETY_EVERY,
    clock: Callable[[], float] = time.monotonic,
    schedule: Scheduler | None = None,
) -> Following:
    """Call ``refresh`` whenever ``signal`` changed (checked every ``check_every`` s) and at
    least every ``safety_every`` s, on the kernel's event loop (or through ``schedule``).
    Without a running loop nothing is scheduled: call :meth:`Following.check` yourself.
    Returns the :class:`Following`; calling it stops."""
    following = Following(
        signal,
        refresh,
        check_every=check_every,
        safety_every=safety_every,
        clock=clock,
        schedule=schedule,
    )
    following._next()
    return following
