"""The Markdown pdkit writes into a saved workbook is in the language the workbook records
(``metadata["pdkit"]["language"]``: the page's language when it was saved, else the
definition's): the evidence log, a coach's comment, the pathway and observations cells."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from pdkit.definitions import load_workbook
from pdkit.i18n import translator
from pdkit.notebooks import add_comment, dumps, save_workbook
from pdkit.notebooks._markdown import comment_markdown, evidence_markdown
from pdkit.notebooks._observations import observations_cell
from pdkit.notebooks._saved_pathway import pathway_cell
from pdkit.store import Participant, Store, open_store

GOAL = "goal-setting"


@pytest.fixture
def world() -> Iterator[tuple[Store, Participant]]:
    store = open_store("memory://")
    ana = store.create_participant("Ana")[0]
    store.record(ana.id, GOAL, {"goal": "Open questions"}, spec_version="g@1")
    store.add_evidence(ana.id, kind="student_work", caption="Essays", text="Sample A")
    yield store, ana
    store.close()


def markdown(notebook: dict[str, Any]) -> str:
    return "\n".join(
        "".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "markdown"
    )


@pytest.mark.parametrize("language", ["es", "fr"])
def test_a_workbook_saved_in_a_language_writes_its_markdown_in_it(
    world: tuple[Store, Participant], tmp_path: Path, language: str
) -> None:
    store, ana = world
    t = translator(language)
    notebook = save_workbook(load_workbook(GOAL), store, ana, language=language)
    assert notebook["metadata"]["pdkit"]["language"] == language
    said = markdown(notebook)
    assert f"### {t('Evidence')}" in said
    assert t("Student work") in said
    assert "### Evidence" not in said
    # A coach's comment added later reads the language the file records.
    path = tmp_path / "ana.ipynb"
    path.write_text(dumps(notebook), "utf-8")
    add_comment(path, "Nice stems.", coach="Kim")
    commented = markdown(json.loads(path.read_text("utf-8")))
    assert t("Comment from your coach, {coach}").format(coach="Kim") in commented
    assert "Comment from your coach" not in commented


def test_english_stays_english(world: tuple[Store, Participant]) -> None:
    store, ana = world
    notebook = save_workbook(load_workbook(GOAL), store, ana)
    assert notebook["metadata"]["pdkit"]["language"] == "en"
    assert "### Evidence" in markdown(notebook)


def test_each_cell_writer_speaks_the_language_given() -> None:
    t = translator("es")
    stamp = datetime(2026, 3, 1, 9, 30, tzinfo=timezone.utc)
    spanish = comment_markdown("Kim", "Bien", stamp, "es")
    assert "Comentario de tu coach" in spanish
    assert "coaching is not evaluation" not in spanish
    assert "coaching is not evaluation" in comment_markdown("Kim", "Bien", stamp)
    assert evidence_markdown([], "fr") == f"### {translator('fr')('Evidence')}\n\n*Aucune trace.*"
    section = {
        "title": "Preguntas",
        "required_done": 1,
        "required_total": 2,
        "optional_done": 0,
        "min_optional": 1,
        "complete": False,
        "steps": [{"title": "Leer", "required": True, "status": "done", "link": "", "note": ""}],
    }
    path = "".join(pathway_cell(section, "es")["source"])
    assert t("My pathway: {title}").format(title="Preguntas") in path
    assert f"({t('done')}; {t('required')})" in path
    assert "Required steps" not in path
    observed = {
        "names": {"kim": "Kim"},
        "items": [
            {
                "observer": "kim",
                "goal_version": 2,
                "notes": {"date": "", "glow": "Clear", "look_fors": [], "marks": {}},
            }
        ],
    }
    cell = "".join(observations_cell(observed, "es")["source"])
    assert t("Observations of my teaching") in cell
    assert t("observed by {name}").format(name="Kim") in cell
    assert t("No date") in cell
    assert "observed by" not in cell
