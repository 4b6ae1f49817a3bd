"""A participant's saved workbook made from a store (:func:`save_workbook`): the built
workbook notebook with their answers in the block :mod:`.saved` declares, a readable
Markdown cell after each section, and their evidence, micro-credentials, observations,
pathway and coach comments, as much of it as the viewer of the copy may see."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from typing import Any

from .._clock import now
from .._version import __version__
from ..definitions import FormDefinition, SchoolGoal, WorkbookDefinition, workbook_forms
from ..definitions.ids import GOAL_FORM
from ..store import JSONValue, Participant, Store, ViewerLike
from . import _saved_evidence as ev
from ._markdown import answers_markdown
from ._saved_credentials import add_credentials
from ._saved_pathway import add_sections
from .build import build_notebook, markdown_cell
from .saved import ANSWERS_TAG, ENTRY_KEYS, SavedWorkbook, append_comment, entry

__all__ = ["save_workbook"]


def save_workbook(
    workbook: WorkbookDefinition,
    store: Store,
    participant: Participant,
    *,
    reference: str | None = None,
    language: str | None = None,
    school_goals: Sequence[SchoolGoal] = (),
    clock: Callable[[], float] = now,
    forms: Sequence[tuple[int, FormDefinition]] | None = None,
    viewer: ViewerLike | None = None,
) -> dict[str, Any]:
    """The workbook notebook with ``participant``'s answers: under ``metadata["pdkit"]
    ["saved"]`` (exact, versioned) and as readable Markdown after each section.
    ``forms`` (from :func:`pdkit.definitions.workbook_forms`) saves loading the
    definitions again when saving many participants.

    ``viewer`` is who the copy is for: the participant themself by default (their own
    copy holds everything they wrote, with each item's visibility); for anyone else
    the copy holds only what that viewer may see (:mod:`pdkit.store`, visibility), and
    of each item the teacher wrote but the viewer may not see, only its level (under
    ``visibility``, without answers: a review counts it as kept private)."""
    notebook = build_notebook(workbook, reference=reference or workbook.id)
    written_in = notebook["metadata"]["pdkit"]["language"] = language or workbook.language
    if forms is None:
        forms = workbook_forms(workbook, language, school_goals)
    who: ViewerLike = participant.id if viewer is None else viewer
    answers: dict[str, dict[str, JSONValue]] = {}
    versions: dict[str, str] = {}
    visibility: dict[str, str] = {}
    revisions: dict[str, tuple[float, ...]] = {}
    history: list[dict[str, Any]] = []
    after: dict[int, list[dict[str, Any]]] = {}
    answered: set[str] | None = None
    for index, form in forms:
        if not store.can_see(who, participant.id, form.id):
            # Not shared with this viewer: not in their copy. Only its level is, when the
            # teacher wrote something in it, so that a review counts it as kept private.
            if answered is None:
                answered = set(store.answered_forms(participant.id))
            if form.id in answered:
                visibility[form.id] = store.visibility(participant.id, form.id)
            continue
        values = store.latest(participant.id, form.id, viewer=who)
        visibility[form.id] = store.visibility(participant.id, form.id)
        marks = store.revision_marks(participant.id, form.id)
        if marks:
            revisions[form.id] = tuple(marks)
        again = form.id in answers  # a form shown in two sections: its history once
        answers[form.id] = values
        versions[form.id] = form.spec_version
        history.extend(
            entry("history", e.form, e.field, e.value, e.at, e.spec_version)
            for e in (() if again else store.history(participant.id, form.id, viewer=who))
        )
        after.setdefault(index, []).append(
            markdown_cell(
                answers_markdown(form, values),
                # unique, and at most the 64 characters nbformat allows
                cell_id=(f"answers-{index}-{form.id}" if again else f"answers-{form.id}")[:64],
                metadata={"tags": [ANSWERS_TAG], "pdkit": {"form": form.id}},
            )
        )
    notes = [
        entry("notes", n.run, n.group, n.step, n.role, n.field, n.value, n.at, n.spec_version)
        for run in store.runs(participant.session)
        for n in store.notes(run.id, viewer=who)
        if n.participant == participant.id
    ]
    feedback = [
        entry("feedback", f.id, f.giver, f.owner, f.form, f.category, f.text, f.at, f.helpful)
        for f in store.feedback(viewer=who, owner_id=participant.id)
    ]
    statuses = [  # the goal's statuses go with the goal, when the copy holds it
        entry("goal_statuses", g.status, g.at, g.by or "", g.note)
        for g in (store.goal_statuses(participant.id, viewer=who) if GOAL_FORM in answers else ())
    ]
    evidence = ev.evidence_entries(store, participant, who, entry)
    person = (participant.id, participant.display_name, participant.session)
    cells: list[dict[str, Any]] = []
    for cell in notebook["cells"]:
        cells.append(cell)
        section = cell["metadata"].get("pdkit", {}).get("section")
        cells.extend(after.get(section, []) if section is not None else [])
    notebook["cells"] = cells + ([ev.evidence_cell(evidence, written_in)] if evidence else [])
    saved = SavedWorkbook(
        workbook=workbook.id,
        participant=dict(zip(ENTRY_KEYS["participant"], person, strict=True)),
        answers=answers,
        spec_versions=versions,
        history=tuple(history),
        notes=tuple(notes),
        visibility=visibility,
        feedback=tuple(feedback),
        goal_statuses=tuple(statuses),
        revisions=revisions,
        evidence=tuple(evidence),
        saved_at=datetime.fromtimestamp(clock(), tz=timezone.utc).isoformat(timespec="seconds"),
        pdkit_version=__version__,
    )
    notebook["metadata"]["pdkit"]["saved"] = saved.block()
    add_credentials(notebook, store, participant.id, who)
    add_sections(notebook, store, participant, who, append_comment)  # observations, pathway, thread
    return notebook
