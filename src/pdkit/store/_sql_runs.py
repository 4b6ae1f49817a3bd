"""Protocol runs and their notes in SQL (see :mod:`._sql_base`).

A run's state changes only through :meth:`RunsSQL.update_run`, which succeeds only if
nobody changed the run since it was read (its ``version``): two facilitators clicking
at the same moment cannot both move it on.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from ..errors import AccessError, ConflictError, StoreError
from ..pacing import RunState
from ._access import ViewerLike, as_viewer, may_read_notes
from ._dialect import ConstraintError
from ._records import DEFAULT_SESSION, JSONValue, NoteEvent, Run, new_id
from ._sql_base import SQLBase, encode

__all__ = ["RunsSQL"]

_RUN_COLUMNS = (
    "id, session, protocol, spec_version, roles, step, status, started_at, allotted, used,"
    " version, created_at"
)
_NOTE_COLUMNS = "seq, run, group_id, step, role, participant, field, value, at, spec_version"


def _run_from_row(row: Sequence[Any]) -> Run:
    return Run(
        id=row[0],
        session=row[1],
        protocol=row[2],
        spec_version=row[3],
        roles=json.loads(row[4]),
        state=RunState(step=row[5], status=row[6], started_at=row[7], allotted=row[8], used=row[9]),
        version=row[10],
        created_at=row[11],
    )


def _note_from_row(row: Sequence[Any]) -> NoteEvent:
    r = row
    return NoteEvent(r[0], r[1], r[2], r[3], r[4], r[5], r[6], json.loads(r[7]), r[8], r[9])


class RunsSQL(SQLBase):
    """Runs and notes (see the module docs)."""

    def start_run(
        self,
        session: str,
        protocol: str,
        spec_version: str,
        roles: Mapping[str, Mapping[str, str]],
        state: RunState,
    ) -> Run:
        run = Run(
            id=new_id(),
            session=session,
            protocol=protocol,
            spec_version=spec_version,
            state=state,
            version=1,
            roles={g: dict(r) for g, r in roles.items()},
            created_at=self._clock(),
        )
        try:
            with self._tx() as tx:
                tx.execute(
                    f"INSERT INTO runs ({_RUN_COLUMNS})"  # noqa: S608
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        run.id,
                        run.session,
                        run.protocol,
                        run.spec_version,
                        json.dumps(run.roles),
                        state.step,
                        state.status,
                        state.started_at,
                        state.allotted,
                        state.used,
                        run.version,
                        run.created_at,
                    ),
                )
                tx.executemany(
                    "INSERT INTO run_members (run, participant, group_id, role)"
                    " VALUES (?, ?, ?, ?)",
                    [
                        (run.id, participant, group, role)
                        for group, members in run.roles.items()
                        for participant, role in members.items()
                    ],
                )
                tx.runs_changed(run.id)
        except ConstraintError as exc:
            raise StoreError(
                f"cannot start this run: {exc.detail} (a person in two groups?)"
            ) from None
        return run

    def get_run(self, run_id: str) -> Run | None:
        rows = self._rows(f"SELECT {_RUN_COLUMNS} FROM runs WHERE id = ?", (run_id,))  # noqa: S608
        return _run_from_row(rows[0]) if rows else None

    def runs(self, session: str = DEFAULT_SESSION) -> list[Run]:
        rows = self._rows(
            f"SELECT {_RUN_COLUMNS} FROM runs WHERE session = ?"  # noqa: S608
            " ORDER BY created_at DESC, {ord} DESC",
            (session,),
        )
        return [_run_from_row(r) for r in rows]

    def run_for(self, participant_id: str) -> Run | None:
        rows = self._rows(
            f"SELECT {_RUN_COLUMNS} FROM runs WHERE id IN ("  # noqa: S608
            " SELECT run FROM run_members WHERE participant = ?)"
            " ORDER BY created_at DESC, {ord} DESC LIMIT 1",
            (participant_id,),
        )
        return _run_from_row(rows[0]) if rows else None

    def update_run(self, run_id: str, state: RunState, *, expected_version: int) -> Run:
        with self._tx() as tx:
            changed = tx.execute(
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
            ).rowcount
            if changed:
                tx.runs_changed(run_id)
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
        events: list[NoteEvent] = []
        with self._tx() as tx:
            found = tx.execute(
                "SELECT m.group_id, m.role, r.spec_version FROM run_members m"
                " JOIN runs r ON r.id = m.run WHERE m.run = ? AND m.participant = ?",
                (run_id, participant_id),
            ).one()
            if found is None:
                raise StoreError(f"participant {participant_id!r} is not in the run {run_id!r}")
            group_id, role, spec_version = found
            where = (run_id, group_id, step_id, role, participant_id)
            at = self._clock()
            for field_id, text in encoded:
                seq = tx.insert(
                    "INSERT INTO notes (run, group_id, step, role, participant, field, value,"
                    " at, spec_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (*where, field_id, text, at, spec_version),
                )
                events.append(NoteEvent(seq, *where, field_id, json.loads(text), at, spec_version))
        return events

    def latest_notes(
        self, run_id: str, step_id: str, participant_id: str, *, viewer: ViewerLike
    ) -> dict[str, JSONValue]:
        who = as_viewer(viewer)
        if not may_read_notes(who, participant_id):
            raise AccessError(
                f"{who} may not read participant {participant_id}'s protocol notes: "
                "notes are private to the person who wrote them"
            )
        rows = self._rows(
            "SELECT field, value FROM notes WHERE seq IN (SELECT MAX(seq) FROM notes"
            " WHERE run = ? AND step = ? AND participant = ? GROUP BY field) ORDER BY seq",
            (run_id, step_id, participant_id),
        )
        return {field: json.loads(value) for field, value in rows}

    def notes(self, run_id: str, *, viewer: ViewerLike) -> list[NoteEvent]:
        """The note events of a run that ``viewer`` may see, oldest first."""
        who = as_viewer(viewer)
        rows = self._rows(
            f"SELECT {_NOTE_COLUMNS} FROM notes WHERE run = ? ORDER BY seq",  # noqa: S608
            (run_id,),
        )
        return [n for n in map(_note_from_row, rows) if may_read_notes(who, n.participant)]

    def note_writers(self, run_id: str) -> dict[tuple[str, str], set[str]]:
        """Who wrote notes, per (group id, step id) of a run: ids only, never text (the
        facilitator's progress view)."""
        writers: dict[tuple[str, str], set[str]] = {}
        for group_id, step_id, pid in self._rows(
            "SELECT DISTINCT group_id, step, participant FROM notes WHERE run = ?", (run_id,)
        ):
            writers.setdefault((group_id, step_id), set()).add(pid)
        return writers
