"""The ``pdkit`` command: a thin layer over the library, one module per group of commands
(``_facilitating``: serve, session; ``_authoring``: build, validate, new; ``_coaching``:
export, review, comment; ``_coaches``: coach; ``_reminding``: remind; ``_rollup``:
rollup; ``_hub``: hub-service; ``_credential``: credential; ``_records``: records). Each command
imports what it needs when it runs, so the command starts fast. Its words are in the
language of its environment (``_words``)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .._version import __version__
from ..errors import PdkitError
from . import (
    _authoring,
    _coaches,
    _coaching,
    _credential,
    _facilitating,
    _hub,
    _records,
    _reminding,
    _rollup,
)
from ._words import argparse_words, t

__all__ = ["main", "parser"]


def parser() -> argparse.ArgumentParser:
    """The ``pdkit`` command's parser, with every command."""
    found = argparse.ArgumentParser(
        prog="pdkit",
        description=t("Personalized professional learning for teachers, in Jupyter and Voilà."),
    )
    found.add_argument(
        "--version",
        action="version",
        version=f"pdkit {__version__}",
        help=t("show program's version number and exit"),
    )
    commands = found.add_subparsers(dest="command", metavar="COMMAND")
    _facilitating.add(commands)
    _authoring.add(commands)
    _coaching.add(commands)
    _coaches.add(commands)
    _reminding.add(commands)
    _rollup.add(commands)
    _hub.add(commands)
    _credential.add(commands)
    _records.add(commands)
    return found


def main(argv: Sequence[str] | None = None) -> int:
    _printable_names()
    with argparse_words():
        found = parser()
        args = found.parse_args(argv)
        if args.command is None:
            found.print_help()
            return 0
    try:
        return int(args.run(args))
    except PdkitError as exc:
        print(t("pdkit: error: {message}").format(message=exc.said(t)), file=sys.stderr)
        return 2
    except OSError as exc:  # a file or folder a command was given, and the system refused
        where = f" ({exc.filename})" if exc.filename else ""
        said = f"{exc.strerror or exc}{where}"
        print(t("pdkit: error: {message}").format(message=said), file=sys.stderr)
        return 2


def _printable_names() -> None:
    """Print any file name: one that is not UTF-8 (Linux allows any bytes) shows with
    backslash escapes, as Python shows it on stderr, instead of failing the command."""
    for stream in (sys.stdout, sys.stderr):
        if getattr(stream, "errors", None) == "strict" and hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
