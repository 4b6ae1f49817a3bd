"""Uploading a saved workbook again: its answers, who can see them and the evidence log,
back into the store (:func:`restore_saved`, :func:`restore_visibility`,
:func:`restore_evidence`; read with :func:`pdkit.notebooks.read_saved`)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING

from ..errors import PdkitError
from ..evidence import AS_GOAL, STUDENT_DATA_CAP, holds_student_data
from ..store import VISIBILITIES, Store

if TYPE_CHECKING:
    from .saved import SavedWorkbook

__all__ = ["restore_evidence", "restore_saved", "restore_visibility"]


def restore_saved(store: Store, participant_id: str, saved: SavedWorkbook) -> int:
    """Record the saved answers that differ from the participant's current ones; returns
    how many answers were restored. Earlier versions stay in the store's history."""
    restored = 0
    for form_id, values in saved.answers.items():
        current = store.latest(participant_id, form_id, viewer=participant_id)
        changes = {k: v for k, v in values.items() if current.get(k) != v}
        if changes:
            store.record(
                participant_id,
                form_id,
                changes,
                spec_version=saved.spec_versions.get(form_id, f"{form_id}@?"),
            )
            restored += len(changes)
    return restored


def restore_visibility(
    store: Store, participant_id: str, saved: SavedWorkbook, forms: Iterable[str]
) -> int:
    """Set who can see each of ``forms`` as the saved workbook says; returns how many items
    changed. Never wider than the file: a level this pdkit does not know becomes
    ``private``, and an item the file says nothing about keeps its current level."""
    changed = 0
    for form_id in forms:
        said = saved.visibility.get(form_id)
        if said is None:
            continue
        level = said if said in VISIBILITIES else VISIBILITIES[0]
        if store.visibility(participant_id, form_id) != level:
            store.set_visibility(participant_id, form_id, level)
            changed += 1
    return changed


def restore_evidence(store: Store, teacher_id: str, saved: SavedWorkbook) -> int:
    """Add the evidence items of the file the teacher's log does not hold yet (the same
    kind, caption, link, text and date); returns how many were added. Each is added as
    its newest version in the file says, never seen wider than the file says (a level
    this pdkit does not know becomes ``private``), and as student data when any version
    of it in the file is (:func:`pdkit.evidence.holds_student_data`: a file whose flag
    is missing or was changed cannot make it public). Withdrawn items, and items the
    store refuses (a link that is not a web link, a date in the future), are left out."""
    from ._markdown import current_evidence

    student = {str(e["id"]) for e in saved.evidence if holds_student_data(e)}
    have = {
        (i.kind, i.caption, i.link, i.text, i.made_on.isoformat())
        for i in store.evidence(teacher_id, viewer=teacher_id, include_withdrawn=True)
    }
    added = 0
    for item in reversed(current_evidence(saved.evidence)):  # oldest first
        key = (item["kind"], item["caption"], item["link"], item["text"], item["made_on"])
        if key in have:
            continue
        level = str(item["visibility"])
        level = level if level in (*VISIBILITIES, AS_GOAL) else VISIBILITIES[0]
        is_student = str(item["id"]) in student
        if is_student and level in VISIBILITIES[VISIBILITIES.index(STUDENT_DATA_CAP) + 1 :]:
            level = STUDENT_DATA_CAP
        try:
            store.add_evidence(
                teacher_id,
                kind=str(item["kind"]),
                caption=str(item["caption"]),
                link=str(item["link"]),
                text=str(item["text"]),
                made_on=date.fromisoformat(str(item["made_on"])),
                student_data=is_student,
                visibility=level,
            )
        except PdkitError:
            continue
        have.add(key)
        added += 1
    return added
