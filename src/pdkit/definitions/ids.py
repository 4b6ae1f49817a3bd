"""The well-known ids: the forms and fields that pdkit itself gives a meaning to.

Any form can be part of a workbook; these few carry the coaching cycle, so the store's
statuses, the facilitator's grouping and counts, peer feedback and the coach's review
all read them by these names (kept here, once).
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = [
    "CHECKIN_FORM",
    "COACH_FIELDS",
    "EVALUATION_FORM",
    "GOAL_FORM",
    "GOAL_SUMMARY_FIELDS",
    "MEASURE_FIELDS",
    "MEASURE_VALUE_FIELD",
    "SCHOOL_GOAL_FIELD",
]

GOAL_FORM = "goal-setting"
"""The form whose answers are a teacher's goal."""

CHECKIN_FORM = "exit-ticket"
"""The reflection whose answers are check-ins on the goal."""

SCHOOL_GOAL_FIELD = "school_goal"
"""The goal's choice of school goal: a category, never text (facilitators may count it
and form groups by it)."""

GOAL_SUMMARY_FIELDS = (SCHOOL_GOAL_FIELD, "goal", "point_a", "point_b", "target_date")
"""The fields that show a goal in short (peer feedback's cards)."""

MEASURE_FIELDS = ("measure_instrument", "measure_unit", "baseline", "target")
"""The goal's optional measure: what is counted (text), its unit (a choice: ``percent``,
``count``, ``score``, ``minutes``, ``other``), point A's number and point B's number
(:mod:`pdkit.measures`)."""

MEASURE_VALUE_FIELD = "measure_value"
"""The check-in's number: the measure's value now (shown only when the goal has a measure)."""

COACH_FIELDS: Mapping[str, frozenset[str] | None] = {
    GOAL_FORM: None,  # every field
    CHECKIN_FORM: frozenset({"progress", MEASURE_VALUE_FIELD, "evidence", "next_step", "support"}),
}
"""What a saved workbook of before per-item visibility shares with the coach, by design
of a coaching cycle (None: the whole form); everything else in such a file is private."""

EVALUATION_FORM = "session-evaluation"
"""The shipped session evaluation (anonymous: answers are sheets, never responses); an
agenda's ``evaluation: placeholder`` means it."""
