"""Definitions as data: YAML files validated against JSON Schemas shipped with pdkit.

``load_definition("goal-setting")`` reads a built-in definition by id; any path to a
YAML file works too. A malformed file raises :class:`pdkit.DefinitionError` naming the
file, the line and the path of the bad part.
"""

from __future__ import annotations

from ._load import (
    builtin_definition_path,
    builtin_definitions,
    load_definition,
    load_school_goals,
    parse_definition,
)
from ._model import FIELD_TYPES, OPTION_SOURCES, Field, FormDefinition, Option, SchoolGoal

__all__ = [
    "FIELD_TYPES",
    "OPTION_SOURCES",
    "Field",
    "FormDefinition",
    "Option",
    "SchoolGoal",
    "builtin_definition_path",
    "builtin_definitions",
    "load_definition",
    "load_school_goals",
    "parse_definition",
]
