"""The live thread between a teacher and their coaches: one widget for both sides.

The teacher's "My goal" page and the coach's page show the same
:class:`CommentThread`: the messages the store lets the viewer read
(:meth:`~pdkit.store.Store.comments`, which refuses anyone but the teacher, their
coaches and the store's steward), who wrote each (coach or teacher) and when, and a
labelled box with "Send". In a kernel it reads the store again every ``poll_interval``
seconds (at most one), so a message written on the other side appears without a
reload. What is typed and not sent yet is kept by the page's
:class:`~pdkit.widgets.Safekeeper` until it is sent; every text is escaped.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from html import escape

import ipywidgets as w

from .._clock import now
from ..errors import PdkitError
from ..i18n import translator
from ..store import Comment, Store
from ..store._sql_follow import MAX_COMMENT_CHARS
from ._lean import HTML, HBox, VBox
from ._safekeeping import KEEP_CLASS, Safekeeper
from ._timing import repeat_every

__all__ = ["MAX_COMMENT_CHARS", "CommentThread"]


class CommentThread:
    """The thread between ``teacher_id`` and their coaches, as ``viewer_id`` sees it
    (the teacher, or one of their coaches); ``on_change`` runs after a new message
    arrives or is sent (a page may refresh what depends on it)."""

    def __init__(
        self,
        store: Store,
        teacher_id: str,
        viewer_id: str,
        *,
        language: str | None = None,
        poll_interval: float = 1.0,
        keeper: Safekeeper | None = None,
        clock: Callable[[], float] = now,
        on_change: Callable[[], None] | None = None,
    ) -> None:
        self.store = store
        self.teacher_id = teacher_id
        self.viewer_id = viewer_id
        self.keeper = keeper
        self.t = t = translator(language)
        self._clock = clock
        self._on_change = on_change
        self.scope = f"thread:{teacher_id}"
        self.key = f"{self.scope}:text"
        self.comments: list[Comment] = []
        self._seen: tuple[str, ...] | None = None
        self._roles: dict[str, str] = {}
        self.list_html = HTML()
        self.text = w.Textarea(
            description=t("Your message"),
            placeholder=(
                t("A question or a note for your coach")
                if viewer_id == teacher_id
                else t("A comment, a question or a suggestion for the teacher")
            ),
            style={"description_width": "initial"},
            layout=w.Layout(flex_flow="column", align_items="stretch", width="100%"),
        )
        self.text.add_class("pdkit-input")
        self.text.add_class("pdkit-thread-input")
        if keeper is not None:
            self.text.add_class(KEEP_CLASS + self.key)
        self.count = HTML()
        self.text.observe(lambda _: self._count(), names="value")
        self.send_button = w.Button(
            description=t("Send"),
            icon="paper-plane",
            button_style="primary",
            tooltip=t("Send this message"),
        )
        self.send_button.on_click(lambda _: self.send())
        self.message = HTML()
        heading = (
            t("Messages with your coach")
            if viewer_id == teacher_id
            else t("Messages with the teacher")
        )
        self.widget = VBox(
            [
                HTML(value=f"<h3>{escape(heading)}</h3>"),
                self.list_html,
                self.text,
                self.count,
                HBox([self.send_button]),
                self.message,
            ]
        )
        self.widget.add_class("pdkit-thread")
        self.refresh()
        if keeper is not None:
            keeper.attach(self.scope, self)
        self.stop_polling = repeat_every(min(poll_interval, 1.0), self._poll)

    # ------------------------------------------------------------------ typing kept by the page

    def kept_texts(self) -> dict[str, str]:
        """What the box holds and is not sent yet, by the key the page keeps it under."""
        return {self.key: str(self.text.value or "")}

    def put_kept(self, key: str, text: str) -> bool:
        """Put a message the page kept back into the box (sent when the person sends
        it); whether that changed the box."""
        if key != self.key or self.text.value == text:
            return False
        self.text.value = text
        return True

    def save(self) -> int:
        """A message is sent, never saved as a draft: nothing to save."""
        return 0

    # ------------------------------------------------------------------ reading

    def _poll(self) -> None:
        self.refresh()

    def refresh(self) -> bool:
        """Read the thread again; redraw when it changed. Whether it changed."""
        try:
            found = self.store.comments(self.teacher_id, viewer=self.viewer_id)
        except PdkitError:
            return False  # a passing store hiccup: keep what is shown, try again soon
        key = tuple(c.id for c in found)
        if key == self._seen:
            return False
        first = self._seen is None
        self._seen = key
        self.comments = found
        self._draw()
        if not first and self._on_change is not None:
            self._on_change()
        return True

    def _role(self, author: str) -> tuple[str, str]:
        """How an author is named in the thread: (css class, words)."""
        t = self.t
        if author not in self._roles:
            person = self.store.get_participant(author)
            name = person.display_name if person is not None else "?"
            if author == self.viewer_id:
                self._roles[author] = t("You")
            elif author == self.teacher_id:
                self._roles[author] = t("Teacher: {name}").format(name=name)
            else:
                self._roles[author] = t("Coach: {name}").format(name=name)
        css = "coach" if author != self.teacher_id else "teacher"
        return css, self._roles[author]

    def _draw(self) -> None:
        t = self.t
        if not self.comments:
            self.list_html.value = f'<p class="pdkit-empty">{escape(t("No messages yet."))}</p>'
            return
        items = []
        for comment in self.comments:
            css, who = self._role(comment.author)
            stamp = time.strftime("%Y-%m-%d %H:%M", time.localtime(comment.at))
            items.append(
                f'<li class="pdkit-comment pdkit-comment-{css}"><strong>{escape(who)}</strong>'
                f' · <time>{stamp}</time><p class="pdkit-comment-text">'
                f"{escape(comment.text)}</p></li>"
            )
        self.list_html.value = (
            f'<ol class="pdkit-comments" aria-live="polite">{"".join(items)}</ol>'
        )

    # ------------------------------------------------------------------ writing

    def _count(self) -> None:
        length = len(str(self.text.value or "").strip())
        if length > MAX_COMMENT_CHARS:
            said = self.t(
                "{length:,} characters: a message holds at most {limit:,}. Shorten it to send it."
            ).format(length=length, limit=MAX_COMMENT_CHARS)
            self.count.value = f'<p class="pdkit-error" role="alert">{escape(said)}</p>'
        else:
            self.count.value = ""

    def send(self, text: str | None = None) -> Comment | None:
        """Send what the box holds (or ``text``); None and a message when it cannot be
        sent (the text stays in the box)."""
        t = self.t
        if text is not None:
            self.text.value = text
        body = str(self.text.value or "").strip()
        if not body:
            self._say(t("Write your message first."), "error")
            return None
        if len(body) > MAX_COMMENT_CHARS:
            self._say(
                t(
                    "Your message has {length:,} characters; a message holds at most {limit:,}. "
                    "Shorten it: what you wrote stays in the box."
                ).format(length=len(body), limit=MAX_COMMENT_CHARS),
                "error",
            )
            return None
        try:
            sent = self.store.add_comment(self.viewer_id, self.teacher_id, body)
        except PdkitError as exc:
            self._say(
                t("Not sent: {why}. What you wrote stays in the box.").format(why=exc), "error"
            )
            return None
        self.text.value = ""
        if self.keeper is not None:
            self.keeper.acknowledge({self.key: ""})  # sent: the kept text is done
        self._say(t("Sent."), "ok")
        self.refresh()
        return sent

    def _say(self, text: str, kind: str) -> None:
        role = "alert" if kind == "error" else "status"
        self.message.value = f'<p class="pdkit-{kind}" role="{role}">{escape(text)}</p>'

    def close(self) -> None:
        """Stop reading the store (the page is left)."""
        self.stop_polling()
        if self.keeper is not None:
            self.keeper.detach(self.scope)
