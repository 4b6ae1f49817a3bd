"""One versions rule: the same edits give the same versions of a goal on the teacher's page
(peer feedback: "Versions of your goal") and in the coach's review (``goal_versions``,
``goals.versions``), whatever the pauses, revision marks and unchanged stretches."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from html import unescape

import ipywidgets as w
import pytest

from pdkit import review
from pdkit.definitions import load_form
from pdkit.revisions import SITTING_GAP
from pdkit.store import Participant, SQLiteStore, Store, Viewer
from pdkit.testing import FakeClock
from pdkit.widgets import PeerFeedback

GOAL = "goal-setting"
START = 1_767_225_600.0  # 2026-01-01


@pytest.fixture(autouse=True)
def _close_widgets() -> Iterator[None]:
    yield
    w.Widget.close_all()


def play(steps: list[tuple[str, object]]) -> tuple[Store, Participant]:
    """A store where one teacher made ``steps``: ("edit", text) saves the goal,
    ("wait", seconds) lets time pass, ("mark", None) is "Start a new version"."""
    clock = FakeClock(START, step=0)
    store = SQLiteStore(":memory:", clock=clock)
    teacher, _ = store.create_participant("Ana")
    for kind, arg in steps:
        if kind == "edit":
            store.record(teacher.id, GOAL, {"goal": arg}, spec_version="goal-setting@1")
        elif kind == "mark":
            store.start_revision(teacher.id, GOAL)
        else:
            assert isinstance(arg, (int, float))
            clock.now += arg
    return store, teacher


def teacher_sees(store: Store, teacher: Participant) -> list[tuple[int, str]]:
    """(number, goal) of every version on the teacher's own peer-feedback page."""
    page = PeerFeedback(store, teacher, load_form(GOAL))
    page.refresh()
    items = re.findall(
        r"<li><strong>[^<]*?(\d+)</strong>.*?(?:<q>(.*?)</q>)?</li>", page.versions_html.value
    )
    return sorted((int(n), unescape(goal)) for n, goal in items)


def coach_sees(store: Store, teacher: Participant) -> tuple[list[tuple[int, str]], int]:
    """(number, goal) of every version in the coach's review, and ``goals.versions``."""
    loaded = review.load(store, viewer=Viewer.steward(include_private=True))
    rows = loaded.goal_versions
    mine = rows[(rows["participant"] == teacher.id) & (rows["field"] == "goal")]
    found = sorted((int(r.version), str(r.value_text)) for r in mine.itertuples())
    goals = loaded.goals
    count = int(goals.loc[goals["participant"] == teacher.id, "versions"].iloc[0])
    return found, count


SCENARIOS = {
    "a pause of exactly the gap starts a version": [
        ("edit", "A"),
        ("wait", SITTING_GAP),
        ("edit", "B"),
    ],
    "a stretch that changes nothing is no version": [
        ("edit", "A"),
        ("wait", SITTING_GAP + 60),
        ("edit", "B"),
        ("edit", "A"),
        ("wait", SITTING_GAP + 60),
        ("edit", "A"),
    ],
    "a mark starts a version": [
        ("edit", "A"),
        ("wait", 5),
        ("mark", None),
        ("wait", 5),
        ("edit", "B"),
    ],
    "a mark at the moment of an edit": [("edit", "A"), ("mark", None), ("wait", 1), ("edit", "B")],
    "typing in one sitting is one version": [
        ("edit", "A"),
        ("wait", 2),
        ("edit", "AB"),
        ("wait", 2),
        ("edit", "ABC"),
    ],
}


@pytest.mark.parametrize("steps", SCENARIOS.values(), ids=SCENARIOS.keys())
def test_teacher_and_coach_see_the_same_versions(steps: list[tuple[str, object]]) -> None:
    store, teacher = play(steps)
    seen = teacher_sees(store, teacher)
    coach, count = coach_sees(store, teacher)
    assert seen  # the page showed versions: the comparison is not of two empty lists
    assert coach == seen
    assert count == len(seen)


@pytest.mark.slow
def test_random_edits_give_the_same_versions_to_both() -> None:
    rng = random.Random(20261202)
    compared = 0
    for _ in range(30):
        steps: list[tuple[str, object]] = [("edit", rng.choice("ABC"))]
        for _ in range(rng.randint(1, 7)):
            kind = rng.choice(["edit", "edit", "mark", "wait", "wait"])
            if kind == "edit":
                steps.append(("edit", rng.choice("ABC")))
            elif kind == "mark":
                steps.append(("mark", None))
            else:
                steps.append(("wait", rng.choice([0, 1, 60, SITTING_GAP, SITTING_GAP + 1])))
        store, teacher = play(steps)
        seen = teacher_sees(store, teacher)
        coach, count = coach_sees(store, teacher)
        assert coach == seen, steps
        assert count == len(seen), steps
        compared += len(seen)
        store.close()
    assert compared > 30  # real versions were compared
