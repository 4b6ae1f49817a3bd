"""What a review holds: the DataFrames, the warnings, and views made from them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property

import pandas as pd

from ..definitions.ids import CHECKIN_FORM, GOAL_FORM
from ..revisions import SITTING_GAP
from ._frames import frame
from ._versions import goal_version_rows

__all__ = ["Review"]


@dataclass(frozen=True, eq=False)  # DataFrames do not compare to one bool
class Review:
    """What :func:`load` read: tidy DataFrames (see the module docs) and the warnings."""

    participants: pd.DataFrame
    answers: pd.DataFrame
    versions: pd.DataFrame
    goals: pd.DataFrame
    reflections: pd.DataFrame
    checkins: pd.DataFrame
    notes: pd.DataFrame
    feedback: pd.DataFrame
    comments: pd.DataFrame
    kept_private: pd.DataFrame = field(default_factory=lambda: frame("kept_private", {}))
    """The items a source holds that the reader may not read (kept private): whose,
    which form, its kind and level; counted, never read."""
    goal_statuses: pd.DataFrame = field(default_factory=lambda: frame("goal_statuses", {}))
    """Every status each visible goal has had, oldest first (from a store)."""
    checkin_plans: pd.DataFrame = field(default_factory=lambda: frame("checkin_plans", {}))
    """Where each teacher is in their check-in schedule today (from a store)."""
    evidence: pd.DataFrame = field(default_factory=lambda: frame("evidence", {}))
    """The newest version of each evidence item the reader may see (not withdrawn)."""
    observations: pd.DataFrame = field(default_factory=lambda: frame("observations", {}))
    """The observations of teachers' teaching the reader may read (:mod:`._observations`)."""
    pathways: pd.DataFrame = field(default_factory=lambda: frame("pathways", {}))
    """Each teacher's pathway, one row per step, as the reader may see it (:mod:`._pathways`)."""
    warnings: list[str] = field(default_factory=list)
    read: tuple[str, ...] = ()
    """The files and stores that were read (skipped ones are in ``warnings``)."""
    skipped: int = 0
    """How many files or stores could not be read."""
    sitting_gap: float = SITTING_GAP
    """Seconds without an edit after which the next edit starts a new version ("Versions")."""
    goal_fields: tuple[tuple[str, str], ...] = field(default=(), repr=False)
    """(id, label) of the goal form's fields, in order (for ``goal_versions``)."""
    revision_marks: Mapping[str, tuple[float, ...]] = field(default_factory=dict, repr=False)
    """Per participant, when they started a new version of their goal ("Start a new
    version"): a new version starts there too, as it does after a pause."""

    @cached_property
    def goal_versions(self) -> pd.DataFrame:
        """The goal at the end of each of its versions, field by field (made on first use)."""
        return goal_version_rows(
            self.versions, self.sitting_gap, self.goal_fields, self.revision_marks
        )

    def hidden(self) -> tuple[set[str], set[str]]:
        """(participants whose goal is private, whose check-ins are private)."""
        private = self.answers[self.answers["private"].to_numpy(dtype=bool)]
        return (
            set(private.loc[private["form"] == GOAL_FORM, "participant"]),
            set(private.loc[private["form"] == CHECKIN_FORM, "participant"]),
        )

    def shared_only(self) -> Review:
        """This review without the goals, check-ins and evidence that teachers kept private
        (their rows in ``answers``, ``versions``, ``goals``, ``checkins`` and ``evidence``,
        and the pathways of private goals) and the observations that do not reach the
        coach. Reflections and notes are left as they are: they are private by nature, and
        marked."""
        goal_hidden, checkin_hidden = self.hidden()
        private = (self.evidence["visibility"] == "private").to_numpy(dtype=bool)
        observations = _observations_shared(self.observations, self.goals, goal_hidden)
        if (
            not goal_hidden
            and not checkin_hidden
            and not private.any()
            and len(observations) == len(self.observations)
            and not self.pathways["participant"].isin(goal_hidden).any()
        ):
            return self

        def keep(frame: pd.DataFrame, hidden: set[str], form: str | None = None) -> pd.DataFrame:
            drop = frame["participant"].isin(hidden)
            if form is not None:
                drop &= frame["form"] == form
            return frame[~drop.to_numpy(dtype=bool)].reset_index(drop=True)

        def without(frame: pd.DataFrame) -> pd.DataFrame:
            return keep(keep(frame, goal_hidden, GOAL_FORM), checkin_hidden, CHECKIN_FORM)

        return replace(
            self,
            answers=without(self.answers),
            versions=without(self.versions),
            goals=keep(self.goals, goal_hidden),
            checkins=keep(self.checkins, checkin_hidden),
            evidence=self.evidence[~private].reset_index(drop=True),
            observations=observations,
            pathways=keep(self.pathways, goal_hidden),  # the path is shared as the goal is
        )


def _observations_shared(
    observations: pd.DataFrame, goals: pd.DataFrame, goal_hidden: set[str]
) -> pd.DataFrame:
    """The observations that reach the teacher's coach: shared with the coach, or shared
    as the goal is and the goal is shared (a teacher's own copy holds them all)."""
    if not len(observations):
        return observations
    shared_goal = set(goals["participant"]) - goal_hidden
    share = observations["share"]
    reach = (share == "coach") | ((share == "goal") & observations["participant"].isin(shared_goal))
    return observations[reach.to_numpy(dtype=bool)].reset_index(drop=True)
