"""Notebooks: workbooks built for Voilà, and saved workbooks that carry a teacher's answers.

- :mod:`.build`: a workbook definition becomes a notebook (``pdkit build``);
- :mod:`.saved`: the saved format, declared once (what "Download my workbook" writes,
  what "Upload to continue" and ``pdkit review`` read back exactly);
- :mod:`.untrusted`: the limits and checks that reading any file nobody vouches for
  passes (size, nesting, encoding, every value a type pdkit writes);
- :mod:`.comments`: a coach's comment in a saved workbook (``pdkit comment``);
- :mod:`.printable`: a saved workbook as a page to print;
- :mod:`.export`: a saved workbook for every participant of a session (``pdkit export``).

Nothing here imports nbformat (slow to import): notebooks are plain JSON, and the tests
validate them with nbformat.
"""

from __future__ import annotations

from ._markdown import md_escape
from ._restore import restore_evidence, restore_saved, restore_visibility
from ._save import save_workbook
from .build import (
    NOTEBOOK_SCHEMA_VERSION,
    build_notebook,
    code_cell,
    dumps,
    markdown_cell,
    notebook_reference,
    render_workbook,
    write_workbook,
)
from .comments import COACH_TAG, add_comment
from .export import export_store, pseudonymize
from .printable import printable_html
from .saved import SAVED_FORMAT, SavedWorkbook, read_saved

__all__ = [
    "COACH_TAG",
    "NOTEBOOK_SCHEMA_VERSION",
    "SAVED_FORMAT",
    "SavedWorkbook",
    "add_comment",
    "build_notebook",
    "code_cell",
    "dumps",
    "export_store",
    "markdown_cell",
    "md_escape",
    "notebook_reference",
    "printable_html",
    "pseudonymize",
    "read_saved",
    "render_workbook",
    "restore_evidence",
    "restore_saved",
    "restore_visibility",
    "save_workbook",
    "write_workbook",
]
