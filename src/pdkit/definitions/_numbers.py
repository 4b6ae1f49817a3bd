"""Numbers typed into a ``number`` field: what is taken, what is refused, how it reads.

A number is typed as digits with at most one decimal point (or a decimal comma) and an
optional sign, such as ``62``, ``-3``, ``62.5`` or ``62,5`` (but not ``1,000``, which
may mean either); a trailing ``%`` is
allowed (a percentage is typed as it is said). Anything else is refused with a message
that says what to type: words, ``NaN`` and ``inf``, exponents (``1e999``), thousands
separators (``1_000``, ``1,000.5``) and more than :data:`MAX_DIGITS` digits. So every
number kept is finite, exact enough to read back as typed, and cheap to parse: the text
is looked at only up to :data:`MAX_NUMBER_CHARS` characters.
"""

from __future__ import annotations

import re

from ..errors import AnswerError
from ..i18n import N_

__all__ = ["MAX_DIGITS", "MAX_NUMBER_CHARS", "number_text", "parse_number"]

MAX_DIGITS = 15
"""Digits a number may have in all (a float keeps 15 exactly)."""

MAX_NUMBER_CHARS = 40
"""A longer text is refused before it is parsed."""

_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)", re.ASCII)
_THOUSANDS = re.compile(r"[+-]?\d{1,3},\d{3}", re.ASCII)


def parse_number(
    text: str, *, minimum: float | None = None, maximum: float | None = None
) -> float | None:
    """The number ``text`` says, or None when it is blank; :class:`AnswerError` (a
    ``ValueError``) with a message for the person typing when it is not a number this
    field takes (see the module docs), or lies outside ``minimum`` … ``maximum``."""
    if len(text) > MAX_NUMBER_CHARS:
        raise AnswerError(
            N_("That is too long for a number: use at most {most} digits."), most=MAX_DIGITS
        )
    cleaned = text.strip().removesuffix("%").strip().replace(" ", "")
    if not cleaned:
        return None
    if not _NUMBER.fullmatch(cleaned):
        raise AnswerError(
            N_(
                "Type a number with digits only, such as 62 or 62.5 "
                "(no words, exponents or thousands separators)."
            )
        )
    if _THOUSANDS.fullmatch(cleaned):
        raise AnswerError(
            N_(
                "{typed} could be a number with a thousands separator or a decimal comma: "
                "type it without the separator (1000), or with a decimal point (1.5)."
            ),
            typed=cleaned,
        )
    if sum(c.isdigit() for c in cleaned) > MAX_DIGITS:
        raise AnswerError(
            N_("That number has too many digits: use at most {most}."), most=MAX_DIGITS
        )
    value = float(cleaned.replace(",", "."))
    if value == 0:
        value = 0.0  # no "-0"
    if minimum is not None and value < minimum:
        raise AnswerError(N_("Type a number of at least {least}."), least=number_text(minimum))
    if maximum is not None and value > maximum:
        raise AnswerError(N_("Type a number of at most {most}."), most=number_text(maximum))
    return value


def number_text(value: float) -> str:
    """A kept number as a person reads it: ``62.5``, ``40``, ``1,200`` (two decimals at
    most, :func:`pdkit.charts.format_value`, imported here: not on a page's start-up)."""
    from ..charts import format_value

    return format_value(value)
