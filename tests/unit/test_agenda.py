"""The agenda of a PD day: its definition kind (``kind: agenda``), ``pdkit new agenda``,
and the part the room is on in the store (every backend, optimistic versions, the log
of changes)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from _stores import BACKENDS
from pdkit.cli import main
from pdkit.definitions import (
    AgendaDefinition,
    check_references,
    load_workbook,
    parse_definition,
    validate_text,
    workbook_forms,
)
from pdkit.errors import ConflictError, DefinitionError, StoreError
from pdkit.store import AgendaState, Store
from pdkit.testing import FakeClock

GOOD = """\
kind: agenda
id: my-day
schema_version: 1
title: My day
parts:
  - id: goal
    title: Goal
    minutes: 20
    form: goal-setting
  - id: rounds
    title: Rounds
    minutes: 45
    protocol: runner
  - id: revise
    title: Revise
    minutes: 10
    revise: goal-setting
  - id: reflect
    title: Reflect
    minutes: 10
    reflection: gibbs
  - id: evaluation
    title: Evaluation
    minutes: 5
    evaluation: placeholder
  - id: lunch
    title: Lunch
    minutes: 30
    text: Back at one.
"""


# --------------------------------------------------------------------------- definitions


def test_the_shipped_day_is_an_agenda_in_the_order_of_the_day() -> None:
    day = load_workbook("day")
    assert isinstance(day, AgendaDefinition)
    assert day.kind == "agenda"
    assert day.audience == "participant"
    assert [p.shows for p in day.parts] == [
        "form",
        "protocol",
        "revise",
        "reflection",
        "evaluation",
    ]
    assert [p.id for p in day.parts] == ["goal", "rounds", "revise", "reflection", "evaluation"]
    assert day.total_minutes == sum(p.minutes for p in day.parts) == 115
    assert check_references(day) == []
    assert validate_text(Path(day.source).read_text("utf-8"), file=day.source) == []
    # the goal form, shown twice, is one form of the saved workbook (its one section)
    assert [(i, f.id) for i, f in workbook_forms(day)] == [
        (0, "goal-setting"),
        (0, "what-so-what-now-what"),
    ]


def test_a_saved_day_workbook_holds_each_answer_once() -> None:
    from pdkit.notebooks import read_saved, save_workbook
    from pdkit.notebooks.build import dumps
    from pdkit.store import open_store

    store = open_store("memory://")
    ana = store.create_participant("Ana")[0]
    store.record(ana.id, "goal-setting", {"goal": "Ask more"}, spec_version="goal-setting@1")
    notebook = save_workbook(load_workbook("day"), store, ana)
    answers = [c["id"] for c in notebook["cells"] if c["id"].startswith("answers-")]
    assert answers == ["answers-goal-setting", "answers-what-so-what-now-what"]
    saved = read_saved(dumps(notebook))
    assert saved.answers["goal-setting"] == {"goal": "Ask more"}


def test_an_agenda_reads_every_kind_of_part() -> None:
    agenda = parse_definition(GOOD)
    assert isinstance(agenda, AgendaDefinition)
    shows = [(p.shows, p.ref, p.text) for p in agenda.parts]
    assert shows == [
        ("form", "goal-setting", ""),
        ("protocol", "", ""),
        ("revise", "goal-setting", ""),
        ("reflection", "gibbs", ""),
        ("evaluation", "session-evaluation", ""),
        ("text", "", "Back at one."),
    ]
    assert agenda.part_index("revise") == 2
    with pytest.raises(KeyError, match="no part 'nope'"):
        agenda.part_index("nope")


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (
            ("    text: Back at one.", "    text: Back at one.\n    form: gibbs"),
            "exactly one thing",
        ),
        (("    text: Back at one.\n", ""), "this one has nothing"),
        (("id: lunch", "id: goal"), "the part id 'goal' is used twice"),
        (("minutes: 30", "minutes: 0"), "parts[5].minutes"),
        (("minutes: 30", "minutes: soon"), "should be a number"),
        (("protocol: runner", "protocol: tuning"), "is not one of 'runner'"),
        (("reflection: gibbs", "reflection: gibs"), "parts[3].reflection"),
        (("    minutes: 45\n", ""), "missing required key 'minutes'"),
        (("  - id: lunch", "  - ident: lunch"), "unknown key 'ident'"),
    ],
)
def test_a_bad_agenda_gets_a_clear_error(change: tuple[str, str], said: str) -> None:
    text = GOOD.replace(*change)
    assert text != GOOD
    problems = validate_text(text, file="day.yaml")
    assert problems, text
    assert any(said in str(p) for p in problems), problems
    assert all(str(p).startswith("day.yaml") for p in problems)


def test_a_bad_agenda_names_its_line() -> None:
    text = GOOD.replace("id: lunch", "id: goal")
    with pytest.raises(DefinitionError) as raised:
        parse_definition(text, file="day.yaml")
    assert raised.value.line == 26
    assert raised.value.path == "parts[5].id"


def test_pdkit_new_agenda_writes_an_agenda_that_builds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["new", "agenda", "spring-day", "--out", str(tmp_path)]) == 0
    made = load_workbook(tmp_path / "spring-day.yaml")
    assert isinstance(made, AgendaDefinition)
    assert [p.shows for p in made.parts] == [
        "form",
        "protocol",
        "revise",
        "reflection",
        "evaluation",
    ]
    assert made.parts[2].ref == "goal-setting"
    assert main(["validate", str(tmp_path)]) == 0
    assert main(["build", str(tmp_path), "--out", str(tmp_path / "nb")]) == 0
    assert (tmp_path / "nb" / "spring-day.ipynb").is_file()
    # 'revise' needs a form before it; a protocol is no part
    assert main(["new", "agenda", "x", "--from", "revise", "--out", str(tmp_path)]) != 0
    assert main(["new", "agenda", "y", "--from", "tuning", "--out", str(tmp_path)]) != 0
    err = capsys.readouterr().err
    assert "name a form before it" in err
    assert "'tuning' is a protocol" in err


# --------------------------------------------------------------------------- the store


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest) -> Iterator[Store]:
    opened = request.param(request)
    yield opened
    opened.close()


def test_an_agenda_starts_at_its_first_part(store: Store) -> None:
    assert store.agenda_state("default", "day") == AgendaState("default", "day", 0, 0, 0.0)
    assert store.current_agenda("default") is None
    assert store.agenda_events("default", "day") == []


def test_part_changes_are_versioned_and_logged(store: Store) -> None:
    first = store.set_agenda_part("default", "day", 1, expected_version=0)
    assert (first.part, first.version) == (1, 1)
    second = store.set_agenda_part("default", "day", 2, expected_version=1)
    assert (second.part, second.version) == (2, 2)
    back = store.set_agenda_part("default", "day", 1, expected_version=2)
    assert store.agenda_state("default", "day") == back
    assert (back.part, back.version) == (1, 3)
    events = store.agenda_events("default", "day")
    assert [(e.previous, e.part) for e in events] == [(None, 1), (1, 2), (2, 1)]
    assert [e.at for e in events] == sorted(e.at for e in events)
    assert events[-1].at == back.changed_at
    # another session and another agenda are their own
    assert store.agenda_state("other", "day").version == 0
    assert store.agenda_state("default", "other-day").version == 0
    assert store.current_agenda("default") == back


def test_two_tabs_cannot_both_move_the_agenda(store: Store) -> None:
    store.set_agenda_part("default", "day", 1, expected_version=0)
    with pytest.raises(ConflictError, match="now at version 1, not 0"):
        store.set_agenda_part("default", "day", 3, expected_version=0)  # a second first move
    store.set_agenda_part("default", "day", 2, expected_version=1)
    with pytest.raises(ConflictError, match="now at version 2, not 1"):
        store.set_agenda_part("default", "day", 3, expected_version=1)
    assert store.agenda_state("default", "day").part == 2
    assert len(store.agenda_events("default", "day")) == 2  # the refused moves left no trace
    with pytest.raises(StoreError, match="counted from 0"):
        store.set_agenda_part("default", "day", -1, expected_version=2)


def test_the_current_agenda_is_the_one_moved_last(tmp_path: Path) -> None:
    from pdkit.store import SQLiteStore

    clock = FakeClock(1000.0, step=0)
    with SQLiteStore(tmp_path / "s.sqlite3", clock=clock) as store:
        store.set_agenda_part("default", "day", 1, expected_version=0)
        clock.now += 5
        store.set_agenda_part("default", "morning", 2, expected_version=0)
        current = store.current_agenda("default")
        assert current is not None
        assert current.agenda == "morning"
        clock.now += 5
        store.set_agenda_part("default", "day", 2, expected_version=1)
        current = store.current_agenda("default")
        assert current is not None
        assert (current.agenda, current.part) == ("day", 2)
