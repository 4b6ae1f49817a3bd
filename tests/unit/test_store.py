"""The store contract, run against every backend in ``_stores.BACKENDS``.

A new backend joins the contract by adding one entry to ``BACKENDS`` (tests/_stores.py):
a function that opens an empty store of that kind, given the test's ``request`` (to
reach ``tmp_path`` or a server fixture). Tests that need a file (persistence, raw bytes,
several processes) use the SQLite file store directly, so they are SQLite-only by
construction; their PostgreSQL counterparts are in test_store_postgres.py.
"""

from __future__ import annotations

import json
import multiprocessing
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

import pdkit.store
import pdkit.store._urls
from _stores import BACKENDS, FORM, JSON_VALUES, VERSION, Opener
from pdkit import StoreError
from pdkit.errors import MissingDependencyError
from pdkit.store import (
    STORE_ENV,
    SQLiteStore,
    Store,
    default_store_path,
    open_store,
    resolve_store_url,
    token_hash,
)
from pdkit.testing import FakeClock


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest) -> Iterator[Store]:
    opener: Opener = request.param
    opened = opener(request)
    yield opened
    opened.close()


def _raw_rows(path: Path) -> list[str]:
    """Every row of every table of the SQLite file, as text."""
    with closing(sqlite3.connect(path)) as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        assert {"participants", "responses", "pdkit_meta"} <= set(tables)
        rows: list[str] = []
        for table in tables:
            rows += [repr(row) for row in db.execute(f'SELECT * FROM "{table}"')]
        return rows


# --------------------------------------------------------------------------- participants


def test_store_satisfies_the_protocol(store: Store) -> None:
    assert isinstance(store, Store)
    assert "password" not in store.url


def test_create_participant_returns_participant_and_token(store: Store) -> None:
    participant, token = store.create_participant("Ana Ruiz", session="spring")
    assert participant.display_name == "Ana Ruiz"
    assert participant.session == "spring"
    assert participant.role == "teacher"
    assert participant.external_id is None
    assert isinstance(token, str)
    assert len(token) >= 20
    assert participant.id not in token

    found = store.participant_for_token(token)
    assert found == participant
    assert store.get_participant(participant.id) == participant


def test_wrong_token_finds_nobody(store: Store) -> None:
    _, token = store.create_participant("Ana")
    assert store.participant_for_token(token + "x") is None
    assert store.participant_for_token(token[:-1]) is None
    assert store.participant_for_token("") is None
    assert store.participant_for_token(token_hash(token)) is None  # the hash is no token
    assert store.get_participant("no-such-id") is None


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("  Ana\t\n Ruiz  ", "Ana Ruiz"),
        ("Ana\x00Ruiz", "Ana Ruiz"),  # a NUL cannot be stored in PostgreSQL
        ("\x1b[31mAna\x1b[0m", "[31mAna [0m"),  # no escape sequence reaches a terminal
        ("Ana\u0085Ruiz\ud800", "Ana Ruiz"),  # C1 controls, a lone surrogate
        ("Cafe\u0301", "Caf\u00e9"),  # one Unicode form
    ],
)
def test_names_and_titles_are_kept_as_one_tidy_line_on_every_backend(
    store: Store, given: str, kept: str
) -> None:
    person, _token = store.create_participant(given)
    assert person.display_name == kept
    assert store.get_participant(person.id).display_name == kept  # type: ignore[union-attr]
    session, _key = store.create_session(given)
    assert session.title == kept
    assert store.get_session(session.id).title == kept  # type: ignore[union-attr]


@pytest.mark.parametrize("given", ["", " \t\x00 ", "x" * 201, "x" * 10_000_000])
def test_an_empty_or_overlong_name_is_refused_with_a_clear_error(store: Store, given: str) -> None:
    with pytest.raises(StoreError, match="a name"):
        store.create_participant(given)
    if len(given) > 200:
        with pytest.raises(StoreError, match="title") as refused:
            store.create_session(given)
        # One sentence that reads as one: what is too long, how long, the limit.
        assert str(refused.value).startswith("a session's title is ")
        assert str(refused.value).endswith("characters long; at most 200 please")
    else:
        with pytest.raises(StoreError) as refused:
            store.create_session(given)
        assert str(refused.value) == "give the session a title (what participants will see)"


def test_same_display_name_gives_two_participants(store: Store) -> None:
    first, first_token = store.create_participant("Sam")
    second, second_token = store.create_participant("Sam")
    assert first.id != second.id
    assert first_token != second_token
    assert store.participant_for_token(first_token) == first
    assert store.participant_for_token(second_token) == second


def test_external_id_lookup(store: Store) -> None:
    alice, _ = store.create_participant("alice", external_id="jupyterhub:alice")
    store.create_participant("bob", external_id="jupyterhub:bob")
    assert store.participant_for_external_id("jupyterhub:alice") == alice
    assert alice.external_id == "jupyterhub:alice"
    assert store.participant_for_external_id("jupyterhub:carol") is None


def test_second_participant_with_same_external_id_raises(store: Store) -> None:
    alice, _ = store.create_participant("alice", external_id="jupyterhub:alice")
    with pytest.raises(StoreError, match="jupyterhub:alice"):
        store.create_participant("Alice again", external_id="jupyterhub:alice")
    assert store.participant_for_external_id("jupyterhub:alice") == alice
    # the store is still usable after the failed write
    other, _ = store.create_participant("Bea", external_id="jupyterhub:bea")
    assert store.get_participant(other.id) == other


def test_token_is_not_stored_in_clear(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    store = open_store(path)
    created = [store.create_participant(name) for name in ("Ana", "Ben", "Ana")]
    tokens = [token for _, token in created]
    store.record(created[0][0].id, FORM, {"goal": "x"}, spec_version=VERSION)
    rows = "\n".join(_raw_rows(path))
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("s.sqlite3"))
    for token in tokens:
        assert token_hash(token) in rows  # we read the right data …
        assert token not in rows  # … and the token is not in it
        assert token.encode() not in raw
    store.close()


def test_token_is_not_stored_in_clear_in_memory() -> None:
    store = open_store("memory://")
    assert isinstance(store, SQLiteStore)
    _, token = store.create_participant("Ana")
    dump = "\n".join(store._sqlite.connection.iterdump())
    assert token_hash(token) in dump
    assert token not in dump
    store.close()


# --------------------------------------------------------------------------- answers


def test_latest_is_newest_value_per_field(store: Store) -> None:
    p, _ = store.create_participant("Ana")
    assert store.latest(p.id, FORM, viewer=p.id) == {}
    store.record(p.id, FORM, {"goal": "first", "focus": "talk"}, spec_version=VERSION)
    store.record(p.id, FORM, {"goal": "second"}, spec_version=VERSION)
    store.record(p.id, FORM, {"goal": "third", "confidence": 3}, spec_version=VERSION)
    assert store.latest(p.id, FORM, viewer=p.id) == {
        "goal": "third",
        "focus": "talk",
        "confidence": 3,
    }


def test_record_returns_the_events(store: Store) -> None:
    p, _ = store.create_participant("Ana")
    events = store.record(p.id, FORM, {"goal": "g", "focus": "f"}, spec_version=VERSION)
    assert [(e.field, e.value) for e in events] == [("goal", "g"), ("focus", "f")]
    assert all(e.participant == p.id and e.form == FORM for e in events)
    assert all(e.spec_version == VERSION and e.session == p.session for e in events)
    assert events[0].seq < events[1].seq
    assert store.history(p.id, FORM, viewer=p.id) == events


def test_history_keeps_every_event_oldest_first(tmp_path: Path) -> None:
    clock = FakeClock()
    store = SQLiteStore(tmp_path / "s.sqlite3", clock=clock)
    p, _ = store.create_participant("Ana")
    assert p.created_at == 1000.0
    store.record(p.id, FORM, {"goal": "a"}, spec_version="goal-setting@1")
    store.record(p.id, FORM, {"goal": "b", "focus": "f"}, spec_version="goal-setting@1")
    store.record(p.id, FORM, {"goal": "c"}, spec_version="goal-setting@2")

    history = store.history(p.id, FORM, viewer=p.id)
    assert [(e.field, e.value, e.at, e.spec_version) for e in history] == [
        ("goal", "a", 1001.0, "goal-setting@1"),
        ("goal", "b", 1002.0, "goal-setting@1"),
        ("focus", "f", 1002.0, "goal-setting@1"),  # one call, one time
        ("goal", "c", 1003.0, "goal-setting@2"),
    ]
    seqs = [e.seq for e in history]
    assert seqs == sorted(seqs)
    assert len(set(seqs)) == len(seqs)
    assert [e.value for e in store.history(p.id, FORM, "goal", viewer=p.id)] == ["a", "b", "c"]
    assert [e.value for e in store.history(p.id, FORM, "focus", viewer=p.id)] == ["f"]
    assert store.history(p.id, FORM, "nothing", viewer=p.id) == []
    store.close()


def test_json_values_round_trip(store: Store) -> None:
    p, _ = store.create_participant("Ana")
    store.record(p.id, FORM, JSON_VALUES, spec_version=VERSION)
    latest = store.latest(p.id, FORM, viewer=p.id)
    assert latest == JSON_VALUES
    assert json.dumps(latest, sort_keys=True) == json.dumps(JSON_VALUES, sort_keys=True)
    assert {e.field: e.value for e in store.history(p.id, FORM, viewer=p.id)} == JSON_VALUES
    assert type(latest["int"]) is int
    assert type(latest["float"]) is float
    assert type(latest["bool"]) is bool


@pytest.mark.parametrize(
    "bad",
    [{1, 2}, object(), b"bytes", float("nan"), float("inf"), {"nested": {3j}}],
    ids=["set", "object", "bytes", "nan", "inf", "nested-complex"],
)
def test_non_json_value_raises_and_writes_nothing(store: Store, bad: object) -> None:
    p, _ = store.create_participant("Ana")
    store.record(p.id, FORM, {"goal": "kept"}, spec_version=VERSION)
    before = store.history(p.id, FORM, viewer=p.id)

    with pytest.raises(StoreError, match="bad"):
        store.record(p.id, FORM, {"goal": "new", "focus": "f", "bad": bad}, spec_version=VERSION)
    with pytest.raises(StoreError):
        store.record(p.id, FORM, {"bad": bad, "goal": "new"}, spec_version=VERSION)

    assert store.history(p.id, FORM, viewer=p.id) == before
    assert store.latest(p.id, FORM, viewer=p.id) == {"goal": "kept"}
    # and the store still takes good answers afterwards
    store.record(p.id, FORM, {"goal": "later"}, spec_version=VERSION)
    assert store.latest(p.id, FORM, viewer=p.id) == {"goal": "later"}


def test_failure_inside_the_transaction_writes_nothing(tmp_path: Path) -> None:
    """A write that fails half-way (here a trigger stands in for a full disk) is rolled back
    whole and reported as StoreError, never as a raw sqlite3 error."""
    path = tmp_path / "s.sqlite3"
    store = open_store(path)
    p, _ = store.create_participant("Ana")
    store.record(p.id, FORM, {"goal": "kept"}, spec_version=VERSION)
    with closing(sqlite3.connect(path)) as db:
        db.execute(
            "CREATE TRIGGER boom BEFORE INSERT ON responses WHEN NEW.field = 'boom' "
            "BEGIN SELECT RAISE(ABORT, 'disk on fire'); END"
        )
        db.commit()
    with pytest.raises(StoreError, match="disk on fire"):
        store.record(p.id, FORM, {"goal": "lost", "boom": 1}, spec_version=VERSION)
    assert [e.value for e in store.history(p.id, FORM, viewer=p.id)] == ["kept"]
    store.record(p.id, FORM, {"goal": "next"}, spec_version=VERSION)
    assert store.latest(p.id, FORM, viewer=p.id) == {"goal": "next"}
    store.close()


def test_record_for_unknown_participant_raises(store: Store) -> None:
    with pytest.raises(StoreError, match="no-such-id"):
        store.record("no-such-id", FORM, {"goal": "x"}, spec_version=VERSION)
    assert store.history("no-such-id", FORM, viewer="no-such-id") == []
    assert store.latest("no-such-id", FORM, viewer="no-such-id") == {}


def test_participants_never_see_each_others_answers(store: Store) -> None:
    ana, _ = store.create_participant("Sam")
    ben, _ = store.create_participant("Sam")  # same name on purpose
    store.record(ana.id, FORM, {"goal": "ana's goal", "focus": "ana"}, spec_version=VERSION)
    store.record(ben.id, FORM, {"goal": "ben's goal"}, spec_version=VERSION)
    store.record(ana.id, FORM, {"goal": "ana's second goal"}, spec_version=VERSION)

    assert store.latest(ana.id, FORM, viewer=ana.id) == {
        "goal": "ana's second goal",
        "focus": "ana",
    }
    assert store.latest(ben.id, FORM, viewer=ben.id) == {"goal": "ben's goal"}
    assert {e.participant for e in store.history(ana.id, FORM, viewer=ana.id)} == {ana.id}
    assert [e.value for e in store.history(ben.id, FORM, viewer=ben.id)] == ["ben's goal"]
    assert [e.value for e in store.history(ana.id, FORM, "goal", viewer=ana.id)] == [
        "ana's goal",
        "ana's second goal",
    ]


def test_forms_are_separate(store: Store) -> None:
    p, _ = store.create_participant("Ana")
    store.record(p.id, "goal-setting", {"goal": "a goal"}, spec_version="goal-setting@1")
    store.record(p.id, "reflection", {"goal": "a reflection"}, spec_version="reflection@1")
    assert store.latest(p.id, "goal-setting", viewer=p.id) == {"goal": "a goal"}
    assert store.latest(p.id, "reflection", viewer=p.id) == {"goal": "a reflection"}
    assert [e.form for e in store.history(p.id, "reflection", viewer=p.id)] == ["reflection"]
    assert store.latest(p.id, "other", viewer=p.id) == {}


# --------------------------------------------------------------------------- persistence


def test_file_store_keeps_everything_after_reopening(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    store = open_store(path)
    ana, ana_token = store.create_participant("Ana", session="spring")
    hub, _ = store.create_participant("alice", external_id="jupyterhub:alice")
    store.record(ana.id, FORM, {"goal": "one", "steps": ["a", "b"]}, spec_version=VERSION)
    store.record(ana.id, FORM, {"goal": "two"}, spec_version=VERSION)
    history = store.history(ana.id, FORM, viewer=ana.id)
    store.close()

    again = open_store(f"sqlite:///{path}")
    assert again.participant_for_token(ana_token) == ana
    assert again.participant_for_external_id("jupyterhub:alice") == hub
    assert again.get_participant(ana.id) == ana
    assert again.latest(ana.id, FORM, viewer=ana.id) == {"goal": "two", "steps": ["a", "b"]}
    assert again.history(ana.id, FORM, viewer=ana.id) == history
    new = again.record(ana.id, FORM, {"goal": "three"}, spec_version=VERSION)
    assert new[0].seq > history[-1].seq
    again.close()


def test_resolve_plain_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    absolute = tmp_path / "a.sqlite3"
    assert resolve_store_url(absolute) == f"sqlite:///{absolute.resolve()}"
    assert resolve_store_url(str(absolute)) == f"sqlite:///{absolute.resolve()}"
    monkeypatch.chdir(tmp_path)
    assert resolve_store_url("rel.sqlite3") == f"sqlite:///{(tmp_path / 'rel.sqlite3').resolve()}"
    monkeypatch.setenv("HOME", str(tmp_path))
    assert resolve_store_url("~/h.sqlite3") == f"sqlite:///{(tmp_path / 'h.sqlite3').resolve()}"


def test_resolve_sqlite_urls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    here = tmp_path.resolve()
    assert resolve_store_url("sqlite:///rel.sqlite3") == f"sqlite:///{here / 'rel.sqlite3'}"
    assert resolve_store_url("sqlite:///sub/rel.sqlite3") == f"sqlite:///{here / 'sub/rel.sqlite3'}"
    absolute = here / "abs.sqlite3"
    assert str(absolute).startswith("/")
    assert resolve_store_url(f"sqlite:///{absolute}") == f"sqlite:///{absolute}"  # 4 slashes
    assert resolve_store_url(f"sqlite:///{absolute}").startswith("sqlite:////")
    # resolving is idempotent: a resolved URL handed to another process means the same file
    url = resolve_store_url("sqlite:///rel.sqlite3")
    assert resolve_store_url(url) == url

    store = open_store("sqlite:///rel.sqlite3")
    assert (tmp_path / "rel.sqlite3").is_file()
    store.close()


def test_sqlite_url_with_two_slashes_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``sqlite://rel.sqlite3`` used to open ``el.sqlite3``: the first letter was dropped."""
    monkeypatch.chdir(tmp_path)
    with pytest.raises(StoreError, match="sqlite:///"):
        resolve_store_url("sqlite://rel.sqlite3")
    assert list(tmp_path.iterdir()) == []


def test_resolve_memory() -> None:
    assert resolve_store_url("memory://") == "memory://"
    assert resolve_store_url("sqlite://") == "memory://"
    assert resolve_store_url("sqlite:///:memory:") == "memory://"
    assert resolve_store_url(":memory:") == "memory://"  # SQLite's name: never a file


def test_memory_by_sqlites_name_makes_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    store = open_store(":memory:")
    assert store.url == "memory://"
    store.close()
    assert list(tmp_path.iterdir()) == []


def test_a_memory_store_works() -> None:
    store = open_store("memory://")
    assert store.url == "memory://"
    p, _ = store.create_participant("Ana")
    assert store.get_participant(p.id) == p
    store.close()


def test_memory_stores_are_independent() -> None:
    one, two = open_store("memory://"), open_store("memory://")
    p, token = one.create_participant("Ana")
    assert two.participant_for_token(token) is None
    assert two.get_participant(p.id) is None
    one.close()
    two.close()


def test_resolve_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "env" / "store.sqlite3"
    monkeypatch.setenv(STORE_ENV, str(target))
    assert resolve_store_url() == f"sqlite:///{target.resolve()}"
    assert resolve_store_url(None) == f"sqlite:///{target.resolve()}"
    assert resolve_store_url("") == f"sqlite:///{target.resolve()}"
    # an explicit argument wins over the environment
    assert resolve_store_url("memory://") == "memory://"

    store = open_store()
    p, _ = store.create_participant("Ana")
    store.close()
    assert target.is_file()
    monkeypatch.setenv(STORE_ENV, "memory://")
    assert resolve_store_url() == "memory://"
    again = open_store(target)
    assert again.get_participant(p.id) == p
    again.close()


def test_resolve_falls_back_to_default_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(STORE_ENV, raising=False)
    fallback = tmp_path / "data" / "pdkit.sqlite3"
    monkeypatch.setattr(pdkit.store._urls, "default_store_path", lambda: fallback)
    assert resolve_store_url(None) == f"sqlite:///{fallback.resolve()}"
    monkeypatch.setenv(STORE_ENV, "")  # set but empty: still the default
    assert resolve_store_url(None) == f"sqlite:///{fallback.resolve()}"
    store = open_store()
    store.close()
    assert fallback.is_file()


def test_default_store_path_follows_xdg_data_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(STORE_ENV, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    expected = tmp_path / "xdg" / "pdkit" / "pdkit.sqlite3"
    assert default_store_path() == expected
    assert resolve_store_url() == f"sqlite:///{expected.resolve()}"


@pytest.mark.parametrize("url", ["mysql://u@h/db", "foo://", "foo://bar", "postgresq://x"])
def test_unknown_scheme_lists_known_ones(url: str) -> None:
    scheme = url.partition("://")[0]
    with pytest.raises(StoreError) as caught:
        open_store(url)
    message = str(caught.value)
    assert f"no store backend for {scheme}://" in message
    for known in ("memory://", "sqlite://", "postgresql://", "postgres://"):
        assert known in message


def test_unknown_scheme_error_leaves_the_password_out() -> None:
    with pytest.raises(StoreError) as caught:
        open_store("mysql://ana:s3cret-pw@db.example/answers")
    assert "s3cret" not in str(caught.value)
    assert "mysql://ana@db.example/answers" in str(caught.value)


@pytest.mark.parametrize("scheme", ["postgresql", "postgres"])
def test_postgres_without_psycopg_says_how_to_install_it(
    scheme: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)  # `import psycopg` now fails
    with pytest.raises(StoreError, match=r"pip install 'psycopg\[binary\]'") as caught:
        open_store(f"{scheme}://ana:s3cret-pw@db.example/answers")
    assert "s3cret" not in str(caught.value)


def test_a_missing_driver_is_a_missing_dependency_that_names_the_extra(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)
    with pytest.raises(MissingDependencyError) as caught:
        open_store("postgresql://ana@db.example/answers")
    assert (caught.value.package, caught.value.extra) == ("psycopg[binary]", "postgres")
    assert "pip install 'jupyter-pdkit[postgres]'" in str(caught.value)


def test_a_store_backend_from_another_distribution_is_found_by_its_entry_point(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A distribution that declares ``pdkit.stores`` entry points adds URL schemes."""
    (tmp_path / "pdkit_plug.py").write_text(
        "from pdkit.store import SQLiteStore\n"
        "OPENED = []\n"
        "def open_plug(url):\n"
        "    OPENED.append(url)\n"
        "    return SQLiteStore(':memory:')\n"
    )
    info = tmp_path / "pdkit_plug-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: pdkit-plug\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[pdkit.stores]\nplug = pdkit_plug:open_plug\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(pdkit.store, "_BACKENDS", dict(pdkit.store._BACKENDS))
    with pytest.raises(StoreError, match=r"known: .*plug://"):
        open_store("nothere://x")  # the plug-in's scheme is listed among the known ones
    store = open_store("plug://the-room")
    import pdkit_plug  # type: ignore[import-not-found]

    assert pdkit_plug.OPENED == ["plug://the-room"]
    person, _ = store.create_participant("Ana")
    assert store.get_participant(person.id) == person
    store.close()


def test_sqlite_participants_never_load_a_database_driver() -> None:
    """The PostgreSQL backend and psycopg are imported only for postgresql:// URLs."""
    script = (
        "import sys\n"
        "from pdkit.store import open_store\n"
        "s = open_store('memory://'); s.create_participant('Ana'); s.close()\n"
        "print(','.join(m for m in ('psycopg', 'pdkit.store._postgres') if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == ""


def test_file_that_is_not_sqlite_raises(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite3"
    garbage = bytes(range(256)) * 16
    path.write_bytes(garbage)
    with pytest.raises(StoreError, match="not a database"):
        open_store(path)
    with pytest.raises(StoreError):
        SQLiteStore(path)
    assert path.read_bytes() == garbage  # left alone


def test_newer_schema_version_asks_for_upgrade(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    open_store(path).close()
    with closing(sqlite3.connect(path)) as db:
        (found,) = db.execute(
            "SELECT value FROM pdkit_meta WHERE key = 'schema_version'"
        ).fetchone()
        assert int(found) >= 1
        db.execute(
            "UPDATE pdkit_meta SET value = ? WHERE key = 'schema_version'", (int(found) + 1,)
        )
        db.commit()
    with pytest.raises(StoreError, match="upgrade"):
        open_store(path)


def test_folder_of_store_is_created(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "s.sqlite3"
    store = open_store(path)
    store.close()
    assert path.is_file()


def test_folder_that_cannot_be_created_raises(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreError, match="folder"):
        open_store(blocker / "s.sqlite3")


# --------------------------------------------------------------------------- concurrency

WRITERS = 4
EVENTS_EACH = 150


def _write_many(path: str, index: int, barrier: Any) -> None:
    """One participant's kernel: join, then save EVENTS_EACH answers as fast as it can."""
    store = SQLiteStore(path)
    store.create_participant(f"writer {index}", external_id=f"writer-{index}")
    participant = store.participant_for_external_id(f"writer-{index}")
    assert participant is not None
    barrier.wait(timeout=60)
    for n in range(EVENTS_EACH):
        store.record(participant.id, FORM, {"n": n}, spec_version=VERSION)
    store.close()


@pytest.mark.slow
def test_concurrent_processes_lose_no_event(tmp_path: Path) -> None:
    path = tmp_path / "shared.sqlite3"
    open_store(path).close()  # created once, as `pdkit serve` does
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(WRITERS)
    workers = [
        ctx.Process(target=_write_many, args=(str(path), i, barrier)) for i in range(WRITERS)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert [w.exitcode for w in workers] == [0] * WRITERS

    store = open_store(path)
    total = 0
    for index in range(WRITERS):
        participant = store.participant_for_external_id(f"writer-{index}")
        assert participant is not None
        history = store.history(participant.id, FORM, viewer=participant.id)
        assert [e.value for e in history] == list(range(EVENTS_EACH))
        assert all(e.participant == participant.id for e in history)
        assert store.latest(participant.id, FORM, viewer=participant.id) == {"n": EVENTS_EACH - 1}
        total += len(history)
    store.close()
    assert total == WRITERS * EVENTS_EACH
    with closing(sqlite3.connect(path)) as db:
        (rows,) = db.execute("SELECT COUNT(*) FROM responses").fetchone()
        (people,) = db.execute("SELECT COUNT(*) FROM participants").fetchone()
    assert rows == WRITERS * EVENTS_EACH
    assert people == WRITERS


def test_a_sqlite_file_with_other_tables_of_pdkits_names_is_refused(tmp_path: Path) -> None:
    """A database that is no pdkit store is never written to, whatever its tables are
    called (as on PostgreSQL)."""
    path = tmp_path / "other.sqlite3"
    with closing(sqlite3.connect(path)) as db:
        db.execute("CREATE TABLE participants (name TEXT)")
        db.commit()
    with pytest.raises(StoreError, match="already has tables named participants") as caught:
        SQLiteStore(path)
    assert "not a pdkit store" in str(caught.value)
    with closing(sqlite3.connect(path)) as db:
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert tables == {"participants"}  # nothing was added to it


def test_opening_a_current_store_needs_no_write_lock(tmp_path: Path) -> None:
    """A room of kernels opens the store at once: when the tables exist, opening only
    reads, so it does not wait for a writer (here one holding the lock throughout)."""
    path = tmp_path / "busy.sqlite3"
    SQLiteStore(path).close()  # made once
    with closing(sqlite3.connect(path, isolation_level=None)) as writer:
        writer.execute("BEGIN IMMEDIATE")  # someone is writing and holds the lock
        opened = SQLiteStore(path, busy_timeout=0.2)
        try:
            assert opened.participants() == []
        finally:
            opened.close()
        writer.execute("ROLLBACK")
    fresh = tmp_path / "new.sqlite3"
    with closing(sqlite3.connect(fresh, isolation_level=None)) as writer:
        writer.execute("CREATE TABLE other (x)")
        writer.execute("BEGIN IMMEDIATE")
        with pytest.raises(StoreError, match="cannot"):
            SQLiteStore(fresh, busy_timeout=0.2)  # a new store must write its tables
        writer.execute("ROLLBACK")
