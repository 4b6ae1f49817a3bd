"""Versions of a goal, and check-ins, in the review: by the one versions rule
(:func:`pdkit.revisions.versions`), the same the teacher's page uses, so a teacher and
their coach always see the same versions of the same edits."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..definitions.ids import GOAL_FORM, SCHOOL_GOAL_FIELD
from ..revisions import Version, versions_of
from ._frames import COLUMNS, float_or_none, frame, int_or_none, rows, seconds_as_stored

__all__ = ["checkin_rows", "codes_of", "goal_rows", "goal_version_rows", "item_versions"]


def codes_of(names: np.ndarray[Any, Any], marks: Mapping[str, Any]) -> dict[int, Any]:
    """``marks`` keyed by participant code (position in ``names``) instead of id."""
    if not marks:
        return {}
    where = {str(name): code for code, name in enumerate(names.tolist())}
    return {where[pid]: stamps for pid, stamps in marks.items() if pid in where}


def item_versions(
    people: np.ndarray[Any, Any],
    times: np.ndarray[Any, Any],
    fields: np.ndarray[Any, Any],
    values: np.ndarray[Any, Any],
    texts: np.ndarray[Any, Any],
    marks: Mapping[int, Sequence[float]],
    gap: float,
) -> Iterator[tuple[int, float, float, list[Version]]]:
    """Per participant (code): when they first and last edited the item, and its versions
    (values are (value, text) pairs), from its events in any order (``fields``,
    ``values`` and ``texts`` are object arrays)."""
    if not len(people):
        return
    by_time = np.lexsort((times, people))
    sorted_people = people[by_time]
    sorted_times = times[by_time]
    person_starts = np.flatnonzero(np.diff(sorted_people)) + 1
    starts = [0, *person_starts.tolist(), len(by_time)]
    # Where a stretch of work starts (the versions rule, pauses alone: version_starts),
    # for the whole cohort at once; a participant with revision marks is cut by
    # version_starts itself.
    cut = np.ones(len(by_time), dtype=bool)
    cut[1:] = np.diff(sorted_times) >= gap
    cut[person_starts] = True
    cut_at = np.flatnonzero(cut)
    bounds = np.searchsorted(cut_at, starts).tolist()
    cut_list = cut_at.tolist()
    moments = sorted_times.tolist()
    edited = fields[by_time].tolist()
    shown = list(zip(values[by_time].tolist(), texts[by_time].tolist(), strict=True))
    codes = sorted_people[starts[:-1]].tolist()
    for index, (code, start, end) in enumerate(zip(codes, starts, starts[1:], strict=False)):
        stamps = marks.get(code, ())
        found = versions_of(
            edited[start:end],
            shown[start:end],
            moments[start:end],
            stamps,
            gap,
            starts=None
            if stamps
            else [c - start for c in cut_list[bounds[index] : bounds[index + 1]]],
        )
        yield code, moments[start], moments[end - 1], found


def goal_rows(
    names: np.ndarray[Any, Any],
    people: np.ndarray[Any, Any],
    times: np.ndarray[Any, Any],
    fields: np.ndarray[Any, Any],
    values: np.ndarray[Any, Any],
    texts: np.ndarray[Any, Any],
    marks: Mapping[int, Sequence[float]],
    gap: float,
) -> dict[str, Any]:
    """One row per participant with goal events: the current answers, how many versions
    the goal has, and when it was first set and last changed."""
    found = rows("goals")
    for code, first, last, goal in item_versions(people, times, fields, values, texts, marks, gap):
        now = goal[-1].values
        school_goal, _ = now.get(SCHOOL_GOAL_FIELD, (None, ""))
        target, _ = now.get("target_date", (None, ""))
        confidence, confidence_label = now.get("confidence", (None, ""))
        found["participant"].append(str(names[code]))
        found["versions"].append(len(goal))
        found["revisions"].append(len(goal) - 1)
        found["first_set"].append(first)
        found["last_change"].append(last)
        found["school_goal"].append(school_goal if isinstance(school_goal, str) else None)
        found["target_date"].append(target if isinstance(target, str) and target else None)
        found["confidence"].append(int_or_none(confidence))
        found["confidence_label"].append(confidence_label)
        for column, field_id in (
            ("school_goal_label", SCHOOL_GOAL_FIELD),
            ("focus", "focus"),
            ("goal", "goal"),
            ("point_a", "point_a"),
            ("point_b", "point_b"),
            ("action_steps", "action_steps"),
        ):
            found[column].append(now.get(field_id, (None, ""))[1])
        instrument, _ = now.get("measure_instrument", (None, ""))
        unit, _ = now.get("measure_unit", (None, ""))
        found["measure_instrument"].append(instrument if isinstance(instrument, str) else "")
        found["measure_unit"].append(unit if isinstance(unit, str) else "")
        for column in ("baseline", "target"):
            found[column].append(float_or_none(now.get(column, (None, ""))[0]))
    return found


def checkin_rows(
    names: np.ndarray[Any, Any],
    people: np.ndarray[Any, Any],
    times: np.ndarray[Any, Any],
    fields: np.ndarray[Any, Any],
    values: np.ndarray[Any, Any],
    texts: np.ndarray[Any, Any],
    gap: float,
) -> dict[str, list[Any]]:
    """One row per check-in: each version of the check-in reflection."""
    found = rows("checkins")
    for code, _first, _last, checkins in item_versions(
        people, times, fields, values, texts, {}, gap
    ):
        for checkin in checkins:
            now = checkin.values
            found["participant"].append(str(names[code]))
            found["checkin"].append(checkin.number)
            found["at"].append(checkin.at)
            progress, progress_label = now.get("progress", (None, ""))
            found["progress"].append(int_or_none(progress))
            found["progress_label"].append(progress_label)
            for column in ("evidence", "next_step", "support"):
                found[column].append(now.get(column, (None, ""))[1])
            found["measure_value"].append(float_or_none(now.get("measure_value", (None, ""))[0]))
    return found


def _as_stored(marks: Mapping[str, Sequence[float]]) -> dict[str, list[float]]:
    """Marks in the precision of a frame's times (nanoseconds), as the events they are
    compared with, so that a mark and an edit at the same moment stay at the same moment."""
    return {
        pid: (seconds_as_stored(stamps) if len(stamps) else []) for pid, stamps in marks.items()
    }


def goal_version_rows(
    versions: pd.DataFrame,
    gap: float,
    fields: Sequence[tuple[str, str]] = (),
    marks: Mapping[str, Sequence[float]] | None = None,
) -> pd.DataFrame:
    """The goal at the end of each of its versions, field by field
    (``Review.goal_versions``): from the ``versions`` of form ``goal-setting``; ``fields``
    are (id, label) in the form's order (fields not in it follow, labelled by their id)."""
    goal = versions.loc[versions["form"] == GOAL_FORM]
    codes, names = pd.factorize(goal["participant"].to_numpy(dtype=object))
    labels = dict(fields)
    found: list[tuple[str, int, float, str, str, str, bool]] = []
    for code, _first, _last, steps in item_versions(
        np.asarray(codes),
        goal["at"].to_numpy(dtype="datetime64[ns]").astype("int64") / 1e9,
        goal["field"].to_numpy(dtype=object),
        goal["value"].to_numpy(dtype=object),
        goal["value_text"].to_numpy(dtype=object),
        codes_of(np.asarray(names, dtype=object), _as_stored(marks or {})),
        gap,
    ):
        seen = set().union(*(s.values for s in steps))
        order = [f for f in labels if f in seen] + sorted(seen - labels.keys())
        pid = str(names[code])
        before: dict[str, str] = {}
        for step in steps:
            now = {k: text for k, (_value, text) in step.values.items()}
            found.extend(
                (pid, step.number, step.at, f, labels.get(f, f), shown, f in step.changed)
                for f in order
                if (shown := now.get(f, "")) or before.get(f, "")
            )
            before = now
    columns = map(list, zip(*found, strict=True))
    return frame("goal_versions", dict(zip(COLUMNS["goal_versions"], columns, strict=False)))
