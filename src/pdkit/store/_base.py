"""What every store backend offers: the records and the :class:`Store` protocol."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from ..pacing import RunState

if TYPE_CHECKING:
    from ._access import Feedback, SharedItem, ViewerLike
    from ._sessions import Session, Status

DEFAULT_SESSION = "default"

JSONValue = Any
"""A value that ``json.dumps`` accepts: str, int, float, bool, None, list, dict."""


@dataclass(frozen=True)
class Participant:
    """A person in a session. ``id`` is pseudonymous and random; names are never keys."""

    id: str
    display_name: str
    session: str = DEFAULT_SESSION
    role: str = "teacher"
    external_id: str | None = None
    created_at: float = 0.0


@dataclass(frozen=True)
class ResponseEvent:
    """One saved answer: the current answer to a field is its latest event."""

    seq: int
    participant: str
    form: str
    field: str
    value: JSONValue
    at: float
    spec_version: str
    session: str = DEFAULT_SESSION


@dataclass(frozen=True)
class Group:
    """People who work together in a session (a triad, a quad …), in a stable order."""

    id: str
    session: str
    name: str
    members: tuple[str, ...]
    created_at: float = 0.0


@dataclass(frozen=True)
class Run:
    """One protocol run, paced together for one or more groups.

    ``roles`` maps each group's id to {participant id: role id}. ``version`` grows by
    one at every change of ``state``, so a watcher sees a change by comparing it.
    """

    id: str
    session: str
    protocol: str
    spec_version: str
    state: RunState
    version: int
    roles: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    created_at: float = 0.0

    def placement(self, participant_id: str) -> tuple[str, str] | None:
        """(group id, role id) of a participant in this run, or None."""
        for group_id, roles in self.roles.items():
            if participant_id in roles:
                return group_id, roles[participant_id]
        return None


@dataclass(frozen=True)
class NoteEvent:
    """One saved note from a protocol step: who wrote it, in which role, group and step."""

    seq: int
    run: str
    group: str
    step: str
    role: str
    participant: str
    field: str
    value: JSONValue
    at: float
    spec_version: str


def new_token() -> str:
    """A fresh resume token: 144 random bits, URL-safe."""
    return secrets.token_urlsafe(18)


def token_hash(token: str) -> str:
    """Stores keep only this hash of a resume token, never the token itself."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@runtime_checkable
class Store(Protocol):
    """The store interface that widgets, notebooks and review code talk to.

    Writes are append-only and each call is one transaction: ``record`` either
    stores every answer it was given or raises :class:`pdkit.StoreError` and stores
    none. Values are anything JSON can hold.
    """

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

    def participant_for_external_id(self, external_id: str) -> Participant | None:
        """The participant with this external identity (``jupyterhub:alice``), or None."""
        ...

    def get_participant(self, participant_id: str) -> Participant | None:
        """The participant with this id, or None."""
        ...

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

    # ------------------------------------------------------------------ visibility

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

    def assign_coach(self, coach_id: str, teacher_ids: Sequence[str]) -> None:
        """Make a coach (role ``coach``) the coach of these teachers."""
        ...

    def coaches_of(self, teacher_id: str) -> list[str]:
        """The ids of the teacher's coaches."""
        ...

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
        """Peer feedback on someone's item, which the giver must be able to see."""
        ...

    def feedback(
        self,
        *,
        viewer: ViewerLike,
        owner_id: str | None = None,
        form_id: str | None = None,
        session: str | None = None,
    ) -> list[Feedback]:
        """Feedback the viewer may see (received or given), oldest first."""
        ...

    def mark_helpful(self, feedback_id: str, participant_id: str, helpful: bool = True) -> Feedback:
        """The receiver marks a piece of feedback as helpful (or not)."""
        ...

    def pseudonym(self, participant_id: str) -> str:
        """A stable pseudonym of the participant, for exports without names."""
        ...

    def start_revision(self, participant_id: str, form_id: str) -> float:
        """Start the next version of an item; returns the time of the mark."""
        ...

    def revision_marks(self, participant_id: str, form_id: str) -> list[float]:
        """When the participant started new versions of the item."""
        ...

    # ------------------------------------------------------------------ groups

    def participants(self, session: str = DEFAULT_SESSION) -> list[Participant]:
        """Everyone who joined the session, in joining order."""
        ...

    def set_groups(
        self, session: str, groups: Sequence[Sequence[str]], names: Sequence[str] = ()
    ) -> list[Group]:
        """Replace the session's groups (earlier groups are kept, dissolved, for history)."""
        ...

    def groups(self, session: str = DEFAULT_SESSION) -> list[Group]:
        """The session's current groups, in creation order."""
        ...

    def group_of(self, participant_id: str) -> Group | None:
        """The participant's current group, or None."""
        ...

    def place_in_group(self, participant_id: str) -> Group | None:
        """Put a late joiner into the smallest current group (None: no groups)."""
        ...

    # ------------------------------------------------------------------ protocol runs

    def start_run(
        self,
        session: str,
        protocol: str,
        spec_version: str,
        roles: Mapping[str, Mapping[str, str]],
        state: RunState,
    ) -> Run:
        """A new run for the groups in ``roles`` ({group id: {participant: role}})."""
        ...

    def get_run(self, run_id: str) -> Run | None:
        """The run with this id, or None."""
        ...

    def runs(self, session: str = DEFAULT_SESSION) -> list[Run]:
        """The session's runs, newest first."""
        ...

    def run_for(self, participant_id: str) -> Run | None:
        """The newest run that includes the participant, or None."""
        ...

    def update_run(self, run_id: str, state: RunState, *, expected_version: int) -> Run:
        """Store a new state if the run is still at ``expected_version``; else raise
        :class:`pdkit.ConflictError` (someone else changed it: read it again)."""
        ...

    def record_notes(
        self,
        run_id: str,
        step_id: str,
        participant_id: str,
        answers: Mapping[str, JSONValue],
    ) -> list[NoteEvent]:
        """Append the participant's notes for a step (group and role come from the run)."""
        ...

    def latest_notes(
        self, run_id: str, step_id: str, participant_id: str, *, viewer: ViewerLike
    ) -> dict[str, JSONValue]:
        """The participant's current notes for one step (notes are their writer's)."""
        ...

    def notes(self, run_id: str, *, viewer: ViewerLike) -> list[NoteEvent]:
        """The note events of a run that ``viewer`` may see, oldest first."""
        ...

    def note_writers(self, run_id: str) -> dict[tuple[str, str], set[str]]:
        """Who wrote notes per (group, step): ids, never text."""
        ...

    # ------------------------------------------------------------------ sessions

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
        """Whether ``key`` opens the session's dashboard."""
        ...

    def statuses(self, session: str = DEFAULT_SESSION) -> list[Status]:
        """Each participant's status in the session (flags and counts, never text)."""
        ...

    def close(self) -> None:
        """Release connections. The store must not be used afterwards."""
        ...
