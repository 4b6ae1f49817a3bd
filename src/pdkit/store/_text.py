"""The one rule for the short texts the store keeps on a line of their own: a session's
title and a person's name. Tidied the same way wherever they come from (a page, a
command, the hub): Unicode NFC, runs of white space as one space, no control characters
(a NUL cannot be stored in PostgreSQL; an escape sequence would repaint a terminal that
lists sessions), and bounded."""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

from ..errors import StoreError
from ..i18n import N_

__all__ = ["MAX_LINE_CHARS", "one_line", "tidy_line"]

MAX_LINE_CHARS = 200
"""A name or a title the store keeps holds at most this many characters (the join
step asks people for a name of at most 80)."""

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def tidy_line(raw: str) -> str:
    """``raw`` as one tidy line: NFC, single spaces, no control characters."""
    text = _CONTROL.sub(" ", raw)
    return " ".join(unicodedata.normalize("NFC", text).split())


Line = Literal["a name", "a session's title", "the caption"]
"""Which line :func:`one_line` tidies, as its messages name it."""


def one_line(raw: str, what: Line, limit: int) -> str:
    """``raw`` tidied (:func:`tidy_line`); :class:`StoreError` when nothing is left (the
    message says what to give) or it is longer than ``limit`` characters (the message
    names it: ``what``)."""
    huge = len(raw) > 20 * limit  # do not tidy a megabyte to refuse it
    text = "" if huge else tidy_line(raw)
    length = len(raw) if huge else len(text)
    if length > limit and what == "a name":
        raise StoreError(
            N_("a name is {length:,} characters long; at most {limit} please"),
            length=length,
            limit=limit,
        )
    if length > limit and what == "a session's title":
        raise StoreError(
            N_("a session's title is {length:,} characters long; at most {limit} please"),
            length=length,
            limit=limit,
        )
    if length > limit:
        raise StoreError(
            N_("the caption is {length:,} characters long; at most {limit} please"),
            length=length,
            limit=limit,
        )
    if not text and what == "a name":
        raise StoreError(N_("give a name"))
    if not text and what == "a session's title":
        raise StoreError(N_("give the session a title (what participants will see)"))
    if not text:
        raise StoreError(N_("give the item a caption"))
    return text
