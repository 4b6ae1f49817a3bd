"""Measured goals: the number field's rule, a goal's measure, the A → now → B series and
progress (pdkit.measures), and number fields in definitions."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import pytest

from pdkit import DefinitionError
from pdkit.definitions import answer_text, load_form, parse_definition
from pdkit.definitions._numbers import MAX_DIGITS, parse_number
from pdkit.definitions.ids import CHECKIN_FORM, GOAL_FORM, MEASURE_FIELDS, MEASURE_VALUE_FIELD
from pdkit.errors import AnswerError
from pdkit.i18n import translator
from pdkit.measures import (
    Measure,
    Point,
    checkin_points,
    measure_chart,
    measure_of,
    measure_words,
    progress,
)

# ---------------------------------------------------------------- the number rule


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("40", 40.0),
        (" 62.5 ", 62.5),
        ("62,5", 62.5),
        ("-3", -3.0),
        ("+7", 7.0),
        (".5", 0.5),
        ("80%", 80.0),
        ("80 %", 80.0),
        ("-0", 0.0),
        ("", None),
        ("   ", None),
        ("9" * MAX_DIGITS, float("9" * MAX_DIGITS)),
    ],
)
def test_numbers_are_taken_as_typed(text: str, number: float | None) -> None:
    assert parse_number(text) == number


@pytest.mark.parametrize(
    "text",
    [
        "1e999",
        "1e3",
        "NaN",
        "nan",
        "inf",
        "-Infinity",
        "1_000",
        "1,000",
        "1,000.5",
        "1.2.3",
        "forty",
        "4o",
        "0x10",
        "١٢",  # Arabic-Indic digits: float() takes them, the rule does not
        "9" * (MAX_DIGITS + 1),
        "1" * 10_000_000,
        "--1",
        "½",
    ],
)
def test_hostile_numbers_are_refused_clearly_and_quickly(text: str) -> None:
    started = time.perf_counter()
    with pytest.raises(AnswerError) as caught:
        parse_number(text)
    assert time.perf_counter() - started < 0.05
    message = str(caught.value)
    assert len(message) < 200
    assert "number" in message or "digits" in message
    assert isinstance(caught.value, ValueError)


def test_a_number_outside_its_range_is_refused_with_the_range() -> None:
    assert parse_number("100", minimum=0, maximum=100) == 100
    with pytest.raises(AnswerError, match="at most 100"):
        parse_number("100.5", minimum=0, maximum=100)
    with pytest.raises(AnswerError, match="at least 0"):
        parse_number("-1", minimum=0, maximum=100)


# ---------------------------------------------------------------- definitions


def _form(field: str) -> str:
    return f"""
kind: form
id: f
schema_version: 1
title: F
fields:
  - {field}
"""


def test_a_number_field_with_its_range_is_read() -> None:
    form = parse_definition(_form("{id: n, type: number, label: N, min: 0, max: 10.5}"))
    field = form.fields[0]  # type: ignore[union-attr]
    assert (field.type, field.minimum, field.maximum) == ("number", 0, 10.5)
    assert answer_text(field, 62.5) == "62.5"
    assert answer_text(field, 1200) == "1,200"
    assert answer_text(field, None) == ""
    assert answer_text(field, "not a number") == "not a number"


@pytest.mark.parametrize(
    ("field", "problem"),
    [
        ("{id: n, type: number, label: N, min: 5, max: 1}", "'min' is larger than 'max'"),
        ("{id: n, type: number, label: N, max: .nan}", "'max' must be a finite number"),
        ("{id: n, type: number, label: N, min: -.inf}", "'min' must be a finite number"),
        ("{id: n, type: text, label: N, min: 1}", "'min' does not apply to a 'text' field"),
        ("{id: n, type: number, label: N, max: ten}", "max"),
    ],
)
def test_bad_number_fields_are_named(field: str, problem: str) -> None:
    with pytest.raises(DefinitionError) as caught:
        parse_definition(_form(field), file="f.yaml")
    assert problem in str(caught.value)
    assert caught.value.line is not None


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_goal_and_check_in_forms_carry_the_measure(language: str) -> None:
    goal = load_form(GOAL_FORM, language=language)
    assert [goal.field(f).type for f in MEASURE_FIELDS] == ["text", "choice", "number", "number"]
    assert {o.value for o in goal.field("measure_unit").options} == {
        "percent",
        "count",
        "score",
        "minutes",
        "other",
    }
    checkin = load_form(CHECKIN_FORM, language=language)
    assert checkin.field(MEASURE_VALUE_FIELD).type == "number"
    assert not checkin.field(MEASURE_VALUE_FIELD).required


def test_every_measure_text_of_the_goal_form_is_in_spanish() -> None:
    english = load_form(GOAL_FORM, language="en")
    spanish = load_form(GOAL_FORM, language="es")
    for field_id in MEASURE_FIELDS:
        en, es = english.field(field_id), spanish.field(field_id)
        assert en.label != es.label
        assert en.help == "" or en.help != es.help
        assert [o.label for o in en.options] != [o.label for o in es.options] or not en.options


# ---------------------------------------------------------------- the measure


def test_a_goal_in_words_has_no_measure() -> None:
    assert measure_of({"goal": "More talk", "point_a": "some", "point_b": "more"}) is None
    assert measure_of({"measure_instrument": "  ", "baseline": None, "target": ""}) is None


def test_the_measure_of_a_goal() -> None:
    found = measure_of(
        {
            "measure_instrument": " Weekly exit ticket ",
            "measure_unit": "percent",
            "baseline": 40,
            "target": 80.0,
        }
    )
    assert found == Measure("Weekly exit ticket", "percent", 40.0, 80.0)
    assert found.complete
    assert found.value_text(62.5) == "62.5%"
    assert found.value_label() == "Weekly exit ticket, now (%)"
    assert found.value_label(translator("es")) == "Weekly exit ticket, ahora (%)"
    assert found.hint() == ""


def test_stored_values_that_are_not_numbers_are_no_numbers() -> None:
    found = measure_of(
        {
            "baseline": True,
            "target": float("nan"),
            "measure_unit": "furlongs",
            "measure_instrument": 3,
        }
    )
    assert found is None
    half = measure_of({"baseline": "40", "target": 80})
    assert half == Measure(target=80.0)


def test_half_a_measure_gets_a_hint_not_a_refusal() -> None:
    assert "point B" in Measure("Exit ticket", "percent", 40, None).hint()
    assert "point A" in Measure("Exit ticket", "percent", None, 80).hint()
    assert "count" in Measure("", "percent", 40, 80).hint()
    assert Measure("", "count", 3, 5).value_label() == "My measure, now (count)"
    assert Measure("Walk", "other", 3, 5).value_label() == "Walk, now"


@pytest.mark.parametrize(
    ("baseline", "target", "value", "share"),
    [
        (40, 80, 40, 0.0),
        (40, 80, 60, 0.5),
        (40, 80, 80, 1.0),
        (40, 80, 90, 1.25),
        (40, 80, 30, -0.25),
        (12, 4, 8, 0.5),  # fewer late assignments: a target below the baseline
        (12, 4, 4, 1.0),
        (12, 4, 14, -0.25),
        (5, 5, 5, 1.0),  # point A is point B
        (5, 5, 6, 0.0),
    ],
)
def test_progress_toward_point_b(
    baseline: float, target: float, value: float, share: float
) -> None:
    assert progress(Measure("x", "count", baseline, target), value) == pytest.approx(share)


def test_no_progress_without_both_numbers() -> None:
    assert progress(Measure("x", "count", 40, None), 50) is None
    assert progress(Measure("x", "count", None, 40), 50) is None
    assert progress(Measure("x", "count", 1, 2), float("inf")) is None


@dataclass
class _Event:
    field: str
    value: Any
    at: float


DAY = 86_400.0
START = 1_780_000_000.0


def test_check_in_values_follow_the_one_versions_rule() -> None:
    events = [
        _Event("progress", 2, START),
        _Event("measure_value", 50, START + 5),
        _Event("measure_value", 52, START + 30),  # the same sitting: one check-in
        _Event("progress", 3, START + 7 * DAY),  # a week later, no value: left out
        _Event("progress", 4, START + 14 * DAY),
        _Event("measure_value", 62, START + 14 * DAY + 10),
        _Event("measure_value", "n/a", START + 21 * DAY),
    ]
    points = checkin_points(events)
    assert [(p.checkin, p.value) for p in points] == [(1, 52.0), (2, 52.0), (3, 62.0)]
    assert points[0].at == START + 30
    assert checkin_points(events[:1]) == []


def test_a_revision_mark_starts_a_check_in_even_within_a_sitting() -> None:
    events = [_Event("measure_value", 50, START), _Event("measure_value", 55, START + 60)]
    assert [p.value for p in checkin_points(events)] == [55.0]
    assert [p.value for p in checkin_points(events, [START + 30])] == [50.0, 55.0]


def _points(*values: float) -> list[Point]:
    return [Point(n, START + n * 7 * DAY, v) for n, v in enumerate(values, 1)]


def test_the_measure_in_words() -> None:
    measure = Measure("Weekly exit ticket", "percent", 40, 80)
    assert (
        measure_words(measure, _points(50, 62), target_date="2027-03-15")
        == "From 40% to 62% so far; target 80% by 15 March. 55% of the way from A to B."
    )
    assert measure_words(measure, [], target_date="not a date") == (
        "Point A 40%; target 80%. No check-in value yet."
    )
    es = measure_words(
        measure, _points(62), target_date="2027-03-15", t=translator("es"), language="es"
    )
    assert es == "De 40% a 62% hasta ahora; meta 80% para el 15 de marzo. 55% del camino de A a B."
    assert "point A has no number" in measure_words(Measure("x", "count", None, 9), _points(3))
    assert "Now 3." in measure_words(Measure("x", "count", 1, None), _points(3))


def test_the_chart_draws_a_now_and_b_with_their_numbers() -> None:
    measure = Measure("Weekly <exit> ticket", "percent", 40, 80)
    svg = measure_chart(measure, _points(50, 62))
    assert svg.startswith("<svg")
    assert 'class="baseline"' in svg
    assert 'class="target"' in svg
    for said in ("Point A: 40%", "Point B: 80%", "62%", "50%"):
        assert said in svg.replace("&#58;", ":")
    assert "<exit>" not in svg
    assert "&lt;exit&gt;" in svg
    assert svg.count('class="point"') == 3  # point A, then two check-ins
    assert measure_chart(Measure("x"), []) == ""


@pytest.mark.parametrize(
    ("language", "month", "day", "said"),
    [
        (None, 3, 15, "15 March"),
        ("es", 3, 15, "15 de marzo"),
        ("fr", 3, 15, "15 mars"),
        ("fr-CA", 5, 1, "1 mai"),
        ("de", 5, 2, "2 May"),
    ],
)
def test_a_date_is_said_in_the_languages_words_and_order(
    language: str | None, month: int, day: int, said: str
) -> None:
    """Month names and the order of day and month come from the catalogs (a language
    is data), not from a table per language in the code; a language without a catalog
    says it in English."""
    from datetime import date

    from pdkit.measures import day_text

    assert day_text(date(2027, month, day), language) == said
