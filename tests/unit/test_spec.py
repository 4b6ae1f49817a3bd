"""Definitions: the built-ins load; a malformed file is reported with its file, line and path."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

import pdkit
from _malformed import assert_reported_where_it_is
from pdkit import DefinitionError
from pdkit.definitions import (
    FIELD_TYPES,
    Field,
    FormDefinition,
    Option,
    ProtocolDefinition,
    SchoolGoal,
    builtin_definitions,
    load_definition,
    load_school_goals,
    parse_definition,
)


def doc(*lines: str) -> str:
    """A YAML text whose line N is the N-th argument (so expected line numbers are easy to read)."""
    return "\n".join(lines) + "\n"


# Lines 1-5 of every form below; its fields start on line 6.
HEAD = ("kind: form", "id: g", "schema_version: 1", "title: T", "fields:")


def form(*field_lines: str) -> str:
    return doc(*HEAD, *field_lines)


def school_goals_template() -> Path:
    return Path(str(resources.files("pdkit").joinpath("templates", "school-goals.yaml")))


# --------------------------------------------------------------------------- built-ins


def test_goal_setting_loads_with_every_field_type() -> None:
    definition = pdkit.load_definition("goal-setting")
    assert isinstance(definition, FormDefinition)
    assert definition.id == "goal-setting"
    assert definition.spec_version == "goal-setting@1"
    assert definition.title == "My goal for this cycle"
    assert definition.source.endswith("goal-setting.yaml")
    assert {f.type for f in definition.fields} == set(FIELD_TYPES)


def test_goal_setting_fields_carry_their_settings() -> None:
    definition = load_definition("goal-setting")
    goal = definition.field("goal")
    assert goal.type == "long_text"
    assert goal.required is True
    assert goal.max_chars == 600
    assert goal.hints == ("measure", "date", "student_focus")
    assert definition.field("school_goal").options_from == "school_goals"
    assert definition.field("school_goal").options == ()
    confidence = definition.field("confidence")
    assert [(o.value, o.label) for o in confidence.options] == [
        (1, "Not yet"),
        (2, "A little"),
        (3, "Fairly"),
        (4, "Very"),
    ]
    evidence = definition.field("evidence")
    assert evidence.options[0] == Option("student_work", "Samples of student work")
    steps = definition.field("action_steps")
    assert (steps.item_label, steps.max_items, steps.max_chars) == ("Step", 5, 200)
    # Folded YAML text is stripped of its trailing newline.
    assert not definition.intro.endswith("\n")
    assert definition.intro.startswith("Choose one change")


def test_builtin_definitions_lists_forms_only() -> None:
    ids = builtin_definitions()
    assert "goal-setting" in ids
    assert "school-goals" not in ids  # a list of goals, not a form
    assert ids == sorted(ids)


@pytest.mark.parametrize("definition_id", builtin_definitions())
def test_every_builtin_loads(definition_id: str) -> None:
    definition = load_definition(definition_id)
    assert definition.id == definition_id
    if isinstance(definition, ProtocolDefinition):  # checked in depth in test_definitions.py
        assert definition.steps
        return
    assert definition.fields
    assert all(f.type in FIELD_TYPES for f in definition.fields)
    assert len({f.id for f in definition.fields}) == len(definition.fields)


def test_minimal_definition_gets_defaults() -> None:
    definition = parse_definition(form("  - {id: a, type: text, label: '  A  '}"))
    assert definition.version == "1"
    assert definition.source == "<string>"
    assert definition.fields == (Field(id="a", type="text", label="A"),)


# --------------------------------------------------------------------------- malformed

MALFORMED = [
    pytest.param(
        doc("kind: form", "id: g", "schema_version: 1", "title: Goal: mine"),
        4,
        "",
        "mapping values are not allowed",
        id="yaml-syntax",
    ),
    pytest.param(
        doc("kind: form", "id: g", 'title: "unclosed', "fields: []"),
        3,
        "",
        "quoted scalar",
        id="yaml-unclosed-quote-names-its-line-not-end-of-file",
    ),
    pytest.param(
        "kind: form\nid: g\nfields: [a, b",  # no newline at the end either
        3,
        "",
        "flow sequence",
        id="yaml-unclosed-bracket-at-end-of-file",
    ),
    pytest.param(
        doc("kind: form", "id: g", "title: [unclosed", "fields: []"),
        4,
        "",
        "flow sequence (line 3)",
        id="yaml-unclosed-bracket-names-where-it-opened",
    ),
    pytest.param(
        doc("- kind: form", "- id: g"),
        1,
        "",
        "a definition must be a YAML mapping",
        id="not-a-mapping",
    ),
    pytest.param(
        doc("id: g", "schema_version: 1", "title: T"),
        1,
        "",
        "missing required key 'kind' (for example 'kind: form')",
        id="missing-kind",
    ),
    pytest.param(
        doc("# A survey", "kind: survey", "id: s"),
        2,
        "kind",
        "'survey' is not a kind this version of pdkit reads "
        "(known: 'form', 'reflection', 'protocol', 'workbook', 'agenda', 'look-fors', "
        "'pathway', 'micro-credential')",
        id="unknown-kind",
    ),
    pytest.param(
        doc(
            "kind: form",
            "id: g",
            "schema_version: 2",
            "title: T",
            "fields:",
            "  - {id: a, type: text, label: A}",
        ),
        3,
        "schema_version",
        "2 is not supported here; expected 1",
        id="wrong-schema-version",
    ),
    pytest.param(
        doc(
            "kind: form",
            "id: Goal Setting",
            "schema_version: 1",
            "title: T",
            "fields:",
            "  - {id: a, type: text, label: A}",
        ),
        2,
        "id",
        "'Goal Setting' is not a valid id: use lower-case letters",
        id="bad-id-pattern",
    ),
    pytest.param(
        form(
            "  - id: a",
            "    type: text",
            "    label: A",
            "  - id: b",
            "    type: date",
            "    label: B",
            "  - id: c",
            "    type: txt",
            "    label: C",
        ),
        13,
        "fields[2].type",
        "'txt' is not one of 'text', 'long_text', 'choice', 'multi_choice', 'scale', 'date', "
        "'list', 'number' (did you mean 'text'?)",
        id="unknown-field-type",
    ),
    pytest.param(
        form("  - id: a", "    type: text", "    label: A", "    lable: B"),
        9,
        "fields[0]",
        "unknown key 'lable' (did you mean 'label'?)",
        id="unknown-key-typo",
    ),
    pytest.param(
        form("  - id: a", "    type: text", "    help: Say more", "    lable: A"),
        9,
        "fields[0]",
        "missing required key 'label' (is 'lable' a misspelling of 'label'?)",
        id="misspelled-required-key-names-the-misspelling",
    ),
    pytest.param(
        doc(
            "kind: form",
            "id: g",
            "schema_version: 1",
            "titel: T",
            "fields:",
            "  - {id: a, type: text, label: A}",
        ),
        4,
        "",
        "missing required key 'title' (is 'titel' a misspelling of 'title'?)",
        id="misspelled-top-level-key",
    ),
    pytest.param(
        form("  - id: a", "    type: text", "    help: Say more"),
        6,
        "fields[0]",
        "missing required key 'label'",
        id="missing-label",
    ),
    pytest.param(
        form("  - id: a", "    type: text", "    label: ''"),
        8,
        "fields[0].label",
        "must not be empty",
        id="empty-label",
    ),
    pytest.param(
        form(
            "  - id: a",
            "    type: text",
            "    label: A",
            "  - id: a",
            "    type: date",
            "    label: B",
        ),
        9,
        "fields[1].id",
        "the field id 'a' is already used by fields[0]",
        id="duplicate-field-id",
    ),
    pytest.param(
        form("  - id: a", "    type: text", "    label: A", "    label: B"),
        9,
        "fields[0]",
        "the key 'label' appears twice; keep one",
        id="duplicate-yaml-key",
    ),
    pytest.param(
        doc("kind: form", "id: g", "id: h"),
        3,
        "",
        "the key 'id' appears twice",
        id="duplicate-top-level-key",
    ),
    pytest.param(
        form("  - id: a", "    type: text", "    label: A", "    max_chars: lots"),
        9,
        "fields[0].max_chars",
        "'lots' should be a whole number",
        id="max-chars-not-an-integer",
    ),
    pytest.param(
        form("  - id: a", "    type: text", "    label: A", "    max_chars: 0"),
        9,
        "fields[0].max_chars",
        "0 is below the minimum 1",
        id="max-chars-below-1",
    ),
    pytest.param(
        form("  - id: a", "    type: text", "    label: A", "    options: [x, y]"),
        9,
        "fields[0].options",
        "'options' does not apply to a 'text' field (only to choice, multi_choice)",
        id="options-on-text-field",
    ),
    pytest.param(
        form("  - id: a", "    type: date", "    label: A", "    hints: [date]"),
        9,
        "fields[0].hints",
        "'hints' does not apply to a 'date' field (only to text, long_text)",
        id="hints-on-date-field",
    ),
    pytest.param(
        form("  - id: a", "    type: choice", "    label: A"),
        6,
        "fields[0]",
        "a 'choice' field needs either 'options' or 'options_from' (exactly one)",
        id="choice-without-options",
    ),
    pytest.param(
        form(
            "  - id: a",
            "    type: multi_choice",
            "    label: A",
            "    options: [x]",
            "    options_from: school_goals",
        ),
        6,
        "fields[0]",
        "a 'multi_choice' field needs either 'options' or 'options_from'",
        id="choice-with-options-and-options-from",
    ),
    pytest.param(
        form("  - id: a", "    type: choice", "    label: A", "    options_from: school_goal"),
        9,
        "fields[0].options_from",
        "'school_goal' is not one of 'school_goals' (did you mean 'school_goals'?)",
        id="unknown-options-source",
    ),
    pytest.param(
        form(
            "  - id: a",
            "    type: scale",
            "    label: A",
            "    points:",
            "      - {value: 1, label: One}",
        ),
        10,
        "fields[0].points",
        "needs at least 2 items",
        id="scale-with-one-point",
    ),
    pytest.param(
        form("  - id: a", "    type: scale", "    label: A"),
        6,
        "fields[0]",
        "a 'scale' field needs 'points'",
        id="scale-without-points",
    ),
    pytest.param(
        form(
            "  - id: a",
            "    type: scale",
            "    label: A",
            "    points:",
            "      - {value: 1, label: One}",
            "      - {value: 1, label: Uno}",
        ),
        11,
        "fields[0].points[1].value",
        "two points of the scale share a value",
        id="scale-points-share-a-value",
    ),
    pytest.param(
        form(
            "  - id: a",
            "    type: choice",
            "    label: A",
            "    options:",
            "      - x",
            "      - y",
            "      - x",
        ),
        12,
        "fields[0].options[2]",
        "option 'x' is listed twice",
        id="duplicate-option-value",
    ),
    pytest.param(
        form(
            "  - id: a",
            "    type: choice",
            "    label: A",
            "    options:",
            "      - {value: x, label: Ex}",
            "      - x",
        ),
        11,
        "fields[0].options[1]",
        "option 'x' is listed twice",
        id="duplicate-option-value-text-and-mapping",
    ),
    pytest.param(
        form(
            "  - id: a",
            "    type: choice",
            "    label: A",
            "    options:",
            "      - x",
            "      - {value: y}",
        ),
        11,
        "fields[0].options[1]",
        "{'value': 'y'} should be a text, or a mapping with 'value' and 'label'",
        id="option-mapping-without-label",
    ),
    pytest.param(
        doc(*HEAD[:4], "fields: []"),
        5,
        "fields",
        "needs at least 1 item",
        id="empty-fields",
    ),
    pytest.param(
        doc(*HEAD[:4], "fields: none yet"),
        5,
        "fields",
        "'none yet' should be a list",
        id="fields-not-a-list",
    ),
    pytest.param(
        form("  - id: a", "    type: long_text", "    label: A", "    hints: [measure, smart]"),
        9,
        "fields[0].hints[1]",
        "'smart' is not one of 'measure', 'date', 'student_focus'",
        id="hints-unknown-check",
    ),
    pytest.param(
        form("  - id: a", "    type: long_text", "    label: A", "    required: yes please"),
        9,
        "fields[0].required",
        "'yes please' should be true or false",
        id="required-not-a-boolean",
    ),
    pytest.param(
        doc("kind: form", "id: g", "schema_version: 1", 'title: "   "', "fields: []"),
        4,
        "title",
        "must not be blank",
        id="blank-title",
    ),
    pytest.param(
        form("  - {id: a, type: text, label: '   '}"),
        6,
        "fields[0].label",
        "must not be blank",
        id="blank-label",
    ),
]


@pytest.mark.parametrize(("text", "line", "path", "problem"), MALFORMED)
def test_malformed_definition_is_reported_where_it_is(
    text: str, line: int, path: str, problem: str
) -> None:
    assert_reported_where_it_is(text, line, path, problem)


def test_unknown_type_message_reads_as_documented() -> None:
    text = form(
        "  - {id: a, type: text, label: A}",
        "  - {id: b, type: text, label: B}",
        "  - {id: c, type: txt, label: C}",
    )
    with pytest.raises(DefinitionError) as caught:
        parse_definition(text, file="goal.yaml")
    assert str(caught.value).startswith(
        "goal.yaml, line 8: fields[2].type: 'txt' is not one of 'text', "
    )


def test_empty_text_is_not_a_definition() -> None:
    with pytest.raises(DefinitionError, match="must be a YAML mapping") as caught:
        parse_definition("# nothing here\n", file="bad.yaml")
    assert caught.value.line is None
    assert str(caught.value).startswith("bad.yaml: ")


def test_more_than_one_yaml_document_is_rejected() -> None:
    with pytest.raises(DefinitionError, match="not valid YAML") as caught:
        parse_definition(doc("kind: form", "---", "kind: form"), file="bad.yaml")
    assert caught.value.line == 2


# --------------------------------------------------------------------------- files


def test_load_definition_from_a_path(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(form("  - {id: a, type: date, label: 'When?'}"), encoding="utf-8")
    definition = load_definition(path)
    assert definition.source == str(path)
    assert definition.field("a").type == "date"
    assert load_definition(str(path)) == definition


def test_load_definition_errors_name_the_file(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(form("  - {id: a, type: txt, label: A}"), encoding="utf-8")
    with pytest.raises(DefinitionError) as caught:
        load_definition(path)
    assert caught.value.file == str(path)
    assert str(caught.value).startswith(f"{path}, line 6: fields[0].type: ")


def test_load_definition_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "missing.yaml"
    with pytest.raises(DefinitionError, match="file not found") as caught:
        load_definition(path)
    assert caught.value.file == str(path)
    assert caught.value.line is None
    assert str(caught.value) == f"{path}: file not found"


def test_load_definition_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("kind: form\nid: g\ntitle: Café\n".encode("latin-1"))
    with pytest.raises(DefinitionError, match="not UTF-8 text") as caught:
        load_definition(path)
    assert caught.value.file == str(path)
    assert str(caught.value).startswith(f"{path}: not UTF-8 text")


def test_load_definition_with_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_text(form("  - {id: a, type: text, label: A}"), encoding="utf-8-sig")
    assert load_definition(path).id == "g"


def test_unknown_builtin_lists_the_builtins() -> None:
    with pytest.raises(DefinitionError, match="no built-in definition has this id") as caught:
        load_definition("goal-setings")
    assert caught.value.file == "goal-setings"
    for definition_id in builtin_definitions():
        assert definition_id in caught.value.problem
    assert "did you mean 'goal-setting'? built-ins: " in str(caught.value)


# --------------------------------------------------------------------------- school goals


def test_shipped_school_goals() -> None:
    goals = load_school_goals(school_goals_template())
    assert [g.id for g in goals] == ["literacy", "talk", "feedback", "belonging"]
    assert goals[0] == SchoolGoal(
        "literacy",
        "Every student reads and writes across the curriculum",
        "Reading and writing tasks in every subject, every week.",
    )
    assert all(g.title and g.description for g in goals)


def test_school_goals_as_a_bare_yaml_list(tmp_path: Path) -> None:
    path = tmp_path / "goals.yaml"
    path.write_text(
        doc("- id: a", "  title: '  Alpha '", "- id: b", "  title: Beta", "  description: Bee"),
        encoding="utf-8",
    )
    assert load_school_goals(path) == [SchoolGoal("a", "Alpha"), SchoolGoal("b", "Beta", "Bee")]


def test_school_goals_from_csv(tmp_path: Path) -> None:
    path = tmp_path / "goals.csv"
    path.write_text(
        'id,title,description\nlit,"Reading, writing",Every week\ntalk,Student talk,\n',
        encoding="utf-8",
    )
    assert load_school_goals(path) == [
        SchoolGoal("lit", "Reading, writing", "Every week"),
        SchoolGoal("talk", "Student talk", ""),
    ]


def test_school_goals_from_csv_without_description_column(tmp_path: Path) -> None:
    path = tmp_path / "goals.CSV"
    path.write_text("id,title\r\nlit,Literacy\r\n", encoding="utf-8")
    assert load_school_goals(path) == [SchoolGoal("lit", "Literacy")]


def test_school_goals_from_excel_csv_with_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "goals.csv"
    path.write_text("id,title\nlit,Literacy\n", encoding="utf-8-sig")
    assert load_school_goals(path) == [SchoolGoal("lit", "Literacy")]


def test_school_goals_csv_missing_title_column(tmp_path: Path) -> None:
    path = tmp_path / "goals.csv"
    path.write_text("id,name\nlit,Literacy\n", encoding="utf-8")
    missing_title = r"needs the columns id,title \(missing: title\)"
    with pytest.raises(DefinitionError, match=missing_title) as caught:
        load_school_goals(path)
    assert (caught.value.file, caught.value.line) == (str(path), 1)


@pytest.mark.parametrize(
    ("name", "text", "line", "path"),
    [
        pytest.param(
            "goals.yaml",
            doc(
                "goals:",
                "  - id: a",
                "    title: A",
                "  - id: b",
                "    title: B",
                "  - id: a",
                "    title: C",
            ),
            6,
            "goals[2]",
            id="yaml",
        ),
        pytest.param("goals.csv", "id,title\na,A\nb,B\na,C\n", 4, "[2]", id="csv"),
    ],
)
def test_school_goals_duplicate_id_names_the_line(
    tmp_path: Path, name: str, text: str, line: int, path: str
) -> None:
    file = tmp_path / name
    file.write_text(text, encoding="utf-8")
    with pytest.raises(DefinitionError, match="the goal id 'a' is used twice") as caught:
        load_school_goals(file)
    assert (caught.value.line, caught.value.path) == (line, path)
    assert str(caught.value).startswith(f"{file}, line {line}: {path}: ")


@pytest.mark.parametrize("text", [doc("goals: []"), doc("[]")], ids=["goals-key", "bare-list"])
def test_school_goals_empty_list(tmp_path: Path, text: str) -> None:
    path = tmp_path / "goals.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DefinitionError, match="lists no school goals") as caught:
        load_school_goals(path)
    assert caught.value.file == str(path)


def test_school_goals_goal_missing_title(tmp_path: Path) -> None:
    path = tmp_path / "goals.yaml"
    path.write_text(
        doc("goals:", "  - id: a", "    title: A", "  - id: b", "    description: no title"),
        encoding="utf-8",
    )
    with pytest.raises(DefinitionError, match="missing or empty 'title'") as caught:
        load_school_goals(path)
    assert (caught.value.line, caught.value.path) == (4, "goals[1]")


def test_school_goals_csv_row_missing_title(tmp_path: Path) -> None:
    path = tmp_path / "goals.csv"
    path.write_text("id,title\nlit,Literacy\ntalk,\n", encoding="utf-8")
    with pytest.raises(DefinitionError, match="missing or empty 'title'") as caught:
        load_school_goals(path)
    assert (caught.value.line, caught.value.path) == (3, "[1]")


def test_school_goals_number_id_is_not_called_missing(tmp_path: Path) -> None:
    path = tmp_path / "goals.yaml"
    path.write_text(doc("- id: 2024", "  title: A"), encoding="utf-8")
    with pytest.raises(DefinitionError, match="'id' should be a text, not 2024") as caught:
        load_school_goals(path)
    assert (caught.value.line, caught.value.path) == (1, "[0]")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        pytest.param(doc("goals: literacy"), "expected a list of goals", id="not-a-list"),
        pytest.param(
            doc("- literacy"), "each school goal needs 'id' and 'title'", id="not-a-mapping"
        ),
    ],
)
def test_school_goals_wrong_shape(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "goals.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DefinitionError, match=problem) as caught:
        load_school_goals(path)
    assert caught.value.line == 1


# --------------------------------------------------------------------------- model


def test_with_options_fills_school_goal_fields() -> None:
    definition = load_definition("goal-setting")
    goals = load_school_goals(school_goals_template())
    options = [g.as_option() for g in goals]
    filled = definition.with_options({"school_goals": options})

    assert filled.field("school_goal").options == tuple(options)
    assert filled.field("school_goal").options[1] == Option("talk", goals[1].title)
    # Fields with their own options, and the original definition, are unchanged.
    assert filled.field("evidence") == definition.field("evidence")
    assert filled.field("goal") == definition.field("goal")
    assert definition.field("school_goal").options == ()
    assert [f.id for f in filled.fields] == [f.id for f in definition.fields]
    assert filled.spec_version == definition.spec_version


def test_with_options_missing_source_leaves_no_options() -> None:
    definition = load_definition("goal-setting")
    filled = definition.with_options({"school_goals": [Option("x", "X")]}).with_options({})
    assert filled.field("school_goal").options == ()


def test_field_unknown_id_names_known_ids() -> None:
    definition = load_definition("goal-setting")
    with pytest.raises(KeyError, match="has no field 'nope'") as caught:
        definition.field("nope")
    message = caught.value.args[0]
    assert "'goal-setting'" in message
    assert "fields: school_goal, goal, focus, point_a" in message
