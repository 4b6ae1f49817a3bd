"""A form built from a definition: labels, help, limits, gentle checks, autosave."""

from __future__ import annotations

import atexit
import time
import weakref
from collections.abc import Callable
from html import escape
from typing import Protocol

import ipywidgets as w

from .._clock import now
from ..definitions import FormDefinition
from ..errors import DefinitionError, PdkitError
from ..hints import Hint, goal_hints
from ..i18n import N_, translator
from ..store import JSONValue, Store
from ._controls import FieldControl, build_control
from ._lean import HTML, Button, HBox, VBox
from ._measure import measure_hint_html
from ._safekeeping import Safekeeper
from ._timing import Handle, Scheduler, call_later
from ._visibility import VisibilityPicker

__all__ = ["AnswerSink", "FormAnswers", "FormView", "save_waiting"]


class AnswerSink(Protocol):
    """Where a form's answers come from and go to (a form's answers, a step's notes …).
    ``scope`` names it among a page's forms (``form:<id>``; the keys of kept typing
    start with it, :mod:`._safekeeping`)."""

    @property
    def scope(self) -> str: ...

    def load(self) -> dict[str, JSONValue]: ...

    def save(self, changes: dict[str, JSONValue]) -> None: ...


class FormAnswers:
    """A participant's answers to a form, in the store's response log."""

    def __init__(self, store: Store, participant_id: str, definition: FormDefinition) -> None:
        if definition.anonymous:  # its answers must never be a participant's responses
            raise DefinitionError(
                N_(
                    "{form!r} is anonymous: it is answered with an evaluation "
                    "(pdkit.widgets._evaluation.EvaluationForm), never as a participant's form"
                ),
                file=definition.source,
                form=definition.id,
            )
        self.store = store
        self.participant_id = participant_id
        self.definition = definition
        self.scope = f"form:{definition.id}"

    def load(self) -> dict[str, JSONValue]:
        return self.store.latest(
            self.participant_id, self.definition.id, viewer=self.participant_id
        )

    def save(self, changes: dict[str, JSONValue]) -> None:
        self.store.record(
            self.participant_id,
            self.definition.id,
            changes,
            spec_version=self.definition.spec_version,
        )


class _NoOne:
    """The answers of a form built for no one yet (:meth:`FormView.bind` replaces it):
    none, and nowhere to save them."""

    def __init__(self, definition: FormDefinition) -> None:
        self.scope = f"form:{definition.id}"

    def load(self) -> dict[str, JSONValue]:
        return {}

    def save(self, changes: dict[str, JSONValue]) -> None:
        raise PdkitError(N_("no one is signed in: there is nowhere to save these answers"))


class FormView:
    """The widgets of one form for one participant, bound to a store.

    Answers restore from the store when the view is built. Any change is saved at
    most ``autosave_delay`` seconds later (the first change of a burst starts the
    clock, so continuous typing still saves about once a second); Save saves now.
    Only fields whose value differs from what the store holds are written, each as
    one event, all in one transaction. ``sink`` replaces the store as the place
    answers are read from and written to (protocol notes use it).

    A definition with ``mode: sequence`` (a reflection) shows one prompt at a time
    with Back and Next; every prompt still autosaves. With ``sharing`` the form also
    asks "Who can see this?" (:class:`VisibilityPicker`, ``visibility``) and says who can.

    With ``participant_id=None`` the form is built for no one yet (before anyone signed
    in, in a pre-heated kernel: a page's widgets then reach the browser in one message,
    not one each at Join); :meth:`bind` then fills it in for whoever signed in.
    """

    def __init__(
        self,
        definition: FormDefinition,
        *,
        store: Store,
        participant_id: str | None,
        sink: AnswerSink | None = None,
        autosave_delay: float = 1.0,
        schedule: Scheduler = call_later,
        clock: Callable[[], float] = now,
        show_title: bool = True,
        language: str | None = None,
        sharing: bool = False,
        keeper: Safekeeper | None = None,
    ) -> None:
        self.definition = definition
        self.language = language
        self.t = t = translator(language)
        self.store = store
        self.participant_id = participant_id
        self.sink: AnswerSink = sink or (
            FormAnswers(store, participant_id, definition)
            if participant_id is not None
            else _NoOne(definition)
        )
        self._binding = False
        self.autosave_delay = autosave_delay
        self._schedule = schedule
        self._clock = clock
        self._pending: Handle | None = None
        self._scheduled = False
        self.last_saved_at: float | None = None
        self.last_error: str | None = None

        self.controls: dict[str, FieldControl] = {
            f.id: build_control(f, language) for f in definition.fields
        }
        self._hints: dict[str, w.HTML] = {}
        self.measure_hint = HTML() if {"baseline", "target"} <= self.controls.keys() else None
        self.restore_problems: list[str] = []
        self._saved = self._restore()

        self.save_button = Button(
            description=t("Save"),
            icon="check",
            button_style="primary",
            tooltip=t("Save my answers now (they also save as you type)"),
        )
        self.save_button.on_click(lambda _: self.save())
        self.status = HTML(value=self._status_html(t("Your answers save as you type."), "idle"))
        self.missing = HTML()
        for control in self.controls.values():
            control.observe(self._on_change)
        self._refresh_guidance()
        self.boxes: dict[str, w.VBox] = {}
        self.position = 0
        # Back, Next and the progress only where prompts come one at a time (every widget
        # is a message through the server when a room's pages are built at once).
        self.back_button: w.Button
        self.next_button: w.Button
        self.progress: w.HTML
        if self.sequential:
            self.back_button = Button(
                description=t("Back"), icon="arrow-left", tooltip=t("The previous prompt")
            )
            self.next_button = Button(
                description=t("Next"), icon="arrow-right", tooltip=t("The next prompt")
            )
            self.back_button.on_click(lambda _: self.show(self.position - 1))
            self.next_button.on_click(lambda _: self.show(self.position + 1))
            self.progress = HTML()
        self.keeper = keeper
        if keeper is not None:
            for field_id, control in self.controls.items():
                control.keep_as(f"{self.sink.scope}:{field_id}")
            if participant_id is not None:
                keeper.attach(self.sink.scope, self)
        self.visibility = (
            VisibilityPicker(store, participant_id, definition.id, language=language)
            if sharing
            else None
        )
        self.widget = self._layout(show_title)
        if self.sequential:
            self.show(0)

    @property
    def sequential(self) -> bool:
        """True when prompts are shown one at a time (``mode: sequence``)."""
        return self.definition.mode == "sequence" and len(self.definition.fields) > 1

    def show(self, index: int) -> None:
        """Show prompt ``index`` alone (sequence mode); saves what was typed first."""
        if not self.sequential:
            return
        count = len(self.definition.fields)
        self.position = max(0, min(index, count - 1))
        if self.unsaved():
            self.save()
        for number, field in enumerate(self.definition.fields):
            self.boxes[field.id].layout.display = "flex" if number == self.position else "none"
        self.back_button.disabled = self.position == 0
        self.next_button.disabled = self.position == count - 1
        self.progress.value = (
            '<span class="pdkit-progress">'
            + escape(
                self.t("Prompt {index} of {count}").format(index=self.position + 1, count=count)
            )
            + "</span>"
        )

    # ------------------------------------------------------------------ public

    def bind(self, participant_id: str) -> None:
        """Fill in this form, built for no one yet, for ``participant_id``: their saved
        answers restored, their "Who can see this?", their typing kept by the page.
        Nothing is saved by this (a form is bound once, before anyone can type in it)."""
        if self.participant_id is not None:
            raise ValueError(f"this form is {self.participant_id!r}'s already")
        sink = FormAnswers(self.store, participant_id, self.definition)
        answers = sink.load()  # a store that does not answer: the form stays no one's
        if self.visibility is not None:
            self.visibility.bind(participant_id)
        self._binding = True  # restored answers are not typing: no autosave
        try:
            self.sink = sink
            self.restore_problems = []
            self._saved = self._restore(answers)
        finally:
            self._binding = False
        self.participant_id = participant_id
        self._refresh_guidance()
        if self.keeper is not None:
            self.keeper.attach(self.sink.scope, self)

    def kept_texts(self) -> dict[str, str]:
        """What is typed in each of the form's inputs, by the key the page keeps it under."""
        return {
            f"{self.sink.scope}:{field_id}{suffix}": text
            for field_id, control in self.controls.items()
            for suffix, text in control.kept_texts().items()
        }

    def put_kept(self, key: str, text: str) -> bool:
        """Put text the page kept back into its input (as typing would: it autosaves);
        whether that changed the form."""
        base, hash_, row = key.removeprefix(f"{self.sink.scope}:").partition("#")
        control = self.controls.get(base)
        if control is None:
            return False
        before = control.value
        control.put_kept(hash_ + row, text)
        return bool(control.value != before)

    def field(self, field_id: str) -> FieldControl:
        """The control of one field (``.value`` reads and writes its answer)."""
        self.definition.field(field_id)  # a clear KeyError for unknown ids
        return self.controls[field_id]

    def values(self) -> dict[str, JSONValue]:
        """Every field's current answer, as the widgets show it."""
        return {fid: c.value for fid, c in self.controls.items()}

    def as_new_version(self) -> None:
        """Count every answer shown as not yet saved, so the next save writes them all:
        a new check-in starts from the last one's answers, and saving it unchanged is
        still a check-in (the store then holds a whole version, not a few fields)."""
        self._saved = {}

    def unsaved(self) -> dict[str, JSONValue]:
        """The answers that differ from what the store holds."""
        return {fid: v for fid, v in self.values().items() if v != self._saved.get(fid)}

    def save(self) -> int:
        """Save every changed answer now; returns how many events were written.

        On a store error nothing is lost: the answers stay in the widgets, the
        status says what happened, and the next change or click tries again.
        """
        self._cancel_pending()
        changes = self.unsaved()
        if changes:
            try:
                self.sink.save(changes)
            except PdkitError as exc:
                self.last_error = str(exc)
                self.status.value = self._status_html(
                    self.t(
                        "Not saved yet: the answer store did not respond. Your text is still "
                        "here; select Save to try again."
                    ),
                    "error",
                    detail=str(exc),
                )
                return 0
            self._saved.update(changes)
        if self.keeper is not None:
            self.keeper.acknowledge(self.kept_texts())  # the store holds them now
        self.last_error = None
        self.last_saved_at = self._clock()
        stamp = time.strftime("%H:%M", time.localtime(self.last_saved_at))
        self.status.value = self._status_html(self.t("Saved at {time}").format(time=stamp), "saved")
        return len(changes)

    # ------------------------------------------------------------------ internals

    def _restore(self, answers: dict[str, JSONValue] | None = None) -> dict[str, JSONValue]:
        saved = {fid: c.value for fid, c in self.controls.items()}  # empty answers
        for fid, value in (self.sink.load() if answers is None else answers).items():
            control = self.controls.get(fid)
            if control is None:
                continue  # a field the definition no longer has: kept in the store's history
            try:
                control.restore(value)
            except (ValueError, TypeError) as exc:
                self.restore_problems.append(f"{fid}: {exc}")
                continue
            saved[fid] = control.value
        return saved

    def _on_change(self, control: FieldControl) -> None:
        if self._binding:
            return
        self._refresh_guidance(control.field.id)
        if self.unsaved():
            self.status.value = self._status_html(self.t("Saving…"), "pending")
            if not self._scheduled:
                self._scheduled = True
                _WAITING.add(self)
                self._pending = self._schedule(self.autosave_delay, self._autosave)

    def _autosave(self) -> None:
        self._scheduled = False
        self._pending = None
        _WAITING.discard(self)
        self.save()

    def _cancel_pending(self) -> None:
        if self._pending is not None:
            self._pending.cancel()
        self._pending = None
        self._scheduled = False
        _WAITING.discard(self)

    def _refresh_guidance(self, field_id: str | None = None) -> None:
        for field in self.definition.fields:
            if field.hints and field_id in (None, field.id):
                text = str(self.controls[field.id].value or "")
                hints = goal_hints(text, field.hints, self.language)
                shown = _hints_html(hints, self.t) if text.strip() else ""
                hint = self._hints.get(field.id)
                if hint is None:  # (made once: a widget made per keystroke is a message)
                    hint = self._hints[field.id] = HTML()
                hint.value = shown
        if self.measure_hint is not None:  # half a measure: a hint, not a refusal
            self.measure_hint.value = measure_hint_html(self.values(), self.t)
        missing = [
            f.label
            for f in self.definition.fields
            if f.required and self.controls[f.id].value in (None, "", [])
        ]
        self.missing.value = (
            f'<p class="pdkit-missing">{escape(self.t("Still to answer:"))} '
            + ", ".join(f"<em>{escape(label)}</em>" for label in missing)
            + "</p>"
            if missing
            else ""
        )

    @staticmethod
    def _status_html(text: str, state: str, detail: str = "") -> str:
        title = f' title="{escape(detail, quote=True)}"' if detail else ""
        return (
            f'<div class="pdkit-status pdkit-status-{state}" role="status" aria-live="polite"'
            f"{title}>{escape(text)}</div>"
        )

    def _layout(self, show_title: bool) -> w.VBox:
        parts: list[w.Widget] = []
        if show_title:
            parts.append(HTML(value=f"<h2>{escape(self.definition.title)}</h2>"))
        if self.definition.intro:
            parts.append(HTML(value=f'<p class="pdkit-intro">{escape(self.definition.intro)}</p>'))
        for field in self.definition.fields:
            control = self.controls[field.id]
            pieces: list[w.Widget] = [control.widget]
            if field.help:
                help_box = HTML(  # shown under the label (pdkit.css)
                    value=f'<div class="pdkit-help">{escape(field.help)}</div>',
                    _dom_classes=("pdkit-help-box",),
                )
                pieces.append(help_box)
            pieces.append(control.notice)
            if field.id in self._hints:
                pieces.append(self._hints[field.id])
            if field.id == "target" and self.measure_hint is not None:
                pieces.append(self.measure_hint)
            # Shown and hidden one at a time (a sequence): its own layout; else the shared one.
            # (classes given at construction go out with the model, not as more messages)
            classes = ("pdkit-field", f"pdkit-field-{field.type}")
            box = (
                VBox(pieces, layout=w.Layout(), _dom_classes=classes)
                if self.sequential
                else VBox(pieces, _dom_classes=classes)
            )
            self.boxes[field.id] = box
            parts.append(box)
        if self.sequential:
            nav = HBox(
                [self.back_button, self.progress, self.next_button], _dom_classes=("pdkit-nav",)
            )
            parts.append(nav)
        footer = HBox([self.save_button, self.status], _dom_classes=("pdkit-footer",))
        parts.append(self.missing)
        if self.visibility is not None:  # who can see the answers, asked before Save
            parts.append(self.visibility.widget)
        parts.append(footer)
        return VBox(parts, _dom_classes=("pdkit-form",))


def _hints_html(hints: list[Hint], t: Callable[[str], str]) -> str:
    open_hints = [h for h in hints if not h.met]
    if not open_hints:
        met = escape(t("✓ Clear and checkable — nice."))
        return f'<div class="pdkit-hints pdkit-hints-met">{met}</div>'
    items = "".join(f"<li>{escape(h.suggestion)}</li>" for h in open_hints)
    return (
        f'<div class="pdkit-hints" aria-live="polite"><span>{escape(t("Suggestions (optional):"))}'
        f"</span><ul>{items}</ul></div>"
    )


_WAITING: weakref.WeakSet[FormView] = weakref.WeakSet()
"""The forms of this process whose changes wait for their autosave."""


def save_waiting() -> int:
    """Save now every change still waiting for its autosave; returns how many forms saved.

    Runs when the process exits (``atexit``): under ``pdkit serve`` a page that closes
    stops its kernel at once, and what was typed in the last second before would otherwise
    go with it. (A kernel stopped by the culler has been idle for seconds: nothing waits.)
    """
    saved = 0
    for view in list(_WAITING):
        view.save()
        saved += 1
    return saved


atexit.register(save_waiting)
