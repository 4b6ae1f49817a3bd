"""The coach's report in the languages of pdkit's catalogs: pdkit's words in Spanish and
French (none of its English msgids that the language translates shows), ``<html lang>``
saying which, English by default and for a language without a catalog."""

from __future__ import annotations

import shutil
from datetime import datetime, timezone
from html.parser import HTMLParser
from pathlib import Path

import pytest
from tests._english import definition_texts, english_parts

from pdkit import review
from pdkit.i18n import translator
from pdkit.notebooks import add_comment, export_store
from pdkit.report import report_html
from pdkit.store import Viewer
from pdkit.testing import COACHING_WORKBOOK as WORKBOOK
from pdkit.testing import DAY, START, Cohort, make_cohort

NOW = datetime.fromtimestamp(START + 30 * DAY, tz=timezone.utc)
# What a browser shows and reads out: the text, and the attributes people see or hear.
SHOWN_ATTRIBUTES = ("aria-label", "data-label", "alt", "title")


class _Shown(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.lang: list[str | None] = []
        self._style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._style = tag == "style"
        found = dict(attrs)
        if tag == "html":
            self.lang.append(found.get("lang"))
        self.parts.extend(str(found[a]) for a in SHOWN_ATTRIBUTES if found.get(a))

    def handle_endtag(self, tag: str) -> None:
        self._style = False

    def handle_data(self, data: str) -> None:
        if not self._style:
            self.parts.append(data)


def shown(html: str) -> tuple[str, list[str | None]]:
    """The text a reader of ``html`` sees (one line per piece), and its ``<html lang>``."""
    parser = _Shown()
    parser.feed(html)
    parser.close()
    return "\n".join(parser.parts), parser.lang


@pytest.fixture(scope="module")
def collected(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Ana's goal, versions and check-ins with a coach comment, Ben's private writing, Cy
    who wrote nothing: every part of the report."""
    cohort: Cohort = make_cohort()
    folder = tmp_path_factory.mktemp("report-languages") / "collected"
    export_store(cohort.store, WORKBOOK, folder, viewer=Viewer.steward(include_private=True))
    cohort.store.close()
    ana = next(p for p in folder.glob("*.ipynb") if cohort.ana.id in p.name)
    add_comment(ana, "Lovely focus on talk.", coach="Kim")
    return folder


@pytest.fixture(scope="module")
def loaded(collected: Path, tmp_path_factory: pytest.TempPathFactory) -> review.Review:
    copy = tmp_path_factory.mktemp("copy") / "collected"
    return review.load(shutil.copytree(collected, copy))


@pytest.fixture(scope="module")
def definitions() -> list[str]:
    return definition_texts()


@pytest.mark.parametrize("include_private", [False, True])
@pytest.mark.parametrize("language", ["es", "fr"])
def test_the_report_is_in_the_language_asked_for(
    loaded: review.Review, definitions: list[str], language: str, include_private: bool
) -> None:
    parts = english_parts(language, definitions)
    html = report_html(loaded, include_private=include_private, now=NOW, language=language)
    text, lang = shown(html)
    assert lang == [language]
    assert [part for part in parts if part in text] == []
    t = translator(language)
    assert t("Coaching review") != "Coaching review"
    assert t("Coaching review") in text  # the default title, translated
    assert t("Goals not revisited") in text  # a template's {% trans %}
    assert t("Goal versions") in text
    assert t("Participants") in text  # a word from the report's Python (_context)


@pytest.mark.parametrize("include_private", [False, True])
def test_the_same_check_finds_the_english_of_an_english_report(
    loaded: review.Review, definitions: list[str], include_private: bool
) -> None:
    """The check above can fail: on the English report it finds many of pdkit's words."""
    html = report_html(loaded, include_private=include_private, now=NOW)
    text, lang = shown(html)
    assert lang == ["en"]
    found = [part for part in english_parts("es", definitions) if part in text]
    assert len(found) > 15, found
    assert "Coaching review" in text


def test_a_language_without_a_catalog_is_english(loaded: review.Review) -> None:
    html = report_html(loaded, now=NOW, language="de")
    text, lang = shown(html)
    assert lang == ["en"]
    assert "Goals not revisited" in text
    mexican, lang = shown(report_html(loaded, now=NOW, language="es-MX"))
    assert lang == ["es-MX"]
    assert translator("es")("Goals not revisited") in mexican


def test_a_title_given_is_kept_as_given(loaded: review.Review) -> None:
    text, _ = shown(report_html(loaded, title="Primavera", now=NOW, language="fr"))
    assert "Primavera" in text
    assert translator("fr")("Coaching review") not in text
