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

import os
from html import escape
from importlib import resources
from pathlib import Path

import ipywidgets as w

from .errors import PdkitError
from .spec import FormDefinition, SchoolGoal, load_definition, load_school_goals
from .store import DEFAULT_SESSION, Participant, Store, open_store
from .widgets import FormView, SignIn

__all__ = ["FormApp", "form_app"]

SCHOOL_GOALS_ENV = "PDKIT_SCHOOL_GOALS"


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


class FormApp:
    """Sign-in, then one form; displays itself in a notebook or in Voilà."""

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
        self.store = store
        self.form: FormView | None = None
        self.form_box = w.VBox()
        self.sign_in = SignIn(
            store,
            session=session,
            hub_user=hub_user,
            on_signed_in=self._show_form,
            on_signed_out=self._hide_form,
        )
        style = w.HTML(value=f"<style>{_style()}</style>")
        self.widget = w.VBox([style, self.sign_in.widget, self.form_box])
        self.widget.add_class("pdkit-app")

    def _show_form(self, participant: Participant) -> None:
        try:
            self.form = FormView(self.definition, store=self.store, participant_id=participant.id)
        except PdkitError as exc:  # the store did not answer: say so, lose nothing
            self.form_box.children = [
                _error_widget(
                    exc,
                    "Your saved answers could not be loaded. Reload the page in a "
                    "moment; if this persists, tell your facilitator.",
                )
            ]
            return
        self.form_box.children = [self.form.widget]

    def _hide_form(self) -> None:
        if self.form is not None:
            self.form.save()
        self.form = None
        self.form_box.children = []

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)  # type: ignore[no-untyped-call]


def _error_widget(error: PdkitError, headline: str = "This workbook cannot start.") -> w.HTML:
    return w.HTML(
        value=f'<div class="pdkit-error" role="alert"><strong>{escape(headline)}</strong> '
        f"{escape(str(error))}</div>"
    )


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
        spec = load_definition(definition)
        goals = (
            default_school_goals()
            if school_goals is None
            else school_goals
            if isinstance(school_goals, list)
            else load_school_goals(school_goals)
        )
        opened = store if store is not None and not isinstance(store, str) else open_store(store)
    except PdkitError as exc:
        return _error_widget(exc)
    return FormApp(
        spec,
        store=opened,
        school_goals=goals,
        session=session,
        hub_user=os.environ.get("JUPYTERHUB_USER") or None,
    )
