"""pdkit's own words as gettext catalogs: complete in every language, placeholders kept,
extraction current, the compiled catalogs in step with their .po files."""

from __future__ import annotations

import importlib.util
import re
import string
from pathlib import Path
from types import ModuleType

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po

from pdkit.i18n import LANGUAGES, LOCALE_DIR, plural_translator, translator

REPO = Path(__file__).resolve().parents[2]
POT = LOCALE_DIR / "pdkit.pot"
TRANSLATED = ("es", "fr")


def _read(path: Path) -> Catalog:
    with path.open("rb") as source:
        return read_po(source)


def _catalog(language: str) -> Catalog:
    return _read(LOCALE_DIR / language / "LC_MESSAGES" / "pdkit.po")


def _ids(catalog: Catalog) -> set[str]:
    return {str(m.id) for m in catalog if m.id}


def _fields(text: str, left_out: tuple[str, ...] = ()) -> list[str]:
    """The placeholders of a text, sorted: ``{name}`` with its format spec, and argparse's
    ``%(name)s`` and ``%s`` (with those a translation may leave out counted as there)."""
    found = [(name, spec) for _, name, spec, _ in string.Formatter().parse(text) if name]
    found += [(name, "") for name in left_out if name not in {n for n, _ in found}]
    printf = re.findall(r"%\(\w+\)[sdr]|%[sdr]", text)
    return sorted([f"{name}:{spec}" for name, spec in found] + printf)


def _forms(message: Message) -> list[tuple[str, str]]:
    """Each (English, translation) of a message: one, or each plural form with the English
    it translates (the first form translates the singular, every other the plural)."""
    if isinstance(message.id, str):
        return [(message.id, str(message.string or ""))]
    one, many = message.id
    forms = message.string if isinstance(message.string, tuple) else (message.string,)
    return [(one if n == 0 else many, str(said or "")) for n, said in enumerate(forms)]


# Placeholders a translation may leave out, by msgid: {items} is the field's item label
# with an English plural "s" (widgets/_controls.py), which other languages say otherwise.
MAY_LEAVE_OUT = {"At most {count} {items}.": ("items",)}


def _script(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, REPO / "scripts" / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_languages_are_the_catalogs_present() -> None:
    assert LANGUAGES == ("en", "es", "fr")
    assert sorted(p.parent.parent.name for p in LOCALE_DIR.glob("*/LC_MESSAGES/pdkit.po")) == [
        "es",
        "fr",
    ]


# A sample of the Spanish that pdkit's dict modules (_es.py, _es_pathways.py,
# _es_credentials.py) held before the catalogs: each is kept word for word.
SPANISH_BEFORE = [
    ("Save", "Guardar"),
    ("Saved at {time}", "Guardado a las {time}"),
    ("Mean", "Media"),
    (
        "Add point A as a number too, so that your check-ins can show progress.",
        "Añade también el punto A en número, para que tus revisiones muestren el avance.",
    ),
    ("Contains student data", "Contiene datos de estudiantes"),
    ("Me and my coach", "Mi coach y yo"),
    ("you and your coach", "tú y tu coach"),
    ("Cool: a gap or a question", "Frío: un vacío o una pregunta"),
    ("required", "obligatorio"),
    ("Required steps: {done} of {total} done.", "Pasos obligatorios: {done} de {total} hechos."),
    ("Link (optional)", "Enlace (opcional)"),
    ("Returned to {name} with your comments.", "Devuelta a {name} con tus comentarios."),
    ("Download my credential", "Descargar mi credencial"),
    ("Award", "Otorgar"),
    ("Signed in as {name}.", "Has entrado como {name}."),
    ("Join", "Entrar"),
]


@pytest.mark.parametrize(("english", "spanish"), SPANISH_BEFORE)
def test_the_spanish_of_the_dicts_is_kept(english: str, spanish: str) -> None:
    assert _catalog("es")[english].string == spanish
    assert translator("es")(english) == spanish
    assert translator("es-MX")(english) == spanish


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_word_is_translated_with_its_placeholders(language: str) -> None:
    template = _ids(_read(POT))
    catalog = _catalog(language)
    assert _ids(catalog) == template, "the catalog is not in step with pdkit.pot: make i18n"
    missing = [m.id for m in catalog if m.id and (m.fuzzy or not all(s for _, s in _forms(m)))]
    assert missing == [], f"{len(missing)} words without {language}: {missing[:5]}"
    differ = [
        (english, said)
        for m in catalog
        if m.id
        for english, said in _forms(m)
        if _fields(english) != _fields(said, MAY_LEAVE_OUT.get(english, ()))
    ]
    assert differ == [], f"placeholders differ from the English: {differ[:3]}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_the_compiled_catalogs_say_what_the_po_says(language: str) -> None:
    """The .mo (build output) is in step with the .po: setup.sh and the build compile it."""
    t, tn = translator(language), plural_translator(language)
    kept = [m for m in _catalog(language) if m.id and m.string and not m.fuzzy]
    assert kept
    wrong: list[object] = [m.id for m in kept if isinstance(m.id, str) and t(m.id) != m.string]
    for m in kept:  # a plural: its first form for 1, its last for a count like 2
        if not isinstance(m.id, str):
            one, many = m.id
            assert isinstance(m.string, tuple)
            if (tn(one, many, 1), tn(one, many, 2)) != (m.string[0], m.string[-1]):
                wrong.append(m.id)
    assert wrong == [], f"stale {language} .mo (run make i18n or scripts/setup.sh): {wrong[:3]}"


def test_a_language_without_a_catalog_is_english() -> None:
    assert translator("de")("Save") == "Save"
    assert translator("ar")("Save") == "Save"
    assert translator(None)("Save") == "Save"
    assert translator("es")("") == ""  # not the catalog's header


def test_placeholder_check_sees_a_difference() -> None:
    assert _fields("{n} of {total:,}") == _fields("{total:,} sur {n}")
    assert _fields("{n} of {total}") != _fields("{n} de {totale}")
    assert _fields("%(prog)s: error: %(message)s") == _fields("%(prog)s : erreur : %(message)s")
    assert _fields("unrecognized arguments: %s") != _fields("argumentos no reconocidos")


def test_a_plural_has_the_form_of_its_count() -> None:
    """English: one form for 1, another for every other count; each language its own."""
    one, many = "{count} file checked, no problems", "{count} files checked, no problems"
    for language in ("en", *TRANSLATED):
        tn = plural_translator(language)
        if language == "en":
            assert tn(f"pdkit: {one}", f"pdkit: {many}", 1) == f"pdkit: {one}"
            assert tn(f"pdkit: {one}", f"pdkit: {many}", 0) == f"pdkit: {many}"
        else:
            forms = _catalog(language)[(f"pdkit: {one}", f"pdkit: {many}")]
            assert forms is not None
            assert isinstance(forms.string, tuple)
            assert tn(f"pdkit: {one}", f"pdkit: {many}", 1) == forms.string[0]
            assert tn(f"pdkit: {one}", f"pdkit: {many}", 7) == forms.string[-1]
            assert forms.string[0] != forms.string[-1]


def test_extraction_is_current(tmp_path: Path) -> None:
    """Every t("…") and N_("…") in pdkit's source is in pdkit.pot, and nothing else: a new
    word fails here until `make i18n` extracts it (and the languages translate it)."""
    fresh = tmp_path / "pdkit.pot"
    _script("extract_messages").extract(fresh)
    now, committed = _ids(_read(fresh)), _ids(_read(POT))
    assert sorted(now - committed) == [], "not extracted yet: run make i18n"
    assert sorted(committed - now) == [], "no longer in the source: run make i18n"


def test_extraction_finds_words_inside_f_strings(tmp_path: Path) -> None:
    source = tmp_path / "page.py"
    source.write_text(
        "x = f\"<h2>{escape(t('Inside an f-string'))}</h2>\"\n"
        "y = self.t('A method ' 'in two parts')\n"
        "z = {'a': N_('Marked for later')}\n"
        "w = t(variable)\n"
        "v = tn('{n} file', '{n} files', n)\n"
        "u = tn('{n} file', plural, n)\n",
        "utf-8",
    )
    extractor = _script("extract_messages").extract_pdkit
    with source.open("rb") as fileobj:
        found = [m for _, _, m, _ in extractor(fileobj, ("t", "N_", "tn"), (), {})]
    assert sorted(found, key=str) == [
        ("{n} file", "{n} files"),
        "A method in two parts",
        "Inside an f-string",
        "Marked for later",
    ]


def test_the_loading_page_has_the_catalogs_words() -> None:
    """The Voilà template's loading page (static: Voilà renders it) holds every catalog's
    words for it, as the catalogs say them now (else: python -m pdkit.serve._loading)."""
    from pdkit.serve._loading import LOADING_WORDS, loading_line, loading_words

    template = LOCALE_DIR.parent / "jupyter" / "voila" / "templates" / "pdkit" / "index.html.j2"
    assert loading_line() in template.read_text("utf-8"), "stale: python -m pdkit.serve._loading"
    words = loading_words()
    assert sorted(words) == list(TRANSLATED)
    for language in TRANSLATED:
        assert words[language] == [translator(language)(w) for w in LOADING_WORDS]
        assert words[language][0] != LOADING_WORDS[0]


def test_the_error_page_has_the_catalogs_words() -> None:
    """pdkit's Voilà error page (static) holds every catalog's words for it, as the
    catalogs say them now (else: python -m pdkit.serve._loading), and its English is the
    catalog's."""
    from pdkit.serve._loading import ERROR_WORDS, error_line

    page = (
        LOCALE_DIR.parent / "jupyter" / "voila" / "templates" / "pdkit" / "error.html"
    ).read_text("utf-8")
    assert error_line() in page, "stale: python -m pdkit.serve._loading"
    for word in ERROR_WORDS:
        assert word.replace("({code})", "({{ status_code }})") in page
        for language in TRANSLATED:
            assert translator(language)(word) != word


def test_no_word_hides_from_extraction() -> None:
    """A word is extracted where it is written as t("…"), tn("…", "…", n) or N_("…"):
    ``translator(language)("…")`` or ``plural_translator(language)("…", …)`` would show
    English forever without failing the extraction test, so neither is written anywhere."""
    import ast

    hidden = []
    for path in sorted((REPO / "src" / "pdkit").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Call)
                and getattr(node.func.func, "id", getattr(node.func.func, "attr", ""))
                in ("translator", "plural_translator")
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                hidden.append(f"{path.relative_to(REPO)}:{node.lineno}")
    assert hidden == [], f"write t = translator(…); t('…') instead: {hidden}"
