"""The words of the pages pdkit's Voilà template shows itself: the loading page before a
workbook is ready (``jupyter/voila/templates/pdkit/index.html.j2``) and the page of a link
that leads nowhere or fails (``error.html``). English in the template, and for every
language of pdkit's catalogs a line of it, ``var PDKIT_LOADING = {…};`` and ``var
PDKIT_ERROR = {…};``, that the page reads by the link's ``?lang=`` (else the notebook's
language; on an error page, where there is no notebook, the browser's) before anything
else runs. The templates are static (Voilà renders them, not pdkit), so those lines are
written by :func:`loading_line` and :func:`error_line` and a test keeps them in step with
the catalogs (``python -m pdkit.serve._loading`` prints both)."""

from __future__ import annotations

import json

from ..i18n import DEFAULT_LANGUAGE, LANGUAGES, N_, translator

__all__ = ["ERROR_WORDS", "LOADING_WORDS", "error_line", "loading_line", "loading_words"]

LOADING_WORDS = (
    N_("Opening your workbook…"),
    N_("This takes a few seconds; please keep this page open."),
    N_("Preparing your workbook ({index} of {count})…"),
)
"""The heading, the line under it, and what replaces it while the cells run."""


ERROR_WORDS = (
    N_("Page not found"),
    N_(
        "This link does not lead to a workbook. Check the link you were given, or ask your "
        "facilitator for it again."
    ),
    N_("This page could not be opened"),
    N_(
        "Something went wrong on the server ({code}). Try again in a moment; if it happens "
        "again, tell your facilitator."
    ),
)
"""The error page's heading and line: for a link that leads nowhere (404), and for any
other error."""


def _words(words: tuple[str, ...]) -> dict[str, list[str]]:
    return {
        language: [translator(language)(word) for word in words]
        for language in LANGUAGES
        if language != DEFAULT_LANGUAGE
    }


def loading_words() -> dict[str, list[str]]:
    """The loading page's words in every language of pdkit's catalogs (not English)."""
    return _words(LOADING_WORDS)


def loading_line() -> str:
    """The template's line of the loading page's words, as it must read."""
    return f"var PDKIT_LOADING = {json.dumps(loading_words(), ensure_ascii=False)};"


def error_line() -> str:
    """The error page's line of its words, as it must read."""
    return f"var PDKIT_ERROR = {json.dumps(_words(ERROR_WORDS), ensure_ascii=False)};"


if __name__ == "__main__":
    print(loading_line())
    print(error_line())
