"""The participant's app: what a workbook notebook runs in its one code cell.

``form_app("goal-setting")`` opens the store, reads the definition and the school
goals, identifies the participant (JupyterHub user, resume token or join step) and
then shows their form with every saved answer restored. Configuration comes from
arguments or from the environment that ``pdkit serve`` sets for every kernel:

- ``PDKIT_STORE``: the store URL (default: a SQLite file in the user's data folder);
- ``PDKIT_SCHOOL_GOALS``: a YAML or CSV file of school goals (default: the sample);
- ``JUPYTERHUB_USER``: set by JupyterHub; then the hub's user is the participant.

Only light modules are imported here: this runs on every page load, in a new kernel.
"""

from __future__ import annotations

import hmac
import os
from html import escape
from importlib import resources
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import ipywidgets as w

from .errors import PdkitError
from .spec import FormDefinition, SchoolGoal, load_form, load_school_goals
from .store import DEFAULT_SESSION, Participant, Store, open_store
from .widgets import BrowserIdentity, FormView, PacingControl, ProtocolRunner, SignIn

__all__ = [
    "FacilitatorApp",
    "FormApp",
    "ParticipantApp",
    "ProtocolApp",
    "ReflectionApp",
    "facilitator_app",
    "form_app",
    "protocol_app",
    "reflection_app",
]

SCHOOL_GOALS_ENV = "PDKIT_SCHOOL_GOALS"
FACILITATOR_KEY_ENV = "PDKIT_FACILITATOR_KEY"


def _style() -> str:
    return resources.files("pdkit").joinpath("static", "pdkit.css").read_text("utf-8")


def default_school_goals() -> list[SchoolGoal]:
    """``$PDKIT_SCHOOL_GOALS`` if set, else the sample goals shipped with pdkit."""
    path = os.environ.get(SCHOOL_GOALS_ENV)
    if path:
        return load_school_goals(path)
    return load_school_goals(
        Path(str(resources.files("pdkit").joinpath("templates"))) / "school-goals.yaml"
    )


class ParticipantApp:
    """Sign-in first, then content built for the signed-in participant.

    Subclasses implement ``_content(participant)`` (a widget) and may implement
    ``_leave()`` (called on sign-out, e.g. to save). A store that cannot be read
    shows a message, not a traceback.
    """

    def __init__(
        self, *, store: Store, session: str = DEFAULT_SESSION, hub_user: str | None = None
    ) -> None:
        self.store = store
        self.form_box = w.VBox()
        self.sign_in = SignIn(
            store,
            session=session,
            hub_user=hub_user,
            on_signed_in=self._show,
            on_signed_out=self._hide,
        )
        style = w.HTML(value=f"<style>{_style()}</style>")
        self.widget = w.VBox([style, self.sign_in.widget, self.form_box])
        self.widget.add_class("pdkit-app")

    def _content(self, participant: Participant) -> w.Widget:
        raise NotImplementedError

    def _leave(self) -> None:
        """Called when the participant signs out."""

    def _show(self, participant: Participant) -> None:
        try:
            content = self._content(participant)
        except PdkitError as exc:  # the store did not answer: say so, lose nothing
            self.form_box.children = [
                _error_widget(
                    exc,
                    "Your saved answers could not be loaded. Reload the page in a "
                    "moment; if this persists, tell your facilitator.",
                )
            ]
            return
        self.form_box.children = [content]

    def _hide(self) -> None:
        self._leave()
        self.form_box.children = []

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
        self.definition = definition.with_options(
            {"school_goals": [g.as_option() for g in school_goals]}
        )
        self.form: FormView | None = None
        super().__init__(store=store, session=session, hub_user=hub_user)

    def _content(self, participant: Participant) -> w.Widget:
        self.form = FormView(self.definition, store=self.store, participant_id=participant.id)
        return self.form.widget

    def _leave(self) -> None:
        if self.form is not None:
            self.form.save()
        self.form = None


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
        self.reflections = {r.id: r for r in reflections}
        self.form: FormView | None = None
        self.choice = w.ToggleButtons(
            options=[(r.title, r.id) for r in reflections],
            description="Reflection",
            style={"description_width": "initial", "button_width": "auto"},
        )
        self.box = w.VBox()
        self.participant: Participant | None = None
        self.choice.observe(lambda _: self._open(), names="value")
        super().__init__(store=store, session=session, hub_user=hub_user)

    def _content(self, participant: Participant) -> w.Widget:
        self.participant = participant
        self._open()
        note = w.HTML(
            value='<p class="pdkit-privacy">Your reflections are private: only you see them.</p>'
        )
        return w.VBox([note, self.choice, self.box])

    def _open(self) -> None:
        if self.participant is None:
            return
        self._leave()
        self.form = FormView(
            self.reflections[self.choice.value],
            store=self.store,
            participant_id=self.participant.id,
        )
        self.box.children = [self.form.widget]

    def _leave(self) -> None:
        if self.form is not None:
            self.form.save()
        self.form = None


class ProtocolApp(ParticipantApp):
    """Sign-in, then the protocol runner of the participant's group."""

    def __init__(
        self, *, store: Store, session: str = DEFAULT_SESSION, hub_user: str | None = None
    ) -> None:
        self.runner: ProtocolRunner | None = None
        super().__init__(store=store, session=session, hub_user=hub_user)

    def _content(self, participant: Participant) -> w.Widget:
        self.runner = ProtocolRunner(self.store, participant)
        return self.runner.widget

    def _leave(self) -> None:
        if self.runner is not None:
            self.runner.stop_polling()
            if self.runner.notes is not None:
                self.runner.notes.save()
        self.runner = None


class FacilitatorApp:
    """The facilitator's page: checks the facilitator key, then the pacing control.

    When ``PDKIT_FACILITATOR_KEY`` is set (``pdkit serve`` sets it and prints the
    facilitator link), the page's ``?key=`` must match it; without it (a single user
    in JupyterLab) the page opens for whoever runs the notebook.
    """

    def __init__(
        self, *, store: Store, session: str = DEFAULT_SESSION, key: str | None = None
    ) -> None:
        self.store = store
        self.session = session
        self.key = key
        self.control: PacingControl | None = None
        self.browser = BrowserIdentity()
        self.body = w.VBox([w.HTML(value='<p class="pdkit-loading">Loading…</p>')])
        style = w.HTML(value=f"<style>{_style()}</style>")
        self.widget = w.VBox([style, self.browser, self.body])
        self.widget.add_class("pdkit-app")
        if key is None:
            self._open()
        else:
            self.browser.observe(lambda _: self._check(), names="reported")

    def _check(self) -> None:
        given = dict(parse_qsl(urlsplit(self.browser.page_url).query)).get("key", "")
        if self.key is not None and hmac.compare_digest(given.encode(), self.key.encode()):
            self._open()
            return
        self.body.children = [
            w.HTML(
                value='<div class="pdkit-error" role="alert"><strong>This page is for the '
                "facilitator.</strong> Open it with the facilitator link that <code>pdkit "
                "serve</code> printed (it ends in <code>?key=…</code>).</div>"
            )
        ]

    def _open(self) -> None:
        self.control = PacingControl(self.store, session=self.session)
        self.body.children = [self.control.widget]

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)  # type: ignore[no-untyped-call]


def _error_widget(error: PdkitError, headline: str = "This workbook cannot start.") -> w.HTML:
    return w.HTML(
        value=f'<div class="pdkit-error" role="alert"><strong>{escape(headline)}</strong> '
        f"{escape(str(error))}</div>"
    )


def _open_store(store: Store | str | None) -> Store:
    return store if store is not None and not isinstance(store, str) else open_store(store)


def _hub_user() -> str | None:
    return os.environ.get("JUPYTERHUB_USER") or None


def form_app(
    definition: str | Path = "goal-setting",
    *,
    store: Store | str | None = None,
    school_goals: list[SchoolGoal] | str | Path | None = None,
    session: str = DEFAULT_SESSION,
) -> FormApp | w.HTML:
    """The app for one form. A configuration problem shows as a readable message
    (the teacher sees what to tell the facilitator), not as a traceback."""
    try:
        spec = load_form(definition)
        goals = (
            default_school_goals()
            if school_goals is None
            else school_goals
            if isinstance(school_goals, list)
            else load_school_goals(school_goals)
        )
        opened = _open_store(store)
    except PdkitError as exc:
        return _error_widget(exc)
    return FormApp(spec, store=opened, school_goals=goals, session=session, hub_user=_hub_user())


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
        opened = _open_store(store)
    except PdkitError as exc:
        return _error_widget(exc)
    return ReflectionApp(specs, store=opened, session=session, hub_user=_hub_user())


def protocol_app(
    *, store: Store | str | None = None, session: str = DEFAULT_SESSION
) -> ProtocolApp | w.HTML:
    """The participant's protocol workbook: follows the run of their group."""
    try:
        opened = _open_store(store)
    except PdkitError as exc:
        return _error_widget(exc)
    return ProtocolApp(store=opened, session=session, hub_user=_hub_user())


def facilitator_app(
    *, store: Store | str | None = None, session: str = DEFAULT_SESSION
) -> FacilitatorApp | w.HTML:
    """The facilitator's workbook: groups and the pacing control (key-protected)."""
    try:
        opened = _open_store(store)
    except PdkitError as exc:
        return _error_widget(exc)
    return FacilitatorApp(
        store=opened, session=session, key=os.environ.get(FACILITATOR_KEY_ENV) or None
    )
