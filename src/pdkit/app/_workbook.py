"""What workbook notebooks run: :class:`Workbook` (built notebooks), and one-cell apps.

``Workbook("goal-setting")`` or ``form_app("goal-setting")`` opens the store, reads the
definitions and the school goals, identifies the participant (JupyterHub user, resume
token or join step) and then shows their form with every saved answer restored.
"""

from __future__ import annotations

from functools import partial
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

import ipywidgets as w

from .._memory import give_back_freed_memory
from ..definitions import (
    AgendaDefinition,
    FormDefinition,
    GoalsSource,
    WorkbookDefinition,
    check_references,
    load_form,
    load_workbook,
    resolve_reference,
    resolve_school_goals,
)
from ..definitions.ids import GOAL_FORM
from ..errors import PdkitError
from ..i18n import N_, language_from_url
from ..store import DEFAULT_SESSION, Store
from ..widgets import HTML, BrowserIdentity
from ..widgets._states import learn_widget_kinds
from ._config import (
    facilitator_key,
    hub_user,
    open_store_arg,
    session_goals,
    with_goals,
)
from ._copy import CopyTools
from ._page import error_widget
from ._participant import FormApp, ParticipantApp, ProtocolApp, ReflectionApp
from ._parts import FeedbackPart, FormPart, Part, ReflectionsPart, RunnerPart

if TYPE_CHECKING:  # the coach's and the facilitator's pages: imported when opened
    from ._coach import CoachApp
    from ._facilitator import FacilitatorApp, RoomApp

__all__ = [
    "DEFAULT_REFLECTIONS",
    "Workbook",
    "facilitator_app",
    "form_app",
    "protocol_app",
    "reflection_app",
]


class Workbook:
    """What a built workbook notebook runs (see :mod:`pdkit.notebooks`).

    Its first code cell shows the workbook itself: the sign-in step (or, for a
    facilitator workbook, the key check and the pacing control). Each later code
    cell shows one section with ``section(i)``; sections fill in once someone is
    signed in, all from one sign-in. A problem with the definitions or the store
    shows as a readable message in the first cell.
    """

    def __init__(
        self,
        workbook: str | Path | WorkbookDefinition = "goal-setting",
        *,
        store: Store | str | None = None,
        school_goals: GoalsSource = None,
        session: str = DEFAULT_SESSION,
    ) -> None:
        self.error: PdkitError | None = None
        self.app: ParticipantApp | FacilitatorApp | RoomApp | CoachApp | None = None
        self._part_of: dict[int, int] = {}
        self._source = None if isinstance(workbook, WorkbookDefinition) else workbook
        try:
            self.definition = (
                workbook if isinstance(workbook, WorkbookDefinition) else load_workbook(workbook)
            )
            problems = check_references(self.definition)
            if problems:
                raise problems[0]
            opened = open_store_arg(store)
            if self.definition.audience == "coach":
                from ._coach import CoachApp

                self.app = CoachApp(store=opened, hub_user=hub_user())
            elif self.definition.audience == "facilitator":
                from ._facilitator import FacilitatorApp, RoomApp

                room = any(s.refs == ("room",) for s in self.definition.sections)
                self.app = (RoomApp if room else FacilitatorApp)(
                    store=opened,
                    session=session,
                    key=facilitator_key(),
                    school_goals=school_goals,
                )
            else:
                resolve_school_goals(
                    school_goals, self.definition.language
                )  # a broken goals file shows now
                self.app = ParticipantApp(
                    self._parts(opened, school_goals),
                    store=opened,
                    session=session,
                    hub_user=hub_user(),
                    inline=False,
                    language=self.definition.language,
                    tools=CopyTools(
                        self.definition,
                        opened,
                        school_goals=partial(session_goals, opened, school_goals),
                    ),
                )
        except PdkitError as exc:
            self.error = exc
        self.heading = HTML(value="")
        """The notebook's title and intro in the page's language (``?lang=``), for the page
        to show instead of the notebook's own (see :meth:`_localize_heading`)."""
        self._browser: BrowserIdentity | None = None
        if self.app is not None:
            self._browser = (
                self.app.sign_in.browser
                if isinstance(self.app, ParticipantApp)
                else self.app.browser
            )
            self._browser.observe(lambda _: self._localize_heading(), names="reported")
            self.app.widget.children = (*self.app.widget.children, self.heading)
            if self._browser.reported:
                self._localize_heading()
        # The page is made: what its states need is looked up now, not when it is asked
        # for, and what making it freed goes back to the system (a room of pre-heated
        # kernels holds it once per participant otherwise).
        learn_widget_kinds()
        give_back_freed_memory()

    def _localize_heading(self) -> None:
        """The built notebook's first cell says the workbook's title and intro in the
        definition's language. A page opened in another language (``?lang=``) gets them
        in that one, where the definition gives them: a hidden mark the page's script
        (pdkit's Voilà template) puts in place of the notebook's heading, which it
        recognises by its text."""
        language = language_from_url(self._browser.page_url) if self._browser else None
        if self._source is None or not language or language == self.definition.language:
            return
        try:
            there = load_workbook(self._source, language=language)
        except PdkitError:
            return
        if (there.title, there.intro) == (self.definition.title, self.definition.intro):
            return  # the definition has no texts in that language
        marks = {
            "data-pdkit-heading": there.title,
            "data-pdkit-intro": there.intro,
            "data-pdkit-heading-was": self.definition.title,
        }
        said = " ".join(f'{name}="{escape(value, quote=True)}"' for name, value in marks.items())
        self.heading.value = f"<span hidden {said}></span>"

    def _parts(self, store: Store, school_goals: GoalsSource) -> list[Part]:
        workbook = self.definition

        def form(ref: str, language: str | None, session: str = DEFAULT_SESSION) -> FormDefinition:
            definition = load_form(resolve_reference(ref, workbook), language=language)
            return with_goals(definition, session_goals(store, school_goals, language, session))

        def forms(
            refs: tuple[str, ...], language: str | None, session: str = DEFAULT_SESSION
        ) -> list[FormDefinition]:
            return [form(ref, language, session) for ref in refs]

        def feedback(goal: str) -> FeedbackPart:
            return FeedbackPart(store, partial(form, goal))

        if isinstance(workbook, AgendaDefinition):
            from ._agenda import DayPart, TextPart
            from ._evaluation import EvaluationPart

            day: list[Part] = []
            for item in workbook.parts:
                if item.shows == "form":
                    day.append(FormPart(store, partial(form, item.ref)))
                elif item.shows == "reflection":
                    day.append(ReflectionsPart(store, partial(forms, (item.ref,))))
                elif item.shows == "protocol":
                    day.append(RunnerPart(store))
                elif item.shows == "revise":
                    # The goal again, above the feedback on it: tick what the revision answers.
                    day.append(FormPart(store, partial(form, item.ref)))
                elif item.shows == "evaluation":
                    day.append(EvaluationPart(store, partial(form, item.ref)))
                else:
                    day.append(TextPart(item.text))
            self._part_of[0] = 0
            source = self._source
            localized = None if source is None else partial(_agenda_in, source)
            return [DayPart(store, workbook, day, localized=localized)]

        parts: list[Part] = []
        for index, section in enumerate(workbook.sections):
            refs = section.refs
            part: Part
            if section.kind == "form":
                part = FormPart(store, partial(form, refs[0]))
            elif section.kind in ("reflection", "reflections"):
                part = ReflectionsPart(store, partial(forms, refs))
            elif section.kind == "protocol":
                part = RunnerPart(store)
            elif section.kind == "evaluation":
                from ._evaluation import EvaluationPart

                part = EvaluationPart(store, partial(form, refs[0]))
            elif section.kind == "feedback":
                part = feedback(_goal_form(workbook))
            elif section.kind == "home" and refs == ("class-data",):
                from ._classdata import ClassDataPart  # this page only: pandas on upload

                part = ClassDataPart(store)
            elif section.kind == "home" and refs[0] == "observe":
                from ._observe import ObservePart  # the observation page only

                part = ObservePart(store, page_url=self._page_url)
            elif section.kind == "home" and refs[0] == "credentials":
                from ._credential import CredentialsPart  # the micro-credentials page only

                part = CredentialsPart(store)
            elif section.kind == "home":
                from ._mygoal import MyGoalPart  # the teacher's home page only

                part = MyGoalPart(store, page_url=self._page_url, token=self._token)
            else:
                continue  # text: a Markdown cell of the notebook
            self._part_of[index] = len(parts)
            parts.append(part)
        return parts

    def _page_url(self) -> str:
        return self.app.sign_in.browser.page_url if isinstance(self.app, ParticipantApp) else ""

    def _token(self) -> str | None:
        return self.app.sign_in.token if isinstance(self.app, ParticipantApp) else None

    def section(self, index: int) -> w.Widget:
        """The widgets of section ``index`` (empty until someone is signed in)."""
        if self.error is not None or not isinstance(self.app, ParticipantApp):
            return HTML(value="")
        if index in self._part_of:
            return self.app.section(self._part_of[index])
        text = self.definition.sections[index].text
        return HTML(value=f"<p>{escape(text)}</p>" if text else "")

    @property
    def widget(self) -> w.Widget:
        if self.error is not None or self.app is None:
            language = language_from_url(self._browser.page_url) if self._browser else None
            return error_widget(self.error or PdkitError(N_("unknown problem")), language=language)
        return self.app.widget

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)  # type: ignore[no-untyped-call]


def _agenda_in(source: str | Path, language: str | None) -> AgendaDefinition:
    """The agenda of ``source`` in ``language`` (its titles and intros as a page in that
    language shows them)."""
    found = load_workbook(source, language=language)
    if not isinstance(found, AgendaDefinition):
        raise PdkitError(N_("{source} is not an agenda"), source=str(source))
    return found


def _goal_form(workbook: WorkbookDefinition) -> str:
    """The form whose items peer feedback is about: the workbook's first form (its
    goal), else the built-in goal-setting form."""
    return next((s.refs[0] for s in workbook.sections if s.kind == "form"), GOAL_FORM)


def form_app(
    definition: str | Path = "goal-setting",
    *,
    store: Store | str | None = None,
    school_goals: GoalsSource = None,
    session: str = DEFAULT_SESSION,
) -> FormApp | w.HTML:
    """The app for one form. A configuration problem shows as a readable message
    (the teacher sees what to tell the facilitator), not as a traceback."""
    try:
        spec = load_form(definition)
        goals = resolve_school_goals(school_goals)
        opened = open_store_arg(store)
    except PdkitError as exc:
        return error_widget(exc)
    return FormApp(spec, store=opened, school_goals=goals, session=session, hub_user=hub_user())


DEFAULT_REFLECTIONS = ("what-so-what-now-what", "gibbs", "exit-ticket")


def reflection_app(
    reflections: tuple[str, ...] = DEFAULT_REFLECTIONS,
    *,
    store: Store | str | None = None,
    session: str = DEFAULT_SESSION,
) -> ReflectionApp | w.HTML:
    """The reflection workbook: the participant picks a reflection and works through it."""
    try:
        specs = [load_form(r) for r in reflections]
        opened = open_store_arg(store)
    except PdkitError as exc:
        return error_widget(exc)
    return ReflectionApp(specs, store=opened, session=session, hub_user=hub_user())


def protocol_app(
    *, store: Store | str | None = None, session: str = DEFAULT_SESSION
) -> ProtocolApp | w.HTML:
    """The participant's protocol workbook: follows the run of their group."""
    try:
        opened = open_store_arg(store)
    except PdkitError as exc:
        return error_widget(exc)
    return ProtocolApp(store=opened, session=session, hub_user=hub_user())


def facilitator_app(
    *, store: Store | str | None = None, session: str = DEFAULT_SESSION
) -> FacilitatorApp | w.HTML:
    """The facilitator's workbook: groups and the pacing control (key-protected)."""
    try:
        opened = open_store_arg(store)
    except PdkitError as exc:
        return error_widget(exc)
    from ._facilitator import FacilitatorApp

    return FacilitatorApp(store=opened, session=session, key=facilitator_key())
