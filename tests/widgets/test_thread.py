"""The live thread between a teacher and their coaches (one widget on both pages)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import ipywidgets as w
import pytest
from tests._stores import BACKENDS

from pdkit.errors import AccessError
from pdkit.store import Store
from pdkit.widgets import CommentThread, Safekeeper
from pdkit.widgets._thread import MAX_COMMENT_CHARS


@pytest.fixture(autouse=True)
def _close_widgets() -> Iterator[None]:
    yield
    w.Widget.close_all()


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest) -> Iterator[Store]:
    opened: Store = request.param(request)
    yield opened
    opened.close()


def pair(store: Store) -> tuple[str, str]:
    teacher, _ = store.create_participant("Ana")
    coach, _ = store.create_participant("Coach Kim", role="coach")
    store.assign_coach(coach.id, [teacher.id])
    return teacher.id, coach.id


def test_a_message_sent_on_one_side_appears_on_the_other(store: Store) -> None:
    teacher, coach = pair(store)
    mine = CommentThread(store, teacher, teacher)
    theirs = CommentThread(store, teacher, coach)
    assert "No messages yet" in mine.list_html.value

    sent = mine.send("Can we talk about <b>stems</b>?")

    assert sent is not None
    assert mine.text.value == ""
    assert "Sent." in mine.message.value
    assert "&lt;b&gt;stems&lt;/b&gt;" in mine.list_html.value
    assert "<b>" not in mine.list_html.value
    assert "You" in mine.list_html.value
    assert "stems" not in theirs.list_html.value  # not yet read again
    assert theirs.refresh() is True  # what the poll does every second
    assert "Teacher: Ana" in theirs.list_html.value
    assert theirs.refresh() is False  # nothing new: nothing redrawn

    changed: list[int] = []
    mine._on_change = lambda: changed.append(1)
    theirs.send("Yes: Thursday after school.")
    assert mine.refresh() is True
    assert changed == [1]
    assert "Coach: Coach Kim" in mine.list_html.value
    assert "pdkit-comment-coach" in mine.list_html.value
    assert [c.author for c in mine.comments] == [teacher, coach]


def test_too_long_or_empty_is_refused_and_the_text_stays(store: Store) -> None:
    teacher, _coach = pair(store)
    thread = CommentThread(store, teacher, teacher)
    assert thread.send("   ") is None
    assert "Write your message first" in thread.message.value

    long = "x" * (MAX_COMMENT_CHARS + 1)
    thread.text.value = long
    assert "at most 5,000" in thread.count.value
    assert thread.send() is None
    assert thread.text.value == long, "what was typed is never lost"
    assert 'role="alert"' in thread.message.value
    assert store.comments(teacher, viewer=teacher) == []


def test_someone_outside_the_thread_cannot_write_or_read(store: Store) -> None:
    teacher, _coach = pair(store)
    other, _ = store.create_participant("Ben")
    stranger, _ = store.create_participant("Coach Lee", role="coach")
    store.add_comment(teacher, teacher, "private to me and my coach")
    thread = CommentThread(store, teacher, stranger.id)
    assert "private to me" not in thread.list_html.value
    assert thread.send("hello") is None
    assert "Not sent" in thread.message.value
    with pytest.raises(AccessError):
        store.comments(teacher, viewer=other.id)


def test_typing_is_kept_by_the_page_until_sent(store: Store) -> None:
    teacher, _coach = pair(store)
    keeper = Safekeeper()
    sent: list[Any] = []
    keeper.send = lambda content, buffers=None: sent.append(content)  # type: ignore[method-assign]
    keeper.bind(teacher, None)
    thread = CommentThread(store, teacher, teacher, keeper=keeper)
    assert f"pdkit-keep:{thread.key}" in thread.text._dom_classes
    keeper.ready()
    assert {"kind": "ready", "scopes": [thread.scope]} in sent

    assert keeper.restore({thread.key: {"value": "typed before the reload", "base": ""}}) == 1
    assert thread.text.value == "typed before the reload"
    assert store.comments(teacher, viewer=teacher) == [], "restored, not sent by itself"

    thread.send()
    assert sent[-1] == {"kind": "saved", "items": {thread.key: ""}}
    assert [c.text for c in store.comments(teacher, viewer=teacher)] == ["typed before the reload"]
