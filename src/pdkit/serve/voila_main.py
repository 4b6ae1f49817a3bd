"""Voilà's command line, as ``python -m voila`` runs it (with pdkit's application,
:class:`pdkit.serve._app.PdkitVoila`), with one meaningless start-up
warning kept out of a facilitator's terminal, and without one slow import.

``pdkit serve`` gives Voilà its kernel pools as a dict on the command line (written as
``key=value`` pairs, traitlets would keep the pool sizes as text), and traitlets then
warns that this form is deprecated. Voilà's own ``__init__`` turns traitlets'
deprecation warnings on, so the filter must come after importing it. Only that one
warning is dropped.

jsonschema checks the JSON Schema format ``iri`` with the ``rfc3987_syntax`` package
when it is installed (Jupyter's events ask for it), and that package compiles an Earley
grammar when it is imported: 2.7 s of CPU at every start of the server, measured here
(jsonschema issue #1428). No schema the server validates uses that format, so this
process tells Python the package is absent (``sys.modules[name] = None`` makes its import
fail, and jsonschema goes on without that one format check).
"""

from __future__ import annotations

import sys
import warnings

if "rfc3987_syntax" not in sys.modules:
    sys.modules["rfc3987_syntax"] = None  # type: ignore[assignment]

import voila  # noqa: F401  (its import shows traitlets' deprecation warnings)

from ._app import PdkitVoila

__all__ = ["main"]

warnings.filterwarnings("ignore", message="--kernel_pools_config", category=DeprecationWarning)

main = PdkitVoila.launch_instance
"""Voilà's main, with pdkit's application (the "getting ready" page, HTTPS: :mod:`._app`)."""

if __name__ == "__main__":
    main()
