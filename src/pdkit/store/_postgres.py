"""A shared store on a PostgreSQL server, for workshops whose kernels run on many machines.

This module is imported only when a ``postgresql://`` (or ``postgres://``) URL is opened,
and it imports psycopg 3 only when a store is opened, so a participant on the default
SQLite store never loads a database driver. Install the driver with
``pip install '.[postgres]'`` in pdkit's folder (or ``pip install 'psycopg[binary]'``).

What it keeps, and how it keeps it, is the same as :class:`pdkit.store.SQLiteStore`:
the same tables (values as the same JSON text, so they come back exactly as written),
the same records, the same errors, the same order. What differs is the plumbing:

- one connection per store, guarded by a lock (a widget's timer may call from a thread);
- every write is one explicit transaction, and a call returns only after ``COMMIT``:
  an answer that was acknowledged is on the server, one that was not raises;
- a lost connection (the server restarted, a network cut) raises a
  :class:`pdkit.StoreError` naming the server; the next call connects again;
- the schema is created on first use under an advisory lock, so many kernels opening
  a new database at the same moment do not trip over each other.

Each kernel keeps one connection open: for a workshop of N participants the server needs
``max_connections`` above N (plus the facilitator's and coaches'), or a pooler such as
PgBouncer in transaction mode in front of it (the store uses no server-side prepared
statements and only transaction-scoped locks, so that works).
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from typing import TYPE_CHECKING, Any

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

if TYPE_CHECKING:
    import psycopg

__all__ = ["INSTALL_HINT", "SCHEMA_VERSION", "PostgresStore", "redact_url"]

SCHEMA_VERSION = 3
"""The same logical schema as the SQLite store's version 2 (answers, groups, runs, notes)."""

INSTALL_HINT = (
    "pip install 'psycopg[binary]' (or install pdkit with its extra: pip install '.[postgres]' "
    "in pdkit's folder)"
)

# Keys of the advisory locks (pg_advisory_xact_lock): one around schema creation, one
# (with the session's hash) around replacing a session's groups.
_SCHEMA_LOCK = 0x70646B6974_01  # "pdkit" + 1
_GROUPS_LOCK = 0x70646B6974_02  # placing late joiners, one at a time
_GROUPS_LOCK = 0x706B_6702  # two-key form: (this, hashtext(session))

_DEFAULTS = {
    "connect_timeout": "5",  # an unreachable server is reported in seconds, not minutes
    "application_name": "pdkit",
    "keepalives": "1",  # notice a dead server or network while waiting for an answer
    "keepalives_idle": "30",
    "keepalives_interval": "10",
    "keepalives_count": "3",
}

_TABLES = (
    "pdkit_meta",
    "participants",
    "responses",
    "groups",
    "group_members",
    "runs",
    "run_members",
    "notes",
    "visibility",
    "coaching",
    "feedback",
    "revisions",
    "sessions",
)

# The SQLite schema in PostgreSQL's words. ``ord`` keeps the order rows were made in
# (SQLite's rowid); values stay JSON *text* (JSONB would reorder keys and refuses \u0000).
_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS pdkit_meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS participants (
        id TEXT PRIMARY KEY,
        ord BIGSERIAL NOT NULL,
        session TEXT NOT NULL,
        display_name TEXT NOT NULL,
        role TEXT NOT NULL,
        external_id TEXT UNIQUE,
        token_hash TEXT UNIQUE,
        created_at DOUBLE PRECISION NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS participants_by_session ON participants (session, created_at, ord)",
    """CREATE TABLE IF NOT EXISTS responses (
        seq BIGSERIAL PRIMARY KEY,
        session TEXT NOT NULL,
        participant TEXT NOT NULL REFERENCES participants(id),
        form TEXT NOT NULL,
        field TEXT NOT NULL,
        value TEXT NOT NULL,
        at DOUBLE PRECISION NOT NULL,
        spec_version TEXT NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS responses_by_field ON responses (participant, form, field, seq)",
    """CREATE TABLE IF NOT EXISTS groups (
        id TEXT PRIMARY KEY,
        ord BIGSERIAL NOT NULL,
        session TEXT NOT NULL,
        name TEXT NOT NULL,
        created_at DOUBLE PRECISION NOT NULL,
        dissolved_at DOUBLE PRECISION
    )""",
    "CREATE INDEX IF NOT EXISTS groups_by_session ON groups (session, ord)",
    """CREATE TABLE IF NOT EXISTS group_members (
        group_id TEXT NOT NULL REFERENCES groups(id),
        participant TEXT NOT NULL REFERENCES participants(id),
        position INTEGER NOT NULL,
        PRIMARY KEY (group_id, participant)
    )""",
    "CREATE INDEX IF NOT EXISTS group_members_by_participant ON group_members (participant)",
    """CREATE TABLE IF NOT EXISTS runs (
        id TEXT PRIMARY KEY,
        ord BIGSERIAL NOT NULL,
        session TEXT NOT NULL,
        protocol TEXT NOT NULL,
        spec_version TEXT NOT NULL,
        roles TEXT NOT NULL,
        step INTEGER NOT NULL,
        status TEXT NOT NULL,
        started_at DOUBLE PRECISION NOT NULL,
        allotted DOUBLE PRECISION NOT NULL,
        used DOUBLE PRECISION NOT NULL,
        version INTEGER NOT NULL,
        created_at DOUBLE PRECISION NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS runs_by_session ON runs (session, created_at, ord)",
    """CREATE TABLE IF NOT EXISTS run_members (
        run TEXT NOT NULL REFERENCES runs(id),
        participant TEXT NOT NULL REFERENCES participants(id),
        group_id TEXT NOT NULL,
        role TEXT NOT NULL,
        PRIMARY KEY (run, participant)
    )""",
    "CREATE INDEX IF NOT EXISTS run_members_by_participant ON run_members (participant, run)",
    """CREATE TABLE IF NOT EXISTS notes (
        seq BIGSERIAL PRIMARY KEY,
        run TEXT NOT NULL REFERENCES runs(id),
        group_id TEXT NOT NULL,
        step TEXT NOT NULL,
        role TEXT NOT NULL,
        participant TEXT NOT NULL REFERENCES participants(id),
        field TEXT NOT NULL,
        value TEXT NOT NULL,
        at DOUBLE PRECISION NOT NULL,
        spec_version TEXT NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS notes_by_step ON notes (run, step, participant, field, seq)",
    """CREATE TABLE IF NOT EXISTS visibility (
        seq BIGSERIAL PRIMARY KEY,
        participant TEXT NOT NULL REFERENCES participants(id),
        form TEXT NOT NULL,
        level TEXT NOT NULL,
        at DOUBLE PRECISION NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS visibility_by_item ON visibility (form, participant, seq)",
    """CREATE TABLE IF NOT EXISTS coaching (
        coach TEXT NOT NULL REFERENCES participants(id),
        teacher TEXT NOT NULL REFERENCES participants(id),
        at DOUBLE PRECISION NOT NULL,
        PRIMARY KEY (coach, teacher)
    )""",
    """CREATE TABLE IF NOT EXISTS feedback (
        id TEXT PRIMARY KEY,
        session TEXT NOT NULL,
        giver TEXT NOT NULL REFERENCES participants(id),
        owner TEXT NOT NULL REFERENCES participants(id),
        form TEXT NOT NULL,
        category TEXT NOT NULL,
        text TEXT NOT NULL,
        at DOUBLE PRECISION NOT NULL,
        run TEXT,
        helpful INTEGER,
        marked_at DOUBLE PRECISION
    )""",
    "CREATE INDEX IF NOT EXISTS feedback_by_owner ON feedback (owner, form, at)",
    "CREATE INDEX IF NOT EXISTS feedback_by_giver ON feedback (giver, at)",
    """CREATE TABLE IF NOT EXISTS revisions (
        seq BIGSERIAL PRIMARY KEY,
        participant TEXT NOT NULL REFERENCES participants(id),
        form TEXT NOT NULL,
        at DOUBLE PRECISION NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS sessions (
        id TEXT PRIMARY KEY,
        title TEXT NOT NULL,
        join_code TEXT NOT NULL UNIQUE,
        school_goals TEXT NOT NULL,
        created_at DOUBLE PRECISION NOT NULL,
        key_hash TEXT NOT NULL
    )""",
)


def redact_url(url: str) -> str:
    """``url`` without its password (``user:password@`` or a ``password=`` parameter).

    Everything else is kept exactly as written, so the result still names the same
    database (and still works where the password comes from ``PGPASSWORD``).
    """
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url
    end = next((i for i, char in enumerate(rest) if char in "/?#"), len(rest))
    authority, tail = rest[:end], rest[end:]
    userinfo, at, hosts = authority.rpartition("@")
    if at:
        authority = f"{userinfo.partition(':')[0]}@{hosts}"
    before, question, query = tail.partition("?")
    if question:
        query, hash_, fragment = query.partition("#")
        kept = [p for p in query.split("&") if p.partition("=")[0] != "password"]
        tail = before + ("?" + "&".join(kept) if kept else "") + hash_ + fragment
    return f"{scheme}://{authority}{tail}"


def _require_psycopg() -> None:
    try:
        import psycopg  # noqa: F401
    except ImportError:
        raise StoreError(
            f"PostgreSQL stores need the psycopg driver, which is not installed: {INSTALL_HINT}"
        ) from None


def _encode_text(answers: Mapping[str, JSONValue]) -> list[tuple[str, str]]:
    """The answers as JSON text, as SQLite stores them; refuses text PostgreSQL cannot hold."""
    encoded = encode(answers)
    for field_id, text in encoded:
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise StoreError(
                f"the answer to {field_id!r} cannot be stored: it is not valid Unicode "
                f"text ({exc.reason})"
            ) from None
    return encoded


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


class PostgresStore(SessionsSQL):
    """A :class:`pdkit.store.Store` in a PostgreSQL database, reached through ``url``.

    ``url`` is a libpq URL (``postgresql://user@host:5432/dbname?sslmode=require``).
    Keep the password out of it where you can (``PGPASSWORD`` or ``~/.pgpass``); where
    it is in it, :attr:`url` and every message leave it out. Tables go into the first
    schema of the ``search_path`` (``?options=-csearch_path%3Dpdkit`` picks another).
    """

    _mark = "%s"

    def __init__(self, url: str, *, clock: Callable[[], float] = time.time) -> None:
        _require_psycopg()
        from psycopg.conninfo import conninfo_to_dict, make_conninfo

        self._clock = clock
        self._lock = threading.Lock()
        self._conn: psycopg.Connection[tuple[Any, ...]] | None = None
        self._closed = False
        self._url = redact_url(url)
        try:
            params = conninfo_to_dict(url)
        except Exception as exc:  # psycopg.ProgrammingError: libpq cannot parse it
            raise StoreError(
                f"{self._url!r} is not a PostgreSQL URL ({_one_line(str(exc))}); write "
                "postgresql://user@host:5432/dbname"
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
        self._server = f"{host or 'localhost'}:{port}/{dbname}"
        try:
            self._prepare_schema()
        except BaseException:
            self.close()
            raise

    # ------------------------------------------------------------------ plumbing

    @property
    def url(self) -> str:
        return self._url

    @property
    def server(self) -> str:
        """``host:port/dbname`` of the server, for messages (never a password)."""
        return self._server

    def _scrub(self, text: str) -> str:
        """An error message in one line, with the password (if libpq quoted it) left out."""
        text = _one_line(text)
        return text.replace(self._password, "***") if self._password else text

    def _connection(self) -> psycopg.Connection[tuple[Any, ...]]:
        """The open connection, made anew if there is none (first use, or it was lost)."""
        import psycopg

        if self._closed:
            raise StoreError(f"the store {self._url} was closed")
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
        except psycopg.Error as exc:
            if conn is not None:
                with suppress(Exception):
                    conn.close()
            raise StoreError(
                f"cannot connect to the PostgreSQL server {self._server}: {self._scrub(str(exc))}"
            ) from None
        self._conn = conn
        return conn

    def _failure(self, exc: BaseException, doing: str, after: str) -> StoreError:
        """The :class:`StoreError` for a psycopg error; forgets a connection that was lost."""
        conn = self._conn
        if conn is not None and conn.closed:
            self._conn = None
            with suppress(Exception):
                conn.close()
            return StoreError(
                f"lost the connection to the PostgreSQL server {self._server} "
                f"({self._scrub(str(exc))}); {after}the next call connects again."
            )
        return StoreError(f"the store {self._url} cannot be {doing}: {self._describe(exc)}")

    def _describe(self, exc: BaseException) -> str:
        diag = getattr(exc, "diag", None)
        primary = getattr(diag, "message_primary", None)
        detail = getattr(diag, "message_detail", None)
        if primary:
            return self._scrub(f"{primary} ({detail})" if detail else primary)
        return self._scrub(str(exc))

    @contextmanager
    def _write(self, doing: str = "written") -> Iterator[psycopg.Cursor[tuple[Any, ...]]]:
        """One transaction: ``COMMIT`` when the block ends, ``ROLLBACK`` on any error.

        psycopg's own errors become :class:`StoreError`; an integrity error (a key
        that exists, a participant that does not) becomes :class:`_IntegrityError`,
        which callers turn into a message of their own.
        """
        import psycopg

        with self._lock:
            conn = self._connection()
            committing = False
            try:
                with conn.cursor() as cursor:
                    cursor.execute("BEGIN")
                    yield cursor
                    committing = True
                    cursor.execute("COMMIT")
            except psycopg.Error as exc:
                self._rollback(conn)
                if isinstance(exc, psycopg.IntegrityError) and not conn.closed:
                    raise _IntegrityError(self._describe(exc)) from None
                if isinstance(exc, psycopg.errors.InsufficientPrivilege):
                    raise _PrivilegeError(
                        f"the store {self._url} cannot be {doing}: {self._describe(exc)}"
                    ) from None
                after = (
                    "the change may or may not have been saved (read it again to check); "
                    if committing
                    else "nothing was saved; "
                )
                raise self._failure(exc, doing, after) from None
            except UnicodeError as exc:  # text that is not valid Unicode (a lone surrogate)
                self._rollback(conn)
                raise StoreError(f"the store {self._url} cannot be {doing}: {exc}") from None
            except BaseException:
                self._rollback(conn)
                raise

    @staticmethod
    def _rollback(conn: psycopg.Connection[tuple[Any, ...]]) -> None:
        from psycopg import pq

        if not conn.closed and conn.info.transaction_status != pq.TransactionStatus.IDLE:
            with suppress(Exception):
                conn.execute("ROLLBACK")

    def _read(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        import psycopg

        with self._lock:
            conn = self._connection()
            try:
                return conn.execute(sql, params).fetchall()
            except psycopg.Error as exc:
                raise self._failure(exc, "read", "") from None
            except UnicodeError as exc:
                raise StoreError(f"the store {self._url} cannot be read: {exc}") from None

    def _prepare_schema(self) -> None:
        """Create the tables (first use) or check their version, one kernel at a time."""
        try:
            with self._write("prepared") as cur:
                cur.execute("SET LOCAL client_min_messages = warning")
                cur.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
                found = self._schema_version(cur)
                if found == SCHEMA_VERSION:
                    return
                if found > SCHEMA_VERSION:
                    raise StoreError(
                        f"the store {self._url} was written by a newer pdkit (store schema "
                        f"{found}, this pdkit reads {SCHEMA_VERSION}); upgrade pdkit to use it"
                    )
                # Every change so far only added tables: creating what is missing upgrades.
                for statement in _SCHEMA:
                    cur.execute(statement)
                cur.execute(
                    "INSERT INTO pdkit_meta (key, value) VALUES ('schema_version', %s)"
                    " ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
                    (str(SCHEMA_VERSION),),
                )
        except _IntegrityError as exc:
            raise StoreError(f"the store {self._url} cannot be prepared: {exc}") from None
        except _PrivilegeError as exc:
            raise StoreError(
                f"{exc}. On first use pdkit creates its tables: the database user needs "
                "the right to create tables in the database's schema (GRANT CREATE ON SCHEMA)."
            ) from None

    def _schema_version(self, cur: psycopg.Cursor[tuple[Any, ...]]) -> int:
        """The stored schema version; 0 for an empty database (refusing a foreign one)."""
        cur.execute("SELECT to_regclass('pdkit_meta') IS NOT NULL")
        row = cur.fetchone()
        if row is None or not row[0]:
            present = []
            for table in _TABLES:
                cur.execute("SELECT to_regclass(%s) IS NOT NULL", (table,))
                exists = cur.fetchone()
                if exists is not None and exists[0]:
                    present.append(table)
            if present:
                raise StoreError(
                    f"the database {self._server} already has tables named "
                    f"{', '.join(present)} that are not a pdkit store; give pdkit a database "
                    "of its own, or a schema of its own (?options=-csearch_path%3Dpdkit)"
                )
            return 0
        cur.execute("SELECT value FROM pdkit_meta WHERE key = 'schema_version'")
        row = cur.fetchone()
        if row is None:
            return 0
        try:
            return int(row[0])
        except ValueError:
            raise StoreError(
                f"the store {self._url} has an unreadable schema version {row[0]!r}; "
                "is it a pdkit store?"
            ) from None

    def _lock_groups(self, db: Any) -> None:
        db.execute("SELECT pg_advisory_xact_lock(%s)", (_GROUPS_LOCK,))

    # ------------------------------------------------------------------ participants

    def _participant_where(self, column: str, value: str) -> Participant | None:
        """The participant whose ``column`` (a fixed name, never user input) is ``value``."""
        assert column in ("id", "token_hash", "external_id")
        rows = self._read(
            f"SELECT {PARTICIPANT_COLUMNS}"  # noqa: S608
            f" FROM participants WHERE {column} = %s",
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
        try:
            with self._write() as cur:
                cur.execute(
                    "INSERT INTO participants (id, session, display_name, role, external_id,"
                    " token_hash, created_at) VALUES (%s, %s, %s, %s, %s, %s, %s)",
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
        except _IntegrityError:
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
        encoded = _encode_text(answers)
        events: list[ResponseEvent] = []
        with self._write() as cur:
            # Looked up in the same transaction: one round of locking, and a lost
            # connection here says "nothing was saved" like any other failed write.
            cur.execute("SELECT session FROM participants WHERE id = %s", (participant_id,))
            found = cur.fetchone()
            if found is None:
                raise StoreError(f"no participant {participant_id!r} in the store {self._url}")
            session = found[0]
            at = self._clock()
            for field_id, text in encoded:
                cur.execute(
                    "INSERT INTO responses (session, participant, form, field, value, at,"
                    " spec_version) VALUES (%s, %s, %s, %s, %s, %s, %s) RETURNING seq",
                    (session, participant_id, form_id, field_id, text, at, spec_version),
                )
                row = cur.fetchone()
                assert row is not None
                events.append(
                    ResponseEvent(
                        seq=row[0],
                        participant=participant_id,
                        form=form_id,
                        field=field_id,
                        value=json.loads(text),
                        at=at,
                        spec_version=spec_version,
                        session=session,
                    )
                )
        return events

    def latest(
        self, participant_id: str, form_id: str, *, viewer: ViewerLike
    ) -> dict[str, JSONValue]:
        self._require(viewer, participant_id, form_id)
        rows = self._read(
            "SELECT field, value FROM responses WHERE seq IN ("
            " SELECT MAX(seq) FROM responses WHERE participant = %s AND form = %s GROUP BY field)"
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
            " FROM responses WHERE participant = %s AND form = %s"
        )
        params: tuple[Any, ...] = (participant_id, form_id)
        if field_id is not None:
            sql += " AND field = %s"
            params += (field_id,)
        rows = self._read(sql + " ORDER BY seq", params)
        return [response_from_row(r) for r in rows]

    # ------------------------------------------------------------------ groups

    def participants(self, session: str = DEFAULT_SESSION) -> list[Participant]:
        rows = self._read(
            f"SELECT {PARTICIPANT_COLUMNS}"  # noqa: S608
            " FROM participants WHERE session = %s ORDER BY created_at, ord",
            (session,),
        )
        return [participant_from_row(r) for r in rows]

    def set_groups(
        self, session: str, groups: Sequence[Sequence[str]], names: Sequence[str] = ()
    ) -> list[Group]:
        now = self._clock()
        made = new_groups(session, groups, names, now)
        try:
            with self._write() as cur:
                # One facilitator at a time per session, as SQLite's single writer gives:
                # two groupings made at once must not both stay current.
                cur.execute(
                    "SELECT pg_advisory_xact_lock(%s, hashtext(%s))", (_GROUPS_LOCK, session)
                )
                cur.execute(
                    "UPDATE groups SET dissolved_at = %s"
                    " WHERE session = %s AND dissolved_at IS NULL",
                    (now, session),
                )
                for group in made:
                    cur.execute(
                        "INSERT INTO groups (id, session, name, created_at)"
                        " VALUES (%s, %s, %s, %s)",
                        (group.id, session, group.name, now),
                    )
                    cur.executemany(
                        "INSERT INTO group_members (group_id, participant, position)"
                        " VALUES (%s, %s, %s)",
                        [(group.id, member, pos) for pos, member in enumerate(group.members)],
                    )
        except _IntegrityError as exc:
            raise StoreError(f"cannot form these groups: {exc} (unknown participant?)") from None
        return made

    def _groups_where(self, where: str, params: tuple[Any, ...]) -> list[Group]:
        rows = self._read(
            "SELECT g.id, g.session, g.name, g.created_at, m.participant FROM groups g"  # noqa: S608
            " LEFT JOIN group_members m ON m.group_id = g.id"
            f" WHERE g.dissolved_at IS NULL AND {where} ORDER BY g.ord, m.position",
            params,
        )
        return groups_from_rows(rows)

    def groups(self, session: str = DEFAULT_SESSION) -> list[Group]:
        return self._groups_where("g.session = %s", (session,))

    def group_of(self, participant_id: str) -> Group | None:
        found = self._groups_where(
            "g.id IN (SELECT group_id FROM group_members WHERE participant = %s)",
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
            with self._write() as cur:
                cur.execute(
                    f"INSERT INTO runs ({RUN_COLUMNS})"  # noqa: S608
                    " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                    run_values(run),
                )
                cur.executemany(
                    "INSERT INTO run_members (run, participant, group_id, role)"
                    " VALUES (%s, %s, %s, %s)",
                    run_member_values(run),
                )
        except _IntegrityError as exc:
            raise StoreError(f"cannot start this run: {exc} (a person in two groups?)") from None
        return run

    def get_run(self, run_id: str) -> Run | None:
        rows = self._read(f"SELECT {RUN_COLUMNS} FROM runs WHERE id = %s", (run_id,))  # noqa: S608
        return run_from_row(rows[0]) if rows else None

    def runs(self, session: str = DEFAULT_SESSION) -> list[Run]:
        rows = self._read(
            f"SELECT {RUN_COLUMNS} FROM runs WHERE session = %s"  # noqa: S608
            " ORDER BY created_at DESC, ord DESC",
            (session,),
        )
        return [run_from_row(r) for r in rows]

    def run_for(self, participant_id: str) -> Run | None:
        rows = self._read(
            f"SELECT {RUN_COLUMNS} FROM runs WHERE id IN ("  # noqa: S608
            " SELECT run FROM run_members WHERE participant = %s)"
            " ORDER BY created_at DESC, ord DESC LIMIT 1",
            (participant_id,),
        )
        return run_from_row(rows[0]) if rows else None

    def update_run(self, run_id: str, state: RunState, *, expected_version: int) -> Run:
        with self._write() as cur:
            cur.execute(
                "UPDATE runs SET step = %s, status = %s, started_at = %s, allotted = %s,"
                " used = %s, version = version + 1 WHERE id = %s AND version = %s",
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
            changed = cur.rowcount
        run = self.get_run(run_id)
        if run is None:
            raise StoreError(f"no protocol run {run_id!r} in the store {self._url}")
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
        encoded = _encode_text(answers)
        events: list[NoteEvent] = []
        with self._write() as cur:
            cur.execute(
                "SELECT m.group_id, m.role, r.spec_version FROM run_members m"
                " JOIN runs r ON r.id = m.run WHERE m.run = %s AND m.participant = %s",
                (run_id, participant_id),
            )
            found = cur.fetchone()
            if found is None:
                raise StoreError(f"participant {participant_id!r} is not in the run {run_id!r}")
            group_id, role, spec_version = found
            at = self._clock()
            for field_id, text in encoded:
                cur.execute(
                    "INSERT INTO notes (run, group_id, step, role, participant, field, value,"
                    " at, spec_version) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)"
                    " RETURNING seq",
                    (
                        run_id,
                        group_id,
                        step_id,
                        role,
                        participant_id,
                        field_id,
                        text,
                        at,
                        spec_version,
                    ),
                )
                row = cur.fetchone()
                assert row is not None
                events.append(
                    NoteEvent(
                        row[0],
                        run_id,
                        group_id,
                        step_id,
                        role,
                        participant_id,
                        field_id,
                        json.loads(text),
                        at,
                        spec_version,
                    )
                )
        return events

    def latest_notes(
        self, run_id: str, step_id: str, participant_id: str, *, viewer: ViewerLike
    ) -> dict[str, JSONValue]:
        self._require_notes(viewer, participant_id)
        rows = self._read(
            "SELECT field, value FROM notes WHERE seq IN (SELECT MAX(seq) FROM notes"
            " WHERE run = %s AND step = %s AND participant = %s GROUP BY field) ORDER BY seq",
            (run_id, step_id, participant_id),
        )
        return {field: json.loads(value) for field, value in rows}

    def notes(self, run_id: str, *, viewer: ViewerLike) -> list[NoteEvent]:
        rows = self._read(
            f"SELECT {NOTE_COLUMNS}"  # noqa: S608
            " FROM notes WHERE run = %s ORDER BY seq",
            (run_id,),
        )
        return self._visible_notes(viewer, [note_from_row(r) for r in rows])

    def close(self) -> None:
        with self._lock:
            self._closed = True
            conn, self._conn = self._conn, None
            if conn is not None:
                with suppress(Exception):
                    conn.close()

    def __enter__(self) -> PostgresStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<PostgresStore {self._url}>"


class _IntegrityError(StoreError):
    """A constraint said no (the key exists, the participant does not): callers reword it."""


class _PrivilegeError(StoreError):
    """The database user may not do this (create the tables, write a table)."""
