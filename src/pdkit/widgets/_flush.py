"""A kernel's output streams flushed only when something was written to them.

After every message a page sends (a click, a typed value, the request for the widget
states), ipykernel flushes ``sys.stdout`` and ``sys.stderr`` before it says it is idle, so
that what the handler printed reaches the page first. Each flush hands two tasks to the
kernel's output thread and waits until that thread has run them: four hand-overs between
threads per message, even when nothing was printed, which is always the case on a pdkit
page (its widgets print nothing). On a room's machine, where 40 kernels share two
cores, each wait lasts until the output thread gets the processor again.

:func:`flush_only_what_was_written` makes a flush return at once when ipykernel's own
marks say nothing is waiting: no write since the output thread last flushed (a write marks
the stream "flush pending", ``_flush_pending``, or ``_subprocess_flush_pending`` from a forked
process, until that thread's flush starts), and that thread is not flushing at this moment.
Otherwise the flush runs and waits as before, so whatever was printed reaches the page before
the status that follows. (The marks are read, not made here: IPython replaces a kernel's
``sys.stdout.write`` with its own, so a mark made in ``write`` would miss every ``print``.) A
stream without those marks (another ipykernel) is flushed as before.
"""

from __future__ import annotations

import sys
from typing import Any

__all__ = ["flush_only_what_was_written"]

_PATCHED = "_pdkit_flush_only_what_was_written"


def flush_only_what_was_written() -> bool:
    """In an ipykernel kernel, make its output streams' flush return at once when nothing
    was written since the last one; whether it did (idempotent; outside a kernel,
    nothing changes and ipykernel is not imported)."""
    iostream = sys.modules.get("ipykernel.iostream")
    if iostream is None:
        return False
    stream_class: Any = iostream.OutStream
    if getattr(stream_class, _PATCHED, False):
        return True
    plain_flush, plain_thread_flush = stream_class.flush, stream_class._flush

    def thread_flush(self: Any) -> None:  # what the output thread runs to send
        self._pdkit_flushing = True
        try:
            plain_thread_flush(self)
        finally:
            self._pdkit_flushing = False

    def flush(self: Any) -> None:
        # In this order: the output thread marks itself flushing before it clears the
        # pending mark, so one of the two is seen while its sends are not queued yet.
        if (
            getattr(self, "_flush_pending", True)
            or getattr(self, "_subprocess_flush_pending", True)
            or getattr(self, "_pdkit_flushing", False)
        ):
            plain_flush(self)

    thread_flush.__doc__, flush.__doc__ = plain_thread_flush.__doc__, plain_flush.__doc__
    stream_class._flush, stream_class.flush = thread_flush, flush
    setattr(stream_class, _PATCHED, True)
    return True
