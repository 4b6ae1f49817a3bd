"""How much pdkit reads from one definition file, and how much of a value it shows.

Definitions are small: the largest built-in is 5 KB, about 340 parts (keys, values,
list items), 7 levels deep, with 11 items in its longest list and 443 characters in its
longest text. The limits below leave room for a district's longest form many times
over, and stop a file that is not a definition (or is built to hurt) before it costs
more than a fraction of a second and a few tens of MB. Every participant's page load
parses definitions again, so the checks are made while the YAML is read, once per part.

A school goals file (YAML or CSV) is read with the same limits.
"""

from __future__ import annotations

import re
import reprlib
from collections.abc import Iterable
from typing import Any

from ..errors import DefinitionError, Said
from ..i18n import N_, Nn_

__all__ = [
    "MAX_CHARACTERS",
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "MAX_ITEMS",
    "MAX_PARTS",
    "MAX_PROBLEMS",
    "MAX_TEXT",
    "PathPart",
    "check_characters",
    "check_file_size",
    "close_matches",
    "format_path",
    "listed",
    "shown",
    "too_deep",
]

MAX_FILE_BYTES = 512 * 1024
"""A definition or school goals file: 512 KiB, 100 times the largest built-in. Checked
before the file is decoded; a YAML text given as a string is held to as many characters."""

MAX_PARTS = 20_000
"""Parts (keys, values, list items) of a document once its aliases (``*name``) are
expanded: 60 times the largest built-in (a form of 100 fields with 20 options each
has about 5,000). Aliases make a small file stand for a huge document ("billion
laughs", merge-key bombs); the count is made before anything walks the document, each
anchor counted once, so counting itself is linear in the file. ``pdkit validate`` lists
the problems of 20,000 parts in well under a second (jsonschema walks each part)."""

MAX_CHARACTERS = 1_000_000
"""Characters of text in a document once its aliases are expanded: twice what the
largest file holds written out (an alias to a long text repeated stands for all of it)."""

MAX_DEPTH = 40
"""Levels of nesting (aliases counted as what they stand for): built-ins use 7. Deeper
data would exhaust Python's recursion in the code that walks it."""

MAX_ITEMS = 500
"""Items in one list or keys in one mapping: fields in a form, steps in a protocol,
sections of a workbook, school goals, options. Nobody fills in a form of 500 fields;
built-ins have at most 11 items in a list."""

MAX_TEXT = 20_000
"""Characters in one text (a key or a value): about eight pages; the longest built-in
text has 443."""

MAX_PROBLEMS = 100
"""Problems ``pdkit validate`` reports for one file; the rest after these are fixed."""

_SHOWN = 60
"""Characters of a value that a message repeats; the rest is left out ("…")."""

# What YAML allows in a text file: tab, line breaks and printable characters.
_NOT_TEXT = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def check_file_size(size: int, file: str, *, at_least: bool = False) -> None:
    """A :class:`DefinitionError` if a file of ``size`` bytes (``at_least``: of more
    than that, when the whole size is not known) is more than pdkit reads."""
    if size > MAX_FILE_BYTES:
        raise DefinitionError(
            N_(
                "is more than {size}, and a definition or school goals file may be at most "
                "{most} (built-in definitions are under 8 KiB): check that this is the file "
                "you meant, or split it into several definitions"
            )
            if at_least
            else N_(
                "is {size}, and a definition or school goals file may be at most "
                "{most} (built-in definitions are under 8 KiB): check that this is the file "
                "you meant, or split it into several definitions"
            ),
            file=file,
            size=_amount(MAX_FILE_BYTES) if at_least else _amount(size),
            most=_amount(MAX_FILE_BYTES),
        )


def check_characters(text: str, file: str) -> None:
    """A :class:`DefinitionError` if ``text`` is too long, or holds a character that no
    text file holds (a NUL byte, another control character): names its line."""
    if len(text) > MAX_FILE_BYTES:
        raise DefinitionError(
            N_(
                "is {size:,} characters long, and a definition may be at most "
                "{most:,}: check that this is the text you meant, or split it"
            ),
            file=file,
            size=len(text),
            most=MAX_FILE_BYTES,
        )
    found = _NOT_TEXT.search(text)
    if found is not None:
        char = found.group()
        raise DefinitionError(
            N_(
                "holds a NUL byte (U+{code:04X}), which a text file does not: is this a binary "
                "file? Save it as plain UTF-8 text"
            )
            if char == "\0"
            else N_(
                "holds a control character (U+{code:04X}), which a text file does not: is "
                "this a binary file? Save it as plain UTF-8 text"
            ),
            file=file,
            line=text.count("\n", 0, found.start()) + 1,
            code=ord(char),
        )


def shown(value: Any) -> str:
    """``value`` as a message repeats it: its repr, cut to about 60 characters, with
    how long it was when cut. Never builds the repr of a whole large value."""
    if isinstance(value, str):
        if len(value) <= _SHOWN:
            return repr(value)
        return Said(
            Nn_("{text}… ({count:,} character)", "{text}… ({count:,} characters)"),
            text=repr(value[:_SHOWN]),
            count=len(value),
        )
    if isinstance(value, bool) or value is None or isinstance(value, float):
        return repr(value)
    if isinstance(value, int):
        if value.bit_length() <= 3 * _SHOWN:
            return repr(value)
        return Said(
            N_("a number of about {digits:,} digits"), digits=int(value.bit_length() * 0.30103)
        )
    if isinstance(value, (list, tuple, dict, set, frozenset)):
        text = _bounded_repr(value)
        if len(text) <= _SHOWN:
            return text
        return Said(
            Nn_("{text}… ({count:,} item)", "{text}… ({count:,} items)"),
            text=text[:_SHOWN],
            count=len(value),
        )
    text = _bounded_repr(value)
    return text if len(text) <= _SHOWN else f"{text[:_SHOWN]}…"


class _Short(reprlib.Repr):
    """A repr that stops after a few items, levels and characters (of any value)."""

    def __init__(self) -> None:
        super().__init__()
        self.maxlevel = 3
        self.maxlist = self.maxtuple = self.maxdict = self.maxset = self.maxfrozenset = 6
        self.maxstring = self.maxother = self.maxlong = 40

    def repr_int(self, x: int, level: int) -> str:
        return shown(x)


def listed(names: list[str], most: int = 12) -> str:
    """``names`` joined by commas for a message: the first ``most``, then how many more."""
    first = ", ".join(n if len(n) <= _SHOWN else n[:_SHOWN] + "…" for n in names[:most])
    if len(names) <= most:
        return first
    return Said(N_("{first}, … ({more:,} more)"), first=first, more=len(names) - most)


def _bounded_repr(value: Any) -> str:
    return _Short().repr(value)


def _amount(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MiB"
    return f"{size / 1024:.0f} KiB" if size >= 1024 else f"{size} bytes"


PathPart = str | int
"""One step of a path inside a document: a mapping key or a list index."""


def format_path(path: list[PathPart]) -> str:
    """``fields[2].type``; a long key is cut, and so is a long path (its middle)."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            text = part if len(part) <= 40 else part[:40] + "…"
            out += f".{text}" if out else text
    return out if len(out) <= 160 else f"{out[:60]}…{out[-90:]}"


def too_deep(file: str, line: int | None = None, path: str = "") -> DefinitionError:
    """The error for a document nested deeper than pdkit reads."""
    return DefinitionError(
        N_(
            "nests more than {most} levels deep (definitions need fewer than 10): check "
            "the indentation and the brackets, and aliases (*name) inside what they name"
        ),
        file=file,
        line=line,
        path=path,
        most=MAX_DEPTH,
    )


def close_matches(word: str, choices: Iterable[str]) -> list[str]:
    """The choice nearest ``word``, if one is near enough, for "did you mean"; else
    ``[]``. (difflib is imported only then: not by every page's kernel.)"""
    import difflib

    return difflib.get_close_matches(word, list(choices), n=1)
