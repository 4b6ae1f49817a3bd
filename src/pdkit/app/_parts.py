"""The sections of a participant's workbook, each built once someone is signed in: a form,
reflections to choose from, the protocol runner, peer feedback."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol, TypeVar

import ipywidgets as w

from ..definitions import FormDefinition
from ..definitions.ids import CHECKIN_FORM, GOAL_FORM
from ..errors import PdkitError
from ..i18n import translator
from ..store import DEFAULT_SESSION, Participant, Store
from ..widgets import (
    FeedbackToRevision,
    FormView,
    PeerFeedback,
    Safekeeper,
    VBox,
)
from ..widgets._measure import measured_checkin

if TYPE_CHECKING:
    from ..widgets._evidence import EvidenceLog
    from ..widgets._runner import ProtocolRunner

__all__ = [
    "FeedbackPart",
    "FormPart",
    "Localized",
    "Part",
    "ReflectionsPart",
    "RunnerPart",
    "fixed",
]

T = TypeVar("T")

Localized = Callable[[str | None, str], T]
"""A definition (or list of them) for a language and a session: parts build in the
page's language, with the school goals of the participant's session."""


def fixed(value: T) -> Localized[T]:
    """The same definition whatever the language and session."""

    def same(_language: str | None, _session: str = DEFAULT_SESSION) -> T:
        return value

    return same


class Part(Protocol):
    """One section of a participant's workbook, built once someone is signed in."""

    def build(
        self,
        participant: Participant,
        language: str | None = None,
        keeper: Safekeeper | None = None,
    ) -> w.Widget:
        """The section's widgets for ``participant``, in ``language``; what the participant
        types is kept by ``keeper`` until the store has it."""
        ...

    def flush(self) -> None:
        """Save what is typed and not saved yet, now."""
        ...

    def leave(self) -> None:
        """The participant signs out: save what is unsaved."""
        ...


class FormPart:
    """A form (or one reflection): the participant's answers, restored and autosaved,
    and who can see them (private until the teacher shares them)."""

    def __init__(self, store: Store, definition: Localized[FormDefinition]) -> None:
        self.store = store
        self.definition = definition
        self.form: FormView | None = None
        self._prepared: FormView | None = None  # built for no one (its language and keeper)
        self.panel: FeedbackToRevision | None = None  # under the goal: feedback on it
        # the goal's feedback panel and the box of both, made ahead with it
        self._ahead: tuple[FeedbackToRevision, w.VBox] | None = None

    def prepare(self, language: str | None = None, keeper: Safekeeper | None = None) -> None:
        """Build the form for no one yet, in ``language`` and the default session's school
        goals: in a pre-heated kernel this happens before the page is even asked for, so
        that the page's widgets reach the browser at once and Join only fills them in
        (:meth:`build` uses it when the participant's language, session and form match).
        The check-in is not built ahead: its questions follow the participant's goal."""
        try:
            definition = self.definition(language, DEFAULT_SESSION)
            if definition.id == CHECKIN_FORM:
                return
            self._prepared = FormView(
                definition,
                store=self.store,
                participant_id=None,
                language=language,
                sharing=True,
                keeper=keeper,
            )
            if definition.id == GOAL_FORM:
                panel = FeedbackToRevision(self.store, None, language=language)
                self._ahead = (panel, VBox([self._prepared.widget, panel.widget]))
        except PdkitError:
            return  # said when the participant's form is built (the same error, then)

    def build(
        self,
        participant: Participant,
        language: str | None = None,
        keeper: Safekeeper | None = None,
    ) -> w.Widget:
        prepared, self._prepared = self._prepared, None
        ahead, self._ahead = self._ahead, None
        if prepared is not None and (prepared.language, prepared.keeper) != (language, keeper):
            prepared = None  # built for another language (it stays unshown, see below)
        if prepared is not None and participant.session == DEFAULT_SESSION:
            made = prepared.definition  # read when the kernel started, as the rest was
        else:
            made = self.definition(language, participant.session)
        definition = measured_checkin(self.store, participant.id, made, language)
        if prepared is not None and prepared.definition == definition:
            prepared.bind(participant.id)
            self.form = prepared
        else:  # (one built for another language or session stays unshown: closing
            # its widgets would be a message each, the cost building ahead saves)
            self.form = FormView(
                definition,
                store=self.store,
                participant_id=participant.id,
                language=language,
                sharing=True,
                keeper=keeper,
            )
        if definition.id != GOAL_FORM:
            return self.form.widget
        # The goal: with the feedback colleagues gave on it, to say what a revision answers.
        if ahead is not None and self.form is prepared:
            self.panel, both = ahead
            self.panel.bind(participant.id)  # a newcomer's: nothing on the page changes
            return both
        self.panel = FeedbackToRevision(self.store, participant.id, language=language)
        return VBox([self.form.widget, self.panel.widget])

    def flush(self) -> None:
        if self.form is not None:
            self.form.save()

    def leave(self) -> None:
        self.flush()
        self.form = None
        if self.panel is not None:  # (it read the store every 10 s, for a page gone)
            self.panel.stop_polling()
        self.panel = None


class ReflectionsPart:
    """Reflections to choose from, each a sequence of autosaved prompts."""

    def __init__(self, store: Store, reflections: Localized[list[FormDefinition]]) -> None:
        self.store = store
        self.reflections_for = reflections
        self.language: str | None = None
        self.reflections = {r.id: r for r in reflections(None, DEFAULT_SESSION)}
        self.form: FormView | None = None
        self.evidence: EvidenceLog | None = None  # on the check-in's page, for a teacher
        self.participant: Participant | None = None
        self.keeper: Safekeeper | None = None
        self.choice = w.ToggleButtons(
            options=[(r.title, r.id) for r in self.reflections.values()],
            description="Reflection",
            style={"description_width": "initial", "button_width": "auto"},
        )
        self.box = VBox()
        self.choice.observe(lambda _: self._open(), names="value")

    def build(
        self,
        participant: Participant,
        language: str | None = None,
        keeper: Safekeeper | None = None,
    ) -> w.Widget:
        t = translator(language)
        if language != self.language:
            self.language = language
            self.reflections = {
                r.id: r for r in self.reflections_for(language, participant.session)
            }
            current = self.choice.value
            with self.choice.hold_trait_notifications():
                self.choice.options = [(r.title, r.id) for r in self.reflections.values()]
                self.choice.value = current
            self.choice.description = t("Reflection")
        self.participant = participant
        self.keeper = keeper
        self._open()
        parts: list[w.Widget] = [self.box]
        if len(self.reflections) > 1:
            parts.insert(0, self.choice)
        return VBox(parts)

    def _open(self) -> None:
        if self.participant is None:
            return
        self.leave_form()
        self.form = FormView(
            measured_checkin(
                self.store, self.participant.id, self.reflections[self.choice.value], self.language
            ),
            store=self.store,
            participant_id=self.participant.id,
            language=self.language,
            sharing=True,
            keeper=self.keeper,
        )
        self.box.children = [self.form.widget]
        if self.choice.value == CHECKIN_FORM and self.participant.role == "teacher":
            from ..widgets._evidence import LATEST, EvidenceLog  # the check-in's page only

            self.evidence = log = EvidenceLog(
                self.store,
                self.participant.id,
                self.participant.id,
                language=self.language,
                attach=LATEST,
                before_add=self.flush,
                keeper=self.keeper,
            )
            self.box.children = [self.form.widget, log.widget]

    def flush(self) -> None:
        if self.form is not None:
            self.form.save()

    def leave_form(self) -> None:
        self.flush()
        if self.evidence is not None and self.keeper is not None:
            self.keeper.detach(self.evidence.scope)
        self.evidence = None
        if self.form is not None and self.keeper is not None:
            self.keeper.detach(self.form.sink.scope)
        self.form = None

    def leave(self) -> None:
        self.leave_form()
        self.participant = None


class RunnerPart:
    """The protocol runner of the participant's group."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.runner: ProtocolRunner | None = None

    def build(
        self,
        participant: Participant,
        language: str | None = None,
        keeper: Safekeeper | None = None,
    ) -> w.Widget:
        # (imported here: a workbook without a protocol never loads the runner)
        from ..widgets._runner import NOTES_AFTER, ProtocolRunner

        self.runner = ProtocolRunner(
            self.store, participant, keeper=keeper, language=language, notes_after=NOTES_AFTER
        )
        return self.runner.widget

    def flush(self) -> None:
        if self.runner is not None and self.runner.notes is not None:
            self.runner.notes.save()

    def leave(self) -> None:
        self.flush()
        if self.runner is not None:
            self.runner.stop()
        self.runner = None


class FeedbackPart:
    """Peer feedback on the goal: the group's shared goals, feedback given and received,
    and the versions of one's own goal."""

    def __init__(self, store: Store, definition: Localized[FormDefinition]) -> None:
        self.store = store
        self.definition = definition
        self.page: PeerFeedback | None = None

    def build(
        self,
        participant: Participant,
        language: str | None = None,
        keeper: Safekeeper | None = None,
    ) -> w.Widget:
        self.page = PeerFeedback(
            self.store,
            participant,
            self.definition(language, participant.session),
            language=language,
            keeper=keeper,
        )
        return self.page.widget

    def flush(self) -> None:
        """Feedback is sent, not saved as it is typed: nothing to save."""

    def leave(self) -> None:
        if self.page is not None:
            self.page.stop_polling()
        self.page = None
