"""A saved workbook: the workbook notebook with a participant's answers, to keep, upload again,
or collect for a coach; its format is declared here, once, and read back exactly. It is a built
workbook notebook (:mod:`pdkit.notebooks.build`) with
- under ``metadata["pdkit"]["saved"]`` a block of :data:`BLOCK_KEYS`, versioned by ``format``
  (:data:`SAVED_FORMAT`); entries with :data:`ENTRY_KEYS` (optional: :data:`OPTIONAL_KEYS`);
- after each section, a readable Markdown cell of its answers (tag ``pdkit-answers``);
- at the end, each coach comment as a Markdown cell that says it is one (tag
  ``pdkit-coach``; :func:`append_comment`, for ``pdkit comment`` and the thread's);
- the evidence log (``evidence``, :mod:`._saved_evidence`), the teacher's
  micro-credentials (``metadata["pdkit"]["credentials"]``, :mod:`._saved_credentials`),
  the observations of the teacher's teaching (``…["observations"]``, :mod:`._observations`)
  and their pathway (``…["pathway"]``, :mod:`._saved_pathway`), each with a Markdown cell.

:class:`SavedWorkbook` is what the block holds: :meth:`SavedWorkbook.block` writes it and
:func:`read_saved` reads it: the writer and every reader (``pdkit review`` too) share keys.
A participant's copy is made from a store by :func:`pdkit.notebooks.save_workbook`
(:mod:`._save`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..errors import WorkbookFileError
from ..i18n import N_
from ..store import JSONValue, Observation
from . import _saved_evidence as ev
from ._markdown import comment_markdown
from ._observations import read_observations
from ._saved_pathway import read_pathway
from .build import markdown_cell, notebook_language
from .untrusted import (
    Damaged,
    check_times,
    check_values,
    columns,
    is_time,
    key_text,
    kind_of,
    parse_json,
    shown,
    text_map,
)

__all__ = [
    "ANSWERS_TAG",
    "BLOCK_KEYS",
    "COACH_TAG",
    "ENTRY_KEYS",
    "OPTIONAL_KEYS",
    "SAVED_FORMAT",
    "SavedWorkbook",
    "append_comment",
    "entry",
    "read_saved",
]

SAVED_FORMAT = 1
"""The version of ``metadata["pdkit"]["saved"]`` in a downloaded workbook."""

ANSWERS_TAG = "pdkit-answers"
"""The tag of the Markdown cells that show a section's answers."""

COACH_TAG = "pdkit-coach"
"""The tag of the Markdown cells that hold coach comments."""

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
    "goal_statuses",
    "evidence",
)
"""The keys of the saved block, in the order they are written."""

ENTRY_KEYS: Mapping[str, tuple[str, ...]] = {
    "participant": ("id", "display_name", "session"),
    "history": ("form", "field", "value", "at", "spec_version"),
    "notes": ("run", "group", "step", "role", "field", "value", "at", "spec_version"),
    "feedback": ("id", "giver", "owner", "form", "category", "text", "at"),
    "coach_comments": ("coach", "text", "at"),
    "goal_statuses": ("status", "at", "by", "note"),
    "evidence": ev.EVIDENCE_KEYS,
}
"""The keys every entry of a list in the block has (and those of ``participant``)."""

OPTIONAL_KEYS: Mapping[str, tuple[str, ...]] = {"feedback": ("helpful",), **ev.OPTIONAL_KEYS}
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
    goal_statuses: tuple[Mapping[str, Any], ...] = ()
    """Every status of the goal, oldest first (only when the copy holds the goal)."""
    visibility: Mapping[str, str] = field(default_factory=dict)
    feedback: tuple[Mapping[str, Any], ...] = ()
    revisions: Mapping[str, tuple[float, ...]] = field(default_factory=dict)
    evidence: tuple[Mapping[str, Any], ...] = ()  # every version of each item the copy holds
    observations: tuple[Observation, ...] = ()  # metadata["pdkit"]["observations"]
    observers: Mapping[str, str] = field(default_factory=dict)  # their names, by id
    pathway: Mapping[str, Any] | None = None  # metadata["pdkit"]["pathway"]
    language: str = "en"
    saved_at: str = ""
    pdkit_version: str = ""
    source: str = "<string>"
    _columns: dict[str, tuple[tuple[Any, ...], ...]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    _flat: list[bool] = field(default_factory=list, init=False, repr=False, compare=False)
    """Per checked set of answers (``answers`` per form, the history's and the notes'
    values): whether every value was flat (:func:`~pdkit.notebooks.untrusted.flat_values`)."""

    def columns(self, kind: str) -> tuple[tuple[Any, ...], ...]:
        """The entries of the list ``kind`` (``history``, ``notes``, ``feedback`` or
        ``coach_comments``) as columns: one tuple per key of :data:`ENTRY_KEYS`, then of
        :data:`OPTIONAL_KEYS` (None where an entry has none), checked as
        :func:`read_saved` checks them, with a coach comment's time in seconds.
        :func:`read_saved` made them already: reading them again costs nothing."""
        found = self._columns.get(kind)
        if found is None:
            try:
                found = self._columns[kind] = _entry_columns(kind, getattr(self, kind))
            except Damaged as exc:
                raise exc.in_file(self.source) from None
        return found

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
            "goal_statuses": [dict(e) for e in self.goal_statuses],
            "evidence": [dict(e) for e in self.evidence],
        }
        return {key: values[key] for key in BLOCK_KEYS}


def append_comment(
    notebook: dict[str, Any], coach: str, text: str, stamp: datetime
) -> dict[str, str]:
    """The one home of a coach comment in a notebook: an entry ``{coach, text, at}``
    under ``metadata["pdkit"]["saved"]["coach_comments"]`` and, at the end, a visible
    Markdown cell tagged ``pdkit-coach`` that says it is a coach's comment (the text
    escaped). For ``pdkit comment`` and for a workbook saved from a store, whose
    coach comments come from the thread between the teacher and their coaches."""
    comments = notebook["metadata"]["pdkit"]["saved"].setdefault("coach_comments", [])
    added = entry("coach_comments", coach, text, stamp.isoformat())
    comments.append(added)
    cell = markdown_cell(
        comment_markdown(added["coach"], text, stamp, notebook_language(notebook)),
        cell_id="",
        metadata={"tags": [COACH_TAG], "pdkit": {"coach_comment": len(comments) - 1}},
    )
    minor = notebook.get("nbformat_minor", 0)
    if type(minor) is int and minor >= 5:  # cell ids exist from nbformat 4.5 on
        ids = (c.get("id") for c in notebook["cells"] if isinstance(c, dict))
        taken = {i for i in ids if isinstance(i, str)}
        number = len(comments)
        while f"coach-comment-{number}" in taken:
            number += 1
        cell["id"] = f"coach-comment-{number}"
    else:
        del cell["id"]
    notebook["cells"].append(cell)
    return added


def read_saved(text: str | bytes, *, source: str = "<upload>", fast: bool = False) -> SavedWorkbook:
    """Read a saved workbook; :class:`WorkbookFileError` says why a file is not one.

    Whatever the file holds, this returns a workbook whose every value is one pdkit
    writes, or raises :class:`WorkbookFileError` (limits and checks:
    :mod:`pdkit.notebooks.untrusted`). Only pdkit's metadata is checked, not the
    cells (nor against the nbformat schema: that costs more than all the rest).

    ``fast`` (a coach's batch): parse with orjson (:func:`~pdkit.notebooks.untrusted.
    parse_json`), and read the file again with the standard library whenever that could
    differ: a file refused (so that its message is the one it always was), or answers
    that hold a number with a fraction or an exponent, or anything but text, whole
    numbers, true/false, null and lists of them (a whole number beyond 64 bits reads as
    a float in orjson, exactly in the standard library)."""
    if fast:
        try:
            workbook = _read_saved(text, source, fast=True)
        except WorkbookFileError:
            pass  # read again below, to say why in the standard library's words
        else:
            if workbook._flat and all(workbook._flat):  # every answer read alike
                return workbook
    return _read_saved(text, source, fast=False)


def _read_saved(text: str | bytes, source: str, *, fast: bool) -> SavedWorkbook:
    notebook = parse_json(text, source, fast=fast)
    if not isinstance(notebook, dict) or not (
        isinstance(notebook.get("cells"), list) or isinstance(notebook.get("worksheets"), list)
    ):  # nbformat 3 has worksheets, not cells
        raise WorkbookFileError(N_("{source}: not a Jupyter notebook"), source=source)
    if notebook.get("nbformat") != 4:
        raise WorkbookFileError(
            N_("{source}: notebook format {given}; pdkit reads format 4"),
            "not-saved",
            source=source,
            given=shown(notebook.get("nbformat")),
        )
    if not isinstance(notebook.get("cells"), list):
        raise WorkbookFileError(
            N_("{source}: not a Jupyter notebook (format 4 has cells)"), source=source
        )
    metadata = notebook.get("metadata")
    meta: Any = metadata.get("pdkit") if isinstance(metadata, dict) else None
    saved = meta.get("saved") if isinstance(meta, dict) else None
    if not isinstance(saved, dict):
        raise WorkbookFileError(
            N_(
                "{source}: not a saved pdkit workbook (no answers under "
                "metadata['pdkit']['saved']); "
                "download it from a pdkit workbook with 'Download my workbook'"
            ),
            "not-saved",
            source=source,
        )
    fmt = saved.get("format")
    if type(fmt) is int and fmt > SAVED_FORMAT:
        raise WorkbookFileError(
            N_(
                "{source}: saved with a newer pdkit (format {given}, this pdkit reads up to "
                "{most}); upgrade pdkit to read it"
            ),
            "newer",
            source=source,
            given=shown(fmt),
            most=SAVED_FORMAT,
        )
    try:
        if type(fmt) is not int or fmt < 1:
            raise Damaged(N_("format {shown} is not a format number"), shown=shown(fmt))
        return _workbook(meta, saved, source)
    except Damaged as exc:
        raise exc.in_file(source) from None


def _workbook(meta: dict[str, Any], saved: dict[str, Any], source: str) -> SavedWorkbook:
    """The saved block read into a workbook, every value checked."""
    for where, block, key in (
        ("metadata.pdkit", meta, "workbook"),
        ("metadata.pdkit", meta, "language"),
        ("", saved, "saved_at"),
        ("", saved, "pdkit_version"),
    ):
        if key in block and type(block[key]) is not str:
            raise Damaged(
                N_("{where} is {kind}, not text"),
                where=f"{where}.{key}".lstrip("."),
                kind=kind_of(block[key]),
            )
    for key in ("participant", "answers"):
        if key not in saved:
            raise Damaged(N_("no {key!r}"), key=key)
    answers = saved["answers"]
    if type(answers) is not dict:
        raise Damaged(
            N_("{where} is {kind}, not an object"), where="answers", kind=kind_of(answers)
        )
    flat: list[bool] = []
    for form_id, values in answers.items():
        if type(values) is not dict:
            raise Damaged(
                N_("{where} is {kind}, not an object"),
                where=f"answers.{key_text(form_id)}",
                kind=kind_of(values),
            )
        flat.append(check_values(values, "answers", form_id))
    revisions = saved.get("revisions", {})
    if type(revisions) is not dict:
        raise Damaged(
            N_("{where} is {kind}, not an object"), where="revisions", kind=kind_of(revisions)
        )
    for form_id, marks in revisions.items():
        if type(marks) is not list:
            raise Damaged(
                N_("{where} is {kind}, not a list of times"),
                where=f"revisions.{key_text(form_id)}",
                kind=kind_of(marks),
            )
        check_times(marks, f"revisions.{key_text(form_id)}")
    lists = {kind: saved.get(kind, []) for kind in _KINDS}
    observations, observers = read_observations(meta)
    checked = {kind: _entry_columns(kind, entries, flat) for kind, entries in lists.items()}
    workbook = SavedWorkbook(
        workbook=meta.get("workbook", ""),
        language=meta.get("language", "en"),
        participant=text_map(saved["participant"], "participant"),
        answers=answers,
        spec_versions=text_map(saved.get("spec_versions", {}), "spec_versions"),
        history=tuple(lists["history"]),
        notes=tuple(lists["notes"]),
        coach_comments=tuple(lists["coach_comments"]),
        goal_statuses=tuple(lists["goal_statuses"]),
        evidence=tuple(lists["evidence"]),
        visibility=text_map(saved.get("visibility", {}), "visibility"),
        feedback=tuple(lists["feedback"]),
        revisions={form_id: tuple(marks) for form_id, marks in revisions.items()},
        observations=observations,
        observers=observers,
        pathway=read_pathway(meta),
        saved_at=saved.get("saved_at", ""),
        pdkit_version=saved.get("pdkit_version", ""),
        source=source,
    )
    workbook._columns.update(checked)
    workbook._flat.extend(flat)
    workbook._flat.append(True)  # checked: an empty list says "all flat" too
    return workbook


_KINDS: Mapping[str, tuple[str, ...]] = {
    "history": ("text", "text", "value", "time", "text"),
    "notes": ("text", "text", "text", "text", "text", "value", "time", "text"),
    "feedback": ("text", "text", "text", "text", "text", "text", "time"),
    "coach_comments": ("text", "text", "any"),
    "goal_statuses": ("text", "time", "text", "text"),
    "evidence": ev.EVIDENCE_CHECKS,
}
"""How each key of the entries of each list of the block is checked (see
:func:`pdkit.notebooks.untrusted.columns`), in the order of :data:`ENTRY_KEYS`."""

_NONE = {
    kind: tuple(() for _ in (*ENTRY_KEYS[kind], *OPTIONAL_KEYS.get(kind, ()))) for kind in _KINDS
}
"""The columns of a list without entries."""


def _entry_columns(
    kind: str, entries: Any, flat: list[bool] | None = None
) -> tuple[tuple[Any, ...], ...]:
    """The entries of the list ``kind`` as checked columns (see :meth:`SavedWorkbook.columns`);
    ``flat`` gets whether each value column was flat."""
    if type(entries) is list and not entries:  # notes, feedback, comments: often none
        return _NONE[kind]
    found = columns(entries, ENTRY_KEYS[kind], _KINDS[kind], kind, flat)
    if kind == "coach_comments":
        found[2] = tuple(
            _comment_time(v, f"coach_comments[{i}].at") for i, v in enumerate(found[2])
        )
    if kind == "evidence":
        ev.check_evidence(found, shown)
    for key in OPTIONAL_KEYS.get(kind, ()):
        column = tuple(e.get(key) for e in entries)
        if not set(map(type, column)) <= {bool, type(None)}:
            index = next(i for i, v in enumerate(column) if v is not None and type(v) is not bool)
            raise Damaged(
                N_("{where} is {kind}, not true or false"),
                where=f"{kind}[{index}].{key}",
                kind=kind_of(column[index]),
            )
        found.append(column)
    return tuple(found)


def _comment_time(value: object, where: str) -> float:
    """A coach comment's time: ISO 8601 text with a zone (as written), or a number."""
    if is_time(value):
        return float(value)  # type: ignore[arg-type]
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
            seconds = moment.timestamp() if moment.tzinfo is not None else None
        except (ValueError, OverflowError):
            seconds = None
        if seconds is not None and is_time(seconds):
            return seconds
    raise Damaged(
        N_("{where} is not a time with a zone ({shown})"), where=where, shown=shown(value)
    )
