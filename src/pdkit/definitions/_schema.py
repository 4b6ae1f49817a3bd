"""The JSON Schema every definition is checked against, and its failures as sentences.

Validation uses ``fastjsonschema``: importing ``jsonschema`` costs about 0.9 s on the
reference machine, and every Voilà page load is a fresh kernel that loads its
definitions again. fastjsonschema compiles the schema once per process (~25 ms) and
reports the first problem; ``pdkit validate`` uses ``jsonschema`` to report every
problem at once. Either way the message is rewritten here so that it names the file,
the line and the path of the bad part.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from .._environ import DEFINITIONS_CHECKED_ENV
from ..errors import DefinitionError
from ..i18n import N_, Nn_
from ._limits import MAX_PROBLEMS, PathPart, close_matches, format_path, shown
from ._parsed import digest, line_of

if TYPE_CHECKING:
    import yaml

__all__ = ["all_schema_errors", "checked_texts", "validate", "validate_text"]


@cache
def _schema() -> dict[str, Any]:
    text = resources.files(__package__).joinpath("schemas", "definitions.schema.json")
    schema: dict[str, Any] = json.loads(text.read_text("utf-8"))
    return schema


@cache
def _validator(kind: str) -> Callable[[Any], Any]:
    """The compiled validator of one kind (``form``, ``reflection``, ``protocol``)."""
    import fastjsonschema

    root = {"$ref": f"#/definitions/{kind}", "definitions": _schema()["definitions"]}
    validate: Callable[[Any], Any] = fastjsonschema.compile(root)
    return validate


def _quote_list(values: list[Any]) -> str:
    listed = ", ".join(shown(v) for v in values[:8])
    return listed + (", …" if len(values) > 8 else "")


def _misspelling(value: Any, definition: dict[str, Any]) -> tuple[str, str] | None:
    """(present key, missing required key) when a present key looks like a misspelling."""
    if not isinstance(value, dict):
        return None
    found = None
    for key in definition.get("required", ()):
        if key not in value:
            close = close_matches(key, [str(p) for p in value])
            if close:
                found = (close[0], key)
    return found


def _describe(
    rule: str, value: Any, definition: dict[str, Any], path: list[PathPart], where: dict[str, Any]
) -> DefinitionError:
    """One fastjsonschema failure as a sentence a definition author understands, at
    ``where`` (a :class:`DefinitionError`'s ``file``, ``line`` and ``path``)."""
    shown_value = shown(value)
    if rule == "enum":
        allowed = definition["enum"]
        close = close_matches(value, [str(a) for a in allowed]) if isinstance(value, str) else []
        return DefinitionError(
            N_("{value} is not one of {allowed} (did you mean {close!r}?)")
            if close
            else N_("{value} is not one of {allowed}"),
            **where,
            value=shown_value,
            allowed=_quote_list(allowed),
            close=close[0] if close else "",
        )
    if rule == "const":
        return DefinitionError(
            N_("{value} is not supported here; expected {expected!r}"),
            **where,
            value=shown_value,
            expected=definition["const"],
        )
    if rule == "type":
        return _type_error(definition["type"], shown_value, where)
    if rule == "required":
        present = set(value) if isinstance(value, dict) else set()
        missing = [k for k in definition["required"] if k not in present]
        typo = _misspelling(value, definition)
        return DefinitionError(
            N_("missing required key {missing} (is {typo} a misspelling of {key!r}?)")
            if typo
            else N_("missing required key {missing}"),
            **where,
            missing=_quote_list(missing),
            typo=shown(typo[0]) if typo else "",
            key=typo[1] if typo else "",
        )
    if rule == "additionalProperties":
        allowed = list(definition.get("properties", {}))
        extra = [k for k in value if k not in allowed] if isinstance(value, dict) else []
        key = extra[0] if extra else "?"
        close = close_matches(str(key), allowed)
        return DefinitionError(
            N_("unknown key {key} (did you mean {close!r}?)")
            if close
            else N_("unknown key {key}; allowed keys: {allowed}"),
            **where,
            key=shown(key),
            close=close[0] if close else "",
            allowed=_quote_list(allowed),
        )
    if rule == "pattern" and definition["pattern"] == r"\S":
        return DefinitionError(N_("must not be blank"), **where)
    if rule == "pattern" and path[-1:] == ["language"]:
        return DefinitionError(
            N_(
                "{value} is not a language code: use two lower-case letters, optionally with "
                "a region ('en', 'fr', 'en-GB')"
            ),
            **where,
            value=shown_value,
        )
    if rule == "pattern":
        return DefinitionError(
            N_(
                "{value} is not a valid id: use lower-case letters, digits, '-' and '_' "
                "(pattern {pattern})"
            ),
            **where,
            value=shown_value,
            pattern=definition["pattern"],
        )
    if rule == "minLength" and definition["minLength"] == 1:
        return DefinitionError(N_("must not be empty"), **where)
    if rule == "minLength":
        return DefinitionError(
            N_("must be at least {least} characters"), **where, least=definition["minLength"]
        )
    if rule == "maxLength":
        return DefinitionError(
            N_("is longer than {most} characters"), **where, most=definition["maxLength"]
        )
    if rule == "minItems":
        return DefinitionError(
            Nn_("needs at least {count} item", "needs at least {count} items"),
            **where,
            count=definition["minItems"],
        )
    if rule == "maxItems":
        return DefinitionError(
            Nn_("allows at most {count} item", "allows at most {count} items"),
            **where,
            count=definition["maxItems"],
        )
    if rule == "minimum":
        return DefinitionError(
            N_("{value} is below the minimum {bound}"),
            **where,
            value=shown_value,
            bound=definition["minimum"],
        )
    if rule == "maximum":
        return DefinitionError(
            N_("{value} is above the maximum {bound}"),
            **where,
            value=shown_value,
            bound=definition["maximum"],
        )
    if rule == "maxProperties":
        return DefinitionError(
            N_("holds more than one section: put each section in its own list item ('- ')"),
            **where,
        )
    if rule == "minProperties":
        return DefinitionError(
            N_("is empty: say what the section is (text, form, reflection, …)"), **where
        )
    if rule == "uniqueItems":
        return DefinitionError(N_("lists the same item twice"), **where)
    if rule == "anyOf" and isinstance(value, str):  # a text that may also be per language
        branch = definition["anyOf"][0]
        branch = _schema()["definitions"]["text"] if "$ref" in branch else branch
        if "maxLength" in branch and len(value) > branch["maxLength"]:
            return DefinitionError(
                N_("is longer than {most} characters"), **where, most=branch["maxLength"]
            )
        return DefinitionError(
            N_("must not be empty") if value == "" else N_("must not be blank"), **where
        )
    if rule in ("oneOf", "anyOf"):
        # the schema's own description of what it wants (English, like the schema)
        return DefinitionError(
            N_("{value} should be {wanted}"),
            **where,
            value=shown_value,
            wanted=definition.get("description", "one of the allowed forms"),
        )
    return DefinitionError(
        N_("{value} breaks the schema rule {rule!r}"), **where, value=shown_value, rule=rule
    )


def _type_error(wanted: Any, value: str, where: dict[str, Any]) -> DefinitionError:
    """A value of the wrong type: what it ``should be`` (``wanted``, the schema's type)."""
    if wanted == "string":
        return DefinitionError(N_("{value} should be a text"), **where, value=value)
    if wanted == "integer":
        return DefinitionError(N_("{value} should be a whole number"), **where, value=value)
    if wanted == "boolean":
        return DefinitionError(N_("{value} should be true or false"), **where, value=value)
    if wanted == "array":
        return DefinitionError(N_("{value} should be a list"), **where, value=value)
    if wanted == "object":
        return DefinitionError(N_("{value} should be a mapping"), **where, value=value)
    if wanted == "number":
        return DefinitionError(N_("{value} should be a number"), **where, value=value)
    # not in pdkit's schema: several types, or another one (named as the schema does)
    return DefinitionError(
        N_("{value} should be {wanted}"),
        **where,
        value=value,
        wanted=" or ".join(wanted) if isinstance(wanted, list) else wanted,
    )


def _schema_error(
    rule: str,
    value: Any,
    definition: Any,
    path: list[PathPart],
    file: str,
    root: yaml.Node | None,
) -> DefinitionError:
    """One schema failure (from either validator) as a DefinitionError at the right line."""
    definition = definition if isinstance(definition, dict) else {}
    line_path = path
    key = False
    if rule == "additionalProperties" and isinstance(value, dict):
        allowed = definition.get("properties", {})
        extra = [k for k in value if k not in allowed]
        if extra:
            line_path, key = [*path, extra[0]], True
    typo = _misspelling(value, definition) if rule == "required" else None
    if typo:
        line_path, key = [*path, typo[0]], True
    where: dict[str, Any] = {
        "file": file,
        "line": line_of(root, line_path, key=key),
        "path": format_path(path),
    }
    return _describe(rule, value, definition, path, where)


_passed: set[str] = set()
"""The digests of the texts this process checked against the schema (and found valid)."""


@cache
def _told(value: str) -> frozenset[str]:
    return frozenset(value.split())


def validate_text(name: str, data: Any, file: str, root: yaml.Node | None, text: str) -> None:
    """:func:`validate` for ``data`` parsed from ``text``, unless ``pdkit serve`` checked
    that very text before it started (:data:`~pdkit._environ.DEFINITIONS_CHECKED_ENV`).

    A kernel of ``pdkit serve`` loads definitions the server has just checked, and the
    schema's compiled validators weigh about 4 MiB in every kernel (generated code), for
    every participant of a room. A text that differs by one byte (a file edited while
    the server runs) has another digest, and is checked."""
    known = digest(text)
    if known in _told(os.environ.get(DEFINITIONS_CHECKED_ENV, "")):
        return
    validate(name, data, file, root)
    _passed.add(known)


def checked_texts() -> list[str]:
    """The digests of every definition text this process found valid (for its kernels)."""
    return sorted(_passed)


def validate(name: str, data: Any, file: str, root: yaml.Node | None) -> None:
    import fastjsonschema

    try:
        _validator(name)(data)
    except fastjsonschema.JsonSchemaValueException as exc:
        path: list[PathPart] = [int(p) if p.isdigit() else p for p in exc.path[1:]]
        raise _schema_error(exc.rule or "", exc.value, exc.definition, path, file, root) from None


def _jsonschema() -> Any:
    """``jsonschema``, imported without ``rfc3987_syntax``: when that optional package is
    installed (Jupyter's ``jupyter-events`` pulls it in), ``jsonschema`` imports it for an
    "iri" format check pdkit never uses, and building its grammar takes about 1.4 s, most
    of a ``pdkit validate`` run. Blocked only while ``jsonschema`` itself is imported."""
    import sys

    if "jsonschema" not in sys.modules and "rfc3987_syntax" not in sys.modules:
        sys.modules["rfc3987_syntax"] = None  # type: ignore[assignment]
        try:
            import jsonschema
        finally:
            del sys.modules["rfc3987_syntax"]
    import jsonschema

    return jsonschema


def all_schema_errors(
    kind: str, data: Any, file: str, root: yaml.Node | None
) -> list[DefinitionError]:
    """Every schema problem at once (one more than :data:`MAX_PROBLEMS` at most), for
    ``pdkit validate``; uses ``jsonschema`` (slow to import, so never on a participant's
    page load)."""
    import itertools

    jsonschema = _jsonschema()
    root_schema = {"$ref": f"#/definitions/{kind}", "definitions": _schema()["definitions"]}
    validator = jsonschema.Draft7Validator(root_schema)
    found = []
    for error in itertools.islice(validator.iter_errors(data), MAX_PROBLEMS + 1):
        path: list[PathPart] = list(error.absolute_path)
        found.append(
            _schema_error(str(error.validator), error.instance, error.schema, path, file, root)
        )
    return found
