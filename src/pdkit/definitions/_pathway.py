"""A ``kind: pathway`` document becomes a :class:`~._model.PathwayDefinition`, with the
checks a schema cannot make: step ids unique, what each step's type needs (a resource's
link, a workbook's id, give or receive for an observation …), prerequisites that name
steps of the pathway and never go round in a circle, and enough optional steps for the
minimum asked. Whether the school goal exists depends on the session's list: see
:func:`check_school_goal`."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import yaml

from ..errors import DefinitionError
from ._build import _fail
from ._limits import shown
from ._model import PathwayDefinition, PathwayStep

__all__ = ["build_pathway", "check_school_goal"]

_TARGETS = {
    "resource": "link",
    "workbook": "workbook",
    "protocol": "protocol",
    "observation": "observation",
    "credential": "credential",
}
"""The key that says what a step of each type is about (``protocol``: optional, any
protocol when left out); ``link`` may be given to any step, a resource must have one."""

_NEEDED = ("resource", "workbook", "observation", "credential")


def build_pathway(data: dict[str, Any], file: str, root: yaml.Node | None) -> PathwayDefinition:
    steps: list[PathwayStep] = []
    seen: set[str] = set()
    for index, raw in enumerate(data["steps"]):
        at: list[str | int] = ["steps", index]
        if raw["id"] in seen:
            raise _fail(f"the step id {raw['id']!r} is used twice", file, root, [*at, "id"])
        seen.add(raw["id"])
        kind = raw["type"]
        for key in ("workbook", "protocol", "observation", "credential"):
            if key in raw and _TARGETS.get(kind) != key:
                raise _fail(
                    f"{key!r} does not apply to a {kind!r} step (only to a {key!r} step)",
                    file,
                    root,
                    [*at, key],
                )
        key = _TARGETS.get(kind, "")
        if kind in _NEEDED and key not in raw:
            raise _fail(
                f"a {kind!r} step needs {key!r}"
                + (" (an http:// or https:// address)" if key == "link" else ""),
                file,
                root,
                at,
            )
        after = tuple(raw.get("after", ()))
        if raw["id"] in after:
            raise _fail("a step cannot come after itself", file, root, [*at, "after"])
        steps.append(
            PathwayStep(
                id=raw["id"],
                type=kind,
                title=" ".join(raw["title"].split()),
                required=bool(raw.get("required", False)),
                about=raw.get("about", "").strip(),
                link=raw.get("link", ""),
                target=str(raw.get(key, "")) if key and key != "link" else "",
                after=after,
            )
        )
    ids = [s.id for s in steps]
    for index, step in enumerate(steps):
        for n, before in enumerate(step.after):
            if before not in seen:
                raise _fail(
                    f"step {step.id!r} comes after {shown(before)}, which is no step of this "
                    f"pathway (its steps: {', '.join(ids)})",
                    file,
                    root,
                    ["steps", index, "after", n],
                )
    circle = _circle(steps)
    if circle:
        where = ids.index(circle[0])
        raise _fail(
            "these steps wait for each other in a circle, so none could ever start: "
            f"{' → '.join([*circle, circle[0]])}; remove one of their 'after'",
            file,
            root,
            ["steps", where, "after"],
        )
    optional = sum(1 for s in steps if not s.required)
    least = int(data.get("min_optional", 0))
    if least > optional:
        raise _fail(
            f"min_optional asks for {least} optional steps, but the pathway has only {optional}",
            file,
            root,
            ["min_optional"],
        )
    if not any(s.required for s in steps) and least == 0:
        raise _fail(
            "a pathway needs a required step or a min_optional of at least 1, else it is "
            "done before it starts",
            file,
            root,
            ["steps"],
        )
    return PathwayDefinition(
        id=data["id"],
        title=" ".join(data["title"].split()),
        school_goal=data["school_goal"],
        steps=tuple(steps),
        min_optional=least,
        intro=data.get("intro", "").strip(),
        version=str(data.get("version", "1")),
        origin=data.get("origin", "").strip(),
        source=file,
    )


def _circle(steps: Iterable[PathwayStep]) -> list[str]:
    """Steps whose prerequisites lead back to them, in order (empty: none do)."""
    after = {s.id: s.after for s in steps}
    state: dict[str, int] = {}  # 1: being walked, 2: done
    for start in after:
        if state.get(start):
            continue
        path: list[str] = [start]
        todo: list[Iterator[str]] = [iter(after[start])]
        state[start] = 1
        while todo:
            nxt = next(todo[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                todo.pop()
                continue
            if state.get(nxt) == 1:
                return path[path.index(nxt) :]
            if not state.get(nxt):
                state[nxt] = 1
                path.append(nxt)
                todo.append(iter(after[nxt]))
    return []


def check_school_goal(pathway: PathwayDefinition, goal_ids: Iterable[str]) -> None:
    """:class:`DefinitionError` when ``pathway`` is for a school goal not among ``goal_ids``."""
    known = list(goal_ids)
    if pathway.school_goal not in known:
        raise DefinitionError(
            f"the school goal {shown(pathway.school_goal)} is not one of this session's school "
            f"goals ({', '.join(known)}): use one of their ids, or give the school goals it "
            "belongs to (--school-goals)",
            file=pathway.source,
            path="school_goal",
        )
