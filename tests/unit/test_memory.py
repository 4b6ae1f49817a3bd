"""A kernel gives back what making its page freed (pdkit._memory): a room holds every
kernel's leftovers once per participant."""

from __future__ import annotations

import subprocess
import sys

import pytest

_SCRIPT = """
from pdkit._memory import give_back_freed_memory

def anonymous_kib():
    for line in open("/proc/self/smaps_rollup"):
        if line.startswith("Anonymous:"):
            return int(line.split()[1])

# 40 MiB in pieces C's malloc keeps when they are freed (the last one holds the top of
# the heap, so nothing goes back by itself).
pieces = [bytes(2000) + bytes([i % 256]) for i in range(20_000)]
last = pieces[-1]
del pieces
before = anonymous_kib()
given = give_back_freed_memory()
after = anonymous_kib()
print(given, before - after)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc_trim")
def test_freed_memory_goes_back_to_the_system() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _SCRIPT], capture_output=True, text=True, check=True
    )
    given, released_kib = done.stdout.split()
    assert given == "True"
    assert int(released_kib) > 20 * 1024, done.stdout  # of the 40 MiB freed
