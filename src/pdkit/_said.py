"""Texts of pdkit's words said later, in their reader's language (:class:`Said`): what
an error's message (:class:`pdkit.PdkitError`) is made of, and a line that a command
prints or a warning it collects.

A text is an English template marked for the catalogs (``N_("… {name} …")``, or
``Nn_(one, many)`` with a ``count`` word) and the values of its placeholders. The values
are filled in after the template is translated, so what a teacher typed is never taken
for a placeholder; a value that is itself a text of pdkit's words (or an error) is said
in the same language as the text around it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, runtime_checkable

__all__ = ["Message", "Said", "Sayable", "in_language"]

Message = str | tuple[str, str]
"""A message's English: one text, or its forms for one and for any other ``count``."""


class Said(str):
    """A text of pdkit's words that is said later, in its reader's language: an English
    ``template`` (``N_("…")``, or ``Nn_(one, many)`` with a ``count`` word) and the values
    of its placeholders. As a string it is the English, so a list of lines or warnings
    can hold it where it held English text; :meth:`said` is the same text translated.
    It is what an error's message is made of, and a word of one (why a key is weak, who
    asked): a word that is a :class:`Said` or an error is said in the same language as
    the message around it."""

    template: Message
    words: dict[str, Any]

    def __new__(cls, template: Message = "", /, **words: Any) -> Said:
        made = super().__new__(cls, _fill(template, words, _english, _english_plural))
        made.template, made.words = template, words
        return made

    def said(
        self, t: Callable[[str], str], tn: Callable[[str, str, int], str] | None = None
    ) -> str:
        """The text in the language of ``t`` (see :meth:`PdkitError.said`)."""
        return _fill(self.template, self.words, t, tn)


def in_language(text: str, t: Callable[[str], str]) -> str:
    """``text`` in the language of ``t`` when it is a :class:`Said`, else as it is (a
    line that came from outside pdkit)."""
    return text.said(t) if isinstance(text, Said) else text


def _english(text: str) -> str:
    return text


def _english_plural(one: str, many: str, count: int) -> str:
    return one if count == 1 else many


def _fill(
    template: Message,
    words: dict[str, Any],
    t: Callable[[str], str],
    tn: Callable[[str, str, int], str] | None,
) -> str:
    """``template`` in the language of ``t``/``tn`` (by default ``t``'s own plural forms,
    :func:`pdkit.i18n.translator`'s ``plural``), filled with ``words``; a message
    inside a message (a word that is itself an error: why a key is weak) is said in the
    same language. The English where the translation names other words, and the bare
    English where the words do not fit the message at all (one that came over the wire)."""
    tn = tn or getattr(t, "plural", None)
    if isinstance(template, tuple):
        count = words.get("count", 0)
        count = count if isinstance(count, int) else 0
        text = (tn or _english_plural)(template[0], template[1], count)
        english = _english_plural(template[0], template[1], count)
    else:
        text, english = t(template), template
    if not words:
        return text
    said = {key: _word(value, lambda inner: inner.said(t, tn)) for key, value in words.items()}
    plain = {key: _word(value, str) for key, value in words.items()}
    for written, filled in ((text, said), (english, plain)):
        try:
            return written.format(**filled)
        except (KeyError, IndexError, ValueError, AttributeError, TypeError):
            continue
    return english


@runtime_checkable
class Sayable(Protocol):
    """Anything said in a reader's language: a :class:`Said`, a pdkit error."""

    def said(
        self, t: Callable[[str], str], tn: Callable[[str, str, int], str] | None = None
    ) -> str: ...


def _word(value: Any, say: Callable[[Sayable], str]) -> Any:
    """A word as a message shows it: a text of pdkit's words (or an error) said, a list
    of them said and joined with "; ", any other value as it is."""
    if isinstance(value, Sayable):
        return say(value)
    if isinstance(value, list | tuple) and value and all(isinstance(v, Sayable) for v in value):
        return "; ".join(say(v) for v in value)
    return value
