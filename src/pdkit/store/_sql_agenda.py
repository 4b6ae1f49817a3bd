"""The part of a session's agenda the room is on, in SQL (see :mod:`._sql_base`).

The part changes only through :meth:`AgendaSQL.set_agenda_part`, which succeeds only
if nobody moved the agenda since it was read (its ``version``, as
:meth:`~._sql_runs.RunsSQL.update_run` does for runs): two facilitator tabs clicking
"Next part" at once cannot both move it. Every change is also appended to
``agenda_events`` with its time. The part index is not anyone's data: reading it names
no viewer.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..errors import ConflictError, StoreError
from ..i18n import N_
from ._dialect import ConstraintError
from ._records import DEFAULT_SESSION, AgendaEvent, AgendaState
from ._sql_base import SQLBase

__all__ = ["AgendaSQL"]

_STATE_COLUMNS = "session, agenda, part, version, changed_at"


def _state_from_row(row: Sequence[Any]) -> AgendaState:
    return AgendaState(row[0], row[1], int(row[2]), int(row[3]), float(row[4]))


class AgendaSQL(SQLBase):
    """Agenda state and its event log (see the module docs)."""

    def agenda_state(self, session: str, agenda: str) -> AgendaState:
        rows = self._rows(
            f"SELECT {_STATE_COLUMNS} FROM agenda_state"  # noqa: S608
            " WHERE session = ? AND agenda = ?",
            (session, agenda),
        )
        return _state_from_row(rows[0]) if rows else AgendaState(session, agenda)

    def current_agenda(self, session: str = DEFAULT_SESSION) -> AgendaState | None:
        rows = self._rows(
            f"SELECT {_STATE_COLUMNS} FROM agenda_state WHERE session = ?"  # noqa: S608
            " ORDER BY changed_at DESC, agenda LIMIT 1",
            (session,),
        )
        return _state_from_row(rows[0]) if rows else None

    def set_agenda_part(
        self, session: str, agenda: str, part: int, *, expected_version: int
    ) -> AgendaState:
        if part < 0:
            raise StoreError(N_("an agenda part is counted from 0, not {part}"), part=part)
        at = self._clock()
        try:
            with self._tx() as tx:
                found = tx.execute(
                    "SELECT part FROM agenda_state"
                    " WHERE session = ? AND agenda = ? AND version = ?",
                    (session, agenda, expected_version),
                ).one()
                previous = None if found is None else int(found[0])
                if expected_version == 0:
                    tx.execute(
                        f"INSERT INTO agenda_state ({_STATE_COLUMNS})"  # noqa: S608
                        " VALUES (?, ?, ?, 1, ?)",
                        (session, agenda, part, at),
                    )
                    changed = 1
                else:
                    changed = tx.execute(
                        "UPDATE agenda_state SET part = ?, version = version + 1, changed_at = ?"
                        " WHERE session = ? AND agenda = ? AND version = ?",
                        (part, at, session, agenda, expected_version),
                    ).rowcount
                if changed:
                    tx.insert(
                        "INSERT INTO agenda_events (session, agenda, part, previous, at)"
                        " VALUES (?, ?, ?, ?, ?)",
                        (session, agenda, part, previous, at),
                    )
        except ConstraintError:  # another tab made the first move meanwhile
            changed = 0
        state = self.agenda_state(session, agenda)
        if not changed:
            raise ConflictError(
                N_(
                    "the agenda changed meanwhile (now at version {version}, not "
                    "{expected}); it has been read again"
                ),
                version=state.version,
                expected=expected_version,
            )
        return state

    def agenda_events(self, session: str, agenda: str) -> list[AgendaEvent]:
        rows = self._rows(
            "SELECT seq, session, agenda, part, previous, at FROM agenda_events"
            " WHERE session = ? AND agenda = ? ORDER BY seq",
            (session, agenda),
        )
        return [
            AgendaEvent(int(r[0]), r[1], r[2], int(r[3]), None if r[4] is None else int(r[4]), r[5])
            for r in rows
        ]
