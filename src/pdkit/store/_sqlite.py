"""The embedded default store: one SQLite file in WAL mode, one transaction per write."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from ..errors import ConflictError, StoreError
from ..pacing import RunState
from ._access import ViewerLike
from ._base import (
    DEFAULT_SESSION,
    Group,
    JSONValue,
    NoteEvent,
    Participant,
    ResponseEvent,
    Run,
    new_token,
    token_hash,
)
from ._rows import (
    NOTE_COLUMNS,
    PARTICIPANT_COLUMNS,
    RESPONSE_COLUMNS,
    RUN_COLUMNS,
    encode,
    groups_from_rows,
    new_groups,
    new_id,
    new_run,
    note_from_row,
    participant_from_row,
    response_from_row,
    run_from_row,
    run_member_values,
    run_values,
)
from ._sessions import SessionsSQL

SCHEMA_VERSION = 3

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
CREATE TABLE IF NOT EXISTS groups (
    id TEXT PRIMARY KEY,
    session TEXT NOT NULL,
    name TEXT NOT NULL,
    created_at REAL NOT NULL,
    dissolved_at REAL
);
CREATE TABLE IF NOT EXISTS group_members (
    group_id TEXT NOT NULL REFERENCES groups(id),
    participant TEXT NOT NULL REFERENCES participants(id),
    position INTEGER NOT NULL,
    PRIMARY KEY (group_id, participant)
);
CREATE TABLE IF NOT EXISTS runs (
    id TEXT PRIMARY KEY,
    session TEXT NOT NULL,
    protocol TEXT NOT NULL,
    spec_version TEXT NOT NULL,
    roles TEXT NOT NULL,
    step INTEGER NOT NULL,
    status TEXT NOT NULL,
    started_at REAL NOT NULL,
    allotted REAL NOT NULL,
    used REAL NOT NULL,
    version INTEGER NOT NULL,
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS run_members (
    run TEXT NOT NULL REFERENCES runs(id),
    participant TEXT NOT NULL REFERENCES participants(id),
    group_id TEXT NOT NULL,
    role TEXT NOT NULL,
    PRIMARY KEY (run, participant)
);
CREATE INDEX IF NOT EXISTS run_members_by_participant ON run_members (participant, run);
CREATE TABLE IF NOT EXISTS notes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    run TEXT NOT NULL REFERENCES runs(id),
    group_id TEXT NOT NULL,
    step TEXT NOT NULL,
    role TEXT NOT NULL,
    participant TEXT NOT NULL REFERENCES participants(id),
    field TEXT NOT NULL,
    value TEXT NOT NULL,
    at REAL NOT NULL,
    spec_version TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS notes_by_step ON notes (run, step, participant, field, seq);
CREATE TABLE IF NOT EXISTS visibility (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    participant TEXT NOT NULL REFERENCES participants(id),
    form TEXT NOT NULL,
    level TEXT NOT NULL,
    at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS visibility_by_item ON visibility (form, participant, seq);
CREATE TABLE IF NOT EXISTS coaching (
    coach TEXT NOT NULL REFERENCES participants(id),
    teacher TEXT NOT NULL REFERENCES participants(id),
    at REAL NOT NULL,
    PRIMARY KEY (coach, teacher)
);
CREATE TABLE IF NOT EXISTS feedback (
    id TEXT PRIMARY KEY,
    session TEXT NOT NULL,
    giver TEXT NOT NULL REFERENCES participants(id),
    owner TEXT NOT NULL REFERENCES participants(id),
    form TEXT NOT NULL,
    category TEXT NOT NULL,
    text TEXT NOT NULL,
    at REAL NOT NULL,
    run TEXT,
    helpful INTEGER,
    marked_at REAL
);
CREATE INDEX IF NOT EXISTS feedback_by_owner ON feedback (owner, form, at);
CREATE INDEX IF NOT EXISTS feedback_by_giver ON feedback (giver, at);
CREATE TABLE IF NOT EXISTS revisions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    participant TEXT NOT NULL REFERENCES participants(id),
    form TEXT NOT NULL,
    at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    join_code TEXT NOT NULL UNIQUE,
    school_goals TEXT NOT NULL,
    created_at REAL NOT NULL,
    key_hash TEXT NOT NULL
);
"""


class SQLiteStore(SessionsSQL):
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
            if not self._schema_is_current():
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

    def _schema_is_current(self) -> bool:
        """Whether the tables of this schema version exist already: a read, so that a
        room of kernels opening the store at once never queue for the write lock just
        to find there is nothing to create."""
        try:
            rows = self._db.execute(
                "SELECT value FROM pdkit_meta WHERE key = 'schema_version'"
            ).fetchall()
        except sqlite3.OperationalError:
            return False  # no pdkit_meta: a new store
        return bool(rows) and rows[0][0] == str(SCHEMA_VERSION)

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
        if found < SCHEMA_VERSION:  # every change so far only added tables (created above)
            with self._write() as db:
                db.execute(
                    "UPDATE pdkit_meta SET value = ? WHERE key = 'schema_version'",
                    (str(SCHEMA_VERSION),),
                )

    # ------------------------------------------------------------------ participants

    def _participant_where(self, column: str, value: str) -> Participant | None:
        """The participant whose ``column`` (a fixed name, never user input) is ``value``."""
        assert column in ("id", "token_hash", "external_id")
        rows = self._read(
            f"SELECT {PARTICIPANT_COLUMNS}"  # noqa: S608
            f" FROM participants WHERE {column} = ?",
            (value,),
        )
        return participant_from_row(rows[0]) if rows else None

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
            id=new_id(),
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
        encoded = encode(answers)
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

    def latest(
        self, participant_id: str, form_id: str, *, viewer: ViewerLike
    ) -> dict[str, JSONValue]:
        self._require(viewer, participant_id, form_id)
        rows = self._read(
            "SELECT field, value FROM responses WHERE seq IN ("
            " SELECT MAX(seq) FROM responses WHERE participant = ? AND form = ? GROUP BY field)"
            " ORDER BY seq",
            (participant_id, form_id),
        )
        return {field: json.loads(value) for field, value in rows}

    def history(
        self,
        participant_id: str,
        form_id: str,
        field_id: str | None = None,
        *,
        viewer: ViewerLike,
    ) -> list[ResponseEvent]:
        self._require(viewer, participant_id, form_id)
        sql = (
            f"SELECT {RESPONSE_COLUMNS}"  # noqa: S608
            " FROM responses WHERE participant = ? AND form = ?"
        )
        params: tuple[Any, ...] = (participant_id, form_id)
        if field_id is not None:
            sql += " AND field = ?"
            params += (field_id,)
        rows = self._read(sql + " ORDER BY seq", params)
        return [response_from_row(r) for r in rows]

    # ------------------------------------------------------------------ groups

    def participants(self, session: str = DEFAULT_SESSION) -> list[Participant]:
        rows = self._read(
            f"SELECT {PARTICIPANT_COLUMNS}"  # noqa: S608
            " FROM participants WHERE session = ? ORDER BY created_at, rowid",
            (session,),
        )
        return [participant_from_row(r) for r in rows]

    def set_groups(
        self, session: str, groups: Sequence[Sequence[str]], names: Sequence[str] = ()
    ) -> list[Group]:
        now = self._clock()
        made = new_groups(session, groups, names, now)
        try:
            with self._write() as db:
                db.execute(
                    "UPDATE groups SET dissolved_at = ? WHERE session = ? AND dissolved_at IS NULL",
                    (now, session),
                )
                for group in made:
                    db.execute(
                        "INSERT INTO groups (id, session, name, created_at) VALUES (?, ?, ?, ?)",
                        (group.id, session, group.name, now),
                    )
                    db.executemany(
                        "INSERT INTO group_members (group_id, participant, position)"
                        " VALUES (?, ?, ?)",
                        [(group.id, member, pos) for pos, member in enumerate(group.members)],
                    )
        except sqlite3.IntegrityError as exc:
            raise StoreError(f"cannot form these groups: {exc} (unknown participant?)") from None
        return made

    def _groups_where(self, where: str, params: tuple[Any, ...]) -> list[Group]:
        rows = self._read(
            "SELECT g.id, g.session, g.name, g.created_at, m.participant FROM groups g"  # noqa: S608
            " LEFT JOIN group_members m ON m.group_id = g.id"
            f" WHERE g.dissolved_at IS NULL AND {where} ORDER BY g.rowid, m.position",
            params,
        )
        return groups_from_rows(rows)

    def groups(self, session: str = DEFAULT_SESSION) -> list[Group]:
        return self._groups_where("g.session = ?", (session,))

    def group_of(self, participant_id: str) -> Group | None:
        found = self._groups_where(
            "g.id IN (SELECT group_id FROM group_members WHERE participant = ?)",
            (participant_id,),
        )
        return found[-1] if found else None

    # ------------------------------------------------------------------ protocol runs

    def start_run(
        self,
        session: str,
        protocol: str,
        spec_version: str,
        roles: Mapping[str, Mapping[str, str]],
        state: RunState,
    ) -> Run:
        run = new_run(session, protocol, spec_version, roles, state, self._clock())
        try:
            with self._write() as db:
                db.execute(
                    f"INSERT INTO runs ({RUN_COLUMNS})"  # noqa: S608
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    run_values(run),
                )
                db.executemany(
                    "INSERT INTO run_members (run, participant, group_id, role)"
                    " VALUES (?, ?, ?, ?)",
                    run_member_values(run),
                )
        except sqlite3.IntegrityError as exc:
            raise StoreError(f"cannot start this run: {exc} (a person in two groups?)") from None
        return run

    def get_run(self, run_id: str) -> Run | None:
        rows = self._read(f"SELECT {RUN_COLUMNS} FROM runs WHERE id = ?", (run_id,))  # noqa: S608
        return run_from_row(rows[0]) if rows else None

    def runs(self, session: str = DEFAULT_SESSION) -> list[Run]:
        rows = self._read(
            f"SELECT {RUN_COLUMNS} FROM runs WHERE session = ?"  # noqa: S608
            " ORDER BY created_at DESC, rowid DESC",
            (session,),
        )
        return [run_from_row(r) for r in rows]

    def run_for(self, participant_id: str) -> Run | None:
        rows = self._read(
            f"SELECT {RUN_COLUMNS} FROM runs WHERE id IN ("  # noqa: S608
            " SELECT run FROM run_members WHERE participant = ?)"
            " ORDER BY created_at DESC, rowid DESC LIMIT 1",
            (participant_id,),
        )
        return run_from_row(rows[0]) if rows else None

    def update_run(self, run_id: str, state: RunState, *, expected_version: int) -> Run:
        with self._write() as db:
            cursor = db.execute(
                "UPDATE runs SET step = ?, status = ?, started_at = ?, allotted = ?, used = ?,"
                " version = version + 1 WHERE id = ? AND version = ?",
                (
                    state.step,
                    state.status,
                    state.started_at,
                    state.allotted,
                    state.used,
                    run_id,
                    expected_version,
                ),
            )
            changed = cursor.rowcount
        run = self.get_run(run_id)
        if run is None:
            raise StoreError(f"no protocol run {run_id!r} in the store {self.url}")
        if changed == 0:
            raise ConflictError(
                f"the protocol run changed meanwhile (now at version {run.version}, "
                f"not {expected_version}); it has been read again"
            )
        return run

    def record_notes(
        self,
        run_id: str,
        step_id: str,
        participant_id: str,
        answers: Mapping[str, JSONValue],
    ) -> list[NoteEvent]:
        encoded = encode(answers)
        run = self.get_run(run_id)
        placement = run.placement(participant_id) if run is not None else None
        if run is None or placement is None:
            raise StoreError(f"participant {participant_id!r} is not in the run {run_id!r}")
        group_id, role = placement
        at = self._clock()
        events: list[NoteEvent] = []
        with self._write() as db:
            for field_id, text in encoded:
                cursor = db.execute(
                    "INSERT INTO notes (run, group_id, step, role, participant, field, value, at,"
                    " spec_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        run_id,
                        group_id,
                        step_id,
                        role,
                        participant_id,
                        field_id,
                        text,
                        at,
                        run.spec_version,
                    ),
                )
                assert cursor.lastrowid is not None
                events.append(
                    NoteEvent(
                        cursor.lastrowid,
                        run_id,
                        group_id,
                        step_id,
                        role,
                        participant_id,
                        field_id,
                        json.loads(text),
                        at,
                        run.spec_version,
                    )
                )
        return events

    def latest_notes(
        self, run_id: str, step_id: str, participant_id: str, *, viewer: ViewerLike
    ) -> dict[str, JSONValue]:
        self._require_notes(viewer, participant_id)
        rows = self._read(
            "SELECT field, value FROM notes WHERE seq IN (SELECT MAX(seq) FROM notes"
            " WHERE run = ? AND step = ? AND participant = ? GROUP BY field) ORDER BY seq",
            (run_id, step_id, participant_id),
        )
        return {field: json.loads(value) for field, value in rows}

    def notes(self, run_id: str, *, viewer: ViewerLike) -> list[NoteEvent]:
        rows = self._read(
            f"SELECT {NOTE_COLUMNS}"  # noqa: S608
            " FROM notes WHERE run = ? ORDER BY seq",
            (run_id,),
        )
        return self._visible_notes(viewer, [note_from_row(r) for r in rows])

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> SQLiteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<SQLiteStore {self.url}>"
