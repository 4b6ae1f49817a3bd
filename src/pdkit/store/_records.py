"""What the store keeps, as plain immutable records: participants, answer events, groups,
protocol runs and their notes, sessions, statuses, peer feedback, shared items.

Ids are random and pseudonymous; names are never keys. Resume tokens and facilitator
keys are kept only as hashes.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ..pacing import RunState

__all__ = [
    "CODE_ALPHABET",
    "CODE_LENGTH",
    "DEFAULT_SESSION",
    "AgendaEvent",
    "AgendaState",
    "CheckinSchedule",
    "Comment",
    "Contact",
    "EvaluationSheet",
    "EvidenceItem",
    "Feedback",
    "GoalStatus",
    "Group",
    "JSONValue",
    "NoteEvent",
    "Observation",
    "ObservationInvite",
    "Participant",
    "ResponseEvent",
    "Run",
    "RunEvent",
    "Session",
    "SharedItem",
    "Status",
    "display_code",
    "new_id",
    "new_token",
    "normalize_code",
    "token_hash",
]

DEFAULT_SESSION = "default"
"""The session everyone is in when no session was made (one workshop per store)."""

JSONValue = Any
"""A value that ``json.dumps`` accepts: str, int, float, bool, None, list, dict."""

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
"""Join codes use letters and digits that cannot be mistaken for one another."""

CODE_LENGTH = 6
"""How many characters a join code has."""


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
    rounds: int = 1
    skipped: tuple[str, ...] = ()
    turns: Mapping[int, Mapping[str, Mapping[str, str]]] = field(default_factory=dict)
    """Every round's roles so far: round → group id → {participant id: role id};
    ``roles`` are those of the round the run is in (``state.round``)."""

    def placement(self, participant_id: str) -> tuple[str, str] | None:
        """(group id, role id) of a participant in this run's current round, or None."""
        for group_id, roles in self.roles.items():
            if participant_id in roles:
                return group_id, roles[participant_id]
        return None

    def group_turns(self, group_id: str) -> dict[int, dict[str, str]]:
        """One group's roles in each round so far: round → {participant id: role id}."""
        return {r: dict(groups.get(group_id, {})) for r, groups in sorted(self.turns.items())}


@dataclass(frozen=True)
class RunEvent:
    """One change of a run, as the facilitator made it (the fidelity report reads them):
    the run's state just after the change."""

    run: str
    at: float
    step: int
    round: int
    status: str
    allotted: float
    used: float


@dataclass(frozen=True)
class AgendaState:
    """The part of an agenda the facilitator has the room on (``part``: its index).

    ``version`` grows by one at every change (0: never moved, the first part); a
    watcher sees a change by comparing it, and a change names the version it read.
    """

    session: str
    agenda: str
    part: int = 0
    version: int = 0
    changed_at: float = 0.0


@dataclass(frozen=True)
class AgendaEvent:
    """One change of an agenda's part: from ``previous`` (None: the first move) to
    ``part``, at ``at`` (the times a fidelity report reads)."""

    seq: int
    session: str
    agenda: str
    part: int
    previous: int | None
    at: float


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
    round: int = 0


@dataclass(frozen=True)
class Session:
    """A workshop session. ``school_goals`` are plain mappings (id, title, description,
    each text or a text per language), as in a school goals file."""

    id: str
    title: str
    join_code: str
    school_goals: tuple[Mapping[str, Any], ...] = ()
    created_at: float = 0.0

    @property
    def code(self) -> str:
        """The join code as people read it (``K7P-4QX``)."""
        return display_code(self.join_code)


@dataclass(frozen=True)
class Status:
    """What a dashboard shows of a participant: where they are, never what they wrote."""

    participant: str
    display_name: str
    joined_at: float
    goal_drafted: bool
    goal_visibility: str
    reflections_done: int
    """How many forms other than the goal the participant has answered (reflections)."""
    group: str | None

    @property
    def goal_shared(self) -> bool:
        return self.goal_visibility != "private"


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
    answered_at: float | None = None
    """When the receiver said a revision of their item answered it (None: not yet)."""


@dataclass(frozen=True)
class CheckinSchedule:
    """A session's check-in dates, and the session day they are counted from."""

    session: str
    starts: date
    dates: tuple[date, ...] = ()


@dataclass(frozen=True)
class Comment:
    """One message in the thread between a teacher and their coach(es) about an item
    (``form``): ``author`` is the coach, or the teacher answering."""

    id: str
    teacher: str
    author: str
    form: str
    text: str
    at: float


@dataclass(frozen=True)
class GoalStatus:
    """A goal's status (:data:`pdkit.followup.GOAL_STATUSES`), who set it and when; a
    ``note`` goes with it (the coach's suggestion, the teacher's reason)."""

    status: str
    at: float = 0.0
    by: str | None = None
    note: str = ""


@dataclass(frozen=True)
class Contact:
    """How to reach a participant after the session: an email address they gave, with
    consent, unless they opted out since."""

    participant: str
    email: str
    consent_at: float
    opted_out_at: float | None = None

    @property
    def reachable(self) -> bool:
        return self.opted_out_at is None


@dataclass(frozen=True)
class EvidenceItem:
    """One version of an item of a teacher's evidence log (:mod:`pdkit.evidence`).

    ``visibility`` is what the teacher chose (``"goal"``: as the goal); ``shown`` is who
    sees it now (:func:`pdkit.evidence.effective_level`: never wider than the goal, at
    most ``coach`` with student data). ``checkin`` is the number of the check-in version
    it is attached to (:mod:`pdkit.revisions`), ``checkin_at`` when that check-in
    started; ``goal_version`` the number of the goal's version in force when the item
    was added (0: no goal yet). ``version`` counts the item's edits (1 for the first);
    ``added_at`` is when the item was first added, ``at`` when this version was made.
    """

    id: str
    teacher: str
    version: int
    kind: str
    caption: str
    link: str
    text: str
    made_on: date
    student_data: bool
    visibility: str
    shown: str
    checkin: int | None
    checkin_at: float | None
    goal_version: int
    withdrawn: bool
    added_at: float
    at: float


def new_id() -> str:
    """A fresh random id (64 bits, hex)."""
    return uuid.uuid4().hex[:16]


def new_token() -> str:
    """A fresh resume token: 144 random bits, URL-safe."""
    return secrets.token_urlsafe(18)


def token_hash(token: str) -> str:
    """Stores keep only this hash of a resume token or a key, never the secret itself."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def normalize_code(code: str) -> str:
    """A join code as stored: upper case, without spaces or dashes (``k7p-4qx`` → ``K7P4QX``)."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


def display_code(code: str) -> str:
    """A join code as shown: ``K7P4QX`` → ``K7P-4QX``."""
    return f"{code[:3]}-{code[3:]}" if len(code) == CODE_LENGTH else code


@dataclass(frozen=True)
class EvaluationSheet:
    """One anonymous answer sheet of a session evaluation: its answers and the form's
    version, and nothing about who wrote it or when."""

    session: str
    form: str
    spec_version: str
    answers: Mapping[str, Any]


@dataclass(frozen=True)
class ObservationInvite:
    """A teacher's standing invitation to a colleague to observe their teaching (a peer
    may observe only while one stands: :mod:`._sql_observe`)."""

    teacher: str
    peer: str
    at: float


@dataclass(frozen=True)
class Observation:
    """One observation of a teacher's teaching (a learning walk, a visit): who observed
    whom, the goal version in force when it was made (None: no goal yet), what the
    observer wrote (``notes``: the latest value of each part, :data:`OBSERVATION_PARTS`),
    when it was sent to the teacher (None: still the observer's draft) and how the
    teacher shares it with their coach (``goal``: as the goal is shared; ``coach``;
    ``private``)."""

    id: str
    teacher: str
    observer: str
    created_at: float
    goal_version: int | None = None
    notes: Mapping[str, JSONValue] = field(default_factory=dict)
    updated_at: float = 0.0
    sent_at: float | None = None
    share: str = "goal"

    @property
    def sent(self) -> bool:
        return self.sent_at is not None

    @property
    def day(self) -> str:
        """The day of the visit (ISO), as the observer gave it."""
        return str(self.notes.get("date") or "")

    @property
    def look_fors(self) -> list[dict[str, Any]]:
        """The look-fors: ``{"id", "text", "source"}`` each (``goal``, ``district`` or
        ``own``)."""
        found = self.notes.get("look_fors")
        return [dict(x) for x in found] if isinstance(found, list) else []

    @property
    def marks(self) -> dict[str, dict[str, str]]:
        """What was seen of each look-for, by its id: ``{"seen": "seen" | "not_yet" |
        "", "note": …}``."""
        found = self.notes.get("marks")
        return {str(k): dict(v) for k, v in found.items()} if isinstance(found, dict) else {}
