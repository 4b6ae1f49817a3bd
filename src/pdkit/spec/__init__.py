"""Definitions as data: YAML files validated against JSON Schemas shipped with pdkit.

``load_definition("goal-setting")`` reads a built-in definition by id; any path to a
YAML file works too. A malformed file raises :class:`pdkit.DefinitionError` naming the
file, the line and the path of the bad part.
"""

from __future__ import annotations

from ._load import (
    KINDS,
    builtin_definition_path,
    builtin_definitions,
    load_definition,
    load_form,
    load_protocol,
    load_school_goals,
    parse_definition,
)
from ._model import (
    ALL,
    FIELD_TYPES,
    OPTION_SOURCES,
    Definition,
    Field,
    FormDefinition,
    Option,
    ProtocolDefinition,
    Role,
    SchoolGoal,
    Step,
)

__all__ = [
    "ALL",
    "FIELD_TYPES",
    "KINDS",
    "OPTION_SOURCES",
    "Definition",
    "Field",
    "FormDefinition",
    "Option",
    "ProtocolDefinition",
    "Role",
    "SchoolGoal",
    "Step",
    "builtin_definition_path",
    "builtin_definitions",
    "load_definition",
    "load_form",
    "load_protocol",
    "load_school_goals",
    "parse_definition",
]
