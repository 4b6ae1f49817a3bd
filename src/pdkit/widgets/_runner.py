"""The participant's protocol runner: the round and who presents, the presenter's goal
(the work the group looks at), the step, a countdown, what their role does now, and the
notes their role writes in this step (autosaved per step and round; notes a step marks as
feedback also reach the presenter's feedback list).

The run's state lives in the store, shared by every participant's kernel. The runner
polls the store about once a second and redraws only when the run's ``version``
changed; the countdown ticks in the browser.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from html import escape

from .. import pacing, rounds
from .._clock import now
from ..definitions import ProtocolDefinition, Step, protocol_by_id
from ..errors import PdkitError
from ..store import JSONValue, Participant, Run, Store, display_names
from ._countdown import Countdown
from ._form import FormView
from ._lean import HTML, VBox
from ._presenter import PresentersGoal
from ._safekeeping import Safekeeper
from ._timing import Scheduler, call_later, repeat_every

__all__ = ["ProtocolRunner", "StepNotes", "run_plan"]


def run_plan(run: Run) -> rounds.Plan:
    """The plan a run walks: its protocol's steps over its rounds."""
    return _plan(run.protocol, run.rounds, run.skipped)


@cache
def _plan(protocol_id: str, count: int, skipped: tuple[str, ...]) -> rounds.Plan:
    return rounds.plan(protocol_by_id(protocol_id), count, skipped)


def _texts(value: JSONValue) -> list[str]:
    """A note's text as pieces of feedback: each item of a list, or the whole text."""
    items = value if isinstance(value, list) else [value]
    return [str(item).strip() for item in items if isinstance(item, (str, int, float))]


class StepNotes:
    """A participant's notes for one step of one round of a run (an :class:`AnswerSink`).

    ``feedback`` maps the step's feedback fields to their category; when the writer is
    not the round's presenter (``presenter``), what they write in those fields is also
    the presenter's peer feedback on their goal, kept in step with the notes."""

    def __init__(
        self,
        store: Store,
        run_id: str,
        step_id: str,
        participant_id: str,
        *,
        round_: int = 0,
        presenter: str | None = None,
        feedback: dict[str, str] | None = None,
    ) -> None:
        self.store = store
        self.run_id = run_id
        self.step_id = step_id
        self.participant_id = participant_id
        self.round = round_
        self.presenter = presenter if presenter != participant_id else None
        self.feedback = feedback or {}
        self.scope = f"notes:{run_id}:{round_}:{step_id}"

    def load(self) -> dict[str, JSONValue]:
        return self.store.latest_notes(
            self.run_id,
            self.step_id,
            self.participant_id,
            viewer=self.participant_id,
            round=self.round,
        )

    def save(self, changes: dict[str, JSONValue]) -> None:
        self.store.record_notes(
            self.run_id, self.step_id, self.participant_id, changes, round=self.round
        )
        if self.presenter is None:
            return
        for field_id, value in changes.items():
            category = self.feedback.get(field_id)
            if category is not None:
                self.store.set_round_feedback(
                    self.run_id,
                    self.round,
                    self.step_id,
                    self.participant_id,
                    self.presenter,
                    field_id,
                    category,
                    _texts(value),
                )


def _outline(made: rounds.Plan, current: int) -> str:
    items = []
    for index, stage in enumerate(made.stages):
        mark = ' aria-current="step" class="pdkit-step-now"' if index == current else ""
        done = " ✓" if index < current else ""
        of = f"Round {stage.round + 1}: " if made.rounds > 1 and stage.step.round == "each" else ""
        step = stage.step
        items.append(f"<li{mark}>{of}{escape(step.title)} · {step.minutes:g} min{done}</li>")
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

        self.presenter: str | None = None
        self.heading = HTML()
        self.work = PresentersGoal(store, participant.id)
        self.countdown = Countdown()
        self.who = HTML()
        self.prompt = HTML()
        self.notes_box = VBox()
        self.outline = HTML()
        self.widget = VBox(
            [
                self.heading,
                self.countdown,
                self.who,
                self.prompt,
                self.work.widget,
                self.notes_box,
                self.outline,
            ]
        )
        self.widget.add_class("pdkit-runner")
        self.refresh()
        self.stop_polling = repeat_every(poll_interval, self.refresh)

    @property
    def step(self) -> Step | None:
        if self.run is None or self.step_index is None:
            return None
        return run_plan(self.run).stage(self.step_index).step

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
        if placement is None:  # in the run, not in this round (left, or came back late)
            self._waiting(
                "Your group is in a round you are not part of. When the next round begins, "
                "you take part in it; it appears here by itself."
            )
            return
        group_id, self.role = placement
        role = protocol.role(self.role)
        members = run.roles[group_id]
        names = display_names(self.store, members)
        group = ", ".join(
            f"{escape(names[p])} ({escape(protocol.role(r).label)})" for p, r in members.items()
        )
        made = run_plan(run)
        ended = run.state.status == pacing.ENDED
        step_index = run.state.step
        stage = made.stage(step_index)
        step = stage.step
        presenter = next(
            (p for p, r in members.items() if protocol.presenter and r == protocol.presenter),
            None,
        )
        self.presenter = presenter
        self.countdown.show(run, self._clock())
        status = "Ended" if ended else f"Step {step_index + 1} of {len(made.stages)}"
        round_line = ""
        if run.rounds > 1 or presenter is not None:
            presents = (
                "you present"
                if presenter == self.participant.id
                else f"{escape(names[presenter])} presents"
                if presenter is not None
                else ""
            )
            of = f"Round {run.state.round + 1} of {run.rounds}"
            round_line = f'<p class="pdkit-round">{of}{": " + presents if presents else ""}.</p>'
        self.heading.value = (
            f'<h2 class="pdkit-run-title">{escape(protocol.title)}</h2>'
            f"{round_line}"
            f'<p class="pdkit-role">You are the <strong>{escape(role.label)}</strong>. '
            f"{escape(role.description)}</p>"
            f'<p class="pdkit-group">Your group: {group}</p>'
            f'<h3 class="pdkit-step-title" aria-live="polite">{status}: {escape(step.title)}</h3>'
        )
        self.work.show(presenter, names.get(presenter or "", ""))
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
        self.outline.value = _outline(made, step_index)
        where = (run.id, step_index)
        if where != self._notes_for or self.notes is None:
            self._show_notes(protocol, step, run)  # a new step, or a new run at any step
        self._notes_for = where
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
            sink=StepNotes(
                self.store,
                run.id,
                step.id,
                self.participant.id,
                round_=run.state.round,
                presenter=self.presenter,
                feedback=dict(step.feedback),
            ),
            schedule=self._schedule,
            clock=self._clock,
            show_title=False,
            keeper=self._keeper,
        )
        goes = [
            f.label
            for f in form.fields
            if f.id in step.feedback and self.presenter not in (None, self.participant.id)
        ]
        told = (
            '<p class="pdkit-help">What you write under '
            + ", ".join(f"“{escape(label)}”" for label in goes)
            + " goes to the presenter's feedback on their goal, with your name.</p>"
            if goes
            else ""
        )
        self.notes_box.children = [
            HTML(value=f'<h4 class="pdkit-notes-title">Your notes for this step</h4>{told}'),
            self.notes.widget,
        ]

    def _waiting(self, why: str = "") -> None:
        self.countdown.show(None, self._clock())
        said = why or (
            "No protocol is running for your group yet. When your facilitator starts one, "
            "it appears here by itself."
        )
        self.heading.value = (
            '<h2 class="pdkit-run-title">Protocol</h2>'
            f'<p class="pdkit-waiting" aria-live="polite">{escape(said)}</p>'
        )
        self.work.show(None, "")
        self.presenter = None
        self.who.value = self.prompt.value = self.outline.value = ""
        self.notes_box.children = []
        self.notes = None
        self.step_index = None
        self._notes_for = None
