"""PyYAML's safe loader as pdkit constructs a document with it: a value its tag's type
cannot read (``2024-13-45``, ``!!int abc``) is reported on its line, a whole number too
large for a definition is refused, and merge keys (``<<: [*a, *b]``) merge as YAML says.

The node tree it constructs from is composed by :mod:`._yaml`, which checks the limits and
the tags first.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from ..errors import DefinitionError
from ..i18n import N_
from ._limits import shown

_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_CORE = "tag:yaml.org,2002:"
"""The prefix of YAML's own tags (``!!str`` is ``tag:yaml.org,2002:str``)."""

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
            raise _unreadable(node, str(exc), self.pdkit_file) from None
        if type(data) is int and not -_LARGEST_INT <= data < _LARGEST_INT:
            raise DefinitionError(
                N_(
                    "{value} is too large a number for a definition: put it in quotes if it "
                    "is a text"
                ),
                file=self.pdkit_file,
                line=node.start_mark.line + 1,
                value=shown(data),
            )
        return data


def _unreadable(node: yaml.Node, reason: str, file: str) -> DefinitionError:
    """The error for a scalar that its tag's type cannot read (``2024-13-45``, ``!!int
    abc``); ``reason`` (the constructor's own words) is given when it is short."""
    tag = node.tag.rsplit(":", 1)[-1]
    words: dict[str, Any] = {
        "file": file,
        "line": node.start_mark.line + 1,
        "value": shown(node.value),
        # the constructor's words, in parentheses after what the value cannot be read as
        "reason": f" ({reason})" if 0 < len(reason) <= 80 else "",
    }
    if tag in ("int", "float"):
        return DefinitionError(
            N_("{value} cannot be read as a number{reason}: put it in quotes if it is a text"),
            **words,
        )
    if tag == "bool":
        return DefinitionError(
            N_("{value} cannot be read as true or false{reason}: put it in quotes if it is a text"),
            **words,
        )
    if tag == "timestamp":
        return DefinitionError(
            N_("{value} cannot be read as a date{reason}: put it in quotes if it is a text"),
            **words,
        )
    return DefinitionError(
        N_("{value} cannot be read as a value{reason}: put it in quotes if it is a text"),
        **words,
    )


def _key(node: yaml.Node) -> object:
    return (node.tag, node.value) if type(node) is ScalarNode else id(node)
