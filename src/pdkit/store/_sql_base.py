"""The SQL layer's foundation: plumbing over a dialect, the schema, and participants.

Queries are written once, with ``?`` placeholders and ``{ord}`` for the column that
keeps creation order; the dialect (:mod:`pdkit.store._sqlite`,
:mod:`pdkit.store._postgres`) runs them. The other parts of the SQL layer build on
this class: :mod:`._sql_groups` (groups), :mod:`._sql_access` (the check every read of
a teacher's writing goes through), :mod:`._sql_items` (answers, sharing, feedback),
:mod:`._sql_runs` (protocol runs and notes), :mod:`._sql_sessions` (sessions and
statuses).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, Literal, TypeVar

from ..errors import StoreError
from ..i18n import N_
from ._dialect import ConstraintError, Cursor, Dialect, Doing
from ._records import DEFAULT_SESSION, JSONValue, Participant, new_id, new_token, token_hash
from ._schema import SCHEMA_VERSION, TABLES, UPGRADES, schema_statements
from ._signal import RunSignal
from ._text import MAX_LINE_CHARS, one_line

__all__ = ["ATTENDED", "PARTICIPANT_COLUMNS", "SQLBase", "Tx", "encode", "participant_from_row"]

_S = TypeVar("_S", bound="SQLBase")

PARTICIPANT_COLUMNS = "id, session, display_name, role, external_id, created_at"

ATTENDED = "(session = ? OR id IN (SELECT participant FROM attendance WHERE session = ?))"
"""Who attended a session (give the session twice): in it now, or there before."""


def encode(answers: Mapping[str, JSONValue]) -> list[tuple[str, str]]:
    """(field, JSON text) pairs, stored exactly as written; :class:`StoreError` names a
    value that JSON cannot hold or that is not valid Unicode text (a lone surrogate)."""
    encoded: list[tuple[str, str]] = []
    for field_id, value in answers.items():
        try:
            text = json.dumps(value, ensure_ascii=False, allow_nan=False)
            text.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise StoreError(
                N_(
                    "the answer to {field!r} cannot be stored: it is not valid Unicode "
                    "text ({reason})"
                ),
                field=field_id,
                reason=exc.reason,
            ) from None
        except (TypeError, ValueError) as exc:
            raise StoreError(
                N_("the answer to {field!r} cannot be stored as JSON: {reason}"),
                field=field_id,
                reason=str(exc),
            ) from None
        encoded.append((field_id, text))
    return encoded


def participant_from_row(row: Sequence[Any]) -> Participant:
    return Participant(
        id=row[0],
        session=row[1],
        display_name=row[2],
        role=row[3],
        external_id=row[4],
        created_at=row[5],
    )


class Tx:
    """A write transaction's cursor that speaks pdkit's SQL (``?``, ``{ord}``)."""

    def __init__(self, cursor: Cursor, q: Callable[[str], str], dialect: Dialect) -> None:
        """``cursor`` is the dialect's, for statements already in its words."""
        self.cursor = cursor
        self._q = q
        self._dialect = dialect

    def insert(self, sql: str, params: Sequence[Any]) -> int:
        """Run an ``INSERT`` into a table keyed by ``seq``; returns the new ``seq``."""
        return self._dialect.insert(self.cursor, self._q(sql), params)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Tx:
        self.cursor.execute(self._q(sql), params)
        return self

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        self.cursor.executemany(self._q(sql), rows)

    def runs_changed(self, run_id: str) -> None:
        """Pages following the run's session look again once this commits (:mod:`._signal`)."""
        self._dialect.runs_changed(self.cursor, run_id)

    def one(self) -> tuple[Any, ...] | None:
        row = self.cursor.fetchone()
        return None if row is None else tuple(row)

    def all(self) -> list[tuple[Any, ...]]:
        return [tuple(row) for row in self.cursor.fetchall()]

    @property
    def rowcount(self) -> int:
        return int(self.cursor.rowcount)


class SQLBase:
    """Plumbing, the schema and participants (see the module docs)."""

    def __init__(self, dialect: Dialect, clock: Callable[[], float]) -> None:
        self._dialect = dialect
        self._clock = clock
        self._queries: dict[str, str] = {}
        try:
            self._prepare()
        except BaseException:
            dialect.close()
            raise

    # ------------------------------------------------------------------ plumbing

    @property
    def url(self) -> str:
        return self._dialect.url

    def _q(self, sql: str) -> str:
        """``sql`` in the dialect's words (cached: the same few statements run again and
        again)."""
        found = self._queries.get(sql)
        if found is None:
            d = self._dialect
            found = sql.replace("{ord}", d.order)
            if d.mark != "?":
                found = found.replace("?", d.mark)
            if len(self._queries) > 512:  # lists of ids make new texts: keep the cache small
                self._queries.clear()
            self._queries[sql] = found
        return found

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """The rows of one query written in pdkit's SQL."""
        return self._dialect.read(self._q(sql), tuple(params))

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """The rows of one query written in the dialect's own words."""
        return self._dialect.read(sql, tuple(params))

    @contextmanager
    def _tx(self, doing: Doing = "written") -> Iterator[Tx]:
        """One write transaction (see :meth:`Dialect.transaction`)."""
        with self._dialect.transaction(doing) as cursor:
            yield Tx(cursor, self._q, self._dialect)

    def run_signal(self, session: str = DEFAULT_SESSION) -> RunSignal:
        """A cheap check of whether ``session``'s runs changed (:mod:`._signal`)."""
        return self._dialect.run_signal(session)

    def close(self) -> None:
        self._dialect.close()

    def __enter__(self: _S) -> _S:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.url}>"

    # ------------------------------------------------------------------ schema

    def _version_now(self) -> int | None:
        """The stored schema version, read without a transaction; None when the store
        has no version yet."""
        exists = self._read(self._dialect.table_exists_sql, ("pdkit_meta",))
        if not exists or not exists[0][0]:
            return None
        rows = self._rows("SELECT value FROM pdkit_meta WHERE key = 'schema_version'")
        return self._version_of(rows[0][0]) if rows else None

    def _version_of(self, value: object) -> int:
        try:
            return int(str(value))
        except ValueError:
            raise StoreError(
                N_(
                    "the store {url} has an unreadable schema version {value!r}; "
                    "is it a pdkit store?"
                ),
                url=self.url,
                value=value,
            ) from None

    def _prepare(self) -> None:
        """Create the tables on first use, or check their version. When they are current
        this only reads: a room of kernels opening the store at once never queues for a
        write just to find there is nothing to create."""
        if self._version_now() == SCHEMA_VERSION:
            return
        with self._tx("prepared") as tx:
            self._dialect.lock(tx.cursor, "schema")
            found = self._stored_version(tx)
            if found == SCHEMA_VERSION:
                return
            if found > SCHEMA_VERSION:
                raise StoreError(
                    N_(
                        "the store {url} was written by a newer pdkit (store schema "
                        "{found}, this pdkit reads {reads}); upgrade pdkit to use it"
                    ),
                    url=self.url,
                    found=found,
                    reads=SCHEMA_VERSION,
                )
            for table, column, kind in UPGRADES if found else ():
                # An older store: first the columns its tables lack.
                tx.cursor.execute(self._dialect.table_exists_sql, (table,))
                has_table = tx.one()
                tx.cursor.execute(self._dialect.column_exists_sql, (table, column))
                has_column = tx.one()
                if has_table and has_table[0] and not (has_column and has_column[0]):
                    added = kind.format(**self._dialect.words)
                    tx.cursor.execute(f"ALTER TABLE {table} ADD COLUMN {column} {added}")
            for statement in schema_statements(self._dialect.words):
                tx.cursor.execute(statement)
            tx.execute(
                "INSERT INTO pdkit_meta (key, value) VALUES ('schema_version', ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (str(SCHEMA_VERSION),),
            )

    def _stored_version(self, tx: Tx) -> int:
        """The version inside the schema's transaction; 0 for an empty database (a
        database that holds tables of pdkit's names but is not a pdkit store is refused)."""
        check = self._dialect.table_exists_sql
        tx.cursor.execute(check, ("pdkit_meta",))
        row = tx.one()
        if row is None or not row[0]:
            present = []
            for table in TABLES:
                tx.cursor.execute(check, (table,))
                exists = tx.one()
                if exists is not None and exists[0]:
                    present.append(table)
            if present:
                raise StoreError(
                    N_(
                        "the {database} database {url} already has tables named {tables} "
                        "that are not a pdkit store; give pdkit a database of its own, or a "
                        "schema of its own (?options=-csearch_path%3Dpdkit)"
                    )
                    if self._dialect.name == "PostgreSQL"
                    else N_(
                        "the {database} database {url} already has tables named {tables} "
                        "that are not a pdkit store; give pdkit a database of its own"
                    ),
                    database=self._dialect.name,
                    url=self.url,
                    tables=", ".join(present),
                )
            return 0
        row = tx.execute("SELECT value FROM pdkit_meta WHERE key = 'schema_version'").one()
        return 0 if row is None else self._version_of(row[0])

    # ------------------------------------------------------------------ participants

    def _participant_where(self, column: str, value: str) -> Participant | None:
        """The participant whose ``column`` (a fixed name, never user input) is ``value``."""
        assert column in ("id", "token_hash", "external_id")
        rows = self._rows(
            f"SELECT {PARTICIPANT_COLUMNS} FROM participants WHERE {column} = ?",  # noqa: S608
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
        display_name = one_line(display_name, "a name", MAX_LINE_CHARS)
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
            with self._tx() as tx:
                tx.execute(
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
        except ConstraintError:
            raise StoreError(
                N_("a participant with the external id {external!r} already exists"),
                external=external_id,
            ) from None
        return participant, token

    def participant_for_token(self, token: str) -> Participant | None:
        hashed = token_hash(token)
        found = self._participant_where("token_hash", hashed)
        if found is not None:
            return found
        rows = self._rows("SELECT participant FROM link_tokens WHERE token_hash = ?", (hashed,))
        return self.get_participant(str(rows[0][0])) if rows else None

    def issue_link(self, participant_id: str, purpose: str) -> str:
        """Another resume token for the participant (their first one is kept only as a
        hash, so a reminder cannot repeat it): it opens their workbooks like the first.
        ``purpose`` says what it was made for (``reminder``)."""
        self._person(participant_id)
        token = new_token()
        with self._tx() as tx:
            tx.execute(
                "INSERT INTO link_tokens (token_hash, participant, purpose, at)"
                " VALUES (?, ?, ?, ?)",
                (token_hash(token), participant_id, purpose, self._clock()),
            )
        return token

    def issue_links(self, participant_ids: Sequence[str], purpose: str) -> list[str]:
        """:meth:`issue_link` for many participants in one transaction (a batch of
        reminders): a new token for each, in the order given."""
        for participant_id in set(participant_ids):
            self._person(participant_id)
        tokens = [new_token() for _ in participant_ids]
        now = self._clock()
        with self._tx() as tx:
            tx.executemany(
                "INSERT INTO link_tokens (token_hash, participant, purpose, at)"
                " VALUES (?, ?, ?, ?)",
                [
                    (token_hash(t), p, purpose, now)
                    for t, p in zip(tokens, participant_ids, strict=True)
                ],
            )
        return tokens

    def participant_for_external_id(self, external_id: str) -> Participant | None:
        return self._participant_where("external_id", external_id)

    def get_participant(self, participant_id: str) -> Participant | None:
        return self._participant_where("id", participant_id)

    def participants(self, session: str = DEFAULT_SESSION) -> list[Participant]:
        """Everyone who attended ``session`` (joined it, or came back to it from an
        earlier one), in joining order."""
        rows = self._rows(
            f"SELECT {PARTICIPANT_COLUMNS} FROM participants WHERE {ATTENDED}"  # noqa: S608
            " ORDER BY created_at, {ord}",
            (session, session),
        )
        return [participant_from_row(r) for r in rows]

    def attend(self, participant_id: str, session: str) -> Participant:
        """One person, many sessions: the participant (found by their resume token or hub
        user) now takes part in ``session``, keeping everything they wrote before (their
        goal and its history come with them). Returns them as they are now."""
        person = self._person(participant_id)
        if person.session == session:
            return person
        if session != DEFAULT_SESSION and not self._rows(
            "SELECT 1 FROM sessions WHERE id = ?", (session,)
        ):
            raise StoreError(
                N_("no session {session!r} in the store {url}"), session=session, url=self.url
            )
        now = self._clock()
        with self._tx() as tx:
            for each, at in ((person.session, person.created_at), (session, now)):
                tx.execute(
                    "INSERT INTO attendance (participant, session, joined_at) VALUES (?, ?, ?)"
                    " ON CONFLICT (participant, session) DO NOTHING",
                    (participant_id, each, at),
                )
            tx.execute(
                "UPDATE participants SET session = ? WHERE id = ?", (session, participant_id)
            )
        return self._person(participant_id)

    def sessions_of(self, participant_id: str) -> list[str]:
        """The sessions the participant attended, the first first (the current is last)."""
        person = self._person(participant_id)
        rows = self._rows(
            "SELECT session FROM attendance WHERE participant = ? ORDER BY joined_at",
            (participant_id,),
        )
        found = [str(r[0]) for r in rows if str(r[0]) != person.session]
        return [*found, person.session]

    def _person(
        self, participant_id: str, what: Literal["participant", "teacher", "coach"] = "participant"
    ) -> Participant:
        person = self.get_participant(participant_id)
        if person is None and what == "teacher":
            raise StoreError(
                N_("no teacher {id!r} in the store {url}"), id=participant_id, url=self.url
            )
        if person is None and what == "coach":
            raise StoreError(
                N_("no coach {id!r} in the store {url}"), id=participant_id, url=self.url
            )
        if person is None:
            raise StoreError(
                N_("no participant {id!r} in the store {url}"), id=participant_id, url=self.url
            )
        return person
