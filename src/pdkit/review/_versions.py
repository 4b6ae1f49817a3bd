"""Versions of a goal, and check-ins, in the review: by the one versions rule
(:func:`pdkit.revisions.versions`), the same the teacher's page uses, so a teacher and
their coach always see the same versions of the same edits."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from ..definitions.ids import GOAL_FORM, SCHOOL_GOAL_FIELD
from ..revisions import Version, version_starts, versions_of
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
    by_time, sorted_people, sorted_times, person_at, cut = _stretches(people, times, marks, gap)
    starts = [*person_at.tolist(), len(by_time)]
    cut_at = np.flatnonzero(cut)
    bounds = np.searchsorted(cut_at, starts).tolist()
    cut_list = cut_at.tolist()
    moments = sorted_times.tolist()
    edited = fields[by_time].tolist()
    shown = list(zip(values[by_time].tolist(), texts[by_time].tolist(), strict=True))
    codes = sorted_people[person_at].tolist()
    for index, (code, start, end) in enumerate(zip(codes, starts, starts[1:], strict=False)):
        found = versions_of(
            edited[start:end],
            shown[start:end],
            moments[start:end],
            gap=gap,
            starts=[c - start for c in cut_list[bounds[index] : bounds[index + 1]]],
        )
        yield code, moments[start], moments[end - 1], found


def _stretches(
    people: np.ndarray[Any, Any],
    times: np.ndarray[Any, Any],
    marks: Mapping[int, Sequence[float]],
    gap: float,
) -> tuple[np.ndarray[Any, Any], ...]:
    """Events sorted by participant then time (ties in the order given), and where each
    stretch of work starts (the versions rule: :func:`pdkit.revisions.version_starts`), for
    a whole cohort at once: ``(by_time, sorted_people, sorted_times, person_at, cut)``,
    ``person_at`` each participant's first position, ``cut`` True where a stretch starts."""
    count = len(people)
    by_time = np.lexsort((times, people))
    sorted_people, sorted_times = people[by_time], times[by_time]
    new_person = np.ones(count, dtype=bool)
    new_person[1:] = sorted_people[1:] != sorted_people[:-1]
    person_at = np.flatnonzero(new_person)
    cut = new_person.copy()  # a stretch starts after a pause...
    cut[1:] |= np.diff(sorted_times) >= gap
    for code, stamps in marks.items():  # ...or at the first edit after a revision mark
        where = np.searchsorted(sorted_people, code)
        if not stamps or where == count or sorted_people[where] != code:
            continue
        end = int(np.searchsorted(sorted_people, code, side="right"))
        found = version_starts(sorted_times[where:end].tolist(), stamps, gap)
        cut[where:end] = False
        cut[where + np.asarray(found, dtype=np.int64)] = True
    return by_time, sorted_people, sorted_times, person_at, cut


class _Item(NamedTuple):
    """An item's events for a whole cohort, by the versions rule, computed at once: events
    sorted by participant then time (ties in the order given), which are the last of a
    version, and each participant's whole item at its end."""

    people: list[int]
    """Participant codes, one per participant with events, in order."""
    first: list[float]
    last: list[float]
    """When each participant first and last edited the item."""
    counts: list[int]
    """How many versions each has."""
    ends: np.ndarray[Any, Any]
    """Positions (in the sorted events) of the last event of each version, in order."""
    owner: np.ndarray[Any, Any]
    """For each version, the index (in ``people``) of its participant."""
    fields: np.ndarray[Any, Any]
    field_names: list[str]
    """Each sorted event's field, as a code into ``field_names``."""
    values: list[Any]
    texts: list[Any]
    """Each sorted event's value and text."""
    times: np.ndarray[Any, Any]
    starts: np.ndarray[Any, Any]
    """Each sorted event's time, and the position of its participant's first event."""
    now: list[dict[str, tuple[Any, Any]]]
    """Each participant's item at its last version: field → (value, text)."""


def _item(
    people: np.ndarray[Any, Any],
    times: np.ndarray[Any, Any],
    fields: np.ndarray[Any, Any],
    values: np.ndarray[Any, Any],
    texts: np.ndarray[Any, Any],
    marks: Mapping[int, Sequence[float]],
    gap: float,
) -> _Item:
    """The versions rule (:func:`pdkit.revisions.versions_of`) for a cohort in numpy: a
    stretch of work is a version unless every field it touched ends as it was before it
    (the version before left the item as the end of the stretch before it did)."""
    count = len(people)
    by_time, sorted_people, sorted_times, person_at, cut = _stretches(people, times, marks, gap)
    position = np.arange(count)
    new_person = np.zeros(count, dtype=bool)
    new_person[person_at] = True
    stretch = np.cumsum(cut) - 1
    codes, names = pd.factorize(fields[by_time])
    value_of, text_of = values[by_time].tolist(), texts[by_time].tolist()
    # Runs: one field of one participant within one stretch (its events, in time order).
    by_field = np.lexsort((position, codes, sorted_people))
    new_field = np.ones(count, dtype=bool)
    new_field[1:] = (sorted_people[by_field][1:] != sorted_people[by_field][:-1]) | (
        codes[by_field][1:] != codes[by_field][:-1]
    )
    run_stretch = stretch[by_field]
    new_run = new_field.copy()
    new_run[1:] |= run_stretch[1:] != run_stretch[:-1]
    run_first = np.flatnonzero(new_run)
    run_last = np.append(run_first[1:] - 1, count - 1)
    ended = by_field[run_last].tolist()
    before = by_field[run_first - 1].tolist()
    fresh = new_field[run_first].tolist()
    changed = [  # as (value, text) pairs compare: each part the same object, or equal
        is_new
        or text_of[end] != text_of[prior]
        or not (value_of[end] is value_of[prior] or value_of[end] == value_of[prior])
        for is_new, end, prior in zip(fresh, ended, before, strict=True)
    ]
    counted = np.zeros(int(stretch[-1]) + 1 if count else 0, dtype=bool)
    counted[run_stretch[run_first][np.asarray(changed, dtype=bool)]] = True
    stretch_end = np.append(np.flatnonzero(cut)[1:] - 1, count - 1)
    ends = stretch_end[counted]
    owner = np.searchsorted(person_at, ends, side="right") - 1
    now: list[dict[str, tuple[Any, Any]]] = [{} for _ in person_at]
    field_last = np.append(np.flatnonzero(new_field)[1:] - 1, count - 1) if count else run_last
    name_list = [str(name) for name in names]
    event_of = by_field[field_last]
    whose = np.searchsorted(person_at, event_of, side="right") - 1
    for who, code, event in zip(
        whose.tolist(), codes[event_of].tolist(), event_of.tolist(), strict=True
    ):
        now[who][name_list[code]] = (value_of[event], text_of[event])
    person_end = np.append(person_at[1:] - 1, count - 1) if count else person_at
    return _Item(
        people=sorted_people[person_at].tolist(),
        first=sorted_times[person_at].tolist(),
        last=sorted_times[person_end].tolist(),
        counts=np.bincount(owner, minlength=len(person_at)).tolist(),
        ends=ends,
        owner=owner,
        fields=codes,
        field_names=name_list,
        values=value_of,
        texts=text_of,
        times=sorted_times,
        starts=np.maximum.accumulate(np.where(new_person, position, 0)),
        now=now,
    )


def _as_of(item: _Item, field_id: str) -> list[tuple[Any, Any]]:
    """Each version's (value, text) of one field: its last edit up to the version's end
    by the same participant, else (None, "")."""
    if field_id not in item.field_names:
        return [(None, "")] * len(item.ends)
    code = item.field_names.index(field_id)
    position = np.arange(len(item.fields))
    latest = np.maximum.accumulate(np.where(item.fields == code, position, -1))
    found = latest[item.ends]
    valid = found >= item.starts[item.ends]
    value_of, text_of = item.values, item.texts
    return [
        (value_of[i], text_of[i]) if ok else (None, "")
        for i, ok in zip(found.tolist(), valid.tolist(), strict=True)
    ]


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
    if not len(people):
        return found
    item = _item(people, times, fields, values, texts, marks, gap)
    found["participant"] = [str(names[code]) for code in item.people]
    found["versions"] = item.counts
    found["revisions"] = [n - 1 for n in item.counts]
    found["first_set"] = item.first
    found["last_change"] = item.last
    none = (None, "")
    for now in item.now:
        school_goal, _ = now.get(SCHOOL_GOAL_FIELD, none)
        target, _ = now.get("target_date", none)
        confidence, confidence_label = now.get("confidence", none)
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
            found[column].append(now.get(field_id, none)[1])
        instrument, _ = now.get("measure_instrument", none)
        unit, _ = now.get("measure_unit", none)
        found["measure_instrument"].append(instrument if isinstance(instrument, str) else "")
        found["measure_unit"].append(unit if isinstance(unit, str) else "")
        for column in ("baseline", "target"):
            found[column].append(float_or_none(now.get(column, none)[0]))
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
    if not len(people):
        return found
    item = _item(people, times, fields, values, texts, {}, gap)
    owners = item.owner.tolist()
    found["participant"] = [str(names[item.people[who]]) for who in owners]
    number: list[int] = []
    for who, previous in zip(owners, [-1, *owners[:-1]], strict=True):
        number.append(number[-1] + 1 if who == previous else 1)
    found["checkin"] = number
    found["at"] = item.times[item.ends].tolist()
    progress = _as_of(item, "progress")
    found["progress"] = [int_or_none(value) for value, _ in progress]
    found["progress_label"] = [text for _, text in progress]
    for column in ("evidence", "next_step", "support"):
        found[column] = [text for _, text in _as_of(item, column)]
    found["measure_value"] = [float_or_none(value) for value, _ in _as_of(item, "measure_value")]
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
