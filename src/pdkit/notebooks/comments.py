"""A coach's comment, added to a teacher's saved workbook (``pdkit comment``)."""

from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path

from .._atomic import write_atomically
from ..errors import PdkitError, WorkbookFileError
from ..i18n import N_
from .build import dumps
from .saved import COACH_TAG, append_comment, read_saved
from .untrusted import file_bytes, parse_json

__all__ = ["COACH_TAG", "add_comment", "append_comment"]


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
        raise PdkitError(N_("a coach comment needs some text"))
    if not coach.strip():
        raise PdkitError(N_("a coach comment needs the coach's name"))
    target = Path(path)
    raw = file_bytes(target)  # a regular file, not too large
    read_saved(raw, source=str(target))  # says why a file is not a saved workbook
    notebook = parse_json(raw, str(target))
    saved = notebook["metadata"]["pdkit"]["saved"]
    if not isinstance(saved.setdefault("coach_comments", []), list):
        raise WorkbookFileError(N_("{source}: the saved coach comments are damaged"), source=target)
    stamp = (at or datetime.now(timezone.utc)).astimezone(timezone.utc).replace(microsecond=0)
    added = append_comment(notebook, coach.strip(), text, stamp)
    try:
        text = dumps(notebook)
    except RecursionError:  # cells nested as deeply as Python reads: too deep to write
        raise WorkbookFileError(
            N_("{source}: nested too deeply to be written back"), source=target
        ) from None
    try:
        write_atomically(target, text)
    except OSError as exc:
        raise WorkbookFileError(
            N_("{source}: cannot be written ({reason})"),
            source=target,
            reason=exc.strerror or str(exc),
        ) from None
    return added
