"""Languages: texts in definitions per language, and pdkit's own words in English and Spanish.

A definition may give any title, intro, label, help, placeholder or prompt as a
mapping of language codes to texts (``label: {en: My goal, es: Mi meta}``); the
loader keeps the text of the chosen language (:func:`choose`). pdkit's own words on a
page (Save, Join, "Saved at …") come from :func:`translator`: English is the source
text, other languages are looked up in their dictionary (:mod:`pdkit._es`). A missing
translation falls back to English, never to an error.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from ._es import ES as _ES
from ._es_credentials import ES_CREDENTIALS
from ._es_pathways import ES_PATHWAYS
from .links import query_value

__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES", "choose", "language_from_url", "translator"]

DEFAULT_LANGUAGE = "en"


_CATALOGS: dict[str, Mapping[str, str]] = {"es": {**_ES, **ES_PATHWAYS, **ES_CREDENTIALS}}

LANGUAGES = (DEFAULT_LANGUAGE, *sorted(_CATALOGS))
"""Languages pdkit's own words are available in."""


def _base(language: str) -> str:
    return language.split("-")[0].lower()


def translator(language: str | None) -> Callable[[str], str]:
    """A function that turns pdkit's English words into ``language`` (or leaves them)."""
    catalog = _CATALOGS.get(_base(language or DEFAULT_LANGUAGE), {})
    return lambda text: catalog.get(text, text)


def choose(value: str | Mapping[str, str], language: str | None) -> str:
    """The text for ``language`` from a text or a per-language mapping: the exact code,
    then its base language (``es`` for ``es-MX``), then English, then the first given."""
    if isinstance(value, str):
        return value
    wanted = language or DEFAULT_LANGUAGE
    for code in (wanted, _base(wanted), DEFAULT_LANGUAGE):
        if code in value:
            return value[code]
    return next(iter(value.values()))


def language_from_url(url: str) -> str | None:
    """The ``lang`` query parameter of a page URL (``?lang=es``), if any."""
    value = query_value(url, "lang").strip()
    return value or None
