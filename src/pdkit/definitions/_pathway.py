"""A ``kind: pathway`` document becomes a :class:`~._model.PathwayDefinition`, with the
checks a schema cannot make: step ids unique, what each step's type needs (a resource's
link, a workbook's id, give or receive for an observation …), prerequisites that name
steps of the pathway and never go round in a circle, and enough optional steps for the
minimum asked. Whether the school goal exists depends on the session's list: see
:func:`check_school_goal`."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from ..errors import DefinitionError
from ..i18n import N_
from ._build import _at
from ._limits import shown
from ._model import PathwayDefinition, PathwayStep

if TYPE_CHECKING:
    import yaml

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
            raise DefinitionError(
                N_("the step id {id!r} is used twice"),
                **_at(file, root, [*at, "id"]),
                id=raw["id"],
            )
        seen.add(raw["id"])
        kind = raw["type"]
        for key in ("workbook", "protocol", "observation", "credential"):
            if key in raw and _TARGETS.get(kind) != key:
                raise DefinitionError(
                    N_("{key!r} does not apply to a {type!r} step (only to a {key!r} step)"),
                    **_at(file, root, [*at, key]),
                    key=key,
                    type=kind,
                )
        key = _TARGETS.get(kind, "")
        if kind in _NEEDED and key not in raw:
            raise DefinitionError(
                N_("a {type!r} step needs {key!r} (an http:// or https:// address)")
                if key == "link"
                else N_("a {type!r} step needs {key!r}"),
                **_at(file, root, at),
                type=kind,
                key=key,
            )
        after = tuple(raw.get("after", ()))
        if raw["id"] in after:
            raise DefinitionError(
                N_("a step cannot come after itself"), **_at(file, root, [*at, "after"])
            )
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
                raise DefinitionError(
                    N_(
                        "step {step!r} comes after {before}, which is no step of this "
                        "pathway (its steps: {steps})"
                    ),
                    **_at(file, root, ["steps", index, "after", n]),
                    step=step.id,
                    before=shown(before),
                    steps=", ".join(ids),
                )
    circle = _circle(steps)
    if circle:
        where = ids.index(circle[0])
        raise DefinitionError(
            N_(
                "these steps wait for each other in a circle, so none could ever start: "
                "{circle}; remove one of their 'after'"
            ),
            **_at(file, root, ["steps", where, "after"]),
            circle=" → ".join([*circle, circle[0]]),
        )
    optional = sum(1 for s in steps if not s.required)
    least = int(data.get("min_optional", 0))
    if least > optional:
        raise DefinitionError(
            N_("min_optional asks for {least} optional steps, but the pathway has only {optional}"),
            **_at(file, root, ["min_optional"]),
            least=least,
            optional=optional,
        )
    if not any(s.required for s in steps) and least == 0:
        raise DefinitionError(
            N_(
                "a pathway needs a required step or a min_optional of at least 1, else it is "
                "done before it starts"
            ),
            **_at(file, root, ["steps"]),
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
            N_(
                "the school goal {goal} is not one of this session's school goals ({goals}): "
                "use one of their ids, or give the school goals it belongs to (--school-goals)"
            ),
            file=pathway.source,
            path="school_goal",
            goal=shown(pathway.school_goal),
            goals=", ".join(known),
        )
