"""Observations of teaching in SQL: invitations, observations, their notes and shares.

The rules are pure (:mod:`pdkit.observations`); here they meet the tables, so they hold
whatever page asks:

- a teacher invites a colleague from their sessions to observe them, and may withdraw
  the invitation (``observation_invites``, a log: the latest state of a pair counts);
- a coach of the teacher may observe at any time; a colleague only while invited: both
  starting an observation and every later write check it again;
- what the observer writes is appended to ``observation_notes`` (the latest value of a
  part counts) until they send it; a sent observation is the teacher's and no longer
  changes;
- each observation is linked to the version of the teacher's goal in force when it was
  started and again when it was sent (:mod:`pdkit.revisions`, the one versions rule);
- every read names its viewer (:func:`pdkit.observations.may_read`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from ..definitions.ids import GOAL_FORM
from ..errors import AccessError, StoreError
from ..i18n import N_
from ..observations import GOAL_LOOK_FOR_FIELDS, SHARES, check_notes, may_read
from ._access import ViewerLike, as_viewer
from ._records import JSONValue, Observation, ObservationInvite, Participant, new_id
from ._sql_base import Tx, encode
from ._sql_items import ItemsSQL

__all__ = ["ObservationsSQL"]

_INVITED = "invited"
_WITHDRAWN = "withdrawn"
_HEAD = "id, teacher, observer, goal_version, created_at, sent_at"


class ObservationsSQL(ItemsSQL):
    """Observations (see the module docs)."""

    # ------------------------------------------------------------------ invitations

    def observation_colleagues(self, teacher_id: str, *, viewer: ViewerLike) -> list[Participant]:
        """The colleagues a teacher may invite: the teachers of the sessions they
        attended, themselves and coaches aside, in name order (the teacher and the
        steward read them)."""
        who = as_viewer(viewer)
        if who.participant != teacher_id and not who.is_steward:
            raise AccessError(
                N_("{who} may not read whom participant {teacher} may invite"),
                who=who.described(),
                teacher=teacher_id,
            )
        return self._colleagues(teacher_id)

    def _colleagues(self, teacher_id: str) -> list[Participant]:
        teacher = self._person(teacher_id, "teacher")
        found: dict[str, Participant] = {}
        for session in self.sessions_of(teacher.id):
            for person in self.participants(session):
                if person.id != teacher.id and person.role == "teacher":
                    found[person.id] = person
        return sorted(found.values(), key=lambda p: (p.display_name.casefold(), p.id))

    def invite_observer(self, teacher_id: str, peer_id: str) -> ObservationInvite:
        """The teacher invites a colleague (one from their sessions) to observe them."""
        self._person(teacher_id, "teacher")
        if peer_id == teacher_id:
            raise StoreError(N_("invite a colleague: you cannot observe yourself"))
        if peer_id not in {p.id for p in self._colleagues(teacher_id)}:
            raise StoreError(
                N_(
                    "participant {peer!r} is not a colleague from your sessions: invite "
                    "someone you took part in a session with"
                ),
                peer=peer_id,
            )
        invite = ObservationInvite(teacher_id, peer_id, self._clock())
        with self._tx() as tx:
            tx.execute(
                "INSERT INTO observation_invites (teacher, peer, state, at) VALUES (?, ?, ?, ?)",
                (teacher_id, peer_id, _INVITED, invite.at),
            )
        return invite

    def withdraw_invitation(self, teacher_id: str, peer_id: str) -> None:
        """The teacher withdraws their invitation: the colleague can no longer observe
        them nor change an observation they have not sent."""
        with self._tx() as tx:
            tx.execute(
                "INSERT INTO observation_invites (teacher, peer, state, at) VALUES (?, ?, ?, ?)",
                (teacher_id, peer_id, _WITHDRAWN, self._clock()),
            )

    def _standing(self, where: str, value: str) -> list[ObservationInvite]:
        rows = self._rows(
            "SELECT teacher, peer, state, at FROM observation_invites WHERE seq IN"  # noqa: S608
            f" (SELECT MAX(seq) FROM observation_invites WHERE {where} = ?"
            " GROUP BY teacher, peer) ORDER BY at",
            (value,),
        )
        return [ObservationInvite(r[0], r[1], float(r[3])) for r in rows if r[2] == _INVITED]

    def invitations(self, teacher_id: str, *, viewer: ViewerLike) -> list[ObservationInvite]:
        """The teacher's standing invitations (the teacher and the steward read them)."""
        who = as_viewer(viewer)
        if who.participant != teacher_id and not who.is_steward:
            raise AccessError(
                N_("{who} may not read whom participant {teacher} invited"),
                who=who.described(),
                teacher=teacher_id,
            )
        return self._standing("teacher", teacher_id)

    def may_observe(self, observer_id: str, teacher_id: str, *, viewer: ViewerLike) -> bool:
        """Whether ``observer_id`` may observe ``teacher_id`` now: one of their coaches,
        or a colleague whose invitation stands (the two of them and the steward ask)."""
        who = as_viewer(viewer)
        if who.participant not in (observer_id, teacher_id) and not who.is_steward:
            raise AccessError(
                N_("{who} may not ask who observes participant {teacher}"),
                who=who.described(),
                teacher=teacher_id,
            )
        return self._may_observe(observer_id, teacher_id)

    def _may_observe(self, observer_id: str, teacher_id: str) -> bool:
        if observer_id == teacher_id:
            return False
        if observer_id in self.coaches_of(teacher_id):
            return True
        return any(i.teacher == teacher_id for i in self._standing("peer", observer_id))

    def observable(self, observer_id: str, *, viewer: ViewerLike) -> list[str]:
        """Whom ``observer_id`` may observe now: the teachers they coach, then those who
        invited them (each once); the observer and the steward read it."""
        who = as_viewer(viewer)
        if who.participant != observer_id and not who.is_steward:
            raise AccessError(
                N_("{who} may not read whom participant {observer} may observe"),
                who=who.described(),
                observer=observer_id,
            )
        person = self._person(observer_id)
        found = self.coached_by(observer_id) if person.role == "coach" else []
        for invite in self._standing("peer", observer_id):
            if invite.teacher not in found:
                found.append(invite.teacher)
        return found

    def _require_observer(self, observer_id: str, teacher_id: str) -> None:
        if not self._may_observe(observer_id, teacher_id):
            raise AccessError(
                N_(
                    "participant {observer} may not observe participant {teacher}: "
                    "only their coach, or a colleague while the teacher's invitation stands"
                ),
                observer=observer_id,
                teacher=teacher_id,
            )

    # ------------------------------------------------------------------ look-fors

    def observation_goal(self, teacher_id: str, *, viewer: ViewerLike) -> dict[str, JSONValue]:
        """The parts of the teacher's goal its look-fors come from, as the teacher shares
        them with ``viewer``: an invited colleague sees them (the invitation shows them
        the goal to look for); a coach, when the goal is shared with them; else nothing."""
        who = as_viewer(viewer)
        if who.participant is None or not self._may_observe(who.participant, teacher_id):
            raise AccessError(
                N_("{who} may not observe participant {teacher}"),
                who=who.described(),
                teacher=teacher_id,
            )
        if who.participant in self.coaches_of(teacher_id) and not self.can_see(
            who, teacher_id, GOAL_FORM
        ):
            return {}
        found = self.latest(teacher_id, GOAL_FORM, viewer=teacher_id)
        return {k: found[k] for k in GOAL_LOOK_FOR_FIELDS if k in found}

    def goal_version(self, teacher_id: str, *, viewer: ViewerLike) -> int | None:
        """The number of the teacher's goal version in force now (None: no goal yet),
        for whoever may see the goal (the teacher, whom they share it with, the
        steward) or observe the teacher (an observation is linked to it)."""
        who = as_viewer(viewer)
        if not (
            who.is_steward  # a number, not the goal: as the observations it is on
            or self.can_see(who, teacher_id, GOAL_FORM)
            or (who.participant is not None and self._may_observe(who.participant, teacher_id))
        ):
            raise AccessError(
                N_("{who} may not read participant {teacher}'s goal"),
                who=who.described(),
                teacher=teacher_id,
            )
        return self._goal_version_now(teacher_id)

    # ------------------------------------------------------------------ observations

    def start_observation(
        self, observer_id: str, teacher_id: str, notes: Mapping[str, JSONValue] | None = None
    ) -> Observation:
        """A new observation of ``teacher_id`` by ``observer_id`` (who must be allowed to
        observe them), linked to the goal version in force, with its first ``notes``."""
        self._person(teacher_id, "teacher")
        self._require_observer(observer_id, teacher_id)
        checked = check_notes(notes or {})
        now = self._clock()
        version = self._goal_version_now(teacher_id)
        made = Observation(new_id(), teacher_id, observer_id, now, version)
        with self._tx() as tx:
            tx.execute(
                f"INSERT INTO observations ({_HEAD}) VALUES (?, ?, ?, ?, ?, NULL)",  # noqa: S608
                (made.id, teacher_id, observer_id, made.goal_version, now),
            )
            _append(tx, made.id, checked, now)
        return self.observation(made.id, viewer=observer_id)

    def write_observation(
        self, observation_id: str, notes: Mapping[str, JSONValue], *, by: str
    ) -> Observation:
        """Save parts of a draft observation as its observer types (only the observer,
        only while they may observe the teacher, only before it is sent)."""
        head = self._head(observation_id)
        if by != head.observer:
            raise AccessError(
                N_("participant {by} did not write observation {observation}"),
                by=by,
                observation=observation_id,
            )
        if head.sent:
            raise StoreError(N_("this observation was sent to the teacher: it no longer changes"))
        self._require_observer(by, head.teacher)
        checked = check_notes(notes)
        with self._tx() as tx:
            _append(tx, observation_id, checked, self._clock())
        return self.observation(observation_id, viewer=by)

    def send_observation(self, observation_id: str, *, by: str) -> Observation:
        """The observer sends the observation to the teacher: it is theirs from now on,
        linked to the goal version in force now."""
        head = self._head(observation_id)
        if by != head.observer:
            raise AccessError(
                N_("participant {by} did not write observation {observation}"),
                by=by,
                observation=observation_id,
            )
        if head.sent:
            return self.observation(observation_id, viewer=by)
        self._require_observer(by, head.teacher)
        version = self._goal_version_now(head.teacher)  # read before the write: one at a time
        with self._tx() as tx:
            tx.execute(
                "UPDATE observations SET sent_at = ?, goal_version = ? WHERE id = ?"
                " AND sent_at IS NULL",
                (self._clock(), version, observation_id),
            )
        return self.observation(observation_id, viewer=by)

    def share_observation(self, observation_id: str, level: str, *, by: str) -> None:
        """The teacher shares an observation of their teaching with their coach
        (``coach``), keeps it to themselves (``private``), or shares it as the goal is
        shared (``goal``, the default)."""
        head = self._head(observation_id)
        if by != head.teacher:
            raise AccessError(
                N_(
                    "participant {by} may not share observation {observation}: it is the "
                    "observed teacher's"
                ),
                by=by,
                observation=observation_id,
            )
        if level not in SHARES:
            raise StoreError(
                N_("share an observation as {shares}, not {level!r}"),
                shares=", ".join(SHARES),
                level=level,
            )
        with self._tx() as tx:
            tx.execute(
                "INSERT INTO observation_shares (observation, level, at) VALUES (?, ?, ?)",
                (observation_id, level, self._clock()),
            )

    def observation(self, observation_id: str, *, viewer: ViewerLike) -> Observation:
        """One observation, if ``viewer`` may read it (:class:`pdkit.AccessError` if not)."""
        found = self._full([self._head(observation_id)], viewer)
        if not found:
            raise AccessError(
                N_(
                    "{who} may not read observation {observation}: it is the "
                    "observed teacher's, and not shared with them"
                ),
                who=as_viewer(viewer).described(),
                observation=observation_id,
            )
        return found[0]

    def observations_of(self, teacher_id: str, *, viewer: ViewerLike) -> list[Observation]:
        """The observations of a teacher's teaching that ``viewer`` may read, newest first."""
        rows = self._rows(
            f"SELECT {_HEAD} FROM observations WHERE teacher = ?"  # noqa: S608
            " ORDER BY created_at DESC, id",
            (teacher_id,),
        )
        return self._full([_head_from_row(r) for r in rows], viewer)

    def observations_by(self, observer_id: str, *, viewer: ViewerLike) -> list[Observation]:
        """The observations ``observer_id`` wrote (drafts too) that ``viewer`` may read,
        newest first."""
        rows = self._rows(
            f"SELECT {_HEAD} FROM observations WHERE observer = ?"  # noqa: S608
            " ORDER BY created_at DESC, id",
            (observer_id,),
        )
        return self._full([_head_from_row(r) for r in rows], viewer)

    # ------------------------------------------------------------------ inside

    def _head(self, observation_id: str) -> Observation:
        rows = self._rows(
            f"SELECT {_HEAD} FROM observations WHERE id = ?",  # noqa: S608
            (observation_id,),
        )
        if not rows:
            raise StoreError(
                N_("no observation {observation!r} in the store {url}"),
                observation=observation_id,
                url=self.url,
            )
        return _head_from_row(rows[0])

    def _full(self, heads: Sequence[Observation], viewer: ViewerLike) -> list[Observation]:
        """The ``heads`` ``viewer`` may read, with their notes and shares."""
        who = as_viewer(viewer)
        shares = self._shares([h.id for h in heads])
        coaches: dict[str, list[str]] = {}
        goal_levels: dict[str, str] = {}
        readable: list[Observation] = []
        for head in heads:
            if head.teacher not in coaches:
                coaches[head.teacher] = self.coaches_of(head.teacher)
                goal_levels[head.teacher] = self.visibility(head.teacher, GOAL_FORM)
            share = shares.get(head.id, "goal")
            if may_read(
                viewer=who.participant,
                steward=who.is_steward,
                include_private=who.include_private,
                teacher=head.teacher,
                observer=head.observer,
                sent=head.sent,
                share=share,
                goal_level=goal_levels[head.teacher],
                coaches=coaches[head.teacher],
            ):
                readable.append(_with(head, share=share))
        notes = self._notes([h.id for h in readable])
        full = []
        for head in readable:
            values, updated = notes.get(head.id, ({}, head.created_at))
            full.append(_with(head, notes=values, updated_at=updated))
        return full

    def _shares(self, ids: Sequence[str]) -> dict[str, str]:
        if not ids:
            return {}
        marks = ", ".join("?" * len(ids))
        rows = self._rows(
            "SELECT observation, level FROM observation_shares"  # noqa: S608
            f" WHERE observation IN ({marks}) ORDER BY seq",
            tuple(ids),
        )
        return {str(r[0]): str(r[1]) for r in rows}

    def _notes(self, ids: Sequence[str]) -> dict[str, tuple[dict[str, Any], float]]:
        if not ids:
            return {}
        marks = ", ".join("?" * len(ids))
        rows = self._rows(
            "SELECT observation, field, value, at FROM observation_notes"  # noqa: S608
            f" WHERE observation IN ({marks}) ORDER BY seq",
            tuple(ids),
        )
        found: dict[str, tuple[dict[str, Any], float]] = {}
        for oid, part, value, at in rows:
            values, _ = found.get(str(oid), ({}, 0.0))
            values[str(part)] = json.loads(value)
            found[str(oid)] = (values, float(at))
        return found


def _append(tx: Tx, observation_id: str, checked: Mapping[str, Any], at: float) -> None:
    tx.executemany(
        "INSERT INTO observation_notes (observation, field, value, at) VALUES (?, ?, ?, ?)",
        [(observation_id, part, text, at) for part, text in encode(checked)],
    )


def _head_from_row(row: Sequence[Any]) -> Observation:
    return Observation(
        id=str(row[0]),
        teacher=str(row[1]),
        observer=str(row[2]),
        goal_version=None if row[3] is None else int(row[3]),
        created_at=float(row[4]),
        updated_at=float(row[4]),
        sent_at=None if row[5] is None else float(row[5]),
    )


def _with(head: Observation, **changes: Any) -> Observation:
    return replace(head, **changes)
