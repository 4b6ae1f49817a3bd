"""The teacher's "My goal" page: their home in the weeks after a session.

For whoever signed in (resume token ``?pdkit=`` or hub user): their goal now, its measure
(point A → now → point B; a link to their class data), its status with dates and the moves the
teacher may make (:func:`pdkit.followup.status_move`); the next check-in, its form one click
away, a calendar file of the dates; the live thread with their coach (:class:`CommentThread`);
the evidence log (``EvidenceLog``); what others share with them; every version of the goal;
the sessions they attended. ``?reminders=off`` stops reminders (said, with a way back:
:mod:`._mygoal_reminders`). Every read names the teacher.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from html import escape

import ipywidgets as w

from .._clock import now
from ..definitions import FormDefinition, load_form
from ..definitions.ids import CHECKIN_FORM, GOAL_FORM, GOAL_SUMMARY_FIELDS
from ..errors import PdkitError
from ..followup import (
    ASKED,
    DRAFT,
    DROPPED,
    GOAL_STATUSES,
    MET,
    CheckinPlan,
    status_move,
)
from ..i18n import translator
from ..revisions import versions
from ..store import GoalStatus, Participant, Store, display_names
from ..widgets import HTML, CommentThread, FileDownload, FormView, HBox, Safekeeper, VBox
from ..widgets._evidence import EvidenceLog
from ..widgets._feedback import item_summary, versions_list
from ..widgets._measure import MeasurePanel, checkin_form
from ..widgets._timing import repeat_every
from ._credential import credentials_link_html
from ._goalview import (
    STATUS_WORDS,
    home_link,
    move_words,
    para,
    plan_html,
    sessions_note,
    shared_html,
    status_html,
)
from ._mygoal_reminders import RemindersNote
from ._observe import mygoal_observations
from ._page import message_in
from ._pathway import mygoal_pathway

__all__ = ["MyGoalPage", "MyGoalPart"]

MAX_SHARED_SHOWN = 50  # at most this many others' goals are listed (the newest first)


class MyGoalPage:
    """A teacher's "My goal" (see the module docs). ``refresh()`` reads the status and
    the check-ins again; in a kernel it runs every ``poll_interval`` seconds by itself
    (the thread reads its messages every second)."""

    def __init__(
        self,
        store: Store,
        participant: Participant,
        *,
        language: str | None = None,
        keeper: Safekeeper | None = None,
        page_url: str = "",
        token: str | None = None,
        clock: Callable[[], float] = now,
        poll_interval: float = 2.0,
    ) -> None:
        self.store = store
        self.participant = participant
        self.pid = participant.id
        self.language = language
        self.keeper = keeper
        self.page_url = page_url
        self.token = token
        self._clock = clock
        self.t = t = translator(language)
        self.goal_definition: FormDefinition = load_form(GOAL_FORM, language=language)
        self._seen: tuple[object, ...] | None = None

        self.goal_html, self.status_html, self.moves_box = HTML(), HTML(), HBox()
        self.measure = MeasurePanel(store, self.pid, self.pid, language=language)
        self.measure.link = home_link(page_url, token, "class-data.ipynb")
        self.revise_button = w.Button(
            description=t("Revise my goal"),
            icon="code-branch",
            tooltip=t("Keep this version as it is; what you change next is a new version"),
        )
        self.revise_button.on_click(lambda _: self.revise())
        self.status_message, self.plan_html = HTML(), HTML()
        self.checkin_button = w.Button(
            description=t("Check in now"),
            icon="pencil",
            button_style="primary",
            tooltip=t("A few minutes on your goal: how far you have come, what you saw, what next"),
        )
        self.checkin_button.on_click(lambda _: self.open_checkin())
        self.checkin_box, self.plan_message = VBox(layout=w.Layout()), HTML()
        self.download = FileDownload()
        self.ics_button = w.Button(
            description=t("Add my check-ins to my calendar (.ics)"),
            icon="calendar",
            tooltip=t("Download a calendar file with your check-in dates"),
            layout=w.Layout(width="auto"),
        )
        self.ics_button.on_click(lambda _: self.offer_calendar())
        self.thread: CommentThread | None = None
        self.thread_box = VBox()
        self.shared_html, self.versions_html, self.sessions_html = HTML(), HTML(), HTML()

        self.checkin: FormView | None = None
        try:
            self.checkin = FormView(
                checkin_form(store, self.pid, language),
                store=store,
                participant_id=self.pid,
                language=language,
                sharing=True,
                keeper=keeper,
            )
        except PdkitError as exc:
            self.plan_message.value = para("pdkit-error", message_in(exc, self.language), "alert")

        self.evidence = EvidenceLog(store, self.pid, language=language, clock=clock, keeper=keeper)
        self.reminders = RemindersNote(store, self.pid, page_url, language=language)
        self._build_thread()
        self.observations = mygoal_observations(store, self.pid, language, page_url, token)
        self.pathway = mygoal_pathway(store, self.pid, language, page_url, token)
        self.refresh()
        self.widget = VBox(
            [
                self.reminders.widget,
                HTML(value=f"<h2>{escape(t('My goal'))}</h2>"),
                self.goal_html,
                self.measure.widget,
                self.status_html,
                self.moves_box,
                self.status_message,
                self.evidence.widget,
                self.observations.widget,  # below the goal: measure → evidence → observations
                self.pathway.widget,
                HTML(value=credentials_link_html(page_url, token, language)),
                HTML(value=f"<h2>{escape(t('My check-ins'))}</h2>"),
                self.plan_html,
                HBox([self.checkin_button, self.ics_button]),
                self.plan_message,
                self.checkin_box,
                self.download,
                self.thread_box,
                HTML(value=f"<h2>{escape(t('What others share with me'))}</h2>"),
                self.shared_html,
                HTML(value=f"<h2>{escape(t('Every version of my goal'))}</h2>"),
                self.versions_html,
                self.sessions_html,
            ]
        )
        self.widget.add_class("pdkit-my-goal")
        self.stop_polling = repeat_every(poll_interval, self.refresh)

    # ------------------------------------------------------------------ reading

    def today(self) -> date:
        return date.fromtimestamp(self._clock())

    def refresh(self) -> None:
        """Read the goal, its status and the check-ins again; redraw what changed."""
        self.measure.refresh()
        self.observations.refresh()
        self.pathway.refresh()
        try:
            history = self.store.history(self.pid, GOAL_FORM, viewer=self.pid)
            marks = self.store.revision_marks(self.pid, GOAL_FORM)
            statuses = self.store.goal_statuses(self.pid, viewer=self.pid)
            plan = self.store.checkin_plan(self.pid, self.today(), viewer=self.pid)
            schedule = self.store.checkin_schedule(self.participant.session)
            coaches = self.store.coaches_of(self.pid)
            level = self.store.visibility(self.pid, GOAL_FORM)
        except PdkitError:
            return  # a passing store hiccup: keep what is shown, try again soon
        self.evidence.refresh()  # (redraws only when an item or a check-in is new)
        key = (
            len(history),
            tuple(marks),
            tuple((s.status, s.at) for s in statuses),
            plan,
            schedule,
            tuple(coaches),
            level,
        )
        if key == self._seen:
            return
        first, self._seen = self._seen is None, key
        found = versions(history, marks)
        current = statuses[-1] if statuses else GoalStatus(DRAFT)
        self._draw_goal(found[-1].values if found else {}, level, bool(coaches))
        self._draw_status(current, statuses, has_goal=bool(found))
        self._draw_plan(plan, has_schedule=schedule is not None and bool(schedule.dates))
        labels = {f.id: f.label for f in self.goal_definition.fields}
        self.versions_html.value = (
            versions_list(found, labels, self.t)
            if found
            else para("pdkit-empty", self.t("No versions yet."))
        )
        if first:
            self._draw_shared()
            self._draw_sessions()
        if not first and self.thread is None and coaches:
            self._build_thread()  # a coach was assigned while the page was open

    def _goal_link(self) -> str:
        return home_link(self.page_url, self.token, "goal-setting.ipynb")

    def _draw_goal(self, values: dict[str, object], level: str, has_coach: bool) -> None:
        t = self.t
        if not any(values.get(f) for f in GOAL_SUMMARY_FIELDS):
            link = escape(self._goal_link(), quote=True)
            said = escape(t("You have not set a goal yet."))
            go = escape(t("Set your goal"))
            self.goal_html.value = (
                f'<p class="pdkit-empty">{said} <a class="pdkit-goal-link" href="{link}">'
                f"{go}</a></p>"
            )
            return
        summary = item_summary(self.goal_definition, dict(values), GOAL_SUMMARY_FIELDS)
        link = escape(self._goal_link(), quote=True)
        edit = escape(t("Change my goal"))
        hint = ""
        if has_coach and level == "private":
            hint = para(
                "pdkit-hint",
                t(
                    "Your coach cannot see your goal yet: to ask them to agree it, share it "
                    "with your coach (Who can see this?)."
                ),
            )
        self.goal_html.value = (
            f'{summary}<p><a class="pdkit-goal-link" href="{link}">{edit}</a></p>{hint}'
        )

    def _draw_status(
        self, current: GoalStatus, statuses: list[GoalStatus], *, has_goal: bool
    ) -> None:
        t = self.t
        self.status_html.value = status_html(current, statuses, STATUS_WORDS, t)
        buttons: list[w.Widget] = []
        if has_goal:
            for new in GOAL_STATUSES:
                if status_move(current.status, new, "teacher") is not None:
                    continue
                button = w.Button(
                    description=t(move_words(current.status, new)),
                    tooltip=t(move_words(current.status, new)),
                    layout=w.Layout(width="auto"),
                    button_style="primary" if new == ASKED else "",
                )
                button.on_click(lambda _, to=new: self.move(to))
                buttons.append(button)
            buttons.append(self.revise_button)
        self.moves_box.children = buttons

    def _draw_plan(self, plan: CheckinPlan, *, has_schedule: bool) -> None:
        self.ics_button.disabled = not plan.dates
        self.plan_html.value = plan_html(plan, self.today(), self.t, has_schedule=has_schedule)

    def _draw_shared(self) -> None:
        t = self.t
        try:
            items = self.store.shared(GOAL_FORM, viewer=self.pid)
        except PdkitError:
            items = []
        items = sorted(items, key=lambda i: i.updated_at, reverse=True)[:MAX_SHARED_SHOWN]
        names = display_names(self.store, [i.owner.id for i in items])
        self.shared_html.value = shared_html(items, names, self.goal_definition, t)

    def _draw_sessions(self) -> None:
        self.sessions_html.value = sessions_note(self.store, self.pid, self.t)

    def _build_thread(self) -> None:
        t = self.t
        try:
            has_coach = bool(self.store.coaches_of(self.pid))
        except PdkitError:
            has_coach = False
        if not has_coach:
            self.thread_box.children = [
                HTML(
                    value=f"<h2>{escape(t('My coach'))}</h2>"
                    + para(
                        "pdkit-empty",
                        t(
                            "You have no coach yet. When your facilitator assigns one, your "
                            "messages with them appear here."
                        ),
                    )
                )
            ]
            return
        self.thread = CommentThread(
            self.store,
            self.pid,
            self.pid,
            language=self.language,
            keeper=self.keeper,
            clock=self._clock,
        )
        self.thread_box.children = [
            HTML(value=f"<h2>{escape(t('My coach'))}</h2>"),
            self.thread.widget,
        ]

    # ------------------------------------------------------------------ actions

    def move(self, status: str) -> bool:
        """Move the goal to ``status`` as the teacher; whether it moved (else a message)."""
        t = self.t
        try:
            self.store.set_goal_status(self.pid, status, by=self.pid)
        except PdkitError as exc:
            self.status_message.value = para("pdkit-error", message_in(exc, self.language), "alert")
            return False
        said = {
            ASKED: t("Your coach is asked to agree your goal. Their answer appears here."),
            MET: t("Well done: your goal is marked met."),
            DROPPED: t("Your goal is dropped. You can take it up again at any time."),
        }.get(status, t("Your goal's status is changed."))
        self.status_message.value = para("pdkit-ok", said, "status")
        self.refresh()
        return True

    def revise(self) -> None:
        """Keep this version of the goal; what the teacher changes next is a new one (an
        agreed goal becomes ``revised``, to agree again)."""
        t = self.t
        try:
            self.store.start_revision(self.pid, GOAL_FORM)
        except PdkitError as exc:
            self.status_message.value = para("pdkit-error", message_in(exc, self.language), "alert")
            return
        link = escape(self._goal_link(), quote=True)
        said = escape(t("This version is kept. Change your goal: your changes make the next one."))
        go = escape(t("Change my goal"))
        self.status_message.value = (
            f'<p class="pdkit-ok" role="status">{said} '
            f'<a class="pdkit-goal-link" href="{link}">{go}</a></p>'
        )
        self.refresh()

    def open_checkin(self) -> None:
        """Show the check-in form. A check-in after an earlier one starts a new version
        of the check-in item (each version is one check-in)."""
        if self.checkin is None:
            return
        if not self.checkin_box.children:
            try:
                if self.store.history(self.pid, CHECKIN_FORM, viewer=self.pid):
                    self.store.start_revision(self.pid, CHECKIN_FORM)
                    self.checkin.as_new_version()  # Save, even unchanged, checks in
            except PdkitError as exc:
                self.plan_message.value = para(
                    "pdkit-error", message_in(exc, self.language), "alert"
                )
                return
            self.checkin_box.children = [self.checkin.widget]
        self.plan_message.value = para(
            "pdkit-note", self.t("Your check-in saves as you type, below."), "status"
        )

    def calendar(self) -> bytes:
        """The teacher's check-in dates as a calendar file (RFC 5545)."""
        from ..outreach._ics import calendar_ics  # on demand: not on the page's start-up

        plan = self.store.checkin_plan(self.pid, self.today(), viewer=self.pid)
        session = self.store.get_session(self.participant.session)
        link = home_link(self.page_url, self.token) if self.page_url else ""
        return calendar_ics(
            self.pid,
            plan.dates,
            link=link,
            title=session.title if session is not None else "",
            language=self.language,
            now=self._clock(),
        )

    def offer_calendar(self) -> None:
        """Make the browser download the calendar file."""
        try:
            data = self.calendar()
        except PdkitError as exc:
            self.plan_message.value = para("pdkit-error", message_in(exc, self.language), "alert")
            return
        self.download.offer(data, "my-check-ins.ics", "text/calendar")
        self.plan_message.value = para(
            "pdkit-ok",
            self.t("Your calendar file is downloading: open it to add the dates."),
            "status",
        )

    def close(self) -> None:
        """The page is left: stop reading the store; save a check-in being typed."""
        self.stop_polling()
        if self.thread is not None:
            self.thread.close()
        if self.checkin is not None:
            self.checkin.save()


class MyGoalPart:
    """The "My goal" section of a workbook (``home: my-goal``). ``page_url`` and
    ``token`` tell it, once someone is signed in, the page's address and their resume
    token (for links to other workbooks and the calendar file)."""

    is_home = True

    def __init__(
        self,
        store: Store,
        *,
        page_url: Callable[[], str] = lambda: "",
        token: Callable[[], str | None] = lambda: None,
    ) -> None:
        self.store = store
        self.page_url = page_url
        self.token = token
        self.page: MyGoalPage | None = None

    def build(
        self,
        participant: Participant,
        language: str | None = None,
        keeper: Safekeeper | None = None,
    ) -> w.Widget:
        self.leave()
        self.page = MyGoalPage(
            self.store,
            participant,
            language=language,
            keeper=keeper,
            page_url=self.page_url(),
            token=self.token(),
        )
        return self.page.widget

    def flush(self) -> None:
        if self.page is not None and self.page.checkin is not None:
            self.page.checkin.save()

    def leave(self) -> None:
        if self.page is not None:
            self.page.close()
        self.page = None
