"""A teacher's evidence log: one widget for the teacher's "My goal", the check-in page and
the coach's page of a teacher.

For the teacher (``viewer_id == teacher_id``) it has an add form (kind, a link or a
short text, a caption, a date that defaults to today, "contains student data" ticked by
kind with a reminder to de-identify, who sees it, and which check-in it goes with: none,
the latest, or one picked) and the list, newest first, with "Withdraw". For anyone else
(a coach) it is the list the store lets them read (:meth:`pdkit.store.Store.evidence`:
the store decides, not this widget). Every text is escaped, and a link opens in a new
tab without giving it the page (``rel="noopener noreferrer"``). A failed add keeps
everything typed, and says why; the page's :class:`~pdkit.widgets.Safekeeper` keeps
the caption, link and text typed and not added yet through a reload.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial
from html import escape

import ipywidgets as w

from .._clock import now
from ..errors import EvidenceError, PdkitError
from ..evidence import AS_GOAL, KINDS, STUDENT_DATA_CAP, STUDENT_WORK, default_student_data
from ..i18n import N_, translator
from ..store import VISIBILITIES, EvidenceItem, Store
from ._evidence_html import KIND_WORDS, evidence_html
from ._lean import HTML, HBox, VBox
from ._safekeeping import KEEP_CLASS, Safekeeper

__all__ = ["KIND_WORDS", "LATEST", "EvidenceLog", "evidence_html"]

_CHOICES = {
    AS_GOAL: N_("As my goal"),
    "private": N_("Only me"),
    "coach": N_("Me and my coach"),
    "group": N_("Me, my coach and my group"),
    "session": N_("Everyone in this session"),
}
LATEST = -1
"""The attach choice "my latest check-in" (the number is looked up when adding)."""
_REMINDER = N_(
    "This item contains student data: only you and your coach will see it, and it is never "
    "exported. De-identify it first: remove names, faces, ID numbers and anything else "
    "that tells who a student is."
)


class EvidenceLog:
    """``teacher_id``'s evidence log as ``viewer_id`` sees it (see the module docs).
    ``attach`` is the check-in choice the add form starts on: None (no check-in) or
    :data:`LATEST` (the check-in page: "Add evidence to this check-in"). ``on_change``
    runs after an item is added or withdrawn; ``before_add`` before one is added (the
    check-in page saves the check-in being typed, so that it is the latest)."""

    def __init__(
        self,
        store: Store,
        teacher_id: str,
        viewer_id: str | None = None,
        *,
        language: str | None = None,
        keeper: Safekeeper | None = None,
        clock: Callable[[], float] = now,
        attach: int | None = None,
        on_change: Callable[[], None] | None = None,
        before_add: Callable[[], None] | None = None,
    ) -> None:
        self.store = store
        self.teacher_id = teacher_id
        self.viewer_id = viewer_id = teacher_id if viewer_id is None else viewer_id
        self.own = viewer_id == teacher_id
        self.keeper = keeper if self.own else None
        self.scope = f"evidence:{teacher_id}"
        self._kept: dict[str, w.Widget] = {}
        self.t = t = translator(language)
        self._clock = clock
        self._attach = attach
        self._on_change = on_change
        self._before_add = before_add
        self.items: list[EvidenceItem] = []
        self.withdrawn: list[EvidenceItem] = []
        self.editing: str | None = None
        self._seen: tuple[object, ...] | None = None
        self.list_html = HTML()
        self.rows = VBox(layout=w.Layout())
        self.withdrawn_rows = VBox(layout=w.Layout())
        self.message = HTML()
        children: list[w.Widget] = []
        if self.own:
            self._build_form()
            children = [self.form, self.message, self.rows, self.withdrawn_rows]
        else:
            children = [self.list_html]
        heading = t("My evidence") if self.own else t("The teacher's evidence")
        if self.own and attach == LATEST:
            heading = t("Add evidence to this check-in")
        self.widget = VBox([HTML(value=f"<h3>{escape(heading)}</h3>"), *children])
        self.widget.add_class("pdkit-evidence")
        self.refresh()
        if self.keeper is not None:
            self.keeper.attach(self.scope, self)

    # ------------------------------------------------------------------ the add form

    def _build_form(self) -> None:
        t = self.t
        style = {"description_width": "initial"}

        def column() -> w.Layout:  # the label above the input, as the forms have it
            return w.Layout(flex_flow="column", align_items="stretch", width="100%")

        self.kind = w.Dropdown(
            description=t("Kind"),
            options=[(t(KIND_WORDS[k]), k) for k in KINDS],
            value="other",
            style=style,
            layout=column(),
        )
        self.link = w.Text(
            description=t("Link"), placeholder="https://…", style=style, layout=column()
        )
        self.text = w.Textarea(
            description=t("Or a short text"),
            placeholder=t("What it shows, in a few lines"),
            style=style,
            layout=column(),
        )
        self.caption = w.Text(
            description=t("Caption"),
            placeholder=t("A few words: what this is"),
            style=style,
            layout=column(),
        )
        self.made_on = w.DatePicker(
            description=t("Date"), value=self.today(), style=style, layout=column()
        )
        self.student_data = w.Checkbox(
            description=t("Contains student data"), value=False, indent=False
        )
        self.reminder = HTML()
        self.visibility = w.Dropdown(description=t("Who can see it"), style=style, layout=column())
        self.checkin = w.Dropdown(description=t("With check-in"), style=style, layout=column())
        for box in (self.kind, self.link, self.text, self.caption, self.made_on):
            box.add_class("pdkit-input")
        self._kept = {f"{self.scope}:{n}": b for n, b in self._typed()}
        if self.keeper is not None:
            for key, box in self._kept.items():
                box.add_class(KEEP_CLASS + key)
        self.visibility.add_class("pdkit-input")
        self.checkin.add_class("pdkit-input")
        self.kind.observe(lambda _: self._kind_changed(), names="value")
        self.student_data.observe(lambda _: self._flag_changed(), names="value")
        self.add_button = w.Button(
            description=t("Add evidence"),
            icon="plus",
            button_style="primary",
            tooltip=t("Keep this item in your evidence log"),
        )
        self.add_button.on_click(lambda _: self.add())
        self.cancel_button = w.Button(
            description=t("Cancel the change"),
            tooltip=t("Leave the item as it was"),
            layout=w.Layout(display="none", width="auto"),
        )
        self.cancel_button.on_click(lambda _: self.stop_editing())
        self.editing_note = HTML()
        self.form = VBox(
            [
                self.kind,
                self.link,
                self.text,
                self.caption,
                self.made_on,
                self.student_data,
                self.reminder,
                self.visibility,
                self.checkin,
                self.editing_note,
                HBox([self.add_button, self.cancel_button]),
            ]
        )
        self.form.add_class("pdkit-evidence-form")
        self._flag_changed()
        self._checkin_options()

    def today(self) -> date:
        return date.fromtimestamp(self._clock())

    def _typed(self) -> list[tuple[str, w.Widget]]:
        return [("caption", self.caption), ("link", self.link), ("text", self.text)]

    # ------------------------------------------------------------------ typing kept by the page

    def kept_texts(self) -> dict[str, str]:
        """What the add form's text boxes hold, by the key the page keeps each under."""
        return {key: str(box.value or "") for key, box in self._kept.items()}

    def put_kept(self, key: str, text: str) -> bool:
        """Put text the page kept back into its box (kept in the store once added);
        whether that changed the box."""
        box = self._kept.get(key)
        if box is None or box.value == text:
            return False
        box.value = text
        return True

    def save(self) -> int:
        """An item is kept when added, never as a draft: nothing to save."""
        return 0

    def _kind_changed(self) -> None:
        kind = str(self.kind.value)
        self.student_data.value = default_student_data(kind)
        self.student_data.disabled = kind == STUDENT_WORK  # student work always is
        self._flag_changed()

    def _flag_changed(self) -> None:
        t = self.t
        student = bool(self.student_data.value)
        self.reminder.value = (
            f'<p class="pdkit-evidence-reminder" role="note">{escape(t(_REMINDER))}</p>'
            if student
            else ""
        )
        cap = VISIBILITIES.index(STUDENT_DATA_CAP)
        levels = [AS_GOAL, *(VISIBILITIES[: cap + 1] if student else VISIBILITIES)]
        value = self.visibility.value if self.visibility.value in levels else AS_GOAL
        self.visibility.options = [(t(_CHOICES[level]), level) for level in levels]
        self.visibility.value = value

    def _checkin_options(self) -> None:
        t = self.t
        try:
            times = self.store.checkin_times(self.teacher_id)
        except PdkitError:
            times = []
        options: list[tuple[str, int | None]] = [(t("None"), None)]
        if times:
            latest = date.fromtimestamp(times[-1]).isoformat()
            options.append((t("My latest check-in ({day})").format(day=latest), LATEST))
        elif self._attach == LATEST:
            options.append((t("This check-in"), LATEST))
        if times:
            for n, at in enumerate(times, 1):
                day = date.fromtimestamp(at).isoformat()
                options.append((t("Check-in {n} ({day})").format(n=n, day=day), n))
        wanted = self.checkin.value if self.checkin.options else self._attach
        self.checkin.options = options
        values = [v for _, v in options]
        self.checkin.value = wanted if wanted in values else None

    def add(self) -> EvidenceItem | None:
        """Add the item the form holds; the form is emptied once it is kept, and left as
        typed (with the reason) when it cannot be."""
        t = self.t
        choice = self.checkin.value
        try:
            if self._before_add is not None:
                self._before_add()
            checkin = None
            if choice == LATEST:
                checkin = len(self.store.checkin_times(self.teacher_id)) or None
                if checkin is None:
                    raise EvidenceError(N_("write your check-in first: then add its evidence"))
            elif choice is not None:
                checkin = int(choice)
            made_on = self.made_on.value
            kind = str(self.kind.value)
            caption = str(self.caption.value or "")
            link = str(self.link.value or "")
            text = str(self.text.value or "")
            student_data = bool(self.student_data.value)
            visibility = str(self.visibility.value)
            made = made_on if isinstance(made_on, date) else None
            editing = self.editing
            if editing is None:
                item = self.store.add_evidence(
                    self.teacher_id,
                    kind=kind,
                    caption=caption,
                    link=link,
                    text=text,
                    made_on=made,
                    student_data=student_data,
                    visibility=visibility,
                    checkin=checkin,
                )
            else:
                item = self.store.edit_evidence(
                    editing,
                    self.viewer_id,
                    kind=kind,
                    caption=caption,
                    link=link,
                    text=text,
                    made_on=made or self.today(),
                    student_data=student_data,
                    visibility=visibility,
                    checkin=checkin,
                )
        except PdkitError as exc:
            said = t("Not changed:") if self.editing is not None else t("Not added:")
            self.message.value = (
                f'<p class="pdkit-error" role="alert">{escape(said)} {escape(exc.said(t))}</p>'
            )
            return None
        self._empty_form()
        done = t("Changed.") if editing is not None else t("Added to your evidence.")
        self.message.value = f'<p class="pdkit-ok" role="status">{escape(done)}</p>'
        self.refresh()
        if self._on_change is not None:
            self._on_change()
        return item

    def _empty_form(self) -> None:
        """Back to an empty add form (after an item is kept, or a change cancelled)."""
        self.editing = None
        self.link.value = self.text.value = self.caption.value = ""
        if self.keeper is not None:  # kept, and the boxes emptied: the kept typing is done
            self.keeper.acknowledge(self.kept_texts())
        self.made_on.value = self.today()
        self.add_button.description = self.t("Add evidence")
        self.cancel_button.layout.display = "none"
        self.editing_note.value = ""

    def edit(self, item_id: str) -> bool:
        """Fill the form with one of the teacher's items to change it (a new version, the
        old ones kept); whether the item is there to edit."""
        item = next((i for i in self.items if i.id == item_id), None)
        if item is None or not self.own:
            return False
        self.editing = item.id
        self.kind.value = item.kind
        self.student_data.value = item.student_data
        self._flag_changed()
        self.link.value = item.link
        self.text.value = item.text
        self.caption.value = item.caption
        self.made_on.value = item.made_on
        if item.visibility in [v for _, v in self.visibility.options]:
            self.visibility.value = item.visibility
        self.checkin.value = (
            item.checkin if item.checkin in [v for _, v in self.checkin.options] else None
        )
        t = self.t
        self.add_button.description = t("Save changes")
        self.cancel_button.layout.display = None
        note = t("Changing: {caption}. Earlier versions are kept.").format(caption=item.caption)
        self.editing_note.value = (
            f'<p class="pdkit-evidence-editing" role="status">{escape(note)}</p>'
        )
        self.message.value = ""
        return True

    def stop_editing(self) -> None:
        """Cancel a change: the item stays as it was, the form empties."""
        if self.editing is not None:
            self._empty_form()
            self.message.value = ""

    def put_back(self, item_id: str) -> bool:
        """Put a withdrawn item back where it was seen before; whether it was."""
        try:
            self.store.edit_evidence(item_id, self.viewer_id, withdrawn=False)
        except PdkitError as exc:
            self.message.value = (
                f'<p class="pdkit-error" role="alert">{escape(exc.said(self.t))}</p>'
            )
            return False
        said = self.t("Put back.")
        self.message.value = f'<p class="pdkit-ok" role="status">{escape(said)}</p>'
        self.refresh()
        if self._on_change is not None:
            self._on_change()
        return True

    def withdraw(self, item_id: str) -> bool:
        """Withdraw one of the teacher's items; whether it was."""
        try:
            self.store.withdraw_evidence(item_id, self.viewer_id)
            if self.editing == item_id:
                self._empty_form()
        except PdkitError as exc:
            self.message.value = (
                f'<p class="pdkit-error" role="alert">{escape(exc.said(self.t))}</p>'
            )
            return False
        self.message.value = f'<p class="pdkit-ok" role="status">{escape(self.t("Withdrawn."))}</p>'
        self.refresh()
        if self._on_change is not None:
            self._on_change()
        return True

    # ------------------------------------------------------------------ the list

    def refresh(self) -> None:
        """Read the items again (those the viewer may see) and redraw the list."""
        try:
            found = self.store.evidence(
                self.teacher_id, viewer=self.viewer_id, include_withdrawn=self.own
            )
            times = self.store.checkin_times(self.teacher_id)
        except PdkitError as exc:
            self.message.value = (
                f'<p class="pdkit-error" role="alert">{escape(exc.said(self.t))}</p>'
            )
            return
        self.items = [i for i in found if not i.withdrawn]
        self.withdrawn = [i for i in found if i.withdrawn]
        key = (tuple(found), tuple(times))
        if key == self._seen:
            return
        self._seen = key
        days = [date.fromtimestamp(at) for at in times]
        if not self.own:
            self.list_html.value = evidence_html(self.items, self.t, checkin_dates=days, own=False)
            return
        self._checkin_options()
        self.rows.children = (
            self._rows(days) if self.items else [HTML(value=evidence_html([], self.t))]
        )
        self.withdrawn_rows.children = self._withdrawn_rows(days)

    def _rows(self, days: list[date]) -> list[w.Widget]:
        t = self.t
        return [
            _item_row(
                evidence_html([item], t, checkin_dates=days),
                "pdkit-evidence-row",
                (
                    t("Edit"),
                    "pencil",
                    t("Change this item (its earlier versions are kept)"),
                    partial(self.edit, item.id),
                ),
                (
                    t("Withdraw"),
                    "eye-slash",
                    t("Nobody sees this item any more (it stays in your history)"),
                    partial(self.withdraw, item.id),
                ),
            )
            for item in self.items
        ]

    def _withdrawn_rows(self, days: list[date]) -> list[w.Widget]:
        if not self.withdrawn:
            return []
        t = self.t
        heading = t("Withdrawn: only you see these")
        return [
            HTML(value=f"<h4>{escape(heading)}</h4>"),
            *(
                _item_row(
                    evidence_html([item], t, checkin_dates=days, own=False),
                    "pdkit-evidence-withdrawn",
                    (
                        t("Put back"),
                        "undo",
                        t("Show this item again to whoever saw it before"),
                        partial(self.put_back, item.id),
                    ),
                )
                for item in self.withdrawn
            ),
        ]


def _item_row(
    shown: str, css_class: str, *buttons: tuple[str, str, str, Callable[[], object]]
) -> w.HBox:
    """One item's row: its HTML, then a button per ``(label, icon, tooltip, action)``."""
    children: list[w.Widget] = [HTML(value=shown)]
    for label, icon, tooltip, action in buttons:
        button = w.Button(
            description=label, icon=icon, tooltip=tooltip, layout=w.Layout(width="auto")
        )
        button.on_click(lambda _, run=action: run())
        children.append(button)
    row = HBox(children, layout=w.Layout(flex_flow="row wrap", align_items="center"))
    row.add_class(css_class)
    return row
