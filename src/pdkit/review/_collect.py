"""Facts from every source, collected as columns: saved workbooks (files) and stores.

Reading is the hot loop of a large batch, so facts are kept as columns of plain lists
(checked column by column in C-speed builtins by :func:`pdkit.notebooks.read_saved`,
not entry by entry). One bad entry makes the whole file count as damaged: half a
teacher's history would mislead more than none. A store is checked the same way, and
whatever else goes wrong while one source is read skips that source, never the batch.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import chain, repeat
from sys import intern
from typing import Any

from .._clock import today as clock_today
from ..definitions.ids import GOAL_FORM
from ..errors import Said, WorkbookFileError
from ..evidence import effective_level, holds_student_data
from ..i18n import N_
from ..notebooks._saved_evidence import EVIDENCE_KEYS
from ..notebooks.saved import read_saved
from ..notebooks.untrusted import (
    Damaged,
    check_texts,
    check_times,
    check_values,
    file_bytes,
    kind_of,
    shown,
)
from ..store import DEFAULT_SESSION, JSONValue, Participant, Store, Viewer, display_names
from ._observations import observation_entry
from ._pathways import pathway_entries, saved_pathway_entries
from ._sources import why_unread

__all__ = ["Collected", "check_collected", "collect", "read_file", "read_store"]


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
    # (participant, form) → visibility of the items the source holds but the reader may
    # not read (kept private): counted, never read
    withheld: dict[tuple[str, str], str] = field(default_factory=dict)
    # participant → the goal's statuses, oldest first: (status, at, by, note) (stores)
    statuses: dict[str, list[tuple[str, float, str, str]]] = field(default_factory=dict)
    # participant → the check-in plan: (done, overdue, next due (ISO date or ""), its state)
    plans: dict[str, tuple[int, int, str, str]] = field(default_factory=dict)
    # evidence item id → its newest version the reader may see: (participant, version,
    # kind, caption, link, text, made_on, student_data, visibility (who sees it now:
    # pdkit.evidence.effective_level), checkin, goal_version, withdrawn, at)
    evidence: dict[str, tuple[Any, ...]] = field(default_factory=dict)

    def evidence_item(self, item_id: str, fact: tuple[Any, ...]) -> None:
        """Keep an evidence item's newest version (the same item may come twice)."""
        known = self.evidence.get(item_id)
        if known is None or fact[1] >= known[1]:
            self.evidence[item_id] = fact

    # observation id → its row of the observations frame (:mod:`._observations`)
    observations: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    # (participant, pathway, step) → its row of the pathways frame (:mod:`._pathways`)
    pathways: dict[tuple[str, str, str], tuple[Any, ...]] = field(default_factory=dict)

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
        self.withheld.update(other.withheld)
        self.statuses.update(other.statuses)
        self.plans.update(other.plans)
        for item_id, fact in other.evidence.items():
            self.evidence_item(item_id, fact)
        self.observations.update(other.observations)
        self.pathways.update(other.pathways)
        for pid, marks in other.marks.items():
            self.marks.setdefault(pid, set()).update(marks)

    @property
    def overlapping(self) -> bool:
        return any(who.copies > 1 for who in self.participants.values())


def read_file(path: str, collected: Collected) -> None:
    """Read one saved workbook into ``collected``, all or nothing: every check is made
    (by :func:`~pdkit.notebooks.read_saved`) before anything is added."""
    saved = read_saved(file_bytes(path), source=path, fast=True)
    pid = saved.participant.get("id", "")
    if not pid:
        raise WorkbookFileError(
            N_("{source}: the saved answers are damaged (the participant has no id)"),
            "damaged",
            source=path,
        )
    try:
        saved_at = datetime.fromisoformat(saved.saved_at).timestamp()
    except (ValueError, OverflowError):
        saved_at = 0.0
    events = saved.columns("history")
    notes = saved.columns("notes")
    feedback = saved.columns("feedback")

    collected.participant(
        pid,
        saved.participant.get("display_name", ""),
        saved.participant.get("session", DEFAULT_SESSION),
        path,
        saved_at,
    )
    count = len(events[0])
    collected.events[0].extend([pid] * count)
    forms, fields, values, ats, specs = events
    # Ids repeat in every file: one object each (interned), so that what a batch keeps
    # of a file is its answers, not its copies of the same ids (less memory, faster).
    collected.events[1].extend(map(intern, forms))
    collected.events[2].extend(map(intern, fields))
    collected.events[3].extend(values)
    collected.events[4].extend(ats)
    collected.events[5].extend(map(intern, specs))
    for target, column in zip(collected.notes[:8], notes, strict=True):
        target.extend(column)
    collected.notes[8].extend([pid] * len(notes[0]))
    for who, said, when in zip(*saved.columns("coach_comments"), strict=True):
        collected.comments.setdefault((pid, who, said, when), path)
    for form_id, level in saved.visibility.items():
        if form_id in saved.answers:
            collected.visibility[(pid, form_id)] = level
        else:  # the item was left out of this copy: its reader may not read it
            collected.withheld[(pid, form_id)] = level
    statuses = saved.columns("goal_statuses")
    if statuses[0]:
        collected.statuses[pid] = list(zip(*statuses, strict=True))
    marks = saved.revisions.get(GOAL_FORM, ())
    if marks:
        collected.marks.setdefault(pid, set()).update(map(float, marks))
    for item in zip(*feedback, strict=True):
        collected.feedback.setdefault(item[0], item[1:])
    keys = (*EVIDENCE_KEYS, "student_data")
    goal_level = saved.visibility.get(GOAL_FORM, "private")
    for entry in zip(*saved.columns("evidence"), strict=True):
        e = dict(zip(keys, entry, strict=True))
        fact = (pid, e["version"], e["kind"], e["caption"], e["link"], e["text"], e["made_on"])
        collected.evidence_item(
            e["id"],
            (
                *fact,
                holds_student_data(e),
                effective_level(e["visibility"], goal_level, student_data=holds_student_data(e)),
                e["checkin"],
                e["goal_version"],
                e["withdrawn"],
                e["at"],
            ),
        )
    for obs in saved.observations:
        name = saved.observers.get(obs.observer, "")
        collected.observations.setdefault(obs.id, observation_entry(obs, name, path))
    for key, row in saved_pathway_entries(pid, saved.pathway, path).items():
        collected.pathways.setdefault(key, row)
    # Answers without an event in the history (hand-made or damaged files); usually none,
    # found by set operations in C: (form, field) pairs of the answers, less the history's.
    answers = saved.answers
    pairs = set(chain.from_iterable(map(zip, map(repeat, answers), answers.values())))
    for form_id, field_id in pairs.difference(zip(events[0], events[1], strict=True)):
        known = collected.fallback.get((pid, form_id, field_id))
        if known is None or saved_at > known[0]:
            spec = saved.spec_versions.get(form_id, "")
            value = answers[form_id][field_id]
            collected.fallback[(pid, form_id, field_id)] = (saved_at, value, spec)


def read_store(
    store: Store,
    people: Sequence[Participant],
    session: str,
    form_ids: Sequence[str],
    collected: Collected,
    tick: Callable[[], None],
    viewer: Viewer,
    today: date,
) -> None:
    """Read a store's participants, their answers (history), protocol notes and peer
    feedback through the public :class:`~pdkit.store.Store` methods, as ``viewer``; the
    items ``viewer`` may not read are counted (their ids, never what they hold), and each
    visible goal's statuses and each teacher's check-in plan (on ``today``) are read."""
    now = datetime.now().timestamp()  # the live store is newer than any saved copy
    for person in people:
        collected.participant(person.id, person.display_name, person.session, store.url, now)
        answered = set(store.answered_forms(person.id))
        for form_id in form_ids:
            if not store.can_see(viewer, person.id, form_id):
                if form_id in answered:
                    collected.withheld[(person.id, form_id)] = store.visibility(person.id, form_id)
                continue
            collected.visibility[(person.id, form_id)] = store.visibility(person.id, form_id)
            if form_id == GOAL_FORM:
                marks = store.revision_marks(person.id, form_id)
                if marks:
                    collected.marks.setdefault(person.id, set()).update(marks)
                if form_id in answered:
                    collected.statuses[person.id] = [
                        (g.status, g.at, g.by or "", g.note)
                        for g in store.goal_statuses(person.id, viewer=viewer)
                    ]
            for e in store.history(person.id, form_id, viewer=viewer):
                for target, value in zip(
                    collected.events,
                    (e.participant, e.form, e.field, e.value, e.at, e.spec_version),
                    strict=True,
                ):
                    target.append(value)
        for v in store.evidence(person.id, viewer=viewer):
            collected.evidence_item(
                v.id,
                (
                    person.id,
                    v.version,
                    v.kind,
                    v.caption,
                    v.link,
                    v.text,
                    v.made_on.isoformat(),
                    v.student_data,
                    v.shown,
                    v.checkin,
                    v.goal_version,
                    v.withdrawn,
                    v.at,
                ),
            )
        plan = store.checkin_plan(person.id, today, viewer=viewer)
        upcoming = plan.next
        collected.plans[person.id] = (
            plan.done,
            plan.overdue,
            upcoming.due.isoformat() if upcoming else "",
            upcoming.state if upcoming else "",
        )
        for obs in store.observations_of(person.id, viewer=viewer):
            name = display_names(store, [obs.observer])[obs.observer]
            collected.observations[obs.id] = observation_entry(obs, name, store.url)
        collected.pathways.update(pathway_entries(store, person.id, viewer, None))
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
    files: Sequence[str],
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
    today = clock_today()
    collected = Collected()
    read: list[str] = []
    skipped = 0
    people: dict[str, list[Participant]] = {}
    for label, store in stores:
        try:
            people[label] = readers_people(store, session, viewer)
        except Exception as exc:
            note(_unread(label, exc))
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
            note(Said(N_("{problem} — skipped"), problem=exc))
            skipped += 1
        except Exception as exc:
            note(_unread(path, exc))
            skipped += 1
        else:
            read.append(path)
        tick()
    wanted = form_ids() if people else []
    for label, store in stores:
        if label not in people:
            continue
        part = Collected()  # all or nothing, as for a file
        try:
            read_store(store, people[label], session, wanted, part, tick, viewer, today)
            check_collected(part)
        except Exception as exc:
            note(_unread(label, exc))
            skipped += 1
        else:
            collected.absorb(part)
            read.append(label)
            if not people[label]:
                note(
                    Said(
                        N_("{source}: no participants in session {session!r}"),
                        source=label,
                        session=session,
                    )
                )
    return collected, read, skipped


def _unread(source: str, exc: BaseException) -> Said:
    """The warning for a source that cannot be read: skipped."""
    return Said(
        N_("{source}: cannot be read ({reason}) — skipped"), source=source, reason=why_unread(exc)
    )


def readers_people(store: Store, session: str, viewer: Viewer) -> list[Participant]:
    """The teachers a review of ``store`` covers: a coach's caseload (every teacher they
    coach, whatever the session) when ``viewer`` is a participant, else the teachers of
    ``session``. Coaches and facilitators are never among them."""
    if viewer.participant is None:
        return [p for p in store.participants(session) if p.role == "teacher"]
    found = (store.get_participant(pid) for pid in store.coached_by(viewer.participant))
    return [p for p in found if p is not None and p.role == "teacher"]


def check_collected(part: Collected) -> None:
    """Raise :class:`Damaged` unless what a store gave holds only values pdkit writes
    (the checks a saved workbook passes: a damaged store is skipped like a file)."""
    for pid, who in part.participants.items():
        check_texts((pid, who.display_name, who.session), "participant")
    pids, forms, fields, values, ats, specs = part.events
    for key, column in (("participant", pids), ("form", forms), ("field", fields)):
        check_texts(column, "answer events", key)
    check_texts(specs, "answer events", "spec_version")
    check_values(values, "answer events", "value")
    check_times(ats, "answer events", "at")
    *texts, note_values, note_ats, note_specs, note_pids = part.notes
    for column in (*texts, note_specs, note_pids):
        check_texts(column, "notes")
    check_values(note_values, "notes", "value")
    check_times(note_ats, "notes", "at")
    for key, item in part.feedback.items():
        check_texts((key, *item[:5]), "feedback")
        check_times(item[5:6], "feedback", "at")
        if item[6] is not None and type(item[6]) is not bool:
            raise Damaged(
                N_("feedback {key}: helpful is {kind}, not true or false"),
                key=shown(key),
                kind=kind_of(item[6]),
            )
    check_texts(list(part.visibility.values()), "visibility levels")
    check_texts(list(part.withheld.values()), "visibility levels")
    for pid, statuses in part.statuses.items():
        for status, at, by, said in statuses:
            check_texts((pid, status, by, said), "goal statuses")
            check_times((at,), "goal statuses", "at")
    for pid, (done, overdue, due, state) in part.plans.items():
        check_texts((pid, due, state), "check-in plans")
        if type(done) is not int or type(overdue) is not int:
            raise Damaged(
                N_("check-in plans: counts of {who} are not whole numbers"), who=shown(pid)
            )
    for marks in part.marks.values():
        check_times(list(marks), "revision marks")
