"""What the report's templates read: plain rows of strings and numbers ("" for a missing
value), and the charts as ``Markup`` (inline SVG, escaped as it was drawn). The templates
print every other value through :func:`~pdkit.report._text.text`."""

from __future__ import annotations

from typing import NamedTuple

from markupsafe import Markup


class Item(NamedTuple):
    """A labelled value (a row of a ``<dl>``); "" when there is none."""

    label: str
    value: str | int


class Change(NamedTuple):
    """A field changed in a version: its label, what it was and what it is now."""

    label: str
    was: str
    now: str


class Version(NamedTuple):
    """A version of a goal (:mod:`pdkit.revisions`): 1 is the goal first set."""

    number: int
    day: str
    changes: list[Change]


class Checkin(NamedTuple):
    number: str
    day: str
    level: str
    evidence: str
    next_step: str
    support: str


class Comment(NamedTuple):
    coach: str
    day: str
    text: str


class Reflection(NamedTuple):
    """A teacher's private answers to one reflection form."""

    form: str
    answers: list[Item]


class Note(NamedTuple):
    day: str
    step: str
    role: str
    field: str
    text: str


class Stale(NamedTuple):
    """A goal not revisited: whose, and why (one version only, or unchanged for long)."""

    participant: str
    name: str
    reason: str


class Teacher(NamedTuple):
    id: str
    name: str
    goal: list[Item] | None  # None: no goal yet
    versions: list[Version]
    timeline: Markup  # empty: nothing to draw
    checkins: list[Checkin]
    comments: list[Comment]
    reflections: list[Reflection]  # only with include_private
    notes: list[Note]  # only with include_private
    hidden: int  # private answers and notes left out


class Cohort(NamedTuple):
    counts: list[Item]
    goals_chart: Markup  # empty: nothing to show
    progress_chart: Markup
    without_checkin: int
    sitting_minutes: str
    stale_days: int
    as_of: str
    stale: list[Stale]


class Page(NamedTuple):
    title: str
    version: str
    generated: str
    sources: int
    include_private: bool
    kept: int  # goals and check-ins kept private (not in the report)
    private_count: int  # private answers and notes left out
    cohort: Cohort
    teachers: list[Teacher]
