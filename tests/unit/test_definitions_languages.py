"""The built-in definitions speak English, Spanish and French: every text given per language
(with an ``en`` text) in a YAML file of pdkit's templates folder has an ``es`` and an ``fr``
text too (protocols, reflections, the exit ticket, forms, workbooks, school goals,
look-fors, pathways, micro-credentials), and each built-in definition's title changes with
the language asked for."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from pdkit.definitions import (
    builtin_definition_path,
    builtin_definitions,
    builtin_workbook_path,
    builtin_workbooks,
    load_definition,
    load_form,
    load_protocol,
)
from pdkit.definitions._load import templates_dir

LANGUAGES = ("es", "fr")


def _english_texts(value: Any, where: str, seen: set[int]) -> Iterator[tuple[str, dict[Any, Any]]]:
    """Each mapping below ``value`` whose ``en`` is a text, and where it is
    (``steps[3].prompt.presenter``). A mapping reached again through a YAML alias counts once."""
    if isinstance(value, dict):
        if id(value) in seen:
            return
        seen.add(id(value))
        if isinstance(value.get("en"), str):
            yield where, value
        for key, item in value.items():
            yield from _english_texts(item, f"{where}.{key}" if where else str(key), seen)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _english_texts(item, f"{where}[{index}]", seen)


def _texts() -> list[tuple[str, str, dict[Any, Any]]]:
    """(file, path, mapping) for every text given per language in the built-in YAML files."""
    root = templates_dir()
    found: list[tuple[str, str, dict[Any, Any]]] = []
    for path in sorted(root.rglob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        name = path.relative_to(root).as_posix()
        found.extend((name, where, texts) for where, texts in _english_texts(data, "", set()))
    return found


def test_every_text_in_english_is_in_spanish_and_french() -> None:
    texts = _texts()
    assert len(texts) >= 300, f"only {len(texts)} texts in English found in {templates_dir()}"
    missing = [
        f"{name}: {where} has no {language!r} text"
        for name, where, given in texts
        for language in LANGUAGES
        if not (isinstance(given.get(language), str) and given[language].strip())
    ]
    assert missing == [], "texts given in English but not in every language:\n" + "\n".join(missing)


def _builtin_files() -> list[Path]:
    """Every built-in form, reflection, protocol and workbook (agenda included)."""
    return [builtin_definition_path(i) for i in builtin_definitions()] + [
        builtin_workbook_path(i) for i in builtin_workbooks()
    ]


def test_every_builtin_definition_has_its_title_in_spanish_and_french() -> None:
    files = _builtin_files()
    assert len(files) >= 32, f"only {len(files)} built-in definitions found"
    same = []
    for path in files:
        english = load_definition(path, language="en").title
        # A workbook written in another language (goal-setting-es: ``language: es``) has no
        # English text: that language's text is the one it shows in English too.
        own = yaml.safe_load(path.read_text(encoding="utf-8")).get("language", "en")
        for language in LANGUAGES:
            title = load_definition(path, language=language).title
            if language != own and title == english:
                same.append(f"{path.relative_to(templates_dir()).as_posix()} ({language}): {title}")
    assert same == [], "titles the same as in English:\n" + "\n".join(same)


def test_the_tuning_protocol_in_french_and_in_english() -> None:
    path = builtin_definition_path("tuning")
    english = load_protocol(path, language="en")
    french = load_protocol(path, language="fr")
    assert english.title == "Tuning protocol"
    assert english.steps[0].title == "Introductions and norms"
    assert english.roles[0].label == "Presenter"
    assert french.title == "Protocole de réglage (tuning)"
    assert french.steps[0].title == "Présentations et règles"
    assert french.roles[0].label == "Personne qui présente"
    assert [step.id for step in french.steps] == [step.id for step in english.steps]
    assert [step.minutes for step in french.steps] == [step.minutes for step in english.steps]


def test_every_text_given_in_spanish_is_given_in_french() -> None:
    """(Once its own file: the texts with a Spanish one, French added to them first.)"""
    spanish = [(name, where, given) for name, where, given in _texts() if "es" in given]
    assert len(spanish) >= 90, f"only {len(spanish)} texts in Spanish found in {templates_dir()}"
    missing = [
        f"{name}: {where}"
        for name, where, given in spanish
        if not (isinstance(given.get("fr"), str) and given["fr"].strip())
    ]
    assert missing == [], "texts given in Spanish but not in French:\n" + "\n".join(missing)


def test_the_goal_setting_form_in_french() -> None:
    french = load_form(builtin_definition_path("goal-setting"), language="fr")
    assert french.title == "Mon objectif pour ce cycle"
