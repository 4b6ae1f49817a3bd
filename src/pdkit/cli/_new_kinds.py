"""``pdkit new pathway`` and ``pdkit new micro-credential``: the starting YAML of the
follow-up's own kinds of definition, and the one way ``pdkit new`` writes a file."""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

from ..errors import DefinitionError, PdkitError
from ..i18n import N_
from ._words import t

__all__ = ["add_kinds", "write_new", "yaml_text"]


def add_kinds(kinds: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``pathway`` and ``micro-credential`` to ``pdkit new``'s kinds."""
    new_pathway = kinds.add_parser(
        "pathway",
        help=t("a pathway towards a school goal: required and optional steps, prerequisites"),
        description=t(
            "Write NAME.yaml, a pathway for one school goal that validates as it is "
            "and shows every type of step: a resource to read, a workbook to complete, a protocol "
            "round to present in, an observation to receive, a PLC meeting, with a prerequisite "
            "and a minimum of optional steps. 'pdkit serve --pathways DIR' offers it on 'My goal'."
        ),
    )
    new_pathway.add_argument("name", help=t("the pathway's id (lower-case, digits, - and _)"))
    new_pathway.add_argument(
        "--school-goal",
        default=None,
        help=t("the id of the school goal it leads to (default: the first of the school goals)"),
    )
    new_pathway.add_argument(
        "--school-goals",
        type=Path,
        default=None,
        help=t(
            "the school goals (YAML or CSV) the school goal is one of (default: pdkit's sample)"
        ),
    )
    new_pathway.add_argument(
        "--out", type=Path, default=Path(), help=t("folder for NAME.yaml (default: here)")
    )
    new_pathway.set_defaults(run=_new_pathway)
    new_credential = kinds.add_parser(
        "micro-credential",
        help=t("a micro-credential earned from a teacher's own work"),
        description=t(
            "Write NAME.yaml, a micro-credential to fill in: its competency and key "
            "method, the evidence it asks for (goal versions, check-ins with a measure, "
            "evidence, feedback, a reflection), a rubric and its assessors (the coach)."
        ),
    )
    new_credential.add_argument("name", help=t("its id (lower-case, digits, - and _)"))
    new_credential.add_argument(
        "--out", type=Path, default=Path(), help=t("folder for NAME.yaml (default: here)")
    )
    new_credential.set_defaults(run=_new_credential)


def write_new(target: Path, lines: list[str]) -> int:
    if target.exists():
        raise PdkitError(
            N_("{target} already exists; choose another name or remove it first"), target=target
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(t("pdkit: wrote {path}").format(path=target))
    return 0


def yaml_text(text: str) -> str:
    """``text`` as a YAML scalar that reads back as that text."""
    import yaml

    return text if yaml.safe_load(text) == text else json.dumps(text)


def _new_pathway(args: argparse.Namespace) -> int:
    from ..definitions.goals import default_school_goals, load_school_goals

    name = args.name
    if not re.fullmatch(r"[a-z0-9_-]+", name):
        raise DefinitionError(
            N_("a pathway has an id of lower-case letters, digits, '-' and '_'"), file=name
        )
    goals = (
        load_school_goals(args.school_goals) if args.school_goals else default_school_goals("en")
    )
    ids = [g.id for g in goals]
    goal = args.school_goal or ids[0]
    if goal not in ids:
        raise DefinitionError(
            N_("{goal!r} is not one of the school goals ({goals})"),
            file=name,
            goal=goal,
            goals=", ".join(ids),
        )
    title = name.replace("-", " ").replace("_", " ").capitalize()
    text = _PATHWAY_TEMPLATE.format(name=name, id=yaml_text(name), title=yaml_text(title))
    return write_new(args.out / f"{name}.yaml", [*text.splitlines()[:-1], f"school_goal: {goal}"])


_PATHWAY_TEMPLATE = """\
# A pathway: steps towards one school goal. Edit it, then: pdkit validate {name}.yaml
# Steps of type workbook, protocol and observation complete themselves from what the
# teacher does in pdkit; resource, plc, credential and other steps the teacher ticks.
kind: pathway
id: {id}
schema_version: 1
version: 1
title: {title}
intro: Say in a sentence who this pathway is for and how long it takes.
min_optional: 1
steps:
  - id: read
    type: resource
    required: true
    link: https://example.org/a-reading
    title: Read …
  - id: reflect
    type: workbook
    workbook: reflection
    required: true
    after: [read]
    title: Complete a reflection on …
  - id: present
    type: protocol
    title: Present your goal in a protocol round
  - id: be-observed
    type: observation
    observation: receive
    title: Invite a colleague to observe …
  - id: plc
    type: plc
    title: Share … at a PLC meeting
school_goal: placeholder
"""


def _new_credential(args: argparse.Namespace) -> int:
    name = args.name
    if not re.fullmatch(r"[a-z0-9_-]+", name):
        raise DefinitionError(
            N_("a micro-credential has an id of lower-case letters, digits, '-' and '_'"),
            file=name,
        )
    title = name.replace("-", " ").replace("_", " ").capitalize()
    lines = [
        "# A micro-credential earned from a teacher's own work. Fill in every '…', then:",
        f"# pdkit validate {name}.yaml",
        "kind: micro-credential",
        f"id: {yaml_text(name)}",
        "schema_version: 1",
        "version: 1",
        f"title: {yaml_text(title)}",
        "competency: The teacher …",
        "key_method: …",
        "requirements:",
        "  - {id: goal, item: goal_version, min: 2, text: Your goal before and after feedback}",
        "  - {id: measure, item: check_in, min: 2, with_measure: true, text: Two check-ins}",
        "  - {id: evidence, item: evidence, text: An artefact without student names}",
        "  - {id: reflection, item: reflection, text: What changed for your students}",
        "rubric:",
        "  levels:",
        "    - {id: not-yet, label: Not yet}",
        "    - {id: met, label: Met}",
        "  pass_level: met",
        "  criteria:",
        "    - {id: criterion-1, text: …}",
        "assessors:",
        "  coach: true",
    ]
    return write_new(args.out / f"{name}.yaml", lines)
