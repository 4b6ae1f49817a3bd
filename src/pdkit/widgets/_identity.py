"""Who is filling in this workbook: a join step, a resume token, or the JupyterHub user.

In Voilà every page load is a fresh kernel that knows nothing of the last one. The
:class:`BrowserIdentity` widget (an anywidget: a few lines of JavaScript shipped as a
string) bridges that gap: the browser keeps the participant's resume token in
``localStorage`` and in the page URL (``?pdkit=<token>``), and reports both to the
kernel when the page loads (a newcomer's page, with nothing to report, sends it with the
Join click: :meth:`SignIn.join_through`). So a plain reload, the original link in the same browser
and the personal resume link on another device all come back to the same participant.
The store keeps only a hash of each token; names are never keys, so two people who
type the same name are two participants.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import suppress
from html import escape
from typing import Any

import ipywidgets as w

from ..errors import AccessError, IdentityError, PdkitError, StoreError
from ..i18n import N_, direction, language_from_url, translator
from ..links import query_value, resume_link
from ..store import DEFAULT_SESSION, Participant, Store, tidy_line
from ._browser import BrowserIdentity, in_jupyter_frontend, personal_link_html
from ._lean import HTML, Button, HBox, VBox, auto_width, shared, text_style
from ._safekeeping import Safekeeper

__all__ = ["MAX_NAME_CHARS", "BrowserIdentity", "SignIn", "clean_display_name"]

MAX_NAME_CHARS = 80
"""The longest name the join step takes (the store keeps lines of up to 200)."""


def clean_display_name(raw: str) -> str:
    """A display name as typed, tidied; :class:`IdentityError` says what to fix (its
    :meth:`~pdkit.PdkitError.said` in the reader's language)."""
    name = tidy_line(raw[: 20 * MAX_NAME_CHARS + 1])
    if not name:
        raise IdentityError(N_("Please type your name so your group and coach know it is you."))
    if len(name) > MAX_NAME_CHARS:
        raise IdentityError(
            N_("Please use at most {n} characters for your name."), n=MAX_NAME_CHARS
        )
    return name


class SignIn:
    """The sign-in step: resumes a participant or lets a new one join.

    ``on_signed_in(participant)`` runs once someone is identified; ``on_signed_out()``
    when they choose "Not you?". With ``hub_user`` (JupyterHub) the hub's user is the
    participant and there is no join step: a hub user who gave no address for check-in
    reminders is offered the box under their name (with ``hub_email``, the address the
    hub passed on, in it: saving it is their consent). The page's ``?lang=`` (else ``language``)
    chooses the language of the step; ``language`` tells it to the caller afterwards.
    """

    def __init__(
        self,
        store: Store,
        *,
        on_signed_in: Callable[[Participant], None],
        on_signed_out: Callable[[], None] = lambda: None,
        session: str = DEFAULT_SESSION,
        hub_user: str | None = None,
        hub_email: str | None = None,
        browser: BrowserIdentity | None = None,
        language: str | None = None,
        start: bool = True,
    ) -> None:
        self.store = store
        self.default_language = language
        self.language = language
        self.t = translator(language)
        self.session = session
        self._on_signed_in = on_signed_in
        self._on_signed_out = on_signed_out
        self.participant: Participant | None = None
        self.joined_now = False
        """Whether the participant signed in is one this page just created (Join)."""
        self.token: str | None = None
        self.joining = ""  # the title of the session a ?code= link names
        self._moved = ""  # the note for someone known who came back for another session

        self.browser = browser if browser is not None else BrowserIdentity()
        # The three boxes share one layout and one style, and the buttons theirs (a
        # model each was one more message to every page: _lean).
        box_layout = shared("sign-in-box", lambda: w.Layout(width="28em", max_width="100%"))
        box_style = text_style()
        # What is typed here reaches the kernel when the box is left or a button clicked
        # (the keeper sends every synced box just before a click), not at each keystroke:
        # a room typing its names at once was a message through the server per key.
        self.name_input = w.Text(
            description="Your name",
            placeholder="First and last name",
            style=box_style,
            layout=box_layout,
            continuous_update=False,
        )
        self.code_input = w.Text(
            description="Session code",
            placeholder="As on the facilitator's screen, e.g. K7P-4QX",
            style=box_style,
            layout=box_layout,
            continuous_update=False,
        )
        self.asks_code = False  # set when the store has sessions and the link named none
        self.email_input = w.Text(
            description="Email for check-in reminders (optional)",
            placeholder="name@school.org",
            style=box_style,
            layout=box_layout,
            continuous_update=False,
        )
        self.email_input.add_class("pdkit-email")
        self.name_input.add_class("pdkit-name")
        self.consent = HTML()
        self.save_email_button = Button(description="Save address", layout=auto_width())
        self.save_email_button.on_click(lambda _: self.save_email(self.email_input.value))
        self.email_message = HTML()
        self.join_button = Button(description="Join", button_style="primary", icon="sign-in")
        self.join_button.on_click(lambda _: self.join(self.name_input.value))
        self.sign_out_button = Button(
            description="Not you? Sign out",
            tooltip="Forget this participant in this browser",
            layout=auto_width(),
        )
        self.sign_out_button.on_click(lambda _: self.sign_out())
        self.message = HTML()
        self.header = HTML()
        self.join_intro = HTML()
        self.name_row = HBox([self.name_input, self.join_button])
        self.signed_row = HBox([self.sign_out_button])
        self.join_step = VBox()
        """The join step: its widgets are made with the page (see :meth:`start`)."""
        self.join_step.add_class("pdkit-join-step")
        loading = escape(self.t("Loading your workbook…"))
        self.body = VBox([HTML(value=f'<p class="pdkit-loading">{loading}</p>')])
        self.lang_mark = HTML()  # the page's language, for its <html lang> (the template's script)
        self.widget = VBox([self.browser, self.lang_mark, self.body])
        self.widget.add_class("pdkit-signin")

        self._hub_user = hub_user
        self._hub_email = hub_email
        self._join_follows = False  # the report came with Join (see _join_clicked)
        if start:
            self.start()

    def typed_boxes(self) -> dict[str, w.Text]:
        """The boxes typed in before signing in (name, session code, email), by key."""
        return {
            "sign-in:name": self.name_input,
            "sign-in:code": self.code_input,
            "sign-in:email": self.email_input,
        }

    def start(self) -> None:
        """Begin: sign the hub user in, or wait for the browser's report. Runs from the
        constructor unless ``start=False`` (then the caller runs it once it can take
        the ``on_signed_in`` call, which may come at once)."""
        if self._hub_user:
            self._sign_in_hub(self._hub_user)
        else:
            self._join_ahead()
            self.browser.observe(self._on_report, names="reported")
            if self.browser.reported:
                self._on_report()

    def join_through(self, keeper: Safekeeper) -> None:
        """Have the page's ``keeper`` bring a Join click: one message with what the boxes
        show, and from a newcomer's page (no token, a link that names no language or
        session: the join step is there at once) the browser's report too, which it
        then does not send on its own. Two messages fewer per arrival for the server to
        relay, three in a browser (the report, the name when its box is left, the
        click). Not on a hub: its user is signed in without a join step."""
        keeper.via("sign-in:join", self.join_button, self._join_clicked)
        if not self._hub_user:
            self.browser.report_at_join = True

    # ------------------------------------------------------------------ flows

    def join(self, raw_name: str, code: str | None = None) -> Participant | None:
        """Create a new participant named ``raw_name`` (the Join button), in the session
        whose join code is ``code`` (default: what the code box holds) when the join step
        asks for one."""
        try:
            name = clean_display_name(raw_name)
            if self.asks_code:
                self.session = self._session_of(self.code_input.value if code is None else code)
            participant, token = self.store.create_participant(name, session=self.session)
        except (IdentityError, StoreError) as exc:
            said = exc.said(self.t)
            self.message.value = f'<p class="pdkit-error" role="alert">{escape(said)}</p>'
            return None
        self.message.value = ""
        self.joined_now = True
        self._signed_in(participant, token)
        if self.email_input.value.strip():
            self.save_email(self.email_input.value)
        return participant

    def save_email(self, raw: str) -> bool:
        """Keep the address the signed-in participant gave for check-in reminders (their
        consent: the line under the box says what they get). One that is not an address
        is said so, and kept in its box to correct; the participant stays signed in."""
        if self.participant is None:
            return False
        t = self.t
        email = raw.strip()
        fix_row = HBox([self.email_input, self.save_email_button])
        if not email:
            said = t("Type your email address, or leave it: you take part without reminders.")
            self.email_message.value = f'<p class="pdkit-error" role="alert">{escape(said)}</p>'
            return False
        try:
            self.store.set_contact(self.participant.id, email)
        except StoreError as exc:
            said = t(
                "Your email address was not saved: {why}. Correct it and save it, or leave "
                "it: you take part without reminders."
            ).format(why=str(exc))
            self.email_message.value = f'<p class="pdkit-error" role="alert">{escape(said)}</p>'
            shown = [c for c in self.body.children if c is not self.email_message]
            shown = [
                c for c in shown if not (isinstance(c, HBox) and self.email_input in c.children)
            ]
            self.body.children = [*shown, self.email_message, fix_row]
            return False
        said = t("Check-in reminders will go to {email}.").format(email=email)
        self.email_message.value = f'<p class="pdkit-note" role="status">{escape(said)}</p>'
        self.body.children = [*self._without_email(), self.email_message]
        return True

    def _without_email(self) -> list[w.Widget]:
        """What the body shows, less the address's message and its box to correct it."""
        return [
            c
            for c in self.body.children
            if c is not self.email_message
            and c is not self.consent
            and not (isinstance(c, w.Box) and self.email_input in c.children)
        ]

    def sign_out(self) -> None:
        """Forget the participant in this browser and show the join step again."""
        self.participant = None
        self.joined_now = False
        self.token = None
        self.browser.token = ""
        self.name_input.value = ""
        self.email_input.value = ""
        self.email_message.value = ""
        self._on_signed_out()
        self._show_join()

    # ------------------------------------------------------------------ internals

    def _session_of(self, code: str) -> str:
        if not code.strip():
            raise IdentityError(N_("Please type the session code from the facilitator's screen."))
        found = self.store.session_for_code(code)
        if found is None:
            raise IdentityError(
                N_("The session code {code} is not known here. Check it on the screen."),
                code=code.strip(),
            )
        return found.id

    def _choose_session(self) -> None:
        """The session to join: the one named by ``?code=`` in the page's link, else the
        code typed in at the join step when this store has sessions."""
        if self.session != DEFAULT_SESSION:
            return  # fixed by the app
        code = query_value(self.browser.page_url, "code")
        found = self.store.session_for_code(code) if code else None
        if found is not None:
            self.session = found.id
            self.joining = found.title
            self.asks_code = False
            return
        self.asks_code = bool(self.store.sessions())
        if code:  # a code the store does not know, to correct (else: what was typed stays)
            self.code_input.value = code

    def _use_language(self, language: str | None) -> None:
        self.language = language
        self.t = t = translator(language)
        self.lang_mark.value = (
            f'<span hidden data-pdkit-lang="{escape(language or "en", quote=True)}" '
            f'data-pdkit-dir="{direction(language)}"></span>'
        )
        self.name_input.description = t("Your name")
        self.name_input.placeholder = t("First and last name")
        self.join_button.description = t("Join")
        self.code_input.description = t("Session code")
        self.code_input.placeholder = t("As on the facilitator's screen, e.g. K7P-4QX")
        self.sign_out_button.description = t("Not you? Sign out")
        self.sign_out_button.tooltip = t("Forget this participant in this browser")
        self.email_input.description = t("Email for check-in reminders (optional)")
        self.save_email_button.description = t("Save address")

    def _join_clicked(self, message: Mapping[str, Any]) -> None:
        """Join, clicked on the page (the keeper's message; the name is in its box by
        now), with the browser's report first when the page kept it for Join."""
        report = message.get("report")
        if not self.browser.reported and isinstance(report, dict):
            state = {key: report.get(key) for key in BrowserIdentity.REPORTED}
            if all(isinstance(value, str) for value in state.values()):
                self._join_follows = True
                try:  # as if the browser had sent it: nothing goes back to the page
                    self.browser.set_state({**state, "reported": True})
                finally:
                    self._join_follows = False
        if self.participant is None:  # (a report with a known token signed them in)
            self.join(self.name_input.value)

    def _on_report(self, *_: Any) -> None:
        if self.participant is not None:
            return
        step_made_for = (self.language, self.asks_code)
        self._use_language(language_from_url(self.browser.page_url) or self.default_language)
        t = self.t
        unknown_link = False
        for token in (self.browser.url_token, self.browser.stored_token):
            if not token:
                continue
            participant = self.store.participant_for_token(token)
            if participant is not None:
                participant = self._come_back(participant)
                self.joined_now = False
                self._signed_in(participant, token)
                if unknown_link:
                    note = t(
                        "The personal link you opened is not known on this server, so you are "
                        "signed in as before in this browser."
                    )
                    self.message.value = f'<p class="pdkit-note" role="status">{escape(note)}</p>'
                    self.body.children = [*self.body.children, self.message]
                return
            unknown_link = unknown_link or token == self.browser.url_token
        if unknown_link:
            error = t(
                "This personal link is not known on this server (it may belong to another "
                "workshop). Join below to start."
            )
            self.message.value = f'<p class="pdkit-error" role="alert">{escape(error)}</p>'
        self._choose_session()
        if (
            self._join_follows
            and step_made_for == (self.language, self.asks_code)
            and not unknown_link
            and "pdkit-ahead" in self.join_step._dom_classes
        ):
            return  # the page shows the step made ahead, and Join follows at once
        self._show_join()

    def _sign_in_hub(self, hub_user: str) -> None:
        external = f"jupyterhub:{hub_user}"
        participant = self.store.participant_for_external_id(external)
        if participant is None:
            try:
                participant, _ = self.store.create_participant(
                    hub_user, session=self.session, external_id=external
                )
            except StoreError:  # created by another tab of the same user a moment ago
                participant = self.store.participant_for_external_id(external)
                if participant is None:
                    raise
        participant = self._come_back(participant)
        self.participant = participant
        who = escape(self.t("Signed in as {name} (JupyterHub).")).format(
            name=f"<strong>{escape(participant.display_name)}</strong>"
        )
        self.header.value = f'<p class="pdkit-who">{who}</p>{self._moved}'
        self.body.children = [self.header, *self._offer_email(participant)]
        self._on_signed_in(participant)

    def _offer_email(self, participant: Participant) -> list[w.Widget]:
        """For a hub user without an address for reminders: the box, the consent line and
        Save (nothing when they gave one, or opted out, or the store cannot say)."""
        try:
            if self.store.contact(participant.id, viewer=participant.id) is not None:
                return []
        except (StoreError, AccessError):
            return []
        if self._hub_email and not self.email_input.value:
            self.email_input.value = self._hub_email
        self.consent.value = f'<p class="pdkit-consent">{escape(self._consent_text())}</p>'
        return [self.consent, HBox([self.email_input, self.save_email_button]), self.email_message]

    def _consent_text(self) -> str:
        return self.t(
            "Give an address and you agree to get an email when a check-in on your goal is "
            "due: dates and your personal link only, never what you write. Each email has a "
            "link to stop them."
        )

    def _come_back(self, participant: Participant) -> Participant:
        """Someone known opens a page of another session (its ``?code=`` link, or an app
        fixed to it): they take part in it now, and their goal comes with them."""
        wanted = self.session
        if wanted == DEFAULT_SESSION:
            code = query_value(self.browser.page_url, "code")
            found = self.store.session_for_code(code) if code else None
            wanted = found.id if found is not None else participant.session
        if wanted == participant.session:
            return participant
        try:
            moved = self.store.attend(participant.id, wanted)
        except StoreError:
            return participant  # the store did not answer: they keep their session
        self.session = moved.session
        session = self.store.get_session(moved.session)
        said = self.t("You are now in {title}: your goal and all you wrote come with you.")
        title = session.title if session is not None else moved.session
        self._moved = f'<p class="pdkit-note" role="status">{escape(said.format(title=title))}</p>'
        return moved

    def _signed_in(self, participant: Participant, token: str) -> None:
        self.participant = participant
        self.token = token
        self.browser.token = token
        page = self.browser.page_url
        link = ""
        if page and not in_jupyter_frontend(page):
            link = personal_link_html(resume_link(page, token), self.t)
        who = escape(self.t("Signed in as {name}.")).format(
            name=f"<strong>{escape(participant.display_name)}</strong>"
        )
        self.header.value = f'<p class="pdkit-who">{who}</p>{self._moved}{link}'
        self.body.children = [self.header, self.signed_row]
        self._on_signed_in(participant)

    def _join_ahead(self) -> None:
        """Make the join step with the page, hidden behind "Loading…" (class
        ``pdkit-ahead``). The browser's part (``identity.js``) shows it at once when it
        holds no token and the link names no language or session: a newcomer can type
        their name before the kernel has heard from the page, and the kernel, when it
        hears, finds the step already there (no widget to make, nothing to send). Anyone
        else waits for the kernel, as before: who they are, or the step in their language.
        """
        with suppress(PdkitError):  # the store did not answer: the report asks it again
            self.asks_code = self.session == DEFAULT_SESSION and bool(self.store.sessions())
        self._use_language(self.default_language)  # (the report's, when the link says none)
        self._fill_join()
        self.join_step.add_class("pdkit-ahead")
        # First, so that showing it for good (``[join_step]``) keeps its view in the page:
        # a box redraws its children from the first that changed, and a newcomer may be
        # typing in it by then (the focus would be lost).
        self.body.children = [self.join_step, *self.body.children]

    def _fill_join(self) -> None:
        text = self.t(
            "Type your name to start. Your answers are saved on this workshop's server and stay "
            "private to you. Joined before? Open your personal link to continue where you left off."
        )
        self.join_intro.value = f'<p class="pdkit-join-intro">{escape(text)}</p>'
        parts: list[w.Widget] = [self.join_intro]
        if self.joining:
            said = escape(self.t("You are joining: {title}")).format(
                title=f"<strong>{escape(self.joining)}</strong>"
            )
            parts.append(HTML(value=f'<p class="pdkit-session">{said}</p>'))
        if self.asks_code:
            parts.append(self.code_input)
        self.consent.value = f'<p class="pdkit-consent">{escape(self._consent_text())}</p>'
        parts += [self.name_row, self.email_input, self.consent, self.message]
        self.join_step.children = parts

    def _show_join(self) -> None:
        self._fill_join()
        self.join_step.remove_class("pdkit-ahead")
        self.body.children = [self.join_step]
