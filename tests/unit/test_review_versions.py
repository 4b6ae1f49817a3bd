"""The review finds the versions of a whole cohort at once: they must be, teacher by
teacher, the versions the one rule (:func:`pdkit.revisions.versions_of`) gives."""

from __future__ import annotations

import random

import numpy as np

from pdkit.review._versions import checkin_rows, goal_rows, item_versions
from pdkit.revisions import SITTING_GAP, versions_of


def test_cohort_versions_are_each_teachers_versions() -> None:
    rng = random.Random(3)
    people, times, fields, values = [], [], [], []
    for person in range(60):
        at = 1_767_225_600.0 + rng.random() * 1000
        for _ in range(rng.randint(1, 25)):
            # pauses around the sitting gap: just under, at, and just over it
            at += rng.choice((2.0, SITTING_GAP - 1, SITTING_GAP, SITTING_GAP + 1, 7 * 86400.0))
            people.append(person)
            times.append(at)
            fields.append(rng.choice(("goal", "focus", "confidence")))
            values.append(rng.choice(("a", "b", "c", 1, 2)))
    order = list(range(len(people)))
    rng.shuffle(order)  # item_versions takes events in any order
    marks = {7: [times[people.index(7)] + 1.0], 8: [1.0]}  # a revision mark, and one before all
    found = {
        code: (first, last, versions)
        for code, first, last, versions in item_versions(
            np.asarray([people[i] for i in order]),
            np.asarray([times[i] for i in order]),
            np.asarray([fields[i] for i in order], dtype=object),
            np.asarray([values[i] for i in order], dtype=object),
            np.asarray([str(values[i]) for i in order], dtype=object),
            marks,
            SITTING_GAP,
        )
    }
    assert sorted(found) == list(range(60))
    for person, (first, last, versions) in found.items():
        mine = [i for i in range(len(people)) if people[i] == person]
        expected = versions_of(
            [fields[i] for i in mine],
            [(values[i], str(values[i])) for i in mine],
            [times[i] for i in mine],
            marks.get(person, ()),
            SITTING_GAP,
        )
        assert (first, last) == (times[mine[0]], times[mine[-1]])
        assert versions == expected
    assert any(len(v) > 1 for _, _, v in found.values())


def _cohort(seed: int, fields: tuple[str, ...], values: tuple[object, ...]) -> dict[str, list]:
    """Events of a cohort, shuffled: pauses around the sitting gap, ties in time, values
    that come back to what they were (stretches that are no new version)."""
    rng = random.Random(seed)
    found: dict[str, list] = {"people": [], "times": [], "fields": [], "values": []}
    for person in range(80):
        at = 1_767_225_600.0 + rng.random() * 1000
        for _ in range(rng.randint(1, 30)):
            at += rng.choice((0.0, 2.0, SITTING_GAP - 1, SITTING_GAP, SITTING_GAP + 1, 7 * 86400.0))
            found["people"].append(person)
            found["times"].append(at)
            found["fields"].append(rng.choice(fields))
            found["values"].append(rng.choice(values))
    order = list(range(len(found["people"])))
    rng.shuffle(order)
    return {key: [column[i] for i in order] for key, column in found.items()}


def _arrays(events: dict[str, list]) -> tuple[np.ndarray, ...]:
    return (
        np.asarray(events["people"]),
        np.asarray(events["times"]),
        np.asarray(events["fields"], dtype=object),
        np.asarray(events["values"], dtype=object),
        np.asarray([f"text {v!r}" for v in events["values"]], dtype=object),
    )


def _expected(events: dict[str, list], person: int, marks: dict) -> list:
    """The one rule, for one participant: their events in the order the review sorts them
    (by time; ties in the order given)."""
    mine = sorted(
        (i for i, p in enumerate(events["people"]) if p == person),
        key=lambda i: events["times"][i],
    )
    return versions_of(
        [events["fields"][i] for i in mine],
        [(events["values"][i], f"text {events['values'][i]!r}") for i in mine],
        [events["times"][i] for i in mine],
        marks.get(person, ()),
        SITTING_GAP,
    )


def test_goal_rows_are_each_teachers_last_version() -> None:
    """goal_rows finds versions for the whole cohort at once (numpy): the count, the
    first and last edit and the goal as it stands must be what the one rule gives."""
    events = _cohort(
        5, ("goal", "focus", "confidence", "school_goal", "baseline"), ("a", "b", 1, 2, 2.5, True)
    )
    marks = {3: [events["times"][events["people"].index(3)] + 1.0], 4: [1.0]}
    names = np.asarray([f"p{i}" for i in range(80)], dtype=object)
    found = goal_rows(names, *_arrays(events), marks, SITTING_GAP)
    assert found["participant"] == [f"p{i}" for i in range(80)]
    for row, person in enumerate(range(80)):
        versions = _expected(events, person, marks)
        now = versions[-1].values
        mine = [t for p, t in zip(events["people"], events["times"], strict=True) if p == person]
        assert found["versions"][row] == len(versions)
        assert found["revisions"][row] == len(versions) - 1
        assert (found["first_set"][row], found["last_change"][row]) == (min(mine), max(mine))
        assert found["goal"][row] == now.get("goal", (None, ""))[1]
        assert found["focus"][row] == now.get("focus", (None, ""))[1]
        assert found["confidence_label"][row] == now.get("confidence", (None, ""))[1]
    assert any(n > 2 for n in found["versions"])
    assert any(n == 1 for n in found["versions"])


def test_checkin_rows_are_each_teachers_checkins() -> None:
    """checkin_rows: one row per version of the check-in, with the answers as they stood
    at its end, as the one rule gives them."""
    events = _cohort(
        6, ("progress", "evidence", "next_step", "measure_value"), (1, 2, "x", "y", 3.5)
    )
    names = np.asarray([f"p{i}" for i in range(80)], dtype=object)
    found = checkin_rows(names, *_arrays(events), SITTING_GAP)
    expected = []
    for person in range(80):
        for version in _expected(events, person, {}):
            now = version.values
            expected.append(
                (
                    f"p{person}",
                    version.number,
                    version.at,
                    now.get("progress", (None, ""))[1],
                    now.get("evidence", (None, ""))[1],
                    now.get("next_step", (None, ""))[1],
                    now.get("support", (None, ""))[1],
                )
            )
    columns = ("participant", "checkin", "at", "progress_label", "evidence", "next_step", "support")
    assert list(zip(*(found[c] for c in columns), strict=True)) == expected
    assert max(found["checkin"]) > 2
