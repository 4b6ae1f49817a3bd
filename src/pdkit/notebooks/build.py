"""Workbook definitions become Voilà-ready notebooks (``pdkit build``).

A built notebook has a Markdown cell with the title and intro, one code cell that
makes the :class:`pdkit.app.Workbook` (sign-in, or the facilitator's key check), then
one cell per section: Markdown for ``text`` sections, a code cell showing the section
for the others. pdkit's own data sits under ``metadata["pdkit"]`` (notebook and
cells) and section cells carry the ``pdkit-section`` tag. Voilà hides the code; the
same notebook runs in JupyterLab.

The notebook names its workbook by id when it is a built-in, else by the path of the
YAML file relative to the notebook's folder (a kernel runs in that folder, in Voilà
and in JupyterLab alike).

Notebooks are built as the plain JSON structure of nbformat 4.5, without importing
nbformat: a participant's "Download my workbook" builds one too, and importing
nbformat costs more than a second (it loads jsonschema). The tests validate every
notebook built here with nbformat.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from .._atomic import write_atomically
from ..definitions import WorkbookDefinition, builtin_workbook_path, builtin_workbooks

__all__ = [
    "NOTEBOOK_SCHEMA_VERSION",
    "SECTION_TAG",
    "WORKBOOK_TAG",
    "build_notebook",
    "code_cell",
    "dumps",
    "markdown_cell",
    "notebook_language",
    "notebook_reference",
    "render_workbook",
    "write_workbook",
]

NOTEBOOK_SCHEMA_VERSION = 1
"""The version of what pdkit keeps under ``metadata["pdkit"]``."""

WORKBOOK_TAG = "pdkit-workbook"
"""The tag of the code cell that makes the workbook."""

SECTION_TAG = "pdkit-section"
"""The tag of each section's cell."""


def notebook_reference(workbook: WorkbookDefinition, out_dir: Path) -> str:
    """How a notebook in ``out_dir`` names its workbook: the id of a built-in, else the
    relative path of its YAML file."""
    if workbook.id in builtin_workbooks():
        builtin = builtin_workbook_path(workbook.id).resolve()
        if Path(workbook.source).resolve() == builtin:
            return workbook.id
    return Path(os.path.relpath(Path(workbook.source).resolve(), out_dir.resolve())).as_posix()


def _lines(text: str) -> list[str]:
    """A cell source as nbformat stores it: lines, each but the last ending in a newline."""
    return text.splitlines(keepends=True)


def notebook_language(notebook: dict[str, Any]) -> str | None:
    """The language a saved workbook records (``metadata["pdkit"]["language"]``): the
    language of the Markdown pdkit writes into it."""
    found = notebook.get("metadata", {}).get("pdkit", {}).get("language")
    return found if isinstance(found, str) else None


def markdown_cell(
    text: str, *, cell_id: str, metadata: dict[str, Any] | None = None
) -> dict[str, Any]:
    return {
        "cell_type": "markdown",
        "id": cell_id,
        "metadata": metadata or {},
        "source": _lines(text),
    }


def code_cell(text: str, *, cell_id: str, metadata: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "cell_type": "code",
        "execution_count": None,
        "id": cell_id,
        "metadata": metadata or {},
        "outputs": [],
        "source": _lines(text),
    }


def build_notebook(workbook: WorkbookDefinition, *, reference: str) -> dict[str, Any]:
    """The notebook for ``workbook``, as the plain JSON structure of nbformat 4.5."""
    title = f"# {workbook.title}" + (f"\n\n{workbook.intro}" if workbook.intro else "")
    cells = [
        markdown_cell(title, cell_id="title"),
        code_cell(
            f"from pdkit.app import Workbook\n\nworkbook = Workbook({json.dumps(reference)})\n"
            "workbook",
            cell_id="workbook",
            metadata={"tags": [WORKBOOK_TAG]},
        ),
    ]
    for index, section in enumerate(workbook.sections):
        meta = {"tags": [SECTION_TAG], "pdkit": {"section": index, "kind": section.kind}}
        if section.kind == "text":
            cells.append(markdown_cell(section.text, cell_id=f"section-{index}", metadata=meta))
        elif section.kind not in ("facilitator", "coach"):  # these show with the app
            what = ", ".join(section.refs)
            cells.append(
                code_cell(
                    f"workbook.section({index})  # {section.kind}: {what}",
                    cell_id=f"section-{index}",
                    metadata=meta,
                )
            )
    return {
        "cells": cells,
        "metadata": {
            "kernelspec": {
                "display_name": "Python 3 (ipykernel)",
                "language": "python",
                "name": "python3",
            },
            "language_info": {"name": "python"},
            "pdkit": {
                "schema_version": NOTEBOOK_SCHEMA_VERSION,
                "workbook": workbook.id,
                "language": workbook.language,
            },
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def dumps(notebook: dict[str, Any]) -> str:
    """A notebook as text, formatted the way nbformat writes it (stable diffs)."""
    return json.dumps(notebook, sort_keys=True, indent=1, ensure_ascii=False) + "\n"


def render_workbook(workbook: WorkbookDefinition, out_dir: Path) -> str:
    """The text of ``<out_dir>/<id>.ipynb`` as ``pdkit build`` writes it."""
    return dumps(build_notebook(workbook, reference=notebook_reference(workbook, out_dir)))


def write_workbook(workbook: WorkbookDefinition, out_dir: Path) -> tuple[Path, bool]:
    """Write ``<out_dir>/<id>.ipynb``; returns its path and whether it changed."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{workbook.id}.ipynb"
    text = render_workbook(workbook, out_dir)
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return path, False
    write_atomically(path, text)
    return path, True
