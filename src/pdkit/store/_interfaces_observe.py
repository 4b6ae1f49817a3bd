"""The store's role for observations of teaching (:mod:`._sql_observe`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol, runtime_checkable

from ._access import ViewerLike
from ._records import JSONValue, Observation, ObservationInvite, Participant

__all__ = ["ObservationStore"]


@runtime_checkable
class ObservationStore(Protocol):
    """Invitations to observe, observations and who may read them (every read names its
    viewer; the rules: :mod:`pdkit.observations`)."""

    def observation_colleagues(self, teacher_id: str, *, viewer: ViewerLike) -> list[Participant]:
        """The colleagues a teacher may invite (teachers of their sessions)."""
        ...

    def invite_observer(self, teacher_id: str, peer_id: str) -> ObservationInvite:
        """The teacher invites a colleague to observe them."""
        ...

    def withdraw_invitation(self, teacher_id: str, peer_id: str) -> None:
        """The teacher withdraws an invitation."""
        ...

    def invitations(self, teacher_id: str, *, viewer: ViewerLike) -> list[ObservationInvite]:
        """The teacher's standing invitations."""
        ...

    def may_observe(self, observer_id: str, teacher_id: str, *, viewer: ViewerLike) -> bool:
        """Whether one participant may observe another now."""
        ...

    def observable(self, observer_id: str, *, viewer: ViewerLike) -> list[str]:
        """Whom a participant may observe now."""
        ...

    def observation_goal(self, teacher_id: str, *, viewer: ViewerLike) -> dict[str, JSONValue]:
        """The goal's parts look-fors come from, as shared with the observer."""
        ...

    def goal_version(self, teacher_id: str, *, viewer: ViewerLike) -> int | None:
        """The number of the teacher's goal version in force now."""
        ...

    def start_observation(
        self, observer_id: str, teacher_id: str, notes: Mapping[str, JSONValue] | None = None
    ) -> Observation:
        """A new observation (a draft of the observer's)."""
        ...

    def write_observation(
        self, observation_id: str, notes: Mapping[str, JSONValue], *, by: str
    ) -> Observation:
        """Save parts of a draft, as the observer types."""
        ...

    def send_observation(self, observation_id: str, *, by: str) -> Observation:
        """Send the observation to the teacher."""
        ...

    def share_observation(self, observation_id: str, level: str, *, by: str) -> None:
        """The teacher shares an observation with their coach, or not."""
        ...

    def observation(self, observation_id: str, *, viewer: ViewerLike) -> Observation:
        """One observation, if the viewer may read it."""
        ...

    def observations_of(self, teacher_id: str, *, viewer: ViewerLike) -> list[Observation]:
        """A teacher's observations the viewer may read, newest first."""
        ...

    def observations_by(self, observer_id: str, *, viewer: ViewerLike) -> list[Observation]:
        """What an observer wrote that the viewer may read, newest first."""
        ...
