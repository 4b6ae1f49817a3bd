"""``pdkit serve``: Voilà on the workbooks, with the store and participant-safe settings.

Voilà runs every page load in a fresh kernel. A page that closes asks the server to
stop its kernel (pdkit's template gives it the ``_xsrf`` cookie that request needs, and
changes still waiting for their autosave are saved as the kernel exits); a page that
could not say so (a browser that crashed, a lost network) leaves an idle kernel without a
connection, culled after ``cull_idle_timeout`` seconds, checked every ``cull_interval``
(voila#1458). Kernels for the
workbooks in ``pools`` are started ahead (Voilà's pre-heated kernels): the notebook
has already run when someone opens the page, and the participant is identified only
then, by the page itself (the resume token reaches the kernel in a widget message, so
nothing in a pooled kernel depends on the request). A used kernel is replaced
``fill_delay`` seconds after it is handed out, so refilling does not compete with a
crowd arriving; arrivals beyond the ready kernels get a kernel started at once.
Pooled kernels are never culled, nor is a handed-out kernel whose page has not connected
yet (for ``connect_grace`` seconds), and ``max_kernels`` caps how many run
(:class:`pdkit.serve.kernels.PdkitKernelManager`, at a public dotted path: Voilà is
configured with it by name). The store URL and the school goals reach
every kernel through the environment (``PDKIT_STORE``, ``PDKIT_SCHOOL_GOALS``).
Kernels talk to the server over Unix sockets in a runtime folder of the serve's own.
Kernels keep no IPython history (a crowd of kernels starting at once queued for the
history file's lock and printed its errors on pages): ``IPYTHONDIR`` points them to a
profile of pdkit's own.
"""

from __future__ import annotations

from ._config import DEFAULT_POOLS, ServeConfig, builtin_workbooks_dir, default_max_kernels
from ._voila import prepare, serve, template_data_dir, voila_command

__all__ = [
    "DEFAULT_POOLS",
    "ServeConfig",
    "builtin_workbooks_dir",
    "default_max_kernels",
    "prepare",
    "serve",
    "template_data_dir",
    "voila_command",
]
