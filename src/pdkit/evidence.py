"""The evidence log's rules, pure: the kinds of item, what a link may be, the
student-data rule and who may see an item.

A teacher keeps evidence for their goal: items with a link or a short text, a caption, a
kind, a date and a "contains student data" flag. The flag is on by default for student
work. An item's visibility follows the goal's ("as for the goal"); the teacher may
narrow it per item, never widen it; and an item that contains student data is never
seen beyond the teacher's coach (its level is capped at ``coach``), never exported
pseudonymously, whatever a file or a caller asks.

Everything here is pure: the store (:mod:`pdkit.store._sql_evidence`), the page, the
saved workbook and the export all call these functions, so the rule is written once.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import date
from urllib.parse import urlsplit

from .errors import EvidenceError
from .i18n import N_

__all__ = [
    "AS_GOAL",
    "KINDS",
    "KIND_WORDS",
    "MAX_CAPTION_CHARS",
    "MAX_ITEMS",
    "MAX_LINK_CHARS",
    "MAX_TEXT_CHARS",
    "MAX_VERSIONS",
    "STUDENT_DATA_CAP",
    "STUDENT_WORK",
    "check_date",
    "check_link",
    "class_summary_points",
    "class_summary_text",
    "default_student_data",
    "effective_level",
    "holds_student_data",
]

STUDENT_WORK = "student_work"

KINDS = ("student_work", "survey", "assessment", "observation", "video", "other")
"""The kinds of evidence, in the order the page offers them."""

KIND_WORDS = {
    "student_work": N_("Student work"),
    "survey": N_("Survey"),
    "assessment": N_("Assessment"),
    "observation": N_("Observation"),
    "video": N_("Video"),
    "other": N_("Other"),
}
"""Each kind in English words (pages translate them: :mod:`pdkit.i18n`)."""

AS_GOAL = "goal"
"""An item's visibility when the teacher did not narrow it: whatever the goal's is."""

STUDENT_DATA_CAP = "coach"
"""The widest an item with student data is ever seen: the teacher and their coach(es)."""

MAX_CAPTION_CHARS = 200
MAX_TEXT_CHARS = 2000
MAX_LINK_CHARS = 2000
MAX_ITEMS = 200
"""Items a teacher may keep (withdrawn ones count: nothing is deleted)."""
MAX_VERSIONS = 50
"""Edits one item may have (its history is kept)."""

_LEVELS = ("private", "coach", "group", "session")
_HOST = re.compile(r"^[A-Za-z0-9.\-\[\]:]+$")
_CONTROL = re.compile(r"[\x00-\x20\x7f-\x9f]")


def check_link(raw: str) -> str:
    """``raw`` as a link the page may open: an absolute ``http://`` or ``https://`` URL
    with a host, no white space or control characters, at most :data:`MAX_LINK_CHARS`.
    Anything else (``javascript:``, ``data:``, ``file:``, a relative path) is refused
    with :class:`pdkit.EvidenceError`."""
    link = unicodedata.normalize("NFC", raw.strip())
    if len(link) > MAX_LINK_CHARS:
        raise EvidenceError(
            N_("the link is {length:,} characters long; at most {most:,} please"),
            length=len(link),
            most=MAX_LINK_CHARS,
        )
    if _CONTROL.search(link):
        raise EvidenceError(N_("a link has no spaces or control characters: paste it again"))
    parts = urlsplit(link)
    if parts.scheme.lower() not in ("http", "https"):
        shown = parts.scheme or link[:20]
        raise EvidenceError(
            N_(
                "only web links (https://… or http://…) can be kept as evidence, not {shown!r}:"
                " upload the file somewhere your school allows and paste its web link"
            ),
            shown=shown,
        )
    if not parts.hostname or not _HOST.match(parts.netloc.rpartition("@")[2]):
        raise EvidenceError(
            N_("{link!r} has no web address after {scheme}://"),
            link=link[:80],
            scheme=parts.scheme,
        )
    return link


def default_student_data(kind: str) -> bool:
    """Whether an item of ``kind`` holds student data unless the teacher says otherwise
    (student work always does: :func:`holds_student_data`)."""
    return kind == STUDENT_WORK


def holds_student_data(record: Mapping[str, object]) -> bool:
    """Whether a stored or saved item counts as student data: student work always does;
    another kind when its flag is true; without a true or false flag (an old or edited
    file without it, or with a strange value) its kind decides, and an item of unknown
    kind counts as student data."""
    flag = record.get("student_data")
    if isinstance(flag, bool):
        return flag or record.get("kind") == STUDENT_WORK
    kind = record.get("kind")
    return kind not in KINDS or default_student_data(str(kind))


def effective_level(stored: str, goal_level: str, *, student_data: bool) -> str:
    """Who sees an item now: its own level (or the goal's, for :data:`AS_GOAL`), never
    wider than the goal's, and at most :data:`STUDENT_DATA_CAP` for student data. An
    unknown level counts as ``private``."""
    goal = _LEVELS.index(goal_level) if goal_level in _LEVELS else 0
    own = goal if stored == AS_GOAL else (_LEVELS.index(stored) if stored in _LEVELS else 0)
    rank = min(own, goal)
    if student_data:
        rank = min(rank, _LEVELS.index(STUDENT_DATA_CAP))
    return _LEVELS[rank]


def check_date(made_on: date, today: date) -> date:
    """The item's date: not after ``today`` (evidence is of what happened), not before 1990."""
    if made_on > today:
        raise EvidenceError(
            N_("the date {day} is after today: evidence is of what happened"),
            day=made_on.isoformat(),
        )
    if made_on.year < 1990:
        raise EvidenceError(
            N_("the date {day} is too long ago: check the year"), day=made_on.isoformat()
        )
    return made_on


# ---------------------------------------------------------------- a class-data summary

_CLASS_INTRO = "Class data ({score} by {date}; de-identified CSV, summary only):"
_CLASS_INTRO_SEEN = re.compile(r"Class data \([^\n]{0,400}; de-identified CSV, summary only\):")
_CLASS_LINE = re.compile(
    r"(?P<when>[^\n]{1,80}?): (?P<count>\d{1,7}) scores, "
    r"mean (?P<mean>-?\d{1,3}(?:,\d{3}){0,4}(?:\.\d{1,2})?)(?P<unit>[^,\n]{0,24}), median "
)


def class_summary_text(
    score_column: str,
    date_column: str,
    points: Sequence[tuple[str, int, float, float]],
    unit: str = "",
) -> str:
    """A class's scores in numbers only, for a check-in's evidence: one line per date
    (or week) with how many scores, their mean and median — never a row. The class-data
    page writes it; :func:`class_summary_points` reads it back to draw it."""
    from .charts import format_value  # the class-data page's path only

    lines = [_CLASS_INTRO.format(score=score_column, date=date_column)]
    lines += [
        f"{when}: {count} scores, mean {format_value(mean, unit)}, "
        f"median {format_value(median, unit)}"
        for when, count, mean, median in points
    ]
    return "\n".join(lines)


def class_summary_points(text: str) -> tuple[list[tuple[str, float]], str]:
    """The ``(date, mean)`` points and the unit of a summary :func:`class_summary_text`
    wrote (so a page can draw it), or ``([], "")`` for any other text, including a
    summary the teacher has since changed by hand."""
    if len(text) > MAX_TEXT_CHARS or not text.startswith("Class data ("):
        return [], ""
    intro, _, rest = text.partition("\n")
    if not _CLASS_INTRO_SEEN.fullmatch(intro):
        return [], ""
    points: list[tuple[str, float]] = []
    units: set[str] = set()
    for line in rest.split("\n"):
        found = _CLASS_LINE.match(line)
        if found is None:
            return [], ""
        points.append((found["when"], float(found["mean"].replace(",", ""))))
        units.add(found["unit"].strip())
    return points, (units.pop() if len(units) == 1 else "")
