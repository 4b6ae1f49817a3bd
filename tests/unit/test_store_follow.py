"""The weeks after a session, in the store (:mod:`pdkit.store._sql_follow`): the store
contract on every backend in ``_stores.BACKENDS`` — check-in schedules and plans, the
thread between a teacher and their coaches, goal statuses, contacts and the reminders
log, and who may read each."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest

from _stores import BACKENDS, SHARED_BACKENDS, Opener
from pdkit._process import gone, this_process
from pdkit.errors import AccessError, StoreError
from pdkit.followup import DONE, DUE, OVERDUE, UPCOMING
from pdkit.store import Participant, Store, Viewer, open_store
from pdkit.testing import FakeClock

DAY = date(2026, 12, 2)
GOAL = "goal-setting"
CHECKIN = "exit-ticket"


def noon(day: date) -> float:
    return datetime(day.year, day.month, day.day, 12).timestamp()


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest) -> Iterator[Store]:
    opener: Opener = request.param
    opened = opener(request)
    yield opened
    opened.close()


@dataclass
class Cycle:
    store: Store
    clock: FakeClock
    ana: Participant
    ben: Participant
    coach: Participant
    other_coach: Participant

    def checkin(self, who: Participant, day: date, progress: int) -> None:
        self.clock.now = noon(day)
        self.store.record(who.id, CHECKIN, {"progress": progress}, spec_version="e@1")


@pytest.fixture
def cycle(store: Store, monkeypatch: pytest.MonkeyPatch) -> Cycle:
    clock = FakeClock(noon(DAY), step=0)
    monkeypatch.setattr(store, "_clock", clock)
    ana, _ = store.create_participant("Ana")
    ben, _ = store.create_participant("Ben")
    coach, _ = store.create_participant("Carla", role="coach")
    other, _ = store.create_participant("Omar", role="coach")
    store.assign_coach(coach.id, [ana.id])
    return Cycle(store, clock, ana, ben, coach, other)


# --------------------------------------------------------------------------- schedules


def test_a_session_s_schedule_is_kept_and_replaced(cycle: Cycle) -> None:
    store = cycle.store
    assert store.checkin_schedule("default") is None
    dates = [DAY + timedelta(weeks=n) for n in (4, 2, 6, 2)]
    made = store.set_checkin_schedule("default", DAY, dates)
    assert made.dates == tuple(sorted(set(dates)))
    assert store.checkin_schedule("default") == made
    store.set_checkin_schedule("default", DAY, [DAY + timedelta(days=10)])
    again = store.checkin_schedule("default")
    assert again is not None
    assert again.dates == (DAY + timedelta(days=10),)


def test_a_schedule_belongs_to_a_known_session_and_comes_after_its_day(cycle: Cycle) -> None:
    with pytest.raises(StoreError, match="no session 'nope'"):
        cycle.store.set_checkin_schedule("nope", DAY, [DAY + timedelta(days=1)])
    with pytest.raises(StoreError, match="after the session day"):
        cycle.store.set_checkin_schedule("default", DAY, [DAY])
    session, _key = cycle.store.create_session("Spring PD")
    cycle.store.set_checkin_schedule(session.id, DAY, [DAY + timedelta(weeks=2)])
    assert cycle.store.checkin_schedule("default") is None  # each session its own


# --------------------------------------------------------------------------- check-ins


def test_a_teacher_s_plan_follows_their_check_ins(cycle: Cycle) -> None:
    store = cycle.store
    store.set_checkin_schedule("default", DAY, [DAY + timedelta(weeks=n) for n in (2, 4, 6)])
    cycle.checkin(cycle.ana, DAY, 1)  # the session day's exit ticket
    cycle.checkin(cycle.ana, DAY + timedelta(days=16), 2)  # a new sitting: a new check-in
    assert len(store.checkin_times(cycle.ana.id)) == 2

    plan = store.checkin_plan(cycle.ana.id, DAY + timedelta(weeks=5), viewer=cycle.ana.id)

    assert [d.state for d in plan.dates] == [DONE, OVERDUE, UPCOMING]
    assert plan.dates[0].done_at == noon(DAY + timedelta(days=16))
    nothing = store.checkin_plan(cycle.ben.id, DAY + timedelta(days=1), viewer=cycle.ben.id)
    assert [d.state for d in nothing.dates] == [DUE, UPCOMING, UPCOMING]


def test_the_teacher_s_own_date_counts_only_for_who_may_see_the_goal(cycle: Cycle) -> None:
    store = cycle.store
    store.set_checkin_schedule("default", DAY, [DAY + timedelta(weeks=4)])
    own = DAY + timedelta(days=10)
    store.record(cycle.ana.id, GOAL, {"target_date": own.isoformat()}, spec_version="g@1")
    mine = store.checkin_plan(cycle.ana.id, DAY, viewer=cycle.ana.id)
    assert [d.due for d in mine.dates] == [own, DAY + timedelta(weeks=4)]
    coach_view = store.checkin_plan(cycle.ana.id, DAY, viewer=cycle.coach.id)
    assert [d.due for d in coach_view.dates] == [DAY + timedelta(weeks=4)]  # private goal
    store.set_visibility(cycle.ana.id, GOAL, "coach")
    coach_view = store.checkin_plan(cycle.ana.id, DAY, viewer=cycle.coach.id)
    assert [d.due for d in coach_view.dates] == [own, DAY + timedelta(weeks=4)]


# --------------------------------------------------------------------------- comments


def test_a_coach_and_their_teacher_talk_in_one_thread(cycle: Cycle) -> None:
    store = cycle.store
    first = store.add_comment(cycle.coach.id, cycle.ana.id, "  How will you count questions?  ")
    cycle.clock.now += 60
    reply = store.add_comment(cycle.ana.id, cycle.ana.id, "Tallies on Fridays.")
    assert first.text == "How will you count questions?"
    assert first.form == GOAL
    thread = store.comments(cycle.ana.id, viewer=cycle.ana.id)
    assert [(c.author, c.text) for c in thread] == [
        (cycle.coach.id, "How will you count questions?"),
        (cycle.ana.id, "Tallies on Fridays."),
    ]
    assert thread[1] == reply
    assert store.comments(cycle.ana.id, viewer=cycle.coach.id) == thread
    assert store.comments(cycle.ana.id, viewer=Viewer.steward()) == thread


@pytest.mark.parametrize("who", ["ben", "other_coach", "facilitator"])
def test_nobody_else_reads_or_writes_the_thread(cycle: Cycle, who: str) -> None:
    store = cycle.store
    store.add_comment(cycle.coach.id, cycle.ana.id, "Private to us")
    viewer = Viewer.facilitator("default") if who == "facilitator" else getattr(cycle, who).id
    with pytest.raises(AccessError):
        store.comments(cycle.ana.id, viewer=viewer)
    if who != "facilitator":
        with pytest.raises(AccessError, match="not a coach of"):
            store.add_comment(getattr(cycle, who).id, cycle.ana.id, "Let me in")


@pytest.mark.parametrize(
    ("text", "why"), [("   ", "write the comment first"), ("x" * 5001, "at most 5,000")]
)
def test_an_empty_or_huge_comment_is_refused(cycle: Cycle, text: str, why: str) -> None:
    with pytest.raises(StoreError, match=why):
        cycle.store.add_comment(cycle.coach.id, cycle.ana.id, text)
    assert cycle.store.comments(cycle.ana.id, viewer=cycle.ana.id) == []


# --------------------------------------------------------------------------- goal status


def test_a_goal_is_agreed_with_the_coach_then_met(cycle: Cycle) -> None:
    store, ana, coach = cycle.store, cycle.ana, cycle.coach
    store.record(ana.id, GOAL, {"goal": "Students ask"}, spec_version="g@1")
    assert store.goal_status(ana.id, viewer=ana.id).status == "draft"
    with pytest.raises(StoreError, match="your coach cannot see your goal yet"):
        store.set_goal_status(ana.id, "asked", by=ana.id)
    store.set_visibility(ana.id, GOAL, "coach")
    store.set_goal_status(ana.id, "asked", by=ana.id)
    cycle.clock.now += 10
    store.set_goal_status(ana.id, "draft", by=coach.id, note="Add a measure")
    store.set_goal_status(ana.id, "asked", by=ana.id)
    store.set_goal_status(ana.id, "agreed", by=coach.id)
    store.set_goal_status(ana.id, "active", by=ana.id)
    store.set_goal_status(ana.id, "met", by=coach.id, note="8 of 10 ask daily")
    history = store.goal_statuses(ana.id, viewer=coach.id)
    assert [(s.status, s.by) for s in history] == [
        ("asked", ana.id),
        ("draft", coach.id),
        ("asked", ana.id),
        ("agreed", coach.id),
        ("active", ana.id),
        ("met", coach.id),
    ]
    assert history[1].note == "Add a measure"
    assert store.goal_status(ana.id, viewer=ana.id).status == "met"


@pytest.mark.parametrize(
    ("moves", "last", "why"),
    [
        ([], ("agreed", "coach"), "a coach cannot change a goal that is draft"),
        ([], ("met", "teacher"), "a teacher cannot make a goal that is draft met"),
        ([("asked", "teacher")], ("agreed", "teacher"), "cannot make a goal that is asked"),
        ([], ("finished", "teacher"), "'finished' is not a goal status"),
    ],
)
def test_only_the_moves_of_a_co_constructed_goal(
    cycle: Cycle, moves: list[tuple[str, str]], last: tuple[str, str], why: str
) -> None:
    store = cycle.store
    store.set_visibility(cycle.ana.id, GOAL, "coach")
    people = {"teacher": cycle.ana.id, "coach": cycle.coach.id}
    for status, role in moves:
        store.set_goal_status(cycle.ana.id, status, by=people[role])
    with pytest.raises(StoreError, match=why):
        store.set_goal_status(cycle.ana.id, last[0], by=people[last[1]])


def test_a_stranger_moves_no_goal_and_sees_no_status(cycle: Cycle) -> None:
    store = cycle.store
    with pytest.raises(AccessError, match="neither"):
        store.set_goal_status(cycle.ana.id, "asked", by=cycle.other_coach.id)
    with pytest.raises(AccessError):
        store.goal_status(cycle.ana.id, viewer=cycle.ben.id)
    assert store.goal_status(cycle.ana.id, viewer=cycle.coach.id).status == "draft"


def test_a_teacher_without_a_coach_is_told_how_to_get_one(cycle: Cycle) -> None:
    cycle.store.set_visibility(cycle.ben.id, GOAL, "session")
    with pytest.raises(StoreError, match="you have no coach yet"):
        cycle.store.set_goal_status(cycle.ben.id, "asked", by=cycle.ben.id)


def test_a_new_version_of_an_agreed_goal_makes_it_revised(cycle: Cycle) -> None:
    store, ana = cycle.store, cycle.ana
    store.set_visibility(ana.id, GOAL, "coach")
    store.set_goal_status(ana.id, "asked", by=ana.id)
    store.set_goal_status(ana.id, "agreed", by=cycle.coach.id)
    store.start_revision(ana.id, GOAL)
    assert store.goal_status(ana.id, viewer=ana.id).status == "revised"
    store.set_goal_status(ana.id, "asked", by=ana.id)  # agreed again, as a new version
    store.start_revision(ana.id, GOAL)  # asked, not agreed: stays asked
    assert store.goal_status(ana.id, viewer=ana.id).status == "asked"


# --------------------------------------------------------------------------- contacts


def test_an_address_is_given_with_consent_and_taken_back(cycle: Cycle) -> None:
    store, ana = cycle.store, cycle.ana
    assert store.contact(ana.id, viewer=ana.id) is None
    made = store.set_contact(ana.id, " ana@school.org ")
    assert made.email == "ana@school.org"
    assert made.reachable
    store.opt_out(ana.id)
    found = store.contact(ana.id, viewer=Viewer.steward())
    assert found is not None
    assert not found.reachable
    store.set_contact(ana.id, "ana@school.org")  # consents again
    again = store.contact(ana.id, viewer=ana.id)
    assert again is not None
    assert again.reachable


@pytest.mark.parametrize(
    "email", ["ana", "ana@", "@school.org", "ana@school", "a b@school.org", "x" * 300 + "@s.org"]
)
def test_what_is_not_an_address_is_refused(cycle: Cycle, email: str) -> None:
    with pytest.raises(StoreError, match="is not an email address"):
        cycle.store.set_contact(cycle.ana.id, email)


def test_an_address_is_read_by_its_owner_and_the_steward_only(cycle: Cycle) -> None:
    cycle.store.set_contact(cycle.ana.id, "ana@school.org")
    for viewer in (cycle.coach.id, cycle.ben.id, Viewer.facilitator("default")):
        with pytest.raises(AccessError):
            cycle.store.contact(cycle.ana.id, viewer=viewer)


# --------------------------------------------------------------------------- reminders


def test_each_reminder_is_claimed_once_and_a_stopped_sender_s_claim_is_taken_over(
    cycle: Cycle,
) -> None:
    store, ana = cycle.store, cycle.ana
    due = DAY + timedelta(weeks=2)
    assert store.claim_reminder(ana.id, due, "email")
    assert not store.claim_reminder(ana.id, due, "email")  # another sender is on it
    cycle.clock.now += 601  # that sender stopped before it finished
    assert store.claim_reminder(ana.id, due, "email")
    store.reminder_sent(ana.id, due, "email")
    cycle.clock.now += 10_000
    assert not store.claim_reminder(ana.id, due, "email")  # sent: never again
    assert store.claim_reminder(ana.id, due + timedelta(weeks=2), "email")  # the next date
    assert store.reminders(ana.id) == [
        (ana.id, due, "email", "sent"),
        (ana.id, due + timedelta(weeks=2), "email", "sending"),
    ]
    with pytest.raises(StoreError, match="not a reminder channel"):
        store.claim_reminder(ana.id, due, "pigeon")


def test_reminders_are_claimed_in_batches_with_the_same_rule(cycle: Cycle) -> None:
    store, ana, ben = cycle.store, cycle.ana, cycle.ben
    due = DAY + timedelta(weeks=2)
    assert store.claim_reminder(ana.id, due, "email")
    store.reminder_sent(ana.id, due, "email")
    assert store.claim_reminder(ben.id, due, "email")  # another sender is on Ben's
    later = due + timedelta(weeks=2)
    wanted = [(ana.id, due), (ben.id, due), (ana.id, later), (ben.id, later)]
    assert store.claim_reminders(wanted, "email") == [False, False, True, True]
    assert store.claim_reminders(wanted, "email") == [False] * 4
    cycle.clock.now += 601  # the senders of Ben's and of the later ones stopped
    assert store.claim_reminders(wanted, "email") == [False, True, True, True]
    assert store.claim_reminders([], "email") == []
    with pytest.raises(StoreError, match="not a reminder channel"):
        store.claim_reminders(wanted, "pigeon")


def test_links_are_issued_in_batches_each_signing_its_participant_in(cycle: Cycle) -> None:
    store = cycle.store
    people = [cycle.ana, cycle.ben, cycle.ana]
    tokens = store.issue_links([p.id for p in people], "reminder")
    assert len(set(tokens)) == 3
    for person, token in zip(people, tokens, strict=True):
        found = store.participant_for_token(token)
        assert found is not None
        assert found.id == person.id
    with pytest.raises(StoreError, match="no participant"):
        store.issue_links([cycle.ana.id, "nobody"], "reminder")
    assert store.issue_links([], "reminder") == []


@pytest.fixture(params=SHARED_BACKENDS)
def shared_store(request: pytest.FixtureRequest) -> Iterator[Store]:
    opener: Opener = request.param
    opened = opener(request)
    yield opened
    opened.close()


def test_senders_at_once_claim_each_reminder_once(shared_store: Store) -> None:
    teachers = [shared_store.create_participant(f"T{i}")[0] for i in range(5)]
    senders = [open_store(shared_store.url) for _ in range(6)]
    barrier = threading.Barrier(len(senders))
    claimed: list[tuple[str, int]] = []
    lock = threading.Lock()

    def send(index: int, sender: Store) -> None:
        barrier.wait()
        for teacher in teachers:
            if sender.claim_reminder(teacher.id, DAY, "email"):
                with lock:
                    claimed.append((teacher.id, index))

    threads = [threading.Thread(target=send, args=(i, s)) for i, s in enumerate(senders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for sender in senders:
        sender.close()
    assert sorted(t for t, _ in claimed) == sorted(t.id for t in teachers)


def test_a_claim_left_by_a_killed_sender_of_this_machine_is_taken_over_at_once(
    shared_store: Store,
) -> None:
    """A sender that was killed leaves its claims "sending"; the next run on the same
    machine sees that their process is gone and takes them over without waiting for them
    to age. A claim of a process that still runs is respected."""
    ana = shared_store.create_participant("Ana")[0]
    ben = shared_store.create_participant("Ben")[0]
    code = (
        "import sys, datetime; from pdkit import open_store; s = open_store(sys.argv[1]);"
        " print(s.claim_reminder(sys.argv[2], datetime.date(2026, 12, 16), 'email'))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, shared_store.url, ana.id],
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    assert done.stdout.strip() == "True"  # claimed, then the process ended without sending
    assert shared_store.reminders(ana.id)[0][3] == "sending"
    assert shared_store.claim_reminder(ana.id, date(2026, 12, 16), "email")  # taken over

    assert shared_store.claim_reminder(ben.id, date(2026, 12, 16), "email")  # this process
    again = subprocess.run(
        [sys.executable, "-c", code, shared_store.url, ben.id],
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    assert again.stdout.strip() == "False"  # a running sender's claim is respected


def test_whether_a_holder_is_gone() -> None:
    me = this_process()
    host, pid, started = me.split("/")
    assert pid == str(os.getpid())
    assert not gone(me)
    assert gone(f"{host}/{pid}/{started}9")  # the same id, started at another time: reused
    assert not gone(f"another-{host}/{pid}/{started}")  # another machine: cannot know
    assert not gone("nonsense")
    child = subprocess.run(
        [sys.executable, "-c", "from pdkit._process import this_process; print(this_process())"],
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    assert gone(child.stdout.strip())  # it ended


# --------------------------------------------------------------------------- links


def test_a_reminder_s_link_opens_the_same_participant(cycle: Cycle) -> None:
    store = cycle.store
    token = store.issue_link(cycle.ana.id, "reminder")
    another = store.issue_link(cycle.ana.id, "reminder")
    assert token != another
    for each in (token, another):
        found = store.participant_for_token(each)
        assert found is not None
        assert found.id == cycle.ana.id
    assert store.participant_for_token("not-a-token") is None
    with pytest.raises(StoreError, match="no participant"):
        store.issue_link("nobody", "reminder")


# --------------------------------------------------------------------------- the coach's review


def test_answered_forms_are_ids_only_and_a_coach_reviews_their_caseload(cycle: Cycle) -> None:
    """On every backend: a store says which forms a teacher answered (ids, never text),
    so that the coach's review counts what it may not read (issue #14 item 6)."""
    from pdkit import review
    from pdkit.store import Viewer

    store, ana, ben = cycle.store, cycle.ana, cycle.ben
    assert store.answered_forms(ana.id) == []
    store.record(ana.id, GOAL, {"goal": "Ana's shared goal"}, spec_version="g@1")
    store.record(ana.id, "what-so-what-now-what", {"what": "Ana's own"}, spec_version="w@1")
    store.record(ben.id, GOAL, {"goal": "Ben's"}, spec_version="g@1")
    assert store.answered_forms(ana.id) == [GOAL, "what-so-what-now-what"]
    store.set_visibility(ana.id, GOAL, "coach")
    store.set_goal_status(ana.id, "asked", by=ana.id)

    as_coach = review.load(store, viewer=Viewer.of(cycle.coach.id))
    assert list(as_coach.participants["participant"]) == [ana.id]  # Ben is not hers
    assert list(as_coach.goals["goal"]) == ["Ana's shared goal"]
    assert list(as_coach.goals["status"]) == ["asked"]
    kept = as_coach.kept_private
    assert list(zip(kept["participant"], kept["form"], strict=True)) == [
        (ana.id, "what-so-what-now-what")
    ]
    assert as_coach.reflections.empty
    assert list(as_coach.checkin_plans["participant"]) == [ana.id]
    assert review.load(store, viewer=Viewer.of(cycle.other_coach.id)).participants.empty
    everyone = review.load(store)  # the steward: the teachers, never the coaches
    assert set(everyone.participants["participant"]) == {ana.id, ben.id}
