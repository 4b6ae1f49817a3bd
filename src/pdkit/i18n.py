"""Languages: texts in definitions per language, and pdkit's own words from gettext catalogs.

A definition may give any title, intro, label, help, placeholder or prompt as a
mapping of language codes to texts (``label: {en: My goal, es: Mi meta}``); the
loader keeps the text of the chosen language (:func:`choose`). pdkit's own words on a
page (Save, Join, "Saved at …") come from :func:`translator`: English is the source
text (the msgid), other languages are gettext catalogs,
``pdkit/locale/<lang>/LC_MESSAGES/pdkit.po``, managed with Babel (``make i18n``
extracts, updates and compiles them) and compiled to ``pdkit.mo`` in the build. At run
time only the standard library's :mod:`gettext` reads them. A missing translation, or a
language without a catalog, falls back to English, never to an error.

A word that is translated later, not where it is written (a dict of labels), is marked
with :func:`N_` so that extraction finds it. A text with a count has its forms from
:func:`plural_translator` (``tn("{count} file", "{count} files", count)``): each
language says how many forms it has and which one a count takes.

The command line speaks the language of its environment
(:func:`language_from_environment`: ``PDKIT_LANGUAGE``, else gettext's own variables).
"""

from __future__ import annotations

import gettext
import os
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path

from .links import query_value

__all__ = [
    "DEFAULT_LANGUAGE",
    "DOMAIN",
    "LANGUAGES",
    "LOCALE_DIR",
    "N_",
    "RTL_LANGUAGES",
    "Nn_",
    "choose",
    "direction",
    "language_from_environment",
    "language_from_url",
    "plural_translator",
    "shown_language",
    "terminal_words",
    "translator",
]

DEFAULT_LANGUAGE = "en"
DOMAIN = "pdkit"
LOCALE_DIR = Path(__file__).parent / "locale"
RTL_LANGUAGES = frozenset({"ar", "he", "fa", "ur"})
"""Languages written right to left (their pages get ``dir="rtl"``)."""


def N_(text: str) -> str:
    """Mark ``text`` as one of pdkit's words translated later (extraction finds it)."""
    return text


def Nn_(one: str, many: str) -> tuple[str, str]:
    """Mark a text with a count, its forms for one and for any other count, as pdkit's
    words translated later (an error's message: ``Nn_("{count} item", "{count} items")``
    with ``count=``)."""
    return one, many


def _catalog_languages() -> tuple[str, ...]:
    if not LOCALE_DIR.is_dir():
        return ()
    return tuple(
        sorted(
            d.name
            for d in LOCALE_DIR.iterdir()
            if (d / "LC_MESSAGES" / f"{DOMAIN}.mo").is_file() and d.name != DEFAULT_LANGUAGE
        )
    )


LANGUAGES = (DEFAULT_LANGUAGE, *_catalog_languages())
"""Languages pdkit's own words are available in (English and every compiled catalog)."""


def _base(language: str) -> str:
    return language.replace("_", "-").split("-")[0].lower()


@cache
def _translation(base: str) -> gettext.NullTranslations:
    if base == DEFAULT_LANGUAGE or base not in LANGUAGES:
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[base], fallback=True)


def shown_language(language: str | None) -> str:
    """The language pdkit's words show in for ``language``: the code as given when its
    language has a catalog, else English (a page's ``lang`` says what it holds)."""
    wanted = language or DEFAULT_LANGUAGE
    return wanted if _base(wanted) in LANGUAGES else DEFAULT_LANGUAGE


def translator(language: str | None) -> Callable[[str], str]:
    """A function that turns pdkit's English words into ``language`` (or leaves them);
    its ``plural`` attribute is :func:`plural_translator`'s, so that an error's message
    with a count is said in the same language from ``t`` alone (:meth:`PdkitError.said`)."""
    found = _translation(_base(language or DEFAULT_LANGUAGE))
    lookup = found.gettext

    def t(text: str) -> str:
        return lookup(text) if text else text

    t.plural = found.ngettext  # type: ignore[attr-defined]  # for PdkitError.said(t)
    return t


def plural_translator(language: str | None) -> Callable[[str, str, int], str]:
    """``ngettext`` in ``language``: the form of pdkit's words for a count (English: the
    first for 1, the second for any other count)."""
    return _translation(_base(language or DEFAULT_LANGUAGE)).ngettext


_ENVIRONMENT = ("PDKIT_LANGUAGE", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")
"""Where a command finds its language, first found first (gettext's order after pdkit's own)."""


def language_from_environment(environ: Mapping[str, str] | None = None) -> str | None:
    """The language of a command's words: the first of :data:`_ENVIRONMENT` that is set,
    as a language code (``es_MX.UTF-8`` → ``es-MX``; ``LANGUAGE``'s first choice); None
    for ``C`` or ``POSIX`` (English)."""
    found = os.environ if environ is None else environ
    for name in _ENVIRONMENT:
        value = found.get(name, "").split(":")[0].split(".")[0].split("@")[0].strip()
        if value:
            return None if value in ("C", "POSIX") else value.replace("_", "-")
    return None


def terminal_words() -> tuple[Callable[[str], str], Callable[[str, str, int], str]]:
    """The translator and the plural translator of the terminal's language
    (:func:`language_from_environment`), for what a command prints:
    ``t, tn = terminal_words()``."""
    language = language_from_environment()
    return translator(language), plural_translator(language)


def direction(language: str | None) -> str:
    """``"rtl"`` for a language written right to left, else ``"ltr"``."""
    return "rtl" if _base(language or DEFAULT_LANGUAGE) in RTL_LANGUAGES else "ltr"


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
