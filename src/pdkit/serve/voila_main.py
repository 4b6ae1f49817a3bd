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

import os
import sys
import warnings

if "rfc3987_syntax" not in sys.modules:
    sys.modules["rfc3987_syntax"] = None  # type: ignore[assignment]

import voila  # noqa: F401  (its import shows traitlets' deprecation warnings)

from ._app import PdkitVoila

__all__ = ["main"]

warnings.filterwarnings("ignore", message="--kernel_pools_config", category=DeprecationWarning)


def main() -> None:
    """Voilà's main, with pdkit's application (the "getting ready" page, HTTPS:
    :mod:`._app`); once the server has stopped, this process ends at once.

    By then every kernel is stopped (:meth:`pdkit.serve.kernels.PdkitKernelManager.stop_room`)
    and the server holds nothing to save (answers are saved by the kernels). Python's own
    teardown after that (ZeroMQ sockets and contexts, objects of every kernel connection)
    took 2.6 s for a room of 30 and about 9 s for 100 on a busy 2-core machine: most of
    the time Ctrl+C took to stop a room.
    """
    PdkitVoila.launch_instance()  # returns when the server has stopped; --version and
    sys.stdout.flush()  # errors end with SystemExit as before
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
