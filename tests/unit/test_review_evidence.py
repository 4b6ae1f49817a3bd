"""The review's ``evidence`` frame: the newest version of each item the reader may see,
from a store and from saved workbooks alike (student data only for those who may see it)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest

from pdkit import review
from pdkit.definitions import load_workbook
from pdkit.notebooks import export_store
from pdkit.review._frames import COLUMNS
from pdkit.store import Store, Viewer, open_store

GOAL = "goal-setting"
DAY = date.today() - timedelta(days=3)


@pytest.fixture
def store() -> Iterator[Store]:
    opened = open_store("memory://")
    ana = opened.create_participant("Ana")[0]
    ben = opened.create_participant("Ben")[0]
    kim = opened.create_participant("Kim", role="coach")[0]
    opened.assign_coach(kim.id, [ana.id])
    for who in (ana, ben):
        opened.record(who.id, GOAL, {"goal": "Open questions"}, spec_version="g@1")
        opened.set_visibility(who.id, GOAL, "coach")
    first = opened.add_evidence(ana.id, kind="survey", caption="Survey", link="https://e.org/s")
    opened.edit_evidence(first.id, ana.id, caption="Exit survey", made_on=DAY)
    opened.add_evidence(ana.id, kind="student_work", caption="Essays", text="A")
    opened.add_evidence(ana.id, kind="other", caption="Private", text="p", visibility="private")
    gone = opened.add_evidence(ben.id, kind="other", caption="Gone", text="g")
    opened.withdraw_evidence(gone.id, ben.id)
    yield opened
    opened.close()


def test_the_frame_has_its_documented_columns_and_the_items_the_reader_may_see(
    store: Store,
) -> None:
    loaded = review.load(store)  # the steward: coach level and wider
    frame = loaded.evidence
    assert list(frame.columns) == list(COLUMNS["evidence"])
    assert {c: str(t) for c, t in frame.dtypes.items()} == dict(COLUMNS["evidence"])
    assert sorted(frame["caption"]) == ["Essays", "Exit survey"]
    survey = frame[frame["caption"] == "Exit survey"].iloc[0]
    assert survey["version"] == 2
    assert survey["made_on"] == pd.Timestamp(DAY)
    assert survey["link"] == "https://e.org/s"
    assert not survey["student_data"]
    assert bool(frame[frame["caption"] == "Essays"].iloc[0]["student_data"])
    assert pd.isna(survey["checkin"])
    # A teacher in the same session is no reader of student data, nor of anything
    # shared with the coach only.
    ben = next(p for p in store.participants() if p.display_name == "Ben")
    assert review.load(store, viewer=Viewer.of(ben.id)).evidence.empty


def test_files_give_the_same_frame_as_the_store(store: Store, tmp_path: Path) -> None:
    files = export_store(store, load_workbook(GOAL), tmp_path, viewer=Viewer.steward())
    from_files = review.load(files).evidence
    from_store = review.load(store).evidence
    columns = ["participant", "item", "version", "kind", "caption", "student_data", "made_on"]
    key = ["item"]
    pd.testing.assert_frame_equal(
        from_files[columns].sort_values(key).reset_index(drop=True),
        from_store[columns].sort_values(key).reset_index(drop=True),
    )
    # A pseudonymous export holds no student data: its frame has none.
    anon = export_store(store, load_workbook(GOAL), tmp_path / "anon", pseudonymous=True)
    assert list(review.load(anon).evidence["caption"]) == ["Exit survey"]


def test_visibility_is_who_sees_the_item_now_and_shared_only_leaves_out_private_items(
    store: Store, tmp_path: Path
) -> None:
    everything = review.load(store, viewer=Viewer.steward(include_private=True))
    levels = dict(
        zip(everything.evidence["caption"], everything.evidence["visibility"], strict=True)
    )
    assert levels == {"Exit survey": "coach", "Essays": "coach", "Private": "private"}
    assert sorted(everything.shared_only().evidence["caption"]) == ["Essays", "Exit survey"]
    # The same from the teachers' own copies (files keep the chosen level and the goal's).
    files = export_store(
        store, load_workbook(GOAL), tmp_path, viewer=Viewer.steward(include_private=True)
    )
    from_files = review.load(files).evidence
    assert dict(zip(from_files["caption"], from_files["visibility"], strict=True)) == levels
