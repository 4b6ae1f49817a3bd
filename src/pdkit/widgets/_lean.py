"""Text and box widgets that share one layout (and text style) per kernel.

Every ipywidgets widget has a ``Layout`` model of its own, and every ``HTML`` an
``HTMLStyle`` too: of the ~255 models a joined participant's page had, 130 were these,
all left at their defaults. Each model is a message from the kernel through the server
to the browser, and when a room joins at once those messages are the server's work
(one process relays every page). pdkit never changes the layout or style of these
widgets, so they share one of each; a box whose layout changes (shown and hidden
prompts) is made with a layout of its own (``VBox(..., layout=w.Layout())``). Inputs share
theirs too (:func:`shared`: one column layout and one label style per kind of input), and
so do a form's buttons (:class:`Button`: one layout and one button style; a button that is
hidden and shown is made with ``layout=w.Layout()``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ipywidgets as w
from ipywidgets.widgets.widget_description import DescriptionStyle
from ipywidgets.widgets.widget_string import HTMLStyle, TextStyle
from traitlets import HasTraits, TraitError, default

__all__ = [
    "HTML",
    "Button",
    "HBox",
    "SharedLayout",
    "VBox",
    "auto_width",
    "label_style",
    "shared",
    "text_style",
]

_shared: dict[str, w.Widget] = {}


def _one(kind: str, make: Callable[[], w.Widget]) -> Any:
    """The kernel's shared model of this kind (made again if it was closed). It refuses
    to change: a change would reach every widget that shares it (hiding one box would
    hide the page)."""
    found = _shared.get(kind)
    if found is None or getattr(found, "comm", None) is None:
        found = _shared[kind] = make()
        names = [n for n in found.keys if not n.startswith("_")]
        found._register_validator(_unchanged, names)  # traitlets: before the value is set
    return found


def _unchanged(owner: Any, proposal: Any) -> Any:
    trait = proposal["trait"]
    if proposal["value"] == getattr(owner, trait.name):
        return proposal["value"]
    raise TraitError(
        f"{owner.__class__.__name__}.{trait.name} is shared by many widgets "
        "(pdkit.widgets._lean): make the widget with a layout or style of its own"
    )


def text_style() -> Any:
    """The one style of text boxes: the label as wide as its words."""
    return _one("text-style", lambda: TextStyle(description_width="initial"))


def auto_width() -> Any:
    """The one layout of buttons as wide as their words (a long label is not cut)."""
    return _one("button-auto-width", lambda: w.Layout(width="auto"))


def label_style() -> Any:
    """The one style of other labelled inputs (choices, dropdowns): the same."""
    return _one("label-style", lambda: DescriptionStyle(description_width="initial"))


def shared(kind: str, make: Callable[[], w.Widget]) -> Any:
    """The kernel's one model named ``kind`` (a layout or a style that nothing changes),
    made by ``make`` the first time: for inputs that all look alike."""
    return _one(kind, make)


class SharedLayout(HasTraits):
    """The shared layout by default, for a widget class of pdkit's own: put it first
    among the bases (``class VBox(SharedLayout, w.VBox)``; pass ``layout=`` to change it)."""

    @default("layout")
    def _shared_layout(self) -> Any:
        return _one("layout", w.Layout)


class HTML(SharedLayout, w.HTML):  # type: ignore[misc]  # (ipywidgets has no types)
    """An ipywidgets ``HTML`` with the shared layout and style."""

    @default("style")
    def _shared_style(self) -> Any:
        return _one("html-style", HTMLStyle)


class VBox(SharedLayout, w.VBox):  # type: ignore[misc]  # (ipywidgets has no types)
    """An ipywidgets ``VBox`` with the shared layout (pass ``layout=`` to change it)."""


class HBox(SharedLayout, w.HBox):  # type: ignore[misc]  # (ipywidgets has no types)
    """An ipywidgets ``HBox`` with the shared layout (pass ``layout=`` to change it)."""


class Button(SharedLayout, w.Button):  # type: ignore[misc]  # (ipywidgets has no types)
    """An ipywidgets ``Button`` with the shared layout and button style (its colour is
    ``button_style``, a trait of the button, not of the style)."""

    @default("style")
    def _shared_style(self) -> Any:
        return _one("button-style", w.ButtonStyle)
