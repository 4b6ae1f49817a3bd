"""A ``kind: micro-credential`` document becomes a :class:`CredentialDefinition`, with
the checks a schema cannot make (ids unique, the passing level one of the levels, at
least one assessor)."""

from __future__ import annotations

from typing import Any

import yaml

from ._build import _fail
from ._credential_model import CredentialDefinition, Criterion, Level, Requirement

__all__ = ["build_credential"]


def _unique(
    raws: list[dict[str, Any]], what: str, key: list[str | int], file: str, root: yaml.Node | None
) -> None:
    seen: set[str] = set()
    for index, raw in enumerate(raws):
        if raw["id"] in seen:
            raise _fail(
                f"the {what} id {raw['id']!r} is used twice", file, root, [*key, index, "id"]
            )
        seen.add(raw["id"])


def build_credential(
    data: dict[str, Any], file: str, root: yaml.Node | None
) -> CredentialDefinition:
    rubric = data["rubric"]
    _unique(data["requirements"], "requirement", ["requirements"], file, root)
    _unique(rubric["levels"], "level", ["rubric", "levels"], file, root)
    _unique(rubric["criteria"], "criterion", ["rubric", "criteria"], file, root)
    if rubric["pass_level"] not in {level["id"] for level in rubric["levels"]}:
        raise _fail(
            f"the pass_level {rubric['pass_level']!r} is not one of the rubric's levels",
            file,
            root,
            ["rubric", "pass_level"],
        )
    for index, raw in enumerate(data["requirements"]):
        if raw.get("with_measure") and raw["item"] != "check_in":
            raise _fail(
                "'with_measure' applies to a check_in requirement only",
                file,
                root,
                ["requirements", index, "with_measure"],
            )
    assessors = data["assessors"]
    reviewers = tuple(" ".join(r.split()) for r in assessors.get("reviewers", ()))
    if not assessors.get("coach") and not reviewers:
        raise _fail(
            "name at least one assessor: 'coach: true' and/or 'reviewers: [...]'",
            file,
            root,
            ["assessors"],
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
