"""Validated documents become definition objects, with the checks a schema cannot make
(ids unique in their list, roles that exist, a scale's points, a step's time in its
allowed range, …). Each problem names the file, the line and the place."""

from __future__ import annotations

import math
from itertools import pairwise
from typing import Any

import yaml

from ..errors import DefinitionError
from ..i18n import choose
from ._limits import listed, shown
from ._model import (
    AGENDA_SHOWS,
    ALL,
    FIELD_TYPES,
    AgendaDefinition,
    AgendaPart,
    Field,
    FormDefinition,
    Option,
    ProtocolDefinition,
    Role,
    Section,
    Step,
    WorkbookDefinition,
)
from ._yaml import PathPart, format_path, line_of
from .ids import EVALUATION_FORM

__all__ = [
    "build_agenda",
    "build_form",
    "build_protocol",
    "build_workbook",
    "localize",
]


def _fail(
    problem: str, file: str, root: yaml.Node | None, path: list[PathPart], *, key: bool = False
) -> DefinitionError:
    """An error at ``path``; with ``key`` its line is that of the last key, not its value."""
    return DefinitionError(
        problem, file=file, line=line_of(root, path, key=key), path=format_path(path)
    )


_TYPE_KEYS = {
    "max_chars": ("text", "long_text", "list"),
    "hints": ("text", "long_text"),
    "options": ("choice", "multi_choice"),
    "options_from": ("choice", "multi_choice"),
    "points": ("scale",),
    "max_items": ("list",),
    "item_label": ("list",),
    "min": ("number",),
    "max": ("number",),
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
                f"{format_path([*prefix, seen[raw['id']]])}; field ids must be unique here",
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
                    f"option {shown(options[repeat].value)} is listed twice",
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
        for bound in ("min", "max"):
            if bound in raw and not math.isfinite(raw[bound]):
                raise _fail(f"{bound!r} must be a finite number", file, root, [*at, bound])
        if ftype == "number" and raw.get("min", -math.inf) > raw.get("max", math.inf):
            raise _fail("'min' is larger than 'max'", file, root, [*at, "min"])
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
                minimum=raw.get("min"),
                maximum=raw.get("max"),
            )
        )
    assert all(f.type in FIELD_TYPES for f in fields)
    return tuple(fields)


def build_form(data: dict[str, Any], file: str, root: yaml.Node | None) -> FormDefinition:
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
        anonymous=bool(data.get("anonymous", False)),
    )


def build_workbook(data: dict[str, Any], file: str, root: yaml.Node | None) -> WorkbookDefinition:
    sections: list[Section] = []
    for raw in data["sections"]:
        [(kind, value)] = raw.items()
        if kind == "text":
            sections.append(Section(kind, text=value.strip()))
        else:
            refs = tuple(value) if isinstance(value, list) else (value,)
            sections.append(Section(kind, refs=refs))
    for own in ("facilitator", "coach"):
        if not any(s.kind == own for s in sections):
            continue
        for index, section in enumerate(sections):
            if section.kind not in (own, "text"):
                raise _fail(
                    f"a {own} workbook holds only text and the {own} section, not "
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


def build_agenda(data: dict[str, Any], file: str, root: yaml.Node | None) -> AgendaDefinition:
    parts: list[AgendaPart] = []
    for index, raw in enumerate(data["parts"]):
        at: list[PathPart] = ["parts", index]
        if any(p.id == raw["id"] for p in parts):
            raise _fail(f"the part id {raw['id']!r} is used twice", file, root, [*at, "id"])
        shows = [k for k in AGENDA_SHOWS if k in raw]
        if len(shows) != 1:
            what = "nothing" if not shows else " and ".join(repr(k) for k in shows)
            raise _fail(
                f"a part shows exactly one thing ({', '.join(AGENDA_SHOWS)}); this one has {what}",
                file,
                root,
                at,
            )
        [kind] = shows
        value = raw[kind]
        parts.append(
            AgendaPart(
                id=raw["id"],
                title=raw["title"].strip(),
                minutes=raw["minutes"],
                shows=kind,
                ref=(
                    value
                    if kind in ("form", "reflection", "revise")
                    else (EVALUATION_FORM if value == "placeholder" else value)
                    if kind == "evaluation"
                    else ""
                ),
                text=value.strip() if kind == "text" else "",
                intro=raw.get("intro", "").strip(),
            )
        )
    return AgendaDefinition(
        id=data["id"],
        title=data["title"].strip(),
        intro=data.get("intro", "").strip(),
        language=data.get("language", "en"),
        version=str(data.get("version", "1")),
        sections=(Section("agenda", refs=tuple(p.id for p in parts)),),
        parts=tuple(parts),
        source=file,
    )


def build_protocol(data: dict[str, Any], file: str, root: yaml.Node | None) -> ProtocolDefinition:
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
                        f"{role!r} is not a role of this protocol (roles: {listed(sorted(known))})",
                        file,
                        root,
                        [*at, key, pos],
                    )
        for key in ("prompt", "capture"):
            for role in raw.get(key, {}):
                if role not in known:
                    raise _fail(
                        f"{role!r} is not a role of this protocol (roles: {listed(sorted(known))})",
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
        feedback = dict(raw.get("feedback", {}))
        _check_feedback(feedback, capture, data, file, root, at)
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
                round=raw.get("round", "each"),
                skippable=bool(raw.get("skippable", False)),
                feedback=feedback,
            )
        )
    presenter = data.get("presenter")
    if presenter is not None:
        role = next((r for r in roles if r.id == presenter), None)
        if role is None or role.count != 1:
            why = "is not a role here" if role is None else "is a role of several people"
            raise _fail(
                f"the presenter {presenter!r} {why}: it must be a role of one person "
                f"(roles: {listed([r.id for r in roles])})",
                file,
                root,
                ["presenter"],
            )
    rank = {"first": 0, "each": 1, "last": 2}
    for index, (before, step) in enumerate(pairwise(steps), 1):
        if rank[step.round] < rank[before.round]:
            raise _fail(
                f"a 'round: {step.round}' step cannot follow a 'round: {before.round}' one: "
                "steps of the first round come first, then those of every round, then those "
                "after the last",
                file,
                root,
                ["steps", index, "round"],
            )
    if not any(s.round == "each" for s in steps):
        raise _fail(
            "no step runs in every round: mark at least one step 'round: each' (the default)",
            file,
            root,
            ["steps"],
        )
    stated = data.get("total_minutes")
    total = sum(s.minutes for s in steps)
    if stated is not None and abs(stated - total) > 1e-6:
        raise _fail(
            f"the steps add up to {total:g} minutes, not the {stated:g} this protocol states",
            file,
            root,
            ["total_minutes"],
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
        presenter=presenter,
        stated_minutes=stated,
        deviations=data.get("deviations", "").strip(),
    )


def _check_feedback(
    feedback: dict[str, str],
    capture: dict[str, tuple[Field, ...]],
    data: dict[str, Any],
    file: str,
    root: yaml.Node | None,
    at: list[PathPart],
) -> None:
    """A step's ``feedback``: fields the step captures from someone other than the
    presenter, each going to one of the protocol's feedback categories."""
    if feedback and data.get("presenter") is None:
        raise _fail(
            "feedback goes to the presenter: name the protocol's 'presenter' role",
            file,
            root,
            [*at, "feedback"],
        )
    categories = data.get("feedback_categories", [])
    given = {
        f.id for role, fields in capture.items() if role != data.get("presenter") for f in fields
    }
    for field_id, category in feedback.items():
        if field_id not in given:
            raise _fail(
                f"{field_id!r} is not a field this step captures from the presenter's "
                f"colleagues (fields: {listed(sorted(given))})",
                file,
                root,
                [*at, "feedback", field_id],
                key=True,
            )
        if category not in categories:
            raise _fail(
                f"{category!r} is not one of this protocol's feedback_categories "
                f"({listed(categories)})",
                file,
                root,
                [*at, "feedback", field_id],
            )


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
        *("deviations", "competency", "key_method"),
    )
)


def localize(node: Any, language: str | None) -> Any:
    """The validated document with every per-language text replaced by one text."""
    if isinstance(node, list):
        return [localize(item, language) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in _TEXT_KEYS and isinstance(value, dict):
            out[key] = choose(value, language)
        elif key == "prompt" and isinstance(value, dict):
            out[key] = {role: choose(text, language) for role, text in value.items()}
        else:
            out[key] = localize(value, language)
    return out
