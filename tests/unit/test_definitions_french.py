"""The built-in definitions speak French wherever they speak Spanish: every text given per
language with an ``es`` text (and an ``en`` one) in a YAML file of pdkit's templates folder
(forms, reflections, evaluation, school goals, look-fors, pathways, micro-credentials) has an
``fr`` text too, so a page opened with ``?lang=fr`` shows the definitions' words in French."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import yaml

from pdkit.definitions import builtin_definition_path, load_form
from pdkit.definitions._load import templates_dir


def _per_language(value: Any, where: str, seen: set[int]) -> Iterator[tuple[str, dict[Any, Any]]]:
    """Each mapping below ``value`` with an ``en`` key and an ``es`` text, and where it is
    (``fields[3].label``). A mapping reached again through a YAML alias counts once."""
    if isinstance(value, dict):
        if id(value) in seen:
            return
        seen.add(id(value))
        if "en" in value and isinstance(value.get("es"), str):
            yield where, value
        for key, item in value.items():
            yield from _per_language(item, f"{where}.{key}" if where else str(key), seen)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _per_language(item, f"{where}[{index}]", seen)


def _spanish_texts() -> list[tuple[str, str, dict[Any, Any]]]:
    """(file, path, mapping) for every text given in Spanish in the built-in YAML files."""
    root = templates_dir()
    found: list[tuple[str, str, dict[Any, Any]]] = []
    for path in sorted(root.rglob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        name = path.relative_to(root).as_posix()
        found.extend((name, where, texts) for where, texts in _per_language(data, "", set()))
    return found


def test_every_text_given_in_spanish_is_given_in_french() -> None:
    texts = _spanish_texts()
    assert len(texts) >= 90, f"only {len(texts)} texts in Spanish found in {templates_dir()}"
    missing = [
        f"{name}: {where}"
        for name, where, given in texts
        if not (isinstance(given.get("fr"), str) and given["fr"].strip())
    ]
    assert missing == [], "texts given in Spanish but not in French:\n" + "\n".join(missing)


def test_the_goal_setting_form_in_french() -> None:
    french = load_form(builtin_definition_path("goal-setting"), language="fr")
    assert french.title == "Mon objectif pour ce cycle"
