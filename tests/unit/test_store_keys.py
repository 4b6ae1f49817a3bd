"""Tries at facilitator keys, counted in the store for every kernel of a server: the
store contract, on every backend in ``_stores.BACKENDS``."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from _stores import BACKENDS, SHARED_BACKENDS, Opener
from pdkit.store import (
    SERVER_LOCKOUT,
    KeyAttempt,
    KeyLockout,
    SessionStore,
    Store,
    open_store,
    same_key,
)
from pdkit.store._schema import SCHEMA_VERSION
from pdkit.testing import FakeClock


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest) -> Iterator[Store]:
    opener: Opener = request.param
    opened = opener(request)
    yield opened
    opened.close()


@pytest.fixture
def clock(store: Store, monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    """The store's clock, moved by hand."""
    fake = FakeClock(10_000.0, step=0)
    monkeypatch.setattr(store, "_clock", fake)
    return fake


def fail(store: Store, times: int, session: str = "default") -> None:
    for _ in range(times):
        attempt = store.claim_key_attempt(session)
        assert attempt.allowed, f"refused after {_} wrong tries"


def test_the_store_offers_the_key_attempts_of_its_role(store: Store) -> None:
    assert isinstance(store, SessionStore)


def test_ten_wrong_tries_are_free_then_each_waits_twice_as_long(
    store: Store, clock: FakeClock
) -> None:
    fail(store, 10)
    refused = store.claim_key_attempt("default")
    assert refused == KeyAttempt(None, 1.0)
    assert not refused.allowed
    clock.now += 1.0
    fail(store, 1)  # the 11th wrong try, a second after the 10th
    assert store.claim_key_attempt("default").wait == 2.0
    clock.now += 0.5
    assert store.claim_key_attempt("default").wait == 1.5  # refused tries add nothing
    clock.now += 1.5
    fail(store, 1)
    expected = 4.0
    while expected < SERVER_LOCKOUT.longest_wait:
        assert store.claim_key_attempt("default").wait == expected
        clock.now += expected
        fail(store, 1)
        expected *= 2
    assert store.claim_key_attempt("default").wait == SERVER_LOCKOUT.longest_wait  # 5 min


def test_a_right_key_is_not_a_failure(store: Store, clock: FakeClock) -> None:
    for _ in range(50):  # a facilitator reloading the dashboard all day
        attempt = store.claim_key_attempt("default")
        assert attempt.allowed
        store.forget_key_attempt(attempt)
    fail(store, 10)
    assert not store.claim_key_attempt("default").allowed
    store.forget_key_attempt(KeyAttempt(None, 3.0))  # a refused try: nothing to forget


def test_sessions_are_counted_apart_and_failures_are_forgotten(
    store: Store, clock: FakeClock
) -> None:
    fail(store, 10, "s-spring")
    assert not store.claim_key_attempt("s-spring").allowed
    assert store.claim_key_attempt("s-autumn").allowed
    assert store.claim_key_attempt("default").allowed
    clock.now += SERVER_LOCKOUT.window
    fail(store, 10, "s-spring")  # an hour later the old failures no longer count


def test_a_lockout_of_ones_own(store: Store, clock: FakeClock) -> None:
    strict = KeyLockout(free=1, first_wait=60.0, longest_wait=90.0, window=600.0)
    assert store.claim_key_attempt("default", strict).allowed
    assert store.claim_key_attempt("default", strict).wait == 60.0
    clock.now += 60.0
    assert store.claim_key_attempt("default", strict).allowed
    assert store.claim_key_attempt("default", strict).wait == 90.0  # not 120: the longest


@pytest.fixture(params=SHARED_BACKENDS)
def shared_store(request: pytest.FixtureRequest) -> Iterator[Store]:
    opener: Opener = request.param
    opened = opener(request)
    yield opened
    opened.close()


def test_tries_at_once_from_many_kernels_are_counted_one_after_another(
    shared_store: Store,
) -> None:
    """Twelve kernels try at the same moment: only the free tries are let through (the
    claim reads and counts under one lock)."""
    store = shared_store
    lockout = KeyLockout(free=5, first_wait=600.0)
    stores = [open_store(store.url) for _ in range(12)]
    barrier = threading.Barrier(len(stores))
    allowed: list[bool] = []

    def claim(kernel: Store) -> None:
        barrier.wait()
        allowed.append(kernel.claim_key_attempt("default", lockout).allowed)

    threads = [threading.Thread(target=claim, args=(kernel,)) for kernel in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for kernel in stores:
        kernel.close()
    assert sorted(allowed) == [False] * 7 + [True] * 5


def test_keys_are_compared_whole() -> None:
    key = "Kq3vX9-t0pLm_2RzYw8aBc"
    assert same_key(key, key)
    assert not same_key(key[:-1], key)
    assert not same_key(key + "x", key)
    assert not same_key("", key)
    assert not same_key("", "")  # no key set matches nothing


def test_an_old_store_gets_the_table_when_it_is_opened(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    with closing(open_store(path)) as made:
        made.claim_key_attempt("default")
    with closing(sqlite3.connect(path)) as db:  # back to schema 4
        db.execute("DROP TABLE key_attempts")
        db.execute("UPDATE pdkit_meta SET value = '4' WHERE key = 'schema_version'")
        db.commit()
    with closing(open_store(path)) as store:
        assert store.claim_key_attempt("default").allowed
    with closing(sqlite3.connect(path)) as db:
        assert db.execute("SELECT value FROM pdkit_meta").fetchall() == [(str(SCHEMA_VERSION),)]
