"""A saved workbook: the workbook notebook with a participant's answers, to keep, upload
again, or collect for a coach. The format is declared here, once, and read back exactly.

A saved workbook is a built workbook notebook (:mod:`pdkit.notebooks.build`) with

- under ``metadata["pdkit"]["saved"]`` a block of the keys in :data:`BLOCK_KEYS`,
  versioned by ``format`` (:data:`SAVED_FORMAT`); its lists hold entries with the keys
  of :data:`ENTRY_KEYS` (and, optionally, :data:`OPTIONAL_KEYS`);
- after each section, a readable Markdown cell of its answers (tag ``pdkit-answers``).

:class:`SavedWorkbook` is what the block holds: :meth:`SavedWorkbook.block` writes it and
:func:`read_saved` reads it, so the writer and every reader (``pdkit review`` too) use
the same keys.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from .._clock import now
from .._version import __version__
from ..definitions import FormDefinition, SchoolGoal, WorkbookDefinition, workbook_forms
from ..errors import WorkbookFileError
from ..store import VISIBILITIES, JSONValue, Participant, Store, ViewerLike
from ._markdown import answers_markdown
from .build import build_notebook, markdown_cell

__all__ = [
    "ANSWERS_TAG",
    "BLOCK_KEYS",
    "ENTRY_KEYS",
    "OPTIONAL_KEYS",
    "SAVED_FORMAT",
    "SavedWorkbook",
    "entry",
    "read_saved",
    "restore_saved",
    "save_workbook",
]

SAVED_FORMAT = 1
"""The version of ``metadata["pdkit"]["saved"]`` in a downloaded workbook."""

ANSWERS_TAG = "pdkit-answers"
"""The tag of the Markdown cells that show a section's answers."""

BLOCK_KEYS = (
    "format",
    "saved_at",
    "pdkit_version",
    "participant",
    "answers",
    "spec_versions",
    "visibility",
    "revisions",
    "history",
    "notes",
    "feedback",
    "coach_comments",
)
"""The keys of the saved block, in the order they are written."""

ENTRY_KEYS: Mapping[str, tuple[str, ...]] = {
    "participant": ("id", "display_name", "session"),
    "history": ("form", "field", "value", "at", "spec_version"),
    "notes": ("run", "group", "step", "role", "field", "value", "at", "spec_version"),
    "feedback": ("id", "giver", "owner", "form", "category", "text", "at"),
    "coach_comments": ("coach", "text", "at"),
}
"""The keys every entry of a list in the block has (and those of ``participant``)."""

OPTIONAL_KEYS: Mapping[str, tuple[str, ...]] = {"feedback": ("helpful",)}
"""Keys an entry may have besides :data:`ENTRY_KEYS` (absent in older files)."""


def entry(kind: str, *values: Any) -> dict[str, Any]:
    """An entry of the list ``kind`` of the block, its values in the order of its keys."""
    keys = ENTRY_KEYS[kind] + OPTIONAL_KEYS.get(kind, ())
    return dict(zip(keys, values, strict=True))


@dataclass(frozen=True)
class SavedWorkbook:
    """What a saved workbook holds, read back exactly from ``metadata["pdkit"]``."""

    workbook: str
    participant: Mapping[str, str]
    answers: Mapping[str, Mapping[str, JSONValue]]
    spec_versions: Mapping[str, str]
    history: tuple[Mapping[str, Any], ...] = ()
    notes: tuple[Mapping[str, Any], ...] = ()
    coach_comments: tuple[Mapping[str, Any], ...] = ()
    visibility: Mapping[str, str] = field(default_factory=dict)
    feedback: tuple[Mapping[str, Any], ...] = ()
    revisions: Mapping[str, tuple[float, ...]] = field(default_factory=dict)
    language: str = "en"
    saved_at: str = ""
    pdkit_version: str = ""
    source: str = "<string>"

    def block(self) -> dict[str, Any]:
        """The ``metadata["pdkit"]["saved"]`` block (keys :data:`BLOCK_KEYS`)."""
        values = {
            "format": SAVED_FORMAT,
            "saved_at": self.saved_at,
            "pdkit_version": self.pdkit_version,
            "participant": dict(self.participant),
            "answers": {k: dict(v) for k, v in self.answers.items()},
            "spec_versions": dict(self.spec_versions),
            "visibility": dict(self.visibility),
            "revisions": {k: list(v) for k, v in self.revisions.items()},
            "history": [dict(e) for e in self.history],
            "notes": [dict(e) for e in self.notes],
            "feedback": [dict(e) for e in self.feedback],
            "coach_comments": [dict(e) for e in self.coach_comments],
        }
        return {key: values[key] for key in BLOCK_KEYS}


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
    the copy holds only what that viewer may see (:mod:`pdkit.store`, visibility)."""
    notebook = build_notebook(workbook, reference=reference or workbook.id)
    if forms is None:
        forms = workbook_forms(workbook, language, school_goals)
    who: ViewerLike = participant.id if viewer is None else viewer
    answers: dict[str, dict[str, JSONValue]] = {}
    versions: dict[str, str] = {}
    visibility: dict[str, str] = {}
    revisions: dict[str, tuple[float, ...]] = {}
    history: list[dict[str, Any]] = []
    after: dict[int, list[dict[str, Any]]] = {}
    for index, form in forms:
        if not store.can_see(who, participant.id, form.id):
            continue  # not shared with this viewer: not in their copy
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
    cells: list[dict[str, Any]] = []
    for cell in notebook["cells"]:
        cells.append(cell)
        section = cell["metadata"].get("pdkit", {}).get("section")
        cells.extend(after.get(section, []) if section is not None else [])
    notebook["cells"] = cells
    saved = SavedWorkbook(
        workbook=workbook.id,
        participant=dict(
            zip(
                ENTRY_KEYS["participant"],
                (participant.id, participant.display_name, participant.session),
                strict=True,
            )
        ),
        answers=answers,
        spec_versions=versions,
        history=tuple(history),
        notes=tuple(notes),
        visibility=visibility,
        feedback=tuple(feedback),
        revisions=revisions,
        saved_at=datetime.fromtimestamp(clock(), tz=timezone.utc).isoformat(timespec="seconds"),
        pdkit_version=__version__,
    )
    notebook["metadata"]["pdkit"]["saved"] = saved.block()
    return notebook


def read_saved(text: str | bytes, *, source: str = "<upload>") -> SavedWorkbook:
    """Read a saved workbook; :class:`WorkbookFileError` says why a file is not one."""
    try:
        notebook = json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise WorkbookFileError(f"{source}: not a notebook (the JSON is broken: {exc})") from None
    if not isinstance(notebook, dict) or not isinstance(
        notebook.get("cells", notebook.get("worksheets")), list
    ):  # nbformat 3 has worksheets, not cells
        raise WorkbookFileError(f"{source}: not a Jupyter notebook")
    if notebook.get("nbformat") != 4:
        raise WorkbookFileError(
            f"{source}: notebook format {notebook.get('nbformat')!r}; pdkit reads format 4"
        )
    metadata = notebook.get("metadata")
    meta: Any = metadata.get("pdkit") if isinstance(metadata, dict) else None
    saved = meta.get("saved") if isinstance(meta, dict) else None
    if not isinstance(saved, dict):
        raise WorkbookFileError(
            f"{source}: not a saved pdkit workbook (no answers under metadata['pdkit']['saved']); "
            "download it from a pdkit workbook with 'Download my workbook'"
        )
    fmt = saved.get("format")
    if not isinstance(fmt, int) or fmt > SAVED_FORMAT:
        raise WorkbookFileError(
            f"{source}: saved with a newer pdkit (format {fmt!r}, this pdkit reads up to "
            f"{SAVED_FORMAT}); upgrade pdkit to read it"
        )
    try:
        answers = {str(k): dict(v.items()) for k, v in saved["answers"].items()}  # mappings only
        participant = {str(k): str(v) for k, v in saved["participant"].items()}
        return SavedWorkbook(
            workbook=str(meta.get("workbook", "")),
            language=str(meta.get("language", "en")),
            participant=participant,
            answers=answers,
            spec_versions={str(k): str(v) for k, v in saved.get("spec_versions", {}).items()},
            history=tuple(saved.get("history", ())),
            notes=tuple(saved.get("notes", ())),
            coach_comments=tuple(saved.get("coach_comments", ())),
            visibility={str(k): str(v) for k, v in saved.get("visibility", {}).items()},
            feedback=tuple(saved.get("feedback", ())),
            revisions={str(k): tuple(v) for k, v in saved.get("revisions", {}).items()},
            saved_at=str(saved.get("saved_at", "")),
            pdkit_version=str(saved.get("pdkit_version", "")),
            source=source,
        )
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        raise WorkbookFileError(f"{source}: the saved answers are damaged ({exc!r})") from None


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
