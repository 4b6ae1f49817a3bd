"""Saved workbooks for every participant of a session, from the store (``pdkit export``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from .._atomic import write_atomically
from ..definitions import SchoolGoal, WorkbookDefinition, workbook_forms
from ..evidence import holds_student_data
from ..store import DEFAULT_SESSION, Store, Viewer
from ._save import save_workbook
from ._saved_evidence import EVIDENCE_TAG, evidence_cell
from ._saved_pathway import pathway_status_only
from .build import dumps, notebook_language

__all__ = ["export_store", "pseudonymize", "without_student_data"]


def export_store(
    store: Store,
    workbook: WorkbookDefinition,
    out_dir: Path,
    session: str = DEFAULT_SESSION,
    school_goals: Sequence[SchoolGoal] = (),
    *,
    viewer: Viewer | None = None,
    pseudonymous: bool = False,
) -> list[Path]:
    """One saved workbook per participant of ``session``; choices from ``school_goals``
    read as their titles. Definitions are loaded once for all.

    Each copy holds what ``viewer`` may see: by default the store's steward
    (:meth:`pdkit.store.Viewer.steward`), so items a teacher kept private are left out.
    With ``pseudonymous`` every participant id becomes a stable pseudonym (the same
    person gets the same one at every export of this store) and names are removed;
    answers are kept as written, so a name a teacher typed into an answer stays. Evidence
    with student data is never in a pseudonymous copy (:func:`without_student_data`).
    Each file is replaced whole (:func:`pdkit._atomic.write_atomically`);
    :class:`OSError` when one cannot be written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    forms = workbook_forms(workbook, None, school_goals)
    who = viewer if viewer is not None else Viewer.steward()
    written = []
    for participant in store.participants(session):
        if participant.role != "teacher":
            continue  # coaches and facilitators have no workbook of their own here
        notebook = save_workbook(
            workbook, store, participant, reference=workbook.id, forms=forms, viewer=who
        )
        name = participant.id
        if pseudonymous:
            notebook = pseudonymize(notebook, store.pseudonym)
            name = notebook["metadata"]["pdkit"]["saved"]["participant"]["id"]
        path = out_dir / f"{workbook.id}-{name}.ipynb"
        write_atomically(path, dumps(notebook))
        written.append(path)
    return written


def pseudonymize(notebook: dict[str, Any], pseudonym: Callable[[str], str]) -> dict[str, Any]:
    """A saved workbook with every participant id replaced by ``pseudonym(id)``, every
    name removed, no evidence with student data and only the status of each pathway step
    (the notebook is changed in place and returned)."""
    without_student_data(notebook)
    pathway_status_only(notebook)
    saved = notebook["metadata"]["pdkit"]["saved"]
    person = saved["participant"]
    person["id"] = pseudonym(str(person["id"]))
    person["display_name"] = ""
    for item in saved.get("feedback", ()):
        for key in ("giver", "owner"):
            item[key] = pseudonym(str(item[key]))
    return notebook


def without_student_data(notebook: dict[str, Any]) -> dict[str, Any]:
    """A saved workbook without the evidence items that hold student data (every version
    of an item any version of which does: :func:`pdkit.evidence.holds_student_data`), its
    evidence cell written again from what is left (changed in place and returned)."""
    saved = notebook["metadata"]["pdkit"]["saved"]
    entries = [e for e in saved.get("evidence", ()) if isinstance(e, dict)]
    student = {str(e.get("id")) for e in entries if holds_student_data(e)}
    kept = [e for e in entries if str(e.get("id")) not in student]
    saved["evidence"] = kept
    cells = [
        c for c in notebook["cells"] if EVIDENCE_TAG not in c.get("metadata", {}).get("tags", ())
    ]
    notebook["cells"] = cells + ([evidence_cell(kept, notebook_language(notebook))] if kept else [])
    return notebook
