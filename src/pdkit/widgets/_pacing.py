"""The facilitator's pacing control: form groups, start a protocol for every group at once
(or for one group), then go back, go on, add time, pause and end for all of them.

Every participant's page follows within about a second (:mod:`._runner`). Two
facilitator tabs can click at the same moment: a change is stored only if nobody
changed the run meanwhile, else it is read again and retried.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import Any

import ipywidgets as w

from .. import pacing, rounds
from .._clock import now
from ..definitions import builtin_definitions, protocol_by_id
from ..definitions.ids import GOAL_FORM, SCHOOL_GOAL_FIELD
from ..errors import ConflictError, PdkitError
from ..groups import form_groups, form_groups_by
from ..i18n import plural_translator, translator
from ..store import DEFAULT_SESSION, Run, Store, Viewer, display_names
from ._countdown import Countdown
from ._follow import follow
from ._lean import HTML, HBox, VBox
from ._pacing_words import count_of as _count
from ._pacing_words import rounds_help, run_status_html
from ._runner import run_plan

__all__ = ["PacingControl"]


def _wrapping() -> w.Layout:
    """A row of controls that wraps on a narrow screen (a phone) instead of cutting them."""
    return w.Layout(flex_flow="row wrap")


class PacingControl:
    """The facilitator's control: form groups, start a protocol for every group at once
    (or for one group), then go back, go on, add time, pause and end for all of them."""

    def __init__(
        self,
        store: Store,
        *,
        session: str = DEFAULT_SESSION,
        clock: Callable[[], float] = now,
        poll_interval: float = 1.0,
        protocols: list[str] | None = None,
        seed: int | None = None,
        language: str | None = None,
    ) -> None:
        self.t = t = translator(language)
        self.language = language
        self.store = store
        self.session = session
        self._clock = clock
        self._seed = seed
        self.run: Run | None = None
        ids = protocols if protocols is not None else builtin_definitions("protocol")
        # Listed by title; the picker starts on Tuning when it is offered.
        options = sorted(
            ((protocol_by_id(i, language).title, i) for i in ids), key=lambda o: o[0].casefold()
        )

        self.group_size = w.BoundedIntText(
            value=3,
            min=2,
            max=6,
            description=t("Group size"),
            style={"description_width": "initial"},
            layout=w.Layout(width="10em"),
        )
        self.form_button = w.Button(description=t("Form groups at random"), icon="users")
        self.form_button.on_click(lambda _: self.form_groups(self.group_size.value))
        self.by_goal_button = w.Button(
            description=t("Form groups by school goal"),
            icon="bullseye",
            tooltip=t("People whose goals serve the same school goal work together where they can"),
        )
        self.by_goal_button.on_click(
            lambda _: self.form_groups(self.group_size.value, by=SCHOOL_GOAL_FIELD)
        )
        self.groups_html = HTML()
        self.leaver = w.Dropdown(
            description=t("Who has left?"),
            style={"description_width": "initial"},
            layout=w.Layout(width="auto"),
        )
        self.leave_button = w.Button(
            description=t("Has left the room"),
            icon="sign-out",
            tooltip=t("Later rounds go on without them; nobody else loses a turn"),
        )
        self.leave_button.on_click(lambda _: self.left(self.leaver.value))
        self.protocol = w.Dropdown(
            options=options,
            value="tuning" if "tuning" in ids else (options[0][1] if options else None),
            description=t("Protocol"),
            style={"description_width": "initial"},
        )
        self.target = w.Dropdown(description=t("Run for"), style={"description_width": "initial"})
        self.rounds = w.BoundedIntText(
            value=1,
            min=1,
            max=rounds.MAX_ROUNDS,
            description=t("Rounds"),
            style={"description_width": "initial"},
            layout=w.Layout(width="9em"),
        )
        self.rounds_help = HTML()
        self.protocol_about = HTML()
        """What the chosen protocol is (its summary), drawn by the kernel when the choice
        reaches it: what the facilitator sees here is what Start starts."""
        self.skip_norms = w.Checkbox(
            value=False,
            description=t("Leave out the norms step"),
            tooltip=t("When the room has agreed its norms already"),
            indent=False,
            layout=w.Layout(width="auto"),
        )
        self.protocol.observe(lambda _: self._protocol_chosen(), names="value")
        self.rounds.observe(lambda _: self._explain_rounds(), names="value")
        self.start_button = w.Button(description=t("Start"), button_style="primary", icon="play")
        self.start_button.on_click(lambda _: self.start(self.protocol.value, self.target.value))
        self.back_button = w.Button(description=t("Back"), icon="step-backward")
        self.next_button = w.Button(
            description=t("Next step"), icon="step-forward", button_style="primary"
        )
        self.add1_button = w.Button(description=t("+1 min"), icon="plus")
        self.add5_button = w.Button(description=t("+5 min"), icon="plus")
        self.pause_button = w.Button(description=t("Pause"), icon="pause")
        self.end_button = w.Button(description=t("End"), icon="stop")
        self.back_button.on_click(lambda _: self.back())
        self.next_button.on_click(lambda _: self.next())
        self.add1_button.on_click(lambda _: self.extend(60))
        self.add5_button.on_click(lambda _: self.extend(300))
        self.pause_button.on_click(lambda _: self.toggle_pause())
        self.end_button.on_click(lambda _: self.end())
        self.countdown = Countdown(language=language)
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
                HTML(value=f"<h2>{escape(t('Groups'))}</h2>"),
                HBox([self.group_size, self.form_button, self.by_goal_button], layout=_wrapping()),
                HTML(
                    value='<p class="pdkit-help">'
                    + escape(
                        t(
                            "Groups of 2 to 6. People who join later are placed in the "
                            "smallest group when their page opens."
                        )
                    )
                    + "</p>"
                ),
                self.groups_html,
                HBox([self.leaver, self.leave_button], layout=_wrapping()),
                HTML(value=f"<h2>{escape(t('Protocol'))}</h2>"),
                HBox(
                    [self.protocol, self.target, self.rounds, self.start_button], layout=_wrapping()
                ),
                self.protocol_about,
                self.rounds_help,
                self.skip_norms,
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
        self._describe_protocol()
        self._show_groups()
        runs = [r for r in store.runs(session) if r.state.status != pacing.ENDED]
        self.run = runs[0] if runs else None
        self.refresh(force=True)
        self.stop_polling = follow(
            store.run_signal(session), self.refresh, safety_every=poll_interval
        )

    # ------------------------------------------------------------------ groups

    def form_groups(self, size: int, *, by: str = "") -> None:
        """Put everyone who has joined into groups of ``size`` (2 to 6): at random, or
        with ``by="school_goal"`` people whose goals serve the same school goal together
        where they can (their choice in the goal-setting form; never their text)."""
        t = self.t
        if not 2 <= size <= 6:
            self._say(t("Choose a group size from 2 to 6."), "error")
            return
        people = [p.id for p in self.store.participants(self.session) if p.role == "teacher"]
        if len(people) < 2:
            self._say(t("At least two people must join before groups can be formed."), "error")
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
        made_count = _count(len(self.store.groups(self.session)), t("{n} group"), t("{n} groups"))
        how = t("Formed {groups} by school goal.") if by else t("Formed {groups} at random.")
        self._say(how.format(groups=made_count), "ok")

    def _show_groups(self) -> None:
        t = self.t
        groups = self.store.groups(self.session)
        joined = sum(p.role == "teacher" for p in self.store.participants(self.session))
        if not groups:
            said = t("{people} have joined. No groups yet: choose a size and form groups.")
            people = _count(joined, t("{n} person"), t("{n} people"))
            self.groups_html.value = (
                f'<p class="pdkit-empty">{escape(said.format(people=people))}</p>'
            )
        else:
            rows = "".join(
                f"<li><strong>{escape(g.name)}</strong>: "
                + ", ".join(escape(n) for n in display_names(self.store, g.members).values())
                + "</li>"
                for g in groups
            )
            said = t("{joined} people have joined, in {groups} groups.")
            self.groups_html.value = (
                f"<p>{escape(said.format(joined=joined, groups=len(groups)))}</p><ul>{rows}</ul>"
            )
        names = display_names(self.store, [m for g in groups for m in g.members])
        self.leaver.options = [("", "")] + [
            (f"{names[m]} ({g.name})", m) for g in groups for m in g.members
        ]
        self.leaver.value = ""
        self.leave_button.disabled = not groups
        self.target.options = [(t("All groups"), "")] + [(g.name, g.id) for g in groups]
        self.target.value = ""
        self._suggest_rounds()

    def _protocol_chosen(self) -> None:
        self._describe_protocol()
        self._suggest_rounds()

    def _describe_protocol(self) -> None:
        """The chosen protocol's summary under the picker (as the kernel has the choice)."""
        protocol = protocol_by_id(self.protocol.value, self.language)
        self.protocol_about.value = (
            f'<p class="pdkit-help pdkit-protocol-about">{escape(protocol.summary)}</p>'
            if protocol.summary
            else ""
        )

    def _suggest_rounds(self) -> None:
        """As many rounds as the largest group has members (everyone presents once)."""
        protocol = protocol_by_id(self.protocol.value, self.language)
        sizes = [len(g.members) for g in self.store.groups(self.session)]
        self.rounds.value = rounds.default_rounds(protocol, sizes)
        self._explain_rounds()

    def _explain_rounds(self) -> None:
        """What the number in the Rounds box means for the groups formed now."""
        t = self.t
        protocol = protocol_by_id(self.protocol.value, self.language)
        count = self.rounds.value
        largest = max((len(g.members) for g in self.store.groups(self.session)), default=0)
        said = rounds_help(t, protocol.presenter is not None, count, largest)
        self.rounds_help.value = f'<p class="pdkit-help" aria-live="polite">{escape(said)}</p>'

    def left(self, participant_id: str) -> None:
        """Someone has left the room: out of their group, so that the rounds still to
        come go on without them (whoever has not presented yet keeps their turn)."""
        t = self.t
        if not participant_id:
            self._say(t("Choose who has left."), "error")
            return
        name = display_names(self.store, [participant_id])[participant_id]
        group = self.store.leave_group(participant_id)
        self._show_groups()
        if group is None:
            self._say(t("{name} is in no group.").format(name=name), "error")
            return
        self._say(
            t(
                "{name} has left {group}: the rounds still to come go on without them; "
                "nobody else loses a turn. If they come back, their page places them in a group."
            ).format(name=name, group=group.name),
            "ok",
        )

    # ------------------------------------------------------------------ pacing

    def start(
        self,
        protocol_id: str,
        group_id: str = "",
        *,
        rounds_count: int | None = None,
        skip_norms: bool | None = None,
    ) -> Run | None:
        """Start ``protocol_id`` for every group, or only for ``group_id``, over
        ``rounds_count`` rounds (default: the Rounds box), each member presenting in turn."""
        protocol = protocol_by_id(protocol_id, self.language)
        groups = [g for g in self.store.groups(self.session) if group_id in ("", g.id)]
        if not groups:
            self._say(
                self.t("Form groups first: there is no group to run the protocol for."), "error"
            )
            return None
        others = [protocol_by_id(i, self.language) for i in builtin_definitions("protocol")]
        sizes = {g.name: len(g.members) for g in groups}
        problems = rounds.size_problems(protocol, sizes, others, self.t)
        if problems:
            self._say(" ".join(problems), "error")
            return None
        if rounds_count is not None:
            count = rounds_count
        else:  # the Rounds box; one round where nobody presents (it has nobody to turn)
            count = self.rounds.value if protocol.presenter is not None else 1
        skip = self.skip_norms.value if skip_norms is None else skip_norms
        skipped = [s.id for s in protocol.steps if s.skippable] if skip else []
        made = rounds.plan(protocol, count, skipped)
        roles = {g.id: rounds.turn(protocol, g.members, set(g.members), [], 0) for g in groups}
        self.run = self.store.start_run(
            self.session,
            protocol.id,
            protocol.spec_version,
            roles,
            pacing.start(made, self._clock()),
            rounds=made.rounds,
            skipped=made.skipped,
        )
        tn = plural_translator(self.language)
        said = (
            tn(
                "Started {protocol} for {groups} group, {rounds} rounds.",
                "Started {protocol} for {groups} groups, {rounds} rounds.",
                len(groups),
            )
            if made.rounds > 1
            else tn(
                "Started {protocol} for {groups} group.",
                "Started {protocol} for {groups} groups.",
                len(groups),
            )
        )
        self._say(
            said.format(protocol=protocol.title, groups=len(groups), rounds=made.rounds), "ok"
        )
        self.refresh(force=True)
        return self.run

    def _turns(self, run: Run, round_: int) -> dict[str, dict[str, str]]:
        """Each group's roles for a round it has not had yet, from the group as it is now:
        whoever has not presented and is here presents next."""
        protocol = protocol_by_id(run.protocol, self.language)
        now_in = {g.id: g.members for g in self.store.groups(self.session)}
        made: dict[str, dict[str, str]] = {}
        for group_id in run.roles:
            turns = run.group_turns(group_id)
            order = list(dict.fromkeys(p for roles in turns.values() for p in roles))
            members = now_in.get(group_id) or tuple(run.roles[group_id])
            done = rounds.presented(turns, protocol.presenter)
            made[group_id] = rounds.turn(protocol, order, set(members), done, round_)
        return made

    def _act(self, change: Callable[[rounds.Plan, pacing.RunState, float], Any]) -> None:
        if self.run is None:
            self._say(self.t("Start a protocol first."), "error")
            return
        for _attempt in range(3):  # another facilitator may click at the same moment
            current = self.store.get_run(self.run.id)
            assert current is not None
            state = change(run_plan(current), current.state, self._clock())
            new_round = state.round not in current.turns
            try:
                self.run = self.store.update_run(
                    current.id,
                    state,
                    expected_version=current.version,
                    turns=self._turns(current, state.round) if new_round else None,
                )
                break
            except ConflictError:
                continue
        else:
            self._say(
                self.t("The run kept changing from another tab; look, then try again."), "error"
            )
        self.refresh(force=True)

    def next(self) -> None:
        self._act(pacing.next_step)

    def back(self) -> None:
        self._act(pacing.back)

    def extend(self, seconds: float) -> None:
        self._act(lambda _p, state, _now: pacing.extend(state, seconds))

    def toggle_pause(self) -> None:
        def flip(_p: rounds.Plan, state: pacing.RunState, now: float) -> pacing.RunState:
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
        t = self.t
        run = self.run
        self.countdown.show(run, self._clock())
        for button in self.controls.children:
            button.disabled = run is None
        if run is None:
            self.status.value = f'<p class="pdkit-empty">{escape(t("No protocol is running."))}</p>'
            return
        protocol = protocol_by_id(run.protocol, self.language)
        made = run_plan(run, self.language)
        step = made.stage(run.state.step).step
        ended = run.state.status == pacing.ENDED
        self.pause_button.description = (
            t("Resume") if run.state.status == pacing.PAUSED else t("Pause")
        )
        self.next_button.disabled = ended
        self.add1_button.disabled = self.add5_button.disabled = ended
        self.pause_button.disabled = self.end_button.disabled = ended
        self.status.value = run_status_html(
            t, run, protocol.title, step, len(made.stages), plural_translator(self.language)
        )

    def _draw_progress(self) -> None:
        """How many people in each group wrote notes in this step: counts, never text."""
        run = self.run
        if run is None or run.state.status == pacing.ENDED:
            self.progress.value = ""
            return
        step = run_plan(run, self.language).stage(run.state.step).step
        writers = self.store.note_writers(run.id, round=run.state.round)
        said = self.t("Group {n}: {wrote} of {members} wrote notes")
        rows = "".join(
            "<li>"
            + escape(
                said.format(n=n + 1, wrote=len(writers.get((g, step.id), ())), members=len(members))
            )
            + "</li>"
            for n, (g, members) in enumerate(run.roles.items())
        )

        self.progress.value = f'<ul class="pdkit-progress">{rows}</ul>'

    def _say(self, text: str, kind: str) -> None:
        role = "alert" if kind == "error" else "status"
        self.message.value = f'<p class="pdkit-{kind}" role="{role}">{escape(text)}</p>'
