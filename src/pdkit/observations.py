"""Observations of teaching (learning walks, peer visits): the rules, as pure functions.

An observation is written by an *observer* about a *teacher*'s lesson. Its look-fors
(what to look for) come from the teacher's goal as the teacher shared it with the
observer (:func:`goal_look_fors`: the goal, point B, each action step and the
measure's instrument), from a district list (a ``kind: look-fors`` definition), or
from the observer. For each look-for the observer marks what they saw
(:data:`MARKS`) with a note; a general note and a "glow and grow" (what went well,
what to try next) go to the teacher.

Who may observe: the teacher's coaches, at any time; a colleague only while the
teacher's invitation stands. Who may read (:func:`may_read`): the observer (their own
writing, draft or sent); the teacher, once it is sent; the teacher's coach, once it
is sent and the teacher shares it (:data:`SHARES`: by default as the goal is shared).
The store applies these rules (:mod:`pdkit.store._sql_observe`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from .errors import StoreError
from .i18n import N_

__all__ = [
    "MARKS",
    "MAX_LOOK_FORS",
    "MAX_LOOK_FOR_CHARS",
    "MAX_NOTE_CHARS",
    "PARTS",
    "SHARES",
    "TEXT_PARTS",
    "LookFor",
    "check_notes",
    "goal_look_fors",
    "may_read",
    "own_look_for",
]

MARKS = ("seen", "not_yet")
"""What an observer marks for a look-for ("" before they mark it)."""

SHARES = ("goal", "coach", "private")
"""How the teacher shares one observation with their coach: ``goal`` (as the goal is
shared: the default), ``coach`` (shared), ``private`` (not shared)."""

TEXT_PARTS = ("general", "glow", "grow")
"""The observation's free-text parts: a general note, what went well, what to try next."""

PARTS = ("date", "look_fors", "marks", *TEXT_PARTS)
"""Every part an observer writes (saved as they type, each on its own)."""

MAX_NOTE_CHARS = 5000
"""A note (general, glow, grow, a look-for's note) holds at most this many characters."""

MAX_LOOK_FOR_CHARS = 300
"""A look-for's text holds at most this many characters."""

MAX_LOOK_FORS = 40
"""An observation has at most this many look-fors."""

_ID = re.compile(r"^[a-z0-9_-]{1,64}$")
_SOURCES = ("goal", "district", "own")

GOAL_LOOK_FOR_FIELDS = ("goal", "point_b", "action_steps", "measure_instrument")
"""The goal's fields its look-fors come from (``measure_instrument``: when the goal
form measures)."""


@dataclass(frozen=True)
class LookFor:
    """One thing to look for: its id (unique in the observation), its text and where it
    came from (``goal``, ``district`` or ``own``)."""

    id: str
    text: str
    source: str

    def as_json(self) -> dict[str, str]:
        return {"id": self.id, "text": self.text, "source": self.source}


def _clip(text: str) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= MAX_LOOK_FOR_CHARS else text[: MAX_LOOK_FOR_CHARS - 1] + "…"


def goal_look_fors(goal: Mapping[str, Any]) -> list[LookFor]:
    """The look-fors of a goal (its answers by field id): the goal itself, point B,
    each action step, and "how it is measured" when the goal names an instrument."""
    found: list[LookFor] = []
    if str(goal.get("goal") or "").strip():
        found.append(LookFor("goal", _clip(goal["goal"]), "goal"))
    if str(goal.get("point_b") or "").strip():
        found.append(LookFor("point_b", _clip(goal["point_b"]), "goal"))
    steps = goal.get("action_steps")
    if isinstance(steps, list):
        for n, step in enumerate(steps, 1):
            if str(step or "").strip():
                found.append(LookFor(f"step_{n}", _clip(step), "goal"))
    if str(goal.get("measure_instrument") or "").strip():
        found.append(LookFor("measure", _clip(goal["measure_instrument"]), "goal"))
    return found[:MAX_LOOK_FORS]


def own_look_for(text: str, taken: Iterable[str]) -> LookFor:
    """A look-for the observer adds, with an id not among ``taken``."""
    text = _clip(text)
    if not text:
        raise StoreError(N_("write the look-for first"))
    used = set(taken)
    n = 1
    while f"own_{n}" in used:
        n += 1
    return LookFor(f"own_{n}", text, "own")


def _text(part: str, value: Any) -> str:
    if not isinstance(value, str):
        raise StoreError(
            N_("an observation's {part} is a text, not {given}"),
            part=part,
            given=type(value).__name__,
        )
    if len(value) > MAX_NOTE_CHARS:
        raise StoreError(
            N_("an observation's {part} holds at most {most:,} characters ({given:,} given)"),
            part=part,
            most=MAX_NOTE_CHARS,
            given=len(value),
        )
    return value


def _look_fors(value: Any) -> list[dict[str, str]]:
    if not isinstance(value, list) or len(value) > MAX_LOOK_FORS:
        raise StoreError(
            N_("an observation's look-fors are a list of at most {most}"), most=MAX_LOOK_FORS
        )
    found: list[dict[str, str]] = []
    seen: set[str] = set()
    for item in value:
        if not isinstance(item, Mapping):
            raise StoreError(N_("each look-for is {id, text, source}"))
        lid, text, source = item.get("id"), item.get("text"), item.get("source", "own")
        if not isinstance(lid, str) or not _ID.match(lid) or lid in seen:
            raise StoreError(N_("a look-for's id is a short unique name, not {lid!r}"), lid=lid)
        if not isinstance(text, str) or not text.strip() or len(text) > MAX_LOOK_FOR_CHARS:
            raise StoreError(
                N_("a look-for's text has 1 to {most} characters"), most=MAX_LOOK_FOR_CHARS
            )
        if source not in _SOURCES:
            raise StoreError(
                N_("a look-for comes from {sources}, not {source!r}"),
                sources=", ".join(_SOURCES),
                source=source,
            )
        seen.add(lid)
        found.append({"id": lid, "text": text, "source": str(source)})
    return found


def _marks(value: Any) -> dict[str, dict[str, str]]:
    if not isinstance(value, Mapping) or len(value) > MAX_LOOK_FORS:
        raise StoreError(N_("an observation's marks are {look-for id: {seen, note}}"))
    found: dict[str, dict[str, str]] = {}
    for lid, mark in value.items():
        if not isinstance(lid, str) or not _ID.match(lid) or not isinstance(mark, Mapping):
            raise StoreError(N_("an observation's marks are {look-for id: {seen, note}}"))
        seen = mark.get("seen", "")
        if seen not in ("", *MARKS):
            raise StoreError(
                N_("a look-for is marked {marks} or not at all"), marks=", ".join(MARKS)
            )
        found[lid] = {"seen": str(seen), "note": _text("note", mark.get("note", ""))}
    return found


def check_notes(values: Mapping[str, Any]) -> dict[str, Any]:
    """``values`` (parts of an observation, :data:`PARTS`), checked and tidied;
    :class:`StoreError` says what is wrong with the first bad one."""
    checked: dict[str, Any] = {}
    for part, value in values.items():
        if part == "date":
            try:
                checked[part] = date.fromisoformat(str(value)).isoformat() if value else ""
            except ValueError:
                raise StoreError(
                    N_("the day of the visit is a date (2026-12-02), not {value!r}"),
                    value=value,
                ) from None
        elif part == "look_fors":
            checked[part] = _look_fors(value)
        elif part == "marks":
            checked[part] = _marks(value)
        elif part in TEXT_PARTS:
            checked[part] = _text(part, value)
        else:
            raise StoreError(
                N_("an observation has no part {part!r} ({parts})"),
                part=part,
                parts=", ".join(PARTS),
            )
    return checked


def may_read(
    *,
    viewer: str | None,
    steward: bool,
    include_private: bool,
    teacher: str,
    observer: str,
    sent: bool,
    share: str,
    goal_level: str,
    coaches: Iterable[str],
) -> bool:
    """Whether a viewer (a participant id, or the store's steward) may read an
    observation (see the module docs). ``goal_level`` is the visibility of the teacher's
    goal, ``coaches`` the teacher's coaches."""
    if viewer is not None and viewer == observer:
        return True
    if steward:
        return include_private or (sent and shared_with_coach(share, goal_level))
    if not sent or viewer is None:
        return False
    if viewer == teacher:
        return True
    return viewer in set(coaches) and shared_with_coach(share, goal_level)


def shared_with_coach(share: str, goal_level: str) -> bool:
    """Whether an observation shared as ``share`` reaches the teacher's coach, when the
    goal is shared at ``goal_level``."""
    if share == "coach":
        return True
    if share == "private":
        return False
    return goal_level in ("coach", "group", "session")
