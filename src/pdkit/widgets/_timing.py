"""Time in a kernel: run something later, or again and again, on the kernel's event loop.

Widgets take a ``schedule`` (and a ``clock``) so that tests can run time forward by
hand instead of sleeping (:class:`pdkit.testing.FakeScheduler`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Protocol

__all__ = ["Handle", "Scheduler", "call_later", "repeat_every"]


class Handle(Protocol):
    def cancel(self) -> None: ...


Scheduler = Callable[[float, Callable[[], None]], Handle | None]
"""``schedule(delay, fn)`` runs ``fn`` after ``delay`` seconds; tests inject a fake one."""


def call_later(delay: float, fn: Callable[[], None]) -> Handle | None:
    """Run ``fn`` on the kernel's event loop after ``delay`` s; at once when no loop runs."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        fn()
        return None
    return loop.call_later(delay, fn)


def repeat_every(interval: float, fn: Callable[[], None]) -> Callable[[], None]:
    """Call ``fn`` every ``interval`` seconds on the kernel's event loop; returns a
    function that stops it. Without a running loop (plain Python, tests) nothing is
    scheduled: call ``fn`` yourself."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return lambda: None
    handle: list[asyncio.TimerHandle] = []
    stopped = False

    def tick() -> None:
        if stopped:
            return
        try:
            fn()
        finally:
            if not stopped:
                handle[:] = [loop.call_later(interval, tick)]

    def stop() -> None:
        nonlocal stopped
        stopped = True
        for h in handle:
            h.cancel()

    handle.append(loop.call_later(interval, tick))
    return stop
