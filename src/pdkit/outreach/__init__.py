"""Reaching teachers after the session: the calendar of their check-ins (an ``.ics``
file, RFC 5545) and reminders by email (:mod:`pdkit.outreach` is used by ``pdkit
remind``, ``pdkit serve --remind`` and the "My goal" page's calendar download).

Nothing a teacher wrote ever goes into a calendar or an email: only dates, the
session's title, and links to their own pages.
"""

from __future__ import annotations

from ._ics import calendar_ics
from ._mail import PASSWORD_ENV, URL_ENV, Mailer, SmtpSettings, reminder_message
from ._send import RECLAIM_AFTER, Reminder, RemindReport, due_reminders, send_reminders

__all__ = [
    "PASSWORD_ENV",
    "RECLAIM_AFTER",
    "URL_ENV",
    "Mailer",
    "RemindReport",
    "Reminder",
    "SmtpSettings",
    "calendar_ics",
    "due_reminders",
    "reminder_message",
    "send_reminders",
]
