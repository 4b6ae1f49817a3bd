"""Test doubles and builders for code that uses pdkit (and for pdkit's own tests).

- :class:`FakeClock`: a clock that tests move by hand (every widget and store takes a
  ``clock``);
- :class:`FakeScheduler`: a ``schedule`` that records what a widget asks to run later
  and runs it when the test says so (autosave, polling);
- :func:`memory_store`: a store in memory, with a clock of your choice;
- :func:`page_loaded`: what a page's JavaScript tells the kernel when it loads (the
  browser identity's report), so that widgets sign in without a browser;
- :func:`descendants`: a widget and everything inside it;
- :func:`make_cohort`: a small, realistic session (:class:`Cohort`): goals revised over
  two sittings, check-ins, a reflection, protocol notes, and a participant who never
  answered.

Nothing here is used by pdkit itself; importing it loads the definitions and the store,
never widgets or pandas.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import pacing
from .definitions import Section, WorkbookDefinition, load_protocol
from .store import Participant, SQLiteStore

if TYPE_CHECKING:
    from .widgets import BrowserIdentity

__all__ = [
    "COACHING_WORKBOOK",
    "DAY",
    "HOUR",
    "START",
    "Cohort",
    "FakeClock",
    "FakeHandle",
    "FakeScheduler",
    "descendants",
    "make_cohort",
    "memory_store",
    "page_loaded",
    "shown_text",
]

DAY = 86400.0
HOUR = 3600.0
START = 1_767_225_600.0
"""2026-01-01 00:00 UTC: when :func:`make_cohort`'s session begins."""

PAGE = "http://h/voila/render/goal-setting.ipynb"

COACHING_WORKBOOK = WorkbookDefinition(
    id="coaching-cycle",
    title="Coaching cycle",
    sections=(
        Section("form", ("goal-setting",)),
        Section("reflection", ("exit-ticket",)),
        Section("reflection", ("what-so-what-now-what",)),
        Section("protocol", ("runner",)),
    ),
)
"""A workbook with everything a coaching cycle saves: the goal, check-ins, a reflection
and the protocol runner."""


class FakeClock:
    """A clock for tests: each reading returns :attr:`now`, then moves it ``step``
    seconds on (with ``step=0`` it stays where a test puts it). :attr:`calls` counts the
    readings."""

    def __init__(self, start: float = 1000.0, *, step: float = 1.0) -> None:
        self.start = start
        self.now = start
        self.step = step
        self.calls = 0

    def __call__(self) -> float:
        self.calls += 1
        reading = self.now
        self.now += self.step
        return reading


@dataclass
class FakeHandle:
    """What :class:`FakeScheduler` returns: the delay and the function, until cancelled."""

    delay: float
    fn: Callable[[], None]
    cancelled: bool = False

    def cancel(self) -> None:
        self.cancelled = True


@dataclass
class FakeScheduler:
    """Records every ``schedule(delay, fn)``; nothing runs until a test says so."""

    calls: list[FakeHandle] = field(default_factory=list)

    def __call__(self, delay: float, fn: Callable[[], None]) -> FakeHandle:
        handle = FakeHandle(delay, fn)
        self.calls.append(handle)
        return handle

    @property
    def pending(self) -> list[FakeHandle]:
        return [h for h in self.calls if not h.cancelled]

    def fire(self) -> None:
        """Run the one pending call, as the event loop would when its time comes."""
        (handle,) = self.pending
        handle.cancelled = True  # a handle runs once
        handle.fn()


def memory_store(clock: Callable[[], float] | None = None) -> SQLiteStore:
    """A store in memory (a fresh one at every call), reading ``clock`` if given."""
    return SQLiteStore(":memory:") if clock is None else SQLiteStore(":memory:", clock=clock)


def page_loaded(
    browser: BrowserIdentity,
    *,
    page_url: str = PAGE,
    url_token: str = "",
    stored_token: str = "",
) -> None:
    """What the page's JavaScript reports to the kernel when it loads: its address, the
    resume token in the link and the one the browser kept (none: a new participant)."""
    browser.set_state(
        {
            "url_token": url_token,
            "stored_token": stored_token,
            "page_url": page_url,
            "reported": True,
        }
    )


def descendants(widget: Any) -> list[Any]:
    """The widget and every widget inside it."""
    found = [widget]
    for child in getattr(widget, "children", ()):
        found += descendants(child)
    return found


def shown_text(widget: Any) -> str:
    """Every text a person could read in a widget tree (values, descriptions,
    placeholders, tooltips), one per line: what a test asserts a page shows, or that a
    page never shows (a teacher's text on a facilitator's panel)."""
    parts = []
    for node in descendants(widget):
        for name in ("value", "description", "placeholder", "tooltip"):
            value = getattr(node, name, None)
            if isinstance(value, str):
                parts.append(value)
    return "\n".join(parts)


@dataclass
class Cohort:
    """What :func:`make_cohort` made: the store, its clock, three teachers and a run."""

    store: SQLiteStore
    clock: FakeClock
    ana: Participant
    ben: Participant
    cy: Participant
    run_id: str

    def goal(self, who: Participant, answers: dict[str, Any]) -> None:
        self.store.record(who.id, "goal-setting", answers, spec_version="goal-setting@1")

    def checkin(self, who: Participant, answers: dict[str, Any]) -> None:
        self.store.record(who.id, "exit-ticket", answers, spec_version="exit-ticket@1")

    def at(self, moment: float) -> None:
        """The next change is made at ``moment`` (and each one after a second later)."""
        self.clock.now = moment


def make_cohort(path: str | Any = ":memory:", *, text: str = "") -> Cohort:
    """Ana revises her goal a week later and checks in twice; Ben sets a goal in one
    sitting, reflects and writes notes; Cy joins and writes nothing. ``text`` is put
    into every free-text answer (to test escaping). Each change is a second after the
    one before, from :data:`START` + 1 s."""
    clock = FakeClock(START + 1)
    store = SQLiteStore(path, clock=clock)
    ana = store.create_participant(f"Ana {text}".strip())[0]
    ben = store.create_participant("Ben")[0]
    cy = store.create_participant("Cy")[0]
    tuning = load_protocol("tuning")
    run = store.start_run(
        "default",
        tuning.id,
        tuning.spec_version,
        {"g1": {ana.id: "presenter", ben.id: "participant"}},
        pacing.start(tuning, START),
    )
    cohort = Cohort(store, clock, ana, ben, cy, run.id)
    # Ana and Ben share their goals and Ana her check-ins with their coach (each
    # teacher's own choice; Ben's reflection stays private, as every item is at first).
    store.set_visibility(ana.id, "goal-setting", "coach")
    store.set_visibility(ana.id, "exit-ticket", "coach")
    store.set_visibility(ben.id, "goal-setting", "coach")
    # Ana, day 0: the goal, typed with autosave (three saves of the goal text).
    cohort.goal(ana, {"school_goal": "talk"})
    cohort.goal(ana, {"goal": "More talk"})
    cohort.goal(ana, {"goal": f"More student talk {text}".strip()})
    cohort.goal(
        ana,
        {
            "point_a": f"Three students answer most questions {text}".strip(),
            "point_b": "Half the class explains their thinking",
            "target_date": "2026-03-31",
            "confidence": 2,
            "evidence": ["student_work", "survey"],
            "action_steps": ["Wait five seconds", "Think-pair-share"],
        },
    )
    store.record_notes(
        run.id, "presentation", ana.id, {"focusing_question": f"How? {text}".strip()}
    )
    # Ana, a week later: she revises the goal and her confidence.
    cohort.at(START + 7 * DAY + 1)
    cohort.goal(ana, {"goal": "Most students explain their thinking by March", "confidence": 3})
    # Ana's check-ins, two and four weeks in.
    cohort.at(START + 14 * DAY + 1)
    cohort.checkin(
        ana,
        {"progress": 2, "evidence": f"Pairs talk more {text}".strip(), "next_step": "Cold call"},
    )
    cohort.checkin(ana, {"support": "coach"})
    cohort.at(START + 28 * DAY + 1)
    cohort.checkin(ana, {"progress": 4, "next_step": "Share with my team"})
    # Ben: one sitting, a reflection and notes.
    cohort.at(START + 2 * HOUR + 1)
    cohort.goal(ben, {"school_goal": "feedback", "goal": "Students act on feedback"})
    store.record(
        ben.id,
        "what-so-what-now-what",
        {"what": f"I saw silence {text}".strip(), "so_what": "They need time"},
        spec_version="what-so-what-now-what@1",
    )
    store.record_notes(run.id, "warm-cool", ben.id, {"warm": "Clear goal", "cool": "Measure?"})
    return cohort
