"""A kernel's output streams flushed only when something was written to them.

After every message a page sends (a click, a typed value, the request for the widget
states), ipykernel flushes ``sys.stdout`` and ``sys.stderr`` before it says it is idle, so
that what the handler printed reaches the page first. Each flush hands two tasks to the
kernel's output thread and waits until that thread has run them: four hand-overs between
threads per message, even when nothing was printed, which is always the case on a pdkit
page (its widgets print nothing). On a room's machine, where 40 kernels share two
cores, each wait lasts until the output thread gets the processor again.

:func:`flush_only_what_was_written` makes a flush with nothing written since the last one
return at once. The rule is ipykernel's own: a write marks the stream "flush pending"
(``_flush_pending``, or ``_subprocess_flush_pending`` from a forked process) until the
output thread flushes it; the status that follows goes through the same thread, in
order, so nothing printed can come after it. A stream without those marks (another
ipykernel) is flushed as before.
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
    plain_flush = stream_class.flush

    def flush(self: Any) -> None:
        if getattr(self, "_flush_pending", True) or getattr(
            self, "_subprocess_flush_pending", True
        ):
            plain_flush(self)

    flush.__doc__ = plain_flush.__doc__
    stream_class.flush = flush
    setattr(stream_class, _PATCHED, True)
    return True
