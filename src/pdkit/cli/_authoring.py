"""Authoring commands: ``pdkit build`` (notebooks from workbook definitions),
``pdkit validate`` (every problem of a definition) and ``pdkit new`` (a new workbook,
agenda, protocol or list of look-fors)."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from ..definitions import definition_files, load_definition
from ..errors import DefinitionError, PdkitError
from ..i18n import N_
from ._common import Commands
from ._new_kinds import add_kinds, write_new, yaml_text
from ._words import t, tn

__all__ = ["add"]


def add(commands: Commands) -> None:
    """Add this group's commands to ``pdkit``."""
    build = commands.add_parser(
        "build",
        help=t("turn workbook definitions into Voilà-ready notebooks"),
        description=t("Write one notebook per workbook definition (kind: workbook)."),
    )
    build.add_argument(
        "templates",
        nargs="*",
        type=Path,
        help=t(
            "workbook definitions, or folders holding them (default: pdkit's built-in workbooks)"
        ),
    )
    build.add_argument(
        "--out",
        type=Path,
        default=Path("workbooks"),
        help=t("folder for the notebooks (./workbooks)"),
    )
    build.add_argument(
        "--check",
        action="store_true",
        help=t("change nothing; exit 1 if a notebook is missing or out of date"),
    )
    build.set_defaults(run=_build)

    validate = commands.add_parser(
        "validate",
        help=t("check definitions and print every problem"),
        description=t(
            "Check YAML definitions (and the definitions workbooks refer to). Prints "
            "each problem with its file, line and place; exits 1 if there is any."
        ),
    )
    validate.add_argument("paths", nargs="+", type=Path, help=t("YAML files, or folders of them"))
    validate.set_defaults(run=_validate)

    new = commands.add_parser("new", help=t("start a new definition from existing ones"))
    kinds = new.add_subparsers(dest="kind", metavar="KIND", required=True)
    new_workbook = kinds.add_parser(
        "workbook",
        help=t("a workbook whose sections are existing definitions"),
        description=t("Write NAME.yaml, a workbook with one section per definition id."),
    )
    new_workbook.add_argument("name", help=t("the new workbook's id (lower-case, digits, - and _)"))
    new_workbook.add_argument(
        "--from",
        dest="sources",
        required=True,
        metavar="ID[,ID…]",
        help=t("the definitions to show, in order (forms, reflections, 'protocol' for the runner)"),
    )
    new_workbook.add_argument(
        "--out", type=Path, default=Path(), help=t("folder for NAME.yaml (default: here)")
    )
    new_workbook.set_defaults(run=_new_workbook)
    new_agenda = kinds.add_parser(
        "agenda",
        help=t("the agenda of a PD day: parts in order, advanced by the facilitator"),
        description=t(
            "Write NAME.yaml, an agenda with one part per item, in order. Edit the "
            "titles and planned minutes, then 'pdkit build' makes its notebook."
        ),
    )
    new_agenda.add_argument("name", help=t("the new agenda's id (lower-case, digits, - and _)"))
    new_agenda.add_argument(
        "--from",
        dest="sources",
        default="goal-setting,protocol,revise,what-so-what-now-what,evaluation",
        metavar="ITEM[,ITEM…]",
        help=t(
            "the parts, in order: form or reflection ids, 'protocol' (the runner), 'revise' "
            "(the first form again, to revise the goal), 'evaluation' (the session evaluation) "
            "(default: %(default)s)"
        ),
    )
    new_agenda.add_argument(
        "--out", type=Path, default=Path(), help=t("folder for NAME.yaml (default: here)")
    )
    new_agenda.set_defaults(run=_new_agenda)
    new_protocol = kinds.add_parser(
        "protocol",
        help=t("a protocol to fill in: norms, rounds with a presenter, feedback, a debrief"),
        description=t(
            "Write NAME.yaml, a protocol that validates as it is and shows every key "
            "a protocol can use: a skippable norms step in the first round, a presenter who "
            "changes each round, feedback that goes to the presenter, a debrief after the last "
            "round, the minutes it adds up to and how it differs from its source."
        ),
    )
    new_protocol.add_argument("name", help=t("the new protocol's id (lower-case, digits, - and _)"))
    new_protocol.add_argument(
        "--out", type=Path, default=Path(), help=t("folder for NAME.yaml (default: here)")
    )
    new_protocol.set_defaults(run=_new_protocol)
    new_look_fors = kinds.add_parser(
        "look-fors",
        help=t("a district's look-fors for observations and learning walks"),
        description=t(
            "Write NAME.yaml, a list of look-fors with one to fill in for each "
            "school goal and one for any goal. Observers are offered it beside the look-fors "
            "of the observed teacher's own goal."
        ),
    )
    new_look_fors.add_argument("name", help=t("the list's id (lower-case, digits, - and _)"))
    new_look_fors.add_argument(
        "--school-goals",
        type=Path,
        default=None,
        help=t("the school goals (YAML or CSV) to tie look-fors to (default: pdkit's sample)"),
    )
    new_look_fors.add_argument(
        "--out", type=Path, default=Path(), help=t("folder for NAME.yaml (default: here)")
    )
    new_look_fors.set_defaults(run=_new_look_fors)
    add_kinds(kinds)


def _build(args: argparse.Namespace) -> int:
    from ..definitions import builtin_workbook_path, builtin_workbooks, workbooks_in
    from ..notebooks import render_workbook, write_workbook

    sources = (
        definition_files(args.templates)
        if args.templates
        else [builtin_workbook_path(i) for i in builtin_workbooks()]
    )
    workbooks = workbooks_in(sources)
    stale = 0
    for workbook in workbooks:
        target = args.out / f"{workbook.id}.ipynb"
        if args.check:
            wanted = render_workbook(workbook, args.out)
            current = target.read_text(encoding="utf-8") if target.exists() else None
            if current != wanted:
                stale += 1
                print(
                    t("pdkit: {target} is out of date with {source}").format(
                        target=target, source=workbook.source
                    )
                )
            continue
        path, changed = write_workbook(workbook, args.out)
        said = t("pdkit: wrote {path}") if changed else t("pdkit: up to date: {path}")
        print(said.format(path=path))
    if stale:
        print(
            tn(
                "pdkit: {count} notebook out of date; run 'pdkit build' to update it",
                "pdkit: {count} notebooks out of date; run 'pdkit build' to update them",
                stale,
            ).format(count=stale),
            file=sys.stderr,
        )
        return 1
    return 0


def _validate(args: argparse.Namespace) -> int:
    from ..definitions import validate_files

    files = definition_files(args.paths)
    problems = 0
    for _, found in validate_files(files):
        for problem in found:
            print(problem.said(t))
        problems += len(found)
    if not files:
        print(t("pdkit: no YAML files found"), file=sys.stderr)
        return 1
    if problems:
        in_files = tn("in {files} file", "in {files} files", len(files)).format(files=len(files))
        said = tn(
            "pdkit: {count} problem {in_files}", "pdkit: {count} problems {in_files}", problems
        )
        print(said.format(count=problems, in_files=in_files), file=sys.stderr)
        return 1
    said = tn(
        "pdkit: {count} file checked, no problems",
        "pdkit: {count} files checked, no problems",
        len(files),
    )
    print(said.format(count=len(files)))
    return 0


def _new_workbook(args: argparse.Namespace) -> int:
    name = args.name
    if not re.fullmatch(r"[a-z0-9_-]+", name):
        raise DefinitionError(
            N_("a workbook id uses lower-case letters, digits, '-' and '_'"), file=name
        )
    title = name.replace("-", " ").replace("_", " ").capitalize()
    lines = [
        f"# A new pdkit workbook. Edit it, then: pdkit build {name}.yaml --out workbooks/",
        "kind: workbook",
        f"id: {yaml_text(name)}",  # quoted when YAML would read a number or true/false
        "schema_version: 1",
        f"title: {yaml_text(title)}",
        "intro: >-",
        "  Say in a sentence or two what this workbook is for.",
        "sections:",
    ]
    for ref in (r.strip() for r in args.sources.split(",") if r.strip()):
        if ref == "protocol":
            lines.append("  - protocol: runner")
            continue
        definition = load_definition(ref)
        if definition.kind not in ("form", "reflection"):
            raise DefinitionError(
                N_(
                    "{ref!r} is a {found}; a workbook shows forms and reflections "
                    "(and 'protocol' for the protocol runner)"
                ),
                file=ref,
                ref=ref,
                found=definition.kind,
            )
        lines.append(f"  - {definition.kind}: {ref}")
    if lines[-1] == "sections:":
        raise PdkitError(N_("--from names no definitions; give at least one id"))
    return write_new(args.out / f"{name}.yaml", lines)


_AGENDA_PLACES = {
    "protocol": ("Protocol rounds", 45, "protocol: runner"),
    "evaluation": ("Session evaluation", 5, "evaluation: session-evaluation"),
}


def _new_agenda(args: argparse.Namespace) -> int:
    name = args.name
    if not re.fullmatch(r"[a-z0-9_-]+", name):
        raise DefinitionError(
            N_("an agenda id uses lower-case letters, digits, '-' and '_'"), file=name
        )
    title = name.replace("-", " ").replace("_", " ").capitalize()
    lines = [
        f"# A new pdkit agenda. Edit it, then: pdkit build {name}.yaml --out workbooks/",
        "kind: agenda",
        f"id: {yaml_text(name)}",
        "schema_version: 1",
        f"title: {yaml_text(title)}",
        "intro: >-",
        "  Say in a sentence or two what the day is for.",
        "parts:",
    ]
    goal = ""  # the first form: what a 'revise' part shows again
    used: set[str] = set()
    for item in (r.strip() for r in args.sources.split(",") if r.strip()):
        if item in _AGENDA_PLACES:
            part_title, minutes, shows = _AGENDA_PLACES[item]
        elif item == "revise":
            if not goal:
                raise PdkitError(N_("'revise' shows the goal form again: name a form before it"))
            part_title, minutes, shows = "Revise your goal", 15, f"revise: {goal}"
        else:
            definition = load_definition(item)
            if definition.kind not in ("form", "reflection"):
                raise DefinitionError(
                    N_(
                        "{item!r} is a {found}; an agenda's parts are forms and "
                        "reflections, 'protocol', 'revise' and 'evaluation'"
                    ),
                    file=item,
                    item=item,
                    found=definition.kind,
                )
            goal = goal or (item if definition.kind == "form" else "")
            part_title, minutes, shows = definition.title, 15, f"{definition.kind}: {item}"
        part_id, n = item, 1
        while part_id in used:
            n += 1
            part_id = f"{item}-{n}"
        used.add(part_id)
        lines += [
            f"  - id: {part_id}",
            f"    title: {yaml_text(part_title)}",
            f"    minutes: {minutes}",
            f"    {shows}",
        ]
    if lines[-1] == "parts:":
        raise PdkitError(N_("--from names no parts; give at least one"))
    return write_new(args.out / f"{name}.yaml", lines)


_PROTOCOL_TEMPLATE = """\
# A new pdkit protocol. Write it in your own words, credit its source in 'origin',
# say in 'deviations' how your version differs, then: pdkit validate {name}.yaml
kind: protocol
id: {id}
schema_version: 1
version: 1
title: {title}
summary: >-
  Say in a sentence or two what the group does and how long it takes.
origin: >-
  Who developed the protocol, for example After Jane Doe (Some School Network).
group_size: [3, 6]
# The role one member takes in each round, in turn, so that everyone presents once.
# Leave it out when nobody presents (then a run is one round).
presenter: presenter
feedback_categories: [warm, cool]
# What the steps add up to (pdkit checks it), and how this version differs from the source.
total_minutes: 25
deviations: >-
  Say where the minutes or steps differ from the published version, and why.
roles:
  - id: presenter
    label: Presenter
    description: Shares the work, then listens.
  - id: facilitator
    label: Group facilitator
    description: Keeps the group on the step in hand and on time.
  - id: participant
    label: Participant
    count: rest
    description: Listens and gives feedback.
steps:
  - id: norms
    title: Norms
    minutes: 2
    round: first          # only in the first round
    skippable: true       # the facilitator may leave it out if the room has norms already
    speaking: [facilitator]
    prompt:
      facilitator: Propose a few norms for the group. Ask if anyone would add one.
      all: Agree on the norms, or add one you need.
  - id: present
    title: The presenter shares the work
    minutes: 5
    allowed: [3, 10]      # the range the source gives, if it gives one
    speaking: [presenter]
    silent: [participant, facilitator]
    prompt:
      presenter: Share the work and the question you want help with.
      all: Listen without interrupting.
  - id: feedback
    title: Feedback
    minutes: 10
    speaking: [participant]
    silent: [presenter]
    prompt:
      participant: Say what works, then what could be stronger.
      presenter: Listen and take notes.
    # These fields go to the presenter's peer-feedback list, in these categories.
    feedback: {{warm: warm, cool: cool}}
    capture:
      participant:
        - {{id: warm, type: long_text, label: What works}}
        - {{id: cool, type: long_text, label: What could be stronger}}
  - id: reflect
    title: The presenter reflects
    minutes: 3
    speaking: [presenter]
    silent: [participant, facilitator]
    prompt:
      presenter: Say what you take away.
      all: Listen without adding to the discussion.
    capture:
      presenter:
        - {{id: takeaways, type: long_text, label: What I take away}}
  - id: debrief
    title: Debrief the process
    minutes: 5
    round: last           # once, after the last round
    speaking: [all]
    prompt:
      all: How did the protocol work for us?
"""


def _new_protocol(args: argparse.Namespace) -> int:
    name = args.name
    if not re.fullmatch(r"[a-z0-9_-]+", name):
        raise DefinitionError(
            N_("a protocol id uses lower-case letters, digits, '-' and '_'"), file=name
        )
    title = name.replace("-", " ").replace("_", " ").capitalize()
    target = args.out / f"{name}.yaml"
    if target.exists():
        raise PdkitError(
            N_("{target} already exists; choose another name or remove it first"), target=target
        )
    text = _PROTOCOL_TEMPLATE.format(name=name, id=yaml_text(name), title=yaml_text(title))
    args.out.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    print(t("pdkit: wrote {path}").format(path=target))
    return 0


def _new_look_fors(args: argparse.Namespace) -> int:
    from ..definitions.goals import default_school_goals, load_school_goals

    name = args.name
    if not re.fullmatch(r"[a-z0-9_-]+", name):
        raise DefinitionError(
            N_("a list of look-fors has an id of lower-case letters, digits, '-' and '_'"),
            file=name,
        )
    goals = (
        load_school_goals(args.school_goals) if args.school_goals else default_school_goals("en")
    )
    title = name.replace("-", " ").replace("_", " ").capitalize()
    lines = [
        "# A district's look-fors: what observers look for on a visit or a learning walk.",
        f"# Write each as what students do or say, then: pdkit validate {name}.yaml",
        "kind: look-fors",
        f"id: {yaml_text(name)}",
        "schema_version: 1",
        "version: 1",
        f"title: {yaml_text(title)}",
        "look_fors:",
    ]
    for goal in goals:
        lines += [
            f"  - id: {yaml_text(goal.id + '-1')}",
            f"    school_goal: {yaml_text(goal.id)}",
            f"    text: {yaml_text('Students … (' + goal.title[:200] + ')')}",
        ]
    lines += ["  - id: any-goal-1", "    text: Students …"]
    return write_new(args.out / f"{name}.yaml", lines)
