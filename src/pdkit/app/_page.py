"""What every pdkit page shares: its style sheet, and a readable message in place of a
traceback."""

from __future__ import annotations

from functools import cache
from html import escape
from importlib import resources

import ipywidgets as w

from ..errors import PdkitError
from ..i18n import N_, translator
from ..widgets import HTML

__all__ = ["error_widget", "message_in", "style"]


@cache
def style() -> str:
    """pdkit's style sheet, as a ``<style>`` element."""
    css = resources.files("pdkit").joinpath("static", "pdkit.css").read_text("utf-8")
    return f"<style>{css}</style>"


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
