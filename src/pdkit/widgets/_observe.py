"""The observation form: an observer (a coach, or a colleague the teacher invited)
writes what they see of one teacher's lesson, against look-fors.

Pick whom to observe (only those the store says you may: :meth:`~pdkit.store.Store.observable`),
and the form opens a draft (or takes up the draft you left): the look-fors of the
teacher's goal as they shared it with you, the district's look-fors for their school goal
to add, and your own. For each look-for: seen / not yet and a note; then a general note
and a "glow and grow" for the teacher; everything saves as you type (a burst of typing
is written about once a second, only the parts that changed, as forms do; the page's
:class:`~pdkit.widgets.Safekeeper` keeps typing until the store has it). "Send to
<teacher>" hands it over: from then on it is theirs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from html import escape
from typing import Any

import ipywidgets as w

from .._clock import now
from ..definitions import LookForsDefinition
from ..definitions.ids import GOAL_FORM, SCHOOL_GOAL_FIELD
from ..errors import PdkitError
from ..i18n import N_, translator
from ..observations import MAX_LOOK_FORS, TEXT_PARTS, goal_look_fors, own_look_for
from ..store import Observation, Store, display_names
from ._lean import HTML, HBox, VBox
from ._observations_html import observation_html
from ._safekeeping import KEEP_CLASS, Safekeeper
from ._timing import Handle, Scheduler, call_later

__all__ = ["ObservationForm"]

_TEXT_LABELS = {
    "general": N_("General note"),
    "glow": N_("Glow: what went well"),
    "grow": N_("Grow: one thing to try next"),
}
_MARK_OPTIONS = ((N_("Seen"), "seen"), (N_("Not yet"), "not_yet"), (N_("Not marked"), ""))


class ObservationForm:
    """An observer's form (see the module docs). ``look_fors`` is the district's list
    (None: none offered)."""

    def __init__(
        self,
        store: Store,
        observer_id: str,
        *,
        language: str | None = None,
        keeper: Safekeeper | None = None,
        look_fors: LookForsDefinition | None = None,
        clock: Callable[[], float] = now,
        schedule: Scheduler = call_later,
        autosave_delay: float = 1.0,
    ) -> None:
        self.store = store
        self.observer_id = observer_id
        self.keeper = keeper
        self.district = look_fors
        self._clock = clock
        self.t = t = translator(language)
        self.observation: Observation | None = None
        self.teacher_name = ""
        self._building = False
        self._schedule = schedule
        self.autosave_delay = autosave_delay
        self._pending: Handle | None = None
        self._scheduled = False
        self.notes: dict[str, w.Text] = {}
        self.marks: dict[str, w.ToggleButtons] = {}
        self.texts: dict[str, w.Textarea] = {}
        self.message = HTML()
        self.whom = w.Dropdown(
            description=t("Whom I observe"), style={"description_width": "initial"}
        )
        self.start_button = w.Button(
            description=t("Start observing"), icon="eye", button_style="primary"
        )
        self.start_button.on_click(lambda _: self.start())
        self.chooser = VBox([HBox([self.whom, self.start_button])])
        self.body = VBox(layout=w.Layout())
        self.widget = VBox([self.chooser, self.message, self.body])
        self.widget.add_class("pdkit-observe")
        self.refresh_whom()

    # ------------------------------------------------------------------ choosing

    def refresh_whom(self) -> None:
        """Read again whom the observer may observe."""
        t = self.t
        try:
            ids = self.store.observable(self.observer_id, viewer=self.observer_id)
        except PdkitError as exc:
            self._say(str(exc), "error")
            return
        names = display_names(self.store, ids)
        self.whom.options = [(names[i], i) for i in ids]
        self.whom.value = ids[0] if ids else None
        self.start_button.disabled = not ids
        if not ids:
            self._say(
                t(
                    'Nobody to observe yet: a colleague invites you from their "My goal" '
                    "page, and a coach observes the teachers they coach."
                ),
                "empty",
            )

    def start(self, teacher_id: str | None = None) -> Observation | None:
        """Open a draft observation of ``teacher_id`` (default: the one chosen), taking up
        the observer's unsent draft of them if there is one."""
        t = self.t
        teacher = teacher_id or self.whom.value
        if not teacher:
            return None
        try:
            drafts = [
                o
                for o in self.store.observations_by(self.observer_id, viewer=self.observer_id)
                if o.teacher == teacher and not o.sent
            ]
            if drafts:
                made = drafts[0]
            else:
                goal = self.store.observation_goal(teacher, viewer=self.observer_id)
                notes: dict[str, Any] = {
                    "date": date.fromtimestamp(self._clock()).isoformat(),
                    "look_fors": [lf.as_json() for lf in goal_look_fors(goal)],
                }
                made = self.store.start_observation(self.observer_id, teacher, notes)
        except PdkitError as exc:
            self._say(str(exc), "error")
            return None
        self.teacher_name = display_names(self.store, [teacher])[teacher]
        self.observation = made
        self._build()
        said = t("Your notes save as you type. Send them to {name} when you are done.")
        self._say(said.format(name=self.teacher_name), "note")
        return made

    # ------------------------------------------------------------------ the form

    def _school_goal(self) -> str | None:
        obs = self.observation
        if obs is None:
            return None
        try:
            values = self.store.observation_goal(obs.teacher, viewer=self.observer_id)
            if not values:
                return None
            found = self.store.latest(obs.teacher, GOAL_FORM, viewer=obs.teacher)
        except PdkitError:
            return None
        goal = found.get(SCHOOL_GOAL_FIELD)
        return str(goal) if goal else None

    def _build(self) -> None:
        obs = self.observation
        if obs is None:
            return
        t = self.t
        self._building = True
        if self.keeper is not None:
            self.keeper.detach(self.scope)
        self.scope = f"observe:{obs.id}"
        self.date = w.DatePicker(description=t("Day of the visit"))
        try:
            self.date.value = date.fromisoformat(obs.day) if obs.day else None
        except ValueError:
            self.date.value = None
        self.date.observe(lambda _: self._date_changed(), names="value")
        self.rows = VBox(layout=w.Layout())
        self.own = w.Text(
            description=t("My own look-for"),
            placeholder=t("What else you will look for"),
            style={"description_width": "initial"},
        )
        self.own.add_class("pdkit-input")
        add_own = w.Button(description=t("Add my look-for"), icon="plus")
        add_own.on_click(lambda _: self.add_own())
        adders: list[w.Widget] = [HBox([self.own, add_own])]
        self.district_pick = w.Dropdown(
            description=t("From the district list"), style={"description_width": "initial"}
        )
        if self.district is not None:
            items = self.district.for_school_goal(self._school_goal())
            self.district_pick.options = [(i.text, i.id) for i in items]
            self.district_pick.value = items[0].id if items else None
            add_district = w.Button(description=t("Add"), icon="plus")
            add_district.on_click(lambda _: self.add_district())
            adders.append(HBox([self.district_pick, add_district]))
        self.texts = {}
        for part in TEXT_PARTS:
            box = w.Textarea(
                value=str(obs.notes.get(part) or ""),
                description=t(_TEXT_LABELS[part]),
                style={"description_width": "initial"},
                layout=w.Layout(width="100%"),
            )
            box.add_class("pdkit-input")
            box.add_class(f"pdkit-observe-{part}")
            box.add_class(KEEP_CLASS + f"{self.scope}:{part}")
            box.observe(lambda _: self._changed(), "value")
            self.texts[part] = box
        self.send_button = w.Button(
            description=t("Send to {name}").format(name=self.teacher_name),
            icon="paper-plane",
            button_style="primary",
            tooltip=t("Your notes go to the teacher: from then on they are theirs"),
            layout=w.Layout(width="auto"),
        )
        self.send_button.on_click(lambda _: self.send())
        self._draw_rows()
        heading = t("Observing {name}").format(name=self.teacher_name)
        self.body.children = [
            HTML(value=f"<h2>{escape(heading)}</h2>"),
            self.date,
            HTML(value=f"<h3>{escape(t('Look-fors'))}</h3>"),
            self.rows,
            *adders,
            HTML(value=f"<h3>{escape(t('For the teacher'))}</h3>"),
            *self.texts.values(),
            HBox([self.send_button]),
        ]
        self._building = False
        if self.keeper is not None:
            self.keeper.attach(self.scope, self)

    def _draw_rows(self) -> None:
        obs = self.observation
        if obs is None:
            return
        t = self.t
        self._building, was = True, self._building
        marks = obs.marks
        rows: list[w.Widget] = []
        self.notes, self.marks = {}, {}
        for look_for in obs.look_fors:
            lid = look_for["id"]
            mark = marks.get(lid, {})
            seen = w.ToggleButtons(
                options=[(t(label), value) for label, value in _MARK_OPTIONS],
                value=mark.get("seen", ""),
                style={"button_width": "auto"},
            )
            note = w.Text(
                value=mark.get("note", ""),
                description=t("Note"),
                placeholder=t("What you saw or heard"),
                layout=w.Layout(width="100%"),
            )
            note.add_class("pdkit-input")
            note.add_class(KEEP_CLASS + f"{self.scope}:note:{lid}")
            seen.observe(lambda _: self._changed(), names="value")
            note.observe(lambda _: self._changed(), names="value")
            self.marks[lid], self.notes[lid] = seen, note
            source = {"goal": t("from the goal"), "district": t("district"), "own": t("mine")}
            label = HTML(
                value=f'<p class="pdkit-look-for"><strong>{escape(look_for["text"])}</strong>'
                f' <span class="pdkit-tag">{escape(source.get(look_for["source"], ""))}</span></p>'
            )
            row = VBox([label, seen, note])
            row.add_class("pdkit-look-for-row")
            rows.append(row)
        if not rows:
            rows.append(
                HTML(
                    value=f'<p class="pdkit-empty">{escape(t("No look-fors yet: add some below."))}'
                    "</p>"
                )
            )
        self.rows.children = rows
        self._building = was

    # ------------------------------------------------------------------ saving

    def _write(self, values: Mapping[str, Any]) -> bool:
        obs = self.observation
        if self._building or obs is None:
            return False
        try:
            self.observation = self.store.write_observation(obs.id, values, by=self.observer_id)
        except PdkitError as exc:
            self._say(self.t("Not saved: {why}").format(why=exc), "error")
            return False
        if self.keeper is not None:
            self.keeper.acknowledge(self.kept_texts())
        return True

    def _date_changed(self) -> None:
        value = self.date.value
        self._write({"date": value.isoformat() if value else ""})

    def _current_marks(self) -> dict[str, dict[str, str]]:
        return {
            lid: {"seen": str(self.marks[lid].value or ""), "note": str(self.notes[lid].value)}
            for lid in self.marks
        }

    def _changed(self) -> None:
        """Something was typed: save it at most ``autosave_delay`` seconds from now."""
        if self._building or self.observation is None or self._scheduled:
            return
        self._scheduled = True
        self._pending = self._schedule(self.autosave_delay, self._autosave)

    def _autosave(self) -> None:
        self._scheduled, self._pending = False, None
        self.save()

    def _cancel_pending(self) -> None:
        if self._pending is not None:
            self._pending.cancel()
        self._scheduled, self._pending = False, None

    def _add(self, item: dict[str, str]) -> bool:
        obs = self.observation
        if obs is None:
            return False
        current = obs.look_fors
        if any(lf["id"] == item["id"] for lf in current):
            self._say(self.t("This look-for is on the list already."), "note")
            return False
        if len(current) >= MAX_LOOK_FORS:
            self._say(
                self.t("An observation has at most {n} look-fors.").format(n=MAX_LOOK_FORS), "error"
            )
            return False
        if not self._write({"look_fors": [*current, item]}):
            return False
        self._draw_rows()
        return True

    def add_own(self, text: str | None = None) -> bool:
        """Add the observer's own look-for (the box's text, or ``text``)."""
        obs = self.observation
        if obs is None:
            return False
        try:
            item = own_look_for(
                text if text is not None else self.own.value, [lf["id"] for lf in obs.look_fors]
            )
        except PdkitError as exc:
            self._say(str(exc), "error")
            return False
        if self._add(item.as_json()):
            self.own.value = ""
            return True
        return False

    def add_district(self, look_for_id: str | None = None) -> bool:
        """Add a look-for of the district's list (the one chosen, or ``look_for_id``)."""
        if self.district is None:
            return False
        wanted = look_for_id or self.district_pick.value
        found = next((i for i in self.district.items if i.id == wanted), None)
        if found is None:
            return False
        return self._add({"id": found.id, "text": found.text, "source": "district"})

    def send(self) -> Observation | None:
        """Send the observation to the teacher (saving what is typed first)."""
        obs = self.observation
        if obs is None:
            return None
        t = self.t
        self.save()
        try:
            sent = self.store.send_observation(obs.id, by=self.observer_id)
        except PdkitError as exc:
            self._say(t("Not sent: {why}").format(why=exc), "error")
            return None
        if self.keeper is not None:
            self.keeper.acknowledge(dict.fromkeys(self.kept_texts(), ""))
            self.keeper.detach(self.scope)
        self.observation = None
        self.body.children = [HTML(value=observation_html(sent, {}, t))]
        said = t("Sent to {name}. Thank you: the notes are theirs now.")
        self._say(said.format(name=self.teacher_name), "ok")
        return sent

    # ------------------------------------------------------------------ kept typing

    scope = "observe:"

    def kept_texts(self) -> dict[str, str]:
        """What each typed input holds, by the key the page keeps it under."""
        found = {f"{self.scope}:{p}": str(box.value or "") for p, box in self.texts.items()}
        for lid, note in self.notes.items():
            found[f"{self.scope}:note:{lid}"] = str(note.value or "")
        return found

    def put_kept(self, key: str, text: str) -> bool:
        """Put kept typing back into its input (which saves it)."""
        rest = key.removeprefix(self.scope + ":")
        box: w.Widget | None = self.texts.get(rest)
        if box is None and rest.startswith("note:"):
            box = self.notes.get(rest.removeprefix("note:"))
        if box is None or box.value == text:
            return False
        box.value = text
        return True

    def save(self) -> int:
        """Write now the typed parts that differ from what the store holds; how many."""
        obs = self.observation
        self._cancel_pending()
        if obs is None:
            return 0
        values: dict[str, Any] = {p: str(box.value or "") for p, box in self.texts.items()}
        if self.marks:
            values["marks"] = self._current_marks()
        changed = {
            k: v for k, v in values.items() if obs.notes.get(k, "" if k != "marks" else {}) != v
        }
        if not changed:
            return 0
        return len(changed) if self._write(changed) else 0

    def _say(self, text: str, kind: str) -> None:
        role = "alert" if kind == "error" else "status"
        self.message.value = f'<p class="pdkit-{kind}" role="{role}">{escape(text)}</p>'

    def close(self) -> None:
        """The page is left: save what is typed."""
        self.save()
        if self.keeper is not None and self.observation is not None:
            self.keeper.detach(self.scope)
