"""The room display: the page a facilitator projects for the room. It shows the part of
the day's agenda, the protocol's step with a large countdown, who speaks in this step
(role labels), and per group only counts (members, how many wrote notes in this step):
never a teacher's name nor anything they wrote. Large type, high contrast (the style
sheet's ``.pdkit-room``), and it follows every change by itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from html import escape

from .. import pacing
from .._clock import now
from ..definitions import AgendaDefinition, ProtocolDefinition, Step, load_workbook, protocol_by_id
from ..errors import PdkitError
from ..i18n import translator
from ..store import DEFAULT_SESSION, AgendaState, Run, Store
from ._agenda import part_label
from ._countdown import Countdown
from ._lean import HTML, VBox
from ._runner import _who, run_plan
from ._timing import repeat_every

__all__ = ["RoomDisplay", "RunView", "read_run"]


@dataclass(frozen=True)
class RunView:
    """What the room reads of a run: its protocol, step, and where it stands."""

    protocol: ProtocolDefinition
    step: Step
    where: str
    ended: bool


def read_run(run: Run, language: str | None = None) -> RunView:
    """The one place the room display reads a run: its step in the plan of its rounds."""
    t = translator(language)
    protocol = protocol_by_id(run.protocol, language)
    made = run_plan(run, language)
    index = run.state.step
    ended = run.state.status == pacing.ENDED
    where = (
        t("Ended")
        if ended
        else t("Step {n} of {total}").format(n=index + 1, total=len(made.stages))
    )
    if run.rounds > 1 and not ended:
        of = t("Round {n} of {total}").format(n=run.state.round + 1, total=run.rounds)
        where = f"{of} · {where}"
    return RunView(protocol, made.stage(index).step, where, ended)


@cache
def _agenda(agenda_id: str, language: str | None = None) -> AgendaDefinition | None:
    """The built-in agenda of this id in ``language`` (read once per process and
    language), None if there is none."""
    try:
        found = load_workbook(agenda_id, language=language)
    except PdkitError:
        return None
    return found if isinstance(found, AgendaDefinition) else None


class RoomDisplay:
    """The room display of one session (see the module docs). ``refresh()`` reads the
    store; in a kernel it runs about once a second by itself, and the countdown ticks in
    the browser. It shows the session's agenda moved last; before any is moved, the first
    part of ``agenda`` (the day's) if given."""

    def __init__(
        self,
        store: Store,
        *,
        session: str = DEFAULT_SESSION,
        clock: Callable[[], float] = now,
        poll_interval: float = 1.0,
        agendas: Callable[[str, str | None], AgendaDefinition | None] = _agenda,
        agenda: AgendaDefinition | None = None,
        language: str | None = None,
    ) -> None:
        self.language = language
        self.t = translator(language)
        self.store = store
        self.default_agenda = agenda
        self.session = session
        self._clock = clock
        self._agendas = agendas
        self.agenda_html = HTML()
        self.run_html = HTML()
        self.countdown = Countdown(language=language, _dom_classes=("pdkit-room-countdown",))
        self.who = HTML()
        self.groups = HTML()
        self.widget = VBox([self.agenda_html, self.run_html, self.countdown, self.who, self.groups])
        self.widget.add_class("pdkit-room")
        self._seen: object = "never"
        self.refresh()
        self.stop_polling = repeat_every(poll_interval, self.refresh)

    def refresh(self) -> None:
        """Read the agenda and the run from the store and redraw what changed."""
        try:
            state = self.store.current_agenda(self.session)
            runs = self.store.runs(self.session)
            live = [r for r in runs if r.state.status != pacing.ENDED]
            run = live[0] if live else (runs[0] if runs else None)
            writers = (
                self.store.note_writers(run.id, round=run.state.round) if run is not None else {}
            )
        except PdkitError:
            return  # a passing store hiccup: keep showing the last state
        counts = self._counts(run, writers)
        key = (state, None if run is None else (run.id, run.version), counts)
        if key == self._seen:
            return
        self._seen = key
        self._draw_agenda(state)
        self._draw_run(run, counts)

    def _draw_agenda(self, state: AgendaState | None) -> None:
        if state is None and self.default_agenda is not None:  # not moved yet: its first part
            state = AgendaState(self.session, self.default_agenda.id)
            agenda: AgendaDefinition | None = self.default_agenda
        else:
            agenda = self._agendas(state.agenda, self.language) if state is not None else None
        if state is None or agenda is None:
            self.agenda_html.value = ""
            return
        index = min(state.part, len(agenda.parts) - 1)
        nxt = (
            '<p class="pdkit-room-next">'
            f"{escape(self.t('Next: {part}').format(part=agenda.parts[index + 1].title))}</p>"
            if index + 1 < len(agenda.parts)
            else ""
        )
        self.agenda_html.value = (
            f'<p class="pdkit-room-label">{escape(agenda.title)} · '
            f"{escape(part_label(agenda, index, self.language))}</p>"
            f'<h1 class="pdkit-room-part" aria-live="polite">'
            f"{escape(agenda.parts[index].title)}</h1>{nxt}"
        )

    def _counts(
        self, run: Run | None, writers: dict[tuple[str, str], set[str]]
    ) -> tuple[tuple[int, int], ...]:
        """(members, wrote notes in this step) per group: numbers, never names."""
        if run is None:
            return ()
        step = read_run(run).step
        return tuple(
            (len(members), len(writers.get((group, step.id), set()) & set(members)))
            for group, members in run.roles.items()
        )

    def _draw_run(self, run: Run | None, counts: tuple[tuple[int, int], ...]) -> None:
        self.countdown.show(run, self._clock())
        if run is None:
            said = escape(self.t("No protocol is running yet."))
            self.run_html.value = f'<p class="pdkit-room-waiting">{said}</p>'
            self.who.value = self.groups.value = ""
            return
        t = self.t
        view = read_run(run, self.language)
        self.run_html.value = (
            f'<p class="pdkit-room-label">{escape(view.protocol.title)} · {escape(view.where)}</p>'
            f'<h2 class="pdkit-room-step" aria-live="polite">{escape(view.step.title)}</h2>'
        )
        who = _who(view.step, view.protocol, t)
        self.who.value = "" if view.ended else f'<p class="pdkit-room-who">{who}</p>'
        one = t("Group {n}: {members} person · {wrote} wrote notes in this step")
        many = t("Group {n}: {members} people · {wrote} wrote notes in this step")
        rows = "".join(
            "<li>"
            + escape((one if members == 1 else many).format(n=n, members=members, wrote=wrote))
            + "</li>"
            for n, (members, wrote) in enumerate(counts, 1)
        )

        self.groups.value = "" if view.ended else f'<ul class="pdkit-room-groups">{rows}</ul>'
