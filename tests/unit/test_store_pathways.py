"""Teachers' pathways in the store (:mod:`pdkit.store._sql_pathways`): the store contract
on every backend in ``_stores.BACKENDS`` — the choice, ticks and unticks with a link and
a note, steps that complete themselves from the store (a workbook's saved answers, a
round presented, an observation received), who may read (the teacher; the coach only
when the goal is shared with the coach; never a colleague of a private goal) and who may
write (only the teacher, only on the pathway they follow)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from _stores import BACKENDS, Opener
from pdkit import pacing
from pdkit.definitions import PathwayDefinition, load_pathway, parse_definition
from pdkit.errors import AccessError, StoreError
from pdkit.pacing import RunState
from pdkit.store import Participant, Store, Viewer
from pdkit.testing import FakeClock

GOAL = "goal-setting"
T0 = 1_800_000_000.0
TALK = load_pathway("talk")
STATE = RunState(step=0, status=pacing.RUNNING, started_at=T0, allotted=300.0)


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest) -> Iterator[Store]:
    opener: Opener = request.param
    opened = opener(request)
    yield opened
    opened.close()


@dataclass
class School:
    store: Store
    ana: Participant
    ben: Participant
    coach: Participant


@pytest.fixture
def school(store: Store, monkeypatch: pytest.MonkeyPatch) -> School:
    monkeypatch.setattr(store, "_clock", FakeClock(T0, step=1.0))
    ana, _ = store.create_participant("Ana")
    ben, _ = store.create_participant("Ben")
    coach, _ = store.create_participant("Carla", role="coach")
    store.assign_coach(coach.id, [ana.id])
    store.record(ana.id, GOAL, {"school_goal": "talk", "goal": "More talk"}, spec_version="g@1")
    return School(store, ana, ben, coach)


def test_a_teacher_chooses_a_pathway_ticks_and_unticks(school: School) -> None:
    store, ana = school.store, school.ana
    assert store.pathway_choice(ana.id, viewer=ana.id) is None
    with pytest.raises(StoreError, match="choose it first"):
        store.tick_step(ana.id, TALK, "plc", done=True, by=ana.id)
    store.choose_pathway(ana.id, "talk", by=ana.id)
    assert store.pathway_choice(ana.id, viewer=ana.id) == "talk"
    tick = store.tick_step(
        ana.id,
        TALK,
        "read-think-pair-share",
        done=True,
        link=" https://example.org/tps ",
        note="Read it twice",
        by=ana.id,
    )
    assert (tick.link, tick.note) == ("https://example.org/tps", "Read it twice")
    ticks = store.pathway_ticks(ana.id, "talk", viewer=ana.id)
    assert ticks["read-think-pair-share"].done
    assert ticks["read-think-pair-share"].link == "https://example.org/tps"
    now = store.pathway_progress(ana.id, TALK, viewer=ana.id)
    assert (now.required_done, now.required_total) == (1, 2)
    assert now.state("reflect").status == "open"  # its prerequisite is done
    store.tick_step(ana.id, TALK, "plc", done=True, by=ana.id)
    assert store.pathway_progress(ana.id, TALK, viewer=ana.id).optional_done == 1
    store.tick_step(ana.id, TALK, "plc", done=False, by=ana.id)  # untick
    assert store.pathway_progress(ana.id, TALK, viewer=ana.id).optional_done == 0
    assert not store.pathway_ticks(ana.id, "talk", viewer=ana.id)["plc"].done
    # another pathway, and back: the ticks are kept per pathway
    store.choose_pathway(ana.id, "feedback", by=ana.id)
    assert store.pathway_ticks(ana.id, "feedback", viewer=ana.id) == {}
    store.choose_pathway(ana.id, "talk", by=ana.id)
    assert store.pathway_ticks(ana.id, "talk", viewer=ana.id)["read-think-pair-share"].done
    store.choose_pathway(ana.id, None, by=ana.id)
    assert store.pathway_choice(ana.id, viewer=ana.id) is None


def test_ticks_are_checked(school: School) -> None:
    store, ana = school.store, school.ana
    store.choose_pathway(ana.id, "talk", by=ana.id)
    with pytest.raises(StoreError, match="by itself"):
        store.tick_step(ana.id, TALK, "reflect", done=True, by=ana.id)
    chain = parse_definition(
        "kind: pathway\nid: chain\nschema_version: 1\ntitle: C\nschool_goal: talk\nsteps:\n"
        "  - {id: a, type: other, title: A, required: true}\n"
        "  - {id: b, type: plc, title: B, required: true, after: [a]}\n"
    )
    assert isinstance(chain, PathwayDefinition)
    store.choose_pathway(ana.id, "chain", by=ana.id)
    with pytest.raises(StoreError, match="waits for another one first: A"):
        store.tick_step(ana.id, chain, "b", done=True, by=ana.id)
    store.tick_step(ana.id, chain, "a", done=True, by=ana.id)
    store.tick_step(ana.id, chain, "b", done=True, by=ana.id)
    assert store.pathway_progress(ana.id, chain, viewer=ana.id).complete
    store.choose_pathway(ana.id, "talk", by=ana.id)
    with pytest.raises(StoreError, match="web links"):
        store.tick_step(ana.id, TALK, "plc", done=True, link="javascript:alert(1)", by=ana.id)
    with pytest.raises(StoreError, match="at most 500"):
        store.tick_step(ana.id, TALK, "plc", done=True, note="x" * 501, by=ana.id)
    with pytest.raises(StoreError, match="no step"):
        store.tick_step(ana.id, TALK, "nope", done=True, by=ana.id)
    with pytest.raises(StoreError, match="not a pathway's id"):
        store.choose_pathway(ana.id, "Not An Id!", by=ana.id)
    assert store.pathway_ticks(ana.id, "talk", viewer=ana.id) == {}  # nothing half-kept


def test_only_the_teacher_writes_and_reads_follow_the_goal(school: School) -> None:
    store, ana, ben, coach = school.store, school.ana, school.ben, school.coach
    with pytest.raises(AccessError):
        store.choose_pathway(ana.id, "talk", by=ben.id)
    with pytest.raises(AccessError):
        store.choose_pathway(ana.id, "talk", by=coach.id)
    store.choose_pathway(ana.id, "talk", by=ana.id)
    with pytest.raises(AccessError):
        store.tick_step(ana.id, TALK, "plc", done=True, by=coach.id)
    store.tick_step(ana.id, TALK, "plc", done=True, by=ana.id)
    # the goal is private: nobody else sees the path
    for viewer in (coach.id, ben.id, Viewer.steward()):
        with pytest.raises(AccessError):
            store.pathway_choice(ana.id, viewer=viewer)
        with pytest.raises(AccessError):
            store.pathway_progress(ana.id, TALK, viewer=viewer)
    assert store.pathway_choice(ana.id, viewer=Viewer.steward(include_private=True)) == "talk"
    # shared with the coach: the coach (and the steward) see it; a colleague still not
    store.set_visibility(ana.id, GOAL, "coach")
    assert store.pathway_choice(ana.id, viewer=coach.id) == "talk"
    assert store.pathway_progress(ana.id, TALK, viewer=coach.id).optional_done == 1
    assert store.pathway_ticks(ana.id, "talk", viewer=Viewer.steward())["plc"].done
    with pytest.raises(AccessError):
        store.pathway_ticks(ana.id, "talk", viewer=ben.id)


def test_steps_pdkit_sees_complete_themselves(school: School) -> None:
    store, ana, ben = school.store, school.ana, school.ben
    store.choose_pathway(ana.id, "talk", by=ana.id)
    start = store.pathway_facts(ana.id, TALK, viewer=ana.id)
    assert start.workbooks_done == frozenset()
    assert (start.presented, start.observations_received, start.observations_given) == ((), 0, 0)
    # a workbook: one of its reflections with every required answer saved
    store.record(ana.id, "what-so-what-now-what", {"so_what": "x"}, spec_version="w@1")
    assert not store.pathway_progress(ana.id, TALK, viewer=ana.id).state("reflect").done
    store.record(ana.id, "what-so-what-now-what", {"what": "They talked"}, spec_version="w@1")
    assert store.pathway_progress(ana.id, TALK, viewer=ana.id).state("reflect").done
    # a round in which she presented (a participant's role does not count)
    store.start_run(
        "default", "tuning", "tuning@1", {"g": {ben.id: "presenter", ana.id: "participant"}}, STATE
    )
    assert not store.pathway_progress(ana.id, TALK, viewer=ana.id).state("present").done
    store.start_run(
        "default", "tuning", "tuning@1", {"g": {ana.id: "presenter", ben.id: "participant"}}, STATE
    )
    facts = store.pathway_facts(ana.id, TALK, viewer=ana.id)
    assert facts.presented == ("tuning",)
    assert store.pathway_progress(ana.id, TALK, viewer=ana.id).state("present").done
    # an observation: a draft does not count, a sent one does (received by Ana, given by Ben)
    store.invite_observer(ana.id, ben.id)
    seen = store.start_observation(ben.id, ana.id, {"general": "Lively"})
    assert not store.pathway_progress(ana.id, TALK, viewer=ana.id).state("be-observed").done
    store.send_observation(seen.id, by=ben.id)
    now = store.pathway_progress(ana.id, TALK, viewer=ana.id)
    assert now.state("be-observed").done
    assert not now.state("observe-a-colleague").done
    assert store.pathway_facts(ben.id, TALK, viewer=ben.id).observations_given == 1
    # the required reading is still to tick: not complete until it is
    assert not now.complete
    store.tick_step(ana.id, TALK, "read-think-pair-share", done=True, by=ana.id)
    assert store.pathway_progress(ana.id, TALK, viewer=ana.id).complete
