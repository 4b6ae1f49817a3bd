"""The participant's protocol runner: the step, a countdown, what their role does now, and
the notes their role writes in this step (autosaved per step).

The run's state lives in the store, shared by every participant's kernel. The runner
polls the store about once a second and redraws only when the run's ``version``
changed; the countdown ticks in the browser.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from .. import pacing
from .._clock import now
from ..definitions import ProtocolDefinition, Step, protocol_by_id
from ..errors import PdkitError
from ..store import JSONValue, Participant, Run, Store, display_names
from ._countdown import Countdown
from ._follow import follow
from ._form import FormView
from ._lean import HTML, VBox
from ._safekeeping import Safekeeper
from ._timing import Scheduler, call_later

__all__ = ["ProtocolRunner", "StepNotes"]


class StepNotes:
    """A participant's notes for one step of a run (an :class:`AnswerSink`)."""

    def __init__(self, store: Store, run_id: str, step_id: str, participant_id: str) -> None:
        self.store = store
        self.run_id = run_id
        self.step_id = step_id
        self.participant_id = participant_id
        self.scope = f"notes:{run_id}:{step_id}"

    def load(self) -> dict[str, JSONValue]:
        return self.store.latest_notes(
            self.run_id, self.step_id, self.participant_id, viewer=self.participant_id
        )

    def save(self, changes: dict[str, JSONValue]) -> None:
        self.store.record_notes(self.run_id, self.step_id, self.participant_id, changes)


def _outline(protocol: ProtocolDefinition, current: int) -> str:
    items = []
    for index, step in enumerate(protocol.steps):
        mark = ' aria-current="step" class="pdkit-step-now"' if index == current else ""
        done = " ✓" if index < current else ""
        items.append(f"<li{mark}>{escape(step.title)} · {step.minutes:g} min{done}</li>")
    return f'<ol class="pdkit-outline">{"".join(items)}</ol>'


def _who(step: Step, protocol: ProtocolDefinition) -> str:
    def labels(ids: tuple[str, ...]) -> str:
        if "all" in ids:
            return "everyone"
        return ", ".join(protocol.role(r).label for r in ids)

    parts = []
    if step.speaking:
        parts.append(f"Speaking: {escape(labels(step.speaking))}")
    if step.silent:
        parts.append(f"Silent: {escape(labels(step.silent))}")
    return " · ".join(parts)


class ProtocolRunner:
    """One participant's view of the protocol their group is running.

    Shows the step, a countdown, what *their* role does now and the notes their
    role writes in this step (autosaved per step). ``refresh()`` reads the store;
    in a kernel it runs about once a second by itself.
    """

    def __init__(
        self,
        store: Store,
        participant: Participant,
        *,
        clock: Callable[[], float] = now,
        poll_interval: float = 1.0,
        schedule: Scheduler = call_later,
        keeper: Safekeeper | None = None,
    ) -> None:
        self.store = store
        self.participant = participant
        self._clock = clock
        self._schedule = schedule
        self._keeper = keeper
        self.run: Run | None = None
        self.role: str | None = None
        self.step_index: int | None = None
        self.notes: FormView | None = None
        self._seen: tuple[str, int] | str | None = "never"  # nothing drawn yet
        self._notes_for: tuple[str, int] | None = None  # (run id, step) of the notes form

        self.heading = HTML()
        self.countdown = Countdown()
        self.who = HTML()
        self.prompt = HTML()
        self.notes_box = VBox()
        self.outline = HTML()
        self.widget = VBox(
            [self.heading, self.countdown, self.who, self.prompt, self.notes_box, self.outline]
        )
        self.widget.add_class("pdkit-runner")
        self.refresh()
        self.stop_polling = follow(store.run_signal(participant.session), self.refresh)

    @property
    def step(self) -> Step | None:
        if self.run is None or self.step_index is None:
            return None
        return protocol_by_id(self.run.protocol).steps[self.step_index]

    def refresh(self) -> None:
        """Read the run from the store and redraw what changed."""
        try:
            run = self.store.run_for(self.participant.id)
        except PdkitError:
            return  # a passing store hiccup: keep showing the last state, try again soon
        key = None if run is None else (run.id, run.version)
        if key == self._seen:
            return
        self._seen = key
        self.run = run
        if run is None:
            self._waiting()
            return
        protocol = protocol_by_id(run.protocol)
        placement = run.placement(self.participant.id)
        assert placement is not None
        group_id, self.role = placement
        role = protocol.role(self.role)
        members = run.roles[group_id]
        names = display_names(self.store, members)
        group = ", ".join(
            f"{escape(names[p])} ({escape(protocol.role(r).label)})" for p, r in members.items()
        )
        ended = run.state.status == pacing.ENDED
        step_index = run.state.step
        step = protocol.steps[step_index]
        self.countdown.show(run, self._clock())
        status = "Ended" if ended else f"Step {step_index + 1} of {len(protocol.steps)}"
        self.heading.value = (
            f'<h2 class="pdkit-run-title">{escape(protocol.title)}</h2>'
            f'<p class="pdkit-role">You are the <strong>{escape(role.label)}</strong>. '
            f"{escape(role.description)}</p>"
            f'<p class="pdkit-group">Your group: {group}</p>'
            f'<h3 class="pdkit-step-title" aria-live="polite">{status}: {escape(step.title)}</h3>'
        )
        if ended:
            self.who.value = ""
            self.prompt.value = (
                '<p class="pdkit-prompt">The protocol has ended. Your notes are saved.</p>'
            )
        else:
            me = (
                "You speak in this step."
                if step.speaks(self.role)
                else "You listen in silence in this step."
                if step.is_silent(self.role)
                else ""
            )
            self.who.value = f'<p class="pdkit-who-speaks">{_who(step, protocol)}. {me}</p>'
            prompt = step.prompt_for(self.role)
            self.prompt.value = (
                '<div class="pdkit-prompt"><strong>What you do now:</strong> '
                f"{escape(prompt)}</div>"
                if prompt
                else ""
            )
        self.outline.value = _outline(protocol, step_index)
        if (run.id, step_index) != self._notes_for or self.notes is None:
            self._show_notes(protocol, step, run)  # a new step, or a new run at any step
        self._notes_for = (run.id, step_index)
        self.step_index = step_index

    def _show_notes(self, protocol: ProtocolDefinition, step: Step, run: Run) -> None:
        if self.notes is not None:
            self.notes.save()  # what was typed in the previous step is kept
        assert self.role is not None
        form = protocol.notes_form(step, self.role)
        if not form.fields:
            self.notes = None
            self.notes_box.children = [
                HTML(value='<p class="pdkit-no-notes">Nothing to write down in this step.</p>')
            ]
            return
        self.notes = FormView(
            form,
            store=self.store,
            participant_id=self.participant.id,
            sink=StepNotes(self.store, run.id, step.id, self.participant.id),
            schedule=self._schedule,
            clock=self._clock,
            show_title=False,
            keeper=self._keeper,
        )
        self.notes_box.children = [
            HTML(value='<h4 class="pdkit-notes-title">Your notes for this step</h4>'),
            self.notes.widget,
        ]

    def _waiting(self) -> None:
        self.countdown.show(None, self._clock())
        self.heading.value = (
            '<h2 class="pdkit-run-title">Protocol</h2>'
            '<p class="pdkit-waiting" aria-live="polite">No protocol is running for your group '
            "yet. When your facilitator starts one, it appears here by itself.</p>"
        )
        self.who.value = self.prompt.value = self.outline.value = ""
        self.notes_box.children = []
        self.notes = None
        self.step_index = None
        self._notes_for = None
