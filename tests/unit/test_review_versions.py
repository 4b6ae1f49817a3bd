"""The review finds the versions of a whole cohort at once: they must be, teacher by
teacher, the versions the one rule (:func:`pdkit.revisions.versions_of`) gives."""

from __future__ import annotations

import random

import numpy as np

from pdkit.review._versions import item_versions
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
