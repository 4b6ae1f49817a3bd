"""A teacher's check-in dates as a calendar file (:func:`pdkit.outreach.calendar_ics`):
valid RFC 5545 as a calendar reads it, one all-day event per date with the link to
"My goal", stable UIDs (importing again updates), and never anything a teacher wrote."""

from __future__ import annotations

from datetime import date, timedelta

from icalendar import Calendar

from pdkit.followup import DONE, DUE, UPCOMING, DueDate
from pdkit.outreach import calendar_ics

DAY = date(2026, 12, 2)
LINK = "https://pd.example.org/voila/render/my-goal.ipynb?pdkit=tok"
DATES = [
    DueDate(DAY + timedelta(weeks=2), DONE, 1.0),
    DueDate(DAY + timedelta(weeks=4), DUE),
    DueDate(DAY + timedelta(weeks=6), UPCOMING),
]


def events(data: bytes) -> list[dict[str, object]]:
    cal = Calendar.from_ical(data)
    return [
        {k: e.get(k) for k in ("uid", "dtstart", "dtend", "summary", "description", "url")}
        for e in cal.walk("VEVENT")
    ]


def test_one_all_day_event_per_check_in_with_the_link() -> None:
    data = calendar_ics("p1", DATES, link=LINK, title="Spring PD", now=1_800_000_000.0)
    assert data.startswith(b"BEGIN:VCALENDAR")
    found = events(data)
    assert [e["dtstart"].dt for e in found] == [d.due for d in DATES]  # type: ignore[attr-defined]
    assert all(e["dtend"].dt - e["dtstart"].dt == timedelta(days=1) for e in found)  # type: ignore[attr-defined]
    assert {str(e["summary"]) for e in found} == {"Check-in on my goal (Spring PD)"}
    assert all(LINK in str(e["description"]) and str(e["url"]) == LINK for e in found)


def test_uids_are_stable_per_teacher_and_date() -> None:
    first = [str(e["uid"]) for e in events(calendar_ics("p1", DATES, link=LINK, now=1.0))]
    again = [str(e["uid"]) for e in events(calendar_ics("p1", DATES, link=LINK, now=9.0))]
    other = [str(e["uid"]) for e in events(calendar_ics("p2", DATES, link=LINK, now=1.0))]
    assert first == again
    assert len(set(first)) == 3
    assert not set(first) & set(other)


def test_a_spanish_calendar_speaks_spanish() -> None:
    (event, *_rest) = events(calendar_ics("p1", DATES, link=LINK, language="es", now=1.0))
    assert str(event["summary"]) == "Revisión de mi meta"


def test_no_dates_is_an_empty_calendar() -> None:
    assert events(calendar_ics("p1", [], link=LINK, now=1.0)) == []
