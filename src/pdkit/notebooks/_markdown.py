"""Answers and comments as Markdown that shows exactly what was typed."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime

from ..definitions import FormDefinition, answer_text
from ..store import JSONValue

__all__ = ["answers_markdown", "comment_markdown", "md_escape"]

_MD_SPECIAL = re.compile(r"([\\`*_\[\]#|~])")
_MD_LINE_START = re.compile(r"^( {0,3})([-+=])", re.MULTILINE)  # Setext underlines, bullets


def md_escape(text: str) -> str:
    """Text that Markdown shows as typed: HTML and Markdown marks are neutralised."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_LINE_START.sub(r"\1\\\2", _MD_SPECIAL.sub(r"\\\1", text))


def _quoted(text: str, empty: str) -> str:
    return "\n".join(f"> {md_escape(line)}" if line else ">" for line in text.splitlines()) or empty


def answers_markdown(form: FormDefinition, values: Mapping[str, JSONValue]) -> str:
    """A form's answers: its title, then each question and its answer quoted."""
    parts = [f"### {md_escape(form.title)}"]
    for field in form.fields:
        text = answer_text(field, values.get(field.id))
        quoted = "\n".join(f"> {md_escape(line)}" for line in text.splitlines()) or "> —"
        parts.append(f"**{md_escape(field.label)}**\n\n{quoted}")
    return "\n\n".join(parts)


def comment_markdown(coach: str, text: str, stamp: datetime) -> str:
    """A coach's comment, saying that it is one (coaching is not evaluation)."""
    return (
        f"### Comment from your coach, {md_escape(coach)}\n\n"
        f"{_quoted(text, '')}\n\n"
        f"*{stamp.strftime('%Y-%m-%d %H:%M')} UTC. Written by your coach to support your "
        "work (coaching is not evaluation); your answers above are unchanged.*"
    )
