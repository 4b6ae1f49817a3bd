"""A page's widgets share their default layout and text style: each model is a message
from the kernel through the one server process to the browser, so a room joining at
once waited on them (255 models per joined participant before, 163 after)."""

from __future__ import annotations

from pathlib import Path

import ipywidgets as w
import pytest
from ipywidgets.widgets.widget import _instances
from ipywidgets.widgets.widget_string import HTMLStyle

from pdkit.app import Workbook
from pdkit.widgets._lean import HTML, VBox


@pytest.fixture(autouse=True)
def _fresh_widgets() -> None:
    w.Widget.close_all()


def test_a_joined_participants_page_shares_layouts_and_styles(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PDKIT_STORE", str(tmp_path / "s.sqlite3"))
    workbook = Workbook("goal-setting")
    sign_in = workbook.app.sign_in
    sign_in.browser.set_state(
        {"url_token": "", "stored_token": "", "page_url": "http://x/goal.ipynb", "reported": True}
    )
    assert sign_in.join("Sam") is not None
    models = list(_instances.values())
    texts = [m for m in models if isinstance(m, w.HTML)]
    assert len(texts) > 20  # the goal form is on the page
    assert len({id(text.layout) for text in texts}) == 1
    assert sum(isinstance(m, HTMLStyle) for m in models) == 1
    assert len(models) < 180  # 255 when every widget had a layout and style of its own


def test_a_box_given_its_own_layout_changes_alone() -> None:
    shared, alone = VBox(), VBox(layout=w.Layout())
    alone.layout.display = "none"
    assert shared.layout.display is None
    assert HTML().layout is shared.layout


def test_a_closed_shared_layout_is_made_again() -> None:
    first = HTML()
    w.Widget.close_all()
    again = HTML()
    assert again.layout is not first.layout
    assert again.layout.comm is not None


def test_a_shared_layout_refuses_to_change() -> None:
    """Hiding one box through a shared layout would hide every widget that shares it (a
    whole page went blank that way): the shared model refuses, before it changes."""
    from traitlets import TraitError

    one, other = VBox(), HTML()
    with pytest.raises(TraitError, match="shared by many widgets"):
        one.layout.display = "none"
    assert other.layout.display is None
    one.layout.display = None  # setting the value it has is no change
    own = VBox(layout=w.Layout())
    own.layout.display = "none"
    assert one.layout.display is None
