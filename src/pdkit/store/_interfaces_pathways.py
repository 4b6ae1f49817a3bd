"""The store's role for teachers' pathways (:mod:`._sql_pathways`)."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from ..definitions import PathwayDefinition
from ..pathways import Facts, Progress, Tick
from ._access import ViewerLike

__all__ = ["PathwayStore"]


@runtime_checkable
class PathwayStore(Protocol):
    """The pathway a teacher chose, the steps they ticked and what pdkit saw them do
    (every read names its viewer; the rules: :mod:`pdkit.pathways`)."""

    def choose_pathway(self, teacher_id: str, pathway_id: str | None, *, by: str) -> None:
        """The teacher picks a pathway (None: none)."""
        ...

    def pathway_choice(self, teacher_id: str, *, viewer: ViewerLike) -> str | None:
        """The id of the pathway the teacher follows now, if any."""
        ...

    def tick_step(
        self,
        teacher_id: str,
        pathway: PathwayDefinition,
        step_id: str,
        *,
        done: bool,
        link: str = "",
        note: str = "",
        by: str,
    ) -> Tick:
        """The teacher ticks (or unticks) a step of the pathway they follow."""
        ...

    def pathway_ticks(
        self, teacher_id: str, pathway_id: str, *, viewer: ViewerLike
    ) -> dict[str, Tick]:
        """The latest tick of each step of one pathway."""
        ...

    def pathway_facts(
        self, teacher_id: str, pathway: PathwayDefinition, *, viewer: ViewerLike
    ) -> Facts:
        """What pdkit saw the teacher do that the pathway's steps ask for."""
        ...

    def pathway_progress(
        self, teacher_id: str, pathway: PathwayDefinition, *, viewer: ViewerLike
    ) -> Progress:
        """Where the teacher stands on ``pathway``."""
        ...
