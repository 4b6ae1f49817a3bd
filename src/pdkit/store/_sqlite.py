"""The embedded default store: one SQLite file in WAL mode (the SQLite dialect).

Several processes (one Voilà kernel per participant) may write at once: WAL mode lets
readers go on while one writer commits, ``BEGIN IMMEDIATE`` takes the write lock up
front (so every write transaction is the only one: :meth:`SQLiteDialect.lock` has
nothing more to do) and ``busy_timeout`` makes a writer wait for it instead of
failing. ``synchronous=FULL`` means an acknowledged answer survives a power cut.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, ClassVar

from .._clock import now
from ..errors import StoreError
from ..i18n import N_
from ._dialect import ConstraintError, Cursor, Doing, cannot_be
from ._signal import Counters, FileSignal, RunSignal, raise_file_signal
from ._sql import SQLStore

__all__ = ["SQLiteDialect", "SQLiteStore"]


class SQLiteDialect:
    """A SQLite database (a file, or ``:memory:``): see the module docs."""

    name: ClassVar[str] = "SQLite"
    mark: ClassVar[str] = "?"
    order: ClassVar[str] = "rowid"
    words: ClassVar[Mapping[str, str]] = {
        "serial": "INTEGER PRIMARY KEY AUTOINCREMENT",
        "time": "REAL",
        "ord_column": "",  # every table has a rowid
        "by_ord": "",  # and every index ends with it
        "no_rowid": " WITHOUT ROWID",  # no hidden insertion order (evaluations)
    }
    table_exists_sql: ClassVar[str] = (
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?"
    )
    column_exists_sql: ClassVar[str] = "SELECT COUNT(*) FROM pragma_table_info(?) WHERE name = ?"

    def __init__(self, path: str | Path, *, busy_timeout: float = 30.0) -> None:
        self.path = str(path)
        self._lock = threading.Lock()
        memory = self.path == ":memory:"
        # The runs' change signal (._signal): files beside the database, found by every
        # kernel whatever its working folder; in memory, counters (one process).
        self._signal_path = None if memory else str(Path(self.path).absolute())
        self._counters = Counters()
        self._changed: set[str] = set()  # sessions whose runs this transaction changed
        if not memory:
            try:
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(
                    N_(
                        "cannot create the folder for the store {store!r}: {reason}. "
                        "Choose another location with PDKIT_STORE or --store."
                    ),
                    store=self.path,
                    reason=exc.strerror,
                ) from None
        db = None
        try:
            db = sqlite3.connect(
                self.path, timeout=busy_timeout, isolation_level=None, check_same_thread=False
            )
            db.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
            if not memory:
                db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = FULL")
            db.execute("PRAGMA foreign_keys = ON")
            db.execute("SELECT COUNT(*) FROM sqlite_master")  # a file that is no database says so
        except sqlite3.DatabaseError as exc:
            if db is not None:
                with suppress(sqlite3.Error):
                    db.close()
            raise StoreError(
                N_(
                    "cannot open the store {store!r}: {reason}. Is it a pdkit store "
                    "(a SQLite file)? Choose another location with PDKIT_STORE or --store."
                ),
                store=self.path,
                reason=str(exc),
            ) from None
        self.connection = db

    @property
    def url(self) -> str:
        return "memory://" if self.path == ":memory:" else f"sqlite:///{self.path}"

    def read(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            try:
                return self.connection.execute(sql, params).fetchall()
            except (sqlite3.Error, UnicodeError) as exc:
                raise cannot_be(self.url, "read", str(exc)) from None

    @contextmanager
    def transaction(self, doing: Doing = "written") -> Iterator[Cursor]:
        with self._lock:
            db = self.connection
            try:
                db.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise cannot_be(self.url, doing, str(exc)) from None
            self._changed.clear()
            try:
                yield db.cursor()
                db.execute("COMMIT")
            except sqlite3.IntegrityError as exc:
                self._rollback()
                said = cannot_be(self.url, doing, str(exc))
                raise ConstraintError(said.template, detail=str(exc), **said.words) from None
            except (sqlite3.Error, UnicodeError) as exc:
                self._rollback()
                raise cannot_be(self.url, doing, str(exc)) from None
            except BaseException:
                self._rollback()
                raise
            finally:
                changed, self._changed = self._changed, set()
            for session in changed:  # only after COMMIT: a page that looks sees the change
                self._raise_signal(session)

    def _raise_signal(self, session: str) -> None:
        if self._signal_path is None:
            self._counters.bump(session)
        else:
            raise_file_signal(self._signal_path, session)

    def runs_changed(self, cursor: Cursor, run_id: str) -> None:
        cursor.execute("SELECT session FROM runs WHERE id = ?", (run_id,))
        row = cursor.fetchone()
        if row is not None:
            self._changed.add(str(row[0]))

    def run_signal(self, session: str) -> RunSignal:
        if self._signal_path is None:
            return self._counters.watch(session)
        return FileSignal(self._signal_path, session)

    def _rollback(self) -> None:
        # SQLite may already have rolled back on its own (disk full, I/O error).
        if self.connection.in_transaction:
            with suppress(sqlite3.Error):
                self.connection.execute("ROLLBACK")

    def insert(self, cursor: Cursor, sql: str, params: Sequence[Any]) -> int:
        """The new row's ``seq`` is its rowid (no ``RETURNING``: SQLite has it only from
        3.35, and Python may be linked against an older one)."""
        cursor.execute(sql, params)
        seq = getattr(cursor, "lastrowid", None)
        assert seq is not None
        return int(seq)

    def lock(self, cursor: Cursor, name: str) -> None:
        """Nothing to take: ``BEGIN IMMEDIATE`` already made this the only writer."""

    def close(self) -> None:
        with self._lock:
            self.connection.close()


class SQLiteStore(SQLStore):
    """A :class:`pdkit.store.Store` in a SQLite database (a file, or ``:memory:``)."""

    def __init__(
        self,
        path: str | Path,
        *,
        clock: Callable[[], float] = now,
        busy_timeout: float = 30.0,
    ) -> None:
        self._sqlite = SQLiteDialect(path, busy_timeout=busy_timeout)
        super().__init__(self._sqlite, clock)

    @property
    def path(self) -> str:
        """The database file (``:memory:`` for an in-memory store)."""
        return self._sqlite.path
