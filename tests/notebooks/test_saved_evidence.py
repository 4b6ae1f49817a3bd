"""The evidence log in saved workbooks: written with the answers (every version in the
teacher's own copy, what the reader may see in anyone else's), read back exactly, put
back into a store on upload (never wider than the file says, student data as such
however the file was changed), and never in a pseudonymous export when it holds
student data."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import nbformat
import pytest

from pdkit.definitions import load_workbook
from pdkit.errors import WorkbookFileError
from pdkit.notebooks import dumps, export_store, read_saved, restore_evidence, save_workbook
from pdkit.store import Participant, Store, open_store

GOAL = "goal-setting"
DAY = date.today() - timedelta(days=1)


@dataclass
class World:
    store: Store
    ana: Participant
    kim: Participant


@pytest.fixture
def world() -> Iterator[World]:
    store = open_store("memory://")
    ana = store.create_participant("Ana")[0]
    kim = store.create_participant("Kim", role="coach")[0]
    store.assign_coach(kim.id, [ana.id])
    store.record(ana.id, GOAL, {"goal": "Open questions"}, spec_version="g@1")
    store.set_visibility(ana.id, GOAL, "coach")
    yield World(store, ana, kim)
    store.close()


def fill(world: World) -> dict[str, str]:
    """Ana's log: a survey link (edited once), student work, a private note, a
    withdrawn item. Returns their ids by caption."""
    store, ana = world.store, world.ana.id
    survey = store.add_evidence(
        ana, kind="survey", caption="Survey", link="https://e.org/s?a=(1)", made_on=DAY
    )
    store.edit_evidence(survey.id, ana, caption="Exit survey", text="Most *liked* stems")
    work = store.add_evidence(ana, kind="student_work", caption="Essays <b>", text="Sample A")
    note = store.add_evidence(ana, kind="other", caption="Note", text="mine", visibility="private")
    gone = store.add_evidence(ana, kind="other", caption="Gone", text="oops")
    store.withdraw_evidence(gone.id, ana)
    return {"survey": survey.id, "work": work.id, "note": note.id, "gone": gone.id}


def saved_block(notebook: dict[str, Any]) -> dict[str, Any]:
    return notebook["metadata"]["pdkit"]["saved"]  # type: ignore[no-any-return]


def evidence_cells(notebook: dict[str, Any]) -> list[str]:
    return [
        "".join(c["source"])
        for c in notebook["cells"]
        if "pdkit-evidence" in c["metadata"].get("tags", ())
    ]


def test_the_teachers_own_copy_holds_every_version_and_reads_back_exactly(world: World) -> None:
    ids = fill(world)
    notebook = save_workbook(load_workbook(GOAL), world.store, world.ana)
    text = dumps(notebook)
    nbformat.validate(nbformat.reads(text, as_version=4))
    saved = read_saved(text)
    entries = saved.evidence
    assert [(e["id"], e["version"]) for e in entries if e["id"] == ids["survey"]] == [
        (ids["survey"], 1),
        (ids["survey"], 2),
    ]
    assert {e["id"] for e in entries} == set(ids.values())  # withdrawn and private too
    [work] = [e for e in entries if e["id"] == ids["work"]]
    assert work["student_data"] is True
    assert work["caption"] == "Essays <b>"
    assert saved.evidence == tuple(saved_block(notebook)["evidence"])
    # Saved again from what was read: the same block.
    assert saved.block()["evidence"] == saved_block(notebook)["evidence"]
    # The readable cell lists the current items, escaped, and not the withdrawn one.
    [cell] = evidence_cells(notebook)
    assert "Exit survey" in cell
    assert "Gone" not in cell
    assert "Essays &lt;b&gt;" in cell
    assert "contains student data" in cell
    assert "(https://e.org/s?a=%281%29)" in cell
    assert "Most \\*liked\\* stems" in cell


def test_a_coachs_copy_holds_what_the_coach_may_see(world: World) -> None:
    ids = fill(world)
    notebook = save_workbook(load_workbook(GOAL), world.store, world.ana, viewer=world.kim.id)
    entries = read_saved(dumps(notebook)).evidence
    assert sorted(e["id"] for e in entries) == sorted([ids["survey"], ids["work"]])
    assert all(e["version"] == 2 or e["id"] != ids["survey"] for e in entries)  # current only
    assert "mine" not in dumps(notebook)


def test_an_older_file_without_evidence_still_loads(world: World) -> None:
    notebook = save_workbook(load_workbook(GOAL), world.store, world.ana)
    del saved_block(notebook)["evidence"]
    assert read_saved(dumps(notebook)).evidence == ()


@pytest.mark.parametrize(
    ("key", "value", "says"),
    [
        ("version", "1", "version"),
        ("version", 0, "version"),
        ("checkin", 1.5, "checkin"),
        ("withdrawn", "no", "withdrawn"),
        ("made_on", "yesterday", "made_on"),
        ("student_data", "yes", "student_data"),
        ("caption", None, "caption"),
        ("at", "noon", "at"),
    ],
)
def test_a_damaged_evidence_entry_is_refused(
    world: World, key: str, value: object, says: str
) -> None:
    fill(world)
    notebook = save_workbook(load_workbook(GOAL), world.store, world.ana)
    saved_block(notebook)["evidence"][0][key] = value
    with pytest.raises(WorkbookFileError, match=says):
        read_saved(dumps(notebook))


def test_a_pseudonymous_export_never_holds_student_data(world: World, tmp_path: Path) -> None:
    ids = fill(world)
    store, ana = world.store, world.ana.id
    store.add_evidence(ana, kind="video", caption="Class clip", text="faces", student_data=True)
    workbook = load_workbook(GOAL)
    [named] = export_store(store, workbook, tmp_path / "named")
    [anon] = export_store(store, workbook, tmp_path / "anon", pseudonymous=True)
    named_text, anon_text = named.read_text(), anon.read_text()
    assert "Essays" in named_text  # the steward's copy: coach level and wider
    assert "Class clip" in named_text
    for secret in ("Essays", "Sample A", "Class clip", "faces", ids["work"]):
        assert secret not in anon_text
    saved = read_saved(anon_text)
    assert [e["caption"] for e in saved.evidence] == ["Exit survey"]
    assert all(not e["student_data"] for e in saved.evidence)
    [cell] = evidence_cells(json.loads(anon_text))
    assert "Exit survey" in cell
    assert "Essays" not in cell


def test_upload_restores_the_items_the_store_lacks_once(world: World) -> None:
    fill(world)
    text = dumps(save_workbook(load_workbook(GOAL), world.store, world.ana))
    other = open_store("memory://")
    try:
        ana = other.create_participant("Ana")[0]
        other.record(ana.id, GOAL, {"goal": "Open questions"}, spec_version="g@1")
        other.set_visibility(ana.id, GOAL, "session")
        saved = read_saved(text)
        assert restore_evidence(other, ana.id, saved) == 3  # not the withdrawn one
        assert restore_evidence(other, ana.id, saved) == 0  # again: nothing new
        items = {i.caption: i for i in other.evidence(ana.id, viewer=ana.id)}
        assert set(items) == {"Exit survey", "Essays <b>", "Note"}
        assert items["Note"].visibility == "private"
        assert items["Essays <b>"].student_data
        assert items["Essays <b>"].shown == "coach"
        assert items["Exit survey"].link == "https://e.org/s?a=(1)"
    finally:
        other.close()


def forged(world: World, change: Any) -> str:
    """Ana's own copy with the block's evidence changed by ``change`` (a hand-edited file)."""
    notebook = save_workbook(load_workbook(GOAL), world.store, world.ana)
    change(saved_block(notebook)["evidence"])
    return dumps(notebook)


def _wider(entries: list[dict[str, Any]]) -> None:
    for e in entries:
        e["visibility"] = "session"


def _kind_changed(entries: list[dict[str, Any]]) -> None:
    latest = copy.deepcopy(next(e for e in entries if e["kind"] == "student_work"))
    latest.update(version=latest["version"] + 1, kind="other", student_data=False)
    entries.append(latest)


def _flag_missing(entries: list[dict[str, Any]]) -> None:
    for e in entries:
        del e["student_data"]


def _flag_off(entries: list[dict[str, Any]]) -> None:
    for e in entries:
        e["student_data"] = False


@pytest.mark.parametrize("change", [_wider, _kind_changed, _flag_missing, _flag_off])
def test_a_forged_file_cannot_get_student_data_out(
    world: World, tmp_path: Path, change: Any
) -> None:
    fill(world)
    text = forged(world, change)
    fresh = open_store("memory://")
    try:
        ana = fresh.create_participant("Ana")[0]
        fresh.record(ana.id, GOAL, {"goal": "Open questions"}, spec_version="g@1")
        fresh.set_visibility(ana.id, GOAL, "session")
        restore_evidence(fresh, ana.id, read_saved(text))
        [work] = [i for i in fresh.evidence(ana.id, viewer=ana.id) if i.caption == "Essays <b>"]
        assert work.student_data
        assert work.shown == "coach"
        other = fresh.create_participant("Ben")[0]  # same session, no coach of Ana's
        assert "Essays <b>" not in {i.caption for i in fresh.evidence(ana.id, viewer=other.id)}
        files = export_store(fresh, load_workbook(GOAL), tmp_path, pseudonymous=True)
        exported = "".join(f.read_text() for f in files)
        assert "Exit survey" in exported  # the export holds evidence: only not this
        assert "Essays" not in exported
        assert "Sample A" not in exported
    finally:
        fresh.close()


def test_pseudonymizing_a_forged_block_drops_student_work_whatever_its_flag(
    world: World,
) -> None:
    from pdkit.notebooks import pseudonymize

    fill(world)
    notebook = json.loads(forged(world, _flag_missing))
    pseudonymize(notebook, lambda pid: "anon-" + pid[:4])
    kinds = {e["kind"] for e in saved_block(notebook)["evidence"]}
    assert "student_work" not in kinds
    assert "Sample A" not in json.dumps(notebook)


def test_pdkit_export_pseudonymous_drops_student_data_even_with_private_and_a_forced_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from pdkit.cli import main

    path = tmp_path / "s.sqlite3"
    store = open_store(path)
    try:
        ana = store.create_participant("Ana")[0]
        store.record(ana.id, GOAL, {"goal": "Open questions"}, spec_version="g@1")
        store.set_visibility(ana.id, GOAL, "session")
        store.add_evidence(ana.id, kind="survey", caption="Class survey", link="https://e.org/s")
        work = store.add_evidence(ana.id, kind="student_work", caption="Essays", text="Sam's")
        flagged = store.add_evidence(
            ana.id, kind="video", caption="Clip", text="faces", student_data=True
        )
        # Rows changed below the API: the flag off, shared with the whole session.
        with store._tx() as tx:  # type: ignore[attr-defined]
            tx.execute(
                "UPDATE evidence SET student_data = 0, visibility = 'session' WHERE id = ?",
                (work.id,),
            )
    finally:
        store.close()
    out = tmp_path / "out"
    args = ["export", "--store", str(path), "--workbook", GOAL, "--out", str(out)]
    assert main([*args, "--pseudonymous", "--include-private"]) == 0
    capsys.readouterr()
    text = "".join(p.read_text() for p in out.iterdir())
    assert "Class survey" in text
    for secret in ("Essays", "Sam", "Clip", "faces", work.id, flagged.id):
        assert secret not in text


def test_uploading_a_saved_workbook_on_a_page_restores_the_evidence(world: World) -> None:
    import ipywidgets as w

    from pdkit.app import ParticipantApp, Workbook
    from pdkit.testing import page_loaded

    fill(world)
    content = dumps(save_workbook(load_workbook(GOAL), world.store, world.ana)).encode()
    other = open_store("memory://")
    try:
        me, token = other.create_participant("Ana")
        app = Workbook(GOAL, store=other).app
        assert isinstance(app, ParticipantApp)
        page_loaded(app.sign_in.browser, page_url="http://h/voila/render/x.ipynb", url_token=token)
        assert app.tools is not None
        app.tools.restore(content, "ana.ipynb")
        assert "3 evidence items added to your log." in app.tools.message.value
        assert {i.caption for i in other.evidence(me.id, viewer=me.id)} == {
            "Exit survey",
            "Essays <b>",
            "Note",
        }
        app.tools.restore(content, "ana.ipynb")  # again: nothing added twice
        assert len(other.evidence(me.id, viewer=me.id)) == 3
    finally:
        other.close()
        w.Widget.close_all()
