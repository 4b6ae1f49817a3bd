"""Authoring workbooks: definitions (kind: workbook), `pdkit build`, `pdkit validate`,
`pdkit new workbook`, a district's own workbook outside the package, and the
:class:`pdkit.app.Workbook` that a built notebook runs.

The shipped notebooks in ``workbooks/`` must be exactly what ``pdkit build`` writes
from ``templates/workbooks/``: :func:`test_shipped_notebooks_are_up_to_date` fails
when someone edits a workbook definition and forgets to rebuild.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from html import escape
from importlib import resources
from pathlib import Path
from typing import Any

import ipywidgets as w
import nbformat
import pytest
import yaml

import pdkit
from _malformed import assert_reported_where_it_is
from pdkit import DefinitionError
from pdkit.app import FacilitatorApp, ParticipantApp, Workbook
from pdkit.cli import main
from pdkit.definitions import (
    SchoolGoal,
    Section,
    WorkbookDefinition,
    builtin_definition_path,
    builtin_workbook_path,
    builtin_workbooks,
    check_references,
    load_protocol,
    load_workbook,
    parse_definition,
    resolve_reference,
)
from pdkit.notebooks import (
    NOTEBOOK_SCHEMA_VERSION,
    build_notebook,
    notebook_reference,
    render_workbook,
    write_workbook,
)
from pdkit.testing import descendants, page_loaded
from pdkit.widgets import BrowserIdentity

REPO = Path(__file__).resolve().parents[2]
SHIPPED = REPO / "workbooks"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def doc(*lines: str) -> str:
    """A YAML text whose line N is the N-th argument (expected line numbers read easily)."""
    return "\n".join(lines) + "\n"


# Lines 1-4 of every workbook below; `sections:` (or whatever comes next) is line 5.
HEAD = ("kind: workbook", "id: w", "schema_version: 1", "title: T")


def templates_dir() -> Path:
    return Path(str(resources.files("pdkit").joinpath("templates")))


@dataclass
class Run:
    code: int
    out: str
    err: str


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> Run:
    """``pdkit ARGV`` in this process; whatever happens, no traceback reaches the user."""
    code = main(list(argv))
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out
    assert "Traceback" not in captured.err
    return Run(code, captured.out, captured.err)


def shown_text(widget: w.Widget) -> str:
    """Every label and HTML text inside ``widget``, one per line."""
    texts = []
    for item in descendants(widget):
        for name in ("description", "value"):
            value = getattr(item, name, None)
            if isinstance(value, str):
                texts.append(value)
        for option in getattr(item, "options", ()) or ():
            texts.append(str(option[0] if isinstance(option, tuple) else option))
    return "\n".join(texts)


def report(browser: BrowserIdentity, page_url: str = "http://h/voila/render/w.ipynb") -> None:
    """What the page's JavaScript does when it loads (no token: a new participant)."""
    page_loaded(browser, page_url=page_url)


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in ("JUPYTERHUB_USER", "PDKIT_FACILITATOR_KEY", "PDKIT_SCHOOL_GOALS"):
        monkeypatch.delenv(name, raising=False)
    yield
    w.Widget.close_all()


# --------------------------------------------------------------------------- a district


DISTRICT_WORKBOOK = doc(
    "# Our district's own goal cycle, kept outside pdkit.",
    "kind: workbook",
    "id: district-cycle",
    "schema_version: 1",
    "title: District goal cycle",
    "intro: Our district's goal, then a look back.",
    "language: fr-CA",
    "sections:",
    "  - text: Start with **your** goal & what you see today.",
    "  - form: goal-setting",
    "  - text: Then look back on a lesson.",
    "  - reflection: gibbs",
)


@dataclass
class District:
    root: Path
    templates: Path
    workbook: Path
    form: Path


@pytest.fixture
def district(tmp_path: Path) -> District:
    """``district/templates/``: a copy of goal-setting with its own label, the school
    goals, and a workbook using that copy, the built-in gibbs reflection and text."""
    templates = tmp_path / "district" / "templates"
    templates.mkdir(parents=True)
    data = yaml.safe_load((templates_dir() / "goal-setting.yaml").read_text(encoding="utf-8"))
    (goal,) = [f for f in data["fields"] if f["id"] == "goal"]
    goal["label"] = "My district goal"
    form = templates / "goal-setting.yaml"
    form.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    shutil.copy(templates_dir() / "school-goals.yaml", templates / "school-goals.yaml")
    workbook = templates / "district-cycle.yaml"
    workbook.write_text(DISTRICT_WORKBOOK, encoding="utf-8")
    return District(tmp_path / "district", templates, workbook, form)


# --------------------------------------------------------------------------- built-ins


def test_every_builtin_workbook_has_a_shipped_notebook() -> None:
    assert {"facilitator", "goal-setting", "protocol", "reflection"} <= set(builtin_workbooks())
    assert builtin_workbooks() == sorted(builtin_workbooks())
    assert sorted(p.stem for p in SHIPPED.glob("*.ipynb")) == builtin_workbooks()


@pytest.mark.parametrize("workbook_id", builtin_workbooks())
def test_every_builtin_workbook_loads_with_no_reference_problems(workbook_id: str) -> None:
    workbook = load_workbook(workbook_id)
    assert isinstance(workbook, WorkbookDefinition)
    assert workbook.id == workbook_id
    assert workbook.sections
    assert Path(workbook.source) == builtin_workbook_path(workbook_id)
    assert check_references(workbook) == []
    expected = workbook_id if workbook_id in ("facilitator", "coach") else "participant"
    expected = "facilitator" if workbook_id == "room" else expected  # the room display
    assert workbook.audience == expected


def test_builtin_workbooks_say_what_they_show() -> None:
    assert load_workbook("goal-setting").sections == (Section("form", ("goal-setting",)),)
    (reflections,) = load_workbook("reflection").sections
    assert reflections.kind == "reflections"
    assert len(reflections.refs) > 1
    assert load_workbook("protocol").sections == (Section("protocol", ("runner",)),)
    assert load_workbook("facilitator").sections == (Section("facilitator", ("pacing",)),)
    assert load_workbook("my-goal").sections == (Section("home", ("my-goal",)),)
    assert load_workbook("coach").sections == (Section("coach", ("caseload",)),)


def test_shipped_notebooks_are_up_to_date(capsys: pytest.CaptureFixture[str]) -> None:
    """Fails when workbooks/ is out of date with templates/workbooks/: run `pdkit build`."""
    result = run(capsys, "build", "--check", "--out", str(SHIPPED))
    assert result.code == 0, result.out + result.err
    assert "out of date" not in result.out + result.err


def test_build_check_fails_on_a_stale_or_missing_notebook(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "workbooks"
    assert run(capsys, "build", "--out", str(out)).code == 0
    stale = out / "reflection.ipynb"
    stale.write_text(stale.read_text(encoding="utf-8").replace("Reflection", "Reflexion"))
    (out / "protocol.ipynb").unlink()
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    result = run(capsys, "build", "--check", "--out", str(out))

    assert result.code == 1
    assert f"{stale} is out of date" in result.out
    assert f"{out / 'protocol.ipynb'} is out of date" in result.out
    assert "goal-setting.ipynb" not in result.out
    assert "2 notebooks out of date; run 'pdkit build'" in result.err
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before, "--check wrote something"


def test_building_the_builtins_writes_the_shipped_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "built"
    result = run(capsys, "build", "--out", str(out))
    assert result.code == 0
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in SHIPPED.iterdir())
    for shipped in SHIPPED.glob("*.ipynb"):
        assert (out / shipped.name).read_bytes() == shipped.read_bytes(), shipped.name
        assert f"wrote {out / shipped.name}" in result.out

    again = run(capsys, "build", "--out", str(out))
    assert again.code == 0
    assert "wrote" not in again.out
    assert again.out.count("up to date:") == len(builtin_workbooks())


def test_writing_a_notebook_twice_changes_nothing_the_second_time(tmp_path: Path) -> None:
    workbook = load_workbook("reflection")
    path, changed = write_workbook(workbook, tmp_path / "nb")
    assert (path, changed) == (tmp_path / "nb" / "reflection.ipynb", True)
    first = path.read_bytes()
    mtime = path.stat().st_mtime_ns

    assert write_workbook(workbook, tmp_path / "nb") == (path, False)
    assert path.read_bytes() == first
    assert path.stat().st_mtime_ns == mtime
    assert sorted(p.name for p in (tmp_path / "nb").iterdir()) == ["reflection.ipynb"]

    path.write_text("{}", encoding="utf-8")  # a hand-edited notebook is rewritten
    assert write_workbook(workbook, tmp_path / "nb") == (path, True)
    assert path.read_bytes() == first


def test_builtin_notebooks_name_their_workbook_by_id(tmp_path: Path) -> None:
    for workbook_id in builtin_workbooks():
        assert notebook_reference(load_workbook(workbook_id), tmp_path) == workbook_id


@pytest.mark.parametrize("workbook_id", builtin_workbooks())
def test_shipped_notebook_structure(workbook_id: str) -> None:
    workbook = load_workbook(workbook_id)
    nb = nbformat.read(SHIPPED / f"{workbook_id}.ipynb", as_version=4)
    nbformat.validate(nb)

    assert nb.metadata["pdkit"] == {
        "schema_version": NOTEBOOK_SCHEMA_VERSION,
        "workbook": workbook_id,
        "language": workbook.language,
    }
    title = nb.cells[0]
    assert title.cell_type == "markdown"
    assert title.source.startswith(f"# {workbook.title}")
    assert workbook.intro in title.source

    code = nb.cells[1]
    assert code.cell_type == "code"
    assert code.metadata["tags"] == ["pdkit-workbook"]
    assert f"Workbook({json.dumps(workbook_id)})" in code.source

    ids = [c.id for c in nb.cells]
    assert len(set(ids)) == len(ids)
    assert ids[:2] == ["title", "workbook"]
    # Stable ids: a fresh build gives the same ones (nbformat would make random ones).
    rebuilt = build_notebook(workbook, reference=workbook_id)
    assert [c["id"] for c in rebuilt["cells"]] == ids

    sections = [c for c in nb.cells if "pdkit-section" in c.metadata.get("tags", ())]
    shown = [i for i, s in enumerate(workbook.sections) if s.kind not in ("facilitator", "coach")]
    assert [c.metadata["pdkit"]["section"] for c in sections] == shown
    for cell in sections:
        index = cell.metadata["pdkit"]["section"]
        assert cell.metadata["pdkit"]["kind"] == workbook.sections[index].kind
        assert cell.id == f"section-{index}"
        assert cell.cell_type == "code"
        assert cell.source.startswith(f"workbook.section({index})")

    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == []
            assert cell.execution_count is None


# --------------------------------------------------------------------------- malformed

MALFORMED = [
    pytest.param(
        doc(*HEAD, "sections:", "  - form: goal-setting", "    text: Hello"),
        6,
        "sections[0]",
        "holds more than one section: put each section in its own list item ('- ')",
        id="two-keys-in-one-section",
    ),
    pytest.param(
        doc(*HEAD, "sections:", "  - {}"),
        6,
        "sections[0]",
        "is empty: say what the section is",
        id="empty-section",
    ),
    pytest.param(
        doc(*HEAD, "sections:", "  - text: Hi", "  - reflectoin: gibbs"),
        7,
        "sections[1]",
        "unknown key 'reflectoin' (did you mean 'reflection'?)",
        id="unknown-section-key",
    ),
    pytest.param(
        doc(*HEAD, "sections:", "  - protocol: other"),
        6,
        "sections[0].protocol",
        "'other' is not one of 'runner'",
        id="protocol-not-runner",
    ),
    pytest.param(
        doc(*HEAD, "sections:", "  - facilitator: clock"),
        6,
        "sections[0].facilitator",
        "'clock' is not one of 'pacing'",
        id="facilitator-not-pacing",
    ),
    pytest.param(
        doc(*HEAD, "sections:", "  - reflections: []"),
        6,
        "sections[0].reflections",
        "needs at least 1 item",
        id="no-reflections",
    ),
    pytest.param(
        doc(*HEAD, "sections:", "  - reflections: [gibbs, gibbs]"),
        6,
        "sections[0].reflections",
        "lists the same item twice",
        id="same-reflection-twice",
    ),
    pytest.param(
        doc(
            *HEAD, "sections:", "  - text: Hi", "  - facilitator: pacing", "  - form: goal-setting"
        ),
        8,
        "sections[2]",
        "a facilitator workbook holds only text and the facilitator section, not 'form'",
        id="facilitator-with-a-form",
    ),
    pytest.param(
        doc(*HEAD, "sections:", "  - coach: caseload", "  - home: my-goal"),
        7,
        "sections[1]",
        "a coach workbook holds only text and the coach section, not 'home'",
        id="coach-with-my-goal",
    ),
    pytest.param(
        doc(*HEAD, "language: English", "sections:", "  - text: Hi"),
        5,
        "language",
        "'English' is not a language code",
        id="bad-language",
    ),
    pytest.param(
        doc(*HEAD, "language: en_gb", "sections:", "  - text: Hi"),
        5,
        "language",
        "'en_gb' is not a language code",
        id="bad-language-region",
    ),
    pytest.param(
        doc(*HEAD),
        1,
        "",
        "missing required key 'sections'",
        id="missing-sections",
    ),
    pytest.param(
        doc(*HEAD, "sections: []"),
        5,
        "sections",
        "needs at least 1 item",
        id="no-sections",
    ),
    pytest.param(
        doc(*HEAD, "sections:", "  - text: '   '"),
        6,
        "sections[0].text",
        "must not be blank",
        id="blank-text",
    ),
    pytest.param(
        doc(*HEAD, "sections:", "  - form: Goal Setting"),
        6,
        "sections[0].form",
        "'Goal Setting' is not a valid id",
        id="reference-not-an-id",
    ),
]


@pytest.mark.parametrize(("text", "line", "path", "problem"), MALFORMED)
def test_malformed_workbook_is_reported_where_it_is(
    text: str, line: int, path: str, problem: str
) -> None:
    assert_reported_where_it_is(text, line, path, problem)


def test_a_valid_workbook_becomes_sections() -> None:
    workbook = parse_definition(
        doc(
            *HEAD,
            "version: 2",
            "language: en-GB",
            "intro: >-",
            "  Two lines",
            "  of intro.",
            "sections:",
            "  - text: |",
            "      Some **Markdown**.",
            "  - form: goal-setting",
            "  - reflection: gibbs",
            "  - reflections: [gibbs, exit-ticket]",
            "  - protocol: runner",
        ),
        file="good.yaml",
    )
    assert isinstance(workbook, WorkbookDefinition)
    assert (workbook.id, workbook.title, workbook.version) == ("w", "T", "2")
    assert (workbook.language, workbook.source) == ("en-GB", "good.yaml")
    assert workbook.intro == "Two lines of intro."
    assert workbook.audience == "participant"
    assert workbook.sections == (
        Section("text", text="Some **Markdown**."),
        Section("form", ("goal-setting",)),
        Section("reflection", ("gibbs",)),
        Section("reflections", ("gibbs", "exit-ticket")),
        Section("protocol", ("runner",)),
    )
    assert check_references(workbook) == []


def test_a_facilitator_workbook_may_hold_text() -> None:
    workbook = parse_definition(
        doc(*HEAD, "sections:", "  - text: Pace the room.", "  - facilitator: pacing")
    )
    assert isinstance(workbook, WorkbookDefinition)
    assert workbook.audience == "facilitator"
    assert workbook.language == "en"


def test_load_workbook_refuses_a_form(tmp_path: Path) -> None:
    with pytest.raises(DefinitionError, match="this is a form, where a workbook is needed"):
        load_workbook(templates_dir() / "goal-setting.yaml")
    with pytest.raises(DefinitionError, match="no built-in workbook has this id") as caught:
        load_workbook("nope")
    shipped = sorted(path.stem for path in (templates_dir() / "workbooks").glob("*.yaml"))
    assert f"(built-in workbooks: {', '.join(shipped)})" in caught.value.problem
    assert {"coach", "day", "facilitator", "goal-setting"} <= set(shipped)


# --------------------------------------------------------------------------- references


def test_check_references_a_protocol_where_a_form_is_needed(tmp_path: Path) -> None:
    path = tmp_path / "wb.yaml"
    path.write_text(
        doc(*HEAD, "sections:", "  - text: Hi", "  - form: tuning", "  - reflection: tuning")
    )
    problems = check_references(load_workbook(path))
    assert [(p.file, p.line, p.path) for p in problems] == [
        (str(path), None, "sections[1].form"),
        (str(path), None, "sections[2].reflection"),
    ]
    assert problems[0].problem == "'tuning' is a protocol, but a 'form' section needs a form"
    assert problems[1].problem == (
        "'tuning' is a protocol, but a 'reflection' section needs a reflection or form"
    )


def test_check_references_an_unknown_id_lists_the_builtins(tmp_path: Path) -> None:
    path = tmp_path / "wb.yaml"
    path.write_text(doc(*HEAD, "sections:", "  - reflections: [gibbs, gibs, nope]"))
    problems = check_references(load_workbook(path))
    assert len(problems) == 2
    gibs, nope = problems
    for problem, ref in ((gibs, "gibs"), (nope, "nope")):
        assert (problem.file, problem.path) == (str(path), "sections[0].reflections")
        assert f"{ref!r}" in problem.problem
        assert "no built-in definition has this id" in problem.problem
        assert "built-ins: atlas-looking-at-data" in problem.problem
        assert "goal-setting" in problem.problem
    assert "did you mean 'gibbs'?" in gibs.problem
    assert str(nope).startswith(f"{path}: sections[0].reflections: 'nope' ")


def test_check_references_reads_a_local_copy_and_reports_its_own_line(tmp_path: Path) -> None:
    (tmp_path / "wb.yaml").write_text(doc(*HEAD, "sections:", "  - form: gibbs"))
    broken = tmp_path / "gibbs.yaml"
    broken.write_text(doc("kind: reflection", "id: gibbs", "schema_version: 1", "title: [oops"))
    (problem,) = check_references(load_workbook(tmp_path / "wb.yaml"))
    assert problem.file == str(broken)
    assert problem.line == 4
    assert "not valid YAML" in problem.problem


def test_resolve_reference_prefers_beside_then_parent_then_builtin(tmp_path: Path) -> None:
    templates = tmp_path / "district" / "templates"
    templates.mkdir(parents=True)
    (templates / "wb.yaml").write_text(doc(*HEAD, "sections:", "  - reflection: gibbs"))
    workbook = load_workbook(templates / "wb.yaml")
    builtin = builtin_definition_path("gibbs")

    assert resolve_reference("gibbs", workbook) == builtin

    gibbs = (templates_dir() / "gibbs.yaml").read_text(encoding="utf-8")
    parent = tmp_path / "district" / "gibbs.yaml"
    parent.write_text(gibbs)
    assert resolve_reference("gibbs", workbook).resolve() == parent.resolve()

    beside = templates / "gibbs.yaml"
    beside.write_text(gibbs)
    assert resolve_reference("gibbs", workbook).resolve() == beside.resolve()
    assert resolve_reference("exit-ticket", workbook) == builtin_definition_path("exit-ticket")

    # A definition given as text has no folder: only the built-ins count.
    assert resolve_reference(
        "gibbs", parse_definition(doc(*HEAD, "sections:", "  - text: Hi"))
    ) == (builtin)


def test_resolve_reference_reads_yml_too(tmp_path: Path) -> None:
    """`pdkit validate` and `pdkit build` read .yml files: a workbook finds them as well."""
    (tmp_path / "wb.yaml").write_text(doc(*HEAD, "sections:", "  - reflection: mine"))
    (tmp_path / "mine.yml").write_text(MINE)
    workbook = load_workbook(tmp_path / "wb.yaml")
    assert resolve_reference("mine", workbook).resolve() == (tmp_path / "mine.yml").resolve()
    assert check_references(workbook) == []
    (tmp_path / "mine.yaml").write_text(MINE)
    assert resolve_reference("mine", workbook).resolve() == (tmp_path / "mine.yaml").resolve()


def test_resolve_reference_never_means_the_workbook_itself(tmp_path: Path) -> None:
    """A district's `goal-setting` workbook showing the `goal-setting` form."""
    templates = tmp_path / "district" / "templates"
    templates.mkdir(parents=True)
    itself = templates / "goal-setting.yaml"
    itself.write_text(
        doc("kind: workbook", "id: goal-setting", "schema_version: 1", "title: T")
        + "sections:\n  - form: goal-setting\n"
    )
    workbook = load_workbook(itself)
    assert resolve_reference("goal-setting", workbook) == builtin_definition_path("goal-setting")
    assert check_references(workbook) == []

    parent = tmp_path / "district" / "goal-setting.yaml"
    shutil.copy(templates_dir() / "goal-setting.yaml", parent)
    assert resolve_reference("goal-setting", workbook).resolve() == parent.resolve()
    assert check_references(workbook) == []


def test_a_builtin_workbook_resolves_to_the_builtin_definitions() -> None:
    workbook = load_workbook("goal-setting")  # templates/workbooks/goal-setting.yaml
    assert resolve_reference("goal-setting", workbook) == builtin_definition_path("goal-setting")


# --------------------------------------------------------------------------- pdkit validate

GOOD_WORKBOOK = doc(*HEAD, "sections:", "  - form: goal-setting", "  - reflection: mine")
MINE = doc(
    "kind: reflection",
    "id: mine",
    "schema_version: 1",
    "title: Mine",
    "prompts:",
    "  - {id: what, type: long_text, label: What happened?}",
)


def test_validate_a_folder_of_good_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "wb.yaml").write_text(GOOD_WORKBOOK)
    (tmp_path / "mine.yml").write_text(MINE)
    (tmp_path / "goals.yaml").write_text("goals:\n  - id: a\n    title: A\n")
    (tmp_path / "more").mkdir()
    (tmp_path / "more" / "list-goals.yaml").write_text("- id: a\n  title: A\n")
    (tmp_path / "notes.txt").write_text("not YAML: ignored")

    result = run(capsys, "validate", str(tmp_path))

    assert result.code == 0, result.out + result.err
    assert "pdkit: 4 files checked, no problems" in result.out
    assert result.err == ""


def test_validate_the_builtin_templates(capsys: pytest.CaptureFixture[str]) -> None:
    result = run(capsys, "validate", str(templates_dir()))
    assert result.code == 0, result.out
    assert "no problems" in result.out


def test_validate_prints_every_schema_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "many.yaml"
    path.write_text(
        doc(
            "kind: workbook",
            "id: Bad Id",
            "schema_version: 1",
            "title: T",
            "language: English",
            "colour: red",
            "sections:",
            "  - form: goal-setting",
            "    text: hi",
            "  - {}",
            "  - protocol: other",
        )
    )
    result = run(capsys, "validate", str(path))
    assert result.code == 1
    expected = [
        f"{path}, line 2: id: 'Bad Id' is not a valid id",
        f"{path}, line 5: language: 'English' is not a language code",
        f"{path}, line 6: unknown key 'colour'",
        f"{path}, line 8: sections[0]: holds more than one section",
        f"{path}, line 10: sections[1]: is empty",
        f"{path}, line 11: sections[2].protocol: 'other' is not one of 'runner'",
    ]
    lines = result.out.splitlines()
    assert len(lines) == len(expected)
    for line, start in zip(lines, expected, strict=True):
        assert line.startswith(start), (line, start)
    assert "pdkit: 6 problems in 1 file" in result.err


def test_validate_a_yaml_syntax_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "syntax.yaml"
    path.write_text(doc("kind: workbook", "id: w", 'title: "unclosed', "sections: []"))
    result = run(capsys, "validate", str(path))
    assert result.code == 1
    assert result.out.startswith(f"{path}, line 3: not valid YAML")
    assert "1 problem in 1 file" in result.err


@pytest.mark.parametrize(
    ("text", "where"),
    [
        pytest.param("- id: a\n  title: A\n- id: a\n  title: B\n", "line 3: [1]", id="list"),
        pytest.param(
            "goals:\n  - id: a\n    title: A\n  - id: a\n    title: B\n",
            "line 4: goals[1]",
            id="goals-mapping",
        ),
    ],
)
def test_validate_checks_school_goals_as_school_goals(
    text: str, where: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "goals.yaml"
    path.write_text(text)
    result = run(capsys, "validate", str(path))
    assert result.code == 1
    assert result.out.strip() == f"{path}, {where}: the goal id 'a' is used twice"
    assert "kind" not in result.out  # not read as a definition


def test_validate_a_workbook_referring_to_a_missing_definition(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "wb.yaml"
    path.write_text(doc(*HEAD, "sections:", "  - form: goal-setting", "  - reflection: nope"))
    result = run(capsys, "validate", str(path))
    assert result.code == 1
    assert result.out.startswith(f"{path}: sections[1].reflection: 'nope' ")
    assert "no built-in definition has this id" in result.out
    assert "built-ins: atlas-looking-at-data" in result.out


def test_validate_a_workbook_referring_to_a_broken_local_definition(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "wb.yaml").write_text(GOOD_WORKBOOK)
    (tmp_path / "mine.yaml").write_text(MINE.replace("type: long_text", "type: essay"))
    result = run(capsys, "validate", str(tmp_path / "wb.yaml"))
    assert result.code == 1
    assert f"{tmp_path / 'mine.yaml'}, line 6: prompts[0].type: 'essay'" in result.out


def test_validate_a_workbook_beside_an_unreadable_definition(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "wb.yaml").write_text(GOOD_WORKBOOK)
    (tmp_path / "mine.yaml").write_bytes(MINE.replace("Mine", "Mîne").encode("latin-1"))
    result = run(capsys, "validate", str(tmp_path / "wb.yaml"))
    assert result.code == 1
    assert result.out.startswith(f"{tmp_path / 'mine.yaml'}: not UTF-8 text")


def test_validate_a_file_that_is_not_utf8(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("kind: workbook\ntitle: Répertoire\n".encode("latin-1"))
    (tmp_path / "good.yaml").write_text(GOOD_WORKBOOK.replace("reflection: mine", "text: Hi"))
    result = run(capsys, "validate", str(tmp_path))
    assert result.code == 1
    assert f"{path}: cannot be read" in result.out
    assert "pdkit: 1 problem in 2 files" in result.err


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        pytest.param("", "a definition must be a YAML mapping", id="empty"),
        pytest.param("just words\n", "a definition must be a YAML mapping", id="a-string"),
        pytest.param("kind: [a]\n", "is not a kind this version of pdkit reads", id="kind-list"),
        pytest.param("goals: 3\n", "expected a list of goals", id="goals-not-a-list"),
        pytest.param("- 1\n- 2\n", "each school goal needs 'id' and 'title'", id="list-of-numbers"),
        pytest.param("a: 1\n---\nb: 2\n", "not valid YAML", id="two-documents"),
    ],
)
def test_validate_odd_files_without_a_traceback(
    text: str, problem: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "odd.yaml"
    path.write_text(text)
    result = run(capsys, "validate", str(path))
    assert result.code == 1
    assert problem in result.out


def test_validate_missing_file_and_empty_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = run(capsys, "validate", str(tmp_path / "nope.yaml"))
    assert missing.code == 1
    assert f"{tmp_path / 'nope.yaml'}: cannot be read" in missing.out
    (tmp_path / "empty").mkdir()
    empty = run(capsys, "validate", str(tmp_path / "empty"))
    assert empty.code == 1
    assert "no YAML files found" in empty.err


# --------------------------------------------------------------------------- pdkit new workbook


def test_new_workbook_from_definitions(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "mine"
    result = run(
        capsys, "new", "workbook", "my-cycle", "--from", "goal-setting, exit-ticket,protocol",
        "--out", str(out),
    )  # fmt: skip
    assert result.code == 0, result.err
    path = out / "my-cycle.yaml"
    assert f"wrote {path}" in result.out

    workbook = load_workbook(path)
    assert (workbook.id, workbook.title) == ("my-cycle", "My cycle")
    assert [s.kind for s in workbook.sections] == ["form", "reflection", "protocol"]
    assert [s.refs for s in workbook.sections] == [("goal-setting",), ("exit-ticket",), ("runner",)]
    assert check_references(workbook) == []
    assert path.read_text(encoding="utf-8").startswith("# A new pdkit workbook.")

    built = run(capsys, "build", str(path), "--out", str(tmp_path / "nb"))
    assert built.code == 0, built.err
    assert (tmp_path / "nb" / "my-cycle.ipynb").is_file()


def test_new_workbook_refuses_to_overwrite(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text("# mine, hand-edited\n")
    result = run(capsys, "new", "workbook", "mine", "--from", "gibbs", "--out", str(tmp_path))
    assert result.code == 2
    assert f"{path} already exists" in result.err
    assert path.read_text() == "# mine, hand-edited\n"


@pytest.mark.parametrize(
    ("sources", "message"),
    [
        pytest.param(
            "goal-setting,tuning",
            "'tuning' is a protocol; a workbook shows forms and reflections "
            "(and 'protocol' for the protocol runner)",
            id="protocol-id",
        ),
        pytest.param("gibbs,nope", "no built-in definition has this id", id="unknown-id"),
        pytest.param("gibs", "did you mean 'gibbs'?", id="misspelt-id"),
        pytest.param(",", "--from names no definitions", id="nothing"),
    ],
)
def test_new_workbook_refuses_what_it_cannot_show(
    sources: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run(capsys, "new", "workbook", "mine", "--from", sources, "--out", str(tmp_path))
    assert result.code == 2
    assert result.err.startswith("pdkit: error: ")
    assert message in result.err
    assert list(tmp_path.iterdir()) == [], "nothing is written"


@pytest.mark.parametrize("name", ["My Workbook", "../escape", "a.b", "", "Cycle"])
def test_new_workbook_refuses_a_bad_name(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run(capsys, "new", "workbook", name, "--from", "gibbs", "--out", str(tmp_path))
    assert result.code == 2
    assert "a workbook id uses lower-case letters, digits, '-' and '_'" in result.err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["2025", "yes", "null", "2025-01-31", "1e3"])
def test_new_workbook_names_that_yaml_reads_as_other_things(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run(capsys, "new", "workbook", name, "--from", "gibbs", "--out", str(tmp_path))
    assert result.code == 0, result.err
    workbook = load_workbook(tmp_path / f"{name}.yaml")
    assert workbook.id == name
    assert isinstance(workbook.title, str)
    assert run(capsys, "validate", str(tmp_path)).code == 0


# --------------------------------------------------------------------------- pdkit new protocol


def test_new_protocol_shows_norms_rounds_feedback_and_the_source_keys(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run(capsys, "new", "protocol", "my-round", "--out", str(tmp_path))
    assert result.code == 0, result.err
    path = tmp_path / "my-round.yaml"
    assert f"wrote {path}" in result.out
    assert run(capsys, "validate", str(path)).code == 0

    protocol = load_protocol(path)
    assert (protocol.id, protocol.title) == ("my-round", "My round")
    norms = protocol.steps[0]
    assert (norms.id, norms.round, norms.skippable) == ("norms", "first", True)
    assert protocol.steps[-1].round == "last"
    assert protocol.presenter == "presenter"
    assert protocol.stated_minutes == protocol.total_minutes
    assert protocol.deviations
    feedback = [s for s in protocol.steps if s.feedback]
    assert [dict(s.feedback) for s in feedback] == [{"warm": "warm", "cool": "cool"}]
    text = path.read_text(encoding="utf-8")
    for key in ("total_minutes:", "deviations:", "round: first", "skippable: true", "presenter:"):
        assert key in text


def test_new_protocol_refuses_to_overwrite_and_bad_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text("# mine, hand-edited\n")
    result = run(capsys, "new", "protocol", "mine", "--out", str(tmp_path))
    assert result.code == 2
    assert f"{path} already exists" in result.err
    assert path.read_text() == "# mine, hand-edited\n"
    bad = run(capsys, "new", "protocol", "My Round", "--out", str(tmp_path))
    assert bad.code == 2
    assert "a protocol id uses lower-case letters, digits, '-' and '_'" in bad.err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.yaml"]


# --------------------------------------------------------------------------- a district's workbook


def test_build_a_district_workbook_outside_the_package(
    district: District, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(district.root.parent)
    result = run(capsys, "build", "district/templates", "--out", "district/workbooks")
    assert result.code == 0, result.err

    out = district.root / "workbooks"
    # Only the workbook becomes a notebook: the form copy and the school goals are skipped.
    assert sorted(p.name for p in out.iterdir()) == ["district-cycle.ipynb"]
    nb = nbformat.read(out / "district-cycle.ipynb", as_version=4)
    nbformat.validate(nb)
    assert nb.metadata["pdkit"] == {
        "schema_version": 1,
        "workbook": "district-cycle",
        "language": "fr-CA",
    }
    assert nb.cells[0].source == "# District goal cycle\n\nOur district's goal, then a look back."
    assert 'Workbook("../templates/district-cycle.yaml")' in nb.cells[1].source
    assert [(c.cell_type, c.id) for c in nb.cells[2:]] == [
        ("markdown", "section-0"),
        ("code", "section-1"),
        ("markdown", "section-2"),
        ("code", "section-3"),
    ]
    text = nb.cells[2]
    assert text.source == "Start with **your** goal & what you see today."
    assert text.metadata["pdkit"] == {"section": 0, "kind": "text"}
    assert "pdkit-section" in text.metadata["tags"]
    assert nb.cells[3].source == "workbook.section(1)  # form: goal-setting"
    assert nb.cells[5].source == "workbook.section(3)  # reflection: gibbs"

    # Built from anywhere, the notebook names its workbook relative to itself.
    workbook = load_workbook(district.workbook)
    assert notebook_reference(workbook, out) == "../templates/district-cycle.yaml"
    assert render_workbook(workbook, out) == (out / "district-cycle.ipynb").read_text("utf-8")

    assert (
        run(capsys, "build", "district/templates", "--out", "district/workbooks", "--check").code
        == 0
    )
    district.workbook.write_text(DISTRICT_WORKBOOK.replace("District goal", "Our goal"))
    stale = run(capsys, "build", "district/templates", "--out", "district/workbooks", "--check")
    assert stale.code == 1
    assert "district-cycle.ipynb is out of date" in stale.out


def test_build_stops_at_a_broken_reference(
    district: District, capsys: pytest.CaptureFixture[str]
) -> None:
    district.workbook.write_text(DISTRICT_WORKBOOK.replace("reflection: gibbs", "form: tuning"))
    out = district.root / "workbooks"
    result = run(capsys, "build", str(district.templates), "--out", str(out))
    assert result.code == 2
    assert f"{district.workbook}: sections[3].form: 'tuning' is a protocol" in result.err
    assert not out.exists()


def test_build_refuses_two_workbooks_with_one_id(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "first.yaml").write_text(doc(*HEAD, "sections:", "  - text: A"))
    (tmp_path / "b" / "second.yaml").write_text(doc(*HEAD, "sections:", "  - text: B"))
    result = run(capsys, "build", str(tmp_path), "--out", str(tmp_path / "nb"))
    assert result.code == 2
    assert f"{tmp_path / 'b' / 'second.yaml'}: id: the workbook id 'w' is also used by" in (
        result.err
    )
    assert str(tmp_path / "a" / "first.yaml") in result.err
    assert not (tmp_path / "nb").exists(), "nothing is written (neither would be shown)"


def test_build_a_folder_without_workbooks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "mine.yaml").write_text(MINE)
    result = run(capsys, "build", str(tmp_path), "--out", str(tmp_path / "nb"))
    assert result.code == 2
    assert "no workbook definitions (kind: workbook) found" in result.err


@pytest.mark.notebook
def test_a_district_notebook_executes(
    district: District, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from _kernels import execute

    assert main(["build", str(district.templates), "--out", str(district.root / "workbooks")]) == 0
    path = district.root / "workbooks" / "district-cycle.ipynb"
    store = tmp_path / "store.sqlite3"
    monkeypatch.setenv("PDKIT_STORE", str(store))
    nb = nbformat.read(path, as_version=4)
    # A last cell that says which definitions the kernel read.
    nb.cells.append(
        nbformat.v4.new_code_cell(
            "print(workbook.error)\n"
            "print(workbook.definition.source)\n"
            "print(workbook.app.parts[0].definition(None).field('goal').label)",
            id="probe",
        )
    )
    execute(nb, path.parent)

    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"], outputs
    assert any(WIDGET_VIEW in o.get("data", {}) for o in outputs), "the workbook did not display"
    assert not any("cannot start" in json.dumps(o) for o in outputs)
    printed = "".join(o.get("text", "") for o in nb.cells[-1].outputs)
    assert printed.splitlines() == [
        "None",
        "../templates/district-cycle.yaml",
        "My district goal",
    ]
    assert store.exists(), "the workbook did not open its store"


# --------------------------------------------------------------------------- the Workbook app


@pytest.fixture
def store() -> Any:
    return pdkit.open_store("memory://")


def test_builtin_reflection_workbook_fills_its_section_after_sign_in(store: Any) -> None:
    workbook = Workbook("reflection", store=store)
    assert workbook.error is None
    app = workbook.app
    assert isinstance(app, ParticipantApp)
    assert workbook.widget is app.widget

    box = workbook.section(0)
    assert box.children == ()  # nothing before sign-in
    assert workbook.section(0) is box  # the cell's box is the one that fills in

    report(app.sign_in.browser)
    assert box.children == ()  # the join step shows; the section waits
    participant = app.sign_in.join("Sam")
    assert participant is not None

    chooser = app.parts[0].choice  # type: ignore[attr-defined]
    assert isinstance(chooser, w.ToggleButtons)
    assert chooser in descendants(box)
    refs = workbook.definition.sections[0].refs
    assert [value for _, value in chooser.options] == list(refs)
    assert chooser.value == refs[0]

    app.sign_in.sign_out()
    assert box.children == ()


def test_custom_workbook_sections_fill_from_one_sign_in(district: District, store: Any) -> None:
    goals = [SchoolGoal("reading", "Every student reads for pleasure")]
    workbook = Workbook(district.workbook, store=store, school_goals=goals)
    assert workbook.error is None
    assert isinstance(workbook.app, ParticipantApp)

    text = workbook.section(0)
    assert isinstance(text, w.HTML)
    assert text.value == "<p>Start with **your** goal &amp; what you see today.</p>"
    form, reflection = workbook.section(1), workbook.section(3)
    assert form.children == ()
    assert reflection.children == ()

    report(workbook.app.sign_in.browser)
    assert workbook.app.sign_in.join("Sam") is not None

    assert form.children
    assert reflection.children
    shown = shown_text(form)
    assert "My district goal" in shown
    assert "Every student reads for pleasure" in shown  # the school goals given
    # the built-in reflection in the workbook's language (fr-CA), now that it has French
    gibbs = pdkit.load_definition("gibbs", language="fr-CA")
    assert escape(gibbs.title) in shown_text(reflection)
    assert store.participant_for_token(workbook.app.sign_in.token).display_name == "Sam"


def test_workbook_with_a_broken_reference_shows_an_error(tmp_path: Path, store: Any) -> None:
    folder = tmp_path / "a&b"
    folder.mkdir()
    path = folder / "wb.yaml"
    path.write_text(doc(*HEAD, "sections:", "  - form: nope"))

    workbook = Workbook(path, store=store)

    assert isinstance(workbook.error, DefinitionError)
    assert workbook.app is None
    widget = workbook.widget
    assert isinstance(widget, w.HTML)
    assert "This workbook cannot start." in widget.value
    assert "a&amp;b" in widget.value
    assert "a&b" not in widget.value
    assert "&#x27;nope&#x27;" in widget.value
    assert "no built-in definition has this id" in widget.value
    section = workbook.section(0)
    assert isinstance(section, w.HTML)
    assert section.value == ""


def test_workbook_with_a_malformed_definition_names_the_line(tmp_path: Path, store: Any) -> None:
    path = tmp_path / "wb.yaml"
    path.write_text(doc(*HEAD, "sections:", "  - protocol: other"))
    workbook = Workbook(path, store=store)
    assert isinstance(workbook.error, DefinitionError)
    assert workbook.error.line == 6
    assert "line 6" in workbook.widget.value
    assert "cannot start" in workbook.widget.value


def test_builtin_facilitator_workbook_is_the_facilitator_app(
    store: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    workbook = Workbook("facilitator", store=store)
    assert workbook.error is None
    assert isinstance(workbook.app, FacilitatorApp)
    assert workbook.app.control is not None  # no key set: open for whoever runs it
    assert workbook.widget is workbook.app.widget
    section = workbook.section(0)
    assert isinstance(section, w.HTML)
    assert section.value == ""

    monkeypatch.setenv("PDKIT_FACILITATOR_KEY", "secret")
    keyed = Workbook("facilitator", store=store)
    assert isinstance(keyed.app, FacilitatorApp)
    assert keyed.app.key == "secret"
    assert keyed.app.control is None  # waits for the page's ?key=
