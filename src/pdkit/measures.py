"""A goal's measure: what is counted, in which unit, point A's and point B's numbers, and
the values check-ins record on the way (issue #16).

Pure and standard library only (it sits beside :mod:`pdkit.revisions`): the teacher's
"My goal", the coach's page and the coach report read the same series the same way.
:mod:`pdkit.charts` is imported when a value is written or drawn, not before: the goal form
and the check-in use this module, and a participant's page starts without charts.

- :func:`measure_of` reads a goal's answers (``measure_instrument``, ``measure_unit``,
  ``baseline``, ``target``: :data:`pdkit.definitions.ids.MEASURE_FIELDS`); a goal in words
  only has no measure (None).
- :func:`checkin_points` is the series of values, one per check-in: the check-ins are the
  versions of the check-in item (:func:`pdkit.revisions.versions`, the one versions rule),
  each dated by its last change; a check-in without a value is left out.
- :func:`progress` is how far a value has come from point A toward point B as a fraction
  (0 at A, 1 at B; below 0 or above 1 beyond them), for targets above or below the
  baseline alike (fewer late assignments is progress too).
- :func:`measure_chart` draws A → now → B with :func:`pdkit.charts.line_chart`, and
  :func:`measure_words` says the same in a sentence ("From 40% to 62% so far; target 80%
  by 15 March."), since a chart alone is not enough.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from .i18n import N_, translator
from .revisions import SITTING_GAP, versions

__all__ = [
    "UNITS",
    "Measure",
    "Point",
    "checkin_points",
    "measure_chart",
    "measure_of",
    "measure_words",
    "progress",
    "unit_symbol",
]

UNITS: Mapping[str, str] = {
    "percent": "%",
    "count": "",
    "score": "points",
    "minutes": "minutes",
    "other": "",
}
"""The units a measure may have (the goal form's ``measure_unit`` options) → the symbol
written after a value ("" for none)."""

_UNIT_WORDS = {"percent": "%", "count": N_("count"), "score": N_("score"), "minutes": N_("minutes")}
"""How a unit is named in short, in the check-in's label ("now (%)")."""

Translate = Callable[[str], str]


def _same(text: str) -> str:
    return text


def _number(value: Any) -> float | None:
    """A stored answer as a finite number (None for anything else, a bool included)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def unit_symbol(unit: str) -> str:
    """What follows a value of this unit ("%" for ``percent``; "" for none or unknown)."""
    return UNITS.get(unit, "")


@dataclass(frozen=True)
class Measure:
    """A goal's measure. ``unit`` is a key of :data:`UNITS` (or ""); ``baseline`` is point
    A's number and ``target`` point B's, each None when not given."""

    instrument: str = ""
    unit: str = ""
    baseline: float | None = None
    target: float | None = None

    @property
    def symbol(self) -> str:
        return unit_symbol(self.unit)

    @property
    def complete(self) -> bool:
        """Both point A and point B have a number (progress can be drawn)."""
        return self.baseline is not None and self.target is not None

    def value_text(self, value: float) -> str:
        """``value`` with the measure's unit: ``62%``, ``3``, ``12 points``."""
        from .charts import format_value

        return format_value(value, self.symbol)

    def value_label(self, t: Translate = _same) -> str:
        """The check-in's label for the measure's value: "Weekly exit ticket, now (%)"."""
        name = self.instrument.strip() or t("My measure")
        word = _UNIT_WORDS.get(self.unit, "")
        now = t("{name}, now ({unit})") if word else t("{name}, now")
        return now.format(name=name, unit=t(word) if word else "")

    def hint(self, t: Translate = _same) -> str:
        """What the measure still lacks to be drawn, in a sentence ("" when nothing)."""
        if self.baseline is not None and self.target is None:
            return t("Add point B as a number too, so that your check-ins can show progress.")
        if self.target is not None and self.baseline is None:
            return t("Add point A as a number too, so that your check-ins can show progress.")
        if self.complete and not self.instrument.strip():
            return t("Say what you will count, so that each check-in counts the same thing.")
        return ""


def measure_of(goal: Mapping[str, Any]) -> Measure | None:
    """The measure of a goal's answers; None when it has none (no instrument, point A or
    point B number: a goal in words only)."""
    instrument = goal.get("measure_instrument")
    unit = goal.get("measure_unit")
    found = Measure(
        instrument=instrument.strip() if isinstance(instrument, str) else "",
        unit=unit if isinstance(unit, str) and unit in UNITS else "",
        baseline=_number(goal.get("baseline")),
        target=_number(goal.get("target")),
    )
    if not found.instrument and found.baseline is None and found.target is None:
        return None
    return found


@dataclass(frozen=True)
class Point:
    """One check-in's value: the check-in's number (its version), when it was made (epoch
    seconds of its last change) and the value."""

    checkin: int
    at: float
    value: float

    @property
    def day(self) -> date:
        return datetime.fromtimestamp(self.at).date()


def checkin_points(
    events: Iterable[Any],
    marks: Sequence[float] = (),
    *,
    field: str = "measure_value",
    gap: float = SITTING_GAP,
) -> list[Point]:
    """The measure's value at each check-in, oldest first, from the check-in item's events
    (objects with ``field``, ``value`` and ``at``, as the store's history gives them) and
    its revision marks; a check-in whose value is empty or not a number is left out."""
    found = []
    for version in versions(events, marks, gap):
        value = _number(version.values.get(field))
        if value is not None:
            found.append(Point(version.number, version.at, value))
    return found


def progress(measure: Measure, value: float) -> float | None:
    """How far ``value`` has come from point A toward point B: 0 at A, 1 at B, 0.5
    halfway; below 0 (back past A) or above 1 (beyond B) as they are. A target below the
    baseline counts downward. When A and B are the same number, 1 when the value is there
    and 0 otherwise. None without both numbers."""
    if measure.baseline is None or measure.target is None or not math.isfinite(value):
        return None
    span = measure.target - measure.baseline
    if span == 0:
        return 1.0 if value == measure.target else 0.0
    return (value - measure.baseline) / span


_DAYS_IN = (
    N_("{day} January"),
    N_("{day} February"),
    N_("{day} March"),
    N_("{day} April"),
    N_("{day} May"),
    N_("{day} June"),
    N_("{day} July"),
    N_("{day} August"),
    N_("{day} September"),
    N_("{day} October"),
    N_("{day} November"),
    N_("{day} December"),
)
"""A day of each month as people say it (each language's order and words in its catalog)."""


def day_text(day: date, language: str | None = None) -> str:
    """A date as people say it: "15 March" (English), "15 de marzo" (Spanish), "15 mars"
    (French): pdkit's words, from the catalogs."""
    t = translator(language)
    return t(_DAYS_IN[day.month - 1]).format(day=day.day)


def _short_day(day: date, language: str | None) -> str:
    text = day_text(day, language)
    parts = text.split()
    return f"{parts[0]} {parts[-1][:3]}"


def measure_words(
    measure: Measure,
    points: Sequence[Point],
    *,
    target_date: str | None = None,
    t: Translate = _same,
    language: str | None = None,
) -> str:
    """A → now → B in a sentence: "From 40% to 62% so far; target 80% by 15 March."
    (``target_date`` is the goal's ISO date, if any), with what is missing said."""
    from .charts import format_value

    by = ""
    if target_date:
        try:
            by = t(" by {date}").format(date=day_text(date.fromisoformat(target_date), language))
        except ValueError:
            by = ""
    a = measure.value_text(measure.baseline) if measure.baseline is not None else None
    b = measure.value_text(measure.target) if measure.target is not None else None
    now = measure.value_text(points[-1].value) if points else None
    if a is None and b is None:
        return t("No numbers yet for point A and point B.")
    if a is None:
        said = t("Target {b}{by}; point A has no number yet.").format(b=b, by=by)
    elif b is None:
        said = t("From {a}; point B has no number yet.").format(a=a)
    elif now is None:
        said = t("Point A {a}; target {b}{by}. No check-in value yet.").format(a=a, b=b, by=by)
    else:
        said = t("From {a} to {now} so far; target {b}{by}.").format(a=a, now=now, b=b, by=by)
    if now is not None and b is None:
        said += " " + t("Now {now}.").format(now=now)
    if now is not None and a is not None and b is not None:
        share = progress(measure, points[-1].value)
        if share is not None:
            said += " " + t("{percent}% of the way from A to B.").format(
                percent=format_value(round(share * 100))
            )
    return said


def measure_chart(
    measure: Measure,
    points: Sequence[Point],
    *,
    t: Translate = _same,
    language: str | None = None,
) -> str:
    """The measure from point A through the check-ins' values toward point B, as an inline
    SVG (:func:`pdkit.charts.line_chart`); "" when there is nothing to draw."""
    from .charts import line_chart

    series: list[tuple[str, float]] = []
    if measure.baseline is not None:
        series.append((t("Point A"), measure.baseline))
    series += [(_short_day(p.day, language), p.value) for p in points]
    name = measure.instrument or t("My measure")
    return line_chart(
        series,
        label=t("{name}: from point A toward point B").format(name=name),
        baseline=(t("Point A"), measure.baseline) if measure.baseline is not None else None,
        target=(t("Point B"), measure.target) if measure.target is not None else None,
        unit=measure.symbol,
        css_class="chart line-chart pdkit-measure-chart",
    )
