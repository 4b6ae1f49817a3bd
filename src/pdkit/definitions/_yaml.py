"""YAML with line numbers: parse once into data and a node tree, and find the line of any
part of a document, so that every problem can be reported where it is.

The node tree is composed here from the parser's events (not by PyYAML's composer), so
that the limits of :mod:`._limits` are checked as it grows, each part once: a file that
would expand without bound, nest too deep or hold too much stops at the part that goes
over, before anything walks the document. A key written twice in one mapping is found
here too, before PyYAML's construction merges ``<<: *base`` into the mapping.
"""

from __future__ import annotations

from typing import Any, NoReturn

import yaml
from yaml.events import (
    AliasEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from ..errors import DefinitionError
from ._limits import (
    MAX_CHARACTERS,
    MAX_DEPTH,
    MAX_ITEMS,
    MAX_PARTS,
    MAX_TEXT,
    check_characters,
    shown,
)

__all__ = ["PathPart", "compose", "format_path", "line_of", "node_at", "too_deep"]

_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

PathPart = str | int
"""One step of a path inside a document: a mapping key or a list index."""

_CORE = "tag:yaml.org,2002:"
_STR = _CORE + "str"
_ALLOWED_TAGS = {
    ScalarNode: {_CORE + t for t in ("str", "int", "float", "bool", "null")},
    SequenceNode: {_CORE + "seq"},
    MappingNode: {_CORE + "map"},
}
"""Tags an author may write (``!!str 2024``): plain data only. Others (``!!python/…``,
``!!binary``, ``!!set``, local ``!tags``) are refused before anything is constructed."""

_NAMES = {"int": "a number", "float": "a number", "bool": "true or false", "timestamp": "a date"}

_LARGEST_INT = 2**63
"""Whole numbers in a definition are minutes, counts and versions; larger ones (even
YAML's ``1:2:3:…`` in base 60) are refused, before anything prints them."""


class _Loader(_Base):  # type: ignore[misc]  # PyYAML's loaders are untyped
    """PyYAML's safe loader, whose construction names the line of a value it cannot
    read (``2024-13-45``, ``!!int abc``) instead of raising a bare ValueError, and
    merges ``<<: [*a, *b]`` as YAML says (PyYAML lets ``*b`` win or not depending on
    whether two equal keys are one string object)."""

    def flatten_mapping(self, node: MappingNode) -> None:
        """Put the pairs that merge keys bring before the mapping's own: the mapping's
        own keys win, then those of the first mapping merged, then the next."""
        own: list[tuple[yaml.Node, yaml.Node]] = []
        merged: list[tuple[yaml.Node, yaml.Node]] = []
        for key_node, value_node in node.value:
            if key_node.tag != _CORE + "merge":
                own.append((key_node, value_node))
                continue
            sources = value_node.value if type(value_node) is SequenceNode else [value_node]
            for source in sources:
                if type(source) is not MappingNode:
                    raise yaml.constructor.ConstructorError(
                        "while constructing a mapping",
                        node.start_mark,
                        "expected a mapping (or a list of mappings) to merge, but found "
                        + source.id,
                        source.start_mark,
                    )
                self.flatten_mapping(source)
                merged.extend(source.value)
        if merged:
            seen = {_key(k) for k, _ in own}
            first = []
            for pair in merged:
                if _key(pair[0]) not in seen:
                    seen.add(_key(pair[0]))
                    first.append(pair)
            node.value = first + own

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            data = super().construct_object(node, deep)
        except (ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError) as exc:
            what = _NAMES.get(node.tag.rsplit(":", 1)[-1], "a value")
            reason = str(exc)
            reason = f" ({reason})" if 0 < len(reason) <= 80 else ""
            raise DefinitionError(
                f"{shown(node.value)} cannot be read as {what}{reason}: put it in quotes if "
                "it is a text",
                file=self.pdkit_file,
                line=node.start_mark.line + 1,
            ) from None
        if type(data) is int and not -_LARGEST_INT <= data < _LARGEST_INT:
            raise DefinitionError(
                f"{shown(data)} is too large a number for a definition: put it in quotes if "
                "it is a text",
                file=self.pdkit_file,
                line=node.start_mark.line + 1,
            )
        return data


def _key(node: yaml.Node) -> object:
    return (node.tag, node.value) if type(node) is ScalarNode else id(node)


def compose(text: str, file: str) -> tuple[Any, yaml.Node | None]:
    """Parse YAML into (data, node tree); the node tree keeps line numbers."""
    check_characters(text, file)
    loader = _Loader(text)
    loader.pdkit_file = file
    try:
        node = _Composer(loader, file).document()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        raise _yaml_error(exc, text, file) from None
    except yaml.YAMLError as exc:
        raise DefinitionError(f"not valid YAML: {shown(str(exc))}", file=file) from None
    except RecursionError:
        raise too_deep(file) from None
    finally:
        loader.dispose()
    return data, node


def too_deep(file: str, line: int | None = None, path: str = "") -> DefinitionError:
    """The error for a document nested deeper than pdkit reads."""
    return DefinitionError(
        f"nests more than {MAX_DEPTH} levels deep (definitions need fewer than 10): check "
        "the indentation and the brackets, and aliases (*name) inside what they name",
        file=file,
        line=line,
        path=path,
    )


class _Frame:
    """A list or mapping being composed: its node, the key waiting for its value, the
    keys seen, and what the document had counted when it started (for its anchor)."""

    __slots__ = ("anchor", "chars", "height", "key", "keys", "node", "parts")

    def __init__(self, node: yaml.Node, anchor: str | None, parts: int, chars: int) -> None:
        self.node = node
        self.anchor = anchor
        self.parts = parts
        self.chars = chars
        self.height = 0
        self.key: yaml.Node | None = None
        self.keys: dict[str, yaml.Node] | None = {} if type(node) is MappingNode else None


class _Composer:
    """One document's node tree from the parser's events, without recursion, checking
    the limits at each event. ``parts`` and ``chars`` count the document as if its
    aliases were written out: an alias adds what its anchor counted once."""

    def __init__(self, loader: Any, file: str) -> None:
        self.loader = loader
        self.file = file
        self.stack: list[_Frame] = []
        # anchor -> (node, parts, characters, levels); None while the anchor is open
        self.anchors: dict[str, tuple[yaml.Node, int, int, int] | None] = {}
        self.lines: dict[str, int] = {}

    def document(self) -> yaml.Node | None:
        loader = self.loader
        loader.get_event()  # stream start
        if loader.check_event(StreamEndEvent):
            return None
        loader.get_event()  # document start
        root = self.node()
        loader.get_event()  # document end
        if not loader.check_event(StreamEndEvent):
            event = loader.get_event()
            raise yaml.composer.ComposerError(
                "expected a single document in the stream",
                root.start_mark,
                "but found another document",
                event.start_mark,
            )
        return root

    def node(self) -> yaml.Node:
        get, resolve, stack = self.loader.get_event, self.loader.resolve, self.stack
        parts = chars = 0
        while True:
            event = get()
            kind = type(event)
            height = 0
            if kind is ScalarEvent:
                value = event.value
                if len(value) > MAX_TEXT:
                    self.fail(
                        f"this text is {len(value):,} characters long, and a text may be at "
                        f"most {MAX_TEXT:,}: shorten it (or link to a longer document)",
                        event,
                    )
                tag = event.tag
                if tag is None or tag == "!":
                    tag = resolve(ScalarNode, value, event.implicit)
                    if tag == _CORE + "value":  # a lone '=' is a text, not YAML 1.1's value key
                        tag = _STR
                elif tag not in _ALLOWED_TAGS[ScalarNode]:
                    self.bad_tag(tag, event)
                node: yaml.Node = ScalarNode(
                    tag, value, event.start_mark, event.end_mark, style=event.style
                )
                parts += 1
                chars += len(value)
                if event.anchor is not None:
                    self.anchor(event, (node, 1, len(value), 0))
            elif kind is MappingStartEvent or kind is SequenceStartEvent:
                cls = MappingNode if kind is MappingStartEvent else SequenceNode
                if len(stack) >= MAX_DEPTH:
                    raise too_deep(self.file, event.start_mark.line + 1, self.path())
                tag = event.tag
                if tag is None or tag == "!":
                    tag = resolve(cls, None, event.implicit)
                elif tag not in _ALLOWED_TAGS[cls]:
                    self.bad_tag(tag, event)
                parts += 1
                node = cls(tag, [], event.start_mark, None, flow_style=event.flow_style)
                if event.anchor is not None:
                    self.anchor(event, None)
                stack.append(_Frame(node, event.anchor, parts, chars))
                if parts > MAX_PARTS:
                    self.too_many(parts, chars, event, None)
                continue
            elif kind is MappingEndEvent or kind is SequenceEndEvent:
                frame = stack.pop()
                node = frame.node
                node.end_mark = event.end_mark
                height = frame.height + 1
                if frame.anchor is not None:
                    counted = (node, parts - frame.parts + 1, chars - frame.chars, height)
                    self.anchors[frame.anchor] = counted
            elif kind is AliasEvent:
                name = event.anchor
                if name not in self.anchors:
                    self.fail(
                        f"the alias *{_name(name)} names no anchor above it: mark the part "
                        f"it repeats with &{_name(name)} first, or remove the alias",
                        event,
                    )
                found = self.anchors[name]
                if found is None:
                    self.fail(
                        f"the alias *{_name(name)} is inside the part it names, so it would "
                        "repeat without end: remove it",
                        event,
                    )
                node, more_parts, more_chars, height = found
                parts += more_parts
                chars += more_chars
                if parts > MAX_PARTS or chars > MAX_CHARACTERS:
                    self.too_many(parts, chars, event, name)
                if len(stack) + height > MAX_DEPTH:
                    raise too_deep(self.file, event.start_mark.line + 1, self.path())
            else:  # pragma: no cover - the parser sends nothing else inside a document
                raise yaml.composer.ComposerError(
                    None, None, f"unexpected {kind.__name__}", event.start_mark
                )
            if parts > MAX_PARTS or chars > MAX_CHARACTERS:
                self.too_many(parts, chars, event, None)
            if not stack:
                return node
            self.add(stack[-1], node, height, event)

    def add(self, frame: _Frame, node: yaml.Node, height: int, event: Any) -> None:
        """Put ``node`` into the list or mapping being composed."""
        if height > frame.height:
            frame.height = height
        items = frame.node.value
        if frame.keys is None:  # a list
            if len(items) >= MAX_ITEMS:
                self.too_many_items("items", event)
            items.append(node)
        elif frame.key is None:  # a key; its value comes next
            if len(items) >= MAX_ITEMS:
                self.too_many_items("keys", event)
            if type(node) is ScalarNode:
                first = frame.keys.get(node.value)
                if first is not None:
                    again = f" (the first is on line {first.start_mark.line + 1})"
                    merge = "; merge several with '<<: [*a, *b]'" if node.value == "<<" else ""
                    raise DefinitionError(
                        f"the key {shown(node.value)} appears twice; keep one{again}{merge}",
                        file=self.file,
                        line=event.start_mark.line + 1,
                        path=self.path(),
                    )
                frame.keys[node.value] = node
            frame.key = node
        else:
            items.append((frame.key, node))
            frame.key = None

    def anchor(self, event: Any, counted: tuple[yaml.Node, int, int, int] | None) -> None:
        name = event.anchor
        if name in self.lines:
            self.fail(
                f"the anchor &{_name(name)} is already used on line {self.lines[name]}: "
                "give this one another name",
                event,
            )
        self.lines[name] = event.start_mark.line + 1
        self.anchors[name] = counted

    def path(self, frames: int | None = None) -> str:
        """Where the composer is (in the first ``frames`` open lists and mappings), as a
        path (``fields[3].label``)."""
        parts: list[PathPart] = []
        for frame in self.stack[:frames]:
            if frame.keys is None:
                parts.append(len(frame.node.value))
            elif frame.key is not None and type(frame.key) is ScalarNode:
                parts.append(str(frame.key.value))
        return format_path(parts)

    def fail(self, problem: str, event: Any, *, path: str | None = None) -> NoReturn:
        raise DefinitionError(
            problem,
            file=self.file,
            line=event.start_mark.line + 1,
            path=self.path() if path is None else path,
        )

    def bad_tag(self, tag: str, event: Any) -> NoReturn:
        written = "!!" + tag.removeprefix(_CORE) if tag.startswith(_CORE) else tag
        self.fail(
            f"the tag {shown(written)} is not allowed: a definition holds only texts, numbers, "
            "true/false, lists and mappings; remove the tag",
            event,
        )

    def too_many(self, parts: int, chars: int, event: Any, alias: str | None) -> NoReturn:
        what = (
            f"{MAX_PARTS:,} parts (keys, values and list items)"
            if parts > MAX_PARTS
            else f"{MAX_CHARACTERS:,} characters of text"
        )
        if alias is not None:
            self.fail(
                f"the alias *{_name(alias)} makes the document more than {what} once its "
                "aliases are written out: repeat less (an alias of aliases multiplies)",
                event,
            )
        self.fail(
            f"the document has more than {what}; a definition needs far fewer: check that "
            "this is the file you meant, or split it into several definitions",
            event,
        )

    def too_many_items(self, what: str, event: Any) -> NoReturn:
        self.fail(
            f"holds more than {MAX_ITEMS} {what}, and pdkit reads at most {MAX_ITEMS} in one "
            "list or mapping (no form needs as many fields): shorten it or split the definition",
            event,
            path=self.path(len(self.stack) - 1),
        )


def _name(anchor: str) -> str:
    return anchor if len(anchor) <= 40 else anchor[:40] + "…"


def _yaml_error(exc: yaml.MarkedYAMLError, text: str, file: str) -> DefinitionError:
    mark = exc.problem_mark or exc.context_mark
    context_line = exc.context_mark.line + 1 if exc.context_mark is not None else None
    # A problem found at the end of the file (an unclosed quote or bracket) is marked
    # after the last line; the line where the unfinished part starts is the useful one.
    last_line = len(text.rstrip().splitlines())
    if mark is not None and mark.line >= last_line and context_line is not None:
        mark = exc.context_mark
    line = None if mark is None else max(1, min(mark.line + 1, last_line))
    if exc.problem and "maximum nesting depth" in exc.problem:
        return too_deep(file, line)
    context = exc.context
    if context and context_line is not None and context_line != line:
        context += f" (line {context_line})"
    problem = " ".join(p if len(p) <= 200 else p[:200] + "…" for p in (context, exc.problem) if p)
    if mark is not None and _char_at(text, mark.line, mark.column) == "\t":
        problem += " (a tab: indent YAML with spaces, never tabs)"
    return DefinitionError(f"not valid YAML: {problem}", file=file, line=line)


def _char_at(text: str, line: int, column: int) -> str:
    lines = text.splitlines()
    return lines[line][column : column + 1] if line < len(lines) else ""


def node_at(root: yaml.Node | None, path: list[PathPart], *, key: bool = False) -> yaml.Node | None:
    """The deepest node on ``path``; with ``key`` the key node of the last part. A key
    given by ``<<: *base`` and again in the mapping is the mapping's own (the last)."""
    node = root
    for depth, part in enumerate(path):
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in reversed(node.value):
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
    """``fields[2].type``; a long key is cut, and so is a long path (its middle)."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            text = part if len(part) <= 40 else part[:40] + "…"
            out += f".{text}" if out else text
    return out if len(out) <= 160 else f"{out[:60]}…{out[-90:]}"
