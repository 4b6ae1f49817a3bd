"""Join in one message: a newcomer's page tells the kernel nothing until Join, and then
the page's keeper brings the name, the click and the browser's report together
(SignIn.join_through). Here the kernel's side: what such a message does, what the
kernel sends back for it, and messages that are not what the page sends."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import ipywidgets as w
import pytest

from pdkit.app import ParticipantApp, form_app
from pdkit.store import Store
from pdkit.testing import descendants, memory_store, page_loaded
from pdkit.widgets._safekeeping import VIA_CLASS

PAGE = "http://h/voila/render/goal-setting.ipynb"


@pytest.fixture
def store() -> Iterator[Store]:
    opened = memory_store()
    yield opened
    opened.close()
    w.Widget.close_all()


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[tuple[w.Widget, dict[str, Any]]]:
    """Every message a widget sends to the page, with its widget."""
    found: list[tuple[w.Widget, dict[str, Any]]] = []

    def record(self: w.Widget, msg: dict[str, Any], buffers: Any = None) -> None:
        found.append((self, msg))

    monkeypatch.setattr(w.Widget, "_send", record)
    return found


def _app(store: Store) -> ParticipantApp:
    app = form_app("goal-setting", store=store)
    assert isinstance(app, ParticipantApp)
    return app


def _join_message(name: str, report: Any = None, click: Any = "sign-in:join") -> dict[str, Any]:
    message: dict[str, Any] = {"kind": "typed", "items": {"sign-in:name": name}, "click": click}
    if report is not None:
        message["report"] = report
    return message


def _newcomer(page_url: str = PAGE) -> dict[str, str]:
    return {"url_token": "", "stored_token": "", "page_url": page_url}


def _names(store: Store) -> list[str]:
    return [p.display_name for p in store.participants()]


def test_the_page_is_told_to_keep_its_report_and_click_join_through_the_keeper(
    store: Store,
) -> None:
    app = _app(store)
    assert app.sign_in.browser.report_at_join
    assert VIA_CLASS + "sign-in:join" in app.sign_in.join_button._dom_classes
    assert "pdkit-ahead" in app.sign_in.join_step._dom_classes  # shown by a newcomer's page


def test_a_newcomers_join_message_joins_with_the_pages_report(
    store: Store, sent: list[tuple[w.Widget, dict[str, Any]]]
) -> None:
    app = _app(store)
    sign_in = app.sign_in
    sent.clear()
    app.keeper._received(app.keeper, _join_message("Kay Keys", _newcomer()), [])
    assert _names(store) == ["Kay Keys"]
    assert sign_in.browser.reported
    assert sign_in.browser.page_url == PAGE
    assert sign_in.participant is not None
    assert f'href="{PAGE}?pdkit=' in sign_in.header.value  # the personal link, from the report
    # The report is not sent back, and the step made ahead is not touched before it goes.
    # (An echo_update is ipywidgets' own, for other views of the widget; `pdkit serve`
    # turns echoes off: one page, one view.)
    to_browser = [
        m["state"] for widget, m in sent if widget is sign_in.browser and m["method"] == "update"
    ]
    assert to_browser == [{"token": sign_in.token}]
    assert not [m for widget, m in sent if widget is sign_in.join_step]
    # Nothing is asked of the page's keeper: it keeps nothing for someone who just joined.
    assert [m for widget, m in sent if widget is app.keeper and m["method"] == "custom"] == []
    assert sign_in.join_step not in descendants(sign_in.body)


def test_a_join_without_a_name_says_so_and_the_report_is_taken_once(store: Store) -> None:
    app = _app(store)
    sign_in = app.sign_in
    app.keeper._received(app.keeper, _join_message("  ", _newcomer()), [])
    assert _names(store) == []
    assert "Please type your name" in sign_in.message.value
    assert sign_in.join_step in descendants(sign_in.body)
    assert sign_in.browser.page_url == PAGE
    other = _newcomer("http://elsewhere/voila/render/goal-setting.ipynb")
    app.keeper._received(app.keeper, _join_message("Kay", other), [])
    assert _names(store) == ["Kay"]
    assert sign_in.browser.page_url == PAGE  # the first report stands


@pytest.mark.parametrize(
    "report",
    [
        "not a report",
        ["url_token"],
        {"url_token": 7, "stored_token": "", "page_url": PAGE},
        {"url_token": "", "stored_token": None, "page_url": PAGE},
        {"page_url": PAGE},
        {"url_token": "", "stored_token": "", "page_url": {"x": 1}},
    ],
)
def test_a_report_that_is_not_one_is_left_and_the_join_goes_on(store: Store, report: Any) -> None:
    app = _app(store)
    app.keeper._received(app.keeper, _join_message("Kay", report), [])
    assert _names(store) == ["Kay"]
    assert not app.sign_in.browser.reported
    assert app.sign_in.browser.page_url == ""
    assert "pdkit-resume-link" not in app.sign_in.header.value  # no page address: no link


def test_a_report_too_long_to_be_one_gives_no_address_and_no_token(store: Store) -> None:
    """A page address or token longer than any real one is taken as none (a report is
    read once per page, and links are made from its address): the join goes on."""
    from pdkit.widgets._browser import MAX_PAGE_URL, MAX_TOKEN

    app = _app(store)
    report = {
        "url_token": "t" * (MAX_TOKEN + 1),
        "stored_token": "s" * 10_000_000,
        "page_url": PAGE + "?" + "x" * MAX_PAGE_URL,
    }
    app.keeper._received(app.keeper, _join_message("Kay", report), [])
    assert _names(store) == ["Kay"]
    browser = app.sign_in.browser
    assert (browser.url_token, browser.stored_token, browser.page_url) == ("", "", "")
    assert "pdkit-resume-link" not in app.sign_in.header.value
    assert len(app.sign_in.header.value) < 2000
    page_loaded(browser, page_url=PAGE + "?x=" + "y" * 100)  # a long one that is an address
    assert browser.page_url == PAGE + "?x=" + "y" * 100


@pytest.mark.parametrize("click", ["sign-in:other", "", 7, None, ["sign-in:join"]])
def test_a_click_of_no_known_button_clicks_nothing(store: Store, click: Any) -> None:
    app = _app(store)
    app.keeper._received(app.keeper, _join_message("Kay", _newcomer(), click=click), [])
    assert _names(store) == []
    assert app.sign_in.name_input.value == "Kay"  # what the box shows reached the kernel


def test_a_page_that_signs_someone_back_in_asks_its_keeper_for_what_it_kept(
    store: Store, sent: list[tuple[w.Widget, dict[str, Any]]]
) -> None:
    joined = _app(store)
    joined.keeper._received(joined.keeper, _join_message("Kay", _newcomer()), [])
    assert joined.sign_in.joined_now
    app = _app(store)
    sent.clear()
    page_loaded(app.sign_in.browser, page_url=PAGE, stored_token=joined.sign_in.token or "")
    assert not app.sign_in.joined_now
    asked = [m for widget, m in sent if widget is app.keeper and m["method"] == "custom"]
    assert [m["content"]["kind"] for m in asked] == ["ready"]


def test_a_report_with_a_known_token_signs_in_and_joins_no_one(store: Store) -> None:
    joined = _app(store)
    joined.keeper._received(joined.keeper, _join_message("Kay", _newcomer()), [])
    token = joined.sign_in.token
    assert token
    app = _app(store)
    report = {"url_token": "", "stored_token": token, "page_url": PAGE}
    app.keeper._received(app.keeper, _join_message("Someone else", report), [])
    assert _names(store) == ["Kay"]
    assert app.sign_in.participant is not None
    assert app.sign_in.participant.display_name == "Kay"


def test_a_page_that_reported_on_its_own_joins_with_its_own_report(store: Store) -> None:
    app = _app(store)
    page_loaded(app.sign_in.browser, page_url=PAGE)
    other = _newcomer("http://elsewhere/voila/render/goal-setting.ipynb")
    app.keeper._received(app.keeper, _join_message("Kay", other), [])
    assert _names(store) == ["Kay"]
    assert app.sign_in.browser.page_url == PAGE


def test_a_session_made_since_the_page_shows_the_code_box_at_join(store: Store) -> None:
    """The step made ahead asked no code (no sessions then); one was made since: Join
    shows the code box and asks for the code instead of joining."""
    app = _app(store)
    assert app.sign_in.code_input not in app.sign_in.join_step.children
    store.create_session("Spring")
    app.keeper._received(app.keeper, _join_message("Kay", _newcomer()), [])
    assert _names(store) == []
    assert app.sign_in.code_input in app.sign_in.join_step.children
    assert "pdkit-ahead" not in app.sign_in.join_step._dom_classes
    assert "session code" in app.sign_in.message.value


def test_the_code_typed_at_the_step_joins_its_session(store: Store) -> None:
    """A store with sessions, a link that names none: the step made ahead asks for the
    code; the code and name typed come in the Join message, before the page's report,
    which takes nothing from what was typed."""
    session, _key = store.create_session("Spring")
    app = _app(store)
    assert app.sign_in.code_input in app.sign_in.join_step.children
    message = _join_message("Kay", _newcomer())
    message["items"]["sign-in:code"] = session.join_code.lower()
    app.keeper._received(app.keeper, message, [])
    assert app.sign_in.participant is not None
    assert app.sign_in.participant.display_name == "Kay"
    assert app.sign_in.participant.session == session.id


def test_a_hub_page_keeps_no_report_for_join(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JUPYTERHUB_USER", "kay")
    app = _app(store)
    assert not app.sign_in.browser.report_at_join
    assert app.sign_in.participant is not None  # signed in by the hub, no join step
