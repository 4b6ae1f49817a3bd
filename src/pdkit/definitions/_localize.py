"""A validated document in one language: every text an author may give per language
(``title: {en: …, fr: …}``) replaced by the one text for the language asked for
(:func:`pdkit.i18n.choose`), before the document is built into a definition."""

from __future__ import annotations

from typing import Any

from ..i18n import choose

__all__ = ["localize"]


_TEXT_KEYS = frozenset(
    (
        "title",
        "intro",
        "label",
        "help",
        "placeholder",
        "item_label",
        "summary",
        "description",
        "text",
        "note",
        *("deviations", "competency", "key_method"),
    )
)


def localize(node: Any, language: str | None) -> Any:
    """The validated document with every per-language text replaced by one text."""
    if isinstance(node, list):
        return [localize(item, language) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in _TEXT_KEYS and isinstance(value, dict):
            out[key] = choose(value, language)
        elif key == "prompt" and isinstance(value, dict):
            out[key] = {role: choose(text, language) for role, text in value.items()}
        else:
            out[key] = localize(value, language)
    return out
