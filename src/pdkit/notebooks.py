"""Workbook definitions become Voilà-ready notebooks (``pdkit build``).

A built notebook has a Markdown cell with the title and intro, one code cell that
makes the :class:`pdkit.app.Workbook` (sign-in, or the facilitator's key check), then
one cell per section: Markdown for ``text`` sections, a code cell showing the section
for the others. pdkit's own data sits under ``metadata["pdkit"]`` (notebook and
cells) and section cells carry the ``pdkit-section`` tag. Voilà hides the code; the
same notebook runs in JupyterLab.

The notebook names its workbook by id when it is a built-in, else by the path of the
YAML file relative to the notebook's folder (a kernel runs in that folder, in Voilà
and in JupyterLab alike).
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as _field
from datetime import datetime, timezone
from html import escape
from pathlib import Path
from typing import Any

from ._version import __version__
from .definitions import (
    FormDefinition,
    SchoolGoal,
    WorkbookDefinition,
    answer_text,
    builtin_workbook_path,
    builtin_workbooks,
    workbook_forms,
)
from .errors import PdkitError, WorkbookFileError
from .store import DEFAULT_SESSION, JSONValue, Participant, Store, Viewer, ViewerLike

__all__ = [
    "COACH_TAG",
    "NOTEBOOK_SCHEMA_VERSION",
    "SAVED_FORMAT",
    "SavedWorkbook",
    "add_comment",
    "answer_text",
    "build_notebook",
    "code_cell",
    "dumps",
    "export_store",
    "markdown_cell",
    "md_escape",
    "notebook_reference",
    "printable_html",
    "pseudonymize",
    "read_saved",
    "render_workbook",
    "restore_saved",
    "save_workbook",
    "write_workbook",
]

NOTEBOOK_SCHEMA_VERSION = 1
"""The version of what pdkit keeps under ``metadata["pdkit"]``."""


def notebook_reference(workbook: WorkbookDefinition, out_dir: Path) -> str:
    """How a notebook in ``out_dir`` names its workbook: the id of a built-in, else the
    relative path of its YAML file."""
    if workbook.id in builtin_workbooks():
        builtin = builtin_workbook_path(workbook.id).resolve()
        if Path(workbook.source).resolve() == builtin:
            return workbook.id
    return Path(os.path.relpath(Path(workbook.source).resolve(), out_dir.resolve())).as_posix()


def _lines(text: str) -> list[str]:
    """A cell source as nbformat stores it: lines, each but the last ending in a newline."""
    return text.splitlines(keepends=True)


def markdown_cell(
    text: str, *, cell_id: str, metadata: dict[str, Any] | None = None
) -> dict[str, Any]:
    return {
        "cell_type": "markdown",
        "id": cell_id,
        "metadata": metadata or {},
        "source": _lines(text),
    }


def code_cell(text: str, *, cell_id: str, metadata: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "cell_type": "code",
        "execution_count": None,
        "id": cell_id,
        "metadata": metadata or {},
        "outputs": [],
        "source": _lines(text),
    }


def build_notebook(workbook: WorkbookDefinition, *, reference: str) -> dict[str, Any]:
    """The notebook for ``workbook``, as the plain JSON structure of nbformat 4.5.

    Built without importing nbformat (slow to import), so a participant's kernel can
    make a saved copy quickly; the tests validate the result with nbformat.
    """
    title = f"# {workbook.title}" + (f"\n\n{workbook.intro}" if workbook.intro else "")
    cells = [
        markdown_cell(title, cell_id="title"),
        code_cell(
            f"from pdkit.app import Workbook\n\nworkbook = Workbook({json.dumps(reference)})\n"
            "workbook",
            cell_id="workbook",
            metadata={"tags": ["pdkit-workbook"]},
        ),
    ]
    for index, section in enumerate(workbook.sections):
        meta = {"tags": ["pdkit-section"], "pdkit": {"section": index, "kind": section.kind}}
        if section.kind == "text":
            cells.append(markdown_cell(section.text, cell_id=f"section-{index}", metadata=meta))
        elif section.kind != "facilitator":  # the facilitator's control shows with the app
            what = ", ".join(section.refs)
            cells.append(
                code_cell(
                    f"workbook.section({index})  # {section.kind}: {what}",
                    cell_id=f"section-{index}",
                    metadata=meta,
                )
            )
    return {
        "cells": cells,
        "metadata": {
            "kernelspec": {
                "display_name": "Python 3 (ipykernel)",
                "language": "python",
                "name": "python3",
            },
            "language_info": {"name": "python"},
            "pdkit": {
                "schema_version": NOTEBOOK_SCHEMA_VERSION,
                "workbook": workbook.id,
                "language": workbook.language,
            },
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def dumps(notebook: dict[str, Any]) -> str:
    """A notebook as text, formatted the way nbformat writes it (stable diffs)."""
    return json.dumps(notebook, sort_keys=True, indent=1, ensure_ascii=False) + "\n"


def render_workbook(workbook: WorkbookDefinition, out_dir: Path) -> str:
    """The text of ``<out_dir>/<id>.ipynb`` as ``pdkit build`` writes it."""
    return dumps(build_notebook(workbook, reference=notebook_reference(workbook, out_dir)))


def write_workbook(workbook: WorkbookDefinition, out_dir: Path) -> tuple[Path, bool]:
    """Write ``<out_dir>/<id>.ipynb``; returns its path and whether it changed."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{workbook.id}.ipynb"
    text = render_workbook(workbook, out_dir)
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return path, False
    tmp = path.with_suffix(".ipynb.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return path, True


# --------------------------------------------------------------------------- saved workbooks

SAVED_FORMAT = 1
"""The version of ``metadata["pdkit"]["saved"]`` in a downloaded workbook."""

_MD_SPECIAL = re.compile(r"([\\`*_\[\]#|~])")
_MD_LINE_START = re.compile(r"^( {0,3})([-+=])", re.MULTILINE)  # Setext underlines, bullets


def md_escape(text: str) -> str:
    """Text that Markdown shows as typed: HTML and Markdown marks are neutralised."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_LINE_START.sub(r"\1\\\2", _MD_SPECIAL.sub(r"\\\1", text))


def _answers_markdown(form: FormDefinition, values: Mapping[str, JSONValue]) -> str:
    parts = [f"### {md_escape(form.title)}"]
    for field in form.fields:
        text = answer_text(field, values.get(field.id))
        quoted = "\n".join(f"> {md_escape(line)}" for line in text.splitlines()) or "> —"
        parts.append(f"**{md_escape(field.label)}**\n\n{quoted}")
    return "\n\n".join(parts)


@dataclass(frozen=True)
class SavedWorkbook:
    """What a downloaded workbook holds, read back exactly from ``metadata["pdkit"]``."""

    workbook: str
    participant: Mapping[str, str]
    answers: Mapping[str, Mapping[str, JSONValue]]
    spec_versions: Mapping[str, str]
    history: tuple[Mapping[str, Any], ...] = ()
    notes: tuple[Mapping[str, Any], ...] = ()
    coach_comments: tuple[Mapping[str, Any], ...] = ()
    visibility: Mapping[str, str] = _field(default_factory=dict)
    feedback: tuple[Mapping[str, Any], ...] = ()
    revisions: Mapping[str, tuple[float, ...]] = _field(default_factory=dict)
    language: str = "en"
    saved_at: str = ""
    pdkit_version: str = ""
    source: str = "<string>"


def save_workbook(
    workbook: WorkbookDefinition,
    store: Store,
    participant: Participant,
    *,
    reference: str | None = None,
    language: str | None = None,
    school_goals: Sequence[SchoolGoal] = (),
    clock: Callable[[], float] = time.time,
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
    revisions: dict[str, list[float]] = {}
    history: list[dict[str, Any]] = []
    after: dict[int, list[dict[str, Any]]] = {}
    for index, form in forms:
        if not store.can_see(who, participant.id, form.id):
            continue  # not shared with this viewer: not in their copy
        values = store.latest(participant.id, form.id, viewer=who)
        visibility[form.id] = store.visibility(participant.id, form.id)
        marks = store.revision_marks(participant.id, form.id)
        if marks:
            revisions[form.id] = marks
        again = form.id in answers  # a form shown in two sections: its history once
        answers[form.id] = values
        versions[form.id] = form.spec_version
        history.extend(
            {
                "form": e.form,
                "field": e.field,
                "value": e.value,
                "at": e.at,
                "spec_version": e.spec_version,
            }
            for e in (() if again else store.history(participant.id, form.id, viewer=who))
        )
        after.setdefault(index, []).append(
            markdown_cell(
                _answers_markdown(form, values),
                # unique, and at most the 64 characters nbformat allows
                cell_id=(f"answers-{index}-{form.id}" if again else f"answers-{form.id}")[:64],
                metadata={"tags": ["pdkit-answers"], "pdkit": {"form": form.id}},
            )
        )
    notes = [
        {
            "run": n.run,
            "group": n.group,
            "step": n.step,
            "role": n.role,
            "field": n.field,
            "value": n.value,
            "at": n.at,
            "spec_version": n.spec_version,
        }
        for run in store.runs(participant.session)
        for n in store.notes(run.id, viewer=who)
        if n.participant == participant.id
    ]
    feedback = [
        {
            "id": f.id,
            "giver": f.giver,
            "owner": f.owner,
            "form": f.form,
            "category": f.category,
            "text": f.text,
            "at": f.at,
            "helpful": f.helpful,
        }
        for f in store.feedback(viewer=who, owner_id=participant.id)
    ]
    cells: list[dict[str, Any]] = []
    for cell in notebook["cells"]:
        cells.append(cell)
        section = cell["metadata"].get("pdkit", {}).get("section")
        cells.extend(after.get(section, []) if section is not None else [])
    notebook["cells"] = cells
    notebook["metadata"]["pdkit"]["saved"] = {
        "format": SAVED_FORMAT,
        "saved_at": datetime.fromtimestamp(clock(), tz=timezone.utc).isoformat(timespec="seconds"),
        "pdkit_version": __version__,
        "participant": {
            "id": participant.id,
            "display_name": participant.display_name,
            "session": participant.session,
        },
        "answers": answers,
        "spec_versions": versions,
        "visibility": visibility,
        "revisions": revisions,
        "history": history,
        "notes": notes,
        "feedback": feedback,
        "coach_comments": [],
    }
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


def printable_html(
    workbook: WorkbookDefinition,
    saved: SavedWorkbook,
    language: str | None = None,
    school_goals: Sequence[SchoolGoal] = (),
) -> str:
    """A standalone HTML page of the answers, to print or keep (every text escaped)."""
    rows = []
    for _index, form in workbook_forms(workbook, language, school_goals):
        values = saved.answers.get(form.id, {})
        items = "".join(
            f"<dt>{escape(f.label)}</dt><dd>"
            + (escape(answer_text(f, values.get(f.id))).replace("\n", "<br>") or "—")
            + "</dd>"
            for f in form.fields
        )
        rows.append(f"<section><h2>{escape(form.title)}</h2><dl>{items}</dl></section>")
    who = escape(saved.participant.get("display_name", ""))
    return (
        '<!DOCTYPE html>\n<html lang="' + escape(workbook.language) + '"><head>'
        '<meta charset="utf-8"><meta name="viewport" content="width=device-width">'
        f"<title>{escape(workbook.title)} · {who}</title><style>"
        "body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;"
        "line-height:1.5;color:#1f2933}dt{font-weight:600;margin-top:1rem}dd{margin:0.25rem 0 0}"
        "section{break-inside:avoid}</style></head><body><main>"
        f"<h1>{escape(workbook.title)}</h1><p>{who} · {escape(saved.saved_at)}</p>"
        + "".join(rows)
        + "</main></body></html>\n"
    )


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
    """One saved workbook per participant of ``session`` (``pdkit export``); choices from
    ``school_goals`` read as their titles. Definitions are loaded once for all.

    Each copy holds what ``viewer`` may see: by default the store's steward
    (:meth:`pdkit.store.Viewer.steward`), so items a teacher kept private are left out.
    With ``pseudonymous`` every participant id becomes a stable pseudonym (the same
    person gets the same one at every export of this store) and names are removed;
    answers are kept as written, so a name a teacher typed into an answer stays."""
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
        tmp = path.with_suffix(".ipynb.tmp")
        tmp.write_text(dumps(notebook), encoding="utf-8")
        tmp.replace(path)
        written.append(path)
    return written


def pseudonymize(notebook: dict[str, Any], pseudonym: Callable[[str], str]) -> dict[str, Any]:
    """A saved workbook with every participant id replaced by ``pseudonym(id)`` and every
    name removed (the notebook is changed in place and returned)."""
    saved = notebook["metadata"]["pdkit"]["saved"]
    person = saved["participant"]
    person["id"] = pseudonym(str(person["id"]))
    person["display_name"] = ""
    for item in saved.get("feedback", ()):
        for key in ("giver", "owner"):
            item[key] = pseudonym(str(item[key]))
    return notebook


# --------------------------------------------------------------------------- coach comments

COACH_TAG = "pdkit-coach"
"""The tag of the Markdown cells that hold coach comments."""


def _comment_markdown(coach: str, text: str, stamp: datetime) -> str:
    quoted = "\n".join(f"> {md_escape(line)}" if line else ">" for line in text.splitlines())
    return (
        f"### Comment from your coach, {md_escape(coach)}\n\n"
        f"{quoted}\n\n"
        f"*{stamp.strftime('%Y-%m-%d %H:%M')} UTC. Written by your coach to support your "
        "work (coaching is not evaluation); your answers above are unchanged.*"
    )


def add_comment(
    path: str | os.PathLike[str], text: str, *, coach: str, at: datetime | None = None
) -> dict[str, str]:
    """Add a coach's comment to a saved workbook and return its entry.

    Appends a visible Markdown cell tagged ``pdkit-coach`` (it says it is a coach's
    comment; the text is escaped, so it shows as typed) and an entry ``{coach, text,
    at}`` (``at`` in ISO 8601, UTC) under ``metadata["pdkit"]["saved"]
    ["coach_comments"]``. Nothing else changes: the teacher's answers, history, notes
    and cells stay as they were. The file is replaced atomically (a temporary file
    beside it, flushed to disk, then renamed), so a crash leaves the old file or the
    new one, never half of one. ``at`` defaults to now; a naive time is local time.

    Raises :class:`pdkit.WorkbookFileError` when the file is not a saved workbook this
    pdkit reads, and :class:`pdkit.PdkitError` for an empty text or coach.
    """
    if not text.strip():
        raise PdkitError("a coach comment needs some text")
    if not coach.strip():
        raise PdkitError("a coach comment needs the coach's name")
    target = Path(path)
    try:
        raw = target.read_bytes()
    except OSError as exc:
        raise WorkbookFileError(f"{target}: cannot be read ({exc.strerror or exc})") from None
    read_saved(raw, source=str(target))  # says why a file is not a saved workbook
    notebook = json.loads(raw)
    saved = notebook["metadata"]["pdkit"]["saved"]
    comments = saved.setdefault("coach_comments", [])
    if not isinstance(comments, list):
        raise WorkbookFileError(f"{target}: the saved coach comments are damaged")
    stamp = (at or datetime.now(timezone.utc)).astimezone(timezone.utc).replace(microsecond=0)
    entry = {"coach": coach.strip(), "text": text, "at": stamp.isoformat()}
    comments.append(entry)
    cell = markdown_cell(
        _comment_markdown(entry["coach"], text, stamp),
        cell_id="",
        metadata={"tags": [COACH_TAG], "pdkit": {"coach_comment": len(comments) - 1}},
    )
    if notebook.get("nbformat_minor", 0) >= 5:  # cell ids exist from nbformat 4.5 on
        taken = {c.get("id") for c in notebook["cells"] if isinstance(c, dict)}
        number = len(comments)
        while f"coach-comment-{number}" in taken:
            number += 1
        cell["id"] = f"coach-comment-{number}"
    else:
        del cell["id"]
    notebook["cells"].append(cell)
    _write_atomically(target, dumps(notebook))
    return entry


def _write_atomically(path: Path, text: str) -> None:
    """Replace ``path`` with ``text``: a temporary file beside it, fsync, rename."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with tmp.open("w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise WorkbookFileError(f"{path}: cannot be written ({exc.strerror or exc})") from None
