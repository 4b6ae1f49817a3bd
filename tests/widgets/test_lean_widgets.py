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


def test_each_control_makes_only_the_widgets_it_shows() -> None:
    """Every model a kernel holds goes to its page when the page opens: a control made a
    box it never showed (one model more per field, 14 on the goal form)."""
    from pdkit.definitions import Option, load_form
    from pdkit.testing import descendants
    from pdkit.widgets import build_control

    form = load_form("goal-setting").with_options({"school_goals": [Option("lit", "Literacy")]})
    kinds = set()
    for field in form.fields:
        HTML()  # the shared layout and style exist already, as on a page
        before = set(_instances)
        control = build_control(field)
        made = {_instances[m] for m in set(_instances) - before}
        shown = {*descendants(control.widget), control.notice}
        looks = {part for s in shown for part in (s.layout, getattr(s, "style", None))}
        unshown = made - shown - looks
        assert unshown == set(), (field.id, sorted(type(m).__name__ for m in unshown))
        kinds.add(field.type)
    assert {
        "choice",
        "long_text",
        "text",
        "date",
        "number",
        "scale",
        "multi_choice",
        "list",
    } <= kinds


def test_the_page_made_ahead_holds_few_models(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pre-heated goal-setting page, before anyone joins: its models are what every
    page of a room receives at once (155 before the boxes and buttons of the sign-in step
    and pdkit's own widgets shared their layouts and styles, and the placeholder boxes
    went; 123 after)."""
    monkeypatch.setenv("PDKIT_STORE", str(tmp_path / "s.sqlite3"))
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    Workbook("goal-setting")
    models = list(_instances.values())
    layouts = [m for m in models if isinstance(m, w.Layout)]
    # the shared one, the inputs' column, the sign-in boxes', the buttons' auto width,
    # and the one the "My copy" menu hides and shows
    assert len(layouts) <= 5, [m.get_state() for m in layouts]
    assert len(models) <= 125, sorted(m._model_name for m in models)
