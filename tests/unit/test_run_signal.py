"""The runs' change signal (pdkit.store._signal) on every backend: a page's store sees
"the runs of my session changed" after another kernel's store starts or moves a run, not
for another session's runs, not for a change that did not happen, and without a query.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from _stores import BACKENDS
from pdkit import pacing
from pdkit.errors import ConflictError, StoreError
from pdkit.pacing import RunState
from pdkit.store import RunSignal, SQLiteStore, Store, open_store
from pdkit.store._signal import signal_file

STATE = RunState(step=0, status=pacing.RUNNING, started_at=1000.0, allotted=300.0)


@pytest.fixture(params=BACKENDS)
def two(request: pytest.FixtureRequest) -> Iterator[tuple[Store, Store]]:
    """The facilitator's store and a participant's page's store: two stores on the same
    data (two kernels), or one store twice in memory (one process)."""
    writer = request.param(request)
    url = writer.url
    if url.startswith("memory:"):
        yield writer, writer
        writer.close()
        return
    reader = open_store(url if not url.startswith("sqlite:///") else url.removeprefix("sqlite:///"))
    if url.startswith("postgres"):
        reader.close()  # the writer's URL has the password left out: use the fixture's
        reader = open_store(request.getfixturevalue("postgres_url"))
    yield writer, reader
    reader.close()
    writer.close()


def people(store: Store, session: str, *names: str) -> list[str]:
    return [store.create_participant(n, session=session)[0].id for n in names]


def eventually(signal: RunSignal, within: float = 5.0) -> bool:
    """Whether the signal fires within ``within`` s (a NOTIFY travels through the server)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if signal.changed():
            return True
        time.sleep(0.01)
    return False


def quiet(signal: RunSignal, during: float = 0.3) -> bool:
    """Whether the signal stays silent for ``during`` s."""
    deadline = time.monotonic() + during
    while time.monotonic() < deadline:
        if signal.changed():
            return False
        time.sleep(0.01)
    return True


def test_start_and_update_signal_the_session_and_only_it(two: tuple[Store, Store]) -> None:
    writer, reader = two
    a, b = people(writer, "s1", "Ana", "Ben")
    c, d = people(writer, "s2", "Cy", "Dee")
    mine = reader.run_signal("s1")
    theirs = reader.run_signal("s2")
    assert quiet(mine)  # joining is no change to runs
    assert quiet(theirs)

    run = writer.start_run("s1", "tuning", "tuning@1", {"g": {a: "presenter", b: "p"}}, STATE)
    assert eventually(mine)
    assert quiet(theirs)  # another session's run does not wake these pages
    assert quiet(mine)  # one change, one signal

    moved = writer.update_run(run.id, replace(STATE, step=1), expected_version=run.version)
    assert eventually(mine)
    assert quiet(theirs)
    # What the signal announced is there to read.
    assert reader.get_run(run.id) == moved

    other = writer.start_run("s2", "tuning", "tuning@1", {"g": {c: "presenter", d: "p"}}, STATE)
    assert eventually(theirs)
    assert quiet(mine)
    assert other.session == "s2"


def test_no_signal_for_a_change_that_did_not_happen(two: tuple[Store, Store]) -> None:
    writer, reader = two
    a, b = people(writer, "s1", "Ana", "Ben")
    run = writer.start_run("s1", "tuning", "tuning@1", {"g": {a: "presenter", b: "p"}}, STATE)
    signal = reader.run_signal("s1")
    with pytest.raises(ConflictError):
        writer.update_run(run.id, replace(STATE, step=3), expected_version=run.version + 5)
    with pytest.raises(StoreError):  # a person in two groups: the whole start rolls back
        writer.start_run("s1", "tuning", "tuning@1", {"g": {a: "x"}, "h": {a: "y"}}, STATE)
    assert quiet(signal)


def test_several_pages_each_see_every_change(two: tuple[Store, Store]) -> None:
    writer, reader = two
    a, b = people(writer, "s1", "Ana", "Ben")
    run = writer.start_run("s1", "tuning", "tuning@1", {"g": {a: "presenter", b: "p"}}, STATE)
    pages = [reader.run_signal("s1") for _ in range(3)]
    for step in range(1, 4):
        run = writer.update_run(run.id, replace(STATE, step=step), expected_version=run.version)
        assert all(eventually(p) for p in pages)
        assert all(quiet(p, 0.05) for p in pages)


def test_a_check_reads_nothing_from_a_sqlite_store(tmp_path: Path) -> None:
    """The page's check is an os.stat: its store's connection runs no statement."""
    writer = SQLiteStore(tmp_path / "s.sqlite3")
    reader = SQLiteStore(tmp_path / "s.sqlite3")
    statements: list[str] = []
    reader._sqlite.connection.set_trace_callback(statements.append)
    a, b = people(writer, "s1", "Ana", "Ben")
    signal = reader.run_signal("s1")
    for _ in range(1000):
        assert not signal.changed()
    writer.start_run("s1", "tuning", "tuning@1", {"g": {a: "presenter", b: "p"}}, STATE)
    assert signal.changed()
    assert statements == []
    # The signal is a small file beside the database, one per session.
    path = signal_file(str(tmp_path / "s.sqlite3"), "s1")
    assert path.parent == tmp_path / "s.sqlite3.runs-signal"
    assert path.stat().st_size == 1
    reader.close()
    writer.close()


def test_the_signal_file_starts_again_when_it_grew(tmp_path: Path) -> None:
    """At 4 KiB the file is replaced by an empty one: still a change a page sees."""
    store = SQLiteStore(tmp_path / "s.sqlite3")
    a, b = people(store, "s1", "Ana", "Ben")
    run = store.start_run("s1", "tuning", "tuning@1", {"g": {a: "presenter", b: "p"}}, STATE)
    path = signal_file(str(tmp_path / "s.sqlite3"), "s1")
    path.write_bytes(b"." * 4094)
    signal = store.run_signal("s1")
    for step in (1, 2):
        run = store.update_run(run.id, replace(STATE, step=step), expected_version=run.version)
        assert signal.changed()
    assert path.stat().st_size == 0
    store.close()


def test_a_folder_that_cannot_take_the_signal_does_not_fail_the_change(tmp_path: Path) -> None:
    """The change is committed either way; pages then see it at their slow poll."""
    store = SQLiteStore(tmp_path / "s.sqlite3")
    (tmp_path / "s.sqlite3.runs-signal").write_text("a file where the folder should be")
    a, b = people(store, "s1", "Ana", "Ben")
    run = store.start_run("s1", "tuning", "tuning@1", {"g": {a: "presenter", b: "p"}}, STATE)
    assert store.get_run(run.id) == run
    assert not store.run_signal("s1").changed()
    store.close()


@pytest.mark.postgres
def test_a_postgres_check_sends_nothing_to_the_server(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page LISTENs once; a check only reads what already arrived on its socket."""
    import psycopg

    writer = open_store(postgres_url)
    reader = open_store(postgres_url)
    a, b = people(writer, "s1", "Ana", "Ben")
    signal = reader.run_signal("s1")
    sent: list[Any] = []
    for name in ("execute", "cursor"):
        real: Callable[..., Any] = getattr(psycopg.Connection, name)

        def counted(self: Any, *args: Any, _real: Callable[..., Any] = real, **kw: Any) -> Any:
            sent.append(args)
            return _real(self, *args, **kw)

        monkeypatch.setattr(psycopg.Connection, name, counted)
    for _ in range(200):
        assert not signal.changed()
    assert sent == []
    monkeypatch.undo()
    writer.start_run("s1", "tuning", "tuning@1", {"g": {a: "presenter", b: "p"}}, STATE)
    assert eventually(signal)
    reader.close()
    writer.close()


@pytest.mark.postgres
def test_a_postgres_page_that_lost_its_connection_reads_again(postgres_url: str) -> None:
    """Notifications sent while a page had no connection are lost: after connecting again
    every follower is told to read the store."""
    writer = open_store(postgres_url)
    reader = open_store(postgres_url)
    a, b = people(writer, "s1", "Ana", "Ben")
    signal = reader.run_signal("s1")
    conn = reader._postgres._conn  # type: ignore[attr-defined]
    assert conn is not None
    writer._postgres._conn.execute(  # type: ignore[attr-defined]
        "SELECT pg_terminate_backend(%s)", (conn.info.backend_pid,)
    )
    time.sleep(0.2)
    writer.start_run("s1", "tuning", "tuning@1", {"g": {a: "presenter", b: "p"}}, STATE)
    signal.changed()  # finds the connection gone
    with pytest.raises(StoreError):
        reader.runs("s1")  # the read that noticed it first reports it
    assert reader.runs("s1")  # the next one connects again …
    assert eventually(signal)  # … and every follower is told to look
    assert quiet(signal)
    # And it listens again on the new connection.
    writer.update_run(writer.runs("s1")[0].id, replace(STATE, step=1), expected_version=1)
    assert eventually(signal)
    reader.close()
    writer.close()


def test_sqlite_trace_counter_sees_queries(tmp_path: Path) -> None:
    """The counter the other tests rely on does count a read (so 'no statements' means
    something)."""
    store = SQLiteStore(tmp_path / "s.sqlite3")
    statements: list[str] = []
    store._sqlite.connection.set_trace_callback(statements.append)
    store.runs("s1")
    assert statements
    store.close()
    assert isinstance(sqlite3.sqlite_version, str)


def test_the_signal_files_take_the_database_files_permissions(tmp_path: Path) -> None:
    """On a hub a group of users shares the store (mode 660): each may raise the signal."""
    db = tmp_path / "s.sqlite3"
    store = SQLiteStore(db)
    db.chmod(0o660)
    a, b = people(store, "s1", "Ana", "Ben")
    store.start_run("s1", "tuning", "tuning@1", {"g": {a: "presenter", b: "p"}}, STATE)
    path = signal_file(str(db), "s1")
    assert path.stat().st_mode & 0o777 == 0o660
    assert path.parent.stat().st_mode & 0o777 == 0o770
    store.close()
