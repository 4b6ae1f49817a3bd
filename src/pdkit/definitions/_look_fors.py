"""A ``kind: look-fors`` document becomes a :class:`~._model.LookForsDefinition`, with the
checks a schema cannot make (ids unique, a text's length once its spaces are tidied)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import DefinitionError
from ..i18n import N_
from ._build import _at
from ._model import LookForItem, LookForsDefinition

if TYPE_CHECKING:
    import yaml

__all__ = ["build_look_fors"]


def build_look_fors(data: dict[str, Any], file: str, root: yaml.Node | None) -> LookForsDefinition:
    items: list[LookForItem] = []
    for index, raw in enumerate(data["look_fors"]):
        if any(i.id == raw["id"] for i in items):
            raise DefinitionError(
                N_("the look-for id {id!r} is used twice"),
                **_at(file, root, ["look_fors", index, "id"]),
                id=raw["id"],
            )
        text = " ".join(raw["text"].split())
        if len(text) > 300:
            raise DefinitionError(
                N_("a look-for holds at most 300 characters ({size} given)"),
                **_at(file, root, ["look_fors", index, "text"]),
                size=len(text),
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
