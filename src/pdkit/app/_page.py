"""What every pdkit page shares: its style sheet, and a readable message in place of a
traceback."""

from __future__ import annotations

import os
from functools import cache
from html import escape
from importlib import resources

import ipywidgets as w

from .._environ import PAGE_STYLE_ENV
from ..errors import PdkitError
from ..i18n import N_, translator
from ..widgets import HTML

__all__ = ["error_widget", "message_in", "sheet", "style"]


@cache
def style() -> str:
    """pdkit's style sheet, as a ``<style>`` element (the file lives with pdkit's Voilà
    template, which puts it in the page itself)."""
    css = (
        resources.files("pdkit")
        .joinpath("jupyter", "voila", "templates", "pdkit", "pdkit.css")
        .read_text("utf-8")
    )
    return f"<style>{css}</style>"


def sheet() -> list[w.Widget]:
    """What a page's widgets need for pdkit's look: the style sheet as a widget, unless
    the page has it already (``pdkit serve`` with pdkit's template: then nothing, and every
    page receives 14 KB and a widget model less from its kernel, in a room all at once)."""
    if os.environ.get(PAGE_STYLE_ENV) == "template":
        return []
    return [HTML(value=style())]


def message_in(error: PdkitError, language: str | None) -> str:
    """``error``'s message in the page's language (English where it has no translation)."""
    return error.said(translator(language))


def error_widget(
    error: PdkitError,
    headline: str = N_("This workbook cannot start."),
    language: str | None = None,
) -> w.HTML:
    """A problem as a message the teacher can pass on, not a traceback."""
    t = translator(language)
    return HTML(
        value=f'<div class="pdkit-error" role="alert"><strong>{escape(t(headline))}</strong> '
        f"{escape(message_in(error, language))}</div>"
    )
