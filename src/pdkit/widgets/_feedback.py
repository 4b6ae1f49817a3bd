"""Peer feedback on goals: the group's shared goals, feedback given and received, and the
versions of one's own goal.

What is shown comes from the store's visibility-checked reads
(:meth:`~pdkit.store.Store.shared`, :meth:`~pdkit.store.Store.feedback`), so a page can
only show what the store lets its participant see. Every text a person wrote is
escaped before it is shown.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from html import escape
from typing import Any

import ipywidgets as w

from .._clock import now
from ..definitions import FormDefinition, ProtocolDefinition, answer_text, protocol_by_id
from ..definitions.ids import GOAL_SUMMARY_FIELDS
from ..errors import PdkitError
from ..i18n import N_, translator
from ..revisions import Version, versions
from ..store import Feedback, Participant, SharedItem, Store, display_names
from ._lean import HTML, HBox, VBox
from ._safekeeping import KEEP_CLASS, Safekeeper
from ._timing import repeat_every

__all__ = [
    "DEFAULT_CATEGORIES",
    "PeerFeedback",
    "feedback_categories",
    "item_summary",
    "versions_list",
]

DEFAULT_CATEGORIES = ("warm", "cool")
"""Feedback categories when no protocol is running for the group (warm and cool)."""

_CATEGORY_LABELS = {
    "warm": N_("Warm: what works"),
    "cool": N_("Cool: a gap or a question"),
    "like": N_("I like…"),
    "wish": N_("I wish…"),
    "wonder": N_("I wonder…"),
}


def feedback_categories(protocol: ProtocolDefinition | None) -> list[tuple[str, str]]:
    """(id, label) of the feedback categories of ``protocol`` (warm/cool without one).

    A label is the protocol's own label of the field with that id where one exists."""
    if protocol is None or not protocol.feedback_categories:
        return [(c, _CATEGORY_LABELS[c]) for c in DEFAULT_CATEGORIES]
    labels: dict[str, str] = {}
    for step in protocol.steps:
        for fields in step.capture.values():
            for captured in fields:
                labels.setdefault(captured.id, captured.label)
    return [
        (c, _CATEGORY_LABELS.get(c) or labels.get(c) or c.replace("_", " ").capitalize())
        for c in protocol.feedback_categories
    ]


def item_summary(
    definition: FormDefinition, answers: dict[str, Any], fields: tuple[str, ...]
) -> str:
    """The main answers of an item as HTML (escaped), labelled as in the form."""
    rows = []
    for field in definition.fields:
        if fields and field.id not in fields:
            continue
        value = answers.get(field.id)
        if value in (None, "", []):
            continue
        shown = answer_text(field, value)
        rows.append(f"<dt>{escape(field.label)}</dt><dd>{escape(shown)}</dd>")
    return f'<dl class="pdkit-summary">{"".join(rows)}</dl>' if rows else ""


class PeerFeedback:
    """A participant's peer-feedback page for one form (their goal):

    - their group, and the goals its members share with them, each with a feedback box
      in the categories of the protocol in use (warm and cool without one);
    - the feedback on their own goal, each with "Helpful";
    - the versions of their goal and what changed between them, and "Start a new
      version" to revise it after feedback.

    ``refresh()`` reads the store again; in a kernel it runs every ``poll_interval``
    seconds by itself, so feedback from others appears without a reload.
    """

    SUMMARY_FIELDS = GOAL_SUMMARY_FIELDS

    def __init__(
        self,
        store: Store,
        participant: Participant,
        definition: FormDefinition,
        *,
        language: str | None = None,
        poll_interval: float = 2.0,
        clock: Callable[[], float] = now,
        keeper: Safekeeper | None = None,
    ) -> None:
        self.store = store
        self.participant = participant
        self.keeper = keeper
        self.scope = f"feedback:{definition.id}"
        self.definition = definition
        self.t = t = translator(language)
        self.language = language
        self._clock = clock
        self.group_html = HTML()
        self.peers_box = VBox()
        self.received_box = VBox()
        self.versions_html = HTML()
        self.revise_button = w.Button(
            description=t("Start a new version"),
            icon="code-branch",
            tooltip=t(
                "Keep this version of your goal as it is; what you change next is the next version"
            ),
        )
        self.revise_button.on_click(lambda _: self.start_revision())
        self.message = HTML()
        self.boxes: dict[str, _GiveBox] = {}
        self.helpful: dict[str, w.ToggleButton] = {}
        self._seen: tuple[Any, ...] | None = None
        self.widget = VBox(
            [
                HTML(value=f"<h2>{escape(t('Peer feedback'))}</h2>"),
                self.group_html,
                self.peers_box,
                HTML(value=f"<h3>{escape(t('Feedback on your goal'))}</h3>"),
                self.received_box,
                HTML(value=f"<h3>{escape(t('Versions of your goal'))}</h3>"),
                self.versions_html,
                HBox([self.revise_button]),
                self.message,
            ]
        )
        self.widget.add_class("pdkit-peer-feedback")
        self.refresh()
        if keeper is not None:
            keeper.attach(self.scope, self)
        self.stop_polling = repeat_every(poll_interval, self.refresh)

    # ------------------------------------------------------------------ drafts kept by the page

    def kept_texts(self) -> dict[str, str]:
        """The feedback typed and not sent yet, by the key the page keeps it under."""
        return {f"{self.scope}:{owner}": str(box.text.value) for owner, box in self.boxes.items()}

    def put_kept(self, key: str, text: str) -> bool:
        """Put a draft the page kept back into its box (it is sent when the teacher
        sends it); whether that changed the box."""
        box = self.boxes.get(key.removeprefix(f"{self.scope}:"))
        if box is None or box.text.value == text:
            return False
        box.text.value = text
        return True

    def save(self) -> int:
        """Feedback is sent by the teacher, never saved as a draft: nothing to save."""
        return 0

    # ------------------------------------------------------------------ reading

    def _categories(self) -> list[tuple[str, str]]:
        run = self.store.run_for(self.participant.id)
        protocol = None
        if run is not None:
            try:
                protocol = protocol_by_id(run.protocol, self.language)
            except PdkitError:
                protocol = None
        return feedback_categories(protocol)

    def refresh(self) -> None:
        """Read the group, the shared goals and the feedback again; redraw what changed."""
        try:
            group = self.store.group_of(self.participant.id)
            members = group.members if group is not None else ()
            shared = {
                item.owner.id: item
                for item in self.store.shared(self.definition.id, viewer=self.participant.id)
                if item.owner.id in members
            }
            feedback = self.store.feedback(viewer=self.participant.id, form_id=self.definition.id)
            history = self.store.history(
                self.participant.id, self.definition.id, viewer=self.participant.id
            )
            marks = self.store.revision_marks(self.participant.id, self.definition.id)
            level = self.store.visibility(self.participant.id, self.definition.id)
            categories = self._categories()
        except PdkitError:
            return  # a passing store hiccup: keep what is shown, try again soon
        key = (
            members,
            tuple((i.owner.id, i.updated_at, i.visibility) for i in shared.values()),
            tuple((f.id, f.helpful) for f in feedback),
            len(history),
            tuple(marks),
            level,
            tuple(categories),
        )
        if key == self._seen:
            return
        self._seen = key
        names = self._names(members)
        self._draw_group(members, names, level)
        self._draw_peers(members, names, shared, feedback, categories)
        self._draw_received(feedback, names)
        self._draw_versions(versions(history, marks))

    def _names(self, ids: tuple[str, ...]) -> dict[str, str]:
        return display_names(self.store, ids)

    # ------------------------------------------------------------------ drawing

    def _draw_group(self, members: tuple[str, ...], names: dict[str, str], level: str) -> None:
        t = self.t
        if not members:
            self.group_html.value = _para(
                "pdkit-empty",
                t(
                    "You are not in a group yet. When your facilitator forms groups, yours "
                    "appears here by itself."
                ),
            )
            return
        others = [escape(names[p]) for p in members if p != self.participant.id]
        text = f'<p class="pdkit-group">{escape(t("Your group:"))} {", ".join(others)}</p>'
        if level in ("private", "coach"):
            text += _para(
                "pdkit-hint",
                t(
                    "Your group cannot see your goal yet. To get their feedback, choose “Me, "
                    "my coach and my group” under “Who can see this?” with your goal."
                ),
            )
        self.group_html.value = text

    def _draw_peers(
        self,
        members: tuple[str, ...],
        names: dict[str, str],
        shared: dict[str, SharedItem],
        feedback: list[Feedback],
        categories: list[tuple[str, str]],
    ) -> None:
        t = self.t
        cards: list[w.Widget] = []
        for pid in members:
            if pid == self.participant.id:
                continue
            item = shared.get(pid)
            if item is None:
                cards.append(
                    HTML(
                        value=f'<p class="pdkit-empty">{escape(names[pid])}: '
                        f"{escape(t('has not shared a goal with the group yet.'))}</p>"
                    )
                )
                continue
            box = self.boxes.get(pid)
            if box is None:
                box = self.boxes[pid] = _GiveBox(self, pid)
            given = [f for f in feedback if f.giver == self.participant.id and f.owner == pid]
            box.draw(names[pid], item, given, categories)
            cards.append(box.widget)
        self.peers_box.children = cards

    def _draw_received(self, feedback: list[Feedback], names: dict[str, str]) -> None:
        t = self.t
        mine = [f for f in feedback if f.owner == self.participant.id]
        if not mine:
            self.received_box.children = [
                HTML(
                    value=_para(
                        "pdkit-empty",
                        t(
                            "No feedback yet. It appears here as soon as someone in your "
                            "group sends some."
                        ),
                    )
                )
            ]
            return
        labels = dict(feedback_categories(None)) | dict(self._categories())
        rows: list[w.Widget] = []
        for item in mine:
            giver = names.get(item.giver) or self._names((item.giver,))[item.giver]
            label = labels.get(item.category, item.category)
            text = HTML(
                value=f'<div class="pdkit-feedback pdkit-feedback-{escape(item.category)}">'
                f"<strong>{escape(label)}</strong> · {escape(t('from'))} {escape(giver)}"
                f'<p class="pdkit-feedback-text">{escape(item.text)}</p></div>'
            )
            button = self.helpful.get(item.id)
            if button is None:
                button = w.ToggleButton(
                    description=t("Helpful"),
                    icon="thumbs-up",
                    tooltip=t("Tell the giver this feedback helped you"),
                )
                button.observe(
                    lambda change, fid=item.id: self.mark_helpful(fid, bool(change["new"])),
                    names="value",
                )
                self.helpful[item.id] = button
            with button.hold_trait_notifications():
                button.value = bool(item.helpful)
            rows.append(HBox([text, button]))
        self.received_box.children = rows

    def _draw_versions(self, found: list[Version]) -> None:
        t = self.t
        if not found:
            self.versions_html.value = (
                f'<p class="pdkit-empty">{escape(t("No goal yet: set it above."))}</p>'
            )
            self.revise_button.disabled = True
            return
        self.revise_button.disabled = False
        labels = {f.id: f.label for f in self.definition.fields}
        self.versions_html.value = versions_list(found, labels, t)

    # ------------------------------------------------------------------ actions

    def give(self, owner_id: str, category: str, text: str) -> Feedback | None:
        """Send feedback on ``owner_id``'s goal; None (and a message) when it cannot be."""
        try:
            sent = self.store.give_feedback(
                self.participant.id,
                owner_id,
                self.definition.id,
                category,
                text,
                run_id=(run.id if (run := self.store.run_for(self.participant.id)) else None),
            )
        except PdkitError as exc:
            self._say(exc.said(self.t), "error")
            return None
        self._say(self.t("Feedback sent."), "ok")
        self.refresh()
        return sent

    def mark_helpful(self, feedback_id: str, helpful: bool = True) -> None:
        try:
            self.store.mark_helpful(feedback_id, self.participant.id, helpful)
        except PdkitError as exc:
            self._say(exc.said(self.t), "error")
            return
        self.refresh()

    def start_revision(self) -> None:
        """Close the current version: what the teacher changes next is a new version."""
        try:
            self.store.start_revision(self.participant.id, self.definition.id)
        except PdkitError as exc:
            self._say(exc.said(self.t), "error")
            return
        self._say(
            self.t(
                "This version is kept. Revise your goal above: your changes make the next version."
            ),
            "ok",
        )
        self.refresh()

    def _say(self, text: str, kind: str) -> None:
        role = "alert" if kind == "error" else "status"
        self.message.value = f'<p class="pdkit-{kind}" role="{role}">{escape(text)}</p>'


def versions_list(found: list[Version], labels: dict[str, str], t: Callable[[str], str]) -> str:
    """The versions of a goal as an HTML list, the newest first (escaped): each one's
    number, when it was made, what changed and the goal's words. One home for the
    teacher's pages (peer feedback, "My goal") and the coach's."""
    items = []
    for version in reversed(found):
        stamp = time.strftime("%Y-%m-%d %H:%M", time.localtime(version.at))
        changed = ", ".join(escape(labels.get(k, k)) for k in version.changed)
        what = (
            escape(t("first version"))
            if version.number == 1
            else f"{escape(t('changed:'))} {changed}"
        )
        goal = version.values.get("goal")
        quote = f"<q>{escape(str(goal))}</q>" if goal else ""
        items.append(
            f"<li><strong>{escape(t('Version'))} {version.number}</strong> · {stamp} · "
            f"{what} {quote}</li>"
        )
    return f'<ol class="pdkit-versions" reversed>{"".join(items)}</ol>'


def _para(css: str, text: str) -> str:
    return f'<p class="{css}">{escape(text)}</p>'


class _GiveBox:
    """One group member's shared goal and the box to give them feedback."""

    def __init__(self, page: PeerFeedback, owner_id: str) -> None:
        t = page.t
        self.page = page
        self.owner_id = owner_id
        self.heading = HTML()
        self.goal = HTML()
        self.category = w.ToggleButtons(
            description=t("Kind of feedback"),
            style={"description_width": "initial", "button_width": "auto"},
        )
        self.text = w.Textarea(
            description=t("Your feedback"),
            placeholder=t("About the goal, not the person: specific and kind."),
            style={"description_width": "initial"},
            layout=w.Layout(flex_flow="column", align_items="stretch", width="100%"),
        )
        self.text.add_class("pdkit-input")
        self.key = f"{page.scope}:{owner_id}"
        if page.keeper is not None:
            self.text.add_class(KEEP_CLASS + self.key)
        self.send = w.Button(
            description=t("Send feedback"), icon="paper-plane", button_style="primary"
        )
        self.send.on_click(lambda _: self.submit())
        self.given = HTML()
        self.widget = VBox(
            [self.heading, self.goal, self.category, self.text, HBox([self.send]), self.given]
        )
        self.widget.add_class("pdkit-peer")

    def draw(
        self,
        name: str,
        item: SharedItem,
        given: list[Feedback],
        categories: list[tuple[str, str]],
    ) -> None:
        t = self.page.t
        self.heading.value = f"<h3>{escape(t('Goal of'))} {escape(name)}</h3>"
        summary = item_summary(
            self.page.definition, dict(item.answers), PeerFeedback.SUMMARY_FIELDS
        )
        self.goal.value = summary or f'<p class="pdkit-empty">{escape(t("(no goal text yet)"))}</p>'
        options = [(label, cid) for cid, label in categories]
        if list(self.category.options) != options:
            current = self.category.value
            self.category.options = options
            ids = [cid for cid, _ in categories]
            self.category.value = current if current in ids else ids[0]
        self.text.description = f"{t('Your feedback for')} {name}"
        labels = dict(categories)
        self.given.value = (
            '<ul class="pdkit-given">'
            + "".join(
                f"<li>{escape(t('You sent'))} <strong>{escape(labels.get(f.category, f.category))}"
                f"</strong>: {escape(f.text)}</li>"
                for f in given
            )
            + "</ul>"
            if given
            else ""
        )

    def submit(self) -> None:
        text = str(self.text.value or "")
        if not text.strip():
            self.page._say(self.page.t("Write your feedback first."), "error")
            return
        if self.page.give(self.owner_id, str(self.category.value), text) is not None:
            self.text.value = ""
            if self.page.keeper is not None:
                self.page.keeper.acknowledge({self.key: ""})  # sent: the draft is done
