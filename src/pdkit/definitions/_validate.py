"""Every problem of a definition at once, for ``pdkit validate``: YAML, schema,
consistency and, for a workbook, the definitions it refers to; and across the files
checked together, two definitions that would share one id."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import DefinitionError
from ..i18n import N_
from ._limits import MAX_PROBLEMS, shown, too_deep
from ._load import definition_from_data, read_text
from ._model import KINDS, PathwayDefinition, WorkbookDefinition
from ._parsed import compose, line_of
from ._pathway import check_school_goal
from ._references import check_references
from ._schema import all_schema_errors, validate
from .goals import default_school_goals, load_school_goals, looks_like_school_goals

if TYPE_CHECKING:
    import yaml

__all__ = ["validate_files", "validate_text"]

_NAMESPACES = {
    "form": "form",
    "reflection": "form",
    "protocol": "protocol",
    "workbook": "workbook",
    "agenda": "workbook",  # both make <id>.ipynb
    "look-fors": "look-fors",
    "pathway": "pathway",
    "micro-credential": "micro-credential",
}
"""Kinds whose ids must differ: forms and reflections are both stored under their id."""


def validate_text(text: str, *, file: str = "<string>") -> list[DefinitionError]:
    """Every problem of a definition (not only the first): YAML, schema, consistency and,
    for a workbook, the definitions it refers to. An empty list means it is valid."""
    try:
        data, root = compose(text, file)
    except DefinitionError as exc:
        return [exc]
    return _problems(file, data, root)


def _problems(
    file: str, data: Any, root: yaml.Node | None, goal_ids: Sequence[str] | None = None
) -> list[DefinitionError]:
    try:
        if not isinstance(data, dict) or data.get("kind") not in KINDS:
            definition_from_data(data, root, file)  # says what is missing
        try:
            validate(data["kind"], data, file, root)  # quick, and enough for a valid file
        except DefinitionError:
            problems = all_schema_errors(data["kind"], data, file, root)  # every problem
            if problems:
                unique = sorted({str(p): p for p in problems}.values(), key=_where)
                if len(problems) > MAX_PROBLEMS:
                    more = DefinitionError(
                        N_("more problems than these {most}: fix these, then validate again"),
                        file=file,
                        most=MAX_PROBLEMS,
                    )
                    unique = [*unique[:MAX_PROBLEMS], more]
                return unique
        definition = definition_from_data(data, root, file)
    except DefinitionError as exc:
        return [exc]
    except RecursionError:  # the limits keep documents shallow; this is the last guard
        return [too_deep(file)]
    if isinstance(definition, WorkbookDefinition):
        return check_references(definition)
    if isinstance(definition, PathwayDefinition):
        return _pathway_problems(definition, root, goal_ids)
    return []


def _pathway_problems(
    pathway: PathwayDefinition, root: yaml.Node | None, goal_ids: Sequence[str] | None
) -> list[DefinitionError]:
    """A pathway's school goal (one of ``goal_ids``, else of the sample school goals),
    and the workbooks and protocols its steps name (pdkit's own)."""
    from ._load import builtin_workbooks, protocol_by_id

    problems: list[DefinitionError] = []
    try:
        check_school_goal(
            pathway, goal_ids if goal_ids is not None else [g.id for g in default_school_goals()]
        )
    except DefinitionError as exc:
        problems.append(
            DefinitionError(
                exc.template,
                **exc.words,
                file=exc.file,
                line=line_of(root, ["school_goal"]),
                path=exc.path,
            )
        )
    workbooks = builtin_workbooks()
    for index, step in enumerate(pathway.steps):
        if step.type == "workbook" and step.target not in workbooks:
            problems.append(
                DefinitionError(
                    N_("no workbook has the id {id} (pdkit's workbooks: {ids})"),
                    file=pathway.source,
                    line=line_of(root, ["steps", index, "workbook"]),
                    path=f"steps[{index}].workbook",
                    id=shown(step.target),
                    ids=", ".join(workbooks),
                )
            )
        elif step.type == "protocol" and step.target:
            try:
                protocol_by_id(step.target)
            except DefinitionError:
                problems.append(
                    DefinitionError(
                        N_("no protocol has the id {id}"),
                        file=pathway.source,
                        line=line_of(root, ["steps", index, "protocol"]),
                        path=f"steps[{index}].protocol",
                        id=shown(step.target),
                    )
                )
    return problems


def _where(problem: DefinitionError) -> tuple[int, str]:
    return (problem.line or 0, problem.path)


def validate_files(files: Sequence[Path]) -> Iterator[tuple[Path, list[DefinitionError]]]:
    """Each file with its problems (an empty list when it is valid), for ``pdkit
    validate``: definitions, and school goals files (YAML or CSV) as school goals. A
    definition whose id an earlier file's definition of the same kind already has is a
    problem too (forms and reflections count as one kind: both keep their answers under
    their id)."""
    first: dict[tuple[str, str], str] = {}
    goal_ids = _school_goal_ids(files)
    for file in files:
        name = str(file)
        if file.suffix.lower() == ".csv":  # the only CSV files pdkit reads
            yield file, _school_goal_problems(file)
            continue
        try:
            text = read_text(file)
        except DefinitionError as exc:
            # a file that cannot be read says so first; the reason is the problem as said
            yield (
                file,
                [
                    DefinitionError(exc.template, **exc.words, file=name)
                    if exc.problem.startswith("cannot be read")
                    else DefinitionError(
                        N_("cannot be read: {reason}"), file=name, reason=exc.problem
                    )
                ],
            )
            continue
        try:
            data, root = compose(text, name)
        except DefinitionError as exc:
            yield file, [exc]
            continue
        if looks_like_school_goals(data):
            yield file, _school_goal_problems(file)
            continue
        problems = _problems(name, data, root, goal_ids)
        kind = data.get("kind") if isinstance(data, dict) else None
        ident = data.get("id") if isinstance(data, dict) else None
        if isinstance(kind, str) and kind in _NAMESPACES and isinstance(ident, str):
            key = (_NAMESPACES[kind], ident)
            if key in first:
                problems.append(
                    DefinitionError(
                        N_(
                            "the id {id} is also used by {first}; each form and reflection "
                            "needs its own id: rename one"
                        )
                        if key[0] == "form"
                        else N_(
                            "the id {id} is also used by {first}; each {kind_name} needs its "
                            "own id: rename one"
                        ),
                        file=name,
                        line=line_of(root, ["id"]),
                        path="id",
                        id=shown(ident),
                        first=first[key],
                        kind_name=key[0],
                    )
                )
            else:
                first[key] = name
        yield file, problems


def _school_goal_ids(files: Sequence[Path]) -> list[str] | None:
    """The ids of the school goals among ``files`` (a pathway's school goal is checked
    against them), None when there are none (then against the sample goals)."""
    found: list[str] | None = None
    for file in files:
        if file.suffix.lower() not in (".csv", ".yaml", ".yml"):
            continue
        try:
            if file.suffix.lower() != ".csv":
                data, _ = compose(read_text(file), str(file))
                if not looks_like_school_goals(data):
                    continue
            goals = load_school_goals(file)
        except DefinitionError:
            continue  # reported with the file itself
        found = [*(found or []), *(g.id for g in goals)]
    return found


def _school_goal_problems(file: Path) -> list[DefinitionError]:
    try:
        load_school_goals(file)
    except DefinitionError as exc:
        return [exc]
    return []
