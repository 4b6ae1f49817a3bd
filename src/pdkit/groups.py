"""Forming groups: pure functions, so the same seed always gives the same groups."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence

__all__ = ["form_groups", "form_groups_by"]


def form_groups(members: Sequence[str], size: int, *, seed: int | None = None) -> list[list[str]]:
    """Shuffle ``members`` into groups of ``size``.

    Nobody is left alone: when the last group would have a single member, that member
    joins the previous group instead; a smaller last group of two or more stays.
    """
    if size < 2:
        raise ValueError("groups need at least 2 members")
    shuffled = list(members)
    random.Random(seed).shuffle(shuffled)  # noqa: S311 - fairness, not secrecy
    groups = [shuffled[i : i + size] for i in range(0, len(shuffled), size)]
    if len(groups) > 1 and len(groups[-1]) == 1:
        groups[-2].extend(groups.pop())
    return groups


def form_groups_by(
    members: Sequence[str],
    keys: Mapping[str, str],
    size: int,
    *,
    seed: int | None = None,
) -> list[list[str]]:
    """Groups of ``size`` whose members share a key (a school goal) where they can.

    People with the same key are shuffled and grouped together; those left over from
    each key (too few for a whole group), and people without a key, are grouped with
    each other at random. Nobody is left alone (as in :func:`form_groups`).
    """
    if size < 2:
        raise ValueError("groups need at least 2 members")
    rng = random.Random(seed)  # noqa: S311 - fairness, not secrecy
    buckets: dict[str, list[str]] = {}
    for member in members:
        buckets.setdefault(keys.get(member, ""), []).append(member)
    groups: list[list[str]] = []
    rest: list[str] = []
    for key in sorted(buckets):
        people = buckets[key]
        rng.shuffle(people)
        if not key:
            rest.extend(people)
            continue
        whole = len(people) - len(people) % size
        groups.extend(people[i : i + size] for i in range(0, whole, size))
        rest.extend(people[whole:])
    if rest:
        rng.shuffle(rest)
        groups.extend(rest[i : i + size] for i in range(0, len(rest), size))
    if len(groups) > 1 and len(groups[-1]) == 1:
        groups[-2].extend(groups.pop())
    return groups
