"""What the SQL layer needs from a database, and the schema, written once.

pdkit's queries are written once (:mod:`pdkit.store._sql`), with ``?`` placeholders
and ``{ord}`` for the column that keeps the order rows were made in. A *dialect*
supplies the few things that differ between SQLite and PostgreSQL: connecting,
reading, one write transaction (and how its errors read), the placeholder mark, the
order column, a lock held until a transaction ends, the words of the schema, and how
to ask whether a table exists.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol

from ..errors import StoreError

__all__ = [
    "SCHEMA",
    "SCHEMA_VERSION",
    "TABLES",
    "ConstraintError",
    "Cursor",
    "Dialect",
    "schema_statements",
]

SCHEMA_VERSION = 3
"""The version of the tables below (answers, groups, runs, notes, sharing, sessions)."""


class ConstraintError(StoreError):
    """A constraint said no (a key that exists, a participant that does not): the SQL
    layer turns it into a message of its own."""


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
    def url(self) -> str:
        """Where the data lives, for people to read (never with a password)."""
        ...

    def read(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """The rows of one query; :class:`pdkit.StoreError` when it cannot be read."""
        ...

    def transaction(self, doing: str = "written") -> AbstractContextManager[Cursor]:
        """One write transaction: committed when the block ends, rolled back whole on
        any error. Errors become :class:`ConstraintError` (a constraint said no) or
        :class:`pdkit.StoreError` saying what could not be ``doing`` and why."""
        ...

    def lock(self, cursor: Cursor, name: str) -> None:
        """Hold the lock ``name`` until the transaction ends (one writer at a time for
        what it names, such as a session's groups)."""
        ...

    def close(self) -> None:
        """Release the connection."""
        ...


TABLES = (
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
"""pdkit's tables (a database that has some of them without ``pdkit_meta`` is refused)."""

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS pdkit_meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS participants (
        id TEXT PRIMARY KEY,{ord_column}
        session TEXT NOT NULL,
        display_name TEXT NOT NULL,
        role TEXT NOT NULL,
        external_id TEXT UNIQUE,
        token_hash TEXT UNIQUE,
        created_at {time} NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS participants_by_session ON participants"
    " (session, created_at{by_ord})",
    """CREATE TABLE IF NOT EXISTS responses (
        seq {serial},
        session TEXT NOT NULL,
        participant TEXT NOT NULL REFERENCES participants(id),
        form TEXT NOT NULL,
        field TEXT NOT NULL,
        value TEXT NOT NULL,
        at {time} NOT NULL,
        spec_version TEXT NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS responses_by_field ON responses (participant, form, field, seq)",
    """CREATE TABLE IF NOT EXISTS groups (
        id TEXT PRIMARY KEY,{ord_column}
        session TEXT NOT NULL,
        name TEXT NOT NULL,
        created_at {time} NOT NULL,
        dissolved_at {time}
    )""",
    "CREATE INDEX IF NOT EXISTS groups_by_session ON groups (session{by_ord})",
    """CREATE TABLE IF NOT EXISTS group_members (
        group_id TEXT NOT NULL REFERENCES groups(id),
        participant TEXT NOT NULL REFERENCES participants(id),
        position INTEGER NOT NULL,
        PRIMARY KEY (group_id, participant)
    )""",
    "CREATE INDEX IF NOT EXISTS group_members_by_participant ON group_members (participant)",
    """CREATE TABLE IF NOT EXISTS runs (
        id TEXT PRIMARY KEY,{ord_column}
        session TEXT NOT NULL,
        protocol TEXT NOT NULL,
        spec_version TEXT NOT NULL,
        roles TEXT NOT NULL,
        step INTEGER NOT NULL,
        status TEXT NOT NULL,
        started_at {time} NOT NULL,
        allotted {time} NOT NULL,
        used {time} NOT NULL,
        version INTEGER NOT NULL,
        created_at {time} NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS runs_by_session ON runs (session, created_at{by_ord})",
    """CREATE TABLE IF NOT EXISTS run_members (
        run TEXT NOT NULL REFERENCES runs(id),
        participant TEXT NOT NULL REFERENCES participants(id),
        group_id TEXT NOT NULL,
        role TEXT NOT NULL,
        PRIMARY KEY (run, participant)
    )""",
    "CREATE INDEX IF NOT EXISTS run_members_by_participant ON run_members (participant, run)",
    """CREATE TABLE IF NOT EXISTS notes (
        seq {serial},
        run TEXT NOT NULL REFERENCES runs(id),
        group_id TEXT NOT NULL,
        step TEXT NOT NULL,
        role TEXT NOT NULL,
        participant TEXT NOT NULL REFERENCES participants(id),
        field TEXT NOT NULL,
        value TEXT NOT NULL,
        at {time} NOT NULL,
        spec_version TEXT NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS notes_by_step ON notes (run, step, participant, field, seq)",
    """CREATE TABLE IF NOT EXISTS visibility (
        seq {serial},
        participant TEXT NOT NULL REFERENCES participants(id),
        form TEXT NOT NULL,
        level TEXT NOT NULL,
        at {time} NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS visibility_by_item ON visibility (form, participant, seq)",
    """CREATE TABLE IF NOT EXISTS coaching (
        coach TEXT NOT NULL REFERENCES participants(id),
        teacher TEXT NOT NULL REFERENCES participants(id),
        at {time} NOT NULL,
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
        at {time} NOT NULL,
        run TEXT,
        helpful INTEGER,
        marked_at {time}
    )""",
    "CREATE INDEX IF NOT EXISTS feedback_by_owner ON feedback (owner, form, at)",
    "CREATE INDEX IF NOT EXISTS feedback_by_giver ON feedback (giver, at)",
    """CREATE TABLE IF NOT EXISTS revisions (
        seq {serial},
        participant TEXT NOT NULL REFERENCES participants(id),
        form TEXT NOT NULL,
        at {time} NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS sessions (
        id TEXT PRIMARY KEY,
        title TEXT NOT NULL,
        join_code TEXT NOT NULL UNIQUE,
        school_goals TEXT NOT NULL,
        created_at {time} NOT NULL,
        key_hash TEXT NOT NULL
    )""",
)
"""Every table and index, with the words that differ left as ``{serial}`` (a growing
integer key), ``{time}`` (seconds since the epoch, a float), ``{ord_column}`` (an
explicit order column where the database has no ``rowid``) and ``{by_ord}`` (that
column in an index). Values are JSON *text* in both databases: PostgreSQL's JSONB would
reorder keys and refuse ``\\u0000``, and answers must come back exactly as written."""


def schema_statements(words: Mapping[str, str]) -> Iterator[str]:
    """The statements of :data:`SCHEMA` in a dialect's words."""
    for statement in SCHEMA:
        yield statement.format(**words)
