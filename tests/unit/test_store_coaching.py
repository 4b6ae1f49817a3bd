"""Coaches in the store on every backend in ``_stores.BACKENDS``: listing them (all, or a
session's), and taking teachers out of a caseload, after which the coach sees nothing of
theirs."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from _stores import BACKENDS, Opener
from pdkit.errors import AccessError, StoreError
from pdkit.store import Store


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest) -> Iterator[Store]:
    opener: Opener = request.param
    opened = opener(request)
    yield opened
    opened.close()


def test_coaches_are_listed_in_the_order_added_and_per_session(store: Store) -> None:
    assert store.coaches() == []
    spring, _ = store.create_session("Spring", [])
    carla, _ = store.create_participant("Carla", role="coach")
    store.create_participant("Ana")  # a teacher is no coach
    omar, _ = store.create_participant("Omar", role="coach", session=spring.id)
    assert [c.id for c in store.coaches()] == [carla.id, omar.id]
    assert [c.id for c in store.coaches(spring.id)] == [omar.id]
    assert [c.id for c in store.coaches("default")] == [carla.id]
    assert all(c.role == "coach" for c in store.coaches())


def test_a_teacher_taken_out_of_a_caseload_is_no_longer_seen(store: Store) -> None:
    coach, _ = store.create_participant("Carla", role="coach")
    ana, _ = store.create_participant("Ana")
    ben, _ = store.create_participant("Ben")
    store.record(ana.id, "goal-setting", {"goal": "Open questions"}, spec_version="g@1")
    store.set_visibility(ana.id, "goal-setting", "coach")
    store.assign_coach(coach.id, [ana.id, ben.id])
    assert store.latest(ana.id, "goal-setting", viewer=coach.id) == {"goal": "Open questions"}

    assert store.unassign_coach(coach.id, [ana.id, ana.id]) == [ana.id]
    assert store.coached_by(coach.id) == [ben.id]
    assert store.coaches_of(ana.id) == []
    with pytest.raises(AccessError):
        store.latest(ana.id, "goal-setting", viewer=coach.id)
    assert store.unassign_coach(coach.id, [ana.id]) == []  # not in the caseload: nothing
    store.assign_coach(coach.id, [ana.id])  # and back again
    assert store.coached_by(coach.id) == [ben.id, ana.id]


def test_unassigning_names_an_unknown_coach_or_teacher(store: Store) -> None:
    coach, _ = store.create_participant("Carla", role="coach")
    ana, _ = store.create_participant("Ana")
    store.assign_coach(coach.id, [ana.id])
    with pytest.raises(StoreError, match="no coach 'nobody'"):
        store.unassign_coach("nobody", [ana.id])
    with pytest.raises(StoreError, match="no teacher 'nobody'"):
        store.unassign_coach(coach.id, ["nobody", ana.id])
    assert store.coached_by(coach.id) == [ana.id]  # nothing half done
