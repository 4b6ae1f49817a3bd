"""From a :class:`~pdkit.review.Review` to what the report's templates show (the rows of
``_rows``): counts, a teacher's goal, versions, check-ins, comments and private writing
as plain strings, and the charts, drawn here as inline SVG.

Nothing here is escaped except the charts: the templates print every other value
through :func:`~pdkit.report._text.text`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from typing import Any

import pandas as pd

from .._version import __version__
from ..charts import bar_chart
from ..definitions import builtin_definition_path, load_form
from ..definitions.ids import CHECKIN_FORM
from ..errors import DefinitionError
from ..review import Review
from ._rows import (
    Change,
    Checkin,
    Cohort,
    Comment,
    Item,
    Note,
    Page,
    Reflection,
    Stale,
    Teacher,
    Version,
)
from ._text import day, missing, plain, trusted
from ._timeline import timeline

Row = dict[str, Any]


def progress_points() -> dict[int, str]:
    """The check-in's scale (1 = still at point A … 5 = at point B), labelled."""
    try:
        form = load_form(builtin_definition_path(CHECKIN_FORM))
        field = form.field("progress")
    except (DefinitionError, KeyError):
        return {n: str(n) for n in range(1, 6)}
    return {int(o.value): o.label for o in field.options}


def _records(frame: pd.DataFrame) -> list[Row]:
    """The rows of ``frame`` as dicts, values as ``to_dict("records")`` gives them (pandas
    is slow row by row; whole columns as lists are fast: 18,000 goal-version rows in
    40 ms, 90 ms with ``to_dict``)."""
    columns = [str(name) for name in frame.columns]
    values = [frame[name].tolist() for name in frame.columns]
    return [dict(zip(columns, row, strict=True)) for row in zip(*values, strict=True)]


def _by_participant(frame: pd.DataFrame) -> dict[str, list[Row]]:
    found: dict[str, list[Row]] = {}
    for row in _records(frame):
        found.setdefault(str(row["participant"]), []).append(row)
    return found


def _stale(goals: Sequence[Row], now: pd.Timestamp, days: int) -> list[Stale]:
    """Goals with one version, or unchanged for ``days``, with the reasons."""
    found = []
    for goal in goals:
        reasons = []
        if goal["versions"] <= 1:
            reasons.append("one version only (not revised since it was set)")
        changed = goal["last_change"]
        if not missing(changed) and now - changed > pd.Timedelta(days=days):
            reasons.append(f"not changed since {day(changed)}")
        if reasons:
            found.append(
                Stale(str(goal["participant"]), str(goal["display_name"]), "; ".join(reasons))
            )
    return found


def _cohort(
    review: Review,
    latest: pd.DataFrame,
    points: Mapping[int, str],
    now: pd.Timestamp,
    stale_days: int,
) -> Cohort:
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
    return Cohort(
        counts=[
            Item("Participants", len(review.participants)),
            Item("With a goal", len(goals)),
            Item("With a check-in", len(latest)),
            Item("Goals revised at least once", int((goals["revisions"] > 0).sum())),
            Item("Coach comments", len(review.comments)),
        ],
        goals_chart=trusted(bar_chart(goal_bars, label="Goals per school goal")),
        progress_chart=trusted(bar_chart(progress_bars, label="Progress at the latest check-in")),
        without_checkin=len(review.participants) - len(latest),
        sitting_minutes=f"{review.sitting_gap / 60:g}",
        stale_days=stale_days,
        as_of=day(now),
        stale=_stale(_records(goals), now, stale_days),
    )


def _versions(rows: Sequence[Row]) -> list[Version]:
    """The goal's versions, each with what changed since the one before."""
    by_version: dict[int, list[Row]] = {}
    for row in rows:
        by_version.setdefault(int(row["version"]), []).append(row)
    found = []
    previous: dict[str, str] = {}
    for number in sorted(by_version):
        sitting = by_version[number]
        changes = [
            Change(plain(r["label"]), plain(previous.get(r["field"], "")), plain(r["value_text"]))
            for r in sitting
            if r["changed"]
        ]
        found.append(Version(number, day(sitting[0]["at"]), changes))
        previous.update({r["field"]: r["value_text"] for r in sitting})
    return found


def _goal(goal: Mapping[str, Any]) -> list[Item]:
    confidence = "" if missing(goal["confidence"]) else plain(goal["confidence_label"])
    return [
        Item("School goal", plain(goal["school_goal_label"])),
        Item("Goal", plain(goal["goal"])),
        Item("Point A (where students are)", plain(goal["point_a"])),
        Item("Point B (where they will be)", plain(goal["point_b"])),
        Item("By", day(goal["target_date"])),
        Item("Confidence", confidence),
        Item("First steps", plain(goal["action_steps"])),
    ]


def _checkin(r: Row) -> Checkin:
    level = "" if missing(r["progress"]) else f"{r['progress']}. {r['progress_label']}"
    return Checkin(
        str(r["checkin"]),
        day(r["at"]),
        level,
        plain(r["evidence"]),
        plain(r["next_step"]),
        plain(r["support"]),
    )


def _reflections(rows: Sequence[Row]) -> list[Reflection]:
    return [
        Reflection(
            plain(form),
            [Item(plain(r["label"]), plain(r["text"])) for r in rows if r["form"] == form],
        )
        for form in sorted({r["form"] for r in rows})
    ]


def _note(r: Row) -> Note:
    return Note(
        day(r["at"]), plain(r["step"]), plain(r["role"]), plain(r["field"]), plain(r["text"])
    )


def _teacher(
    pid: str,
    name: str,
    goal: Mapping[str, Any] | None,
    parts: Mapping[str, Mapping[str, list[Row]]],
    hidden: int,
    points: Mapping[int, str],
) -> Teacher:
    """A teacher's section; private writing only if ``parts`` holds it (else ``hidden``)."""
    checkins = parts["checkins"].get(pid, [])
    return Teacher(
        id=pid,
        name=name or pid,
        goal=None if goal is None else _goal(goal),
        versions=[] if goal is None else _versions(parts["goal_versions"].get(pid, [])),
        timeline=trusted(timeline(goal, checkins, points)),
        checkins=[_checkin(r) for r in checkins],
        comments=[
            Comment(plain(r["coach"]), day(r["at"]), plain(r["text"]))
            for r in parts["comments"].get(pid, [])
        ],
        reflections=_reflections(parts.get("reflections", {}).get(pid, [])),
        notes=[_note(r) for r in parts.get("notes", {}).get(pid, [])],
        hidden=hidden,
    )


def page(
    review: Review,
    *,
    title: str,
    include_private: bool,
    stale_days: int,
    now: datetime | None,
) -> Page:
    """What the report shows of ``review`` (private text only with ``include_private``)."""
    goal_hidden, checkin_hidden = review.hidden()
    if not include_private:
        review = review.shared_only()
    moment = pd.Timestamp(now if now is not None else datetime.now(timezone.utc))
    moment = moment.tz_localize("UTC") if moment.tzinfo is None else moment.tz_convert("UTC")
    points = progress_points()
    checkins = review.checkins
    latest = checkins.sort_values("checkin", kind="stable").groupby("participant").tail(1)
    private = ("reflections", "notes")
    parts = {
        name: _by_participant(getattr(review, name))
        for name in ("checkins", "goal_versions", "comments", *(private if include_private else ()))
    }
    hidden: Counter[str] = Counter()  # private answers and notes left out, per participant
    if not include_private:  # only counted: no need to read them row by row
        for name in private:
            counts = getattr(review, name)["participant"].value_counts()
            hidden.update({str(pid): int(n) for pid, n in counts.items()})
    goals = {str(g["participant"]): g for g in _records(review.goals)}
    people = sorted(
        (str(r["display_name"]).casefold(), str(r["participant"]), str(r["display_name"]))
        for r in _records(review.participants)
    )
    return Page(
        title=title,
        version=__version__,
        generated=moment.strftime("%Y-%m-%d %H:%M UTC"),
        sources=len(review.read),
        include_private=include_private,
        kept=len(goal_hidden) + len(checkin_hidden),
        private_count=len(review.reflections) + len(review.notes),
        cohort=_cohort(review, latest, points, moment, stale_days),
        teachers=[
            _teacher(pid, name, goals.get(pid), parts, hidden[pid], points)
            for _, pid, name in people
        ],
    )
