"""The store backends every store contract test runs against, and the values they keep."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pdkit.store import Store, open_store

FORM = "goal-setting"
VERSION = "goal-setting@1"

# --------------------------------------------------------------------------- backends


Opener = Callable[[pytest.FixtureRequest], Store]


def _memory_store(request: pytest.FixtureRequest) -> Store:
    return open_store("memory://")


def _sqlite_file_store(request: pytest.FixtureRequest) -> Store:
    tmp_path: Path = request.getfixturevalue("tmp_path")
    return open_store(tmp_path / "s.sqlite3")


def _postgres_store(request: pytest.FixtureRequest) -> Store:
    """A fresh database on the session's throw-away server (see conftest.py)."""
    url: str = request.getfixturevalue("postgres_url")
    return open_store(url)


BACKENDS: list[Any] = [
    pytest.param(_memory_store, id="memory"),
    pytest.param(_sqlite_file_store, id="sqlite-file"),
    pytest.param(_postgres_store, id="postgresql", marks=pytest.mark.postgres),
]
"""Every backend the contract runs on: ``pytest.param(opener, id=…)``, for ``params=``."""

SHARED_BACKENDS: list[Any] = BACKENDS[1:]
"""The backends many processes (a server's kernels) open at once: not one in memory."""

JSON_VALUES = {
    "text": "By March, most of my students …",
    "empty": "",
    "int": 3,
    "negative": -7,
    "float": 2.5,
    "bool": True,
    "none": None,
    "list": ["Plan stems", "Try think-pair-share", 4, None],
    "dict": {"a": [1, 2, {"b": "c"}], "ok": False, "n": None},
    "unicode": "héllo — “quotes” 日本語 🎉 \u0000 \n\t",
    "big": "x" * 10_000,
}
