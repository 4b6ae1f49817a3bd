"""The facilitator's pages in the link's language (``?lang=``): the dashboard with every
panel, the refusal of a wrong key, and the room display with its countdown's words."""

from __future__ import annotations

from collections.abc import Iterator
from html import escape

import ipywidgets as w
import pytest

from pdkit import pacing
from pdkit.app import FacilitatorApp
from pdkit.app._facilitator import how_long
from pdkit.definitions import ProtocolDefinition, load_protocol, protocol_by_id
from pdkit.i18n import translator
from pdkit.store import Store
from pdkit.testing import FakeClock, descendants, memory_store, page_loaded, shown_text
from pdkit.widgets._room import RoomDisplay

PAGE = "http://h/voila/render/facilitator.ipynb"
KEY = "Kq3vX9-t0pLm_2RzYw8aBc"
T0 = 50_000.0


@pytest.fixture(autouse=True)
def _close_widgets() -> Iterator[None]:
    yield
    w.Widget.close_all()


@pytest.fixture
def store() -> Iterator[Store]:
    opened = memory_store(FakeClock(T0, step=0))
    yield opened
    opened.close()


def shown(app: FacilitatorApp) -> str:
    """What the page says: its texts and its controls' labels (and tooltips)."""
    return shown_text(app.body)


def opened(store: Store, query: str, key: str | None = KEY) -> FacilitatorApp:
    app = FacilitatorApp(store=store, key=key, clock=FakeClock(T0, step=0))
    page_loaded(app.browser, page_url=f"{PAGE}{query}")
    return app


ENGLISH = (
    "Who is where",
    "Form groups at random",
    "How the protocols ran",
    "Check-in dates",
    "Show the coach's link",
    "Download tables (Excel)",
    "No protocol is running.",
    "Title of the new session",
)


@pytest.mark.parametrize("language", ["es", "fr"])
def test_the_dashboard_is_in_the_links_language(store: Store, language: str) -> None:
    t = translator(language)
    app = opened(store, f"?key={KEY}&lang={language}")
    assert app.control is not None
    said = shown(app)
    for english in ENGLISH:
        assert t(english) != english
        assert t(english) in said, english
        assert english not in said, english
    assert app.control.start_button.description == t("Start")
    app._close()


def test_the_dashboard_is_english_without_a_language(store: Store) -> None:
    app = opened(store, f"?key={KEY}")
    said = shown(app)
    for english in ENGLISH:
        assert english in said, english
    app._close()


def test_a_page_open_before_it_said_its_language_opens_again_in_it(store: Store) -> None:
    app = FacilitatorApp(store=store, key=None, clock=FakeClock(T0, step=0))  # keyless
    assert "Who is where" in shown(app)
    page_loaded(app.browser, page_url=f"{PAGE}?lang=fr")
    assert translator("fr")("Who is where") in shown(app)
    assert "Who is where" not in shown(app)
    app._close()


def test_a_wrong_key_is_refused_in_the_links_language(store: Store) -> None:
    t = translator("es")
    app = opened(store, "?key=wrong&lang=es")
    assert app.control is None
    said = shown(app)
    assert t("This page is for the facilitator.") in said
    assert "This page is for the facilitator." not in said
    assert how_long(30, t) == t("{n} seconds").format(n=30) != "30 seconds"
    assert how_long(1) == "1 second"


def tuning_for_two(store: Store, clock: FakeClock) -> ProtocolDefinition:
    """Tuning running for a group of two (Ana presents, Ben takes part)."""
    people = [store.create_participant(name)[0] for name in ("Ana", "Ben")]
    [group] = store.set_groups("default", [[p.id for p in people]])
    tuning = load_protocol("tuning")
    store.start_run(
        "default",
        tuning.id,
        tuning.spec_version,
        {group.id: {people[0].id: "presenter", people[1].id: "participant"}},
        pacing.start(tuning, clock()),
    )
    return tuning


def test_the_room_display_and_its_countdown_in_french(store: Store) -> None:
    t = translator("fr")
    clock = FakeClock(T0, step=0)
    tuning = tuning_for_two(store, clock)
    room = RoomDisplay(store, clock=clock, language="fr")
    said = room.run_html.value + room.who.value + room.groups.value
    assert t("Step {n} of {total}").format(n=1, total=len(tuning.steps)) in said
    assert "Step 1 of" not in said
    assert "wrote notes in this step" not in said
    assert room.countdown.words["ended"] == t("Ended") != "Ended"
    assert "{time}" in room.countdown.words["left"]
    english = RoomDisplay(store, clock=clock)
    assert "Step 1 of" in english.run_html.value
    assert english.countdown.words["left"] == "{time} left"
    room.stop_polling()
    english.stop_polling()


def test_a_keyless_room_display_opens_again_in_the_links_language(store: Store) -> None:
    from pdkit.app._facilitator import RoomApp

    t = translator("fr")
    app = RoomApp(store=store, key=None, clock=FakeClock(T0, step=0))
    assert app.room is not None
    assert "No protocol is running yet." in app.room.run_html.value
    page_loaded(app.browser, page_url="http://h/voila/render/room.ipynb?lang=fr")
    assert app.room is not None
    assert t("No protocol is running yet.") in app.room.run_html.value
    assert "No protocol is running yet." not in app.room.run_html.value
    app._close()


def test_a_protocol_that_does_not_fit_the_groups_is_said_in_the_language() -> None:
    from pdkit import rounds

    tuning = load_protocol("tuning")
    low, high = tuning.group_size
    t = translator("es")
    [small] = rounds.size_problems(tuning, {"A": low - 1}, (), t)
    [big] = rounds.size_problems(tuning, {"B": high + 1}, (), t)
    assert small.startswith(
        t("{protocol} needs groups of {low} to {high}; {group} has {size}.").format(
            protocol=tuning.title, low=low, high=high, group="A", size=low - 1
        )
    )
    assert t("Merge {group} with another group.").format(group="A") in small
    assert "needs groups" not in small + big
    assert "Split" not in big


def test_the_room_display_shows_the_protocol_in_the_links_language(store: Store) -> None:
    """The step on the wall is the protocol's own words in the page's language."""
    clock = FakeClock(T0, step=0)
    tuning = tuning_for_two(store, clock)
    french = protocol_by_id("tuning", "fr")
    assert french.steps[0].title != tuning.steps[0].title
    room = RoomDisplay(store, clock=clock, language="fr")
    assert escape(french.steps[0].title) in room.run_html.value
    assert escape(french.title) in room.run_html.value
    assert escape(tuning.steps[0].title) not in room.run_html.value
    room.stop_polling()


def test_the_agenda_on_the_wall_and_the_dashboard_in_the_links_language(store: Store) -> None:
    """The day's agenda (its part titles) in the page's language on the room display."""
    from pdkit.app._facilitator import room_agenda

    english, french = room_agenda(), room_agenda("fr")
    assert english is not None
    assert french is not None
    assert french.parts[0].title != english.parts[0].title
    room = RoomDisplay(store, clock=FakeClock(T0, step=0), agenda=french, language="fr")
    assert escape(french.parts[0].title) in room.agenda_html.value
    assert escape(english.parts[0].title) not in room.agenda_html.value
    room.stop_polling()


@pytest.mark.parametrize("notebook", ["facilitator", "goal-setting", "room"])
def test_the_notebooks_heading_in_the_links_language(
    store: Store, monkeypatch: pytest.MonkeyPatch, notebook: str
) -> None:
    """A built notebook's heading is its definition's title in the definition's language;
    opened with ``?lang=fr`` the page is given the French title and intro, and the heading
    they replace (the page's script swaps them in: tests/browser/test_browser_languages)."""
    from pdkit.app import Workbook
    from pdkit.definitions import load_workbook

    monkeypatch.setenv("PDKIT_FACILITATOR_KEY", KEY)
    english, french = load_workbook(notebook), load_workbook(notebook, language="fr")
    assert french.title != english.title
    workbook = Workbook(notebook, store=store)
    assert workbook.error is None
    assert workbook.heading in descendants(workbook.widget)
    browser = workbook._browser
    assert browser is not None
    page_loaded(browser, page_url=f"http://h/voila/render/{notebook}.ipynb?lang=fr&key={KEY}")
    mark = workbook.heading.value
    assert f'data-pdkit-heading="{escape(french.title, quote=True)}"' in mark
    assert f'data-pdkit-intro="{escape(french.intro, quote=True)}"' in mark
    assert f'data-pdkit-heading-was="{escape(english.title, quote=True)}"' in mark
    assert " hidden " in mark

    plain = Workbook(notebook, store=store)
    assert plain._browser is not None
    page_loaded(plain._browser, page_url=f"http://h/voila/render/{notebook}.ipynb?key={KEY}")
    assert plain.heading.value == ""
