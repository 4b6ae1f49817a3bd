"""The coach's page: their caseload by need, and one teacher's page at a time.

A coach signs in with the link ``pdkit coach`` gives them (a link token issued for
:data:`pdkit.links.COACH_PURPOSE`: ``coach.ipynb?pdkit=<token>``) or as a hub user who
is a coach. Anyone else (no link, a teacher's link, an unknown one) is refused and
sees no data at all. The queue lists only the coach's own teachers
(:meth:`~pdkit.store.CoachingStore.coached_by`) in the order of
:func:`pdkit.followup.by_need`, read again every few seconds so a teacher's new
check-in moves them. A teacher's page shows what the store lets the coach read (their
goal, check-ins and evidence when shared at ``coach`` level or wider, where their goal
stands, the thread) and the moves a coach may make (:func:`pdkit.followup.status_move`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from html import escape
from typing import Any

import ipywidgets as w

from .._clock import now
from ..definitions import FormDefinition, load_form
from ..definitions.ids import CHECKIN_FORM, GOAL_FORM, GOAL_SUMMARY_FIELDS
from ..errors import PdkitError
from ..followup import (
    AGREED,
    ASKED,
    DRAFT,
    GOAL_STATUSES,
    MET,
    CheckinPlan,
    Need,
    status_move,
)
from ..i18n import N_, language_from_url, translator
from ..revisions import versions
from ..store import GoalStatus, Participant, Store
from ..widgets import HTML, BrowserIdentity, CommentThread, HBox, Safekeeper, VBox
from ..widgets._evidence import EvidenceLog
from ..widgets._feedback import item_summary, versions_list
from ..widgets._measure import MeasurePanel
from ..widgets._timing import repeat_every
from ..widgets._trace import trace_html
from ._caseload import teacher_names, teacher_needs
from ._goalview import dates_html, para, stamp, status_html
from ._observe import CoachObservations, observe_link
from ._page import message_in, sheet

__all__ = ["COACH_MOVES", "CoachApp", "TeacherView", "teacher_needs"]

COACH_MOVES = {AGREED: N_("Agree this goal"), MET: N_("Mark met")}
"""The buttons of a coach's moves (suggesting a change is its own button)."""

_STATUS = {
    DRAFT: N_("draft"),
    ASKED: N_("asks you to agree their goal"),
    AGREED: N_("agreed"),
    "active": N_("working on it"),
    MET: N_("met"),
    "revised": N_("revised: a new version to agree"),
    "dropped": N_("dropped"),
}

_REASONS = {
    "overdue": N_("check-in overdue"),
    "asked": N_("asks for you"),
    "progress dropped": N_("progress dropped"),
    "not revisited": N_("goal not revisited"),
}


class TeacherView:
    """One teacher's page for their coach: their shared goal and its versions, where
    the goal stands, their shared check-ins, the thread, and the coach's moves."""

    def __init__(
        self,
        store: Store,
        coach: Participant,
        teacher: Participant,
        *,
        name: str,
        language: str | None = None,
        keeper: Safekeeper | None = None,
        clock: Callable[[], float] = now,
        on_change: Callable[[], None] = lambda: None,
        observe_link: str = "",
    ) -> None:
        self.store = store
        self.coach = coach
        self.teacher = teacher
        self.name = name
        self.language = language
        self.t = t = translator(language)
        self._clock = clock
        self._on_change = on_change
        self.goal_definition: FormDefinition = load_form(GOAL_FORM, language=language)
        self.checkin_definition: FormDefinition = load_form(CHECKIN_FORM, language=language)
        self._seen: tuple[Any, ...] | None = None
        self.goal_html = HTML()
        self.measure = MeasurePanel(store, teacher.id, coach.id, language=language)
        self.status_html = HTML()
        self.moves_box = HBox()
        self.suggest_button = w.Button(
            description=t("Suggest a change"),
            icon="comment",
            tooltip=t("Send what you wrote in the message box as a suggestion"),
            layout=w.Layout(width="auto"),
        )
        self.suggest_button.on_click(lambda _: self.suggest())
        self.message = HTML()
        self.versions_html = HTML()
        self.checkins_html = HTML()
        self.thread = CommentThread(
            store,
            teacher.id,
            coach.id,
            language=language,
            keeper=keeper,
            clock=clock,
            on_change=self.refresh,
        )
        self.evidence = EvidenceLog(store, teacher.id, coach.id, language=language, clock=clock)
        self.observations = CoachObservations(
            store, coach.id, teacher.id, language=language, link=observe_link
        )
        self.refresh()
        self.widget = VBox(
            [
                HTML(value=f"<h2>{escape(name)}</h2>"),
                HTML(value=f"<h3>{escape(t('Goal'))}</h3>"),
                self.goal_html,
                self.measure.widget,
                self.status_html,
                self.moves_box,
                self.message,
                self.evidence.widget,
                self.thread.widget,
                HTML(value=f"<h3>{escape(t('Check-ins'))}</h3>"),
                self.checkins_html,
                self.observations.widget,
                HTML(value=f"<h3>{escape(t('Every version of the goal'))}</h3>"),
                self.versions_html,
            ]
        )
        self.widget.add_class("pdkit-coach-teacher")

    def today(self) -> date:
        return date.fromtimestamp(self._clock())

    def refresh(self) -> None:
        """Read what the coach may see of the teacher again; redraw what changed."""
        self.measure.refresh()
        tid, cid = self.teacher.id, self.coach.id
        self.observations.refresh()
        try:
            sees_goal = self.store.can_see(cid, tid, GOAL_FORM)
            sees_checkins = self.store.can_see(cid, tid, CHECKIN_FORM)
            goal = self.store.history(tid, GOAL_FORM, viewer=cid) if sees_goal else []
            goal_marks = self.store.revision_marks(tid, GOAL_FORM) if sees_goal else []
            answered = self.store.feedback_trace(tid, viewer=cid) if sees_goal else []
            checkins = self.store.history(tid, CHECKIN_FORM, viewer=cid) if sees_checkins else []
            checkin_marks = self.store.revision_marks(tid, CHECKIN_FORM) if sees_checkins else []
            statuses = self.store.goal_statuses(tid, viewer=cid)
            plan = self.store.checkin_plan(tid, self.today(), viewer=cid)
        except PdkitError:
            return
        self.evidence.refresh()  # the items the store lets the coach see
        key = (
            sees_goal,
            sees_checkins,
            len(goal),
            tuple(goal_marks),
            tuple((f.id, f.answered_at) for f in answered),
            len(checkins),
            tuple(checkin_marks),
            tuple((s.status, s.at) for s in statuses),
            plan,
        )
        if key == self._seen:
            return
        self._seen = key
        t = self.t
        found = versions(goal, goal_marks)
        if not sees_goal:
            self.goal_html.value = para(
                "pdkit-empty",
                t("{name} has not shared their goal with you yet.").format(name=self.name),
            )
        elif not found:
            self.goal_html.value = para("pdkit-empty", t("No goal written yet."))
        else:
            self.goal_html.value = item_summary(
                self.goal_definition, dict(found[-1].values), GOAL_SUMMARY_FIELDS
            )
        labels = {f.id: f.label for f in self.goal_definition.fields}
        self.versions_html.value = (
            versions_list(found, labels, t) + trace_html(found, answered)
            if found
            else para("pdkit-empty", t("None shared."))
        )
        current = statuses[-1] if statuses else GoalStatus(DRAFT)
        self._draw_status(current, statuses)
        self._draw_checkins(versions(checkins, checkin_marks), plan, sees_checkins)

    def _draw_status(self, current: GoalStatus, statuses: list[GoalStatus]) -> None:
        t = self.t
        self.status_html.value = status_html(current, statuses, _STATUS, t)
        buttons: list[w.Widget] = []
        for new in GOAL_STATUSES:
            if new not in COACH_MOVES or status_move(current.status, new, "coach") is not None:
                continue
            button = w.Button(
                description=t(COACH_MOVES[new]),
                tooltip=t(COACH_MOVES[new]),
                button_style="primary" if new == AGREED else "",
                layout=w.Layout(width="auto"),
            )
            button.on_click(lambda _, to=new: self.move(to))
            buttons.append(button)
        buttons.append(self.suggest_button)
        self.moves_box.children = buttons

    def _draw_checkins(self, found: list[Any], plan: CheckinPlan, sees: bool) -> None:
        t = self.t
        parts = [dates_html(plan, t)]
        if not sees:
            parts.append(
                para(
                    "pdkit-empty",
                    t("{name} has not shared their check-ins with you.").format(name=self.name),
                )
            )
        elif not found:
            parts.append(para("pdkit-empty", t("No check-in yet.")))
        else:
            for version in reversed(found):
                summary = item_summary(self.checkin_definition, dict(version.values), ())
                parts.append(
                    f'<div class="pdkit-checkin"><strong>{escape(t("Check-in of"))} '
                    f"{stamp(version.at)}</strong>{summary}</div>"
                )
        self.checkins_html.value = "".join(parts)

    # ------------------------------------------------------------------ the coach's moves

    def move(self, status: str, note: str = "") -> bool:
        """Move the teacher's goal as their coach; whether it moved (else a message)."""
        try:
            self.store.set_goal_status(self.teacher.id, status, by=self.coach.id, note=note)
        except PdkitError as exc:
            self.message.value = para("pdkit-error", message_in(exc, self.language), "alert")
            return False
        said = {
            AGREED: self.t("Agreed: the teacher sees it on their page."),
            MET: self.t("Marked met."),
            DRAFT: self.t("Your suggestion is sent; the goal is back with the teacher."),
        }.get(status, self.t("Changed."))
        self.message.value = para("pdkit-ok", said, "status")
        self.refresh()
        self._on_change()
        return True

    def suggest(self) -> bool:
        """Send the message box as a suggestion; a goal waiting for agreement goes back
        to the teacher (draft) with it."""
        t = self.t
        text = str(self.thread.text.value or "").strip()
        if not text:
            self.message.value = para(
                "pdkit-error", t("Write your suggestion in the message box first."), "alert"
            )
            return False
        if self.thread.send() is None:
            return False
        try:
            current = self.store.goal_status(self.teacher.id, viewer=self.coach.id).status
        except PdkitError as exc:
            self.message.value = para("pdkit-error", message_in(exc, self.language), "alert")
            return False
        if status_move(current, DRAFT, "coach") is None:
            return self.move(DRAFT, note=text)
        self.message.value = para("pdkit-ok", t("Your suggestion is sent."), "status")
        return True

    def close(self) -> None:
        self.thread.close()


class CoachApp:
    """The coach's page (see the module docs)."""

    def __init__(
        self,
        *,
        store: Store,
        hub_user: str | None = None,
        language: str | None = None,
        clock: Callable[[], float] = now,
        poll_interval: float = 2.0,
    ) -> None:
        self.store = store
        self.language = language
        self.t = t = translator(language)
        self._clock = clock
        self.poll_interval = poll_interval
        self.coach: Participant | None = None
        self.view: TeacherView | None = None
        self.queue: list[tuple[Need, Participant]] = []
        self._seen: tuple[Any, ...] | None = None
        self.browser = BrowserIdentity()
        self.keeper = Safekeeper()
        self.header = HTML()
        self.queue_box = VBox()
        self.back = w.Button(
            description=t("Back to my teachers"), icon="arrow-left", layout=w.Layout(width="auto")
        )
        self.back.on_click(lambda _: self.show_queue())
        self.body = VBox([HTML(value=para("pdkit-loading", t("Loading…")))])
        self.widget = VBox([*sheet(), self.browser, self.keeper, self.keeper.note, self.body])
        self.widget.add_class("pdkit-app")
        self.widget.add_class("pdkit-coach")
        self.stop_polling: Callable[[], None] = lambda: None
        if hub_user:
            self.sign_in(store.participant_for_external_id(f"jupyterhub:{hub_user}"))
        else:
            self.browser.observe(self._on_report, names="reported")
            if self.browser.reported:
                self._on_report()

    def _on_report(self, *_: Any) -> None:
        if self.coach is not None:
            return
        wanted = language_from_url(self.browser.page_url)
        if wanted and wanted != self.language:  # ?lang= in the coach's link wins
            self.language = wanted
            self.t = translator(wanted)
            self.back.description = self.t("Back to my teachers")
        token = self.browser.url_token  # a coach's link only: never a teacher's kept token
        try:
            person = self.store.participant_for_token(token) if token else None
        except PdkitError as exc:
            self.body.children = [
                HTML(value=para("pdkit-error", message_in(exc, self.language), "alert"))
            ]
            return
        self.sign_in(person, has_link=bool(token))

    def sign_in(self, person: Participant | None, *, has_link: bool = True) -> bool:
        """Open the page for ``person`` if they are a coach; else refuse, showing nothing."""
        t = self.t
        if person is None or person.role != "coach":
            said = (
                t(
                    "This page is for coaches, and this link is not a coach's link. Open the "
                    "link you were given as a coach, or ask whoever runs the workshop for one."
                )
                if has_link
                else t("This page is for coaches: open it from the link you were given as a coach.")
            )
            self.body.children = [HTML(value=para("pdkit-error pdkit-refused", said, "alert"))]
            return False
        self.coach = person
        self.keeper.bind(person.id, self.language)
        who = escape(t("Signed in as {name} (coach).")).format(
            name=f"<strong>{escape(person.display_name)}</strong>"
        )
        self.header.value = f'<p class="pdkit-who">{who}</p>'
        self.show_queue()
        self.keeper.ready()
        self.stop_polling = repeat_every(self.poll_interval, self.refresh)
        return True

    # ------------------------------------------------------------------ the queue

    def today(self) -> date:
        return date.fromtimestamp(self._clock())

    def refresh(self) -> None:
        """Read the caseload again and redraw the queue when it changed; a teacher's
        page refreshes itself too."""
        if self.coach is None:
            return
        if self.view is not None:
            self.view.refresh()
            return
        try:
            found = teacher_needs(self.store, self.coach.id, self.today())
        except PdkitError:
            return
        key = tuple(found)
        if key == self._seen:
            return
        self._seen = key
        self.queue = found
        self._draw_queue()

    def _draw_queue(self) -> None:
        t = self.t
        if not self.queue:
            self.queue_box.children = [
                HTML(
                    value=para(
                        "pdkit-empty",
                        t(
                            "No teachers are assigned to you yet. When they are, they appear "
                            "here, the one who needs you most first."
                        ),
                    )
                )
            ]
            return
        names = teacher_names([p for _, p in self.queue], self.store)
        today = self.today()
        rows: list[w.Widget] = []
        for need, person in self.queue:
            reasons = [t(_REASONS[r]) for r in need.reasons(today)]
            said = ", ".join(reasons) if reasons else t("on track")
            overdue = f" · {need.overdue} {escape(t('overdue'))}" if need.overdue > 1 else ""
            text = HTML(
                value=f'<p class="pdkit-queue-row"><strong>{escape(names[person.id])}</strong>'
                f" · {escape(said)}{overdue}</p>"
            )
            button = w.Button(
                description=t("Open {name}").format(name=names[person.id]),
                tooltip=t("Open {name}'s page").format(name=names[person.id]),
                layout=w.Layout(width="auto"),
            )
            button.on_click(lambda _, pid=person.id: self.open(pid))
            rows.append(HBox([text, button]))
        self.queue_box.children = rows

    def show_queue(self) -> None:
        """Back to the queue (read again at once)."""
        t = self.t
        if self.view is not None:
            self.view.close()
            self.view = None
        self._seen = None
        self.refresh()
        self.body.children = [
            self.header,
            HTML(value=f"<h2>{escape(t('My teachers'))}</h2>"),
            self.queue_box,
        ]

    def open(self, teacher_id: str) -> TeacherView | None:
        """Open one of the coach's teachers; None (and nothing shown) for anyone else."""
        if self.coach is None or teacher_id not in self.store.coached_by(self.coach.id):
            return None
        teacher = self.store.get_participant(teacher_id)
        if teacher is None:
            return None
        names = teacher_names([p for _, p in self.queue] or [teacher], self.store)
        if self.view is not None:
            self.view.close()
        self.view = TeacherView(
            self.store,
            self.coach,
            teacher,
            name=names.get(teacher.id, teacher.display_name),
            language=self.language,
            keeper=self.keeper,
            clock=self._clock,
            observe_link=observe_link(self.browser.page_url, self.browser.url_token, teacher.id),
        )
        self.body.children = [self.header, HBox([self.back]), self.view.widget]
        return self.view

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)  # type: ignore[no-untyped-call]
