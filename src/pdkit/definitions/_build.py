"""Validated documents become definition objects, with the checks a schema cannot make
(ids unique in their list, roles that exist, a scale's points, a step's time in its
allowed range, …). Each problem names the file, the line and the place."""

from __future__ import annotations

import math
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from ..errors import DefinitionError
from ..i18n import N_
from ._limits import PathPart, format_path, listed, shown
from ._localize import localize
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
from ._parsed import line_of
from .ids import EVALUATION_FORM

if TYPE_CHECKING:
    import yaml

__all__ = [
    "build_agenda",
    "build_form",
    "build_protocol",
    "build_workbook",
    "localize",
]


def _at(
    file: str, root: yaml.Node | None, path: list[PathPart], *, key: bool = False
) -> dict[str, Any]:
    """Where ``path`` is, as a :class:`DefinitionError`'s ``file``, ``line`` and ``path``
    keywords; with ``key`` the line is that of the last key, not its value."""
    return {"file": file, "line": line_of(root, path, key=key), "path": format_path(path)}


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
                raise DefinitionError(
                    N_("{key!r} does not apply to a {type!r} field (only to {types})"),
                    **_at(file, root, [*at, key]),
                    key=key,
                    type=ftype,
                    types=", ".join(types),
                )
        if raw["id"] in seen:
            raise DefinitionError(
                N_("the field id {id!r} is already used by {first}; field ids must be unique here"),
                **_at(file, root, [*at, "id"]),
                id=raw["id"],
                first=format_path([*prefix, seen[raw["id"]]]),
            )
        seen[raw["id"]] = index
        options = tuple(
            Option(value=o, label=o) if isinstance(o, str) else Option(o["value"], o["label"])
            for o in raw.get("options", ())
        )
        if ftype in ("choice", "multi_choice"):
            if bool(options) == ("options_from" in raw):
                raise DefinitionError(
                    N_("a {type!r} field needs either 'options' or 'options_from' (exactly one)"),
                    **_at(file, root, at),
                    type=ftype,
                )
            repeat = _first_repeat([o.value for o in options])
            if repeat is not None:
                raise DefinitionError(
                    N_("option {value} is listed twice"),
                    **_at(file, root, [*at, "options", repeat]),
                    value=shown(options[repeat].value),
                )
        if ftype == "scale":
            if "points" not in raw:
                raise DefinitionError(
                    N_("a 'scale' field needs 'points' (value and label for each)"),
                    **_at(file, root, at),
                )
            options = tuple(Option(p["value"], p["label"]) for p in raw["points"])
            repeat = _first_repeat([o.value for o in options])
            if repeat is not None:
                raise DefinitionError(
                    N_("two points of the scale share a value"),
                    **_at(file, root, [*at, "points", repeat, "value"]),
                )
        for bound in ("min", "max"):
            if bound in raw and not math.isfinite(raw[bound]):
                raise DefinitionError(
                    N_("{bound!r} must be a finite number"),
                    **_at(file, root, [*at, bound]),
                    bound=bound,
                )
        if ftype == "number" and raw.get("min", -math.inf) > raw.get("max", math.inf):
            raise DefinitionError(N_("'min' is larger than 'max'"), **_at(file, root, [*at, "min"]))
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
                raise DefinitionError(
                    N_(
                        "a facilitator workbook holds only text and the facilitator section, "
                        "not {section!r} (participants' sections belong in another workbook)"
                    )
                    if own == "facilitator"
                    else N_(
                        "a coach workbook holds only text and the coach section, not "
                        "{section!r} (participants' sections belong in another workbook)"
                    ),
                    **_at(file, root, ["sections", index]),
                    section=section.kind,
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
            raise DefinitionError(
                N_("the part id {id!r} is used twice"),
                **_at(file, root, [*at, "id"]),
                id=raw["id"],
            )
        shows = [k for k in AGENDA_SHOWS if k in raw]
        if len(shows) != 1:
            raise DefinitionError(
                N_("a part shows exactly one thing ({things}); this one has {shows}")
                if shows
                else N_("a part shows exactly one thing ({things}); this one has nothing"),
                **_at(file, root, at),
                things=", ".join(AGENDA_SHOWS),
                shows=" and ".join(repr(k) for k in shows),
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
            raise DefinitionError(
                N_("the role id {id!r} is used twice"),
                **_at(file, root, ["roles", index, "id"]),
                id=raw["id"],
            )
        count = raw.get("count", 1)
        if count == "rest" and any(r.count is None for r in roles):
            raise DefinitionError(
                N_("only one role can take 'count: rest'"),
                **_at(file, root, ["roles", index, "count"]),
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
        raise DefinitionError(
            N_("the smallest group ({low}) is larger than the largest ({high})"),
            **_at(file, root, ["group_size"]),
            low=low,
            high=high,
        )
    steps: list[Step] = []
    for index, raw in enumerate(data["steps"]):
        at: list[PathPart] = ["steps", index]
        if any(s.id == raw["id"] for s in steps):
            raise DefinitionError(
                N_("the step id {id!r} is used twice"),
                **_at(file, root, [*at, "id"]),
                id=raw["id"],
            )
        for key in ("speaking", "silent"):
            for pos, role in enumerate(raw.get(key, ())):
                if role not in known:
                    raise DefinitionError(
                        N_("{role!r} is not a role of this protocol (roles: {roles})"),
                        **_at(file, root, [*at, key, pos]),
                        role=role,
                        roles=listed(sorted(known)),
                    )
        for key in ("prompt", "capture"):
            for role in raw.get(key, {}):
                if role not in known:
                    raise DefinitionError(
                        N_("{role!r} is not a role of this protocol (roles: {roles})"),
                        **_at(file, root, [*at, key, role], key=True),
                        role=role,
                        roles=listed(sorted(known)),
                    )
        speaking, silent = set(raw.get("speaking", ())), set(raw.get("silent", ()))
        # 'all' in one list and a role in the other would make that role do both.
        both = [
            r.id
            for r in roles
            if (r.id in speaking or ALL in speaking) and (r.id in silent or ALL in silent)
        ]
        if both:
            raise DefinitionError(
                N_("{role!r} cannot both speak and be silent in one step"),
                **_at(file, root, [*at, "silent"]),
                role=both[0],
            )
        allowed = raw.get("allowed")
        if allowed is not None and not allowed[0] <= raw["minutes"] <= allowed[1]:
            raise DefinitionError(
                N_("{minutes} minutes is outside the allowed range {low}–{high}"),
                **_at(file, root, [*at, "minutes"]),
                minutes=raw["minutes"],
                low=allowed[0],
                high=allowed[1],
            )
        capture = {
            role: _build_fields(items, file, root, [*at, "capture", role])
            for role, items in raw.get("capture", {}).items()
        }
        for role in (r.id for r in roles):
            ids = [f.id for f in (*capture.get(ALL, ()), *capture.get(role, ()))]
            repeat = _first_repeat(ids)
            if repeat is not None:
                raise DefinitionError(
                    N_("{role!r} would write the field {field!r} twice in this step"),
                    **_at(file, root, [*at, "capture", role]),
                    role=role,
                    field=ids[repeat],
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
            raise DefinitionError(
                N_(
                    "the presenter {presenter!r} is not a role here: it must be a role of one "
                    "person (roles: {roles})"
                )
                if role is None
                else N_(
                    "the presenter {presenter!r} is a role of several people: it must be a role "
                    "of one person (roles: {roles})"
                ),
                **_at(file, root, ["presenter"]),
                presenter=presenter,
                roles=listed([r.id for r in roles]),
            )
    rank = {"first": 0, "each": 1, "last": 2}
    for index, (before, step) in enumerate(pairwise(steps), 1):
        if rank[step.round] < rank[before.round]:
            raise DefinitionError(
                N_(
                    "a 'round: {round}' step cannot follow a 'round: {before}' one: "
                    "steps of the first round come first, then those of every round, then those "
                    "after the last"
                ),
                **_at(file, root, ["steps", index, "round"]),
                round=step.round,
                before=before.round,
            )
    if not any(s.round == "each" for s in steps):
        raise DefinitionError(
            N_("no step runs in every round: mark at least one step 'round: each' (the default)"),
            **_at(file, root, ["steps"]),
        )
    stated = data.get("total_minutes")
    total = sum(s.minutes for s in steps)
    if stated is not None and abs(stated - total) > 1e-6:
        raise DefinitionError(
            N_("the steps add up to {total:g} minutes, not the {stated:g} this protocol states"),
            **_at(file, root, ["total_minutes"]),
            total=total,
            stated=stated,
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
        raise DefinitionError(
            N_("feedback goes to the presenter: name the protocol's 'presenter' role"),
            **_at(file, root, [*at, "feedback"]),
        )
    categories = data.get("feedback_categories", [])
    given = {
        f.id for role, fields in capture.items() if role != data.get("presenter") for f in fields
    }
    for field_id, category in feedback.items():
        if field_id not in given:
            raise DefinitionError(
                N_(
                    "{field!r} is not a field this step captures from the presenter's "
                    "colleagues (fields: {fields})"
                ),
                **_at(file, root, [*at, "feedback", field_id], key=True),
                field=field_id,
                fields=listed(sorted(given)),
            )
        if category not in categories:
            raise DefinitionError(
                N_("{category!r} is not one of this protocol's feedback_categories ({categories})"),
                **_at(file, root, [*at, "feedback", field_id]),
                category=category,
                categories=listed(categories),
            )
