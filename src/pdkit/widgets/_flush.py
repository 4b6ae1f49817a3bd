"""A kernel's output streams flushed only when something was written to them.

After every message a page sends (a click, a typed value, the request for the widget
states), ipykernel flushes ``sys.stdout`` and ``sys.stderr`` before it says it is idle, so
that what the handler printed reaches the page first. Each flush hands two tasks to the
kernel's output thread and waits until that thread has run them: four hand-overs between
threads per message, even when nothing was printed, which is always the case on a pdkit
page (its widgets print nothing). On a room's machine, where 40 kernels share two
cores, each wait lasts until the output thread gets the processor again.

:func:`flush_only_what_was_written` makes a flush return at once when nothing was written
to the stream since the last flush that ran (a write marks it; every write goes through
``write``, the lines of a C library's output too). Otherwise the flush runs as before, and
waits as before: it also waits for a flush the output thread may be running at that moment,
so whatever was printed still reaches the page before the status that follows.
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
    plain_write, plain_flush = stream_class.write, stream_class.flush

    def write(self: Any, string: str) -> int | None:
        result: int | None = plain_write(self, string)
        self._pdkit_written = True  # after: a flush that reads it finds the text buffered
        return result

    def flush(self: Any) -> None:
        if getattr(self, "_pdkit_written", True):  # (a stream made before: flushed once)
            self._pdkit_written = False
            plain_flush(self)

    write.__doc__, flush.__doc__ = plain_write.__doc__, plain_flush.__doc__
    stream_class.write, stream_class.flush = write, flush
    setattr(stream_class, _PATCHED, True)
    return True
