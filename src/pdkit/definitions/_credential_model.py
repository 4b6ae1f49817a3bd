"""The objects a ``kind: micro-credential`` definition becomes (built by :mod:`._credentials`)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ITEM_KINDS", "CredentialDefinition", "Criterion", "Level", "Requirement"]

ITEM_KINDS = ("goal_version", "check_in", "evidence", "feedback", "reflection")
"""The kinds of a teacher's own item that a requirement may ask for."""


@dataclass(frozen=True)
class Requirement:
    """One evidence requirement: ``min`` items of kind ``item`` (one of
    :data:`ITEM_KINDS`; a check-in ``with_measure`` must carry a measure's value)."""

    id: str
    item: str
    text: str
    min: int = 1
    with_measure: bool = False


@dataclass(frozen=True)
class Level:
    """One level of the rubric (levels are listed lowest first)."""

    id: str
    label: str


@dataclass(frozen=True)
class Criterion:
    """One criterion of the rubric; each is scored at one level."""

    id: str
    text: str


@dataclass(frozen=True)
class CredentialDefinition:
    """A validated ``kind: micro-credential`` definition (:mod:`pdkit.credentials`)."""

    id: str
    title: str
    competency: str
    key_method: str
    requirements: tuple[Requirement, ...]
    levels: tuple[Level, ...]
    pass_level: str
    criteria: tuple[Criterion, ...]
    coach_assesses: bool
    reviewers: tuple[str, ...]
    description: str = ""
    school_goal: str = ""
    version: str = "1"
    origin: str = ""
    source: str = "<string>"
    kind: str = "micro-credential"

    @property
    def spec_version(self) -> str:
        return f"{self.id}@{self.version}"

    def level_rank(self, level: str) -> int:
        """The rank of ``level`` (0 = lowest); ``ValueError`` for a level not listed."""
        for rank, item in enumerate(self.levels):
            if item.id == level:
                return rank
        raise ValueError(f"{level!r} is not a level of {self.id!r}")
