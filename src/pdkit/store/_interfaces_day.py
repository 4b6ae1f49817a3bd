"""The store's interfaces for the session day (see :mod:`._interfaces`): peer feedback,
groups, and protocol runs with their rounds and notes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol, runtime_checkable

from ..pacing import RunState
from ._access import ViewerLike
from ._records import DEFAULT_SESSION, Feedback, Group, JSONValue, NoteEvent, Run, RunEvent

__all__ = ["FeedbackStore", "GroupStore", "RunStore"]


@runtime_checkable
class FeedbackStore(Protocol):
    """Peer feedback on someone's item."""

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

    def set_round_feedback(
        self,
        run_id: str,
        round_: int,
        step_id: str,
        giver_id: str,
        owner_id: str,
        field_id: str,
        category: str,
        texts: Sequence[str],
    ) -> list[Feedback]:
        """The giver's feedback, from one field of their notes in a round, to the round's
        presenter (on their goal): one piece per text, kept in step with the notes."""
        ...

    def answer_feedback(
        self, owner_id: str, feedback_ids: Sequence[str], answered: bool = True
    ) -> list[Feedback]:
        """The receiver says their revision answers these pieces of feedback (or no
        longer does)."""
        ...

    def feedback_trace(self, owner_id: str, *, viewer: ViewerLike) -> list[Feedback]:
        """Feedback on the owner's goal that a revision answered (for a viewer other than
        the owner, who may see the goal: without the giver)."""
        ...


@runtime_checkable
class GroupStore(Protocol):
    """The groups of a session."""

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

    def leave_group(self, participant_id: str) -> Group | None:
        """Take a participant out of their group (they left); the group they left."""
        ...


@runtime_checkable
class RunStore(Protocol):
    """Protocol runs paced for groups, and the notes written in their steps."""

    def start_run(
        self,
        session: str,
        protocol: str,
        spec_version: str,
        roles: Mapping[str, Mapping[str, str]],
        state: RunState,
        *,
        rounds: int = 1,
        skipped: Sequence[str] = (),
    ) -> Run:
        """A new run for the groups in ``roles`` ({group id: {participant: role}}, the
        first round's roles), over ``rounds`` rounds, without the ``skipped`` steps."""
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

    def update_run(
        self,
        run_id: str,
        state: RunState,
        *,
        expected_version: int,
        turns: Mapping[str, Mapping[str, str]] | None = None,
    ) -> Run:
        """Store a new state if the run is still at ``expected_version``; else raise
        :class:`pdkit.ConflictError` (someone else changed it: read it again).
        ``turns``: the roles of the round ``state`` enters, when it is a new one (roles
        a round already has are kept). Every change is logged (:meth:`run_events`)."""
        ...

    def run_events(self, run_id: str) -> list[RunEvent]:
        """Every change of a run, oldest first: its start, each step, pause and end."""
        ...

    def record_notes(
        self,
        run_id: str,
        step_id: str,
        participant_id: str,
        answers: Mapping[str, JSONValue],
        *,
        round: int | None = None,
    ) -> list[NoteEvent]:
        """Append the participant's notes for a step of ``round`` (default: the round the
        run is in); group and role come from the run's turns."""
        ...

    def latest_notes(
        self,
        run_id: str,
        step_id: str,
        participant_id: str,
        *,
        viewer: ViewerLike,
        round: int = 0,
    ) -> dict[str, JSONValue]:
        """The participant's current notes for one step of one round (notes are their
        writer's)."""
        ...

    def notes(self, run_id: str, *, viewer: ViewerLike) -> list[NoteEvent]:
        """The note events of a run that ``viewer`` may see, oldest first."""
        ...

    def note_writers(
        self, run_id: str, round: int | None = None
    ) -> dict[tuple[str, str], set[str]]:
        """Who wrote notes per (group, step), in one round or in all: ids, never text."""
        ...
