"""Workshop sessions in SQL: a title, the school goals, a join code and a facilitator key;
and what a facilitator's dashboard may know of each participant (statuses, never text).

The ``default`` session always exists without being made (one workshop per store);
``create_session`` makes others, each with a join code that participants type (or find
in their link) and a facilitator key that opens its dashboard. Only a hash of the key
is kept, like resume tokens. Tries at a session's key are counted here for every kernel
of a server (``key_attempts``: :mod:`._keys` says why and how).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from ..definitions.ids import GOAL_FORM
from ..errors import StoreError
from ..i18n import N_
from ._access import DEFAULT_VISIBILITY
from ._keys import SERVER_LOCKOUT, KeyAttempt, KeyLockout, same_key
from ._records import (
    CODE_ALPHABET,
    CODE_LENGTH,
    DEFAULT_SESSION,
    Session,
    Status,
    normalize_code,
    token_hash,
)
from ._sql_base import ATTENDED, SQLBase
from ._text import MAX_LINE_CHARS, one_line

__all__ = ["SessionsSQL"]

_SESSION_COLUMNS = "id, title, join_code, school_goals, created_at"


def _session_from_row(row: Sequence[Any]) -> Session:
    goals = tuple(json.loads(row[3]))
    return Session(row[0], row[1], row[2], goals, float(row[4]))


class SessionsSQL(SQLBase):
    """Sessions and statuses (see the module docs)."""

    def create_session(
        self, title: str, school_goals: Sequence[Mapping[str, Any]] = ()
    ) -> tuple[Session, str]:
        """A new session; returns it and its facilitator key (shown once, kept hashed)."""
        title = one_line(title, "a session's title", MAX_LINE_CHARS)
        try:
            goals = json.dumps([dict(g) for g in school_goals], ensure_ascii=False)
        except (TypeError, ValueError) as exc:
            raise StoreError(
                N_("the school goals cannot be stored: {reason}"), reason=str(exc)
            ) from None
        key = secrets.token_urlsafe(18)
        for _attempt in range(20):
            code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            if self.session_for_code(code) is None:
                break
        else:  # pragma: no cover - 31**6 codes
            raise StoreError(N_("could not find a free join code; try again"))
        session = Session(
            id=f"s-{secrets.token_hex(4)}",
            title=title,
            join_code=code,
            school_goals=tuple(json.loads(goals)),
            created_at=self._clock(),
        )
        with self._tx() as tx:
            tx.execute(
                f"INSERT INTO sessions ({_SESSION_COLUMNS}, key_hash)"  # noqa: S608
                " VALUES (?, ?, ?, ?, ?, ?)",
                (session.id, title, code, goals, session.created_at, token_hash(key)),
            )
        return session, key

    def get_session(self, session_id: str) -> Session | None:
        """The session with this id, or None (``default`` is not a stored session)."""
        rows = self._rows(
            f"SELECT {_SESSION_COLUMNS} FROM sessions WHERE id = ?",  # noqa: S608
            (session_id,),
        )
        return _session_from_row(rows[0]) if rows else None

    def session_for_code(self, code: str) -> Session | None:
        """The session whose join code this is (any case, dashes and spaces ignored)."""
        wanted = normalize_code(code)
        if not wanted:
            return None
        rows = self._rows(
            f"SELECT {_SESSION_COLUMNS} FROM sessions WHERE join_code = ?",  # noqa: S608
            (wanted,),
        )
        return _session_from_row(rows[0]) if rows else None

    def sessions(self) -> list[Session]:
        """Every stored session, oldest first."""
        rows = self._rows(
            f"SELECT {_SESSION_COLUMNS} FROM sessions ORDER BY created_at, id"  # noqa: S608
        )
        return [_session_from_row(r) for r in rows]

    def facilitator_key_ok(self, session_id: str, key: str) -> bool:
        """Whether ``key`` is the facilitator key of the session (compared in constant
        time). The ``default`` session has no stored key (``pdkit serve`` checks its own)."""
        rows = self._rows("SELECT key_hash FROM sessions WHERE id = ?", (session_id,))
        given = token_hash(key)  # hashed whether or not there is a key to compare with
        return bool(rows and key) and same_key(str(rows[0][0]), given, hashed=True)

    def claim_key_attempt(self, session: str, lockout: KeyLockout = SERVER_LOCKOUT) -> KeyAttempt:
        """Claim one try at the session's facilitator key, for every page on this store:
        refused while too many recent tries failed (with the seconds to wait), else
        counted as failed until :meth:`forget_key_attempt` says the key was right. One
        claim at a time per session (a lock), so tries made at once from many kernels
        are counted one after another."""
        now = self._clock()
        with self._tx() as tx:
            self._dialect.lock(tx.cursor, f"key-attempts:{session}")
            tx.execute("DELETE FROM key_attempts WHERE at <= ?", (now - lockout.window,))
            failures = [
                float(row[0])
                for row in tx.execute(
                    "SELECT at FROM key_attempts WHERE session = ?", (session,)
                ).all()
            ]
            retry_at = lockout.retry_at(failures, now)
            if retry_at > now:
                return KeyAttempt(None, retry_at - now)
            seq = tx.insert("INSERT INTO key_attempts (session, at) VALUES (?, ?)", (session, now))
        return KeyAttempt(seq)

    def forget_key_attempt(self, attempt: KeyAttempt) -> None:
        """The claimed try was right: it does not count as a failure."""
        if attempt.id is not None:
            with self._tx() as tx:
                tx.execute("DELETE FROM key_attempts WHERE seq = ?", (attempt.id,))

    def statuses(self, session: str = DEFAULT_SESSION) -> list[Status]:
        """Every participant of the session with where they are (joined, goal drafted,
        goal shared, reflections answered, group), in joining order — counts and flags
        read from the store's tables, never the text of an answer."""
        people = self._rows(
            f"SELECT id, display_name, created_at FROM participants WHERE {ATTENDED}"  # noqa: S608
            " AND role = 'teacher' ORDER BY created_at, {ord}",
            (session, session),
        )
        forms: dict[str, set[str]] = {}
        for pid, form in self._rows(
            "SELECT DISTINCT participant, form FROM responses WHERE session = ?", (session,)
        ):
            forms.setdefault(pid, set()).add(form)
        levels: dict[str, str] = {
            str(pid): str(level)
            for pid, level in self._rows(
                "SELECT participant, level FROM visibility WHERE seq IN (SELECT MAX(seq)"
                " FROM visibility WHERE form = ? GROUP BY participant)",
                (GOAL_FORM,),
            )
        }
        group_of: dict[str, str] = {}
        for name, pid in self._rows(
            "SELECT g.name, m.participant FROM groups g JOIN group_members m"
            " ON m.group_id = g.id WHERE g.session = ? AND g.dissolved_at IS NULL",
            (session,),
        ):
            group_of[pid] = name
        return [
            Status(
                participant=pid,
                display_name=name,
                joined_at=float(at),
                goal_drafted=GOAL_FORM in forms.get(pid, ()),
                goal_visibility=levels.get(pid, DEFAULT_VISIBILITY),
                reflections_done=len(forms.get(pid, set()) - {GOAL_FORM}),
                group=group_of.get(pid),
            )
            for pid, name, at in people
        ]
