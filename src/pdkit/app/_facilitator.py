"""The facilitator's page: checks the facilitator key, then the session's dashboard."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from html import escape
from pathlib import Path
from typing import Any

import ipywidgets as w

from ..definitions import (
    AgendaDefinition,
    FormDefinition,
    GoalsSource,
    SchoolGoal,
    load_form,
    load_workbook,
    resolve_reference,
)
from ..errors import PdkitError
from ..i18n import language_from_url, translator
from ..links import query_value, sibling
from ..store import DEFAULT_SESSION, KeyLockout, Session, Store, same_key
from ..widgets import HTML, BrowserIdentity, Dashboard, HBox, PacingControl, VBox
from ..widgets._room import RoomDisplay
from ._config import session_goals
from ._page import message_in, sheet

__all__ = ["AGENDA_ENV", "PAGE_LOCKOUT", "FacilitatorApp", "RoomApp", "room_agenda"]

AGENDA_ENV = "PDKIT_AGENDA"
"""The agenda the facilitator moves the room through: a built-in id or a YAML file
(default: the shipped ``day``)."""


def room_agenda(language: str | None = None) -> AgendaDefinition | None:
    """The day's agenda (:data:`AGENDA_ENV`, else ``day``) in ``language``; None when it
    is not an agenda or cannot be read (the dashboard then has no agenda control)."""
    import os

    try:
        found = load_workbook(os.environ.get(AGENDA_ENV) or "day", language=language)
    except PdkitError:
        return None
    return found if isinstance(found, AgendaDefinition) else None


def agenda_evaluation(agenda: AgendaDefinition | None) -> FormDefinition | None:
    """The session evaluation the agenda's ``evaluation`` part shows (a district's copy
    beside the agenda wins), for the dashboard's summary; None for the built-in one."""
    part = next((p for p in agenda.parts if p.shows == "evaluation"), None) if agenda else None
    if agenda is None or part is None:
        return None
    try:
        return load_form(resolve_reference(part.ref, agenda))
    except PdkitError:
        return None


PAGE_LOCKOUT = KeyLockout(free=3)
"""Wrong keys one page may try before it waits (then 1 s, 2 s, 4 s … up to 5 minutes);
the store limits the tries of every page together (:data:`pdkit.store.SERVER_LOCKOUT`)."""


class FacilitatorApp:
    """The facilitator's page: checks the facilitator key, then the session's dashboard
    (:class:`~pdkit.widgets.Dashboard`: statuses, goals per school goal, groups, the
    protocol control, the session's tables) and, for the default session, a form to
    make a new session.

    A link with ``?session=<id>&key=<key>`` opens that session's dashboard when the key
    is the session's (``pdkit session create`` printed it). Without ``session`` the
    page is the default session's: when ``PDKIT_FACILITATOR_KEY`` is set (``pdkit
    serve`` sets it and prints the facilitator link) ``?key=`` must match it; without it
    the page opens for whoever runs the notebook (a single user in JupyterLab) or, on a
    JupyterHub's pdkit service (``pdkit-hub://``), for the hub's facilitators group only.

    Keys are compared in constant time, and wrong tries are limited on the page
    (:data:`PAGE_LOCKOUT`) and across every page on the store
    (:meth:`pdkit.store.SessionStore.claim_key_attempt`): past the limit the page says
    when to try again, and no key is compared until then.
    """

    def __init__(
        self,
        *,
        store: Store,
        session: str = DEFAULT_SESSION,
        key: str | None = None,
        school_goals: GoalsSource = None,
        clock: Callable[[], float] = time.monotonic,
        language: str | None = None,
    ) -> None:
        self.language = language
        self.t = t = translator(language)
        self.store = store
        self.session = session
        self.key = key
        self.school_goals = school_goals
        self._clock = clock
        self._failures: list[float] = []  # when this page's wrong tries were made
        self.dashboard: Dashboard | None = None
        self.browser = BrowserIdentity()
        self.body = VBox([HTML(value=f'<p class="pdkit-loading">{escape(t("Loading…"))}</p>')])
        self.widget = VBox([*sheet(), self.browser, self.body])
        self.widget.add_class("pdkit-app")
        self.new_title = w.Text(style={"description_width": "initial"})
        self.new_button = w.Button(icon="plus")
        self._word_controls()
        self.new_button.on_click(lambda _: self.create_session(self.new_title.value))
        self.new_message = HTML()
        self._hub_refused = False
        if key is None:
            self._open_keyless()
        self.browser.observe(self._on_report, names="reported")

    @property
    def control(self) -> PacingControl | None:
        """The protocol control of the open dashboard (None until the key is checked)."""
        return self.dashboard.control if self.dashboard is not None else None

    def _word_controls(self) -> None:
        t = self.t
        self.new_title.description = t("Title of the new session")
        self.new_title.placeholder = t("Spring PD day, room 12")
        self.new_button.description = t("Create session")

    def _on_report(self, change: dict[str, Any]) -> None:
        if change["new"]:  # (a report taken back is no new try at the key)
            self._check()

    def _check(self) -> None:
        page = self.browser.page_url
        wanted_language = language_from_url(page)
        if wanted_language and wanted_language != self.language:  # ?lang= in the link wins
            self.language, self.t = wanted_language, translator(wanted_language)
            self._word_controls()
            if self._is_open():  # opened before the page said its language (a keyless page)
                self._open()
        t = self.t
        given = query_value(page, "key")
        wanted = query_value(page, "session") or DEFAULT_SESSION
        if wanted != DEFAULT_SESSION:
            if self.store.get_session(wanted) is None:
                self._refuse(
                    escape(
                        t(
                            "This session is not known on this server. Check the facilitator "
                            "link that {command} printed."
                        )
                    ).format(command="<code>pdkit session create</code>")
                )
                return
            self._try_key(wanted, lambda: self.store.facilitator_key_ok(wanted, given))
        elif self.key is None:
            if self.dashboard is None and not self._hub_refused:
                self._open_keyless()
        else:
            key = self.key
            self._try_key(DEFAULT_SESSION, lambda: same_key(given, key))

    def _open_keyless(self) -> None:
        """Open without a key: on a JupyterHub's pdkit service (a store that knows the hub
        user's roles) only for a member of the hub's facilitators group; elsewhere (one
        person in JupyterLab) for whoever runs the notebook."""
        roles = getattr(self.store, "hub_roles", None)
        if callable(roles) and not roles().get("facilitator"):
            self._hub_refused = True
            self._refuse(
                escape(
                    self.t(
                        "On this hub, facilitators are the members of the hub's facilitators "
                        "group: ask the hub's administrator to add you to it."
                    )
                )
            )
            return
        self._open()

    def _try_key(self, session: str, right: Callable[[], bool]) -> None:
        """Compare the page's key (``right``) unless this page or the server has seen
        too many wrong ones lately; open the session's dashboard when it is right."""
        now = self._clock()
        wait = PAGE_LOCKOUT.retry_at(self._failures, now) - now
        if wait > 0:
            self._locked(wait)
            return
        attempt = self.store.claim_key_attempt(session)
        if not attempt.allowed:
            self._locked(attempt.wait)
            return
        if right():
            self.store.forget_key_attempt(attempt)
            self.session = session
            self._open()
            return
        self._failures.append(now)
        self._refuse(
            escape(
                self.t(
                    "Open it with the facilitator link that {serve} (or {create}) printed (it "
                    "ends in {key})."
                )
            ).format(
                serve="<code>pdkit serve</code>",
                create="<code>pdkit session create</code>",
                key="<code>key=…</code>",
            )
        )

    def _locked(self, wait: float) -> None:
        said = self.t(
            "Too many wrong keys have been tried for this dashboard, so no key is checked for "
            "now. Try again in {wait}: open the facilitator link again then."
        )
        self._refuse(escape(said.format(wait=how_long(wait, self.t))))

    def _close(self) -> None:
        """Stop what the page shows from polling the store."""
        if self.dashboard is not None:
            self.dashboard.stop_polling()
            self.dashboard.control.stop_polling()
            if self.dashboard.agenda is not None:
                self.dashboard.agenda.stop_polling()
        self.dashboard = None

    def _refuse(self, how: str) -> None:
        self._close()
        first = escape(self.t("This page is for the facilitator."))
        self.body.children = [
            HTML(
                value=f'<div class="pdkit-error" role="alert"><strong>{first}</strong> {how}</div>'
            )
        ]

    def _goals(self) -> list[SchoolGoal]:
        return session_goals(self.store, self.school_goals, None, self.session)

    def _export(self, kind: str) -> bytes:
        from ..review import tables  # pandas: loaded only when the facilitator asks for the tables

        evaluation = self.dashboard.evaluation_form if self.dashboard is not None else None
        return tables.write_tables(
            tables.session_tables(self.store, self.session, self._goals(), evaluation), kind
        )

    def _is_open(self) -> bool:
        return self.dashboard is not None

    def _open(self) -> None:
        self._close()
        agenda = room_agenda(self.language)
        self.dashboard = Dashboard(
            self.store,
            session=self.session,
            school_goals=self._goals(),
            export=self._export,
            page_url=self.browser.page_url,
            agenda=agenda,
            evaluation=agenda_evaluation(agenda),
            language=self.language,
        )
        parts: list[w.Widget] = [self.dashboard.widget, self._join_links()]
        if self.session == DEFAULT_SESSION:
            t = self.t
            said = t(
                "For another workshop on this server: its own join code, school goals and "
                "dashboard."
            )
            parts.append(
                VBox(
                    [
                        HTML(value=f"<h2>{escape(t('A new session'))}</h2><p>{escape(said)}</p>"),
                        HBox([self.new_title, self.new_button]),
                        self.new_message,
                    ]
                )
            )
        self.body.children = parts

    def _join_links(self) -> w.Widget:
        """Every participants' workbook served beside this page, with its join link for
        this session and a QR code to project (:mod:`._joinlinks`)."""
        from ._joinlinks import join_links_html, served_workbooks

        stored = self.store.get_session(self.session) if self.session != DEFAULT_SESSION else None
        links = HTML(
            value=join_links_html(
                self.browser.page_url,
                served_workbooks(Path.cwd(), self.language),
                stored.code if stored is not None else None,
                language=self.language,
            )
        )
        links.add_class("pdkit-join-links-panel")
        return links

    def create_session(self, title: str) -> tuple[Session, str] | None:
        """Make a session with this server's school goals; shows its code and links."""
        goals = [
            {"id": g.id, "title": g.title, "description": g.description} for g in self._goals()
        ]
        try:
            made, key = self.store.create_session(title, goals)
        except PdkitError as exc:
            self.new_message.value = (
                f'<p class="pdkit-error" role="alert">{escape(message_in(exc, self.language))}</p>'
            )
            return None
        page = self.browser.page_url or "facilitator.ipynb"
        join = sibling(page, "goal-setting.ipynb", f"code={made.code}")
        lead = sibling(page, "facilitator.ipynb", f"session={made.id}&key={key}")
        t = self.t
        made_said = escape(t("Made {title}. Join code: {code}.")).format(
            title=f"<strong>{escape(made.title)}</strong>",
            code=f"<strong>{escape(made.code)}</strong>",
        )
        people = escape(t("Participants: {link}")).format(
            link=f'<a href="{escape(join, quote=True)}">{escape(join)}</a>'
        )
        board = escape(
            t("Its dashboard (keep this link to yourself; the key is shown only now): {link}")
        ).format(link=f'<a href="{escape(lead, quote=True)}">{escape(lead)}</a>')
        self.new_message.value = (
            f'<div class="pdkit-status" role="status"><p>{made_said}</p>'
            f"<p>{people}</p><p>{board}</p></div>"
        )
        self.new_title.value = ""
        return made, key

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)  # type: ignore[no-untyped-call]


class RoomApp(FacilitatorApp):
    """The room display (for the projector), opened with the facilitator's key like the
    facilitator's page: :class:`~pdkit.widgets._room.RoomDisplay` of the session."""

    def __init__(self, **kwargs: Any) -> None:
        self.room: RoomDisplay | None = None
        super().__init__(**kwargs)
        self.widget.add_class("pdkit-room-page")

    def _close(self) -> None:
        if self.room is not None:
            self.room.stop_polling()
        self.room = None
        super()._close()

    def _is_open(self) -> bool:
        return self.room is not None

    def _open(self) -> None:
        self._close()
        self.room = RoomDisplay(
            self.store,
            session=self.session,
            agenda=room_agenda(self.language),
            language=self.language,
        )
        self.body.children = [self.room.widget]


def how_long(seconds: float, t: Callable[[str], str] = str) -> str:
    """A wait as a person reads it, rounded up: "1 second", "45 seconds", "3 minutes"."""
    whole = max(1, math.ceil(seconds))
    if whole < 90:
        return t("1 second") if whole == 1 else t("{n} seconds").format(n=whole)
    return t("{n} minutes").format(n=math.ceil(whole / 60))
