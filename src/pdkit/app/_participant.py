"""The participant's app: the sign-in first, then each part of the workbook for whoever
signed in (one-cell apps for a single form, reflections or the protocol runner too)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from html import escape
from typing import TYPE_CHECKING
from urllib.parse import urlencode

import ipywidgets as w

from .._memory import give_back_freed_memory
from ..definitions import FormDefinition, SchoolGoal
from ..errors import PdkitError
from ..i18n import N_, translator
from ..links import MY_GOAL_NOTEBOOK, RESUME_PARAM, sibling
from ..store import DEFAULT_SESSION, Participant, Store
from ..widgets import HTML, FormView, Safekeeper, SignIn, VBox
from ._config import hub_email, with_goals
from ._copy import CopyTools
from ._page import error_widget, sheet
from ._parts import FormPart, Part, ReflectionsPart, RunnerPart, fixed

if TYPE_CHECKING:
    from ..widgets import ProtocolRunner

__all__ = ["FormApp", "ParticipantApp", "ProtocolApp", "ReflectionApp"]


class ParticipantApp:
    """Sign-in first, then each part built for the signed-in participant.

    With ``inline`` (one-cell notebooks) the parts show under the sign-in; otherwise
    each part is shown where ``section(i)`` is displayed (one notebook cell per
    section, text between them). A store that cannot be read shows a message, not
    a traceback.
    """

    def __init__(
        self,
        parts: list[Part],
        *,
        store: Store,
        session: str = DEFAULT_SESSION,
        hub_user: str | None = None,
        inline: bool = True,
        language: str | None = None,
        tools: CopyTools | None = None,
    ) -> None:
        self.store = store
        self.parts = parts
        self.tools = tools
        self.tools_box = VBox()
        self.boxes = [VBox() for _ in parts]
        if not inline:
            for box in self.boxes:
                box.add_class("pdkit-app")
        self.sign_in = SignIn(
            store,
            session=session,
            hub_user=hub_user,
            hub_email=hub_email() if hub_user else None,
            on_signed_in=self._show,
            on_signed_out=self._hide,
            language=language,
            start=False,
        )
        self.home = HTML()
        self.home.add_class("pdkit-home-link")
        self.keeper = Safekeeper()
        for key, box in self.sign_in.typed_boxes().items():
            self.keeper.sync(key, box)  # a Join click reads every character typed
        self.sign_in.join_through(self.keeper)
        self.widget = VBox(
            [
                *sheet(),
                self.keeper,
                self.sign_in.widget,
                self.home,
                self.keeper.note,
                self.tools_box,
                *(self.boxes if inline else []),
            ]
        )
        self.widget.add_class("pdkit-app")
        if not hub_user:  # forms built ahead, filled in at Join (a hub signs in at once)
            for part in parts:
                if isinstance(part, FormPart):
                    part.prepare(language, self.keeper)
        self.sign_in.start()  # on a hub this signs in (and calls _show) at once

    @property
    def form_box(self) -> w.VBox:
        """The box of the first part."""
        return self.boxes[0]

    def section(self, index: int) -> w.VBox:
        """The box of part ``index``, to display in its own cell."""
        return self.boxes[index]

    def _show(self, participant: Participant) -> None:
        language = self.sign_in.language
        t = translator(language)
        with suppress(PdkitError):  # a passing store hiccup: the next page load places them
            self.store.place_in_group(participant.id)  # a late joiner joins a group
        if self.tools is not None:
            self.tools.bind(
                participant,
                language,
                before_restore=self._flush,
                on_restored=lambda: self._rebuild(participant),
            )
            self.tools_box.children = [self.tools.widget]
        self.home.value = self._home_link(t)
        self.keeper.detach_all()
        self.keeper.bind(participant.id, language)
        for part, box in zip(self.parts, self.boxes, strict=True):
            try:
                box.children = [part.build(participant, language, self.keeper)]
            except PdkitError as exc:  # the store did not answer: say so, lose nothing
                box.children = [
                    error_widget(
                        exc,
                        N_(
                            "Your saved answers could not be loaded. Reload the page in a "
                            "moment; if this persists, tell your facilitator."
                        ),
                        language,
                    )
                ]
        # The page hands back what it kept of typing not yet stored (it keeps nothing
        # for someone who just joined: nothing to ask).
        self.keeper.ready(ask=not self.sign_in.joined_now)
        give_back_freed_memory()  # what showing them freed (a room holds it per person)

    def _home_link(self, t: Callable[[str], str]) -> str:
        """The link to the teacher's "My goal" that every workbook page shows (none on
        "My goal" itself, nor outside Voilà where pages are not served side by side)."""
        page = self.sign_in.browser.page_url
        if any(getattr(part, "is_home", False) for part in self.parts):
            return ""
        if "/voila/render/" not in page:
            return ""
        link = escape(sibling(page, MY_GOAL_NOTEBOOK, self._token_query()), quote=True)
        said = escape(t("My goal: its status, your check-ins and your coach's messages"))
        return (
            f'<nav class="pdkit-nav"><a class="pdkit-my-goal-link" href="{link}">{said}</a></nav>'
        )

    def _token_query(self) -> str:
        token = self.sign_in.token
        return urlencode({RESUME_PARAM: token}) if token else ""

    def _flush(self) -> None:
        """Save what is typed and not saved yet, now (before an upload restores answers:
        the upload must win over an autosave that would come after it)."""
        for part in self.parts:
            part.flush()

    def _rebuild(self, participant: Participant) -> None:
        """Show every part again from the store (after an upload restored answers)."""
        for part in self.parts:
            part.leave()
        self._show(participant)

    def _hide(self) -> None:
        self.home.value = ""
        self.keeper.detach_all()
        self.keeper.owner = ""
        self.tools_box.children = []
        for part, box in zip(self.parts, self.boxes, strict=True):
            part.leave()
            box.children = []

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)  # type: ignore[no-untyped-call]


class FormApp(ParticipantApp):
    """Sign-in, then one form (or reflection); displays itself in a notebook or Voilà."""

    def __init__(
        self,
        definition: FormDefinition,
        *,
        store: Store,
        school_goals: list[SchoolGoal],
        session: str = DEFAULT_SESSION,
        hub_user: str | None = None,
    ) -> None:
        self.definition = with_goals(definition, school_goals)
        self.part = FormPart(store, fixed(self.definition))
        super().__init__([self.part], store=store, session=session, hub_user=hub_user)

    @property
    def form(self) -> FormView | None:
        return self.part.form


class ReflectionApp(ParticipantApp):
    """Sign-in, then a choice of reflections, each a sequence of autosaved prompts."""

    def __init__(
        self,
        reflections: list[FormDefinition],
        *,
        store: Store,
        session: str = DEFAULT_SESSION,
        hub_user: str | None = None,
    ) -> None:
        self.part = ReflectionsPart(store, fixed(reflections))
        self.reflections = self.part.reflections
        self.choice = self.part.choice
        super().__init__([self.part], store=store, session=session, hub_user=hub_user)

    @property
    def form(self) -> FormView | None:
        return self.part.form


class ProtocolApp(ParticipantApp):
    """Sign-in, then the protocol runner of the participant's group."""

    def __init__(
        self, *, store: Store, session: str = DEFAULT_SESSION, hub_user: str | None = None
    ) -> None:
        self.part = RunnerPart(store)
        super().__init__([self.part], store=store, session=session, hub_user=hub_user)

    @property
    def runner(self) -> ProtocolRunner | None:
        return self.part.runner
