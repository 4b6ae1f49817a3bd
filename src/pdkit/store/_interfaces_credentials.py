"""The store's role for micro-credentials (:mod:`._sql_credentials`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from ..credentials import Submission, SubmissionItem
from ..definitions import CredentialDefinition
from ._access import ViewerLike

if TYPE_CHECKING:
    from ._sql_records import LearningFact

__all__ = ["CredentialStore"]


@runtime_checkable
class CredentialStore(Protocol):
    """Submissions for micro-credentials, assessors' decisions and awards (every read
    names its viewer; the rules: :mod:`pdkit.credentials`)."""

    def credential_assessors(self, teacher_id: str, definition: CredentialDefinition) -> list[str]:
        """Who assesses a teacher's submission for ``definition``."""
        ...

    def submit_credential(
        self,
        teacher_id: str,
        definition: CredentialDefinition,
        items: Sequence[SubmissionItem],
        statements: Mapping[str, Any],
    ) -> Submission:
        """The teacher submits (or submits again) their items."""
        ...

    def assess_submission(
        self,
        submission_id: str,
        definition: CredentialDefinition,
        *,
        scores: Mapping[str, Any],
        decision: str,
        comment: str = "",
        by: str,
        token: str | None = None,
    ) -> Submission:
        """An assessor awards or returns the latest version."""
        ...

    def issue_credential(self, submission_id: str, token: str, *, by: str) -> Submission:
        """Keep the signed credential of an earlier award."""
        ...

    def submission(self, submission_id: str, *, viewer: ViewerLike) -> Submission:
        """One submission (its teacher and assessors only)."""
        ...

    def submissions_of(self, teacher_id: str, *, viewer: ViewerLike) -> list[Submission]:
        """The teacher's submissions ``viewer`` may read."""
        ...

    def submissions_to_assess(self, assessor_id: str, *, viewer: ViewerLike) -> list[Submission]:
        """The submissions an assessor assesses (only they may ask)."""
        ...

    def credential_counts(self, *, viewer: ViewerLike) -> dict[str, dict[str, int]]:
        """Counts per micro-credential and state, for exports (nobody named)."""
        ...

    def learning_facts(self, *, viewer: ViewerLike) -> list[LearningFact]:
        """Facts about taking part, for an xAPI export (the steward only)."""
        ...
