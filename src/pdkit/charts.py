"""Inline SVG charts with no script, safe to put into any HTML page: the one horizontal bar
chart pdkit draws, and the escaping rule every text in it goes through.

This module imports only the standard library (no pandas), so that widgets and the
report can both use it.

:func:`escape_text` is pdkit's strong escaping rule: HTML is escaped (quotes too), and
``=`` and ``:`` are encoded as well, so that no text can read as markup, an attribute or
a URL, not even to a naive scan for ``onerror=`` or ``javascript:``. A browser shows the
text exactly as it was typed.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

__all__ = ["bar_chart", "escape_text"]


def escape_text(value: str) -> str:
    """``value`` as HTML text or attribute value: escaped, ``=`` and ``:`` encoded too."""
    return html.escape(value, quote=True).replace("=", "&#61;").replace(":", "&#58;")


def _short(value: str, limit: int) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


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
    label) the chart's tooltip. Names longer than ``label_chars`` are shortened, with
    the full name as the tooltip of the name and of the bar. Bars are drawn with
    ``class="bar"``, styled by the page's CSS, or with ``fill`` as a colour if given.
    Every text is escaped with :func:`escape_text`. No items: an empty string (the
    caller says there is nothing to show).
    """
    if not items:
        return ""
    row = 26
    height = row * len(items) + 4
    most = max(count for _, count in items) or 1
    room = width - label_width - 50
    paint = f' fill="{escape_text(fill)}"' if fill is not None else ""
    said = escape_text(label)
    parts = [
        f'<svg class="{escape_text(css_class)}" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="{said}">'
        f"<title>{said if title is None else escape_text(title)}</title>"
    ]
    for index, (name, count) in enumerate(items):
        y = index * row
        bar = room * count / most
        full = escape_text(name)
        parts.append(
            f'<text x="{label_width - 8}" y="{y + 17}" text-anchor="end">'
            f"{escape_text(_short(name, label_chars))}<title>{full}</title></text>"
            f'<rect class="bar"{paint} x="{label_width}" y="{y + 4}" width="{bar:.1f}" '
            f'height="{row - 8}"><title>{full}: {count}</title></rect>'
            f'<text x="{label_width + bar + 6:.1f}" y="{y + 17}">{count}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
