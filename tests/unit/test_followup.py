"""The weeks after a session (:mod:`pdkit.followup`): schedules as people write them, and
the one rule that says which of a teacher's check-ins are done, due or overdue."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from pdkit.errors import ScheduleError
from pdkit.followup import (
    DONE,
    DUE,
    NOT_REVISITED_DAYS,
    OVERDUE,
    UPCOMING,
    Need,
    by_need,
    checkin_plan,
    format_schedule,
    parse_schedule,
    progress_dropped,
)

DAY = date(2026, 12, 2)  # the session


def at(day: date, hour: int = 15) -> float:
    """A check-in made on ``day`` (local time)."""
    return datetime(day.year, day.month, day.day, hour).timestamp()


def week(n: int) -> date:
    return DAY + timedelta(weeks=n)


@pytest.mark.parametrize(
    ("text", "dates"),
    [
        ("2w,4w,6w", (week(2), week(4), week(6))),
        (" 6w ; 2W, 4w ,2w", (week(2), week(4), week(6))),  # any order, each once
        ("10d", (DAY + timedelta(days=10),)),
        ("2027-01-15, 3w", (week(3), date(2027, 1, 15))),
        ("", ()),
    ],
)
def test_schedules_as_people_write_them(text: str, dates: tuple[date, ...]) -> None:
    assert parse_schedule(text, DAY) == dates


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("2 weeks", "'2 weeks' is not a check-in date: write weeks or days after the session"),
        ("2026-13-01", "'2026-13-01' is not a check-in date"),
        ("0w", "'0w' is on or before the session day (2026-12-02)"),
        ("2026-11-30", "is on or before the session day"),
        ("999w", "'999w' is more than three years after the session"),
        (",".join(f"{n}d" for n in range(1, 60)), "at most 52 check-in dates, not 59"),
        ("x" * 10_000, "'" + "x" * 40 + "…' is not a check-in date"),  # never the whole value
    ],
)
def test_a_schedule_that_cannot_be_read_says_why(text: str, says: str) -> None:
    with pytest.raises(ScheduleError) as caught:
        parse_schedule(text, DAY)
    assert says in str(caught.value)
    assert len(str(caught.value)) < 300


@pytest.mark.parametrize(
    ("start", "text", "says"),
    [
        (date(9999, 12, 31), "2w", "the session day 9999-12-31 is not between 1970-01-01"),
        (date(1, 1, 1), "2w", "the session day 0001-01-01 is not between"),
        (date(2199, 12, 31), "9999d", "'9999d' is more than three years after the session"),
        (DAY, "9999-12-31", "'9999-12-31' is more than three years after the session"),
    ],
)
def test_a_session_day_or_date_at_the_ends_of_the_calendar_is_a_question_not_a_crash(
    start: date, text: str, says: str
) -> None:
    with pytest.raises(ScheduleError) as caught:
        parse_schedule(text, start)
    assert says in str(caught.value)


def test_a_schedule_is_written_back_as_it_was_given() -> None:
    dates = parse_schedule("2w,4w,2027-01-21", DAY)
    assert format_schedule(dates, DAY) == "2w,4w,2027-01-21"
    assert parse_schedule(format_schedule(dates, DAY), DAY) == dates


def states(plan: object) -> list[str]:
    return [d.state for d in plan.dates]  # type: ignore[attr-defined]


def test_nothing_done_yet() -> None:
    plan = checkin_plan([week(2), week(4), week(6)], DAY, [], today=DAY + timedelta(days=3))
    assert states(plan) == [DUE, UPCOMING, UPCOMING]
    assert plan.next is not None
    assert plan.next.due == week(2)
    assert (plan.done, plan.overdue) == (0, 0)


def test_the_session_day_s_exit_ticket_counts_for_nothing() -> None:
    plan = checkin_plan([week(2), week(4)], DAY, [at(DAY)], today=week(2) + timedelta(days=1))
    assert states(plan) == [OVERDUE, UPCOMING]


def test_check_ins_fill_the_dates_in_order_and_a_late_one_still_counts() -> None:
    checkins = [at(week(2) + timedelta(days=3)), at(week(4) - timedelta(days=1))]
    plan = checkin_plan([week(2), week(4), week(6)], DAY, checkins, today=week(5))
    assert states(plan) == [DONE, DONE, DUE]
    assert plan.dates[0].done_at == checkins[0]
    assert plan.next is not None
    assert plan.next.due == week(6)


def test_one_check_in_fills_one_date_and_the_missed_one_is_overdue() -> None:
    plan = checkin_plan(
        [week(2), week(4), week(6)], DAY, [at(week(3))], today=week(6) + timedelta(1)
    )
    assert states(plan) == [DONE, OVERDUE, OVERDUE]
    assert plan.overdue == 2
    assert plan.next is not None
    assert plan.next.due == week(4)  # the earliest not done


def test_a_check_in_too_early_for_the_next_window_does_not_fill_it() -> None:
    # two check-ins in week 1: the first fills week 2, the second is early for week 4
    # (its window opens the day after week 2) and counts for nothing
    early = [at(DAY + timedelta(days=5)), at(DAY + timedelta(days=6))]
    plan = checkin_plan([week(2), week(4)], DAY, early, today=week(3))
    assert states(plan) == [DONE, DUE]


def test_the_teacher_s_own_date_adds_one() -> None:
    own = DAY + timedelta(days=20)
    plan = checkin_plan([week(2), week(4)], DAY, [], today=DAY, own=own)
    assert [d.due for d in plan.dates] == [week(2), own, week(4)]
    assert [d.own for d in plan.dates] == [False, True, False]
    same = checkin_plan([week(2)], DAY, [], today=DAY, own=week(2))
    assert len(same.dates) == 1  # a date the session already has
    past = checkin_plan([week(2)], DAY, [], today=DAY, own=DAY - timedelta(days=1))
    assert [d.due for d in past.dates] == [week(2)]  # before the session: not a check-in


def test_no_schedule_and_no_own_date_means_nothing_due() -> None:
    plan = checkin_plan([], DAY, [at(week(1))], today=week(8))
    assert plan.dates == ()
    assert plan.next is None


# --------------------------------------------------------------------------- a coach's queue

TODAY = date(2027, 2, 1)
RECENT = datetime(2027, 1, 30, 12).timestamp()
LONG_AGO = datetime(2026, 12, 1, 12).timestamp()


def test_the_queue_puts_overdue_then_asked_then_dropped_then_not_revisited() -> None:
    calm = Need("t-calm", "Zoe", last_touched=RECENT)
    stale = Need("t-stale", "Yan", last_touched=LONG_AGO)
    never = Need("t-never", "Xia")
    dropped = Need("t-drop", "Wes", progress_dropped=True, last_touched=RECENT)
    asked = Need("t-ask", "Val", asked=True, last_touched=RECENT)
    late1 = Need("t-late1", "Uma", overdue=1, oldest_overdue=date(2027, 1, 20), last_touched=RECENT)
    late2 = Need("t-late2", "Tom", overdue=2, oldest_overdue=date(2027, 1, 25), last_touched=RECENT)
    late1_older = Need("t-late1o", "Sam", overdue=1, oldest_overdue=date(2027, 1, 10))

    order = by_need([calm, stale, never, dropped, asked, late1, late2, late1_older], TODAY)

    assert [n.teacher for n in order] == [
        "t-late2",  # the most overdue check-ins first
        "t-late1o",  # then the longest overdue
        "t-late1",
        "t-ask",
        "t-drop",
        "t-never",  # never touched before touched long ago
        "t-stale",
        "t-calm",
    ]
    assert late1_older.reasons(TODAY) == ("overdue", "not revisited")
    assert calm.reasons(TODAY) == ()
    assert stale.reasons(TODAY) == ("not revisited",)


def test_the_queue_tells_same_names_apart_and_is_stable() -> None:
    a = Need("t-b", "Ana", last_touched=RECENT)
    b = Need("t-a", "ana", last_touched=RECENT)
    assert [n.teacher for n in by_need([a, b], TODAY)] == ["t-a", "t-b"]
    assert by_need([b, a], TODAY) == by_need([a, b], TODAY)
    assert by_need([], TODAY) == []
    older = Need("t-c", "Zed", last_touched=RECENT - 3600)
    assert [n.teacher for n in by_need([a, older, b], TODAY)] == ["t-a", "t-b", "t-c"]


def test_not_revisited_starts_after_the_set_number_of_days() -> None:
    edge = datetime.combine(TODAY - timedelta(days=NOT_REVISITED_DAYS), datetime.min.time())
    just = datetime.combine(TODAY - timedelta(days=NOT_REVISITED_DAYS - 1), datetime.min.time())
    assert Need("t", last_touched=edge.timestamp()).reasons(TODAY) == ("not revisited",)
    assert Need("t", last_touched=just.timestamp()).reasons(TODAY) == ()


def test_progress_dropped_compares_the_last_two_check_ins() -> None:
    assert progress_dropped([3, 2])
    assert progress_dropped([1, 4, 3])
    assert not progress_dropped([2, 2])
    assert not progress_dropped([3, 1, 2])
    assert not progress_dropped([4])
    assert not progress_dropped([])
    assert not progress_dropped([4, None, "x", True])  # not answers on the scale
