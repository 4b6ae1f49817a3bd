"""The session evaluation for a teacher: a short form sent once, anonymously
(:class:`EvaluationForm`), and what the facilitator's dashboard shows of it
(:func:`evaluation_summary_html`).

Nothing here autosaves: the answers reach the store only when the teacher sends them,
as one anonymous sheet (:meth:`pdkit.store.Store.submit_evaluation`), never through the
ordinary answers. The page keeps what is typed in the open question only until it is
sent (:mod:`._safekeeping`), then forgets it. Nothing here logs an answer. After
sending, and on every later visit, the form says "Thank you" and shows no answers.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

import ipywidgets as w

from ..definitions import FormDefinition
from ..errors import AlreadyAnsweredError, PdkitError
from ..i18n import translator
from ..store import EvaluationSheet, EvaluationStore, JSONValue
from ..suppression import K, cell, suppressed_note
from ._controls import FieldControl, build_control
from ._lean import HTML, VBox
from ._safekeeping import Safekeeper

__all__ = [
    "EvaluationForm",
    "evaluation_distributions",
    "evaluation_rows",
    "evaluation_summary_html",
]


class EvaluationForm:
    """The session evaluation for one participant (see the module docs)."""

    def __init__(
        self,
        definition: FormDefinition,
        *,
        store: EvaluationStore,
        participant_id: str,
        session: str,
        language: str | None = None,
        keeper: Safekeeper | None = None,
    ) -> None:
        self.definition = definition
        self.store = store
        self.participant_id = participant_id
        self.session = session
        self.t = t = translator(language)
        self.scope = f"evaluation:{definition.id}"
        self.keeper = keeper
        self.done = store.has_evaluated(participant_id, definition.id, session=session)
        self.controls: dict[str, FieldControl] = {
            f.id: build_control(f, language) for f in definition.fields
        }
        self.submit_button = w.Button(
            description=t("Send my answers"),
            icon="paper-plane",
            button_style="primary",
            tooltip=t("Send your anonymous answers (once)"),
        )
        self.submit_button.on_click(lambda _: self.submit())
        self.status = HTML()
        intro = f'<p class="pdkit-intro">{escape(definition.intro)}</p>' if definition.intro else ""
        self.header = HTML(value=f"<h3>{escape(definition.title)}</h3>{intro}")
        self.body = VBox([c.widget for c in self.controls.values()] + [self.submit_button])
        self.widget = VBox([self.header, self.body, self.status])
        self.widget.add_class("pdkit-evaluation")
        if self.done:
            self._thank()
        elif keeper is not None:
            for field_id, control in self.controls.items():
                control.keep_as(f"{self.scope}:{field_id}")
            keeper.attach(self.scope, self)

    # ------------------------------------------------------------------ the keeper's side

    def kept_texts(self) -> dict[str, str]:
        """What is typed in the form's inputs, by key (nothing once sent)."""
        if self.done:
            return {}
        return {
            f"{self.scope}:{field_id}{suffix}": text
            for field_id, control in self.controls.items()
            for suffix, text in control.kept_texts().items()
        }

    def put_kept(self, key: str, text: str) -> bool:
        """Put text the page kept back into its input (not once sent)."""
        if self.done:
            return False
        base, hash_, row = key.removeprefix(f"{self.scope}:").partition("#")
        control = self.controls.get(base)
        if control is None:
            return False
        before = control.value
        control.put_kept(hash_ + row, text)
        return bool(control.value != before)

    def save(self) -> int:
        """Nothing saves by itself: only :meth:`submit`, the teacher's click, sends."""
        return 0

    # ------------------------------------------------------------------ sending

    def answers(self) -> dict[str, JSONValue]:
        """The answers given (empty ones left out)."""
        return {
            field_id: value
            for field_id, control in self.controls.items()
            if (value := control.value) not in (None, "", [])
        }

    def submit(self) -> bool:
        """Send the answers as one anonymous sheet; whether they are now sent."""
        if self.done:
            return True
        answers = self.answers()
        if not answers:
            self._say(self.t("Answer at least one question before sending."), "error")
            return False
        try:
            self.store.submit_evaluation(
                self.participant_id,
                self.definition.id,
                answers,
                session=self.session,
                spec_version=self.definition.spec_version,
            )
        except AlreadyAnsweredError:
            pass  # sent from another tab meanwhile: it counts once
        except PdkitError as exc:
            self._say(
                self.t(
                    "Not sent yet: the answer store did not respond. Your answers are still "
                    "here; select Send to try again."
                ),
                "error",
                detail=str(exc),
            )
            return False
        kept = self.kept_texts()
        self.done = True
        if self.keeper is not None:
            self.keeper.forget(list(kept))  # the browser keeps none of it any more
            self.keeper.detach(self.scope)
        self._thank()
        return True

    def _thank(self) -> None:
        self.body.children = []
        for control in self.controls.values():
            _close(control.widget)  # the page holds no copy of the answers either
        self._say(
            self.t(
                "Thank you: your answers are in. They are anonymous, so they cannot be changed now."
            ),
            "saved",
        )

    def _say(self, text: str, state: str, detail: str = "") -> None:
        role = "alert" if state == "error" else "status"
        title = f' title="{escape(detail, quote=True)}"' if detail else ""
        self.status.value = (
            f'<p class="pdkit-status pdkit-{state}" role="{role}"{title}>{escape(text)}</p>'
        )


def _close(widget: w.Widget) -> None:
    for child in getattr(widget, "children", ()):
        _close(child)
    widget.close()


# ---------------------------------------------------------------------- the summary


def evaluation_distributions(
    definition: FormDefinition, sheets: Sequence[EvaluationSheet]
) -> dict[str, dict[JSONValue, int]]:
    """For each scale or choice question: how many chose each option, in the options'
    order (answers to older versions' options are counted too)."""
    found: dict[str, dict[JSONValue, int]] = {}
    for field in definition.fields:
        if not field.options:
            continue
        counts: dict[JSONValue, int] = {o.value: 0 for o in field.options}
        for sheet in sheets:
            value = sheet.answers.get(field.id)
            if isinstance(value, (str, int, float)) and not isinstance(value, bool):
                counts[value] = counts.get(value, 0) + 1
        found[field.id] = counts
    return found


def evaluation_summary_html(
    definition: FormDefinition,
    count: int,
    sheets: Sequence[EvaluationSheet],
    language: str | None = None,
) -> str:
    """ "Session evaluation: N answered" and, from :data:`K` answers, how many chose each
    option of each scale question (open answers are in the session tables, not here)."""
    t = translator(language)
    head = (
        f'<h3 class="pdkit-evaluation-count">'
        f"{escape(t('Session evaluation: {count} answered').format(count=count))}</h3>"
    )
    if cell(count, count).suppressed or len(sheets) < K:
        note = suppressed_note(t)
        return f'{head}<p class="pdkit-suppressed">{escape(note)}</p>'
    rows = []
    for field_id, counts in evaluation_distributions(definition, sheets).items():
        field = definition.field(field_id)
        labels: Mapping[JSONValue, str] = {o.value: o.label for o in field.options}
        parts = ", ".join(
            f"{escape(str(labels.get(value, value)))}: {n}" for value, n in counts.items()
        )
        rows.append(f"<li><strong>{escape(field.label)}</strong> {parts}</li>")
    return f'{head}<ul class="pdkit-evaluation-summary">{"".join(rows)}</ul>'


def evaluation_rows(
    definition: FormDefinition, count: int, sheets: Sequence[EvaluationSheet]
) -> list[dict[str, Any]]:
    """The evaluation as tidy rows (question, answer, label, count, note): first how many
    answered, then for each scale or choice question how many chose each option, then
    the open answers one per row in a random order. Below :data:`K` answers every
    question has one row whose count is None and whose note says why (the suppression
    of :mod:`pdkit.suppression`)."""
    rows: list[dict[str, Any]] = [
        {"question": "respondents", "answer": "", "label": "", "count": count, "note": ""}
    ]
    shown = not cell(count, count).suppressed and len(sheets) >= K
    distributions = evaluation_distributions(definition, sheets) if shown else {}
    for field in definition.fields:
        if not shown:
            note = suppressed_note()
            rows.append(
                {"question": field.id, "answer": "", "label": "", "count": None, "note": note}
            )
        elif field.id in distributions:
            labels = {o.value: o.label for o in field.options}
            for value, n in distributions[field.id].items():
                rows.append(
                    {
                        "question": field.id,
                        "answer": str(value),
                        "label": str(labels.get(value, value)),
                        "count": n,
                        "note": "",
                    }
                )
        else:
            texts = [
                str(text)
                for sheet in sheets
                if (text := sheet.answers.get(field.id)) not in (None, "", [])
            ]
            _RANDOM.shuffle(texts)  # the store's order says nothing; neither does this
            rows.extend(
                {"question": field.id, "answer": text, "label": "", "count": 1, "note": ""}
                for text in texts
            )
    return rows


_RANDOM = random.SystemRandom()
