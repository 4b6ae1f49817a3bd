"""What the commands share: the subcommands' type, and a store that must exist already."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

from ..errors import StoreError

if TYPE_CHECKING:
    from ..store import Store

__all__ = ["Commands", "open_existing_store"]

Commands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"
"""What ``add_subparsers`` returns: each group of commands adds its own to it."""


def open_existing_store(url: str | None) -> Store:
    """The store at ``url``; a SQLite file must exist (reading never creates one)."""
    from ..store import open_store, resolve_store_url

    resolved = resolve_store_url(url)
    if resolved.startswith("sqlite:///"):
        file = Path(resolved.removeprefix("sqlite:///"))
        if not file.is_file():
            raise StoreError(f"no store at {file}: check --store (or $PDKIT_STORE)")
    return open_store(resolved)
