"""Which process holds something, and whether it is gone: a claim a sender left when it
was killed can be taken over at once by the next run on the same machine, instead of
waiting until the claim is old.

A holder is ``host/pid/start``: the machine's name, the process id and the moment the
process started (from ``/proc`` on Linux; a process id is reused, a start time with it is
not). A holder on another machine (another pod of a CronJob) cannot be checked from here:
it counts as alive, and its claim is taken over only when it is old.
"""

from __future__ import annotations

import os
import socket
from functools import cache
from pathlib import Path

__all__ = ["gone", "this_process"]


def _started(pid: int) -> str:
    """When process ``pid`` started, in clock ticks since boot ("" when not known)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_bytes()
    except OSError:
        return ""
    # The name (field 2) is in parentheses and may hold spaces: count after its end.
    fields = stat[stat.rfind(b")") + 2 :].split()
    return fields[19].decode() if len(fields) > 19 else ""


@cache
def this_process() -> str:
    """This process as a holder: ``host/pid/start``."""
    pid = os.getpid()
    return f"{socket.gethostname()}/{pid}/{_started(pid)}"


def gone(holder: str) -> bool:
    """Whether ``holder`` (from :func:`this_process`) is a process of this machine that no
    longer runs. False when that cannot be known (another machine, an odd value)."""
    host, _, rest = holder.partition("/")
    pid_text, _, started = rest.partition("/")
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # another user's process: it exists
        return False
    return bool(started) and _started(pid) not in ("", started)  # the id was reused
