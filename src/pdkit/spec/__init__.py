"""Definitions as data: YAML files validated against JSON Schemas shipped with pdkit.

``load_definition("goal-setting")`` reads a built-in definition by id; any path to a
YAML file works too. A malformed file raises :class:`pdkit.DefinitionError` naming the
file, the line and the path of the bad part.
"""

from __future__ import annotations

from ._load import (
    KINDS,
    SCHOOL_GOALS_ENV,
    builtin_definition_path,
    builtin_definitions,
    builtin_workbook_path,
    builtin_workbooks,
    check_references,
    default_school_goals,
    load_definition,
    load_form,
    load_protocol,
    load_school_goals,
    load_workbook,
    parse_definition,
    resolve_reference,
    school_goals_data,
    school_goals_from_data,
    validate_text,
)
from ._model import (
    ALL,
    FIELD_TYPES,
    OPTION_SOURCES,
    SECTION_KINDS,
    Definition,
    Field,
    FormDefinition,
    Option,
    ProtocolDefinition,
    Role,
    SchoolGoal,
    Section,
    Step,
    WorkbookDefinition,
    answer_text,
)

__all__ = [
    "ALL",
    "FIELD_TYPES",
    "KINDS",
    "OPTION_SOURCES",
    "SCHOOL_GOALS_ENV",
    "SECTION_KINDS",
    "Definition",
    "Field",
    "FormDefinition",
    "Option",
    "ProtocolDefinition",
    "Role",
    "SchoolGoal",
    "Section",
    "Step",
    "WorkbookDefinition",
    "answer_text",
    "builtin_definition_path",
    "builtin_definitions",
    "builtin_workbook_path",
    "builtin_workbooks",
    "check_references",
    "default_school_goals",
    "load_definition",
    "load_form",
    "load_protocol",
    "load_school_goals",
    "load_workbook",
    "parse_definition",
    "resolve_reference",
    "school_goals_data",
    "school_goals_from_data",
    "validate_text",
]
