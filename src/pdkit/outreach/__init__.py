"""Reaching teachers after the session: the calendar of their check-ins (an ``.ics``
file, RFC 5545) and reminders by email (:mod:`pdkit.outreach` is used by ``pdkit
remind``, ``pdkit serve --remind`` and the "My goal" page's calendar download).

Nothing a teacher wrote ever goes into a calendar or an email: only dates, the
session's title, and links to their own pages.
"""

from __future__ import annotations

from ._ics import calendar_ics

__all__ = ["calendar_ics"]
