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

import ipywidgets as w

from ..errors import PdkitError
from ..followup import DONE, DUE, OVERDUE, CheckinPlan, format_schedule, parse_schedule
from ..i18n import N_, translator
from ..measures import day_text
from ..store import DEFAULT_SESSION, Participant, Store, Viewer
from ._lean import HTML, HBox, VBox

__all__ = ["SMALL", "FollowUpPanel", "name_labels", "people_labels", "rollup"]

SMALL = 5
"""A count of fewer people than this, rolled up over a session, is shown as "fewer than 5"."""


def rollup(count: int, language: str | None = None) -> str:
    """A count of people as a rollup shows it: "fewer than 5" for 1 to 4."""
    if 0 < count < SMALL:
        t = translator(language)
        return t("fewer than {small}").format(small=SMALL)
    return str(count)


def people_labels(
    store: Store, people: Sequence[Participant], language: str | None = None
) -> dict[str, str]:
    """Each person's label: their name, and for names two or more share, a short
    pseudonymous mark (:meth:`pdkit.store.PeopleStore.pseudonym`, never the id) and
    when they joined, so two teachers called Ana can be told apart."""
    return name_labels(store, [(p.id, p.display_name, p.created_at) for p in people], language)


def name_labels(
    store: Store, people: Sequence[tuple[str, str, float]], language: str | None = None
) -> dict[str, str]:
    """:func:`people_labels` of (id, name, joined at) triples (a dashboard's statuses)."""
    t = translator(language)
    names = Counter(_folded(name) for _id, name, _at in people)
    labels = {}
    for pid, display_name, joined_at in people:
        name = " ".join(display_name.split()) or t("(no name)")
        if names[_folded(display_name)] > 1:
            mark = store.pseudonym(pid)[-4:]
            moment = time.localtime(joined_at)
            day = date(moment.tm_year, moment.tm_mon, moment.tm_mday)
            joined = f"{day_text(day, language)} {time.strftime('%H:%M', moment)}"
            name = t("{name} (#{mark}, joined {joined})").format(
                name=name, mark=mark, joined=joined
            )
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
        self,
        store: Store,
        *,
        session: str = DEFAULT_SESSION,
        clock: Callable[[], float],
        language: str | None = None,
    ) -> None:
        self.language = language
        self.t = t = translator(language)
        self.store = store
        self.session = session
        self._clock = clock
        self.day = w.Text(
            description=t("Session day"),
            placeholder=t("YYYY-MM-DD"),
            style={"description_width": "initial"},
        )
        self.dates = w.Text(
            description=t("Check-in dates"),
            placeholder="2w,4w,6w",
            style={"description_width": "initial"},
        )
        self.save_button = w.Button(description=t("Save check-in dates"), icon="calendar")
        self.save_button.on_click(lambda _: self.save())
        self.refresh_button = w.Button(description=t("Refresh"), icon="refresh")
        self.refresh_button.on_click(lambda _: self.draw())
        self.message = HTML()
        self.shown = HTML()
        self.summary = HTML()
        self.table = HTML()
        self.widget = VBox(
            [
                HTML(
                    value=f"<h2>{escape(t('Follow-up'))}</h2><p>"
                    + escape(
                        t(
                            "Check-in dates for the weeks after the session: weeks or days after "
                            "the session day, or dates, separated by commas ({examples}). Leave "
                            "them empty to remove them. Each teacher's own date (their goal's "
                            "“By when?”) adds one when they share their goal with the session."
                        )
                    ).format(
                        examples="<code>2w,4w,6w</code>, <code>10d</code>, <code>2027-01-15</code>"
                    )
                    + "</p>"
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
        self._unread = False  # the message says the store could not be read
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
            self.message.value = _said(
                self.t("Could not read the check-in dates: {problem}").format(
                    problem=exc.said(self.t)
                ),
                error=True,
            )
            self._unread = True
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
                self.t(
                    "{typed} is not a day: write the session day as YYYY-MM-DD (2026-12-02)"
                ).format(typed=repr(self.day.value.strip()[:40])),
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
            self.message.value = _said(self.t("Saved: check-ins on {dates}.").format(dates=listed))
        else:
            self.message.value = _said(self.t("Saved: this session has no check-in dates now."))
        self.draw()
        return True

    def draw(self) -> None:
        """Read the schedule and every teacher's plan again; redraw the table."""
        t = self.t
        try:
            found = self.store.checkin_schedule(self.session)
            teachers = _teachers(self.store, self.session)
            labels = people_labels(self.store, teachers, self.language)
            today = self._today()
            viewer = Viewer.facilitator(self.session)
            plans = [(p, self.store.checkin_plan(p.id, today, viewer=viewer)) for p in teachers]
            coaches = {c.id: c.display_name for c in self.store.coaches()}
            coached = {p.id: self.store.coaches_of(p.id) for p in teachers}
        except PdkitError as exc:
            said = t("Could not read the check-ins: {problem}").format(problem=exc.said(t))
            self.message.value = _said(said, error=True)
            self._unread = True
            return
        if self._unread:
            self.message.value = ""  # read again: the hiccup is over
            self._unread = False
        if found is None or not found.dates:
            self.shown.value = f'<p class="pdkit-empty">{escape(t("No check-in dates yet."))}</p>'
        else:
            listed = ", ".join(d.isoformat() for d in found.dates)
            said = escape(t("Check-ins on {dates} (from the session day, {day}).")).format(
                dates=f"<strong>{escape(listed)}</strong>", day=found.starts.isoformat()
            )
            self.shown.value = f'<p class="pdkit-schedule">{said}</p>'
        self.summary.value = self._summary(found.dates if found else (), plans)
        if not teachers:
            said = t("No teachers in this session yet.")
            self.table.value = f'<p class="pdkit-empty">{escape(said)}</p>'
            return
        rows = []
        for teacher, plan in plans:
            upcoming = plan.next
            if upcoming is not None:
                state = t("overdue") if upcoming.state == OVERDUE else t("due")
                next_due = f"{upcoming.due.isoformat()} ({state})"
            else:
                next_due = t("all done") if plan.dates else "–"
            names = ", ".join(coaches.get(c, "?") for c in coached[teacher.id]) or "–"
            done = t("{done} of {total}").format(done=plan.done, total=len(plan.dates))
            rows.append(
                f"<tr><td>{escape(labels[teacher.id])}</td><td>{escape(done)}</td>"
                f"<td>{plan.overdue}</td><td>{escape(next_due)}</td>"
                f"<td>{escape(names)}</td></tr>"
            )
        heads = "".join(
            f'<th scope="col">{escape(t(h))}</th>'
            for h in (N_("Name"), N_("Check-ins done"), N_("Overdue"), N_("Next"), N_("Coach"))
        )
        caption = t("Check-ins per teacher (counts and dates only)")
        self.table.value = (
            '<table class="pdkit-table pdkit-checkins">'
            f"<caption>{escape(caption)}</caption><thead><tr>{heads}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>"
        )

    def _summary(
        self, dates: Sequence[date], plans: Sequence[tuple[Participant, CheckinPlan]]
    ) -> str:
        """For each of the session's dates, how many checked in and how many are late,
        below :data:`SMALL` not shown."""
        if not dates or not plans:
            return ""
        t, language = self.t, self.language
        items = []
        for when in dates:
            states = Counter(
                d.state for _t, plan in plans for d in plan.dates if d.due == when and not d.own
            )
            said = t("{when}: {done} checked in").format(
                when=when.isoformat(), done=rollup(states[DONE], language)
            )
            if states[OVERDUE]:
                said += ", " + t("{count} overdue").format(count=rollup(states[OVERDUE], language))
            if states[DUE]:
                said += ", " + t("{count} due").format(count=rollup(states[DUE], language))
            items.append(f"<li>{escape(said)}</li>")
        label = escape(t("Check-ins per date"), quote=True)
        return (
            f'<ul class="pdkit-counts pdkit-checkin-counts" aria-label="{label}">'
            f"{''.join(items)}</ul>"
        )
