"""Observations on the pages: the observation page (``home: observe``, the ``observe``
workbook), the section of "My goal" and the one of a coach's teacher page.

The observation page is for whoever signs in with their personal link (a teacher
invited by a colleague) or their coach's link (a coach): the store decides whom they
may observe. Its district look-fors are the list named by ``$PDKIT_LOOK_FORS`` (a
``kind: look-fors`` YAML file: ``pdkit serve --look-fors``), else pdkit's sample list
(``templates/look-fors/district.yaml``).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from html import escape
from typing import TYPE_CHECKING
from urllib.parse import urlencode

import ipywidgets as w

from .._environ import LOOK_FORS_ENV
from ..definitions import LookForsDefinition, load_look_fors
from ..errors import PdkitError
from ..i18n import translator
from ..links import RESUME_PARAM, query_value, sibling
from ..store import Observation, Participant, Store, display_names
from ..widgets import HTML, Safekeeper, VBox
from ..widgets._observations_html import observations_html
from ._goalview import home_link, para
from ._page import message_in

if TYPE_CHECKING:
    from ..widgets import ObservationsPanel

__all__ = [
    "LOOK_FORS_ENV",
    "OBSERVE_NOTEBOOK",
    "CoachObservations",
    "ObservePart",
    "district_look_fors",
    "mygoal_observations",
    "observe_link",
]

TEACHER_PARAM = "teacher"
"""The observation page's query parameter naming whom to observe (the coach's link)."""


OBSERVE_NOTEBOOK = "observe.ipynb"
"""The observation page's notebook, beside "My goal"."""


def district_look_fors(language: str | None = None) -> LookForsDefinition:
    """The district's look-fors: ``$PDKIT_LOOK_FORS``, else pdkit's sample list."""
    return load_look_fors(os.environ.get(LOOK_FORS_ENV) or "district", language=language)


def observe_link(page_url: str, token: str, teacher_id: str) -> str:
    """The observation page beside ``page_url``, signed in by ``token``, on ``teacher_id``."""
    query = urlencode(
        {RESUME_PARAM: token, TEACHER_PARAM: teacher_id} if token else {TEACHER_PARAM: teacher_id}
    )
    return sibling(page_url, OBSERVE_NOTEBOOK, query)


class ObservePart:
    """The observation page's section (``home: observe``); ``?teacher=<id>`` in the page's
    address chooses whom to observe (when the signed-in observer may)."""

    def __init__(self, store: Store, *, page_url: Callable[[], str] = lambda: "") -> None:
        self.store = store
        self.page_url = page_url
        self.form: object | None = None

    def build(
        self,
        participant: Participant,
        language: str | None = None,
        keeper: Safekeeper | None = None,
    ) -> w.Widget:
        from ..widgets import ObservationForm

        self.leave()
        t = translator(language)
        problem = ""
        try:
            district: LookForsDefinition | None = district_look_fors(language)
        except PdkitError as exc:  # a broken district file: say so, observe without it
            district, problem = None, message_in(exc, language)
        form = ObservationForm(
            self.store, participant.id, language=language, keeper=keeper, look_fors=district
        )
        self.form = form
        wanted = query_value(self.page_url(), TEACHER_PARAM)
        if wanted and wanted in [value for _, value in form.whom.options]:
            form.whom.value = wanted
        intro = t(
            "Observe a colleague who invited you, or a teacher you coach. Write what you see "
            "and hear; your notes save as you type and go to the teacher when you send them."
        )
        shown: list[w.Widget] = [HTML(value=para("pdkit-intro", intro)), form.widget]
        if problem:
            shown.insert(0, HTML(value=para("pdkit-error", problem, "alert")))
        return VBox(shown)

    def flush(self) -> None:
        save = getattr(self.form, "save", None)
        if save is not None:
            save()

    def leave(self) -> None:
        close = getattr(self.form, "close", None)
        if close is not None:
            close()
        self.form = None


def mygoal_observations(
    store: Store, teacher_id: str, language: str | None, page_url: str, token: str | None
) -> ObservationsPanel:
    """The observations section of "My goal" (:class:`~pdkit.widgets.ObservationsPanel`)."""
    from ..widgets import ObservationsPanel

    return ObservationsPanel(
        store,
        teacher_id,
        language=language,
        observe_link=lambda: home_link(page_url, token, OBSERVE_NOTEBOOK) if page_url else "",
    )


class CoachObservations:
    """The observations a teacher shares with their coach, on the coach's teacher page."""

    def __init__(
        self,
        store: Store,
        coach_id: str,
        teacher_id: str,
        *,
        language: str | None = None,
        link: str = "",
    ) -> None:
        self.store = store
        self.coach_id = coach_id
        self.teacher_id = teacher_id
        self.t = t = translator(language)
        self.found: list[Observation] = []
        self._seen: tuple[object, ...] | None = None
        self.list_html = HTML()
        go = ""
        if link:
            said = escape(t("Observe this teacher"))
            go = (
                f'<p><a class="pdkit-observe-link" href="{escape(link, quote=True)}">{said}</a></p>'
            )
        self.widget = VBox(
            [
                HTML(value=f"<h3>{escape(t('Observations shared with you'))}</h3>"),
                self.list_html,
                HTML(value=go),
            ]
        )
        self.widget.add_class("pdkit-observations-shared")
        self.refresh()

    def refresh(self) -> None:
        try:
            found = self.store.observations_of(self.teacher_id, viewer=self.coach_id)
        except PdkitError:
            return
        key = tuple((o.id, o.sent_at, o.updated_at) for o in found)
        if key == self._seen:
            return
        self._seen = key
        self.found = found
        names = display_names(self.store, {o.observer for o in found})
        self.list_html.value = observations_html(found, names, self.t)
