"""Micro-credentials in a saved workbook: the teacher's submissions that the copy's viewer
may read (the teacher; an assessor), listed under ``metadata["pdkit"]["credentials"]``
and in a Markdown cell, with the signed credential of each award (a VC-JWT).

The section is ``{"format": 1, "items": [{"credential", "title", "state", "versions",
"issued_at", "token"}]}``. A copy made by the store's steward (``pdkit export``, above all
``--pseudonymous``) holds none: the store lets nobody but the teacher and her assessors
read a submission. The section is a listing, not read back into the store.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ..i18n import N_, plural_translator, translator
from ..store import Store, ViewerLike
from ._markdown import md_escape
from .build import markdown_cell, notebook_language

__all__ = ["CREDENTIALS_FORMAT", "CREDENTIALS_TAG", "add_credentials"]

CREDENTIALS_TAG = "pdkit-credentials"
"""The tag of the Markdown cell that lists the micro-credentials."""

CREDENTIALS_FORMAT = 1
"""The version of ``metadata["pdkit"]["credentials"]``."""

_STATES = {"submitted": N_("submitted"), "returned": N_("returned"), "awarded": N_("awarded")}


def add_credentials(notebook: dict[str, Any], store: Store, teacher: str, who: ViewerLike) -> None:
    """List ``teacher``'s micro-credential submissions that ``who`` may read in a saved
    ``notebook`` (nothing when there are none)."""
    found = store.submissions_of(teacher, viewer=who)
    if not found:
        return
    items = [
        {
            "credential": s.credential,
            "title": s.title,
            "state": s.state,
            "versions": len(s.versions),
            "issued_at": s.issued_at,
            "token": s.token,
        }
        for s in found
    ]
    notebook["metadata"]["pdkit"]["credentials"] = {"format": CREDENTIALS_FORMAT, "items": items}
    t = translator(notebook_language(notebook))
    tn = plural_translator(notebook_language(notebook))
    lines = [f"## {t('My micro-credentials')}"]
    for s in found:
        count = len(s.versions)
        versions = tn("{count} version", "{count} versions", count).format(count=count)
        said = f"- **{md_escape(s.title)}**: {t(_STATES.get(s.state, s.state))} ({versions})"
        if s.issued_at is not None:
            day = datetime.fromtimestamp(s.issued_at, UTC).date().isoformat()
            said += ", " + t(
                "issued {day} as an Open Badges 3.0 credential (kept in this file's metadata)"
            ).format(day=day)
        lines.append(said)
    notebook["cells"].append(
        markdown_cell("\n".join(lines), cell_id="credentials", metadata={"tags": [CREDENTIALS_TAG]})
    )
