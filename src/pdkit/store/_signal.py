"""A change signal for runs: "the runs of session S changed", checked at almost no cost.

Every participant's page follows the run its group is in. Reading the run from the store
once a second costs one query per page per second and still leaves a page up to a second
behind. Instead, whatever writes a run (:meth:`RunStore.start_run`,
:meth:`RunStore.update_run`) raises this signal for the run's session, and a page checks
its :class:`RunSignal` many times a second (:func:`pdkit.widgets._follow.follow`),
reading the store only when the signal says its session's runs changed.

One mechanism, three carriers:

- a SQLite file store: one small file per session in ``<db>.runs-signal/`` beside the
  database. A change appends one byte to it (``O_APPEND``: writers never overwrite each
  other) after the transaction committed, so the file's size grows with every change; a
  page compares ``os.stat`` (inode, size, time) with what it saw last: no query, no
  read of the file. At 4 KiB the file is replaced by an empty one (a new inode);
- PostgreSQL: ``NOTIFY pdkit_runs, '<session>'`` in the change's own transaction (sent
  when it commits, never for a change rolled back). A page ``LISTEN`` s on the
  connection it already has, and a check reads what the server already sent from the
  socket (``PQconsumeInput``): no round trip;
- an in-memory SQLite store (one process): a counter per session (:class:`Counters`).

A signal can be missed (a change by a tool that does not raise it, a folder that cannot
be written, a reconnection): followers also read the store every few seconds anyway.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import Protocol, runtime_checkable

__all__ = [
    "CHANNEL",
    "CounterSignal",
    "Counters",
    "FileSignal",
    "RunSignal",
    "raise_file_signal",
    "signal_file",
]

CHANNEL = "pdkit_runs"
"""The PostgreSQL channel; each notification's payload is the session's id."""

_ROLL_AT = 4096  # bytes: then the file starts again, empty (a new inode)


@runtime_checkable
class RunSignal(Protocol):
    """Whether the runs of one session may have changed since the last check."""

    def changed(self) -> bool:
        """True when the session's runs changed (or may have) since the previous call
        (the first call: since the signal was made). Cheap: no query to the store."""
        ...

    def close(self) -> None:
        """Stop watching (nothing more is kept for this signal)."""
        ...


# ---------------------------------------------------------------------- files (SQLite)


def signal_file(db_path: str, session: str) -> Path:
    """The file that signals changes to ``session``'s runs in the SQLite file ``db_path``."""
    key = hashlib.sha256(session.encode("utf-8", "surrogatepass")).hexdigest()[:24]
    return Path(f"{db_path}.runs-signal") / key


def raise_file_signal(db_path: str, session: str) -> None:
    """Tell every page watching ``session`` that its runs changed. Never raises: the
    change itself is committed, and a page that misses the signal reads the store at its
    next slow poll anyway. What it creates gets the database file's permissions (a
    store shared by a group of users on a hub: each of them may raise the signal)."""
    path = signal_file(db_path, session)
    with suppress(OSError):
        if not path.parent.is_dir():
            path.parent.mkdir()
            _like_database(path.parent, db_path, folder=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_APPEND)
        except FileNotFoundError:
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
            _like_database(path, db_path)
        try:
            os.write(fd, b".")
            size = os.fstat(fd).st_size
        finally:
            os.close(fd)
        if size >= _ROLL_AT:
            fresh = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}")
            fresh.write_bytes(b"")
            _like_database(fresh, db_path)
            fresh.replace(path)


def _like_database(path: Path, db_path: str, *, folder: bool = False) -> None:
    """Give ``path`` the database file's read and write permissions (a folder: and the
    right to enter it where it may be read)."""
    with suppress(OSError):
        mode = Path(db_path).stat().st_mode & 0o666
        if folder:
            mode |= (mode & 0o444) >> 2
        path.chmod(mode | (path.stat().st_mode & 0o7000))


def _stamp(path: Path) -> tuple[int, int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)


class FileSignal:
    """A :class:`RunSignal` that watches a session's signal file (``os.stat`` only)."""

    def __init__(self, db_path: str, session: str) -> None:
        self.path = signal_file(db_path, session)
        self._seen = _stamp(self.path)

    def changed(self) -> bool:
        now = _stamp(self.path)
        if now == self._seen:
            return False
        self._seen = now
        return True

    def close(self) -> None:
        pass


# ------------------------------------------------------------ counters (one process)


class Counters:
    """Change counters per session, in one process: what an in-memory store raises, and
    where a PostgreSQL store puts the notifications its connection received.

    ``bump_all`` says "anything may have changed" (a lost connection's notifications)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, int] = {}
        self._all = 0

    def bump(self, session: str) -> None:
        with self._lock:
            self._counts[session] = self._counts.get(session, 0) + 1

    def bump_all(self) -> None:
        with self._lock:
            self._all += 1

    def value(self, session: str) -> tuple[int, int]:
        return (self._all, self._counts.get(session, 0))

    def watch(self, session: str, *, poll: Callable[[], None] | None = None) -> CounterSignal:
        return CounterSignal(self, session, poll)


class CounterSignal:
    """A :class:`RunSignal` over :class:`Counters`; ``poll`` (if any) first takes in
    what has arrived (a PostgreSQL connection's notifications)."""

    def __init__(self, counters: Counters, session: str, poll: Callable[[], None] | None) -> None:
        self._counters = counters
        self._session = session
        self._poll = poll
        if poll is not None:
            poll()
        self._seen = counters.value(session)

    def changed(self) -> bool:
        if self._poll is not None:
            self._poll()
        now = self._counters.value(self._session)
        if now == self._seen:
            return False
        self._seen = now
        return True

    def close(self) -> None:
        self._poll = None
