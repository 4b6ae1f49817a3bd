"""Which of pdkit's English words may not show on a page in another language: the parts of
its catalog's msgids (the literal text between placeholders, longer than 12 characters)
that the language translates, leaving out those that are also a definition's text (a
definition without that language shows its English, so such a part cannot be told apart).
Used by the browser test of every page in every language and by the report's test."""

from __future__ import annotations

import string
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import yaml
from babel.messages.pofile import read_po

import pdkit
from pdkit.i18n import LOCALE_DIR
from pdkit.serve import builtin_workbooks_dir

__all__ = ["definition_texts", "english_parts"]


def _texts(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _texts(item)
    elif isinstance(value, list):
        for item in value:
            yield from _texts(item)


def definition_texts() -> list[str]:
    """Every text of pdkit's built-in definitions and workbooks' markdown: not pdkit's own
    words but the definitions' (a definition without French shows its English), so a part
    of a msgid found in one of them cannot be told apart on a page and is not looked for."""
    texts = []
    for path in (Path(pdkit.__file__).parent / "templates").rglob("*.yaml"):
        texts.extend(_texts(yaml.safe_load(path.read_text("utf-8"))))
    for path in builtin_workbooks_dir().glob("*.ipynb"):
        notebook = nbformat.read(path, as_version=4)
        texts.extend(c.source for c in notebook.cells if c.cell_type == "markdown")
    return texts


def english_parts(language: str, definitions: list[str]) -> list[str]:
    """The parts of pdkit's English msgids that must not show on a ``language`` page: the
    literal text between placeholders, longer than 12 characters, not also part of the
    translation (a word both languages share) nor of a definition's text. A part that is a
    whole definition's text and a colon ("Session evaluation:") is not looked for either: a
    page writes a definition's title before a colon too (the dashboard's join links,
    "Session evaluation: http://…"), and the two cannot be told apart."""
    with (LOCALE_DIR / language / "LC_MESSAGES" / "pdkit.po").open("rb") as source:
        catalog = read_po(source)
    parts = set()
    for message in catalog:
        if not message.id:
            continue
        for literal, *_ in string.Formatter().parse(str(message.id)):
            chunk = literal.strip()
            if len(chunk) > 12 and chunk not in str(message.string or ""):
                parts.add(chunk)
    whole = {text.strip() for text in definitions}
    return sorted(
        p
        for p in parts
        if not any(p in text for text in definitions) and p.removesuffix(":") not in whole
    )
