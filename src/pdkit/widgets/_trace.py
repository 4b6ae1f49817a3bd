"""Feedback → revision: the teacher says which feedback on their goal their revision
answers, and sees which version answered what.

The feedback comes from colleagues (protocol rounds, the peer-feedback page). Ticking
"My revision answers this" records when (the store's ``answered_at``); the version it
belongs to follows from the one versions rule (:func:`pdkit.revisions.answered_in`), so
the teacher's page and the coach's show the same trace.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from html import escape

import ipywidgets as w

from ..definitions.ids import GOAL_FORM
from ..errors import PdkitError
from ..i18n import translator
from ..revisions import Version, answered_in, versions
from ..store import Feedback, Store, display_names
from ._feedback import feedback_categories
from ._lean import HTML, VBox
from ._timing import repeat_every

__all__ = ["FeedbackToRevision", "trace_html"]


def _category(category: str, t: Callable[[str], str] = str) -> str:
    return t(dict(feedback_categories(None)).get(category) or category.capitalize())


def trace_html(
    found: Sequence[Version],
    answered: Sequence[Feedback],
    names: Mapping[str, str] | None = None,
    t: Callable[[str], str] = str,
) -> str:
    """Which version answered which feedback, newest version first (HTML, escaped); the
    givers' ``names`` (id → name) only in the teacher's own view."""
    by_version: dict[int, list[Feedback]] = {}
    for item in answered:
        if item.answered_at is None:
            continue
        number = answered_in(found, item.answered_at)
        if number is not None:
            by_version.setdefault(number, []).append(item)
    if not by_version:
        return ""
    parts = []
    for number in sorted(by_version, reverse=True):
        rows = "".join(
            f"<li><strong>{escape(_category(f.category, t))}</strong>: {escape(f.text)}"
            + (
                f" <span class='pdkit-muted'>({escape(names.get(f.giver, ''))})</span>"
                if names is not None
                else ""
            )
            + "</li>"
            for f in by_version[number]
        )
        said = t("Version {number} answers").format(number=number)
        parts.append(f"<h4>{escape(said)}</h4><ul>{rows}</ul>")
    return f'<div class="pdkit-trace">{"".join(parts)}</div>'


class FeedbackToRevision:
    """The feedback on a teacher's goal, each with "My revision answers this"."""

    trace = ""

    def __init__(
        self,
        store: Store,
        participant_id: str | None,
        *,
        language: str | None = None,
        poll_interval: float = 10.0,
    ) -> None:
        self.store = store
        self.pid = participant_id or ""
        self.t = translator(language)
        self.boxes: dict[str, w.Checkbox] = {}
        self._seen: object = None
        self._poll_interval = poll_interval
        self.stop_polling: Callable[[], None] = lambda: None
        # Few widgets while there is no feedback (every model is a message at join time).
        self.html = HTML()
        self.list = VBox()
        self.widget = VBox([self.html])
        self.widget.add_class("pdkit-feedback-to-revision")
        self._said = ""
        if participant_id is None:  # made ahead (a pre-heated page): no feedback, no one's
            self._seen = ((), ())
            self._show("")
        else:
            self.bind(participant_id)

    def bind(self, participant_id: str) -> None:
        """Show ``participant_id``'s feedback (a panel made ahead is bound at Join: for a
        newcomer, nothing changes on the page) and follow it from now on."""
        self.stop_polling()
        self.pid = participant_id
        self.refresh()
        # New feedback, and the versions the teacher's edits make, show by themselves.
        self.stop_polling = repeat_every(self._poll_interval, self.refresh)

    def refresh(self) -> None:
        """Read the feedback (and, when there is some, the goal's versions) again; redraw
        what changed."""
        try:
            received = self.store.feedback(viewer=self.pid, owner_id=self.pid, form_id=GOAL_FORM)
            found = (
                versions(
                    self.store.history(self.pid, GOAL_FORM, viewer=self.pid),
                    self.store.revision_marks(self.pid, GOAL_FORM),
                )
                if received
                else []
            )
        except PdkitError as exc:
            self._show(f'<p class="pdkit-error" role="alert">{escape(exc.said(self.t))}</p>')
            return
        key = (
            tuple((f.id, f.text, f.answered_at) for f in received),
            tuple((v.number, v.at) for v in found),
        )
        if key == self._seen:
            return
        self._seen = key
        if not received:
            self.widget.children = [self.html]
            self._show("")
            return
        names = display_names(self.store, [f.giver for f in received])
        self.boxes = {}
        rows = []
        for item in received:
            box = w.Checkbox(
                value=item.answered_at is not None,
                description=(
                    f"{_category(item.category, self.t)}: {item.text} ({names.get(item.giver, '')})"
                ),
                indent=False,
                layout=w.Layout(width="auto"),
            )
            box.observe(lambda change, i=item.id: self.answer(i, change["new"]), names="value")
            self.boxes[item.id] = box
            rows.append(box)
        self.list.children = rows
        self.trace = trace_html(found, received, names, self.t)
        self.widget.children = [self.html, self.list]
        self._show("")

    def _show(self, said: str) -> None:
        """The panel's words: the heading and help, the trace, and ``said`` (a message)."""
        t = self.t
        head = f"<h3>{escape(t('Feedback on my goal'))}</h3>"
        if not self.boxes:
            empty = t(
                "No feedback on your goal yet. It comes from your colleagues in the protocol "
                "rounds and on the peer-feedback page."
            )
            self.html.value = f"{head}<p class='pdkit-empty'>{escape(empty)}</p>{said}"
            return
        help_text = t(
            "Tick the feedback your revision answers: your next version records it, and you "
            "(and your coach, if you share your goal with them) see which feedback led to "
            "which change."
        )
        self.html.value = f"{head}<p class='pdkit-help'>{escape(help_text)}</p>{self.trace}{said}"

    def answer(self, feedback_id: str, answered: bool = True) -> None:
        """Say that the revision answers this feedback (or no longer does)."""
        try:
            self.store.answer_feedback(self.pid, [feedback_id], answered)
        except PdkitError as exc:
            self._show(f'<p class="pdkit-error" role="alert">{escape(exc.said(self.t))}</p>')
            return
        self.refresh()
        said = self.t("Noted: your revision answers it.") if answered else self.t("Noted.")
        self._show(f'<p class="pdkit-ok" role="status">{escape(said)}</p>')
