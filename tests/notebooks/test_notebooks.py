"""Every shipped workbook executes without error in a real kernel (nbclient)."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from _kernels import execute
from pdkit.serve import builtin_workbooks_dir

pytestmark = pytest.mark.notebook

WORKBOOKS = sorted(builtin_workbooks_dir().glob("*.ipynb"))
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def test_the_repository_workbooks_are_the_installed_ones() -> None:
    repo = Path(__file__).resolve().parents[2] / "workbooks"
    assert sorted(p.name for p in repo.glob("*.ipynb")) == [p.name for p in WORKBOOKS]
    assert WORKBOOKS, "no workbooks are shipped"


@pytest.mark.parametrize("path", WORKBOOKS, ids=lambda p: p.stem)
def test_workbook_executes(path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PDKIT_STORE", str(tmp_path / "store.sqlite3"))
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    nb = nbformat.read(path, as_version=4)
    execute(nb, tmp_path)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert any(WIDGET_VIEW in o.get("data", {}) for o in outputs), "the app did not display"
    assert not any("cannot start" in json.dumps(o) for o in outputs)
    assert (tmp_path / "store.sqlite3").exists(), "the app did not open its store"


@pytest.mark.parametrize("path", WORKBOOKS, ids=lambda p: p.stem)
def test_workbook_hides_nothing_but_code(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata["pdkit"]["schema_version"] == 1
    assert nb.cells[0].cell_type == "markdown"
    assert nb.cells[0].source.startswith("# ")
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), "saved outputs"
