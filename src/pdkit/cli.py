"""The ``pdkit`` command: a thin layer over the library."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from .errors import PdkitError

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
    serve.set_defaults(run=_serve)
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
    )
    return serve(config)


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
