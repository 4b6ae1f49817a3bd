"""The dashboard's join links (#17 item 5): every participants' workbook served beside the
facilitator's page, with the session's code in its link and a QR code to project; other
notebooks, broken ones and oversized ones are left out without an error."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from urllib.parse import unquote

import ipywidgets as w
import pytest

from pdkit.app import FacilitatorApp
from pdkit.app._joinlinks import (
    MAX_NOTEBOOK_BYTES,
    ServedWorkbook,
    join_links_html,
    served_workbooks,
)
from pdkit.serve import builtin_workbooks_dir
from pdkit.testing import FakeClock, descendants, memory_store, page_loaded

PAGE = "http://h:8866/voila/render/facilitator.ipynb"
KEY = "Kq3vX9-t0pLm_2RzYw8aBc"


@pytest.fixture(autouse=True)
def _close_widgets() -> Iterator[None]:
    yield
    w.Widget.close_all()


def test_the_shipped_participants_workbooks_are_listed_and_the_others_not() -> None:
    found = {w.notebook for w in served_workbooks(builtin_workbooks_dir())}
    assert {
        "goal-setting.ipynb",
        "goal-setting-es.ipynb",
        "day.ipynb",
        "protocol.ipynb",
        "peer-feedback.ipynb",
        "reflection.ipynb",
        "my-goal.ipynb",
        "evaluation.ipynb",
        "observe.ipynb",
    } <= found
    assert not found & {"facilitator.ipynb", "coach.ipynb", "room.ipynb"}


def test_foreign_broken_and_oversized_notebooks_are_left_out(tmp_path: Path) -> None:
    shutil.copy(builtin_workbooks_dir() / "reflection.ipynb", tmp_path)
    (tmp_path / "notes.ipynb").write_text(json.dumps({"cells": [], "metadata": {}}))
    (tmp_path / "broken.ipynb").write_text("{ not json")
    (tmp_path / "list.ipynb").write_text("[1, 2]")
    (tmp_path / "big.ipynb").write_text(" " * (MAX_NOTEBOOK_BYTES + 1))
    cell = {"cell_type": "code", "source": 'Workbook("mine.yaml")', "metadata": {}}
    (tmp_path / "mine.ipynb").write_text(json.dumps({"cells": [cell], "metadata": {}}))
    (tmp_path / "mine.yaml").write_text("kind: workbook\nid: [unclosed\n")
    assert [w.notebook for w in served_workbooks(tmp_path)] == ["reflection.ipynb"]
    # a workbook of the folder's own definition is listed by its title
    (tmp_path / "mine.yaml").write_text(
        "kind: workbook\nid: mine\nschema_version: 1\ntitle: Our own reflection\n"
        "sections:\n  - reflection: what-so-what-now-what\n"
    )
    assert [w.title for w in served_workbooks(tmp_path)] == [
        "Our own reflection",
        "Reflection workbook",
    ]


def test_the_links_carry_the_session_code_escape_titles_and_draw_qr_codes() -> None:
    shown = join_links_html(
        PAGE, [ServedWorkbook("goal-setting.ipynb", "Goals <b>& more</b>")], "AB CD"
    )
    assert 'href="http://h:8866/voila/render/goal-setting.ipynb?code=AB%20CD"' in shown
    assert "Goals &lt;b&gt;&amp; more&lt;/b&gt;" in shown
    assert "<b>&" not in shown
    # The QR code is an image named by its alt text (never a label, which would read as
    # the label of a form field named like the workbook), drawn as SVG.
    assert shown.count('<img class="pdkit-qr"') == 1
    assert 'alt="QR code of the link to Goals &lt;b&gt;&amp; more&lt;/b&gt;"' in shown
    assert "aria-label" not in shown.split("<ul", 1)[-1]
    source = unescape(shown.split('src="', 1)[1].split('"', 1)[0])
    assert source.startswith("data:image/svg+xml")
    assert "<svg" in unquote(source)
    default = join_links_html(PAGE, [ServedWorkbook("day.ipynb", "Our PD day")], None, qr=False)
    assert 'href="http://h:8866/voila/render/day.ipynb"' in default
    assert "pdkit-qr" not in default
    assert "No participants' workbook is served" in join_links_html(PAGE, [], None)


def test_the_dashboard_shows_the_join_links_of_its_session(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = FakeClock(50_000.0, step=0)
    store = memory_store(clock)
    try:
        session, key = store.create_session("Spring PD", [])
        monkeypatch.chdir(builtin_workbooks_dir())  # a kernel runs beside its notebook
        app = FacilitatorApp(store=store, key=key, clock=clock, session=session.id)
        page_loaded(app.browser, page_url=f"{PAGE}?session={session.id}&key={key}")
        shown = "\n".join(
            str(getattr(x, "value", "")) for x in descendants(app.body) if hasattr(x, "value")
        )
    finally:
        store.close()
    assert "Join links" in shown
    assert f"goal-setting.ipynb?code={session.code}" in shown
    assert f"my-goal.ipynb?code={session.code}" in shown
    assert "facilitator.ipynb?code" not in shown
