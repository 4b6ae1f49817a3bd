"""Micro-credentials earned from a teacher's own work: the rules, as pure functions.

A ``kind: micro-credential`` definition (:class:`pdkit.definitions.CredentialDefinition`)
names a competency, its evidence requirements, a rubric and its assessors. A teacher
assembles a *submission* from their own items (:class:`SubmissionItem`: goal versions,
check-ins with a measure, evidence, feedback with its revision trace, a reflection),
with a short statement per requirement (:func:`check_submission`), and submits it. An
assessor scores each criterion at one of the rubric's levels (:func:`check_scores`) and
either awards it (only when every criterion reaches the passing level:
:func:`passes`) or returns it with comments; the teacher revises and submits again, and
every version is kept.

Who may read a submission (:func:`may_read`): the teacher who submitted it and its
assessors, nobody else (not the teacher's peers, not a facilitator, not the store's
steward: exports count submissions and awards, nothing more). An item that holds
student data may be included only when every assessor is one of the teacher's coaches
(:func:`student_data_refusal`). The store applies these rules
(:mod:`pdkit.store._sql_credentials`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .definitions import ITEM_KINDS, CredentialDefinition
from .errors import CredentialError, Said
from .i18n import N_, Nn_

__all__ = [
    "DECISIONS",
    "MAX_COMMENT_CHARS",
    "MAX_ITEMS",
    "MAX_ITEM_CHARS",
    "MAX_STATEMENT_CHARS",
    "STATES",
    "Assessment",
    "Submission",
    "SubmissionItem",
    "SubmissionVersion",
    "check_scores",
    "check_submission",
    "may_read",
    "missing",
    "passes",
    "student_data_refusal",
]

DECISIONS = ("award", "return")
"""What an assessor decides on a submitted version."""

STATES = ("submitted", "returned", "awarded")
"""Where a submission stands: waiting for its assessor, returned with comments, awarded."""

MAX_ITEMS = 40
"""A submission includes at most this many items."""

MAX_ITEM_CHARS = 2000
"""An item's title and text hold at most this many characters each."""

MAX_STATEMENT_CHARS = 2000
"""A statement for one requirement holds at most this many characters."""

MAX_COMMENT_CHARS = 5000
"""An assessor's comment holds at most this many characters."""


@dataclass(frozen=True)
class SubmissionItem:
    """One of the teacher's own items included in a submission, for a requirement.

    ``kind`` is one of :data:`pdkit.definitions.ITEM_KINDS`; ``ref`` names the item in
    the store (an evidence item's id, ``goal@3`` for goal version 3, …); ``title`` and
    ``text`` are what the assessor reads; ``measure`` says a check-in carries a value of
    the goal's measure; ``student_data`` that the item holds data about students.
    """

    requirement: str
    kind: str
    ref: str
    title: str
    text: str = ""
    measure: bool = False
    student_data: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "requirement": self.requirement,
            "kind": self.kind,
            "ref": self.ref,
            "title": self.title,
            "text": self.text,
            "measure": self.measure,
            "student_data": self.student_data,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SubmissionItem:
        return cls(
            str(data["requirement"]),
            str(data["kind"]),
            str(data["ref"]),
            str(data["title"]),
            str(data.get("text", "")),
            bool(data.get("measure", False)),
            bool(data.get("student_data", False)),
        )


@dataclass(frozen=True)
class SubmissionVersion:
    """One version the teacher submitted: ``number`` counts from 1; the items included
    and a statement per requirement; when it was submitted."""

    number: int
    items: tuple[SubmissionItem, ...]
    statements: Mapping[str, str]
    at: float


@dataclass(frozen=True)
class Assessment:
    """An assessor's decision on one version: ``award`` or ``return`` (:data:`DECISIONS`),
    the level of each criterion, and comments for the teacher."""

    version: int
    assessor: str
    decision: str
    scores: Mapping[str, str]
    comment: str
    at: float


@dataclass(frozen=True)
class Submission:
    """A teacher's submission for one micro-credential, with every version and decision.

    ``credential`` is the definition's id, ``spec_version`` its ``id@version``;
    ``assessors`` are participant ids; ``token`` is the signed credential (a VC-JWT)
    once awarded and issued.
    """

    id: str
    teacher: str
    credential: str
    spec_version: str
    title: str
    assessors: tuple[str, ...]
    created_at: float
    versions: tuple[SubmissionVersion, ...] = ()
    assessments: tuple[Assessment, ...] = ()
    token: str | None = None
    issued_at: float | None = None

    @property
    def latest(self) -> SubmissionVersion:
        return self.versions[-1]

    @property
    def state(self) -> str:
        """``submitted`` (waiting for an assessor), ``returned`` or ``awarded``."""
        if any(a.decision == "award" for a in self.assessments):
            return "awarded"
        if self.assessments and self.assessments[-1].version == self.latest.number:
            return "returned"
        return "submitted"


def _tidy(text: Any, most: int, what: Said) -> str:
    if not isinstance(text, str):
        raise CredentialError(N_("{what} must be text"), what=what)
    if len(text) > most:
        raise CredentialError(
            N_("{what} holds at most {most} characters ({given} given)"),
            what=what,
            most=most,
            given=len(text),
        )
    return text.strip()


def check_submission(
    definition: CredentialDefinition,
    items: Sequence[SubmissionItem],
    statements: Mapping[str, Any],
) -> tuple[tuple[SubmissionItem, ...], dict[str, str]]:
    """The items and statements as kept, or :class:`CredentialError` saying what to fix:
    an item for a requirement the credential does not have, of the wrong kind, too long,
    too many; a statement too long or for no requirement. Requirements not yet met are
    no error here (:func:`missing` lists them; a submission must meet them all)."""
    if len(items) > MAX_ITEMS:
        raise CredentialError(
            N_("a submission includes at most {most} items ({given} given)"),
            most=MAX_ITEMS,
            given=len(items),
        )
    wanted = {r.id: r for r in definition.requirements}
    kept: list[SubmissionItem] = []
    for item in items:
        requirement = wanted.get(item.requirement)
        if requirement is None:
            raise CredentialError(
                N_("{credential!r} has no requirement {requirement!r} (its requirements: {known})"),
                credential=definition.id,
                requirement=item.requirement,
                known=", ".join(wanted),
            )
        if item.kind not in ITEM_KINDS or item.kind != requirement.item:
            raise CredentialError(
                N_("requirement {requirement!r} asks for {wanted} items, not {given!r}"),
                requirement=requirement.id,
                wanted=requirement.item,
                given=item.kind,
            )
        if any(k.ref == item.ref and k.requirement == item.requirement for k in kept):
            raise CredentialError(
                N_("the item {ref!r} is included twice for {requirement!r}"),
                ref=item.ref,
                requirement=item.requirement,
            )
        kept.append(
            SubmissionItem(
                item.requirement,
                item.kind,
                _tidy(item.ref, 200, Said(N_("an item's reference"))),
                _tidy(item.title, MAX_ITEM_CHARS, Said(N_("an item's title"))),
                _tidy(item.text, MAX_ITEM_CHARS, Said(N_("an item's text"))),
                item.measure,
                item.student_data,
            )
        )
    said: dict[str, str] = {}
    for key, text in statements.items():
        if key not in wanted:
            raise CredentialError(
                N_("a statement for {key!r}, which is no requirement of {credential!r}"),
                key=key,
                credential=definition.id,
            )
        tidy = _tidy(text, MAX_STATEMENT_CHARS, Said(N_("the statement for {key!r}"), key=key))
        if tidy:
            said[key] = tidy
    return tuple(kept), said


def missing(definition: CredentialDefinition, items: Iterable[SubmissionItem]) -> list[Said]:
    """What the submission still lacks, one sentence per requirement not met (empty: it
    meets every requirement)."""
    chosen = list(items)
    lacking: list[Said] = []
    for requirement in definition.requirements:
        count = sum(
            1
            for i in chosen
            if i.requirement == requirement.id and (i.measure or not requirement.with_measure)
        )
        if count < requirement.min:
            lacking.append(
                Said(
                    Nn_(
                        "{requirement}: {count} {what} item with a value of the measure "
                        "needed, {included} included",
                        "{requirement}: {count} {what} items with a value of the measure "
                        "needed, {included} included",
                    )
                    if requirement.with_measure
                    else Nn_(
                        "{requirement}: {count} {what} item needed, {included} included",
                        "{requirement}: {count} {what} items needed, {included} included",
                    ),
                    requirement=requirement.id,
                    count=requirement.min,
                    what=requirement.item.replace("_", " "),
                    included=count,
                )
            )
    return lacking


def check_scores(definition: CredentialDefinition, scores: Mapping[str, Any]) -> dict[str, str]:
    """The scores as kept (criterion id → level id), or :class:`CredentialError`: every
    criterion scored, each at one of the rubric's levels, no other criterion."""
    levels = [level.id for level in definition.levels]
    criteria = [c.id for c in definition.criteria]
    extra = [k for k in scores if k not in criteria]
    if extra:
        raise CredentialError(
            N_("{criterion!r} is no criterion of {credential!r}"),
            criterion=extra[0],
            credential=definition.id,
        )
    kept: dict[str, str] = {}
    for criterion in criteria:
        level = scores.get(criterion)
        if level is None or level == "":
            raise CredentialError(
                N_("score every criterion: {criterion!r} has no level"), criterion=criterion
            )
        if level not in levels:
            raise CredentialError(
                N_("{level!r} is not a level of the rubric (levels: {levels})"),
                level=level,
                levels=", ".join(levels),
            )
        kept[criterion] = str(level)
    return kept


def passes(definition: CredentialDefinition, scores: Mapping[str, str]) -> bool:
    """Whether the scores earn the credential: every criterion at the passing level or
    above (levels are listed lowest first)."""
    bar = definition.level_rank(definition.pass_level)
    kept = check_scores(definition, scores)
    return all(definition.level_rank(level) >= bar for level in kept.values())


def student_data_refusal(
    items: Iterable[SubmissionItem], assessors: Sequence[str], coaches: Sequence[str]
) -> Said | None:
    """Why the items cannot go to these assessors (None: they can): student data stays
    with the teacher's coach, so an item that holds it goes only where every assessor is
    one of the teacher's coaches."""
    flagged = [i for i in items if i.student_data]
    if not flagged:
        return None
    others = [a for a in assessors if a not in coaches]
    if not others:
        return None
    return Said(
        N_(
            "{item!r} holds student data, which stays with your coach; this "
            "credential is also assessed by reviewers who are not your coach: leave "
            "it out, or include an item without student data"
        ),
        item=flagged[0].title or flagged[0].ref,
    )


def may_read(viewer: str | None, submitter: str, assessors: Sequence[str]) -> bool:
    """Whether ``viewer`` (a participant id; None for anyone else) may read a
    submission: its submitter and its assessors only."""
    return viewer is not None and (viewer == submitter or viewer in assessors)
