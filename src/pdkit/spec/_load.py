"""Load YAML definitions, validate them against the shipped JSON Schema, report errors well.

Validation uses ``fastjsonschema``: importing ``jsonschema`` costs about 0.9 s on the
reference machine, and every Voilà page load is a fresh kernel that loads its
definitions again. fastjsonschema compiles the schema once per process (~25 ms) and
reports the first problem; the message is rewritten here so that it names the file,
the line and the path of the bad part.
"""

from __future__ import annotations

import csv
import difflib
import io
import json
import os
import re
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import yaml

from ..errors import DefinitionError
from ..i18n import choose
from ._model import (
    ALL,
    FIELD_TYPES,
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
)

__all__ = [
    "KINDS",
    "SCHOOL_GOALS_ENV",
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
    "validate_text",
]

_SafeLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

PathPart = str | int


# --------------------------------------------------------------------------- YAML


def _compose(text: str, file: str) -> tuple[Any, yaml.Node | None]:
    """Parse YAML into (data, node tree); the node tree keeps line numbers."""
    loader = _SafeLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        raise _yaml_error(exc, text, file) from None
    except yaml.YAMLError as exc:
        raise DefinitionError(f"not valid YAML: {exc}", file=file) from None
    finally:
        loader.dispose()
    if node is not None:
        _reject_duplicate_keys(node, file, [])
    return data, node


def _yaml_error(exc: yaml.MarkedYAMLError, text: str, file: str) -> DefinitionError:
    mark = exc.problem_mark or exc.context_mark
    context_line = exc.context_mark.line + 1 if exc.context_mark is not None else None
    # A problem found at the end of the file (an unclosed quote or bracket) is marked
    # after the last line; the line where the unfinished part starts is the useful one.
    last_line = len(text.rstrip().splitlines())
    if mark is not None and mark.line >= last_line and context_line is not None:
        mark = exc.context_mark
    line = None if mark is None else max(1, min(mark.line + 1, last_line))
    context = exc.context
    if context and context_line is not None and context_line != line:
        context += f" (line {context_line})"
    problem = " ".join(p for p in (context, exc.problem) if p)
    return DefinitionError(f"not valid YAML: {problem}", file=file, line=line)


def _reject_duplicate_keys(node: yaml.Node, file: str, path: list[PathPart]) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in seen:
                raise DefinitionError(
                    f"the key {key!r} appears twice; keep one",
                    file=file,
                    line=key_node.start_mark.line + 1,
                    path=_format_path(path),
                )
            seen.add(key)
            _reject_duplicate_keys(value_node, file, [*path, key])
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _reject_duplicate_keys(item, file, [*path, index])


def _node_at(
    root: yaml.Node | None, path: list[PathPart], *, key: bool = False
) -> yaml.Node | None:
    """The deepest node on ``path``; with ``key`` the key node of the last part."""
    node = root
    for depth, part in enumerate(path):
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if str(key_node.value) == str(part):
                    last = depth == len(path) - 1
                    node = key_node if (key and last) else value_node
                    break
            else:
                return node
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                return node
            node = node.value[part]
        else:
            return node
    return node


def _line_of(root: yaml.Node | None, path: list[PathPart], *, key: bool = False) -> int | None:
    node = _node_at(root, path, key=key)
    return None if node is None else node.start_mark.line + 1


def _format_path(path: list[PathPart]) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


# --------------------------------------------------------------------------- schema


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
    shown = ", ".join(repr(v) for v in values[:8])
    return shown + (", …" if len(values) > 8 else "")


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
        return f"{value!r} is not one of {_quote_list(allowed)}{hint}"
    if rule == "const":
        return f"{value!r} is not supported here; expected {definition['const']!r}"
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
        return f"{value!r} should be {wanted_s}"
    if rule == "required":
        present = set(value) if isinstance(value, dict) else set()
        missing = [k for k in definition["required"] if k not in present]
        typo = _misspelling(value, definition)
        hint = f" (is {typo[0]!r} a misspelling of {typo[1]!r}?)" if typo else ""
        return f"missing required key {_quote_list(missing)}{hint}"
    if rule == "additionalProperties":
        allowed = list(definition.get("properties", {}))
        extra = [k for k in value if k not in allowed] if isinstance(value, dict) else []
        key = extra[0] if extra else "?"
        close = difflib.get_close_matches(str(key), allowed, n=1)
        hint = (
            f" (did you mean {close[0]!r}?)" if close else f"; allowed keys: {_quote_list(allowed)}"
        )
        return f"unknown key {key!r}{hint}"
    if rule == "pattern" and definition["pattern"] == r"\S":
        return "must not be blank"
    if rule == "pattern" and path[-1:] == ["language"]:
        return (
            f"{value!r} is not a language code: use two lower-case letters, optionally with "
            f"a region ('en', 'fr', 'en-GB')"
        )
    if rule == "pattern":
        return (
            f"{value!r} is not a valid id: use lower-case letters, digits, '-' and '_' "
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
        return f"{value!r} is below the minimum {definition['minimum']}"
    if rule == "maximum":
        return f"{value!r} is above the maximum {definition['maximum']}"
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
        return f"{value!r} should be {wanted}"
    return f"{value!r} breaks the schema rule {rule!r}"


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
        problem, file=file, line=_line_of(root, line_path, key=key), path=_format_path(path)
    )


def _validate(name: str, data: Any, file: str, root: yaml.Node | None) -> None:
    import fastjsonschema

    try:
        _validator(name)(data)
    except fastjsonschema.JsonSchemaValueException as exc:
        path: list[PathPart] = [int(p) if p.isdigit() else p for p in exc.path[1:]]
        raise _schema_error(exc.rule or "", exc.value, exc.definition, path, file, root) from None


def _all_schema_errors(
    kind: str, data: Any, file: str, root: yaml.Node | None
) -> list[DefinitionError]:
    """Every schema problem at once, for ``pdkit validate``; uses ``jsonschema`` (slow to
    import, so never on a participant's page load)."""
    import jsonschema

    root_schema = {"$ref": f"#/definitions/{kind}", "definitions": _schema()["definitions"]}
    validator = jsonschema.Draft7Validator(root_schema)
    found = []
    for error in validator.iter_errors(data):
        path: list[PathPart] = list(error.absolute_path)
        found.append(
            _schema_error(str(error.validator), error.instance, error.schema, path, file, root)
        )
    return found


def validate_text(text: str, *, file: str = "<string>") -> list[DefinitionError]:
    """Every problem of a definition (not only the first): YAML, schema, consistency and,
    for a workbook, the definitions it refers to. An empty list means it is valid."""
    try:
        data, root = _compose(text, file)
    except DefinitionError as exc:
        return [exc]
    if not isinstance(data, dict) or data.get("kind") not in KINDS:
        try:
            parse_definition(text, file=file)
        except DefinitionError as exc:
            return [exc]
    problems = _all_schema_errors(data["kind"], data, file, root)
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


# --------------------------------------------------------------------------- forms


def _fail(
    problem: str, file: str, root: yaml.Node | None, path: list[PathPart], *, key: bool = False
) -> DefinitionError:
    """An error at ``path``; with ``key`` its line is that of the last key, not its value."""
    return DefinitionError(
        problem, file=file, line=_line_of(root, path, key=key), path=_format_path(path)
    )


_TYPE_KEYS = {
    "max_chars": ("text", "long_text", "list"),
    "hints": ("text", "long_text"),
    "options": ("choice", "multi_choice"),
    "options_from": ("choice", "multi_choice"),
    "points": ("scale",),
    "max_items": ("list",),
    "item_label": ("list",),
}


def _first_repeat(values: list[Any]) -> int | None:
    """The index of the first value that already came earlier in ``values``."""
    seen: set[Any] = set()
    for index, value in enumerate(values):
        if value in seen:
            return index
        seen.add(value)
    return None


def _build_fields(
    raws: list[Any], file: str, root: yaml.Node | None, prefix: list[PathPart]
) -> tuple[Field, ...]:
    """Fields from their validated mappings; ``prefix`` is where the list sits."""
    fields: list[Field] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(raws):
        at: list[PathPart] = [*prefix, index]
        if isinstance(raw, str):  # a capture shorthand: an id names a long text
            label = raw.replace("_", " ").replace("-", " ").capitalize()
            raw = {"id": raw, "type": "long_text", "label": label}
        ftype = raw["type"]
        for key, types in _TYPE_KEYS.items():
            if key in raw and ftype not in types:
                raise _fail(
                    f"{key!r} does not apply to a {ftype!r} field (only to {', '.join(types)})",
                    file,
                    root,
                    [*at, key],
                )
        if raw["id"] in seen:
            raise _fail(
                f"the field id {raw['id']!r} is already used by "
                f"{_format_path([*prefix, seen[raw['id']]])}; field ids must be unique here",
                file,
                root,
                [*at, "id"],
            )
        seen[raw["id"]] = index
        options = tuple(
            Option(value=o, label=o) if isinstance(o, str) else Option(o["value"], o["label"])
            for o in raw.get("options", ())
        )
        if ftype in ("choice", "multi_choice"):
            if bool(options) == ("options_from" in raw):
                raise _fail(
                    f"a {ftype!r} field needs either 'options' or 'options_from' (exactly one)",
                    file,
                    root,
                    at,
                )
            repeat = _first_repeat([o.value for o in options])
            if repeat is not None:
                raise _fail(
                    f"option {options[repeat].value!r} is listed twice",
                    file,
                    root,
                    [*at, "options", repeat],
                )
        if ftype == "scale":
            if "points" not in raw:
                raise _fail(
                    "a 'scale' field needs 'points' (value and label for each)", file, root, at
                )
            options = tuple(Option(p["value"], p["label"]) for p in raw["points"])
            repeat = _first_repeat([o.value for o in options])
            if repeat is not None:
                raise _fail(
                    "two points of the scale share a value",
                    file,
                    root,
                    [*at, "points", repeat, "value"],
                )
        fields.append(
            Field(
                id=raw["id"],
                type=ftype,
                label=raw["label"].strip(),
                help=raw.get("help", "").strip(),
                placeholder=raw.get("placeholder", ""),
                required=raw.get("required", False),
                max_chars=raw.get("max_chars"),
                hints=tuple(raw.get("hints", ())),
                options=options,
                options_from=raw.get("options_from"),
                max_items=raw.get("max_items"),
                item_label=raw.get("item_label", "Item"),
            )
        )
    assert all(f.type in FIELD_TYPES for f in fields)
    return tuple(fields)


def _build_form(data: dict[str, Any], file: str, root: yaml.Node | None) -> FormDefinition:
    kind = data["kind"]
    key = "fields" if kind == "form" else "prompts"
    return FormDefinition(
        id=data["id"],
        title=data["title"].strip(),
        intro=data.get("intro", "").strip(),
        origin=data.get("origin", "").strip(),
        version=str(data.get("version", "1")),
        fields=_build_fields(data[key], file, root, [key]),
        source=file,
        kind=kind,
        mode=data.get("mode", "sequence" if kind == "reflection" else "all"),
    )


def _build_workbook(data: dict[str, Any], file: str, root: yaml.Node | None) -> WorkbookDefinition:
    sections: list[Section] = []
    for raw in data["sections"]:
        [(kind, value)] = raw.items()
        if kind == "text":
            sections.append(Section(kind, text=value.strip()))
        else:
            refs = tuple(value) if isinstance(value, list) else (value,)
            sections.append(Section(kind, refs=refs))
    if any(s.kind == "facilitator" for s in sections):
        for index, section in enumerate(sections):
            if section.kind not in ("facilitator", "text"):
                raise _fail(
                    f"a facilitator workbook holds only text and the facilitator section, not "
                    f"{section.kind!r} (participants' sections belong in another workbook)",
                    file,
                    root,
                    ["sections", index],
                )
    return WorkbookDefinition(
        id=data["id"],
        title=data["title"].strip(),
        intro=data.get("intro", "").strip(),
        language=data.get("language", "en"),
        version=str(data.get("version", "1")),
        sections=tuple(sections),
        source=file,
    )


def _build_protocol(data: dict[str, Any], file: str, root: yaml.Node | None) -> ProtocolDefinition:
    roles: list[Role] = []
    for index, raw in enumerate(data["roles"]):
        if any(r.id == raw["id"] for r in roles):
            raise _fail(
                f"the role id {raw['id']!r} is used twice", file, root, ["roles", index, "id"]
            )
        count = raw.get("count", 1)
        if count == "rest" and any(r.count is None for r in roles):
            raise _fail(
                "only one role can take 'count: rest'", file, root, ["roles", index, "count"]
            )
        roles.append(
            Role(
                raw["id"],
                raw["label"].strip(),
                raw.get("description", "").strip(),
                None if count == "rest" else count,
            )
        )
    known = {r.id for r in roles} | {ALL}
    low, high = data.get("group_size", [2, 12])
    if low > high:
        raise _fail(
            f"the smallest group ({low}) is larger than the largest ({high})",
            file,
            root,
            ["group_size"],
        )
    steps: list[Step] = []
    for index, raw in enumerate(data["steps"]):
        at: list[PathPart] = ["steps", index]
        if any(s.id == raw["id"] for s in steps):
            raise _fail(f"the step id {raw['id']!r} is used twice", file, root, [*at, "id"])
        for key in ("speaking", "silent"):
            for pos, role in enumerate(raw.get(key, ())):
                if role not in known:
                    raise _fail(
                        f"{role!r} is not a role of this protocol "
                        f"(roles: {', '.join(sorted(known))})",
                        file,
                        root,
                        [*at, key, pos],
                    )
        for key in ("prompt", "capture"):
            for role in raw.get(key, {}):
                if role not in known:
                    raise _fail(
                        f"{role!r} is not a role of this protocol "
                        f"(roles: {', '.join(sorted(known))})",
                        file,
                        root,
                        [*at, key, role],
                        key=True,
                    )
        speaking, silent = set(raw.get("speaking", ())), set(raw.get("silent", ()))
        # 'all' in one list and a role in the other would make that role do both.
        both = [
            r.id
            for r in roles
            if (r.id in speaking or ALL in speaking) and (r.id in silent or ALL in silent)
        ]
        if both:
            raise _fail(
                f"{both[0]!r} cannot both speak and be silent in one step",
                file,
                root,
                [*at, "silent"],
            )
        allowed = raw.get("allowed")
        if allowed is not None and not allowed[0] <= raw["minutes"] <= allowed[1]:
            raise _fail(
                f"{raw['minutes']} minutes is outside the allowed range {allowed[0]}–{allowed[1]}",
                file,
                root,
                [*at, "minutes"],
            )
        capture = {
            role: _build_fields(items, file, root, [*at, "capture", role])
            for role, items in raw.get("capture", {}).items()
        }
        for role in (r.id for r in roles):
            ids = [f.id for f in (*capture.get(ALL, ()), *capture.get(role, ()))]
            repeat = _first_repeat(ids)
            if repeat is not None:
                raise _fail(
                    f"{role!r} would write the field {ids[repeat]!r} twice in this step",
                    file,
                    root,
                    [*at, "capture", role],
                )
        steps.append(
            Step(
                id=raw["id"],
                title=raw["title"].strip(),
                minutes=raw["minutes"],
                allowed=(allowed[0], allowed[1]) if allowed is not None else None,
                speaking=tuple(raw.get("speaking", ())),
                silent=tuple(raw.get("silent", ())),
                prompts={k: v.strip() for k, v in raw.get("prompt", {}).items()},
                capture=capture,
                note=raw.get("note", "").strip(),
            )
        )
    return ProtocolDefinition(
        id=data["id"],
        title=data["title"].strip(),
        origin=data["origin"].strip(),
        summary=data.get("summary", "").strip(),
        version=str(data.get("version", "1")),
        group_size=(low, high),
        roles=tuple(roles),
        steps=tuple(steps),
        feedback_categories=tuple(data.get("feedback_categories", ())),
        source=file,
    )


KINDS = ("form", "reflection", "protocol", "workbook")
"""The kinds of definition this version of pdkit reads."""


_TEXT_KEYS = frozenset(
    (
        "title",
        "intro",
        "label",
        "help",
        "placeholder",
        "item_label",
        "summary",
        "description",
        "text",
        "note",
    )
)


def _localize(node: Any, language: str | None) -> Any:
    """The validated document with every per-language text replaced by one text."""
    if isinstance(node, list):
        return [_localize(item, language) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in _TEXT_KEYS and isinstance(value, dict):
            out[key] = choose(value, language)
        elif key == "prompt" and isinstance(value, dict):
            out[key] = {role: choose(text, language) for role, text in value.items()}
        else:
            out[key] = _localize(value, language)
    return out


def parse_definition(
    text: str, *, file: str = "<string>", language: str | None = None
) -> Definition:
    """Parse and validate a definition given as YAML text (``file`` names it in errors).

    Texts given per language are resolved for ``language`` (see :func:`pdkit.i18n.choose`).
    """
    data, root = _compose(text, file)
    if not isinstance(data, dict):
        raise DefinitionError(
            "a definition must be a YAML mapping with 'kind', 'id', 'title', …",
            file=file,
            line=_line_of(root, []),
        )
    kind = data.get("kind")
    if kind not in KINDS:
        known = ", ".join(repr(k) for k in KINDS)
        problem = (
            "missing required key 'kind' (for example 'kind: form')"
            if kind is None
            else f"{kind!r} is not a kind this version of pdkit reads (known: {known})"
        )
        raise DefinitionError(
            problem, file=file, line=_line_of(root, ["kind"]), path="" if kind is None else "kind"
        )
    _validate(kind, data, file, root)
    data = _localize(data, language)
    if kind == "protocol":
        return _build_protocol(data, file, root)
    if kind == "workbook":
        return _build_workbook(data, file, root)
    return _build_form(data, file, root)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise DefinitionError("file not found", file=str(path)) from None
    except UnicodeDecodeError as exc:
        raise DefinitionError(f"not UTF-8 text ({exc.reason})", file=str(path)) from None
    except OSError as exc:
        raise DefinitionError(f"cannot be read ({exc.strerror})", file=str(path)) from None


def load_definition(source: str | Path, *, language: str | None = None) -> Definition:
    """Load a definition from a YAML file, or a built-in one by its id (``"goal-setting"``)."""
    path = Path(source)
    if not path.suffix and not path.exists():
        path = builtin_definition_path(str(source))
    return parse_definition(_read(path), file=str(path), language=language)


_D = TypeVar("_D", FormDefinition, ProtocolDefinition, WorkbookDefinition)


def _expect(definition: Definition, kind: type[_D], what: str) -> _D:
    """``definition`` if it is of ``kind``; else an error saying what was needed."""
    if not isinstance(definition, kind):
        raise DefinitionError(
            f"this is a {definition.kind}, where {what} is needed",
            file=definition.source,
            path="kind",
        )
    return definition


def load_form(source: str | Path, *, language: str | None = None) -> FormDefinition:
    """Like :func:`load_definition`, for a form or a reflection (anything else is an error)."""
    return _expect(
        load_definition(source, language=language), FormDefinition, "a form or reflection"
    )


def load_workbook(source: str | Path, *, language: str | None = None) -> WorkbookDefinition:
    """A workbook definition from a YAML file, or a built-in one by id."""
    path = Path(source)
    if not path.suffix and not path.exists():
        path = builtin_workbook_path(str(source))
    definition = parse_definition(_read(path), file=str(path), language=language)
    return _expect(definition, WorkbookDefinition, "a workbook")


_SECTION_NEEDS = {
    "form": ("form",),
    "reflection": ("reflection", "form"),
    "reflections": ("reflection", "form"),
}


_WORKBOOK_KIND = re.compile(r"^kind:\s*workbook\s*$", re.MULTILINE)


def resolve_reference(ref: str, workbook: WorkbookDefinition) -> Path:
    """The file a workbook's section ``ref`` means: ``<ref>.yaml`` (or ``.yml``) beside the
    workbook or in its parent folder (a district's copies), else the built-in definition.
    Workbook files are never sections (``workbooks/goal-setting.yaml`` is not the form)."""
    if workbook.source != "<string>":
        itself = Path(workbook.source).resolve()
        for candidate in (
            folder / f"{ref}{suffix}"
            for folder in (itself.parent, itself.parent.parent)
            for suffix in (".yaml", ".yml")  # pdkit validate and build read both
        ):
            if (
                candidate.is_file()
                and candidate.resolve() != itself
                and not _WORKBOOK_KIND.search(_read(candidate))  # a workbook is not a section
            ):
                return candidate
    return builtin_definition_path(ref)


def check_references(workbook: WorkbookDefinition) -> list[DefinitionError]:
    """Every problem with the definitions a workbook refers to (empty when all is well)."""
    problems: list[DefinitionError] = []
    for index, section in enumerate(workbook.sections):
        wanted = _SECTION_NEEDS.get(section.kind)
        if wanted is None:
            continue
        for ref in section.refs:
            try:
                path = resolve_reference(ref, workbook)
            except DefinitionError as exc:
                if exc.file != ref:  # a file beside the workbook cannot be read
                    problems.append(exc)
                    continue
                # No such definition: say which workbook and section name it.
                problems.append(
                    DefinitionError(
                        f"{ref!r} is not a definition beside this workbook or in its parent "
                        f"folder, and {exc.problem.removeprefix('no such file, and ')}",
                        file=workbook.source,
                        path=f"sections[{index}].{section.kind}",
                    )
                )
                continue
            try:
                definition = load_definition(path)
            except DefinitionError as exc:
                problems.append(exc)
                continue
            if definition.kind not in wanted:
                problems.append(
                    DefinitionError(
                        f"{ref!r} is a {definition.kind}, but a {section.kind!r} section needs a "
                        f"{' or '.join(wanted)}",
                        file=workbook.source,
                        path=f"sections[{index}].{section.kind}",
                    )
                )
    return problems


def load_protocol(source: str | Path, *, language: str | None = None) -> ProtocolDefinition:
    """Like :func:`load_definition`, for a protocol (anything else is an error)."""
    return _expect(load_definition(source, language=language), ProtocolDefinition, "a protocol")


# --------------------------------------------------------------------------- built-ins


def _templates_dir() -> Path:
    return Path(str(resources.files("pdkit").joinpath("templates")))


def builtin_definitions(kind: str | None = None) -> list[str]:
    """The ids of the definitions installed with pdkit (only those of ``kind`` if given)."""
    ids = sorted(p.stem for p in _templates_dir().glob("*.yaml") if p.stem != "school-goals")
    if kind is None:
        return ids
    return [i for i in ids if load_definition(i).kind == kind]


def builtin_workbooks() -> list[str]:
    """The ids of the workbook definitions installed with pdkit."""
    return sorted(p.stem for p in (_templates_dir() / "workbooks").glob("*.yaml"))


def builtin_workbook_path(workbook_id: str) -> Path:
    """The installed YAML file of a built-in workbook definition."""
    path = _templates_dir() / "workbooks" / f"{workbook_id}.yaml"
    if not path.is_file():
        raise DefinitionError(
            f"no such file, and no built-in workbook has this id "
            f"(built-in workbooks: {', '.join(builtin_workbooks())})",
            file=workbook_id,
        )
    return path


def builtin_definition_path(definition_id: str) -> Path:
    """The installed YAML file of a built-in definition."""
    path = _templates_dir() / f"{definition_id}.yaml"
    if not path.is_file():
        ids = builtin_definitions()
        close = difflib.get_close_matches(definition_id, ids, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise DefinitionError(
            f"no such file, and no built-in definition has this id ({hint}built-ins: "
            f"{', '.join(ids)})",
            file=definition_id,
        )
    return path


# --------------------------------------------------------------------------- school goals


def _goals_from_rows(
    rows: list[tuple[int | None, Any]],
    file: str,
    prefix: list[PathPart],
    language: str | None = None,
) -> list[SchoolGoal]:
    """Rows are (line, mapping); ``prefix`` is the path of the list in the document.
    A title or description may be given per language."""
    goals: list[SchoolGoal] = []
    seen: set[str] = set()
    for index, (line, row) in enumerate(rows):
        where = _format_path([*prefix, index]) if prefix else f"[{index}]"
        if not isinstance(row, dict):
            raise DefinitionError(
                "each school goal needs 'id' and 'title'", file=file, line=line, path=where
            )
        row = dict(row)
        for key in ("title", "description"):
            texts = row.get(key)
            if (
                isinstance(texts, dict)
                and texts
                and all(isinstance(t, str) for t in texts.values())
            ):
                row[key] = choose(texts, language)
        for key in ("id", "title"):
            value = row.get(key)
            if value is not None and not isinstance(value, str):
                raise DefinitionError(
                    f"{key!r} should be a text, not {value!r} (put it in quotes)",
                    file=file,
                    line=line,
                    path=where,
                )
            if not value or not value.strip():
                raise DefinitionError(f"missing or empty {key!r}", file=file, line=line, path=where)
        goal_id = row["id"].strip()
        if goal_id in seen:
            raise DefinitionError(
                f"the goal id {goal_id!r} is used twice", file=file, line=line, path=where
            )
        seen.add(goal_id)
        goals.append(
            SchoolGoal(goal_id, row["title"].strip(), str(row.get("description") or "").strip())
        )
    if not goals:
        raise DefinitionError("lists no school goals", file=file)
    return goals


def load_school_goals(source: str | Path, *, language: str | None = None) -> list[SchoolGoal]:
    """Read school goals from YAML (a list, or ``goals:`` with a list) or CSV.

    A CSV file has a header row with the columns ``id,title`` and optionally ``description``.
    """
    path = Path(source)
    text = _read(path)
    file = str(path)
    if path.suffix.lower() == ".csv":
        reader = csv.DictReader(io.StringIO(text))
        missing = ", ".join(sorted({"id", "title"} - set(reader.fieldnames or ())))
        if missing:
            raise DefinitionError(
                f"the header row needs the columns id,title (missing: {missing})",
                file=file,
                line=1,
            )
        return _goals_from_rows([(reader.line_num, dict(row)) for row in reader], file, [])
    data, root = _compose(text, file)
    prefix: list[PathPart] = ["goals"] if isinstance(data, dict) else []
    items = data.get("goals") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise DefinitionError(
            "expected a list of goals (or 'goals:' with a list)", file=file, line=_line_of(root, [])
        )
    rows = [(_line_of(root, [*prefix, i]), row) for i, row in enumerate(items)]
    return _goals_from_rows(rows, file, prefix, language)


def school_goals_data(source: str | Path) -> list[dict[str, Any]]:
    """The school goals of a YAML or CSV file as plain mappings, texts per language kept
    (what a session stores); checked first like :func:`load_school_goals`."""
    load_school_goals(source)
    path = Path(source)
    text = _read(path)
    if path.suffix.lower() == ".csv":
        return [
            {k: v for k, v in row.items() if k in ("id", "title", "description") and v}
            for row in csv.DictReader(io.StringIO(text))
        ]
    data = yaml.safe_load(text)
    items: list[Any] = (data.get("goals") if isinstance(data, dict) else data) or []
    return [dict(item) for item in items]


def school_goals_from_data(
    items: Sequence[Mapping[str, Any]], *, source: str = "<session>", language: str | None = None
) -> list[SchoolGoal]:
    """School goals from plain mappings (a stored session's), in ``language``."""
    return _goals_from_rows([(None, dict(item)) for item in items], source, [], language)


SCHOOL_GOALS_ENV = "PDKIT_SCHOOL_GOALS"
"""The environment variable naming a session's school goals file (``pdkit serve`` sets it)."""


def default_school_goals(language: str | None = None) -> list[SchoolGoal]:
    """``$PDKIT_SCHOOL_GOALS`` if set, else the sample goals shipped with pdkit."""
    path = os.environ.get(SCHOOL_GOALS_ENV) or (_templates_dir() / "school-goals.yaml")
    return load_school_goals(path, language=language)
