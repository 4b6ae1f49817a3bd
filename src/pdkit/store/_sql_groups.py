"""The groups of a session in SQL: formed all at once, and late joiners placed one at a
time, both under the session's groups lock (see :mod:`._sql_base`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..errors import StoreError
from ..i18n import N_
from ._dialect import ConstraintError
from ._records import DEFAULT_SESSION, Group, new_id
from ._sql_base import SQLBase

__all__ = ["GroupsSQL"]


class GroupsSQL(SQLBase):
    """Groups (see the module docs)."""

    def set_groups(
        self, session: str, groups: Sequence[Sequence[str]], names: Sequence[str] = ()
    ) -> list[Group]:
        now = self._clock()
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
                    raise StoreError(
                        N_("participant {member!r} is placed in two groups"), member=member
                    )
                seen.add(member)
        try:
            with self._tx() as tx:
                # One grouping at a time per session: two made at once must not both stay
                # current, and a late joiner is not placed in a group being dissolved.
                self._dialect.lock(tx.cursor, f"groups:{session}")
                tx.execute(
                    "UPDATE groups SET dissolved_at = ? WHERE session = ? AND dissolved_at IS NULL",
                    (now, session),
                )
                for group in made:
                    tx.execute(
                        "INSERT INTO groups (id, session, name, created_at) VALUES (?, ?, ?, ?)",
                        (group.id, session, group.name, now),
                    )
                    tx.executemany(
                        "INSERT INTO group_members (group_id, participant, position)"
                        " VALUES (?, ?, ?)",
                        [(group.id, member, pos) for pos, member in enumerate(group.members)],
                    )
        except ConstraintError as exc:
            raise StoreError(
                N_("cannot form these groups: {reason} (unknown participant?)"), reason=exc.detail
            ) from None
        return made

    def _groups_where(self, where: str, params: Sequence[Any]) -> list[Group]:
        rows = self._rows(
            "SELECT g.id, g.session, g.name, g.created_at, m.participant FROM groups g"  # noqa: S608
            " LEFT JOIN group_members m ON m.group_id = g.id"
            f" WHERE g.dissolved_at IS NULL AND {where} ORDER BY g.{{ord}}, m.position",
            params,
        )
        found: dict[str, Group] = {}
        for group_id, session, name, created_at, member in rows:
            group = found.get(group_id) or Group(group_id, session, name, (), created_at)
            members = (*group.members, member) if member is not None else group.members
            found[group_id] = Group(group_id, session, name, members, created_at)
        return list(found.values())

    def groups(self, session: str = DEFAULT_SESSION) -> list[Group]:
        return self._groups_where("g.session = ?", (session,))

    def group_of(self, participant_id: str) -> Group | None:
        """The participant's group in the session they are in now (a person who came
        back for a later session is in none of its groups until placed)."""
        found = self._groups_where(
            "g.id IN (SELECT group_id FROM group_members WHERE participant = ?)"
            " AND g.session = (SELECT session FROM participants WHERE id = ?)",
            (participant_id, participant_id),
        )
        return found[-1] if found else None

    def place_in_group(self, participant_id: str) -> Group | None:
        """Put a participant who is in no group into the smallest of the session's
        current groups (the first of the smallest); None when there are no groups.
        A participant already in a group stays there."""
        person = self._person(participant_id)
        placed = self.group_of(participant_id)
        if placed is not None:
            return placed
        if not self._rows(
            "SELECT 1 FROM groups WHERE session = ? AND dissolved_at IS NULL LIMIT 1",
            (person.session,),
        ):
            return None  # a room still arriving: no groups yet, and no writer waited on
        with self._tx() as tx:
            self._dialect.lock(tx.cursor, f"groups:{person.session}")
            rows = tx.execute(
                "SELECT g.id, COUNT(m.participant), MAX(m.position),"
                " SUM(CASE WHEN m.participant = ? THEN 1 ELSE 0 END) FROM groups g"
                " LEFT JOIN group_members m ON m.group_id = g.id"
                " WHERE g.session = ? AND g.dissolved_at IS NULL"
                " GROUP BY g.id, g.created_at ORDER BY g.created_at, g.id",
                (participant_id, person.session),
            ).all()
            if rows and not any(r[3] for r in rows):  # else: no groups, or placed meanwhile
                chosen = min(rows, key=lambda r: r[1])
                tx.execute(
                    "INSERT INTO group_members (group_id, participant, position) VALUES (?, ?, ?)",
                    (chosen[0], participant_id, (chosen[2] if chosen[2] is not None else -1) + 1),
                )
        return self.group_of(participant_id) if rows else None

    def leave_group(self, participant_id: str) -> Group | None:
        """Take a participant out of their group (they left the room): later rounds of a
        run go on without them. Returns the group they left, None when in none. If they
        come back, joining places them in a group again."""
        group = self.group_of(participant_id)
        if group is None:
            return None
        with self._tx() as tx:
            tx.execute(
                "DELETE FROM group_members WHERE group_id = ? AND participant = ?",
                (group.id, participant_id),
            )
        return group
