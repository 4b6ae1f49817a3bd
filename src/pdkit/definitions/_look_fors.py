"""A ``kind: look-fors`` document becomes a :class:`~._model.LookForsDefinition`, with the
checks a schema cannot make (ids unique, a text's length once its spaces are tidied)."""

from __future__ import annotations

from typing import Any

import yaml

from ._build import _fail
from ._model import LookForItem, LookForsDefinition

__all__ = ["build_look_fors"]


def build_look_fors(data: dict[str, Any], file: str, root: yaml.Node | None) -> LookForsDefinition:
    items: list[LookForItem] = []
    for index, raw in enumerate(data["look_fors"]):
        if any(i.id == raw["id"] for i in items):
            raise _fail(
                f"the look-for id {raw['id']!r} is used twice",
                file,
                root,
                ["look_fors", index, "id"],
            )
        text = " ".join(raw["text"].split())
        if len(text) > 300:
            raise _fail(
                f"a look-for holds at most 300 characters ({len(text)} given)",
                file,
                root,
                ["look_fors", index, "text"],
            )
        items.append(LookForItem(raw["id"], text, raw.get("school_goal", "")))
    return LookForsDefinition(
        id=data["id"],
        title=data["title"].strip(),
        items=tuple(items),
        intro=data.get("intro", "").strip(),
        version=str(data.get("version", "1")),
        origin=data.get("origin", "").strip(),
        source=file,
    )
