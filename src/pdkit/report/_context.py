"""From a :class:`~pdkit.review.Review` to what the report's templates show (the rows of
``_rows``): counts, a teacher's goal, versions, check-ins, comments and private writing
as plain strings, and the charts, drawn here as inline SVG.

Nothing here is escaped except the charts: the templates print every other value
through :func:`~pdkit.report._text.text`.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timezone
from typing import Any

import pandas as pd

from .._version import __version__
from ..charts import bar_chart, format_value
from ..definitions import builtin_definition_path, load_form
from ..definitions.ids import CHECKIN_FORM, GOAL_FORM
from ..errors import DefinitionError
from ..evidence import KIND_WORDS
from ..i18n import N_, plural_translator, translator
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
Translate = Callable[[str], str]


def progress_points(language: str | None = None) -> dict[int, str]:
    """The check-in's scale (1 = still at point A … 5 = at point B), labelled."""
    try:
        form = load_form(builtin_definition_path(CHECKIN_FORM), language=language)
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


def _stale(goals: Sequence[Row], now: pd.Timestamp, days: int, t: Translate) -> list[Stale]:
    """Goals with one version, or unchanged for ``days``, with the reasons."""
    found = []
    for goal in goals:
        reasons = []
        if goal["versions"] <= 1:
            reasons.append(t("one version only (not revised since it was set)"))
        changed = goal["last_change"]
        if not missing(changed) and now - changed > pd.Timedelta(days=days):
            reasons.append(t("not changed since {day}").format(day=day(changed)))
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
    t: Translate,
) -> Cohort:
    goals = review.goals
    none_chosen = t("(none chosen)")
    per_goal = (
        goals.assign(
            name=goals["school_goal_label"].where(goals["school_goal_label"] != "", none_chosen)
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
            Item(t("Participants"), len(review.participants)),
            Item(t("With a goal"), len(goals)),
            Item(t("With a check-in"), len(latest)),
            Item(t("Goals revised at least once"), int((goals["revisions"] > 0).sum())),
            Item(t("Coach comments"), len(review.comments)),
        ],
        goals_chart=trusted(bar_chart(goal_bars, label=t("Goals per school goal"))),
        progress_chart=trusted(
            bar_chart(progress_bars, label=t("Progress at the latest check-in"))
        ),
        without_checkin=len(review.participants) - len(latest),
        sitting_minutes=f"{review.sitting_gap / 60:g}",
        stale_days=stale_days,
        as_of=day(now),
        stale=_stale(_records(goals), now, stale_days, t),
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


def _goal(goal: Mapping[str, Any], t: Translate) -> list[Item]:
    confidence = "" if missing(goal["confidence"]) else plain(goal["confidence_label"])
    return [
        Item(t("School goal"), plain(goal["school_goal_label"])),
        Item(t("Goal"), plain(goal["goal"])),
        Item(t("Point A (where students are)"), plain(goal["point_a"])),
        Item(t("Point B (where they will be)"), plain(goal["point_b"])),
        Item(t("By"), day(goal["target_date"])),
        Item(t("Confidence"), confidence),
        Item(t("First steps"), plain(goal["action_steps"])),
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


def _names(people: Sequence[tuple[str, str]], t: Translate = str) -> dict[str, str]:
    """Each participant's name as the report shows it: the name, and when another
    teacher has the same name, a short stable suffix (longer until they differ)."""
    counts = Counter(name.strip().casefold() for _pid, name in people)
    shown: dict[str, str] = {}
    for pid, name in people:
        label = name.strip() or t("(no name)")
        if counts[name.strip().casefold()] > 1 or not name.strip():
            same = [p for p, n in people if n.strip().casefold() == name.strip().casefold()]
            length = 4
            while length < 64 and len({suffix(p, length) for p in same}) < len(same):
                length += 2
            label = f"{label} (#{suffix(pid, length)})"
        shown[pid] = label
    return shown


_STATUSES = {
    "draft": N_("draft"),
    "asked": N_("asked"),
    "agreed": N_("agreed"),
    "active": N_("working on it"),
    "met": N_("met"),
    "revised": N_("revised"),
    "dropped": N_("dropped"),
}


def _status_word(status: str, t: Translate) -> str:
    return t(_STATUSES.get(status, status))


def _status(rows: Sequence[Row], t: Translate = str) -> str:
    """The goal's status now and since when, with the way it came ("asked 2026-01-02 →
    agreed 2026-01-05")."""
    if not rows:
        return ""
    return " → ".join(f"{_status_word(plain(r['status']), t)} {day(r['at'])}" for r in rows)


_PLAN_STATES = {"due": N_("due"), "overdue": N_("overdue"), "done": N_("done")}


def _plan(rows: Sequence[Row], t: Translate, language: str | None) -> str:
    if not rows:
        return ""
    r = rows[-1]
    tn = plural_translator(language)
    said = tn("{done} check-in done", "{done} check-ins done", r["done"]).format(done=r["done"])
    if r["overdue"]:
        said += ", " + t("{count} overdue").format(count=r["overdue"])
    if r["next_due"]:
        state = plain(r["next_state"])
        said += "; " + t("next: {day} ({state})").format(
            day=plain(r["next_due"]), state=t(_PLAN_STATES.get(state, state))
        )
    return said


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
    language: str | None = None,
) -> Teacher:
    """A teacher's section; private writing only if ``parts`` holds it (else ``hidden``)."""
    t = translator(language)
    checkins = parts["checkins"].get(pid, [])
    chart, words = measure_view(goal, checkins, language)
    return Teacher(
        id=pid,
        name=name,
        status=""
        if goal is None
        else (
            _status(parts["goal_statuses"].get(pid, []), t)
            or _status_word(plain(goal["status"]) or "draft", t)
        ),
        plan=_plan(parts["checkin_plans"].get(pid, []), t, language),
        goal=None if goal is None else _goal(goal, t),
        versions=[] if goal is None else _versions(parts["goal_versions"].get(pid, [])),
        timeline=trusted(timeline(goal, checkins, points, t)),
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
        observations=tuple(_observed(r, t) for r in parts["observations"].get(pid, [])),
        evidence=tuple(_evidence(r, t) for r in parts["evidence"].get(pid, [])),
    )


def _evidence(r: Row, t: Translate = str) -> Evidence:
    student = bool(r["student_data"])
    link = plain(r["link"])
    checkin = r["checkin"]
    return Evidence(
        day=day(r["made_on"]),
        kind=t(KIND_WORDS.get(plain(r["kind"]), plain(r["kind"]))),
        caption=plain(r["caption"]),
        link="" if student or not link.startswith(("https://", "http://")) else link,
        text="" if student else plain(r["text"]),
        student_data=student,
        checkin=""
        if checkin is None or pd.isna(checkin)
        else t("with check-in {n}").format(n=int(checkin)),
    )


def _observed(r: Row, t: Translate = str) -> Observed:
    version = r["goal_version"]
    return Observed(
        plain(r["day"]),
        plain(r["observer_name"]),
        "" if version is None or pd.isna(version) else t("goal version {n}").format(n=int(version)),
        t("{seen} of {look_fors} look-fors seen").format(seen=r["seen"], look_fors=r["look_fors"]),
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
    language: str | None = None,
) -> Page:
    """What the report shows of ``review`` (private text only with ``include_private``),
    pdkit's words in ``language``."""
    t = translator(language)
    goal_hidden, checkin_hidden = review.hidden()
    kept = review.kept_private
    goal_hidden |= set(kept.loc[kept["form"] == GOAL_FORM, "participant"])
    checkin_hidden |= set(kept.loc[kept["form"] == CHECKIN_FORM, "participant"])
    kept_writing = kept.loc[~kept["form"].isin((GOAL_FORM, CHECKIN_FORM))]
    if not include_private:
        review = review.shared_only()
    moment = pd.Timestamp(now if now is not None else datetime.now(timezone.utc))
    moment = moment.tz_localize("UTC") if moment.tzinfo is None else moment.tz_convert("UTC")
    points = progress_points(language)
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
    names = _names(listed, t)
    people = sorted((names[pid].casefold(), pid, names[pid]) for pid, _name in listed)
    teachers = [
        _teacher(pid, name, goals.get(pid), parts, hidden[pid], points, language)
        for _, pid, name in people
    ]
    return Page(
        title=title,
        version=__version__,
        generated=moment.strftime("%Y-%m-%d %H:%M UTC"),
        sources=len(review.read),
        include_private=include_private,
        kept=len(goal_hidden) + len(checkin_hidden),
        private_count=(0 if include_private else private_items + len(review.notes)),
        cohort=_cohort(review, latest, points, moment, stale_days, t),
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
