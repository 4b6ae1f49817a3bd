"""Forming groups: everyone once, nobody alone, reproducible with a seed."""

from __future__ import annotations

from collections import Counter

import pytest

from pdkit.groups import form_groups


def people(count: int) -> list[str]:
    return [f"p{i:02d}" for i in range(count)]


@pytest.mark.parametrize("size", [2, 3, 4, 5])
@pytest.mark.parametrize("count", [0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 13, 30])
def test_everyone_is_placed_exactly_once(count: int, size: int) -> None:
    members = people(count)
    groups = form_groups(members, size, seed=count * 10 + size)
    placed = Counter(m for group in groups for m in group)
    assert placed == Counter(members)
    assert all(n == 1 for n in placed.values())


@pytest.mark.parametrize(
    ("count", "size", "sizes"),
    [
        (4, 2, [2, 2]),
        (5, 2, [2, 3]),
        (6, 3, [3, 3]),
        (7, 3, [3, 4]),
        (8, 3, [3, 3, 2]),
        (9, 4, [4, 5]),
        (10, 4, [4, 4, 2]),
        (4, 3, [4]),
        (12, 5, [5, 5, 2]),
        (11, 5, [5, 6]),
    ],
)
def test_group_sizes(count: int, size: int, sizes: list[int]) -> None:
    assert [len(g) for g in form_groups(people(count), size, seed=3)] == sizes


@pytest.mark.parametrize("size", [2, 3, 4, 6])
@pytest.mark.parametrize("count", range(2, 26))
def test_nobody_is_left_alone(count: int, size: int) -> None:
    groups = form_groups(people(count), size, seed=count)
    assert min(len(g) for g in groups) >= 2
    assert max(len(g) for g in groups) <= size + 1


@pytest.mark.parametrize(("count", "size"), [(2, 3), (3, 4), (2, 12), (5, 6)])
def test_fewer_members_than_the_size_make_one_group(count: int, size: int) -> None:
    members = people(count)
    (group,) = form_groups(members, size, seed=1)
    assert sorted(group) == members


def test_one_member_is_one_group_and_none_is_no_group() -> None:
    assert form_groups(["solo"], 3, seed=1) == [["solo"]]
    assert form_groups([], 3, seed=1) == []


def test_same_seed_same_groups() -> None:
    members = people(12)
    first = form_groups(members, 3, seed=42)
    assert form_groups(members, 3, seed=42) == first
    assert form_groups(tuple(members), 3, seed=42) == first


def test_groups_are_shuffled_and_seeds_differ() -> None:
    members = people(12)
    made = [form_groups(members, 3, seed=seed) for seed in range(6)]
    assert len({repr(g) for g in made}) > 1  # different seeds, different groups
    assert any(g != [members[i : i + 3] for i in range(0, 12, 3)] for g in made)


def test_members_are_not_changed() -> None:
    members = people(7)
    copy = list(members)
    form_groups(members, 2, seed=5)
    assert members == copy


@pytest.mark.parametrize("size", [1, 0, -3])
def test_size_below_two_raises(size: int) -> None:
    with pytest.raises(ValueError, match="at least 2"):
        form_groups(people(6), size)
