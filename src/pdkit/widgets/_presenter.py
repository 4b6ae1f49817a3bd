"""The work a protocol round looks at: the presenter's goal, as they shared it.

Every member of the group sees the goal of the round's presenter on their page, read
with their own name as viewer: only a goal shared with the group (or wider) is shown,
otherwise the page says it is hidden. The presenter sees their own goal and, when their
group cannot see it, a button to share it with the group.
"""

from __future__ import annotations

from functools import cache
from html import escape

import ipywidgets as w

from ..definitions import FormDefinition, answer_text, load_form
from ..definitions.ids import GOAL_FORM
from ..errors import PdkitError
from ..i18n import translator
from ..store import JSONValue, Store
from ._lean import HTML, VBox

__all__ = ["PresentersGoal", "goal_html"]

_SHARED_WITH_GROUP = ("group", "session")


@cache
def _goal_form() -> FormDefinition:
    return load_form(GOAL_FORM)


def goal_html(answers: dict[str, JSONValue]) -> str:
    """A goal's answers as a short list of labelled texts, in the form's order."""
    form = _goal_form()
    rows = []
    for field in form.fields:
        text = answer_text(field, answers.get(field.id))
        if text:
            rows.append(f"<dt>{escape(field.label)}</dt><dd>{escape(text)}</dd>")
    return f'<dl class="pdkit-goal">{"".join(rows)}</dl>' if rows else ""


class PresentersGoal:
    """The presenter's goal on one member's page (see the module docs)."""

    def __init__(self, store: Store, viewer_id: str, *, language: str | None = None) -> None:
        self.store = store
        self.viewer_id = viewer_id
        self.t = t = translator(language)
        self.presenter: str | None = None
        self.name = ""
        self.html = HTML()
        self.share_button = w.Button(
            description=t("Share my goal with my group"), icon="users", button_style="primary"
        )
        self.share_button.on_click(lambda _: self.share())
        self.widget = VBox([])
        self.widget.add_class("pdkit-presenters-goal")

    def show(self, presenter: str | None, name: str) -> None:
        """Show ``presenter``'s goal (None: nobody presents now)."""
        self.presenter, self.name = presenter, name
        if presenter is None:
            self.widget.children = []
            return
        try:
            self._draw(presenter, name)
        except PdkitError:
            said = self.t(
                "The presenter's goal cannot be read just now; it appears at the next step."
            )
            self.html.value = f'<p class="pdkit-help">{escape(said, quote=False)}</p>'
            self.widget.children = [self.html]

    def _draw(self, presenter: str, name: str) -> None:
        t = self.t
        if presenter == self.viewer_id:
            answers = self.store.latest(presenter, GOAL_FORM, viewer=presenter)
            shared = self.store.visibility(presenter, GOAL_FORM) in _SHARED_WITH_GROUP
            shown = goal_html(answers) or f"<p>{escape(t('You have not written a goal yet.'))}</p>"
            if shared:
                head = escape(t("Your goal, as your group sees it"))
                self.html.value = f"<h3>{head}</h3>{shown}"
                self.widget.children = [self.html]
            else:
                head = escape(t("Your goal, which you present in this round"))
                said = t(
                    "Your group cannot see your goal on their pages. Share it with your group "
                    "so that they can read along, or tell them about it."
                )
                self.html.value = (
                    f'<h3>{head}</h3>{shown}<p class="pdkit-help" role="status">{escape(said)}</p>'
                )
                self.widget.children = [self.html, self.share_button]
            return
        who = name or t("The presenter")
        if self.store.can_see(self.viewer_id, presenter, GOAL_FORM):
            answers = self.store.latest(presenter, GOAL_FORM, viewer=self.viewer_id)
            none = t("{name} has not written a goal yet.").format(name=who)
            shown = goal_html(answers) or f"<p>{escape(none)}</p>"
            head = t("{name}’s goal, as shared with the group").format(name=who)
            self.html.value = f"<h3>{escape(head)}</h3>{shown}"
        else:
            head = t("{name}’s goal").format(name=who)
            said = t(
                "{name} has not shared their goal with the group, so it is hidden here. Listen "
                "as they present it; they can share it from their own page."
            ).format(name=who)
            self.html.value = f'<h3>{escape(head)}</h3><p class="pdkit-help">{escape(said)}</p>'
        self.widget.children = [self.html]

    def share(self) -> None:
        """The presenter shares their goal with their group (from private or coach)."""
        if self.presenter != self.viewer_id:
            return
        self.store.set_visibility(self.viewer_id, GOAL_FORM, "group")
        self.show(self.presenter, self.name)
