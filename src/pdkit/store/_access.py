"""Who may see what a teacher wrote: visibility, viewers, peer feedback, coaching.

Everything a teacher writes has a *visibility*, chosen per item (a goal, one
reflection): an item is one participant's answers to one form. The levels nest, each
one adding people to the one before::

    private   only the teacher (the default)
    coach     … and the teacher's coaches
    group     … and the members of the teacher's current group
    session   … and everyone in the teacher's session (facilitators included)

Every read of a participant's writing takes a ``viewer``: who is asking. The store
looks the viewer up in its own tables (a participant's role and session, their
group, whom a coach coaches), so a caller cannot claim a role it does not have, and
answers only what that viewer may see. A participant id means that participant;
:meth:`Viewer.facilitator` is a session's facilitator (session-level items only, and
counts); :meth:`Viewer.steward` is whoever holds the store itself (the person who runs
``pdkit serve``, a coach's ``pdkit review`` of the store): every teacher's items at
``coach`` level and above, and private writing only when asked for by name
(``include_private=True``, for giving teachers their own copies back).

Peer feedback is written by a giver about another participant's item, which the giver
must be able to see; it is seen by the giver and the receiver only.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from typing import Any

from ..errors import AccessError, StoreError
from ._base import Group, JSONValue, NoteEvent, Participant
from ._rows import new_id

__all__ = [
    "VISIBILITIES",
    "Feedback",
    "SharedItem",
    "SharingSQL",
    "Viewer",
    "ViewerLike",
    "allowed",
]

VISIBILITIES = ("private", "coach", "group", "session")
"""The visibility levels, from the narrowest; each includes everyone of the one before."""

DEFAULT_VISIBILITY = "private"

_OPTION_ID = re.compile(r"^[a-z0-9_-]{1,64}$")


@dataclass(frozen=True)
class Viewer:
    """Who asks to read: a participant, a session's facilitator or the store's steward.

    Build one with :meth:`of`, :meth:`facilitator` or :meth:`steward`; a plain
    participant id is accepted wherever a viewer is, and means :meth:`of` that id.
    """

    participant: str | None = None
    facilitator_of: str | None = None
    is_steward: bool = False
    include_private: bool = False

    @classmethod
    def of(cls, participant_id: str) -> Viewer:
        """The participant with this id (their role and session come from the store)."""
        return cls(participant=participant_id)

    @classmethod
    def facilitator(cls, session: str) -> Viewer:
        """The facilitator of ``session``: sees what is shared with the whole session."""
        return cls(facilitator_of=session)

    @classmethod
    def steward(cls, *, include_private: bool = False) -> Viewer:
        """Whoever holds the store: every teacher's items shared at ``coach`` level or
        wider; private writing too only with ``include_private``."""
        return cls(is_steward=True, include_private=include_private)

    def __str__(self) -> str:
        if self.participant is not None:
            return f"participant {self.participant}"
        if self.facilitator_of is not None:
            return f"the facilitator of session {self.facilitator_of!r}"
        return "the store's steward" + (" (with private writing)" if self.include_private else "")


ViewerLike = Viewer | str
"""A :class:`Viewer`, or a participant id (that participant)."""


def as_viewer(viewer: ViewerLike) -> Viewer:
    if isinstance(viewer, Viewer):
        return viewer
    if isinstance(viewer, str) and viewer:
        return Viewer.of(viewer)
    raise TypeError(f"viewer must be a pdkit.store.Viewer or a participant id, not {viewer!r}")


def allowed(
    viewer: Viewer,
    viewer_person: Participant | None,
    owner: Participant,
    level: str,
    *,
    same_group: bool,
    coaches_owner: bool,
) -> bool:
    """Whether ``viewer`` may see ``owner``'s item shared at ``level``.

    ``viewer_person`` is the viewer's own record (None for a facilitator or the
    steward); ``same_group`` and ``coaches_owner`` are facts the store looked up.
    """
    if viewer.participant is not None and viewer.participant == owner.id:
        return True
    rank = VISIBILITIES.index(level) if level in VISIBILITIES else 0
    if viewer.is_steward:
        return viewer.include_private or rank >= 1
    if rank == 0:
        return False
    if viewer.facilitator_of is not None:
        return rank >= 3 and viewer.facilitator_of == owner.session
    if viewer_person is None:
        return False
    if coaches_owner:
        return True
    if rank >= 2 and same_group:
        return True
    return rank >= 3 and viewer_person.session == owner.session


@dataclass(frozen=True)
class SharedItem:
    """Another participant's item that the viewer may see: their current answers."""

    owner: Participant
    form: str
    visibility: str
    answers: Mapping[str, JSONValue]
    updated_at: float


@dataclass(frozen=True)
class Feedback:
    """One piece of peer feedback on a participant's item (``owner``, ``form``).

    ``helpful`` is None until the receiver marks it (True or False).
    """

    id: str
    session: str
    giver: str
    owner: str
    form: str
    category: str
    text: str
    at: float
    run: str | None = None
    helpful: bool | None = None


_FEEDBACK_COLUMNS = "id, session, giver, owner, form, category, text, at, run, helpful"


def _feedback_from_row(row: Sequence[Any]) -> Feedback:
    helpful = None if row[9] is None else bool(row[9])
    return Feedback(row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7], row[8], helpful)


class SharingSQL:
    """Visibility, coaching, peer feedback and revision marks, written once for both SQL
    backends (a mixin). SQL is written with ``?`` placeholders; a backend whose driver
    wants another sets :attr:`_mark`. The backend provides ``_read``, ``_write``,
    ``_clock``, ``url``, ``get_participant`` and ``group_of``."""

    _mark = "?"
    _clock: Callable[[], float]

    # Provided by the backend.
    def _read(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        raise NotImplementedError

    def _write(self) -> AbstractContextManager[Any]:
        raise NotImplementedError

    @property
    def url(self) -> str:
        raise NotImplementedError

    def get_participant(self, participant_id: str) -> Participant | None:
        raise NotImplementedError

    def group_of(self, participant_id: str) -> Group | None:
        raise NotImplementedError

    # ------------------------------------------------------------------ plumbing

    def _q(self, sql: str) -> str:
        return sql if self._mark == "?" else sql.replace("?", self._mark)

    def _rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        return self._read(self._q(sql), params)

    def _person(self, participant_id: str, what: str = "participant") -> Participant:
        person = self.get_participant(participant_id)
        if person is None:
            raise StoreError(f"no {what} {participant_id!r} in the store {self.url}")
        return person

    # ------------------------------------------------------------------ visibility

    def set_visibility(self, participant_id: str, form_id: str, level: str) -> None:
        """Who can see ``participant_id``'s answers to ``form_id`` from now on."""
        if level not in VISIBILITIES:
            raise StoreError(
                f"{level!r} is not a visibility; choose one of {', '.join(VISIBILITIES)}"
            )
        self._person(participant_id)
        with self._write() as db:
            db.execute(
                self._q(
                    "INSERT INTO visibility (participant, form, level, at) VALUES (?, ?, ?, ?)"
                ),
                (participant_id, form_id, level, self._clock()),
            )

    def visibility(self, participant_id: str, form_id: str) -> str:
        """The item's current visibility (``private`` until the teacher shares it)."""
        rows = self._rows(
            "SELECT level FROM visibility WHERE participant = ? AND form = ?"
            " ORDER BY seq DESC LIMIT 1",
            (participant_id, form_id),
        )
        return str(rows[0][0]) if rows else DEFAULT_VISIBILITY

    def _levels(self, form_id: str, owners: Sequence[str]) -> dict[str, str]:
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
                f"{as_viewer(viewer)} may not read what participant {participant_id} wrote in "
                f"{form_id!r}: it is not shared with them"
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
            raise StoreError("say which session: shared(form_id, viewer=…, session=…)")
        from ._rows import PARTICIPANT_COLUMNS, participant_from_row

        people = [
            participant_from_row(r)
            for r in self._rows(
                f"SELECT {PARTICIPANT_COLUMNS} FROM participants WHERE session = ?"  # noqa: S608
                " ORDER BY created_at, id",
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
                f"{who} may not read the choices of session {session!r}: only its "
                "facilitator may (to form groups and count)"
            )
        rows = self._rows(
            "SELECT participant, value FROM responses WHERE seq IN (SELECT MAX(seq) FROM"
            " responses WHERE session = ? AND form = ? AND field = ? GROUP BY participant)",
            (session, form_id, field_id),
        )
        found: dict[str, str] = {}
        for pid, text in rows:
            value = json.loads(text)
            if isinstance(value, str) and _OPTION_ID.match(value):
                found[pid] = value
        return found

    # ------------------------------------------------------------------ notes and groups

    def _require_notes(self, viewer: ViewerLike, participant_id: str) -> None:
        who = as_viewer(viewer)
        if who.participant != participant_id and not (who.is_steward and who.include_private):
            raise AccessError(
                f"{who} may not read participant {participant_id}'s protocol notes: "
                "notes are private to the person who wrote them"
            )

    def _visible_notes(self, viewer: ViewerLike, notes: list[NoteEvent]) -> list[NoteEvent]:
        """Notes are their writer's: a participant gets their own, the steward all of
        them only with ``include_private``."""
        who = as_viewer(viewer)
        if who.is_steward and who.include_private:
            return notes
        return [n for n in notes if n.participant == who.participant]

    def note_writers(self, run_id: str) -> dict[tuple[str, str], set[str]]:
        """Who wrote notes, per (group id, step id) of a run: ids only, never text (the
        facilitator's progress view)."""
        writers: dict[tuple[str, str], set[str]] = {}
        for group_id, step_id, pid in self._rows(
            "SELECT DISTINCT group_id, step, participant FROM notes WHERE run = ?", (run_id,)
        ):
            writers.setdefault((group_id, step_id), set()).add(pid)
        return writers

    def _lock_groups(self, db: Any) -> None:
        """Hold the session's groups still until the transaction ends (SQLite's write
        lock already does; PostgreSQL takes an advisory lock)."""

    def place_in_group(self, participant_id: str) -> Group | None:
        """Put a participant who is in no group into the smallest of the session's
        current groups (the first of the smallest); None when there are no groups.
        A participant already in a group stays there."""
        person = self._person(participant_id)
        placed = self.group_of(participant_id)
        if placed is not None:
            return placed
        with self._write() as db:
            self._lock_groups(db)
            rows = db.execute(
                self._q(
                    "SELECT g.id, COUNT(m.participant), MAX(m.position),"
                    " SUM(CASE WHEN m.participant = ? THEN 1 ELSE 0 END) FROM groups g"
                    " LEFT JOIN group_members m ON m.group_id = g.id"
                    " WHERE g.session = ? AND g.dissolved_at IS NULL"
                    " GROUP BY g.id, g.created_at ORDER BY g.created_at, g.id"
                ),
                (participant_id, person.session),
            ).fetchall()
            if not rows or any(r[3] for r in rows):
                chosen = None  # no groups; or placed meanwhile by another page of theirs
            else:
                chosen = min(rows, key=lambda r: r[1])
                db.execute(
                    self._q(
                        "INSERT INTO group_members (group_id, participant, position)"
                        " VALUES (?, ?, ?)"
                    ),
                    (chosen[0], participant_id, (chosen[2] if chosen[2] is not None else -1) + 1),
                )
        return self.group_of(participant_id) if rows else None

    # ------------------------------------------------------------------ coaching

    def assign_coach(self, coach_id: str, teacher_ids: Sequence[str]) -> None:
        """Make ``coach_id`` (a participant with the role ``coach``) the coach of these
        teachers: they then see the teachers' items shared at ``coach`` level."""
        coach = self._person(coach_id, "coach")
        if coach.role != "coach":
            raise StoreError(
                f"participant {coach_id} is a {coach.role}, not a coach; create coaches with "
                "create_participant(name, role='coach')"
            )
        for teacher in teacher_ids:
            self._person(teacher, "teacher")
        known = self._coached_by(coach_id)
        now = self._clock()
        with self._write() as db:
            for teacher in dict.fromkeys(teacher_ids):
                if teacher not in known:
                    db.execute(
                        self._q("INSERT INTO coaching (coach, teacher, at) VALUES (?, ?, ?)"),
                        (coach_id, teacher, now),
                    )

    def coaches_of(self, teacher_id: str) -> list[str]:
        """The ids of the teacher's coaches."""
        return [
            r[0]
            for r in self._rows(
                "SELECT coach FROM coaching WHERE teacher = ? ORDER BY at, coach", (teacher_id,)
            )
        ]

    # ------------------------------------------------------------------ peer feedback

    def give_feedback(
        self,
        giver_id: str,
        owner_id: str,
        form_id: str,
        category: str,
        text: str,
        *,
        run_id: str | None = None,
    ) -> Feedback:
        """Record ``giver_id``'s feedback on ``owner_id``'s item; the giver must be able
        to see the item (:class:`pdkit.AccessError` otherwise)."""
        if giver_id == owner_id:
            raise StoreError("feedback is for someone else's item, not one's own")
        if not text.strip():
            raise StoreError("write the feedback before sending it: it is empty")
        giver = self._person(giver_id)
        self._require(giver_id, owner_id, form_id)
        item = Feedback(
            id=new_id(),
            session=giver.session,
            giver=giver_id,
            owner=owner_id,
            form=form_id,
            category=category,
            text=text,
            at=self._clock(),
            run=run_id,
        )
        with self._write() as db:
            db.execute(
                self._q(
                    f"INSERT INTO feedback ({_FEEDBACK_COLUMNS})"  # noqa: S608
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                ),
                (
                    item.id,
                    item.session,
                    item.giver,
                    item.owner,
                    item.form,
                    item.category,
                    item.text,
                    item.at,
                    item.run,
                    None,
                ),
            )
        return item

    def feedback(
        self,
        *,
        viewer: ViewerLike,
        owner_id: str | None = None,
        form_id: str | None = None,
        session: str | None = None,
    ) -> list[Feedback]:
        """Feedback the viewer may see, oldest first: what they received and what they
        gave (the steward with ``include_private``: all of a session's)."""
        who = as_viewer(viewer)
        sql = f"SELECT {_FEEDBACK_COLUMNS} FROM feedback WHERE 1 = 1"  # noqa: S608
        params: list[Any] = []
        if who.participant is not None:
            sql += " AND (owner = ? OR giver = ?)"
            params += [who.participant, who.participant]
        elif not (who.is_steward and who.include_private):
            return []
        for column, value in (("owner", owner_id), ("form", form_id), ("session", session)):
            if value is not None:
                sql += f" AND {column} = ?"
                params.append(value)
        return [_feedback_from_row(r) for r in self._rows(sql + " ORDER BY at, id", tuple(params))]

    def mark_helpful(self, feedback_id: str, participant_id: str, helpful: bool = True) -> Feedback:
        """The receiver says whether a piece of feedback helped (only the receiver may)."""
        rows = self._rows(
            f"SELECT {_FEEDBACK_COLUMNS} FROM feedback WHERE id = ?",  # noqa: S608
            (feedback_id,),
        )
        if not rows:
            raise StoreError(f"no feedback {feedback_id!r} in the store {self.url}")
        item = _feedback_from_row(rows[0])
        if item.owner != participant_id:
            raise AccessError(
                f"participant {participant_id} did not receive this feedback: only its "
                "receiver can mark it helpful"
            )
        with self._write() as db:
            db.execute(
                self._q("UPDATE feedback SET helpful = ?, marked_at = ? WHERE id = ?"),
                (1 if helpful else 0, self._clock(), feedback_id),
            )
        return replace(item, helpful=helpful)

    # ------------------------------------------------------------------ pseudonyms

    def pseudonym(self, participant_id: str) -> str:
        """A stable pseudonym for a participant: the same at every call on this store,
        unrelated to the id without the store's own key (kept in the store, made on
        first use), so exports of two stores cannot be linked by it."""
        rows = self._rows("SELECT value FROM pdkit_meta WHERE key = 'pseudonym_key'")
        if not rows:
            with self._write() as db:
                db.execute(
                    self._q(
                        "INSERT INTO pdkit_meta (key, value) VALUES ('pseudonym_key', ?)"
                        " ON CONFLICT (key) DO NOTHING"
                    ),
                    (secrets.token_hex(32),),
                )
            rows = self._rows("SELECT value FROM pdkit_meta WHERE key = 'pseudonym_key'")
        key = bytes.fromhex(str(rows[0][0]))
        digest = hmac.new(key, participant_id.encode("utf-8"), hashlib.sha256).hexdigest()
        return f"anon-{digest[:16]}"

    # ------------------------------------------------------------------ revisions

    def start_revision(self, participant_id: str, form_id: str) -> float:
        """Close the current version of an item: answers saved from now on make the next
        version. Returns the time of the mark."""
        self._person(participant_id)
        at = self._clock()
        with self._write() as db:
            db.execute(
                self._q("INSERT INTO revisions (participant, form, at) VALUES (?, ?, ?)"),
                (participant_id, form_id, at),
            )
        return at

    def revision_marks(self, participant_id: str, form_id: str) -> list[float]:
        """When the participant started a new version of the item, oldest first."""
        rows = self._rows(
            "SELECT at FROM revisions WHERE participant = ? AND form = ? ORDER BY seq",
            (participant_id, form_id),
        )
        return [float(r[0]) for r in rows]
