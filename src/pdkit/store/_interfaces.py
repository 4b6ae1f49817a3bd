"""The store's interface, as small role interfaces and their union, :class:`Store`.

Widgets, notebooks and review code talk to these protocols, never to a backend; each
piece of code may ask only for the role it needs (a form needs an
:class:`AnswerStore`). Writes are append-only and each call is one transaction: a
write either stores everything it was given or raises :class:`pdkit.StoreError` and
stores nothing. Every read of what a teacher wrote names its ``viewer``
(:mod:`pdkit.store._access`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, Protocol, runtime_checkable

from ..followup import CheckinPlan
from ._access import ViewerLike
from ._interfaces_credentials import CredentialStore
from ._interfaces_day import AgendaStore, FeedbackStore, GroupStore, RunStore
from ._interfaces_evaluation import EvaluationStore
from ._interfaces_evidence import EvidenceStore
from ._interfaces_observe import ObservationStore
from ._interfaces_pathways import PathwayStore
from ._keys import SERVER_LOCKOUT, KeyAttempt, KeyLockout
from ._records import (
    DEFAULT_SESSION,
    CheckinSchedule,
    Comment,
    Contact,
    GoalStatus,
    JSONValue,
    Participant,
    ResponseEvent,
    Session,
    SharedItem,
    Status,
)

__all__ = [
    "AgendaStore",
    "AnswerStore",
    "CoachingStore",
    "CredentialStore",
    "EvaluationStore",
    "EvidenceStore",
    "FeedbackStore",
    "FollowUpStore",
    "GroupStore",
    "ObservationStore",
    "PathwayStore",
    "PeopleStore",
    "RunStore",
    "SessionStore",
    "SharingStore",
    "Store",
]


@runtime_checkable
class PeopleStore(Protocol):
    """Participants: who joined, found by resume token or hub identity."""

    @property
    def url(self) -> str:
        """Where the data lives, for people to read (never contains a password)."""
        ...

    def create_participant(
        self,
        display_name: str,
        *,
        session: str = DEFAULT_SESSION,
        external_id: str | None = None,
        role: str = "teacher",
    ) -> tuple[Participant, str]:
        """Add a participant; returns it and its resume token (shown once, stored hashed)."""
        ...

    def participant_for_token(self, token: str) -> Participant | None:
        """The participant a resume token belongs to, or None."""
        ...

    def issue_link(self, participant_id: str, purpose: str) -> str:
        """Another resume token for the participant (for a reminder's link)."""
        ...

    def issue_links(self, participant_ids: Sequence[str], purpose: str) -> list[str]:
        """:meth:`issue_link` for many participants at once."""
        ...

    def attend(self, participant_id: str, session: str) -> Participant:
        """The participant takes part in ``session`` now, keeping all they wrote."""
        ...

    def sessions_of(self, participant_id: str) -> list[str]:
        """The sessions the participant attended, the current one last."""
        ...

    def participant_for_external_id(self, external_id: str) -> Participant | None:
        """The participant with this external identity (``jupyterhub:alice``), or None."""
        ...

    def get_participant(self, participant_id: str) -> Participant | None:
        """The participant with this id, or None."""
        ...

    def participants(self, session: str = DEFAULT_SESSION) -> list[Participant]:
        """Everyone who joined the session, in joining order."""
        ...

    def pseudonym(self, participant_id: str) -> str:
        """A stable pseudonym of the participant, for exports without names."""
        ...

    def close(self) -> None:
        """Release connections. The store must not be used afterwards."""
        ...


@runtime_checkable
class AnswerStore(Protocol):
    """A participant's answers to a form: append-only events, and their versions."""

    def record(
        self,
        participant_id: str,
        form_id: str,
        answers: Mapping[str, JSONValue],
        *,
        spec_version: str,
    ) -> list[ResponseEvent]:
        """Append one event per answer, all in one transaction; returns the events."""
        ...

    def latest(
        self, participant_id: str, form_id: str, *, viewer: ViewerLike
    ) -> dict[str, JSONValue]:
        """The current answer of every field the participant has answered in this form.

        Raises :class:`pdkit.AccessError` unless ``viewer`` may see the item."""
        ...

    def history(
        self,
        participant_id: str,
        form_id: str,
        field_id: str | None = None,
        *,
        viewer: ViewerLike,
    ) -> list[ResponseEvent]:
        """Every event, oldest first (optionally of one field); :class:`pdkit.AccessError`
        unless ``viewer`` may see the item."""
        ...

    def answered_forms(self, participant_id: str) -> list[str]:
        """The ids of the forms the participant has answered, sorted: ids only, never
        what they wrote (so that a review can count the items it may not read)."""
        ...

    def start_revision(self, participant_id: str, form_id: str) -> float:
        """Start the next version of an item; returns the time of the mark."""
        ...

    def revision_marks(self, participant_id: str, form_id: str) -> list[float]:
        """When the participant started new versions of the item."""
        ...


@runtime_checkable
class SharingStore(Protocol):
    """Who can see an item, and what others share with a viewer."""

    def set_visibility(self, participant_id: str, form_id: str, level: str) -> None:
        """Who can see the participant's answers to this form from now on."""
        ...

    def visibility(self, participant_id: str, form_id: str) -> str:
        """The item's current visibility (``private`` until the teacher shares it)."""
        ...

    def can_see(self, viewer: ViewerLike, participant_id: str, form_id: str) -> bool:
        """Whether ``viewer`` may read the participant's answers to this form."""
        ...

    def shared(
        self, form_id: str, *, viewer: ViewerLike, session: str | None = None
    ) -> list[SharedItem]:
        """Other participants' items of this form that ``viewer`` may see."""
        ...

    def choices(
        self, session: str, form_id: str, field_id: str, *, viewer: ViewerLike
    ) -> dict[str, str]:
        """Each participant's option id in a choice field, for the session's facilitator."""
        ...


@runtime_checkable
class CoachingStore(Protocol):
    """Coaches and the teachers they coach."""

    def assign_coach(self, coach_id: str, teacher_ids: Sequence[str]) -> None:
        """Make a coach (role ``coach``) the coach of these teachers."""
        ...

    def coaches_of(self, teacher_id: str) -> list[str]:
        """The ids of the teacher's coaches."""
        ...

    def unassign_coach(self, coach_id: str, teacher_ids: Sequence[str]) -> list[str]:
        """The coach no longer coaches these teachers; returns those who were coached."""
        ...

    def coaches(self, session: str | None = None) -> list[Participant]:
        """Every coach (of ``session`` only, when given), in the order they were added."""
        ...

    def coached_by(self, coach_id: str) -> list[str]:
        """The ids of the coach's teachers (their caseload), in the order assigned."""
        ...


@runtime_checkable
class SessionStore(Protocol):
    """Workshop sessions, and what a facilitator may know of each participant."""

    def create_session(
        self, title: str, school_goals: Sequence[Mapping[str, Any]] = ()
    ) -> tuple[Session, str]:
        """A new session with a join code; returns it and its facilitator key (once)."""
        ...

    def get_session(self, session_id: str) -> Session | None:
        """The stored session with this id, or None."""
        ...

    def session_for_code(self, code: str) -> Session | None:
        """The session whose join code this is (any case; dashes ignored), or None."""
        ...

    def sessions(self) -> list[Session]:
        """Every stored session, oldest first."""
        ...

    def facilitator_key_ok(self, session_id: str, key: str) -> bool:
        """Whether ``key`` opens the session's dashboard (compared in constant time)."""
        ...

    def claim_key_attempt(self, session: str, lockout: KeyLockout = SERVER_LOCKOUT) -> KeyAttempt:
        """Claim one try at the session's facilitator key, for every page of every
        kernel on this store: refused while too many recent tries failed (``wait`` says
        for how long), else counted as failed until :meth:`forget_key_attempt`."""
        ...

    def forget_key_attempt(self, attempt: KeyAttempt) -> None:
        """The claimed try was right: it does not count as a failure."""
        ...

    def statuses(self, session: str = DEFAULT_SESSION) -> list[Status]:
        """Each participant's status in the session (flags and counts, never text)."""
        ...


@runtime_checkable
class FollowUpStore(Protocol):
    """The weeks after a session: check-in schedules and plans, the thread between a
    teacher and their coaches, goal statuses, contacts and the reminders log."""

    def set_checkin_schedule(
        self, session: str, starts: date, dates: Sequence[date]
    ) -> CheckinSchedule:
        """The session's check-in dates from now on, counted from the session day."""
        ...

    def checkin_schedule(self, session: str) -> CheckinSchedule | None:
        """The session's check-in schedule, or None."""
        ...

    def checkin_times(self, participant_id: str) -> list[float]:
        """When each of the participant's check-ins was made (times, never text)."""
        ...

    def checkin_plan(self, participant_id: str, today: date, *, viewer: ViewerLike) -> CheckinPlan:
        """Which of the participant's check-in dates are done, due, overdue or upcoming."""
        ...

    def add_comment(
        self, author_id: str, teacher_id: str, text: str, *, form: str = ...
    ) -> Comment:
        """A message from a coach of the teacher (or the teacher) in their thread."""
        ...

    def comments(self, teacher_id: str, *, viewer: ViewerLike) -> list[Comment]:
        """The thread between the teacher and their coaches, oldest first."""
        ...

    def goal_statuses(self, participant_id: str, *, viewer: ViewerLike) -> list[GoalStatus]:
        """Every status the goal has had, oldest first."""
        ...

    def goal_status(self, participant_id: str, *, viewer: ViewerLike) -> GoalStatus:
        """The goal's current status (``draft`` until moved)."""
        ...

    def set_goal_status(
        self, participant_id: str, status: str, *, by: str, note: str = ""
    ) -> GoalStatus:
        """Move the goal, as the teacher or one of their coaches."""
        ...

    def set_contact(self, participant_id: str, email: str) -> Contact:
        """An address for reminders, given with consent."""
        ...

    def opt_out(self, participant_id: str) -> None:
        """No more reminders for this participant."""
        ...

    def contact(self, participant_id: str, *, viewer: ViewerLike) -> Contact | None:
        """The participant's address for reminders (themselves and the steward only)."""
        ...

    def claim_reminder(
        self, participant_id: str, due: date, channel: str, *, stale_after: float = 600.0
    ) -> bool:
        """Claim one reminder before sending it; False when sent or being sent."""
        ...

    def claim_reminders(
        self, wanted: Sequence[tuple[str, date]], channel: str, *, stale_after: float = 600.0
    ) -> list[bool]:
        """:meth:`claim_reminder` for many at once: whether each was claimed."""
        ...

    def reminder_sent(self, participant_id: str, due: date, channel: str) -> None:
        """The claimed reminder is handed over: never sent again."""
        ...

    def reminders(self, participant_id: str | None = None) -> list[tuple[str, date, str, str]]:
        """The reminders log."""
        ...


@runtime_checkable
class Store(
    PeopleStore,
    AnswerStore,
    SharingStore,
    CoachingStore,
    FeedbackStore,
    GroupStore,
    RunStore,
    SessionStore,
    FollowUpStore,
    AgendaStore,
    EvaluationStore,
    EvidenceStore,
    ObservationStore,
    PathwayStore,
    CredentialStore,
    Protocol,
):
    """Everything a store offers (:class:`pdkit.store.SQLiteStore`,
    :class:`pdkit.store.PostgresStore`, or a backend of a plug-in)."""
