"""Saved workbooks: a participant's own copy of their work.

``save_workbook`` turns the workbook notebook and a participant's answers into a
.ipynb that holds them exactly (under ``metadata["pdkit"]["saved"]``) and readably
(a Markdown cell after each section); ``read_saved`` reads it back or says why it
cannot; ``restore_saved`` puts the answers back into a store; ``printable_html`` is a
page to print; ``export_store`` writes one file per participant. :class:`CopyTools`
offers all of it in a workbook page (download, print, upload), tested headless here.
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from html import escape, unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import ipywidgets as w
import nbformat
import pytest

import pdkit
from _loop import run_on_own_loop
from pdkit import pacing
from pdkit.app import CopyTools, ParticipantApp, Workbook
from pdkit.app._parts import FormPart
from pdkit.definitions import (
    SchoolGoal,
    WorkbookDefinition,
    answer_text,
    load_form,
    load_protocol,
    load_workbook,
    parse_definition,
    workbook_forms,
)
from pdkit.errors import WorkbookFileError
from pdkit.notebooks import (
    SAVED_FORMAT,
    build_notebook,
    dumps,
    export_store,
    md_escape,
    printable_html,
    read_saved,
    restore_saved,
    restore_visibility,
    save_workbook,
)
from pdkit.store import JSONValue, Participant, Store, Viewer
from pdkit.testing import page_loaded
from pdkit.widgets import BrowserIdentity, FileDownload

NOW = 1_780_000_000.0  # 2026-05-28T20:26:40+00:00

GOALS = [
    SchoolGoal("reading", "Every student reads for pleasure"),
    SchoolGoal("talk", "More student talk in maths"),
]

GOAL_V1 = "By March, most of my students will ask a question."
GOAL_V2 = "By May, 8 of my 10 students will ask a question in every lesson."

ANSWERS: dict[str, JSONValue] = {
    "school_goal": "talk",
    "goal": GOAL_V2,
    "focus": "*bold* focus",
    "point_a": "<script>alert(1)</script>",
    "point_b": "# heading\n[link](javascript:x)",
    "target_date": "2026-03-31",
    "confidence": 3,
    "evidence": ["student_work", "survey"],
    "action_steps": ["Plan question stems", "Try <b>think</b>-pair-share"],
    "measure_instrument": "*Weekly* exit ticket <img src=x onerror=alert(1)>",
    "measure_unit": "percent",
    "baseline": 40.0,
    "target": 80.5,
}
"""Ana's goal: one value of every field type, with markup typed by the participant."""

REFLECTION: dict[str, JSONValue] = {
    "what": "A quiet student\n===\nasked why.",
    "so_what": "Thinking time matters\n---",
    "now_what": "Wait _five_ seconds | `every` time ~~ok~~ & <img src=x onerror=alert(1)>",
}
"""Ana's reflection: Setext underlines, emphasis, code, tables, strike-through, HTML."""

USER_TEXTS = [
    "<script>alert(1)</script>",
    "*bold*",
    "# heading",
    "[link](javascript:x)",
    "<b>think</b>",
    "<img src=x onerror=alert(1)>",
]

WORKBOOK_YAML = """\
kind: workbook
id: both
schema_version: 1
title: Goal & reflection
intro: A goal, then a reflection.
sections:
  - text: Start with **your** goal.
  - form: goal-setting
  - reflection: what-so-what-now-what
  - protocol: runner
"""


def spec_version(form_id: str) -> str:
    return load_form(form_id).spec_version


def both_workbook() -> WorkbookDefinition:
    """A workbook with a text, a form, a reflection and a protocol section (English)."""
    workbook = parse_definition(WORKBOOK_YAML)
    assert isinstance(workbook, WorkbookDefinition)
    return workbook


@dataclass
class World:
    """A session: Ana answered everything and wrote notes in a tuning protocol run."""

    store: Store
    ana: Participant
    ben: Participant
    run_id: str


@pytest.fixture(autouse=True)
def _clean(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in ("JUPYTERHUB_USER", "PDKIT_SCHOOL_GOALS", "PDKIT_STORE", "PDKIT_FACILITATOR_KEY"):
        monkeypatch.delenv(name, raising=False)
    yield
    w.Widget.close_all()


@pytest.fixture
def store() -> Iterator[Store]:
    opened = pdkit.open_store("memory://")
    yield opened
    opened.close()


@pytest.fixture
def world(store: Store) -> World:
    ana, _ = store.create_participant("Ana Ruiz")
    ben, _ = store.create_participant("Ben")
    store.record(
        ana.id,
        "goal-setting",
        {**ANSWERS, "goal": GOAL_V1},
        spec_version=spec_version("goal-setting"),
    )
    store.record(
        ana.id, "goal-setting", {"goal": GOAL_V2}, spec_version=spec_version("goal-setting")
    )
    store.record(
        ana.id,
        "what-so-what-now-what",
        REFLECTION,
        spec_version=spec_version("what-so-what-now-what"),
    )
    store.record(
        ben.id,
        "goal-setting",
        {"goal": "Ben's own goal", "target_date": "2026-03-31"},
        spec_version=spec_version("goal-setting"),
    )
    tuning = load_protocol("tuning")
    (group,) = store.set_groups("default", [[ana.id, ben.id]])
    run = store.start_run(
        "default",
        tuning.id,
        tuning.spec_version,
        {group.id: tuning.assign_roles(group.members)},
        pacing.start(tuning, NOW),
    )
    store.record_notes(run.id, "presentation", ana.id, {"focusing_question": "How?"})
    store.record_notes(run.id, "presentation", ben.id, {"first_notes": "Ben's note"})
    store.record_notes(run.id, "presentation", ana.id, {"focusing_question": "How, really?"})
    return World(store, ana, ben, run.id)


def saved_text(world: World, who: Participant | None = None, **kwargs: Any) -> str:
    notebook = save_workbook(
        both_workbook(), world.store, who or world.ana, clock=lambda: NOW, **kwargs
    )
    return dumps(notebook)


def answers_cells(notebook: Any) -> list[Any]:
    return [c for c in notebook.cells if "pdkit-answers" in c.metadata.get("tags", [])]


def render_markdown(source: str) -> str | None:
    """HTML from a Markdown renderer that lets raw HTML through (as Jupyter's does
    before sanitising), or None when neither ``markdown`` nor ``mistune`` is installed."""
    try:
        import markdown
    except ImportError:
        pass
    else:
        return str(markdown.markdown(source))
    try:
        import mistune
    except ImportError:
        return None
    return str(mistune.html(source))


class Tags(HTMLParser):
    """Every start tag of an HTML text, with its attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.decl: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_decl(self, decl: str) -> None:
        self.decl.append(decl)


def tags_of(html: str) -> Tags:
    parser = Tags()
    parser.feed(html)
    parser.close()
    return parser


# --------------------------------------------------------------------------- round trip


def test_saved_workbook_is_a_valid_notebook_that_reads_back_exactly(world: World) -> None:
    text = saved_text(world, school_goals=GOALS)
    notebook = nbformat.reads(text, as_version=4)
    nbformat.validate(notebook)

    saved = read_saved(text, source="ana.ipynb")
    store = world.store
    assert saved.workbook == "both"
    assert saved.language == "en"
    assert saved.source == "ana.ipynb"
    assert dict(saved.answers) == {
        "goal-setting": store.latest(world.ana.id, "goal-setting", viewer=world.ana.id),
        "what-so-what-now-what": store.latest(
            world.ana.id, "what-so-what-now-what", viewer=world.ana.id
        ),
    }
    assert saved.answers["goal-setting"] == ANSWERS  # the revision, not the first goal
    assert saved.answers["what-so-what-now-what"] == REFLECTION
    assert saved.spec_versions == {
        "goal-setting": "goal-setting@1",
        "what-so-what-now-what": "what-so-what-now-what@1",
    }
    assert saved.participant == {
        "id": world.ana.id,
        "display_name": "Ana Ruiz",
        "session": "default",
    }
    assert saved.saved_at == "2026-05-28T20:26:40+00:00"
    assert datetime.fromisoformat(saved.saved_at) == datetime.fromtimestamp(NOW, tz=timezone.utc)
    assert saved.pdkit_version == pdkit.__version__
    assert saved.coach_comments == ()


def test_saved_history_holds_every_event_in_order(world: World) -> None:
    saved = read_saved(saved_text(world))
    for form_id in ("goal-setting", "what-so-what-now-what"):
        events = world.store.history(world.ana.id, form_id, viewer=world.ana.id)
        assert [h for h in saved.history if h["form"] == form_id] == [
            {
                "form": e.form,
                "field": e.field,
                "value": e.value,
                "at": e.at,
                "spec_version": e.spec_version,
            }
            for e in events
        ]
    assert len(saved.history) == len(ANSWERS) + 1 + len(REFLECTION)
    goals = [h["value"] for h in saved.history if h["field"] == "goal"]
    assert goals == [GOAL_V1, GOAL_V2]  # the earlier version is kept, oldest first
    assert all(h["form"] != "goal-setting" or h["value"] != "Ben's own goal" for h in saved.history)


def test_saved_notes_are_the_participants_own(world: World) -> None:
    saved = read_saved(saved_text(world))
    assert [(n["step"], n["field"], n["value"]) for n in saved.notes] == [
        ("presentation", "focusing_question", "How?"),
        ("presentation", "focusing_question", "How, really?"),
    ]
    run = world.store.get_run(world.run_id)
    assert run is not None
    group, role = run.placement(world.ana.id) or ("", "")
    for note in saved.notes:
        assert note["run"] == world.run_id
        assert note["group"] == group
        assert note["role"] == role
        assert note["spec_version"] == "tuning@1"
    assert "Ben's note" not in saved_text(world)

    bens = read_saved(saved_text(world, world.ben))
    assert [n["value"] for n in bens.notes] == ["Ben's note"]
    assert bens.answers["goal-setting"] == {"goal": "Ben's own goal", "target_date": "2026-03-31"}


def test_participant_without_answers_saves_empty_forms(world: World) -> None:
    carl, _ = world.store.create_participant("Carl")
    text = saved_text(world, carl)
    nbformat.validate(nbformat.reads(text, as_version=4))
    saved = read_saved(text)
    assert saved.answers == {"goal-setting": {}, "what-so-what-now-what": {}}
    assert saved.history == ()
    assert saved.notes == ()


# --------------------------------------------------------------------------- readable copy


def test_answers_cells_follow_their_sections(world: World) -> None:
    notebook = nbformat.reads(saved_text(world, school_goals=GOALS), as_version=4)
    cells = notebook.cells
    shown = answers_cells(notebook)
    assert [c.metadata["pdkit"]["form"] for c in shown] == ["goal-setting", "what-so-what-now-what"]
    for cell in shown:
        assert cell.cell_type == "markdown"
        before = cells[cells.index(cell) - 1]
        assert "pdkit-section" in before.metadata["tags"]
        index = before.metadata["pdkit"]["section"]
        refs = both_workbook().sections[index].refs
        assert cell.metadata["pdkit"]["form"] in refs
    # Everything else is the built notebook, in its order.
    built = build_notebook(both_workbook(), reference="both")["cells"]
    assert [c.id for c in cells if c not in shown] == [c["id"] for c in built]


def test_answers_show_labels_not_ids(world: World) -> None:
    notebook = nbformat.reads(saved_text(world, school_goals=GOALS), as_version=4)
    goal, reflection = (c.source for c in answers_cells(notebook))
    assert goal.startswith("### My goal for this cycle\n")
    assert "**Which school goal does your goal serve?**" in goal
    assert "> More student talk in maths" in goal  # the school goal's title
    assert "> Fairly" in goal  # the scale point's label
    assert "> Samples of student work; A short student survey" in goal
    assert "> 2026-03-31" in goal
    assert "> 1. Plan question stems\n> 2. Try &lt;b&gt;think&lt;/b&gt;-pair-share" in goal
    assert "student_work" not in goal
    assert "**Now what: what I will do next**" in reflection

    plain = nbformat.reads(saved_text(world), as_version=4)
    assert "> talk\n" in answers_cells(plain)[0].source  # no school goals given: the id


def test_unanswered_fields_show_a_dash(world: World) -> None:
    notebook = nbformat.reads(saved_text(world, world.ben), as_version=4)
    goal = answers_cells(notebook)[0].source
    assert "**Short title for my goal**\n\n> —" in goal
    assert "> Ben's own goal" in goal


def test_user_text_cannot_become_markup_in_the_source(world: World) -> None:
    notebook = nbformat.reads(saved_text(world), as_version=4)
    for cell in answers_cells(notebook):
        source = cell.source
        assert "<" not in source
        assert ">" not in source.replace("\n> ", "\n").removeprefix("> ")  # only quote marks
        body = [line for line in source.splitlines() if line.startswith(">")]
        for line in body:
            content = line[1:].strip()
            assert not content.startswith("#")
            assert not re.fullmatch(r"[=\-]+", content), line  # no Setext underline
    goal = answers_cells(notebook)[0].source
    assert "> &lt;script&gt;alert(1)&lt;/script&gt;" in goal
    assert r"> \*bold\* focus" in goal
    assert "> \\# heading\n> \\[link\\](javascript:x)" in goal


def test_user_text_cannot_become_markup_when_rendered(world: World) -> None:
    notebook = nbformat.reads(saved_text(world), as_version=4)
    rendered = [render_markdown(c.source) for c in answers_cells(notebook)]
    if rendered[0] is None:
        return  # no Markdown renderer here: the source test above holds the line
    for html, fields in zip(rendered, (len(ANSWERS), len(REFLECTION)), strict=True):
        assert html is not None
        tags = [tag for tag, _ in tags_of(html).tags]
        assert [t for t in tags if re.fullmatch(r"h\d", t)] == ["h3"]  # the form's title
        assert tags.count("strong") == fields  # the labels
        for banned in ("script", "a", "img", "b", "em", "code", "del", "table", "hr"):
            assert banned not in tags, banned
    goal, reflection = rendered
    assert goal is not None
    assert reflection is not None
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in goal
    assert "*bold* focus" in goal
    assert "# heading" in goal
    assert "[link](javascript:x)" in goal
    assert "<li>Plan question stems</li>" in goal  # list items stay a numbered list
    assert "A quiet student\n===\nasked why." in reflection
    assert "Thinking time matters\n---" in reflection


@pytest.mark.parametrize(
    "text",
    ["*x*", "_x_", "`x`", "# x", "[x](y)", "<b>x</b>", "a | b", "~~x~~", "x\n===", "x\n---", "\\"],
)
def test_md_escape_shows_text_as_typed(text: str) -> None:
    escaped = md_escape(text)
    assert "<" not in escaped
    html = render_markdown(escaped)
    if html is None:
        return
    body = re.sub(r"^<p>|</p>\n?$", "", html.strip())
    assert tags_of(body).tags == []
    assert unescape(body).split() == text.split()


def test_answer_text_reads_like_the_form(world: World) -> None:
    form = {f.id: f for _i, f in workbook_forms(both_workbook(), school_goals=GOALS)}
    goal = load_form("goal-setting").with_options({"school_goals": [g.as_option() for g in GOALS]})
    assert form["goal-setting"] == goal
    field = goal.field
    assert answer_text(field("school_goal"), "reading") == "Every student reads for pleasure"
    assert answer_text(field("school_goal"), "gone") == "gone"  # an option since removed
    assert answer_text(field("confidence"), 4) == "Very"
    assert answer_text(field("evidence"), ["video"]) == "A video of my teaching"
    assert answer_text(field("action_steps"), ["a", "b"]) == "1. a\n2. b"
    assert answer_text(field("goal"), None) == ""
    assert answer_text(field("evidence"), []) == ""


def test_spanish_workbook_saves_in_spanish(world: World) -> None:
    workbook = load_workbook("goal-setting-es")
    notebook = save_workbook(workbook, world.store, world.ana, school_goals=GOALS)
    nbformat.validate(nbformat.reads(dumps(notebook), as_version=4))
    goal = "".join(notebook["cells"][3]["source"])
    assert notebook["cells"][3]["metadata"]["tags"] == ["pdkit-answers"]
    assert goal.startswith("### Mi meta para este ciclo")
    assert "> Bastante" in goal
    assert "My goal" not in goal
    saved = read_saved(dumps(notebook))
    assert saved.language == "es"
    assert 'lang="es"' in printable_html(workbook, saved, school_goals=GOALS)
    assert "Bastante" in printable_html(workbook, saved, school_goals=GOALS)


def test_a_form_in_two_sections_and_a_long_form_id_still_make_a_valid_notebook(
    world: World, tmp_path: Path
) -> None:
    long_id = "a" * 64  # the longest id a definition may have
    (tmp_path / f"{long_id}.yaml").write_text(
        f"kind: form\nid: {long_id}\nschema_version: 1\ntitle: Long\n"
        "fields:\n  - {id: x, type: text, label: X}\n"
    )
    (tmp_path / "twice.yaml").write_text(
        "kind: workbook\nid: twice\nschema_version: 1\ntitle: Twice\nsections:\n"
        f"  - form: goal-setting\n  - form: {long_id}\n  - form: goal-setting\n"
    )
    workbook = load_workbook(tmp_path / "twice.yaml")
    world.store.record(world.ana.id, long_id, {"x": "long"}, spec_version=f"{long_id}@1")

    text = dumps(save_workbook(workbook, world.store, world.ana))

    notebook = nbformat.reads(text, as_version=4)
    nbformat.validate(notebook)
    ids = [c.id for c in notebook.cells]
    assert len(ids) == len(set(ids))
    assert all(len(i) <= 64 for i in ids)
    sections = [c.metadata.get("pdkit", {}).get("section") for c in notebook.cells]
    forms = [c.metadata.get("pdkit", {}).get("form") for c in notebook.cells]
    assert forms.count("goal-setting") == 2  # after each of its sections
    assert forms[sections.index(2) + 1] == "goal-setting"
    saved = read_saved(text)
    assert saved.answers[long_id] == {"x": "long"}
    assert saved.answers["goal-setting"] == ANSWERS
    events = world.store.history(world.ana.id, "goal-setting", viewer=world.ana.id)
    assert len([h for h in saved.history if h["form"] == "goal-setting"]) == len(events)


# --------------------------------------------------------------------------- errors


def _saved_dict(world: World) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(saved_text(world))
    return loaded


def _with_saved(world: World, **changes: Any) -> str:
    notebook = _saved_dict(world)
    notebook["metadata"]["pdkit"]["saved"].update(changes)
    return json.dumps(notebook)


def _plain_notebook() -> str:
    return str(nbformat.writes(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1")])))


V3 = json.dumps(
    {
        "metadata": {"name": "old"},
        "nbformat": 3,
        "nbformat_minor": 0,
        "worksheets": [{"cells": [], "metadata": {}}],
    }
)


@pytest.mark.parametrize(
    ("make", "why"),
    [
        pytest.param(lambda _w: '{"cells": [', "JSON is broken", id="broken-json"),
        pytest.param(lambda _w: "", "JSON is broken", id="empty"),
        pytest.param(lambda _w: '["cells"]', "not a Jupyter notebook", id="a-list"),
        pytest.param(lambda _w: '{"hello": 1}', "not a Jupyter notebook", id="no-cells"),
        pytest.param(lambda _w: V3, "notebook format 3; pdkit reads format 4", id="nbformat-3"),
        pytest.param(
            lambda _w: '{"cells": [], "nbformat": 4, "metadata": []}',
            "not a saved pdkit workbook",
            id="metadata-not-a-mapping",
        ),
        pytest.param(lambda _w: _plain_notebook(), "not a saved pdkit workbook", id="plain"),
        pytest.param(
            lambda _w: dumps(build_notebook(both_workbook(), reference="both")),
            "not a saved pdkit workbook",
            id="built-not-saved",
        ),
        pytest.param(
            lambda wld: _with_saved(wld, format=SAVED_FORMAT + 1),
            f"newer pdkit (format {SAVED_FORMAT + 1}",
            id="newer-format",
        ),
        pytest.param(lambda wld: _with_saved(wld, format="1"), "format '1'", id="format-text"),
        pytest.param(lambda wld: _with_saved(wld, answers=["x"]), "damaged", id="answers-list"),
        pytest.param(
            lambda wld: _with_saved(wld, answers={"goal-setting": "text"}),
            "damaged",
            id="form-answers-text",
        ),
        pytest.param(
            lambda wld: _with_saved(wld, answers={"goal-setting": [["goal", "x"]]}),
            "damaged",
            id="form-answers-pairs",
        ),
        pytest.param(
            lambda wld: _with_saved(wld, participant=None), "damaged", id="no-participant"
        ),
    ],
)
def test_read_saved_says_why_a_file_is_not_a_saved_workbook(
    world: World, make: Any, why: str
) -> None:
    with pytest.raises(WorkbookFileError) as caught:
        read_saved(make(world), source="my <file>.ipynb")
    message = str(caught.value)
    assert message.startswith("my <file>.ipynb: ")
    assert why in message


def test_read_saved_names_a_newer_format_and_what_to_do(world: World) -> None:
    with pytest.raises(WorkbookFileError, match=r"upgrade pdkit"):
        read_saved(_with_saved(world, format=99), source="f.ipynb")


def test_read_saved_rejects_bytes_that_are_not_utf8(world: World) -> None:
    latin1 = saved_text(world).replace("Ana Ruiz", "Ana Ruíz").encode("latin-1", errors="replace")
    with pytest.raises(WorkbookFileError) as caught:
        read_saved(latin1, source="latin1.ipynb")
    message = str(caught.value)
    assert message.startswith("latin1.ipynb: ")
    assert "utf-8" in message.lower()


def test_read_saved_takes_bytes_and_a_bom(world: World) -> None:
    text = saved_text(world)
    assert read_saved(text.encode("utf-8")).answers == read_saved(text).answers
    assert read_saved(b"\xef\xbb\xbf" + text.encode("utf-8")).answers == read_saved(text).answers


# --------------------------------------------------------------------------- restore


def test_restore_writes_only_what_differs(world: World) -> None:
    store = world.store
    saved = read_saved(saved_text(world))
    ben = world.ben
    before = store.history(ben.id, "goal-setting", viewer=ben.id)

    count = restore_saved(store, ben.id, saved)

    # Ben's target date was already Ana's: not written again.
    assert count == len(ANSWERS) - 1 + len(REFLECTION)
    assert store.latest(ben.id, "goal-setting", viewer=ben.id) == ANSWERS
    assert store.latest(ben.id, "what-so-what-now-what", viewer=ben.id) == REFLECTION
    history = store.history(ben.id, "goal-setting", viewer=ben.id)
    assert history[: len(before)] == before  # the earlier versions are kept
    assert [e.value for e in store.history(ben.id, "goal-setting", "goal", viewer=ben.id)] == [
        "Ben's own goal",
        GOAL_V2,
    ]
    assert len(store.history(ben.id, "goal-setting", "target_date", viewer=ben.id)) == 1
    assert {e.spec_version for e in history[len(before) :]} == {"goal-setting@1"}
    # Ana's answers are untouched.
    assert store.latest(world.ana.id, "goal-setting", viewer=world.ana.id) == ANSWERS

    assert restore_saved(store, ben.id, saved) == 0
    assert len(store.history(ben.id, "goal-setting", viewer=ben.id)) == len(history)


# --------------------------------------------------------------------------- printable page


def test_printable_html_is_a_standalone_escaped_page(world: World) -> None:
    store = world.store
    name = "Zoë <img src=x onerror=alert(1)> & co"
    zoe, _ = store.create_participant(name)
    store.record(zoe.id, "goal-setting", ANSWERS, spec_version="goal-setting@1")
    store.record(zoe.id, "what-so-what-now-what", REFLECTION, spec_version="x@1")
    workbook = both_workbook()
    saved = read_saved(saved_text(world, zoe))

    html = printable_html(workbook, saved, school_goals=GOALS)

    assert html.startswith("<!DOCTYPE html>\n")
    parsed = tags_of(html)
    assert parsed.decl == ["DOCTYPE html"]
    tags = [tag for tag, _ in parsed.tags]
    assert tags[0] == "html"
    assert parsed.tags[0][1] == {"lang": "en"}
    assert tags.count("h1") == 1
    assert tags.count("h2") == 2  # one per form
    assert "script" not in tags
    allowed = {"html", "head", "meta", "title", "style", "body", "main", "h1", "h2", "p"}
    assert set(tags) <= allowed | {"section", "dl", "dt", "dd", "br"}
    assert "<h1>Goal &amp; reflection</h1>" in html
    assert escape(name) in html
    assert "<img" not in html
    for text in USER_TEXTS:
        if text in html:  # only texts without markup may appear as typed
            assert escape(text) == text
    assert escape("<script>alert(1)</script>") in html
    assert "More student talk in maths" in html  # labels, not ids
    assert "Fairly" in html
    assert "Samples of student work; A short student survey" in html
    assert "1. Plan question stems<br>2. Try &lt;b&gt;think&lt;/b&gt;-pair-share" in html
    assert "A quiet student<br>===<br>asked why." in html
    assert saved.saved_at in html


def test_printable_html_shows_a_dash_for_unanswered_fields(world: World) -> None:
    carl, _ = world.store.create_participant("Carl")
    html = printable_html(both_workbook(), read_saved(saved_text(world, carl)))
    assert html.count("<dd>—</dd>") == len(ANSWERS) + len(REFLECTION)


# --------------------------------------------------------------------------- export

# What the store's holder exports to give teachers their own full copies back.
EVERYTHING = Viewer.steward(include_private=True)


def test_export_writes_one_file_per_participant_of_the_session(
    world: World, tmp_path: Path
) -> None:
    store = world.store
    other, _ = store.create_participant("Olga", session="spring")
    store.record(other.id, "goal-setting", {"goal": "spring goal"}, spec_version="goal-setting@1")
    workbook = both_workbook()
    out = tmp_path / "out" / "nested"

    written = export_store(store, workbook, out, viewer=EVERYTHING)

    assert [p.name for p in written] == [f"both-{world.ana.id}.ipynb", f"both-{world.ben.id}.ipynb"]
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in written)
    for path, who in zip(written, (world.ana, world.ben), strict=True):
        text = path.read_text(encoding="utf-8")
        nbformat.validate(nbformat.reads(text, as_version=4))
        saved = read_saved(text, source=path.name)
        assert saved.participant["id"] == who.id
        assert saved.answers["goal-setting"] == store.latest(who.id, "goal-setting", viewer=who.id)
    assert "spring goal" not in "".join(p.read_text(encoding="utf-8") for p in written)

    spring = export_store(store, workbook, out, session="spring", viewer=EVERYTHING)
    assert [p.name for p in spring] == [f"both-{other.id}.ipynb"]
    assert read_saved(spring[0].read_text(encoding="utf-8")).answers["goal-setting"] == {
        "goal": "spring goal"
    }


def test_export_shows_school_goal_titles(world: World, tmp_path: Path) -> None:
    store = world.store
    store.record(
        world.ana.id, "goal-setting", {"school_goal": "talk"}, spec_version="goal-setting@1"
    )
    goals = [SchoolGoal("talk", "Students do more of the <talking>")]
    [path, _ben] = export_store(
        store, both_workbook(), tmp_path, school_goals=goals, viewer=EVERYTHING
    )
    text = "".join("".join(c["source"]) for c in answers_cells(nbformat.reads(path.read_text(), 4)))
    assert "Students do more of the &lt;talking&gt;" in text
    assert read_saved(path.read_text()).answers["goal-setting"]["school_goal"] == "talk"


def test_export_again_replaces_the_files(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = world.store
    workbook = both_workbook()
    first = export_store(store, workbook, tmp_path, viewer=EVERYTHING)
    ana_file = first[0]
    store.record(world.ana.id, "goal-setting", {"goal": "Revised"}, spec_version="goal-setting@1")

    again = export_store(store, workbook, tmp_path, viewer=EVERYTHING)

    assert again == first
    assert sorted(tmp_path.iterdir()) == sorted(first)  # no .tmp left behind
    assert read_saved(ana_file.read_bytes()).answers["goal-setting"]["goal"] == "Revised"

    # A write that fails half-way leaves the previous file whole.
    before = ana_file.read_bytes()
    real_write = Path.write_text

    def failing_write(self: Path, data: str, *args: Any, **kwargs: Any) -> int:
        real_write(self, data[: len(data) // 2], *args, **kwargs)
        raise OSError(28, "No space left on device")

    store.record(world.ana.id, "goal-setting", {"goal": "Lost"}, spec_version="goal-setting@1")
    monkeypatch.setattr(Path, "write_text", failing_write)
    with pytest.raises(OSError, match="No space left"):
        export_store(store, workbook, tmp_path, viewer=EVERYTHING)
    monkeypatch.undo()
    assert ana_file.read_bytes() == before
    assert read_saved(ana_file.read_bytes()).answers["goal-setting"]["goal"] == "Revised"


# --------------------------------------------------------------------------- CopyTools


def report(browser: BrowserIdentity) -> None:
    """What the page's JavaScript does when it loads (no token: a new participant)."""
    page_loaded(browser)


@dataclass
class Page:
    """A goal-setting workbook page with someone signed in, and what it sent to download."""

    workbook: Workbook
    app: ParticipantApp
    tools: CopyTools
    participant: Participant
    sent: list[dict[str, Any]]

    @property
    def part(self) -> FormPart:
        part = self.app.parts[0]
        assert isinstance(part, FormPart)
        return part

    def form_values(self) -> dict[str, JSONValue]:
        form = self.part.form
        assert form is not None
        (shown,) = self.workbook.section(0).children
        # The section's box shows this form (the goal's first, above its feedback).
        assert form.widget in (shown, *shown.children)
        return form.values()


def open_page(store: Store, monkeypatch: pytest.MonkeyPatch, name: str = "Ana Ruiz") -> Page:
    sent: list[dict[str, Any]] = []
    monkeypatch.setattr(
        FileDownload, "send", lambda self, content, buffers=None: sent.append(content)
    )
    workbook = Workbook("goal-setting", store=store)
    assert workbook.error is None
    app = workbook.app
    assert isinstance(app, ParticipantApp)
    assert app.tools is not None
    report(app.sign_in.browser)
    participant = app.sign_in.join(name)
    assert participant is not None
    assert app.tools_box.children == (app.tools.widget,)
    return Page(workbook, app, app.tools, participant, sent)


def type_answers(page: Page, answers: dict[str, JSONValue]) -> None:
    form = page.part.form
    assert form is not None
    for field_id, value in answers.items():
        form.field(field_id).value = value
    form.save()


GOAL_ANSWERS: dict[str, JSONValue] = {
    "school_goal": "talk",
    "goal": "By May, 9 of my 10 students explain <their> reasoning",
    "focus": "Reasoning",
    "target_date": "2026-05-01",
    "confidence": 2,
    "evidence": ["survey"],
    "action_steps": ["Teach question stems"],
}


def test_download_notebook_offers_the_saved_workbook(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = open_page(store, monkeypatch)
    type_answers(page, GOAL_ANSWERS)

    data = page.tools.download_notebook()

    saved = read_saved(data, source="download")
    assert saved.workbook == "goal-setting"
    assert saved.answers == {
        "goal-setting": store.latest(
            page.participant.id, "goal-setting", viewer=page.participant.id
        )
    }
    assert saved.answers["goal-setting"] == {**GOAL_ANSWERS}
    assert saved.participant["display_name"] == "Ana Ruiz"
    nbformat.validate(nbformat.reads(data.decode("utf-8"), as_version=4))
    (message,) = page.sent
    assert message["kind"] == "download"
    assert message["filename"] == "goal-setting-ana-ruiz.ipynb"
    assert message["mime"] == "application/x-ipynb+json"
    assert base64.b64decode(message["data"]) == data
    assert 'role="status"' in page.tools.message.value
    assert "pdkit-error" not in page.tools.message.value

    page.tools.download_button.click()  # the button does the same
    assert len(page.sent) == 2
    assert read_saved(base64.b64decode(page.sent[1]["data"])).answers == saved.answers


def test_download_html_offers_a_page_to_print(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = open_page(store, monkeypatch)
    type_answers(page, GOAL_ANSWERS)

    data = page.tools.download_html()

    html = data.decode("utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert "explain &lt;their&gt; reasoning" in html
    assert "Students do more of the talking and thinking" in html  # the sample school goal
    assert "A little" in html
    assert "Ana Ruiz" in html
    (message,) = page.sent
    assert message["kind"] == "download"
    assert message["filename"] == "goal-setting-ana-ruiz.html"
    assert message["mime"] == "text/html"
    assert base64.b64decode(message["data"]) == data

    page.tools.print_button.click()
    assert [m["mime"] for m in page.sent] == ["text/html", "text/html"]


@pytest.mark.parametrize(
    ("name", "filename"),
    [
        ("José Núñez", "goal-setting-jose-nunez.ipynb"),
        ("  <b>Sam</b> O'Neil!  ", "goal-setting-b-sam-b-o-neil.ipynb"),
        ("李雷", "goal-setting-me.ipynb"),
    ],
)
def test_download_file_names_are_safe(
    store: Store, monkeypatch: pytest.MonkeyPatch, name: str, filename: str
) -> None:
    page = open_page(store, monkeypatch, name)
    page.tools.download_notebook()
    assert page.sent[0]["filename"] == filename


def _ben_file(store: Store, answers: dict[str, JSONValue] | None = None) -> bytes:
    ben, _ = store.create_participant("Ben")
    store.record(ben.id, "goal-setting", answers or GOAL_ANSWERS, spec_version="goal-setting@1")
    notebook = save_workbook(load_workbook("goal-setting"), store, ben)
    return dumps(notebook).encode("utf-8")


def test_restore_a_file_saved_by_another_participant(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = open_page(store, monkeypatch)
    type_answers(page, {"goal": "My first try", "focus": "Reasoning"})
    content = _ben_file(store)
    old_form = page.part.form

    count = page.tools.restore(content, "ben.ipynb")

    assert count == len(GOAL_ANSWERS) - 1  # the focus was already the same
    me = page.participant.id
    assert store.latest(me, "goal-setting", viewer=me) == GOAL_ANSWERS
    assert [e.value for e in store.history(me, "goal-setting", "goal", viewer=me)] == [
        "My first try",
        GOAL_ANSWERS["goal"],
    ]
    assert page.part.form is not old_form  # the section was built again from the store
    shown = page.form_values()
    for field_id, value in GOAL_ANSWERS.items():
        assert shown[field_id] == value
    assert page.tools.message.value == (
        f'<p class="pdkit-status" role="status">Restored {count} answers from ben.ipynb.</p>'
    )
    assert count > 1
    assert page.tools.restore(content, "ben.ipynb") == 0  # nothing differs any more


def test_upload_restores_through_the_file_upload(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = open_page(store, monkeypatch)
    content = _ben_file(store)
    page.tools.upload.set_state(
        {
            "value": [
                {
                    "name": "ben.ipynb",
                    "type": "application/x-ipynb+json",
                    "size": len(content),
                    "last_modified": 0,
                    "content": memoryview(content),
                }
            ]
        }
    )
    assert (
        store.latest(page.participant.id, "goal-setting", viewer=page.participant.id)
        == GOAL_ANSWERS
    )
    assert page.form_values()["goal"] == GOAL_ANSWERS["goal"]
    assert "Restored 7 answers from ben.ipynb." in page.tools.message.value
    assert page.tools.upload.value == ()  # ready for the next upload


def _file_with_visibility(store: Store, levels: dict[str, str]) -> bytes:
    """Ben's saved goal-setting workbook, with "Who can see this?" as ``levels`` says."""
    notebook = json.loads(_ben_file(store))
    notebook["metadata"]["pdkit"]["saved"]["visibility"] = levels
    return json.dumps(notebook).encode("utf-8")


def test_upload_restores_who_can_see_each_item(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = open_page(store, monkeypatch)
    me = page.participant.id
    assert store.visibility(me, "goal-setting") == "private"

    page.tools.restore(_file_with_visibility(store, {"goal-setting": "coach"}), "mine.ipynb")

    assert store.visibility(me, "goal-setting") == "coach"
    assert store.can_see(Viewer.steward(), me, "goal-setting")
    form = page.part.form
    assert form is not None
    assert form.visibility is not None
    assert form.visibility.level == "coach"  # the page shows it too
    assert "“Who can see this?” is set as the file says for 1 item." in (page.tools.message.value)


@pytest.mark.parametrize(
    ("before", "in_file", "after"),
    [
        ("private", {"goal-setting": "group"}, "group"),
        ("session", {"goal-setting": "private"}, "private"),  # as the file says
        ("coach", {"goal-setting": "everyone!"}, "private"),  # unknown: the narrowest
        ("coach", {"goal-setting": ""}, "private"),
        ("group", {}, "group"),  # the file says nothing: unchanged
        ("group", {"exit-ticket": "session"}, "group"),
    ],
)
def test_restored_visibility_is_never_wider_than_the_file(
    world: World, before: str, in_file: dict[str, str], after: str
) -> None:
    store = world.store
    ben, _ = store.create_participant("Ben")
    store.set_visibility(ben.id, "goal-setting", before)
    saved = read_saved(_file_with_visibility(store, in_file), source="f")

    changed = restore_visibility(store, ben.id, saved, ["goal-setting"])

    assert store.visibility(ben.id, "goal-setting") == after
    assert changed == (before != after)
    assert store.visibility(ben.id, "exit-ticket") == "private"  # not this workbook's


def test_an_autosave_pending_from_before_cannot_overwrite_an_upload(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def scenario() -> None:
        page = open_page(store, monkeypatch)
        form = page.part.form
        assert form is not None
        form.field("goal").value = "Typed a moment before the upload"
        assert form._pending is not None  # the autosave waits for the typing to pause

        page.tools.restore(_ben_file(store), "ben.ipynb")
        await asyncio.sleep(form.autosave_delay + 0.5)  # long after it would have run

        me = page.participant.id
        assert store.latest(me, "goal-setting", viewer=me)["goal"] == GOAL_ANSWERS["goal"]
        goals = [e.value for e in store.history(me, "goal-setting", "goal", viewer=me)]
        assert goals == ["Typed a moment before the upload", GOAL_ANSWERS["goal"]]
        assert page.form_values()["goal"] == GOAL_ANSWERS["goal"]

    run_on_own_loop(scenario())


def _reflection_file(store: Store) -> bytes:
    ben, _ = store.create_participant("Ben")
    store.record(ben.id, "gibbs", {"description": "x"}, spec_version="gibbs@1")
    return dumps(save_workbook(load_workbook("reflection"), store, ben)).encode("utf-8")


@pytest.mark.parametrize(
    ("make", "why"),
    [
        (lambda _s: _plain_notebook().encode("utf-8"), "not a saved pdkit workbook"),
        (_reflection_file, "holds no answers for this workbook"),
        (lambda _s: b"\x89PNG\r\n\x1a\n\x00\x00", "not a notebook"),
        (lambda _s: b'{"cells": [', "JSON is broken"),
    ],
    ids=["foreign-notebook", "reflection-only", "binary", "broken-json"],
)
def test_restore_of_an_unusable_file_says_why_and_changes_nothing(
    store: Store, monkeypatch: pytest.MonkeyPatch, make: Any, why: str
) -> None:
    page = open_page(store, monkeypatch)
    type_answers(page, {"goal": "Mine", "confidence": 4})
    content = make(store)
    form = page.part.form
    me = page.participant.id
    history = store.history(me, "goal-setting", viewer=me)

    assert page.tools.restore(content, "<img src=x onerror=alert(1)>.ipynb") == 0

    message = page.tools.message.value
    assert message.startswith('<p class="pdkit-error" role="alert">')
    assert escape("<img src=x onerror=alert(1)>.ipynb") in message
    assert "<img" not in message
    assert escape(why) in message
    assert store.history(me, "goal-setting", viewer=me) == history
    assert page.part.form is form  # not rebuilt
    assert page.form_values()["goal"] == "Mine"
    assert page.form_values()["confidence"] == 4


def test_restore_message_escapes_the_file_name(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = open_page(store, monkeypatch)
    page.tools.restore(_ben_file(store), "<b>ben</b>.ipynb")
    assert "&lt;b&gt;ben&lt;/b&gt;.ipynb" in page.tools.message.value
    assert "<b>" not in page.tools.message.value
    assert (
        store.latest(page.participant.id, "goal-setting", viewer=page.participant.id)
        == GOAL_ANSWERS
    )


def test_tools_show_only_while_signed_in(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    page = open_page(store, monkeypatch)
    page.tools.restore(b"nope", "x.ipynb")
    assert "pdkit-error" in page.tools.message.value
    page.app.sign_in.sign_out()
    assert page.app.tools_box.children == ()
    report(page.app.sign_in.browser)
    again = page.app.sign_in.join("Ben")
    assert again is not None
    assert page.app.tools_box.children == (page.tools.widget,)
    assert page.tools.message.value == ""  # no message left from the previous person
    page.tools.download_notebook()
    assert read_saved(base64.b64decode(page.sent[-1]["data"])).participant["id"] == again.id
