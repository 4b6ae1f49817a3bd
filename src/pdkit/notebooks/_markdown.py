"""Answers and comments as Markdown that shows exactly what was typed."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from ..definitions import FormDefinition, answer_text
from ..evidence import KIND_WORDS
from ..i18n import translator
from ..store import JSONValue

__all__ = ["answers_markdown", "comment_markdown", "evidence_markdown", "md_escape"]

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


def comment_markdown(coach: str, text: str, stamp: datetime, language: str | None = None) -> str:
    """A coach's comment, saying that it is one (coaching is not evaluation), in the
    saved workbook's ``language``."""
    t = translator(language)
    said = t(
        "{when} UTC. Written by your coach to support your work (coaching is not "
        "evaluation); your answers above are unchanged."
    ).format(when=stamp.strftime("%Y-%m-%d %H:%M"))
    heading = t("Comment from your coach, {coach}").format(coach=md_escape(coach))
    return f"### {heading}\n\n{_quoted(text, '')}\n\n*{md_escape(said)}*"


_LINK_UNSAFE = str.maketrans({c: f"%{ord(c):02X}" for c in "()<>[]\\ `\"'"})


def current_evidence(entries: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The newest version of each evidence item of a saved block, not withdrawn, newest
    date first."""
    newest: dict[str, Mapping[str, Any]] = {}
    for item in entries:
        known = newest.get(str(item["id"]))
        if known is None or item["version"] >= known["version"]:
            newest[str(item["id"])] = item
    kept = [i for i in newest.values() if not i["withdrawn"]]
    return sorted(kept, key=lambda i: (str(i["made_on"]), i["at"]), reverse=True)


def evidence_markdown(entries: Sequence[Mapping[str, Any]], language: str | None = None) -> str:
    """The evidence log (the items' newest versions), one line per item: date, kind,
    caption (a link when it has one), its text quoted; student data said."""
    t = translator(language)
    items = current_evidence(entries)
    parts = [f"### {t('Evidence')}"]
    if not items:
        parts.append(f"*{t('No evidence.')}*")
    for item in items:
        caption = md_escape(str(item["caption"]))
        if item["link"]:
            caption = f"[{caption}]({str(item['link']).translate(_LINK_UNSAFE)})"
        kind = t(KIND_WORDS.get(str(item["kind"]), md_escape(str(item["kind"]))))
        line = f"- {md_escape(str(item['made_on']))} · {kind} · {caption}"
        if item.get("student_data"):
            line += f" · *{t('contains student data')}*"
        if item["checkin"] is not None:
            line += " · " + t("with check-in {n}").format(n=int(item["checkin"]))
        if item["text"]:
            line += "\n\n" + "\n".join(
                f"  > {md_escape(t)}" if t else "  >" for t in str(item["text"]).splitlines()
            )
        parts.append(line)
    return "\n\n".join(parts)
