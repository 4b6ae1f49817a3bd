"""Small-number suppression: the one place where pdkit hides counts of fewer than
:data:`K` people (the district rollup, the session evaluation on the dashboard and in
the session tables all come here).

A *cell* is a figure about a set of people (how many set a goal, a mean over them).
A cell about fewer than ``K`` people is *suppressed*: its value becomes ``None`` and
it carries :data:`SUPPRESSED` instead. Hiding the small cell alone is not enough when a
total and its siblings are shown: the hidden count is the total minus the others. So
:func:`suppress_parts` also hides, among the parts of one total, the next smallest part
whenever exactly one part is hidden (*complementary suppression*); two hidden parts
can only be known together (and so can one hidden part and the people in no part,
when there are any). A total of fewer than ``K`` people hides every part.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

__all__ = ["K", "SUPPRESSED", "Cell", "cell", "suppress_parts", "suppressed_note"]  # noqa: RUF022

K = 5
"""The fewest people a figure may be about (k-anonymity's k)."""

SUPPRESSED = "fewer than 5"
"""What a suppressed cell says instead of its value."""

_Key = TypeVar("_Key")


@dataclass(frozen=True)
class Cell:
    """One figure: ``value`` (None when suppressed), the number of people ``n`` it is
    about (None when suppressed too: a count of people is itself a figure), and
    ``note`` (:data:`SUPPRESSED`, or ``""``)."""

    value: float | int | None
    n: int | None
    note: str = ""

    @property
    def suppressed(self) -> bool:
        return bool(self.note)


def cell(value: float | int | None, n: int) -> Cell:
    """A figure about ``n`` people, suppressed when ``n`` is below :data:`K`."""
    if n < K:
        return Cell(None, None, SUPPRESSED)
    return Cell(value, n)


def suppress_parts(parts: Mapping[_Key, int], total: int | None = None) -> dict[_Key, Cell]:
    """Counts of people that add up to ``total`` (their sum when None), each hidden when
    below :data:`K`, with complementary suppression (see the module docs): the result
    never lets a hidden count be worked out from the total and the shown ones."""
    whole = sum(parts.values()) if total is None else total
    if whole < K:
        return {key: Cell(None, None, SUPPRESSED) for key in parts}
    hidden = {key for key, count in parts.items() if 0 < count < K}
    rest = whole - sum(parts.values())  # people in no part: not shown, so they hide too
    if len(hidden) == 1 and len(parts) > 1 and rest <= 0:
        # One hidden part is the total minus the others: hide the smallest other too.
        others = sorted((count, str(key), key) for key, count in parts.items() if key not in hidden)
        hidden.add(others[0][2])
    return {
        key: Cell(None, None, SUPPRESSED) if key in hidden else Cell(count, count)
        for key, count in parts.items()
    }


def suppressed_note(t: Callable[[str], str] = str) -> str:
    """What a page says instead of figures about fewer than :data:`K` people, in the
    language of ``t`` (a translator of :mod:`pdkit.i18n`; English by default)."""
    return t("fewer than {k} answers: shown when {k} have answered").format(k=K)
