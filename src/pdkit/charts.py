"""Inline SVG charts with no script, safe to put into any HTML page: the horizontal bar
chart and the line chart (a measure from point A, through its values so far, toward
point B) pdkit draws, and the escaping rule every text in them goes through.

This module imports only the standard library (no pandas), so that widgets and the
report can both use it.

:func:`escape_text` is pdkit's strong escaping rule: HTML is escaped (quotes too), and
``=`` and ``:`` are encoded as well, so that no text can read as markup, an attribute or
a URL, not even to a naive scan for ``onerror=`` or ``javascript:``. A browser shows the
text exactly as it was typed.
"""

from __future__ import annotations

import html
import math
import textwrap
from collections.abc import Sequence

__all__ = ["MAX_LINE_POINTS", "bar_chart", "escape_text", "format_value", "line_chart"]


def escape_text(value: str) -> str:
    """``value`` as HTML text or attribute value: escaped, ``=`` and ``:`` encoded too."""
    return html.escape(value, quote=True).replace("=", "&#61;").replace(":", "&#58;")


def _short(value: str, limit: int) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _lines(value: str, limit: int) -> list[str]:
    """``value`` in lines of at most ``limit`` characters, broken at spaces where it can
    (the spaces kept, so the lines joined are the whole name)."""
    return textwrap.wrap(value, limit, drop_whitespace=False, break_on_hyphens=False) or [""]


def bar_chart(
    items: Sequence[tuple[str, int]],
    *,
    label: str,
    title: str | None = None,
    css_class: str = "chart",
    fill: str | None = None,
    width: int = 640,
    label_width: int = 270,
    label_chars: int = 40,
) -> str:
    """Horizontal bars, one per ``(name, count)`` in the given order, counts beside them.

    ``label`` is what a screen reader says (``aria-label``), ``title`` (default: the
    label) the chart's tooltip. Names longer than ``label_chars`` wrap onto more lines
    (never cut), the full name also the tooltip of the name and of the bar. Bars are drawn with
    ``class="bar"``, styled by the page's CSS, or with ``fill`` as a colour if given.
    Every text is escaped with :func:`escape_text`. No items: an empty string (the
    caller says there is nothing to show).
    """
    if not items:
        return ""
    row, line = 26, 16
    names = [_lines(name, label_chars) for name, _ in items]
    rows = [row + line * (len(lines) - 1) for lines in names]
    height = sum(rows) + 4
    most = max(count for _, count in items) or 1
    room = width - label_width - 50
    paint = f' fill="{escape_text(fill)}"' if fill is not None else ""
    said = escape_text(label)
    parts = [
        f'<svg class="{escape_text(css_class)}" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="{said}">'
        f"<title>{said if title is None else escape_text(title)}</title>"
    ]
    y = 0
    for (name, count), lines, tall in zip(items, names, rows, strict=True):
        bar = room * count / most
        full = escape_text(name)
        said = "".join(
            f'<tspan x="{label_width - 8}" dy="{0 if i == 0 else line}">{escape_text(text)}</tspan>'
            for i, text in enumerate(lines)
        )
        parts.append(
            f'<text x="{label_width - 8}" y="{y + 17}" text-anchor="end">'
            f"{said}<title>{full}</title></text>"
            f'<rect class="bar"{paint} x="{label_width}" y="{y + 4}" width="{bar:.1f}" '
            f'height="{row - 8}"><title>{full}: {count}</title></rect>'
            f'<text x="{label_width + bar + 6:.1f}" y="{y + 17}">{count}</text>'
        )
        y += tall
    parts.append("</svg>")
    return "".join(parts)


MAX_LINE_POINTS = 60
"""A line chart draws at most this many points (the latest); more would not be read."""


def format_value(value: float, unit: str = "") -> str:
    """``value`` in words for a chart or a sentence: at most two decimals, no trailing
    zeros, thousands grouped; ``unit`` follows ("%" directly, any other unit after a
    space): ``format_value(62.5, "%")`` is ``"62.5%"``, ``format_value(3, "students")``
    is ``"3 students"``."""
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    if not unit:
        return text
    return f"{text}{unit}" if unit == "%" else f"{text} {unit}"


def line_chart(
    points: Sequence[tuple[str, float]],
    *,
    label: str,
    title: str | None = None,
    baseline: tuple[str, float] | None = None,
    target: tuple[str, float] | None = None,
    unit: str = "",
    css_class: str = "chart line-chart",
    width: int = 640,
    height: int = 240,
) -> str:
    """A measure over time: one point per ``(when, value)`` in the given order, joined
    by a line, each with its value beside it; ``baseline`` and ``target`` are
    ``(name, value)`` drawn as labelled horizontal lines (point A solid, point B dashed),
    e.g. ``baseline=("Point A", 40), target=("Point B", 80)``.

    Points are spaced evenly in their order (``when`` is the label under each point, such
    as a date); values that are not finite numbers are left out, and only the last
    :data:`MAX_LINE_POINTS` are drawn. ``unit`` follows every value
    (:func:`format_value`). ``label`` is what a screen reader says (``aria-label``),
    with every value in a ``<desc>``; ``title`` (default: the label) is the tooltip.
    Lines are drawn with ``class="line"``, points with ``class="point"``, point A and
    point B with ``class="baseline"`` and ``class="target"``, for the page's CSS to
    style (each has a visible default). Every text is escaped with
    :func:`escape_text`. Nothing to draw: an empty string (the caller says so).
    """
    drawn = [(when, float(value)) for when, value in points if math.isfinite(value)]
    drawn = drawn[-MAX_LINE_POINTS:]
    marks = [
        (kind, name, float(value))
        for kind, mark in (("baseline", baseline), ("target", target))
        if mark is not None
        for name, value in (mark,)
        if math.isfinite(value)
    ]
    if not drawn and not marks:
        return ""
    values = [value for _, value in drawn] + [value for _, _, value in marks]
    low, high = min(values), max(values)
    if high == low:
        low, high = low - 1, high + 1
    pad = (high - low) * 0.12
    low, high = low - pad, high + pad
    left, right, top, bottom = 40, 150, 22, 34
    plot_w, plot_h = width - left - right, height - top - bottom

    def y_of(value: float) -> float:
        return top + plot_h * (high - value) / (high - low)

    def x_of(index: int) -> float:
        if len(drawn) == 1:
            return left + plot_w / 2
        return left + plot_w * index / (len(drawn) - 1)

    said = escape_text(label)
    desc = "; ".join(
        [f"{name}: {format_value(value, unit)}" for _, name, value in marks]
        + [f"{when}: {format_value(value, unit)}" for when, value in drawn]
    )
    parts = [
        f'<svg class="{escape_text(css_class)}" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="{said}">'
        f"<title>{said if title is None else escape_text(title)}</title>"
        f"<desc>{escape_text(desc)}</desc>"
    ]
    for kind, name, value in marks:
        y = y_of(value)
        dash = ' stroke-dasharray="6 4"' if kind == "target" else ""
        words = escape_text(f"{name}: {format_value(value, unit)}")
        parts.append(
            f'<line class="{kind}" x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" '
            f'stroke="currentColor" stroke-width="1.5"{dash}><title>{words}</title></line>'
            f'<text class="{kind}-label" x="{left + plot_w + 8}" y="{y + 5:.1f}">{words}</text>'
        )
    if len(drawn) > 1:
        line = " ".join(f"{x_of(i):.1f},{y_of(v):.1f}" for i, (_, v) in enumerate(drawn))
        parts.append(
            f'<polyline class="line" points="{line}" fill="none" stroke="currentColor" '
            'stroke-width="2.5"/>'
        )
    every = max(1, math.ceil(len(drawn) / 8))
    for index, (when, value) in enumerate(drawn):
        x, y = x_of(index), y_of(value)
        words = escape_text(f"{when}: {format_value(value, unit)}")
        parts.append(
            f'<circle class="point" cx="{x:.1f}" cy="{y:.1f}" r="5" fill="currentColor">'
            f"<title>{words}</title></circle>"
            f'<text class="value" x="{x:.1f}" y="{y - 9:.1f}" text-anchor="middle">'
            f"{escape_text(format_value(value, unit))}</text>"
        )
        if index % every == 0 or index == len(drawn) - 1:
            parts.append(
                f'<text class="when" x="{x:.1f}" y="{height - 10}" text-anchor="middle">'
                f"{escape_text(_short(when, 14))}</text>"
            )
    parts.append("</svg>")
    return "".join(parts)
