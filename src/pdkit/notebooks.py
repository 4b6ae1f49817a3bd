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
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from .spec import WorkbookDefinition, builtin_workbook_path, builtin_workbooks

__all__ = [
    "NOTEBOOK_SCHEMA_VERSION",
    "build_notebook",
    "notebook_reference",
    "render_workbook",
    "write_workbook",
]

NOTEBOOK_SCHEMA_VERSION = 1
"""The version of what pdkit keeps under ``metadata["pdkit"]``."""


def notebook_reference(workbook: WorkbookDefinition, out_dir: Path) -> str:
    """How a notebook in ``out_dir`` names its workbook: the id of a built-in, else the
    relative path of its YAML file."""
    if workbook.id in builtin_workbooks():
        builtin = builtin_workbook_path(workbook.id).resolve()
        if Path(workbook.source).resolve() == builtin:
            return workbook.id
    return Path(os.path.relpath(Path(workbook.source).resolve(), out_dir.resolve())).as_posix()


def build_notebook(workbook: WorkbookDefinition, *, reference: str) -> Any:
    """The notebook (an ``nbformat`` node) for ``workbook``."""
    import nbformat

    v4 = nbformat.v4
    title = f"# {workbook.title}" + (f"\n\n{workbook.intro}" if workbook.intro else "")
    cells = [
        v4.new_markdown_cell(title, id="title"),
        v4.new_code_cell(
            f"from pdkit.app import Workbook\n\nworkbook = Workbook({json.dumps(reference)})\n"
            "workbook",
            metadata={"tags": ["pdkit-workbook"]},
            id="workbook",
        ),
    ]
    for index, section in enumerate(workbook.sections):
        meta = {"tags": ["pdkit-section"], "pdkit": {"section": index, "kind": section.kind}}
        if section.kind == "text":
            cells.append(v4.new_markdown_cell(section.text, metadata=meta, id=f"section-{index}"))
        elif section.kind != "facilitator":  # the facilitator's control shows with the app
            what = ", ".join(section.refs)
            cells.append(
                v4.new_code_cell(
                    f"workbook.section({index})  # {section.kind}: {what}",
                    metadata=meta,
                    id=f"section-{index}",
                )
            )
    notebook = v4.new_notebook(cells=cells)  # stable cell ids: a rebuild changes nothing
    notebook.metadata = {
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
    }
    return notebook


def render_workbook(workbook: WorkbookDefinition, out_dir: Path) -> str:
    """The text of ``<out_dir>/<id>.ipynb`` as ``pdkit build`` writes it."""
    import nbformat

    notebook = build_notebook(workbook, reference=notebook_reference(workbook, out_dir))
    return str(nbformat.writes(notebook)) + "\n"


def write_workbook(workbook: WorkbookDefinition, out_dir: Path) -> tuple[Path, bool]:
    """Write ``<out_dir>/<id>.ipynb``; returns its path and whether it changed."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{workbook.id}.ipynb"
    text = render_workbook(workbook, out_dir)
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return path, False
    tmp = path.with_suffix(".ipynb.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return path, True
