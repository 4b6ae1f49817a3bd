"""Voilà's command line, as ``python -m voila`` runs it, with one meaningless start-up
warning kept out of a facilitator's terminal.

``pdkit serve`` gives Voilà its kernel pools as a dict on the command line (written as
``key=value`` pairs, traitlets would keep the pool sizes as text), and traitlets then
warns that this form is deprecated. Voilà's own ``__init__`` turns traitlets'
deprecation warnings on, so the filter must come after importing it. Only that one
warning is dropped.
"""

from __future__ import annotations

import warnings

import voila  # noqa: F401  (its import shows traitlets' deprecation warnings)
from voila.app import main

__all__ = ["main"]

warnings.filterwarnings("ignore", message="--kernel_pools_config", category=DeprecationWarning)

if __name__ == "__main__":
    main()
