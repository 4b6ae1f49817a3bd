"""A batch never aborts: hostile saved workbooks and stores, made in tmp_path
(``tests/_hostile.py``), against ``review.load``, ``read_saved``, ``pdkit review`` and
``pdkit comment``.

Every bad file is named in exactly one warning and skipped, every good one read; no
failure is one pdkit did not foresee (a warning that says "unexpected"); each bad file
costs at most 2 s and 200 MB, measured.
"""

from __future__ import annotations

import copy
import json
import shutil
import sqlite3
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from _hostile import (
    BLOCK,
    READ,
    SKIPPED,
    VALUES,
    at,
    encode,
    good_notebooks,
    history_place,
    mutations,
    named_corpus,
    places,
    special_files,
)
from pdkit import review
from pdkit.cli import main
from pdkit.errors import WorkbookFileError, in_language
from pdkit.i18n import translator
from pdkit.notebooks import read_saved
from pdkit.notebooks.untrusted import MAX_FILE_BYTES
from pdkit.testing import make_cohort

CAPTURE = pytest.CaptureFixture[str]
NEVER_READ = ("nan", "infinity", "minus-infinity", "1e400", "lone-surrogate", "too-long-int")
"""Values no place of a saved workbook may hold: a file with one is always skipped."""


@pytest.fixture(scope="module")
def good() -> tuple[dict[str, Any], dict[str, Any]]:
    return good_notebooks()


@pytest.fixture(scope="module")
def corpus(
    good: tuple[dict[str, Any], dict[str, Any]], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Path, dict[str, str]]]:
    """A folder of the named corpus, what is not a plain file, and two good workbooks
    (Ana's, Ben's): file name → READ or SKIPPED."""
    folder = tmp_path_factory.mktemp("hostile") / "collected"
    folder.mkdir()
    ana, ben = good
    expected: dict[str, str] = {}
    for name, (content, outcome) in named_corpus(ana).items():
        (folder / name).write_bytes(content)
        expected[name] = outcome
    expected.update(special_files(folder, encode(ana)))
    (folder / "ana.ipynb").write_bytes(encode(ana))
    (folder / "ben.ipynb").write_bytes(encode(ben))
    expected.update({"ana.ipynb": READ, "ben.ipynb": READ})
    yield folder, expected
    for path in folder.iterdir():  # what tmp_path's clean-up may not undo itself
        if path.name == "unreadable.ipynb":
            path.chmod(0o600)


@pytest.fixture(scope="module")
def mutated(
    good: tuple[dict[str, Any], dict[str, Any]], tmp_path_factory: pytest.TempPathFactory
) -> Path:
    folder = tmp_path_factory.mktemp("mutated") / "collected"
    folder.mkdir()
    for name, content in mutations(good[0]):
        (folder / name).write_bytes(content)
    return folder


def warned_about(warnings: list[str], path: Path) -> list[str]:
    return [w for w in warnings if w.startswith(f"{path}: ")]


def assert_read_or_named_once(loaded: review.Review, folder: Path, names: list[str]) -> None:
    """Each file was read, or named in exactly one warning and skipped; nothing else
    was said but forms without a definition; no failure pdkit did not foresee."""
    said = [w for w in loaded.warnings if "no definition here" not in w]
    for name in names:
        path = folder / name
        about = warned_about(said, path)
        if str(path) in loaded.read:
            assert about == [], about
        else:
            assert len(about) == 1, (name, about)
            assert about[0].endswith("skipped"), about
    assert not [w for w in loaded.warnings if "unexpected" in w]
    assert len(said) == loaded.skipped
    assert len(loaded.read) + loaded.skipped == len(names)


# --------------------------------------------------------------------------- review.load


def test_a_batch_names_each_hostile_file_once_and_reads_the_good_ones(
    corpus: tuple[Path, dict[str, str]],
) -> None:
    folder, expected = corpus
    heard: list[str] = []

    loaded = review.load(folder, warn=heard.append)

    assert heard == loaded.warnings
    files = [name for name in expected if name != "folder.ipynb"]  # a folder is walked
    assert_read_or_named_once(loaded, folder, files)
    for name in files:
        outcome = READ if str(folder / name) in loaded.read else SKIPPED
        assert outcome == expected[name], name
    assert {"Ana", "Ben"} <= set(loaded.participants["display_name"].str[:3])
    assert "Students act on feedback" in set(loaded.goals["goal"])  # Ben's goal
    assert len(loaded.goals) == 2


def test_a_reason_is_given_for_each_kind_of_hostile_file(
    corpus: tuple[Path, dict[str, str]],
) -> None:
    folder, expected = corpus
    loaded = review.load(folder)
    reasons = {
        "empty.ipynb": "the JSON is broken: the file is empty",
        "whitespace.ipynb": "the JSON is broken: the file is empty",
        "nul-bytes.ipynb": "the JSON is broken",
        "deep-array.ipynb": "nested too deeply",
        "deep-in-answers.ipynb": "",  # too deep for Python's parser, or for pdkit's rule
        "deep-60-in-history.ipynb": "nests lists or objects more than 16 deep",
        "big-30mb.ipynb": f"too large to be a saved workbook (30.0 MiB; pdkit reads files up "
        f"to {MAX_FILE_BYTES // 2**20} MiB)",
        "many-objects-19mb.ipynb": "too many values",
        "invalid-utf8.ipynb": "not UTF-8 text",
        "utf-16.ipynb": "not UTF-8 text",
        "encoded-surrogate.ipynb": "not UTF-8 text",
        "invalid-utf8-in-a-cell.ipynb": "not UTF-8 text",
        "truncated-utf8-in-a-cell.ipynb": "not UTF-8 text",
        "invalid-utf8-in-a-top-level-key.ipynb": "not UTF-8 text",
        "lone-surrogate-in-a-cell.ipynb": "not valid Unicode",
        "cells-an-object.ipynb": "not a Jupyter notebook",
        "metadata-twice-empty-last.ipynb": "not a saved pdkit workbook",
        "lone-surrogate-name.ipynb": "not valid Unicode",
        "nan-time.ipynb": "history[0].at is not a time (nan)",
        "infinite-value.ipynb": "inf, which JSON does not hold",
        "huge-int-time.ipynb": "history[0].at is not a time",
        "json-list.ipynb": "not a Jupyter notebook",
        "nbformat-3.ipynb": "notebook format 3; pdkit reads format 4",
        "nbformat-text.ipynb": "notebook format '4'; pdkit reads format 4",
        "nbformat-4-worksheets.ipynb": "not a Jupyter notebook",
        "nbformat-4-foreign.ipynb": "not a saved pdkit workbook",
        "newer-saved-format.ipynb": "saved with a newer pdkit (format 99",
        "dangling.ipynb": "cannot be read",
        "loop-a.ipynb": "cannot be read",
    }
    if "fifo.ipynb" in expected:
        reasons["fifo.ipynb"] = "not a file (a device, a pipe or a socket)"
    if "zero.ipynb" in expected:
        reasons["zero.ipynb"] = "not a file (a device, a pipe or a socket)"
    for name, reason in reasons.items():
        [said] = warned_about(loaded.warnings, folder / name)
        assert reason in said, said


@pytest.mark.parametrize(
    ("place", "value", "english", "spanish"),
    [
        (
            (*BLOCK, "answers"),
            3,
            "answers is a number, not an object",
            "answers es un número, no un objeto",
        ),
        (
            (*BLOCK, "history", 0, "at"),
            "soon",
            "history[0].at is not a time ('soon')",
            "history[0].at no es una fecha y hora ('soon')",
        ),
    ],
)
def test_a_damaged_workbook_is_refused_with_its_details_in_the_reader_s_language(
    good: tuple[dict[str, Any], dict[str, Any]],
    tmp_path: Path,
    place: tuple[Any, ...],
    value: Any,
    english: str,
    spanish: str,
) -> None:
    """What is damaged is a word of the refusal, said in its language: a Spanish coach
    reads the details in Spanish, not English inside a Spanish sentence."""
    t = translator("es")
    changed = copy.deepcopy(good[0])
    at(changed, place[:-1])[place[-1]] = value
    with pytest.raises(WorkbookFileError) as caught:
        read_saved(encode(changed), source="ana.ipynb")
    refusal = caught.value
    assert refusal.kind == "damaged"
    assert str(refusal) == f"ana.ipynb: the saved answers are damaged ({english})"
    said = refusal.said(t)
    assert said == f"ana.ipynb: las respuestas guardadas están dañadas ({spanish})"
    assert english not in said
    (tmp_path / "ana.ipynb").write_bytes(encode(changed))
    [warning] = review.load(tmp_path).warnings
    assert english in warning
    assert spanish in in_language(warning, t)
    assert english not in in_language(warning, t)


@pytest.mark.slow  # a large corpus, ~10 s (make test runs it, make check does not)
def test_every_hostile_value_at_every_place_is_read_or_skipped(mutated: Path) -> None:
    names = sorted(p.name for p in mutated.iterdir())
    loaded = review.load(mutated)
    assert_read_or_named_once(loaded, mutated, names)
    for name in names:
        value = name.rsplit("=", 1)[-1].removesuffix(".ipynb")
        never = value in NEVER_READ or (value == "deep-900" and name != "cells=deep-900.ipynb")
        if never or name.startswith("whole-file-"):
            assert str(mutated / name) not in loaded.read, name
    assert len(loaded.read) > 100  # odd values where pdkit reads any JSON value, say


def test_the_places_and_values_cover_the_saved_format(
    good: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    """Every key of the saved block, of its entries and of the participant is a place."""
    found = {place[3:] for place in places(good[0]) if place[:3] == BLOCK}
    saved = good[0]["metadata"]["pdkit"]["saved"]
    assert {(key,) for key in saved} <= found
    for kind in ("history", "notes", "feedback", "coach_comments"):
        assert {(kind, 0, key) for key in saved[kind][0]} <= found
    assert {("participant", key) for key in saved["participant"]} <= found
    assert {"nan", "deep-900", "lone-surrogate", "huge-int"} <= VALUES.keys()


def test_read_saved_reads_or_says_why_whatever_the_file_holds(mutated: Path) -> None:
    said: list[tuple[str, str]] = []
    for path in sorted(mutated.iterdir()):
        try:
            saved = read_saved(path.read_bytes(), source=path.name)
        except WorkbookFileError as exc:
            said.append((path.name, str(exc)))
        else:  # what it read holds only what pdkit writes
            for kind in ("history", "notes", "feedback", "coach_comments"):
                saved.columns(kind)
            assert all(isinstance(v, str) for v in saved.participant.values())
    assert said
    assert all(message.startswith(f"{name}: ") for name, message in said)


def outcome(data: bytes, name: str, *, fast: bool) -> object:
    """What ``read_saved`` makes of a file: the workbook and its columns, or the message."""
    try:
        saved = read_saved(data, source=name, fast=fast)
    except WorkbookFileError as exc:
        return str(exc)
    kinds = ("history", "notes", "feedback", "coach_comments", "goal_statuses", "evidence")
    return saved, [saved.columns(kind) for kind in kinds]


@pytest.mark.slow  # every file of both corpora read twice, ~5 s
def test_a_coach_s_batch_reads_or_refuses_every_file_as_the_standard_path_does(
    corpus: tuple[Path, dict[str, str]], mutated: Path
) -> None:
    """The batch parses with orjson: whatever a file holds (in the saved block, in the
    cells or in keys pdkit does not read), it gets the same workbook, or the same
    message, as read by the standard library."""
    folder, _expected = corpus
    compared = 0
    for path in sorted([*folder.iterdir(), *mutated.iterdir()]):
        if not path.is_file() or path.is_symlink() or path.name == "unreadable.ipynb":
            continue
        data = path.read_bytes()
        assert outcome(data, path.name, fast=True) == outcome(data, path.name, fast=False), (
            path.name
        )
        compared += 1
    assert compared > 500


@pytest.mark.slow
def test_each_hostile_file_costs_at_most_2_s_and_200_mb(
    corpus: tuple[Path, dict[str, str]],
) -> None:
    folder, expected = corpus
    slowest, largest = (0.0, ""), (0, "")
    for name, outcome in expected.items():
        if outcome != SKIPPED:
            continue
        path = folder / name
        started = time.perf_counter()
        loaded = review.load(path)
        elapsed = time.perf_counter() - started
        assert loaded.skipped == 1, name
        tracemalloc.start()
        try:
            review.load(path)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        slowest, largest = max(slowest, (elapsed, name)), max(largest, (peak, name))
    assert slowest[0] <= 2.0, slowest
    assert largest[0] <= 200 * 2**20, largest


def test_an_unknown_visibility_level_counts_as_private(
    corpus: tuple[Path, dict[str, str]],
) -> None:
    folder, _ = corpus
    loaded = review.load(folder / "unknown-visibility.ipynb")
    goal = loaded.answers[loaded.answers["form"] == "goal-setting"]
    assert len(goal)
    assert goal["private"].all()
    shared = review.load(folder / "ana.ipynb").answers
    assert not shared[shared["form"] == "goal-setting"]["private"].any()


def test_a_whole_number_too_large_for_a_scale_is_no_point_of_it(
    corpus: tuple[Path, dict[str, str]],
) -> None:
    folder, _ = corpus
    loaded = review.load(folder / "huge-int-confidence.ipynb")
    assert loaded.goals["confidence"].dtype == "Int64"
    assert loaded.goals["confidence"].isna().all()
    assert loaded.answers["value"].map(lambda v: v == 10**30).sum() == 1


def test_form_ids_from_a_file_never_name_another_file(
    corpus: tuple[Path, dict[str, str]],
) -> None:
    folder, _ = corpus
    names = ("path-in-form-id.ipynb", "nul-in-form-id.ipynb", "long-form-id.ipynb")
    loaded = review.load([folder / name for name in names])
    assert loaded.skipped == 0
    unknown = [w for w in loaded.warnings if "has no definition here" in w]
    assert len(unknown) == 3
    assert all(len(w) < 300 for w in unknown)
    many = review.load(folder / "many-forms.ipynb")
    assert len(many.warnings) == 11  # ten forms named, the others counted
    assert many.warnings[-1].startswith("4990 more forms have no definition here")


def test_a_store_that_holds_what_pdkit_never_writes_is_skipped_whole(
    corpus: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    folder, _ = corpus
    changes = {
        "nan": "UPDATE responses SET value = 'NaN' WHERE field = 'goal'",
        "not-json": "UPDATE responses SET value = '{' WHERE field = 'goal'",
        "deep": f"UPDATE responses SET value = '{'[' * 100}{']' * 100}' WHERE field = 'goal'",
        "far-future": "UPDATE responses SET at = 1e12 WHERE field = 'goal'",
        "at-text": "UPDATE responses SET at = 'soon' WHERE field = 'goal'",
        "blob-name": "UPDATE participants SET display_name = X'FF00'",
        "no-table": "DROP TABLE responses",
    }
    sources: list[str] = []
    for name, change in changes.items():
        path = tmp_path / f"{name}.sqlite3"
        make_cohort(path).store.close()
        with sqlite3.connect(path) as db:
            db.execute(change)
        sources.append(str(path))
    (tmp_path / "garbage.sqlite3").write_bytes(b"\x00not a database" * 100)
    (tmp_path / "folder.sqlite3").mkdir()
    sources += [str(tmp_path / "garbage.sqlite3"), str(tmp_path / "folder.sqlite3")]

    loaded = review.load([*sources, folder / "ben.ipynb"])

    assert loaded.read == (str(folder / "ben.ipynb"),)
    assert loaded.skipped == len(sources)
    assert len(loaded.warnings) == len(sources)
    for name in [*changes, "garbage", "folder"]:
        assert sum(f"{name}.sqlite3" in w for w in loaded.warnings) == 1, name
    assert all(w.endswith("skipped") for w in loaded.warnings)


# --------------------------------------------------------------------------- commands


@pytest.mark.slow  # runs pdkit as a program (make test runs it, make check does not)
def test_pdkit_review_of_a_hostile_batch_writes_a_report(
    corpus: tuple[Path, dict[str, str]], mutated: Path, tmp_path: Path, capsys: CAPTURE
) -> None:
    folder, expected = corpus
    report = tmp_path / "report.html"
    for include_private in ([], ["--include-private"]):
        code = main(["review", str(folder), str(mutated), "--out", str(report), *include_private])
        out, err = capsys.readouterr()
        assert code == 0, err[-2000:]
        assert "Traceback" not in out + err
        assert "unexpected" not in err
        assert report.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
        for name, outcome in expected.items():
            if outcome == SKIPPED:
                assert f"pdkit: warning: {folder / name}: " in err, name


def test_pdkit_review_of_nothing_readable_fails_with_a_message(
    corpus: tuple[Path, dict[str, str]], tmp_path: Path, capsys: CAPTURE
) -> None:
    folder, expected = corpus
    bad = [str(folder / n) for n, outcome in expected.items() if outcome == SKIPPED]
    code = main(["review", *bad, "--out", str(tmp_path / "r.html")])
    out, err = capsys.readouterr()
    assert code == 2
    assert "nothing could be read" in err
    assert "Traceback" not in out + err
    assert not (tmp_path / "r.html").exists()


@pytest.mark.slow  # runs pdkit as a program (make test runs it, make check does not)
def test_pdkit_comment_on_hostile_files_says_why_or_adds_the_comment(
    corpus: tuple[Path, dict[str, str]], tmp_path: Path, capsys: CAPTURE
) -> None:
    folder, expected = corpus
    for name, outcome in expected.items():
        source = folder / name
        if not source.is_file() or source.is_symlink():
            continue
        target = tmp_path / name
        shutil.copyfile(source, target)
        code = main(["comment", str(target), "--coach", "Kim", "--text", "Well done"])
        out, err = capsys.readouterr()
        assert "Traceback" not in out + err
        if outcome == SKIPPED:
            assert code == 2, name
            assert err.startswith(f"pdkit: error: {target}: "), err
        else:
            assert code == 0, (name, err)
            saved = read_saved(target.read_bytes())
            assert saved.coach_comments[-1]["text"] == "Well done"
    fifo = folder / "fifo.ipynb"
    if fifo.exists():  # never waits for a writer
        assert main(["comment", str(fifo), "--coach", "Kim", "--text", "Hi"]) == 2


def test_a_comment_on_a_notebook_with_odd_cell_ids_and_minor_version(
    good: tuple[dict[str, Any], dict[str, Any]], tmp_path: Path, capsys: CAPTURE
) -> None:
    notebook = json.loads(json.dumps(good[0]))
    notebook["nbformat_minor"] = "5"
    path = tmp_path / "odd.ipynb"
    path.write_bytes(encode(notebook))
    assert main(["comment", str(path), "--coach", "Kim", "--text", "One"]) == 0
    notebook["nbformat_minor"] = 5
    notebook["cells"][0]["id"] = ["not", "text"]
    path.write_bytes(encode(notebook))
    assert main(["comment", str(path), "--coach", "Kim", "--text", "Two"]) == 0
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    assert read_saved(path.read_bytes()).coach_comments[-1]["text"] == "Two"


ODD_VALUES: list[Any] = [
    2.5,
    0.1,
    -0.0,
    1e300,
    2**64,  # beyond 64 bits
    -(2**63) - 1,
    {"a": [1, {"b": None}]},
    [1, [2, [3]]],
    [2.5, "x"],
    "",
    "日本語 🎉",
    True,
    None,
    [],
]


@pytest.mark.parametrize("value", ODD_VALUES, ids=repr)
@pytest.mark.parametrize("where", ["answer", "history", "note"])
def test_a_coach_s_batch_reads_every_value_as_the_standard_library_does(
    value: Any, where: str
) -> None:
    """The batch parses with orjson, and reads a file again with the standard library
    whenever a value could read differently (a fraction, a number beyond 64 bits, an
    object): whatever the value and wherever it is, both read the same workbook."""
    good, _ben = good_notebooks()
    place = {
        "answer": (*BLOCK, "answers", "goal-setting", "goal"),
        "history": history_place(good, "goal"),
        "note": (*BLOCK, "notes", 0, "value"),
    }[where]
    *parent, last = place
    at(good, tuple(parent))[last] = value
    data = json.dumps(good).encode()
    fast = read_saved(data, source="x.ipynb", fast=True)
    plain = read_saved(data, source="x.ipynb", fast=False)
    assert fast == plain
    for kind in ("history", "notes"):
        assert fast.columns(kind) == plain.columns(kind)
    read_back = {
        "answer": lambda w: w.answers["goal-setting"]["goal"],
        "history": lambda w: next(
            v
            for f, v in zip(w.columns("history")[1], w.columns("history")[2], strict=True)
            if f == "goal"
        ),
        "note": lambda w: w.columns("notes")[5][0],
    }[where]
    assert type(read_back(fast)) is type(value)
    assert read_back(fast) == value


@pytest.mark.parametrize("section", ["observations", "pathway"])
def test_a_huge_value_in_a_section_s_format_is_cut_in_the_message(section: str) -> None:
    """A section's ``format`` that a file fills with a megabyte of text: refused with a
    message of a few lines, however large the value (every value a message repeats is
    cut short)."""
    good = copy.deepcopy(good_notebooks()[0])
    good["metadata"]["pdkit"][section] = {"format": "9" * 1_000_000}
    with pytest.raises(WorkbookFileError) as caught:
        read_saved(json.dumps(good).encode(), source="huge.ipynb")
    assert caught.value.kind == "damaged"
    assert len(str(caught.value)) < 600
    assert len(caught.value.said(translator("fr"))) < 600
