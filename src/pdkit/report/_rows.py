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
    measure: str = ""  # the measure's value with its unit ("62%"), "" when none


class Comment(NamedTuple):
    coach: str
    day: str
    text: str


class Reflection(NamedTuple):
    """A teacher's answers to one reflection form: shared with their coach (or wider),
    or private (only in a report made with ``include_private``)."""

    form: str
    answers: list[Item]
    shared: bool


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


class Observed(NamedTuple):
    day: str
    observer: str
    version: str  # "goal version 2", or "" before a goal
    seen: str  # "2 of 3 look-fors seen"
    glow: str
    grow: str
    general: str


class Evidence(NamedTuple):
    """An evidence item, as the coach's report shows it: an item with student data keeps
    only its kind, date and caption (the rest stays in pdkit, where only the teacher and
    their coach see it), and a link only when it is http(s)."""

    day: str
    kind: str
    caption: str
    link: str  # "" when none, not http(s), or the item holds student data
    text: str
    student_data: bool
    checkin: str  # "with check-in 2", or ""


class Teacher(NamedTuple):
    id: str
    name: str  # with a short suffix when another teacher has the same name
    status: str  # the goal's status and since when ("" when not known)
    plan: str  # where they are in their check-in schedule ("" when not known)
    goal: list[Item] | None  # None: no goal yet
    versions: list[Version]
    timeline: Markup  # empty: nothing to draw
    checkins: list[Checkin]
    comments: list[Comment]
    reflections: list[Reflection]  # only with include_private
    notes: list[Note]  # only with include_private
    hidden: int  # private answers and notes left out
    measure: Markup = Markup("")  # A → now → B of a measured goal; empty: none
    measure_words: str = ""  # the same in a sentence ("From 40% to 62% so far; …")
    observations: tuple[Observed, ...] = ()  # those that reach the coach (or all, private)
    evidence: tuple[Evidence, ...] = ()  # the items the reader may see, newest first


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
    private_count: int  # reflections kept private and protocol notes left out
    cohort: Cohort
    teachers: list[Teacher]  # those who shared something
    silent: list[Teacher]  # those who shared nothing yet: one line, not a section
