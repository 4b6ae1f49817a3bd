"""What only the PostgreSQL store has to show: many kernels at once, a server that goes
away and comes back, passwords kept out of sight, a schema made once and upgraded.

Every test here runs against the throw-away server of conftest.py (``postgres_server``);
the store contract itself runs on PostgreSQL through BACKENDS in test_store.py.
"""

from __future__ import annotations

import json
import multiprocessing
import threading
import time
from collections.abc import Iterator
from contextlib import closing
from typing import Any

import pytest

from _postgres_server import SHARED_DB, PostgresServer
from _stores import JSON_VALUES
from pdkit import StoreError, pacing
from pdkit.pacing import RunState
from pdkit.store import Viewer, open_store, token_hash
from pdkit.store._postgres import PostgresStore
from pdkit.store._schema import SCHEMA_VERSION
from pdkit.store._urls import redact_url
from pdkit.testing import FakeClock

ALL = Viewer.steward(include_private=True)  # every note, for checking what was stored

pytestmark = pytest.mark.postgres

FORM = "goal-setting"
VERSION = "goal-setting@1"
PASSWORD = "s3cret-Pa55"  # the server trusts every local connection: any password works
V2_TABLES = ("groups", "group_members", "runs", "run_members", "notes")
V3_TABLES = ("visibility", "coaching", "feedback", "revisions")
V5_TABLES = ("key_attempts",)
V7_TABLES = ("run_turns", "run_events")
STATE = RunState(step=0, status=pacing.RUNNING, started_at=1000.0, allotted=300.0)


@pytest.fixture
def store(postgres_url: str) -> Iterator[PostgresStore]:
    opened = open_store(postgres_url)
    assert isinstance(opened, PostgresStore)
    yield opened
    opened.close()


def _count(conn: Any, sql: str, params: tuple[Any, ...] = ()) -> int:
    row = conn.execute(sql, params).fetchone()
    assert row is not None
    return int(row[0])


def _terminate(server: PostgresServer, dbname: str) -> int:
    """End every server process serving ``dbname`` (as an administrator would), and wait."""
    rows = server.admin().execute(
        "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity"
        " WHERE datname = %s AND pid <> pg_backend_pid()",
        (dbname,),
    )
    return sum(1 for (done,) in rows.fetchall() if done)


# --------------------------------------------------------------------------- URLs and passwords


@pytest.mark.parametrize(
    ("url", "redacted"),
    [
        ("postgresql://ana:pw@db.example:5432/pd", "postgresql://ana@db.example:5432/pd"),
        ("postgres://ana:p%40ss@db.example/pd", "postgres://ana@db.example/pd"),
        ("postgresql://ana@db.example/pd", "postgresql://ana@db.example/pd"),
        (
            "postgresql://db.example/pd?sslmode=require",
            "postgresql://db.example/pd?sslmode=require",
        ),
        (
            "postgresql://ana:pw@h1:5432,h2:5433/pd?password=pw&sslmode=require",
            "postgresql://ana@h1:5432,h2:5433/pd?sslmode=require",
        ),
        ("postgresql:///pd?host=/run/postgresql", "postgresql:///pd?host=/run/postgresql"),
        ("postgres://ana:pw@/pd?password=pw", "postgres://ana@/pd"),
        (
            "postgresql://h/pd?password=a%26b&application_name=x",
            "postgresql://h/pd?application_name=x",
        ),
    ],
)
def test_redact_url(url: str, redacted: str) -> None:
    assert redact_url(url) == redacted


def test_url_and_messages_never_show_the_password(
    postgres_server: PostgresServer, postgres_database: str
) -> None:
    url = postgres_server.url(postgres_database, password=PASSWORD)
    with closing(open_store(url)) as store:
        assert isinstance(store, PostgresStore)
        assert (
            store.url
            == f"postgresql://pdkit_test@127.0.0.1:{postgres_server.port}/{postgres_database}"
        )
        assert PASSWORD not in repr(store)
        assert store.server == f"127.0.0.1:{postgres_server.port}/{postgres_database}"
        p, _ = store.create_participant("Ana")
        with pytest.raises(StoreError) as unknown:
            store.record("no-such-id", FORM, {"goal": "x"}, spec_version=VERSION)
        assert _terminate(postgres_server, postgres_database) == 1
        with pytest.raises(StoreError) as lost:
            store.latest(p.id, FORM, viewer=p.id)
    for caught in (unknown, lost):
        assert PASSWORD not in str(caught.value)
        assert "pdkit_test@" in str(caught.value) or "127.0.0.1" in str(caught.value)


def test_a_server_that_does_not_answer_is_a_clear_error(postgres_server: PostgresServer) -> None:
    import socket

    with socket.socket() as sock:  # a port where nothing listens
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    started = time.monotonic()
    with pytest.raises(StoreError) as caught:
        open_store(f"postgresql://ana:{PASSWORD}@127.0.0.1:{port}/workshop")
    message = str(caught.value)
    assert f"cannot connect to the PostgreSQL server 127.0.0.1:{port}/workshop" in message
    assert PASSWORD not in message
    assert time.monotonic() - started < 5


def test_a_url_libpq_cannot_read_is_a_clear_error() -> None:
    with pytest.raises(StoreError, match="not a PostgreSQL URL") as caught:
        open_store(f"postgresql://ana:{PASSWORD}@h/db?no_such_option=1")
    assert PASSWORD not in str(caught.value)


# --------------------------------------------------------------------------- values


def test_values_are_stored_as_the_same_json_text_as_sqlite(
    store: PostgresStore, postgres_server: PostgresServer
) -> None:
    p, _ = store.create_participant("Ana")
    store.record(p.id, FORM, JSON_VALUES, spec_version=VERSION)
    schema = store.url.rpartition("%3D")[2]
    rows = (
        postgres_server.admin(SHARED_DB)
        .execute(f'SELECT field, value FROM "{schema}".responses ORDER BY seq')
        .fetchall()
    )
    assert rows == [
        (field, json.dumps(value, ensure_ascii=False, allow_nan=False))
        for field, value in JSON_VALUES.items()
    ]
    assert store.latest(p.id, FORM, viewer=p.id) == JSON_VALUES


def test_text_that_is_not_unicode_is_refused_and_writes_nothing(store: PostgresStore) -> None:
    p, _ = store.create_participant("Ana")
    with pytest.raises(StoreError, match="bad"):
        store.record(p.id, FORM, {"goal": "ok", "bad": "\ud800"}, spec_version=VERSION)
    # PostgreSQL text cannot hold NUL: a name is tidied to one line first, on every backend
    # (tests/unit/test_store.py), so a NUL typed in a name never reaches the server.
    again, _ = store.create_participant("Ana\x00")
    assert again.display_name == "Ana"
    assert store.history(p.id, FORM, viewer=p.id) == []
    assert store.participants() == [p, again]


def test_history_keeps_every_event_oldest_first(postgres_url: str) -> None:
    clock = FakeClock()
    with PostgresStore(postgres_url, clock=clock) as store:
        p, _ = store.create_participant("Ana")
        assert p.created_at == 1000.0
        store.record(p.id, FORM, {"goal": "a"}, spec_version="goal-setting@1")
        store.record(p.id, FORM, {"goal": "b", "focus": "f"}, spec_version="goal-setting@1")
        store.record(p.id, FORM, {"goal": "c"}, spec_version="goal-setting@2")
        history = store.history(p.id, FORM, viewer=p.id)
    assert [(e.field, e.value, e.at, e.spec_version) for e in history] == [
        ("goal", "a", 1001.0, "goal-setting@1"),
        ("goal", "b", 1002.0, "goal-setting@1"),
        ("focus", "f", 1002.0, "goal-setting@1"),
        ("goal", "c", 1003.0, "goal-setting@2"),
    ]


def test_token_is_not_stored_in_clear(
    store: PostgresStore, postgres_server: PostgresServer
) -> None:
    created = [store.create_participant(name) for name in ("Ana", "Ben", "Ana")]
    store.record(created[0][0].id, FORM, {"goal": "x"}, spec_version=VERSION)
    schema = store.url.rpartition("%3D")[2]
    admin = postgres_server.admin(SHARED_DB)
    tables = [
        r[0]
        for r in admin.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
            (schema,),
        ).fetchall()
    ]
    assert {"participants", "responses", "pdkit_meta"} <= set(tables)
    dump = "\n".join(
        repr(row)
        for table in tables
        for row in admin.execute(f'SELECT * FROM "{schema}"."{table}"').fetchall()
    )
    for _, token in created:
        assert token_hash(token) in dump
        assert token not in dump


def test_failure_inside_the_transaction_writes_nothing(
    store: PostgresStore, postgres_server: PostgresServer
) -> None:
    """A write that fails half-way (a trigger stands in for a full disk) is rolled back
    whole and reported as StoreError, never as a raw psycopg error."""
    p, _ = store.create_participant("Ana")
    store.record(p.id, FORM, {"goal": "kept"}, spec_version=VERSION)
    schema = store.url.rpartition("%3D")[2]
    postgres_server.admin(SHARED_DB).execute(
        f"""
        CREATE FUNCTION "{schema}".boom() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'disk on fire'; END $$;
        CREATE TRIGGER boom BEFORE INSERT ON "{schema}".responses
        FOR EACH ROW WHEN (NEW.field = 'boom') EXECUTE FUNCTION "{schema}".boom();
        """
    )
    with pytest.raises(StoreError, match="disk on fire"):
        store.record(p.id, FORM, {"goal": "lost", "boom": 1}, spec_version=VERSION)
    assert [e.value for e in store.history(p.id, FORM, viewer=p.id)] == ["kept"]
    store.record(p.id, FORM, {"goal": "next"}, spec_version=VERSION)
    assert store.latest(p.id, FORM, viewer=p.id) == {"goal": "next"}


def test_a_closed_store_says_so(postgres_url: str) -> None:
    store = open_store(postgres_url)
    store.close()
    with pytest.raises(StoreError, match="closed"):
        store.participants()
    store.close()  # twice is fine


# --------------------------------------------------------------------------- schema


def test_everything_is_kept_after_reopening(postgres_url: str) -> None:
    with closing(open_store(postgres_url)) as first:
        ana, token = first.create_participant("Ana", session="spring")
        b = first.create_participant("Ben", session="spring")[0]
        first.record(ana.id, FORM, {"goal": "one", "steps": ["a", "b"]}, spec_version=VERSION)
        history = first.history(ana.id, FORM, viewer=ana.id)
        groups = first.set_groups("spring", [[ana.id, b.id]])
        run = first.start_run("spring", "tuning", "tuning@1", {groups[0].id: {ana.id: "p"}}, STATE)
        notes = first.record_notes(run.id, "intro", ana.id, {"n": "kept"})
    with closing(open_store(postgres_url)) as again:
        assert again.participant_for_token(token) == ana
        assert again.history(ana.id, FORM, viewer=ana.id) == history
        assert again.groups("spring") == groups
        assert again.get_run(run.id) == run
        assert again.notes(run.id, viewer=ALL) == notes
        assert again.record(ana.id, FORM, {"goal": "two"}, spec_version=VERSION)[0].seq > (
            history[-1].seq
        )


def _meta(server: PostgresServer, dbname: str) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = (
        server.admin(dbname).execute("SELECT * FROM pdkit_meta").fetchall()
    )
    return rows


def test_newer_schema_version_asks_for_upgrade(
    postgres_server: PostgresServer, postgres_database: str
) -> None:
    url = postgres_server.url(postgres_database)
    open_store(url).close()
    assert _meta(postgres_server, postgres_database) == [("schema_version", str(SCHEMA_VERSION))]
    postgres_server.admin(postgres_database).execute(
        "UPDATE pdkit_meta SET value = %s WHERE key = 'schema_version'", (str(SCHEMA_VERSION + 1),)
    )
    with pytest.raises(StoreError, match="upgrade pdkit"):
        open_store(url)
    postgres_server.admin(postgres_database).execute(
        "UPDATE pdkit_meta SET value = 'two' WHERE key = 'schema_version'"
    )
    with pytest.raises(StoreError, match="unreadable schema version"):
        open_store(url)


def test_a_version_1_store_is_upgraded_on_open(
    postgres_server: PostgresServer, postgres_database: str
) -> None:
    url = postgres_server.url(postgres_database)
    with closing(open_store(url)) as made:
        ana, token = made.create_participant("Ana")
        made.record(ana.id, FORM, {"goal": "Read more"}, spec_version=VERSION)
    admin = postgres_server.admin(postgres_database)
    for table in reversed(V2_TABLES + V3_TABLES + V5_TABLES + V7_TABLES):  # schema 1's tables
        admin.execute(f"DROP TABLE {table}")
    admin.execute("UPDATE pdkit_meta SET value = '1' WHERE key = 'schema_version'")

    with closing(open_store(url)) as store:
        assert _meta(postgres_server, postgres_database) == [
            ("schema_version", str(SCHEMA_VERSION))
        ]  # the current one
        assert store.participant_for_token(token) == ana
        assert store.latest(ana.id, FORM, viewer=ana.id) == {"goal": "Read more"}
        ben = store.create_participant("Ben")[0]
        (group,) = store.set_groups("default", [[ana.id, ben.id]])
        run = store.start_run("default", "tuning", "tuning@1", {group.id: {ben.id: "p"}}, STATE)
        store.record_notes(run.id, "intro", ben.id, {"n": "works"})
        assert store.latest_notes(run.id, "intro", ben.id, viewer=ben.id) == {"n": "works"}
        store.set_visibility(ana.id, FORM, "group")
        assert store.latest(ana.id, FORM, viewer=ben.id) == {"goal": "Read more"}
        assert store.claim_key_attempt("default").allowed


def test_a_store_is_found_where_the_search_path_finds_it(
    postgres_server: PostgresServer, postgres_database: str
) -> None:
    """A schema that appears first in the search_path later (one named after the user, as
    PostgreSQL 15 sets it up) does not get a second, empty store: the store is used where
    the search path finds its tables."""
    admin = postgres_server.admin(postgres_database)
    admin.execute("CREATE SCHEMA home")
    admin.execute("CREATE SCHEMA early")
    home = postgres_server.url(postgres_database, schema="home")
    with closing(open_store(home)) as made:
        ana = made.create_participant("Ana")[0]
    both = postgres_server.url(postgres_database, schema="early,home")
    with closing(open_store(both)) as store:
        assert store.participants() == [ana]
    created_early = admin.execute(
        "SELECT count(*) FROM pg_tables WHERE schemaname = 'early'"
    ).fetchone()
    assert created_early == (0,)


def test_a_database_with_other_tables_of_these_names_is_refused(
    postgres_server: PostgresServer, postgres_database: str
) -> None:
    admin = postgres_server.admin(postgres_database)
    admin.execute("CREATE TABLE participants (name TEXT)")
    with pytest.raises(StoreError, match="participants") as caught:
        open_store(postgres_server.url(postgres_database))
    assert "schema of its own" in str(caught.value)
    assert _count(admin, "SELECT count(*) FROM pg_tables WHERE tablename = 'pdkit_meta'") == 0


def test_a_user_who_may_not_create_tables_is_told_what_is_missing(
    postgres_server: PostgresServer, postgres_database: str
) -> None:
    admin = postgres_server.admin()
    role = f"r_{postgres_database}"
    admin.execute(f'CREATE ROLE "{role}" LOGIN')
    try:
        url = postgres_server.url(postgres_database).replace("pdkit_test@", f"{role}@")
        with pytest.raises(StoreError, match="GRANT CREATE") as caught:
            open_store(url)
        assert "permission denied" in str(caught.value)
    finally:
        admin.execute(f'DROP ROLE "{role}"')


# --------------------------------------------------------------------------- a lost server


@pytest.mark.parametrize("next_call", ["read", "write"])
def test_a_lost_connection_is_reported_then_made_again(
    postgres_server: PostgresServer, postgres_database: str, next_call: str
) -> None:
    with closing(open_store(postgres_server.url(postgres_database))) as store:
        p, _ = store.create_participant("Ana")
        acknowledged = [
            store.record(p.id, FORM, {"goal": f"answer {n}"}, spec_version=VERSION)[0]
            for n in range(5)
        ]
        assert _terminate(postgres_server, postgres_database) == 1

        def call() -> object:
            if next_call == "read":
                return store.history(p.id, FORM, viewer=p.id)
            return store.record(p.id, FORM, {"goal": "not acknowledged"}, spec_version=VERSION)

        with pytest.raises(StoreError) as caught:
            call()
        message = str(caught.value)
        server = f"127.0.0.1:{postgres_server.port}/{postgres_database}"
        assert f"lost the connection to the PostgreSQL server {server}" in message
        assert "the next call connects again" in message
        if next_call == "write":
            assert "nothing was saved" in message

        assert (
            store.history(p.id, FORM, viewer=p.id) == acknowledged
        )  # connected again, nothing lost
        after = store.record(p.id, FORM, {"goal": "after"}, spec_version=VERSION)
        assert store.latest(p.id, FORM, viewer=p.id) == {"goal": "after"}
        assert after[0].seq > acknowledged[-1].seq


def test_a_restarted_server_loses_no_acknowledged_answer(
    postgres_server: PostgresServer, postgres_database: str
) -> None:
    """The server is killed (``pg_ctl stop -m immediate``, as a crash) and started again."""
    with closing(open_store(postgres_server.url(postgres_database))) as store:
        p, _ = store.create_participant("Ana")
        acknowledged = [
            store.record(p.id, FORM, {"n": n, "text": "é" * n}, spec_version=VERSION)
            for n in range(20)
        ]
        postgres_server.stop()
        try:
            with pytest.raises(StoreError, match="lost the connection to the PostgreSQL server"):
                store.record(p.id, FORM, {"n": "lost"}, spec_version=VERSION)
            with pytest.raises(StoreError) as down:
                store.latest(p.id, FORM, viewer=p.id)
            server = f"127.0.0.1:{postgres_server.port}/{postgres_database}"
            assert f"cannot connect to the PostgreSQL server {server}" in str(down.value)
        finally:
            postgres_server.start()
        assert store.history(p.id, FORM, viewer=p.id) == [
            e for events in acknowledged for e in events
        ]
        assert store.latest(p.id, FORM, viewer=p.id) == {"n": 19, "text": "é" * 19}


# --------------------------------------------------------------------------- many kernels

WRITERS = 8
EVENTS_EACH = 100
OPENERS = 6
OPEN_ROUNDS = 5


def _write_many(url: str, index: int, barrier: Any) -> None:
    """One participant's kernel: join, then save EVENTS_EACH answers as fast as it can."""
    store = open_store(url)
    participant, _ = store.create_participant(f"writer {index}", external_id=f"writer-{index}")
    barrier.wait(timeout=60)
    for n in range(EVENTS_EACH):
        store.record(participant.id, FORM, {"n": n}, spec_version=VERSION)
    store.close()


def test_concurrent_processes_lose_no_event(postgres_url: str) -> None:
    open_store(postgres_url).close()  # created once, as `pdkit serve` does
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(WRITERS)
    workers = [
        ctx.Process(target=_write_many, args=(postgres_url, i, barrier)) for i in range(WRITERS)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert [w.exitcode for w in workers] == [0] * WRITERS

    with closing(open_store(postgres_url)) as store:
        seqs: list[int] = []
        for index in range(WRITERS):
            participant = store.participant_for_external_id(f"writer-{index}")
            assert participant is not None
            history = store.history(participant.id, FORM, viewer=participant.id)
            assert [e.value for e in history] == list(range(EVENTS_EACH))
            assert store.latest(participant.id, FORM, viewer=participant.id) == {
                "n": EVENTS_EACH - 1
            }
            seqs += [e.seq for e in history]
        assert len(store.participants()) == WRITERS
    assert len(set(seqs)) == len(seqs) == WRITERS * EVENTS_EACH


def _open_at_once(urls: list[str], index: int, barrier: Any) -> None:
    """One kernel of many opening a store never used before, at the same moment."""
    for url in urls:
        barrier.wait(timeout=20)  # a kernel that failed breaks the barrier for the others
        with closing(open_store(url)) as store:
            store.create_participant(f"opener {index}")


def test_many_kernels_creating_the_schema_at_once(
    postgres_server: PostgresServer, postgres_database: str
) -> None:
    """A race lost shows only now and then: the same processes race on several new stores
    (a new database, then new schemas of the shared one)."""
    schemas = [postgres_server.create_schema() for _ in range(OPEN_ROUNDS - 1)]
    urls = [postgres_server.url(postgres_database)] + [
        postgres_server.url(SHARED_DB, schema=schema) for schema in schemas
    ]
    try:
        ctx = multiprocessing.get_context("spawn")
        barrier = ctx.Barrier(OPENERS)
        workers = [
            ctx.Process(target=_open_at_once, args=(urls, i, barrier)) for i in range(OPENERS)
        ]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=120)
        assert [w.exitcode for w in workers] == [0] * OPENERS
        assert _meta(postgres_server, postgres_database) == [
            ("schema_version", str(SCHEMA_VERSION))
        ]
        for url in urls:
            with closing(open_store(url)) as store:
                assert sorted(p.display_name for p in store.participants()) == [
                    f"opener {i}" for i in range(OPENERS)
                ]
    finally:
        for schema in schemas:
            postgres_server.drop_schema(schema)


def test_threads_sharing_one_store(store: PostgresStore) -> None:
    """A widget's timer thread and the kernel's thread may call the same store."""
    people = [store.create_participant(f"T{i}")[0] for i in range(4)]
    errors: list[BaseException] = []

    def write(participant_id: str) -> None:
        try:
            for n in range(50):
                store.record(participant_id, FORM, {"n": n}, spec_version=VERSION)
                store.latest(participant_id, FORM, viewer=participant_id)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(p.id,)) for p in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    for p in people:
        assert [e.value for e in store.history(p.id, FORM, viewer=p.id)] == list(range(50))


def test_two_facilitators_grouping_at_once_leave_one_grouping(postgres_url: str) -> None:
    """Replacing a session's groups is one at a time: never two groupings both current."""
    with closing(open_store(postgres_url)) as one, closing(open_store(postgres_url)) as two:
        a, b, c, d = (one.create_participant(n)[0].id for n in "ABCD")

        def regroup(store: Any, groups: list[list[str]], barrier: threading.Barrier) -> None:
            barrier.wait(timeout=10)
            store.set_groups("default", groups)

        for _ in range(15):
            barrier = threading.Barrier(2)
            threads = [
                threading.Thread(target=regroup, args=(one, [[a, b], [c, d]], barrier)),
                threading.Thread(target=regroup, args=(two, [[a, c], [b, d]], barrier)),
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=30)
            current = one.groups()
            assert [g.members for g in current] in ([(a, b), (c, d)], [(a, c), (b, d)])


def _waiting_on(inspector: Any, query: str, kind: str, timeout: float = 10.0) -> bool:
    """Whether a backend running ``query…`` waits on a lock of ``kind`` within ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        (count,) = inspector.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
            " AND wait_event = %s AND query LIKE %s",
            (kind, query + "%"),
        ).fetchone()
        if count:
            return True
        time.sleep(0.05)
    return False


def test_a_late_joiner_waits_while_groups_are_re_formed(postgres_url: str) -> None:
    """Re-forming a session's groups and placing a late joiner take the same lock: a late
    joiner is never placed in a group that is being dissolved at that moment. (Before, the
    two took advisory locks of two forms that never block each other.)"""
    import psycopg

    with (
        closing(open_store(postgres_url)) as facilitator,
        closing(open_store(postgres_url)) as late_page,
        closing(psycopg.connect(postgres_url, autocommit=True)) as inspector,
        closing(psycopg.connect(postgres_url)) as holder,
    ):
        a, b, c, d = (facilitator.create_participant(n)[0].id for n in "ABCD")
        late = facilitator.create_participant("Late")[0].id
        facilitator.set_groups("default", [[a, b], [c, d]])
        # Someone else holds the current groups' rows: re-forming will stop at its UPDATE,
        # after it took the session's lock (reads and key checks are not blocked by this).
        holder.execute(
            "SELECT id FROM groups WHERE dissolved_at IS NULL FOR NO KEY UPDATE"
        ).fetchall()
        done: dict[str, Any] = {}

        def run(name: str, work: Any) -> None:
            try:
                done[name] = work()
            except Exception as exc:  # shown by the assertions below
                done[name] = exc

        regroup = threading.Thread(
            target=run,
            args=("regroup", lambda: facilitator.set_groups("default", [[a, c], [b, d]])),
        )
        regroup.start()
        assert _waiting_on(inspector, "UPDATE groups", "transactionid"), "re-forming never started"
        place = threading.Thread(target=run, args=("place", lambda: late_page.place_in_group(late)))
        place.start()
        place.join(timeout=2)
        placed_early = not place.is_alive()  # placed while the groups were being re-formed
        waited = placed_early or _waiting_on(inspector, "SELECT pg_advisory_xact_lock", "advisory")
        holder.rollback()  # let the re-forming finish
        regroup.join(timeout=30)
        place.join(timeout=30)

        assert not isinstance(done.get("regroup"), Exception), done
        assert not isinstance(done.get("place"), Exception), done
        assert not placed_early, "the late joiner was placed while the groups were re-formed"
        assert waited
        group = facilitator.group_of(late)
        assert group is not None, "the late joiner is in a dissolved group"
        assert group.id in {g.id for g in facilitator.groups()}
        assert sorted(len(g.members) for g in facilitator.groups()) == [2, 3]


def test_commits_wait_for_the_disk_whatever_the_server_default(
    postgres_server: PostgresServer, postgres_database: str
) -> None:
    """An acknowledged answer survives a server crash even where the DBA chose speed."""
    postgres_server.admin().execute(
        f'ALTER DATABASE "{postgres_database}" SET synchronous_commit = off'
    )
    with closing(open_store(postgres_server.url(postgres_database))) as store:
        assert isinstance(store, PostgresStore)
        assert store._read("SHOW synchronous_commit") == [("on",)]


def test_serve_prints_the_store_without_its_password(
    postgres_server: PostgresServer, postgres_database: str
) -> None:
    """`pdkit serve` says where answers are saved, never with the password."""
    import io

    from pdkit.serve import ServeConfig, prepare

    url = postgres_server.url(postgres_database, password=PASSWORD)
    out = io.StringIO()
    env = prepare(ServeConfig(store=url, port=0), out)
    assert env["PDKIT_STORE"] == url  # the kernels need it whole
    assert PASSWORD not in out.getvalue()
    assert f"answers are saved in postgresql://pdkit_test@127.0.0.1:{postgres_server.port}/" in (
        out.getvalue()
    )
