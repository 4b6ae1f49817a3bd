"""How fast a coach reviews a large cohort: 1,000 saved workbooks → DataFrames → report.

Makes N realistic saved workbooks (default 1,000) from a temporary SQLite store with
``export_store``: a goal typed with autosave (many small events) and revised a week
later, two check-ins on the goal, a What? So what? Now what? reflection and notes
from one Tuning protocol run in groups of four. Then prints, each the median of 3:

- ``review.load(folder)``: reading every file and building every DataFrame;
- a plain ``json.load`` of the same files (the floor any reader pays);
- their ratio;
- ``Review.goal_versions``, made on first use (the report uses it);
- ``report.report_html(review)`` (goal versions already made).

Usage: python benchmarks/review_1000.py [N]   (default 1000)
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from pdkit import pacing, report, review
from pdkit.definitions import load_protocol
from pdkit.notebooks import export_store
from pdkit.store import SQLiteStore, Viewer
from pdkit.testing import COACHING_WORKBOOK

N = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
DAY = 86400.0
START = 1_767_225_600.0  # 2026-01-01

WORKBOOK = COACHING_WORKBOOK
WORDS = (
    "students",
    "explain",
    "their",
    "thinking",
    "in",
    "pairs",
    "before",
    "whole-class",
    "discussion",
    "and",
    "I",
    "ask",
    "open",
    "questions",
    "wait",
    "longer",
    "record",
    "who",
    "speaks",
    "and",
    "track",
    "exit",
    "tickets",
    "every",
    "week",
)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> float:
        self.now += 2.0  # autosave: about one event every two seconds of typing
        return self.now


def sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def typed(record: Callable[[dict[str, object]], object], field: str, text: str) -> None:
    """Autosave while typing: the text grows in a few saved steps."""
    cut = max(1, len(text) // 4)
    for end in range(cut, len(text) + cut, cut):
        record({field: text[:end]})


def make_store(n: int) -> SQLiteStore:
    rng = random.Random(7)
    clock = Clock()
    store = SQLiteStore(":memory:", clock=clock)
    people = [store.create_participant(f"Teacher {i:04d}")[0] for i in range(n)]
    goals = ["literacy", "talk", "feedback", "belonging"]
    for i, person in enumerate(people):
        clock.now = START + i * 30.0

        def goal(answers: dict[str, object], pid: str = person.id) -> None:
            store.record(pid, "goal-setting", answers, spec_version="goal-setting@1")

        goal({"school_goal": rng.choice(goals)})
        typed(goal, "goal", sentence(rng, 25))
        goal({"focus": sentence(rng, 4)})
        typed(goal, "point_a", sentence(rng, 30))
        typed(goal, "point_b", sentence(rng, 30))
        goal({"target_date": "2026-04-30", "confidence": rng.randint(1, 4)})
        goal({"evidence": ["student_work", "survey"]})
        goal({"action_steps": [sentence(rng, 8), sentence(rng, 8)]})
        clock.now += 7 * DAY + rng.random() * DAY  # a week later: the goal is revised
        typed(goal, "goal", sentence(rng, 28))
        goal({"confidence": rng.randint(1, 4)})
        for week in (2, 4):  # two check-ins
            clock.now = START + week * 7 * DAY + i * 30.0
            store.record(
                person.id,
                "exit-ticket",
                {
                    "progress": min(5, week // 2 + rng.randint(1, 2)),
                    "evidence": sentence(rng, 30),
                    "next_step": sentence(rng, 10),
                },
                spec_version="exit-ticket@1",
            )
        store.set_visibility(person.id, "goal-setting", "coach")  # shared with the coach
        store.set_visibility(person.id, "exit-ticket", "coach")
        clock.now = START + 3 * DAY + i * 30.0
        for prompt in ("what", "so_what", "now_what"):
            store.record(
                person.id,
                "what-so-what-now-what",
                {prompt: sentence(rng, 40)},
                spec_version="what-so-what-now-what@1",
            )
    tuning = load_protocol("tuning")
    roles = {
        f"g{g}": tuning.assign_roles([p.id for p in people[g : g + 4]]) for g in range(0, n, 4)
    }
    run = store.start_run(
        "default", tuning.id, tuning.spec_version, roles, pacing.start(tuning, START)
    )
    for group in roles.values():
        for pid, role in group.items():
            if role == "presenter":
                store.record_notes(run.id, "presentation", pid, {"focusing_question": "How?"})
            else:
                store.record_notes(run.id, "warm-cool", pid, {"warm": "Clear.", "cool": "Why?"})
    return store


def median_time(work: Callable[[], object], runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "collected"
        started = time.perf_counter()
        store = make_store(N)
        # Each teacher's own full copy (private reflections and notes too), so that every
        # DataFrame has rows to build.
        everything = Viewer.steward(include_private=True)
        files = export_store(store, WORKBOOK, folder, viewer=everything)
        notes = sum(len(store.notes(run.id, viewer=everything)) for run in store.runs())
        store.close()
        size = sum(p.stat().st_size for p in files)
        print(
            f"made {len(files)} saved workbooks ({size / len(files) / 1024:.1f} KiB each) "
            f"in {time.perf_counter() - started:.1f} s"
        )

        def plain() -> None:
            for path in files:
                with path.open(encoding="utf-8") as f:
                    json.load(f)

        plain()  # warm the page cache for both
        loaded = review.load(folder)
        assert not loaded.warnings, loaded.warnings
        assert len(loaded.participants) == N
        measured = {  # a benchmark of empty frames measures nothing: fail instead
            "goals": (len(loaded.goals), N),
            "check-ins": (len(loaded.checkins), 2 * N),
            "reflections": (len(loaded.reflections), 3 * N),
            "notes": (len(loaded.notes), notes),
        }
        for what, (found, wanted) in measured.items():
            if found != wanted:
                raise SystemExit(f"review_1000: {found} {what} read, expected {wanted}")
        # Interleaved, so that a busy moment of the machine hits both alike.
        json_times, load_times = [], []
        for _ in range(3):
            json_times.append(median_time(plain, 1))
            load_times.append(median_time(lambda: review.load(folder), 1))
        t_json, t_load = statistics.median(json_times), statistics.median(load_times)
        gap, fields = loaded.sitting_gap, loaded.goal_fields
        t_goal_versions = median_time(
            lambda: review.goal_version_rows(loaded.versions, gap, fields)
        )
        t_report = median_time(lambda: report.report_html(loaded))
        html = report.report_html(loaded)
        print(
            f"rows: {len(loaded.answers)} answers, {len(loaded.versions)} versions, "
            f"{len(loaded.goals)} goals, {len(loaded.checkins)} check-ins, "
            f"{len(loaded.notes)} notes"
        )
        print(f"plain json.load of {N} files:  {t_json * 1000:7.0f} ms")
        print(f"review.load (DataFrames):      {t_load * 1000:7.0f} ms")
        print(f"ratio review.load / json.load: {t_load / t_json:7.2f}")
        print(f"goal_versions (on first use):  {t_goal_versions * 1000:7.0f} ms")
        print(f"report_html:                   {t_report * 1000:7.0f} ms ({len(html) // 1024} KiB)")


if __name__ == "__main__":
    main()
