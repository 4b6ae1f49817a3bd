"""The join links of a session, for the facilitator's dashboard: every participants'
workbook this server serves, each with its link (the session's join code in it) and a QR
code to project.

The workbooks are the notebooks beside the facilitator's page (a Voilà kernel runs in the
folder of its notebook, which is the folder ``pdkit serve`` serves). Each is named by its
workbook definition (its title, and whom it is for: :func:`pdkit.definitions.audience_of`);
a notebook that is not a pdkit workbook, or whose definition cannot be read, is left out
(the facilitator's terminal already said why when the server started). The QR codes are
drawn by `segno <https://segno.readthedocs.io>`_ as inline SVG when the dashboard opens
(segno is imported then, never on a participant's page).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from html import escape
from pathlib import Path
from urllib.parse import quote

from ..definitions import load_workbook
from ..errors import PdkitError
from ..i18n import translator
from ..links import sibling

__all__ = ["ServedWorkbook", "join_links_html", "qr_svg", "served_workbooks"]

MAX_NOTEBOOK_BYTES = 2_000_000
"""A notebook larger than this is not read for its workbook (a pdkit workbook is a few KB)."""

_WORKBOOK_CALL = re.compile(r"""Workbook\(\s*(?:r?["'])([^"'\n]{1,500})["']""")


@dataclass(frozen=True)
class ServedWorkbook:
    """A participants' workbook the server serves: its notebook's file name and title."""

    notebook: str
    title: str


def served_workbooks(folder: Path, language: str | None = None) -> list[ServedWorkbook]:
    """The participants' workbooks among the notebooks in ``folder``, by title (in
    ``language`` where the definition gives it)."""
    found: list[ServedWorkbook] = []
    for path in sorted(folder.glob("*.ipynb")):
        try:
            if path.stat().st_size > MAX_NOTEBOOK_BYTES:
                continue
            notebook = json.loads(path.read_text(encoding="utf-8"))
            reference = _workbook_reference(notebook, folder)
            if reference is None:
                continue
            definition = load_workbook(reference, language=language)
        except (OSError, ValueError, PdkitError):
            continue
        if definition.audience == "participant":
            found.append(ServedWorkbook(path.name, definition.title))
    return sorted(found, key=lambda w: (w.title.casefold(), w.notebook))


def _workbook_reference(notebook: object, folder: Path) -> str | Path | None:
    """What the notebook's workbook cell opens: a built-in id, or a definition's file."""
    if not isinstance(notebook, dict):
        return None
    for cell in notebook.get("cells") or ():
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source")
        text = "".join(source) if isinstance(source, list) else str(source or "")
        called = _WORKBOOK_CALL.search(text)
        if called is None:
            continue
        reference = called.group(1)
        if reference.endswith((".yaml", ".yml")):
            return folder / reference
        return reference
    return None


def qr_svg(link: str) -> str:
    """A QR code of ``link`` as an SVG ``data:`` URI (black on white, scalable), for a
    projector: the ``src`` of an ``<img>`` whose ``alt`` names it."""
    import segno  # only when a facilitator opens the join links

    return str(segno.make(link, error="m").svg_data_uri(scale=5, dark="#000", light="#fff"))


def join_links_html(
    page_url: str,
    workbooks: list[ServedWorkbook],
    code: str | None,
    *,
    qr: bool = True,
    language: str | None = None,
) -> str:
    """The list of join links: one per workbook, with the session's join ``code`` (None:
    the server's own session, whose links need no code), and (``qr``) a QR code of each
    behind a "QR code to project" disclosure."""
    t = translator(language)
    if not workbooks:
        said = t(
            "No participants' workbook is served beside this page: start {command} on the "
            "folder that holds them."
        )
        command = "<code>pdkit serve</code>"
        return f'<p class="pdkit-empty">{escape(said, quote=False).format(command=command)}</p>'
    query = f"code={quote(code)}" if code else ""
    rows = []
    for workbook in workbooks:
        link = sibling(page_url, workbook.notebook, query) if page_url else workbook.notebook
        shown = escape(link)
        item = (
            f'<li class="pdkit-join-link"><strong>{escape(workbook.title)}</strong>: '
            f'<a href="{escape(link, quote=True)}" target="_blank" rel="noopener">{shown}</a>'
        )
        if qr:
            summary = escape(t("QR code to project: {title}").format(title=workbook.title))
            alt = escape(t("QR code of the link to {title}").format(title=workbook.title))
            item += (
                f'<details class="pdkit-join-qr"><summary>{summary}'
                f'</summary><img class="pdkit-qr" alt="{alt}" '
                f'src="{escape(qr_svg(link), quote=True)}"></details>'
            )
        rows.append(item + "</li>")
    share = t("Share a link (or project its QR code): it opens that workbook for this session.")
    return (
        '<section class="pdkit-join-links" aria-labelledby="pdkit-join-links-h">'
        f'<h3 id="pdkit-join-links-h">{escape(t("Join links"))}</h3>'
        f"<p>{escape(share)}</p>"
        f"<ul>{''.join(rows)}</ul></section>"
    )
