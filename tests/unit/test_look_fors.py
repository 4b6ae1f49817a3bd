"""Look-fors: the pure rules of :mod:`pdkit.observations` (the look-fors of a goal, the
observer's notes checked and bounded, who may read) and the district lists
(``kind: look-fors``): the shipped example, its ties to the sample school goals,
``pdkit validate`` and ``pdkit new look-fors``."""

from __future__ import annotations

from pathlib import Path

import pytest

from pdkit.cli import main
from pdkit.definitions import (
    builtin_look_fors,
    default_school_goals,
    load_look_fors,
    parse_definition,
    validate_text,
)
from pdkit.errors import DefinitionError, StoreError
from pdkit.observations import check_notes, goal_look_fors, may_read, own_look_for


def test_the_shipped_list_is_tied_to_the_sample_school_goals() -> None:
    assert builtin_look_fors() == ["district"]
    district = load_look_fors("district")
    assert district.spec_version == "district@1"
    goals = {g.id for g in default_school_goals()}
    tied = {i.school_goal for i in district.items if i.school_goal}
    assert tied == goals  # every sample goal has look-fors, and no look-for names another
    talk = [i.id for i in district.for_school_goal("talk")]
    assert talk == ["students-talk", "open-questions", "routines"]
    assert len(district.for_school_goal(None)) == len(district.items)
    spanish = load_look_fors("district", language="es")
    assert spanish.items[0].text.startswith("Los estudiantes")


def test_an_unknown_list_names_the_built_ins() -> None:
    with pytest.raises(DefinitionError, match="district"):
        load_look_fors("distric")
    with pytest.raises(DefinitionError, match="where a list of look-fors is needed"):
        load_look_fors(Path("templates/goal-setting.yaml"))


def _doc(*items: str) -> str:
    return "kind: look-fors\nid: x\nschema_version: 1\ntitle: X\nlook_fors:\n" + "".join(items)


def test_a_list_is_checked_and_bounded() -> None:
    twice = _doc("  - {id: a, text: A}\n", "  - {id: a, text: B}\n")
    with pytest.raises(DefinitionError, match="used twice") as caught:
        parse_definition(twice, file="x.yaml")
    assert caught.value.line == 7
    long = _doc(f"  - {{id: a, text: {'x' * 301}}}\n")
    assert validate_text(long, file="x.yaml")
    many = _doc(*(f"  - {{id: a{n}, text: A}}\n" for n in range(41)))
    assert validate_text(many, file="x.yaml")
    assert validate_text(_doc("  - {id: a, text: A, school_goal: talk}\n")) == []


def test_pdkit_new_look_fors_writes_a_list_that_validates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["new", "look-fors", "walk", "--out", str(tmp_path)]) == 0
    path = tmp_path / "walk.yaml"
    made = load_look_fors(path)
    assert [i.school_goal for i in made.items] == ["literacy", "talk", "feedback", "belonging", ""]
    assert main(["validate", str(path)]) == 0
    assert "no problems" in capsys.readouterr().out
    assert main(["new", "look-fors", "Bad Name", "--out", str(tmp_path)]) == 2
    assert "lower-case letters" in capsys.readouterr().err


# --------------------------------------------------------------------------- the rules


def test_a_goal_s_look_fors() -> None:
    found = goal_look_fors(
        {
            "goal": "  Students explain\n their thinking ",
            "point_b": "",
            "action_steps": ["Stems", None, "Pairs"],
            "measure_instrument": "Exit ticket",
            "point_a": "not a look-for",
        }
    )
    assert [(f.id, f.text) for f in found] == [
        ("goal", "Students explain their thinking"),
        ("step_1", "Stems"),
        ("step_3", "Pairs"),
        ("measure", "Exit ticket"),
    ]
    assert goal_look_fors({}) == []
    assert len(goal_look_fors({"goal": "x" * 1000})[0].text) == 300


def test_an_observer_s_own_look_for_gets_a_free_id() -> None:
    assert own_look_for(" Wait time ", ["own_1", "goal"]).as_json() == {
        "id": "own_2",
        "text": "Wait time",
        "source": "own",
    }
    with pytest.raises(StoreError):
        own_look_for("   ", [])


def test_notes_are_tidied() -> None:
    assert check_notes({"date": "", "marks": {"a": {"seen": "seen"}}}) == {
        "date": "",
        "marks": {"a": {"seen": "seen", "note": ""}},
    }


@pytest.mark.parametrize(
    ("viewer", "sent", "share", "goal_level", "expected"),
    [
        ("obs", False, "goal", "private", True),  # the observer's own draft
        ("teacher", False, "coach", "session", False),  # not sent yet
        ("teacher", True, "private", "private", True),
        ("coach", True, "goal", "private", False),
        ("coach", True, "goal", "coach", True),
        ("coach", True, "coach", "private", True),
        ("coach", True, "private", "session", False),
        ("other", True, "coach", "session", False),  # a coach of someone else, a peer
    ],
)
def test_who_may_read(viewer: str, sent: bool, share: str, goal_level: str, expected: bool) -> None:
    assert (
        may_read(
            viewer=viewer,
            steward=False,
            include_private=False,
            teacher="teacher",
            observer="obs",
            sent=sent,
            share=share,
            goal_level=goal_level,
            coaches=["coach"],
        )
        is expected
    )


# --------------------------------------------------------------------------- pdkit serve


def test_pdkit_serve_checks_the_district_s_look_fors_and_hands_them_to_the_pages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    from pdkit.app._observe import district_look_fors
    from pdkit.errors import PdkitError
    from pdkit.serve import ServeConfig, prepare

    monkeypatch.delenv("PDKIT_LOOK_FORS", raising=False)
    mine = tmp_path / "mine.yaml"
    mine.write_text(_doc("  - {id: ours, text: Students lead the warm-up}\n"), "utf-8")
    config = ServeConfig(store=str(tmp_path / "s.sqlite3"), port=0, look_fors=mine)
    env = prepare(config, io.StringIO())
    assert env["PDKIT_LOOK_FORS"] == str(mine.resolve())
    monkeypatch.setenv("PDKIT_LOOK_FORS", env["PDKIT_LOOK_FORS"])
    assert [i.id for i in district_look_fors().items] == ["ours"]
    monkeypatch.delenv("PDKIT_LOOK_FORS")
    assert district_look_fors().id == "district"

    mine.write_text(_doc("  - {id: Bad Id, text: x}\n"), "utf-8")
    err = io.StringIO()
    bad = ServeConfig(store=str(tmp_path / "s.sqlite3"), port=0, look_fors=mine)
    with pytest.raises(PdkitError):
        prepare(bad, io.StringIO(), err)
    assert "mine.yaml" in err.getvalue()
