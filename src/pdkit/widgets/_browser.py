"""The browser's part of the sign-in: :class:`BrowserIdentity` keeps the participant's
resume token in the browser and reports it (and the page's address) to the kernel; the
personal link a participant keeps. See :mod:`pdkit.widgets._identity` for the sign-in.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import traitlets

from ..i18n import N_
from ..links import RESUME_PARAM
from ._script import ScriptWidget, script

__all__ = [
    "MAX_PAGE_URL",
    "MAX_TOKEN",
    "BrowserIdentity",
    "in_jupyter_frontend",
    "personal_link_html",
]

_ESM = (
    (Path(__file__).parent / "js" / "identity.js")
    .read_text("utf-8")
    .replace("__RESUME_PARAM__", RESUME_PARAM)
)


MAX_PAGE_URL = 8192
"""The longest page address a report may give (browsers and servers refuse longer ones);
a longer one is taken as none: no link is made from it."""

MAX_TOKEN = 256
"""The longest resume token a report may give (pdkit's are 24 characters); a longer one is
taken as none."""


class BrowserIdentity(ScriptWidget):
    """Keeps the resume token in the browser; invisible.

    The browser reports ``url_token``, ``stored_token`` and ``page_url`` once, then
    sets ``reported``. When the kernel sets ``token`` the browser stores it and puts
    it in the address bar; an empty ``token`` forgets it (sign out). With
    ``report_at_join`` a newcomer's browser (no token, a link naming no language or
    session) keeps its report for the Join click (see :meth:`SignIn.join_through`).
    """

    _esm = script(_ESM)
    url_token = traitlets.Unicode("").tag(sync=True)
    stored_token = traitlets.Unicode("").tag(sync=True)
    page_url = traitlets.Unicode("").tag(sync=True)
    reported = traitlets.Bool(False).tag(sync=True)
    token = traitlets.Unicode("").tag(sync=True)
    report_at_join = traitlets.Bool(False).tag(sync=True)

    REPORTED = ("url_token", "stored_token", "page_url")
    """What the browser reports."""

    @traitlets.validate("page_url")
    def _an_address(self, proposal: dict[str, Any]) -> str:
        # Links are made from it, once per page: what no browser's address is, is none.
        value = str(proposal["value"])
        return value if len(value) <= MAX_PAGE_URL else ""

    @traitlets.validate("url_token", "stored_token")
    def _a_token(self, proposal: dict[str, Any]) -> str:
        value = str(proposal["value"])
        return value if len(value) <= MAX_TOKEN else ""


def personal_link_html(url: str, t: Callable[[str], str]) -> str:
    """The participant's personal link behind a "Copy my personal link" button, with one
    sentence on what it is; the link itself in a disclosure under it ("Show my link"),
    for a page without the button's script or a browser that refuses to copy. The button
    works through pdkit's Voilà template (a click copies ``data-pdkit-link`` and says
    ``data-pdkit-copied`` in the status next to it, or opens the disclosure with the link
    selected and says ``data-pdkit-failed``)."""
    link = escape(url, quote=True)
    words = {
        name: escape(t(text), quote=True)
        for name, text in (
            ("copy", N_("Copy my personal link")),
            (
                "what",
                N_("It opens your workbook again, on this device or another: keep it to yourself."),
            ),
            (
                "copied",
                N_("Copied: keep it somewhere safe, such as a bookmark or a note to yourself."),
            ),
            ("failed", N_("It could not be copied here: select the link below and copy it.")),
            ("show", N_("Show my link")),
        )
    }
    return (
        '<div class="pdkit-resume">'
        f'<button type="button" class="pdkit-copy-link" data-pdkit-link="{link}" '
        f'data-pdkit-copied="{words["copied"]}" data-pdkit-failed="{words["failed"]}">'
        f'{words["copy"]}</button> <span class="pdkit-copy-said" role="status"></span>'
        f'<p class="pdkit-resume-what">{words["what"]}</p>'
        f'<details class="pdkit-resume-show"><summary>{words["show"]}</summary>'
        f'<a class="pdkit-resume-link" href="{link}">{link}</a></details></div>'
    )


def in_jupyter_frontend(page_url: str) -> bool:
    """Whether the page is a notebook in JupyterLab or Notebook (not a Voilà page)."""
    path = urlsplit(page_url).path
    return any(part in path for part in ("/lab", "/notebooks/", "/tree", "/doc/"))
