"""What a workbook refers to: the definition behind each section's id, a district's copy
beside the workbook winning over the built-in, and the forms a workbook shows."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import DefinitionError, PdkitError
from ..i18n import N_
from ._limits import MAX_PROBLEMS, close_matches, listed
from ._load import (
    builtin_definition_path,
    builtin_definitions,
    load_definition,
    load_form,
    load_workbook,
    read_text,
)
from ._model import (
    AgendaDefinition,
    Definition,
    FormDefinition,
    SchoolGoal,
    Section,
    WorkbookDefinition,
)
from .goals import is_school_goals_text

__all__ = ["check_references", "resolve_reference", "workbook_forms", "workbooks_in"]

_SECTION_NEEDS = {
    "form": ("form",),
    "reflection": ("reflection", "form"),
    "reflections": ("reflection", "form"),
    "evaluation": ("form", "reflection"),
}


_WORKBOOK_KIND = re.compile(r"^kind:\s*(workbook|agenda)\s*$", re.MULTILINE)


@dataclass(frozen=True)
class _NoSuch:
    """No definition has the id a workbook names: the built-ins as a message lists them,
    and the one closest to the id ("" when none is close)."""

    ids: str
    close: str


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
                and not _WORKBOOK_KIND.search(read_text(candidate))  # a workbook is not a section
            ):
                return candidate
    return builtin_definition_path(ref)


def check_references(workbook: WorkbookDefinition) -> list[DefinitionError]:
    """Every problem with the definitions a workbook refers to (empty when all is well;
    at most :data:`MAX_PROBLEMS`). Each id is looked up and loaded once, however often
    the workbook names it."""
    problems: list[DefinitionError] = []
    found: dict[str, Definition | DefinitionError | _NoSuch] = {}
    for _index, section, where in _referring(workbook):
        wanted = _SECTION_NEEDS.get(section.kind)
        if wanted is None:
            continue
        for ref in section.refs:
            if len(problems) >= MAX_PROBLEMS:
                return problems
            first = ref not in found
            if first:
                found[ref] = _look_up(ref, workbook)
            definition = found[ref]
            if isinstance(definition, _NoSuch):  # no such definition: where the workbook names it
                problems.append(
                    DefinitionError(
                        N_(
                            "{ref!r} is not a definition beside this workbook or in its parent "
                            "folder, and no built-in definition has this id (did you mean "
                            "{close!r}? built-ins: {ids})"
                        )
                        if definition.close
                        else N_(
                            "{ref!r} is not a definition beside this workbook or in its parent "
                            "folder, and no built-in definition has this id (built-ins: {ids})"
                        ),
                        file=workbook.source,
                        path=where,
                        ref=ref,
                        close=definition.close,
                        ids=definition.ids,
                    )
                )
            elif isinstance(definition, DefinitionError):
                if first:  # a problem of the file itself: once
                    problems.append(definition)
            elif definition.kind not in wanted:
                problems.append(
                    DefinitionError(
                        N_("{ref!r} is a {found}, but a {section!r} section needs a {needed}")
                        if len(wanted) == 1
                        else N_(
                            "{ref!r} is a {found}, but a {section!r} section needs a {needed} "
                            "or {other}"
                        ),
                        file=workbook.source,
                        path=where,
                        ref=ref,
                        found=definition.kind,
                        section=section.kind,
                        needed=wanted[0],
                        other=wanted[-1],
                    )
                )
            elif getattr(definition, "anonymous", False) != (section.kind == "evaluation"):
                problems.append(
                    DefinitionError(
                        N_(
                            "{ref!r} is anonymous (anonymous: true): show it in an 'evaluation' "
                            "section or part, where answers are kept as anonymous sheets"
                        )
                        if section.kind != "evaluation"
                        else N_(
                            "{ref!r} is not anonymous, but an 'evaluation' shows only an "
                            "anonymous form (anonymous: true), such as 'session-evaluation'"
                        ),
                        file=workbook.source,
                        path=where,
                        ref=ref,
                    )
                )
    return problems


def _referring(workbook: WorkbookDefinition) -> list[tuple[int, Section, str]]:
    """(section index, what it refers to as a section, where it is) for every section, or
    for every form an agenda's parts show (all in its one section, each form once; a
    ``revise`` part shows the goal form again)."""
    if isinstance(workbook, AgendaDefinition):
        kinds = {
            "form": "form",
            "reflection": "reflection",
            "revise": "form",
            "evaluation": "evaluation",
        }
        found: dict[str, tuple[int, Section, str]] = {}
        for index, part in enumerate(workbook.parts):
            if part.shows in kinds and part.ref not in found:  # the goal, and its revision: once
                found[part.ref] = (
                    0,
                    Section(kinds[part.shows], refs=(part.ref,)),
                    f"parts[{index}].{part.shows}",
                )
        return list(found.values())
    return [
        (index, section, f"sections[{index}].{section.kind}")
        for index, section in enumerate(workbook.sections)
    ]


def _look_up(ref: str, workbook: WorkbookDefinition) -> Definition | DefinitionError | _NoSuch:
    """The definition ``ref`` means, the problem with its file, or (:class:`_NoSuch`) that
    there is no such definition."""
    try:
        path = resolve_reference(ref, workbook)
    except DefinitionError as exc:
        if exc.file != ref:  # a file beside the workbook cannot be read
            return exc
        # The built-ins as every message lists names (the first dozen): with the path of
        # the workbook before it, the whole list would be cut in its middle.
        ids = builtin_definitions()
        close = close_matches(ref, ids)
        return _NoSuch(ids=listed(ids), close=close[0] if close else "")
    try:
        return load_definition(path)
    except DefinitionError as exc:
        return exc


def workbook_forms(
    workbook: WorkbookDefinition,
    language: str | None = None,
    school_goals: Sequence[SchoolGoal] = (),
) -> list[tuple[int, FormDefinition]]:
    """(section index, form) for every form and reflection a workbook shows; choices
    from ``school_goals`` are filled in so answers read as their labels. A form named
    in several sections is read once."""
    found = []
    forms: dict[str, FormDefinition] = {}
    for index, section, _where in _referring(workbook):
        if section.kind in ("form", "reflection", "reflections"):
            for ref in section.refs:
                if ref not in forms:
                    path = resolve_reference(ref, workbook)
                    form = load_form(path, language=language or workbook.language)
                    forms[ref] = form.with_school_goals(school_goals)
                found.append((index, forms[ref]))
    return found


def workbooks_in(sources: Sequence[Path]) -> list[WorkbookDefinition]:
    """The workbook definitions among ``sources`` (forms, protocols and school goals kept
    beside them are passed over), each checked with what it refers to;
    :class:`DefinitionError` for the first problem, or for two workbooks with one id (both
    would make ``<id>.ipynb``), :class:`PdkitError` when there is none."""
    workbooks: list[WorkbookDefinition] = []
    for source in sources:
        try:
            text = read_text(source)
        except DefinitionError:
            text = ""  # loading it below says why it cannot be read
        if text and is_school_goals_text(text):
            continue  # a school goals file kept with the definitions
        if load_definition(source).kind not in ("workbook", "agenda"):
            continue  # forms, reflections and protocols in the same folder
        workbook = load_workbook(source)
        problems = check_references(workbook)
        if problems:
            raise problems[0]
        same = [w.source for w in workbooks if w.id == workbook.id]
        if same:
            raise DefinitionError(
                N_(
                    "the workbook id {id!r} is also used by {first}; each workbook needs its own id"
                ),
                file=workbook.source,
                path="id",
                id=workbook.id,
                first=same[0],
            )
        workbooks.append(workbook)
    if not workbooks:
        raise PdkitError(
            N_("no workbook definitions (kind: workbook) found in {sources}"),
            sources=", ".join(str(s) for s in sources),
        )
    return workbooks
