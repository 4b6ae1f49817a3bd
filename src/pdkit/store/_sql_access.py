"""Who may read what, looked up in SQL: an item's visibility, the viewer's record, group
and coachees, and the check every read of a teacher's writing goes through. The rules
themselves are pure functions (:mod:`._access`)."""

from __future__ import annotations

from collections.abc import Sequence

from ..errors import AccessError
from ..i18n import N_
from ._access import DEFAULT_VISIBILITY, Viewer, ViewerLike, allowed, as_viewer
from ._records import Participant
from ._sql_groups import GroupsSQL

__all__ = ["AccessSQL"]


class AccessSQL(GroupsSQL):
    """The access check (see the module docs)."""

    def visibility(self, participant_id: str, form_id: str) -> str:
        """The item's current visibility (``private`` until the teacher shares it)."""
        rows = self._rows(
            "SELECT level FROM visibility WHERE participant = ? AND form = ?"
            " ORDER BY seq DESC LIMIT 1",
            (participant_id, form_id),
        )
        return str(rows[0][0]) if rows else DEFAULT_VISIBILITY

    def _levels(self, form_id: str, owners: Sequence[str]) -> dict[str, str]:
        """The current visibility of each owner's item of ``form_id`` that has one."""
        if not owners:
            return {}
        marks = ", ".join("?" * len(owners))
        rows = self._rows(
            "SELECT participant, level FROM visibility WHERE seq IN (SELECT MAX(seq) FROM"  # noqa: S608
            f" visibility WHERE form = ? AND participant IN ({marks}) GROUP BY participant)",
            (form_id, *owners),
        )
        return {str(pid): str(level) for pid, level in rows}

    def _coached_by(self, coach_id: str) -> set[str]:
        rows = self._rows("SELECT teacher FROM coaching WHERE coach = ?", (coach_id,))
        return {str(r[0]) for r in rows}

    def _viewer_facts(self, viewer: Viewer) -> tuple[Participant | None, set[str], set[str]]:
        """The viewer's record, their current group's members and whom they coach."""
        if viewer.participant is None:
            return None, set(), set()
        person = self.get_participant(viewer.participant)
        if person is None:
            return None, set(), set()
        group = self.group_of(person.id)
        members = set(group.members) if group is not None else set()
        coached = self._coached_by(person.id) if person.role == "coach" else set()
        return person, members, coached

    def can_see(self, viewer: ViewerLike, participant_id: str, form_id: str) -> bool:
        """Whether ``viewer`` may read ``participant_id``'s answers to ``form_id``."""
        who = as_viewer(viewer)
        if who.participant == participant_id:
            return True  # one's own writing: no look-up needed (the participant's fast path)
        owner = self.get_participant(participant_id)
        if owner is None:
            return False
        person, members, coached = self._viewer_facts(who)
        return allowed(
            who,
            person,
            owner,
            self.visibility(participant_id, form_id),
            same_group=owner.id in members,
            coaches_owner=owner.id in coached,
        )

    def _require(self, viewer: ViewerLike, participant_id: str, form_id: str) -> None:
        if not self.can_see(viewer, participant_id, form_id):
            raise AccessError(
                N_(
                    "{who} may not read what participant {participant} wrote in "
                    "{form!r}: it is not shared with them"
                ),
                who=as_viewer(viewer).described(),
                participant=participant_id,
                form=form_id,
            )
