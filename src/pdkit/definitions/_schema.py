"""The JSON Schema every definition is checked against, and its failures as sentences.

Validation uses ``fastjsonschema``: importing ``jsonschema`` costs about 0.9 s on the
reference machine, and every Voilà page load is a fresh kernel that loads its
definitions again. fastjsonschema compiles the schema once per process (~25 ms) and
reports the first problem; ``pdkit validate`` uses ``jsonschema`` to report every
problem at once. Either way the message is rewritten here so that it names the file,
the line and the path of the bad part.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable
from functools import cache
from importlib import resources
from typing import Any

import yaml

from ..errors import DefinitionError
from ._limits import MAX_PROBLEMS, shown
from ._yaml import PathPart, format_path, line_of

__all__ = ["all_schema_errors", "validate"]


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
            close = difflib.get_close_matches(key, [str(p) for p in value], n=1)
            if close:
                found = (close[0], key)
    return found


def _describe(rule: str, value: Any, definition: dict[str, Any], path: list[PathPart]) -> str:
    """Turn one fastjsonschema failure into a sentence a definition author understands."""
    if rule == "enum":
        allowed = definition["enum"]
        hint = ""
        if isinstance(value, str):
            close = difflib.get_close_matches(value, [str(a) for a in allowed], n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
        return f"{shown(value)} is not one of {_quote_list(allowed)}{hint}"
    if rule == "const":
        return f"{shown(value)} is not supported here; expected {definition['const']!r}"
    if rule == "type":
        wanted = definition["type"]
        wanted_s = " or ".join(wanted) if isinstance(wanted, list) else wanted
        names = {
            "string": "a text",
            "integer": "a whole number",
            "boolean": "true or false",
            "array": "a list",
            "object": "a mapping",
            "number": "a number",
        }
        wanted_s = " or ".join(names.get(w, w) for w in wanted_s.split(" or "))
        return f"{shown(value)} should be {wanted_s}"
    if rule == "required":
        present = set(value) if isinstance(value, dict) else set()
        missing = [k for k in definition["required"] if k not in present]
        typo = _misspelling(value, definition)
        hint = f" (is {shown(typo[0])} a misspelling of {typo[1]!r}?)" if typo else ""
        return f"missing required key {_quote_list(missing)}{hint}"
    if rule == "additionalProperties":
        allowed = list(definition.get("properties", {}))
        extra = [k for k in value if k not in allowed] if isinstance(value, dict) else []
        key = extra[0] if extra else "?"
        close = difflib.get_close_matches(str(key), allowed, n=1)
        hint = (
            f" (did you mean {close[0]!r}?)" if close else f"; allowed keys: {_quote_list(allowed)}"
        )
        return f"unknown key {shown(key)}{hint}"
    if rule == "pattern" and definition["pattern"] == r"\S":
        return "must not be blank"
    if rule == "pattern" and path[-1:] == ["language"]:
        return (
            f"{shown(value)} is not a language code: use two lower-case letters, optionally with "
            f"a region ('en', 'fr', 'en-GB')"
        )
    if rule == "pattern":
        return (
            f"{shown(value)} is not a valid id: use lower-case letters, digits, '-' and '_' "
            f"(pattern {definition['pattern']})"
        )
    if rule == "minLength":
        return (
            "must not be empty"
            if definition["minLength"] == 1
            else (f"must be at least {definition['minLength']} characters")
        )
    if rule == "maxLength":
        return f"is longer than {definition['maxLength']} characters"
    if rule == "minItems":
        return f"needs at least {definition['minItems']} item(s)"
    if rule == "maxItems":
        return f"allows at most {definition['maxItems']} item(s)"
    if rule == "minimum":
        return f"{shown(value)} is below the minimum {definition['minimum']}"
    if rule == "maximum":
        return f"{shown(value)} is above the maximum {definition['maximum']}"
    if rule == "maxProperties":
        return "holds more than one section: put each section in its own list item ('- ')"
    if rule == "minProperties":
        return "is empty: say what the section is (text, form, reflection, …)"
    if rule == "uniqueItems":
        return "lists the same item twice"
    if rule == "anyOf" and isinstance(value, str):  # a text that may also be per language
        branch = definition["anyOf"][0]
        branch = _schema()["definitions"]["text"] if "$ref" in branch else branch
        if "maxLength" in branch and len(value) > branch["maxLength"]:
            return f"is longer than {branch['maxLength']} characters"
        return "must not be empty" if value == "" else "must not be blank"
    if rule in ("oneOf", "anyOf"):
        wanted = definition.get("description", "one of the allowed forms")
        return f"{shown(value)} should be {wanted}"
    return f"{shown(value)} breaks the schema rule {rule!r}"


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
    problem = _describe(rule, value, definition, path)
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
    return DefinitionError(
        problem, file=file, line=line_of(root, line_path, key=key), path=format_path(path)
    )


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
