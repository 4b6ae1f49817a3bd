"""A coach's batch, read fast: msgspec decodes a saved workbook's ``metadata["pdkit"]``
in C and skips over its cells (a review reads only the saved block), which the
standard library would turn into Python objects to throw away.

Never on a participant's page (msgspec is imported by the first batch). Every value
it decodes reads exactly as the standard library reads it (whole numbers of any size,
fractions, text), and :func:`pdkit.notebooks.read_saved` then checks the block with
the same code either way. What msgspec does not take (broken JSON, NaN, nesting deeper
than Python's parser goes, a lone surrogate, a notebook not of format 4, a key a
notebook does not have, which it would skip unchecked) makes
:func:`pdkit_metadata` return None: the standard path reads that file again, so that a
refused file gets the message it always got."""

from __future__ import annotations

import functools
from typing import Any, Literal

import msgspec

__all__ = ["pdkit_metadata"]


_CHUNK = 4096
"""How much of the cells is looked at as one piece when checking that they are UTF-8."""


@functools.cache
def _decoder() -> msgspec.json.Decoder[Any]:
    """A decoder of a format 4 notebook: its cells skipped (raw), its metadata decoded;
    any other key refuses it (it would be skipped unchecked)."""
    notebook = msgspec.defstruct(
        "_notebook",
        [
            ("nbformat", Literal[4]),
            ("nbformat_minor", Any, None),
            ("cells", msgspec.Raw),
            ("metadata", dict[str, Any]),
        ],
        forbid_unknown_fields=True,
        kw_only=True,
    )
    return msgspec.json.Decoder(notebook)


def pdkit_metadata(data: bytes) -> dict[str, Any] | None:
    """``metadata["pdkit"]`` of the notebook ``data`` (UTF-8 bytes, checked for size,
    without byte order mark), or None when the standard path must read it. msgspec
    checks the JSON of the cells as it skips them (a lone surrogate's escape too), but
    not that their bytes are UTF-8: that is checked here."""
    try:
        notebook = _decoder().decode(data)
        cells = bytes(notebook.cells)
        if not cells.startswith(b"[") or not _is_utf8(cells):
            return None
    except (msgspec.DecodeError, msgspec.ValidationError, RecursionError, MemoryError):
        return None
    pdkit = notebook.metadata.get("pdkit")
    return pdkit if isinstance(pdkit, dict) else None


def _is_utf8(data: bytes) -> bool:
    """Whether ``data`` is UTF-8, decoding only the pieces that are not ASCII (where a
    file has a few dashes or accents, most of it is). A piece is widened to whole
    characters: back over continuation bytes to the byte that leads them, on over the
    continuation bytes of its last character (at most 3 each way, as UTF-8 has)."""
    if data.isascii():
        return True
    size = len(data)
    for start in range(0, size, _CHUNK):
        end = min(start + _CHUNK, size)
        if data[start:end].isascii():
            continue
        for _ in range(3):
            if start and 0x80 <= data[start] < 0xC0:
                start -= 1
        for _ in range(3):
            if end < size and 0x80 <= data[end] < 0xC0:
                end += 1
        try:
            data[start:end].decode("utf-8")
        except UnicodeDecodeError:
            return False
    return True
