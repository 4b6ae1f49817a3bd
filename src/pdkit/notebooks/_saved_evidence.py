"""The evidence log in a saved workbook (see :mod:`.saved`): its entries, how they are
checked when read back, and its readable Markdown cell."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

from ..i18n import N_
from ..store import Participant, Store, ViewerLike
from ._markdown import evidence_markdown
from .build import markdown_cell
from .untrusted import Damaged, kind_of

__all__ = [
    "EVIDENCE_CHECKS",
    "EVIDENCE_KEYS",
    "EVIDENCE_TAG",
    "OPTIONAL_KEYS",
    "check_evidence",
    "evidence_cell",
    "evidence_entries",
]

EVIDENCE_TAG = "pdkit-evidence"
"""The tag of the Markdown cell that shows the evidence log."""

EVIDENCE_KEYS = (
    "id",
    "version",
    "kind",
    "caption",
    "link",
    "text",
    "made_on",
    "visibility",
    "checkin",
    "goal_version",
    "withdrawn",
    "at",
)
"""The keys of an evidence entry."""

OPTIONAL_KEYS = {"evidence": ("student_data",)}
"""``student_data`` is optional: older files lack it (then the kind decides:
:func:`pdkit.evidence.holds_student_data`)."""

EVIDENCE_CHECKS = ("text", "any", *("text",) * 6, "any", "any", "any", "time")
"""How each key is checked by :func:`pdkit.notebooks.untrusted.columns` (``any``:
:func:`check_evidence`)."""


def evidence_entries(
    store: Store,
    participant: Participant,
    who: ViewerLike,
    entry: Callable[..., dict[str, Any]],
) -> list[dict[str, Any]]:
    """The evidence items ``who`` may see, as entries: the teacher's own copy holds every
    version of every item (withdrawn ones too); anyone else's the current version of the
    items the store lets them see."""
    if who == participant.id:
        items = store.evidence(participant.id, viewer=who, include_withdrawn=True)
        found = [v for i in items for v in store.evidence_history(i.id, viewer=who)]
    else:
        found = store.evidence(participant.id, viewer=who)
    return [
        entry(
            "evidence",
            v.id,
            v.version,
            v.kind,
            v.caption,
            v.link,
            v.text,
            v.made_on.isoformat(),
            v.visibility,
            v.checkin,
            v.goal_version,
            v.withdrawn,
            v.at,
            v.student_data,
        )
        for v in found
    ]


def evidence_cell(
    entries: Sequence[Mapping[str, Any]], language: str | None = None
) -> dict[str, Any]:
    """The readable Markdown cell of an evidence log (tag :data:`EVIDENCE_TAG`), in the
    saved workbook's ``language``."""
    return markdown_cell(
        evidence_markdown(entries, language),
        cell_id="evidence",
        metadata={"tags": [EVIDENCE_TAG]},
    )


def check_evidence(found: list[tuple[Any, ...]], shown: Callable[[object], str]) -> None:
    """The evidence columns that are not text or times: whole numbers, true or false, a
    date (``made_on``); :class:`Damaged` names the first that is not."""
    for key, least, empty in (
        ("version", 1, False),
        ("checkin", 1, True),
        ("goal_version", 0, False),
    ):
        for index, value in enumerate(found[EVIDENCE_KEYS.index(key)]):
            if value is None and empty:
                continue
            if type(value) is not int or not least <= value < 2**31:
                raise Damaged(
                    N_("{where} is {shown}, not a whole number"),
                    where=f"evidence[{index}].{key}",
                    shown=shown(value),
                )
    for index, value in enumerate(found[EVIDENCE_KEYS.index("withdrawn")]):
        if type(value) is not bool:
            raise Damaged(
                N_("{where} is {kind}, not true or false"),
                where=f"evidence[{index}].withdrawn",
                kind=kind_of(value),
            )
    for index, value in enumerate(found[EVIDENCE_KEYS.index("made_on")]):
        try:
            date.fromisoformat(value)
        except ValueError:
            raise Damaged(
                N_("{where} is {shown}, not a date"),
                where=f"evidence[{index}].made_on",
                shown=shown(value),
            ) from None
