"""Observations through a saved workbook (read back exactly; older files without them
still load; damaged sections refused) and review's ``observations`` frame, from a store
(as its steward: only the ones shared with the coach) and from saved workbooks."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from _stores import BACKENDS, Opener
from pdkit import review
from pdkit.definitions import load_workbook
from pdkit.errors import WorkbookFileError
from pdkit.notebooks import read_saved, save_workbook
from pdkit.store import Participant, Store, Viewer


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest) -> Iterator[Store]:
    opener: Opener = request.param
    opened = opener(request)
    yield opened
    opened.close()


def _observed(store: Store) -> tuple[Participant, list[str]]:
    ana, _ = store.create_participant("Ana")
    ben, _ = store.create_participant("Ben")
    coach, _ = store.create_participant("Carla", role="coach")
    store.assign_coach(coach.id, [ana.id])
    store.record(ana.id, "goal-setting", {"goal": "Talk"}, spec_version="goal-setting@1")
    store.invite_observer(ana.id, ben.id)
    look_fors = [{"id": "goal", "text": "Talk", "source": "goal"}]
    ids = []
    for who, glow in ((ben.id, "Pairs — “talked” 日本"), (coach.id, "Calm")):
        made = store.start_observation(
            who,
            ana.id,
            {
                "date": "2026-12-03",
                "look_fors": look_fors,
                "marks": {"goal": {"seen": "seen", "note": "yes"}},
                "glow": glow,
            },
        )
        store.send_observation(made.id, by=who)
        ids.append(made.id)
    store.start_observation(coach.id, ana.id, {"general": "a draft, never sent"})
    store.share_observation(ids[0], "coach", by=ana.id)
    return ana, ids


def test_a_saved_workbook_carries_the_teacher_s_observations_exactly(store: Store) -> None:
    ana, ids = _observed(store)
    notebook = save_workbook(load_workbook("my-goal"), store, ana)
    saved = read_saved(json.dumps(notebook))
    assert saved.observations == tuple(store.observations_of(ana.id, viewer=ana.id))
    assert {o.id for o in saved.observations} == set(ids)  # sent ones, not the draft
    assert set(saved.observers.values()) == {"Ben", "Carla"}
    [cell] = [c for c in notebook["cells"] if "pdkit-observations" in c["metadata"].get("tags", [])]
    shown = "".join(cell["source"])
    assert "observed by Ben (goal version 1)" in shown
    assert "**Talk**: seen: yes" in shown
    del notebook["metadata"]["pdkit"]["observations"]  # a file saved before observations
    assert read_saved(json.dumps(notebook)).observations == ()


@pytest.mark.parametrize(
    ("path", "bad"),
    [
        ((), "nonsense"),
        (("format",), 99),
        (("items", 0, "share"), "everyone"),
        (("items", 0, "goal_version"), "one"),
        (("items", 0, "sent_at"), "yesterday"),
        (("items", 0, "notes", "glow"), ["not", "text"]),
        (("items", 0, "notes", "marks", "goal", "seen"), "maybe"),
    ],
)
def test_a_damaged_observations_section_is_refused(
    store: Store, path: tuple[object, ...], bad: object
) -> None:
    ana, _ = _observed(store)
    notebook = save_workbook(load_workbook("my-goal"), store, ana)
    meta = notebook["metadata"]["pdkit"]
    if path:
        target = meta["observations"]
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = bad
    else:
        meta["observations"] = bad
    with pytest.raises(WorkbookFileError, match="observations"):
        read_saved(json.dumps(notebook))


def test_review_lists_what_the_reader_may_read(store: Store, tmp_path: Path) -> None:
    ana, ids = _observed(store)
    from_store = review.load(store).observations
    assert list(from_store["observation"]) == [ids[0]]  # shared with the coach only
    row = from_store.iloc[0]
    assert (row["observer_name"], row["day"], row["goal_version"]) == ("Ben", "2026-12-03", 1)
    assert (row["look_fors"], row["seen"], row["share"]) == (1, 1, "coach")

    copy = save_workbook(load_workbook("my-goal"), store, ana)
    path = tmp_path / "ana.ipynb"
    path.write_text(json.dumps(copy), encoding="utf-8")
    from_file = review.load(path).observations
    assert sorted(from_file["observation"]) == sorted(ids)  # her own copy: both
    assert set(from_file["glow"]) == {"Pairs — “talked” 日本", "Calm"}
    coach_copy = save_workbook(load_workbook("my-goal"), store, ana, viewer=Viewer.steward())
    assert [o["id"] for o in coach_copy["metadata"]["pdkit"]["observations"]["items"]] == [ids[0]]


def test_the_coach_report_lists_only_the_observations_that_reach_the_coach(
    store: Store, tmp_path: Path
) -> None:
    from pdkit.report import report_html

    ana, _ = _observed(store)
    path = tmp_path / "ana.ipynb"  # the teacher's own copy holds both observations
    path.write_text(json.dumps(save_workbook(load_workbook("my-goal"), store, ana)), "utf-8")
    loaded = review.load(path)
    shared = report_html(loaded)
    assert "Observations" in shared
    assert "Pairs — “talked” 日本" in shared  # shared with the coach
    assert "Calm" not in shared  # shared as the goal is, and the goal is private
    everything = report_html(loaded, include_private=True)
    assert "Calm" in everything
    assert "1 of 1 look-fors seen" in everything
