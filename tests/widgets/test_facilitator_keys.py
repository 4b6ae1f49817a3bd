"""The facilitator page's key: wrong tries limited on each page and across every page of
a server (they share the store), with a message that says when to try again."""

from __future__ import annotations

from collections.abc import Iterator

import ipywidgets as w
import pytest

from pdkit.app import FacilitatorApp
from pdkit.app._facilitator import PAGE_LOCKOUT, how_long
from pdkit.store import SERVER_LOCKOUT, Store
from pdkit.testing import FakeClock, descendants, memory_store, page_loaded

PAGE = "http://h/voila/render/facilitator.ipynb"
KEY = "Kq3vX9-t0pLm_2RzYw8aBc"


@pytest.fixture(autouse=True)
def _close_widgets() -> Iterator[None]:
    yield
    w.Widget.close_all()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(50_000.0, step=0)


@pytest.fixture
def store(clock: FakeClock) -> Iterator[Store]:
    opened = memory_store(clock)
    yield opened
    opened.close()


def page(store: Store, clock: FakeClock, key: str | None = KEY) -> FacilitatorApp:
    """A facilitator page in a kernel of its own (the server's store, the server's clock)."""
    return FacilitatorApp(store=store, key=key, clock=clock)


def report(app: FacilitatorApp, query: str) -> str:
    """The page reports its address (again: a reload, or a script sending the message);
    returns what the page shows."""
    app.browser.reported = False
    page_loaded(app.browser, page_url=f"{PAGE}{query}")
    return text(app)


def text(app: FacilitatorApp) -> str:
    return "\n".join(
        str(getattr(item, "value", "")) for item in descendants(app.body) if hasattr(item, "value")
    )


def is_open(app: FacilitatorApp) -> bool:
    return app.control is not None


def test_a_page_waits_after_three_wrong_keys_and_says_how_long(
    store: Store, clock: FakeClock
) -> None:
    app = page(store, clock)
    for guess in ("1234", "12345", "key"):
        assert "Open it with the facilitator link" in report(app, f"?key={guess}")
    shown = report(app, "?key=4321")
    assert "Too many wrong keys have been tried for this dashboard" in shown
    assert "Try again in 1 second" in shown
    assert "Try again in 1 second" in report(app, f"?key={KEY}")  # not even the right key
    assert not is_open(app)
    clock.now += 1.0
    assert "Open it with the facilitator link" in report(app, "?key=4321")  # checked again
    assert "Try again in 2 seconds" in report(app, "?key=4322")
    clock.now += 2.0
    report(app, f"?key={KEY}")
    assert is_open(app)


def test_every_page_of_a_server_shares_one_limit(store: Store, clock: FakeClock) -> None:
    """A script that opens new pages gets no new tries: the store counts them all."""
    pages = [page(store, clock) for _ in range(4)]
    tries = 0
    for app in pages:
        for _ in range(PAGE_LOCKOUT.free):
            if tries == SERVER_LOCKOUT.free:
                break
            assert "Open it with the facilitator link" in report(app, f"?key=guess{tries}")
            tries += 1
    fresh = page(store, clock)
    shown = report(fresh, f"?key={KEY}")
    assert "Too many wrong keys" in shown
    assert "Try again in 1 second" in shown
    assert not is_open(fresh)
    clock.now += 1.0
    report(fresh, f"?key={KEY}")
    assert is_open(fresh)
    assert store.claim_key_attempt("default").allowed  # the right key did not count


def test_a_stored_sessions_key_is_limited_too(store: Store, clock: FakeClock) -> None:
    made, key = store.create_session("Spring PD")
    pages = [page(store, clock, key=None) for _ in range(4)]  # no key of the default's
    for number in range(SERVER_LOCKOUT.free):
        app = pages[number // PAGE_LOCKOUT.free]
        shown = report(app, f"?session={made.id}&key=guess{number}")
        assert "Open it with the facilitator link" in shown
    locked = page(store, clock, key=None)
    assert "Try again in 1 second" in report(locked, f"?session={made.id}&key={key}")
    clock.now += 1.0
    report(locked, f"?session={made.id}&key={key}")
    assert is_open(locked)
    assert locked.session == made.id
    # the default session's dashboard is counted apart
    assert store.claim_key_attempt("default").allowed


def test_unknown_sessions_count_no_try(store: Store, clock: FakeClock) -> None:
    app = page(store, clock)
    for _ in range(20):
        assert "This session is not known" in report(app, "?session=s-nope&key=x")
    report(app, f"?key={KEY}")
    assert is_open(app)


@pytest.mark.parametrize(
    ("seconds", "said"),
    [(0.2, "1 second"), (1.0, "1 second"), (1.5, "2 seconds"), (64, "64 seconds"),
     (89.0, "89 seconds"), (90, "2 minutes"), (128, "3 minutes"), (300, "5 minutes")],
)  # fmt: skip
def test_waits_read_as_people_say_them(seconds: float, said: str) -> None:
    assert how_long(seconds) == said
