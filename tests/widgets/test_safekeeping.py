"""Typing the store has not acknowledged is kept by the page (:class:`Safekeeper`).

The page's JavaScript is tested in a real Chromium (``tests/browser``); here, the
kernel's side of the conversation: which inputs are kept under which key, what the
kernel acknowledges (only after the store saved), and how kept typing sent back by a
new page is applied, saved and counted, without ever overwriting a newer answer.
"""

from __future__ import annotations

from typing import Any

import pytest

from pdkit.app import ParticipantApp, Workbook
from pdkit.app._parts import FormPart, ReflectionsPart
from pdkit.definitions import load_form
from pdkit.errors import StoreError
from pdkit.store import Participant, Store
from pdkit.testing import descendants, memory_store, page_loaded
from pdkit.widgets import FormView, PeerFeedback, Safekeeper
from pdkit.widgets._form import save_waiting
from pdkit.widgets._safekeeping import KEEP_CLASS, MAX_KEPT_CHARS, MAX_KEPT_ITEMS

GOAL = "form:goal-setting:goal"
STEPS = "form:goal-setting:action_steps"


class Page:
    """A workbook page with someone signed in, and every message its keeper sent."""

    def __init__(
        self,
        store: Store,
        workbook: str,
        monkeypatch: pytest.MonkeyPatch,
        *,
        again: Page | None = None,
    ) -> None:
        self.sent: list[dict[str, Any]] = []
        monkeypatch.setattr(
            Safekeeper, "send", lambda _self, content, buffers=None: self.sent.append(content)
        )
        self.store = store
        self.workbook = Workbook(workbook, store=store)
        app = self.workbook.app
        assert isinstance(app, ParticipantApp)
        self.app = app
        self.keeper = app.keeper
        if again is None:  # a new participant joins
            page_loaded(app.sign_in.browser)
            person = app.sign_in.join("Ana Ruiz")
        else:  # the same browser loads the page again: a new kernel signs them in
            page_loaded(app.sign_in.browser, stored_token=again.token)
            person = app.sign_in.participant
        assert person is not None
        assert app.sign_in.token is not None
        self.me: Participant = person
        self.token: str = app.sign_in.token

    @property
    def form(self) -> FormView:
        part = self.app.parts[0]
        assert isinstance(part, (FormPart, ReflectionsPart))
        assert part.form is not None
        return part.form

    def from_page(self, content: dict[str, Any]) -> None:
        """A message from the page's JavaScript."""
        self.keeper._received(self.keeper, content, [])

    def kinds(self) -> list[str]:
        return [m["kind"] for m in self.sent]

    def latest(self, form_id: str = "goal-setting") -> dict[str, Any]:
        return self.store.latest(self.me.id, form_id, viewer=self.me.id)


@pytest.fixture
def store() -> Store:
    return memory_store()


def _kept_classes(widget: Any) -> list[str]:
    return sorted(
        c
        for w in descendants(widget)
        for c in getattr(w, "_dom_classes", ())
        if c.startswith(KEEP_CLASS)
    )


def test_every_typed_input_is_kept_under_its_form_and_field(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = Page(store, "goal-setting", monkeypatch)
    keys = [c.removeprefix(KEEP_CLASS) for c in _kept_classes(page.form.widget)]
    typed = ("text", "long_text", "number")  # a number is typed too, and kept as typed
    texts = [f.id for f in page.form.definition.fields if f.type in typed]
    assert keys == sorted([f"form:goal-setting:{fid}" for fid in texts] + [f"{STEPS}#0"])
    assert "form:goal-setting:school_goal" not in keys  # choices are saved at once

    page.form.field("action_steps").add_button.click()  # type: ignore[attr-defined]
    assert KEEP_CLASS + f"{STEPS}#1" in _kept_classes(page.form.widget)
    assert page.keeper.owner == page.me.id  # the page keeps typing per participant


def test_the_page_is_asked_for_kept_typing_once_the_forms_are_built(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    joined = Page(store, "goal-setting", monkeypatch)
    # Someone who just joined: the page keeps nothing for them yet, so nothing is asked;
    # a page that says hello is answered all the same.
    assert [m for m in joined.sent if m["kind"] == "ready"] == []
    joined.from_page({"kind": "hello"})
    assert joined.sent[-1] == {"kind": "ready", "scopes": ["form:goal-setting"]}
    page = Page(store, "goal-setting", monkeypatch, again=joined)  # signed in again
    assert page.sent[-1] == {"kind": "ready", "scopes": ["form:goal-setting"]}
    page.sent.clear()
    page.from_page({"kind": "hello"})  # a page that rendered late asks again
    assert page.sent == [{"kind": "ready", "scopes": ["form:goal-setting"]}]
    page.from_page({"kind": "ping"})
    assert page.sent[-1] == {"kind": "pong"}


def test_the_store_acknowledges_what_it_saved_never_the_widget(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = Page(store, "goal-setting", monkeypatch)
    page.sent.clear()
    page.form.field("goal").value = "Students ask"
    # The autosave runs at once without an event loop, and later with one (a browser
    # test's Playwright leaves its loop marked running in this thread): settle it.
    save_waiting()
    assert page.latest()["goal"] == "Students ask"
    (ack,) = [m for m in page.sent if m["kind"] == "saved"]
    assert ack["items"][GOAL] == "Students ask"

    def down(*_args: Any, **_kwargs: Any) -> Any:
        raise StoreError("the database is away")

    monkeypatch.setattr(store, "record", down)
    page.sent.clear()
    page.form.field("goal").value = "Students ask more"
    save_waiting()
    assert page.form.last_error is not None
    assert "saved" not in page.kinds()  # not stored: the page keeps it


def test_kept_typing_is_put_back_saved_and_counted(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = Page(store, "goal-setting", monkeypatch)
    store.record(page.me.id, "goal-setting", {"goal": "Before"}, spec_version="t")
    page = Page(store, "goal-setting", monkeypatch, again=page)  # a reload: a new kernel
    assert page.form.field("goal").value == "Before"
    page.sent.clear()

    page.from_page(
        {
            "kind": "restore",
            "items": {
                GOAL: {"value": "Before, and what I typed after the crash", "base": "Before"},
                "form:goal-setting:focus": {"value": "Questions", "base": ""},
                f"{STEPS}#2": {"value": "Third step", "base": None},
            },
        }
    )

    latest = page.latest()
    assert latest["goal"] == "Before, and what I typed after the crash"
    assert latest["focus"] == "Questions"
    assert latest["action_steps"] == ["Third step"]  # empty rows are not answers
    assert len(page.form.field("action_steps").rows) == 3  # type: ignore[attr-defined]
    assert "Restored 3 unsaved changes from this browser." in page.keeper.note.value
    ack = [m for m in page.sent if m["kind"] == "saved"][-1]  # after the last save
    assert ack["items"][GOAL] == "Before, and what I typed after the crash"
    assert ack["items"][f"{STEPS}#2"] == "Third step"


def test_kept_typing_never_overwrites_a_newer_answer(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = Page(store, "goal-setting", monkeypatch)
    # typed on this laptop from "Before" (never saved), then saved from a phone:
    store.record(page.me.id, "goal-setting", {"goal": "From my phone"}, spec_version="t")
    page = Page(store, "goal-setting", monkeypatch, again=page)
    page.sent.clear()

    page.from_page(
        {
            "kind": "restore",
            "items": {
                GOAL: {"value": "Before <b>and</b> on the laptop", "base": "Before"},
                "form:goal-setting:focus": {"value": "Mine", "base": ""},
            },
        }
    )

    assert page.latest()["goal"] == "From my phone"
    assert page.latest()["focus"] == "Mine"
    assert {"kind": "forget", "keys": [GOAL]} in page.sent
    note = page.keeper.note.value
    assert "Restored 1 unsaved change from" in note
    assert "Before &lt;b&gt;and&lt;/b&gt; on the laptop" in note  # shown, to copy
    assert "<b>" not in note


@pytest.mark.parametrize(
    "items",
    [
        {GOAL: 42},
        {GOAL: {"value": ["a list"]}},
        {GOAL: None},
        {"form:another-form:goal": "not this page's"},
        {"form:goal-setting:no-such-field": "x"},
        {f"{STEPS}#x": "x"},
        {f"{STEPS}#999": "beyond the list's limit"},
        {"": "x"},
    ],
)
def test_nonsense_from_the_page_changes_nothing(
    store: Store, monkeypatch: pytest.MonkeyPatch, items: dict[str, Any]
) -> None:
    page = Page(store, "goal-setting", monkeypatch)
    page.from_page({"kind": "restore", "items": items})
    page.from_page({"kind": "restore", "items": "not a mapping"})
    page.from_page({"kind": "no such kind"})
    page.keeper._received(page.keeper, ["not", "a", "dict"], [])
    assert page.latest() == {}
    assert page.keeper.note.value == ""


def test_what_the_page_sends_back_is_bounded(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    page = Page(store, "goal-setting", monkeypatch)
    huge = "x" * (MAX_KEPT_CHARS * 3)
    items: dict[str, Any] = {f"form:nothing:{i}": "x" for i in range(MAX_KEPT_ITEMS)}
    items[GOAL] = huge  # past the number of items taken: ignored
    page.from_page({"kind": "restore", "items": items})
    assert "goal" not in page.latest()

    page.from_page({"kind": "restore", "items": {GOAL: huge}})
    assert len(str(page.latest().get("goal", ""))) <= MAX_KEPT_CHARS


def test_a_reflection_opened_later_gets_its_kept_typing(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = Page(store, "reflection", monkeypatch)
    part = page.app.parts[0]
    assert isinstance(part, ReflectionsPart)
    first = part.form.sink.scope if part.form else ""
    other = next(r for r in part.reflections if f"form:{r}" != first)
    page.sent.clear()

    part.choice.value = other

    ready = [m for m in page.sent if m["kind"] == "ready"]
    assert ready
    assert f"form:{other}" in ready[-1]["scopes"]
    assert first not in ready[-1]["scopes"]  # the closed one is no longer on the page
    field = part.reflections[other].fields[0].id
    page.from_page({"kind": "restore", "items": {f"form:{other}:{field}": "Kept"}})
    assert page.latest(other)[field] == "Kept"


def test_signing_out_stops_keeping_for_that_participant(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = Page(store, "goal-setting", monkeypatch)
    page.app.sign_in.sign_out()
    assert page.keeper.owner == ""
    page.from_page({"kind": "restore", "items": {GOAL: "after sign-out"}})
    assert page.latest() == {}


def test_the_banner_speaks_the_page_language(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    keeper = Safekeeper()
    keeper.bind("someone", "es")
    assert keeper.texts["title"] == "Se perdió la conexión con el taller."
    assert keeper.texts["reload"] == "Recargar la página"
    keeper.bind("someone", None)
    assert keeper.texts["title"] == "The connection to the workshop is lost."


def test_the_banner_has_its_words_before_anyone_joins_and_a_join_is_one_message(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each message a join sends goes through the one server process, for a room at once."""
    keeper = Safekeeper()
    assert keeper.texts["title"] == "The connection to the workshop is lost."
    sent: list[Any] = []
    monkeypatch.setattr(keeper, "send_state", lambda key=None: sent.append(set(key or ())))
    keeper.bind("someone", None)  # in English: only who is kept for
    keeper.bind("another", "es")  # another language: both, together
    assert [sorted(key) for key in sent] == [["owner"], ["owner", "texts"]]


def test_a_page_that_was_only_slow_saves_and_says_so_again(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = Page(store, "goal-setting", monkeypatch)
    page.form.field("goal").value = "Typed"
    page.form.status.value = "stale"
    page.from_page({"kind": "resume"})
    assert "Saved at" in page.form.status.value


def test_a_feedback_draft_is_kept_until_it_is_sent(monkeypatch: pytest.MonkeyPatch) -> None:
    store = memory_store()
    ana, _ = store.create_participant("Ana")
    ben, _ = store.create_participant("Ben")
    store.set_groups("default", [[ana.id, ben.id]])
    store.record(ben.id, "goal-setting", {"goal": "Questions"}, spec_version="t")
    store.set_visibility(ben.id, "goal-setting", "group")
    sent: list[dict[str, Any]] = []
    monkeypatch.setattr(
        Safekeeper, "send", lambda _self, content, buffers=None: sent.append(content)
    )
    keeper = Safekeeper()
    keeper.bind(ana.id, None)
    page = PeerFeedback(store, ana, load_form("goal-setting"), keeper=keeper)
    keeper.ready()
    key = f"feedback:goal-setting:{ben.id}"
    assert KEEP_CLASS + key in page.boxes[ben.id].text._dom_classes
    assert sent[-1] == {"kind": "ready", "scopes": ["feedback:goal-setting"]}

    keeper._received(keeper, {"kind": "restore", "items": {key: "Kept <draft>"}}, [])

    box = page.boxes[ben.id]
    assert box.text.value == "Kept <draft>"  # back in its box, not sent by itself
    assert store.feedback(viewer=ben.id) == []
    assert "Restored 1 unsaved change from" in keeper.note.value
    box.send.click()
    assert [f.text for f in store.feedback(viewer=ben.id)] == ["Kept <draft>"]
    assert sent[-1] == {"kind": "saved", "items": {key: ""}}  # the page forgets the draft


def test_a_click_acts_on_every_character_the_page_shows(monkeypatch: pytest.MonkeyPatch) -> None:
    """ipywidgets may hold back a text box's last value while the one before is on its
    way, and never holds back a click: the page sends what its kept inputs show just
    before the click, so Send reads "June", not "Jun"."""
    store = memory_store()
    ana, _ = store.create_participant("Ana")
    ben, _ = store.create_participant("Ben")
    store.set_groups("default", [[ana.id, ben.id]])
    store.record(ben.id, "goal-setting", {"goal": "Questions"}, spec_version="t")
    store.set_visibility(ben.id, "goal-setting", "group")
    monkeypatch.setattr(Safekeeper, "send", lambda _self, content, buffers=None: None)
    keeper = Safekeeper()
    keeper.bind(ana.id, None)
    page = PeerFeedback(store, ana, load_form("goal-setting"), keeper=keeper)
    keeper.ready()
    key = f"feedback:goal-setting:{ben.id}"
    box = page.boxes[ben.id]
    box.text.value = "Checkable by Jun"  # the last value that reached the kernel

    shown = {key: "Checkable by June", "elsewhere:nobody": "ignored", 7: "bad"}
    keeper._received(keeper, {"kind": "typed", "items": shown}, [])
    box.send.click()

    assert [f.text for f in store.feedback(viewer=ben.id)] == ["Checkable by June"]
    assert box.text.value == ""  # sent: the box is empty again
    assert keeper.catch_up({key: "A second thought"}) == 1
    assert keeper.catch_up({key: "A second thought"}) == 0  # only what differs changes
    assert keeper.note.value == ""  # nothing is said: this is not a restore


def test_join_reads_every_character_of_the_name(monkeypatch: pytest.MonkeyPatch) -> None:
    """The sign-in's boxes are synced before a click (never kept: nobody is signed in):
    typing "Kay Keys" and pressing Join at once joins "Kay Keys", not "Kay"."""
    from pdkit.app import form_app
    from pdkit.widgets._safekeeping import SYNC_CLASS

    monkeypatch.setattr(Safekeeper, "send", lambda _self, content, buffers=None: None)
    store = memory_store()
    app = form_app("goal-setting", store=store)
    assert isinstance(app, ParticipantApp)
    page_loaded(app.sign_in.browser)
    name = app.sign_in.name_input
    assert SYNC_CLASS + "sign-in:name" in name._dom_classes
    assert not any(c.startswith(KEEP_CLASS) for c in name._dom_classes)  # never kept
    name.value = "Kay"  # the last value that reached the kernel
    shown = {"sign-in:name": "Kay Keys", "sign-in:nothing": "x", "sign-in:email": 7}
    app.keeper._received(app.keeper, {"kind": "typed", "items": shown}, [])
    app.sign_in.join_button.click()
    assert [p.display_name for p in store.participants()] == ["Kay Keys"]
