"""Observations of teaching in the store (:mod:`pdkit.store._sql_observe`): the store
contract on every backend in ``_stores.BACKENDS`` — invitations, who may observe (an
uninvited colleague is refused, a withdrawn invitation ends a colleague's visits, the
teacher's coach may observe), who may read (the observer, the teacher once sent, the
coach only when shared, never another coach), the goal version in force and the rules'
bounds."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from _stores import BACKENDS, Opener
from pdkit.errors import AccessError, StoreError
from pdkit.observations import goal_look_fors
from pdkit.store import Participant, Store, Viewer
from pdkit.testing import FakeClock

GOAL = "goal-setting"
T0 = 1_800_000_000.0


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest) -> Iterator[Store]:
    opener: Opener = request.param
    opened = opener(request)
    yield opened
    opened.close()


@dataclass
class School:
    store: Store
    clock: FakeClock
    ana: Participant  # the observed teacher
    ben: Participant  # her colleague
    dee: Participant  # another colleague, never invited
    coach: Participant  # Ana's coach
    other_coach: Participant

    def goal(self, **values: object) -> None:
        self.store.record(self.ana.id, GOAL, values, spec_version="goal-setting@1")


@pytest.fixture
def school(store: Store, monkeypatch: pytest.MonkeyPatch) -> School:
    clock = FakeClock(T0, step=1.0)
    monkeypatch.setattr(store, "_clock", clock)
    ana, _ = store.create_participant("Ana")
    ben, _ = store.create_participant("Ben")
    dee, _ = store.create_participant("Dee")
    coach, _ = store.create_participant("Carla", role="coach")
    other, _ = store.create_participant("Omar", role="coach")
    store.assign_coach(coach.id, [ana.id])
    store.assign_coach(other.id, [ben.id])
    return School(store, clock, ana, ben, dee, coach, other)


def test_a_teacher_invites_a_colleague_from_her_sessions_and_withdraws(school: School) -> None:
    store, ana, ben = school.store, school.ana, school.ben
    colleagues = [p.display_name for p in store.observation_colleagues(ana.id, viewer=ana.id)]
    assert colleagues == ["Ben", "Dee"]  # teachers of her session, not coaches, not herself
    assert not store.may_observe(ben.id, ana.id, viewer=ana.id)
    invite = store.invite_observer(ana.id, ben.id)
    assert (invite.teacher, invite.peer) == (ana.id, ben.id)
    assert store.may_observe(ben.id, ana.id, viewer=ana.id)
    assert store.observable(ben.id, viewer=ben.id) == [ana.id]
    assert [i.peer for i in store.invitations(ana.id, viewer=ana.id)] == [ben.id]
    with pytest.raises(AccessError):
        store.invitations(ana.id, viewer=ben.id)
    store.withdraw_invitation(ana.id, ben.id)
    assert not store.may_observe(ben.id, ana.id, viewer=ana.id)
    assert store.invitations(ana.id, viewer=ana.id) == []
    assert store.observable(ben.id, viewer=ben.id) == []


def test_only_colleagues_of_her_sessions_can_be_invited(school: School) -> None:
    store, ana = school.store, school.ana
    with pytest.raises(StoreError, match="yourself"):
        store.invite_observer(ana.id, ana.id)
    with pytest.raises(StoreError, match="not a colleague"):
        store.invite_observer(ana.id, school.coach.id)
    other, _ = store.create_session("Other day")
    stranger, _ = store.create_participant("Stan", session=other.id)
    with pytest.raises(StoreError, match="not a colleague"):
        store.invite_observer(ana.id, stranger.id)


def test_an_uninvited_colleague_is_refused_below_the_ui(school: School) -> None:
    store, ana, dee = school.store, school.ana, school.dee
    with pytest.raises(AccessError, match="invitation"):
        store.start_observation(dee.id, ana.id)
    with pytest.raises(AccessError):
        store.observation_goal(ana.id, viewer=dee.id)
    with pytest.raises(AccessError):  # another teacher's coach is no coach of hers
        store.start_observation(school.other_coach.id, ana.id)


def test_a_withdrawn_invitation_stops_the_draft_and_its_sending(school: School) -> None:
    store, ana, ben = school.store, school.ana, school.ben
    store.invite_observer(ana.id, ben.id)
    draft = store.start_observation(ben.id, ana.id, {"general": "Warm start"})
    store.withdraw_invitation(ana.id, ben.id)
    with pytest.raises(AccessError):
        store.write_observation(draft.id, {"general": "more"}, by=ben.id)
    with pytest.raises(AccessError):
        store.send_observation(draft.id, by=ben.id)
    # what he wrote stays his own to read; the teacher never got it
    assert store.observation(draft.id, viewer=ben.id).notes["general"] == "Warm start"
    assert store.observations_of(ana.id, viewer=ana.id) == []
    store.invite_observer(ana.id, ben.id)  # invited again: he may go on
    store.write_observation(draft.id, {"general": "more"}, by=ben.id)


def test_a_peer_observes_with_the_goal_s_look_fors_and_sends(school: School) -> None:
    store, ana, ben = school.store, school.ana, school.ben
    school.goal(
        goal="Most students explain their reasoning",
        point_b="Two thirds talk in pairs",
        action_steps=["Think-pair-share daily", ""],
        point_a="private detail not a look-for",
    )
    store.invite_observer(ana.id, ben.id)
    goal = store.observation_goal(ana.id, viewer=ben.id)  # the invitation shows the goal
    assert "point_a" not in goal
    look_fors = [lf.as_json() for lf in goal_look_fors(goal)]
    assert [lf["id"] for lf in look_fors] == ["goal", "point_b", "step_1"]
    made = store.start_observation(ben.id, ana.id, {"date": "2026-12-03", "look_fors": look_fors})
    assert made.goal_version == 1
    assert made.sent_at is None
    assert made.observer == ben.id
    with pytest.raises(AccessError):  # a draft is the observer's alone
        store.observation(made.id, viewer=ana.id)
    store.write_observation(
        made.id,
        {"marks": {"step_1": {"seen": "seen", "note": "Pairs at 10:05"}}, "glow": "Calm"},
        by=ben.id,
    )
    store.write_observation(made.id, {"grow": "Wait longer"}, by=ben.id)
    with pytest.raises(AccessError):
        store.write_observation(made.id, {"grow": "x"}, by=ana.id)
    sent = store.send_observation(made.id, by=ben.id)
    assert sent.sent
    seen = store.observation(made.id, viewer=ana.id)
    assert seen.day == "2026-12-03"
    assert seen.marks == {"step_1": {"seen": "seen", "note": "Pairs at 10:05"}}
    assert (seen.notes["glow"], seen.notes["grow"]) == ("Calm", "Wait longer")
    assert [lf["id"] for lf in seen.look_fors] == ["goal", "point_b", "step_1"]
    with pytest.raises(StoreError, match="no longer changes"):
        store.write_observation(made.id, {"grow": "later"}, by=ben.id)


def test_the_goal_version_in_force_is_linked(school: School) -> None:
    store, ana = school.store, school.ana
    assert store.goal_version(ana.id, viewer=ana.id) is None
    first = store.start_observation(school.coach.id, ana.id)
    assert first.goal_version is None
    school.goal(goal="v1")
    store.start_revision(ana.id, GOAL)
    school.goal(goal="v2")
    assert store.goal_version(ana.id, viewer=ana.id) == 2
    second = store.start_observation(school.coach.id, ana.id)
    assert second.goal_version == 2
    school.clock.now += 3600  # a third version, before the first observation is sent
    school.goal(goal="v3")
    assert store.send_observation(first.id, by=school.coach.id).goal_version == 3


def test_the_coach_reads_it_only_as_the_teacher_shares_it(school: School) -> None:
    store, ana, ben, coach = school.store, school.ana, school.ben, school.coach
    school.goal(goal="Talk")
    store.invite_observer(ana.id, ben.id)
    obs = store.send_observation(store.start_observation(ben.id, ana.id).id, by=ben.id)
    # default: as the goal is shared; the goal is private
    assert store.observations_of(ana.id, viewer=coach.id) == []
    with pytest.raises(AccessError):
        store.observation(obs.id, viewer=coach.id)
    store.share_observation(obs.id, "coach", by=ana.id)
    assert [o.id for o in store.observations_of(ana.id, viewer=coach.id)] == [obs.id]
    assert store.observations_of(ana.id, viewer=school.other_coach.id) == []
    assert store.observations_of(ana.id, viewer=school.dee.id) == []
    with pytest.raises(AccessError):  # only the teacher shares it
        store.share_observation(obs.id, "private", by=ben.id)
    store.share_observation(obs.id, "private", by=ana.id)
    assert store.observations_of(ana.id, viewer=coach.id) == []
    store.share_observation(obs.id, "goal", by=ana.id)
    store.set_visibility(ana.id, GOAL, "coach")  # the goal shared: the observation follows
    assert store.observation(obs.id, viewer=coach.id).share == "goal"
    with pytest.raises(StoreError):
        store.share_observation(obs.id, "everyone", by=ana.id)


def test_a_coach_observes_any_time_and_sees_the_goal_only_when_shared(school: School) -> None:
    store, ana, coach = school.store, school.ana, school.coach
    school.goal(goal="Talk more", measure_instrument="Weekly exit ticket")
    assert store.may_observe(coach.id, ana.id, viewer=ana.id)
    assert store.observable(coach.id, viewer=coach.id) == [ana.id]
    assert store.observation_goal(ana.id, viewer=coach.id) == {}  # goal private
    store.set_visibility(ana.id, GOAL, "coach")
    goal = store.observation_goal(ana.id, viewer=coach.id)
    assert [lf.id for lf in goal_look_fors(goal)] == ["goal", "measure"]
    made = store.send_observation(store.start_observation(coach.id, ana.id).id, by=coach.id)
    assert [o.id for o in store.observations_by(coach.id, viewer=coach.id)] == [made.id]
    assert [o.id for o in store.observations_of(ana.id, viewer=ana.id)] == [made.id]


def test_newest_first_and_the_steward(school: School) -> None:
    store, ana, coach = school.store, school.ana, school.coach
    ids = [store.start_observation(coach.id, ana.id).id for _ in range(3)]
    for oid in ids[:2]:
        store.send_observation(oid, by=coach.id)
    assert [o.id for o in store.observations_of(ana.id, viewer=ana.id)] == ids[1::-1]
    assert store.observations_of(ana.id, viewer=Viewer.steward()) == []
    store.share_observation(ids[0], "coach", by=ana.id)
    assert [o.id for o in store.observations_of(ana.id, viewer=Viewer.steward())] == [ids[0]]
    every = store.observations_of(ana.id, viewer=Viewer.steward(include_private=True))
    assert [o.id for o in every] == ids[::-1]
    assert store.observations_of(ana.id, viewer=Viewer.facilitator("default")) == []


@pytest.mark.parametrize(
    "notes",
    [
        {"mood": "x"},
        {"date": "tomorrow"},
        {"general": "x" * 5001},
        {"general": 3},
        {"look_fors": [{"id": "Bad Id", "text": "x", "source": "own"}]},
        {"look_fors": [{"id": "a", "text": "x", "source": "own"}] * 2},
        {"look_fors": [{"id": f"a{n}", "text": "x", "source": "own"} for n in range(41)]},
        {"look_fors": [{"id": "a", "text": "x" * 301, "source": "own"}]},
        {"marks": {"a": {"seen": "maybe"}}},
        {"marks": {"a": {"seen": "seen", "note": "x" * 5001}}},
    ],
)
def test_bad_notes_are_refused_and_nothing_is_stored(
    school: School, notes: dict[str, object]
) -> None:
    store, ana, coach = school.store, school.ana, school.coach
    made = store.start_observation(coach.id, ana.id, {"general": "kept"})
    with pytest.raises(StoreError):
        store.write_observation(made.id, notes, by=coach.id)
    assert store.observation(made.id, viewer=coach.id).notes == {"general": "kept"}


def test_who_observes_whom_is_read_only_by_those_it_is_about(school: School) -> None:
    """Every read names its viewer: whom a teacher may invite, whom a colleague may
    observe, whether one may observe another and the goal's version are not for others."""
    store, ana, ben, dee = school.store, school.ana, school.ben, school.dee
    school.goal(goal="Open questions")
    store.invite_observer(ana.id, ben.id)
    with pytest.raises(AccessError):
        store.observation_colleagues(ana.id, viewer=dee.id)
    with pytest.raises(AccessError):
        store.observable(ben.id, viewer=dee.id)
    with pytest.raises(AccessError):
        store.may_observe(ben.id, ana.id, viewer=dee.id)
    assert store.may_observe(ben.id, ana.id, viewer=ben.id)
    with pytest.raises(AccessError):
        store.goal_version(ana.id, viewer=dee.id)  # her goal is private, Dee not invited
    assert store.goal_version(ana.id, viewer=ben.id) == 1  # invited: his notes link to it
    assert store.goal_version(ana.id, viewer=school.coach.id) == 1  # her coach may observe
    assert store.goal_version(ana.id, viewer=Viewer.steward()) == 1
    assert store.observable(ben.id, viewer=Viewer.steward()) == [ana.id]
