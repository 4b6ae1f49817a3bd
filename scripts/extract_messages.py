"""Extract pdkit's own words into the template catalog, with Babel.

A word is extracted where it is written as ``t("…")`` (a translator from
:func:`pdkit.i18n.translator`) or marked ``N_("…")`` (translated later), with its
string literal as the first argument, and a word with a count where it is written as
``tn("… one", "… many", count)`` (:func:`pdkit.i18n.plural_translator`) or marked
``Nn_("… one", "… many")`` (an error's message with a count); in the coach's
report's Jinja templates (``report/templates/*.j2``) where it is written as
``{% trans %}…{% endtrans %}`` or ``_("…")`` (with a count: ``ngettext("…", "…", n)``),
by Jinja2's own Babel extractor (:func:`jinja2.ext.babel_extract`).
Babel's own Python extractor reads tokens and, before Python 3.12, does not look inside
f-strings, where many of pdkit's words are (``f"<h2>{escape(t('My goal'))}</h2>"``);
this extractor reads the syntax tree instead, f-strings included, and hands the words to
Babel's catalog.

    python scripts/extract_messages.py [output.pot]   (default src/pdkit/locale/pdkit.pot)
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Collection, Iterator, Mapping
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "src" / "pdkit"
POT = SOURCE / "locale" / "pdkit.pot"
KEYWORDS = {"t": None, "N_": None, "tn": (1, 2), "Nn_": (1, 2)}
"""Babel's keyword specs: the argument(s) that hold the English (1: one text; 1, 2: its
forms for one and for any other count)."""
TEMPLATE_KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2)}
TEMPLATES = "report/templates/**.j2"
HEADER = "# pdkit's own words (English source text). Made by scripts/i18n.sh: do not edit."


def extract_pdkit(
    fileobj: IO[bytes],
    keywords: Collection[str],
    comment_tags: Collection[str],
    options: Mapping[str, Any],
) -> Iterator[tuple[int, str, str | tuple[str, ...], list[str]]]:
    """Babel extraction method: ``t("…")``, ``N_("…")`` and ``tn("…", "…", n)`` calls,
    f-strings included."""
    tree = ast.parse(fileobj.read())
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        if name not in keywords:
            continue
        wanted = node.args[: 2 if name in ("tn", "Nn_") else 1]
        texts = [a.value for a in wanted if isinstance(a, ast.Constant)]
        if len(texts) == len(wanted) and all(isinstance(x, str) for x in texts):
            yield node.lineno, name, texts[0] if len(texts) == 1 else tuple(texts), []


def extract(output: Path = POT) -> int:
    """Write the template catalog to ``output``; the number of messages."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_dir
    from babel.messages.pofile import write_po
    from jinja2.ext import babel_extract

    catalog = Catalog(project="pdkit", copyright_holder="pdkit developers", header_comment=HEADER)
    python = extract_from_dir(
        str(SOURCE),
        method_map=[("**.py", extract_pdkit)],  # type: ignore[list-item]
        keywords=KEYWORDS,
        comment_tags=(),
        strip_comment_tags=True,
    )
    templates = extract_from_dir(
        str(SOURCE),
        method_map=[(TEMPLATES, babel_extract)],  # type: ignore[list-item]
        options_map={TEMPLATES: {"trim_blocks": "true", "lstrip_blocks": "true"}},
        keywords=TEMPLATE_KEYWORDS,
        comment_tags=(),
        strip_comment_tags=True,
    )
    for filename, _lineno, message, _comments, _context in [*python, *templates]:
        path = Path("src", "pdkit", filename).as_posix()
        catalog.add(message, None, [(path, None)])
    output.parent.mkdir(parents=True, exist_ok=True)
    with output.open("wb") as target:
        write_po(target, catalog, sort_output=True, include_lineno=False)
    return len(catalog)


if __name__ == "__main__":
    count = extract(Path(sys.argv[1]) if len(sys.argv) > 1 else POT)
    print(f"extracted {count} messages")
