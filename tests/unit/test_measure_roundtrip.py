"""A measured goal's round trip (#16 item 1): store → saved workbooks → review frames →
the coach report, with A → now → B drawn from the numbers, and a goal in words still
read as before."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd
import pytest

from pdkit import review
from pdkit.definitions.ids import CHECKIN_FORM, GOAL_FORM
from pdkit.notebooks import export_store
from pdkit.report import report_html
from pdkit.store import SQLiteStore, Viewer
from pdkit.testing import COACHING_WORKBOOK, DAY, START, FakeClock

EVERYTHING = Viewer.steward(include_private=True)
NOW = datetime.fromtimestamp(START + 30 * DAY, tz=timezone.utc)


@pytest.fixture(scope="module")
def store() -> Iterator[SQLiteStore]:
    """Ana: a measured goal (40% → 80%), check-ins at 50 and 62 shared with her coach;
    Ben: a goal in words only, one check-in; Cy: a goal whose numbers are not numbers
    (as a damaged or foreign file might hold them)."""
    clock = FakeClock(START + 1)
    made = SQLiteStore(":memory:", clock=clock)
    ana = made.create_participant("Ana")[0]
    ben = made.create_participant("Ben")[0]
    cy = made.create_participant("Cy")[0]
    for who in (ana, ben, cy):
        made.set_visibility(who.id, GOAL_FORM, "coach")
        made.set_visibility(who.id, CHECKIN_FORM, "coach")
    made.record(
        ana.id,
        GOAL_FORM,
        {
            "goal": "80% of my class reach the exit ticket's goal",
            "measure_instrument": "Weekly exit ticket",
            "measure_unit": "percent",
            "baseline": 40.0,
            "target": 80.0,
            "target_date": "2026-03-15",
        },
        spec_version="goal-setting@1",
    )
    made.record(ben.id, GOAL_FORM, {"goal": "More talk"}, spec_version="goal-setting@1")
    made.record(
        cy.id,
        GOAL_FORM,
        {"goal": "Fewer late", "baseline": "1e999", "target": 10**400, "measure_unit": 3},
        spec_version="goal-setting@1",
    )
    clock.now = START + 14 * DAY
    made.record(ana.id, CHECKIN_FORM, {"progress": 2, "measure_value": 50.0}, spec_version="x@1")
    made.record(ben.id, CHECKIN_FORM, {"progress": 2}, spec_version="exit-ticket@1")
    made.record(cy.id, CHECKIN_FORM, {"measure_value": True}, spec_version="exit-ticket@1")
    clock.now = START + 28 * DAY
    made.record(ana.id, CHECKIN_FORM, {"progress": 3, "measure_value": 62}, spec_version="x@1")
    made.ana_id, made.ben_id, made.cy_id = ana.id, ben.id, cy.id  # type: ignore[attr-defined]
    yield made
    made.close()


@pytest.fixture(scope="module")
def folder(store: SQLiteStore, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("measured") / "collected"
    export_store(store, COACHING_WORKBOOK, out, viewer=EVERYTHING)
    return out


def test_saved_workbooks_keep_the_numbers_and_show_them_in_words(
    store: SQLiteStore, folder: Path
) -> None:
    [ana_file] = [
        p
        for p in folder.glob("*.ipynb")
        if store.ana_id in p.read_text("utf-8")  # type: ignore[attr-defined]
    ]
    notebook = json.loads(ana_file.read_text("utf-8"))
    cells = "\n".join(
        "".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "markdown"
    )
    assert "Point A as a number: where my students are now" in cells
    assert "40" in cells
    assert "Weekly exit ticket" in cells
    saved = json.dumps(notebook["metadata"]["pdkit"])
    assert '"baseline"' in saved
    assert "80.0" in saved


def test_the_review_reads_the_measure_as_floats_from_files_and_store(
    store: SQLiteStore, folder: Path
) -> None:
    for loaded in (review.load(folder), review.load(store, viewer=EVERYTHING)):
        goals = loaded.goals.set_index("participant")
        ana, ben, cy = store.ana_id, store.ben_id, store.cy_id  # type: ignore[attr-defined]
        assert goals.loc[ana, "measure_instrument"] == "Weekly exit ticket"
        assert goals.loc[ana, "measure_unit"] == "percent"
        assert (goals.loc[ana, "baseline"], goals.loc[ana, "target"]) == (40.0, 80.0)
        assert goals["baseline"].dtype == "float64"
        assert goals.loc[ben, "measure_instrument"] == ""
        assert math.isnan(goals.loc[ben, "baseline"])
        assert math.isnan(goals.loc[cy, "baseline"])  # "1e999" is text, not a number
        assert math.isnan(goals.loc[cy, "target"])  # beyond a float: not a number
        assert goals.loc[cy, "measure_unit"] == ""
        checkins = loaded.checkins
        assert checkins["measure_value"].dtype == "float64"
        values = checkins.loc[checkins["participant"] == ana, "measure_value"].tolist()
        assert values == [50.0, 62.0]
        assert checkins.loc[checkins["participant"] == cy, "measure_value"].isna().all()
        assert checkins.loc[checkins["participant"] == ben, "measure_value"].isna().all()


def test_the_report_draws_a_now_and_b_for_a_measured_goal_only(folder: Path) -> None:
    html = report_html(review.load(folder), now=NOW)
    assert html.count("Measure: A → now → B") == 1  # Ana's goal; Ben's is in words
    assert "From 40% to 62% so far; target 80% by 15 March. 55% of the way from A to B." in html
    assert "pdkit-measure-chart" in html
    assert "Point B&amp;#58; 80%" in html or "Point B&#58; 80%" in html
    assert '<td data-label="Measure">62%</td>' in html  # the check-in's value in the table


def test_the_report_leaves_out_values_of_check_ins_not_shared(store: SQLiteStore) -> None:
    ana = store.ana_id  # type: ignore[attr-defined]
    store.set_visibility(ana, CHECKIN_FORM, "private")
    try:
        html = report_html(review.load(store), now=NOW)  # as the store's steward reads it
    finally:
        store.set_visibility(ana, CHECKIN_FORM, "coach")
    assert "Point A 40%; target 80% by 15 March. No check-in value yet." in html
    assert "62%" not in html


def test_frames_keep_their_declared_dtypes_when_empty() -> None:
    empty = review.load([])
    assert empty.goals["target"].dtype == "float64"
    assert empty.checkins["measure_value"].dtype == "float64"
    assert isinstance(empty.goals, pd.DataFrame)
