"""A class-data summary as evidence (pdkit.evidence): written in numbers only, read back
to be drawn, and any other text (or a summary changed by hand) is just text."""

from __future__ import annotations

import time

import pytest

from pdkit.evidence import MAX_TEXT_CHARS, class_summary_points, class_summary_text


def test_a_summary_is_read_back_as_it_was_written() -> None:
    text = class_summary_text(
        "score",
        "week",
        [("Week 1", 24, 41.166, 41.5), ("Week 2", 23, 1234.5, 1200.0), ("Week 3", 3, -2.0, -2.0)],
        "points",
    )
    assert text.splitlines()[1] == "Week 1: 24 scores, mean 41.17 points, median 41.5 points"
    points, unit = class_summary_points(text)
    assert points == [("Week 1", 41.17), ("Week 2", 1234.5), ("Week 3", -2.0)]
    assert unit == "points"
    percent = class_summary_text("s", "d", [("2026-01-12", 5, 62.5, 60.0)], "%")
    assert class_summary_points(percent) == ([("2026-01-12", 62.5)], "%")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Pairs talk more",
        "Class data (score by week; de-identified CSV, summary only):\nWeek 1: many scores",
        "Class data (score by week; de-identified CSV, summary only):\nWeek 1: 24 scores, mean "
        "41%, median 40%\nI added a line by hand",
        "Class data (no header end\nWeek 1: 24 scores, mean 41%, median 40%",
        "Class data (" + "(" * 5000,
    ],
)
def test_other_text_is_not_a_summary(text: str) -> None:
    assert class_summary_points(text) == ([], "")


def test_reading_is_bounded_on_hostile_text() -> None:
    line = "W: 1 scores, mean 1, median 1\n"
    intro = "Class data (s by d; de-identified CSV, summary only):\n"
    for text in (
        intro + line * (MAX_TEXT_CHARS // len(line)),
        intro + ("x" * 79 + ": ") * 2000,
        intro + "W: 1 scores, mean " + "1," * 5000,
    ):
        started = time.process_time()
        class_summary_points(text)
        assert time.process_time() - started < 0.5
