"""The note at the top of a teacher's "My goal" page when its link says ``?reminders=off``
(the link at the foot of every reminder email): their reminders stop, the page says so, and
a button turns them on again, to the address the teacher gave (:class:`RemindersNote`)."""

from __future__ import annotations

import ipywidgets as w

from ..errors import PdkitError
from ..i18n import N_, translator
from ..links import REMINDERS_PARAM, query_value
from ..store import Store
from ..widgets import HTML, HBox, VBox
from ._goalview import para
from ._page import message_in

__all__ = ["RemindersNote"]


class RemindersNote:
    """``?reminders=off`` on "My goal" (see the module docs): ``widget`` is the note, empty
    for any other link; :meth:`turn_on` is its way back."""

    def __init__(
        self, store: Store, pid: str, page_url: str, *, language: str | None = None
    ) -> None:
        self.store = store
        self.pid = pid
        self.language = language
        self.t = t = translator(language)
        self.html, self.widget = HTML(), VBox()
        self.button = w.Button(
            description=t("Send me reminders again"),
            icon="bell",
            tooltip=t("Email reminders of your check-ins to the address you gave"),
        )
        self.button.on_click(lambda _: self.turn_on())
        if query_value(page_url, REMINDERS_PARAM).lower() == "off":
            self._turn_off()

    def _turn_off(self) -> None:
        t = self.t
        try:
            self.store.opt_out(self.pid)
            contact = self.store.contact(self.pid, viewer=self.pid)
        except PdkitError as exc:
            self.html.value = para("pdkit-error", message_in(exc, self.language), "alert")
            self.widget.children = [self.html]
            return
        said = t("Reminders by email are off: you will get no more.")
        self.html.value = para("pdkit-note pdkit-reminders-off", said, "status")
        self.widget.children = (
            [self.html, HBox([self.button])] if contact is not None else [self.html]
        )

    def turn_on(self) -> None:
        """Reminders again, to the address the teacher gave (their consent, now)."""
        t = self.t
        try:
            contact = self.store.contact(self.pid, viewer=self.pid)
            if contact is None:
                raise PdkitError(N_("you have not given an address for reminders"))
            self.store.set_contact(self.pid, contact.email)
        except PdkitError as exc:
            self.html.value = para("pdkit-error", message_in(exc, self.language), "alert")
            return
        self.html.value = para("pdkit-ok", t("Reminders by email are on again."), "status")
        self.widget.children = [self.html]
