"""A coach's comment, added to a teacher's saved workbook (``pdkit comment``)."""

from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .._atomic import write_atomically
from ..errors import PdkitError, WorkbookFileError
from ._markdown import comment_markdown
from .build import dumps, markdown_cell
from .saved import entry, read_saved
from .untrusted import file_bytes, parse_json

__all__ = ["COACH_TAG", "add_comment", "append_comment"]

COACH_TAG = "pdkit-coach"
"""The tag of the Markdown cells that hold coach comments."""


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
        comment_markdown(added["coach"], text, stamp),
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
    raw = file_bytes(target)  # a regular file, not too large
    read_saved(raw, source=str(target))  # says why a file is not a saved workbook
    notebook = parse_json(raw, str(target))
    saved = notebook["metadata"]["pdkit"]["saved"]
    if not isinstance(saved.setdefault("coach_comments", []), list):
        raise WorkbookFileError(f"{target}: the saved coach comments are damaged")
    stamp = (at or datetime.now(timezone.utc)).astimezone(timezone.utc).replace(microsecond=0)
    added = append_comment(notebook, coach.strip(), text, stamp)
    try:
        text = dumps(notebook)
    except RecursionError:  # cells nested as deeply as Python reads: too deep to write
        raise WorkbookFileError(f"{target}: nested too deeply to be written back") from None
    try:
        write_atomically(target, text)
    except OSError as exc:
        raise WorkbookFileError(f"{target}: cannot be written ({exc.strerror or exc})") from None
    return added
