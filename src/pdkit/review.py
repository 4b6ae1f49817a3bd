"""The coach's view: saved workbooks or a store → tidy pandas DataFrames (``pdkit review``).

::

    from pdkit import review

    r = review.load("collected/")                  # a folder of saved .ipynb workbooks
    r = review.load(["a.ipynb", "more/"])          # files and folders
    r = review.load("sqlite:////srv/pdkit/spring.sqlite3")   # or the session's store
    r.goals                                        # one row per teacher's goal
    r.warnings                                     # every file skipped, and why

This module and :mod:`pdkit.report` are the only ones that import pandas: a
participant's kernel never loads them.

Sources
-------
A *source* is a saved workbook (``.ipynb``), a folder (every ``*.ipynb`` below it,
``.ipynb_checkpoints`` excluded), a store URL (``sqlite:///…``, ``postgresql://…``; a
plain path ending in ``.sqlite3``, ``.sqlite`` or ``.db`` too), an open
:class:`pdkit.store.Store`, or a list of these. A store lists participants per session
and keeps answers per form, so a store is read for ``session`` and for the built-in
forms and reflections plus those given in ``definitions``; files are read whatever
their session. The same facts found twice (two downloads of one workbook, a file and
the store) are kept once; the current answer is always the latest event.

A batch never stops on a bad file: a foreign notebook, another nbformat version,
broken JSON, a notebook without pdkit data, a newer saved format, a damaged saved
block or an unreadable file is skipped with a warning that names it and says why
(``Review.warnings``, and ``warn(message)`` as it happens).

What is checked, cheaply: each file is parsed once with :func:`json.loads` (by
:func:`pdkit.notebooks.read_saved`) and never validated against the nbformat schema,
which costs more than all the rest and says nothing about pdkit's own block (pdkit
reads its metadata, not the cells). The file must be a dict with ``nbformat`` 4 and a
list of ``cells``; ``metadata.pdkit.saved`` must exist with a ``format`` this pdkit
reads; the participant needs an id; every history event, note and coach comment must
have the keys and types pdkit reads (text for ids, a finite number for a time, checked
column by column in C-speed builtins, not entry by entry). One bad entry makes the
whole file count as damaged: half a teacher's history would mislead more than none.

DataFrames
----------
One row per fact. Every time is ``datetime64[ns, UTC]``; texts (ids included) are the
``string`` dtype, with "" for an empty answer; numbers that may be missing are
``Int64``; :data:`COLUMNS` lists every column and its dtype. ``value`` is the answer
**as its JSON value** (``object`` dtype): text for text, date and choice fields (the
option's id), an int for a scale, a list for multi-choice and list fields — so
``answers.value == "talk"`` and ``.explode("value")`` work as you expect, and nothing
is lost. ``value_text`` (``text`` in notes and reflections) is the answer as a person
reads it: option labels instead of ids, list items numbered, one ``string`` column for
every field type. (JSON text for ``value`` was the other choice: exact too, but
``'"talk"'`` is a trap to compare with, and encoding every answer cost an eighth of the
time of a large batch.)

``participants``  participant, display_name, session, source (the file or store it
                  came from; the newest saved copy when there are several)
``answers``       participant, form, field, value, value_text, spec_version, at, kind
                  (form, reflection or ``unknown`` without a definition), private —
                  the current answer to every field
``versions``      participant, form, field, version (1, 2, … per field), value,
                  value_text, spec_version, at, private — every event of the history
``goals``         one row per teacher with a goal (form ``goal-setting``): participant,
                  display_name, school_goal (id), school_goal_label, focus, goal,
                  point_a, point_b, target_date (``datetime64[ns]``, a calendar date),
                  confidence (``Int64``, 1-4), confidence_label, action_steps,
                  versions, revisions (= versions - 1), first_set, last_change
``goal_versions`` participant, version, at, field, label, value_text, changed (bool) —
                  the goal at the end of each sitting, field by field (made on first
                  use: the report needs it, most analyses do not)
``reflections``   participant, form, field, label, text, at, private — current answers to
                  reflections other than the check-in
``checkins``      participant, checkin (1, 2, …), at, progress (``Int64``, 1-5),
                  progress_label, evidence, next_step, support — one row per sitting of
                  the ``exit-ticket`` reflection
``notes``         run, group, step, role, participant, field, value, text, spec_version,
                  at, private — protocol notes, every event
``feedback``      giver, target (the receiver), form, category, text, at, helpful
                  (``boolean``, <NA> until the receiver marks it), private (always True:
                  feedback is between its giver and its receiver) — peer feedback
``comments``      participant, coach, text, at, source — coach comments written into
                  saved workbooks (:func:`pdkit.notebooks.add_comment`)

Versions and sittings
---------------------
Answers save as people type, so one sitting makes many events. A goal *version* (and a
*check-in*) is the state of the form at the end of a sitting: events less than
``sitting_gap`` apart (30 minutes by default) belong to one sitting. ``versions``
keeps every raw event; ``goals.versions`` and ``goal_versions`` count sittings.

Privacy
-------
What a teacher writes is theirs. Each item (a participant's answers to one form) has
the visibility the teacher chose (:mod:`pdkit.store`: ``private`` by default,
``coach``, ``group``, ``session``); ``private`` is True for an item the teacher kept
private. A store is read as ``viewer`` (default :meth:`pdkit.store.Viewer.steward`:
items shared at ``coach`` level or wider; ``Viewer.steward(include_private=True)``
reads everything), so private items are not even loaded unless asked for. Saved
workbooks hold the visibility of each item and it is honoured the same way (the
report leaves private text out). Protocol notes and peer feedback are always private
to the people who wrote (and received) them. Files saved before visibility existed
keep the earlier rule: the goal (form ``goal-setting``) and the check-in's progress,
evidence, next step and support are shared with the coach by design of a coaching
cycle; everything else is private.
"""

from __future__ import annotations

import gc
import json
import math
import operator
import os
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cache, cached_property, partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .definitions import (
    Field,
    FormDefinition,
    SchoolGoal,
    answer_text,
    builtin_definition_path,
    builtin_definitions,
    default_school_goals,
    load_definition,
    load_school_goals,
)
from .definitions.ids import CHECKIN_FORM, COACH_FIELDS, GOAL_FORM
from .errors import DefinitionError, PdkitError, WorkbookFileError
from .notebooks import read_saved
from .store import (
    DEFAULT_SESSION,
    JSONValue,
    Participant,
    Store,
    Viewer,
    open_store,
    resolve_store_url,
)

__all__ = [
    "CHECKIN_FORM",
    "COLUMNS",
    "GOAL_FORM",
    "SHARED_FIELDS",
    "Review",
    "goal_version_rows",
    "load",
]

SHARED_FIELDS = COACH_FIELDS
"""What a coach sees by design of a coaching cycle (None: the whole form)."""

STORE_SUFFIXES = (".sqlite3", ".sqlite", ".db")
_TEXT_TYPES = ("text", "long_text", "date")

Source = str | os.PathLike[str] | Store
Warn = Callable[[str], None]
Progress = Callable[[int, int], None]

_UTC = "datetime64[ns, UTC]"
_STR = "string"
_encode = json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode
_encode_text: Callable[[str], str] = json.encoder.encode_basestring

COLUMNS: Mapping[str, Mapping[str, str]] = {
    "participants": {"participant": _STR, "display_name": _STR, "session": _STR, "source": _STR},
    "answers": {
        "participant": _STR,
        "form": _STR,
        "field": _STR,
        "value": "object",
        "value_text": _STR,
        "spec_version": _STR,
        "at": _UTC,
        "kind": _STR,
        "private": "bool",
    },
    "versions": {
        "participant": _STR,
        "form": _STR,
        "field": _STR,
        "version": "int64",
        "value": "object",
        "value_text": _STR,
        "spec_version": _STR,
        "at": _UTC,
        "private": "bool",
    },
    "goals": {
        "participant": _STR,
        "display_name": _STR,
        "school_goal": _STR,
        "school_goal_label": _STR,
        "focus": _STR,
        "goal": _STR,
        "point_a": _STR,
        "point_b": _STR,
        "target_date": "datetime64[ns]",
        "confidence": "Int64",
        "confidence_label": _STR,
        "action_steps": _STR,
        "versions": "int64",
        "revisions": "int64",
        "first_set": _UTC,
        "last_change": _UTC,
    },
    "goal_versions": {
        "participant": _STR,
        "version": "int64",
        "at": _UTC,
        "field": _STR,
        "label": _STR,
        "value_text": _STR,
        "changed": "bool",
    },
    "reflections": {
        "participant": _STR,
        "form": _STR,
        "field": _STR,
        "label": _STR,
        "text": _STR,
        "at": _UTC,
        "private": "bool",
    },
    "checkins": {
        "participant": _STR,
        "checkin": "int64",
        "at": _UTC,
        "progress": "Int64",
        "progress_label": _STR,
        "evidence": _STR,
        "next_step": _STR,
        "support": _STR,
    },
    "notes": {
        "run": _STR,
        "group": _STR,
        "step": _STR,
        "role": _STR,
        "participant": _STR,
        "field": _STR,
        "value": "object",
        "text": _STR,
        "spec_version": _STR,
        "at": _UTC,
        "private": "bool",
    },
    "feedback": {
        "giver": _STR,
        "target": _STR,
        "form": _STR,
        "category": _STR,
        "text": _STR,
        "at": _UTC,
        "helpful": "boolean",
        "private": "bool",
    },
    "comments": {"participant": _STR, "coach": _STR, "text": _STR, "at": _UTC, "source": _STR},
}
"""Every DataFrame's columns and dtypes, in order (tests check the frames against it)."""


@dataclass(frozen=True, eq=False)  # DataFrames do not compare to one bool
class Review:
    """What :func:`load` read: tidy DataFrames (see the module docs) and the warnings."""

    participants: pd.DataFrame
    answers: pd.DataFrame
    versions: pd.DataFrame
    goals: pd.DataFrame
    reflections: pd.DataFrame
    checkins: pd.DataFrame
    notes: pd.DataFrame
    feedback: pd.DataFrame
    comments: pd.DataFrame
    warnings: list[str] = field(default_factory=list)
    read: tuple[str, ...] = ()
    """The files and stores that were read (skipped ones are in ``warnings``)."""
    skipped: int = 0
    """How many files or stores could not be read."""
    sitting_gap: float = 30 * 60
    """Seconds without an edit that end a sitting (see "Versions and sittings")."""
    goal_fields: tuple[tuple[str, str], ...] = field(default=(), repr=False)
    """(id, label) of the goal form's fields, in order (for ``goal_versions``)."""
    revision_marks: Mapping[str, tuple[float, ...]] = field(default_factory=dict, repr=False)
    """Per participant, when they started a new version of their goal ("Start a new
    version"): a new version starts there too, as it does after a pause."""

    @cached_property
    def goal_versions(self) -> pd.DataFrame:
        """The goal at the end of each sitting, field by field (made on first use)."""
        return goal_version_rows(
            self.versions, self.sitting_gap, self.goal_fields, self.revision_marks
        )

    def hidden(self) -> tuple[set[str], set[str]]:
        """(participants whose goal is private, whose check-ins are private)."""
        private = self.answers[self.answers["private"].to_numpy(dtype=bool)]
        return (
            set(private.loc[private["form"] == GOAL_FORM, "participant"]),
            set(private.loc[private["form"] == CHECKIN_FORM, "participant"]),
        )

    def shared_only(self) -> Review:
        """This review without the goals and check-ins that teachers kept private (their
        rows in ``answers``, ``versions``, ``goals`` and ``checkins``). Reflections and
        notes are left as they are: they are private by nature, and marked."""
        goal_hidden, checkin_hidden = self.hidden()
        if not goal_hidden and not checkin_hidden:
            return self

        def keep(frame: pd.DataFrame, hidden: set[str], form: str | None = None) -> pd.DataFrame:
            drop = frame["participant"].isin(hidden)
            if form is not None:
                drop &= frame["form"] == form
            return frame[~drop.to_numpy(dtype=bool)].reset_index(drop=True)

        def without(frame: pd.DataFrame) -> pd.DataFrame:
            return keep(keep(frame, goal_hidden, GOAL_FORM), checkin_hidden, CHECKIN_FORM)

        return replace(
            self,
            answers=without(self.answers),
            versions=without(self.versions),
            goals=keep(self.goals, goal_hidden),
            checkins=keep(self.checkins, checkin_hidden),
        )


# --------------------------------------------------------------------------- collecting


class _Damaged(Exception):
    """A saved block whose entries are not what pdkit writes."""


_EVENT_KEYS = ("form", "field", "value", "at", "spec_version")
_NOTE_KEYS = ("run", "group", "step", "role", "field", "value", "at", "spec_version")
_COMMENT_KEYS = ("coach", "text", "at")
_FEEDBACK_KEYS = ("id", "giver", "owner", "form", "category", "text", "at")


@dataclass(slots=True)
class _Who:
    display_name: str
    session: str
    source: str
    saved_at: float
    copies: int = 1


@dataclass
class _Collected:
    """Facts from every source, as columns (reading them is the hot loop of a batch)."""

    participants: dict[str, _Who] = field(default_factory=dict)
    # answer events: participant, form, field, value, at, spec_version
    events: tuple[list[Any], ...] = field(default_factory=lambda: tuple([] for _ in range(6)))
    # notes: run, group, step, role, field, value, at, spec_version, participant
    notes: tuple[list[Any], ...] = field(default_factory=lambda: tuple([] for _ in range(9)))
    # answers a file holds without any event in its history (hand-made or damaged
    # files): (participant, form, field) → (saved_at, value, spec_version)
    fallback: dict[tuple[str, str, str], tuple[float, JSONValue, str]] = field(default_factory=dict)
    comments: dict[tuple[str, str, str, float], str] = field(default_factory=dict)
    # (participant, form) → visibility, where the source says (stores, newer files)
    visibility: dict[tuple[str, str], str] = field(default_factory=dict)
    # peer feedback by id: giver, target, form, category, text, at, helpful
    feedback: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    # participant → times they started a new version of their goal
    marks: dict[str, set[float]] = field(default_factory=dict)

    def participant(self, pid: str, name: str, session: str, source: str, saved_at: float) -> None:
        known = self.participants.get(pid)
        if known is None:
            self.participants[pid] = _Who(name, session, source, saved_at)
            return
        known.copies += 1  # the same facts may come twice: duplicates are dropped later
        if saved_at > known.saved_at:
            known.display_name, known.session = name, session
            known.source, known.saved_at = source, saved_at

    def absorb(self, other: _Collected) -> None:
        """Add what ``other`` collected (participants, events and notes)."""
        for pid, who in other.participants.items():
            self.participant(pid, who.display_name, who.session, who.source, who.saved_at)
        mine_all, theirs_all = (*self.events, *self.notes), (*other.events, *other.notes)
        for mine, theirs in zip(mine_all, theirs_all, strict=True):
            mine.extend(theirs)
        self.visibility.update(other.visibility)
        self.feedback.update(other.feedback)
        for pid, marks in other.marks.items():
            self.marks.setdefault(pid, set()).update(marks)

    @property
    def overlapping(self) -> bool:
        return any(who.copies > 1 for who in self.participants.values())


def _columns(
    entries: Sequence[Any], keys: tuple[str, ...], what: str, loose: tuple[str, ...] = ("value",)
) -> list[tuple[Any, ...]]:
    """``entries`` (objects with ``keys``) as one tuple per key, checked cheaply: every
    key present, ``at`` a finite number, the others text (``loose`` ones: any JSON)."""
    if not entries:
        return [() for _ in keys]
    try:
        columns = list(zip(*map(operator.itemgetter(*keys), entries), strict=True))
    except (KeyError, TypeError, ValueError):
        for index, entry in enumerate(entries):
            if not isinstance(entry, Mapping):
                raise _Damaged(f"{what}[{index}] is not an object") from None
            for key in keys:
                if key not in entry:
                    raise _Damaged(f"{what}[{index}] has no {key!r}") from None
        raise _Damaged(f"{what} is not a list of objects") from None
    for key, column in zip(keys, columns, strict=True):
        if key in loose:
            continue
        if key == "at":
            if set(map(type, column)) <= {float, int} and all(map(math.isfinite, column)):
                continue
            index = next(i for i, v in enumerate(column) if not _is_time(v))
            raise _Damaged(f"{what}[{index}].at is not a time ({column[index]!r})")
        if not set(map(type, column)) <= {str}:
            index = next(i for i, v in enumerate(column) if type(v) is not str)
            raise _Damaged(f"{what}[{index}].{key} is {type(column[index]).__name__}, not text")
    return columns


def _is_time(value: object) -> bool:
    return type(value) in (float, int) and math.isfinite(value)  # type: ignore[arg-type]


def _comment_time(value: object, what: str) -> float:
    """A coach comment's time: ISO 8601 text with a zone (as written), or a number."""
    if _is_time(value):
        return float(value)  # type: ignore[arg-type]
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            pass
        else:
            if moment.tzinfo is not None:
                return moment.timestamp()
    raise _Damaged(f"{what} is not a time with a zone ({value!r})")


def _read_file(path: Path, collected: _Collected) -> None:
    """Read one saved workbook into ``collected``, all or nothing."""
    source = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise WorkbookFileError(f"{source}: cannot be read ({exc.strerror or exc})") from None
    saved = read_saved(raw, source=source)
    try:
        pid = saved.participant.get("id", "")
        if not pid:
            raise _Damaged("the participant has no id")
        try:
            saved_at = datetime.fromisoformat(saved.saved_at).timestamp()
        except ValueError:
            saved_at = 0.0
        events = _columns(saved.history, _EVENT_KEYS, "history")
        notes = _columns(saved.notes, _NOTE_KEYS, "notes")
        coach, text, at = _columns(
            saved.coach_comments, _COMMENT_KEYS, "coach_comments", loose=("at",)
        )
        comments = {
            (pid, who, said, _comment_time(when, f"coach_comments[{i}].at")): source
            for i, (who, said, when) in enumerate(zip(coach, text, at, strict=True))
        }
        feedback = list(
            zip(
                *_columns(saved.feedback, _FEEDBACK_KEYS, "feedback", loose=("helpful",)),
                (f.get("helpful") for f in saved.feedback),
                strict=False,
            )
        )
    except _Damaged as exc:
        raise WorkbookFileError(f"{source}: the saved answers are damaged ({exc})") from None

    collected.participant(
        pid,
        saved.participant.get("display_name", ""),
        saved.participant.get("session", DEFAULT_SESSION),
        source,
        saved_at,
    )
    count = len(events[0])
    collected.events[0].extend([pid] * count)
    for target, column in zip(collected.events[1:], events, strict=True):
        target.extend(column)
    for target, column in zip(collected.notes[:8], notes, strict=True):
        target.extend(column)
    collected.notes[8].extend([pid] * len(notes[0]))
    for key, where in comments.items():
        collected.comments.setdefault(key, where)
    for form_id, level in saved.visibility.items():
        collected.visibility[(pid, form_id)] = level
    marks = saved.revisions.get(GOAL_FORM, ())
    if marks:
        collected.marks.setdefault(pid, set()).update(float(m) for m in marks if _is_time(m))
    for item in feedback:
        collected.feedback.setdefault(item[0], item[1:])
    answered = set(zip(events[0], events[1], strict=True))
    for form_id, values in saved.answers.items():
        for field_id, value in values.items():
            if (form_id, field_id) in answered:
                continue  # the usual case: the answer is the field's latest event
            known = collected.fallback.get((pid, form_id, field_id))
            if known is None or saved_at > known[0]:
                spec = saved.spec_versions.get(form_id, "")
                collected.fallback[(pid, form_id, field_id)] = (saved_at, value, spec)


def _read_store(
    store: Store,
    people: Sequence[Participant],
    session: str,
    form_ids: Sequence[str],
    collected: _Collected,
    tick: Callable[[], None],
    viewer: Viewer,
) -> None:
    """Read a store's participants, their answers (history), protocol notes and peer
    feedback through the public :class:`~pdkit.store.Store` methods, as ``viewer``."""
    now = datetime.now().timestamp()  # the live store is newer than any saved copy
    for person in people:
        collected.participant(person.id, person.display_name, person.session, store.url, now)
        for form_id in form_ids:
            if not store.can_see(viewer, person.id, form_id):
                continue
            collected.visibility[(person.id, form_id)] = store.visibility(person.id, form_id)
            if form_id == GOAL_FORM:
                marks = store.revision_marks(person.id, form_id)
                if marks:
                    collected.marks.setdefault(person.id, set()).update(marks)
            for e in store.history(person.id, form_id, viewer=viewer):
                for target, value in zip(
                    collected.events,
                    (e.participant, e.form, e.field, e.value, e.at, e.spec_version),
                    strict=True,
                ):
                    target.append(value)
        tick()
    for f in store.feedback(viewer=viewer, session=session):
        collected.feedback[f.id] = (f.giver, f.owner, f.form, f.category, f.text, f.at, f.helpful)
    for run in store.runs(session):
        for n in store.notes(run.id, viewer=viewer):
            for target, value in zip(
                collected.notes[:8],
                (n.run, n.group, n.step, n.role, n.field, n.value, n.at, n.spec_version),
                strict=True,
            ):
                target.append(value)
            collected.notes[8].append(n.participant)


# --------------------------------------------------------------------------- sources


def _notebooks(folder: Path) -> list[Path]:
    """Every ``*.ipynb`` below ``folder``, sorted; hidden files and folders (such as
    ``.ipynb_checkpoints``) left out."""
    found: list[str] = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        found.extend(f"{root}{os.sep}{f}" for f in files if f.endswith(".ipynb") and f[0] != ".")
    return [Path(f) for f in sorted(found)]


def _store_url(source: str | os.PathLike[str]) -> str | None:
    """The store URL a source means, or None when it is a notebook or a folder."""
    text = os.fspath(source)
    if "://" in text:
        return text
    if Path(text).suffix.lower() in STORE_SUFFIXES:
        return text
    return None


def _flatten(sources: Source | Iterable[Source]) -> list[Source]:
    if isinstance(sources, (str, os.PathLike, Store)):
        return [sources]
    return list(sources)


@cache
def _builtin(definition_id: str, language: str | None) -> object:
    """A built-in definition, or None (read once per process: they ship with pdkit)."""
    try:
        return load_definition(builtin_definition_path(definition_id), language=language)
    except DefinitionError:
        return None


class _Forms:
    """Form definitions by id: those given, else the built-ins; None when unknown."""

    def __init__(
        self,
        definitions: Iterable[str | os.PathLike[str]],
        school_goals: Sequence[SchoolGoal],
        language: str | None,
    ) -> None:
        self._options = {"school_goals": [g.as_option() for g in school_goals]}
        self._language = language
        self._forms: dict[str, FormDefinition | None] = {}
        self._renderers: dict[tuple[str, str], Callable[[JSONValue], str]] = {}
        self.given: list[str] = []
        for source in definitions:
            path = Path(source)
            if path.is_dir():
                for file in sorted([*path.rglob("*.yaml"), *path.rglob("*.yml")]):
                    try:
                        self._add(load_definition(file, language=language))
                    except DefinitionError:
                        continue  # workbooks, protocols and goals files live beside forms
            else:
                definition = load_definition(path, language=language)
                if not isinstance(definition, FormDefinition):
                    raise DefinitionError(
                        f"this is a {definition.kind}, where a form or reflection is needed",
                        file=str(path),
                        path="kind",
                    )
                self._add(definition)

    def _add(self, definition: object) -> None:
        if isinstance(definition, FormDefinition):
            self._forms[definition.id] = definition.with_options(self._options)
            self.given.append(definition.id)

    def get(self, form_id: str) -> FormDefinition | None:
        if form_id not in self._forms:
            found = _builtin(form_id, self._language)
            self._forms[form_id] = (
                found.with_options(self._options) if isinstance(found, FormDefinition) else None
            )
        return self._forms[form_id]

    def renderer(self, form_id: str, field_id: str) -> Callable[[JSONValue], str]:
        """How answers to a field read (:func:`pdkit.notebooks.answer_text`), cached."""
        key = (form_id, field_id)
        if key not in self._renderers:
            found = self.field(form_id, field_id)
            self._renderers[key] = (
                _plain_text
                if found is None
                else partial(_typed_text, found)
                if found.type in _TEXT_TYPES
                else partial(answer_text, found)
            )
        return self._renderers[key]

    def is_text(self, form_id: str, field_id: str) -> bool:
        """Whether a text answer to the field reads as itself."""
        found = self.field(form_id, field_id)
        return found is None or found.type in _TEXT_TYPES

    def field(self, form_id: str, field_id: str) -> Field | None:
        form = self.get(form_id)
        if form is None:
            return None
        try:
            return form.field(field_id)
        except KeyError:
            return None

    def kind(self, form_id: str) -> str:
        form = self.get(form_id)
        return form.kind if form is not None else "unknown"

    def label(self, form_id: str, field_id: str) -> str:
        found = self.field(form_id, field_id)
        return found.label if found is not None else field_id


def _typed_text(field: Field, value: JSONValue) -> str:
    """A text field's answer: itself (the common case, kept fast), else as answer_text."""
    return value if type(value) is str else answer_text(field, value)


def _plain_text(value: JSONValue) -> str:
    """An answer without its definition: as typed, list items on their own lines."""
    if value is None or value == "" or value == []:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "\n".join(v if isinstance(v, str) else _encode(v) for v in value)
    return _encode(value) if isinstance(value, dict) else str(value)


def _private(form_id: str, field_id: str) -> bool:
    if form_id not in SHARED_FIELDS:
        return True
    shared = SHARED_FIELDS[form_id]
    return shared is not None and field_id not in shared


# --------------------------------------------------------------------------- loading


def load(
    sources: Source | Iterable[Source],
    *,
    warn: Warn | None = None,
    progress: Progress | None = None,
    session: str = DEFAULT_SESSION,
    definitions: Iterable[str | os.PathLike[str]] = (),
    school_goals: Sequence[SchoolGoal] | str | os.PathLike[str] | None = None,
    language: str | None = None,
    sitting_gap: float = 30 * 60,
    viewer: Viewer | None = None,
) -> Review:
    """Read saved workbooks and stores into a :class:`Review` (see the module docs).

    Stores are read as ``viewer`` (default: :meth:`pdkit.store.Viewer.steward`, which
    sees what teachers shared at ``coach`` level or wider).

    ``warn(message)`` hears of each problem as it happens: a skipped file or store, a
    form without definition (every message is also in ``Review.warnings``).
    ``progress(done, total)`` is called after each file and each participant of a
    store. ``definitions`` (YAML files or folders) give the
    labels of a district's own forms; ``school_goals`` (a list, or a YAML/CSV file;
    default ``$PDKIT_SCHOOL_GOALS``, else the sample goals) give the labels of the
    goals. ``sitting_gap`` is in seconds (see "Versions and sittings").

    Raises :class:`pdkit.PdkitError` only for a bad ``definitions`` or
    ``school_goals`` argument; bad sources become warnings.
    """
    warnings: list[str] = []

    def note(message: str) -> None:
        warnings.append(message)
        if warn is not None:
            warn(message)

    goals = (
        default_school_goals(language)
        if school_goals is None
        else load_school_goals(Path(school_goals), language=language)
        if isinstance(school_goals, (str, os.PathLike))
        else list(school_goals)
    )
    forms = _Forms(definitions, goals, language)

    files: list[Path] = []
    stores: list[tuple[str, Store, bool]] = []  # (label, store, opened here)
    skipped = 0
    for source in _flatten(sources):
        if isinstance(source, Store):
            stores.append((source.url, source, False))
            continue
        url = _store_url(source)
        if url is not None:
            opened = _open(url, note)
            if opened is None:
                skipped += 1
            else:
                stores.append((opened.url, opened, True))
            continue
        path = Path(source)
        if path.is_dir():
            found = _notebooks(path)
            if not found:
                note(f"{path}: no .ipynb files in this folder")
            files.extend(found)
        elif path.exists():
            files.append(path)
        else:
            note(f"{path}: no such file or folder — skipped")
            skipped += 1

    collected = _Collected()
    read: list[str] = []
    # Reading keeps hundreds of thousands of small objects alive until the DataFrames
    # are built; none form cycles, yet CPython's cyclic collector would scan them again
    # and again as they pile up (a third of the time of a large batch). It is paused
    # while loading and restored as it was.
    collecting = gc.isenabled()
    gc.disable()
    try:
        people: dict[str, list[Participant]] = {}
        for label, store, _ in stores:
            try:
                people[label] = store.participants(session)
            except PdkitError as exc:
                note(f"{label}: cannot be read ({exc}) — skipped")
                skipped += 1
        total = len(files) + sum(len(p) for p in people.values())
        done = 0

        def tick() -> None:
            nonlocal done
            done += 1
            if progress is not None:
                progress(done, total)

        for path in files:
            try:
                _read_file(path, collected)
            except WorkbookFileError as exc:
                note(f"{exc} — skipped")
                skipped += 1
            else:
                read.append(str(path))
            tick()
        form_ids = (
            sorted({*builtin_definitions("form"), *builtin_definitions("reflection"), *forms.given})
            if people
            else []
        )
        for label, store, _ in stores:
            if label not in people:
                continue
            part = _Collected()  # all or nothing, as for a file
            try:
                _read_store(
                    store,
                    people[label],
                    session,
                    form_ids,
                    part,
                    tick,
                    viewer if viewer is not None else Viewer.steward(),
                )
            except PdkitError as exc:
                note(f"{label}: cannot be read ({exc}) — skipped")
                skipped += 1
            else:
                collected.absorb(part)
                read.append(label)
                if not people[label]:
                    note(f"{label}: no participants in session {session!r}")
        for form_id in sorted({*collected.events[1], *(key[1] for key in collected.fallback)}):
            if forms.get(form_id) is None:
                note(
                    f"form {form_id!r} has no definition here: its answers are shown as "
                    "stored, without labels (pass its YAML with definitions= / --definitions)"
                )
        return _frames(collected, forms, warnings, tuple(read), skipped, sitting_gap)
    finally:
        for _, store, opened_here in stores:
            if opened_here:
                store.close()
        if collecting:
            gc.enable()


def _open(url: str, note: Warn) -> Store | None:
    """Open a store for reading; a missing SQLite file is a warning, never a new store."""
    try:
        resolved = resolve_store_url(url)
        if resolved.startswith("sqlite:///"):
            file = Path(resolved.removeprefix("sqlite:///"))
            if not file.is_file():
                note(f"{url}: no such store file — skipped")
                return None
        return open_store(resolved)
    except PdkitError as exc:
        note(f"{url}: {exc} — skipped")
        return None


# --------------------------------------------------------------------------- frames


def _frame(name: str, columns: Mapping[str, Any]) -> pd.DataFrame:
    """A DataFrame with the documented columns and dtypes of ``name``."""
    data: dict[str, pd.Series[Any]] = {}
    for column, dtype in COLUMNS[name].items():
        values = columns.get(column, [])
        if dtype == _UTC:
            data[column] = pd.to_datetime(
                pd.Series(values, dtype="float64"), unit="s", utc=True
            ).astype(pd.DatetimeTZDtype("ns", "UTC"))
        elif dtype == "datetime64[ns]":
            data[column] = pd.to_datetime(
                pd.Series(values, dtype="object"), format="%Y-%m-%d", errors="coerce"
            ).astype(np.dtype("datetime64[ns]"))
        else:
            data[column] = pd.Series(values, dtype=dtype)
    return pd.DataFrame(data)


def _rows(name: str) -> dict[str, list[Any]]:
    return {column: [] for column in COLUMNS[name]}


def _objects(values: Sequence[Any]) -> np.ndarray[Any, Any]:
    """A 1-d object array (``np.array`` would turn a list of lists into 2-d)."""
    return np.fromiter(values, dtype=object, count=len(values))


def _json_text(value: JSONValue) -> str:
    return _encode_text(value) if type(value) is str else _encode(value)


def _int_or_none(value: JSONValue) -> int | None:
    return value if type(value) is int else None


@dataclass(slots=True)
class _Sitting:
    """A form at the end of one sitting: values and how they read, carried forward."""

    at: float
    values: dict[str, JSONValue]
    texts: dict[str, str]


def _new_sittings(
    people: np.ndarray[Any, Any],
    times: np.ndarray[Any, Any],
    gap: float,
    marks: Mapping[int, Sequence[float]],
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """(new person, new sitting) flags of events sorted by participant (code) then time:
    a sitting starts with each person, after ``gap`` seconds without an edit, and at the
    first edit after a revision mark (:mod:`pdkit.revisions` draws the same lines)."""
    new_person = np.ones(len(people), dtype=bool)
    new_person[1:] = people[1:] != people[:-1]
    new_sitting = new_person.copy()
    new_sitting[1:] |= np.diff(times) > gap
    for code, stamps in marks.items():
        rows = np.flatnonzero(people == code)
        if not len(rows) or not len(stamps):
            continue
        after = np.searchsorted(times[rows], np.asarray(sorted(stamps)), side="right")
        after = after[(after > 0) & (after < len(rows))]
        new_sitting[rows[after]] = True
    return new_person, new_sitting


def _codes_of(names: np.ndarray[Any, Any], marks: Mapping[str, Any]) -> dict[int, Any]:
    """``marks`` keyed by participant code (position in ``names``) instead of id."""
    if not marks:
        return {}
    where = {str(name): code for code, name in enumerate(names.tolist())}
    return {where[pid]: stamps for pid, stamps in marks.items() if pid in where}


def _sittings(
    people: np.ndarray[Any, Any],
    times: np.ndarray[Any, Any],
    fields: list[str],
    values: list[JSONValue],
    texts: list[str],
    gap: float,
    marks: Mapping[int, Sequence[float]] | None = None,
) -> dict[int, tuple[float, list[_Sitting]]]:
    """Per participant (code): the first time and the sittings of one form, from its
    events sorted by participant then time. A sitting ends after ``gap`` seconds
    without an edit (or at a revision mark in ``marks``); each keeps the whole form as
    it stood then."""
    found: dict[int, tuple[float, list[_Sitting]]] = {}
    if not len(people):
        return found
    new_person, new_sitting = _new_sittings(people, times, gap, marks or {})
    starts = np.flatnonzero(new_sitting).tolist()
    ends = [*starts[1:], len(people)]
    first_of_person = new_person[starts].tolist()
    codes = people[starts].tolist()
    last_at = times[np.asarray(ends) - 1].tolist()
    first_at = times[starts].tolist()
    current: list[_Sitting] = []
    for index, start in enumerate(starts):
        end = ends[index]
        if first_of_person[index]:
            current = []
            found[codes[index]] = (first_at[index], current)
            sitting = _Sitting(last_at[index], {}, {})
        else:
            before = current[-1]
            sitting = _Sitting(last_at[index], dict(before.values), dict(before.texts))
        sitting.values.update(zip(fields[start:end], values[start:end], strict=True))
        sitting.texts.update(zip(fields[start:end], texts[start:end], strict=True))
        current.append(sitting)
    return found


def _frames(
    collected: _Collected,
    forms: _Forms,
    warnings: list[str],
    read: tuple[str, ...],
    skipped: int,
    gap: float,
) -> Review:
    """The DataFrames. Per-event work is done by numpy and pandas (sorting, grouping,
    numbering); Python loops run once per (form, field) pair and, for the goal and the
    check-ins, once per event with no more than a few dictionary operations."""
    who = collected.participants
    pids, form_ids, field_ids, values, ats, specs = collected.events
    p_code, p_names = pd.factorize(_objects(pids), sort=True)
    f_code, f_names = pd.factorize(_objects(form_ids), sort=True)
    l_code, l_names = pd.factorize(_objects(field_ids), sort=True)
    at = np.asarray(ats, dtype="float64")

    keep = np.arange(len(pids))
    if collected.overlapping:  # the same event from two sources is kept once
        as_json = [_encode_text(v) if type(v) is str else _encode(v) for v in values]
        facts = pd.DataFrame({"p": p_code, "f": f_code, "l": l_code, "at": at, "v": as_json})
        keep = np.flatnonzero(~facts.duplicated().to_numpy())
    # Per field in time order; ties keep the order of their source (lexsort is stable).
    order = keep[np.lexsort((at[keep], l_code[keep], f_code[keep], p_code[keep]))]
    p, f, fl, at = p_code[order], f_code[order], l_code[order], at[order]
    count = len(order)
    starts = np.ones(count, dtype=bool)
    starts[1:] = (p[1:] != p[:-1]) | (f[1:] != f[:-1]) | (fl[1:] != fl[:-1])
    position = np.arange(count)
    version = position - np.maximum.accumulate(np.where(starts, position, 0)) + 1
    last = np.ones(count, dtype=bool)
    last[:-1] = starts[1:]

    shown_values = _objects(values)[order]
    texts = np.empty(count, dtype=object)
    private = np.empty(count, dtype=bool)
    pairs = f * max(len(l_names), 1) + fl
    pair_order = np.argsort(pairs, kind="stable")
    bounds = np.flatnonzero(np.diff(pairs[pair_order])) + 1
    for where in np.split(pair_order, bounds) if count else []:
        form_id, field_id = str(f_names[f[where[0]]]), str(l_names[fl[where[0]]])
        render = forms.renderer(form_id, field_id)
        picked = shown_values[where].tolist()
        texts[where] = (
            [v if type(v) is str else render(v) for v in picked]
            if forms.is_text(form_id, field_id)
            else list(map(render, picked))
        )
        private[where] = _private(form_id, field_id)
    if collected.visibility:  # the teacher's own choice wins over the earlier rule
        item = pd.Series(
            [(str(p_names[a]), str(f_names[b])) for a, b in zip(p, f, strict=True)]
            if count
            else [],
            dtype=object,
        )
        chosen = item.map(collected.visibility)
        known = chosen.notna().to_numpy()
        private[known] = (chosen[known] == "private").to_numpy()
    kinds = _objects([forms.kind(str(name)) for name in f_names])

    # Ids as string arrays made from the few distinct ids (no per-row conversion).
    participant_ids, form_col, field_col = (
        pd.array(names, dtype=pd.StringDtype()).take(codes)
        for names, codes in ((p_names, p), (f_names, f), (l_names, fl))
    )
    spec_col = _objects(specs)[order]
    versions: dict[str, Any] = {
        "participant": participant_ids,
        "form": form_col,
        "field": field_col,
        "version": version,
        "value": shown_values,
        "value_text": texts,
        "spec_version": spec_col,
        "at": at,
        "private": private,
    }
    answers: dict[str, Any] = {
        column: versions[column][last]
        for column in ("participant", "form", "field", "value", "value_text", "spec_version")
    }
    answers.update(at=at[last], kind=kinds[f[last]], private=private[last])
    missing = (
        sorted(
            collected.fallback.keys()
            - set(
                zip(
                    answers["participant"].tolist(),
                    answers["form"].tolist(),
                    answers["field"].tolist(),
                    strict=True,
                )
            )
        )
        if collected.fallback
        else []
    )
    if missing:  # answers a file holds without their history
        extra = _rows("answers")
        for key in missing:
            _saved_at, value, spec = collected.fallback[key]
            for column, item in zip(
                ("participant", "form", "field", "value", "value_text", "spec_version"),
                (*key, value, forms.renderer(key[1], key[2])(value), spec),
                strict=True,
            ):
                extra[column].append(item)
            extra["at"].append(math.nan)
            extra["kind"].append(forms.kind(key[1]))
            level = collected.visibility.get((key[0], key[1]))
            extra["private"].append(
                _private(key[1], key[2]) if level is None else level == "private"
            )
        answers = {
            column: np.concatenate([answers[column], _objects(extra[column])])
            for column in COLUMNS["answers"]
        }

    checkin = _positions(f_names, f, CHECKIN_FORM)
    checkin = checkin[np.lexsort((at[checkin], p[checkin]))]
    checkins = _checkin_rows(
        _sittings(
            p[checkin],
            at[checkin],
            field_col[checkin].tolist(),
            shown_values[checkin].tolist(),
            texts[checkin].tolist(),
            gap,
        ),
        p_names,
    )
    goal = _positions(f_names, f, GOAL_FORM)
    marks = {pid: tuple(sorted(stamps)) for pid, stamps in collected.marks.items()}
    goals = _goal_rows(
        p_names, p, at, goal, last, field_col, shown_values, texts, gap, _codes_of(p_names, marks)
    )
    goals["display_name"] = [who[pid].display_name for pid in goals["participant"]]

    reflection = np.asarray(
        (answers["kind"] == "reflection") & (answers["form"] != CHECKIN_FORM), dtype=bool
    )
    reflections = {
        column: answers[column][reflection]
        for column in ("participant", "form", "field", "at", "private")
    }
    reflections["text"] = answers["value_text"][reflection]
    reflections["label"] = [
        forms.label(str(a), str(b))
        for a, b in zip(reflections["form"], answers["field"][reflection], strict=True)
    ]

    return Review(
        participants=_frame(
            "participants",
            {
                "participant": list(who),
                "display_name": [w.display_name for w in who.values()],
                "session": [w.session for w in who.values()],
                "source": [w.source for w in who.values()],
            },
        ),
        answers=_frame("answers", answers),
        versions=_frame("versions", versions),
        goals=_frame("goals", goals),
        reflections=_frame("reflections", reflections),
        checkins=_frame("checkins", checkins),
        notes=_frame("notes", _note_rows(collected)),
        feedback=_frame("feedback", _feedback_rows(collected)),
        comments=_frame("comments", _comment_rows(collected)),
        warnings=warnings,
        read=read,
        skipped=skipped,
        sitting_gap=gap,
        goal_fields=_goal_fields(forms),
        revision_marks=marks,
    )


def _positions(names: np.ndarray[Any, Any], codes: np.ndarray[Any, Any], name: str) -> Any:
    """Where ``codes`` (of ``names``) are ``name``."""
    found = np.flatnonzero(names == name)
    return np.flatnonzero(codes == found[0]) if len(found) else np.arange(0)


def _goal_fields(forms: _Forms) -> tuple[tuple[str, str], ...]:
    form = forms.get(GOAL_FORM)
    return tuple((f.id, f.label) for f in form.fields) if form is not None else ()


def _goal_rows(
    names: np.ndarray[Any, Any],
    people: np.ndarray[Any, Any],
    times: np.ndarray[Any, Any],
    where: np.ndarray[Any, Any],
    last: np.ndarray[Any, Any],
    fields: Any,
    values: np.ndarray[Any, Any],
    texts: np.ndarray[Any, Any],
    gap: float,
    marks: Mapping[int, Sequence[float]],
) -> dict[str, Any]:
    """One row per participant with goal-setting events: the current answers, and the
    sittings counted. Arrays are in event order (by participant, field, time); ``where``
    are the goal's events and ``last`` marks each field's latest event."""
    rows: dict[str, Any] = _rows("goals")
    by_time = where[np.lexsort((times[where], people[where]))]
    who, at = people[by_time], times[by_time]
    if not len(who):
        return rows
    new_person, new_sitting = _new_sittings(who, at, gap, marks)
    starts = np.flatnonzero(new_person)
    sittings = np.add.reduceat(new_sitting.astype(np.int64), starts)
    current = where[last[where]]
    answers: dict[int, dict[str, tuple[JSONValue, str]]] = defaultdict(dict)
    for code, field_id, value, text in zip(
        people[current].tolist(),
        fields[current].tolist(),
        values[current].tolist(),
        texts[current].tolist(),
        strict=True,
    ):
        answers[code][field_id] = (value, text)
    rows["participant"] = [str(names[code]) for code in who[starts].tolist()]
    rows["versions"] = sittings
    rows["revisions"] = sittings - 1
    rows["first_set"] = at[starts]
    rows["last_change"] = at[np.append(starts[1:], len(who)) - 1]
    for code in who[starts].tolist():
        now = answers[code]
        school_goal, _ = now.get("school_goal", (None, ""))
        target, _ = now.get("target_date", (None, ""))
        confidence, confidence_label = now.get("confidence", (None, ""))
        rows["school_goal"].append(school_goal if isinstance(school_goal, str) else None)
        rows["target_date"].append(target if isinstance(target, str) and target else None)
        rows["confidence"].append(_int_or_none(confidence))
        rows["confidence_label"].append(confidence_label)
        for column, field_id in (
            ("school_goal_label", "school_goal"),
            ("focus", "focus"),
            ("goal", "goal"),
            ("point_a", "point_a"),
            ("point_b", "point_b"),
            ("action_steps", "action_steps"),
        ):
            rows[column].append(now.get(field_id, (None, ""))[1])
    return rows


def goal_version_rows(
    versions: pd.DataFrame,
    gap: float,
    fields: Sequence[tuple[str, str]] = (),
    marks: Mapping[str, Sequence[float]] | None = None,
) -> pd.DataFrame:
    """The goal at the end of each sitting, field by field (``Review.goal_versions``):
    from the ``versions`` of form ``goal-setting``; ``fields`` are (id, label) in the
    form's order (fields not in it follow, labelled by their id)."""
    goal = versions.loc[versions["form"] == GOAL_FORM]
    goal = goal.sort_values(["participant", "at"], kind="stable")
    codes, names = pd.factorize(goal["participant"].to_numpy(dtype=object))
    sittings = _sittings(
        codes,
        goal["at"].to_numpy(dtype="datetime64[ns]").astype("int64") / 1e9,
        goal["field"].to_numpy(dtype=object).tolist(),
        [None] * len(goal),
        goal["value_text"].to_numpy(dtype=object).tolist(),
        gap,
        _codes_of(np.asarray(names, dtype=object), marks or {}),
    )
    labels = dict(fields)
    rows: list[tuple[str, int, float, str, str, str, bool]] = []
    for code, (_first, steps) in sittings.items():
        seen = set().union(*(s.texts for s in steps))
        order = [f for f in labels if f in seen] + sorted(seen - labels.keys())
        before: dict[str, str] = {}
        for number, sitting in enumerate(steps, 1):
            now, at, pid = sitting.texts, sitting.at, str(names[code])
            rows.extend(
                (pid, number, at, f, labels.get(f, f), shown, shown != before.get(f, ""))
                for f in order
                if (shown := now.get(f, "")) or before.get(f, "")
            )
            before = now
    columns = map(list, zip(*rows, strict=True))
    return _frame("goal_versions", dict(zip(COLUMNS["goal_versions"], columns, strict=False)))


def _checkin_rows(
    sittings: Mapping[int, tuple[float, list[_Sitting]]], names: np.ndarray[Any, Any]
) -> dict[str, list[Any]]:
    rows = _rows("checkins")
    for code, (_first, steps) in sittings.items():
        for number, sitting in enumerate(steps, 1):
            rows["participant"].append(str(names[code]))
            rows["checkin"].append(number)
            rows["at"].append(sitting.at)
            rows["progress"].append(_int_or_none(sitting.values.get("progress")))
            rows["progress_label"].append(sitting.texts.get("progress", ""))
            for column in ("evidence", "next_step", "support"):
                rows[column].append(sitting.texts.get(column, ""))
    return rows


def _note_rows(collected: _Collected) -> dict[str, list[Any]]:
    runs, groups, steps, roles, fields, values, ats, specs, pids = collected.notes
    kept: Iterable[int] = range(len(runs))
    if collected.overlapping:  # the same note from two sources is kept once
        first: dict[tuple[str, str, str, str, float, str], int] = {}
        as_json = map(_json_text, values)
        for i, fact in enumerate(zip(runs, steps, pids, fields, ats, as_json, strict=True)):
            first.setdefault(fact, i)
        kept = first.values()
    order = sorted(kept, key=ats.__getitem__)
    return {
        "run": [runs[i] for i in order],
        "group": [groups[i] for i in order],
        "step": [steps[i] for i in order],
        "role": [roles[i] for i in order],
        "participant": [pids[i] for i in order],
        "field": [fields[i] for i in order],
        "value": [values[i] for i in order],
        "text": [_plain_text(values[i]) for i in order],
        "spec_version": [specs[i] for i in order],
        "at": [ats[i] for i in order],
        "private": [True] * len(order),
    }


def _feedback_rows(collected: _Collected) -> dict[str, list[Any]]:
    rows = _rows("feedback")
    for giver, target, form_id, category, text, at, helpful in sorted(
        collected.feedback.values(), key=lambda item: item[5]
    ):
        for column, value in (
            ("giver", giver),
            ("target", target),
            ("form", form_id),
            ("category", category),
            ("text", text),
            ("at", at),
            ("helpful", helpful),
            ("private", True),
        ):
            rows[column].append(value)
    return rows


def _comment_rows(collected: _Collected) -> dict[str, list[Any]]:
    rows = _rows("comments")
    for (pid, coach, text, at), source in sorted(
        collected.comments.items(), key=lambda item: item[0][3]
    ):
        for column, value in (
            ("participant", pid),
            ("coach", coach),
            ("text", text),
            ("at", at),
            ("source", source),
        ):
            rows[column].append(value)
    return rows
