"""The command line's words, in the language of its environment
(:func:`pdkit.i18n.language_from_environment`: ``PDKIT_LANGUAGE``, else ``LANGUAGE``,
``LC_ALL``, ``LC_MESSAGES``, ``LANG``): ``t("…")`` for a text and ``tn("…", "…", n)`` for
one with a count, from pdkit's catalogs (``make i18n`` extracts them). argparse's own
words (``usage:``, its errors) come from the same catalogs while :func:`argparse_words`
holds. Messages of the library that a command passes on stay in English."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager

from ..i18n import N_, terminal_words

__all__ = ["ARGPARSE_WORDS", "argparse_words", "t", "tn"]


def t(text: str) -> str:
    """``text`` (English) in the command's language."""
    return terminal_words()[0](text)


def tn(one: str, many: str, count: int) -> str:
    """The form of a text for ``count`` in the command's language."""
    return terminal_words()[1](one, many, count)


t.plural = tn  # type: ignore[attr-defined]  # as a translator's: PdkitError.said(t)


ARGPARSE_WORDS = (
    N_("usage: "),
    N_("positional arguments"),
    N_("options"),
    N_("show this help message and exit"),
    N_("show program's version number and exit"),
    N_("%(prog)s: error: %(message)s\n"),
    N_("argument %(argument_name)s: %(message)s"),
    N_("the following arguments are required: %s"),
    N_("unrecognized arguments: %s"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("invalid %(type)s value: %(value)r"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("expected one argument"),
    N_("expected at least one argument"),
    N_("expected at most one argument"),
    N_("ignored explicit argument %r"),
    N_("not allowed with argument %s"),
    N_("one of the arguments %s is required"),
    N_("unknown parser %(parser_name)r (choices: %(choices)s)"),
    N_("can't open '%(filename)s': %(error)s"),
)
"""What argparse says to a user (its ``_("…")``), for the catalogs; its messages to a
programmer (a parser built wrongly) stay in English."""


@contextmanager
def argparse_words() -> Iterator[None]:
    """argparse's words from pdkit's catalogs while this holds (argparse looks up its
    ``_`` and ``ngettext`` each time it speaks; they are put back after)."""
    module = vars(argparse)
    before = module["_"], module["ngettext"]
    module["_"], module["ngettext"] = t, tn
    try:
        yield
    finally:
        module["_"], module["ngettext"] = before
