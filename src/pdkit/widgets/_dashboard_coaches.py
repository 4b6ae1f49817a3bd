"""The dashboard's coaches: add one to the session, give them teachers of this session
(or take them back), and show a coach's link to copy (a fresh key each time).

A facilitator sees names and caseloads here, never what anyone wrote.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape
from urllib.parse import urlencode

import ipywidgets as w

from ..errors import PdkitError
from ..i18n import translator
from ..links import COACH_NOTEBOOK, COACH_PURPOSE, RESUME_PARAM, sibling
from ..store import DEFAULT_SESSION, Participant, Store
from ._dashboard_followup import _folded, _said, _teachers, people_labels
from ._lean import HTML, HBox, VBox

__all__ = ["CoachesPanel"]


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
        language: str | None = None,
    ) -> None:
        self.language = language
        self.t = t = translator(language)
        self.store = store
        self.session = session
        self.page_url = page_url
        self._changed = changed
        self.name = w.Text(
            description=t("Coach's name"),
            placeholder="Carla Ruiz",
            style={"description_width": "initial"},
        )
        self.again = w.Checkbox(
            description=t("another person with a name a coach has"), indent=False, value=False
        )
        self.add_button = w.Button(description=t("Add coach"), icon="user-plus")
        self.add_button.on_click(lambda _: self.add())
        self.coach_picker = w.Dropdown(
            description=t("Coach"), options=[], style={"description_width": "initial"}
        )
        self.teacher_picker = w.SelectMultiple(
            description=t("Teachers"), options=[], rows=8, style={"description_width": "initial"}
        )
        self.assign_button = w.Button(description=t("Assign to coach"), icon="link")
        self.assign_button.on_click(lambda _: self.assign())
        self.unassign_button = w.Button(description=t("Take away from coach"), icon="unlink")
        self.unassign_button.on_click(lambda _: self.unassign())
        self.link_button = w.Button(description=t("Show the coach's link"), icon="key")
        self.link_button.on_click(lambda _: self.show_link())
        self.message = HTML()
        self.link = HTML()
        self.table = HTML()
        self._people: tuple[str, ...] = ()
        self.widget = VBox(
            [
                HTML(
                    value=f"<h2>{escape(t('Coaches'))}</h2><p>"
                    + escape(
                        t(
                            "A coach sees only the teachers you give them, and of those only what "
                            "each teacher shares with their coach or wider: never what a teacher "
                            "keeps private."
                        )
                    )
                    + "</p>"
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
        t = self.t
        try:
            coaches = self.store.coaches(self.session)
            teachers = _teachers(self.store, self.session)
            caseloads = {c.id: self.store.coached_by(c.id) for c in coaches}
        except PdkitError as exc:
            said = t("Could not read the coaches: {problem}").format(problem=exc.said(t))
            self.message.value = _said(said, error=True)
            return
        self._people = tuple(p.id for p in teachers)
        coach_labels = people_labels(self.store, coaches, self.language)
        teacher_labels = people_labels(self.store, teachers, self.language)
        _keep_choice(self.coach_picker, [(coach_labels[c.id], c.id) for c in coaches])
        _keep_choice(self.teacher_picker, [(teacher_labels[p.id], p.id) for p in teachers])
        if not coaches:
            said = escape(t("No coaches in this session yet: add one above (or run {command})."))
            command = "<code>pdkit coach add NAME --session …</code>"
            self.table.value = f'<p class="pdkit-empty">{said.format(command=command)}</p>'
            return
        rows = []
        for coach in coaches:
            theirs = [teacher_labels[p] for p in caseloads[coach.id] if p in teacher_labels]
            listed = ", ".join(theirs) or "–"
            rows.append(
                f"<tr><td>{escape(coach_labels[coach.id])}</td><td>{len(theirs)}</td>"
                f"<td>{escape(listed)}</td></tr>"
            )
        caption = escape(t("Coaches and their teachers in this session"))
        self.table.value = (
            f'<table class="pdkit-table pdkit-caseloads"><caption>{caption}</caption><thead><tr>'
            f'<th scope="col">{escape(t("Coach"))}</th>'
            f'<th scope="col">{escape(t("Teachers"))}</th>'
            f'<th scope="col">{escape(t("Who"))}</th></tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>"
        )

    def people_changed(self, teacher_ids: Sequence[str]) -> None:
        """Redraw when the session's teachers are not those shown (someone joined)."""
        if tuple(teacher_ids) != self._people:
            self.draw()

    # ------------------------------------------------------------------ acting

    def add(self) -> Participant | None:
        """Add the coach named in the field to this session."""
        t = self.t
        name = " ".join(self.name.value.split())
        if not name:
            self.message.value = _said(t("Write the coach's name first."), error=True)
            return None
        try:
            same = [c for c in self.store.coaches() if _folded(c.display_name) == _folded(name)]
            if same and not self.again.value:
                self.message.value = _said(
                    t(
                        "There is a coach called {name} already. To add another person with "
                        "this name, tick “{box}”."
                    ).format(name=name, box=t("another person with a name a coach has")),
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
        self.message.value = _said(
            t("Added the coach {name}. Choose their teachers below.").format(name=name)
        )
        return coach

    def _chosen(self) -> tuple[str, list[str]] | None:
        coach = self.coach_picker.value
        teachers = list(self.teacher_picker.value)
        if not coach:
            self.message.value = _said(self.t("Choose a coach first (add one above)."), error=True)
            return None
        if not teachers:
            self.message.value = _said(self.t("Choose one or more teachers."), error=True)
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
        self._done(
            self.t("{coach} coaches {teachers} now ({new} new).").format(
                coach=self._label(coach), teachers=self._names(teachers), new=new
            )
        )
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
        t, who = self.t, self._label(coach)
        said = (
            t("{coach} no longer coaches {teachers}.").format(coach=who, teachers=self._names(gone))
            if gone
            else ""
        )
        if len(gone) < len(teachers):
            said += " " + t("{coach} was not coaching the others.").format(coach=who)
        self._done(said.strip())
        return True

    def show_link(self) -> str:
        """A fresh link for the chosen coach (a key: whoever has it signs in as them)."""
        coach = self.coach_picker.value
        if not coach:
            self.message.value = _said(self.t("Choose a coach first (add one above)."), error=True)
            return ""
        try:
            token = self.store.issue_link(coach, COACH_PURPOSE)
        except PdkitError as exc:
            self.message.value = _said(str(exc), error=True)
            return ""
        link = sibling(self.page_url, COACH_NOTEBOOK, urlencode({RESUME_PARAM: token}))
        shown = escape(link, quote=True)
        said = escape(
            self.t(
                "The link of {coach} (copy it and send it to them only: it is a key, whoever "
                "has it signs in as this coach; links shown before keep working):"
            )
        ).format(coach=f"<strong>{escape(self._label(coach))}</strong>")
        self.link.value = (
            f'<div class="pdkit-status pdkit-coach-link" role="status"><p>{said}</p>'
            f'<p><a href="{shown}" target="_blank" rel="noopener">'
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
        return next(
            (str(k) for k, v in self.coach_picker.options if v == coach_id), self.t("the coach")
        )

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
