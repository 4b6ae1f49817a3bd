"""What workbook notebooks run: :class:`Workbook` (built notebooks), and one-cell apps.

``Workbook("goal-setting")`` or ``form_app("goal-setting")`` opens the store, reads the
definitions and the school goals, identifies the participant (JupyterHub user, resume
token or join step) and then shows their form with every saved answer restored.
Configuration comes from arguments or from the environment that ``pdkit serve`` sets
for every kernel:

- ``PDKIT_STORE``: the store URL (default: a SQLite file in the user's data folder);
- ``PDKIT_SCHOOL_GOALS``: a YAML or CSV file of school goals (default: the sample);
- ``JUPYTERHUB_USER``: set by JupyterHub; then the hub's user is the participant.

Only light modules are imported here: this runs on every page load, in a new kernel.
"""

from __future__ import annotations

import hmac
import os
import re
import unicodedata
from collections.abc import Callable
from contextlib import suppress
from dataclasses import replace
from functools import partial
from html import escape
from importlib import resources
from pathlib import Path
from typing import Any, Protocol, TypeVar
from urllib.parse import parse_qsl, urlsplit, urlunsplit

import ipywidgets as w

from .definitions import (
    FormDefinition,
    SchoolGoal,
    WorkbookDefinition,
    check_references,
    default_school_goals,
    load_form,
    load_school_goals,
    load_workbook,
    resolve_reference,
    school_goals_from_data,
    workbook_forms,
)
from .definitions.ids import GOAL_FORM
from .errors import PdkitError, WorkbookFileError
from .i18n import translator
from .notebooks import (
    dumps,
    printable_html,
    read_saved,
    restore_saved,
    save_workbook,
)
from .store import DEFAULT_SESSION, Participant, Session, Store, open_store
from .widgets import (
    HTML,
    BrowserIdentity,
    Dashboard,
    FileDownload,
    FormView,
    HBox,
    PacingControl,
    PeerFeedback,
    ProtocolRunner,
    SignIn,
    VBox,
)

__all__ = [
    "CopyTools",
    "FacilitatorApp",
    "FeedbackPart",
    "FormApp",
    "ParticipantApp",
    "ProtocolApp",
    "ReflectionApp",
    "Workbook",
    "facilitator_app",
    "form_app",
    "protocol_app",
    "reflection_app",
]

T = TypeVar("T")

FACILITATOR_KEY_ENV = "PDKIT_FACILITATOR_KEY"


def _style() -> str:
    return resources.files("pdkit").joinpath("static", "pdkit.css").read_text("utf-8")


Localized = Callable[[str | None, str], T]
"""A definition (or list of them) for a language and a session: parts build in the
page's language, with the school goals of the participant's session."""


def fixed(value: T) -> Localized[T]:
    """The same definition whatever the language and session."""

    def same(_language: str | None, _session: str = DEFAULT_SESSION) -> T:
        return value

    return same


class Part(Protocol):
    """One section of a participant's workbook, built once someone is signed in."""

    def build(self, participant: Participant, language: str | None = None) -> w.Widget:
        """The section's widgets for ``participant``, in ``language``."""
        ...

    def leave(self) -> None:
        """The participant signs out: save what is unsaved."""
        ...


class FormPart:
    """A form (or one reflection): the participant's answers, restored and autosaved,
    and who can see them (private until the teacher shares them)."""

    def __init__(self, store: Store, definition: Localized[FormDefinition]) -> None:
        self.store = store
        self.definition = definition
        self.form: FormView | None = None

    def build(self, participant: Participant, language: str | None = None) -> w.Widget:
        self.form = FormView(
            self.definition(language, participant.session),
            store=self.store,
            participant_id=participant.id,
            language=language,
            sharing=True,
        )
        return self.form.widget

    def leave(self) -> None:
        if self.form is not None:
            self.form.save()
        self.form = None


class ReflectionsPart:
    """Reflections to choose from, each a sequence of autosaved prompts."""

    def __init__(self, store: Store, reflections: Localized[list[FormDefinition]]) -> None:
        self.store = store
        self.reflections_for = reflections
        self.language: str | None = None
        self.reflections = {r.id: r for r in reflections(None, DEFAULT_SESSION)}
        self.form: FormView | None = None
        self.participant: Participant | None = None
        self.choice = w.ToggleButtons(
            options=[(r.title, r.id) for r in self.reflections.values()],
            description="Reflection",
            style={"description_width": "initial", "button_width": "auto"},
        )
        self.box = VBox()
        self.choice.observe(lambda _: self._open(), names="value")

    def build(self, participant: Participant, language: str | None = None) -> w.Widget:
        t = translator(language)
        if language != self.language:
            self.language = language
            self.reflections = {
                r.id: r for r in self.reflections_for(language, participant.session)
            }
            current = self.choice.value
            with self.choice.hold_trait_notifications():
                self.choice.options = [(r.title, r.id) for r in self.reflections.values()]
                self.choice.value = current
            self.choice.description = t("Reflection")
        self.participant = participant
        self._open()
        parts: list[w.Widget] = [self.box]
        if len(self.reflections) > 1:
            parts.insert(0, self.choice)
        return VBox(parts)

    def _open(self) -> None:
        if self.participant is None:
            return
        self.leave_form()
        self.form = FormView(
            self.reflections[self.choice.value],
            store=self.store,
            participant_id=self.participant.id,
            language=self.language,
            sharing=True,
        )
        self.box.children = [self.form.widget]

    def leave_form(self) -> None:
        if self.form is not None:
            self.form.save()
        self.form = None

    def leave(self) -> None:
        self.leave_form()
        self.participant = None


class RunnerPart:
    """The protocol runner of the participant's group."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.runner: ProtocolRunner | None = None

    def build(self, participant: Participant, language: str | None = None) -> w.Widget:
        self.runner = ProtocolRunner(self.store, participant)
        return self.runner.widget

    def leave(self) -> None:
        if self.runner is not None:
            self.runner.stop_polling()
            if self.runner.notes is not None:
                self.runner.notes.save()
        self.runner = None


class FeedbackPart:
    """Peer feedback on the goal: the group's shared goals, feedback given and received,
    and the versions of one's own goal."""

    def __init__(self, store: Store, definition: Localized[FormDefinition]) -> None:
        self.store = store
        self.definition = definition
        self.page: PeerFeedback | None = None

    def build(self, participant: Participant, language: str | None = None) -> w.Widget:
        self.page = PeerFeedback(
            self.store,
            participant,
            self.definition(language, participant.session),
            language=language,
        )
        return self.page.widget

    def leave(self) -> None:
        if self.page is not None:
            self.page.stop_polling()
        self.page = None


class CopyTools:
    """The participant's own copy: download the workbook (.ipynb with every answer, and
    an HTML page to print) and upload a saved one to continue. Binder forgets everything
    after ~10 idle minutes; this is how a teacher keeps their work."""

    def __init__(
        self,
        workbook: WorkbookDefinition,
        store: Store,
        *,
        school_goals: Callable[[str | None, str], list[SchoolGoal]],
    ) -> None:
        self.workbook = workbook
        self.store = store
        self.school_goals = school_goals
        self.participant: Participant | None = None
        self.language: str | None = None
        self._on_restored: Callable[[], None] = lambda: None
        self.downloader = FileDownload()
        self.download_button = w.Button(description="Download my workbook", icon="download")
        self.print_button = w.Button(description="Download to print", icon="print")
        self.upload = w.FileUpload(
            accept=".ipynb", multiple=False, description="Upload to continue"
        )
        self.message = HTML()
        self.download_button.on_click(lambda _: self.download_notebook())
        self.print_button.on_click(lambda _: self.download_html())
        self.upload.observe(lambda _: self._uploaded(), names="value")
        self.widget = VBox(
            [
                HBox([self.download_button, self.print_button, self.upload]),
                self.message,
                self.downloader,
            ]
        )
        self.widget.add_class("pdkit-copy")

    def bind(
        self, participant: Participant, language: str | None, on_restored: Callable[[], None]
    ) -> None:
        self.participant = participant
        self.language = language
        self._on_restored = on_restored
        self.message.value = ""
        t = translator(language)
        self.download_button.description = t("Download my workbook")
        self.print_button.description = t("Download to print")
        self.upload.description = t("Upload to continue")

    def _notebook(self) -> dict[str, Any]:
        assert self.participant is not None
        return save_workbook(
            self.workbook,
            self.store,
            self.participant,
            language=self.language,
            school_goals=self.school_goals(self.language, self.participant.session),
        )

    def _filename(self, suffix: str) -> str:
        assert self.participant is not None
        plain = unicodedata.normalize("NFKD", self.participant.display_name)  # José: Jose
        plain = plain.encode("ascii", "ignore").decode("ascii")
        name = re.sub(r"[^A-Za-z0-9]+", "-", plain).strip("-").lower()
        return f"{self.workbook.id}-{name or 'me'}{suffix}"

    def download_notebook(self) -> bytes:
        """Offer the saved workbook (.ipynb) as a download; returns its bytes."""
        data = dumps(self._notebook()).encode("utf-8")
        self.downloader.offer(data, self._filename(".ipynb"), "application/x-ipynb+json")
        self._say(
            translator(self.language)(
                "Your workbook is downloading. Keep the file: you can upload it next time."
            )
        )
        return data

    def download_html(self) -> bytes:
        """Offer a printable HTML page of the answers; returns its bytes."""
        saved = read_saved(dumps(self._notebook()), source="this page")
        assert self.participant is not None
        goals = self.school_goals(self.language, self.participant.session)
        html = printable_html(self.workbook, saved, self.language, goals)
        data = html.encode("utf-8")
        self.downloader.offer(data, self._filename(".html"), "text/html")
        self._say(translator(self.language)("A page to print is downloading."))
        return data

    def restore(self, content: bytes, filename: str) -> int:
        """Restore the answers of an uploaded saved workbook; returns how many changed."""
        assert self.participant is not None
        try:
            saved = read_saved(content, source=filename)
            known = {form.id for _i, form in workbook_forms(self.workbook)}
            usable = {k: v for k, v in saved.answers.items() if k in known}
            if not usable:
                raise WorkbookFileError(
                    f"{filename}: it holds no answers for this workbook "
                    f"(it is a saved '{saved.workbook}' workbook)"
                )
            count = restore_saved(self.store, self.participant.id, replace(saved, answers=usable))
        except PdkitError as exc:
            self.message.value = f'<p class="pdkit-error" role="alert">{escape(str(exc))}</p>'
            return 0
        self._on_restored()
        said = translator(self.language)("Restored {count} answer(s) from {file}.")
        self._say(said.format(count=count, file=filename))
        return count

    def _uploaded(self) -> None:
        files = list(self.upload.value)
        if not files:
            return
        upload = files[0]
        self.restore(bytes(upload["content"]), str(upload["name"]))
        self.upload.value = ()

    def _say(self, text: str) -> None:
        self.message.value = f'<p class="pdkit-status" role="status">{escape(text)}</p>'


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
            on_signed_in=self._show,
            on_signed_out=self._hide,
            language=language,
            start=False,
        )
        style = HTML(value=f"<style>{_style()}</style>")
        self.widget = VBox(
            [style, self.sign_in.widget, self.tools_box, *(self.boxes if inline else [])]
        )
        self.widget.add_class("pdkit-app")
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
            self.tools.bind(participant, language, on_restored=lambda: self._rebuild(participant))
            self.tools_box.children = [self.tools.widget]
        for part, box in zip(self.parts, self.boxes, strict=True):
            try:
                box.children = [part.build(participant, language)]
            except PdkitError as exc:  # the store did not answer: say so, lose nothing
                box.children = [
                    _error_widget(
                        exc,
                        t(
                            "Your saved answers could not be loaded. Reload the page in a "
                            "moment; if this persists, tell your facilitator."
                        ),
                    )
                ]

    def _rebuild(self, participant: Participant) -> None:
        """Show every part again from the store (after an upload restored answers)."""
        for part in self.parts:
            part.leave()
        self._show(participant)

    def _hide(self) -> None:
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
        self.definition = _with_goals(definition, school_goals)
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


def _with_goals(definition: FormDefinition, goals: list[SchoolGoal]) -> FormDefinition:
    return definition.with_options({"school_goals": [g.as_option() for g in goals]})


class FacilitatorApp:
    """The facilitator's page: checks the facilitator key, then the session's dashboard
    (:class:`~pdkit.widgets.Dashboard`: statuses, goals per school goal, groups, the
    protocol control, the session's tables) and, for the default session, a form to
    make a new session.

    A link with ``?session=<id>&key=<key>`` opens that session's dashboard when the key
    is the session's (``pdkit session create`` printed it). Without ``session`` the
    page is the default session's: when ``PDKIT_FACILITATOR_KEY`` is set (``pdkit
    serve`` sets it and prints the facilitator link) ``?key=`` must match it; without it
    (a single user in JupyterLab) the page opens for whoever runs the notebook.
    """

    def __init__(
        self,
        *,
        store: Store,
        session: str = DEFAULT_SESSION,
        key: str | None = None,
        school_goals: list[SchoolGoal] | str | Path | None = None,
    ) -> None:
        self.store = store
        self.session = session
        self.key = key
        self.school_goals = school_goals
        self.dashboard: Dashboard | None = None
        self.browser = BrowserIdentity()
        self.body = VBox([HTML(value='<p class="pdkit-loading">Loading…</p>')])
        style = HTML(value=f"<style>{_style()}</style>")
        self.widget = VBox([style, self.browser, self.body])
        self.widget.add_class("pdkit-app")
        self.new_title = w.Text(
            description="Title of the new session",
            placeholder="Spring PD day, room 12",
            style={"description_width": "initial"},
        )
        self.new_button = w.Button(description="Create session", icon="plus")
        self.new_button.on_click(lambda _: self.create_session(self.new_title.value))
        self.new_message = HTML()
        if key is None:
            self._open()
        self.browser.observe(lambda _: self._check(), names="reported")

    @property
    def control(self) -> PacingControl | None:
        """The protocol control of the open dashboard (None until the key is checked)."""
        return self.dashboard.control if self.dashboard is not None else None

    def _check(self) -> None:
        query = dict(parse_qsl(urlsplit(self.browser.page_url).query))
        given = query.get("key", "")
        wanted = query.get("session", "") or DEFAULT_SESSION
        if wanted != DEFAULT_SESSION:
            if self.store.get_session(wanted) is None:
                self._refuse(
                    "This session is not known on this server. Check the facilitator link "
                    "that <code>pdkit session create</code> printed."
                )
                return
            if self.store.facilitator_key_ok(wanted, given):
                self.session = wanted
                self._open()
                return
        elif self.key is None:
            if self.dashboard is None:
                self._open()
            return
        elif hmac.compare_digest(given.encode(), self.key.encode()):
            self._open()
            return
        self._refuse(
            "Open it with the facilitator link that <code>pdkit serve</code> (or <code>pdkit "
            "session create</code>) printed (it ends in <code>key=…</code>)."
        )

    def _refuse(self, how: str) -> None:
        if self.dashboard is not None:
            self.dashboard.stop_polling()
            self.dashboard.control.stop_polling()
        self.dashboard = None
        self.body.children = [
            HTML(
                value='<div class="pdkit-error" role="alert"><strong>This page is for the '
                f"facilitator.</strong> {how}</div>"
            )
        ]

    def _goals(self) -> list[SchoolGoal]:
        return _session_goals(self.store, self.school_goals, None, self.session)

    def _export(self, kind: str) -> bytes:
        from . import tables  # pandas: loaded only when the facilitator asks for the tables

        return tables.write_tables(
            tables.session_tables(self.store, self.session, self._goals()), kind
        )

    def _open(self) -> None:
        if self.dashboard is not None:
            self.dashboard.stop_polling()
            self.dashboard.control.stop_polling()
        self.dashboard = Dashboard(
            self.store,
            session=self.session,
            school_goals=self._goals(),
            export=self._export,
            page_url=self.browser.page_url,
        )
        parts: list[w.Widget] = [self.dashboard.widget]
        if self.session == DEFAULT_SESSION:
            parts.append(
                VBox(
                    [
                        HTML(
                            value="<h2>A new session</h2><p>For another workshop on this "
                            "server: its own join code, school goals and dashboard.</p>"
                        ),
                        HBox([self.new_title, self.new_button]),
                        self.new_message,
                    ]
                )
            )
        self.body.children = parts

    def create_session(self, title: str) -> tuple[Session, str] | None:
        """Make a session with this server's school goals; shows its code and links."""
        goals = [
            {"id": g.id, "title": g.title, "description": g.description} for g in self._goals()
        ]
        try:
            made, key = self.store.create_session(title, goals)
        except PdkitError as exc:
            self.new_message.value = f'<p class="pdkit-error" role="alert">{escape(str(exc))}</p>'
            return None
        page = self.browser.page_url or "facilitator.ipynb"
        join = _sibling(page, "goal-setting.ipynb", f"code={made.code}")
        lead = _sibling(page, "facilitator.ipynb", f"session={made.id}&key={key}")
        self.new_message.value = (
            f'<div class="pdkit-status" role="status"><p>Made <strong>{escape(made.title)}'
            f"</strong>. Join code: <strong>{escape(made.code)}</strong>.</p>"
            f'<p>Participants: <a href="{escape(join, quote=True)}">{escape(join)}</a></p>'
            f"<p>Its dashboard (keep this link to yourself; the key is shown only now): "
            f'<a href="{escape(lead, quote=True)}">{escape(lead)}</a></p></div>'
        )
        self.new_title.value = ""
        return made, key

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)  # type: ignore[no-untyped-call]


def _sibling(page_url: str, notebook: str, query: str) -> str:
    """The address of another notebook beside ``page_url``, with ``query``."""
    parts = urlsplit(page_url)
    path = parts.path.rsplit("/", 1)[0] + f"/{notebook}" if "/" in parts.path else notebook
    return urlunsplit((parts.scheme, parts.netloc, path, query, ""))


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
        school_goals: list[SchoolGoal] | str | Path | None = None,
        session: str = DEFAULT_SESSION,
    ) -> None:
        self.error: PdkitError | None = None
        self.app: ParticipantApp | FacilitatorApp | None = None
        self._part_of: dict[int, int] = {}
        try:
            self.definition = (
                workbook if isinstance(workbook, WorkbookDefinition) else load_workbook(workbook)
            )
            problems = check_references(self.definition)
            if problems:
                raise problems[0]
            opened = _open_store(store)
            if self.definition.audience == "facilitator":
                self.app = FacilitatorApp(
                    store=opened,
                    session=session,
                    key=os.environ.get(FACILITATOR_KEY_ENV) or None,
                    school_goals=school_goals,
                )
            else:
                _goals(school_goals, self.definition.language)  # a broken goals file shows now
                self.app = ParticipantApp(
                    self._parts(opened, school_goals),
                    store=opened,
                    session=session,
                    hub_user=_hub_user(),
                    inline=False,
                    language=self.definition.language,
                    tools=CopyTools(
                        self.definition,
                        opened,
                        school_goals=partial(_session_goals, opened, school_goals),
                    ),
                )
        except PdkitError as exc:
            self.error = exc

    def _parts(
        self, store: Store, school_goals: list[SchoolGoal] | str | Path | None
    ) -> list[Part]:
        workbook = self.definition

        def form(ref: str, language: str | None, session: str = DEFAULT_SESSION) -> FormDefinition:
            definition = load_form(resolve_reference(ref, workbook), language=language)
            return _with_goals(definition, _session_goals(store, school_goals, language, session))

        def forms(
            refs: tuple[str, ...], language: str | None, session: str = DEFAULT_SESSION
        ) -> list[FormDefinition]:
            return [form(ref, language, session) for ref in refs]

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
            elif section.kind == "feedback":
                part = FeedbackPart(store, partial(form, _goal_form(workbook)))
            else:
                continue  # text: a Markdown cell of the notebook
            self._part_of[index] = len(parts)
            parts.append(part)
        return parts

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
            return _error_widget(self.error or PdkitError("unknown problem"))
        return self.app.widget

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)  # type: ignore[no-untyped-call]


def _goal_form(workbook: WorkbookDefinition) -> str:
    """The form whose items peer feedback is about: the workbook's first form (its
    goal), else the built-in goal-setting form."""
    return next((s.refs[0] for s in workbook.sections if s.kind == "form"), GOAL_FORM)


def _goals(
    school_goals: list[SchoolGoal] | str | Path | None, language: str | None = None
) -> list[SchoolGoal]:
    if school_goals is None:
        return default_school_goals(language)
    if isinstance(school_goals, list):
        return school_goals
    return load_school_goals(school_goals, language=language)


def _session_goals(
    store: Store,
    school_goals: list[SchoolGoal] | str | Path | None,
    language: str | None,
    session: str,
) -> list[SchoolGoal]:
    """The school goals of a participant's session: a stored session's own, else the
    configured ones (``PDKIT_SCHOOL_GOALS`` or the sample)."""
    if session != DEFAULT_SESSION:
        found = store.get_session(session)
        if found is not None and found.school_goals:
            return school_goals_from_data(
                found.school_goals, source=f"session {found.title!r}", language=language
            )
    return _goals(school_goals, language)


def _error_widget(error: PdkitError, headline: str = "This workbook cannot start.") -> w.HTML:
    return HTML(
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
        goals = _goals(school_goals)
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
