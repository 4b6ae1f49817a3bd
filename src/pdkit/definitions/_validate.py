"""Every problem of a definition at once, for ``pdkit validate``: YAML, schema,
consistency and, for a workbook, the definitions it refers to."""

from __future__ import annotations

from ..errors import DefinitionError
from ._build import KINDS
from ._load import parse_definition
from ._model import WorkbookDefinition
from ._references import check_references
from ._schema import all_schema_errors
from ._yaml import compose

__all__ = ["validate_text"]


def validate_text(text: str, *, file: str = "<string>") -> list[DefinitionError]:
    """Every problem of a definition (not only the first): YAML, schema, consistency and,
    for a workbook, the definitions it refers to. An empty list means it is valid."""
    try:
        data, root = compose(text, file)
    except DefinitionError as exc:
        return [exc]
    if not isinstance(data, dict) or data.get("kind") not in KINDS:
        try:
            parse_definition(text, file=file)
        except DefinitionError as exc:
            return [exc]
    problems = all_schema_errors(data["kind"], data, file, root)
    if problems:
        unique = {str(p): p for p in problems}
        return sorted(unique.values(), key=lambda p: (p.line or 0, p.path))
    try:
        definition = parse_definition(text, file=file)
    except DefinitionError as exc:
        return [exc]
    if isinstance(definition, WorkbookDefinition):
        return check_references(definition)
    return []
