"""A definition text ``pdkit serve`` parsed before it started is taken as its data by the
kernels, without PyYAML (pdkit.definitions._parsed); any other text is parsed from YAML
as always."""

from __future__ import annotations

from pathlib import Path

import pytest

from pdkit.definitions import _parsed as parsed
from pdkit.definitions import parse_definition
from pdkit.definitions._parsed import compose, digest, line_of, record_parses, write_parsed

_FORM = """\
kind: form
id: a-form
schema_version: 1
version: 1
title: A form
fields:
  - id: goal
    type: text
    label: My goal
"""


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """What a server wrote, for this process as its kernel."""
    monkeypatch.setattr(parsed, "_parsed", {})
    monkeypatch.setattr(parsed, "_recording", False)
    with record_parses():
        compose(_FORM, "a-form.yaml")
        compose("1: a number as a key\n", "numbers.yaml")
        compose("big: .inf\n", "inf.yaml")
        compose("flag: true\nhalf: 0.5\nwhole: 2\nnone: null\nlist: [1, 'x']\n", "kinds.yaml")
    written = write_parsed(tmp_path / "parsed")
    monkeypatch.setattr(parsed, "_recording", False)
    monkeypatch.setenv("PDKIT_DEFINITIONS_PARSED", str(written))
    return written


def test_a_text_the_server_parsed_comes_as_its_data(folder: Path) -> None:
    data, root = compose(_FORM, "a-form.yaml")
    assert root is None
    assert data["fields"][0] == {"id": "goal", "type": "text", "label": "My goal"}
    assert line_of(root, ["fields", 0]) is None
    assert parse_definition(_FORM, file="a-form.yaml") == _from_yaml(_FORM)


def test_a_text_changed_by_a_byte_is_parsed_from_yaml(folder: Path) -> None:
    edited = _FORM.replace("My goal", "My goals")
    data, root = compose(edited, "a-form.yaml")
    assert root is not None
    assert line_of(root, ["fields", 0, "label"]) == 9
    assert data["fields"][0]["label"] == "My goals"


def test_only_data_json_gives_back_exactly_is_written(folder: Path) -> None:
    names = {p.stem for p in folder.glob("*.json")}
    assert digest(_FORM) in names
    assert digest("1: a number as a key\n") not in names  # JSON's keys are text
    assert digest("big: .inf\n") not in names  # JSON has no infinity
    kinds = "flag: true\nhalf: 0.5\nwhole: 2\nnone: null\nlist: [1, 'x']\n"
    assert digest(kinds) in names
    data, root = compose(kinds, "kinds.yaml")
    assert root is None
    assert data == {"flag": True, "half": 0.5, "whole": 2, "none": None, "list": [1, "x"]}
    assert [type(v) for v in data.values()] == [bool, float, int, type(None), list]
    data, root = compose("1: a number as a key\n", "numbers.yaml")
    assert root is not None
    assert data == {1: "a number as a key"}


def test_a_damaged_copy_is_parsed_from_yaml(folder: Path) -> None:
    (folder / f"{digest(_FORM)}.json").write_text('{"kind": "form", "id"', "utf-8")
    data, root = compose(_FORM, "a-form.yaml")
    assert root is not None
    assert data["id"] == "a-form"


def test_nothing_is_remembered_unless_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parsed, "_parsed", {})
    monkeypatch.setattr(parsed, "_recording", False)
    monkeypatch.delenv("PDKIT_DEFINITIONS_PARSED", raising=False)
    compose(_FORM, "a-form.yaml")
    assert list(write_parsed(tmp_path / "none").iterdir()) == []


def _from_yaml(text: str) -> object:
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("PDKIT_DEFINITIONS_PARSED")
        return parse_definition(text, file="a-form.yaml")


def test_only_what_is_parsed_within_the_recording_is_remembered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``pdkit serve`` records around its checks; the process (a test run, a notebook
    server) that goes on parsing afterwards keeps no copies."""
    monkeypatch.setattr(parsed, "_parsed", {})
    monkeypatch.setattr(parsed, "_recording", False)
    monkeypatch.delenv("PDKIT_DEFINITIONS_PARSED", raising=False)
    with record_parses():
        compose(_FORM, "a-form.yaml")
    compose("after: 1\n", "after.yaml")
    names = {p.stem for p in write_parsed(tmp_path / "w").glob("*.json")}
    assert names == {digest(_FORM)}
