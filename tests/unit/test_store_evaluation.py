"""The anonymous session evaluation in the store (:mod:`pdkit.store._sql_evaluation`),
on every backend in ``_stores.BACKENDS``: answers once, nothing links a sheet to its
writer (no column, no order, no key that survives the next answer), and the sheets are
read only by the session's facilitator or the steward, and only from k = 5 answers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from _stores import BACKENDS, SHARED_BACKENDS, Opener
from pdkit.errors import AccessError, AlreadyAnsweredError, StoreError
from pdkit.store import Participant, Store, Viewer
from pdkit.suppression import K

FORM = "session-evaluation"
VERSION = "session-evaluation@1"


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest) -> Iterator[Store]:
    opener: Opener = request.param
    opened = opener(request)
    yield opened
    opened.close()


def _room(store: Store, n: int, session: str = "default") -> list[Participant]:
    return [store.create_participant(f"Teacher {i}", session=session)[0] for i in range(n)]


def _answer(store: Store, who: Participant, i: int, session: str = "default") -> None:
    store.submit_evaluation(
        who.id,
        FORM,
        {"reaction": 1 + i % 5, "open": f"answer number {i:02d}"},
        session=session,
        spec_version=VERSION,
    )


def _columns(store: Store, table: str) -> list[str]:
    dialect = store._dialect  # type: ignore[attr-defined]
    if dialect.name == "SQLite":
        return [str(r[1]) for r in dialect.read(f"PRAGMA table_info({table})")]
    rows = dialect.read(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s", (table,)
    )
    return [str(r[0]) for r in rows]


def test_a_teacher_answers_once_and_the_mark_says_only_that(store: Store) -> None:
    (ana,) = _room(store, 1)
    assert not store.has_evaluated(ana.id, FORM, session="default")
    _answer(store, ana, 0)
    assert store.has_evaluated(ana.id, FORM, session="default")
    with pytest.raises(AlreadyAnsweredError, match="already answered"):
        _answer(store, ana, 1)
    assert store.evaluation_count("default", FORM) == 1
    # Nothing about the answers goes through the ordinary responses.
    assert store.answered_forms(ana.id) == []
    assert store.history(ana.id, FORM, viewer=ana.id) == []


def test_no_column_can_hold_a_participant_a_token_or_a_time(store: Store) -> None:
    assert sorted(_columns(store, "evaluation_answers")) == [
        "answers",
        "form",
        "id",
        "session",
        "spec_version",
    ]
    assert sorted(_columns(store, "evaluation_done")) == ["form", "participant", "session"]


def test_nothing_in_a_row_names_its_writer(store: Store) -> None:
    people = _room(store, 6)
    for i, who in enumerate(people):
        _answer(store, who, i)
    dialect = store._dialect  # type: ignore[attr-defined]
    rows = dialect.read("SELECT * FROM evaluation_answers")
    assert len(rows) == 6
    dump = repr(rows)
    for who in people:
        assert who.id not in dump
        assert who.display_name not in dump
    if dialect.name == "SQLite":  # no hidden rowid keeps the order of insertion
        with pytest.raises(StoreError):
            dialect.read("SELECT rowid FROM evaluation_answers")


def test_the_order_of_rows_does_not_follow_the_order_of_answers(store: Store) -> None:
    people = _room(store, 20)
    for i, who in enumerate(people):
        _answer(store, who, i)
    submitted = [f"answer number {i:02d}" for i in range(20)]
    sheets = store.evaluation_sheets("default", FORM, viewer=Viewer.steward())
    assert sorted(s.answers["open"] for s in sheets) == submitted
    read_back = [s.answers["open"] for s in sheets]
    assert read_back != submitted
    assert read_back != submitted[::-1]
    # Nor does the database's own order (a plain SELECT, PostgreSQL's ctid and xmin).
    dialect = store._dialect  # type: ignore[attr-defined]
    physical = [str(r[0]) for r in dialect.read("SELECT answers FROM evaluation_answers")]
    assert list(physical) != [
        f'{{"reaction": {1 + i % 5}, "open": "{t}"}}' for i, t in enumerate(submitted)
    ]
    if dialect.name == "PostgreSQL":
        xmins = {r[0] for r in dialect.read("SELECT xmin::text FROM evaluation_answers")}
        assert len(xmins) == 1  # every sheet was written again by the last answer


def test_keys_do_not_survive_the_next_answer(store: Store) -> None:
    people = _room(store, 3)
    dialect = store._dialect  # type: ignore[attr-defined]
    _answer(store, people[0], 0)
    _answer(store, people[1], 1)
    before = {r[0] for r in dialect.read("SELECT id FROM evaluation_answers")}
    _answer(store, people[2], 2)
    after = {r[0] for r in dialect.read("SELECT id FROM evaluation_answers")}
    assert len(after) == 3
    assert not before & after


def test_sheets_are_read_from_k_answers_by_the_facilitator_or_the_steward(store: Store) -> None:
    people = _room(store, K)
    for i, who in enumerate(people[:-1]):
        _answer(store, who, i)
    facilitator = Viewer.facilitator("default")
    assert store.evaluation_count("default", FORM) == K - 1
    assert store.evaluation_sheets("default", FORM, viewer=facilitator) == []
    _answer(store, people[-1], K - 1)
    sheets = store.evaluation_sheets("default", FORM, viewer=facilitator)
    assert len(sheets) == K
    assert {s.spec_version for s in sheets} == {VERSION}
    assert len(store.evaluation_sheets("default", FORM, viewer=Viewer.steward())) == K
    with pytest.raises(AccessError):
        store.evaluation_sheets("default", FORM, viewer=people[0].id)
    with pytest.raises(AccessError):
        store.evaluation_sheets("default", FORM, viewer=Viewer.facilitator("other"))


def test_sessions_are_kept_apart_and_only_their_people_answer(store: Store) -> None:
    session, _ = store.create_session("Day two")
    here = _room(store, 2, session=session.id)
    (elsewhere,) = _room(store, 1)
    _answer(store, here[0], 0, session=session.id)
    assert store.evaluation_count(session.id, FORM) == 1
    assert store.evaluation_count("default", FORM) == 0
    assert not store.has_evaluated(here[0].id, FORM, session="default")
    with pytest.raises(StoreError, match="did not take part"):
        _answer(store, elsewhere, 1, session=session.id)
    with pytest.raises(StoreError, match="no participant"):
        store.submit_evaluation("nobody", FORM, {}, session="default", spec_version=VERSION)


def test_bad_answers_are_refused_whole(store: Store) -> None:
    (ana,) = _room(store, 1)
    with pytest.raises(StoreError, match="too long"):
        store.submit_evaluation(
            ana.id, FORM, {"open": "x" * 30_000}, session="default", spec_version=VERSION
        )
    with pytest.raises(StoreError, match="JSON"):
        store.submit_evaluation(
            ana.id, FORM, {"open": object()}, session="default", spec_version=VERSION
        )
    assert not store.has_evaluated(ana.id, FORM, session="default")
    assert store.evaluation_count("default", FORM) == 0


def test_a_store_of_schema_7_gains_the_evaluation_tables(tmp_path: object) -> None:
    import sqlite3
    from pathlib import Path

    from pdkit.store import open_store
    from pdkit.store._schema import SCHEMA_VERSION

    path = Path(str(tmp_path)) / "old.sqlite3"
    open_store(path).close()
    with sqlite3.connect(path) as db:  # as pdkit 7 left it
        db.execute("DROP TABLE evaluation_answers")
        db.execute("DROP TABLE evaluation_done")
        db.execute("UPDATE pdkit_meta SET value = '7' WHERE key = 'schema_version'")
    db.close()
    store = open_store(path)
    try:
        who, _ = store.create_participant("Ana")
        _answer(store, who, 0)
        assert store.evaluation_count("default", FORM) == 1
    finally:
        store.close()
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT value FROM pdkit_meta").fetchall() == [(str(SCHEMA_VERSION),)]
    db.close()


@pytest.fixture(params=SHARED_BACKENDS)
def shared_store(request: pytest.FixtureRequest) -> Iterator[Store]:
    opener: Opener = request.param
    opened = opener(request)
    yield opened
    opened.close()


def test_teachers_answering_at_once_lose_no_sheet(shared_store: Store) -> None:
    """Each answer rewrites the session's sheets: kernels answering at the same moment
    must take turns, or one would delete the sheet another just wrote."""
    import threading

    from pdkit.store import open_store

    people = _room(shared_store, 8)
    kernels = [open_store(shared_store.url) for _ in people]
    barrier = threading.Barrier(len(kernels))
    errors: list[BaseException] = []

    def answer(index: int, kernel: Store) -> None:
        barrier.wait()
        try:
            _answer(kernel, people[index], index)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=answer, args=(i, k)) for i, k in enumerate(kernels)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for kernel in kernels:
        kernel.close()
    assert errors == []
    sheets = shared_store.evaluation_sheets("default", FORM, viewer=Viewer.steward())
    assert sorted(s.answers["open"] for s in sheets) == [f"answer number {i:02d}" for i in range(8)]
