"""Rounds of a protocol run: every member of a group presents in turn.

A run of a protocol with a ``presenter`` role has rounds; in each round one member of
each group presents and the other roles are filled from the rest, turning with the
presenter, so that over as many rounds as the group has members everyone presents
once. Steps marked ``round: first`` (norms) run once at the start, ``round: last`` (a
debrief) once at the end; the facilitator may leave out ``skippable`` steps.

Pure functions, as :mod:`pdkit.pacing`: the facilitator's page, every participant's
page, the room display and the tests compute the same plan and the same turns. Who
presents next is decided when a round begins, from the group as it is then: someone
who joined late presents in a later round, someone who left is passed over, and
nobody who is still there loses their turn.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, replace

from .definitions import ProtocolDefinition, Step

__all__ = [
    "MAX_ROUNDS",
    "Plan",
    "Stage",
    "default_rounds",
    "plan",
    "presented",
    "size_problems",
    "turn",
]

MAX_ROUNDS = 12
"""The most rounds one run can have (a group of 12, each presenting once)."""


@dataclass(frozen=True)
class Stage:
    """One step of one round: ``round`` counts from 0, ``index`` is the step's place in
    the protocol."""

    round: int
    index: int
    step: Step


@dataclass(frozen=True)
class Plan:
    """The steps of a run in the order they are paced, over its rounds."""

    protocol: ProtocolDefinition
    rounds: int
    skipped: tuple[str, ...]
    stages: tuple[Stage, ...]

    @property
    def steps(self) -> tuple[Step, ...]:
        """The steps in the order they are paced (what :mod:`pdkit.pacing` walks)."""
        return tuple(stage.step for stage in self.stages)

    @property
    def minutes(self) -> float:
        return sum(stage.step.minutes for stage in self.stages)

    def stage(self, position: int) -> Stage:
        """The stage at ``position`` (clamped: a plan read for an older run never fails)."""
        return self.stages[max(0, min(position, len(self.stages) - 1))]

    def first_of_round(self, round_: int) -> int:
        """The position where ``round_`` begins (its first step that is not a norms step)."""
        for position, stage in enumerate(self.stages):
            if stage.round == round_ and stage.step.round == "each":
                return position
        return 0


def plan(protocol: ProtocolDefinition, rounds: int = 1, skipped: Collection[str] = ()) -> Plan:
    """The stages of a run of ``protocol`` over ``rounds`` rounds, without ``skipped``
    steps (only steps marked ``skippable`` can be left out; others are kept)."""
    rounds = max(1, min(int(rounds), MAX_ROUNDS))
    leave_out = tuple(s.id for s in protocol.steps if s.skippable and s.id in set(skipped))

    def kept(where: str) -> list[tuple[int, Step]]:
        return [
            (i, s)
            for i, s in enumerate(protocol.steps)
            if s.round == where and s.id not in leave_out
        ]

    stages = [Stage(0, i, s) for i, s in kept("first")]
    for round_ in range(rounds):
        stages.extend(Stage(round_, i, s) for i, s in kept("each"))
    stages.extend(Stage(rounds - 1, i, s) for i, s in kept("last"))
    return Plan(protocol, rounds, leave_out, tuple(stages))


def default_rounds(protocol: ProtocolDefinition, sizes: Sequence[int]) -> int:
    """As many rounds as the largest group has members, so that everyone presents once;
    one round when nobody presents."""
    if protocol.presenter is None or not sizes:
        return 1
    return max(1, min(max(sizes), MAX_ROUNDS))


def presented(turns: Mapping[int, Mapping[str, str]], presenter: str | None) -> list[str]:
    """Who has presented in the rounds given (``{round: {participant: role}}`` of one
    group), in the order they did."""
    if presenter is None:
        return []
    return [
        pid
        for _r, roles in sorted(turns.items())
        for pid, role in roles.items()
        if role == presenter
    ]


def turn(
    protocol: ProtocolDefinition,
    order: Sequence[str],
    members: Collection[str],
    done: Sequence[str],
    round_: int,
) -> dict[str, str]:
    """Roles for one group in a new round.

    ``order`` is the group's order of turns (its members when the run started, then
    anyone who joined since, in joining order); ``members`` who is in the group now;
    ``done`` who has presented already. The presenter is the first in ``order`` who is
    here and has not presented (when everyone has, turns start again from the first);
    the other roles follow the presenter around the order, so they turn as well.
    """
    here = [pid for pid in dict.fromkeys([*order, *members]) if pid in members]
    if not here:
        return {}
    if protocol.presenter is None:
        start = round_ % len(here)
    else:
        waiting = [pid for pid in here if pid not in set(done)]
        start = here.index(waiting[0]) if waiting else round_ % len(here)
    rotated = here[start:] + here[:start]
    if protocol.presenter is None or protocol.roles[0].id == protocol.presenter:
        return protocol.assign_roles(rotated)
    # The presenter role is not the first declared: give it to the one whose turn it is,
    # and fill the others in order from the rest.
    others = replace(protocol, roles=tuple(r for r in protocol.roles if r.id != protocol.presenter))
    return {rotated[0]: protocol.presenter, **others.assign_roles(rotated[1:])}


def size_problems(
    protocol: ProtocolDefinition,
    groups: Mapping[str, int],
    others: Sequence[ProtocolDefinition] = (),
    t: Callable[[str], str] = str,
) -> list[str]:
    """What is wrong with running ``protocol`` for ``groups`` (name → people), one
    sentence each, with what to do: merge a small group, split a large one, or choose a
    protocol that fits (from ``others``). Empty when every group fits. ``t`` translates
    pdkit's words (:func:`pdkit.i18n.translator`)."""
    low, high = protocol.group_size
    problems: list[str] = []
    for name, size in groups.items():
        needs = t("{protocol} needs groups of {low} to {high}; {group} has {size}.").format(
            protocol=protocol.title, low=low, high=high, group=name, size=size
        )
        if size < low:
            fits = [p.title for p in others if p.id != protocol.id and p.fits(size)]
            said = (
                t("Merge {group} with another group, or choose a protocol for {size}: {fits}.")
                if fits
                else t("Merge {group} with another group.")
            )
            problems.append(f"{needs} {said.format(group=name, size=size, fits=', '.join(fits))}")
        elif size > high:
            said = t("Split {group} into groups of {low} to {high}, or form groups again.")
            problems.append(f"{needs} {said.format(group=name, low=low, high=high)}")
    return problems
