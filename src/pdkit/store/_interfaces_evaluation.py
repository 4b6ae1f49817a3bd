"""The store's interface for the anonymous session evaluation (see :mod:`._interfaces`
and :mod:`._sql_evaluation`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol, runtime_checkable

from ._access import ViewerLike
from ._records import EvaluationSheet, JSONValue

__all__ = ["EvaluationStore"]


@runtime_checkable
class EvaluationStore(Protocol):
    """Anonymous answer sheets of session evaluations, and who has answered."""

    def submit_evaluation(
        self,
        participant_id: str,
        form_id: str,
        answers: Mapping[str, JSONValue],
        *,
        session: str,
        spec_version: str,
    ) -> None:
        """Keep the participant's answers as an anonymous sheet (nothing says whose) and
        mark them as having answered, in one transaction;
        :class:`pdkit.errors.AlreadyAnsweredError` the second time."""
        ...

    def has_evaluated(self, participant_id: str, form_id: str, *, session: str) -> bool:
        """Whether the participant has answered the session's evaluation (never what)."""
        ...

    def evaluation_count(self, session: str, form_id: str) -> int:
        """How many have answered the session's evaluation (a count names no viewer)."""
        ...

    def evaluation_sheets(
        self, session: str, form_id: str, *, viewer: ViewerLike
    ) -> list[EvaluationSheet]:
        """The session's answer sheets in an order that says nothing of when they came,
        for its facilitator or the steward; none while fewer than
        :data:`pdkit.suppression.K` have answered (:class:`pdkit.AccessError` for
        anyone else)."""
        ...
