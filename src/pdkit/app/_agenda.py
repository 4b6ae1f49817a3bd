"""A teacher's day page: the agenda's parts, the one the room is on shown live, earlier
ones open again on a click (:class:`DayPart`). Each part of the day is one of the app's
own parts (:mod:`._parts`: a form, reflections, the protocol runner, peer feedback; the
session evaluation: :mod:`._evaluation`), so answers save exactly as on their own pages."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import suppress
from html import escape

import ipywidgets as w

from ..definitions import AgendaDefinition, AgendaPart
from ..errors import PdkitError
from ..i18n import translator
from ..store import AgendaState, Participant, Store
from ..widgets import HTML, HBox, Safekeeper, VBox
from ..widgets._agenda import follow_agenda, part_label
from ._parts import Part

__all__ = ["DayPart", "TextPart"]


class TextPart:
    """A part that only says something (a text)."""

    def __init__(self, text: str) -> None:
        self.text = text

    def build(
        self,
        participant: Participant,
        language: str | None = None,
        keeper: Safekeeper | None = None,
    ) -> w.Widget:
        paragraphs = "".join(f"<p>{escape(p)}</p>" for p in self.text.split("\n\n") if p)
        return HTML(value=f'<div class="pdkit-agenda-text">{paragraphs}</div>')

    def flush(self) -> None:
        """Nothing is typed here."""

    def leave(self) -> None:
        """Nothing to save."""


def _scopes(part: object) -> list[str]:
    """The keeper's scopes of the forms a part has open (to close them when it is left)."""
    forms = [getattr(part, "form", None)]
    runner = getattr(part, "runner", None)
    if runner is not None:
        forms.append(runner.notes)
    return [f.sink.scope for f in forms if f is not None]


class DayPart:
    """The agenda of the day for one teacher: the part the room is on, shown live and
    followed by itself when the facilitator moves the room (:func:`follow_agenda`), an
    outline of every part, and earlier parts to open again (later ones say "coming").

    Opening another part saves what was typed in the one left first, so going back and
    forth never loses typing; a part is built again from the store when it opens.
    """

    def __init__(
        self,
        store: Store,
        agenda: AgendaDefinition,
        parts: Sequence[Part],
        *,
        poll_interval: float = 1.0,
        localized: Callable[[str | None], AgendaDefinition] | None = None,
    ) -> None:
        if len(parts) != len(agenda.parts):
            raise ValueError("one app part per part of the agenda")
        self.store = store
        self.agenda = agenda
        self._localized = localized  # the agenda in a page's language (titles, intros)
        self._agenda_language: str | None = None  # None: as given
        self.parts = list(parts)
        self.poll_interval = poll_interval
        self.room = 0  # the part the room is on
        self.shown: int | None = None  # the part this page shows
        self.participant: Participant | None = None
        self.language: str | None = None
        self.keeper: Safekeeper | None = None
        self.check: Callable[[], None] = lambda: None
        self._stop: Callable[[], None] = lambda: None
        self.where = HTML()
        self.buttons = [self._button(i, p) for i, p in enumerate(agenda.parts)]
        self.outline = HBox(self.buttons)
        self.outline.add_class("pdkit-agenda-outline")
        self.to_room = w.Button(description="Go to the room's part", icon="arrow-right")
        self.to_room.on_click(lambda _: self.open(self.room))
        self.to_room.layout.display = "none"
        self.intro = HTML()
        self.box = VBox()
        self.widget = VBox([self.outline, self.where, self.to_room, self.intro, self.box])
        self.widget.add_class("pdkit-day")

    def _button(self, index: int, part: AgendaPart) -> w.Button:
        button = w.Button(description=f"{index + 1}. {part.title}")
        button.on_click(lambda _: self.open(index))
        return button

    def build(
        self,
        participant: Participant,
        language: str | None = None,
        keeper: Safekeeper | None = None,
    ) -> w.Widget:
        self.participant, self.language, self.keeper = participant, language, keeper
        t = translator(language)
        if self._localized is not None and language and language != self._agenda_language:
            with suppress(PdkitError):  # else the parts keep the titles they had
                found = self._localized(language)
                if len(found.parts) == len(self.agenda.parts):
                    self.agenda, self._agenda_language = found, language
        self.to_room.description = t("Go to the room's part")
        self.shown = None
        self._stop()
        self.check, self._stop = follow_agenda(
            self.store,
            participant.session,
            self.agenda.id,
            self._room_moved,
            poll_interval=self.poll_interval,
        )
        return self.widget

    def _room_moved(self, state: AgendaState) -> None:
        self.room = min(state.part, len(self.agenda.parts) - 1)
        self.open(self.room)  # the page follows the room (what was typed is saved first)

    def open(self, index: int) -> None:
        """Show part ``index``: the room's part or an earlier one (later ones are not open
        yet). What was typed in the part shown is saved first."""
        if self.participant is None or not 0 <= index <= self.room:
            return
        if index != self.shown:
            self._close_shown()
            part = self.parts[index]
            try:
                widget = part.build(self.participant, self.language, self.keeper)
            except PdkitError as exc:
                t = translator(self.language)
                said = t(
                    "This part could not be loaded ({problem}). Reload the page in a moment."
                ).format(problem=exc)
                widget = HTML(value=f'<div class="pdkit-error" role="alert">{escape(said)}</div>')
            self.shown = index  # (its forms attach to the keeper: kept typing comes back)
            self.box.children = [widget]
        self._draw()

    def _close_shown(self) -> None:
        if self.shown is None:
            return
        part = self.parts[self.shown]
        scopes = _scopes(part)
        part.leave()
        if self.keeper is not None:
            for scope in scopes:
                self.keeper.detach(scope)

    def _draw(self) -> None:
        t = translator(self.language)
        shown = self.shown if self.shown is not None else self.room
        part = self.agenda.parts[shown]
        room = self.agenda.parts[self.room]
        if shown == self.room:
            said = escape(t("The room is here now."))
        else:
            said = escape(
                t("You are looking back. The room is on: {part}.").format(part=room.title)
            )
        label = part_label(self.agenda, shown, self.language)
        self.where.value = (
            f'<h2 class="pdkit-agenda-part" aria-live="polite">{escape(label)}'
            f": {escape(part.title)}</h2>"
            f'<p class="pdkit-agenda-where" aria-live="polite">{said}</p>'
        )
        self.to_room.layout.display = None if shown != self.room else "none"
        self.intro.value = f'<p class="pdkit-intro">{escape(part.intro)}</p>' if part.intro else ""
        for index, (button, item) in enumerate(zip(self.buttons, self.agenda.parts, strict=True)):
            coming = index > self.room
            button.disabled = coming
            tag = f" ({t('coming')})" if coming else f" ({t('now')})" if index == self.room else ""
            button.description = f"{index + 1}. {item.title}{tag}"
            button.button_style = "info" if index == shown else ""
            button.tooltip = t("Opens when the room gets there") if coming else t("Open this part")

    def flush(self) -> None:
        if self.shown is not None:
            self.parts[self.shown].flush()

    def leave(self) -> None:
        self._stop()
        self._stop = lambda: None
        self._close_shown()
        self.shown = None
        self.participant = None
        self.box.children = []
