"""The pathway section of "My goal": a teacher picks a pathway that fits their goal and
follows it.

The pathways offered are the district's (``$PDKIT_PATHWAYS``: ``pdkit serve
--pathways``), else pdkit's samples (``templates/pathways``); those of the goal's school
goal come first (:func:`pdkit.pathways.fitting`). The panel shows the progress (required
steps done, optional steps done of the minimum, what is next, each locked step and what
it waits for). Steps pdkit sees done (a workbook, a round presented, an observation)
complete themselves from the store; the teacher ticks the others, with an optional web
link and a note, and may untick them. The store keeps the choice and the ticks and
checks every rule (:mod:`pdkit.store._sql_pathways`).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from html import escape

import ipywidgets as w

from .._clock import now
from .._environ import PATHWAYS_ENV
from ..definitions import PathwayDefinition, PathwayStep, load_pathways
from ..definitions.ids import GOAL_FORM, SCHOOL_GOAL_FIELD
from ..errors import PdkitError
from ..i18n import N_, translator
from ..pathways import DONE, LOCKED, Progress, StepState, fitting
from ..store import Store
from ..widgets import HTML, HBox, VBox
from ._goalview import home_link, para
from ._page import message_in

__all__ = ["PATHWAYS_ENV", "PathwayPanel", "district_pathways", "mygoal_pathway"]

_TYPE_WORDS = {
    "resource": N_("Read or watch"),
    "workbook": N_("Complete a workbook"),
    "protocol": N_("Present in a protocol round"),
    "observation": N_("Observation"),
    "plc": N_("PLC meeting"),
    "credential": N_("Credential"),
    "other": N_("Other"),
}

_OBSERVED_WORDS = {
    "workbook": N_("Completes itself when your answers in this workbook are saved."),
    "protocol": N_("Completes itself when you present in a protocol round."),
    "receive": N_("Completes itself when an observation of your teaching is sent to you."),
    "give": N_("Completes itself when you send an observation of a colleague's lesson."),
    "credential": N_("Completes itself when an assessor awards you this micro-credential."),
}


READ_EVERY = 10.0
"""Seconds between two reads of the pathway while "My goal" polls (a step that completes
itself shows within this; the teacher's own ticks show at once)."""

_STYLE = {"description_width": "initial"}


def _column() -> w.Layout:  # the label above the input, as the forms have it
    # Stretched by its box, not 100% wide: with the widget's margin that reached past the
    # page's edge on a phone, cut off (tests/_a11y.fits).
    return w.Layout(
        flex_flow="column",
        align_items="stretch",
        width="auto",
        align_self="stretch",
        max_width="36em",
    )


def district_pathways(language: str | None = None) -> list[PathwayDefinition]:
    """The pathways offered: ``$PDKIT_PATHWAYS`` (a folder or one file), else pdkit's."""
    return load_pathways(os.environ.get(PATHWAYS_ENV) or None, language=language)


class _StepRow:
    """One step on the page: what it is and where it stands; for a step the teacher
    ticks, a link, a note and a button."""

    def __init__(self, panel: PathwayPanel, step: PathwayStep) -> None:
        t = panel.t
        self.step = step
        self.html = HTML()
        self.link = w.Text(
            description=t("Link (optional)"),
            placeholder="https://…",
            style=_STYLE,
            layout=_column(),
        )
        self.note = w.Text(
            description=t("Note (optional)"),
            placeholder=t("A few words: what you did"),
            style=_STYLE,
            layout=_column(),
        )
        self.button = w.Button(layout=w.Layout(width="auto"))
        self.button.on_click(lambda _: panel.toggle(step.id))
        self.inputs = VBox([self.link, self.note, HBox([self.button])], layout=w.Layout())
        self.widget = VBox([self.html, self.inputs])
        self.widget.add_class("pdkit-pathway-step")
        self.widget.add_class(f"pdkit-step-{step.id}")


class PathwayPanel:
    """The teacher's pathway on "My goal" (see the module docs). ``refresh()`` reads the
    goal, the choice and the progress again and redraws what changed."""

    def __init__(
        self,
        store: Store,
        teacher_id: str,
        *,
        language: str | None = None,
        page_url: str = "",
        token: str | None = None,
        pathways: list[PathwayDefinition] | None = None,
        clock: Callable[[], float] = now,
        every: float = READ_EVERY,
    ) -> None:
        self.store = store
        self._clock, self.every, self._read_at = clock, every, -math.inf
        self.pid = teacher_id
        self.page_url = page_url
        self.token = token
        self.language = language
        self.t = t = translator(language)
        self.problem = ""
        if pathways is None:
            try:
                pathways = district_pathways(language)
            except PdkitError as exc:
                pathways, self.problem = [], message_in(exc, language)
        self.pathways = {p.id: p for p in pathways}
        self.school_goal: str | None = None
        self.chosen: PathwayDefinition | None = None
        self.progress: Progress | None = None
        self.rows: dict[str, _StepRow] = {}
        self._seen: tuple[object, ...] | None = None

        self.intro_html, self.summary_html, self.message = HTML(), HTML(), HTML()
        self.picker = w.Dropdown(
            options=[], description=t("Pathway"), style=_STYLE, layout=_column()
        )
        self.pick_button = w.Button(
            description=t("Follow this pathway"),
            icon="map-signs",
            button_style="primary",
            layout=w.Layout(width="auto"),
        )
        self.pick_button.on_click(lambda _: self.choose(self.picker.value or None))
        self.pick_box = VBox([self.picker, HBox([self.pick_button])], layout=w.Layout())
        self.steps_box = VBox()
        self.widget = VBox(
            [
                HTML(value=f"<h2>{escape(t('My pathway'))}</h2>"),
                self.intro_html,
                self.summary_html,
                self.steps_box,
                self.message,
                self.pick_box,
            ]
        )
        self.widget.add_class("pdkit-pathway")
        self.refresh(force=True)

    # ------------------------------------------------------------------ reading

    def refresh(self, *, force: bool = False) -> None:
        """Read the goal's school goal, the choice and the progress; redraw on change. The
        page polls often: unless ``force``d, this reads at most every ``every`` seconds."""
        if not force and self._clock() - self._read_at < self.every:
            return
        self._read_at = self._clock()
        try:
            goal = self.store.latest(self.pid, GOAL_FORM, viewer=self.pid)
            chosen_id = self.store.pathway_choice(self.pid, viewer=self.pid)
            chosen = self.pathways.get(chosen_id or "")
            found = (
                self.store.pathway_progress(self.pid, chosen, viewer=self.pid)
                if chosen is not None
                else None
            )
        except PdkitError:
            return  # a passing store hiccup: keep what is shown
        school_goal = goal.get(SCHOOL_GOAL_FIELD)
        school_goal = school_goal if isinstance(school_goal, str) and school_goal else None
        key = (
            school_goal,
            chosen_id,
            None
            if found is None
            else tuple((s.status, s.tick.link if s.tick else "") for s in found.steps),
        )
        if key == self._seen:
            return
        rebuild = self.chosen is not chosen or not self.rows
        self._seen, self.school_goal, self.chosen, self.progress = key, school_goal, chosen, found
        self._draw_picker(chosen_id)
        if chosen is None or found is None:
            self.rows = {}
            self.steps_box.children = []
            self.summary_html.value = ""
            return
        if rebuild:
            self.rows = {s.id: _StepRow(self, s) for s in chosen.steps}
            self.steps_box.children = [r.widget for r in self.rows.values()]
        self._draw_progress(found)

    def _draw_picker(self, chosen_id: str | None) -> None:
        t = self.t
        if self.problem:
            self.intro_html.value = para("pdkit-error", self.problem, "alert")
            self.pick_box.layout.display = "none"
            return
        link = escape(home_link(self.page_url, self.token, "goal-setting.ipynb"), quote=True)
        if self.school_goal is None:
            said = escape(
                t(
                    "Choose one of the school goals for your goal first: the pathways are "
                    "made for them."
                )
            )
            go = escape(t("Set your goal"))
            self.intro_html.value = (
                f'<p class="pdkit-empty">{said} <a class="pdkit-goal-link" href="{link}">'
                f"{go}</a></p>"
            )
        elif not any(p.school_goal == self.school_goal for p in self.pathways.values()):
            self.intro_html.value = para(
                "pdkit-empty",
                t(
                    "There is no pathway for your school goal yet: ask your facilitator or "
                    "coach for one, or follow another pathway below."
                ),
            )
        elif chosen_id is None:
            self.intro_html.value = para(
                "pdkit-intro",
                t(
                    "A pathway is a set of steps towards your school goal: some required, "
                    "some you choose. Pick one below."
                ),
            )
        else:
            self.intro_html.value = ""
        if not self.pathways:
            self.pick_box.layout.display = "none"
            return
        offered = fitting(list(self.pathways.values()), self.school_goal)
        options = [(t("(no pathway)"), "")] + [
            (
                p.title + ("" if p.school_goal == self.school_goal else f" ({p.school_goal})"),
                p.id,
            )
            for p in offered
        ]
        if list(self.picker.options) != options:
            self.picker.options = options
        fits = [p.id for p in offered if p.school_goal == self.school_goal]
        self.picker.value = (
            chosen_id if chosen_id in self.pathways else (fits[0] if fits and not chosen_id else "")
        )
        self.pick_button.description = (
            t("Follow this pathway") if chosen_id is None else t("Change my pathway")
        )
        self.pick_box.layout.display = None

    def _draw_progress(self, found: Progress) -> None:
        t = self.t
        pathway = found.pathway
        intro = para("pdkit-intro", pathway.intro) if pathway.intro else ""
        counts = t("Required steps: {done} of {total} done.").format(
            done=found.required_done, total=found.required_total
        )
        if found.min_optional:
            counts += " " + t("Optional steps: {done} done of at least {least}.").format(
                done=found.optional_done, least=found.min_optional
            )
        if found.complete:
            nxt = para(
                "pdkit-ok pdkit-pathway-complete",
                t("Well done: you completed this pathway."),
                "status",
            )
        elif found.next_steps:
            nxt = para(
                "pdkit-next",
                t("Next: {steps}").format(steps="; ".join(s.step.title for s in found.next_steps)),
            )
        else:
            nxt = ""
        self.summary_html.value = (
            f"<h3>{escape(pathway.title)}</h3>{intro}"
            f'<p class="pdkit-pathway-counts" role="status">{escape(counts)}</p>{nxt}'
        )
        titles = {s.id: s.title for s in pathway.steps}
        for state in found.steps:
            row = self.rows.get(state.step.id)
            if row is not None:
                self._draw_step(row, state, titles)

    def _draw_step(self, row: _StepRow, state: StepState, titles: dict[str, str]) -> None:
        t = self.t
        step = state.step
        mark = {DONE: "✓", LOCKED: "🔒"}.get(state.status, "○")
        status = {DONE: t("done"), LOCKED: t("locked")}.get(state.status, t("to do"))
        kind = t("required") if step.required else t("optional")
        parts = [
            f'<p class="pdkit-step-head"><span aria-hidden="true">{mark}</span> '
            f"<strong>{escape(step.title)}</strong> "
            f'<span class="pdkit-step-status">({escape(status)}; {escape(kind)}; '
            f"{escape(t(_TYPE_WORDS.get(step.type, 'Other')))})</span></p>"
        ]
        if step.about:
            parts.append(para("pdkit-step-about", step.about))
        if step.link:
            href = escape(step.link, quote=True)
            parts.append(
                f'<p><a href="{href}" target="_blank" rel="noopener noreferrer">'
                f"{escape(t('Open the resource'))}</a></p>"
            )
        if state.status == LOCKED:
            waits = "; ".join(titles.get(b, b) for b in state.waiting_for)
            parts.append(para("pdkit-step-locked", t("Waits for: {steps}").format(steps=waits)))
        if state.observed:
            said = _OBSERVED_WORDS.get(step.target if step.type == "observation" else step.type)
            if said:
                parts.append(para("pdkit-hint", t(said)))
            if step.type == "workbook" and self.page_url:
                href = escape(
                    home_link(self.page_url, self.token, f"{step.target}.ipynb"), quote=True
                )
                parts.append(
                    f'<p><a class="pdkit-workbook-link" href="{href}">'
                    f"{escape(t('Open the workbook'))}</a></p>"
                )
        elif state.tick is not None and state.tick.done:
            if state.tick.link:
                href = escape(state.tick.link, quote=True)
                parts.append(
                    f'<p class="pdkit-step-tick"><a href="{href}" target="_blank" '
                    f'rel="noopener noreferrer">{escape(state.tick.link)}</a></p>'
                )
            if state.tick.note:
                parts.append(para("pdkit-step-tick", state.tick.note))
        row.html.value = "".join(parts)
        tickable = not state.observed and state.status != LOCKED
        row.inputs.layout.display = None if tickable else "none"
        done = state.status == DONE
        row.link.layout.display = row.note.layout.display = "none" if done else None
        row.button.description = t("Not done after all") if done else t("Mark as done")
        row.button.button_style = "" if done else "success"

    # ------------------------------------------------------------------ actions

    def choose(self, pathway_id: str | None) -> bool:
        """Follow ``pathway_id`` (None or "": none); whether it was kept."""
        try:
            self.store.choose_pathway(self.pid, pathway_id or None, by=self.pid)
        except PdkitError as exc:
            self.message.value = para("pdkit-error", message_in(exc, self.language), "alert")
            return False
        self.message.value = para(
            "pdkit-ok",
            self.t("You follow this pathway now.")
            if pathway_id
            else self.t("You follow no pathway now."),
            "status",
        )
        self.refresh(force=True)
        return True

    def toggle(self, step_id: str) -> bool:
        """Tick the step (with the link and note typed) or, if done, untick it."""
        if self.chosen is None or self.progress is None:
            return False
        row = self.rows[step_id]
        done = not self.progress.state(step_id).done
        try:
            self.store.tick_step(
                self.pid,
                self.chosen,
                step_id,
                done=done,
                link=row.link.value if done else "",
                note=row.note.value if done else "",
                by=self.pid,
            )
        except PdkitError as exc:  # what was typed stays in the boxes
            self.message.value = para("pdkit-error", message_in(exc, self.language), "alert")
            return False
        if done:
            row.link.value = row.note.value = ""
        self.message.value = para(
            "pdkit-ok",
            self.t("Marked as done.") if done else self.t("Marked as not done."),
            "status",
        )
        self.refresh(force=True)
        return True


def mygoal_pathway(
    store: Store, teacher_id: str, language: str | None, page_url: str, token: str | None
) -> PathwayPanel:
    """The pathway section of "My goal"."""
    return PathwayPanel(store, teacher_id, language=language, page_url=page_url, token=token)
