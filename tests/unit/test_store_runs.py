"""The store contract for groups, protocol runs and notes, on every backend in BACKENDS.

The tests at the end (files and upgrades) open SQLite files directly; their PostgreSQL
counterparts are in test_store_postgres.py.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import replace
from pathlib import Path

import pytest

from _stores import BACKENDS
from pdkit import pacing
from pdkit.errors import ConflictError, StoreError
from pdkit.pacing import RunState
from pdkit.store import Participant, Run, SQLiteStore, Store, Viewer, open_store
from pdkit.store._schema import SCHEMA_VERSION

ALL = Viewer.steward(include_private=True)  # every note, for checking what was stored

PROTOCOL = "tuning"
SPEC = "tuning@1"
STATE = RunState(step=0, status=pacing.RUNNING, started_at=1000.0, allotted=300.0)
V2_TABLES = ("groups", "group_members", "runs", "run_members", "notes")
V3_TABLES = ("visibility", "coaching", "feedback", "revisions")


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest) -> Iterator[Store]:
    opened = request.param(request)
    yield opened
    opened.close()


@pytest.fixture
def make_people(store: Store) -> Callable[..., list[Participant]]:
    def make(*names: str, session: str = "default") -> list[Participant]:
        return [store.create_participant(n, session=session)[0] for n in names]

    return make


def ids(people: list[Participant]) -> list[str]:
    return [p.id for p in people]


def start(store: Store, roles: dict[str, dict[str, str]], session: str = "default") -> Run:
    return store.start_run(session, PROTOCOL, SPEC, roles, STATE)


# --------------------------------------------------------------------------- participants


def test_participants_in_join_order_per_session(
    store: Store, make_people: Callable[..., list[Participant]]
) -> None:
    assert store.participants() == []
    ana, ben = make_people("Ana", "Ben")
    (xia,) = make_people("Xia", session="other")
    (cy,) = make_people("Cy")
    assert store.participants() == [ana, ben, cy]
    assert store.participants("default") == [ana, ben, cy]
    assert store.participants("other") == [xia]
    assert store.participants("nobody-here") == []


# --------------------------------------------------------------------------- groups


def test_set_groups_returns_and_stores_the_groups(
    store: Store, make_people: Callable[..., list[Participant]]
) -> None:
    a, b, c, d, e = ids(make_people("A", "B", "C", "D", "E"))
    made = store.set_groups("default", [[c, a], [e, b, d]])
    assert [g.members for g in made] == [(c, a), (e, b, d)]
    assert [g.name for g in made] == ["Group 1", "Group 2"]
    assert all(g.session == "default" for g in made)
    assert len({g.id for g in made}) == 2
    assert store.groups() == made
    assert store.group_of(a) == made[0]
    assert store.group_of(d) == made[1]


def test_set_groups_with_names(store: Store, make_people: Callable[..., list[Participant]]) -> None:
    a, b, c, d = ids(make_people("A", "B", "C", "D"))
    made = store.set_groups("default", [[a, b], [c, d]], names=["Reds"])
    assert [g.name for g in store.groups()] == ["Reds", "Group 2"]
    assert made == store.groups()


def test_set_groups_replaces_the_current_groups(
    store: Store, make_people: Callable[..., list[Participant]]
) -> None:
    a, b, c, d, e = ids(make_people("A", "B", "C", "D", "E"))
    old = store.set_groups("default", [[a, b], [c, d, e]])
    new = store.set_groups("default", [[a, c], [b, d]])
    current = store.groups()
    assert current == new
    assert not {g.id for g in old} & {g.id for g in current}
    assert store.group_of(a) == new[0]
    assert store.group_of(c) == new[0]
    assert store.group_of(b) == new[1]
    assert store.group_of(e) is None  # not in the new grouping


def test_groups_are_per_session(
    store: Store, make_people: Callable[..., list[Participant]]
) -> None:
    a, b = ids(make_people("A", "B"))
    x, y = ids(make_people("X", "Y", session="other"))
    here = store.set_groups("default", [[a, b]])
    there = store.set_groups("other", [[x, y]])
    assert store.groups() == here
    assert store.groups("other") == there
    assert store.group_of(a) == here[0]
    assert store.group_of(x) == there[0]


def test_nobody_has_a_group_before_grouping(
    store: Store, make_people: Callable[..., list[Participant]]
) -> None:
    (a,) = ids(make_people("A"))
    assert store.groups() == []
    assert store.group_of(a) is None
    assert store.group_of("no-such-person") is None


def test_person_in_two_groups_raises_and_changes_nothing(
    store: Store, make_people: Callable[..., list[Participant]]
) -> None:
    a, b, c = ids(make_people("A", "B", "C"))
    before = store.set_groups("default", [[a, b, c]])
    with pytest.raises(StoreError, match="two groups"):
        store.set_groups("default", [[a, b], [c, a]])
    assert store.groups() == before
    assert store.group_of(a) == before[0]


def test_unknown_participant_in_a_group_raises_and_changes_nothing(
    store: Store, make_people: Callable[..., list[Participant]]
) -> None:
    a, b, c = ids(make_people("A", "B", "C"))
    before = store.set_groups("default", [[a, b, c]])
    with pytest.raises(StoreError):
        store.set_groups("default", [[a, b], [c, "no-such-person"]])
    assert store.groups() == before
    assert store.group_of(c) == before[0]


# --------------------------------------------------------------------------- runs


def test_start_run_and_get_run(store: Store, make_people: Callable[..., list[Participant]]) -> None:
    a, b, c = ids(make_people("A", "B", "C"))
    roles = {"g1": {a: "presenter", b: "participant"}, "g2": {c: "presenter"}}
    run = start(store, roles)
    assert run.version == 1
    assert run.state == STATE
    assert (run.session, run.protocol, run.spec_version) == ("default", PROTOCOL, SPEC)
    assert run.roles == roles
    assert run.placement(b) == ("g1", "participant")
    assert run.placement(c) == ("g2", "presenter")
    assert run.placement("someone-else") is None
    assert store.get_run(run.id) == run
    assert store.get_run("no-such-run") is None


def test_runs_newest_first_per_session(
    store: Store, make_people: Callable[..., list[Participant]]
) -> None:
    a, b = ids(make_people("A", "B"))
    (x,) = ids(make_people("X", session="other"))
    first = start(store, {"g": {a: "presenter", b: "participant"}})
    elsewhere = start(store, {"h": {x: "presenter"}}, session="other")
    second = start(store, {"g": {a: "presenter"}})
    third = start(store, {"g": {b: "presenter"}})
    assert [r.id for r in store.runs()] == [third.id, second.id, first.id]
    assert [r.id for r in store.runs("other")] == [elsewhere.id]
    assert store.runs("empty") == []


def test_run_for_is_the_newest_run_with_the_participant(
    store: Store, make_people: Callable[..., list[Participant]]
) -> None:
    a, b, c, d = ids(make_people("A", "B", "C", "D"))
    first = start(store, {"g": {a: "presenter", b: "participant"}})
    second = start(store, {"g": {a: "presenter", c: "participant"}})
    assert store.run_for(a) == second
    assert store.run_for(c) == second
    assert store.run_for(b) == first  # not in the newer run
    assert store.run_for(d) is None
    assert store.run_for("no-such-person") is None


def test_start_run_with_a_person_in_two_groups_raises(
    store: Store, make_people: Callable[..., list[Participant]]
) -> None:
    a, b, c = ids(make_people("A", "B", "C"))
    with pytest.raises(StoreError):
        start(store, {"g1": {a: "presenter", b: "participant"}, "g2": {a: "presenter", c: "x"}})
    assert store.runs() == []
    assert store.run_for(b) is None


def test_start_run_with_an_unknown_person_raises(
    store: Store, make_people: Callable[..., list[Participant]]
) -> None:
    (a,) = ids(make_people("A"))
    with pytest.raises(StoreError):
        start(store, {"g": {a: "presenter", "no-such-person": "participant"}})
    assert store.runs() == []


def test_update_run_bumps_the_version_and_stores_the_state(
    store: Store, make_people: Callable[..., list[Participant]]
) -> None:
    (a,) = ids(make_people("A"))
    run = start(store, {"g": {a: "presenter"}})
    paused = RunState(step=2, status=pacing.PAUSED, started_at=1234.5, allotted=600.0, used=42.25)
    updated = store.update_run(run.id, paused, expected_version=1)
    assert updated.version == 2
    assert updated.state == paused
    assert updated.roles == run.roles
    assert store.get_run(run.id) == updated
    assert store.run_for(a) == updated

    ended = pacing.end(paused, 2000.0)
    again = store.update_run(run.id, ended, expected_version=2)
    assert again.version == 3
    stored = store.get_run(run.id)
    assert stored is not None
    assert stored.state == ended


@pytest.mark.parametrize("stale", [0, 1, 3])
def test_update_run_with_a_stale_version_raises_conflict(
    store: Store, make_people: Callable[..., list[Participant]], stale: int
) -> None:
    (a,) = ids(make_people("A"))
    run = start(store, {"g": {a: "presenter"}})
    current = store.update_run(run.id, pacing.extend(STATE, 60), expected_version=1)
    assert current.version == 2
    with pytest.raises(ConflictError) as caught:
        store.update_run(run.id, pacing.end(STATE, 1100.0), expected_version=stale)
    assert isinstance(caught.value, StoreError)
    assert store.get_run(run.id) == current  # nothing changed


def test_update_of_an_unknown_run_raises(store: Store) -> None:
    with pytest.raises(StoreError):
        store.update_run("no-such-run", STATE, expected_version=1)


# --------------------------------------------------------------------------- notes


def test_record_notes_takes_group_and_role_from_the_run(
    store: Store, make_people: Callable[..., list[Participant]]
) -> None:
    a, b, c = ids(make_people("A", "B", "C"))
    run = start(store, {"g1": {a: "presenter", b: "participant"}, "g2": {c: "presenter"}})
    events = store.record_notes(run.id, "presentation", b, {"first_notes": "Looks good"})
    (event,) = events
    assert (event.run, event.group, event.step, event.role, event.participant) == (
        run.id,
        "g1",
        "presentation",
        "participant",
        b,
    )
    assert (event.field, event.value, event.spec_version) == ("first_notes", "Looks good", SPEC)
    (other,) = store.record_notes(run.id, "presentation", c, {"focusing_question": "How?"})
    assert (other.group, other.role) == ("g2", "presenter")
    assert store.notes(run.id, viewer=ALL) == [event, other]


def test_latest_notes_per_step_and_participant(
    store: Store, make_people: Callable[..., list[Participant]]
) -> None:
    a, b = ids(make_people("A", "B"))
    run = start(store, {"g": {a: "presenter", b: "participant"}})
    store.record_notes(run.id, "one", a, {"x": "first", "y": [1, 2]})
    store.record_notes(run.id, "one", a, {"x": "second"})
    store.record_notes(run.id, "two", a, {"x": "other step"})
    store.record_notes(run.id, "one", b, {"x": "someone else"})
    assert store.latest_notes(run.id, "one", a, viewer=a) == {"x": "second", "y": [1, 2]}
    assert store.latest_notes(run.id, "two", a, viewer=a) == {"x": "other step"}
    assert store.latest_notes(run.id, "one", b, viewer=b) == {"x": "someone else"}
    assert store.latest_notes(run.id, "three", a, viewer=a) == {}


def test_notes_of_a_run_in_order(
    store: Store, make_people: Callable[..., list[Participant]]
) -> None:
    a, b = ids(make_people("A", "B"))
    run = start(store, {"g": {a: "presenter", b: "participant"}})
    other = start(store, {"g": {a: "presenter"}})
    store.record_notes(run.id, "one", a, {"x": 1})
    store.record_notes(other.id, "one", a, {"x": "elsewhere"})
    store.record_notes(run.id, "one", b, {"x": 2, "z": 3})
    store.record_notes(run.id, "two", a, {"x": 4})
    notes = store.notes(run.id, viewer=ALL)
    assert [(n.participant, n.step, n.field, n.value) for n in notes] == [
        (a, "one", "x", 1),
        (b, "one", "x", 2),
        (b, "one", "z", 3),
        (a, "two", "x", 4),
    ]
    assert [n.seq for n in notes] == sorted(n.seq for n in notes)
    assert [n.value for n in store.notes(other.id, viewer=ALL)] == ["elsewhere"]
    assert store.notes("no-such-run", viewer=ALL) == []


def test_record_notes_for_someone_not_in_the_run_raises(
    store: Store, make_people: Callable[..., list[Participant]]
) -> None:
    a, b = ids(make_people("A", "B"))
    run = start(store, {"g": {a: "presenter"}})
    with pytest.raises(StoreError):
        store.record_notes(run.id, "one", b, {"x": "not mine to write"})
    with pytest.raises(StoreError):
        store.record_notes("no-such-run", "one", a, {"x": "nowhere"})
    assert store.notes(run.id, viewer=ALL) == []
    assert store.latest_notes(run.id, "one", b, viewer=b) == {}


def test_notes_that_are_not_json_raise_and_write_nothing(
    store: Store, make_people: Callable[..., list[Participant]]
) -> None:
    (a,) = ids(make_people("A"))
    run = start(store, {"g": {a: "presenter"}})
    with pytest.raises(StoreError, match="bad"):
        store.record_notes(run.id, "one", a, {"good": "text", "bad": {1, 2}})
    assert store.notes(run.id, viewer=ALL) == []


# --------------------------------------------------------------------------- rounds


def test_each_round_has_its_roles_and_a_late_joiner_becomes_a_member(
    store: Store, make_people: Callable[..., list[Participant]]
) -> None:
    a, b, c, d = ids(make_people("A", "B", "C", "D"))
    (group,) = store.set_groups("default", [[a, b, c]])
    first = {group.id: {a: "presenter", b: "facilitator", c: "participant"}}
    run = store.start_run("default", PROTOCOL, SPEC, first, STATE, rounds=3, skipped=["intro"])
    assert (run.rounds, run.skipped, run.state.round) == (3, ("intro",), 0)
    assert store.run_for(d) is None
    second = {group.id: {b: "presenter", c: "facilitator", a: "participant", d: "participant"}}
    moved = store.update_run(
        run.id, replace(STATE, step=6, round=1), expected_version=1, turns=second
    )
    assert moved.roles == second
    assert moved.placement(d) == (group.id, "participant")
    assert moved.group_turns(group.id) == {0: first[group.id], 1: second[group.id]}
    assert store.run_for(d) == moved  # the late joiner is in the run from round 2
    # Roles a round already has are kept: a second tab's turns for it change nothing.
    again = store.update_run(
        run.id, replace(STATE, step=7, round=1), expected_version=2, turns=first
    )
    assert again.roles == second
    assert store.get_run(run.id) == again


def test_who_leaves_is_out_of_their_group_until_placed_again(
    store: Store, make_people: Callable[..., list[Participant]]
) -> None:
    a, b, c = ids(make_people("A", "B", "C"))
    (group,) = store.set_groups("default", [[a, b, c]])
    assert store.leave_group(b) == group
    assert store.group_of(b) is None
    assert store.groups()[0].members == (a, c)
    assert store.leave_group(b) is None
    placed = store.place_in_group(b)  # they came back
    assert placed is not None
    assert placed.members == (a, c, b)


def test_notes_are_kept_per_round(
    store: Store, make_people: Callable[..., list[Participant]]
) -> None:
    a, b = ids(make_people("A", "B"))
    (group,) = store.set_groups("default", [[a, b]])
    run = start(store, {group.id: {a: "presenter", b: "participant"}})
    store.record_notes(run.id, "warm-cool", b, {"warm": "round one"})
    swapped = {group.id: {b: "presenter", a: "participant"}}
    store.update_run(run.id, replace(STATE, round=1), expected_version=1, turns=swapped)
    [note] = store.record_notes(run.id, "warm-cool", b, {"warm_heard": "round two"})
    assert (note.round, note.role) == (1, "presenter")
    assert store.latest_notes(run.id, "warm-cool", b, viewer=b) == {"warm": "round one"}
    assert store.latest_notes(run.id, "warm-cool", b, viewer=b, round=1) == {
        "warm_heard": "round two"
    }
    assert store.note_writers(run.id, round=1) == {(group.id, "warm-cool"): {b}}
    assert store.note_writers(run.id) == {(group.id, "warm-cool"): {b}}
    assert [n.round for n in store.notes(run.id, viewer=ALL)] == [0, 1]


def test_every_change_of_a_run_is_logged(
    store: Store, make_people: Callable[..., list[Participant]]
) -> None:
    a, b = ids(make_people("A", "B"))
    (group,) = store.set_groups("default", [[a, b]])
    run = start(store, {group.id: {a: "presenter", b: "participant"}})
    paused = pacing.pause(STATE, 1100.0)
    store.update_run(run.id, paused, expected_version=1)
    with pytest.raises(ConflictError):
        store.update_run(run.id, STATE, expected_version=1)  # refused: not logged
    events = store.run_events(run.id)
    assert [(e.status, e.step, e.used) for e in events] == [
        (pacing.RUNNING, 0, 0.0),
        (pacing.PAUSED, 0, 100.0),
    ]
    assert store.run_events("no-such-run") == []


# --------------------------------------------------------------------------- files and upgrades


def test_groups_runs_and_notes_survive_reopening(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    with SQLiteStore(path) as first:
        a = first.create_participant("A")[0].id
        b = first.create_participant("B")[0].id
        groups = first.set_groups("default", [[a, b]])
        run = start(first, {groups[0].id: {a: "presenter", b: "participant"}})
        run = first.update_run(run.id, pacing.pause(STATE, 1010.0), expected_version=1)
        notes = first.record_notes(run.id, "intro", a, {"n": "kept"})
    with SQLiteStore(path) as second:
        assert second.groups() == groups
        assert second.get_run(run.id) == run
        assert second.run_for(b) == run
        assert second.notes(run.id, viewer=ALL) == notes


def _schema_version(path: Path) -> str:
    with closing(sqlite3.connect(path)) as db:
        (value,) = db.execute(
            "SELECT value FROM pdkit_meta WHERE key = 'schema_version'"
        ).fetchone()
    return str(value)


def _tables(path: Path) -> set[str]:
    with closing(sqlite3.connect(path)) as db:
        return {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def test_a_version_6_store_gains_rounds_on_open(tmp_path: Path) -> None:
    path = tmp_path / "v6.sqlite3"
    with SQLiteStore(path) as made:
        a = made.create_participant("A")[0].id
        b = made.create_participant("B")[0].id
        (group,) = made.set_groups("default", [[a, b]])
        run = start(made, {group.id: {a: "presenter", b: "participant"}})
        made.record_notes(run.id, "intro", b, {"n": "before rounds"})
    with closing(sqlite3.connect(path)) as db:  # back to what schema 6 had
        db.execute("DROP TABLE run_turns")
        db.execute("DROP TABLE run_events")
        for table, column in (
            ("runs", "rounds"),
            ("runs", "round"),
            ("runs", "skipped"),
            ("notes", "round"),
            ("feedback", "answered_at"),
        ):
            db.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
        db.execute("UPDATE pdkit_meta SET value = '6' WHERE key = 'schema_version'")
        db.commit()
    with SQLiteStore(path) as store:
        assert _schema_version(path) == str(SCHEMA_VERSION)
        old = store.get_run(run.id)
        assert old is not None
        assert (old.rounds, old.state.round, old.roles) == (1, 0, run.roles)
        assert store.latest_notes(run.id, "intro", b, viewer=b) == {"n": "before rounds"}
        swapped = {group.id: {b: "presenter", a: "participant"}}
        moved = store.update_run(run.id, replace(STATE, round=1), expected_version=1, turns=swapped)
        assert moved.roles == swapped
        assert [e.round for e in store.run_events(run.id)] == [1]


def test_a_version_1_store_is_upgraded_on_open(tmp_path: Path) -> None:
    path = tmp_path / "v1.sqlite3"
    with SQLiteStore(path) as made:
        ana, token = made.create_participant("Ana")
        made.record(ana.id, "goal-setting", {"goal": "Read more"}, spec_version="goal-setting@1")
    with closing(sqlite3.connect(path)) as db:  # back to what pdkit 0.1 wrote
        for table in (*reversed(V3_TABLES), "notes", "run_members", "runs", "group_members"):
            db.execute(f"DROP TABLE {table}")
        db.execute("DROP TABLE groups")
        db.execute("UPDATE pdkit_meta SET value = '1' WHERE key = 'schema_version'")
        db.commit()
    assert _schema_version(path) == "1"
    assert not set(V2_TABLES + V3_TABLES) & _tables(path)

    store = open_store(path)
    try:
        assert _schema_version(path) == str(SCHEMA_VERSION)  # the current one
        assert set(V2_TABLES + V3_TABLES) <= _tables(path)
        assert store.participant_for_token(token) == ana  # v1 data kept
        assert store.latest(ana.id, "goal-setting", viewer=ana.id) == {"goal": "Read more"}
        ben = store.create_participant("Ben")[0]
        (group,) = store.set_groups("default", [[ana.id, ben.id]])
        assert store.group_of(ben.id) == group
        run = start(store, {group.id: {ana.id: "presenter", ben.id: "participant"}})
        store.record_notes(run.id, "intro", ben.id, {"n": "works"})
        assert store.latest_notes(run.id, "intro", ben.id, viewer=ben.id) == {"n": "works"}
        assert store.update_run(run.id, STATE, expected_version=1).version == 2
        store.set_visibility(ana.id, "goal-setting", "group")
        assert store.latest(ana.id, "goal-setting", viewer=ben.id) == {"goal": "Read more"}
    finally:
        store.close()
    assert _schema_version(path) == str(SCHEMA_VERSION)
