"""``pdkit coach``: add, assign, unassign, list and link, run as a person runs them, on a
real SQLite file and on PostgreSQL; every mistake is one clear sentence and changes
nothing."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from pdkit.cli import main
from pdkit.store import Participant, Store, Viewer, open_store


@dataclass
class Room:
    """A store with a session (Spring) and three teachers: two called Ana (one in the
    default session, one in Spring) and Ben (Spring)."""

    url: str
    store: Store
    code: str
    session: str
    ana: Participant
    spring_ana: Participant
    ben: Participant

    def run(self, *args: str) -> int:
        return main([*args, "--store", self.url])


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite-file"),
        pytest.param("pg", marks=pytest.mark.postgres),
    ]
)
def room(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Room]:
    if request.param == "sqlite":
        url = str(tmp_path / "pd.sqlite3")
    else:
        url = request.getfixturevalue("postgres_url")
    store = open_store(url)
    spring, _ = store.create_session("Spring", [])
    ana, _ = store.create_participant("Ana")
    spring_ana, _ = store.create_participant("Ana", session=spring.id)
    ben, _ = store.create_participant("Ben", session=spring.id)
    yield Room(url, store, spring.code, spring.id, ana, spring_ana, ben)
    store.close()


def coach_named(store: Store, name: str) -> Participant:
    (found,) = [c for c in store.coaches() if c.display_name == name]
    return found


def test_a_coach_is_added_once_by_name_and_again_on_request(
    room: Room, capsys: pytest.CaptureFixture[str]
) -> None:
    assert room.run("coach", "add", "Carla  Ruiz", "--email", "carla@school.org") == 0
    out = capsys.readouterr().out
    carla = coach_named(room.store, "Carla Ruiz")
    assert carla.role == "coach"
    assert carla.session == "default"
    assert f"added the coach 'Carla Ruiz' (id {carla.id})" in out
    contact = room.store.contact(carla.id, viewer=Viewer.steward())
    assert contact is not None
    assert contact.email == "carla@school.org"

    assert room.run("coach", "add", "carla ruiz") == 2
    err = capsys.readouterr().err
    assert "there is a coach called 'carla ruiz' already" in err
    assert carla.id in err
    assert "--again" in err
    assert len(room.store.coaches()) == 1

    assert room.run("coach", "add", "Carla Ruiz", "--again", "--session", room.code) == 0
    assert [c.display_name for c in room.store.coaches()] == ["Carla Ruiz", "Carla Ruiz"]
    assert [c.display_name for c in room.store.coaches(room.session)] == ["Carla Ruiz"]


@pytest.mark.parametrize(
    ("args", "why"),
    [
        (["   "], "give the coach's name"),
        (["Omar", "--email", "omar.school.org"], "'omar.school.org' is not an email address"),
        (["Omar", "--session", "NOPE-123"], "no session 'NOPE-123'"),
    ],
)
def test_a_coach_with_a_mistake_is_not_added(
    room: Room, capsys: pytest.CaptureFixture[str], args: list[str], why: str
) -> None:
    assert room.run("coach", "add", *args) == 2
    assert why in capsys.readouterr().err
    assert room.store.coaches() == []


def test_teachers_are_assigned_and_unassigned_by_name_or_id(
    room: Room, capsys: pytest.CaptureFixture[str]
) -> None:
    room.run("coach", "add", "Carla")
    carla = coach_named(room.store, "Carla")
    capsys.readouterr()
    assert room.run("coach", "assign", "carla", "ben", room.ana.id) == 0
    assert set(room.store.coached_by(carla.id)) == {room.ben.id, room.ana.id}
    assert "caseload: 2 teachers" in capsys.readouterr().out
    # the same-name teacher of one session, by --session
    assert room.run("coach", "assign", carla.id, "Ana", "--session", room.code) == 0
    assert set(room.store.coached_by(carla.id)) == {room.ben.id, room.ana.id, room.spring_ana.id}

    assert room.run("coach", "unassign", "Carla", "Ben", room.ana.id) == 0
    assert room.store.coached_by(carla.id) == [room.spring_ana.id]
    assert "no longer coaches 2 teachers" in capsys.readouterr().out
    assert room.run("coach", "unassign", "Carla", "Ben") == 0
    assert "was not coaching Ben" in capsys.readouterr().err


def test_a_name_two_teachers_share_is_refused_with_both(
    room: Room, capsys: pytest.CaptureFixture[str]
) -> None:
    room.run("coach", "add", "Carla")
    carla = coach_named(room.store, "Carla")
    capsys.readouterr()
    assert room.run("coach", "assign", "Carla", "Ben", "Ana") == 2
    err = capsys.readouterr().err
    assert "2 teachers are called 'Ana'" in err
    assert room.ana.id in err
    assert room.spring_ana.id in err
    assert "the default session" in err
    assert f"session {room.code}" in err
    assert room.store.coached_by(carla.id) == []  # Ben neither: nothing half done


@pytest.mark.parametrize(
    ("coach", "teacher", "why"),
    [
        ("Zed", "Ben", "no coach 'Zed'"),
        ("Carla", "Nobody", "no teacher 'Nobody'"),
        ("Carla", "Ben", "no teacher 'Ben' in the default session"),  # with --session default
    ],
)
def test_an_unknown_coach_or_teacher_is_named(
    room: Room, capsys: pytest.CaptureFixture[str], coach: str, teacher: str, why: str
) -> None:
    room.run("coach", "add", "Carla")
    capsys.readouterr()
    extra = ["--session", "default"] if why.endswith("default session") else []
    assert room.run("coach", "assign", coach, teacher, *extra) == 2
    assert why in capsys.readouterr().err
    assert room.store.coached_by(coach_named(room.store, "Carla").id) == []


def test_a_coach_is_not_a_teacher(room: Room, capsys: pytest.CaptureFixture[str]) -> None:
    room.run("coach", "add", "Carla")
    room.run("coach", "add", "Omar")
    omar = coach_named(room.store, "Omar")
    capsys.readouterr()
    assert room.run("coach", "assign", "Carla", omar.id) == 2
    assert f"no teacher {omar.id!r}" in capsys.readouterr().err


def test_coaches_are_listed_with_their_caseloads(
    room: Room, capsys: pytest.CaptureFixture[str]
) -> None:
    assert room.run("coach", "list") == 0
    assert "no coaches yet" in capsys.readouterr().err
    room.run("coach", "add", "Carla")
    room.run("coach", "add", "Omar", "--session", room.code)
    room.run("coach", "assign", "Carla", "Ben", room.ana.id)
    capsys.readouterr()
    assert room.run("coach", "list") == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("Carla  (id ")
    assert lines[0].endswith("2 teachers)")
    assert lines[1].startswith("Omar  (id ")
    assert lines[1].endswith(f"0 teachers, session {room.code})")
    assert room.run("coach", "list", "--session", room.code) == 0
    assert capsys.readouterr().out.splitlines() == [lines[1]]


def test_a_coach_s_link_signs_in_as_the_coach(
    room: Room, capsys: pytest.CaptureFixture[str]
) -> None:
    room.run("coach", "add", "Carla")
    carla = coach_named(room.store, "Carla")
    capsys.readouterr()
    assert room.run("coach", "link", "Carla", "--base-url", "https://pd.school.org/") == 0
    captured = capsys.readouterr()
    link = captured.out.strip()
    assert re.fullmatch(r"https://pd\.school\.org/voila/render/coach\.ipynb\?pdkit=\S+", link)
    token = parse_qs(urlsplit(link).query)["pdkit"][0]
    found = room.store.participant_for_token(token)
    assert found is not None
    assert found.id == carla.id
    assert "this link is a key" in captured.err
    # a fresh link each time; the first keeps working
    room.run("coach", "link", carla.id, "--base-url", "https://pd.school.org")
    again = parse_qs(urlsplit(capsys.readouterr().out.strip()).query)["pdkit"][0]
    assert again != token
    assert room.store.participant_for_token(token) is not None
    assert room.run("coach", "link", "Carla", "--base-url", "pd.school.org") == 2
    assert "--base-url 'pd.school.org'" in capsys.readouterr().err


def test_coach_without_an_action_or_store_says_what_to_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["coach"]) == 2
    assert "pdkit coach add NAME" in capsys.readouterr().err
    assert main(["coach", "list", "--store", str(tmp_path / "none.sqlite3")]) == 2
    assert "no store at" in capsys.readouterr().err
    assert not (tmp_path / "none.sqlite3").exists()
