"""A teacher's pathway through a saved workbook (read back exactly; older files without
it still load; damaged sections refused; a pseudonymous export keeps only each step's
status) and review's ``pathways`` frame, from a store (as its steward: only where the
goal is shared with the coach) and from saved workbooks."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from _stores import BACKENDS, Opener
from pdkit import review
from pdkit.definitions import load_pathway, load_workbook
from pdkit.errors import WorkbookFileError
from pdkit.notebooks import export_store, read_saved, save_workbook
from pdkit.store import Participant, Store, Viewer

TALK = load_pathway("talk")
LINK = "https://example.org/my-notes"


@pytest.fixture(autouse=True)
def _sample_pathways(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PDKIT_PATHWAYS", raising=False)


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest) -> Iterator[Store]:
    opener: Opener = request.param
    opened = opener(request)
    yield opened
    opened.close()


def _on_path(store: Store) -> Participant:
    ana, _ = store.create_participant("Ana")
    store.record(
        ana.id, "goal-setting", {"goal": "Talk", "school_goal": "talk"}, spec_version="g@1"
    )
    store.choose_pathway(ana.id, "talk", by=ana.id)
    store.tick_step(
        ana.id, TALK, "read-think-pair-share", done=True, link=LINK, note="Period 2", by=ana.id
    )
    store.record(ana.id, "what-so-what-now-what", {"what": "They talked"}, spec_version="w@1")
    return ana


def test_a_saved_workbook_carries_the_pathway(store: Store) -> None:
    ana = _on_path(store)
    notebook = save_workbook(load_workbook("my-goal"), store, ana)
    saved = read_saved(json.dumps(notebook))
    assert saved.pathway is not None
    assert (saved.pathway["id"], saved.pathway["required_done"]) == ("talk", 2)
    steps = {s["id"]: s for s in saved.pathway["steps"]}
    assert steps["read-think-pair-share"]["link"] == LINK
    assert steps["reflect"]["status"] == "done"
    assert steps["present"]["status"] == "open"
    [cell] = [c for c in notebook["cells"] if "pdkit-pathway" in c["metadata"].get("tags", [])]
    shown = "".join(cell["source"])
    assert "## My pathway: More student talk, step by step" in shown
    assert "Required steps: 2 of 2 done." in shown
    assert f"<{LINK}> — Period 2" in shown
    del notebook["metadata"]["pdkit"]["pathway"]  # a file saved before pathways
    assert read_saved(json.dumps(notebook)).pathway is None
    # the coach's copy (the store's steward) holds it only when the goal is shared
    assert (
        "pathway"
        not in save_workbook(load_workbook("my-goal"), store, ana, viewer=Viewer.steward())[
            "metadata"
        ]["pdkit"]
    )


@pytest.mark.parametrize(
    ("path", "bad"),
    [
        ((), "nonsense"),
        (("format",), 99),
        (("required_done",), -1),
        (("complete",), "yes"),
        (("steps", 0, "status"), "finished"),
        (("steps", 0, "link"), "javascript:alert(1)"),
        (("steps", 0, "at"), "yesterday"),
        (("steps",), [{}] * 41),
    ],
)
def test_a_damaged_pathway_section_is_refused(
    store: Store, path: tuple[object, ...], bad: object
) -> None:
    ana = _on_path(store)
    notebook = save_workbook(load_workbook("my-goal"), store, ana)
    meta = notebook["metadata"]["pdkit"]
    if path:
        target = meta["pathway"]
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = bad
    else:
        meta["pathway"] = bad
    with pytest.raises(WorkbookFileError, match="pathway"):
        read_saved(json.dumps(notebook))


def test_review_has_a_pathways_frame(store: Store, tmp_path: Path) -> None:
    ana = _on_path(store)
    assert review.load(store).pathways.empty  # her goal is private: the steward sees none
    store.set_visibility(ana.id, "goal-setting", "coach")
    frame = review.load(store).pathways
    assert list(frame["step"]) == [s.id for s in TALK.steps]
    row = frame[frame["step"] == "read-think-pair-share"].iloc[0]
    assert (row["participant"], row["pathway"], row["status"], row["link"]) == (
        ana.id,
        "talk",
        "done",
        LINK,
    )
    assert bool(row["required"])
    assert not frame["at"].isna().all()
    assert frame.loc[frame["step"] == "reflect", "status"].item() == "done"

    copy = save_workbook(load_workbook("my-goal"), store, ana)
    path = tmp_path / "ana.ipynb"
    path.write_text(json.dumps(copy), encoding="utf-8")
    from_file = review.load(path).pathways
    assert set(from_file["status"]) == {"done", "open"}
    assert LINK in set(from_file["link"])


def test_a_pseudonymous_export_keeps_only_the_status(store: Store, tmp_path: Path) -> None:
    ana = _on_path(store)
    store.set_visibility(ana.id, "goal-setting", "coach")
    [written] = export_store(store, load_workbook("my-goal"), tmp_path, pseudonymous=True)
    text = written.read_text("utf-8")
    assert LINK not in text
    assert "Period 2" not in text
    saved = read_saved(text)
    assert saved.pathway is not None
    steps = {s["id"]: s for s in saved.pathway["steps"]}
    assert steps["read-think-pair-share"]["status"] == "done"
    assert (steps["read-think-pair-share"]["note"], steps["read-think-pair-share"]["at"]) == (
        "",
        None,
    )
    frame = review.load(written).pathways
    assert set(frame["link"]) == {""}
    assert ana.id not in set(frame["participant"])
