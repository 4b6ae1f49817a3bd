"""What the commands share: the subcommands' type, and opening a store that must exist."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:
    from ..store import Store

__all__ = ["Commands", "open_existing_store"]

Commands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"
"""What ``add_subparsers`` returns: each group of commands adds its own to it."""


def open_existing_store(url: str | None) -> Store:
    """The store at ``url``; a SQLite file must exist (reading never creates one)."""
    from ..store import open_store

    return open_store(url, create=False)
