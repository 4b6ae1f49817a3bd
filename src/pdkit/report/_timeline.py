"""A teacher's point A → point B timeline: inline SVG drawn from the goal and the check-ins,
every text through :func:`~pdkit.report._text.text`; and for a measured goal, A → now → B
from its numbers (:func:`measure_view`, drawn by :mod:`pdkit.measures` as on the pages)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pandas as pd

from ..i18n import translator
from ..measures import Measure, Point, measure_chart, measure_words
from ._text import day, missing, text

Row = dict[str, Any]


def timeline(
    goal: Mapping[str, Any] | None,
    checkins: Sequence[Row],
    points: Mapping[int, str],
    t: Callable[[str], str] = str,
) -> str:
    """Point A (goal set) → point B (target date), with the check-ins' progress over time.

    An empty string when there is nothing to draw (no target date and no check-in)."""
    times: list[float] = []
    start = end = None
    if goal is not None and not missing(goal["first_set"]):
        start = goal["first_set"].timestamp()
        times.append(start)
        if not missing(goal["target_date"]):
            end = pd.Timestamp(goal["target_date"]).tz_localize("UTC").timestamp()
            times.append(end)
    checks = [
        (row["at"].timestamp(), row["progress"], row["progress_label"], row["checkin"])
        for row in checkins
        if not missing(row["at"])
    ]
    times.extend(t for t, *_ in checks)
    if end is None and not checks:
        return ""  # only point A: nothing to draw yet
    t0 = min(times)
    t1 = max(max(times), t0 + 86400.0)
    width, height, left, right, top, bottom = 640, 170, 40, 30, 24, 36
    lo, hi = min(points), max(points)

    def x(moment: float) -> float:
        return left + (moment - t0) / (t1 - t0) * (width - left - right)

    def y(level: float) -> float:
        return top + (hi - level) / (hi - lo) * (height - top - bottom)

    label = text(t("From point A toward point B: check-ins over time"))
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{label}"><title>{label}</title>',
        f'<line class="axis" x1="{left}" y1="{y(lo):.1f}" x2="{width - right}" y2="{y(lo):.1f}"/>',
        f'<line class="axis" x1="{left}" y1="{y(hi):.1f}" x2="{width - right}" y2="{y(hi):.1f}"/>',
        f'<text x="{left - 8}" y="{y(lo) + 4:.1f}" text-anchor="end">A</text>',
        f'<text x="{left - 8}" y="{y(hi) + 4:.1f}" text-anchor="end">B</text>',
        f'<text x="{left}" y="{height - 8}">{text(day(pd.Timestamp(t0, unit="s")))}</text>',
        f'<text x="{width - right}" y="{height - 8}" text-anchor="end">'
        f"{text(day(pd.Timestamp(t1, unit='s')))}</text>",
    ]
    b_x = x(end) if end is not None else float(width - right)
    if start is not None:
        parts.append(
            f'<line class="path" x1="{x(start):.1f}" y1="{y(lo):.1f}" x2="{b_x:.1f}" '
            f'y2="{y(hi):.1f}"/>'
        )
    track = ([(x(start), y(lo))] if start is not None else []) + [
        (x(t), y(p)) for t, p, _, _ in checks if not missing(p)
    ]
    if len(track) > 1:
        dots = " ".join(f"{px:.1f},{py:.1f}" for px, py in track)
        parts.append(f'<polyline class="track" points="{dots}"/>')
    if start is not None:
        when = day(pd.Timestamp(start, unit="s"))
        parts.append(
            f'<circle class="a" cx="{x(start):.1f}" cy="{y(lo):.1f}" r="6">'
            f"<title>{text(t('Point A: goal set on {day}').format(day=when))}</title></circle>"
        )
    if goal is not None:
        target = day(goal["target_date"]) or t("no date")
        said = t("Point B: target {day}").format(day=target)
        parts.append(
            f'<circle class="b" cx="{b_x:.1f}" cy="{y(hi):.1f}" r="6">'
            f"<title>{text(said)}</title></circle>"
        )
    for moment, level, level_label, number in checks:
        if missing(level):
            continue
        tip = t("Check-in {n}, {day}: {level}").format(
            n=number, day=day(pd.Timestamp(moment, unit="s")), level=level_label
        )
        parts.append(
            f'<circle class="check" cx="{x(moment):.1f}" cy="{y(level):.1f}" r="4.5">'
            f"<title>{text(tip)}</title></circle>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _number(value: Any) -> float | None:
    return None if missing(value) else float(value)


def measure_view(
    goal: Mapping[str, Any] | None, checkins: Sequence[Row], language: str | None = None
) -> tuple[str, str]:
    """A measured goal's A → now → B: the chart and the sentence, from the goals frame's
    measure columns and the check-ins' ``measure_value`` (those the report may show).
    Two empty strings for a goal in words only (or no goal)."""
    if goal is None:
        return "", ""
    t = translator(language)
    instrument = goal.get("measure_instrument")
    measure = Measure(
        instrument="" if missing(instrument) else str(instrument),
        unit="" if missing(goal.get("measure_unit")) else str(goal["measure_unit"]),
        baseline=_number(goal.get("baseline")),
        target=_number(goal.get("target")),
    )
    if not measure.instrument and measure.baseline is None and measure.target is None:
        return "", ""
    points = [
        Point(int(row["checkin"]), row["at"].timestamp(), float(row["measure_value"]))
        for row in checkins
        if not missing(row.get("measure_value")) and not missing(row["at"])
    ]
    target_date: Any = goal.get("target_date")
    words = measure_words(
        measure,
        points,
        target_date=None if missing(target_date) else pd.Timestamp(target_date).date().isoformat(),
        t=t,
        language=language,
    )
    return measure_chart(measure, points, t=t, language=language), words
