"""A teacher's check-in dates as a calendar file (RFC 5545), built with ``icalendar``."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

from ..followup import DueDate
from ..i18n import translator

__all__ = ["calendar_ics"]

PRODID = "-//pdkit//check-ins//EN"


def calendar_ics(
    participant_id: str,
    dates: Sequence[DueDate],
    *,
    link: str,
    title: str = "",
    language: str | None = None,
    now: float,
) -> bytes:
    """A calendar with one all-day event per check-in date: its summary says it is a
    check-in (of ``title``, the session), its description and URL give ``link`` (the
    teacher's "My goal"). Each event's UID is stable per participant and date, so
    importing the file again updates the events instead of doubling them."""
    from icalendar import Calendar, Event  # on demand: never on a page's start-up

    t = translator(language)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", t("My goal: check-ins"))
    stamp = datetime.fromtimestamp(now, UTC)
    summary = t("Check-in on my goal")
    if title:
        summary = f"{summary} ({title})"
    for due in dates:
        event = Event()
        event.add("uid", _uid(participant_id, due.due))
        event.add("dtstamp", stamp)
        event.add("dtstart", due.due)
        event.add("dtend", due.due + timedelta(days=1))
        event.add("summary", summary)
        event.add(
            "description",
            t("A few minutes on your goal: how far you have come, what you saw, what next.")
            + "\n"
            + link,
        )
        event.add("url", link)
        event.add("transp", "TRANSPARENT")  # all day, but the teacher is not busy
        cal.add_component(event)
    return bytes(cal.to_ical())


def _uid(participant_id: str, due: date) -> str:
    digest = hashlib.sha256(f"{participant_id}:{due.isoformat()}".encode()).hexdigest()[:24]
    return f"{digest}@pdkit"
