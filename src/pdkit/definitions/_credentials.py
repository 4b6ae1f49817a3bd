"""A ``kind: micro-credential`` document becomes a :class:`CredentialDefinition`, with
the checks a schema cannot make (ids unique, the passing level one of the levels, at
least one assessor)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import DefinitionError
from ..i18n import N_
from ._build import _at
from ._credential_model import CredentialDefinition, Criterion, Level, Requirement

if TYPE_CHECKING:
    import yaml

__all__ = ["build_credential"]


def _repeat(raws: list[dict[str, Any]]) -> int | None:
    """The index of the first item whose id an earlier item has."""
    seen: set[str] = set()
    for index, raw in enumerate(raws):
        if raw["id"] in seen:
            return index
        seen.add(raw["id"])
    return None


def build_credential(
    data: dict[str, Any], file: str, root: yaml.Node | None
) -> CredentialDefinition:
    rubric = data["rubric"]
    repeat = _repeat(data["requirements"])
    if repeat is not None:
        raise DefinitionError(
            N_("the requirement id {id!r} is used twice"),
            **_at(file, root, ["requirements", repeat, "id"]),
            id=data["requirements"][repeat]["id"],
        )
    repeat = _repeat(rubric["levels"])
    if repeat is not None:
        raise DefinitionError(
            N_("the level id {id!r} is used twice"),
            **_at(file, root, ["rubric", "levels", repeat, "id"]),
            id=rubric["levels"][repeat]["id"],
        )
    repeat = _repeat(rubric["criteria"])
    if repeat is not None:
        raise DefinitionError(
            N_("the criterion id {id!r} is used twice"),
            **_at(file, root, ["rubric", "criteria", repeat, "id"]),
            id=rubric["criteria"][repeat]["id"],
        )
    if rubric["pass_level"] not in {level["id"] for level in rubric["levels"]}:
        raise DefinitionError(
            N_("the pass_level {level!r} is not one of the rubric's levels"),
            **_at(file, root, ["rubric", "pass_level"]),
            level=rubric["pass_level"],
        )
    for index, raw in enumerate(data["requirements"]):
        if raw.get("with_measure") and raw["item"] != "check_in":
            raise DefinitionError(
                N_("'with_measure' applies to a check_in requirement only"),
                **_at(file, root, ["requirements", index, "with_measure"]),
            )
    assessors = data["assessors"]
    reviewers = tuple(" ".join(r.split()) for r in assessors.get("reviewers", ()))
    if not assessors.get("coach") and not reviewers:
        raise DefinitionError(
            N_("name at least one assessor: 'coach: true' and/or 'reviewers: [...]'"),
            **_at(file, root, ["assessors"]),
        )
    return CredentialDefinition(
        id=data["id"],
        title=data["title"].strip(),
        competency=" ".join(data["competency"].split()),
        key_method=" ".join(data["key_method"].split()),
        requirements=tuple(
            Requirement(
                r["id"],
                r["item"],
                " ".join(r["text"].split()),
                int(r.get("min", 1)),
                bool(r.get("with_measure", False)),
            )
            for r in data["requirements"]
        ),
        levels=tuple(Level(lv["id"], lv["label"].strip()) for lv in rubric["levels"]),
        pass_level=rubric["pass_level"],
        criteria=tuple(Criterion(c["id"], " ".join(c["text"].split())) for c in rubric["criteria"]),
        coach_assesses=bool(assessors.get("coach", False)),
        reviewers=reviewers,
        description=" ".join(data.get("description", "").split()),
        school_goal=data.get("school_goal", ""),
        version=str(data.get("version", "1")),
        origin=data.get("origin", "").strip(),
        source=file,
    )
