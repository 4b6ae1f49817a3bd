"""The dashboard's weeks after the session: the session's check-in schedule (shown, and
set as people write it: ``2w,4w,6w`` or dates, :func:`pdkit.followup.parse_schedule`),
where each teacher is in it, and the session's coaches (add one, give them teachers,
show a coach's link).

What a facilitator sees here are statuses: check-in counts and dates, read as the
session's facilitator (:meth:`pdkit.store.Viewer.facilitator`), never what anyone wrote.
Counts of people rolled up over the session (how many checked in for a date) below
:data:`SMALL` are not shown. Teachers who share a name are told apart by a short
pseudonymous mark and the time they joined.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import date
from html import escape
from urllib.parse import urlencode

import ipywidgets as w

from ..errors import PdkitError
from ..followup import DONE, DUE, OVERDUE, CheckinPlan, format_schedule, parse_schedule
from ..links import COACH_NOTEBOOK, COACH_PURPOSE, RESUME_PARAM, sibling
from ..store import DEFAULT_SESSION, Participant, Store, Viewer
from ._lean import HTML, HBox, VBox

__all__ = ["SMALL", "CoachesPanel", "FollowUpPanel", "name_labels", "people_labels", "rollup"]

SMALL = 5
"""A count of fewer people than this, rolled up over a session, is shown as "fewer than 5"."""


def rollup(count: int) -> str:
    """A count of people as a rollup shows it: "fewer than 5" for 1 to 4."""
    return f"fewer than {SMALL}" if 0 < count < SMALL else str(count)


def people_labels(store: Store, people: Sequence[Participant]) -> dict[str, str]:
    """Each person's label: their name, and for names two or more share, a short
    pseudonymous mark (:meth:`pdkit.store.PeopleStore.pseudonym`, never the id) and
    when they joined, so two teachers called Ana can be told apart."""
    return name_labels(store, [(p.id, p.display_name, p.created_at) for p in people])


def name_labels(store: Store, people: Sequence[tuple[str, str, float]]) -> dict[str, str]:
    """:func:`people_labels` of (id, name, joined at) triples (a dashboard's statuses)."""
    names = Counter(_folded(name) for _id, name, _at in people)
    labels = {}
    for pid, display_name, joined_at in people:
        name = " ".join(display_name.split()) or "(no name)"
        if names[_folded(display_name)] > 1:
            mark = store.pseudonym(pid)[-4:]
            joined = time.strftime("%b %d %H:%M", time.localtime(joined_at))
            name = f"{name} (#{mark}, joined {joined})"
        labels[pid] = name
    return labels


def _folded(name: str) -> str:
    return " ".join(name.split()).casefold()


def _said(text: str, *, error: bool = False) -> str:
    if error:
        return f'<p class="pdkit-error" role="alert">{escape(text)}</p>'
    return f'<p class="pdkit-status" role="status">{escape(text)}</p>'


def _teachers(store: Store, session: str) -> list[Participant]:
    return [p for p in store.participants(session) if p.role == "teacher"]


class FollowUpPanel:
    """The session's check-in dates, set here, and where each teacher is in them.

    The table is drawn when the panel opens, when the dates are saved and when asked
    (:meth:`draw`, the Refresh button): check-ins come over weeks, not seconds, and each
    teacher's plan is read from the store.
    """

    def __init__(
        self, store: Store, *, session: str = DEFAULT_SESSION, clock: Callable[[], float]
    ) -> None:
        self.store = store
        self.session = session
        self._clock = clock
        self.day = w.Text(
            description="Session day",
            placeholder="YYYY-MM-DD",
            style={"description_width": "initial"},
        )
        self.dates = w.Text(
            description="Check-in dates",
            placeholder="2w,4w,6w",
            style={"description_width": "initial"},
        )
        self.save_button = w.Button(description="Save check-in dates", icon="calendar")
        self.save_button.on_click(lambda _: self.save())
        self.refresh_button = w.Button(description="Refresh", icon="refresh")
        self.refresh_button.on_click(lambda _: self.draw())
        self.message = HTML()
        self.shown = HTML()
        self.summary = HTML()
        self.table = HTML()
        self.widget = VBox(
            [
                HTML(
                    value="<h2>Follow-up</h2><p>Check-in dates for the weeks after the session: "
                    "weeks or days after the session day, or dates, separated by commas "
                    "(<code>2w,4w,6w</code>, <code>10d</code>, <code>2027-01-15</code>). "
                    "Leave them empty to remove them. Each teacher's own date (their goal's "
                    "“By when?”) adds one when they share their goal with the session.</p>"
                ),
                HBox([self.day, self.dates, self.save_button]),
                self.message,
                self.shown,
                self.summary,
                self.table,
                self.refresh_button,
            ]
        )
        self.widget.add_class("pdkit-followup")
        self._fill()
        self.draw()

    def _today(self) -> date:
        return date.fromtimestamp(self._clock())

    def _fill(self) -> None:
        """The fields as the stored schedule writes them (the session's day when none)."""
        try:
            found = self.store.checkin_schedule(self.session)
            stored = (
                self.store.get_session(self.session) if self.session != DEFAULT_SESSION else None
            )
        except PdkitError as exc:
            self.message.value = _said(f"Could not read the check-in dates: {exc}", error=True)
            return
        if found is not None:
            self.day.value = found.starts.isoformat()
            self.dates.value = format_schedule(found.dates, found.starts)
            return
        when = date.fromtimestamp(stored.created_at) if stored and stored.created_at else None
        self.day.value = (when or self._today()).isoformat()

    def save(self) -> bool:
        """Save the dates as typed; a mistake is one sentence and the fields keep what was
        typed."""
        try:
            day = date.fromisoformat(self.day.value.strip())
        except ValueError:
            self.message.value = _said(
                f"{self.day.value.strip()[:40]!r} is not a day: write the session day as "
                "YYYY-MM-DD (2026-12-02)",
                error=True,
            )
            return False
        try:
            dates = parse_schedule(self.dates.value, day)
            made = self.store.set_checkin_schedule(self.session, day, dates)
        except PdkitError as exc:
            self.message.value = _said(str(exc), error=True)
            return False
        self.dates.value = format_schedule(made.dates, made.starts)
        if made.dates:
            listed = ", ".join(d.isoformat() for d in made.dates)
            self.message.value = _said(f"Saved: check-ins on {listed}.")
        else:
            self.message.value = _said("Saved: this session has no check-in dates now.")
        self.draw()
        return True

    def draw(self) -> None:
        """Read the schedule and every teacher's plan again; redraw the table."""
        try:
            found = self.store.checkin_schedule(self.session)
            teachers = _teachers(self.store, self.session)
            labels = people_labels(self.store, teachers)
            today = self._today()
            viewer = Viewer.facilitator(self.session)
            plans = [(t, self.store.checkin_plan(t.id, today, viewer=viewer)) for t in teachers]
            coaches = {c.id: c.display_name for c in self.store.coaches()}
            coached = {t.id: self.store.coaches_of(t.id) for t in teachers}
        except PdkitError as exc:
            self.message.value = _said(f"Could not read the check-ins: {exc}", error=True)
            return
        if "Could not read" in self.message.value:
            self.message.value = ""  # read again: the hiccup is over
        if found is None or not found.dates:
            self.shown.value = '<p class="pdkit-empty">No check-in dates yet.</p>'
        else:
            listed = ", ".join(d.isoformat() for d in found.dates)
            self.shown.value = (
                f'<p class="pdkit-schedule">Check-ins on <strong>{escape(listed)}</strong> '
                f"(from the session day, {found.starts.isoformat()}).</p>"
            )
        self.summary.value = self._summary(found.dates if found else (), plans)
        if not teachers:
            self.table.value = '<p class="pdkit-empty">No teachers in this session yet.</p>'
            return
        rows = []
        for teacher, plan in plans:
            upcoming = plan.next
            if upcoming is not None:
                state = "overdue" if upcoming.state == OVERDUE else "due"
                next_due = f"{upcoming.due.isoformat()} ({state})"
            else:
                next_due = "all done" if plan.dates else "–"
            names = ", ".join(coaches.get(c, "?") for c in coached[teacher.id]) or "–"
            rows.append(
                f"<tr><td>{escape(labels[teacher.id])}</td>"
                f"<td>{plan.done} of {len(plan.dates)}</td>"
                f"<td>{plan.overdue}</td><td>{escape(next_due)}</td>"
                f"<td>{escape(names)}</td></tr>"
            )
        self.table.value = (
            '<table class="pdkit-table pdkit-checkins"><caption>Check-ins per teacher '
            "(counts and dates only)</caption><thead><tr>"
            '<th scope="col">Name</th><th scope="col">Check-ins done</th>'
            '<th scope="col">Overdue</th><th scope="col">Next</th>'
            f'<th scope="col">Coach</th></tr></thead><tbody>{"".join(rows)}</tbody></table>'
        )

    @staticmethod
    def _summary(dates: Sequence[date], plans: Sequence[tuple[Participant, CheckinPlan]]) -> str:
        """For each of the session's dates, how many checked in and how many are late,
        below :data:`SMALL` not shown."""
        if not dates or not plans:
            return ""
        items = []
        for when in dates:
            states = Counter(
                d.state for _t, plan in plans for d in plan.dates if d.due == when and not d.own
            )
            late = f", {rollup(states[OVERDUE])} overdue" if states[OVERDUE] else ""
            waiting = f", {rollup(states[DUE])} due" if states[DUE] else ""
            items.append(
                f"<li>{when.isoformat()}: {rollup(states[DONE])} checked in{late}{waiting}</li>"
            )
        return (
            f'<ul class="pdkit-counts pdkit-checkin-counts" aria-label="Check-ins per date">'
            f"{''.join(items)}</ul>"
        )


class CoachesPanel:
    """The session's coaches: add one, give them teachers of this session (or take them
    back), and show a coach's link to copy (a fresh key each time).

    ``changed`` is called after teachers are assigned or unassigned (the follow-up
    table shows each teacher's coach)."""

    def __init__(
        self,
        store: Store,
        *,
        session: str = DEFAULT_SESSION,
        page_url: str = "",
        changed: Callable[[], None] | None = None,
    ) -> None:
        self.store = store
        self.session = session
        self.page_url = page_url
        self._changed = changed
        self.name = w.Text(
            description="Coach's name",
            placeholder="Carla Ruiz",
            style={"description_width": "initial"},
        )
        self.again = w.Checkbox(
            description="another person with a name a coach has", indent=False, value=False
        )
        self.add_button = w.Button(description="Add coach", icon="user-plus")
        self.add_button.on_click(lambda _: self.add())
        self.coach_picker = w.Dropdown(
            description="Coach", options=[], style={"description_width": "initial"}
        )
        self.teacher_picker = w.SelectMultiple(
            description="Teachers", options=[], rows=8, style={"description_width": "initial"}
        )
        self.assign_button = w.Button(description="Assign to coach", icon="link")
        self.assign_button.on_click(lambda _: self.assign())
        self.unassign_button = w.Button(description="Take away from coach", icon="unlink")
        self.unassign_button.on_click(lambda _: self.unassign())
        self.link_button = w.Button(description="Show the coach's link", icon="key")
        self.link_button.on_click(lambda _: self.show_link())
        self.message = HTML()
        self.link = HTML()
        self.table = HTML()
        self._people: tuple[str, ...] = ()
        self.widget = VBox(
            [
                HTML(
                    value="<h2>Coaches</h2><p>A coach sees only the teachers you give them, and "
                    "of those only what each teacher shares with their coach or wider: never "
                    "what a teacher keeps private.</p>"
                ),
                HBox([self.name, self.again, self.add_button]),
                self.table,
                HBox([self.coach_picker, self.teacher_picker]),
                HBox([self.assign_button, self.unassign_button, self.link_button]),
                self.message,
                self.link,
            ]
        )
        self.widget.add_class("pdkit-coaches")
        self.draw()

    # ------------------------------------------------------------------ reading

    def draw(self) -> None:
        """Read coaches and teachers again: the pickers (keeping what is chosen) and the
        caseloads."""
        try:
            coaches = self.store.coaches(self.session)
            teachers = _teachers(self.store, self.session)
            caseloads = {c.id: self.store.coached_by(c.id) for c in coaches}
        except PdkitError as exc:
            self.message.value = _said(f"Could not read the coaches: {exc}", error=True)
            return
        self._people = tuple(t.id for t in teachers)
        coach_labels = people_labels(self.store, coaches)
        teacher_labels = people_labels(self.store, teachers)
        _keep_choice(self.coach_picker, [(coach_labels[c.id], c.id) for c in coaches])
        _keep_choice(self.teacher_picker, [(teacher_labels[t.id], t.id) for t in teachers])
        if not coaches:
            self.table.value = (
                '<p class="pdkit-empty">No coaches in this session yet: add one above '
                "(or run <code>pdkit coach add NAME --session …</code>).</p>"
            )
            return
        rows = []
        for coach in coaches:
            theirs = [teacher_labels[t] for t in caseloads[coach.id] if t in teacher_labels]
            listed = ", ".join(theirs) or "–"
            rows.append(
                f"<tr><td>{escape(coach_labels[coach.id])}</td><td>{len(theirs)}</td>"
                f"<td>{escape(listed)}</td></tr>"
            )
        self.table.value = (
            '<table class="pdkit-table pdkit-caseloads"><caption>Coaches and their teachers '
            'in this session</caption><thead><tr><th scope="col">Coach</th>'
            '<th scope="col">Teachers</th><th scope="col">Who</th></tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>"
        )

    def people_changed(self, teacher_ids: Sequence[str]) -> None:
        """Redraw when the session's teachers are not those shown (someone joined)."""
        if tuple(teacher_ids) != self._people:
            self.draw()

    # ------------------------------------------------------------------ acting

    def add(self) -> Participant | None:
        """Add the coach named in the field to this session."""
        name = " ".join(self.name.value.split())
        if not name:
            self.message.value = _said("Write the coach's name first.", error=True)
            return None
        try:
            same = [c for c in self.store.coaches() if _folded(c.display_name) == _folded(name)]
            if same and not self.again.value:
                self.message.value = _said(
                    f"There is a coach called {name} already. To add another person with "
                    "this name, tick “another person with a name a coach has”.",
                    error=True,
                )
                return None
            coach, _token = self.store.create_participant(name, role="coach", session=self.session)
        except PdkitError as exc:
            self.message.value = _said(str(exc), error=True)
            return None
        self.name.value = ""
        self.again.value = False
        self.draw()
        self.coach_picker.value = coach.id
        self.message.value = _said(f"Added the coach {name}. Choose their teachers below.")
        return coach

    def _chosen(self) -> tuple[str, list[str]] | None:
        coach = self.coach_picker.value
        teachers = list(self.teacher_picker.value)
        if not coach:
            self.message.value = _said("Choose a coach first (add one above).", error=True)
            return None
        if not teachers:
            self.message.value = _said("Choose one or more teachers.", error=True)
            return None
        return coach, teachers

    def assign(self) -> bool:
        """Give the chosen teachers to the chosen coach."""
        chosen = self._chosen()
        if chosen is None:
            return False
        coach, teachers = chosen
        try:
            before = set(self.store.coached_by(coach))
            self.store.assign_coach(coach, teachers)
        except PdkitError as exc:
            self.message.value = _said(str(exc), error=True)
            return False
        new = len([t for t in teachers if t not in before])
        self._done(f"{self._label(coach)} coaches {self._names(teachers)} now ({new} new).")
        return True

    def unassign(self) -> bool:
        """Take the chosen teachers away from the chosen coach."""
        chosen = self._chosen()
        if chosen is None:
            return False
        coach, teachers = chosen
        try:
            gone = self.store.unassign_coach(coach, teachers)
        except PdkitError as exc:
            self.message.value = _said(str(exc), error=True)
            return False
        said = f"{self._label(coach)} no longer coaches {self._names(gone)}." if gone else ""
        if len(gone) < len(teachers):
            said += f" {self._label(coach)} was not coaching the others."
        self._done(said.strip())
        return True

    def show_link(self) -> str:
        """A fresh link for the chosen coach (a key: whoever has it signs in as them)."""
        coach = self.coach_picker.value
        if not coach:
            self.message.value = _said("Choose a coach first (add one above).", error=True)
            return ""
        try:
            token = self.store.issue_link(coach, COACH_PURPOSE)
        except PdkitError as exc:
            self.message.value = _said(str(exc), error=True)
            return ""
        link = sibling(self.page_url, COACH_NOTEBOOK, urlencode({RESUME_PARAM: token}))
        shown = escape(link, quote=True)
        self.link.value = (
            f'<div class="pdkit-status pdkit-coach-link" role="status"><p>The link of '
            f"<strong>{escape(self._label(coach))}</strong> (copy it and send it to them "
            "only: it is a key, whoever has it signs in as this coach; links shown before "
            f'keep working):</p><p><a href="{shown}" target="_blank" rel="noopener">'
            f"<code>{escape(link)}</code></a></p></div>"
        )
        self.message.value = ""
        return link

    def _done(self, said: str) -> None:
        self.draw()
        self.message.value = _said(said)
        if self._changed is not None:
            self._changed()

    def _label(self, coach_id: str) -> str:
        return next((str(k) for k, v in self.coach_picker.options if v == coach_id), "the coach")

    def _names(self, teacher_ids: Sequence[str]) -> str:
        labels = {v: str(k) for k, v in self.teacher_picker.options}
        return ", ".join(labels.get(t, "?") for t in teacher_ids)


def _keep_choice(picker: w.Widget, options: list[tuple[str, str]]) -> None:
    """New options for a picker, keeping what was chosen among them (a redraw while a
    facilitator is choosing loses nothing)."""
    if list(picker.options) == options:
        return
    chosen = picker.value
    known = {v for _label, v in options}
    picker.options = options
    if isinstance(chosen, tuple):
        picker.value = tuple(v for v in chosen if v in known)
    elif chosen in known:
        picker.value = chosen
    elif not options:
        picker.value = None
