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
from ..i18n import N_
from ..pacing import RunState
from ._access import ViewerLike, as_viewer, may_read_notes
from ._dialect import ConstraintError
from ._records import DEFAULT_SESSION, JSONValue, NoteEvent, Run, RunEvent, new_id
from ._sql_base import SQLBase, Tx, encode

__all__ = ["RunsSQL"]

_RUN_COLUMNS = (
    "id, session, protocol, spec_version, roles, step, status, started_at, allotted, used,"
    " version, created_at, rounds, round, skipped"
)
_NOTE_COLUMNS = "seq, run, group_id, step, role, participant, field, value, at, spec_version, round"
_EVENT_COLUMNS = "run, at, step, round, status, allotted, used"

Turns = dict[int, dict[str, dict[str, str]]]


def _run_from_row(row: Sequence[Any], turns: Turns) -> Run:
    state = RunState(
        step=row[5],
        status=row[6],
        started_at=row[7],
        allotted=row[8],
        used=row[9],
        round=row[13],
    )
    first: dict[str, dict[str, str]] = json.loads(row[4])
    every = turns or {0: first}  # a run started before rounds: its roles are round 0's
    return Run(
        id=row[0],
        session=row[1],
        protocol=row[2],
        spec_version=row[3],
        roles=every.get(state.round) or first,
        state=state,
        version=row[10],
        created_at=row[11],
        rounds=row[12],
        skipped=tuple(json.loads(row[14])),
        turns=every,
    )


def _note_from_row(row: Sequence[Any]) -> NoteEvent:
    r = row
    return NoteEvent(r[0], r[1], r[2], r[3], r[4], r[5], r[6], json.loads(r[7]), r[8], r[9], r[10])


class RunsSQL(SQLBase):
    """Runs and notes (see the module docs)."""

    def start_run(
        self,
        session: str,
        protocol: str,
        spec_version: str,
        roles: Mapping[str, Mapping[str, str]],
        state: RunState,
        *,
        rounds: int = 1,
        skipped: Sequence[str] = (),
    ) -> Run:
        first = {g: dict(r) for g, r in roles.items()}
        run = Run(
            id=new_id(),
            session=session,
            protocol=protocol,
            spec_version=spec_version,
            state=state,
            version=1,
            roles=first,
            created_at=self._clock(),
            rounds=max(1, int(rounds)),
            skipped=tuple(skipped),
            turns={state.round: first},
        )
        try:
            with self._tx() as tx:
                tx.execute(
                    f"INSERT INTO runs ({_RUN_COLUMNS})"  # noqa: S608
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
                        run.rounds,
                        state.round,
                        json.dumps(list(run.skipped)),
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
                self._add_turns(tx, run.id, state.round, first)
                self._log(tx, run.id, state)
                tx.runs_changed(run.id)
        except ConstraintError as exc:
            raise StoreError(
                N_("cannot start this run: {reason} (a person in two groups?)"), reason=exc.detail
            ) from None
        return run

    def _add_turns(
        self, tx: Tx, run_id: str, round_: int, roles: Mapping[str, Mapping[str, str]]
    ) -> None:
        """The roles of a round, and anyone new to the run (a late joiner) as a member;
        roles a round already has are kept (two facilitator tabs, one round)."""
        rows = [(g, p, r) for g, members in roles.items() for p, r in members.items()]
        tx.executemany(
            "INSERT INTO run_turns (run, round, participant, group_id, role, position)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            [(run_id, round_, p, g, r, n) for n, (g, p, r) in enumerate(rows)],
        )
        tx.executemany(
            "INSERT INTO run_members (run, participant, group_id, role)"
            " VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
            [(run_id, p, g, r) for g, p, r in rows],
        )

    def _log(self, tx: Tx, run_id: str, state: RunState) -> None:
        tx.execute(
            f"INSERT INTO run_events ({_EVENT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",  # noqa: S608
            (
                run_id,
                self._clock(),
                state.step,
                state.round,
                state.status,
                state.allotted,
                state.used,
            ),
        )

    def _turns(self, run_ids: Sequence[str]) -> dict[str, Turns]:
        found: dict[str, Turns] = {}
        if not run_ids:
            return found
        marks = ", ".join("?" for _ in run_ids)
        for run_id, round_, participant, group_id, role in self._rows(
            "SELECT run, round, participant, group_id, role FROM run_turns"  # noqa: S608
            f" WHERE run IN ({marks}) ORDER BY run, round, position",
            tuple(run_ids),
        ):
            found.setdefault(run_id, {}).setdefault(round_, {}).setdefault(group_id, {})[
                participant
            ] = role
        return found

    def _runs_from(self, rows: Sequence[Sequence[Any]]) -> list[Run]:
        turns = self._turns([r[0] for r in rows])
        return [_run_from_row(r, turns.get(r[0], {})) for r in rows]

    def get_run(self, run_id: str) -> Run | None:
        rows = self._rows(f"SELECT {_RUN_COLUMNS} FROM runs WHERE id = ?", (run_id,))  # noqa: S608
        return self._runs_from(rows)[0] if rows else None

    def runs(self, session: str = DEFAULT_SESSION) -> list[Run]:
        rows = self._rows(
            f"SELECT {_RUN_COLUMNS} FROM runs WHERE session = ?"  # noqa: S608
            " ORDER BY created_at DESC, {ord} DESC",
            (session,),
        )
        return self._runs_from(rows)

    def run_for(self, participant_id: str) -> Run | None:
        rows = self._rows(
            f"SELECT {_RUN_COLUMNS} FROM runs WHERE id IN ("  # noqa: S608
            " SELECT run FROM run_members WHERE participant = ?)"
            " ORDER BY created_at DESC, {ord} DESC LIMIT 1",
            (participant_id,),
        )
        return self._runs_from(rows)[0] if rows else None

    def update_run(
        self,
        run_id: str,
        state: RunState,
        *,
        expected_version: int,
        turns: Mapping[str, Mapping[str, str]] | None = None,
    ) -> Run:
        with self._tx() as tx:
            changed = tx.execute(
                "UPDATE runs SET step = ?, status = ?, started_at = ?, allotted = ?, used = ?,"
                " round = ?, version = version + 1 WHERE id = ? AND version = ?",
                (
                    state.step,
                    state.status,
                    state.started_at,
                    state.allotted,
                    state.used,
                    state.round,
                    run_id,
                    expected_version,
                ),
            ).rowcount
            if changed:
                if turns:
                    self._add_turns(tx, run_id, state.round, turns)
                self._log(tx, run_id, state)
                tx.runs_changed(run_id)
        run = self.get_run(run_id)
        if run is None:
            raise StoreError(
                N_("no protocol run {run!r} in the store {url}"), run=run_id, url=self.url
            )
        if changed == 0:
            raise ConflictError(
                N_(
                    "the protocol run changed meanwhile (now at version {version}, "
                    "not {expected}); it has been read again"
                ),
                version=run.version,
                expected=expected_version,
            )
        return run

    def run_events(self, run_id: str) -> list[RunEvent]:
        rows = self._rows(
            f"SELECT {_EVENT_COLUMNS} FROM run_events WHERE run = ? ORDER BY seq",  # noqa: S608
            (run_id,),
        )
        return [RunEvent(*row) for row in rows]

    def record_notes(
        self,
        run_id: str,
        step_id: str,
        participant_id: str,
        answers: Mapping[str, JSONValue],
        *,
        round: int | None = None,
    ) -> list[NoteEvent]:
        encoded = encode(answers)
        events: list[NoteEvent] = []
        with self._tx() as tx:
            found = tx.execute(
                "SELECT COALESCE(t.group_id, m.group_id), COALESCE(t.role, m.role),"
                " r.spec_version, COALESCE(?, r.round) FROM run_members m"
                " JOIN runs r ON r.id = m.run LEFT JOIN run_turns t ON t.run = m.run"
                " AND t.participant = m.participant AND t.round = COALESCE(?, r.round)"
                " WHERE m.run = ? AND m.participant = ?",
                (round, round, run_id, participant_id),
            ).one()
            if found is None:
                raise StoreError(
                    N_("participant {participant!r} is not in the run {run!r}"),
                    participant=participant_id,
                    run=run_id,
                )
            group_id, role, spec_version, round_ = found
            where = (run_id, group_id, step_id, role, participant_id)
            at = self._clock()
            for field_id, text in encoded:
                seq = tx.insert(
                    "INSERT INTO notes (run, group_id, step, role, participant, field, value,"
                    " at, spec_version, round) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (*where, field_id, text, at, spec_version, round_),
                )
                events.append(
                    NoteEvent(seq, *where, field_id, json.loads(text), at, spec_version, round_)
                )
        return events

    def latest_notes(
        self,
        run_id: str,
        step_id: str,
        participant_id: str,
        *,
        viewer: ViewerLike,
        round: int = 0,
    ) -> dict[str, JSONValue]:
        who = as_viewer(viewer)
        if not may_read_notes(who, participant_id):
            raise AccessError(
                N_(
                    "{who} may not read participant {participant}'s protocol notes: "
                    "notes are private to the person who wrote them"
                ),
                who=who.described(),
                participant=participant_id,
            )
        rows = self._rows(
            "SELECT field, value FROM notes WHERE seq IN (SELECT MAX(seq) FROM notes"
            " WHERE run = ? AND step = ? AND participant = ? AND round = ? GROUP BY field)"
            " ORDER BY seq",
            (run_id, step_id, participant_id, round),
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

    def note_writers(
        self,
        run_id: str,
        round: int | None = None,
    ) -> dict[tuple[str, str], set[str]]:
        """Who wrote notes, per (group id, step id) of a run, in one round or in all:
        ids only, never text (the facilitator's progress view)."""
        writers: dict[tuple[str, str], set[str]] = {}
        sql = "SELECT DISTINCT group_id, step, participant FROM notes WHERE run = ?"
        params: tuple[Any, ...] = (run_id,)
        if round is not None:
            sql, params = f"{sql} AND round = ?", (run_id, round)
        for group_id, step_id, pid in self._rows(sql, params):
            writers.setdefault((group_id, step_id), set()).add(pid)
        return writers
