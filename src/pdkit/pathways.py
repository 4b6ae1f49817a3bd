"""A teacher's path through a pathway: the rules, as pure functions.

A pathway (a ``kind: pathway`` definition, :class:`~pdkit.definitions.PathwayDefinition`)
is a choice board of steps towards one school goal: required steps, optional steps of
which at least ``min_optional`` are done, and prerequisites (``after``). A teacher picks
one pathway; the store keeps the choice and the steps they tick.

A step is *done* in one of two ways:

- pdkit sees it done (:data:`OBSERVED`, from the store, never ticked): a ``workbook``
  step when every form of the workbook has a saved answer to each of its required
  fields (:func:`workbook_complete`; a section offering several reflections: one of
  them); a ``protocol`` step when the teacher presented in a round of a run (of the
  protocol named, or of any protocol); an ``observation`` step when an observation of
  their teaching was sent to them (``receive``) or they sent one of a colleague's
  (``give``); a ``credential`` step when an assessor awarded them the micro-credential
  it names (:mod:`pdkit.credentials`);
- the teacher ticks it (every other type), with an optional web link and a short note;
  they may untick it.

A step not done whose prerequisites are not all done is *locked* (and cannot be
ticked); a done step stays done even if it was done before its prerequisites (the
work happened). The pathway is complete when every required step is done and at least
``min_optional`` optional ones.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from .definitions import (
    FormDefinition,
    PathwayDefinition,
    PathwayStep,
    WorkbookDefinition,
    load_form,
    load_workbook,
)
from .errors import StoreError
from .i18n import N_

__all__ = [
    "DONE",
    "LOCKED",
    "MAX_LINK_CHARS",
    "MAX_NOTE_CHARS",
    "OBSERVED",
    "OPEN",
    "Facts",
    "Progress",
    "StepState",
    "Tick",
    "check_tick",
    "fitting",
    "progress",
    "step_observed",
    "tidy_tick",
    "workbook_complete",
    "workbook_parts",
]

OBSERVED = ("workbook", "protocol", "observation", "credential")
"""The step types pdkit sees done from the store; the teacher ticks the others."""

DONE, OPEN, LOCKED = "done", "open", "locked"
"""A step's status: done; open to do now; locked until its prerequisites are done."""

MAX_NOTE_CHARS = 500
"""A tick's note holds at most this many characters."""

MAX_LINK_CHARS = 2000
"""A tick's link holds at most this many characters."""

_CONTROL = re.compile(r"[\x00-\x20\x7f-\x9f]")
_HOST = re.compile(r"^[A-Za-z0-9.\-\[\]:]+$")


@dataclass(frozen=True)
class Tick:
    """The teacher's latest tick of one step: done or not, a link, a note, when."""

    step: str
    done: bool
    link: str = ""
    note: str = ""
    at: float = 0.0


@dataclass(frozen=True)
class Facts:
    """What pdkit saw a teacher do, read from the store (see the module docs)."""

    workbooks_done: frozenset[str] = frozenset()
    """The ids of the workbooks whose forms have every required answer saved."""
    presented: tuple[str, ...] = ()
    """The protocols of the runs in which they presented (one entry per round)."""
    observations_received: int = 0
    observations_given: int = 0
    credentials_awarded: frozenset[str] = frozenset()
    """The ids of the micro-credentials an assessor awarded them."""


@dataclass(frozen=True)
class StepState:
    """One step as it stands for one teacher."""

    step: PathwayStep
    status: str
    observed: bool
    """Whether pdkit sees this step done by itself (else the teacher ticks it)."""
    tick: Tick | None = None
    waiting_for: tuple[str, ...] = ()
    """The prerequisites not done yet (a locked step's reason)."""

    @property
    def done(self) -> bool:
        return self.status == DONE


@dataclass(frozen=True)
class Progress:
    """A teacher's progress on a pathway."""

    pathway: PathwayDefinition
    steps: tuple[StepState, ...]
    required_done: int
    required_total: int
    optional_done: int
    min_optional: int
    next_steps: tuple[StepState, ...] = field(default=())
    """What to do next: the open required steps, else (while more optional steps are
    needed) the open optional ones."""

    @property
    def complete(self) -> bool:
        return self.required_done == self.required_total and self.optional_done >= self.min_optional

    def state(self, step_id: str) -> StepState:
        for state in self.steps:
            if state.step.id == step_id:
                return state
        raise KeyError(f"pathway {self.pathway.id!r} has no step {step_id!r}")


def step_observed(step: PathwayStep, facts: Facts) -> bool:
    """Whether pdkit sees ``step`` (one of the :data:`OBSERVED` types) done."""
    if step.type == "workbook":
        return step.target in facts.workbooks_done
    if step.type == "protocol":
        return bool(facts.presented) if not step.target else step.target in facts.presented
    if step.type == "observation":
        wanted = facts.observations_given if step.target == "give" else facts.observations_received
        return wanted > 0
    if step.type == "credential":
        return step.target in facts.credentials_awarded
    return False


def progress(
    pathway: PathwayDefinition, facts: Facts, ticks: Mapping[str, Tick] | Iterable[Tick]
) -> Progress:
    """Where a teacher stands on ``pathway``, from what pdkit saw and what they ticked
    (ticks of steps the pathway no longer has are passed over)."""
    by_step = dict(ticks) if isinstance(ticks, Mapping) else {t.step: t for t in ticks}
    done: dict[str, bool] = {}
    for step in pathway.steps:
        if step.type in OBSERVED:
            done[step.id] = step_observed(step, facts)
        else:
            tick = by_step.get(step.id)
            done[step.id] = tick is not None and tick.done
    states: list[StepState] = []
    for step in pathway.steps:
        waiting = tuple(b for b in step.after if not done.get(b, False))
        status = DONE if done[step.id] else (LOCKED if waiting else OPEN)
        states.append(
            StepState(
                step,
                status,
                step.type in OBSERVED,
                None if step.type in OBSERVED else by_step.get(step.id),
                waiting if status == LOCKED else (),
            )
        )
    required = [s for s in states if s.step.required]
    optional = [s for s in states if not s.step.required]
    required_done = sum(1 for s in required if s.done)
    optional_done = sum(1 for s in optional if s.done)
    nexts = [s for s in required if s.status == OPEN]
    if not nexts and optional_done < pathway.min_optional:
        nexts = [s for s in optional if s.status == OPEN]
    return Progress(
        pathway,
        tuple(states),
        required_done,
        len(required),
        optional_done,
        pathway.min_optional,
        tuple(nexts),
    )


def check_tick(
    pathway: PathwayDefinition, step_id: str, current: Progress, *, done: bool
) -> PathwayStep:
    """The step the teacher ticks (or unticks), if they may: a step of this pathway, of a
    type pdkit does not see for itself, and (to tick it) not locked."""
    try:
        step = pathway.step(step_id)
    except KeyError:
        raise StoreError(
            N_("the pathway {pathway!r} has no step {step!r}"), pathway=pathway.id, step=step_id
        ) from None
    if step.type in OBSERVED:
        raise StoreError(
            N_("pdkit marks this step done by itself when you do it: it cannot be ticked")
        )
    state = current.state(step_id)
    if done and state.status == LOCKED:
        raise StoreError(
            N_("this step waits for another one first: {steps}"),
            steps=", ".join(pathway.step(b).title for b in state.waiting_for),
        )
    return step


def tidy_tick(link: str, note: str) -> tuple[str, str]:
    """A tick's link (empty, or an ``http://`` / ``https://`` address) and note (at most
    :data:`MAX_NOTE_CHARS`), tidied; :class:`pdkit.StoreError` says what is wrong."""
    link = unicodedata.normalize("NFC", link.strip())
    note = note.strip()
    if len(note) > MAX_NOTE_CHARS:
        raise StoreError(
            N_("the note is {length:,} characters long; at most {most}"),
            length=len(note),
            most=MAX_NOTE_CHARS,
        )
    if not link:
        return "", note
    if len(link) > MAX_LINK_CHARS:
        raise StoreError(
            N_("the link is {length:,} characters long; at most {most:,}"),
            length=len(link),
            most=MAX_LINK_CHARS,
        )
    if _CONTROL.search(link):
        raise StoreError(N_("a link has no spaces or control characters: paste it again"))
    parts = urlsplit(link)
    if parts.scheme.lower() not in ("http", "https"):
        raise StoreError(
            N_("only web links (https://… or http://…) can be kept with a step, not {shown!r}"),
            shown=parts.scheme or link[:20],
        )
    if not parts.hostname or not _HOST.match(parts.netloc.rpartition("@")[2]):
        raise StoreError(
            N_("{link!r} has no web address after {scheme}://"),
            link=link[:80],
            scheme=parts.scheme,
        )
    return link, note


def workbook_complete(
    workbook: WorkbookDefinition,
    forms: Mapping[str, FormDefinition],
    answers: Mapping[str, Mapping[str, Any]],
) -> bool:
    """Whether a teacher's saved ``answers`` (form id → field id → value) complete
    ``workbook``: each form section's required fields answered (a form without required
    fields: any answer), and for a section offering several reflections, one of them
    complete. A workbook with no form is never complete this way."""
    found_form = False
    for section in workbook.sections:
        if section.kind not in ("form", "reflection", "reflections"):
            continue
        found_form = True
        if not any(_form_complete(forms.get(ref), answers.get(ref, {})) for ref in section.refs):
            return False
    return found_form


@cache
def workbook_parts(workbook_id: str) -> tuple[WorkbookDefinition, dict[str, FormDefinition]]:
    """A built-in workbook and the forms its sections offer, read once per process
    (:class:`pdkit.DefinitionError` when pdkit has no such workbook)."""
    workbook = load_workbook(workbook_id)
    forms: dict[str, FormDefinition] = {}
    for section in workbook.sections:
        if section.kind in ("form", "reflection", "reflections"):
            for ref in section.refs:
                forms.setdefault(ref, load_form(ref))
    return workbook, forms


def _form_complete(form: FormDefinition | None, answers: Mapping[str, Any]) -> bool:
    if form is None:
        return False
    required = [f.id for f in form.fields if f.required]
    if not required:
        return any(v not in (None, "", []) for v in answers.values())
    return all(answers.get(f) not in (None, "", []) for f in required)


def fitting(
    pathways: Sequence[PathwayDefinition], school_goal: str | None
) -> list[PathwayDefinition]:
    """The pathways in the order a teacher is offered them: those of their goal's school
    goal first, then the others (each group in title order)."""
    ordered = sorted(pathways, key=lambda p: (p.title.casefold(), p.id))
    return [p for p in ordered if p.school_goal == school_goal] + [
        p for p in ordered if p.school_goal != school_goal
    ]
