"""A definition's text as data, and where each part of it is, without PyYAML when it can.

Every definition is YAML, parsed by :mod:`._yaml` (PyYAML, with pdkit's limits) into
data and a node tree that keeps line numbers (:func:`line_of`). Importing PyYAML costs a
participant's kernel about 0.7 MiB of Python objects (1.3 MiB of memory), once per
participant of a room, and parsing the goal-setting page's definitions takes it five
parses. ``pdkit serve`` has parsed and checked every text it serves before it starts (and
refuses to start when one has a problem); it writes each one's data as JSON in a folder of
its own (:func:`write_parsed`, named by :data:`~pdkit._environ.DEFINITIONS_PARSED_ENV`),
and its kernels take the data of a text from there by the text's digest (:func:`compose`).
A text that differs by a byte (a file edited while the server runs) has another digest
and is parsed from YAML as always, and so is any text whose data JSON would not give
back exactly (a key that is a number, a float that is not finite).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._atomic import write_atomically
from .._environ import DEFINITIONS_PARSED_ENV
from ._limits import PathPart

if TYPE_CHECKING:
    import yaml

__all__ = [
    "compose",
    "digest",
    "line_of",
    "node_at",
    "record_parses",
    "write_parsed",
]

_parsed: dict[str, str] = {}
"""The JSON of the data of each text this process parsed (:func:`record_parses`), by the
text's digest."""


def digest(text: str) -> str:
    """The name of a definition's text: its SHA-256, 32 hex digits."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def compose(text: str, file: str) -> tuple[Any, yaml.Node | None]:
    """``text`` as (data, node tree); the node tree keeps line numbers. A text that
    ``pdkit serve`` parsed before it started comes as its data from the server's folder,
    with no node tree (:func:`line_of` then says no line: the server found no problem)."""
    folder = os.environ.get(DEFINITIONS_PARSED_ENV)
    if folder:
        try:
            return json.loads((Path(folder) / f"{digest(text)}.json").read_bytes()), None
        except (OSError, ValueError):
            pass  # not there (another text), or unreadable: parse the YAML
    from ._yaml import compose_yaml  # (PyYAML: only for a text the server did not parse)

    data, root = compose_yaml(text, file)
    if _recording:
        _record(text, data)
    return data, root


_recording = False


@contextmanager
def record_parses() -> Iterator[None]:
    """Within it, remember the data of every text this process parses, for its kernels
    (:func:`write_parsed`): ``pdkit serve`` around its checks. After it, nothing more is
    remembered (a process that goes on parsing, such as a test run, keeps no copies)."""
    global _recording
    before, _recording = _recording, True
    try:
        yield
    finally:
        _recording = before


def _record(text: str, data: Any) -> None:
    """Remember ``data``, parsed from ``text``, if JSON gives it back exactly."""
    try:
        encoded = json.dumps(data, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError):  # a key that is not text, a float that is not finite
        return
    if _same(json.loads(encoded), data):
        _parsed[digest(text)] = encoded


def _same(back: Any, data: Any) -> bool:
    """Whether ``back`` is ``data`` with the same types all the way (``1`` is not ``1.0``
    nor ``True``; a key that is a number came back as text)."""
    if type(back) is not type(data):
        return False
    if isinstance(data, dict):
        return list(back) == list(data) and all(_same(back[k], v) for k, v in data.items())
    if isinstance(data, list):
        return len(back) == len(data) and all(map(_same, back, data))
    return bool(back == data)


def write_parsed(folder: Path) -> Path:
    """Write the data of every text this process parsed within :func:`record_parses` into
    ``folder`` (made), one ``<digest>.json`` each; returns ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, encoded in _parsed.items():
        write_atomically(folder / f"{name}.json", encoded)
    return folder


def node_at(root: yaml.Node | None, path: list[PathPart], *, key: bool = False) -> yaml.Node | None:
    """The deepest node on ``path``; with ``key`` the key node of the last part. A key
    given by ``<<: *base`` and again in the mapping is the mapping's own (the last)."""
    if root is None:
        return None
    from yaml.nodes import MappingNode, SequenceNode  # (a node tree: PyYAML is loaded)

    node = root
    for depth, part in enumerate(path):
        if isinstance(node, MappingNode):
            for key_node, value_node in reversed(node.value):
                if str(key_node.value) == str(part):
                    last = depth == len(path) - 1
                    node = key_node if (key and last) else value_node
                    break
            else:
                return node
        elif isinstance(node, SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                return node
            node = node.value[part]
        else:
            return node
    return node


def line_of(root: yaml.Node | None, path: list[PathPart], *, key: bool = False) -> int | None:
    """The line of the part at ``path`` (1 for the first), if the node tree is known."""
    node = node_at(root, path, key=key)
    return None if node is None else int(node.start_mark.line) + 1
