"""YAML with line numbers: parse once into data and a node tree, and find the line of any
part of a document, so that every problem can be reported where it is."""

from __future__ import annotations

from typing import Any

import yaml

from ..errors import DefinitionError

__all__ = ["PathPart", "compose", "format_path", "line_of", "node_at"]

_SafeLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

PathPart = str | int
"""One step of a path inside a document: a mapping key or a list index."""


def compose(text: str, file: str) -> tuple[Any, yaml.Node | None]:
    """Parse YAML into (data, node tree); the node tree keeps line numbers."""
    loader = _SafeLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        raise _yaml_error(exc, text, file) from None
    except yaml.YAMLError as exc:
        raise DefinitionError(f"not valid YAML: {exc}", file=file) from None
    finally:
        loader.dispose()
    if node is not None:
        _reject_duplicate_keys(node, file, [])
    return data, node


def _yaml_error(exc: yaml.MarkedYAMLError, text: str, file: str) -> DefinitionError:
    mark = exc.problem_mark or exc.context_mark
    context_line = exc.context_mark.line + 1 if exc.context_mark is not None else None
    # A problem found at the end of the file (an unclosed quote or bracket) is marked
    # after the last line; the line where the unfinished part starts is the useful one.
    last_line = len(text.rstrip().splitlines())
    if mark is not None and mark.line >= last_line and context_line is not None:
        mark = exc.context_mark
    line = None if mark is None else max(1, min(mark.line + 1, last_line))
    context = exc.context
    if context and context_line is not None and context_line != line:
        context += f" (line {context_line})"
    problem = " ".join(p for p in (context, exc.problem) if p)
    return DefinitionError(f"not valid YAML: {problem}", file=file, line=line)


def _reject_duplicate_keys(node: yaml.Node, file: str, path: list[PathPart]) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in seen:
                raise DefinitionError(
                    f"the key {key!r} appears twice; keep one",
                    file=file,
                    line=key_node.start_mark.line + 1,
                    path=format_path(path),
                )
            seen.add(key)
            _reject_duplicate_keys(value_node, file, [*path, key])
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _reject_duplicate_keys(item, file, [*path, index])


def node_at(root: yaml.Node | None, path: list[PathPart], *, key: bool = False) -> yaml.Node | None:
    """The deepest node on ``path``; with ``key`` the key node of the last part."""
    node = root
    for depth, part in enumerate(path):
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if str(key_node.value) == str(part):
                    last = depth == len(path) - 1
                    node = key_node if (key and last) else value_node
                    break
            else:
                return node
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                return node
            node = node.value[part]
        else:
            return node
    return node


def line_of(root: yaml.Node | None, path: list[PathPart], *, key: bool = False) -> int | None:
    node = node_at(root, path, key=key)
    return None if node is None else node.start_mark.line + 1


def format_path(path: list[PathPart]) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out
