"""The session evaluation as a part of a teacher's workbook or day (an ``evaluation``
section, or the agenda's ``evaluation`` part): answered once, anonymously
(:class:`pdkit.widgets._evaluation.EvaluationForm`)."""

from __future__ import annotations

import ipywidgets as w

from ..definitions import FormDefinition
from ..store import Participant, Store
from ..widgets import Safekeeper
from ..widgets._evaluation import EvaluationForm
from ._parts import Localized

__all__ = ["EvaluationPart"]


class EvaluationPart:
    """The session evaluation of the participant's session (see the module docs)."""

    def __init__(self, store: Store, definition: Localized[FormDefinition]) -> None:
        self.store = store
        self.definition = definition
        self.evaluation: EvaluationForm | None = None
        self._keeper: Safekeeper | None = None

    def build(
        self,
        participant: Participant,
        language: str | None = None,
        keeper: Safekeeper | None = None,
    ) -> w.Widget:
        self.leave()
        self._keeper = keeper
        self.evaluation = EvaluationForm(
            self.definition(language, participant.session),
            store=self.store,
            participant_id=participant.id,
            session=participant.session,
            language=language,
            keeper=keeper,
        )
        return self.evaluation.widget

    def flush(self) -> None:
        """Nothing saves by itself: the teacher sends the answers (typing stays kept by
        the page until then)."""

    def leave(self) -> None:
        if self.evaluation is not None and self._keeper is not None:
            self._keeper.detach(self.evaluation.scope)
        self.evaluation = None
