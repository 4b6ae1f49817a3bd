"""The coach's report: one offline HTML file from a :class:`pdkit.review.Review`.

::

    from pdkit import report, review

    html = report.report_html(review.load("collected/"), title="Spring cycle")
    Path("report.html").write_text(html, encoding="utf-8")

The page is a single file with no external assets and no ``<script>`` at all: the
charts are small inline SVG drawn here (bars, and a point A → point B timeline per
teacher), styled by one ``<style>`` element. Every text that comes from a teacher, a
coach or a definition goes through :func:`text`, which escapes HTML and also encodes
``=`` and ``:`` (:func:`pdkit.charts.escape_text`), so no user text can ever read as
markup, an attribute or a URL — not even to a naive scan for ``onerror=`` or
``javascript:``.

What is in it: a cohort summary (participants, goals per school goal, progress at the
latest check-in, whose goal has not been revisited), then a section per teacher: the
goal now, its versions (what changed at each sitting), the timeline from point A
(when the goal was set) toward point B (the target date) with the check-ins, the
check-ins, and coach comments.

Privacy: the goal and the check-ins (progress, evidence, next step, the support asked
for) are shared with the coach by design of a coaching cycle; the workbooks tell
teachers so, and the report says so at the top. Reflections and protocol notes are
private to the teacher: they are left out (only counted) unless
``include_private=True`` is passed, and the report then says that it holds private text.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timezone
from typing import Any, cast

import pandas as pd

from . import __version__
from .charts import bar_chart, escape_text
from .definitions import builtin_definition_path, load_form
from .definitions.ids import CHECKIN_FORM
from .errors import DefinitionError
from .review import Review

__all__ = ["STALE_DAYS", "report_html", "text"]

Row = dict[str, Any]

STALE_DAYS = 21
"""A goal not changed for this many days counts as not revisited (with one version only)."""

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;line-height:1.5;color:#1f2933;
margin:0;background:#f7f8fa}
main{max-width:60rem;margin:0 auto;padding:1.5rem 1rem 4rem}
h1{margin:0 0 .25rem}h2{margin-top:2.5rem;border-bottom:2px solid #d9dee5;padding-bottom:.25rem}
h3{margin:1.5rem 0 .5rem}
.meta{color:#52606d;margin:0 0 1rem}
.notice{background:#fff8e1;border-left:4px solid #f0b400;padding:.75rem 1rem;margin:1rem 0}
.private{background:#fdecea;border-left-color:#c62828}
section.teacher{background:#fff;border:1px solid #d9dee5;border-radius:6px;padding:0 1.25rem 1rem;
margin:2rem 0;break-inside:avoid}
section.teacher h2{border:0;margin-top:1rem}
dl{display:grid;grid-template-columns:minmax(10rem,14rem) 1fr;gap:.25rem 1rem;margin:0}
dt{font-weight:600}dd{margin:0}
table{border-collapse:collapse;width:100%;margin:.5rem 0}
th,td{border-bottom:1px solid #e4e7eb;text-align:left;padding:.3rem .5rem;vertical-align:top}
.was{color:#7b8794;text-decoration:line-through}.now{color:#1f2933}
.chart text{font-size:12px;fill:#1f2933}.chart .bar{fill:#3f6fb5}
.chart .axis{stroke:#9aa5b1;stroke-width:1}
.chart .path{stroke:#9aa5b1;stroke-dasharray:5 4;fill:none}
.chart .track{stroke:#2e7d32;stroke-width:2;fill:none}.chart .check{fill:#2e7d32}
.chart .a{fill:#c62828}.chart .b{fill:#3f6fb5}
.muted{color:#7b8794}
@media print{body{background:#fff}section.teacher{border:0;padding:0}}
"""


def _missing(value: object) -> bool:
    """None, pandas' NA and NaT, and NaN."""
    return (
        value is None
        or value is pd.NA
        or value is pd.NaT
        or (isinstance(value, float) and math.isnan(value))
    )


def text(value: object) -> str:
    """``value`` as HTML text: escaped, with ``=`` and ``:`` encoded too (see module docs).
    Missing values (None, NA, NaT) are empty."""
    if _missing(value):
        return ""
    return escape_text(str(value))


def _lines(value: object) -> str:
    """Multi-line text: escaped, line breaks kept."""
    return text(value).replace("\n", "<br>")


def _day(moment: Any) -> str:
    if _missing(moment):
        return ""
    return pd.Timestamp(moment).strftime("%Y-%m-%d")


def _progress_points() -> dict[int, str]:
    """The check-in's scale (1 = still at point A … 5 = at point B), labelled."""
    try:
        form = load_form(builtin_definition_path(CHECKIN_FORM))
        field = form.field("progress")
    except (DefinitionError, KeyError):
        return {n: str(n) for n in range(1, 6)}
    return {int(o.value): o.label for o in field.options}


# --------------------------------------------------------------------------- charts


def _bar_chart(items: Sequence[tuple[str, int]], *, label: str) -> str:
    """Horizontal bars, one per (name, count), counts written beside them."""
    return bar_chart(items, label=label) or '<p class="muted">Nothing to show yet.</p>'


def _timeline(
    goal: Mapping[str, Any] | None, checkins: Sequence[Row], points: Mapping[int, str]
) -> str:
    """Point A (goal set) → point B (target date), with the check-ins' progress over time."""
    times: list[float] = []
    start = end = None
    if goal is not None and not _missing(goal["first_set"]):
        start = goal["first_set"].timestamp()
        times.append(start)
        if not _missing(goal["target_date"]):
            end = pd.Timestamp(goal["target_date"]).tz_localize("UTC").timestamp()
            times.append(end)
    checks = [
        (row["at"].timestamp(), row["progress"], row["progress_label"], row["checkin"])
        for row in checkins
        if not _missing(row["at"])
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

    label = "From point A toward point B: check-ins over time"
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{text(label)}"><title>{text(label)}</title>',
        f'<line class="axis" x1="{left}" y1="{y(lo):.1f}" x2="{width - right}" y2="{y(lo):.1f}"/>',
        f'<line class="axis" x1="{left}" y1="{y(hi):.1f}" x2="{width - right}" y2="{y(hi):.1f}"/>',
        f'<text x="{left - 8}" y="{y(lo) + 4:.1f}" text-anchor="end">A</text>',
        f'<text x="{left - 8}" y="{y(hi) + 4:.1f}" text-anchor="end">B</text>',
        f'<text x="{left}" y="{height - 8}">{text(_day(pd.Timestamp(t0, unit="s")))}</text>',
        f'<text x="{width - right}" y="{height - 8}" text-anchor="end">'
        f"{text(_day(pd.Timestamp(t1, unit='s')))}</text>",
    ]
    b_x = x(end) if end is not None else float(width - right)
    if start is not None:
        parts.append(
            f'<line class="path" x1="{x(start):.1f}" y1="{y(lo):.1f}" x2="{b_x:.1f}" '
            f'y2="{y(hi):.1f}"/>'
        )
    track = ([(x(start), y(lo))] if start is not None else []) + [
        (x(t), y(p)) for t, p, _, _ in checks if not _missing(p)
    ]
    if len(track) > 1:
        dots = " ".join(f"{px:.1f},{py:.1f}" for px, py in track)
        parts.append(f'<polyline class="track" points="{dots}"/>')
    if start is not None:
        when = _day(pd.Timestamp(start, unit="s"))
        parts.append(
            f'<circle class="a" cx="{x(start):.1f}" cy="{y(lo):.1f}" r="6">'
            f"<title>{text(f'Point A: goal set on {when}')}</title></circle>"
        )
    if goal is not None:
        target = _day(goal["target_date"]) or "no date"
        parts.append(
            f'<circle class="b" cx="{b_x:.1f}" cy="{y(hi):.1f}" r="6">'
            f"<title>{text(f'Point B: target {target}')}</title></circle>"
        )
    for moment, level, level_label, number in checks:
        if _missing(level):
            continue
        tip = f"Check-in {number}, {_day(pd.Timestamp(moment, unit='s'))}: {level_label}"
        parts.append(
            f'<circle class="check" cx="{x(moment):.1f}" cy="{y(level):.1f}" r="4.5">'
            f"<title>{text(tip)}</title></circle>"
        )
    parts.append("</svg>")
    return "".join(parts)


# --------------------------------------------------------------------------- sections


def _records(frame: pd.DataFrame) -> list[Row]:
    """The rows of ``frame`` as dicts (pandas is slow row by row)."""
    return cast("list[Row]", frame.to_dict("records"))


def _by_participant(frame: pd.DataFrame) -> dict[str, list[Row]]:
    found: dict[str, list[Row]] = {}
    for row in _records(frame):
        found.setdefault(str(row["participant"]), []).append(row)
    return found


def _dl(items: Iterable[tuple[str, object]]) -> str:
    rows = "".join(
        f"<dt>{text(label)}</dt><dd>{_lines(value) or '—'}</dd>" for label, value in items
    )
    return f"<dl>{rows}</dl>"


def _stale(goals: Sequence[Row], now: pd.Timestamp, days: int) -> list[tuple[str, str, str]]:
    """(participant, name, reason) for goals with one version, or unchanged for ``days``."""
    found = []
    for goal in goals:
        reasons = []
        if goal["versions"] <= 1:
            reasons.append("one version only (not revised since it was set)")
        changed = goal["last_change"]
        if not _missing(changed) and now - changed > pd.Timedelta(days=days):
            reasons.append(f"not changed since {_day(changed)}")
        if reasons:
            found.append((str(goal["participant"]), str(goal["display_name"]), "; ".join(reasons)))
    return found


def _summary(
    review: Review,
    latest: pd.DataFrame,
    points: Mapping[int, str],
    now: pd.Timestamp,
    stale_days: int,
) -> str:
    goals = review.goals
    per_goal = (
        goals.assign(
            name=goals["school_goal_label"].where(goals["school_goal_label"] != "", "(none chosen)")
        )
        .groupby("name", sort=False)
        .size()
        .sort_values(ascending=False, kind="stable")
    )
    goal_bars = [(str(name), int(count)) for name, count in per_goal.items()]
    counts = latest["progress"].value_counts() if len(latest) else pd.Series(dtype="int64")
    progress_bars = [(f"{n}. {points[n]}", int(counts.get(n, 0))) for n in sorted(points)]
    without = len(review.participants) - len(latest)
    stale = _stale(_records(goals), now, stale_days)
    stale_items = "".join(
        f'<li><a href="#t-{text(pid)}">{text(name)}</a>: {text(reason)}</li>'
        for pid, name, reason in stale
    )
    return (
        '<section id="cohort"><h2>Cohort</h2>'
        + _dl(
            [
                ("Participants", len(review.participants)),
                ("With a goal", len(goals)),
                ("With a check-in", len(latest)),
                ("Goals revised at least once", int((goals["revisions"] > 0).sum())),
                ("Coach comments", len(review.comments)),
            ]
        )
        + "<h3>Goals per school goal</h3>"
        + _bar_chart(goal_bars, label="Goals per school goal")
        + "<h3>Progress at the latest check-in</h3>"
        + _bar_chart(progress_bars, label="Progress at the latest check-in")
        + f'<p class="muted">{without} participant(s) without a check-in yet.</p>'
        + "<h3>Goals not revisited</h3>"
        + "<p>"
        + text(
            "A goal counts as not revisited when it has one version only (a version is "
            f"a sitting: edits less than {review.sitting_gap / 60:g} minutes apart), or when "
            f"it has not changed in the last {stale_days} days (as of {_day(now)}). "
            "These are conversations to have, not marks."
        )
        + "</p>"
        + (f"<ul>{stale_items}</ul>" if stale else '<p class="muted">None.</p>')
        + "</section>"
    )


def _goal_versions(versions: Sequence[Row]) -> str:
    if not versions:
        return ""
    by_version: dict[int, list[Row]] = {}
    for row in versions:
        by_version.setdefault(int(row["version"]), []).append(row)
    parts = ["<h3>Goal versions</h3><ol>"]
    previous: dict[str, str] = {}
    for number in sorted(by_version):
        rows = by_version[number]
        changed = [r for r in rows if r["changed"]]
        if number == 1:
            body = "first set"
        elif not changed:
            body = "no change"
        else:
            body = (
                "<ul>"
                + "".join(
                    f"<li><strong>{text(r['label'])}</strong>: "
                    f'<span class="was">{_lines(previous.get(r["field"], "")) or "—"}</span>'
                    f' → <span class="now">{_lines(r["value_text"]) or "—"}</span></li>'
                    for r in changed
                )
                + "</ul>"
            )
        parts.append(f"<li>{text(_day(rows[0]['at']))}: {body}</li>")
        previous.update({r["field"]: r["value_text"] for r in rows})
    parts.append("</ol>")
    return "".join(parts)


def _checkin_table(checkins: Sequence[Row]) -> str:
    if not checkins:
        return '<h3>Check-ins</h3><p class="muted">No check-in yet.</p>'
    head = "<tr><th>#</th><th>Date</th><th>Progress</th><th>Evidence</th><th>Next step</th>"
    head += "<th>Support wanted</th></tr>"
    rows = []
    for r in checkins:
        level = "" if _missing(r["progress"]) else f"{r['progress']}. {r['progress_label']}"
        cells = [str(r["checkin"]), _day(r["at"]), level]
        row = "".join(f"<td>{text(c)}</td>" for c in cells)
        row += f"<td>{_lines(r['evidence'])}</td><td>{_lines(r['next_step'])}</td>"
        row += f"<td>{_lines(r['support'])}</td>"
        rows.append(f"<tr>{row}</tr>")
    return f"<h3>Check-ins</h3><table>{head}{''.join(rows)}</table>"


def _comments(comments: Sequence[Row]) -> str:
    if not comments:
        return ""
    items = "".join(
        f"<li><strong>{text(r['coach'])}</strong>, {text(_day(r['at']))}: {_lines(r['text'])}</li>"
        for r in comments
    )
    return f"<h3>Coach comments</h3><ul>{items}</ul>"


def _private(reflections: Sequence[Row], notes: Sequence[Row]) -> str:
    parts = []
    if reflections:
        parts.append("<h3>Reflections (private)</h3>")
        for form in sorted({r["form"] for r in reflections}):
            parts.append(f"<h4>{text(form)}</h4>")
            parts.append(_dl((r["label"], r["text"]) for r in reflections if r["form"] == form))
    if notes:
        rows = "".join(
            f"<tr><td>{text(_day(r['at']))}</td><td>{text(r['step'])}</td>"
            f"<td>{text(r['role'])}</td><td>{text(r['field'])}</td><td>{_lines(r['text'])}</td>"
            "</tr>"
            for r in notes
        )
        parts.append(
            "<h3>Protocol notes (private)</h3><table><tr><th>Date</th><th>Step</th>"
            f"<th>Role</th><th>Field</th><th>Note</th></tr>{rows}</table>"
        )
    return "".join(parts)


def _teacher(
    pid: str,
    name: str,
    goal: Mapping[str, Any] | None,
    parts: Mapping[str, Mapping[str, list[Row]]],
    include_private: bool,
    points: Mapping[int, str],
) -> str:
    checkins = parts["checkins"].get(pid, [])
    body = [f'<section class="teacher" id="t-{text(pid)}"><h2>{text(name or pid)}</h2>']
    if goal is None:
        body.append('<p class="muted">No goal yet.</p>')
    else:
        target = _day(goal["target_date"])
        confidence = "" if _missing(goal["confidence"]) else goal["confidence_label"]
        body.append(
            _dl(
                [
                    ("School goal", goal["school_goal_label"]),
                    ("Goal", goal["goal"]),
                    ("Point A (where students are)", goal["point_a"]),
                    ("Point B (where they will be)", goal["point_b"]),
                    ("By", target),
                    ("Confidence", confidence),
                    ("First steps", goal["action_steps"]),
                ]
            )
        )
        body.append(_goal_versions(parts["goal_versions"].get(pid, [])))
    timeline = _timeline(goal, checkins, points)
    if timeline:
        body.append(f"<h3>Point A → point B</h3>{timeline}")
    elif goal is not None:
        body.append(
            '<h3>Point A → point B</h3><p class="muted">No target date and no check-in yet: '
            "nothing to draw.</p>"
        )
    body.append(_checkin_table(checkins))
    body.append(_comments(parts["comments"].get(pid, [])))
    reflections, notes = parts["reflections"].get(pid, []), parts["notes"].get(pid, [])
    if include_private:
        body.append(_private(reflections, notes))
    else:
        hidden = len(reflections) + len(notes)
        if hidden:
            body.append(
                f'<p class="muted">{hidden} private reflection answer(s) and note(s): '
                "not shown.</p>"
            )
    body.append("</section>")
    return "".join(body)


def report_html(
    review: Review,
    *,
    title: str = "Coaching review",
    include_private: bool = False,
    stale_days: int = STALE_DAYS,
    now: datetime | None = None,
) -> str:
    """The report as one HTML document (see the module docs for what it holds).

    ``now`` (default: the current time) is when "not changed in ``stale_days`` days"
    is measured from. Private text is left out unless ``include_private`` is True.
    """
    goal_hidden, checkin_hidden = review.hidden()
    if not include_private:
        review = review.shared_only()
    moment = pd.Timestamp(now if now is not None else datetime.now(timezone.utc))
    moment = moment.tz_localize("UTC") if moment.tzinfo is None else moment.tz_convert("UTC")
    points = _progress_points()
    checkins = review.checkins
    latest = checkins.sort_values("checkin", kind="stable").groupby("participant").tail(1)
    parts = {
        name: _by_participant(getattr(review, name))
        for name in ("checkins", "goal_versions", "comments", "reflections", "notes")
    }
    goals = {str(g["participant"]): g for g in _records(review.goals)}
    people = sorted(
        (str(r["display_name"]).casefold(), str(r["participant"]), str(r["display_name"]))
        for r in _records(review.participants)
    )
    private_count = len(review.reflections) + len(review.notes)
    kept = len(goal_hidden) + len(checkin_hidden)
    if include_private:
        privacy = (
            '<div class="notice private"><strong>This report holds private text.</strong> '
            "It includes teachers' reflections and protocol notes because it was made with "
            "include_private (--include-private). Share it with nobody but the teacher it is "
            "about.</div>"
        )
    else:
        privacy = (
            '<div class="notice">This report holds the goals and check-ins that teachers '
            f"shared with their coach ({kept} goal(s) or check-in(s) kept private are not in "
            "it). Reflections and protocol notes are private to each teacher and are "
            f"not in this report ({private_count} private answer(s) and note(s) left out). "
            "Coaching is not evaluation: this report is for conversations, not for ratings."
            "</div>"
        )
    generated = moment.strftime("%Y-%m-%d %H:%M UTC")
    sources = len(review.read)
    teachers = "".join(
        _teacher(pid, name, goals.get(pid), parts, include_private, points)
        for _, pid, name in people
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta name="generator" content="pdkit {text(__version__)}">'
        f"<title>{text(title)}</title><style>{_CSS}</style></head><body><main>"
        f"<h1>{text(title)}</h1>"
        f'<p class="meta">{text(f"Made {generated} from {sources} source(s) by pdkit.")}</p>'
        f"{privacy}"
        + _summary(review, latest, points, moment, stale_days)
        + teachers
        + "</main></body></html>\n"
    )
