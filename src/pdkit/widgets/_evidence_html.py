"""A teacher's evidence items as HTML: the list on "My goal", the coach's page and the
coach's report (every text escaped; a link opens in a new tab without giving it the
page, ``rel="noopener noreferrer"``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from html import escape

from ..evidence import KIND_WORDS, class_summary_points
from ..i18n import N_
from ..store import EvidenceItem

__all__ = ["KIND_WORDS", "evidence_html"]

_SEEN_BY = {
    "private": N_("only you"),
    "coach": N_("you and your coach"),
    "group": N_("you, your coach and your group"),
    "session": N_("everyone in your session"),
}


def evidence_html(
    items: list[EvidenceItem],
    t: Callable[[str], str],
    *,
    checkin_dates: list[date] | None = None,
    own: bool = True,
) -> str:
    """The items as an HTML list, newest first as given (escaped; links open safely);
    ``own``: for their teacher (who is told who sees each item)."""
    if not items:
        return f'<p class="pdkit-empty">{escape(t("No evidence yet."))}</p>'
    from ..charts import escape_text, line_chart  # not on a participant's start-up path

    rows = []
    for item in items:
        caption = escape_text(item.caption)
        if item.link:
            caption = (
                f'<a class="pdkit-evidence-link" href="{escape_text(item.link)}" '
                f'target="_blank" rel="noopener noreferrer">{caption}</a>'
            )
        bits = [
            f'<span class="pdkit-evidence-kind">{escape(t(KIND_WORDS.get(item.kind, item.kind)))}'
            "</span>",
            f'<span class="pdkit-evidence-date">{escape(item.made_on.isoformat())}</span>',
            f'<span class="pdkit-evidence-caption">{caption}</span>',
        ]
        if item.student_data:
            bits.append(
                f'<span class="pdkit-evidence-student">{escape(t("contains student data"))}</span>'
            )
        if item.checkin is not None:
            when = ""
            if checkin_dates and item.checkin <= len(checkin_dates):
                when = f" ({checkin_dates[item.checkin - 1].isoformat()})"
            said = t("with check-in {n}").format(n=item.checkin)
            bits.append(f'<span class="pdkit-evidence-checkin">{escape(said + when)}</span>')
        if own:
            seen = t("seen by {who}").format(who=t(_SEEN_BY.get(item.shown, item.shown)))
            bits.append(f'<span class="pdkit-evidence-seen">{escape(seen)}</span>')
        text = (
            f'<div class="pdkit-evidence-text">{escape_text(item.text)}</div>' if item.text else ""
        )
        points, unit = class_summary_points(item.text)
        if points:  # a class-data summary: drawn, as the class-data page drew it
            chart = line_chart(
                points,
                label=t("Class mean by date"),
                unit=unit,
                css_class="chart line-chart pdkit-evidence-chart",
                width=480,
                height=200,
            )
            text = f'<div class="pdkit-chart">{chart}</div>{text}'

        rows.append(
            f'<li class="pdkit-evidence-item" data-kind="{escape(item.kind, quote=True)}">'
            f"{' · '.join(bits)}{text}</li>"
        )
    return f'<ul class="pdkit-evidence-list">{"".join(rows)}</ul>'
