"""What ``pdkit serve`` checks in the notebooks it will serve, before Voilà starts.

Each notebook names what it runs in a code cell: ``Workbook("<reference>")`` (what
``pdkit build`` writes), or a one-cell app (``form_app("<form>")``,
``reflection_app((…))``). A reference is a built-in id or a YAML path relative to the
notebook's folder, where its kernel runs; it is resolved here as the kernel will resolve
it. The definitions found, and every local definition a workbook refers to, are
checked as ``pdkit validate`` checks them, so that every problem is listed at once (file,
line, place) in the terminal instead of on every participant's page. A built notebook's
``workbook.section(N)`` cells must name sections its workbook has (a definition edited
after ``pdkit build`` can lose some).

A notebook that runs no pdkit app and has no ``metadata.pdkit`` is not a pdkit
workbook: it is served as it is.
"""

from __future__ import annotations

import ast
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..definitions import (
    Section,
    WorkbookDefinition,
    builtin_definition_path,
    builtin_workbook_path,
    load_form,
    load_workbook,
    read_text,
    read_yaml,
    resolve_reference,
    validate_text,
)
from ..errors import DefinitionError, PdkitError
from ..i18n import N_, Nn_, terminal_words

__all__ = ["NotebookRun", "check_notebooks", "read_notebook", "served_notebooks"]

_APPS = {"Workbook": "workbook", "form_app": "form", "reflection_app": "reflection"}
"""The pdkit callables a notebook may run with a definition, and what they take."""

_ARGUMENTS = {"workbook", "definition", "reflections"}
"""Their parameters that name the definitions."""

_OTHER_APPS = {"protocol_app", "facilitator_app"}
"""pdkit apps that take no definition (only the store, checked anyway)."""

MAX_NOTEBOOK_BYTES = 32 * 1024 * 1024
"""A served notebook larger than this is refused (a built workbook is a few KiB)."""


def served_notebooks(path: Path) -> list[Path]:
    """The notebooks Voilà serves from ``path``: the file itself, or every ``.ipynb``
    in the folder and below it that Voilà lists (hidden files and folders, such as
    ``.ipynb_checkpoints``, are not)."""
    if path.is_file():
        return [path]
    return sorted(
        nb
        for nb in path.rglob("*.ipynb")
        if not any(part.startswith(".") for part in nb.relative_to(path).parts)
    )


@dataclass
class NotebookRun:
    """What one notebook runs, as read from its code cells and metadata."""

    notebook: Path
    calls: list[tuple[str, list[str]]] = field(default_factory=list)
    """(what, references): ``("workbook", ["goal-setting"])``, ``("form", […])`` …"""
    sections: list[int] = field(default_factory=list)
    """The ``N`` of every ``….section(N)`` cell."""
    unreadable: list[str] = field(default_factory=list)
    """Calls whose references are not plain text (``Workbook(path)``): not checked."""
    pdkit_metadata: bool = False
    other_apps: bool = False

    @property
    def is_pdkit(self) -> bool:
        return bool(self.calls or self.unreadable or self.pdkit_metadata or self.other_apps)


def read_notebook(notebook: Path) -> NotebookRun:
    """What ``notebook`` runs; :class:`DefinitionError` when it is no notebook at all."""
    try:
        with notebook.open("rb") as stream:
            raw = stream.read(MAX_NOTEBOOK_BYTES + 1)
        if len(raw) > MAX_NOTEBOOK_BYTES:
            raise DefinitionError(
                N_(
                    "is larger than {most} MiB: too large to serve (a workbook notebook is a "
                    "few KiB)"
                ),
                file=_shown(notebook),
                most=MAX_NOTEBOOK_BYTES // (1024 * 1024),
            )
        data = json.loads(raw.decode("utf-8-sig"))
    except RecursionError:
        raise DefinitionError(
            N_("cannot be read as a notebook (its JSON nests too deeply)"), file=_shown(notebook)
        ) from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise DefinitionError(
            N_("cannot be read as a notebook ({reason})"),
            file=_shown(notebook),
            reason=shown_error(exc),
        ) from None
    cells = data.get("cells") if isinstance(data, dict) else None
    if not isinstance(cells, list):
        raise DefinitionError(N_("is not a notebook (no list of cells)"), file=_shown(notebook))
    metadata = data.get("metadata")
    found = NotebookRun(notebook, pdkit_metadata=isinstance(metadata, dict) and "pdkit" in metadata)
    for cell in cells:
        if isinstance(cell, dict) and cell.get("cell_type") == "code":
            source = cell.get("source", "")
            _read_cell("".join(source) if isinstance(source, list) else str(source), found)
    return found


def _read_cell(source: str, found: NotebookRun) -> None:
    # IPython's own lines (%magic, !shell) are not Python: left out, the rest is parsed.
    lines = [
        "" if line.lstrip().startswith(("%", "!", "?")) else line for line in source.splitlines()
    ]
    try:
        tree = ast.parse("\n".join(lines))
    except SyntaxError:
        return  # the kernel will say so on the page; pdkit cannot read it either
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = _called_name(node.func)
        if name == "section" and node.args and isinstance(node.args[0], ast.Constant):
            if isinstance(node.args[0].value, int):
                found.sections.append(node.args[0].value)
        elif name in _OTHER_APPS:
            found.other_apps = True
        elif name in _APPS:
            what = _APPS[name]
            given = (
                node.args[0]
                if node.args
                else next((k.value for k in node.keywords if k.arg in _ARGUMENTS), None)
            )
            refs = _texts(given, many=what == "reflection")
            if given is None:
                refs = ["goal-setting"] if what != "reflection" else []
            if refs is None:
                found.unreadable.append(f"{name}(…)")
            elif refs:
                found.calls.append((what, refs))
            else:  # reflection_app(): the built-in reflections, checked with the built-ins
                found.other_apps = True


def _called_name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _texts(node: ast.expr | None, *, many: bool) -> list[str] | None:
    """The plain texts ``node`` is (one, or a tuple or list of them); None otherwise."""
    if node is None:
        return []
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if many and isinstance(node, (ast.Tuple, ast.List)):
        texts = [_texts(item, many=False) for item in node.elts]
        if all(t is not None for t in texts):
            return [t for each in texts if each for t in each]
    return None


def _resolve(notebook: Path, ref: str, what: str) -> Path:
    """The YAML file a kernel running ``notebook`` reads for ``ref`` (as
    :func:`pdkit.definitions.load_workbook` and ``load_definition`` resolve it, from
    the notebook's folder)."""
    candidate = Path(os.path.normpath(notebook.parent / ref))  # no "…/../" in messages
    if not Path(ref).suffix and not candidate.exists():
        try:
            return (
                builtin_workbook_path(ref) if what == "workbook" else builtin_definition_path(ref)
            )
        except DefinitionError as exc:
            call = "Workbook" if what == "workbook" else f"{what}_app"
            raise DefinitionError(
                N_("{call}({ref!r}): {reason}"),
                file=_shown(notebook),
                call=call,
                ref=ref,
                reason=exc.problem,
            ) from None
    return candidate


def check_notebooks(notebooks: list[Path]) -> tuple[list[PdkitError], list[str]]:
    """Every problem in what ``notebooks`` run, and notices for the terminal (a notebook
    served as it is, a reference that cannot be read)."""
    t, _tn = terminal_words()
    problems: list[PdkitError] = []
    notices: list[str] = []
    checked: dict[Path, bool] = {}  # each file read, and whether it had problems
    for notebook in notebooks:
        try:
            run = read_notebook(notebook)
        except DefinitionError as exc:
            problems.append(exc)
            continue
        if not run.is_pdkit:
            notices.append(
                t("{notebook} is not a pdkit workbook: served as it is").format(
                    notebook=_shown(notebook)
                )
            )
            continue
        for call in run.unreadable:
            notices.append(
                t("{notebook}: {call} does not name its definition as text: not checked").format(
                    notebook=_shown(notebook), call=call
                )
            )
        if run.pdkit_metadata and not run.calls and not run.unreadable and not run.other_apps:
            problems.append(
                DefinitionError(
                    N_(
                        "a pdkit workbook notebook whose code cells make no Workbook(…); "
                        "build it again with pdkit build"
                    ),
                    file=_shown(notebook),
                )
            )
        for what, refs in run.calls:
            for ref in refs:
                try:
                    path = _resolve(notebook, ref, what)
                except DefinitionError as exc:
                    problems.append(exc)
                    continue
                problems += _check_file(path, checked)
                if not checked[path.resolve()]:  # a valid definition: of the right kind?
                    problems += _check_kind(what, path)
                if what == "workbook":
                    problems += _check_workbook(run, path, checked)
    return _unique(problems), notices


def _check_file(path: Path, checked: dict[Path, bool]) -> list[PdkitError]:
    """Every problem of one definition file (once per file)."""
    key = path.resolve()
    if key in checked:
        return []
    try:
        text = read_text(path)  # within the definitions' size limit
        problems: list[PdkitError] = list(validate_text(text, file=_shown(path)))
    except DefinitionError as exc:
        problems = [DefinitionError(exc.template, file=_shown(path), **exc.words)]
    checked[key] = bool(problems)
    return problems


def _check_kind(what: str, path: Path) -> list[PdkitError]:
    """A valid definition where the notebook needs another kind (a form given to
    ``Workbook(…)``): the page would fail, so serve says so now."""
    try:
        if what == "workbook":
            load_workbook(path)
        else:
            load_form(path)
    except DefinitionError as exc:
        return [DefinitionError(exc.template, file=_shown(path), **exc.words)]
    return []


def shown_error(exc: BaseException) -> str:
    """An exception's message, cut to a line (a JSON error can quote a whole file)."""
    text = str(exc)
    return text if len(text) <= 200 else text[:200] + "…"


def _shown(path: Path) -> str:
    """``path`` as a person reads it: relative to the current folder when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _check_workbook(run: NotebookRun, path: Path, checked: dict[Path, bool]) -> list[PdkitError]:
    """Every problem of the local definitions a workbook refers to (even when the
    workbook itself has problems), and section cells the workbook does not have."""
    try:
        workbook: WorkbookDefinition | None = load_workbook(path)
    except DefinitionError:
        workbook = None  # its own problems are listed by _check_file
    problems: list[PdkitError] = []
    for local in _local_references(workbook or _sections_only(path)):
        problems += _check_file(local, checked)
    if workbook is None:
        return problems
    count = len(workbook.sections)
    for index in sorted(set(run.sections)):
        if not 0 <= index < count:
            problems.append(
                DefinitionError(
                    Nn_(
                        "a cell shows workbook.section({index}), but {workbook} has {count} "
                        "section: build the notebook again with pdkit build",
                        "a cell shows workbook.section({index}), but {workbook} has {count} "
                        "sections: build the notebook again with pdkit build",
                    ),
                    file=_shown(run.notebook),
                    index=index,
                    workbook=_shown(path),
                    count=count,
                )
            )
    return problems


def _sections_only(path: Path) -> WorkbookDefinition:
    """The references of a workbook that does not load, read as leniently as can be
    (a workbook with a misspelt key still names the forms beside it)."""
    try:
        data = read_yaml(path)  # within the definitions' limits: a bomb stays a problem
    except DefinitionError:
        data = None
    items = data.get("sections") if isinstance(data, dict) else None
    sections = []
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and len(item) == 1:
            ((kind, refs),) = item.items()
            given = [refs] if isinstance(refs, str) else refs if isinstance(refs, list) else []
            sections.append(Section(str(kind), tuple(r for r in given if isinstance(r, str))))
    return WorkbookDefinition(id="", title="", sections=tuple(sections), source=str(path))


def _local_references(workbook: WorkbookDefinition) -> Iterator[Path]:
    """The definition files beside a workbook (not built-ins) that its sections name."""
    for section in workbook.sections:
        if section.kind not in ("form", "reflection", "reflections", "evaluation"):
            continue
        for ref in section.refs:
            try:
                path = resolve_reference(ref, workbook)
            except DefinitionError:
                continue  # validate_text of the workbook says so
            try:
                builtin: Path | None = builtin_definition_path(ref)
            except DefinitionError:
                builtin = None
            if path != builtin:
                yield path


def _unique(problems: list[PdkitError]) -> list[PdkitError]:
    """Each problem once (a broken definition two workbooks share is listed once)."""
    seen: dict[object, PdkitError] = {}
    for problem in problems:
        key: object = str(problem)
        if isinstance(problem, DefinitionError):  # one file, however its path was written
            key = (os.path.realpath(problem.file), problem.line, problem.path, problem.problem)
            known = seen.get(key)
            if isinstance(known, DefinitionError) and len(problem.file) < len(known.file):
                seen[key] = problem  # the shorter way to write its file
        seen.setdefault(key, problem)
    return list(seen.values())
