"""What every SQL backend shares: ids, JSON encoding, and rows ⇄ records.

Backends differ in placeholders, transactions and error types; the shape of the data
does not, so it is written once here.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ..errors import StoreError
from ..pacing import RunState
from ._base import Group, JSONValue, NoteEvent, Participant, ResponseEvent, Run

PARTICIPANT_COLUMNS = "id, session, display_name, role, external_id, created_at"
RESPONSE_COLUMNS = "seq, participant, form, field, value, at, spec_version, session"
RUN_COLUMNS = (
    "id, session, protocol, spec_version, roles, step, status, started_at, allotted, used,"
    " version, created_at"
)
NOTE_COLUMNS = "seq, run, group_id, step, role, participant, field, value, at, spec_version"


def new_id() -> str:
    return uuid.uuid4().hex[:16]


def encode(answers: Mapping[str, JSONValue]) -> list[tuple[str, str]]:
    """(field, JSON text) pairs; :class:`StoreError` names a value JSON cannot hold."""
    encoded: list[tuple[str, str]] = []
    for field_id, value in answers.items():
        try:
            encoded.append((field_id, json.dumps(value, ensure_ascii=False, allow_nan=False)))
        except (TypeError, ValueError) as exc:
            raise StoreError(
                f"the answer to {field_id!r} cannot be stored as JSON: {exc}"
            ) from None
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


def response_from_row(row: Sequence[Any]) -> ResponseEvent:
    return ResponseEvent(
        seq=row[0],
        participant=row[1],
        form=row[2],
        field=row[3],
        value=json.loads(row[4]),
        at=row[5],
        spec_version=row[6],
        session=row[7],
    )


def new_groups(
    session: str, groups: Sequence[Sequence[str]], names: Sequence[str], now: float
) -> list[Group]:
    """The groups ``set_groups`` creates; nobody may be in two of them."""
    made = [
        Group(
            id=new_id(),
            session=session,
            name=names[i] if i < len(names) else f"Group {i + 1}",
            members=tuple(members),
            created_at=now,
        )
        for i, members in enumerate(groups)
    ]
    seen: set[str] = set()
    for group in made:
        for member in group.members:
            if member in seen:
                raise StoreError(f"participant {member!r} is placed in two groups")
            seen.add(member)
    return made


def groups_from_rows(rows: Iterable[Sequence[Any]]) -> list[Group]:
    """Groups from (id, session, name, created_at, member) rows, members in order."""
    found: dict[str, Group] = {}
    for group_id, session, name, created_at, member in rows:
        group = found.get(group_id) or Group(group_id, session, name, (), created_at)
        members = (*group.members, member) if member is not None else group.members
        found[group_id] = Group(group_id, session, name, members, created_at)
    return list(found.values())


def new_run(
    session: str,
    protocol: str,
    spec_version: str,
    roles: Mapping[str, Mapping[str, str]],
    state: RunState,
    now: float,
) -> Run:
    return Run(
        id=new_id(),
        session=session,
        protocol=protocol,
        spec_version=spec_version,
        state=state,
        version=1,
        roles={g: dict(r) for g, r in roles.items()},
        created_at=now,
    )


def run_values(run: Run) -> tuple[Any, ...]:
    """The values of a new run, in :data:`RUN_COLUMNS` order."""
    state = run.state
    return (
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
    )


def run_member_values(run: Run) -> list[tuple[str, str, str, str]]:
    """(run, participant, group, role) for every member of a run."""
    return [
        (run.id, participant, group, role)
        for group, members in run.roles.items()
        for participant, role in members.items()
    ]


def run_from_row(row: Sequence[Any]) -> Run:
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


def note_from_row(row: Sequence[Any]) -> NoteEvent:
    r = row
    return NoteEvent(r[0], r[1], r[2], r[3], r[4], r[5], r[6], json.loads(r[7]), r[8], r[9])
