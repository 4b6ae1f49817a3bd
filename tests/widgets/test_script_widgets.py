"""pdkit's widgets with JavaScript speak to anywidget's front end as anywidget's own
class does, without importing it in the participant's kernel (pdkit.widgets._script)."""

from __future__ import annotations

import anywidget
import ipywidgets as w
import pytest

from pdkit.widgets import BrowserIdentity, FileDownload, Safekeeper
from pdkit.widgets._countdown import Countdown
from pdkit.widgets._script import ScriptWidget, front_end_range, script

_SAME = (
    "_model_name",
    "_model_module",
    "_model_module_version",
    "_view_name",
    "_view_module",
    "_view_module_version",
)


@pytest.fixture(autouse=True)
def _fresh_widgets() -> None:
    w.Widget.close_all()


def test_the_front_end_is_asked_for_as_anywidget_asks_for_it() -> None:
    class Theirs(anywidget.AnyWidget):  # type: ignore[misc]
        _esm = "export default { render() {} };"

    class Ours(ScriptWidget):
        _esm = script("export default { render() {} };")

    theirs, ours = Theirs().get_state(), Ours().get_state()
    assert {k: ours[k] for k in _SAME} == {k: theirs[k] for k in _SAME}
    assert ours["_esm"] == theirs["_esm"]
    assert ours["_anywidget_id"] == f"{Ours.__module__}.Ours"
    assert theirs["_anywidget_id"] == f"{Theirs.__module__}.Theirs"
    assert front_end_range() == ours["_model_module_version"]
    assert front_end_range().startswith("~" + ".".join(anywidget.__version__.split(".")[:2]))


@pytest.mark.parametrize("kind", [BrowserIdentity, FileDownload, Safekeeper, Countdown])
def test_each_of_pdkits_script_widgets_has_its_module_and_one_class(kind: type) -> None:
    first, second = kind(), kind()
    state = first.get_state()
    assert state["_model_name"] == "AnyModel"
    assert state["_view_name"] == "AnyView"
    assert "export default" in state["_esm"]
    assert state["_anywidget_id"] == f"{kind.__module__}.{kind.__name__}"
    # anywidget's class makes a class per instance (add_traits); these share theirs.
    assert type(first) is kind
    assert type(second) is kind
    assert first.layout is second.layout  # the shared layout
