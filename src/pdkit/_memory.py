"""Giving back to the system the memory a kernel freed while it made its page.

Importing pdkit and making a page allocate and free a few MiB in C (parsed definitions,
compiled modules, widget states). glibc's ``malloc`` keeps freed memory for later, so
the kernel holds it as long as it runs, and a pre-heated room holds it once per
participant. ``malloc_trim(0)`` hands the free pages back (0.7 MiB per goal-setting
kernel, measured). Elsewhere than Linux with glibc this does nothing.
"""

from __future__ import annotations

import ctypes
import sys

__all__ = ["give_back_freed_memory"]


def give_back_freed_memory() -> bool:
    """Hand the C heap's free pages back to the system; whether it could (glibc)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        trim = ctypes.CDLL(None).malloc_trim  # glibc; musl has none
    except (OSError, AttributeError):
        return False
    trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    trim(0)
    return True
