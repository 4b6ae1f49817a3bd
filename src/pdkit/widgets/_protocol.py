"""Protocol runs in widgets: the participant's runner and the facilitator's pacing control.

The run's state lives in the store, so it is shared by every participant's kernel.
Each view polls the store about once a second (:func:`repeat_every`) and redraws
only when the run's ``version`` changed; the countdown ticks in the browser (a tiny
anywidget), so no message is sent per second.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from functools import cache
from html import escape
from typing import Any

import anywidget
import ipywidgets as w
import traitlets

from .. import pacing
from ..definitions import ProtocolDefinition, Step, builtin_definitions, load_protocol
from ..definitions.ids import GOAL_FORM, SCHOOL_GOAL_FIELD
from ..errors import ConflictError, PdkitError
from ..groups import form_groups, form_groups_by
from ..store import DEFAULT_SESSION, JSONValue, Participant, Run, Store, Viewer
from ._form import FormView, Scheduler, call_later
from ._lean import HTML, HBox, VBox

__all__ = [
    "Countdown",
    "PacingControl",
    "ProtocolRunner",
    "StepNotes",
    "repeat_every",
]

_COUNTDOWN_ESM = """
function fmt(seconds) {
  const over = seconds < 0;
  const whole = over ? Math.floor(-seconds) : Math.ceil(seconds);
  return (over ? "+" : "") + Math.floor(whole / 60) + ":" + String(whole % 60).padStart(2, "0");
}

export default {
  render({ model, el }) {
    el.classList.add("pdkit-countdown");
    el.setAttribute("role", "timer");
    let base = performance.now();
    const draw = () => {
      const running = model.get("running");
      const elapsed = running ? (performance.now() - base) / 1000 : 0;
      const left = model.get("remaining") - elapsed;
      const state = model.get("state");
      let text = left < 0 ? `Time is up (${fmt(left)})` : `${fmt(left)} left`;
      if (state === "paused") text = `Paused, ${fmt(Math.max(left, 0))} left`;
      if (state === "ended") text = "Ended";
      if (state === "idle") text = "";
      el.textContent = text;
      el.dataset.seconds = String(Math.round(left));
      el.classList.toggle("pdkit-overtime", left < 0 && running);
    };
    const reset = () => { base = performance.now(); draw(); };
    model.on("change:stamp", reset);
    const timer = setInterval(draw, 250);
    reset();
    return () => { clearInterval(timer); model.off("change:stamp", reset); };
  },
};
"""


class Countdown(anywidget.AnyWidget):
    """A countdown that ticks in the browser from ``remaining`` seconds.

    The kernel sets ``remaining``, ``running`` and ``state`` and bumps ``stamp``
    whenever the run changes; the browser counts down from there by itself.
    """

    _esm = _COUNTDOWN_ESM
    remaining = traitlets.Float(0.0).tag(sync=True)
    running = traitlets.Bool(False).tag(sync=True)
    state = traitlets.Unicode("idle").tag(sync=True)
    stamp = traitlets.Int(0).tag(sync=True)

    def show(self, run: Run | None, now: float) -> None:
        if run is None:
            self.state, self.running, self.remaining = "idle", False, 0.0
        else:
            self.remaining = pacing.remaining(run.state, now)
            self.running = run.state.status == pacing.RUNNING
            self.state = run.state.status
        self.stamp += 1


def repeat_every(interval: float, fn: Callable[[], None]) -> Callable[[], None]:
    """Call ``fn`` every ``interval`` seconds on the kernel's event loop; returns a
    function that stops it. Without a running loop (plain Python, tests) nothing is
    scheduled: call ``fn`` yourself."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return lambda: None
    handle: list[asyncio.TimerHandle] = []
    stopped = False

    def tick() -> None:
        if stopped:
            return
        try:
            fn()
        finally:
            if not stopped:
                handle[:] = [loop.call_later(interval, tick)]

    def stop() -> None:
        nonlocal stopped
        stopped = True
        for h in handle:
            h.cancel()

    handle.append(loop.call_later(interval, tick))
    return stop


@cache
def _protocol(protocol_id: str) -> ProtocolDefinition:
    return load_protocol(protocol_id)


class StepNotes:
    """A participant's notes for one step of a run (an :class:`AnswerSink`)."""

    def __init__(self, store: Store, run_id: str, step_id: str, participant_id: str) -> None:
        self.store = store
        self.run_id = run_id
        self.step_id = step_id
        self.participant_id = participant_id

    def load(self) -> dict[str, JSONValue]:
        return self.store.latest_notes(
            self.run_id, self.step_id, self.participant_id, viewer=self.participant_id
        )

    def save(self, changes: dict[str, JSONValue]) -> None:
        self.store.record_notes(self.run_id, self.step_id, self.participant_id, changes)


def _names(store: Store, ids: Any) -> dict[str, str]:
    names = {}
    for pid in ids:
        person = store.get_participant(pid)
        names[pid] = person.display_name if person is not None else "?"
    return names


def _count(n: int, one: str, many: str = "") -> str:
    return f"{n} {one if n == 1 else many or one + 's'}"


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
        clock: Callable[[], float] = time.time,
        poll_interval: float = 1.0,
        schedule: Scheduler = call_later,
    ) -> None:
        self.store = store
        self.participant = participant
        self._clock = clock
        self._schedule = schedule
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
        self.stop_polling = repeat_every(poll_interval, self.refresh)

    @property
    def step(self) -> Step | None:
        if self.run is None or self.step_index is None:
            return None
        return _protocol(self.run.protocol).steps[self.step_index]

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
        protocol = _protocol(run.protocol)
        placement = run.placement(self.participant.id)
        assert placement is not None
        group_id, self.role = placement
        role = protocol.role(self.role)
        members = run.roles[group_id]
        names = _names(self.store, members)
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


class PacingControl:
    """The facilitator's control: form groups, start a protocol for every group at once
    (or for one group), then go back, go on, add time, pause and end for all of them."""

    def __init__(
        self,
        store: Store,
        *,
        session: str = DEFAULT_SESSION,
        clock: Callable[[], float] = time.time,
        poll_interval: float = 1.0,
        protocols: list[str] | None = None,
        seed: int | None = None,
    ) -> None:
        self.store = store
        self.session = session
        self._clock = clock
        self._seed = seed
        self.run: Run | None = None
        ids = protocols if protocols is not None else builtin_definitions("protocol")
        options = [(_protocol(i).title, i) for i in ids]

        self.group_size = w.BoundedIntText(
            value=3,
            min=2,
            max=6,
            description="Group size",
            style={"description_width": "initial"},
            layout=w.Layout(width="10em"),
        )
        self.form_button = w.Button(description="Form groups at random", icon="users")
        self.form_button.on_click(lambda _: self.form_groups(self.group_size.value))
        self.by_goal_button = w.Button(
            description="Form groups by school goal",
            icon="bullseye",
            tooltip="People whose goals serve the same school goal work together where they can",
        )
        self.by_goal_button.on_click(
            lambda _: self.form_groups(self.group_size.value, by=SCHOOL_GOAL_FIELD)
        )
        self.groups_html = HTML()
        self.protocol = w.Dropdown(
            options=options,
            description="Protocol",
            style={"description_width": "initial"},
        )
        self.target = w.Dropdown(description="Run for", style={"description_width": "initial"})
        self.start_button = w.Button(description="Start", button_style="primary", icon="play")
        self.start_button.on_click(lambda _: self.start(self.protocol.value, self.target.value))
        self.back_button = w.Button(description="Back", icon="step-backward")
        self.next_button = w.Button(
            description="Next step", icon="step-forward", button_style="primary"
        )
        self.add1_button = w.Button(description="+1 min", icon="plus")
        self.add5_button = w.Button(description="+5 min", icon="plus")
        self.pause_button = w.Button(description="Pause", icon="pause")
        self.end_button = w.Button(description="End", icon="stop")
        self.back_button.on_click(lambda _: self.back())
        self.next_button.on_click(lambda _: self.next())
        self.add1_button.on_click(lambda _: self.extend(60))
        self.add5_button.on_click(lambda _: self.extend(300))
        self.pause_button.on_click(lambda _: self.toggle_pause())
        self.end_button.on_click(lambda _: self.end())
        self.countdown = Countdown()
        self.status = HTML()
        self.message = HTML()
        self.progress = HTML()
        self.controls = HBox(
            [
                self.back_button,
                self.next_button,
                self.add1_button,
                self.add5_button,
                self.pause_button,
                self.end_button,
            ]
        )
        self.controls.add_class("pdkit-pacing")
        self.widget = VBox(
            [
                HTML(value="<h2>Groups</h2>"),
                HBox([self.group_size, self.form_button, self.by_goal_button]),
                HTML(
                    value='<p class="pdkit-help">Groups of 2 to 6. People who join later are '
                    "placed in the smallest group when their page opens.</p>"
                ),
                self.groups_html,
                HTML(value="<h2>Protocol</h2>"),
                HBox([self.protocol, self.target, self.start_button]),
                self.status,
                self.countdown,
                self.controls,
                self.message,
                self.progress,
            ]
        )
        self.widget.add_class("pdkit-facilitator")
        self._seen: tuple[str, int] | None = None
        self._polls = 0
        self._show_groups()
        runs = [r for r in store.runs(session) if r.state.status != pacing.ENDED]
        self.run = runs[0] if runs else None
        self.refresh(force=True)
        self.stop_polling = repeat_every(poll_interval, self.refresh)

    # ------------------------------------------------------------------ groups

    def form_groups(self, size: int, *, by: str = "") -> None:
        """Put everyone who has joined into groups of ``size`` (2 to 6): at random, or
        with ``by="school_goal"`` people whose goals serve the same school goal together
        where they can (their choice in the goal-setting form; never their text)."""
        if not 2 <= size <= 6:
            self._say("Choose a group size from 2 to 6.", "error")
            return
        people = [p.id for p in self.store.participants(self.session) if p.role == "teacher"]
        if len(people) < 2:
            self._say("At least two people must join before groups can be formed.", "error")
            return
        if by:
            keys = self.store.choices(
                self.session, GOAL_FORM, by, viewer=Viewer.facilitator(self.session)
            )
            made = form_groups_by(people, keys, size, seed=self._seed)
        else:
            made = form_groups(people, size, seed=self._seed)
        self.store.set_groups(self.session, made)
        self._show_groups()
        how = " by school goal" if by else " at random"
        self._say(f"Formed {_count(len(self.store.groups(self.session)), 'group')}{how}.", "ok")

    def _show_groups(self) -> None:
        groups = self.store.groups(self.session)
        joined = len(self.store.participants(self.session))
        if not groups:
            self.groups_html.value = (
                f'<p class="pdkit-empty">{_count(joined, "person", "people")} have joined. '
                "No groups yet: choose a size and form groups.</p>"
            )
        else:
            rows = "".join(
                f"<li><strong>{escape(g.name)}</strong>: "
                + ", ".join(escape(n) for n in _names(self.store, g.members).values())
                + "</li>"
                for g in groups
            )
            self.groups_html.value = (
                f"<p>{joined} people have joined, in {len(groups)} groups.</p><ul>{rows}</ul>"
            )
        self.target.options = [("All groups", "")] + [(g.name, g.id) for g in groups]
        self.target.value = ""

    # ------------------------------------------------------------------ pacing

    def start(self, protocol_id: str, group_id: str = "") -> Run | None:
        """Start ``protocol_id`` for every group, or only for ``group_id``."""
        protocol = _protocol(protocol_id)
        groups = [g for g in self.store.groups(self.session) if group_id in ("", g.id)]
        if not groups:
            self._say("Form groups first: there is no group to run the protocol for.", "error")
            return None
        roles = {g.id: protocol.assign_roles(g.members) for g in groups}
        self.run = self.store.start_run(
            self.session,
            protocol.id,
            protocol.spec_version,
            roles,
            pacing.start(protocol, self._clock()),
        )
        self._say(f"Started {protocol.title} for {len(groups)} group(s).", "ok")
        self.refresh(force=True)
        return self.run

    def _act(self, change: Callable[[ProtocolDefinition, pacing.RunState, float], Any]) -> None:
        if self.run is None:
            self._say("Start a protocol first.", "error")
            return
        for _attempt in range(3):  # another facilitator may click at the same moment
            current = self.store.get_run(self.run.id)
            assert current is not None
            protocol = _protocol(current.protocol)
            state = change(protocol, current.state, self._clock())
            try:
                self.run = self.store.update_run(
                    current.id, state, expected_version=current.version
                )
                break
            except ConflictError:
                continue
        else:
            self._say("The run kept changing from another tab; look, then try again.", "error")
        self.refresh(force=True)

    def next(self) -> None:
        self._act(pacing.next_step)

    def back(self) -> None:
        self._act(pacing.back)

    def extend(self, seconds: float) -> None:
        self._act(lambda _p, state, _now: pacing.extend(state, seconds))

    def toggle_pause(self) -> None:
        def flip(_p: ProtocolDefinition, state: pacing.RunState, now: float) -> pacing.RunState:
            if state.status == pacing.PAUSED:
                return pacing.resume(state, now)
            return pacing.pause(state, now)

        self._act(flip)

    def end(self) -> None:
        self._act(lambda _p, state, now: pacing.end(state, now))

    def refresh(self, force: bool = False) -> None:
        """Redraw from the store: picks up clicks, and runs started, from another
        facilitator tab. The per-group progress is recounted every few seconds."""
        try:
            runs = self.store.runs(self.session)
        except PdkitError:
            return  # a passing store hiccup: keep showing the last state
        newest = runs[0] if runs else None
        if self.run is None or (newest is not None and newest.created_at > self.run.created_at):
            self.run = newest if newest is None or newest.state.status != pacing.ENDED else self.run
        if self.run is not None:
            self.run = next((r for r in runs if r.id == self.run.id), self.run)
        key = None if self.run is None else (self.run.id, self.run.version)
        changed = key != self._seen
        if changed or force:
            self._seen = key
            self._draw()
        self._polls += 1
        if changed or force or self._polls % 5 == 0:
            self._draw_progress()

    def _draw(self) -> None:
        run = self.run
        self.countdown.show(run, self._clock())
        for button in self.controls.children:
            button.disabled = run is None
        if run is None:
            self.status.value = '<p class="pdkit-empty">No protocol is running.</p>'
            return
        protocol = _protocol(run.protocol)
        step = protocol.steps[run.state.step]
        ended = run.state.status == pacing.ENDED
        self.pause_button.description = "Resume" if run.state.status == pacing.PAUSED else "Pause"
        self.next_button.disabled = ended
        self.add1_button.disabled = self.add5_button.disabled = ended
        self.pause_button.disabled = self.end_button.disabled = ended
        where = "Ended" if ended else f"Step {run.state.step + 1} of {len(protocol.steps)}"
        allowed = (
            f" (usual range {step.allowed[0]:g}–{step.allowed[1]:g} min)" if step.allowed else ""
        )
        self.status.value = (
            f'<p class="pdkit-run-status"><strong>{escape(protocol.title)}</strong> for '
            f"{len(run.roles)} group(s). {where}: <strong>{escape(step.title)}</strong>, "
            f"{step.minutes:g} min{allowed}.</p>"
        )

    def _draw_progress(self) -> None:
        """How many people in each group wrote notes in this step: counts, never text."""
        run = self.run
        if run is None or run.state.status == pacing.ENDED:
            self.progress.value = ""
            return
        protocol = _protocol(run.protocol)
        step = protocol.steps[run.state.step]
        writers = self.store.note_writers(run.id)
        rows = "".join(
            f"<li>Group {n + 1}: {len(writers.get((g, step.id), ()))} of {len(members)} wrote"
            " notes</li>"
            for n, (g, members) in enumerate(run.roles.items())
        )
        self.progress.value = f'<ul class="pdkit-progress">{rows}</ul>'

    def _say(self, text: str, kind: str) -> None:
        role = "alert" if kind == "error" else "status"
        self.message.value = f'<p class="pdkit-{kind}" role="{role}">{escape(text)}</p>'
