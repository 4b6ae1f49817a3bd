"""Forming groups: pure functions, so the same seed always gives the same groups."""

from __future__ import annotations

import random
from collections.abc import Sequence

__all__ = ["form_groups"]


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
