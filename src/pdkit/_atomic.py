"""One durable way to replace a file: a temporary file beside it, flushed to disk, then
renamed over it (the model: jupyter_server's ``atomic_writing``). A crash or a full disk
leaves the old file or the new one, never half of one, and no temporary file behind."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["write_atomically"]


def write_atomically(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` (UTF-8); :class:`OSError` when it cannot be written
    (the caller says what that means to its user)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        descriptor = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
