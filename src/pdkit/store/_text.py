"""The one rule for the short texts the store keeps on a line of their own: a session's
title and a person's name. Tidied the same way wherever they come from (a page, a
command, the hub): Unicode NFC, runs of white space as one space, no control characters
(a NUL cannot be stored in PostgreSQL; an escape sequence would repaint a terminal that
lists sessions), and bounded."""

from __future__ import annotations

import re
import unicodedata

from ..errors import StoreError

__all__ = ["MAX_LINE_CHARS", "one_line", "tidy_line"]

MAX_LINE_CHARS = 200
"""A name or a title the store keeps holds at most this many characters (the join
step asks people for a name of at most 80)."""

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def tidy_line(raw: str) -> str:
    """``raw`` as one tidy line: NFC, single spaces, no control characters."""
    text = _CONTROL.sub(" ", raw)
    return " ".join(unicodedata.normalize("NFC", text).split())


def one_line(raw: str, what: str, limit: int, *, missing: str = "") -> str:
    """``raw`` tidied (:func:`tidy_line`); :class:`StoreError` when nothing is left
    (``missing`` says what to do, else "give ``what``") or it is longer than ``limit``
    characters (``what`` names it: "a session's title")."""
    if len(raw) > 20 * limit:  # do not tidy a megabyte to refuse it
        raise StoreError(f"{what} is {len(raw):,} characters long; at most {limit} please")
    text = tidy_line(raw)
    if not text:
        raise StoreError(missing or f"give {what}")
    if len(text) > limit:
        raise StoreError(f"{what} is {len(text):,} characters long; at most {limit} please")
    return text
