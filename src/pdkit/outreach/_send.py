"""Sending what is due: which teachers get a reminder today, and each reminder once.

:func:`due_reminders` reads the store as its steward: every teacher's check-in plan
(:meth:`Store.checkin_plan`: dates and states, never what anyone wrote), their
contact and the reminders log. A teacher gets a reminder for a check-in not done
whose date has come (overdue, or due within ``ahead`` days): the latest such date (a
date missed before had its own reminder); one message per teacher, due date and
channel, ever.

:func:`send_reminders` sends them, each one like this::

    claim_reminders(batch, "email")         the log says "sending" (another run skips them)
    issue_links(batch, "reminder")          a fresh personal link for each message
    SMTP: the server accepts the message
    reminder_sent(teacher, due, "email")    the log says "sent": never again

Claims and links are made for a batch of up to :data:`BATCH` at a time (one
transaction each, not one per message: a durable commit costs milliseconds); each
message is still marked sent on its own, the moment the server accepted it.

A batch is sent within a third of :data:`RECLAIM_AFTER` of its claim (what is left of
it after that, with a very slow server, is left claimed for a later run), and one
message within three minutes (six network steps of at most 30 s): so no claim is ever
taken over while its run is still sending it.

What a crash does (honestly): a run killed *before* the server accepted a message
leaves its claim "sending" (and those of the rest of its batch), with the process that
made it (:mod:`pdkit._process`). The next run on the same machine sees that process is
gone and takes the claim over at once; a claim of another machine's process is taken
over once it is older than :data:`RECLAIM_AFTER` seconds (far longer than a batch can
take: every network step is bounded by the SMTP timeout), and until then counted "in
progress elsewhere". Either way each missing message is sent once. A run killed
in the instant *between* the server's acceptance and the log's "sent" (a few
milliseconds per message) leaves a claim that a later run takes for unsent: that one
message goes twice. Delivery is therefore at-least-once, exactly-once but for that
window; both copies carry the same Message-ID, which mail systems use to drop the
second. Two runs at once (cron and ``pdkit serve --remind``) never send one reminder
twice: a fresh claim is respected.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlencode, urlsplit

from .._clock import now as clock_now
from .._clock import today as clock_today
from ..errors import OutreachError, Said
from ..followup import DONE, DueDate
from ..i18n import N_
from ..links import (
    MY_GOAL_NOTEBOOK,
    REMINDERS_PARAM,
    RESUME_PARAM,
    my_goal_link,
    opt_out_link,
    sibling,
)
from ._ics import calendar_ics
from ._mail import Mailer, RecipientRefused, SmtpSettings, reminder_message

if TYPE_CHECKING:
    from ..store import Participant, Store

__all__ = [
    "CHANNEL",
    "RECLAIM_AFTER",
    "RemindReport",
    "Reminder",
    "due_reminders",
    "page_links",
    "send_reminders",
]

CHANNEL = "email"

RECLAIM_AFTER = 300.0
"""A claim not marked sent after this many seconds was left by a run that stopped: the
next run takes it over and sends the message."""

MAX_AHEAD = 366

BATCH = 50
"""Reminders claimed (and links issued) together, in one transaction each: then each
is sent and marked sent on its own. A run that stops leaves at most this many claims
that wait :data:`RECLAIM_AFTER` seconds."""


@dataclass(frozen=True)
class Reminder:
    """One reminder a teacher is due: whom, which date, and what stands in its way."""

    participant: Participant
    due: DueDate
    email: str | None
    """Their address (None: they gave none)."""
    opted_out: bool
    state: str
    """The log's state for it: ``""`` (never tried), ``sending`` or ``sent``."""
    first: bool
    """No reminder was sent to them before (this one carries the calendar)."""
    dates: tuple[DueDate, ...]
    title: str

    overdue: bool = False
    """Its date is past (on the day the reminders were found)."""


@dataclass
class RemindReport:
    """What a run did: counted per teacher due a reminder."""

    sent: int = 0
    already_sent: int = 0
    opted_out: int = 0
    no_address: int = 0
    in_progress: int = 0
    """Claimed by another run a moment ago (or a run that stopped: sent next time)."""
    failed: int = 0
    failures: list[str] = field(default_factory=list)
    """Each message the server refused, and why (:class:`~pdkit.errors.Said`: English as
    a string, said in a reader's language with ``in_language``)."""
    dry_run: bool = False
    stopped: str = ""
    """Why the run stopped before the end (the mail server went away), or "" (a
    :class:`~pdkit.errors.Said` when it stopped)."""

    @property
    def due(self) -> int:
        return (
            self.sent
            + self.already_sent
            + self.opted_out
            + self.no_address
            + self.in_progress
            + self.failed
        )

    def summary(self) -> Said:
        """The counts in one line: English as a string, ``.said(t)`` in ``t``'s language."""
        counts = {
            "sent": self.sent,
            "already_sent": self.already_sent,
            "opted_out": self.opted_out,
            "no_address": self.no_address,
            "in_progress": self.in_progress,
            "failed": self.failed,
        }
        if self.in_progress:
            return Said(
                N_(
                    "would send {sent}, already sent {already_sent}, opted out {opted_out}, "
                    "no address {no_address}, in progress elsewhere {in_progress}, "
                    "failed {failed}"
                )
                if self.dry_run
                else N_(
                    "sent {sent}, already sent {already_sent}, opted out {opted_out}, "
                    "no address {no_address}, in progress elsewhere {in_progress}, "
                    "failed {failed}"
                ),
                **counts,
            )
        return Said(
            N_(
                "would send {sent}, already sent {already_sent}, opted out {opted_out}, "
                "no address {no_address}, failed {failed}"
            )
            if self.dry_run
            else N_(
                "sent {sent}, already sent {already_sent}, opted out {opted_out}, "
                "no address {no_address}, failed {failed}"
            ),
            **counts,
        )


def due_reminders(
    store: Store,
    *,
    today: date | None = None,
    ahead: int = 0,
    session: str | None = None,
) -> list[Reminder]:
    """Every teacher's reminder due on ``today`` (their latest check-in not done that is
    overdue or due within ``ahead`` days), in the order they joined; ``session``: only the
    teachers taking part in that session now."""
    from ..store import DEFAULT_SESSION, Viewer

    if not 0 <= ahead <= MAX_AHEAD:
        raise OutreachError(
            N_("--ahead {ahead}: give days from 0 to {most}"), ahead=ahead, most=MAX_AHEAD
        )
    day = today if today is not None else clock_today()
    steward = Viewer.steward()
    sessions = {s.id: s.title for s in store.sessions()}
    sessions.setdefault(DEFAULT_SESSION, "")
    if session is not None and session not in sessions:
        raise OutreachError(
            N_("no session {session!r} in the store {store}"), session=session, store=store.url
        )
    log: dict[tuple[str, date], str] = {}
    for pid, due, channel, state in store.reminders():
        if channel == CHANNEL:
            log[(pid, due)] = state
    ever_sent = {pid for (pid, _), state in log.items() if state == "sent"}
    seen: set[str] = set()
    found: list[Reminder] = []
    for sid in sessions if session is None else [session]:
        for person in store.participants(sid):
            if person.id in seen or person.role != "teacher" or person.session != sid:
                continue
            seen.add(person.id)
            plan = store.checkin_plan(person.id, day, viewer=steward)
            horizon = day + timedelta(days=ahead)
            open_dates = [d for d in plan.dates if d.state != DONE and d.due <= horizon]
            if not open_dates:
                continue
            nxt = open_dates[-1]  # the latest: a date missed before has had its reminder
            contact = store.contact(person.id, viewer=steward)
            found.append(
                Reminder(
                    participant=person,
                    due=nxt,
                    email=contact.email if contact else None,
                    opted_out=bool(contact and not contact.reachable),
                    state=log.get((person.id, nxt.due), ""),
                    first=person.id not in ever_sent,
                    dates=plan.dates,
                    title=sessions.get(person.session, ""),
                    overdue=nxt.due < day,
                )
            )
    return found


def send_reminders(
    store: Store,
    settings: SmtpSettings | None,
    *,
    base_url: str,
    today: date | None = None,
    ahead: int = 0,
    session: str | None = None,
    rate: float = 10.0,
    dry_run: bool = False,
    say: Callable[[str], None] = lambda line: None,
    reclaim_after: float = RECLAIM_AFTER,
) -> RemindReport:
    """Send every reminder due (:func:`due_reminders`) through the SMTP server of
    ``settings``, at most ``rate`` a second (0: no limit), over one connection.

    ``dry_run``: say who would get what, send nothing, log nothing, issue no link.
    ``say`` receives one line per reminder (names and dates only), a
    :class:`~pdkit.errors.Said`: English as a string, ``in_language(line, t)`` in the
    language of ``t``. A server that cannot be reached, refuses the login or fails TLS
    stops the run with an OutreachError (nothing is marked sent that was not accepted); a
    server that refuses one address counts that one as failed and goes on."""
    if not base_url.strip().lower().startswith(("http://", "https://")):
        raise OutreachError(
            N_(
                "--base-url {base_url!r}: give the address teachers open pdkit at "
                "(https://pd.school.org), for the links in the reminders"
            ),
            base_url=base_url,
        )
    if rate < 0:
        raise OutreachError(
            N_("--rate {rate:g}: give messages a second, 0 for no limit"), rate=rate
        )
    report = RemindReport(dry_run=dry_run)
    found = due_reminders(store, today=today, ahead=ahead, session=session)
    todo: list[Reminder] = []
    for item in found:
        name = item.participant.display_name
        day = item.due.due.isoformat()
        when = Said(N_("{date} (overdue)"), date=day) if item.overdue else day
        if item.state == "sent":
            report.already_sent += 1
        elif item.opted_out:
            report.opted_out += 1
            say(Said(N_("opted out: {name}, {when}"), name=name, when=when))
        elif item.email is None:
            report.no_address += 1
            say(Said(N_("no address: {name}, {when}"), name=name, when=when))
        else:
            todo.append(item)
            if dry_run:
                say(
                    Said(
                        N_("would send: {name} <{email}>, check-in {when} + calendar")
                        if item.first
                        else N_("would send: {name} <{email}>, check-in {when}"),
                        name=name,
                        email=item.email,
                        when=when,
                    )
                )
    if dry_run:
        report.sent = len(todo)
        return report
    if not todo:
        return report
    if settings is None:
        raise OutreachError(N_("reminders are due but no mail server is set (--smtp)"))
    base = base_url.strip().rstrip("/")
    gap = 1.0 / rate if rate > 0 else 0.0
    size = BATCH if not gap else max(1, min(BATCH, int(rate * 5)))  # a claim waits ≤ 5 s
    next_at = time.monotonic()
    done = 0
    with Mailer(settings) as mailer:
        mailer.connect()  # a server that is down or refuses the login: stop before claiming
        for start in range(0, len(todo), size):
            batch = todo[start : start + size]
            claimed = store.claim_reminders(
                [(r.participant.id, r.due.due) for r in batch], CHANNEL, stale_after=reclaim_after
            )
            mine = [item for item, ok in zip(batch, claimed, strict=True) if ok]
            for item, ok in zip(batch, claimed, strict=True):
                if not ok:
                    _not_claimed(store, item, report, say)
            done += len(batch) - len(mine)
            claimed_at = time.monotonic()
            tokens = store.issue_links([r.participant.id for r in mine], "reminder") if mine else []
            for index, (item, token) in enumerate(zip(mine, tokens, strict=True)):
                if reclaim_after and time.monotonic() - claimed_at > reclaim_after / 3:
                    # a slow server: the rest of this batch's claims will soon look like a
                    # stopped run's; leave them to a later run rather than risk two sends
                    left = len(mine) - index
                    report.in_progress += left
                    done += left
                    say(
                        Said(
                            N_("left for the next run: {left} (the mail server is slow)"), left=left
                        )
                    )
                    break
                try:
                    _send_one(store, mailer, item, token, base, report, say)
                except OutreachError as exc:  # the server went away: the rest next time
                    report.failed += len(todo) - done
                    # its own message, English as str(exc), said in a reader's language
                    report.stopped = Said(exc.template, **exc.words)
                    say(Said(N_("stopped: {reason}"), reason=exc))
                    return report
                done += 1
                if gap:
                    next_at += gap
                    pause = next_at - time.monotonic()
                    if pause > 0:
                        time.sleep(pause)
                    else:
                        next_at = time.monotonic()
    return report


def _not_claimed(
    store: Store, item: Reminder, report: RemindReport, say: Callable[[str], None]
) -> None:
    person = item.participant
    refreshed = [r for r in store.reminders(person.id) if r[1] == item.due.due]
    if refreshed and refreshed[0][3] == "sent":
        report.already_sent += 1
    else:
        report.in_progress += 1
        say(
            Said(
                N_("in progress elsewhere: {name}, {date}"),
                name=person.display_name,
                date=item.due.due.isoformat(),
            )
        )


def _send_one(
    store: Store,
    mailer: Mailer,
    item: Reminder,
    token: str,
    base: str,
    report: RemindReport,
    say: Callable[[str], None],
) -> None:
    person = item.participant
    assert item.email is not None
    goal, stop = page_links(base, token)
    now = clock_now()
    ics = (
        calendar_ics(person.id, _upcoming(item.dates), link=goal, title=item.title, now=now)
        if item.first
        else None
    )
    message = reminder_message(
        to=item.email,
        sender=mailer.settings.sender,
        name=person.display_name,
        due=item.due.due,
        overdue=item.overdue,
        title=item.title,
        goal_link=goal,
        opt_out_link=stop,
        key=f"{person.id}:{item.due.due.isoformat()}:{CHANNEL}",
        ics=ics,
        now=now,
    )
    try:
        mailer.send(message)
    except RecipientRefused as exc:
        report.failed += 1
        who = {"name": person.display_name, "email": item.email}
        report.failures.append(Said(N_("{name} <{email}>: {reason}"), reason=exc, **who))
        say(Said(N_("failed: {name} <{email}>: {reason}"), reason=exc, **who))
        return  # the claim stays: a later run tries again once it is old
    store.reminder_sent(person.id, item.due.due, CHANNEL)
    report.sent += 1
    say(
        Said(
            N_("sent: {name} <{email}>, check-in {date}"),
            name=person.display_name,
            email=item.email,
            date=item.due.due.isoformat(),
        )
    )


def page_links(base: str, token: str) -> tuple[str, str]:
    """The "My goal" link and the link that stops reminders, signed in by ``token``.
    ``base`` is the server's address (``https://pd.school.org``: the links are
    ``…/voila/render/my-goal.ipynb?pdkit=…``), or the folder the workbooks are rendered
    from when it holds ``/voila/render`` (``https://hub/hub/user-redirect/voila/render/
    workbooks``: a hub where they sit in a folder)."""
    if "/voila/render" not in urlsplit(base).path:
        return my_goal_link(base, token), opt_out_link(base, token)
    folder = base.rstrip("/") + "/"
    return (
        sibling(folder, MY_GOAL_NOTEBOOK, urlencode({RESUME_PARAM: token})),
        sibling(folder, MY_GOAL_NOTEBOOK, urlencode({RESUME_PARAM: token, REMINDERS_PARAM: "off"})),
    )


def _upcoming(dates: Sequence[DueDate]) -> list[DueDate]:
    """The dates a calendar shows: every check-in date (done ones too, so an imported
    calendar has the whole schedule)."""
    return list(dates)
