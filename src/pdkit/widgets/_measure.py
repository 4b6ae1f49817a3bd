"""A goal's measure on a page: the check-in's value prompt named after the goal's measure,
the hint for half a measure on the goal form, and the A → now → B panel ("My goal" and
the coach's page of a teacher), all from :mod:`pdkit.measures`.

The panel reads as its viewer (the teacher, or their coach), so it shows only what that
viewer may see: a coach who may see the goal but not the check-ins sees point A and
point B without the values between them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from html import escape
from typing import Any

from ..definitions import FormDefinition, load_form
from ..definitions.ids import CHECKIN_FORM, GOAL_FORM, MEASURE_VALUE_FIELD
from ..errors import PdkitError
from ..i18n import translator
from ..measures import Measure, Point, checkin_points, measure_chart, measure_of, measure_words
from ..store import Store
from ._lean import HTML

__all__ = [
    "MeasurePanel",
    "checkin_for_goal",
    "checkin_form",
    "measure_hint_html",
    "measure_html",
    "measured_checkin",
]

Translate = Callable[[str], str]


def checkin_for_goal(
    definition: FormDefinition, goal: Mapping[str, Any], language: str | None = None
) -> FormDefinition:
    """The check-in form for a goal: its value prompt labelled with the goal's measure
    ("Weekly exit ticket, now (%)"), or left out when the goal has no measure. Any other
    form is returned as it is."""
    if definition.id != CHECKIN_FORM or MEASURE_VALUE_FIELD not in {
        f.id for f in definition.fields
    }:
        return definition
    measure = measure_of(goal)
    if measure is None:
        return replace(
            definition, fields=tuple(f for f in definition.fields if f.id != MEASURE_VALUE_FIELD)
        )
    label = measure.value_label(translator(language))
    return replace(
        definition,
        fields=tuple(
            replace(f, label=label) if f.id == MEASURE_VALUE_FIELD else f for f in definition.fields
        ),
    )


def measured_checkin(
    store: Store, participant_id: str, definition: FormDefinition, language: str | None = None
) -> FormDefinition:
    """:func:`checkin_for_goal` with the participant's current goal, read as themselves
    (a goal that cannot be read counts as none: the check-in still works)."""
    if definition.id != CHECKIN_FORM:
        return definition
    try:
        goal = store.latest(participant_id, GOAL_FORM, viewer=participant_id)
    except PdkitError:
        goal = {}
    return checkin_for_goal(definition, goal, language)


def checkin_form(store: Store, participant_id: str, language: str | None = None) -> FormDefinition:
    """The check-in form in ``language`` for the participant's goal (:func:`measured_checkin`)."""
    return measured_checkin(
        store, participant_id, load_form(CHECKIN_FORM, language=language), language
    )


def measure_hint_html(values: Mapping[str, Any], t: Translate) -> str:
    """Under the goal form's point B number: what the measure still lacks ("" if
    nothing). A hint, never a refusal: half a measure saves as typed."""
    measure = measure_of(values)
    said = measure.hint(t) if measure is not None else ""
    return f'<div class="pdkit-hints pdkit-measure-hint">{escape(said)}</div>' if said else ""


def measure_html(
    measure: Measure,
    points: list[Point],
    *,
    target_date: str | None = None,
    t: Translate,
    language: str | None = None,
    hint: bool = False,
) -> str:
    """The measure's section: a heading, A → now → B in words, and the chart."""
    words = measure_words(measure, points, target_date=target_date, t=t, language=language)
    chart = measure_chart(measure, points, t=t, language=language)
    name = measure.instrument or t("My measure")
    parts = [
        f'<div class="pdkit-measure"><h3>{escape(name)}: {escape(t("A → now → B"))}</h3>',
        f'<p class="pdkit-measure-words">{escape(words)}</p>',
    ]
    if hint and measure.hint(t):
        parts.append(f'<p class="pdkit-hint">{escape(measure.hint(t))}</p>')
    parts += [f'<div class="pdkit-chart">{chart}</div>' if chart else "", "</div>"]
    return "".join(parts)


class MeasurePanel:
    """A teacher's measure from point A through their check-ins' values toward point B,
    read as ``viewer``; ``refresh()`` reads again and redraws when something changed.
    Empty for a goal in words only (or one the viewer may not see)."""

    def __init__(
        self, store: Store, owner: str, viewer: str, *, language: str | None = None
    ) -> None:
        self.store = store
        self.owner = owner
        self.viewer = viewer
        self.language = language
        self.t = translator(language)
        self.widget = HTML()
        self.widget.add_class("pdkit-measure-panel")
        self.measure: Measure | None = None
        self.points: list[Point] = []
        self.link = ""
        """The address of the teacher's class-data page, linked under a measured goal ("": none)."""
        self._seen: tuple[Any, ...] | None = None
        self.refresh()

    def refresh(self) -> None:
        owner, viewer = self.owner, self.viewer
        try:
            goal = (
                self.store.latest(owner, GOAL_FORM, viewer=viewer)
                if self.store.can_see(viewer, owner, GOAL_FORM)
                else {}
            )
            measure = measure_of(goal)
            points: list[Point] = []
            if measure is not None and self.store.can_see(viewer, owner, CHECKIN_FORM):
                points = checkin_points(
                    self.store.history(owner, CHECKIN_FORM, viewer=viewer),
                    self.store.revision_marks(owner, CHECKIN_FORM),
                )
        except PdkitError:
            return  # a passing store hiccup: keep what is shown
        target_date = goal.get("target_date")
        key = (measure, target_date, tuple(points), self.link)
        if key == self._seen:
            return
        self._seen = key
        self.measure, self.points = measure, points
        shown = (
            ""
            if measure is None
            else measure_html(
                measure,
                points,
                target_date=target_date if isinstance(target_date, str) else None,
                t=self.t,
                language=self.language,
                hint=owner == viewer,
            )
        )
        if self.link and owner == viewer and measure is not None:
            said = escape(self.t("Class data: summarise a CSV of de-identified scores"))
            shown += (
                f'<p><a class="pdkit-class-data-link" href="{escape(self.link, quote=True)}">'
                f"{said}</a></p>"
            )
        self.widget.value = shown
