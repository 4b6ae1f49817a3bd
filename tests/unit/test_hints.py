"""Goal hints: measure, date and student focus, checked on sentences teachers write."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from pdkit.hints import CHECKS, Hint, goal_hints


def met(text: str, check: str) -> bool:
    (hint,) = goal_hints(text, [check])
    assert hint.check == check
    return hint.met


@pytest.mark.parametrize(
    "text",
    [
        "By March, 8 of my 10 students will ask a question in every lesson.",
        "Raise exit ticket scores from 40% to 70%.",
        "Most of my learners will use the rubric to give peer feedback.",
        "Half of the class will explain their reasoning aloud.",
        "All of my students will write a paragraph each day.",
        "I will tally who speaks during group work.",
        "At least three pupils a lesson will ask a follow-up question.",
        "Increase the number of students who hand in homework.",
    ],
)
def test_measure_met(text: str) -> None:
    assert met(text, "measure")


@pytest.mark.parametrize(
    "text",
    [
        "Improve classroom discussion.",
        "My students will be more engaged.",
        "I want my pupils to enjoy reading.",
        "I will try new questioning strategies this term.",
        "Students will feel more confident in maths.",
    ],
)
def test_measure_missing(text: str) -> None:
    assert not met(text, "measure")


@pytest.mark.parametrize(
    "text",
    [
        "By March, most of my students will ask a question in every lesson.",
        "Within six weeks, my learners will use the rubric.",
        "By the end of the term, half of the class will explain their reasoning.",
        "Before winter break, exit ticket scores will rise.",
        "Students will read aloud every day.",
        "By 15/03 I will have tried think-pair-share.",
        "By 2025-03-15 every student will have a reading log.",
        "In May, students will present their projects.",
        "Para junio, mis estudiantes leerán en voz alta.",
    ],
)
def test_date_met(text: str) -> None:
    assert met(text, "date")


@pytest.mark.parametrize(
    "text",
    [
        "Improve classroom discussion.",
        "Most of my students will ask questions.",
        "I will try new strategies.",
        # "may" is a verb, not the month.
        "Students may choose their own books and 8 of 10 will finish one.",
        # Scores and ranges are not dates.
        "Raise rubric scores from 2.5 to 3.5.",
        "Cut interruptions from 10-12 a lesson to 5.",
    ],
)
def test_date_missing(text: str) -> None:
    assert not met(text, "date")


@pytest.mark.parametrize(
    "text",
    [
        "By March, 8 of my 10 students will ask a question in every lesson.",
        "Most of my learners will use the rubric.",
        "I want my pupils to enjoy reading more.",
        "Half of the class will explain their reasoning aloud.",
        "My kids will feel more confident in maths.",
        "Our readers will choose books they love.",
        "Mis estudiantes leerán en voz alta cada semana.",
    ],
)
def test_student_focus_met(text: str) -> None:
    assert met(text, "student_focus")


@pytest.mark.parametrize(
    "text",
    [
        "I want to be a better teacher.",
        "I will use more wait time by March.",
        "Raise exit ticket scores from 40% to 70%.",
        "I will collaborate with colleagues on planning.",
        "Improve classroom management.",  # "classroom" is about the room, not the students
    ],
)
def test_student_focus_missing(text: str) -> None:
    assert not met(text, "student_focus")


def test_smart_student_goal_meets_every_check() -> None:
    hints = goal_hints("By March, 8 of my 10 students will ask a question in every lesson.")
    assert [(h.check, h.met) for h in hints] == [
        ("measure", True),
        ("date", True),
        ("student_focus", True),
    ]


def test_vague_goal_meets_nothing_and_suggests_each() -> None:
    hints = goal_hints("I want to be a better teacher.")
    assert [h.met for h in hints] == [False, False, False]
    suggestions = {h.check: h.suggestion for h in hints}
    assert "measure" in suggestions["measure"]
    assert suggestions["date"].startswith("By when?")
    assert "students" in suggestions["student_focus"]


@pytest.mark.parametrize("text", ["", "   ", "\n\t \n"], ids=["empty", "spaces", "whitespace"])
def test_empty_text_meets_nothing(text: str) -> None:
    hints = goal_hints(text)
    assert [h.check for h in hints] == list(CHECKS)
    assert not any(h.met for h in hints)
    assert all(h.suggestion for h in hints)


def test_only_requested_checks_in_requested_order() -> None:
    text = "By March, 8 of my 10 students will ask a question."
    hints = goal_hints(text, ["student_focus", "measure"])
    assert [h.check for h in hints] == ["student_focus", "measure"]
    assert all(h.met for h in hints)
    assert goal_hints(text, []) == []
    assert goal_hints(text, ("date",)) == [Hint("date", True, goal_hints(text)[1].suggestion)]


def test_default_checks_are_all_checks_in_order() -> None:
    assert CHECKS == ("measure", "date", "student_focus")
    assert [h.check for h in goal_hints("anything")] == list(CHECKS)


def test_checks_match_the_hints_allowed_by_the_schema() -> None:
    schema_text = (
        resources.files("pdkit.definitions")
        .joinpath("schemas", "definitions.schema.json")
        .read_text("utf-8")
    )
    schema = json.loads(schema_text)
    assert tuple(schema["definitions"]["field"]["properties"]["hints"]["items"]["enum"]) == CHECKS
