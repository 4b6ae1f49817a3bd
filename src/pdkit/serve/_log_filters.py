"""The two log filters :class:`.kernels.PdkitKernelManager` installs in the server, each
dropping one warning that tells a facilitator watching the terminal nothing they can or need
to act on: :class:`NotTrustedFilter` (and the culler's note on each closed page, logged as
information instead) and :class:`PingTimeoutFilter`; and :func:`skip_records_nobody_shows`."""

from __future__ import annotations

import logging
from typing import Any

__all__ = ["NotTrustedFilter", "PingTimeoutFilter", "skip_records_nobody_shows"]


class NotTrustedFilter(logging.Filter):
    """Drops jupyter_server's "Notebook … is not trusted", logged on every page load.

    A notebook's trust (its signature in the user's Jupyter data folder) decides whether
    JupyterLab shows the HTML and JavaScript *saved* in its outputs. Voilà shows only the
    outputs it has just produced by running the notebook, and marks each of them trusted
    itself (``voila/exporter.py``), so for a served notebook the signature decides nothing:
    the warning only told a facilitator watching the terminal that something was wrong when
    nothing was. Signing the notebooks instead would write to the user's Jupyter data
    folder, for no effect on what Voilà shows. Only this one message is dropped (and the
    culler's note on each closed page is logged as information, :attr:`CULLING`).
    """

    MESSAGE = "Notebook %s is not trusted"

    CULLING = "Culling '%s' kernel '%s' (%s) with %d connections due to %s seconds of inactivity."
    """Logged as a warning for every closed page whose browser did not say it closed
    (a phone's browser killed, a laptop's lid shut): the culler doing its normal work,
    so it is logged as information instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.msg == self.CULLING and record.levelno == logging.WARNING:
            record.levelno, record.levelname = logging.INFO, "INFO"
        return record.msg != self.MESSAGE

    @classmethod
    def install(cls, log: logging.Logger | logging.LoggerAdapter[Any]) -> None:
        """Add the filter to ``log`` (once)."""
        logger = log.logger if isinstance(log, logging.LoggerAdapter) else log
        if not any(isinstance(f, cls) for f in logger.filters):
            logger.addFilter(cls())


class PingTimeoutFilter(logging.Filter):
    """Drops tornado's "The websocket_ping_timeout (90000) cannot be longer than the
    websocket_ping_interval (30000)", logged at a server's first page.

    jupyter_server gives tornado its ping settings in milliseconds where tornado reads
    seconds; tornado then uses the interval as the timeout and says so. Nothing a
    facilitator can or needs to do: the kernel websockets work as jupyter_server means
    them to (it pings and times out by itself). Only this one message is dropped.
    """

    START = "The websocket_ping_timeout ("

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith(self.START)

    @classmethod
    def install(cls) -> None:
        """Add the filter to tornado's general log (once)."""
        logger = logging.getLogger("tornado.general")
        if not any(isinstance(f, cls) for f in logger.filters):
            logger.addFilter(cls())


def skip_records_nobody_shows(log: logging.Logger | logging.LoggerAdapter[Any]) -> None:
    """Raise ``log``'s level to the lowest level any handler that would see its records
    shows (its own handlers', and its ancestors' while it propagates).

    traitlets sets an application's logger to DEBUG and its handler to the log level
    (INFO), so every ``log.debug`` made a record for the handler to drop: the server's
    note of each message a kernel sends ("activity on …"), and more, 2,426 records in
    a profile of 40 pages joining at once. A handler at DEBUG (``--debug``), one without
    a level, or none at all leaves the level as it is."""
    logger = log.logger if isinstance(log, logging.LoggerAdapter) else log
    levels: list[int] = []
    current: logging.Logger | None = logger
    while current is not None:
        levels.extend(handler.level for handler in current.handlers)
        current = current.parent if current.propagate else None
    if levels and min(levels) > logger.getEffectiveLevel():
        logger.setLevel(min(levels))
