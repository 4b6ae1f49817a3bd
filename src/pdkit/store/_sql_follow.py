"""The weeks after a session in SQL: check-in schedules, when each teacher checked in,
the thread between a teacher and their coach, goal statuses, contacts for reminders and
the log of reminders sent.

The rules are pure and live elsewhere (:mod:`pdkit.followup`: which check-ins are due,
who may move a goal's status; :mod:`._access`: who may see what). Here they meet the
tables. Who may read:

- a teacher's check-in *times* and plan are statuses, like the facilitator's (never
  text); the teacher's own date (their goal's "By when?") counts only for a viewer who
  may see the goal;
- comments: the teacher, their coaches, and the store's steward;
- a goal's status: whoever may see the goal, and the teacher's coaches;
- a contact (an email address): the participant, and the steward (who sends reminders).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import date

from .._process import gone, this_process
from ..definitions.ids import CHECKIN_FORM, GOAL_FORM
from ..errors import AccessError, StoreError
from ..followup import ASKED, DRAFT, CheckinPlan, checkin_plan, status_move
from ..i18n import N_
from ..revisions import versions_of
from ._access import ViewerLike, as_viewer
from ._records import (
    DEFAULT_SESSION,
    CheckinSchedule,
    Comment,
    Contact,
    GoalStatus,
    new_id,
)
from ._sql_items import ItemsSQL
from ._sql_sessions import SessionsSQL

__all__ = ["MAX_COMMENT_CHARS", "FollowUpSQL", "check_email"]

MAX_COMMENT_CHARS = 5000
"""A comment holds at most this many characters."""

_EMAIL = re.compile(
    r"^[^@\s<>()\[\],;:\"]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)

CHANNELS = ("email",)
"""How reminders reach a teacher."""


class FollowUpSQL(ItemsSQL, SessionsSQL):
    """The weeks after a session (see the module docs)."""

    # ------------------------------------------------------------------ schedules

    def set_checkin_schedule(
        self, session: str, starts: date, dates: Sequence[date]
    ) -> CheckinSchedule:
        """The session's check-in dates from now on (replacing any before), counted from
        ``starts`` (the session day)."""
        if session != DEFAULT_SESSION and self.get_session(session) is None:
            raise StoreError(
                N_("no session {session!r} in the store {url}"), session=session, url=self.url
            )
        ordered = tuple(sorted(set(dates)))
        if any(d <= starts for d in ordered):
            raise StoreError(N_("check-in dates come after the session day"))
        text = json.dumps([d.isoformat() for d in ordered])
        with self._tx() as tx:
            tx.execute("DELETE FROM checkin_schedules WHERE session = ?", (session,))
            tx.execute(
                "INSERT INTO checkin_schedules (session, starts, dates, at) VALUES (?, ?, ?, ?)",
                (session, starts.isoformat(), text, self._clock()),
            )
        return CheckinSchedule(session, starts, ordered)

    def checkin_schedule(self, session: str) -> CheckinSchedule | None:
        """The session's check-in schedule, or None when it has none."""
        rows = self._rows(
            "SELECT starts, dates FROM checkin_schedules WHERE session = ?", (session,)
        )
        if not rows:
            return None
        starts, dates = rows[0]
        return CheckinSchedule(
            session,
            date.fromisoformat(str(starts)),
            tuple(date.fromisoformat(d) for d in json.loads(dates)),
        )

    # ------------------------------------------------------------------ check-ins

    def checkin_times(self, participant_id: str) -> list[float]:
        """When each of the participant's check-ins was made (the start of each version
        of their check-in item; :mod:`pdkit.revisions`): times only, never what they wrote."""
        rows = self._rows(
            "SELECT field, value, at FROM responses WHERE participant = ? AND form = ?"
            " ORDER BY seq",
            (participant_id, CHECKIN_FORM),
        )
        if not rows:
            return []
        marks = self.revision_marks(participant_id, CHECKIN_FORM)
        found = versions_of(
            [str(r[0]) for r in rows], [r[1] for r in rows], [float(r[2]) for r in rows], marks
        )
        return [v.started for v in found]

    def checkin_plan(self, participant_id: str, today: date, *, viewer: ViewerLike) -> CheckinPlan:
        """The participant's check-in dates on ``today``: done, due, overdue, upcoming
        (:func:`pdkit.followup.checkin_plan`). Their own date (the goal's "By when?")
        counts when ``viewer`` may see the goal."""
        person = self._person(participant_id)
        schedule = self.checkin_schedule(person.session)
        starts = schedule.starts if schedule else date.fromtimestamp(person.created_at)
        own: date | None = None
        if self.can_see(viewer, participant_id, GOAL_FORM):
            rows = self._rows(
                "SELECT value FROM responses WHERE participant = ? AND form = ? AND field = ?"
                " ORDER BY seq DESC LIMIT 1",
                (participant_id, GOAL_FORM, "target_date"),
            )
            own = _a_date(json.loads(rows[0][0])) if rows else None
        return checkin_plan(
            schedule.dates if schedule else (),
            starts,
            self.checkin_times(participant_id),
            today,
            own=own,
        )

    # ------------------------------------------------------------------ comments

    def add_comment(
        self, author_id: str, teacher_id: str, text: str, *, form: str = GOAL_FORM
    ) -> Comment:
        """A message in the thread between ``teacher_id`` and their coaches about an item:
        ``author_id`` is one of the teacher's coaches, or the teacher answering."""
        teacher = self._person(teacher_id, "teacher")
        self._person(author_id)
        if author_id != teacher.id and author_id not in self.coaches_of(teacher.id):
            raise AccessError(
                N_(
                    "participant {author} is not a coach of participant {teacher}: only "
                    "the teacher and their coaches write in this thread"
                ),
                author=author_id,
                teacher=teacher_id,
            )
        text = text.strip()
        if not text:
            raise StoreError(N_("write the comment first"))
        if len(text) > MAX_COMMENT_CHARS:
            raise StoreError(
                N_("a comment holds at most {most:,} characters ({given:,} given)"),
                most=MAX_COMMENT_CHARS,
                given=len(text),
            )
        comment = Comment(new_id(), teacher.id, author_id, form, text, self._clock())
        with self._tx() as tx:
            tx.execute(
                "INSERT INTO comments (id, teacher, author, form, text, at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (comment.id, comment.teacher, author_id, form, text, comment.at),
            )
        return comment

    def comments(self, teacher_id: str, *, viewer: ViewerLike) -> list[Comment]:
        """The thread between the teacher and their coaches, oldest first
        (:class:`pdkit.AccessError` for anyone else)."""
        who = as_viewer(viewer)
        if not (
            who.participant == teacher_id
            or who.is_steward
            or (who.participant is not None and who.participant in self.coaches_of(teacher_id))
        ):
            raise AccessError(
                N_("{who} may not read the thread of participant {teacher} and their coaches"),
                who=who.described(),
                teacher=teacher_id,
            )
        rows = self._rows(
            "SELECT id, teacher, author, form, text, at FROM comments WHERE teacher = ?"
            " ORDER BY seq",
            (teacher_id,),
        )
        return [Comment(r[0], r[1], r[2], r[3], r[4], float(r[5])) for r in rows]

    # ------------------------------------------------------------------ goal status

    def goal_statuses(self, participant_id: str, *, viewer: ViewerLike) -> list[GoalStatus]:
        """Every status the goal has had, oldest first (a goal with none is a draft)."""
        self._may_see_goal(viewer, participant_id)
        rows = self._rows(
            "SELECT status, at, by_participant, note FROM goal_status"
            " WHERE participant = ? AND form = ? ORDER BY seq",
            (participant_id, GOAL_FORM),
        )
        return [GoalStatus(str(r[0]), float(r[1]), r[2], str(r[3])) for r in rows]

    def goal_status(self, participant_id: str, *, viewer: ViewerLike) -> GoalStatus:
        """The goal's current status (``draft`` until someone moves it)."""
        found = self.goal_statuses(participant_id, viewer=viewer)
        return found[-1] if found else GoalStatus(DRAFT)

    def set_goal_status(
        self, participant_id: str, status: str, *, by: str, note: str = ""
    ) -> GoalStatus:
        """Move the goal to ``status``, as ``by`` (the teacher, or one of their coaches):
        :func:`pdkit.followup.status_move` says who may make which move. Asking a coach
        to agree needs a coach who can see the goal (shared at ``coach`` level or wider)."""
        teacher = self._person(participant_id, "teacher")
        coaches = self.coaches_of(teacher.id)
        if by == teacher.id:
            role = "teacher"
        elif by in coaches:
            role = "coach"
        else:
            raise AccessError(
                N_("participant {by} is neither participant {participant} nor their coach"),
                by=by,
                participant=participant_id,
            )
        note = note.strip()
        if len(note) > MAX_COMMENT_CHARS:
            raise StoreError(N_("a note holds at most {most:,} characters"), most=MAX_COMMENT_CHARS)
        current = self.goal_status(participant_id, viewer=teacher.id).status
        refused = status_move(current, status, role)
        if refused is not None:
            raise StoreError(refused.template, **refused.words)
        if status == ASKED:
            if not coaches:
                raise StoreError(N_("you have no coach yet: ask your facilitator to assign one"))
            if not any(self.can_see(c, teacher.id, GOAL_FORM) for c in coaches):
                raise StoreError(
                    N_(
                        "your coach cannot see your goal yet: share it with your coach "
                        "(Who can see this?) to ask them to agree it"
                    )
                )
        made = GoalStatus(status, self._clock(), by, note)
        with self._tx() as tx:
            tx.execute(
                "INSERT INTO goal_status (participant, form, status, by_participant, note, at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (teacher.id, GOAL_FORM, status, by, note, made.at),
            )
        return made

    def _may_see_goal(self, viewer: ViewerLike, participant_id: str) -> None:
        who = as_viewer(viewer)
        if self.can_see(who, participant_id, GOAL_FORM):
            return
        if who.participant is not None and who.participant in self.coaches_of(participant_id):
            return  # a coach sees where a goal is, even before it is shared with them
        raise AccessError(
            N_("{who} may not see the goal of participant {participant}"),
            who=who.described(),
            participant=participant_id,
        )

    # ------------------------------------------------------------------ contacts

    def set_contact(self, participant_id: str, email: str) -> Contact:
        """The participant gives an address for reminders (their consent, now); giving
        one again after opting out consents again."""
        self._person(participant_id)
        email = check_email(email)
        contact = Contact(participant_id, email, self._clock())
        with self._tx() as tx:
            tx.execute("DELETE FROM contacts WHERE participant = ?", (participant_id,))
            tx.execute(
                "INSERT INTO contacts (participant, email, consent_at) VALUES (?, ?, ?)",
                (participant_id, email, contact.consent_at),
            )
        return contact

    def opt_out(self, participant_id: str) -> None:
        """No more reminders for this participant (until they give an address again)."""
        with self._tx() as tx:
            tx.execute(
                "UPDATE contacts SET opted_out_at = ? WHERE participant = ?"
                " AND opted_out_at IS NULL",
                (self._clock(), participant_id),
            )

    def contact(self, participant_id: str, *, viewer: ViewerLike) -> Contact | None:
        """The participant's address for reminders (the participant and the steward only)."""
        who = as_viewer(viewer)
        if who.participant != participant_id and not who.is_steward:
            raise AccessError(
                N_("{who} may not read the contact of participant {participant}"),
                who=who.described(),
                participant=participant_id,
            )
        rows = self._rows(
            "SELECT email, consent_at, opted_out_at FROM contacts WHERE participant = ?",
            (participant_id,),
        )
        if not rows:
            return None
        email, consent, opted = rows[0]
        return Contact(participant_id, str(email), float(consent), _float(opted))

    # ------------------------------------------------------------------ reminders

    def claim_reminder(
        self, participant_id: str, due: date, channel: str, *, stale_after: float = 600.0
    ) -> bool:
        """Claim the reminder of one due date on one channel, before sending it: False
        when it was sent, or another sender claimed it less than ``stale_after`` seconds
        ago. A claim left by a sender that stopped before it finished is taken over: at
        once when that sender was a process of this machine that is gone (killed), else
        once the claim is ``stale_after`` seconds old."""
        return self.claim_reminders([(participant_id, due)], channel, stale_after=stale_after)[0]

    def claim_reminders(
        self,
        wanted: Sequence[tuple[str, date]],
        channel: str,
        *,
        stale_after: float = 600.0,
    ) -> list[bool]:
        """:meth:`claim_reminder` for many (participant, due date) at once, in one
        transaction (a sender claims a batch, then sends and marks each): whether each
        was claimed, in the order given."""
        if channel not in CHANNELS:
            raise StoreError(
                N_("{channel!r} is not a reminder channel ({channels})"),
                channel=channel,
                channels=", ".join(CHANNELS),
            )
        if not wanted:
            return []
        now = self._clock()
        claimed: list[bool] = []
        with self._tx() as tx:
            for participant_id in sorted({p for p, _ in wanted}):  # one order: no deadlock
                self._dialect.lock(tx.cursor, f"reminder:{participant_id}")
            for participant_id, due in wanted:
                key = (participant_id, due.isoformat(), channel)
                found = tx.execute(
                    "SELECT state, at FROM reminders"
                    " WHERE participant = ? AND due = ? AND channel = ?",
                    key,
                ).one()
                if found is not None and (
                    found[0] == "sent"
                    or (float(found[1]) > now - stale_after and not _holder_gone(found[0]))
                ):
                    claimed.append(False)
                    continue
                tx.execute(
                    "DELETE FROM reminders WHERE participant = ? AND due = ? AND channel = ?", key
                )
                tx.execute(
                    "INSERT INTO reminders (participant, due, channel, state, at)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (*key, f"{SENDING}:{this_process()}", now),
                )
                claimed.append(True)
        return claimed

    def reminder_sent(self, participant_id: str, due: date, channel: str) -> None:
        """The claimed reminder is handed over: it is never sent again."""
        with self._tx() as tx:
            tx.execute(
                "UPDATE reminders SET state = 'sent', at = ? WHERE participant = ? AND due = ?"
                " AND channel = ?",
                (self._clock(), participant_id, due.isoformat(), channel),
            )

    def reminders(self, participant_id: str | None = None) -> list[tuple[str, date, str, str]]:
        """The reminders log: (participant, due date, channel, ``sending`` or ``sent``)."""
        where, params = ("WHERE participant = ?", (participant_id,)) if participant_id else ("", ())
        rows = self._rows(
            f"SELECT participant, due, channel, state FROM reminders {where}"  # noqa: S608
            " ORDER BY at, participant",
            params,
        )
        return [
            (str(r[0]), date.fromisoformat(str(r[1])), str(r[2]), str(r[3]).partition(":")[0])
            for r in rows
        ]


SENDING = "sending"
"""A claimed reminder's state, followed by ``:`` and the process that claimed it
(:func:`pdkit._process.this_process`)."""


def _holder_gone(state: str) -> bool:
    """Whether the claim ``state`` was left by a process of this machine that is gone
    (killed before it finished): then the claim is taken over at once."""
    kind, _, holder = state.partition(":")
    return kind == SENDING and bool(holder) and gone(holder)


def check_email(email: str) -> str:
    """The address without surrounding blanks, or :class:`StoreError` saying it is not one
    (checked before anything is stored, by whoever takes an address)."""
    email = email.strip()
    if len(email) > 254 or not _EMAIL.match(email):
        shown = email if len(email) <= 60 else email[:60] + "…"
        raise StoreError(N_("{shown!r} is not an email address (name@school.org)"), shown=shown)
    return email


def _a_date(value: object) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _float(value: object) -> float | None:
    return None if value is None else float(str(value))
