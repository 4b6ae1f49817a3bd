"""Facts from every source, collected as columns: saved workbooks (files) and stores.

Reading is the hot loop of a large batch, so facts are kept as columns of plain lists
and checked column by column in C-speed builtins, not entry by entry. One bad entry
makes the whole file count as damaged: half a teacher's history would mislead more
than none.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from ..definitions.ids import GOAL_FORM
from ..errors import PdkitError, WorkbookFileError
from ..notebooks.saved import ENTRY_KEYS, read_saved
from ..store import DEFAULT_SESSION, JSONValue, Participant, Store, Viewer

__all__ = ["Collected", "read_file", "read_store"]


class _Damaged(Exception):
    """A saved block whose entries are not what pdkit writes."""


@dataclass(slots=True)
class _Who:
    display_name: str
    session: str
    source: str
    saved_at: float
    copies: int = 1


@dataclass
class Collected:
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

    def absorb(self, other: Collected) -> None:
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


def read_file(path: Path, collected: Collected) -> None:
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
        events = _columns(saved.history, ENTRY_KEYS["history"], "history")
        notes = _columns(saved.notes, ENTRY_KEYS["notes"], "notes")
        coach, text, at = _columns(
            saved.coach_comments, ENTRY_KEYS["coach_comments"], "coach_comments", loose=("at",)
        )
        comments = {
            (pid, who, said, _comment_time(when, f"coach_comments[{i}].at")): source
            for i, (who, said, when) in enumerate(zip(coach, text, at, strict=True))
        }
        feedback = list(
            zip(
                *_columns(saved.feedback, ENTRY_KEYS["feedback"], "feedback", loose=("helpful",)),
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


def read_store(
    store: Store,
    people: Sequence[Participant],
    session: str,
    form_ids: Sequence[str],
    collected: Collected,
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


def collect(
    files: Sequence[Path],
    stores: Sequence[tuple[str, Store]],
    *,
    session: str,
    form_ids: Callable[[], Sequence[str]],
    viewer: Viewer,
    note: Callable[[str], None],
    progress: Callable[[int, int], None] | None,
) -> tuple[Collected, list[str], int]:
    """Read every file, and every store's ``session`` (the forms ``form_ids()``), as
    ``viewer``; returns what was collected, what was read and how many were skipped.
    Each source is read all or nothing."""
    collected = Collected()
    read: list[str] = []
    skipped = 0
    people: dict[str, list[Participant]] = {}
    for label, store in stores:
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
            read_file(path, collected)
        except WorkbookFileError as exc:
            note(f"{exc} — skipped")
            skipped += 1
        else:
            read.append(str(path))
        tick()
    wanted = form_ids() if people else []
    for label, store in stores:
        if label not in people:
            continue
        part = Collected()  # all or nothing, as for a file
        try:
            read_store(store, people[label], session, wanted, part, tick, viewer)
        except PdkitError as exc:
            note(f"{label}: cannot be read ({exc}) — skipped")
            skipped += 1
        else:
            collected.absorb(part)
            read.append(label)
            if not people[label]:
                note(f"{label}: no participants in session {session!r}")
    return collected, read, skipped
