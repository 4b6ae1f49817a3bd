"""pdkit's error messages are pdkit's words: written once in English, marked for the
catalogs, and said in the reader's language on a page or in a terminal.

Every place that makes one of pdkit's errors (any class of the :class:`pdkit.PdkitError`
tree, wherever it is defined) gives its message as ``N_("…")`` or ``Nn_("…", "…")``,
with the values it names as keywords. A message written any other way (an f-string, a
variable, a concatenation) escapes extraction and stays English on a Spanish page with no
other test failing; this test finds every such place by reading the source.
"""

from __future__ import annotations

import ast
import pickle
from pathlib import Path

import pytest

import pdkit
from pdkit.errors import DefinitionError, PdkitError, StoreError, WorkbookFileError
from pdkit.i18n import N_, Nn_, plural_translator, translator

SOURCE = Path(pdkit.__file__).parent
MARKS = {"N_", "Nn_"}


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _trees() -> dict[Path, ast.Module]:
    return {path: ast.parse(path.read_text("utf-8")) for path in sorted(SOURCE.rglob("*.py"))}


def _error_classes(trees: dict[Path, ast.Module]) -> set[str]:
    """The names of every class of the PdkitError tree defined in pdkit's source."""
    # Damaged (pdkit.notebooks.untrusted) is no PdkitError, but its message becomes the
    # reason of a translated WorkbookFileError: written the same way, so said the same way.
    found = {"PdkitError", "Said", "Damaged"}
    grew = True
    while grew:
        grew = False
        for tree in trees.values():
            for node in ast.walk(tree):
                if (
                    isinstance(node, ast.ClassDef)
                    and node.name not in found
                    and any(_name(base) in found for base in node.bases)
                ):
                    found.add(node.name)
                    grew = True
    return found


def _marked(message: ast.expr) -> bool:
    """``N_("…")`` / ``Nn_("…", "…")`` with literal text; either of two such messages
    (``N_("a") if … else N_("b")``); or an error's ``.template``, passed on as it is."""
    if isinstance(message, ast.Call) and _name(message.func) in MARKS:
        texts = message.args
        return bool(texts) and all(
            isinstance(a, ast.Constant) and isinstance(a.value, str) for a in texts
        )
    if isinstance(message, ast.IfExp):
        return _marked(message.body) and _marked(message.orelse)
    return isinstance(message, ast.Attribute) and message.attr == "template"


PASSED_ON = {
    "store/_wire.py:error_from": "rebuilds an error that crossed the wire from the template "
    "and words it was made with (or its English, when an answer came without them)",
    "store/_wire.py:_said_parts": "rebuilds a text inside an error that crossed the wire "
    "(who asked) from the template and words it was made with",
    "notebooks/untrusted.py:__init__": "Damaged keeps the message it is raised with "
    "(marked where it is raised, which this test checks) as a Said",
}
"""Where an error is made from a message that was marked where it was first written."""


def _calls_by_function(tree: ast.Module) -> list[tuple[str, ast.Call]]:
    found = []
    for top in ast.walk(tree):
        if isinstance(top, ast.FunctionDef | ast.AsyncFunctionDef):
            found += [(top.name, n) for n in ast.walk(top) if isinstance(n, ast.Call)]
    inside = {id(call) for _, call in found}
    outside = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and id(n) not in inside]
    return found + [("", n) for n in outside]


def unmarked_messages() -> list[str]:
    """``file:line  Class(…)`` for every error made with a message that is not marked."""
    trees = _trees()
    classes = _error_classes(trees)
    problems = []
    for path, tree in trees.items():
        where = path.relative_to(SOURCE).as_posix()
        for function, node in _calls_by_function(tree):
            if _name(node.func) not in classes or f"{where}:{function}" in PASSED_ON:
                continue
            message = node.args[0] if node.args else None
            if message is None:
                message = next(
                    (k.value for k in node.keywords if k.arg in {"message", "problem"}), None
                )
            if message is None:
                continue
            if _marked(message):
                continue
            problems.append(
                f"{where}:{node.lineno}  {_name(node.func)}({ast.unparse(message)[:60]})"
            )
    return problems


def test_every_error_message_is_marked_for_the_catalogs() -> None:
    problems = unmarked_messages()
    assert not problems, (
        f'{len(problems)} error message(s) not written as N_("…") / Nn_("…", "…") with '
        "keywords:\n" + "\n".join(problems)
    )


@pytest.mark.parametrize(
    ("message", "marked"),
    [
        ('f"{name} is too long"', False),
        ('"too long"', False),
        ("text", False),
        ('N_("a " + b)', False),
        ('N_(f"{b}")', False),
        ('N_("a") if x else f"b"', False),
        ('N_("ok {a}")', True),
        ('Nn_("{count} a", "{count} b")', True),
        ('N_("a") if x else N_("b")', True),
        ("exc.template", True),
    ],
)
def test_the_check_tells_marked_from_unmarked(message: str, marked: bool) -> None:
    call = ast.parse(f"StoreError({message}, a=1)", mode="eval").body
    assert isinstance(call, ast.Call)
    assert _marked(call.args[0]) is marked


def test_an_error_is_english_as_a_string_and_translated_when_said() -> None:
    error = StoreError(
        N_("The file has more than {most:,} rows: upload one class at a time."), most=20000
    )
    assert str(error) == "The file has more than 20,000 rows: upload one class at a time."
    spanish = error.said(translator("es"))
    assert "20,000" in spanish
    assert spanish != str(error)


def test_what_a_teacher_typed_is_never_read_as_a_placeholder() -> None:
    error = StoreError(N_("{name} is not a goal."), name="{most} {0} {")
    assert str(error) == "{most} {0} { is not a goal."
    assert "{most} {0} {" in error.said(translator("fr"))


def test_a_translation_that_names_other_words_falls_back_to_english() -> None:
    error = StoreError(N_("{name} is not a goal."), name="x")
    assert error.said(lambda text: "{other} no") == "x is not a goal."


def test_a_count_takes_its_form() -> None:
    forms = Nn_("{count} item is too many.", "{count} items are too many.")
    assert str(StoreError(forms, count=1)) == "1 item is too many."
    assert str(StoreError(forms, count=3)) == "3 items are too many."
    said = StoreError(forms, count=3).said(translator("en"), plural_translator("en"))
    assert said == "3 items are too many."


def test_a_definition_error_says_where_in_the_readers_language() -> None:
    error = DefinitionError(
        N_("{value!r} is not a field type."), file="g.yaml", line=3, path="fields[0]", value="txt"
    )
    assert str(error) == "g.yaml, line 3: fields[0]: 'txt' is not a field type."
    assert error.problem == "'txt' is not a field type."
    assert "g.yaml" in error.said(translator("es"))


@pytest.mark.parametrize(
    "error",
    [
        StoreError(N_("{name} is too long."), name="x"),
        WorkbookFileError(N_("{file} is not a notebook."), "damaged", file="a.ipynb"),
        DefinitionError(N_("bad {what}"), file="f.yaml", line=2, what="x"),
    ],
)
def test_an_error_keeps_its_words_through_pickling(error: PdkitError) -> None:
    back = pickle.loads(pickle.dumps(error))
    assert type(back) is type(error)
    assert str(back) == str(error)
    assert back.words == error.words
    assert back.template == error.template
    assert back.__dict__ == error.__dict__


def test_a_message_inside_a_refusal_crosses_the_wire_and_is_said_in_the_readers_language() -> None:
    """Who asked, inside the hub service's refusal, is said in the teacher's language on
    the teacher's page (not left in English inside a Spanish sentence)."""
    from pdkit.errors import AccessError
    from pdkit.store import Viewer
    from pdkit.store._wire import error_body, error_from

    template = N_(
        "{who} may not read the choices of session {session!r}: only its "
        "facilitator may (to form groups and count)"
    )
    sent = AccessError(template, who=Viewer.of("p-1").described(), session="s")
    back = error_from(error_body(sent), 403)
    assert str(back) == str(sent)
    t = translator("es")
    assert back.said(t) == sent.said(t)
    assert t("participant {id}").format(id="p-1") in back.said(t)


def test_an_error_crosses_the_wire_with_its_words() -> None:
    """The hub service's refusal reaches the teacher's page as the same message, so the
    page says it in the teacher's language."""
    from pdkit.errors import AccessError
    from pdkit.store._wire import error_body, error_from

    sent = AccessError(N_("{name} is not a goal."), name="{x} <b>", count=3)
    back = error_from(error_body(sent), 403)
    assert type(back) is AccessError
    assert str(back) == str(sent)
    assert back.template == sent.template
    assert back.words == {"name": "{x} <b>", "count": 3}


@pytest.mark.parametrize(
    "found",
    [
        {"type": "StoreError", "message": "plain {english}"},
        {"type": "StoreError", "message": "plain {english}", "template": 3},
        {"type": "StoreError", "message": "plain {english}", "template": "{0.__class__}"},
        {"type": "StoreError", "message": "plain {english}", "template": "t", "words": []},
        {"type": "StoreError", "message": "plain {english}", "template": "t", "words": {"1": 2}},
        {"type": "StoreError", "message": "plain {english}", "template": "{a}", "words": {"a": {}}},
        {
            "type": "StoreError",
            "message": "plain {english}",
            "template": "{a:Z}",
            "words": {"a": 1},
        },
        {"type": "NoSuchError", "message": "plain {english}", "template": ["a", "b", "c"]},
        {
            "type": "StoreError",
            "message": "plain {english}",
            "template": "{a}",
            "words": {"a": {"template": "{b}", "words": {"b": {"template": "x"}}}},
        },
        {
            "type": "StoreError",
            "message": "plain {english}",
            "template": "{a}",
            "words": {"a": {"template": 5}},
        },
    ],
)
def test_an_answer_with_broken_words_still_says_something(found: dict[str, object]) -> None:
    import json

    from pdkit.store._wire import error_from

    back = error_from(json.dumps({"error": found}).encode(), 400)
    assert isinstance(back, StoreError)
    assert str(back)
    assert back.said(translator("es"))


def test_a_said_text_is_its_english_as_a_string_and_keeps_its_words() -> None:
    from pdkit.errors import Said, in_language

    text = Said(N_("participant {id}"), id="p-1")
    assert text == "participant p-1"
    assert isinstance(text, str)
    assert "p-1" in text
    back = pickle.loads(pickle.dumps(text))
    assert (back, back.template, back.words) == (text, text.template, text.words)
    assert in_language(text, translator("es")) == translator("es")("participant {id}").format(
        id="p-1"
    )
    assert in_language("a line from outside pdkit", translator("es")) == "a line from outside pdkit"


def test_a_message_inside_a_message_is_said_in_the_same_language() -> None:
    """Who asked (a viewer) inside a refusal, why a key is weak inside serve's refusal:
    both are said in the reader's language, not left in English inside Spanish."""
    from pdkit.errors import AccessError
    from pdkit.serve._config import key_weakness
    from pdkit.store import Viewer

    t = translator("es")
    who = Viewer.of("p-1").described()
    refusal = AccessError(
        N_(
            "{who} may not read the choices of session {session!r}: only its "
            "facilitator may (to form groups and count)"
        ),
        who=who,
        session="s",
    )
    assert str(refusal).startswith("participant p-1 may not read")
    spanish = refusal.said(t)
    assert t("participant {id}").format(id="p-1") in spanish
    assert "participant p-1" not in spanish
    weakness = key_weakness("aaaaaaaaaaaaaaaa")
    assert weakness is not None
    assert weakness.said(t) != str(weakness)
    listed = AccessError(N_("{who} may not read this"), who=[who, weakness])
    assert str(listed) == f"{who}; {weakness} may not read this"


def test_a_count_is_said_in_the_readers_form_from_the_translator_alone() -> None:
    """Pages hold only ``t``: its ``plural`` gives a message with a count its form."""
    forms = Nn_("{count} item is too many.", "{count} items are too many.")
    error = StoreError(forms, count=2)
    t = translator("fr")
    assert error.said(t) == plural_translator("fr")(*forms, 2).format(count=2)
