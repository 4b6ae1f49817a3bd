"""The command line speaks the language of its environment: every help text, argparse's
own words and pdkit's messages come from the catalogs (``PDKIT_LANGUAGE``, else gettext's
``LANGUAGE``, ``LC_ALL``, ``LC_MESSAGES``, ``LANG``)."""

from __future__ import annotations

import argparse
import gettext
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from pdkit.cli import main, parser
from pdkit.cli._words import argparse_words
from pdkit.i18n import LOCALE_DIR, language_from_environment, plural_translator, translator

LANGUAGE_VARIABLES = ("PDKIT_LANGUAGE", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


@pytest.fixture
def speaking(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """An environment without any language set (tests set the one they need)."""
    for name in LANGUAGE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def _catalog_ids() -> set[str]:
    from babel.messages.pofile import read_po

    with (LOCALE_DIR / "pdkit.pot").open("rb") as source:
        return {m.id for m in read_po(source) if isinstance(m.id, str) and m.id}


def _helps(found: argparse.ArgumentParser, path: str = "pdkit") -> Iterator[tuple[str, str]]:
    """(where, text) of every description and help text of ``found`` and its commands."""
    if found.description:
        yield f"{path} description", found.description
    for action in found._actions:
        if action.help and action.help != argparse.SUPPRESS:
            yield f"{path} {'/'.join(action.option_strings) or action.dest}", action.help
        if isinstance(action, argparse._SubParsersAction):
            for choice in action._choices_actions:
                if choice.help:
                    yield f"{path} {choice.dest} (in the list)", choice.help
            for name, sub in action.choices.items():
                yield from _helps(sub, f"{path} {name}")


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"LANG": "es_MX.UTF-8"}, "es-MX"),
        ({"LANGUAGE": "fr:en", "LANG": "es_ES.UTF-8"}, "fr"),
        ({"PDKIT_LANGUAGE": "es", "LANG": "fr_FR.UTF-8"}, "es"),
        ({"LC_ALL": "C", "LANG": "es_ES.UTF-8"}, None),
        ({"LANG": "fr_CA.UTF-8@euro"}, "fr-CA"),
        ({}, None),
    ],
)
def test_the_language_comes_from_the_environment(
    environ: dict[str, str], expected: str | None
) -> None:
    assert language_from_environment(environ) == expected


@pytest.mark.parametrize("language", ["es", "fr"])
def test_every_help_text_is_from_the_catalog(language: str, speaking: pytest.MonkeyPatch) -> None:
    """Every description and help of every command is one of the catalog's words, and
    shows translated: the parser built in English and in ``language`` differ exactly by
    the catalog."""
    with argparse_words():
        english = list(_helps(parser()))
    speaking.setenv("PDKIT_LANGUAGE", language)
    with argparse_words():
        translated = list(_helps(parser()))
    ids = _catalog_ids()
    assert len(english) > 150
    not_in_catalog = [where for where, text in english if text not in ids]
    assert not_in_catalog == [], f"help texts not in pdkit's catalog: {not_in_catalog[:5]}"
    t = translator(language)
    assert [(w, t(text)) for w, text in english] == translated
    same = [text for (_, text), (_, said) in zip(english, translated, strict=True) if text == said]
    assert len(same) < len(english) // 20  # a few may read alike (names, "options")


def _run(args: list[str], **environ: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in LANGUAGE_VARIABLES}
    return subprocess.run(
        [sys.executable, "-m", "pdkit", *args],
        capture_output=True,
        text=True,
        env={**env, **environ},
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("variable", "value", "language"),
    [
        ("LANG", "es_ES.UTF-8", "es"),
        ("LANGUAGE", "fr", "fr"),
    ],
)
def test_pdkit_help_in_the_terminal_s_language(variable: str, value: str, language: str) -> None:
    """A real process: its language from the variable a terminal sets; argparse's words
    ("usage:", "options") too."""
    t = translator(language)
    said = _run(["--help"], **{variable: value})
    assert said.returncode == 0, said.stderr
    assert said.stdout.startswith(t("usage: ") + "pdkit")
    assert t("show this help message and exit") in said.stdout
    assert t("serve workbooks to participants with Voilà") in said.stdout
    assert "serve workbooks to participants with Voilà" not in said.stdout
    english = _run(["--help"], LC_ALL="C", LANG=value)
    assert english.stdout.startswith("usage: pdkit")
    assert "serve workbooks to participants with Voilà" in english.stdout


def test_argparse_s_errors_in_the_language(
    speaking: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    speaking.setenv("LANG", "es_ES.UTF-8")
    with pytest.raises(SystemExit) as stopped:
        main(["validate"])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    t = translator("es")
    required = t("the following arguments are required: %s") % "paths"
    assert required in err
    assert "the following arguments are required" not in err
    assert vars(argparse)["_"] is gettext.gettext  # put back after the command


def test_messages_and_their_plurals_in_the_language(
    tmp_path: Path, speaking: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """pdkit validate says how many files it checked: the form for the count, in French."""
    speaking.setenv("LANGUAGE", "fr")
    one = tmp_path / "one.yaml"
    one.write_text(
        "schema_version: 1\nkind: form\nid: mine\ntitle: Mine\n"
        "fields:\n  - {id: a, type: text, label: A}\n"
    )
    tn = plural_translator("fr")
    forms = (
        "pdkit: {count} file checked, no problems",
        "pdkit: {count} files checked, no problems",
    )
    assert main(["validate", str(one)]) == 0
    assert tn(*forms, 1).format(count=1) in capsys.readouterr().out
    (tmp_path / "two.yaml").write_text(one.read_text().replace("id: mine", "id: yours"))
    assert main(["validate", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert tn(*forms, 2).format(count=2) in out
    assert tn(*forms, 2) != tn(*forms, 1) != forms[0]
    bad = tmp_path / "bad.yaml"
    bad.write_text("kind: form\nid: bad\n")
    assert main(["validate", str(bad)]) == 1
    err = capsys.readouterr().err
    in_files = tn("in {files} file", "in {files} files", 1).format(files=1)
    said = ("pdkit: {count} problem {in_files}", "pdkit: {count} problems {in_files}")
    problems = [tn(*said, n).format(count=n, in_files=in_files) for n in range(1, 9)]
    assert any(p in err for p in problems), err
    assert "problem" not in err


@pytest.mark.parametrize(
    ("environ", "language"), [({"LANG": "es_ES.UTF-8"}, "es"), ({"LANGUAGE": "fr"}, "fr")]
)
def test_a_definitions_problem_is_said_in_the_terminals_language(
    tmp_path: Path, environ: dict[str, str], language: str
) -> None:
    """``pdkit validate`` names the file and line as before, and says what is wrong in
    the terminal's language: the message is pdkit's words, not only its frame."""
    bad = tmp_path / "goal.yaml"
    bad.write_text("id: g\nfields: [\n", encoding="utf-8")
    english = _run(["validate", str(bad)])
    said = _run(["validate", str(bad)], **environ)
    assert english.returncode == said.returncode == 1
    t = translator(language)
    assert "not valid YAML:" in english.stdout
    assert "not valid YAML:" not in said.stdout
    assert t("not valid YAML: {reason}").split("{")[0] in said.stdout
    assert str(bad) in said.stdout
    line = t("{file}, line {line}").format(file=bad, line="")
    assert line in said.stdout


def test_a_commands_translator_says_a_count_in_its_languages_form(
    speaking: pytest.MonkeyPatch,
) -> None:
    """What a command prints with its ``t`` alone (an error, a warning) takes the plural
    form of the terminal's language: ``t`` carries its plural forms."""
    from pdkit.cli._words import t
    from pdkit.errors import Said
    from pdkit.i18n import Nn_

    forms = Nn_(
        "{count} more form has no definition here either",
        "{count} more forms have no definition here either",
    )
    speaking.setenv("PDKIT_LANGUAGE", "fr")
    for count in (1, 2):
        said = Said(forms, count=count).said(t)
        assert said == plural_translator("fr")(*forms, count).format(count=count)
        assert said != str(Said(forms, count=count))
