""" "Who can see this?" for one item: the choice is saved at once, and the sentence under it
always says who can see the item."""

from __future__ import annotations

from collections.abc import Callable
from html import escape

import ipywidgets as w

from ..errors import PdkitError
from ..i18n import N_, translator
from ..store import DEFAULT_VISIBILITY, VISIBILITIES, SharingStore
from ._lean import HTML, VBox, label_style, shared

__all__ = ["VisibilityPicker"]

_AUDIENCE = {
    "private": N_("Only me"),
    "coach": N_("Me and my coach"),
    "group": N_("Me, my coach and my group"),
    "session": N_("Everyone in this session"),
}
_SAYS = {
    "private": N_("Only you can see this. It is private until you share it."),
    "coach": N_("You and your coach can see this."),
    "group": N_("You, your coach and the members of your group can see this."),
    "session": N_(
        "Everyone in this session can see this: your group, your coach, the other "
        "participants and the facilitator."
    ),
}
_FACILITATOR_NOTE = N_(
    "The facilitator sees counts and which school goal you chose (to form groups), never "
    "your text unless you share it with everyone."
)


class VisibilityPicker:
    """ "Who can see this?" for one item (a participant's answers to one form).

    The choice is saved at once; the sentence under it always says who can see it. Made
    with no participant (a form built before anyone signed in), it shows the default
    until :meth:`bind` names whose item it is."""

    def __init__(
        self,
        store: SharingStore,
        participant_id: str | None,
        form_id: str,
        *,
        language: str | None = None,
        on_change: Callable[[str], None] = lambda _level: None,
    ) -> None:
        self.store = store
        self.participant_id = participant_id
        self.form_id = form_id
        self.t = t = translator(language)
        self._on_change = on_change
        self._binding = False
        self.dropdown = w.Dropdown(
            options=[(t(_AUDIENCE[level]), level) for level in VISIBILITIES],
            value=(
                store.visibility(participant_id, form_id) if participant_id else DEFAULT_VISIBILITY
            ),
            description=t("Who can see this?"),
            style=label_style(),
            layout=shared("layout", w.Layout),  # (one model fewer per page: _lean)
        )
        self.says = HTML()
        self.dropdown.observe(lambda _: self._chosen(), names="value")
        self.widget = VBox([self.dropdown, self.says])
        self.widget.add_class("pdkit-visibility")
        self._draw()

    @property
    def level(self) -> str:
        return str(self.dropdown.value)

    def choose(self, level: str) -> None:
        """Choose a visibility, as a click would."""
        self.dropdown.value = level

    def bind(self, participant_id: str) -> None:
        """Show ``participant_id``'s item: its visibility as the store holds it (saving
        nothing)."""
        level = self.store.visibility(participant_id, self.form_id)
        self.participant_id = participant_id
        self._binding = True
        try:
            self.dropdown.value = level
        finally:
            self._binding = False
        self._draw()

    def _chosen(self) -> None:
        if self._binding or self.participant_id is None:
            return
        try:
            self.store.set_visibility(self.participant_id, self.form_id, self.level)
        except PdkitError as exc:
            self.says.value = (
                f'<p class="pdkit-error" role="alert">{escape(self.t("Not saved:"))} '
                f"{escape(str(exc))}</p>"
            )
            return
        self._draw()
        self._on_change(self.level)

    def _draw(self) -> None:
        t = self.t
        note = "" if self.level == "session" else f" {t(_FACILITATOR_NOTE)}"
        self.says.value = (
            f'<p class="pdkit-privacy" role="status" aria-live="polite">'
            f"{escape(t(_SAYS[self.level]))}{escape(note)}</p>"
        )
