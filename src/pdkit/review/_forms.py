"""Form definitions by id for the review: the labels of fields and how each answer reads."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Sequence
from functools import cache, partial
from pathlib import Path

from ..definitions import (
    Field,
    FormDefinition,
    SchoolGoal,
    answer_renderer,
    builtin_definition_path,
    builtin_definitions,
    load_definition,
)
from ..definitions.ids import COACH_FIELDS
from ..errors import DefinitionError
from ..i18n import N_
from ..store import JSONValue

__all__ = ["Forms", "is_private", "plain_text"]

_TEXT_TYPES = ("text", "long_text", "date")
_OPTION_TYPES = ("choice", "scale")
_encode = json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode


@cache
def _builtin_ids() -> frozenset[str]:
    return frozenset(builtin_definitions())


@cache
def _builtin(definition_id: str, language: str | None) -> object:
    """A built-in definition, or None (read once per process: they ship with pdkit)."""
    try:
        return load_definition(builtin_definition_path(definition_id), language=language)
    except DefinitionError:
        return None


class Forms:
    """Form definitions by id: those given, else the built-ins; None when unknown."""

    def __init__(
        self,
        definitions: Iterable[str | os.PathLike[str]],
        school_goals: Sequence[SchoolGoal],
        language: str | None,
    ) -> None:
        self._goals = tuple(school_goals)
        self._language = language
        self._forms: dict[str, FormDefinition | None] = {}
        self._renderers: dict[tuple[str, str], Callable[[JSONValue], str]] = {}
        self.given: list[str] = []
        for source in definitions:
            path = Path(source)
            if path.is_dir():
                for file in sorted([*path.rglob("*.yaml"), *path.rglob("*.yml")]):
                    try:
                        self._add(load_definition(file, language=language))
                    except DefinitionError:
                        continue  # workbooks, protocols and goals files live beside forms
            else:
                definition = load_definition(path, language=language)
                if not isinstance(definition, FormDefinition):
                    raise DefinitionError(
                        N_("this is a {what}, where a form or reflection is needed"),
                        what=definition.kind,
                        file=str(path),
                        path="kind",
                    )
                self._add(definition)

    def _add(self, definition: object) -> None:
        if isinstance(definition, FormDefinition):
            self._forms[definition.id] = definition.with_school_goals(self._goals)
            self.given.append(definition.id)

    def get(self, form_id: str) -> FormDefinition | None:
        if form_id not in self._forms:
            # Only ids pdkit ships are looked up: a form id comes from a file, and must
            # never become the path of another file.
            found = _builtin(form_id, self._language) if form_id in _builtin_ids() else None
            self._forms[form_id] = (
                found.with_school_goals(self._goals) if isinstance(found, FormDefinition) else None
            )
        return self._forms[form_id]

    def renderer(self, form_id: str, field_id: str) -> Callable[[JSONValue], str]:
        """How answers to a field read (:func:`pdkit.definitions.answer_text`), cached."""
        key = (form_id, field_id)
        if key not in self._renderers:
            found = self.field(form_id, field_id)
            self._renderers[key] = (
                plain_text
                if found is None
                else partial(_typed_text, answer_renderer(found))
                if found.type in _TEXT_TYPES
                else _remembered(answer_renderer(found))
                if found.type in _OPTION_TYPES
                else answer_renderer(found)
            )
        return self._renderers[key]

    def is_text(self, form_id: str, field_id: str) -> bool:
        """Whether a text answer to the field reads as itself."""
        found = self.field(form_id, field_id)
        return found is None or found.type in _TEXT_TYPES

    def field(self, form_id: str, field_id: str) -> Field | None:
        form = self.get(form_id)
        if form is None:
            return None
        try:
            return form.field(field_id)
        except KeyError:
            return None

    def kind(self, form_id: str) -> str:
        form = self.get(form_id)
        return form.kind if form is not None else "unknown"

    def label(self, form_id: str, field_id: str) -> str:
        found = self.field(form_id, field_id)
        return found.label if found is not None else field_id


def _remembered(render: Callable[[JSONValue], str]) -> Callable[[JSONValue], str]:
    """``render`` of an option's id read once per id (a cohort answers a scale with a
    few points, thousands of times)."""
    seen: dict[str | int, str] = {}

    def shown(value: JSONValue) -> str:
        if type(value) is not str and type(value) is not int:  # lists, True, 1.0: as is
            return render(value)
        found = seen.get(value)
        if found is None:
            found = seen[value] = render(value)
        return found

    return shown


def _typed_text(render: Callable[[JSONValue], str], value: JSONValue) -> str:
    """A text field's answer: itself (the common case, kept fast), else as rendered."""
    return value if type(value) is str else render(value)


def plain_text(value: JSONValue) -> str:
    """An answer without its definition: as typed, list items on their own lines."""
    if value is None or value == "" or value == []:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "\n".join(v if isinstance(v, str) else _encode(v) for v in value)
    return _encode(value) if isinstance(value, dict) else str(value)


def is_private(form_id: str, field_id: str) -> bool:
    """Whether an answer counts as private when its source does not say (files saved
    before per-item visibility): everything but what a coach sees by design."""
    if form_id not in COACH_FIELDS:
        return True
    shared = COACH_FIELDS[form_id]
    return shared is not None and field_id not in shared
