"""How fast a coach reviews a large cohort: 1,000 saved workbooks → DataFrames → report.

Makes N realistic saved workbooks (default 1,000) from a temporary SQLite store with
``export_store``: a goal typed with autosave (many small events) and revised a week
later, two check-ins on the goal, a What? So what? Now what? reflection and notes
from one Tuning protocol run in groups of four. Then prints:

- ``review.load(folder)``: reading every file and building every DataFrame, and
- a plain ``json.load`` of the same files (the floor any reader pays), 5 runs each,
  interleaved, their minimum and median, and their ratios;
- ``Review.goal_versions``, made on first use (the report uses it), median of 3;
- ``report.report_html(review)`` (goal versions already made), median of 3.

With ``--private`` it reads the store instead, where the teachers' reflections are
private: a steward (``Viewer.steward()``) must not read them, the store's steward
asking for them (``Viewer.steward(include_private=True)``) must; it prints that read's
time and the report with private writing.

Either way the script fails unless every DataFrame has the rows the cohort made (a
benchmark of empty frames measures nothing).

Usage: python benchmarks/review_1000.py [N] [--private]   (default 1000)
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

_ARGS = [a for a in sys.argv[1:] if not a.startswith("--")]
N = int(_ARGS[0]) if _ARGS else 1000
PRIVATE = "--private" in sys.argv[1:]
RUNS = 5
TARGET = 2.0
"""review.load of the files within this many times a plain json.load of them (the minima)."""
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


def timed(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def median_time(work: Callable[[], object], runs: int = 3) -> float:
    return statistics.median(timed(work) for _ in range(runs))


def check(loaded: review.Review, notes: int) -> None:
    """A benchmark of empty frames measures nothing: fail unless every frame has its rows."""
    measured = {
        "warnings": (len(loaded.warnings), 0),
        "participants": (len(loaded.participants), N),
        "goals": (len(loaded.goals), N),
        "check-ins": (len(loaded.checkins), 2 * N),
        "reflections": (len(loaded.reflections), 3 * N),
        "notes": (len(loaded.notes), notes),
    }
    for what, (found, wanted) in measured.items():
        if found != wanted:
            raise SystemExit(f"review_1000: {found} {what} read, expected {wanted}")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "collected"
        started = time.perf_counter()
        store = make_store(N)
        try:
            # Each teacher's own full copy (private reflections and notes too), so that
            # every DataFrame has rows to build.
            everything = Viewer.steward(include_private=True)
            files = export_store(store, WORKBOOK, folder, viewer=everything)
            notes = sum(len(store.notes(run.id, viewer=everything)) for run in store.runs())
            size = sum(p.stat().st_size for p in files)
            print(
                f"made {len(files)} saved workbooks ({size / len(files) / 1024:.1f} KiB each) "
                f"in {time.perf_counter() - started:.1f} s"
            )
            if PRIVATE:
                from_store(store, notes)
            else:
                from_files(folder, files, notes)
        finally:
            store.close()


def from_files(folder: Path, files: list[Path], notes: int) -> None:
    def plain() -> None:
        for path in files:
            with path.open(encoding="utf-8") as f:
                json.load(f)

    plain()  # warm the page cache for both
    loaded = review.load(folder)
    check(loaded, notes)
    # Interleaved, so that a busy moment of the machine hits both alike; the minimum is
    # the least disturbed run of each.
    json_times, load_times = [], []
    for _ in range(RUNS):
        json_times.append(timed(plain))
        load_times.append(timed(lambda: review.load(folder)))
    gap, fields = loaded.sitting_gap, loaded.goal_fields
    t_goal_versions = median_time(lambda: review.goal_version_rows(loaded.versions, gap, fields))
    t_report = median_time(lambda: report.report_html(loaded))
    html = report.report_html(loaded)
    print(
        f"rows: {len(loaded.answers)} answers, {len(loaded.versions)} versions, "
        f"{len(loaded.goals)} goals, {len(loaded.checkins)} check-ins, "
        f"{len(loaded.notes)} notes"
    )
    print(f"{RUNS} interleaved runs each:         min   median")
    for what, values in (
        (f"plain json.load of {N} files:", json_times),
        ("review.load (DataFrames):", load_times),
    ):
        print(f"{what:<31}{min(values) * 1000:6.0f} ms {statistics.median(values) * 1000:6.0f} ms")
    ratios = (
        min(load_times) / min(json_times),
        statistics.median(load_times) / statistics.median(json_times),
    )
    print(f"ratio review.load / json.load: {ratios[0]:6.2f} {ratios[1]:9.2f}")
    met = "met" if ratios[0] <= TARGET else "NOT met"
    print(f"target review.load <= {TARGET:g}x json.load (issue #13 item 8): {met} in this run")
    print(f"goal_versions (on first use):  {t_goal_versions * 1000:6.0f} ms")
    print(f"report_html:                   {t_report * 1000:6.0f} ms ({len(html) // 1024} KiB)")


def from_store(store: SQLiteStore, notes: int) -> None:
    """The teachers' reflections are private; the store's steward reads them when asked
    (``include_private``), and never otherwise."""
    if len(review.load(store).reflections):
        raise SystemExit("review_1000: a steward read private reflections without asking")
    everything = Viewer.steward(include_private=True)
    loaded = review.load(store, viewer=everything)
    check(loaded, notes)
    if not loaded.reflections["private"].all():
        raise SystemExit("review_1000: the private reflections are not marked private")
    times = [timed(lambda: review.load(store, viewer=everything)) for _ in range(RUNS)]
    t_report = median_time(lambda: report.report_html(loaded, include_private=True))
    print(
        f"rows: {len(loaded.answers)} answers, {len(loaded.versions)} versions, "
        f"{len(loaded.reflections)} private reflections, {len(loaded.notes)} notes"
    )
    print(
        f"review.load(store, steward incl. private): min {min(times) * 1000:.0f} ms, "
        f"median {statistics.median(times) * 1000:.0f} ms ({RUNS} runs)"
    )
    print(f"report_html(include_private=True): {t_report * 1000:.0f} ms")


if __name__ == "__main__":
    main()
