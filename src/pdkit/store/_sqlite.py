"""The embedded default store: one SQLite file in WAL mode, one transaction per write."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from ..errors import StoreError
from ._base import (
    DEFAULT_SESSION,
    JSONValue,
    Participant,
    ResponseEvent,
    new_token,
    token_hash,
)

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS pdkit_meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS participants (
    id TEXT PRIMARY KEY,
    session TEXT NOT NULL,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL,
    external_id TEXT UNIQUE,
    token_hash TEXT UNIQUE,
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS responses (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    session TEXT NOT NULL,
    participant TEXT NOT NULL REFERENCES participants(id),
    form TEXT NOT NULL,
    field TEXT NOT NULL,
    value TEXT NOT NULL,
    at REAL NOT NULL,
    spec_version TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS responses_by_field ON responses (participant, form, field, seq);
"""


class SQLiteStore:
    """A :class:`pdkit.store.Store` in a SQLite database (a file, or ``:memory:``).

    Several processes (one Voilà kernel per participant) may write at once: WAL mode
    lets readers go on while one writer commits, ``BEGIN IMMEDIATE`` takes the write
    lock up front and ``busy_timeout`` makes a writer wait for it instead of failing.
    ``synchronous=FULL`` means an acknowledged answer survives a power cut.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        clock: Callable[[], float] = time.time,
        busy_timeout: float = 30.0,
    ) -> None:
        self._path = str(path)
        self._clock = clock
        self._lock = threading.Lock()
        memory = self._path == ":memory:"
        if not memory:
            try:
                Path(self._path).parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(
                    f"cannot create the folder for the store {self._path!r}: {exc.strerror}. "
                    "Choose another location with PDKIT_STORE or --store."
                ) from None
        try:
            self._db = sqlite3.connect(
                self._path, timeout=busy_timeout, isolation_level=None, check_same_thread=False
            )
            self._db.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
            if not memory:
                self._db.execute("PRAGMA journal_mode = WAL")
            self._db.execute("PRAGMA synchronous = FULL")
            self._db.execute("PRAGMA foreign_keys = ON")
            with self._write() as db:
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        db.execute(statement)
            self._check_schema_version()
        except sqlite3.DatabaseError as exc:
            self._close_quietly()
            raise StoreError(
                f"cannot open the store {self._path!r}: {exc}. Is it a pdkit store "
                "(a SQLite file)? Choose another location with PDKIT_STORE or --store."
            ) from None
        except BaseException:
            self._close_quietly()
            raise

    def _close_quietly(self) -> None:
        """Close the connection of a store that failed to open (no leaked handle)."""
        db = getattr(self, "_db", None)
        if db is not None:
            with suppress(sqlite3.Error):
                db.close()

    # ------------------------------------------------------------------ plumbing

    @property
    def url(self) -> str:
        return "memory://" if self._path == ":memory:" else f"sqlite:///{self._path}"

    @property
    def path(self) -> str:
        """The database file (``:memory:`` for an in-memory store)."""
        return self._path

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; rolled back whole on any error."""
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise StoreError(f"the store {self.url} cannot be written: {exc}") from None
            try:
                yield self._db
            except sqlite3.Error as exc:
                self._rollback()
                raise StoreError(f"the store {self.url} cannot be written: {exc}") from None
            except BaseException:
                self._rollback()
                raise
            try:
                self._db.execute("COMMIT")
            except sqlite3.Error as exc:
                self._rollback()
                raise StoreError(f"the store {self.url} cannot be written: {exc}") from None

    def _rollback(self) -> None:
        # SQLite may already have rolled back on its own (disk full, I/O error).
        if self._db.in_transaction:
            self._db.execute("ROLLBACK")

    def _read(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            try:
                return self._db.execute(sql, params).fetchall()
            except sqlite3.Error as exc:
                raise StoreError(f"the store {self.url} cannot be read: {exc}") from None

    def _check_schema_version(self) -> None:
        rows = self._read("SELECT value FROM pdkit_meta WHERE key = 'schema_version'")
        if not rows:
            with self._write() as db:
                db.execute(
                    "INSERT OR IGNORE INTO pdkit_meta (key, value) VALUES ('schema_version', ?)",
                    (str(SCHEMA_VERSION),),
                )
            return
        try:
            found = int(rows[0][0])
        except ValueError:
            raise StoreError(
                f"the store {self.url} has an unreadable schema version {rows[0][0]!r}; "
                "is it a pdkit store?"
            ) from None
        if found > SCHEMA_VERSION:
            raise StoreError(
                f"the store {self.url} was written by a newer pdkit (store schema {found}, "
                f"this pdkit reads {SCHEMA_VERSION}); upgrade pdkit to use it"
            )

    # ------------------------------------------------------------------ participants

    @staticmethod
    def _participant(row: tuple[Any, ...]) -> Participant:
        return Participant(
            id=row[0],
            session=row[1],
            display_name=row[2],
            role=row[3],
            external_id=row[4],
            created_at=row[5],
        )

    def _participant_where(self, column: str, value: str) -> Participant | None:
        """The participant whose ``column`` (a fixed name, never user input) is ``value``."""
        assert column in ("id", "token_hash", "external_id")
        rows = self._read(
            "SELECT id, session, display_name, role, external_id, created_at"  # noqa: S608
            f" FROM participants WHERE {column} = ?",
            (value,),
        )
        return self._participant(rows[0]) if rows else None

    def create_participant(
        self,
        display_name: str,
        *,
        session: str = DEFAULT_SESSION,
        external_id: str | None = None,
        role: str = "teacher",
    ) -> tuple[Participant, str]:
        token = new_token()
        participant = Participant(
            id=uuid.uuid4().hex[:16],
            display_name=display_name,
            session=session,
            role=role,
            external_id=external_id,
            created_at=self._clock(),
        )
        with self._write() as db:
            try:
                db.execute(
                    "INSERT INTO participants (id, session, display_name, role, external_id,"
                    " token_hash, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        participant.id,
                        session,
                        display_name,
                        role,
                        external_id,
                        token_hash(token),
                        participant.created_at,
                    ),
                )
            except sqlite3.IntegrityError:
                raise StoreError(
                    f"a participant with the external id {external_id!r} already exists"
                ) from None
        return participant, token

    def participant_for_token(self, token: str) -> Participant | None:
        return self._participant_where("token_hash", token_hash(token))

    def participant_for_external_id(self, external_id: str) -> Participant | None:
        return self._participant_where("external_id", external_id)

    def get_participant(self, participant_id: str) -> Participant | None:
        return self._participant_where("id", participant_id)

    # ------------------------------------------------------------------ answers

    def record(
        self,
        participant_id: str,
        form_id: str,
        answers: Mapping[str, JSONValue],
        *,
        spec_version: str,
    ) -> list[ResponseEvent]:
        encoded: list[tuple[str, str]] = []
        for field_id, value in answers.items():
            try:
                encoded.append((field_id, json.dumps(value, ensure_ascii=False, allow_nan=False)))
            except (TypeError, ValueError) as exc:
                raise StoreError(
                    f"the answer to {field_id!r} cannot be stored as JSON: {exc}"
                ) from None
        participant = self.get_participant(participant_id)
        if participant is None:
            raise StoreError(f"no participant {participant_id!r} in the store {self.url}")
        at = self._clock()
        events: list[ResponseEvent] = []
        with self._write() as db:
            for field_id, text in encoded:
                cursor = db.execute(
                    "INSERT INTO responses (session, participant, form, field, value, at,"
                    " spec_version) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        participant.session,
                        participant_id,
                        form_id,
                        field_id,
                        text,
                        at,
                        spec_version,
                    ),
                )
                seq = cursor.lastrowid
                assert seq is not None
                events.append(
                    ResponseEvent(
                        seq=seq,
                        participant=participant_id,
                        form=form_id,
                        field=field_id,
                        value=json.loads(text),
                        at=at,
                        spec_version=spec_version,
                        session=participant.session,
                    )
                )
        return events

    def latest(self, participant_id: str, form_id: str) -> dict[str, JSONValue]:
        rows = self._read(
            "SELECT field, value FROM responses WHERE seq IN ("
            " SELECT MAX(seq) FROM responses WHERE participant = ? AND form = ? GROUP BY field)"
            " ORDER BY seq",
            (participant_id, form_id),
        )
        return {field: json.loads(value) for field, value in rows}

    def history(
        self, participant_id: str, form_id: str, field_id: str | None = None
    ) -> list[ResponseEvent]:
        sql = (
            "SELECT seq, participant, form, field, value, at, spec_version, session"
            " FROM responses WHERE participant = ? AND form = ?"
        )
        params: tuple[Any, ...] = (participant_id, form_id)
        if field_id is not None:
            sql += " AND field = ?"
            params += (field_id,)
        rows = self._read(sql + " ORDER BY seq", params)
        return [
            ResponseEvent(
                seq=r[0],
                participant=r[1],
                form=r[2],
                field=r[3],
                value=json.loads(r[4]),
                at=r[5],
                spec_version=r[6],
                session=r[7],
            )
            for r in rows
        ]

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> SQLiteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<SQLiteStore {self.url}>"
