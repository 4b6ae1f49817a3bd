"""A page loading its widgets gets their states without the defaults its browser knows
(pdkit.widgets._states): the goal-setting page's answer was 102 KB of JSON, about half
of it defaults, made twice by the kernel, for each of a room arriving at once."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import ipywidgets as w
import pytest
from ipywidgets.widgets.widget import _instances
from traitlets import Bool, Unicode

from pdkit.app import Workbook
from pdkit.widgets import BrowserIdentity, _states
from pdkit.widgets._states import _whole_state, state_of


class _ControlComm:
    """The ``jupyter.widget.control`` comm of a page, as the kernel sees it."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    def send(self, data: dict[str, Any], buffers: Any = None) -> None:
        self.sent.append(data)


@pytest.fixture(autouse=True)
def _fresh_widgets() -> None:
    w.Widget.close_all()


def _request_states(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    comm = _ControlComm()
    monkeypatch.setattr(w.Widget, "_control_comm", comm)
    w.Widget._handle_control_comm_msg({"content": {"data": {"method": "request_states"}}})
    assert len(comm.sent) == 1, "one answer"
    answer = comm.sent[0]
    assert answer["method"] == "update_states"
    states: dict[str, Any] = answer["states"]
    return states


def _browser_defaults(widget: Any) -> dict[str, Any]:
    """What the browser's model of ``widget`` starts from: the defaults of the ipywidgets
    class it derives from (ipywidgets specifies its models' defaults so)."""
    base = next(c for c in type(widget).__mro__ if c.__module__.startswith("ipywidgets."))
    return json.loads(json.dumps(base().get_state()))


def test_a_goal_setting_page_gets_every_state_once_at_half_the_size(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PDKIT_STORE", str(tmp_path / "s.sqlite3"))
    Workbook("goal-setting")
    widgets = dict(_instances)
    states = _request_states(monkeypatch)
    assert set(states) == set(widgets)
    full = sum(len(json.dumps(m.get_state(), default=list)) for m in widgets.values())
    lean = sum(len(json.dumps(s["state"], default=list)) for s in states.values())
    assert lean < 0.7 * full, (lean, full)
    # Nothing is lost: the browser's defaults and the state sent make the whole state.
    for model_id, widget in widgets.items():
        sent = states[model_id]
        assert sent["model_name"] == widget._model_name
        whole = json.loads(json.dumps(widget.get_state(), default=list))
        if widget._model_module.startswith("@jupyter-widgets/"):
            made = {**_browser_defaults(widget), **json.loads(json.dumps(sent["state"]))}
            for name in whole:
                if name not in ("layout", "style"):  # the defaults' own new models
                    assert made[name] == whole[name], (widget, name)
        else:
            assert json.loads(json.dumps(sent["state"], default=list)) == whole


def test_a_subclass_default_the_browser_does_not_know_is_sent() -> None:
    class Quiet(w.Text):  # type: ignore[misc]
        continuous_update = Bool(False).tag(sync=True)
        placeholder = Unicode("Type here").tag(sync=True)

    quiet, plain = Quiet(), w.Text()
    assert state_of(quiet)["continuous_update"] is False
    assert state_of(quiet)["placeholder"] == "Type here"
    assert "continuous_update" not in state_of(plain)
    assert "placeholder" not in state_of(plain)
    plain.continuous_update = False
    assert state_of(plain)["continuous_update"] is False


def test_true_is_not_one_and_a_tuple_is_a_list() -> None:
    box = w.IntText(value=1)
    assert state_of(box)["value"] == 1  # the default is 0
    assert "_dom_classes" not in state_of(box)  # () as the default []
    box.add_class("mine")
    assert state_of(box)["_dom_classes"] == ("mine",)


def test_other_kinds_of_widget_get_their_whole_state() -> None:
    identity = BrowserIdentity()
    assert state_of(identity) == identity.get_state()
    assert "_esm" in state_of(identity)

    class Elsewhere(w.DOMWidget):  # type: ignore[misc]
        _model_module = Unicode("another-library").tag(sync=True)
        _model_name = Unicode("ElsewhereModel").tag(sync=True)

    other = Elsewhere()
    assert state_of(other) == other.get_state()


def test_each_state_is_what_ipywidgets_itself_makes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The states are read faster than get_state does (its lookups made once per class),
    # to the same result: for every model of two pages, and for the unusual cases.
    monkeypatch.setenv("PDKIT_STORE", str(tmp_path / "s.sqlite3"))
    Workbook("goal-setting")
    Workbook("facilitator")

    class Legacy(w.Text):  # type: ignore[misc]
        shout = Unicode("hi").tag(sync=True)
        _shout_metadata = {"to_json": lambda value, widget: value.upper()}  # noqa: RUF012

    legacy = Legacy()
    narrowed = w.IntSlider(value=3)
    narrowed.keys = ["value", "_model_name", "_view_name"]  # one instance's own keys
    unset = w.Dropdown(options=["a", "b"])  # dynamic defaults not read yet
    assert len(_instances) > 150
    for widget in list(_instances.values()):
        assert _whole_state(widget) == widget.get_state(), widget
    assert _whole_state(legacy)["shout"] == "HI"
    assert set(_whole_state(narrowed)) == {"value", "_model_name", "_view_name"}
    assert _whole_state(unset)["index"] == 0


def test_a_made_page_has_looked_up_what_its_states_need(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A pre-heated kernel looks up each kind's conversions and defaults while it waits,
    # not when its page asks for the states.
    monkeypatch.setattr(_states, "_converters", {})
    monkeypatch.setattr(_states, "_defaults", {})
    monkeypatch.setenv("PDKIT_STORE", str(tmp_path / "s.sqlite3"))
    Workbook("goal-setting")
    kinds = {type(widget) for widget in _instances.values()}
    assert len(kinds) > 15
    assert set(_states._converters) == kinds
    assert set(_states._defaults) == kinds
