"""The time pdkit reads: the machine's clock, moved on by ``$PDKIT_CLOCK_OFFSET``
seconds when that is set.

Every default clock in pdkit (the store's, the pages', reminders') is :func:`now`, so
one variable moves them all together: a facilitator can rehearse what teachers will see
in week 4 before the session, and the follow-up journey test runs six weeks in
minutes (``pdkit serve`` passes the variable on to every kernel).
"""

from __future__ import annotations

import math
import os
import time
from datetime import date

__all__ = ["CLOCK_OFFSET_ENV", "now", "offset", "today"]

CLOCK_OFFSET_ENV = "PDKIT_CLOCK_OFFSET"
"""Seconds to add to the machine's clock (``1209600``: two weeks ahead)."""


def offset() -> float:
    """The offset in force (0 when unset, or when it is not a finite number)."""
    text = os.environ.get(CLOCK_OFFSET_ENV, "")
    if not text:
        return 0.0
    try:
        value = float(text)
    except ValueError:
        return 0.0
    return value if math.isfinite(value) else 0.0


def now() -> float:
    """Seconds since the epoch, as pdkit reads them."""
    return time.time() + offset()


def today() -> date:
    """Today's date (local time), as pdkit reads it."""
    return date.fromtimestamp(now())
