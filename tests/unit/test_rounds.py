"""Rounds: every member presents once, norms once, a debrief at the end, and group sizes
checked with a suggestion."""

from __future__ import annotations

from dataclasses import replace

from pdkit import pacing, rounds
from pdkit.definitions import builtin_definitions, load_protocol

TUNING = load_protocol("tuning")
WARM_COOL = load_protocol("warm-cool-feedback")


def test_a_plan_runs_norms_once_each_round_s_steps_and_the_debrief_at_the_end() -> None:
    made = rounds.plan(TUNING, 3)
    ids = [(s.round, s.step.id) for s in made.stages]
    each = [s.id for s in TUNING.steps if s.round == "each"]
    assert ids[0] == (0, "intro")
    assert ids[-1] == (2, "debrief")
    assert ids[1:-1] == [(r, step) for r in range(3) for step in each]
    assert made.minutes == 5 + 3 * sum(s.minutes for s in TUNING.steps if s.round == "each") + 5
    assert made.first_of_round(1) == 1 + len(each)


def test_only_skippable_steps_can_be_left_out() -> None:
    made = rounds.plan(TUNING, 1, skipped=["intro", "presentation"])
    assert made.skipped == ("intro",)
    assert [s.step.id for s in made.stages][:1] == ["presentation"]


def test_one_round_walks_the_protocol_as_declared() -> None:
    for protocol_id in builtin_definitions("protocol"):
        protocol = load_protocol(protocol_id)
        assert rounds.plan(protocol).steps == protocol.steps


def test_pacing_a_plan_says_the_round_of_each_step() -> None:
    made = rounds.plan(WARM_COOL, 2)
    state = pacing.start(made, 0.0)
    seen = [state.round]
    while state.status != pacing.ENDED:
        state = pacing.next_step(made, state, 1.0)
        seen.append(state.round)
    # The norms step comes once, in the first round; the others in each round.
    once = sum(s.round == "first" for s in WARM_COOL.steps)
    per_round = sum(s.round == "each" for s in WARM_COOL.steps)
    assert once == 1
    # The last: ended, in round 2.
    assert seen == [0] * (once + per_round) + [1] * per_round + [1]
    second = once + per_round  # the first step of round 2
    back = pacing.back(made, pacing.pause(pacing._enter(made, second, 2.0), 3.0), 4.0)
    assert (back.step, back.round) == (second - 1, 0)


def test_in_three_rounds_each_member_of_a_triad_presents_once() -> None:
    order = ["ana", "ben", "cy"]
    turns: dict[int, dict[str, str]] = {}
    for r in range(3):
        turns[r] = rounds.turn(TUNING, order, set(order), rounds.presented(turns, "presenter"), r)
        assert sorted(turns[r]) == sorted(order)
        assert list(turns[r].values()).count("presenter") == 1
    assert rounds.presented(turns, "presenter") == ["ana", "ben", "cy"]
    # The other roles turn too: nobody keeps time in every round.
    keepers = [next(p for p, role in t.items() if role == "facilitator") for t in turns.values()]
    assert len(set(keepers)) == 3


def test_a_late_joiner_presents_in_a_later_round_and_a_leaver_is_passed_over() -> None:
    order = ["ana", "ben", "cy"]
    first = rounds.turn(WARM_COOL, order, {"ana", "ben", "cy"}, [], 0)
    assert first["ana"] == "presenter"
    # ben leaves before round 2; dee joins: cy presents, then dee; nobody who is here
    # loses a turn.
    second = rounds.turn(WARM_COOL, [*order, "dee"], {"ana", "cy", "dee"}, ["ana"], 1)
    assert "ben" not in second
    assert second["cy"] == "presenter"
    third = rounds.turn(WARM_COOL, [*order, "dee"], {"ana", "cy", "dee"}, ["ana", "cy"], 2)
    assert third["dee"] == "presenter"
    # Everyone has presented: turns start again rather than leave the round without one.
    fourth = rounds.turn(WARM_COOL, [*order, "dee"], {"ana", "cy", "dee"}, ["ana", "cy", "dee"], 3)
    assert list(fourth.values()).count("presenter") == 1


def test_the_presenter_role_need_not_be_the_first_declared() -> None:
    moved = replace(TUNING, roles=(*TUNING.roles[1:], TUNING.roles[0]))
    roles = rounds.turn(moved, ["a", "b", "c", "d"], {"a", "b", "c", "d"}, ["a"], 1)
    assert roles["b"] == "presenter"
    assert list(roles.values()).count("presenter") == 1
    assert roles["c"] == "facilitator"


def test_rounds_default_to_the_largest_group_and_to_one_without_a_presenter() -> None:
    assert rounds.default_rounds(WARM_COOL, [3, 4, 3]) == 4
    assert rounds.default_rounds(WARM_COOL, []) == 1
    assert rounds.default_rounds(replace(WARM_COOL, presenter=None), [5]) == 1


def test_a_group_too_small_is_refused_with_what_to_do() -> None:
    others = [load_protocol(p) for p in builtin_definitions("protocol")]
    [problem] = rounds.size_problems(TUNING, {"Group 1": 3, "Group 2": 2}, others)
    assert problem.startswith("Tuning protocol needs groups of 3 to 12; Group 2 has 2.")
    assert "Merge Group 2 with another group" in problem
    assert WARM_COOL.title in problem
    [too_big] = rounds.size_problems(WARM_COOL, {"Group 1": 9})
    assert "Split Group 1 into groups of 2 to 6" in too_big
    assert rounds.size_problems(TUNING, {"Group 1": 3, "Group 2": 12}) == []


def test_feedback_ticked_while_revising_belongs_to_the_version_of_that_sitting() -> None:
    from pdkit.revisions import SITTING_GAP, Version, answered_in

    day = 24 * 3600.0
    found = [Version(1, 0.0, 600.0), Version(2, 14 * day, 14 * day + 300.0)]
    assert answered_in(found, 14 * day - 60) == 2  # ticked first, then changed the goal
    assert answered_in(found, 14 * day + 900) == 2  # changed, then ticked
    assert answered_in(found, 900.0) == 1  # on the day: the first version answers it
    assert answered_in(found, 7 * day) == 2  # ticked a week before revising
    assert answered_in(found, 30 * day) == 2  # ticked long after: the newest
    assert answered_in([], 5.0) is None
    assert SITTING_GAP == 1800.0
