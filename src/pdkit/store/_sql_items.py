"""A participant's items in SQL: answers, who can see them, what others share, coaching,
peer feedback, revision marks and pseudonyms (see :mod:`._sql_base`)."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from ..definitions.ids import GOAL_FORM
from ..errors import AccessError, StoreError
from ..followup import REVISABLE, REVISED
from ..i18n import N_
from ..revisions import versions_of
from ._access import (
    DEFAULT_VISIBILITY,
    VISIBILITIES,
    ViewerLike,
    allowed,
    as_viewer,
    is_option_id,
)
from ._records import JSONValue, Participant, ResponseEvent, SharedItem
from ._sql_access import AccessSQL
from ._sql_base import PARTICIPANT_COLUMNS, encode, participant_from_row

__all__ = ["ItemsSQL"]

_RESPONSE_COLUMNS = "seq, participant, form, field, value, at, spec_version, session"


def _response_from_row(row: Sequence[Any]) -> ResponseEvent:
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


class ItemsSQL(AccessSQL):
    """Answers and everything about who sees them (see the module docs)."""

    # ------------------------------------------------------------------ answers

    def record(
        self,
        participant_id: str,
        form_id: str,
        answers: Mapping[str, JSONValue],
        *,
        spec_version: str,
    ) -> list[ResponseEvent]:
        encoded = encode(answers)
        events: list[ResponseEvent] = []
        with self._tx() as tx:
            # Looked up in the same transaction: a failure here says "nothing was saved"
            # like any other failed write.
            found = tx.execute(
                "SELECT session FROM participants WHERE id = ?", (participant_id,)
            ).one()
            if found is None:
                raise StoreError(
                    N_("no participant {id!r} in the store {url}"), id=participant_id, url=self.url
                )
            session = found[0]
            at = self._clock()
            for field_id, text in encoded:
                seq = tx.insert(
                    "INSERT INTO responses (session, participant, form, field, value, at,"
                    " spec_version) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (session, participant_id, form_id, field_id, text, at, spec_version),
                )
                events.append(
                    ResponseEvent(
                        seq=seq,
                        participant=participant_id,
                        form=form_id,
                        field=field_id,
                        value=json.loads(text),
                        at=at,
                        spec_version=spec_version,
                        session=session,
                    )
                )
        return events

    def latest(
        self, participant_id: str, form_id: str, *, viewer: ViewerLike
    ) -> dict[str, JSONValue]:
        self._require(viewer, participant_id, form_id)
        rows = self._rows(
            "SELECT field, value FROM responses WHERE seq IN ("
            " SELECT MAX(seq) FROM responses WHERE participant = ? AND form = ? GROUP BY field)"
            " ORDER BY seq",
            (participant_id, form_id),
        )
        return {field: json.loads(value) for field, value in rows}

    def history(
        self,
        participant_id: str,
        form_id: str,
        field_id: str | None = None,
        *,
        viewer: ViewerLike,
    ) -> list[ResponseEvent]:
        self._require(viewer, participant_id, form_id)
        sql = f"SELECT {_RESPONSE_COLUMNS} FROM responses WHERE participant = ? AND form = ?"  # noqa: S608
        params: tuple[Any, ...] = (participant_id, form_id)
        if field_id is not None:
            sql += " AND field = ?"
            params += (field_id,)
        return [_response_from_row(r) for r in self._rows(sql + " ORDER BY seq", params)]

    def answered_forms(self, participant_id: str) -> list[str]:
        """The ids of the forms the participant has answered, sorted (ids only)."""
        rows = self._rows(
            "SELECT DISTINCT form FROM responses WHERE participant = ? ORDER BY form",
            (participant_id,),
        )
        return [str(r[0]) for r in rows]

    # ------------------------------------------------------------------ revisions

    def start_revision(self, participant_id: str, form_id: str) -> float:
        """Close the current version of an item: answers saved from now on make the next
        version. Returns the time of the mark."""
        self._person(participant_id)
        at = self._clock()
        with self._tx() as tx:
            tx.execute(
                "INSERT INTO revisions (participant, form, at) VALUES (?, ?, ?)",
                (participant_id, form_id, at),
            )
            # A goal agreed (or being worked on, or met) that gets a new version is
            # "revised": the new version is agreed again (pdkit.followup).
            found = tx.execute(
                "SELECT status FROM goal_status WHERE participant = ? AND form = ?"
                " ORDER BY seq DESC LIMIT 1",
                (participant_id, form_id),
            ).one()
            if found is not None and found[0] in REVISABLE:
                tx.execute(
                    "INSERT INTO goal_status (participant, form, status, by_participant, note,"
                    " at) VALUES (?, ?, ?, ?, '', ?)",
                    (participant_id, form_id, REVISED, participant_id, at),
                )
        return at

    def revision_marks(self, participant_id: str, form_id: str) -> list[float]:
        """When the participant started a new version of the item, oldest first."""
        rows = self._rows(
            "SELECT at FROM revisions WHERE participant = ? AND form = ? ORDER BY seq",
            (participant_id, form_id),
        )
        return [float(r[0]) for r in rows]

    def _goal_version_now(self, teacher_id: str) -> int | None:
        """The number of the teacher's goal version in force now (None: no goal yet),
        by the one versions rule (:func:`pdkit.revisions.versions_of`); what evidence
        and observations are linked to."""
        rows = self._rows(
            "SELECT field, value, at FROM responses WHERE participant = ? AND form = ?"
            " ORDER BY seq",
            (teacher_id, GOAL_FORM),
        )
        if not rows:
            return None
        found = versions_of(
            [str(r[0]) for r in rows],
            [json.loads(r[1]) for r in rows],
            [float(r[2]) for r in rows],
            self.revision_marks(teacher_id, GOAL_FORM),
        )
        return found[-1].number if found else None

    # ------------------------------------------------------------------ sharing

    def set_visibility(self, participant_id: str, form_id: str, level: str) -> None:
        """Who can see ``participant_id``'s answers to ``form_id`` from now on."""
        if level not in VISIBILITIES:
            raise StoreError(
                N_("{level!r} is not a visibility; choose one of {levels}"),
                level=level,
                levels=", ".join(VISIBILITIES),
            )
        self._person(participant_id)
        with self._tx() as tx:
            tx.execute(
                "INSERT INTO visibility (participant, form, level, at) VALUES (?, ?, ?, ?)",
                (participant_id, form_id, level, self._clock()),
            )

    def shared(
        self, form_id: str, *, viewer: ViewerLike, session: str | None = None
    ) -> list[SharedItem]:
        """Other participants' items of ``form_id`` that ``viewer`` may see, with their
        current answers, in joining order. ``session`` defaults to the viewer's own (a
        facilitator's; the steward must name one)."""
        who = as_viewer(viewer)
        person, members, coached = self._viewer_facts(who)
        where = session or (person.session if person else who.facilitator_of)
        if where is None:
            raise StoreError(N_("say which session: shared(form_id, viewer=…, session=…)"))
        people = [
            participant_from_row(r)
            for r in self._rows(
                f"SELECT {PARTICIPANT_COLUMNS} FROM participants WHERE session = ?"  # noqa: S608
                " ORDER BY created_at, {ord}",
                (where,),
            )
        ]
        others = [p for p in people if p.id != who.participant]
        levels = self._levels(form_id, [p.id for p in others])
        visible = [
            p
            for p in others
            if allowed(
                who,
                person,
                p,
                levels.get(p.id, DEFAULT_VISIBILITY),
                same_group=p.id in members,
                coaches_owner=p.id in coached,
            )
        ]
        if not visible:
            return []
        marks = ", ".join("?" * len(visible))
        rows = self._rows(
            "SELECT participant, field, value, at FROM responses WHERE seq IN ("  # noqa: S608
            " SELECT MAX(seq) FROM responses WHERE form = ?"
            f" AND participant IN ({marks}) GROUP BY participant, field) ORDER BY seq",
            (form_id, *(p.id for p in visible)),
        )
        answers: dict[str, dict[str, JSONValue]] = {}
        updated: dict[str, float] = {}
        for pid, field_id, value, at in rows:
            answers.setdefault(pid, {})[field_id] = json.loads(value)
            updated[pid] = max(updated.get(pid, 0.0), float(at))
        return [
            SharedItem(
                p, form_id, levels.get(p.id, DEFAULT_VISIBILITY), answers[p.id], updated[p.id]
            )
            for p in visible
            if p.id in answers
        ]

    def choices(
        self, session: str, form_id: str, field_id: str, *, viewer: ViewerLike
    ) -> dict[str, str]:
        """Each participant's current choice in a choice field (an option id such as a
        school goal), for the session's facilitator (or the steward) to form groups and
        count, whatever the item's visibility: a choice is a category, not writing.
        Anything that is not an option id (free text) is never returned; anyone else
        gets :class:`pdkit.AccessError`."""
        who = as_viewer(viewer)
        if not (who.is_steward or who.facilitator_of == session):
            raise AccessError(
                N_(
                    "{who} may not read the choices of session {session!r}: only its "
                    "facilitator may (to form groups and count)"
                ),
                who=who.described(),
                session=session,
            )
        rows = self._rows(
            "SELECT participant, value FROM responses WHERE seq IN (SELECT MAX(seq) FROM"
            " responses WHERE session = ? AND form = ? AND field = ? GROUP BY participant)",
            (session, form_id, field_id),
        )
        found: dict[str, str] = {}
        for pid, text in rows:
            value = json.loads(text)
            if is_option_id(value):
                found[pid] = value
        return found

    # ------------------------------------------------------------------ coaching

    def assign_coach(self, coach_id: str, teacher_ids: Sequence[str]) -> None:
        """Make ``coach_id`` (a participant with the role ``coach``) the coach of these
        teachers: they then see the teachers' items shared at ``coach`` level."""
        coach = self._person(coach_id, "coach")
        if coach.role != "coach":
            raise StoreError(
                N_(
                    "participant {coach} is a {role}, not a coach; create coaches with "
                    "create_participant(name, role='coach')"
                ),
                coach=coach_id,
                role=coach.role,
            )
        for teacher in teacher_ids:
            self._person(teacher, "teacher")
        known = self._coached_by(coach_id)
        now = self._clock()
        with self._tx() as tx:
            for teacher in dict.fromkeys(teacher_ids):
                if teacher not in known:
                    tx.execute(
                        "INSERT INTO coaching (coach, teacher, at) VALUES (?, ?, ?)",
                        (coach_id, teacher, now),
                    )

    def unassign_coach(self, coach_id: str, teacher_ids: Sequence[str]) -> list[str]:
        """The coach no longer coaches these teachers: from now on they see none of their
        items (what was said in their thread stays). Returns the ids that were in the
        coach's caseload; a teacher who was not is left as they are."""
        self._person(coach_id, "coach")
        for teacher in teacher_ids:
            self._person(teacher, "teacher")
        known = self._coached_by(coach_id)
        gone = [t for t in dict.fromkeys(teacher_ids) if t in known]
        with self._tx() as tx:
            for teacher in gone:
                tx.execute(
                    "DELETE FROM coaching WHERE coach = ? AND teacher = ?", (coach_id, teacher)
                )
        return gone

    def coaches(self, session: str | None = None) -> list[Participant]:
        """Every coach in the store (role ``coach``), in the order they were added; with
        ``session``, the coaches added for that session only."""
        where, params = ("AND session = ?", (session,)) if session is not None else ("", ())
        rows = self._rows(
            f"SELECT {PARTICIPANT_COLUMNS} FROM participants WHERE role = 'coach' {where}"  # noqa: S608
            " ORDER BY created_at, id",
            params,
        )
        return [participant_from_row(r) for r in rows]

    def coached_by(self, coach_id: str) -> list[str]:
        """The ids of the coach's teachers (their caseload), in the order assigned."""
        return [
            r[0]
            for r in self._rows(
                "SELECT teacher FROM coaching WHERE coach = ? ORDER BY at, teacher", (coach_id,)
            )
        ]

    def coaches_of(self, teacher_id: str) -> list[str]:
        """The ids of the teacher's coaches."""
        return [
            r[0]
            for r in self._rows(
                "SELECT coach FROM coaching WHERE teacher = ? ORDER BY at, coach", (teacher_id,)
            )
        ]

    # ------------------------------------------------------------------ pseudonyms

    def pseudonym(self, participant_id: str) -> str:
        """A stable pseudonym for a participant: the same at every call on this store,
        unrelated to the id without the store's own key (kept in the store, made on
        first use), so exports of two stores cannot be linked by it."""
        query = "SELECT value FROM pdkit_meta WHERE key = 'pseudonym_key'"
        rows = self._rows(query)
        if not rows:
            with self._tx() as tx:
                tx.execute(
                    "INSERT INTO pdkit_meta (key, value) VALUES ('pseudonym_key', ?)"
                    " ON CONFLICT (key) DO NOTHING",
                    (secrets.token_hex(32),),
                )
            rows = self._rows(query)
        key = bytes.fromhex(str(rows[0][0]))
        digest = hmac.new(key, participant_id.encode("utf-8"), hashlib.sha256).hexdigest()
        return f"anon-{digest[:16]}"
