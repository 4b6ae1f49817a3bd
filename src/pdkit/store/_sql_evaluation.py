"""The anonymous session evaluation, in SQL (see :mod:`._sql_base`).

A teacher's answers to the session evaluation are kept so that nobody, the store's
holder included, can tell which sheet is whose:

- ``evaluation_answers`` holds one row per answer sheet: a random key, the session, the
  form and its version, and the answers as one JSON object. No participant, no resume
  token, no time. On SQLite the table has no ``rowid`` (``WITHOUT ROWID``: rows live in
  the order of their random keys), and no serial column anywhere.
- Every new sheet rewrites the session's sheets: they are deleted and written again
  under new random keys in a random order, in the same transaction. So the database's
  own bookkeeping (PostgreSQL's ``ctid`` and ``xmin``, a page's order) says no more
  than "these sheets were there after the last answer", and a key seen before an answer
  is not there after it.
- ``evaluation_done`` says who has answered, per (session, form, participant), so that
  a teacher answers once and sees "Thank you" on reload; it carries no answer and no
  time, and nothing joins it to a sheet.

What remains (written in the docs too): someone who watches the database while one
teacher answers sees a sheet appear and a "done" mark appear together; a database's
write-ahead log or backups taken between two answers hold the same; and free text can
identify its writer by what it says. The read of the sheets is for a session's
facilitator or the steward, and gives nothing while fewer than
:data:`pdkit.suppression.K` people have answered.
"""

from __future__ import annotations

import json
import random
from collections.abc import Mapping
from typing import Any

from ..errors import AccessError, AlreadyAnsweredError, StoreError
from ..i18n import N_
from ..suppression import K
from ._access import ViewerLike, as_viewer
from ._records import EvaluationSheet, JSONValue, new_id
from ._sql_base import ATTENDED, SQLBase, encode

__all__ = ["MAX_SHEETS", "MAX_SHEET_CHARS", "EvaluationSQL"]

MAX_SHEET_CHARS = 20_000
"""The longest one answer sheet may be, as JSON text."""

MAX_SHEETS = 5_000
"""The most sheets one session's evaluation keeps (each answer rewrites them all)."""

_SYSTEM_RANDOM = random.SystemRandom()


class EvaluationSQL(SQLBase):
    """The anonymous session evaluation (see the module docs)."""

    def submit_evaluation(
        self,
        participant_id: str,
        form_id: str,
        answers: Mapping[str, JSONValue],
        *,
        session: str,
        spec_version: str,
    ) -> None:
        if not isinstance(answers, Mapping):
            raise StoreError(N_("an evaluation's answers are a mapping of field ids to answers"))
        fields = dict(encode(answers))  # names a value that JSON cannot hold
        text = "{" + ", ".join(f"{json.dumps(k)}: {v}" for k, v in fields.items()) + "}"
        if len(text) > MAX_SHEET_CHARS:
            raise StoreError(
                N_(
                    "the evaluation's answers are too long ({length:,} characters; at most "
                    "{most:,}): shorten the open answer"
                ),
                length=len(text),
                most=MAX_SHEET_CHARS,
            )
        self._person(participant_id)
        if not self._rows(
            f"SELECT 1 FROM participants WHERE id = ? AND {ATTENDED}",  # noqa: S608
            (participant_id, session, session),
        ):
            raise StoreError(
                N_(
                    "participant {participant!r} did not take part in session {session!r}, "
                    "so cannot evaluate it"
                ),
                participant=participant_id,
                session=session,
            )
        with self._tx() as tx:
            self._dialect.lock(tx.cursor, f"evaluation:{session}")
            done = tx.execute(
                "INSERT INTO evaluation_done (session, form, participant) VALUES (?, ?, ?)"
                " ON CONFLICT (session, form, participant) DO NOTHING",
                (session, form_id, participant_id),
            ).rowcount
            if not done:
                raise AlreadyAnsweredError(
                    N_(
                        "you have already answered this session's evaluation; thank you (it is "
                        "anonymous, so it cannot be changed)"
                    )
                )
            sheets = tx.execute(
                "SELECT spec_version, answers FROM evaluation_answers"
                " WHERE session = ? AND form = ?",
                (session, form_id),
            ).all()
            if len(sheets) >= MAX_SHEETS:
                raise StoreError(
                    N_("session {session!r} already has {most:,} evaluation answers"),
                    session=session,
                    most=MAX_SHEETS,
                )
            sheets.append((spec_version, text))
            _SYSTEM_RANDOM.shuffle(sheets)
            tx.execute(
                "DELETE FROM evaluation_answers WHERE session = ? AND form = ?",
                (session, form_id),
            )
            tx.executemany(
                "INSERT INTO evaluation_answers (id, session, form, spec_version, answers)"
                " VALUES (?, ?, ?, ?, ?)",
                [(new_id() + new_id(), session, form_id, v, a) for v, a in sheets],
            )

    def has_evaluated(self, participant_id: str, form_id: str, *, session: str) -> bool:
        return bool(
            self._rows(
                "SELECT 1 FROM evaluation_done WHERE session = ? AND form = ? AND participant = ?",
                (session, form_id, participant_id),
            )
        )

    def evaluation_count(self, session: str, form_id: str) -> int:
        rows = self._rows(
            "SELECT COUNT(*) FROM evaluation_answers WHERE session = ? AND form = ?",
            (session, form_id),
        )
        return int(rows[0][0])

    def evaluation_sheets(
        self, session: str, form_id: str, *, viewer: ViewerLike
    ) -> list[EvaluationSheet]:
        who = as_viewer(viewer)
        if not (who.is_steward or who.facilitator_of == session):
            raise AccessError(
                N_(
                    "{who} may not read session {session!r}'s evaluation: its facilitator and "
                    "the store's steward may, once enough people have answered"
                ),
                who=who.described(),
                session=session,
            )
        rows = self._rows(
            "SELECT spec_version, answers FROM evaluation_answers"
            " WHERE session = ? AND form = ? ORDER BY id",
            (session, form_id),
        )
        if len(rows) < K:
            return []
        return [EvaluationSheet(session, form_id, str(r[0]), _answers(r[1])) for r in rows]


def _answers(text: Any) -> dict[str, JSONValue]:
    value = json.loads(str(text))
    return value if isinstance(value, dict) else {}
