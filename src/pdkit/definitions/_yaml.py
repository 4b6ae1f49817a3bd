"""YAML with line numbers: parse once into data and a node tree, in which
:func:`._parsed.line_of` finds the line of any part of a document, so that every problem
can be reported where it is. (A text ``pdkit serve`` parsed before it started comes to its
kernels as data, without PyYAML: :func:`._parsed.compose` is the front door.)

The node tree is composed here from the parser's events (not by PyYAML's composer), so
that the limits of :mod:`._limits` are checked as it grows, each part once: a file that
would expand without bound, nest too deep or hold too much stops at the part that goes
over, before anything walks the document. A key written twice in one mapping is found
here too, before PyYAML's construction (:mod:`._yaml_loader`) merges ``<<: *base`` into
the mapping.
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
from ..i18n import N_
from ._limits import (
    MAX_CHARACTERS,
    MAX_DEPTH,
    MAX_ITEMS,
    MAX_PARTS,
    MAX_TEXT,
    PathPart,
    check_characters,
    format_path,
    shown,
    too_deep,
)
from ._yaml_loader import _CORE, _Loader

__all__ = ["compose_yaml"]

_STR = _CORE + "str"
_ALLOWED_TAGS = {
    ScalarNode: {_CORE + t for t in ("str", "int", "float", "bool", "null")},
    SequenceNode: {_CORE + "seq"},
    MappingNode: {_CORE + "map"},
}
"""Tags an author may write (``!!str 2024``): plain data only. Others (``!!python/…``,
``!!binary``, ``!!set``, local ``!tags``) are refused before anything is constructed."""


def compose_yaml(text: str, file: str) -> tuple[Any, yaml.Node | None]:
    """Parse YAML into (data, node tree); the node tree keeps line numbers (most callers
    want :func:`._parsed.compose`, which takes a text ``pdkit serve`` parsed as it was)."""
    check_characters(text, file)
    loader = _Loader(text)
    loader.pdkit_file = file
    try:
        node = _Composer(loader, file).document()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        raise _yaml_error(exc, text, file) from None
    except yaml.YAMLError as exc:
        raise DefinitionError(
            N_("not valid YAML: {reason}"), file=file, reason=shown(str(exc))
        ) from None
    except RecursionError:
        raise too_deep(file) from None
    finally:
        loader.dispose()
    return data, node


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
                    raise DefinitionError(
                        N_(
                            "this text is {size:,} characters long, and a text may be at "
                            "most {most:,}: shorten it (or link to a longer document)"
                        ),
                        **self.at(event),
                        size=len(value),
                        most=MAX_TEXT,
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
                    raise DefinitionError(
                        N_(
                            "the alias *{name} names no anchor above it: mark the part "
                            "it repeats with &{name} first, or remove the alias"
                        ),
                        **self.at(event),
                        name=_name(name),
                    )
                found = self.anchors[name]
                if found is None:
                    raise DefinitionError(
                        N_(
                            "the alias *{name} is inside the part it names, so it would "
                            "repeat without end: remove it"
                        ),
                        **self.at(event),
                        name=_name(name),
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
                self.too_many_items(False, event)
            items.append(node)
        elif frame.key is None:  # a key; its value comes next
            if len(items) >= MAX_ITEMS:
                self.too_many_items(True, event)
            if type(node) is ScalarNode:
                first = frame.keys.get(node.value)
                if first is not None:
                    raise DefinitionError(
                        N_(
                            "the key {key} appears twice; keep one (the first is on line "
                            "{first}); merge several with '<<: [*a, *b]'"
                        )
                        if node.value == "<<"
                        else N_(
                            "the key {key} appears twice; keep one (the first is on line {first})"
                        ),
                        **self.at(event),
                        key=shown(node.value),
                        first=first.start_mark.line + 1,
                    )
                frame.keys[node.value] = node
            frame.key = node
        else:
            items.append((frame.key, node))
            frame.key = None

    def anchor(self, event: Any, counted: tuple[yaml.Node, int, int, int] | None) -> None:
        name = event.anchor
        if name in self.lines:
            raise DefinitionError(
                N_(
                    "the anchor &{name} is already used on line {first}: give this one another name"
                ),
                **self.at(event),
                name=_name(name),
                first=self.lines[name],
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

    def at(self, event: Any, *, path: str | None = None) -> dict[str, Any]:
        """Where ``event`` is, as a :class:`DefinitionError`'s ``file``, ``line`` and
        ``path`` (the composer's own place unless ``path`` is given)."""
        return {
            "file": self.file,
            "line": event.start_mark.line + 1,
            "path": self.path() if path is None else path,
        }

    def bad_tag(self, tag: str, event: Any) -> NoReturn:
        written = "!!" + tag.removeprefix(_CORE) if tag.startswith(_CORE) else tag
        raise DefinitionError(
            N_(
                "the tag {tag} is not allowed: a definition holds only texts, numbers, "
                "true/false, lists and mappings; remove the tag"
            ),
            **self.at(event),
            tag=shown(written),
        )

    def too_many(self, parts: int, chars: int, event: Any, alias: str | None) -> NoReturn:
        if alias is not None and parts > MAX_PARTS:
            raise DefinitionError(
                N_(
                    "the alias *{name} makes the document more than {most:,} parts (keys, "
                    "values and list items) once its aliases are written out: repeat less (an "
                    "alias of aliases multiplies)"
                ),
                **self.at(event),
                name=_name(alias),
                most=MAX_PARTS,
            )
        if alias is not None:
            raise DefinitionError(
                N_(
                    "the alias *{name} makes the document more than {most:,} characters of "
                    "text once its aliases are written out: repeat less (an alias of aliases "
                    "multiplies)"
                ),
                **self.at(event),
                name=_name(alias),
                most=MAX_CHARACTERS,
            )
        if parts > MAX_PARTS:
            raise DefinitionError(
                N_(
                    "the document has more than {most:,} parts (keys, values and list items); "
                    "a definition needs far fewer: check that this is the file you meant, or "
                    "split it into several definitions"
                ),
                **self.at(event),
                most=MAX_PARTS,
            )
        raise DefinitionError(
            N_(
                "the document has more than {most:,} characters of text; a definition needs "
                "far fewer: check that this is the file you meant, or split it into several "
                "definitions"
            ),
            **self.at(event),
            most=MAX_CHARACTERS,
        )

    def too_many_items(self, keys: bool, event: Any) -> NoReturn:
        """The error for a mapping of too many keys (``keys``) or a list of too many items."""
        raise DefinitionError(
            N_(
                "holds more than {most} keys, and pdkit reads at most {most} in one list or "
                "mapping (no form needs as many fields): shorten it or split the definition"
            )
            if keys
            else N_(
                "holds more than {most} items, and pdkit reads at most {most} in one list or "
                "mapping (no form needs as many fields): shorten it or split the definition"
            ),
            **self.at(event, path=self.path(len(self.stack) - 1)),
            most=MAX_ITEMS,
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
    said = " ".join(p if len(p) <= 200 else p[:200] + "…" for p in (context, exc.problem) if p)
    return DefinitionError(
        N_("not valid YAML: {reason} (a tab: indent YAML with spaces, never tabs)")
        if mark is not None and _char_at(text, mark.line, mark.column) == "\t"
        else N_("not valid YAML: {reason}"),
        file=file,
        line=line,
        reason=said,
    )


def _char_at(text: str, line: int, column: int) -> str:
    lines = text.splitlines()
    return lines[line][column : column + 1] if line < len(lines) else ""
