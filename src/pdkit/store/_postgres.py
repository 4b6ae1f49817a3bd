"""A shared store on a PostgreSQL server, for workshops whose kernels run on many machines
(the PostgreSQL dialect).

This module is imported only when a ``postgresql://`` (or ``postgres://``) URL is opened,
and it imports psycopg 3 only when a store is opened, so a participant on the default
SQLite store never loads a database driver. Install the driver with
``pip install 'psycopg[binary]'`` (or pdkit's extra: ``pip install 'jupyter-pdkit[postgres]'``).

What it keeps, and how, is the same as :class:`pdkit.store.SQLiteStore`: the queries are
the same (:mod:`pdkit.store._sql`), values the same JSON text, the errors the same. What
differs is the plumbing:

- one connection per store, guarded by a lock (a widget's timer may call from a thread);
- every write is one explicit transaction, and a call returns only after ``COMMIT``:
  an answer that was acknowledged is on the server, one that was not raises;
- a lost connection (the server restarted, a network cut) raises a
  :class:`pdkit.StoreError` naming the server; the next call connects again;
- what must happen one at a time (creating the schema, re-forming a session's groups
  and placing a late joiner in one) takes a transaction-scoped advisory lock, all in one
  key space: ``pg_advisory_xact_lock(PDKIT, hashtext(name))``;
- the runs' change signal (:mod:`._signal`): a change to a run sends ``NOTIFY pdkit_runs``
  with the session's id in its own transaction; a store asked for a signal ``LISTEN`` s on
  its one connection, and checking reads only what already arrived on the socket.

Each kernel keeps one connection open: for a workshop of N participants the server needs
``max_connections`` above N (plus the facilitator's and coaches'), or a pooler such as
PgBouncer in transaction mode in front of it (the store uses no server-side prepared
statements and only transaction-scoped locks, so that works; but a pooler in transaction
mode passes no notifications on, so pages then see a facilitator's click at their slow
poll, within 5 s, instead of within a fraction of a second).
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from typing import TYPE_CHECKING, Any, ClassVar

from .._clock import now
from .._imports import require
from ..errors import DriverMissingError, StoreError
from ..i18n import N_
from ._dialect import ConstraintError, Cursor, Doing, cannot_be
from ._signal import CHANNEL, Counters, RunSignal
from ._sql import SQLStore
from ._urls import redact_url

if TYPE_CHECKING:
    import psycopg

__all__ = ["LOCK_SPACE", "PostgresDialect", "PostgresStore"]

LOCK_SPACE = 0x706B6974  # "pkit"
"""The first key of every advisory lock pdkit takes; the second is ``hashtext(name)``.
PostgreSQL's one-key and two-key advisory locks never block each other, so pdkit uses
the two-key form only."""

_DEFAULTS = {
    "connect_timeout": "5",  # an unreachable server is reported in seconds, not minutes
    "application_name": "pdkit",
    "keepalives": "1",  # notice a dead server or network while waiting for an answer
    "keepalives_idle": "30",
    "keepalives_interval": "10",
    "keepalives_count": "3",
}


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


class PostgresDialect:
    """A PostgreSQL database reached through a libpq URL (see the module docs)."""

    name: ClassVar[str] = "PostgreSQL"
    mark: ClassVar[str] = "%s"
    order: ClassVar[str] = "ord"
    words: ClassVar[Mapping[str, str]] = {
        "serial": "BIGSERIAL PRIMARY KEY",
        "time": "DOUBLE PRECISION",
        # PostgreSQL has no rowid: an explicit column keeps the order rows were made in.
        "ord_column": "\n        ord BIGSERIAL NOT NULL,",
        "by_ord": ", ord",
        "no_rowid": "",  # no rowid to begin with
    }
    # A table the search_path finds (as every query of the store's will), by a plain query
    # of the catalog: to_regclass's cached view of the catalog can miss the tables another
    # kernel created while this one waited for the schema lock.
    table_exists_sql: ClassVar[str] = (
        "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_tables"
        " WHERE schemaname = ANY (current_schemas(false)) AND tablename = %s)"
    )
    column_exists_sql: ClassVar[str] = (
        "SELECT EXISTS (SELECT 1 FROM information_schema.columns"
        " WHERE table_schema = ANY (current_schemas(false)) AND table_name = %s"
        " AND column_name = %s)"
    )

    def __init__(self, url: str) -> None:
        require(
            "psycopg",
            why=N_("PostgreSQL stores need the psycopg driver"),
            package="psycopg[binary]",
            extra="postgres",
            error=DriverMissingError,
        )
        from psycopg.conninfo import conninfo_to_dict, make_conninfo

        self._lock = threading.Lock()
        self._conn: psycopg.Connection[tuple[Any, ...]] | None = None
        self._closed = False
        self._counters = Counters()  # the runs' change signals this connection received
        self._listening = False
        self._url = redact_url(url)
        try:
            params = conninfo_to_dict(url)
        except Exception as exc:  # psycopg.ProgrammingError: libpq cannot parse it
            raise StoreError(
                N_(
                    "{url!r} is not a PostgreSQL URL ({reason}); write "
                    "postgresql://user@host:5432/dbname"
                ),
                url=self._url,
                reason=_one_line(str(exc)),
            ) from None
        self._password = str(params.get("password") or "")
        defaults = {k: v for k, v in _DEFAULTS.items() if k not in params}
        self._conninfo = make_conninfo(url, **defaults)
        host = str(params.get("host") or params.get("hostaddr") or os.environ.get("PGHOST", ""))
        port = str(params.get("port") or os.environ.get("PGPORT", "") or "5432")
        dbname = str(
            params.get("dbname")
            or os.environ.get("PGDATABASE", "")
            or params.get("user")
            or os.environ.get("PGUSER", "")
        )
        self.server = f"{host or 'localhost'}:{port}/{dbname}"
        """``host:port/dbname`` of the server, for messages (never a password)."""

    @property
    def url(self) -> str:
        return self._url

    def _scrub(self, text: str) -> str:
        """An error message in one line, with the password (if libpq quoted it) left out."""
        text = _one_line(text)
        return text.replace(self._password, "***") if self._password else text

    def _connection(self) -> psycopg.Connection[tuple[Any, ...]]:
        """The open connection, made anew if there is none (first use, or it was lost)."""
        import psycopg

        if self._closed:
            raise StoreError(N_("the store {url} was closed"), url=self._url)
        if self._conn is not None and not self._conn.closed:
            return self._conn
        self._conn = None
        conn = None
        try:
            # No server-side prepared statements: they break behind PgBouncer's
            # transaction pooling, and these statements are too small to gain from them.
            conn = psycopg.connect(self._conninfo, autocommit=True, prepare_threshold=None)
            # An acknowledged answer must survive a crash of the server, whatever its
            # default is (SQLite's store uses synchronous=FULL for the same promise).
            conn.execute("SET synchronous_commit = on")
            conn.add_notify_handler(self._notified)
            if self._listening:  # what was sent while there was no connection is lost:
                conn.execute(f"LISTEN {CHANNEL}")
                self._counters.bump_all()  # every follower reads the store again
        except psycopg.Error as exc:
            if conn is not None:
                with suppress(Exception):
                    conn.close()
            raise StoreError(
                N_("cannot connect to the PostgreSQL server {server}: {reason}"),
                server=self.server,
                reason=self._scrub(str(exc)),
            ) from None
        self._conn = conn
        return conn

    def _failure(self, exc: BaseException, doing: Doing, committing: bool | None) -> StoreError:
        """The :class:`StoreError` for a psycopg error; forgets a connection that was lost.
        ``committing`` says whether a write was being committed (``None``: nothing was
        being written)."""
        conn = self._conn
        if conn is not None and conn.closed:
            self._conn = None
            with suppress(Exception):
                conn.close()
            server, reason = self.server, self._scrub(str(exc))
            if committing is None:
                return StoreError(
                    N_(
                        "lost the connection to the PostgreSQL server {server} ({reason}); "
                        "the next call connects again."
                    ),
                    server=server,
                    reason=reason,
                )
            if committing:
                return StoreError(
                    N_(
                        "lost the connection to the PostgreSQL server {server} ({reason}); "
                        "the change may or may not have been saved (read it again to check); "
                        "the next call connects again."
                    ),
                    server=server,
                    reason=reason,
                )
            return StoreError(
                N_(
                    "lost the connection to the PostgreSQL server {server} ({reason}); "
                    "nothing was saved; the next call connects again."
                ),
                server=server,
                reason=reason,
            )
        return cannot_be(self._url, doing, self._describe(exc))

    def _describe(self, exc: BaseException) -> str:
        diag = getattr(exc, "diag", None)
        primary = getattr(diag, "message_primary", None)
        detail = getattr(diag, "message_detail", None)
        if primary:
            return self._scrub(f"{primary} ({detail})" if detail else primary)
        return self._scrub(str(exc))

    def read(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        import psycopg

        with self._lock:
            conn = self._connection()
            try:
                return conn.execute(sql, params).fetchall()
            except psycopg.Error as exc:
                raise self._failure(exc, "read", None) from None
            except UnicodeError as exc:
                raise cannot_be(self._url, "read", str(exc)) from None

    @contextmanager
    def transaction(self, doing: Doing = "written") -> Iterator[Cursor]:
        """One transaction: ``COMMIT`` when the block ends, ``ROLLBACK`` on any error."""
        import psycopg

        with self._lock:
            conn = self._connection()
            committing = False
            try:
                with conn.cursor() as cursor:
                    cursor.execute("BEGIN")
                    if doing == "prepared":  # no NOTICE for each CREATE … IF NOT EXISTS
                        cursor.execute("SET LOCAL client_min_messages = warning")
                    yield cursor
                    committing = True
                    cursor.execute("COMMIT")
            except psycopg.Error as exc:
                self._rollback(conn)
                if isinstance(exc, psycopg.IntegrityError) and not conn.closed:
                    said = self._describe(exc)
                    error = cannot_be(self._url, doing, said)
                    raise ConstraintError(error.template, detail=said, **error.words) from None
                if isinstance(exc, psycopg.errors.InsufficientPrivilege) and doing == "prepared":
                    raise StoreError(
                        N_(
                            "the store {url} cannot be prepared: {reason}. On first use pdkit "
                            "creates its tables: the database user needs the right to create "
                            "tables in the database's schema (GRANT CREATE ON SCHEMA)."
                        ),
                        url=self._url,
                        reason=self._describe(exc),
                    ) from None
                if isinstance(exc, psycopg.errors.InsufficientPrivilege):
                    raise cannot_be(self._url, doing, self._describe(exc)) from None
                raise self._failure(exc, doing, committing) from None
            except UnicodeError as exc:  # text that is not valid Unicode (a lone surrogate)
                self._rollback(conn)
                raise cannot_be(self._url, doing, str(exc)) from None
            except BaseException:
                self._rollback(conn)
                raise

    @staticmethod
    def _rollback(conn: psycopg.Connection[tuple[Any, ...]]) -> None:
        from psycopg import pq

        if not conn.closed and conn.info.transaction_status != pq.TransactionStatus.IDLE:
            with suppress(Exception):
                conn.execute("ROLLBACK")

    def insert(self, cursor: Cursor, sql: str, params: Sequence[Any]) -> int:
        """The new row's ``seq``, returned by the ``INSERT`` itself."""
        cursor.execute(sql + " RETURNING seq", params)
        row = cursor.fetchone()
        assert row is not None
        return int(row[0])

    def lock(self, cursor: Cursor, name: str) -> None:
        """An advisory lock on ``name``, held until the transaction ends."""
        cursor.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", (LOCK_SPACE, name))

    def runs_changed(self, cursor: Cursor, run_id: str) -> None:
        """``NOTIFY`` in the change's transaction: sent when it commits, never otherwise."""
        cursor.execute("SELECT pg_notify(%s, session) FROM runs WHERE id = %s", (CHANNEL, run_id))

    def run_signal(self, session: str) -> RunSignal:
        """``LISTEN`` on this store's one connection (once), then each check takes in what
        the server already sent, without a round trip (:meth:`_take_notifications`)."""
        import psycopg

        with self._lock:
            if not self._listening:
                conn = self._connection()
                try:
                    conn.execute(f"LISTEN {CHANNEL}")
                except psycopg.Error as exc:
                    raise self._failure(exc, "read", None) from None
                self._listening = True
        return self._counters.watch(session, poll=self._take_notifications)

    def _notified(self, notify: psycopg.Notify) -> None:
        if notify.channel == CHANNEL:
            self._counters.bump(notify.payload)

    def _take_notifications(self) -> None:
        """Read what has arrived on the socket (``PQconsumeInput``: no round trip) and
        count its notifications. A query running meanwhile takes them in itself."""
        import psycopg

        if not self._lock.acquire(blocking=False):
            return
        try:
            conn = self._conn
            if conn is None or conn.closed:
                return  # the next query connects again, and then every follower reads
            pgconn = conn.pgconn
            try:
                pgconn.consume_input()
                while (found := pgconn.notifies()) is not None:
                    if pgconn.notify_handler is not None:
                        pgconn.notify_handler(found)
            except psycopg.Error:
                self._conn = None  # lost: the next query connects again
                with suppress(Exception):
                    conn.close()
                self._counters.bump_all()
        finally:
            self._lock.release()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            conn, self._conn = self._conn, None
            if conn is not None:
                with suppress(Exception):
                    conn.close()


class PostgresStore(SQLStore):
    """A :class:`pdkit.store.Store` in a PostgreSQL database, reached through ``url``.

    ``url`` is a libpq URL (``postgresql://user@host:5432/dbname?sslmode=require``).
    Keep the password out of it where you can (``PGPASSWORD`` or ``~/.pgpass``); where
    it is in it, :attr:`url` and every message leave it out. Tables go into the first
    schema of the ``search_path`` (``?options=-csearch_path%3Dpdkit`` picks another).
    """

    def __init__(self, url: str, *, clock: Callable[[], float] = now) -> None:
        self._postgres = PostgresDialect(url)
        super().__init__(self._postgres, clock)

    @property
    def server(self) -> str:
        """``host:port/dbname`` of the server, for messages (never a password)."""
        return self._postgres.server
