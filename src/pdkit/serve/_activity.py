"""How the server notes a kernel's activity, for less of its one thread per message.

jupyter_server watches every message a kernel publishes (IOPub) to note when the kernel
was last active (the idle culler's clock) and whether it is busy. For that it reads each
message twice through ``Session.deserialize``: its header, its parent's header and its
metadata, and again with its content for a status message, each time checking the
signature and parsing every date in the headers with ``dateutil`` (the dates are never
used). In a room arriving at once that was a fifth of the server's time in a profile of
40 pages joining together (2,626 messages read this way for 40 pages), time the one
server thread then did not spend relaying the pages' messages.

:class:`ActivityRecorder` notes the same facts, by the same rule, from one read of each
message: its signature checked once (a message not signed with the kernel's key is
ignored, as jupyter_server's reader refuses it), the two headers parsed as JSON, the
content only of a status message, no dates. Its test feeds the same messages to
jupyter_server's reader and to this one and compares the kernel's state after each.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable
from typing import Any

from jupyter_client.session import DELIM, Session
from jupyter_server._tz import utcnow

__all__ = ["ActivityRecorder"]


class ActivityRecorder:
    """The callback for a kernel's IOPub stream: notes its activity on ``kernel`` (and the
    manager's ``last_kernel_activity``) as jupyter_server's ``record_activity`` does."""

    def __init__(
        self,
        manager: Any,
        kernel: Any,
        kernel_id: str,
        track: Callable[[str | None], bool],
        log: logging.Logger | logging.LoggerAdapter[Any],
    ) -> None:
        self.manager = manager
        self.kernel = kernel
        self.kernel_id = kernel_id
        self.track = track
        self.log = log
        session = Session(config=kernel.session.config, key=kernel.session.key)
        self._sign = session.sign if session.auth is not None else None
        self._unpack = session.unpack

    def __call__(self, msg_list: list[bytes]) -> None:
        parts = self._message(msg_list)
        if parts is None:
            return
        header, parent_header = self._unpack(parts[1]), self._unpack(parts[2])
        msg_type = header["msg_type"]
        parent_type = None if parent_header is None else parent_header.get("msg_type")
        kernel = self.kernel
        if self.track(msg_type) or self.track(parent_type) or kernel.execution_state == "busy":
            self.manager.last_kernel_activity = kernel.last_activity = utcnow()
        if msg_type == "status":
            state = self._unpack(parts[4])["execution_state"]
            if self.track(parent_type):
                kernel.execution_state = state
            elif kernel.execution_state == "starting" and state != "starting":
                kernel.execution_state = "idle"  # jupyter_server's rule after starting
            self.log.debug(
                "activity on %s: %s (%s)", self.kernel_id, msg_type, kernel.execution_state
            )
        else:
            self.log.debug("activity on %s: %s", self.kernel_id, msg_type)

    def _message(self, msg_list: list[bytes]) -> list[bytes] | None:
        """The message's parts after its identities (signature, header, parent header,
        metadata, content, ...), or None when it is not one signed with the kernel's key."""
        try:
            parts = msg_list[msg_list.index(DELIM) + 1 :]
        except ValueError:
            parts = []
        if len(parts) < 5:
            self.log.warning(
                "pdkit: kernel %s sent something that is not a message", self.kernel_id
            )
            return None
        if self._sign is not None and not hmac.compare_digest(
            bytes(parts[0]), self._sign(parts[1:5])
        ):
            self.log.warning("pdkit: a message of kernel %s with a wrong signature", self.kernel_id)
            return None
        return parts
