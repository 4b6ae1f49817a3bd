"""From a :class:`~pdkit.review.Review` to what the report's templates show (the rows of
``_rows``): counts, a teacher's goal, versions, check-ins, comments and private writing
as plain strings, and the charts, drawn here as inline SVG.

Nothing here is escaped except the charts: the templates print every other value
through :func:`~pdkit.report._text.text`.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from typing import Any

import pandas as pd

from .._version import __version__
from ..charts import bar_chart, format_value
from ..definitions import builtin_definition_path, load_form
from ..definitions.ids import CHECKIN_FORM, GOAL_FORM
from ..errors import DefinitionError
from ..evidence import KIND_WORDS
from ..measures import unit_symbol
from ..review import Review
from ._rows import (
    Change,
    Checkin,
    Cohort,
    Comment,
    Evidence,
    Item,
    Note,
    Observed,
    Page,
    Reflection,
    Stale,
    Teacher,
    Version,
)
from ._text import day, missing, plain, trusted
from ._timeline import measure_view, timeline

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


def _checkin(r: Row, unit: str = "") -> Checkin:
    level = "" if missing(r["progress"]) else f"{r['progress']}. {r['progress_label']}"
    value: Any = r.get("measure_value")
    return Checkin(
        str(r["checkin"]),
        day(r["at"]),
        level,
        plain(r["evidence"]),
        plain(r["next_step"]),
        plain(r["support"]),
        "" if missing(value) else format_value(float(value), unit_symbol(unit)),
    )


def _reflections(rows: Sequence[Row]) -> list[Reflection]:
    """Per reflection form, its answers; shared when none of them is private."""
    return [
        Reflection(
            plain(form),
            [Item(plain(r["label"]), plain(r["text"])) for r in rows if r["form"] == form],
            not any(bool(r["private"]) for r in rows if r["form"] == form),
        )
        for form in sorted({r["form"] for r in rows})
    ]


def suffix(pid: str, length: int = 4) -> str:
    """A short, stable mark of a participant (from a hash of their id, never the id
    itself) that tells two teachers with the same name apart."""
    return hashlib.sha256(pid.encode("utf-8", "surrogatepass")).hexdigest()[:length]


def _names(people: Sequence[tuple[str, str]]) -> dict[str, str]:
    """Each participant's name as the report shows it: the name, and when another
    teacher has the same name, a short stable suffix (longer until they differ)."""
    counts = Counter(name.strip().casefold() for _pid, name in people)
    shown: dict[str, str] = {}
    for pid, name in people:
        label = name.strip() or "(no name)"
        if counts[name.strip().casefold()] > 1 or not name.strip():
            same = [p for p, n in people if n.strip().casefold() == name.strip().casefold()]
            length = 4
            while length < 64 and len({suffix(p, length) for p in same}) < len(same):
                length += 2
            label = f"{label} (#{suffix(pid, length)})"
        shown[pid] = label
    return shown


def _status(rows: Sequence[Row]) -> str:
    """The goal's status now and since when, with the way it came ("asked 2026-01-02 →
    agreed 2026-01-05")."""
    if not rows:
        return ""
    return " → ".join(f"{plain(r['status'])} {day(r['at'])}" for r in rows)


def _plan(rows: Sequence[Row]) -> str:
    if not rows:
        return ""
    r = rows[-1]
    done = f"{r['done']} check-in(s) done"
    late = f", {r['overdue']} overdue" if r["overdue"] else ""
    upcoming = f"; next: {plain(r['next_due'])} ({plain(r['next_state'])})" if r["next_due"] else ""
    return done + late + upcoming


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
    chart, words = measure_view(goal, checkins)
    return Teacher(
        id=pid,
        name=name,
        status=""
        if goal is None
        else (_status(parts["goal_statuses"].get(pid, [])) or plain(goal["status"]) or "draft"),
        plan=_plan(parts["checkin_plans"].get(pid, [])),
        goal=None if goal is None else _goal(goal),
        versions=[] if goal is None else _versions(parts["goal_versions"].get(pid, [])),
        timeline=trusted(timeline(goal, checkins, points)),
        checkins=[
            _checkin(r, "" if goal is None else plain(goal.get("measure_unit"))) for r in checkins
        ],
        comments=[
            Comment(plain(r["coach"]), day(r["at"]), plain(r["text"]))
            for r in parts["comments"].get(pid, [])
        ],
        reflections=_reflections(parts["reflections"].get(pid, [])),
        notes=[_note(r) for r in parts.get("notes", {}).get(pid, [])],
        hidden=hidden,
        measure=trusted(chart),
        measure_words=words,
        observations=tuple(_observed(r) for r in parts["observations"].get(pid, [])),
        evidence=tuple(_evidence(r) for r in parts["evidence"].get(pid, [])),
    )


def _evidence(r: Row) -> Evidence:
    student = bool(r["student_data"])
    link = plain(r["link"])
    checkin = r["checkin"]
    return Evidence(
        day=day(r["made_on"]),
        kind=KIND_WORDS.get(plain(r["kind"]), plain(r["kind"])),
        caption=plain(r["caption"]),
        link="" if student or not link.startswith(("https://", "http://")) else link,
        text="" if student else plain(r["text"]),
        student_data=student,
        checkin="" if checkin is None or pd.isna(checkin) else f"with check-in {int(checkin)}",
    )


def _observed(r: Row) -> Observed:
    version = r["goal_version"]
    return Observed(
        plain(r["day"]),
        plain(r["observer_name"]),
        "" if version is None or pd.isna(version) else f"goal version {int(version)}",
        f"{r['seen']} of {r['look_fors']} look-fors seen",
        plain(r["glow"]),
        plain(r["grow"]),
        plain(r["general"]),
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
    kept = review.kept_private
    goal_hidden |= set(kept.loc[kept["form"] == GOAL_FORM, "participant"])
    checkin_hidden |= set(kept.loc[kept["form"] == CHECKIN_FORM, "participant"])
    kept_writing = kept.loc[~kept["form"].isin((GOAL_FORM, CHECKIN_FORM))]
    if not include_private:
        review = review.shared_only()
    moment = pd.Timestamp(now if now is not None else datetime.now(timezone.utc))
    moment = moment.tz_localize("UTC") if moment.tzinfo is None else moment.tz_convert("UTC")
    points = progress_points()
    checkins = review.checkins
    latest = checkins.sort_values("checkin", kind="stable").groupby("participant").tail(1)
    reflections = review.reflections
    private_reflections = reflections.loc[reflections["private"].to_numpy(dtype=bool)]
    parts = {
        name: _by_participant(getattr(review, name))
        for name in (
            "checkins",
            "goal_versions",
            "comments",
            "goal_statuses",
            "checkin_plans",
            "observations",
            "evidence",
            *(("notes",) if include_private else ()),
        )
    }
    # Reflections shared with the coach (or wider) are in every report; private ones
    # only with include_private.
    parts["reflections"] = _by_participant(
        reflections if include_private else reflections.loc[~reflections["private"]]
    )
    # What is left out, only counted (no need to read it row by row): per participant,
    # private reflection answers, protocol notes, and items the reader could not read.
    hidden: Counter[str] = Counter(
        {str(pid): int(n) for pid, n in kept_writing["participant"].value_counts().items()}
    )
    if not include_private:
        for frame in (private_reflections, review.notes):
            counts = frame["participant"].value_counts()
            hidden.update({str(pid): int(n) for pid, n in counts.items()})
    private_items = len(
        {*zip(private_reflections["participant"], private_reflections["form"], strict=True)}
    ) + len(kept_writing)
    goals = {str(g["participant"]): g for g in _records(review.goals)}
    listed = [
        (str(r["participant"]), str(r["display_name"])) for r in _records(review.participants)
    ]
    names = _names(listed)
    people = sorted((names[pid].casefold(), pid, names[pid]) for pid, _name in listed)
    teachers = [
        _teacher(pid, name, goals.get(pid), parts, hidden[pid], points) for _, pid, name in people
    ]
    return Page(
        title=title,
        version=__version__,
        generated=moment.strftime("%Y-%m-%d %H:%M UTC"),
        sources=len(review.read),
        include_private=include_private,
        kept=len(goal_hidden) + len(checkin_hidden),
        private_count=(0 if include_private else private_items + len(review.notes)),
        cohort=_cohort(review, latest, points, moment, stale_days),
        teachers=[t for t in teachers if _shared_something(t)],
        silent=[t for t in teachers if not _shared_something(t)],
    )


def _shared_something(teacher: Teacher) -> bool:
    """Whether the report has anything of the teacher's to show (else: one line)."""
    return bool(
        teacher.goal is not None
        or teacher.checkins
        or teacher.comments
        or teacher.observations
        or teacher.evidence
        or teacher.reflections
        or teacher.notes
    )
