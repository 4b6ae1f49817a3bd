"""Definitions as data: YAML files validated against the JSON Schema shipped with pdkit.

``load_definition("goal-setting")`` reads a built-in definition by id; any path to a
YAML file works too. A malformed file raises :class:`pdkit.DefinitionError` naming the
file, the line and the path of the bad part.

Inside: ``_limits`` (how much a file may hold, how much of a value a message shows),
``_yaml`` (YAML with line numbers, read within the limits), ``_schema`` (the JSON
Schema and its messages), ``_build`` (documents become objects, with the checks a
schema cannot make), ``_load`` (files, text and the built-ins), ``_references`` (what a
workbook refers to), ``_validate`` (every problem at once), :mod:`.goals` (school
goals) and :mod:`.ids` (the forms pdkit gives a meaning to).
"""

from __future__ import annotations

from ._build import KINDS
from ._credential_model import ITEM_KINDS, CredentialDefinition, Criterion, Level, Requirement
from ._load import (
    builtin_credentials,
    builtin_definition_path,
    builtin_definitions,
    builtin_look_fors,
    builtin_workbook_path,
    builtin_workbooks,
    definition_files,
    load_credential,
    load_definition,
    load_form,
    load_look_fors,
    load_protocol,
    load_workbook,
    parse_definition,
    protocol_by_id,
    read_text,
    read_yaml,
)
from ._model import (
    AGENDA_SHOWS,
    ALL,
    FIELD_TYPES,
    OPTION_SOURCES,
    SECTION_KINDS,
    AgendaDefinition,
    AgendaPart,
    Definition,
    Field,
    FormDefinition,
    LookForItem,
    LookForsDefinition,
    Option,
    ProtocolDefinition,
    Role,
    SchoolGoal,
    Section,
    Step,
    WorkbookDefinition,
    answer_renderer,
    answer_text,
)
from ._references import check_references, resolve_reference, workbook_forms, workbooks_in
from ._validate import validate_files, validate_text
from .goals import (
    SCHOOL_GOALS_ENV,
    GoalsSource,
    default_school_goals,
    is_school_goals_text,
    load_school_goals,
    looks_like_school_goals,
    resolve_school_goals,
    school_goals_data,
    school_goals_from_data,
)

__all__ = [
    "AGENDA_SHOWS",
    "ALL",
    "FIELD_TYPES",
    "ITEM_KINDS",
    "KINDS",
    "OPTION_SOURCES",
    "SCHOOL_GOALS_ENV",
    "SECTION_KINDS",
    "AgendaDefinition",
    "AgendaPart",
    "CredentialDefinition",
    "Criterion",
    "Definition",
    "Field",
    "FormDefinition",
    "GoalsSource",
    "Level",
    "LookForItem",
    "LookForsDefinition",
    "Option",
    "ProtocolDefinition",
    "Requirement",
    "Role",
    "SchoolGoal",
    "Section",
    "Step",
    "WorkbookDefinition",
    "answer_renderer",
    "answer_text",
    "builtin_credentials",
    "builtin_definition_path",
    "builtin_definitions",
    "builtin_look_fors",
    "builtin_workbook_path",
    "builtin_workbooks",
    "check_references",
    "default_school_goals",
    "definition_files",
    "is_school_goals_text",
    "load_credential",
    "load_definition",
    "load_form",
    "load_look_fors",
    "load_protocol",
    "load_school_goals",
    "load_workbook",
    "looks_like_school_goals",
    "parse_definition",
    "protocol_by_id",
    "read_text",
    "read_yaml",
    "resolve_reference",
    "resolve_school_goals",
    "school_goals_data",
    "school_goals_from_data",
    "validate_files",
    "validate_text",
    "workbook_forms",
    "workbooks_in",
]
