"""The coach's messages of the live thread land in the teacher's saved workbook, as the
same coach comments ``pdkit comment`` writes (one home: notebooks/comments.py)."""

from __future__ import annotations

from pathlib import Path

from pdkit.definitions import load_workbook
from pdkit.notebooks import COACH_TAG, add_comment, dumps, read_saved, save_workbook
from pdkit.store import Viewer, open_store


def test_coach_messages_are_in_the_saved_workbook_and_read_back(tmp_path: Path) -> None:
    store = open_store("memory://")
    ana, _ = store.create_participant("Ana")
    kim, _ = store.create_participant("Kim <coach>", role="coach")
    ben, _ = store.create_participant("Ben")
    store.assign_coach(kim.id, [ana.id])
    store.record(ana.id, "goal-setting", {"goal": "More questions"}, spec_version="g@1")
    store.add_comment(kim.id, ana.id, "Try *three* stems <script>")
    store.add_comment(ana.id, ana.id, "Thanks, I will")  # the teacher's reply: not a coach's
    workbook = load_workbook("goal-setting")

    notebook = save_workbook(workbook, store, ana)

    cells = [c for c in notebook["cells"] if COACH_TAG in c["metadata"].get("tags", ())]
    assert len(cells) == 1
    text = "".join(cells[0]["source"])
    assert "Comment from your coach, Kim" in text
    assert "<script>" not in text, "escaped"
    assert "Thanks, I will" not in dumps(notebook)
    saved = read_saved(dumps(notebook))
    [comment] = saved.coach_comments
    assert comment["coach"] == "Kim <coach>"
    assert comment["text"] == "Try *three* stems <script>"
    assert comment["at"].endswith("+00:00")

    # pdkit comment adds to the same block, after the thread's.
    path = tmp_path / "ana.ipynb"
    path.write_text(dumps(notebook), encoding="utf-8")
    add_comment(path, "Later, by file", coach="Kim")
    assert [c["text"] for c in read_saved(path.read_text("utf-8")).coach_comments] == [
        "Try *three* stems <script>",
        "Later, by file",
    ]

    # A copy for someone who may not read the thread holds none of it; the steward's does.
    assert (
        read_saved(dumps(save_workbook(workbook, store, ana, viewer=ben.id))).coach_comments == ()
    )
    steward = save_workbook(workbook, store, ana, viewer=Viewer.steward())
    assert len(read_saved(dumps(steward)).coach_comments) == 1
