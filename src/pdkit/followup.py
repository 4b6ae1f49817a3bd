"""The weeks after a session: when each teacher's check-ins are due, and which are done.

A session's **check-in schedule** is a list of dates, written as weeks or days after the
session (``2w,4w,6w``, ``10d``) or as dates (``2027-01-15``); :func:`parse_schedule`
turns it into dates. A teacher's own date (the goal's "By when?") adds one.

The rule that says which check-ins are done is here, once, for the teacher's "My goal",
the coach's queue, reminders and the review: the check-ins a teacher made (the times
their check-in item's versions started, :mod:`pdkit.revisions`) fill the due dates in
order; a check-in counts for the earliest due date not yet done whose window is open:
a due date's window opens the day after the due date before it (the session day for
the first), so the check-in written at the end of the session day counts for nothing,
and a late check-in still fills the date it is late for.

Everything here is pure: dates and times in, plans out; nothing reads a clock.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from .errors import Said, ScheduleError
from .i18n import N_

__all__ = [
    "ACTIVE",
    "AGREED",
    "ASKED",
    "DONE",
    "DRAFT",
    "DROPPED",
    "DUE",
    "GOAL_STATUSES",
    "MET",
    "NOT_REVISITED_DAYS",
    "OVERDUE",
    "REVISABLE",
    "REVISED",
    "UPCOMING",
    "CheckinPlan",
    "DueDate",
    "Need",
    "by_need",
    "checkin_plan",
    "format_schedule",
    "parse_schedule",
    "progress_dropped",
    "status_move",
]

DONE, DUE, OVERDUE, UPCOMING = "done", "due", "overdue", "upcoming"
"""A due date's state: a check-in filled it; it is the next one and not past; it is
past and not filled; it comes later."""

MAX_DATES = 52
"""At most this many check-in dates in a schedule (a year of weekly check-ins)."""

MAX_DAYS_AHEAD = 3 * 366
"""A check-in date at most this many days after the session."""

EARLIEST_DAY = date(1970, 1, 1)
LATEST_DAY = date(2199, 12, 31)
"""A session's day lies between these (a year typed wrong is a question, not a crash)."""

_RELATIVE = re.compile(r"^(\d{1,4})\s*([dw])$", re.IGNORECASE)


def parse_schedule(text: str, start: date) -> tuple[date, ...]:
    """The dates of a schedule written as ``2w,4w,6w``, ``10d`` or ISO dates (mixed as
    wanted), counted from ``start`` (the session day); sorted, each once."""
    parts = [p.strip() for p in text.replace(";", ",").split(",")]
    parts = [p for p in parts if p]
    if len(parts) > MAX_DATES:
        raise ScheduleError(
            N_("a schedule has at most {most} check-in dates, not {given}"),
            most=MAX_DATES,
            given=len(parts),
        )
    if not EARLIEST_DAY <= start <= LATEST_DAY:
        raise ScheduleError(
            N_("the session day {day} is not between {earliest} and {latest}: check the year"),
            day=start.isoformat(),
            earliest=EARLIEST_DAY.isoformat(),
            latest=LATEST_DAY.isoformat(),
        )
    dates: set[date] = set()
    for part in parts:
        shown = part if len(part) <= 40 else part[:40] + "…"
        relative = _RELATIVE.match(part)
        if relative:
            count, unit = int(relative.group(1)), relative.group(2).lower()
            days = count * (7 if unit == "w" else 1)
            if days > MAX_DAYS_AHEAD:
                raise ScheduleError(
                    N_("{shown!r} is more than three years after the session"), shown=shown
                )
            when = start + timedelta(days=days)
        else:
            try:
                when = date.fromisoformat(part)
            except ValueError:
                raise ScheduleError(
                    N_(
                        "{shown!r} is not a check-in date: write weeks or days after the session "
                        "(2w, 10d) or a date (2027-01-15), separated by commas"
                    ),
                    shown=shown,
                ) from None
        if when <= start:
            raise ScheduleError(
                N_("{shown!r} is on or before the session day ({day}): check-ins come after it"),
                shown=shown,
                day=start.isoformat(),
            )
        if (when - start).days > MAX_DAYS_AHEAD:
            raise ScheduleError(
                N_("{shown!r} is more than three years after the session"), shown=shown
            )
        dates.add(when)
    return tuple(sorted(dates))


def format_schedule(dates: Iterable[date], start: date) -> str:
    """A schedule as people write it: weeks after ``start`` where whole, else dates."""
    written = []
    for when in sorted(dates):
        days = (when - start).days
        written.append(f"{days // 7}w" if days > 0 and days % 7 == 0 else when.isoformat())
    return ",".join(written)


@dataclass(frozen=True)
class DueDate:
    """One check-in date of a teacher: its state, and when the check-in that filled it
    was made (None while not done)."""

    due: date
    state: str
    done_at: float | None = None
    own: bool = False
    """The teacher's own date (their goal's "By when?"), not the session's."""


@dataclass(frozen=True)
class CheckinPlan:
    """A teacher's check-ins: every due date in order, and the next one to do."""

    dates: tuple[DueDate, ...]

    @property
    def next(self) -> DueDate | None:
        """The earliest date not done (overdue or due), or None when all are done."""
        return next((d for d in self.dates if d.state in (OVERDUE, DUE)), None)

    @property
    def done(self) -> int:
        return sum(d.state == DONE for d in self.dates)

    @property
    def overdue(self) -> int:
        return sum(d.state == OVERDUE for d in self.dates)


def checkin_plan(
    schedule: Sequence[date],
    start: date,
    checkins: Iterable[float],
    today: date,
    *,
    own: date | None = None,
    local: bool = True,
) -> CheckinPlan:
    """Which of a teacher's check-in dates are done, overdue, due or upcoming on ``today``.

    ``schedule`` is the session's dates and ``start`` the session day; ``own`` the
    teacher's own date; ``checkins`` the times (seconds since the epoch) their check-ins
    were made, read as dates in local time (``local=False``: UTC)."""
    own_date = own if own is not None and own > start else None
    dues = sorted(set(schedule) | ({own_date} if own_date else set()))
    made = sorted((_day(t, local), t) for t in checkins)
    filled: dict[date, float] = {}
    used = 0
    for index, due in enumerate(dues):
        opens = (dues[index - 1] if index else start) + timedelta(days=1)
        while used < len(made) and made[used][0] < opens:
            used += 1  # too early for this date (the session day's exit ticket)
        if used < len(made):
            filled[due] = made[used][1]
            used += 1
    states = []
    next_found = False
    for due in dues:
        if due in filled:
            state = DONE
        elif due < today:
            state = OVERDUE
        elif not next_found:
            state = DUE
        else:
            state = UPCOMING
        next_found = next_found or state in (DUE, OVERDUE)
        states.append(DueDate(due, state, filled.get(due), own=due == own_date))
    return CheckinPlan(tuple(states))


def _day(at: float, local: bool) -> date:
    return (datetime.fromtimestamp(at) if local else datetime.fromtimestamp(at, UTC)).date()


# --------------------------------------------------------------------------- goal status

DRAFT, ASKED, AGREED, ACTIVE, MET, REVISED, DROPPED = (
    "draft",
    "asked",
    "agreed",
    "active",
    "met",
    "revised",
    "dropped",
)
GOAL_STATUSES = (DRAFT, ASKED, AGREED, ACTIVE, MET, REVISED, DROPPED)
"""Where a goal is: written (``draft``), the teacher asked their coach to agree it
(``asked``), agreed with the coach, being worked on (``active``), and then ``met``,
``revised`` (a new version was started after it was agreed) or ``dropped``. Goals are
co-constructed: a coach agrees one, or suggests changes (back to ``draft``)."""

REVISABLE = frozenset({AGREED, ACTIVE, MET})
"""A goal in one of these statuses becomes ``revised`` when a new version is started."""

_MOVES: dict[str, dict[str, frozenset[str]]] = {
    "teacher": {
        DRAFT: frozenset({ASKED, DROPPED}),
        REVISED: frozenset({ASKED, DROPPED}),
        ASKED: frozenset({DRAFT}),  # asked by mistake: take the question back
        AGREED: frozenset({ACTIVE, MET, DROPPED}),
        ACTIVE: frozenset({MET, DROPPED}),
        MET: frozenset({ACTIVE}),  # not met after all
        DROPPED: frozenset({DRAFT}),  # taken up again
    },
    "coach": {
        ASKED: frozenset({AGREED, DRAFT}),  # agree, or suggest changes
        AGREED: frozenset({MET}),
        ACTIVE: frozenset({MET}),
    },
}


def status_move(current: str, new: str, role: str) -> Said | None:
    """Why ``role`` (``teacher`` or ``coach``) may not move a goal from ``current`` to
    ``new``, in words said in the reader's language; None when the move is allowed."""
    if new not in GOAL_STATUSES:
        return Said(
            N_("{new!r} is not a goal status; one of {statuses}"),
            new=new,
            statuses=", ".join(GOAL_STATUSES),
        )
    allowed = _MOVES.get(role, {}).get(current, frozenset())
    if new in allowed:
        return None
    coach = role == "coach"
    if not allowed:
        return Said(
            N_("a coach cannot change a goal that is {current}")
            if coach
            else N_("a teacher cannot change a goal that is {current}"),
            current=current,
        )
    return Said(
        N_("a coach cannot make a goal that is {current} {new}; from {current}: {allowed}")
        if coach
        else N_("a teacher cannot make a goal that is {current} {new}; from {current}: {allowed}"),
        current=current,
        new=new,
        allowed=", ".join(sorted(allowed)),
    )


# --------------------------------------------------------------------------- a coach's queue

NOT_REVISITED_DAYS = 28
"""A goal nobody touched (no new version, no check-in) for this many days is "not
revisited": it needs a word from the coach."""

OVERDUE_NEED, ASKED_NEED, PROGRESS_NEED, STALE_NEED = (
    "overdue",
    "asked",
    "progress dropped",
    "not revisited",
)


@dataclass(frozen=True)
class Need:
    """What a coach knows of one teacher, to put them in the queue: only facts the coach
    may see (counts, dates, statuses; never what the teacher wrote)."""

    teacher: str
    name: str = ""
    overdue: int = 0
    """Check-ins past their date and not done."""
    oldest_overdue: date | None = None
    asked: bool = False
    """The teacher asked the coach to agree their goal, or for a conversation."""
    progress_dropped: bool = False
    """Their latest check-in says they are less far along than the one before."""
    last_touched: float | None = None
    """When the goal or a check-in last changed (None: never)."""

    def reasons(self, today: date, *, local: bool = True) -> tuple[str, ...]:
        """Why this teacher needs the coach now, most pressing first (empty: nothing)."""
        found = []
        if self.overdue:
            found.append(OVERDUE_NEED)
        if self.asked:
            found.append(ASKED_NEED)
        if self.progress_dropped:
            found.append(PROGRESS_NEED)
        if (
            self.last_touched is None
            or (today - _day(self.last_touched, local)).days >= NOT_REVISITED_DAYS
        ):
            found.append(STALE_NEED)
        return tuple(found)


_TIERS = (OVERDUE_NEED, ASKED_NEED, PROGRESS_NEED, STALE_NEED)


def by_need(needs: Iterable[Need], today: date, *, local: bool = True) -> list[Need]:
    """A coach's teachers in the order to see them: check-ins overdue first (the most
    overdue, then the longest overdue, first), then those who asked (for agreement or a
    conversation), then progress dropped, then goals not revisited (the longest untouched
    first), then everyone else; by name within a tier (the id tells same names apart)."""

    def key(need: Need) -> tuple[object, ...]:
        reasons = need.reasons(today, local=local)
        tier = _TIERS.index(reasons[0]) if reasons else len(_TIERS)
        return (
            tier,
            -need.overdue if tier == 0 else 0,
            need.oldest_overdue or date.max if tier == 0 else date.max,
            (need.last_touched or 0.0) if tier == _TIERS.index(STALE_NEED) else 0.0,
            need.name.casefold(),
            need.teacher,
        )

    return sorted(needs, key=key)


def progress_dropped(progress: Sequence[object]) -> bool:
    """Whether the latest of a teacher's check-in progress answers (oldest first; numbers
    on the scale, anything else ignored) is below the one before it."""
    values = [v for v in progress if isinstance(v, int | float) and not isinstance(v, bool)]
    return len(values) >= 2 and values[-1] < values[-2]
