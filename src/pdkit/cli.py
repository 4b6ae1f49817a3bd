"""The ``pdkit`` command: a thin layer over the library."""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from .errors import DefinitionError, PdkitError
from .spec import load_definition

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pdkit",
        description="Personalized professional learning for teachers, in Jupyter and Voilà.",
    )
    parser.add_argument("--version", action="version", version=f"pdkit {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    serve = commands.add_parser(
        "serve",
        help="serve workbooks to participants with Voilà",
        description="Start Voilà on the workbooks, with the answer store, and print the links.",
    )
    serve.add_argument(
        "path",
        nargs="?",
        type=Path,
        default=None,
        help="a workbook (.ipynb) or a folder of them (default: the workbooks shipped with pdkit)",
    )
    serve.add_argument(
        "--store",
        default=None,
        help="where answers are saved: a SQLite path or URL (default: $PDKIT_STORE, else a "
        "file in your data folder; the location is printed)",
    )
    serve.add_argument(
        "--school-goals",
        type=Path,
        default=None,
        help="the session's school goals, YAML or CSV "
        "(default: $PDKIT_SCHOOL_GOALS, else the sample goals)",
    )
    serve.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1; 0.0.0.0 for a room network)",
    )
    serve.add_argument(
        "--port", type=int, default=8866, help="port (default 8866; 0 picks a free one)"
    )
    serve.add_argument(
        "--cull-idle",
        type=int,
        default=120,
        metavar="SECONDS",
        help="stop a kernel whose page is closed after this many idle seconds",
    )
    serve.add_argument("--open", action="store_true", help="open a browser on the workbooks")
    serve.add_argument(
        "--facilitator-key",
        default="",
        metavar="KEY",
        help="the secret in the facilitator link (default: $PDKIT_FACILITATOR_KEY, else random)",
    )
    serve.add_argument(
        "--template",
        default="pdkit",
        help="the Voilà template (default: pdkit's own; 'lab' for Voilà's)",
    )
    serve.set_defaults(run=_serve)

    build = commands.add_parser(
        "build",
        help="turn workbook definitions into Voilà-ready notebooks",
        description="Write one notebook per workbook definition (kind: workbook).",
    )
    build.add_argument(
        "templates",
        nargs="*",
        type=Path,
        help="workbook definitions, or folders holding them (default: pdkit's built-in workbooks)",
    )
    build.add_argument(
        "--out", type=Path, default=Path("workbooks"), help="folder for the notebooks (./workbooks)"
    )
    build.add_argument(
        "--check",
        action="store_true",
        help="change nothing; exit 1 if a notebook is missing or out of date",
    )
    build.set_defaults(run=_build)

    validate = commands.add_parser(
        "validate",
        help="check definitions and print every problem",
        description="Check YAML definitions (and the definitions workbooks refer to). Prints "
        "each problem with its file, line and place; exits 1 if there is any.",
    )
    validate.add_argument("paths", nargs="+", type=Path, help="YAML files, or folders of them")
    validate.set_defaults(run=_validate)

    new = commands.add_parser("new", help="start a new definition from existing ones")
    kinds = new.add_subparsers(dest="kind", metavar="KIND", required=True)
    new_workbook = kinds.add_parser(
        "workbook",
        help="a workbook whose sections are existing definitions",
        description="Write NAME.yaml, a workbook with one section per definition id.",
    )
    new_workbook.add_argument("name", help="the new workbook's id (lower-case, digits, - and _)")
    new_workbook.add_argument(
        "--from",
        dest="sources",
        required=True,
        metavar="ID[,ID…]",
        help="the definitions to show, in order (forms, reflections, 'protocol' for the runner)",
    )
    new_workbook.add_argument(
        "--out", type=Path, default=Path(), help="folder for NAME.yaml (default: here)"
    )
    new_workbook.set_defaults(run=_new_workbook)
    return parser


def _serve(args: argparse.Namespace) -> int:
    from .serve import ServeConfig, builtin_workbooks_dir, serve

    config = ServeConfig(
        path=args.path if args.path is not None else builtin_workbooks_dir(),
        store=args.store,
        school_goals=args.school_goals,
        host=args.host,
        port=args.port,
        cull_idle_timeout=args.cull_idle,
        open_browser=args.open,
        facilitator_key=args.facilitator_key,
        template=args.template,
    )
    return serve(config)


def _yaml_files(paths: Sequence[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml")))
        else:
            files.append(path)
    return files


def _build(args: argparse.Namespace) -> int:
    from .notebooks import render_workbook, write_workbook
    from .spec import (
        WorkbookDefinition,
        builtin_workbook_path,
        builtin_workbooks,
        check_references,
        load_workbook,
    )

    sources = (
        _yaml_files(args.templates)
        if args.templates
        else [builtin_workbook_path(i) for i in builtin_workbooks()]
    )
    workbooks: list[WorkbookDefinition] = []
    for source in sources:
        if args.templates and _looks_like_school_goals(_read_text(source)):
            continue  # a school goals file kept with the definitions
        definition = load_definition(source)
        if definition.kind != "workbook":
            continue  # forms, reflections and protocols in the same folder
        workbook = load_workbook(source)
        problems = check_references(workbook)
        if problems:
            raise problems[0]
        same = [w.source for w in workbooks if w.id == workbook.id]
        if same:  # both would write <id>.ipynb; the last one would win unseen
            raise DefinitionError(
                f"the workbook id {workbook.id!r} is also used by {same[0]}; "
                "each workbook needs its own id",
                file=workbook.source,
                path="id",
            )
        workbooks.append(workbook)
    if not workbooks:
        raise PdkitError(
            "no workbook definitions (kind: workbook) found in "
            + ", ".join(str(s) for s in sources)
        )
    stale = 0
    for workbook in workbooks:
        target = args.out / f"{workbook.id}.ipynb"
        if args.check:
            wanted = render_workbook(workbook, args.out)
            current = target.read_text(encoding="utf-8") if target.exists() else None
            if current != wanted:
                stale += 1
                print(f"pdkit: {target} is out of date with {workbook.source}")
            continue
        path, changed = write_workbook(workbook, args.out)
        print(f"pdkit: {'wrote' if changed else 'up to date:'} {path}")
    if stale:
        print(
            f"pdkit: {stale} notebook(s) out of date; run 'pdkit build' to update them",
            file=sys.stderr,
        )
        return 1
    return 0


def _validate(args: argparse.Namespace) -> int:
    from .spec import validate_text

    files = _yaml_files(args.paths)
    problems = 0
    for file in files:
        try:
            text = file.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            print(f"{file}: cannot be read ({exc})")
            problems += 1
            continue
        found: Sequence[PdkitError] = (
            _school_goal_problems(file)
            if _looks_like_school_goals(text)
            else validate_text(text, file=str(file))
        )
        for problem in found:
            print(problem)
        problems += len(found)
    if not files:
        print("pdkit: no YAML files found", file=sys.stderr)
        return 1
    if problems:
        print(f"pdkit: {problems} problem(s) in {len(files)} file(s)", file=sys.stderr)
        return 1
    print(f"pdkit: {len(files)} file(s) checked, no problems")
    return 0


def _read_text(path: Path) -> str:
    """The text of ``path``, or "" when it cannot be read (loading it then says why)."""
    try:
        return path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return ""


def _looks_like_school_goals(text: str) -> bool:
    """A list, or a mapping with ``goals`` and no ``kind``: a school goals file."""
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return False  # validate_text reports the YAML error
    return isinstance(data, list) or (
        isinstance(data, dict) and "goals" in data and "kind" not in data
    )


def _school_goal_problems(file: Path) -> list[PdkitError]:
    from .spec import load_school_goals

    try:
        load_school_goals(file)
    except PdkitError as exc:
        return [exc]
    return []


def _new_workbook(args: argparse.Namespace) -> int:
    name = args.name
    if not re.fullmatch(r"[a-z0-9_-]+", name):
        raise DefinitionError(
            "a workbook id uses lower-case letters, digits, '-' and '_'", file=name
        )
    title = name.replace("-", " ").replace("_", " ").capitalize()
    lines = [
        f"# A new pdkit workbook. Edit it, then: pdkit build {name}.yaml --out workbooks/",
        "kind: workbook",
        f"id: {_yaml_text(name)}",  # quoted when YAML would read a number or true/false
        "schema_version: 1",
        f"title: {_yaml_text(title)}",
        "intro: >-",
        "  Say in a sentence or two what this workbook is for.",
        "sections:",
    ]
    for ref in (r.strip() for r in args.sources.split(",") if r.strip()):
        if ref == "protocol":
            lines.append("  - protocol: runner")
            continue
        definition = load_definition(ref)
        if definition.kind not in ("form", "reflection"):
            raise DefinitionError(
                f"{ref!r} is a {definition.kind}; a workbook shows forms and reflections "
                "(and 'protocol' for the protocol runner)",
                file=ref,
            )
        lines.append(f"  - {definition.kind}: {ref}")
    if lines[-1] == "sections:":
        raise PdkitError("--from names no definitions; give at least one id")
    target = args.out / f"{name}.yaml"
    if target.exists():
        raise PdkitError(f"{target} already exists; choose another name or remove it first")
    args.out.mkdir(parents=True, exist_ok=True)
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"pdkit: wrote {target}")
    return 0


def _yaml_text(text: str) -> str:
    """``text`` as a YAML scalar that reads back as that text."""
    import json

    import yaml

    return text if yaml.safe_load(text) == text else json.dumps(text)


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    try:
        return int(args.run(args))
    except PdkitError as exc:
        print(f"pdkit: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
