"""Gentle goal checks: does a goal name a measure, a time frame, the students?

They follow the spirit of SMART (Doran 1981: measurable, time-bound) and PEERS (Knight:
student-focused) goals. They are suggestions shown next to the goal, never a gate: a
teacher can save any goal. Pure functions over text, so they are cheap to run on
every keystroke and easy to test.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .i18n import N_, translator

__all__ = ["CHECKS", "Hint", "goal_hints"]


@dataclass(frozen=True)
class Hint:
    """The outcome of one check: ``met`` or not, with a suggestion to show when not."""

    check: str
    met: bool
    suggestion: str


_MONTHS = (
    "january february march april june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec "
    "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre"
)

_PATTERNS: dict[str, re.Pattern[str]] = {
    "measure": re.compile(
        r"\d|%|\b(percent|per cent|measure[ds]?|score[sd]?|rubric|times|out of|half|"
        r"most|every|all (of )?(my )?students|increase|decrease|double|fewer|more than|"
        r"at least|count|tally|survey|exit tickets?|"
        r"por ciento|mayor[ií]a|tod[oa]s (mis |l[oa]s )?(estudiantes|alumn[oa]s)|cada|"
        r"al menos|m[aá]s de|menos de|r[uú]brica|encuesta|aumentar|duplicar)\b",
        re.IGNORECASE,
    ),
    "date": re.compile(
        # "May" only capitalised: "students may choose" names no time. Numbers with one
        # '.' or '-' are scores and ranges ("from 2.5 to 3.5", "10-12"), not dates.
        r"\b(" + "|".join(_MONTHS.split()) + r"|(?-i:May))\b|"
        r"\b(\d{1,2}/\d{1,2}|\d{4}[/-]\d{1,2}|\d{1,2}[.-]\d{1,2}[.-]\d{2,4})\b|"
        r"\b(by|until|before) (the )?(end|next|this|spring|summer|autumn|fall|winter)\b|"
        r"\b(weeks?|months?|terms?|semesters?|quarters?|units?|year|days?|cycle)\b|"
        r"\b(semanas?|mes(es)?|trimestres?|semestres?|unidad(es)?|años?|d[ií]as?|ciclo|"
        r"para (el |finales de |fin de )?(curso|verano|invierno|oto[nñ]o|primavera))\b",
        re.IGNORECASE,
    ),
    "student_focus": re.compile(
        r"\b(students?|learners?|pupils?|class(es)?|kids|children|readers|writers|"
        r"alumn[oa]s|estudiantes|clases?|niñ[oa]s|lectores)\b",
        re.IGNORECASE,
    ),
}

_SUGGESTIONS = {
    "measure": N_(
        "How will you know? Add a measure, such as “8 of my 10 students” or "
        "“from 2 to 5 student questions a lesson”."
    ),
    "date": N_("By when? Add a date or a time frame, such as “by March” or “within six weeks”."),
    "student_focus": N_("Who benefits? Say what will change for your students."),
}

CHECKS = tuple(_PATTERNS)
"""The checks a field may ask for in its ``hints`` list."""


def goal_hints(
    text: str, checks: Sequence[str] = CHECKS, language: str | None = None
) -> list[Hint]:
    """Run ``checks`` on ``text``; an empty text meets none of them. Suggestions are in
    ``language`` where pdkit has a translation."""
    t = translator(language)
    stripped = text.strip()
    return [
        Hint(
            check,
            bool(stripped) and bool(_PATTERNS[check].search(stripped)),
            t(_SUGGESTIONS[check]),
        )
        for check in checks
    ]
