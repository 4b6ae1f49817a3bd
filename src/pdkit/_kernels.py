"""The kernel manager ``pdkit serve`` gives Voilà (it runs in the server, not in kernels).

Changes to jupyter_server's ``AsyncMappingKernelManager``:

- kernels waiting in Voilà's pool of pre-heated kernels are never culled: they have no
  connection and look idle, so the idle culler (which frees the kernels of closed tabs,
  voila#1458) would otherwise empty the pool within a minute of a quiet room; nor are
  kernels that are still starting (the culler fails on them);
- ``max_kernels`` refuses a new kernel once that many run, so a crowd cannot exhaust
  the machine's memory: the page then says the server is full (HTTP 503) instead of
  the machine swapping for everyone.
"""

from __future__ import annotations

from typing import Any

from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from tornado import web
from traitlets import Integer

__all__ = ["PdkitKernelManager"]


class PdkitKernelManager(AsyncMappingKernelManager):
    """Pool-aware culling and a limit on running kernels (see the module docs)."""

    max_kernels = Integer(
        0,
        config=True,
        help="Refuse to start a kernel when this many are running (0: no limit).",
    )

    def _pooled(self) -> set[str]:
        """Ids of the kernels that wait, pre-heated, in Voilà's pools."""
        found: set[str] = set()
        for pool in getattr(self, "_pools", {}).values():
            for task in pool:
                if task.done() and not task.cancelled() and task.exception() is None:
                    kernel_id = task.result().get("kernel_id")
                    if kernel_id:
                        found.add(kernel_id)
        return found

    async def cull_kernel_if_idle(self, kernel_id: str) -> None:
        if kernel_id in self._pooled() or not self._has_started(kernel_id):
            return
        await super().cull_kernel_if_idle(kernel_id)  # type: ignore[no-untyped-call]

    def _has_started(self, kernel_id: str) -> bool:
        """False for a kernel still starting (no activity recorded yet: jupyter_server's
        culler would fail on it and log a traceback per kernel when a crowd arrives)."""
        kernel = self._kernels.get(kernel_id)
        if kernel is None:
            return True  # let the culler report an unknown kernel as it does
        try:
            return getattr(kernel, "last_activity", None) is not None
        except Exception:  # traitlets refuses to read an unset datetime
            return False

    async def _async_start_kernel(self, *args: Any, **kwargs: Any) -> Any:
        if self.max_kernels and len(self.list_kernel_ids()) >= self.max_kernels:
            self.log.warning("pdkit: %s kernels are running; refusing a new one", self.max_kernels)
            raise web.HTTPError(
                503,
                reason="The workshop server is full: please try again in a minute",
            )
        return await super()._async_start_kernel(*args, **kwargs)

    start_kernel = _async_start_kernel  # type: ignore[assignment]
