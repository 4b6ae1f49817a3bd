"""The words of the loading page pdkit's Voilà template shows before a workbook is ready
(``jupyter/voila/templates/pdkit/index.html.j2``): English in the template, and for every
language of pdkit's catalogs a line of the template, ``var PDKIT_LOADING = {…};``, that
the page reads by the link's ``?lang=`` (else the notebook's language) before anything
else runs. The template is static (Voilà renders it, not pdkit), so that line is written
by :func:`loading_line` and a test keeps it in step with the catalogs."""

from __future__ import annotations

import json

from ..i18n import DEFAULT_LANGUAGE, LANGUAGES, N_, translator

__all__ = ["LOADING_WORDS", "loading_line", "loading_words"]

LOADING_WORDS = (
    N_("Opening your workbook…"),
    N_("This takes a few seconds; please keep this page open."),
    N_("Preparing your workbook ({index} of {count})…"),
)
"""The heading, the line under it, and what replaces it while the cells run."""


def loading_words() -> dict[str, list[str]]:
    """The loading page's words in every language of pdkit's catalogs (not English)."""
    return {
        language: [translator(language)(word) for word in LOADING_WORDS]
        for language in LANGUAGES
        if language != DEFAULT_LANGUAGE
    }


def loading_line() -> str:
    """The template's line of the loading page's words, as it must read."""
    return f"var PDKIT_LOADING = {json.dumps(loading_words(), ensure_ascii=False)};"


if __name__ == "__main__":
    print(loading_line())
