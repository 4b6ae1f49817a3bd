"""Languages: texts per language in definitions, pdkit's own words, the page's ?lang=."""

from __future__ import annotations

from collections.abc import Iterator

import ipywidgets as w
import pytest

import pdkit
from pdkit.app import Workbook
from pdkit.definitions import load_form, load_school_goals, parse_definition
from pdkit.errors import DefinitionError
from pdkit.i18n import LANGUAGES, choose, direction, language_from_url, translator
from pdkit.store import open_store
from pdkit.testing import page_loaded, shown_text
from pdkit.widgets import BrowserIdentity, FormView, SignIn

PAGE = "http://h/voila/render/goal-setting.ipynb"


@pytest.fixture(autouse=True)
def _close_widgets() -> Iterator[None]:
    yield
    w.Widget.close_all()


@pytest.fixture(autouse=True)
def _no_hub(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    monkeypatch.delenv("PDKIT_SCHOOL_GOALS", raising=False)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("es", "Mi meta"),
        ("es-MX", "Mi meta"),
        ("en", "My goal"),
        ("fr", "My goal"),
        (None, "My goal"),
    ],
)
def test_choose_exact_then_base_then_english(language: str | None, expected: str) -> None:
    assert choose({"en": "My goal", "es": "Mi meta"}, language) == expected


def test_choose_falls_back_to_the_first_given_and_keeps_plain_text() -> None:
    assert choose({"de": "Mein Ziel"}, "es") == "Mein Ziel"
    assert choose("Just one", "es") == "Just one"


def test_translator() -> None:
    assert "es" in LANGUAGES
    assert translator("es")("Save") == "Guardar"
    assert translator("es-AR")("Saved at {time}").format(time="9:05") == "Guardado a las 9:05"
    # French is a catalog now (a language is data); a language without one is English.
    assert "fr" in LANGUAGES
    assert translator("fr")("Save") == "Enregistrer"
    assert translator("fr-CA")("Saved at {time}").format(time="9:05") == "Enregistré à 9:05"
    assert translator("de")("Save") == "Save"
    assert (
        translator("es")("A sentence pdkit never translated") == "A sentence pdkit never translated"
    )


@pytest.mark.parametrize(
    ("url", "language"),
    [(f"{PAGE}?lang=es", "es"), (f"{PAGE}?pdkit=t&lang=en", "en"), (PAGE, None), ("", None)],
)
def test_language_from_url(url: str, language: str | None) -> None:
    assert language_from_url(url) == language


def test_a_definition_in_two_languages() -> None:
    spanish = load_form("goal-setting", language="es")
    english = load_form("goal-setting")
    assert spanish.title == "Mi meta para este ciclo"
    assert english.title == "My goal for this cycle"
    assert spanish.field("goal").label == "Mi meta"
    assert [o.label for o in spanish.field("confidence").options][2] == "Bastante"
    assert spanish.field("action_steps").item_label == "Paso"
    assert [f.id for f in spanish.fields] == [f.id for f in english.fields]  # answers are shared


def test_school_goals_in_two_languages() -> None:
    path = pdkit.definitions.builtin_definition_path("goal-setting").parent / "school-goals.yaml"
    spanish = load_school_goals(path, language="es")
    english = load_school_goals(path)
    assert [g.id for g in spanish] == [g.id for g in english]
    assert spanish[1].title == "Los estudiantes hablan y piensan más"
    assert english[1].title == "Students do more of the talking and thinking"


@pytest.mark.parametrize(
    ("label", "line", "path", "problem"),
    [
        ("{english: My goal}", 6, "fields[0].label", "should be a text, or a text per language"),
        ("{en: ''}", 6, "fields[0].label", "should be a text, or a text per language"),
        ("{}", 6, "fields[0].label", "should be a text, or a text per language"),
    ],
)
def test_bad_texts_per_language(label: str, line: int, path: str, problem: str) -> None:
    text = (
        "kind: form\nid: g\nschema_version: 1\ntitle: T\nfields:\n"
        f"  - {{id: a, type: text, label: {label}}}\n"
    )
    with pytest.raises(DefinitionError) as caught:
        parse_definition(text, file="bad.yaml")
    assert (caught.value.line, caught.value.path) == (line, path)
    assert problem in caught.value.problem


def test_a_form_in_spanish_speaks_spanish() -> None:
    store = open_store("memory://")
    person, _ = store.create_participant("Lucía")
    view = FormView(
        load_form("goal-setting", language="es"),
        store=store,
        participant_id=person.id,
        language="es",
        schedule=lambda _delay, fn: fn(),  # save at once
    )
    view.field("goal").value = "Quiero ser mejor docente."
    text = shown_text(view.widget)
    assert view.save_button.description == "Guardar"
    assert "Mi meta (obligatorio)" in text
    assert "caracteres" in text
    assert "Guardado a las" in view.status.value
    assert "¿Cómo lo sabrás?" in text  # the goal checks speak Spanish too
    assert "Falta responder:" in view.missing.value
    assert "Save" not in text
    assert store.latest(person.id, "goal-setting", viewer=person.id) == {
        "goal": "Quiero ser mejor docente."
    }


def test_sign_in_takes_the_language_of_the_page() -> None:
    store = open_store("memory://")
    browser = BrowserIdentity()
    sign_in = SignIn(store, on_signed_in=lambda _p: None, browser=browser, language="en")
    page_loaded(browser, page_url=f"{PAGE}?lang=es")
    assert sign_in.language == "es"
    assert sign_in.name_input.description == "Tu nombre"
    assert sign_in.join_button.description == "Entrar"
    sign_in.join("")
    assert "Escribe tu nombre" in sign_in.message.value


@pytest.mark.parametrize(
    ("language", "written"),
    [("ar", "rtl"), ("he-IL", "rtl"), ("fa", "rtl"), ("ur", "rtl"), ("fr", "ltr"), (None, "ltr")],
)
def test_direction(language: str | None, written: str) -> None:
    assert direction(language) == written


def test_a_right_to_left_page_says_so_and_keeps_english_words() -> None:
    """An Arabic page: the mark the template's script reads says rtl (and ar); pdkit's own
    words fall back to English, as there is no Arabic catalog."""
    store = open_store("memory://")
    browser = BrowserIdentity()
    sign_in = SignIn(store, on_signed_in=lambda _p: None, browser=browser, language="ar")
    page_loaded(browser, page_url=PAGE)
    assert 'data-pdkit-lang="ar"' in sign_in.lang_mark.value
    assert 'data-pdkit-dir="rtl"' in sign_in.lang_mark.value
    assert sign_in.join_button.description == "Join"
    sign_in2 = SignIn(store, on_signed_in=lambda _p: None, browser=BrowserIdentity(), language="fr")
    page_loaded(sign_in2.browser, page_url=PAGE)
    assert 'data-pdkit-dir="ltr"' in sign_in2.lang_mark.value
    assert sign_in2.join_button.description == "Entrer"


def test_sign_in_without_lang_keeps_its_default() -> None:
    store = open_store("memory://")
    browser = BrowserIdentity()
    sign_in = SignIn(store, on_signed_in=lambda _p: None, browser=browser, language="es")
    page_loaded(browser, page_url=PAGE)
    assert sign_in.language == "es"
    assert sign_in.join_button.description == "Entrar"


@pytest.mark.parametrize(
    ("query", "label"), [("", "Mi meta (obligatorio)"), ("?lang=en", "My goal (required)")]
)
def test_the_spanish_workbook_and_its_english_override(query: str, label: str) -> None:
    store = open_store("memory://")
    workbook = Workbook("goal-setting-es", store=store)
    assert workbook.error is None
    assert workbook.app is not None
    page_loaded(
        workbook.app.sign_in.browser,
        page_url=PAGE.replace("goal-setting", "goal-setting-es") + query,
    )
    workbook.app.sign_in.join("Lucía")
    assert label in shown_text(workbook.section(0))
    assert "school_goal" not in shown_text(workbook.section(0))
