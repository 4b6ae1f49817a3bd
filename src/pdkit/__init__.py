"""pdkit: personalized professional learning for teachers, in Jupyter and Voilà.

The public surface is small on purpose::

    import pdkit
    form = pdkit.load_definition("goal-setting")   # a built-in, or a path to YAML
    store = pdkit.open_store()                     # $PDKIT_STORE or the default SQLite file

Sub-packages: :mod:`pdkit.definitions` (definitions), :mod:`pdkit.store` (answers),
:mod:`pdkit.widgets` (forms and sign-in), :mod:`pdkit.app` (what workbooks run),
:mod:`pdkit.cli` (the ``pdkit`` command).
"""

from __future__ import annotations

from ._version import __version__
from .definitions import load_definition, load_school_goals
from .errors import (
    AccessError,
    DefinitionError,
    EvidenceError,
    IdentityError,
    PdkitError,
    StoreError,
)
from .store import Viewer, open_store

__all__ = [
    "AccessError",
    "DefinitionError",
    "EvidenceError",
    "IdentityError",
    "PdkitError",
    "StoreError",
    "Viewer",
    "__version__",
    "load_definition",
    "load_school_goals",
    "open_store",
]
