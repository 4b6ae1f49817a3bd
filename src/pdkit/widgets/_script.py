"""pdkit's own widgets with a few lines of JavaScript: drawn by anywidget's front end,
without anywidget's Python in the participant's kernel.

The browser side of an anywidget is an ES module (``_esm``) that anywidget's front end
(installed with the ``anywidget`` package, a JupyterLab and Voilà extension) runs. Its
Python class adds what pdkit does not use (file watching and hot reload through
``psygnal``, commands, Colab support) and reads its own version through
``importlib.metadata``: 1.5 MiB of RSS in every kernel (0.7 MiB of it Python objects),
and a class made per instance. Every
kernel of a room is a participant's, so :class:`ScriptWidget` speaks to the same front
end with the same traits and nothing else: the model and view names, the version range
of the installed front end, ``_anywidget_id`` and ``_esm``.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import ipywidgets as w
from traitlets import Unicode, default

from ._lean import SharedLayout

__all__ = ["ScriptWidget", "front_end_range", "script"]


def front_end_range() -> str:
    """The versions of anywidget's front end this kernel's widgets ask for, as anywidget
    itself does ("~0.11.*" for 0.11.0), from the front end that is installed (the
    extension's ``package.json``; ``importlib.metadata`` costs every kernel 0.4 MiB)."""
    spec = importlib.util.find_spec("anywidget")  # finds the package, imports nothing
    version = ""
    for folder in (spec.submodule_search_locations or []) if spec else []:
        package = Path(folder) / "labextension" / "package.json"
        if package.is_file():
            version = str(json.loads(package.read_text("utf-8")).get("version", ""))
            break
    if not version:
        from importlib.metadata import version as installed

        version = installed("anywidget")
    major, minor, rest = [*version.split(".", 2), "", ""][:3]
    if "a" in rest or "b" in rest:  # a pre-release: exactly that one
        return version
    return f"~{major}.{minor}.*"


_RANGE = front_end_range()


def script(text: str) -> Any:
    """The ``_esm`` trait of a :class:`ScriptWidget`: its ES module, ``text``."""
    return Unicode(text).tag(sync=True)


class ScriptWidget(SharedLayout, w.DOMWidget):  # type: ignore[misc]
    """A widget whose browser side is the ES module in ``_esm`` (``_esm = script(...)``),
    run by anywidget's front end. It has the shared layout (:class:`SharedLayout`)."""

    _model_name = Unicode("AnyModel").tag(sync=True)
    _model_module = Unicode("anywidget").tag(sync=True)
    _model_module_version = Unicode(_RANGE).tag(sync=True)
    _view_name = Unicode("AnyView").tag(sync=True)
    _view_module = Unicode("anywidget").tag(sync=True)
    _view_module_version = Unicode(_RANGE).tag(sync=True)
    _anywidget_id = Unicode().tag(sync=True)
    _esm = script("")

    @default("_anywidget_id")
    def _class_name(self) -> str:  # as anywidget names a widget's class to its front end
        return f"{type(self).__module__}.{type(self).__name__}"

    def __repr__(self) -> str:  # (ipywidgets' repr lists every trait)
        return object.__repr__(self)
