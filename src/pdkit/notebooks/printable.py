"""A saved workbook as a page to print or keep (``Download to print``): one standalone HTML
file, every text escaped by the template engine (Jinja2, autoescaped)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from ..definitions import SchoolGoal, WorkbookDefinition, answer_text, workbook_forms
from .saved import SavedWorkbook

if TYPE_CHECKING:
    import jinja2

__all__ = ["printable_html"]


@cache
def _template() -> jinja2.Template:
    import jinja2  # on a participant's page only when they ask for the page to print

    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    return environment.get_template("printable.html.j2")


def printable_html(
    workbook: WorkbookDefinition,
    saved: SavedWorkbook,
    language: str | None = None,
    school_goals: Sequence[SchoolGoal] = (),
) -> str:
    """A standalone HTML page of the answers, to print or keep (every text escaped)."""
    forms = []
    for _index, form in workbook_forms(workbook, language, school_goals):
        values = saved.answers.get(form.id, {})
        answers = [(f.label, answer_text(f, values.get(f.id))) for f in form.fields]
        forms.append({"title": form.title, "answers": answers})
    return _template().render(
        language=language or workbook.language,
        title=workbook.title,
        who=saved.participant.get("display_name", ""),
        saved_at=saved.saved_at,
        forms=forms,
    )
