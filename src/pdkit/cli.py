"""The ``pdkit`` command: a thin layer over the library."""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__
from .definitions import is_school_goals_text, load_definition
from .errors import DefinitionError, PdkitError, StoreError

if TYPE_CHECKING:
    from .store import Store

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
        default=6,  # pdkit.serve.ServeConfig's (not imported here: the CLI starts fast)
        metavar="SECONDS",
        help="stop a kernel whose page is closed after this many idle seconds (default 6, "
        "checked every 2 s; answers are saved as people type, a reload restores them; an "
        "open page is never stopped)",
    )
    serve.add_argument(
        "--pool",
        action="append",
        default=None,
        metavar="WORKBOOK=N",
        help="keep N kernels pre-heated for a workbook, ready before people arrive "
        "(repeatable; default goal-setting=2; goal-setting=40 for a room of 40 arriving at "
        "once; 0 turns pools off)",
    )
    serve.add_argument(
        "--max-kernels",
        type=int,
        default=None,
        metavar="N",
        help='refuse new pages ("the server is full") once N kernels run (default: what '
        "this machine's memory holds at 60 MB each; 0: no limit)",
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

    session = commands.add_parser(
        "session",
        help="make a workshop session (join code, facilitator key) or list them",
        description="Sessions let one store hold several workshops: participants join a "
        "session with its code, its facilitator opens its dashboard with its key.",
    )
    session_commands = session.add_subparsers(dest="session_command", metavar="ACTION")
    create = session_commands.add_parser(
        "create",
        help="make a session and print its join code, facilitator key and links",
        description="Make a session. Prints its join code (for participants), its "
        "facilitator key (shown once: keep it) and the links for `pdkit serve`.",
    )
    create.add_argument("--title", required=True, help="what participants see")
    create.add_argument(
        "--school-goals",
        type=Path,
        default=None,
        help="the session's school goals, YAML or CSV (default: the sample goals)",
    )
    for sub in (create, session_commands.add_parser("list", help="list the sessions")):
        sub.add_argument(
            "--store",
            default=None,
            help="the store: a SQLite path or URL, or postgresql://… "
            "(default: $PDKIT_STORE, else the file in your data folder)",
        )
        sub.add_argument(
            "--url",
            default="http://127.0.0.1:8866",
            help="the address `pdkit serve` answers on, for the links "
            "(default http://127.0.0.1:8866)",
        )
    session.set_defaults(run=_session)

    export = commands.add_parser(
        "export",
        help="write one saved workbook per participant, from the store",
        description="Write a saved workbook (.ipynb with the answers) for every participant "
        "of a session: what a coach collects, or a copy to keep.",
    )
    export.add_argument(
        "--store",
        default=None,
        help="the store to read: a SQLite path or URL, or postgresql://… "
        "(default: $PDKIT_STORE, else the file in your data folder)",
    )
    export.add_argument(
        "--workbook",
        required=True,
        metavar="ID|PATH",
        help="the workbook whose answers to write: a built-in id (goal-setting) or a YAML file",
    )
    export.add_argument("--out", type=Path, required=True, help="folder for the .ipynb files")
    export.add_argument("--session", default=None, help="the session (default: 'default')")
    export.add_argument(
        "--include-private",
        action="store_true",
        help="also write what teachers kept private (to give each teacher their own full "
        "copy back; never for a coach)",
    )
    export.add_argument(
        "--pseudonymous",
        action="store_true",
        help="replace participant ids by stable pseudonyms (the same at every export of "
        "this store) and remove names",
    )
    export.set_defaults(run=_export)

    review = commands.add_parser(
        "review",
        help="read saved workbooks or a store and write a coach's HTML report",
        description="Read saved workbooks (files or folders) or a store, and write one "
        "offline HTML report: a cohort summary and a section per teacher. Files that "
        "cannot be read are skipped and listed at the end. What teachers kept private "
        "(their choice per goal and reflection; protocol notes and peer feedback always) "
        "is left out unless you pass --include-private.",
    )
    review.add_argument(
        "sources",
        nargs="+",
        metavar="PATH_OR_STORE",
        help="saved workbooks (.ipynb), folders of them, or a store (sqlite:///…, "
        "postgresql://…, or a .sqlite3 file)",
    )
    review.add_argument(
        "--out", type=Path, default=Path("report.html"), help="the report (default report.html)"
    )
    review.add_argument(
        "--include-private",
        action="store_true",
        help="also show reflections, protocol notes and the check-in's support answer "
        "(private to each teacher: share such a report with nobody but that teacher)",
    )
    review.add_argument("--title", default="Coaching review", help="the report's title")
    review.add_argument(
        "--session", default=None, help="the session read from a store (default: 'default')"
    )
    review.add_argument(
        "--school-goals",
        type=Path,
        default=None,
        help="the school goals, YAML or CSV, for their titles "
        "(default: $PDKIT_SCHOOL_GOALS, else the sample goals)",
    )
    review.add_argument(
        "--definitions",
        type=Path,
        action="append",
        default=[],
        metavar="PATH",
        help="YAML definitions (files or folders) of your own forms, for their labels; repeat",
    )
    review.add_argument(
        "--stale-days",
        type=int,
        default=None,
        metavar="DAYS",
        help="a goal unchanged for this many days counts as not revisited (default 21)",
    )
    review.set_defaults(run=_review)

    comment = commands.add_parser(
        "comment",
        help="add a coach's comment to a teacher's saved workbook",
        description="Append a comment to a saved workbook: a visible cell that says it is "
        "a coach's comment, and an entry in the notebook's pdkit metadata. The teacher's "
        "answers are never changed.",
    )
    comment.add_argument("notebook", type=Path, help="the saved workbook (.ipynb)")
    comment.add_argument("--coach", required=True, help="your name, as the teacher will see it")
    comment.add_argument("--text", required=True, help="the comment")
    comment.set_defaults(run=_comment)
    return parser


def _serve(args: argparse.Namespace) -> int:
    from .serve import ServeConfig, builtin_workbooks_dir, default_max_kernels, serve

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
        pools=_pools(args.pool),
        max_kernels=default_max_kernels() if args.max_kernels is None else args.max_kernels,
    )
    return serve(config)


def _pools(given: list[str] | None) -> dict[str, int]:
    """``["goal-setting=40"]`` → ``{"goal-setting": 40}``; ``["0"]`` → no pools."""
    from .serve import DEFAULT_POOLS

    if given is None:
        return dict(DEFAULT_POOLS)
    pools: dict[str, int] = {}
    for item in given:
        if item.strip() == "0":
            return {}
        name, sep, size = item.partition("=")
        if not sep or not name.strip() or not size.strip().isdigit():
            raise PdkitError(
                f"--pool {item!r}: write WORKBOOK=N, such as --pool goal-setting=40 (or 0)"
            )
        pools[name.strip().removesuffix(".ipynb")] = int(size)
    return pools


def _yaml_files(paths: Sequence[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml")))
        else:
            files.append(path)
    return files


def _build(args: argparse.Namespace) -> int:
    from .definitions import (
        WorkbookDefinition,
        builtin_workbook_path,
        builtin_workbooks,
        check_references,
        load_workbook,
    )
    from .notebooks import render_workbook, write_workbook

    sources = (
        _yaml_files(args.templates)
        if args.templates
        else [builtin_workbook_path(i) for i in builtin_workbooks()]
    )
    workbooks: list[WorkbookDefinition] = []
    for source in sources:
        if args.templates and is_school_goals_text(_read_text(source)):
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
    from .definitions import validate_text

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
            if is_school_goals_text(text)
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


def _school_goal_problems(file: Path) -> list[PdkitError]:
    from .definitions import load_school_goals

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


def _open_existing_store(url: str | None) -> Store:
    """The store at ``url``; a SQLite file must exist (reading never creates one)."""
    from .store import open_store, resolve_store_url

    resolved = resolve_store_url(url)
    if resolved.startswith("sqlite:///"):
        file = Path(resolved.removeprefix("sqlite:///"))
        if not file.is_file():
            raise StoreError(f"no store at {file}: check --store (or $PDKIT_STORE)")
    return open_store(resolved)


def _session(args: argparse.Namespace) -> int:
    from .definitions import builtin_workbooks, school_goals_data
    from .store import open_store

    if args.session_command is None:
        raise PdkitError("say what to do: pdkit session create --title … or pdkit session list")
    base = args.url.rstrip("/")
    if args.session_command == "create":
        goals = school_goals_data(args.school_goals) if args.school_goals else []
        store = open_store(args.store)
        try:
            made, key = store.create_session(args.title, goals)
            print(f"pdkit: session {made.title!r} in {store.url}")
        finally:
            store.close()
        print(f"pdkit: join code: {made.code} (participants type it when they join)")
        for workbook in builtin_workbooks():
            if workbook != "facilitator":
                print(f"pdkit: {workbook}: {base}/voila/render/{workbook}.ipynb?code={made.code}")
        print(
            "pdkit: facilitator (keep this link to yourself; the key is shown only now): "
            f"{base}/voila/render/facilitator.ipynb?session={made.id}&key={key}"
        )
        return 0
    store = _open_existing_store(args.store)
    try:
        found = store.sessions()
    finally:
        store.close()
    if not found:
        print("pdkit: no sessions yet (everyone is in the default session)", file=sys.stderr)
    for item in found:
        counted = f", {len(item.school_goals)} school goal(s)" if item.school_goals else ""
        print(f"{item.code}  {item.title}  (session {item.id}{counted})")
    return 0


def _export(args: argparse.Namespace) -> int:
    from .definitions import default_school_goals, load_workbook
    from .notebooks import export_store
    from .store import DEFAULT_SESSION, Viewer

    workbook = load_workbook(args.workbook)
    goals = default_school_goals(workbook.language)
    store = _open_existing_store(args.store)
    try:
        print(f"pdkit: reading {store.url}", file=sys.stderr)
        try:
            written = export_store(
                store,
                workbook,
                args.out,
                args.session or DEFAULT_SESSION,
                school_goals=goals,
                viewer=Viewer.steward(include_private=args.include_private),
                pseudonymous=args.pseudonymous,
            )
        except OSError as exc:
            raise PdkitError(f"cannot write to {args.out}: {exc.strerror or exc}") from None
    finally:
        store.close()
    session = args.session or DEFAULT_SESSION
    if not written:
        print(f"pdkit: no participants in session {session!r}; nothing written", file=sys.stderr)
        return 0
    print(f"pdkit: wrote {len(written)} saved workbook(s) to {args.out}")
    if not args.include_private:
        print("pdkit: what teachers kept private is not in them", file=sys.stderr)
    if args.pseudonymous:
        print("pdkit: pseudonymous: ids replaced, names removed", file=sys.stderr)
    return 0


class _Progress:
    """A progress line on stderr: every 5% on a terminal, else nothing until the end."""

    def __init__(self) -> None:
        self.terminal = sys.stderr.isatty()
        self.shown = -1

    def __call__(self, done: int, total: int) -> None:
        if not self.terminal or total < 20:
            return
        step = done * 20 // total
        if step != self.shown or done == total:
            self.shown = step
            end = "\n" if done == total else ""
            print(
                f"\rpdkit: reading {done}/{total} ({done * 100 // total}%)",
                end=end,
                file=sys.stderr,
                flush=True,
            )


def _review(args: argparse.Namespace) -> int:
    from ._atomic import write_atomically
    from .report import STALE_DAYS, report_html
    from .review import load
    from .store import DEFAULT_SESSION, Viewer

    loaded = load(
        [str(s) for s in args.sources],
        progress=_Progress(),
        session=args.session or DEFAULT_SESSION,
        school_goals=args.school_goals,
        definitions=args.definitions,
        viewer=Viewer.steward(include_private=args.include_private),
    )
    print(
        f"pdkit: read {len(loaded.read)} source(s), skipped {loaded.skipped}: "
        f"{len(loaded.participants)} participant(s), {len(loaded.goals)} goal(s), "
        f"{len(loaded.checkins)} check-in(s), {len(loaded.comments)} coach comment(s)"
    )
    try:
        if not loaded.read:
            raise PdkitError("nothing could be read (see the warnings); no report written")
        html = report_html(
            loaded,
            title=args.title,
            include_private=args.include_private,
            stale_days=STALE_DAYS if args.stale_days is None else args.stale_days,
        )
        try:
            args.out.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(args.out, html)
        except OSError as exc:
            raise PdkitError(f"cannot write {args.out}: {exc.strerror or exc}") from None
        private = " (with private reflections and notes)" if args.include_private else ""
        print(f"pdkit: wrote {args.out}{private}")
    finally:  # warnings last, where they are seen
        for warning in loaded.warnings:
            print(f"pdkit: warning: {warning}", file=sys.stderr)
    return 0


def _comment(args: argparse.Namespace) -> int:
    from .notebooks import add_comment

    add_comment(args.notebook, args.text, coach=args.coach)
    print(f"pdkit: added a comment by {args.coach.strip()} to {args.notebook}")
    return 0


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
