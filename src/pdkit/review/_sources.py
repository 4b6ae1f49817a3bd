"""The first step of a review: what each source is (a saved workbook, a folder of them, a
store), with the stores opened for reading and every source that cannot be read named.

Each warning is a :class:`~pdkit.errors.Said`: English as a string, said in a reader's
language with :func:`~pdkit.errors.in_language`."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import PdkitError, Said
from ..i18n import N_
from ..notebooks.untrusted import reason
from ..store import Store, open_store

__all__ = ["STORE_SUFFIXES", "Source", "Sources", "gather", "why_unread"]

Source = str | os.PathLike[str] | Store
"""A saved workbook, a folder, a store URL (or a ``.sqlite3`` file), or an open store."""

STORE_SUFFIXES = (".sqlite3", ".sqlite", ".db")
"""A plain path with one of these suffixes is a store, not a notebook."""


@dataclass
class Sources:
    """The files to read, the stores to read (label, store, opened here), and how many
    sources were skipped already."""

    files: list[str] = field(default_factory=list)
    stores: list[tuple[str, Store, bool]] = field(default_factory=list)
    skipped: int = 0

    def close(self) -> None:
        """Close the stores that were opened for the review."""
        for _label, store, opened_here in self.stores:
            if opened_here:
                store.close()


def gather(sources: Source | Iterable[Source], note: Callable[[str], None]) -> Sources:
    """Sort ``sources`` into files and stores; ``note`` hears of each one skipped."""
    found = Sources()
    for source in _flatten(sources):
        if isinstance(source, Store):
            found.stores.append((source.url, source, False))
            continue
        url = _store_url(source)
        if url is not None:
            opened = _open(url, note)
            if opened is None:
                found.skipped += 1
            else:
                found.stores.append((opened.url, opened, True))
            continue
        given = Path(source)
        path = str(given)  # as written, without a trailing separator
        if given.is_dir():
            notebooks, unreadable = _notebooks(path)
            for folder, why in unreadable:
                note(
                    Said(
                        N_("{source}: cannot be read ({reason}) — skipped"),
                        source=folder,
                        reason=why,
                    )
                )
                found.skipped += 1
            if not notebooks and not unreadable:
                note(Said(N_("{source}: no .ipynb files in this folder"), source=path))
            found.files.extend(notebooks)
        elif os.path.lexists(path):  # a file, or a link that says why it cannot be read
            found.files.append(path)
        else:
            note(Said(N_("{source}: no such file or folder — skipped"), source=path))
            found.skipped += 1
    return found


def _flatten(sources: Source | Iterable[Source]) -> list[Source]:
    if isinstance(sources, (str, os.PathLike, Store)):
        return [sources]
    return list(sources)


def _notebooks(folder: str) -> tuple[list[str], list[tuple[str, str]]]:
    """Every ``*.ipynb`` below ``folder``, sorted (paths as text: a batch of thousands
    needs no object per file); hidden files and folders (such as
    ``.ipynb_checkpoints``) left out. Also the folders that could not be listed, and why.
    Links to folders are not followed (one could lead back up: a loop)."""
    found: list[str] = []
    unreadable: list[tuple[str, str]] = []

    def failed(exc: OSError) -> None:
        unreadable.append((str(exc.filename), exc.strerror or str(exc)))

    for root, dirs, files in os.walk(folder, onerror=failed):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        found.extend(f"{root}{os.sep}{f}" for f in files if f.endswith(".ipynb") and f[0] != ".")
    found.sort()
    return found, unreadable


def _store_url(source: str | os.PathLike[str]) -> str | None:
    """The store URL a source means, or None when it is a notebook or a folder."""
    text = os.fspath(source)
    if "://" in text:
        return text
    if Path(text).suffix.lower() in STORE_SUFFIXES:
        return text
    return None


def _open(url: str, note: Callable[[str], None]) -> Store | None:
    """Open a store for reading (a missing SQLite file is a warning, never a new store)."""
    try:
        return open_store(url, create=False)
    except PdkitError as exc:
        note(Said(N_("{source}: {reason} — skipped"), source=url, reason=exc))
    except Exception as exc:
        note(
            Said(
                N_("{source}: cannot be read ({reason}) — skipped"), source=url, reason=reason(exc)
            )
        )
    return None


def why_unread(exc: BaseException) -> PdkitError | str:
    """Why a source cannot be read, as a warning's word: pdkit's own error (said in the
    reader's language with the warning), else what Python said (:func:`reason`)."""
    return exc if isinstance(exc, PdkitError) else reason(exc)
