"""Micro-credentials in the store (:mod:`pdkit.store._sql_credentials`): the store
contract on every backend in ``_stores.BACKENDS`` — submitting, returning, submitting
again (every version kept), awarding with the signed credential; who assesses (coach,
named reviewers); who may read (the teacher and the assessors only: a peer, another
coach, a facilitator and the steward are refused, however they ask); student data stays
with the coach; counts only for exports."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace

import pytest

from _stores import BACKENDS, Opener
from pdkit.credentials import SubmissionItem
from pdkit.definitions import CredentialDefinition, load_credential, load_pathway
from pdkit.errors import AccessError, CredentialError
from pdkit.store import Participant, Store, Viewer
from pdkit.testing import FakeClock

T0 = 1_800_000_000.0
GOOD = {"questions": "proficient", "talk-grows": "exemplary", "uses-feedback": "proficient"}
LOW = {**GOOD, "uses-feedback": "developing"}


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest) -> Iterator[Store]:
    opener: Opener = request.param
    opened = opener(request)
    yield opened
    opened.close()


@dataclass
class School:
    store: Store
    ana: Participant  # the teacher who submits
    ben: Participant  # her peer
    coach: Participant  # Ana's coach
    other_coach: Participant  # Ben's coach
    talk: CredentialDefinition


def items(*, student_data: bool = False) -> list[SubmissionItem]:
    return [
        SubmissionItem("goal", "goal_version", "goal@1", "Goal, version 1", "Ask questions"),
        SubmissionItem("goal", "goal_version", "goal@2", "Goal, version 2", "Ask open questions"),
        SubmissionItem("measure", "check_in", "checkin@1", "Check-in 1: 6 students", measure=True),
        SubmissionItem("measure", "check_in", "checkin@2", "Check-in 2: 14 students", measure=True),
        SubmissionItem("feedback", "feedback", "feedback:1", "Ben: try wait time", "Revised in v2"),
        SubmissionItem(
            "evidence",
            "evidence",
            "plan",
            "Question plan",
            "Two open questions",
            student_data=student_data,
        ),
        SubmissionItem("reflection", "reflection", "reflection", "Reflection", "More talk now"),
    ]


@pytest.fixture
def school(store: Store, monkeypatch: pytest.MonkeyPatch) -> School:
    monkeypatch.setattr(store, "_clock", FakeClock(T0, step=1.0))
    ana, _ = store.create_participant("Ana")
    ben, _ = store.create_participant("Ben")
    coach, _ = store.create_participant("Carla", role="coach")
    other, _ = store.create_participant("Omar", role="coach")
    store.assign_coach(coach.id, [ana.id])
    store.assign_coach(other.id, [ben.id])
    return School(store, ana, ben, coach, other, load_credential("questioning-for-talk"))


def test_submit_return_resubmit_award_keeps_every_version(school: School) -> None:
    store, ana, coach, talk = school.store, school.ana, school.coach, school.talk
    first = store.submit_credential(ana.id, talk, items(), {"goal": "I revised my goal"})
    assert (first.state, first.assessors, len(first.versions)) == ("submitted", (coach.id,), 1)
    assert first.latest.statements == {"goal": "I revised my goal"}
    with pytest.raises(CredentialError, match="waiting for its assessor"):
        store.submit_credential(ana.id, talk, items(), {})
    with pytest.raises(CredentialError, match="needs a comment"):
        store.assess_submission(first.id, talk, scores=LOW, decision="return", by=coach.id)
    with pytest.raises(CredentialError, match="passing level"):
        store.assess_submission(first.id, talk, scores=LOW, decision="award", by=coach.id)
    returned = store.assess_submission(
        first.id,
        talk,
        scores=LOW,
        decision="return",
        comment="Show the feedback trace",
        by=coach.id,
    )
    assert returned.state == "returned"
    assert returned.assessments[0].comment == "Show the feedback trace"
    assert returned.assessments[0].scores == LOW
    with pytest.raises(CredentialError, match="already returned"):
        store.assess_submission(first.id, talk, scores=GOOD, decision="award", by=coach.id)
    again = store.submit_credential(ana.id, talk, items(), {"feedback": "v2 answers Ben"})
    assert again.id == first.id
    assert [v.number for v in again.versions] == [1, 2]
    assert again.versions[0].statements == {"goal": "I revised my goal"}  # kept as it was
    assert again.state == "submitted"
    awarded = store.assess_submission(
        first.id,
        talk,
        scores=GOOD,
        decision="award",
        comment="Well done",
        by=coach.id,
        token="a.b.c",
    )
    assert (awarded.state, awarded.token) == ("awarded", "a.b.c")
    assert [a.version for a in awarded.assessments] == [1, 2]
    assert awarded.issued_at is not None
    with pytest.raises(CredentialError, match="already awarded"):
        store.submit_credential(ana.id, talk, items(), {})
    assert store.credential_counts(viewer=Viewer.steward()) == {
        "questioning-for-talk": {"submitted": 0, "returned": 0, "awarded": 1}
    }


def test_a_submission_must_meet_the_requirements_and_be_checked(school: School) -> None:
    store, ana, talk = school.store, school.ana, school.talk
    with pytest.raises(CredentialError, match="does not meet every requirement: measure"):
        store.submit_credential(ana.id, talk, [i for i in items() if i.ref != "checkin@2"], {})
    with pytest.raises(CredentialError, match="asks for evidence"):
        store.submit_credential(ana.id, talk, [replace(items()[5], kind="reflection")], {})
    sub = store.submit_credential(ana.id, talk, items(), {})
    with pytest.raises(CredentialError, match="not a level"):
        store.assess_submission(
            sub.id, talk, scores={**GOOD, "questions": "x"}, decision="award", by=school.coach.id
        )
    with pytest.raises(CredentialError, match="decide award or return"):
        store.assess_submission(sub.id, talk, scores=GOOD, decision="maybe", by=school.coach.id)
    feedback = load_credential("feedback-moves-learning")
    with pytest.raises(CredentialError, match="is for 'questioning-for-talk'"):
        store.assess_submission(sub.id, feedback, scores={}, decision="award", by=school.coach.id)
    assert store.credential_counts(viewer=Viewer.steward()) == {
        "questioning-for-talk": {"submitted": 1, "returned": 0, "awarded": 0}
    }


def test_only_the_teacher_and_her_assessors_read_a_submission(school: School) -> None:
    store, ana, ben, coach, other = (
        school.store,
        school.ana,
        school.ben,
        school.coach,
        school.other_coach,
    )
    sub = store.submit_credential(ana.id, school.talk, items(), {"goal": "private words"})
    assert store.submission(sub.id, viewer=ana.id).id == sub.id
    assert store.submission(sub.id, viewer=Viewer.of(coach.id)).id == sub.id
    outsiders = [
        ben.id,
        other.id,
        Viewer.facilitator("default"),
        Viewer.steward(include_private=True),
    ]
    for outsider in outsiders:
        with pytest.raises(AccessError, match="shared with its assessors only"):
            store.submission(sub.id, viewer=outsider)
        assert store.submissions_of(ana.id, viewer=outsider) == []
    assert [s.id for s in store.submissions_of(ana.id, viewer=coach.id)] == [sub.id]
    assert [s.id for s in store.submissions_to_assess(coach.id, viewer=coach.id)] == [sub.id]
    assert store.submissions_to_assess(other.id, viewer=other.id) == []
    with pytest.raises(AccessError):  # asking as someone else
        store.submissions_to_assess(coach.id, viewer=ben.id)
    with pytest.raises(AccessError):  # a peer cannot decide either
        store.assess_submission(sub.id, school.talk, scores={}, decision="award", by=ben.id)
    with pytest.raises(AccessError, match="does not assess"):  # nor the teacher herself
        store.assess_submission(sub.id, school.talk, scores=GOOD, decision="award", by=ana.id)
    with pytest.raises(AccessError):
        store.assess_submission(sub.id, school.talk, scores=GOOD, decision="award", by=other.id)
    # a coach assigned to Ana later is not an assessor of a submission already made
    store.assign_coach(other.id, [ana.id])
    with pytest.raises(AccessError):
        store.submission(sub.id, viewer=other.id)
    assert "private words" not in repr(store.credential_counts(viewer=Viewer.steward()))
    for asker in (ana.id, coach.id, Viewer.facilitator("default")):
        with pytest.raises(AccessError):
            store.credential_counts(viewer=asker)


def test_named_reviewers_and_student_data(school: School) -> None:
    store, ana, ben, coach = school.store, school.ana, school.ben, school.coach
    reviewed = replace(school.talk, id="reviewed", reviewers=("Ben",))
    assert store.credential_assessors(ana.id, reviewed) == [coach.id, ben.id]
    only_ben = replace(reviewed, coach_assesses=False)
    assert store.credential_assessors(ana.id, only_ben) == [ben.id]
    with pytest.raises(CredentialError, match="student data"):
        store.submit_credential(ana.id, reviewed, items(student_data=True), {})
    # coach-level: student data may go to the coach
    kept = store.submit_credential(ana.id, school.talk, items(student_data=True), {})
    assert kept.latest.items[5].student_data
    # an evidence item's flag is read from the store, whatever the page says
    exit_tickets = store.add_evidence(
        ana.id, kind="student_work", caption="Exit tickets", text="12 of 25 right"
    )
    assert exit_tickets.student_data
    sneaky = [
        *items()[:5],
        SubmissionItem("evidence", "evidence", exit_tickets.id, "Plan"),
        items()[6],
    ]
    with pytest.raises(CredentialError, match="student data"):
        store.submit_credential(ana.id, only_ben, sneaky, {})
    bens = store.add_evidence(
        ben.id, kind="survey", caption="Ben's", text="A survey", student_data=False
    )
    stolen = [*items()[:5], SubmissionItem("evidence", "evidence", bens.id, "Mine"), items()[6]]
    with pytest.raises(AccessError, match="not yours"):
        store.submit_credential(ana.id, only_ben, stolen, {})
    nobody = replace(school.talk, id="nobody", reviewers=("Nobody",), coach_assesses=False)
    with pytest.raises(CredentialError, match="not found"):
        store.credential_assessors(ana.id, nobody)
    no_coach = replace(school.talk, id="x")
    dee, _ = store.create_participant("Dee")
    with pytest.raises(CredentialError, match="no coach is assigned"):
        store.submit_credential(dee.id, no_coach, items(), {})


def test_an_award_without_a_key_is_issued_later_once(school: School) -> None:
    store, ana, ben, coach, talk = school.store, school.ana, school.ben, school.coach, school.talk
    sub = store.submit_credential(ana.id, talk, items(), {})
    with pytest.raises(CredentialError, match="only an awarded submission"):
        store.issue_credential(sub.id, "early.token.x", by=coach.id)
    awarded = store.assess_submission(sub.id, talk, scores=GOOD, decision="award", by=coach.id)
    assert (awarded.state, awarded.token) == ("awarded", None)
    with pytest.raises(AccessError):
        store.issue_credential(sub.id, "forged.token.x", by=ben.id)
    with pytest.raises(AccessError):
        store.issue_credential(sub.id, "self.made.x", by=ana.id)
    issued = store.issue_credential(sub.id, "first.token.x", by=coach.id)
    assert issued.token == "first.token.x"
    assert store.issue_credential(sub.id, "second.token.x", by=coach.id).token == "first.token.x"


def test_an_award_completes_the_pathway_step_that_names_it(school: School) -> None:
    """A pathway's ``credential`` step completes itself once an assessor awards the
    micro-credential it names (a submission, or one returned, does not count)."""
    store, ana, coach, talk = school.store, school.ana, school.coach, school.talk
    pathway = load_pathway("talk")
    store.record(ana.id, "goal-setting", {"school_goal": "talk", "goal": "Talk"}, spec_version="g")
    store.choose_pathway(ana.id, "talk", by=ana.id)

    def step_done() -> bool:
        state = store.pathway_progress(ana.id, pathway, viewer=ana.id).state("credential")
        assert state.observed  # pdkit sees it: the teacher never ticks it
        return state.done

    assert not step_done()
    sub = store.submit_credential(ana.id, talk, items(), {})
    store.assess_submission(
        sub.id, talk, scores=LOW, decision="return", comment="More", by=coach.id
    )
    assert not step_done()
    store.submit_credential(ana.id, talk, items(), {})
    store.assess_submission(sub.id, talk, scores=GOOD, decision="award", by=coach.id)
    assert step_done()
    ben = school.ben  # her award is hers: nothing changes for a colleague on the pathway
    store.record(ben.id, "goal-setting", {"school_goal": "talk", "goal": "Talk"}, spec_version="g")
    store.choose_pathway(ben.id, "talk", by=ben.id)
    assert not store.pathway_progress(ben.id, pathway, viewer=ben.id).state("credential").done
