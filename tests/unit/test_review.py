"""The coach's review: saved workbooks or a store → tidy DataFrames (pdkit.review), coach
comments written back into a saved workbook (pdkit.notebooks.add_comment).

The cohort (``pdkit.testing.make_cohort``) is a small, realistic session in a SQLite store
with a fake clock: goals revised over two sittings, check-ins, a reflection, protocol
notes, and a participant who never answered.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pandas as pd
import pandas.testing as pdt
import pytest

from pdkit import review
from pdkit.definitions import load_workbook
from pdkit.errors import PdkitError, WorkbookFileError
from pdkit.notebooks import (
    COACH_TAG,
    add_comment,
    dumps,
    export_store,
    read_saved,
)
from pdkit.store import Viewer
from pdkit.testing import COACHING_WORKBOOK, DAY, START, Cohort, make_cohort

WORKBOOK = COACHING_WORKBOOK
FRAMES = (
    "participants",
    "answers",
    "versions",
    "goals",
    "goal_versions",
    "reflections",
    "checkins",
    "notes",
    "feedback",
    "comments",
)


EVERYTHING = Viewer.steward(include_private=True)
"""Reads a store as the teachers' own copies hold it (to compare the two)."""


@pytest.fixture(scope="module")
def cohort() -> Iterator[Cohort]:
    """The cohort, made once per module: tests read its store, never write to it."""
    made = make_cohort()
    yield made
    made.store.close()


@pytest.fixture(scope="module")
def exported_once(cohort: Cohort, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("exported") / "collected"
    # What teachers hand their coach: each their own full copy (private items included,
    # marked with their visibility), as "Download my workbook" gives it.
    export_store(cohort.store, WORKBOOK, folder, viewer=EVERYTHING)
    return folder


@pytest.fixture
def exported(exported_once: Path, tmp_path: Path) -> Path:
    """The cohort's saved workbooks, a fresh copy for each test to change at will."""
    return Path(shutil.copytree(exported_once, tmp_path / "collected"))


def tidy(frame: pd.DataFrame) -> pd.DataFrame:
    """A frame without its ``source`` column, rows in a canonical order."""
    frame = frame.drop(columns=[c for c in ("source",) if c in frame.columns])
    keys = [c for c in frame.columns if frame[c].dtype != object]
    return frame.sort_values(keys, kind="stable").reset_index(drop=True)


def assert_same_review(left: review.Review, right: review.Review) -> None:
    for name in FRAMES:
        pdt.assert_frame_equal(tidy(getattr(left, name)), tidy(getattr(right, name)), obj=name)


def rows(frame: pd.DataFrame, **where: Any) -> pd.DataFrame:
    mask = pd.Series(True, index=frame.index)
    for column, value in where.items():
        mask &= frame[column] == value
    return frame.loc[mask]


# --------------------------------------------------------------------------- round trip


def test_a_folder_of_saved_workbooks_reads_like_the_store(cohort: Cohort, exported: Path) -> None:
    from_files = review.load(exported)
    from_store = review.load(cohort.store, viewer=EVERYTHING)
    assert from_files.warnings == []
    assert from_store.warnings == []
    assert len(from_files.read) == 3
    assert from_store.read == (cohort.store.url,)
    assert_same_review(from_files, from_store)
    assert set(from_files.participants["participant"]) == {
        cohort.ana.id,
        cohort.ben.id,
        cohort.cy.id,
    }
    assert sorted(from_files.participants["source"]) == sorted(
        str(p) for p in exported.glob("*.ipynb")
    )


def test_workbooks_saved_apart_merge_per_participant(cohort: Cohort, tmp_path: Path) -> None:
    folder = tmp_path / "collected"  # the built-in workbooks: goals and reflections apart
    for workbook in ("goal-setting", "reflection"):
        export_store(cohort.store, load_workbook(workbook), folder, viewer=EVERYTHING)
    loaded = review.load(folder)
    assert len(loaded.read) == 6
    assert_same_review(loaded, review.load(cohort.store, viewer=EVERYTHING))


def test_the_same_facts_from_several_sources_count_once(cohort: Cohort, exported: Path) -> None:
    copy = exported.parent / "again"
    shutil.copytree(exported, copy)  # a second download of every workbook
    both = review.load([exported, copy, cohort.store], viewer=EVERYTHING)
    assert_same_review(both, review.load(cohort.store, viewer=EVERYTHING))
    assert both.participants["source"].tolist().count(cohort.store.url) == 3  # the live copy


def test_answers_hold_values_and_readable_text(cohort: Cohort, exported: Path) -> None:
    answers = review.load(exported).answers
    ana = rows(answers, participant=cohort.ana.id, form="goal-setting").set_index("field")
    assert ana.loc["confidence", "value"] == 3
    assert ana.loc["confidence", "value_text"] == "Fairly"
    assert ana.loc["school_goal", "value"] == "talk"
    assert ana.loc["school_goal", "value_text"] == "Students do more of the talking and thinking"
    assert ana.loc["evidence", "value"] == ["student_work", "survey"]
    assert ana.loc["evidence", "value_text"] == "Samples of student work; A short student survey"
    assert ana.loc["action_steps", "value_text"] == "1. Wait five seconds\n2. Think-pair-share"
    assert ana.loc["goal", "value"] == "Most students explain their thinking by March"
    assert ana.loc["goal", "at"] == pd.Timestamp(START + 7 * DAY + 1, unit="s", tz="UTC")
    assert ana.loc["goal", "spec_version"] == "goal-setting@1"
    assert ana.loc["goal", "kind"] == "form"
    assert not ana["private"].any()


def test_versions_keep_every_event_numbered_per_field(cohort: Cohort, exported: Path) -> None:
    versions = review.load(exported).versions
    goal = rows(versions, participant=cohort.ana.id, form="goal-setting", field="goal")
    assert goal["version"].tolist() == [1, 2, 3]
    assert goal["value"].tolist() == [
        "More talk",
        "More student talk",
        "Most students explain their thinking by March",
    ]
    assert goal["at"].is_monotonic_increasing
    assert len(versions) == sum(
        len(cohort.store.history(p.id, form, viewer=p.id))
        for p in (cohort.ana, cohort.ben, cohort.cy)
        for form in ("goal-setting", "exit-ticket", "what-so-what-now-what")
    )


def test_goals_count_sittings_and_show_current_answers(cohort: Cohort, exported: Path) -> None:
    loaded = review.load(exported)
    goals = loaded.goals.set_index("participant")
    assert set(goals.index) == {cohort.ana.id, cohort.ben.id}  # Cy has no goal
    ana = goals.loc[cohort.ana.id]
    assert ana["display_name"] == "Ana"
    assert ana["school_goal"] == "talk"
    assert ana["goal"] == "Most students explain their thinking by March"
    assert ana["point_b"] == "Half the class explains their thinking"
    assert ana["target_date"] == pd.Timestamp("2026-03-31")
    assert ana["confidence"] == 3
    assert ana["confidence_label"] == "Fairly"
    assert (ana["versions"], ana["revisions"]) == (2, 1)  # typing the same day is one version
    first = cohort.store.history(cohort.ana.id, "goal-setting", viewer=cohort.ana.id)[0].at
    assert ana["first_set"] == pd.Timestamp(first, unit="s", tz="UTC")
    assert ana["last_change"] == pd.Timestamp(START + 7 * DAY + 1, unit="s", tz="UTC")
    ben = goals.loc[cohort.ben.id]
    assert (ben["versions"], ben["revisions"]) == (1, 0)
    assert pd.isna(ben["target_date"])
    assert pd.isna(ben["confidence"])
    assert ben["point_a"] == ""


def test_goal_versions_say_what_changed(cohort: Cohort, exported: Path) -> None:
    versions = rows(review.load(exported).goal_versions, participant=cohort.ana.id)
    first = rows(versions, version=1).set_index("field")
    second = rows(versions, version=2).set_index("field")
    assert first["changed"].all()
    assert first.loc["goal", "value_text"] == "More student talk"  # the end of the sitting
    assert first.loc["goal", "label"] == "My goal"
    assert second.loc[second["changed"]].index.tolist() == ["goal", "confidence"]
    assert second.loc["confidence", "value_text"] == "Fairly"
    assert list(first.index[:2]) == ["school_goal", "goal"]  # the form's order


def test_checkins_are_sittings_of_the_exit_ticket(cohort: Cohort, exported: Path) -> None:
    checkins = review.load(exported).checkins
    assert checkins["participant"].tolist() == [cohort.ana.id, cohort.ana.id]
    first, second = checkins.to_dict("records")
    assert first["checkin"] == 1
    assert first["progress"] == 2
    assert first["progress_label"] == "Just started"
    assert first["support"] == "A conversation with my coach"
    assert (second["checkin"], second["progress"]) == (2, 4)
    assert second["evidence"] == "Pairs talk more"  # carried forward from the last sitting
    assert second["next_step"] == "Share with my team"
    assert second["at"] == pd.Timestamp(START + 28 * DAY + 1, unit="s", tz="UTC")


def test_private_writing_is_loaded_and_marked(cohort: Cohort, exported: Path) -> None:
    loaded = review.load(exported)
    reflections = loaded.reflections.set_index("field")
    assert reflections.loc["what", "text"] == "I saw silence"
    assert reflections.loc["what", "form"] == "what-so-what-now-what"
    assert reflections["private"].all()
    assert "exit-ticket" not in set(loaded.reflections["form"])  # check-ins are apart
    assert loaded.notes["private"].all()
    assert set(loaded.notes["text"]) == {"How?", "Clear goal", "Measure?"}
    notes = rows(loaded.notes, participant=cohort.ben.id).set_index("field")
    assert notes.loc["warm", "role"] == "participant"
    assert notes.loc["warm", "group"] == "g1"
    assert notes.loc["warm", "step"] == "warm-cool"
    assert notes.loc["warm", "run"] == cohort.run_id
    assert notes.loc["warm", "spec_version"] == "tuning@1"
    private = loaded.answers.set_index(["form", "field"])["private"].groupby(level=[0, 1]).all()
    assert not private["exit-ticket", "progress"]
    assert not private["exit-ticket", "support"]  # the support asked for reaches the coach
    assert private["what-so-what-now-what", "what"]


def test_frames_have_the_documented_columns_and_dtypes(exported: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    for loaded in (review.load(exported), review.load(empty)):
        for name in FRAMES:
            frame = getattr(loaded, name)
            assert list(frame.columns) == list(review.COLUMNS[name]), name
            dtypes = {c: str(t) for c, t in frame.dtypes.items()}
            assert dtypes == dict(review.COLUMNS[name]), name
    assert review.load(exported).feedback.empty  # peer feedback is not built yet


# --------------------------------------------------------------------------- bad files


def _notebook(**metadata: Any) -> dict[str, Any]:
    return {"cells": [], "metadata": metadata, "nbformat": 4, "nbformat_minor": 5}


def _saved(exported: Path) -> tuple[Path, dict[str, Any]]:
    """Ana's saved workbook (the biggest) and its JSON."""
    path = max(exported.glob("*.ipynb"), key=lambda p: p.stat().st_size)
    return path, json.loads(path.read_text(encoding="utf-8"))


def test_a_batch_skips_bad_files_says_why_and_reads_the_rest(
    cohort: Cohort, exported: Path
) -> None:
    bad = exported / "bad"
    bad.mkdir()
    good_path, good = _saved(exported)
    (bad / "foreign.ipynb").write_text(json.dumps(_notebook(kernelspec={"name": "python3"})))
    (bad / "v3.ipynb").write_text(json.dumps({"worksheets": [], "nbformat": 3, "cells": []}))
    (bad / "broken.ipynb").write_text('{"cells": [')
    (bad / "binary.ipynb").write_bytes(b"\xff\xfe\x00garbage\x80")
    (bad / "built.ipynb").write_text(json.dumps(_notebook(pdkit={"workbook": "goal-setting"})))
    newer = json.loads(json.dumps(good))
    newer["metadata"]["pdkit"]["saved"]["format"] = 99
    (bad / "newer.ipynb").write_text(json.dumps(newer))
    damaged = json.loads(json.dumps(good))
    damaged["metadata"]["pdkit"]["saved"]["history"][1]["at"] = "yesterday"
    (bad / "damaged.ipynb").write_text(json.dumps(damaged))
    no_id = json.loads(json.dumps(good))
    no_id["metadata"]["pdkit"]["saved"]["participant"]["id"] = ""
    (bad / "no-id.ipynb").write_text(json.dumps(no_id))
    (bad / "gone.ipynb").symlink_to(bad / "nowhere.ipynb")  # listed, cannot be read
    (bad / ".ipynb_checkpoints").mkdir()
    (bad / ".ipynb_checkpoints" / "x-checkpoint.ipynb").write_text("not even json")
    heard: list[str] = []

    loaded = review.load([exported, exported / "missing.ipynb"], warn=heard.append)

    assert heard == loaded.warnings
    reasons = {
        "foreign.ipynb": "not a saved pdkit workbook",
        "v3.ipynb": "notebook format 3; pdkit reads format 4",
        "broken.ipynb": "the JSON is broken",
        "binary.ipynb": "not a notebook",
        "built.ipynb": "not a saved pdkit workbook",
        "newer.ipynb": "saved with a newer pdkit (format 99",
        "damaged.ipynb": "history[1].at is not a time ('yesterday')",
        "no-id.ipynb": "the participant has no id",
        "gone.ipynb": "cannot be read",
        "missing.ipynb": "no such file or folder",
    }
    assert len(loaded.warnings) == len(reasons)
    for name, reason in reasons.items():
        [said] = [w for w in loaded.warnings if f"{name}:" in w]
        assert reason in said, said
        assert said.endswith("skipped")
    assert loaded.skipped == len(reasons)
    assert not any("checkpoint" in w for w in loaded.warnings)
    assert len(loaded.read) == 3
    assert_same_review(loaded, review.load(cohort.store, viewer=EVERYTHING))
    assert good_path.read_text(encoding="utf-8") == dumps(good)  # nothing was written


@pytest.mark.parametrize(
    ("where", "value", "reason"),
    [
        ("history", ["not an object"], "history[0] is not an object"),
        ("history", [{"form": "goal-setting", "field": "goal", "value": 1}], "has no 'at'"),
        ("notes", [{"run": 1}], "notes[0] has no 'group'"),
        ("coach_comments", [{"coach": "K", "text": "Hi", "at": "2026-01-01T10:00"}], "zone"),
        ("coach_comments", "nope", "coach_comments[0] is not an object"),
    ],
)
def test_a_damaged_saved_block_is_skipped_whole(
    exported: Path, where: str, value: Any, reason: str
) -> None:
    path, notebook = _saved(exported)
    notebook["metadata"]["pdkit"]["saved"][where] = value
    path.write_text(json.dumps(notebook))
    loaded = review.load(path)
    [warning] = loaded.warnings
    assert f"{path}: the saved answers are damaged" in warning
    assert reason in warning
    assert loaded.participants.empty


def test_answers_without_history_are_still_read(exported: Path) -> None:
    path, notebook = _saved(exported)
    saved = notebook["metadata"]["pdkit"]["saved"]
    saved["history"] = []
    saved["answers"] = {"goal-setting": {"goal": "Kept", "confidence": 4}}
    path.write_text(json.dumps(notebook))
    answers = review.load(path).answers.set_index("field")
    assert answers.loc["goal", "value"] == "Kept"
    assert answers.loc["confidence", "value_text"] == "Very"
    assert answers["at"].isna().all()


def test_a_form_without_definition_is_read_as_stored(exported: Path, tmp_path: Path) -> None:
    path, notebook = _saved(exported)
    notebook["metadata"]["pdkit"]["saved"]["history"].append(
        {
            "form": "district-form",
            "field": "q1",
            "value": ["a", "b"],
            "at": START,
            "spec_version": "x",
        }
    )
    path.write_text(json.dumps(notebook))
    loaded = review.load(path)
    [warning] = loaded.warnings
    assert "form 'district-form' has no definition here" in warning
    answer = rows(loaded.answers, form="district-form").iloc[0]
    assert (answer["value_text"], answer["kind"], answer["private"]) == ("a\nb", "unknown", True)

    form = tmp_path / "district-form.yaml"
    form.write_text(
        "kind: form\nid: district-form\nschema_version: 1\ntitle: District\nfields:\n"
        "  - id: q1\n    type: multi_choice\n    label: Question one\n    options:\n"
        "      - {value: a, label: Apple}\n      - {value: b, label: Banana}\n"
    )
    loaded = review.load(path, definitions=[tmp_path])
    assert loaded.warnings == []
    assert rows(loaded.answers, form="district-form").iloc[0]["value_text"] == "Apple; Banana"


def test_progress_reports_every_file(exported: Path) -> None:
    calls: list[tuple[int, int]] = []
    review.load(exported, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(1, 3), (2, 3), (3, 3)]


def test_stores_that_cannot_be_read_are_warnings(tmp_path: Path) -> None:
    missing = tmp_path / "nope.sqlite3"
    loaded = review.load([f"sqlite:///{missing}", str(missing), "mysql://x@y/z"])
    assert not missing.exists(), "reading must never create a store"
    assert len(loaded.warnings) == 3
    assert all(w.endswith("skipped") for w in loaded.warnings)
    assert "no store backend for mysql://" in loaded.warnings[2]
    assert loaded.read == ()
    assert loaded.skipped == 3


def test_a_store_file_by_path_and_by_url(tmp_path: Path) -> None:
    path = tmp_path / "session.sqlite3"
    make_cohort(path).store.close()
    by_path, by_url = review.load(str(path)), review.load(f"sqlite:///{path}")
    assert by_path.warnings == by_url.warnings == []
    assert len(by_path.participants) == 3
    assert_same_review(by_path, by_url)
    other = review.load(str(path), session="spring")
    assert other.warnings == [f"sqlite:///{path}: no participants in session 'spring'"]


def test_review_leaves_garbage_collection_as_it_was(exported: Path) -> None:
    import gc

    assert gc.isenabled()
    review.load(exported)
    assert gc.isenabled()
    gc.disable()
    try:
        review.load(exported)
        assert not gc.isenabled()
    finally:
        gc.enable()


# --------------------------------------------------------------------------- coach comments


def test_a_coach_comment_is_a_visible_cell_and_metadata(cohort: Cohort, exported: Path) -> None:
    import nbformat  # slow to import (about 1 s): only where a notebook is validated

    path = next(p for p in exported.glob("*.ipynb") if cohort.ana.id in p.name)
    before = read_saved(path.read_bytes())
    cells_before = json.loads(path.read_text())["cells"]
    at = datetime(2026, 2, 3, 10, 30, tzinfo=timezone.utc)

    entry = add_comment(path, "Great revision!\n<b>Next</b>: *evidence*", coach="Kim", at=at)

    assert entry == {
        "coach": "Kim",
        "text": "Great revision!\n<b>Next</b>: *evidence*",
        "at": "2026-02-03T10:30:00+00:00",
    }
    after = read_saved(path.read_bytes())
    assert after.answers == before.answers
    assert after.history == before.history
    assert after.notes == before.notes
    assert after.coach_comments == (entry,)
    notebook = nbformat.reads(path.read_text(), as_version=4)
    nbformat.validate(notebook)
    assert [dict(c) for c in json.loads(path.read_text())["cells"][:-1]] == cells_before
    cell = notebook.cells[-1]
    assert cell.cell_type == "markdown"
    assert cell.metadata["tags"] == [COACH_TAG]
    assert "Comment from your coach, Kim" in cell.source
    assert "not evaluation" in cell.source
    assert "&lt;b&gt;Next&lt;/b&gt;" in cell.source
    assert "<b>" not in cell.source
    assert r"\*evidence\*" in cell.source
    assert list(path.parent.glob(".*.tmp")) == []

    add_comment(path, "And another", coach="Kim", at=at)
    ids = [c.id for c in nbformat.reads(path.read_text(), as_version=4).cells]
    assert len(ids) == len(set(ids))

    comments = review.load(exported).comments
    assert comments["coach"].tolist() == ["Kim", "Kim"]
    assert comments["text"].tolist()[0] == entry["text"]
    assert comments["participant"].tolist() == [cohort.ana.id] * 2
    assert comments["at"].iloc[0] == pd.Timestamp(at)
    assert comments["source"].tolist() == [str(path)] * 2


def test_a_comment_on_an_older_notebook_format_has_no_cell_id(exported: Path) -> None:
    import nbformat

    path, notebook = _saved(exported)
    notebook["nbformat_minor"] = 4
    for cell in notebook["cells"]:
        del cell["id"]
    path.write_text(dumps(notebook))
    add_comment(path, "Hello", coach="Kim")
    written = json.loads(path.read_text())
    assert "id" not in written["cells"][-1]
    nbformat.validate(nbformat.reads(path.read_text(), as_version=4))


@pytest.mark.parametrize(
    ("make", "text", "coach", "error", "message"),
    [
        (lambda p: p.write_text("{"), "Hi", "Kim", WorkbookFileError, "JSON is broken"),
        (
            lambda p: p.write_text(json.dumps(_notebook())),
            "Hi",
            "Kim",
            WorkbookFileError,
            "not a saved",
        ),
        (lambda p: None, "Hi", "Kim", WorkbookFileError, "cannot be read"),
        (lambda p: p.write_text("{}"), "  ", "Kim", PdkitError, "needs some text"),
        (lambda p: p.write_text("{}"), "Hi", "", PdkitError, "needs the coach's name"),
    ],
)
def test_add_comment_refuses_what_it_cannot_do(
    tmp_path: Path,
    make: Callable[[Path], object],
    text: str,
    coach: str,
    error: type[Exception],
    message: str,
) -> None:
    path = tmp_path / "x.ipynb"
    make(path)
    with pytest.raises(error, match=message):
        add_comment(path, text, coach=coach)


def test_a_failed_write_leaves_the_notebook_as_it_was(
    exported: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, _ = _saved(exported)
    before = path.read_bytes()

    def refuse(self: Path, target: Path) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "replace", refuse)
    with pytest.raises(WorkbookFileError, match="No space left on device"):
        add_comment(path, "Hi", coach="Kim")
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir() if p.name.startswith(".")) == []


@pytest.mark.parametrize("module", ["pdkit.review", "pdkit.report", "pdkit.notebooks"])
def test_public_names_are_sorted_and_exist(module: str) -> None:
    import importlib

    mod = importlib.import_module(module)
    names = list(mod.__all__)
    style = sorted(names, key=lambda n: (0 if n.isupper() else 1 if n[0].isupper() else 2, n))
    assert names == style
    assert all(hasattr(mod, name) for name in names)


def test_time_columns_are_what_pandas_makes_of_the_seconds_to_the_nanosecond() -> None:
    """review's own conversion of stored seconds (fast, vectorised) gives exactly what
    ``pd.to_datetime(unit="s", utc=True)`` gives, missing values and edges included,
    and a time beyond what nanoseconds hold is refused as pandas refuses it."""
    import numpy as np

    from pdkit.review._frames import utc_times

    rng = np.random.default_rng(16)
    edges = [0.0, -0.5, 1.9999999995, 1767225600.123456789, 1e9 + 5e-10, float("nan"), None]
    for low, high in ((-2e9, 4e9), (1.7e9, 1.8e9), (-1.0, 1.0)):
        values = [*rng.uniform(low, high, 20_000).tolist(), *edges]
        expected = pd.to_datetime(
            pd.Series(np.asarray(values, dtype="float64")), unit="s", utc=True
        ).astype(pd.DatetimeTZDtype("ns", "UTC"))
        got = utc_times(values)
        assert got.dtype == expected.dtype
        assert got.isna().tolist() == expected.isna().tolist()
        assert got.astype("int64").tolist() == expected.astype("int64").tolist()
    assert len(utc_times([])) == 0
    with pytest.raises(pd.errors.OutOfBoundsDatetime):
        utc_times([1e12])
