"""Uploading a saved workbook again: its answers and who can see them, back into the store
(:func:`restore_saved`, :func:`restore_visibility`; read with
:func:`pdkit.notebooks.read_saved`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from ..store import VISIBILITIES, Store

if TYPE_CHECKING:
    from .saved import SavedWorkbook

__all__ = ["restore_saved", "restore_visibility"]


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
