"""What the SQL layer needs from a database: a *dialect*.

pdkit's queries are written once (:mod:`pdkit.store._sql`), with ``?`` placeholders
and ``{ord}`` for the column that keeps the order rows were made in. A dialect supplies
the few things that differ between SQLite and PostgreSQL: connecting, reading, one write
transaction (and how its errors read), an insert that returns the new row's number, the
placeholder mark, the order column, a lock held until a transaction ends, the words of
the schema (:mod:`._schema`), how to ask whether a table exists, and how the runs' change
signal travels (:mod:`._signal`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any, Literal, Protocol

from ..errors import Message, StoreError
from ..i18n import N_
from ._signal import RunSignal

__all__ = ["ConstraintError", "Cursor", "Dialect", "Doing", "cannot_be"]

Doing = Literal["read", "written", "prepared"]
"""What a store could not be, in its messages ("the store … cannot be written: …")."""


class ConstraintError(StoreError):
    """A constraint said no (a key that exists, a participant that does not). ``detail`` is
    the database's own words; the SQL layer turns them into a message of its own where it
    knows what happened, and the message says which store otherwise."""

    def __init__(self, message: Message, *, detail: str, **words: Any) -> None:
        super().__init__(message, **words)
        self.detail = detail


def cannot_be(url: str, doing: Doing, reason: str) -> StoreError:
    """The error of the store at ``url`` that cannot be ``doing`` because of ``reason``
    (the database's words): one whole sentence for each case, for the catalogs."""
    if doing == "read":
        return StoreError(N_("the store {url} cannot be read: {reason}"), url=url, reason=reason)
    if doing == "prepared":
        return StoreError(
            N_("the store {url} cannot be prepared: {reason}"), url=url, reason=reason
        )
    return StoreError(N_("the store {url} cannot be written: {reason}"), url=url, reason=reason)


class Cursor(Protocol):
    """The part of a DB-API cursor the SQL layer uses (sqlite3's and psycopg's alike)."""

    @property
    def rowcount(self) -> int: ...

    def execute(self, sql: str, params: Sequence[Any] = ..., /) -> Any: ...

    def executemany(self, sql: str, params: Iterable[Sequence[Any]], /) -> Any: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...


class Dialect(Protocol):
    """One database's way of doing what the SQL layer asks."""

    @property
    def name(self) -> str:
        """``SQLite`` or ``PostgreSQL``: for messages."""
        ...

    @property
    def mark(self) -> str:
        """The placeholder its driver wants instead of ``?``."""
        ...

    @property
    def order(self) -> str:
        """The column that keeps the order rows were made in (``rowid``, ``ord``)."""
        ...

    @property
    def words(self) -> Mapping[str, str]:
        """The schema's words in this dialect (see :data:`SCHEMA`)."""
        ...

    @property
    def table_exists_sql(self) -> str:
        """A query with one parameter, a table name, whose first column is true when the
        table exists."""
        ...

    @property
    def column_exists_sql(self) -> str:
        """A query with two parameters, a table and a column name, whose first column is
        true when the table has that column."""
        ...

    @property
    def url(self) -> str:
        """Where the data lives, for people to read (never with a password)."""
        ...

    def read(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """The rows of one query; :class:`pdkit.StoreError` when it cannot be read."""
        ...

    def transaction(self, doing: Doing = "written") -> AbstractContextManager[Cursor]:
        """One write transaction: committed when the block ends, rolled back whole on
        any error. Errors become :class:`ConstraintError` (a constraint said no) or
        :class:`pdkit.StoreError` saying what could not be ``doing`` and why."""
        ...

    def insert(self, cursor: Cursor, sql: str, params: Sequence[Any]) -> int:
        """Run one ``INSERT`` (in the dialect's words) into a table whose key is ``seq``,
        and return the new row's ``seq``."""
        ...

    def lock(self, cursor: Cursor, name: str) -> None:
        """Hold the lock ``name`` until the transaction ends (one writer at a time for
        what it names, such as a session's groups)."""
        ...

    def runs_changed(self, cursor: Cursor, run_id: str) -> None:
        """In a write transaction that changed the run ``run_id``: signal its session's
        followers once the transaction commits (:mod:`._signal`), never if it rolls back."""
        ...

    def run_signal(self, session: str) -> RunSignal:
        """A :class:`~._signal.RunSignal` for the runs of ``session``."""
        ...

    def close(self) -> None:
        """Release the connection."""
        ...
