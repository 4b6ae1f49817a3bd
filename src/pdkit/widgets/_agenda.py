"""The agenda of a PD day: the facilitator's control that moves the room from part to
part, and :func:`follow_agenda`, the one place a page watches the part the room is on.

The part lives in the store (:meth:`pdkit.store.Store.agenda_state`). A page follows it
by polling the store about once a second and acting only when its ``version`` changed;
to follow faster (a change signal instead of polling) only :func:`follow_agenda`
changes.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

import ipywidgets as w

from ..definitions import AgendaDefinition
from ..errors import ConflictError, PdkitError
from ..i18n import translator
from ..store import DEFAULT_SESSION, AgendaState, Store
from ._lean import HTML, HBox, VBox
from ._timing import repeat_every

__all__ = ["AgendaControl", "follow_agenda", "part_label"]


def follow_agenda(
    store: Store,
    session: str,
    agenda: str,
    changed: Callable[[AgendaState], None],
    *,
    poll_interval: float = 1.0,
) -> tuple[Callable[[], None], Callable[[], None]]:
    """Call ``changed(state)`` now and whenever the part of ``agenda`` in ``session``
    changes; returns (``check``: look now, ``stop``: stop following). A store that
    does not answer is asked again at the next tick (the page keeps what it shows)."""
    seen: list[int] = []

    def check() -> None:
        try:
            state = store.agenda_state(session, agenda)
        except PdkitError:
            return
        if seen != [state.version]:
            seen[:] = [state.version]
            changed(state)

    check()
    return check, repeat_every(poll_interval, check)


def part_label(agenda: AgendaDefinition, index: int, language: str | None = None) -> str:
    """ "Part 2 of 5" (the words every page uses)."""
    t = translator(language)
    return t("Part {n} of {total}").format(n=index + 1, total=len(agenda.parts))


class AgendaControl:
    """The facilitator's agenda: the parts with their planned minutes, the current one
    marked, "Back" and "Next part" for the whole room.

    A click moves the agenda from the part this tab shows: when another tab moved it
    meanwhile, the store refuses (its version) and the control shows where it is now
    instead, so two tabs clicking at once move it once.
    """

    def __init__(
        self,
        store: Store,
        agenda: AgendaDefinition,
        *,
        session: str = DEFAULT_SESSION,
        poll_interval: float = 1.0,
        language: str | None = None,
    ) -> None:
        self.language = language
        self.t = t = translator(language)
        self.store = store
        self.agenda = agenda
        self.session = session
        self.state = AgendaState(session, agenda.id)
        self.outline = HTML()
        self.message = HTML()
        self.back_button = w.Button(description=t("Back"), icon="step-backward")
        self.next_button = w.Button(
            description=t("Next part"), icon="step-forward", button_style="primary"
        )
        self.back_button.on_click(lambda _: self.move(-1))
        self.next_button.on_click(lambda _: self.move(+1))
        buttons = HBox([self.back_button, self.next_button])
        buttons.add_class("pdkit-pacing")
        self.widget = VBox(
            [
                HTML(
                    value=f"<h2>{escape(t('Agenda: {title}').format(title=agenda.title))}</h2>"
                    '<p class="pdkit-help">'
                    + escape(
                        t(
                            "Every teacher's day page follows the part you move the room to; "
                            "earlier parts stay open to them."
                        )
                    )
                    + "</p>"
                ),
                self.outline,
                buttons,
                self.message,
            ]
        )
        self.widget.add_class("pdkit-agenda-control")
        self.refresh, self.stop_polling = follow_agenda(
            store, session, agenda.id, self._draw, poll_interval=poll_interval
        )

    @property
    def part(self) -> int:
        return min(self.state.part, len(self.agenda.parts) - 1)

    def move(self, step: int) -> AgendaState | None:
        """Move the room ``step`` parts on (or back, when negative) from the part shown."""
        target = self.part + step
        if not 0 <= target < len(self.agenda.parts):
            return None
        try:
            state = self.store.set_agenda_part(
                self.session, self.agenda.id, target, expected_version=self.state.version
            )
        except ConflictError:
            self.refresh()
            self._say(
                self.t("The agenda was just moved from another tab: here is where it is now."),
                "error",
            )
            return None
        except PdkitError as exc:
            self._say(exc.said(self.t), "error")
            return None
        self._draw(state)
        said = self.t("The room is on {part}.").format(part=self.agenda.parts[self.part].title)
        self._say(said, "ok")
        return state

    def _draw(self, state: AgendaState) -> None:
        t = self.t
        self.state = state
        current = self.part
        items = []
        for index, part in enumerate(self.agenda.parts):
            now = index == current
            mark = ' aria-current="step" class="pdkit-step-now"' if now else ""
            tag = f" · {escape(t('now'))}" if now else " ✓" if index < current else ""
            items.append(f"<li{mark}>{escape(part.title)} · {part.minutes:g} min{tag}</li>")
        planned = t("(planned {minutes} min in all)").format(
            minutes=f"{self.agenda.total_minutes:g}"
        )
        self.outline.value = (
            f'<p class="pdkit-agenda-where">{part_label(self.agenda, current, self.language)}: '
            f"<strong>{escape(self.agenda.parts[current].title)}</strong> "
            f"{escape(planned)}</p>"
            f'<ol class="pdkit-outline">{"".join(items)}</ol>'
        )

        self.back_button.disabled = current == 0
        self.next_button.disabled = current == len(self.agenda.parts) - 1

    def _say(self, text: str, kind: str) -> None:
        role = "alert" if kind == "error" else "status"
        self.message.value = f'<p class="pdkit-{kind}" role="{role}">{escape(text)}</p>'
