"""The participant's protocol runner: the round and who presents, the presenter's goal
(the work the group looks at), the step, a countdown, what their role does now, and the
notes their role writes in this step (autosaved per step and round; notes a step marks as
feedback also reach the presenter's feedback list).

The run's state lives in the store, shared by every participant's kernel. The runner
follows the session's run signal (:mod:`._follow`: no query while nothing changes),
reads the store when it says so (or every few seconds) and redraws only when the run's
``version`` changed; the countdown ticks in the browser.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from functools import cache
from html import escape

import ipywidgets as w

from .. import pacing, rounds
from .._clock import now
from ..definitions import ProtocolDefinition, Step, protocol_by_id
from ..errors import PdkitError
from ..i18n import translator
from ..store import JSONValue, Participant, Run, Store, display_names
from ._countdown import Countdown
from ._follow import follow
from ._form import FormView
from ._lean import HTML, VBox
from ._presenter import PresentersGoal
from ._safekeeping import Safekeeper
from ._timing import Handle, Scheduler, call_later

__all__ = ["NOTES_AFTER", "ProtocolRunner", "StepNotes", "run_plan"]

NOTES_AFTER = (0.3, 0.5)
"""A participant page draws a new step's notes form this many seconds (at random in the
range) after the step itself: when the facilitator moves a room, every page first sends
the light changes (step title, countdown, who speaks, prompt) and only then builds its
notes form, most of a step change's work, spread over the range rather than all at once
(the pages' kernels share the server's cores with the server that relays them)."""

NEXT_AFTER = (0.3, 0.9)
"""Seconds (at random in the range) after a step's notes form is shown when the next
step's form is made, not shown, so that the next click only swaps it in."""


def _spread(between: tuple[float, float]) -> float:
    return random.uniform(*between)  # noqa: S311 (a spread over time, not a secret)


def run_plan(run: Run, language: str | None = None) -> rounds.Plan:
    """The plan a run walks: its protocol's steps over its rounds (their words in
    ``language``; the plan is the same in every language)."""
    return _plan(run.protocol, run.rounds, run.skipped, language)


@cache
def _plan(
    protocol_id: str, count: int, skipped: tuple[str, ...], language: str | None
) -> rounds.Plan:
    return rounds.plan(protocol_by_id(protocol_id, language), count, skipped)


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


def _outline(made: rounds.Plan, current: int, t: Callable[[str], str] = str) -> str:
    items = []
    for index, stage in enumerate(made.stages):
        mark = ' aria-current="step" class="pdkit-step-now"' if index == current else ""
        done = " ✓" if index < current else ""
        each = made.rounds > 1 and stage.step.round == "each"
        of = t("Round {n}: ").format(n=stage.round + 1) if each else ""
        step = stage.step
        items.append(
            f"<li{mark}>{escape(of)}{escape(step.title)} · {step.minutes:g} min{done}</li>"
        )
    return f'<ol class="pdkit-outline">{"".join(items)}</ol>'


def _who(step: Step, protocol: ProtocolDefinition, t: Callable[[str], str] = str) -> str:
    def labels(ids: tuple[str, ...]) -> str:
        if "all" in ids:
            return t("everyone")
        return ", ".join(protocol.role(r).label for r in ids)

    parts = []
    if step.speaking:
        parts.append(escape(t("Speaking: {who}").format(who=labels(step.speaking))))
    if step.silent:
        parts.append(escape(t("Silent: {who}").format(who=labels(step.silent))))
    return " · ".join(parts)


class ProtocolRunner:
    """One participant's view of the protocol their group is running.

    Shows the step, a countdown, what *their* role does now and the notes their
    role writes in this step (autosaved per step). ``refresh()`` reads the store; in a
    kernel it runs by itself when the run signal says so (:mod:`._follow`).

    ``notes_after=(low, high)`` (the participant page gives :data:`NOTES_AFTER`) draws a
    new step's notes form that many seconds after the step, through ``later``, and makes
    the next step's form ahead (:data:`NEXT_AFTER`); without it each form is drawn at once.
    """

    def __init__(
        self,
        store: Store,
        participant: Participant,
        *,
        clock: Callable[[], float] = now,
        schedule: Scheduler = call_later,
        keeper: Safekeeper | None = None,
        language: str | None = None,
        notes_after: tuple[float, float] | None = None,
        later: Scheduler = call_later,
    ) -> None:
        self.store = store
        self.participant = participant
        self.language = language
        self._notes_after = notes_after
        self._later = later
        self._pending_notes: Handle | None = None  # a notes form to show or make, scheduled
        # the next step's notes form, made ahead: ((run id, position), (form, children))
        self._prepared: tuple[tuple[str, int], tuple[FormView | None, list[w.Widget]]] | None
        self._prepared = None
        self.t = translator(language)
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
        self._names: dict[str, str] = {}
        self._turn: tuple[str, int, str | None] | None = None
        self.heading = HTML()
        self.work = PresentersGoal(store, participant.id, language=language)
        self.countdown = Countdown(language=language)
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
        self.stop_polling = follow(store.run_signal(participant.session), self.refresh)

    @property
    def step(self) -> Step | None:
        if self.run is None or self.step_index is None:
            return None
        return run_plan(self.run, self.language).stage(self.step_index).step

    def refresh(self) -> None:
        """Read the run from the store and redraw what changed."""
        t = self.t
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
        protocol = protocol_by_id(run.protocol, self.language)
        placement = run.placement(self.participant.id)
        if placement is None:  # in the run, not in this round (left, or came back late)
            self._waiting(
                t(
                    "Your group is in a round you are not part of. When the next round begins, "
                    "you take part in it; it appears here by itself."
                )
            )
            return
        group_id, self.role = placement
        role = protocol.role(self.role)
        members = run.roles[group_id]
        unknown = [p for p in members if p not in self._names]
        if unknown:  # names do not change: each is read once
            self._names.update(display_names(self.store, unknown))
        names = self._names
        group = ", ".join(
            f"{escape(names[p])} ({escape(protocol.role(r).label)})" for p, r in members.items()
        )
        made = run_plan(run, self.language)
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
        status = (
            t("Ended")
            if ended
            else t("Step {n} of {total}").format(n=step_index + 1, total=len(made.stages))
        )
        round_line = ""
        if run.rounds > 1 or presenter is not None:
            presents = (
                t("you present")
                if presenter == self.participant.id
                else t("{name} presents").format(name=names[presenter])
                if presenter is not None
                else ""
            )
            of = t("Round {n} of {total}").format(n=run.state.round + 1, total=run.rounds)
            said = f"{of}: {presents}." if presents else f"{of}."
            round_line = f'<p class="pdkit-round">{escape(said)}</p>'
        you_are = escape(t("You are the {role}.")).format(
            role=f"<strong>{escape(role.label)}</strong>"
        )
        your_group = escape(t("Your group: {names}")).format(names=group)
        self.heading.value = (
            f'<h2 class="pdkit-run-title">{escape(protocol.title)}</h2>'
            f"{round_line}"
            f'<p class="pdkit-role">{you_are} '
            f"{escape(role.description)}</p>"
            f'<p class="pdkit-group">{your_group}</p>'
            f'<h3 class="pdkit-step-title" aria-live="polite">{escape(status)}: '
            f"{escape(step.title)}</h3>"
        )
        turn = (run.id, step_index, presenter)
        if turn != self._turn:  # a pause or more time leaves the work as it was
            self._turn = turn
            self.work.show(presenter, names.get(presenter or "", ""))
        if ended:
            self.who.value = ""
            ended_said = t("The protocol has ended. Your notes are saved.")
            self.prompt.value = f'<p class="pdkit-prompt">{escape(ended_said)}</p>'
        else:
            me = (
                t("You speak in this step.")
                if step.speaks(self.role)
                else t("You listen in silence in this step.")
                if step.is_silent(self.role)
                else ""
            )
            self.who.value = (
                f'<p class="pdkit-who-speaks">{_who(step, protocol, t)}. {escape(me)}</p>'
            )
            prompt = step.prompt_for(self.role)
            self.prompt.value = (
                f'<div class="pdkit-prompt"><strong>{escape(t("What you do now:"))}</strong> '
                f"{escape(prompt)}</div>"
                if prompt
                else ""
            )
        self.outline.value = _outline(made, step_index, t)
        where = (run.id, step_index)
        if where != self._notes_for:
            self._notes_for = where  # a new step, or a new run at any step
            self._next_notes(protocol, step, run)
        self.step_index = step_index

    def _next_notes(self, protocol: ProtocolDefinition, step: Step, run: Run) -> None:
        """Keep what was typed in the previous step, then show this step's notes form: the
        one made ahead if it is this step's, else one made now (or ``notes_after`` seconds
        later, only if the page is still at this step)."""
        self._cancel_notes()
        if self.notes is not None:
            self.notes.save()  # what was typed in the previous step is kept
            self.notes = None
        where = self._notes_for
        prepared, self._prepared = self._prepared, None
        if prepared is not None and prepared[0] == where:
            self._put_notes(prepared[1])
            self._prepare_next()
            return
        if self._notes_after is None:
            self._put_notes(self._notes_parts(protocol, step, run, run.state.round))
            return
        self.notes_box.children = []  # nothing is typed into the previous step's form

        def draw() -> None:
            self._pending_notes = None
            if self._notes_for == where and self.run is not None:
                self._put_notes(self._notes_parts(protocol, step, self.run, self.run.state.round))
                self._prepare_next()

        self._pending_notes = self._later(_spread(self._notes_after), draw)

    def _prepare_next(self) -> None:
        """A moment after a step is shown, make the next step's notes form (not shown), so
        that when the room moves on the page only swaps it in: a room's pages then send
        little at the click. Only within a round (roles and presenter stay the same)."""
        run, where = self.run, self._notes_for
        if self._notes_after is None or run is None or where is None:
            return
        made = run_plan(run, self.language)
        now, position = made.stage(where[1]), where[1] + 1
        if position >= len(made.stages) or made.stages[position].round != now.round:
            return
        coming = made.stages[position].step
        protocol = protocol_by_id(run.protocol, self.language)

        def prepare() -> None:
            self._pending_notes = None
            if self._notes_for == where and self.run is not None:
                parts = self._notes_parts(protocol, coming, self.run, now.round)
                self._prepared = ((where[0], position), parts)

        self._pending_notes = self._later(_spread(NEXT_AFTER), prepare)

    def stop(self) -> None:
        """Stop following the run (and making a notes form still to come)."""
        self._cancel_notes()
        self.stop_polling()

    def _cancel_notes(self) -> None:
        if self._pending_notes is not None:
            self._pending_notes.cancel()
        self._pending_notes = None

    def _put_notes(self, parts: tuple[FormView | None, list[w.Widget]]) -> None:
        self.notes, self.notes_box.children = parts[0], parts[1]

    def _notes_parts(
        self, protocol: ProtocolDefinition, step: Step, run: Run, round_: int
    ) -> tuple[FormView | None, list[w.Widget]]:
        """The notes form of ``step`` in round ``round_`` and what the notes box shows."""
        assert self.role is not None
        t = self.t
        form = protocol.notes_form(step, self.role)
        if not form.fields:
            nothing = escape(t("Nothing to write down in this step."))
            return None, [HTML(value=f'<p class="pdkit-no-notes">{nothing}</p>')]
        notes = FormView(
            form,
            store=self.store,
            participant_id=self.participant.id,
            sink=StepNotes(
                self.store,
                run.id,
                step.id,
                self.participant.id,
                round_=round_,
                presenter=self.presenter,
                feedback=dict(step.feedback),
            ),
            schedule=self._schedule,
            clock=self._clock,
            show_title=False,
            keeper=self._keeper,
            language=self.language,
        )
        goes = [
            f.label
            for f in form.fields
            if f.id in step.feedback and self.presenter not in (None, self.participant.id)
        ]
        under = t(
            "What you write under {fields} goes to the presenter's feedback on their goal, "
            "with your name."
        ).format(fields=", ".join(f"“{label}”" for label in goes))
        told = f'<p class="pdkit-help">{escape(under, quote=False)}</p>' if goes else ""
        title = escape(t("Your notes for this step"))
        return notes, [
            HTML(value=f'<h4 class="pdkit-notes-title">{title}</h4>{told}'),
            notes.widget,
        ]

    def _waiting(self, why: str = "") -> None:
        self.countdown.show(None, self._clock())
        said = why or self.t(
            "No protocol is running for your group yet. When your facilitator starts one, "
            "it appears here by itself."
        )
        self.heading.value = (
            f'<h2 class="pdkit-run-title">{escape(self.t("Protocol"))}</h2>'
            f'<p class="pdkit-waiting" aria-live="polite">{escape(said)}</p>'
        )
        self._cancel_notes()
        self._prepared = None
        self.work.show(None, "")
        self._turn = None
        self.presenter = None
        self.who.value = self.prompt.value = self.outline.value = ""
        self.notes_box.children = []
        self.notes = None
        self.step_index = None
        self._notes_for = None
