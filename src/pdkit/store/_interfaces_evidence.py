"""The store's interface for a teacher's evidence log (see :mod:`._interfaces` and
:mod:`pdkit.evidence` for the rules)."""

from __future__ import annotations

from datetime import date
from typing import Protocol, runtime_checkable

from ._access import ViewerLike
from ._records import EvidenceItem

__all__ = ["EvidenceStore"]


@runtime_checkable
class EvidenceStore(Protocol):
    """A teacher's evidence log: items added, edited (every version kept), withdrawn,
    attached to a check-in, and read by whoever may see them."""

    def add_evidence(
        self,
        teacher_id: str,
        *,
        kind: str,
        caption: str,
        link: str = "",
        text: str = "",
        made_on: date | None = None,
        student_data: bool | None = None,
        visibility: str = "goal",
        checkin: int | None = None,
    ) -> EvidenceItem:
        """Add an item, linked to the goal's version in force now."""
        ...

    def edit_evidence(
        self,
        item_id: str,
        by: str,
        *,
        kind: str = ...,
        caption: str = ...,
        link: str = ...,
        text: str = ...,
        made_on: date = ...,
        student_data: bool = ...,
        visibility: str = ...,
        checkin: int | None = ...,
        withdrawn: bool = ...,
    ) -> EvidenceItem:
        """A new version of the item, by its teacher, with the fields given changed."""
        ...

    def withdraw_evidence(self, item_id: str, by: str) -> EvidenceItem:
        """The teacher withdraws the item (its versions stay)."""
        ...

    def attach_evidence(self, item_id: str, by: str, checkin: int | None) -> EvidenceItem:
        """Attach the item to one of the teacher's check-ins (None: to none)."""
        ...

    def evidence(
        self, teacher_id: str, *, viewer: ViewerLike, include_withdrawn: bool = False
    ) -> list[EvidenceItem]:
        """The teacher's current items that ``viewer`` may see, newest first."""
        ...

    def evidence_history(self, item_id: str, *, viewer: ViewerLike) -> list[EvidenceItem]:
        """Every version of one item, oldest first (its teacher only)."""
        ...
