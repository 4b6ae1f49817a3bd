"""Micro-credentials in SQL: submissions, their versions, assessors' decisions, awards.

The rules are pure (:mod:`pdkit.credentials`); here they meet the tables, so they hold
whatever page asks:

- a teacher submits for a micro-credential a set of their own items with a statement
  per requirement; every requirement must be met; the assessors are fixed on the first
  submission (the teacher's coaches when the definition says ``coach: true``, and the
  reviewers it names, found by external id, else by display name among the teacher's
  sessions); an item holding student data is refused unless every assessor is one of the
  teacher's coaches (an evidence item's flag is read from the store, not from the page);
- each submission is a new row of ``credential_versions``: nothing is overwritten; a
  returned submission may be submitted again, a waiting or awarded one may not;
- an assessor scores every criterion and decides, once per version: ``return`` needs a
  comment, ``award`` needs every criterion at the passing level; the signed credential
  is kept with the award;
- a submission is read by its teacher and its assessors only: no peer, no facilitator,
  not the store's steward (:func:`credential_counts` gives counts, for exports).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from ..credentials import (
    DECISIONS,
    MAX_COMMENT_CHARS,
    Assessment,
    Submission,
    SubmissionItem,
    SubmissionVersion,
    check_scores,
    check_submission,
    may_read,
    missing,
    passes,
    student_data_refusal,
)
from ..definitions import CredentialDefinition
from ..errors import AccessError, CredentialError
from ..i18n import N_
from ._access import ViewerLike, as_viewer
from ._records import new_id
from ._sql_observe import ObservationsSQL

__all__ = ["CredentialsSQL"]

_HEAD = "id, teacher, credential, spec_version, title, created_at"


class CredentialsSQL(ObservationsSQL):
    """Micro-credential submissions (see the module docs)."""

    # ------------------------------------------------------------------ assessors

    def credential_assessors(self, teacher_id: str, definition: CredentialDefinition) -> list[str]:
        """Who assesses ``teacher_id``'s submission for ``definition``: their coaches
        (when the definition names the coach), then its named reviewers (each once, never
        the teacher). :class:`CredentialError` when nobody is found."""
        self._person(teacher_id, "teacher")
        found: list[str] = list(self.coaches_of(teacher_id)) if definition.coach_assesses else []
        for reviewer in definition.reviewers:
            person = self._reviewer(teacher_id, reviewer)
            if person not in found:
                found.append(person)
        found = [a for a in found if a != teacher_id]
        if not found:
            raise CredentialError(
                N_(
                    "nobody can assess {title!r} for you yet: it is assessed by "
                    "your coach, and no coach is assigned to you (ask your facilitator)"
                ),
                title=definition.title,
            )
        return found

    def _reviewer(self, teacher_id: str, named: str) -> str:
        person = self.participant_for_external_id(named)
        if person is not None:
            return person.id
        matches = {
            p.id
            for session in self.sessions_of(teacher_id)
            for p in self.participants(session)
            if p.display_name.casefold() == named.casefold()
        }
        if len(matches) != 1:
            raise CredentialError(
                N_(
                    "the reviewer {named!r} named by this micro-credential is not found: "
                    "name reviewers by their external id"
                )
                if not matches
                else N_(
                    "the reviewer {named!r} named by this micro-credential is ambiguous "
                    "(several people have this name): name reviewers by their external id"
                ),
                named=named,
            )
        return matches.pop()

    # ------------------------------------------------------------------ submitting

    def submit_credential(
        self,
        teacher_id: str,
        definition: CredentialDefinition,
        items: Sequence[SubmissionItem],
        statements: Mapping[str, Any],
    ) -> Submission:
        """The teacher submits (or, once returned, submits again) their items for
        ``definition``; the new version waits for an assessor."""
        kept, said = check_submission(definition, items, statements)
        kept = tuple(self._own_item(teacher_id, item) for item in kept)
        lacking = missing(definition, kept)
        if lacking:
            raise CredentialError(
                N_("the submission does not meet every requirement: {problems}"),
                problems=lacking,
            )
        current = self._open_submission(teacher_id, definition.id)
        if current is not None and current.state == "submitted":
            raise CredentialError(
                N_("this submission is waiting for its assessor: it cannot change now")
            )
        if current is not None and current.state == "awarded":
            raise CredentialError(
                N_("{title!r} was already awarded to you"), title=definition.title
            )
        assessors = (
            current.assessors
            if current
            else tuple(self.credential_assessors(teacher_id, definition))
        )
        refused = student_data_refusal(kept, assessors, self.coaches_of(teacher_id))
        if refused is not None:
            raise CredentialError(refused.template, **refused.words)
        now = self._clock()
        with self._tx() as tx:
            if current is None:
                submission_id = new_id()
                tx.execute(
                    f"INSERT INTO credential_submissions ({_HEAD}) VALUES (?, ?, ?, ?, ?, ?)",  # noqa: S608
                    (
                        submission_id,
                        teacher_id,
                        definition.id,
                        definition.spec_version,
                        definition.title,
                        now,
                    ),
                )
                tx.executemany(
                    "INSERT INTO credential_assessors (submission, assessor) VALUES (?, ?)",
                    [(submission_id, a) for a in assessors],
                )
                number = 1
            else:
                submission_id = current.id
                number = current.latest.number + 1
            tx.execute(
                "INSERT INTO credential_versions (submission, version, items, statements, at)"
                " VALUES (?, ?, ?, ?, ?)",
                (
                    submission_id,
                    number,
                    json.dumps([i.as_json() for i in kept], ensure_ascii=False),
                    json.dumps(said, ensure_ascii=False),
                    now,
                ),
            )
        return self.submission(submission_id, viewer=teacher_id)

    def _own_item(self, teacher_id: str, item: SubmissionItem) -> SubmissionItem:
        """An evidence item must be the teacher's; its student-data flag is the store's."""
        if item.kind != "evidence":
            return item
        rows = self._rows(
            "SELECT teacher, student_data FROM evidence WHERE id = ? ORDER BY version DESC LIMIT 1",
            (item.ref,),
        )
        if not rows:
            return item  # an evidence item written into the submission itself
        if rows[0][0] != teacher_id:
            raise AccessError(
                N_("the evidence item {ref!r} is not yours: include your own items only"),
                ref=item.ref,
            )
        flagged = bool(rows[0][1]) or item.student_data
        return SubmissionItem(
            item.requirement, item.kind, item.ref, item.title, item.text, item.measure, flagged
        )

    def _open_submission(self, teacher_id: str, credential: str) -> Submission | None:
        rows = self._rows(
            f"SELECT {_HEAD} FROM credential_submissions WHERE teacher = ? AND credential = ?"  # noqa: S608
            " ORDER BY created_at DESC LIMIT 1",
            (teacher_id, credential),
        )
        return self._submission_from(rows[0]) if rows else None

    # ------------------------------------------------------------------ assessing

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
        """An assessor's decision on the latest version: ``return`` (with a comment) or
        ``award`` (every criterion at the passing level; ``token`` is the signed
        credential, kept with the award)."""
        current = self._readable(submission_id, by)
        if by not in current.assessors:
            raise AccessError(
                N_("participant {by} does not assess submission {submission}"),
                by=by,
                submission=submission_id,
            )
        if definition.id != current.credential:
            raise CredentialError(
                N_("this submission is for {credential!r}, not {given!r}"),
                credential=current.credential,
                given=definition.id,
            )
        if current.state == "awarded":
            raise CredentialError(
                N_("this submission was already awarded: nothing waits for a decision")
            )
        if current.state != "submitted":
            raise CredentialError(
                N_("this submission was already returned: nothing waits for a decision")
            )
        if decision not in DECISIONS:
            raise CredentialError(
                N_("decide {choices}, not {decision!r}"),
                choices=" or ".join(DECISIONS),
                decision=decision,
            )
        kept = check_scores(definition, scores)
        if not isinstance(comment, str) or len(comment) > MAX_COMMENT_CHARS:
            raise CredentialError(
                N_("a comment holds at most {most} characters"), most=MAX_COMMENT_CHARS
            )
        comment = comment.strip()
        if decision == "return" and not comment:
            raise CredentialError(N_("say what to revise: a returned submission needs a comment"))
        if decision == "award" and not passes(definition, kept):
            raise CredentialError(
                N_("every criterion must reach the passing level to award: return it with comments")
            )
        now = self._clock()
        with self._tx() as tx:
            tx.execute(
                "INSERT INTO credential_reviews (submission, version, assessor, decision, scores,"
                " comment, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    submission_id,
                    current.latest.number,
                    by,
                    decision,
                    json.dumps(kept),
                    comment,
                    now,
                ),
            )
            if decision == "award" and token is not None:
                tx.execute(
                    "INSERT INTO credential_awards (submission, token, issued_at) VALUES (?, ?, ?)",
                    (submission_id, token, now),
                )
        return self.submission(submission_id, viewer=by)

    def issue_credential(self, submission_id: str, token: str, *, by: str) -> Submission:
        """Keep the signed credential of an award made before the district had a key
        (one of its assessors issues it; once)."""
        current = self._readable(submission_id, by)
        if by not in current.assessors:
            raise AccessError(
                N_("participant {by} does not assess submission {submission}"),
                by=by,
                submission=submission_id,
            )
        if current.state != "awarded":
            raise CredentialError(N_("only an awarded submission has a credential to issue"))
        if current.token is not None:
            return current
        with self._tx() as tx:
            tx.execute(
                "INSERT INTO credential_awards (submission, token, issued_at) VALUES (?, ?, ?)"
                " ON CONFLICT (submission) DO NOTHING",
                (submission_id, token, self._clock()),
            )
        return self.submission(submission_id, viewer=by)

    # ------------------------------------------------------------------ reading

    def submission(self, submission_id: str, *, viewer: ViewerLike) -> Submission:
        """One submission, if ``viewer`` is its teacher or one of its assessors
        (:class:`pdkit.AccessError` if not)."""
        return self._readable(submission_id, viewer)

    def submissions_of(self, teacher_id: str, *, viewer: ViewerLike) -> list[Submission]:
        """The teacher's submissions that ``viewer`` may read, newest first."""
        rows = self._rows(
            f"SELECT {_HEAD} FROM credential_submissions WHERE teacher = ?"  # noqa: S608
            " ORDER BY created_at DESC, id",
            (teacher_id,),
        )
        who = as_viewer(viewer).participant
        found = [self._submission_from(r) for r in rows]
        return [s for s in found if may_read(who, s.teacher, s.assessors)]

    def submissions_to_assess(self, assessor_id: str, *, viewer: ViewerLike) -> list[Submission]:
        """The submissions ``assessor_id`` assesses (only they may ask), oldest first."""
        if as_viewer(viewer).participant != assessor_id:
            raise AccessError(
                N_("{who} may not read what participant {assessor} assesses"),
                who=as_viewer(viewer).described(),
                assessor=assessor_id,
            )
        rows = self._rows(
            f"SELECT {', '.join('s.' + c for c in _HEAD.split(', '))} FROM credential_submissions s"  # noqa: S608
            " JOIN credential_assessors a ON a.submission = s.id WHERE a.assessor = ?"
            " ORDER BY s.created_at, s.id",
            (assessor_id,),
        )
        return [self._submission_from(r) for r in rows]

    def credential_counts(self, *, viewer: ViewerLike) -> dict[str, dict[str, int]]:
        """For exports and rollups (the steward only): per micro-credential id, how many
        submissions are ``submitted``, ``returned`` and ``awarded`` (counts, nobody named)."""
        if not as_viewer(viewer).is_steward:
            raise AccessError(
                N_("{who} may not count submissions"), who=as_viewer(viewer).described()
            )
        rows = self._rows(f"SELECT {_HEAD} FROM credential_submissions", ())  # noqa: S608
        counts: dict[str, dict[str, int]] = {}
        for row in rows:
            found = self._submission_from(row)
            per = counts.setdefault(found.credential, {"submitted": 0, "returned": 0, "awarded": 0})
            per[found.state] += 1
        return counts

    # ------------------------------------------------------------------ inside

    def _readable(self, submission_id: str, viewer: ViewerLike) -> Submission:
        rows = self._rows(
            f"SELECT {_HEAD} FROM credential_submissions WHERE id = ?",  # noqa: S608
            (submission_id,),
        )
        if not rows:
            raise CredentialError(
                N_("no submission {submission!r} in the store {url}"),
                submission=submission_id,
                url=self.url,
            )
        found = self._submission_from(rows[0])
        who = as_viewer(viewer)
        if not may_read(who.participant, found.teacher, found.assessors):
            raise AccessError(
                N_(
                    "{who} may not read submission {submission}: a submission is shared with "
                    "its assessors only"
                ),
                who=who.described(),
                submission=submission_id,
            )
        return found

    def _submission_from(self, row: Sequence[Any]) -> Submission:
        sid = str(row[0])
        assessors = tuple(
            str(r[0])
            for r in self._rows(
                "SELECT assessor FROM credential_assessors WHERE submission = ? ORDER BY assessor",
                (sid,),
            )
        )
        versions = tuple(
            SubmissionVersion(
                int(r[0]),
                tuple(SubmissionItem.from_json(i) for i in json.loads(r[1])),
                json.loads(r[2]),
                float(r[3]),
            )
            for r in self._rows(
                "SELECT version, items, statements, at FROM credential_versions"
                " WHERE submission = ? ORDER BY version",
                (sid,),
            )
        )
        assessments = tuple(
            Assessment(int(r[0]), str(r[1]), str(r[2]), json.loads(r[3]), str(r[4]), float(r[5]))
            for r in self._rows(
                "SELECT version, assessor, decision, scores, comment, at FROM credential_reviews"
                " WHERE submission = ? ORDER BY version",
                (sid,),
            )
        )
        award = self._rows(
            "SELECT token, issued_at FROM credential_awards WHERE submission = ?", (sid,)
        )
        return Submission(
            id=sid,
            teacher=str(row[1]),
            credential=str(row[2]),
            spec_version=str(row[3]),
            title=str(row[4]),
            assessors=assessors,
            created_at=float(row[5]),
            versions=versions,
            assessments=assessments,
            token=str(award[0][0]) if award else None,
            issued_at=float(award[0][1]) if award else None,
        )
