"""One way to read a file someone handed pdkit (a definition, school goals, a saved
workbook): only a regular file, never more than a limit, without waiting on a pipe.

A path can name a FIFO (opening it waits for a writer: forever), a device (``/dev/zero``
never ends), a folder, a symbolic link loop, or a file that grows while it is read. The
file is opened without blocking, checked to be a regular file on the open descriptor
(not on the name, which may change in between), and read to at most ``limit`` bytes and
one more. Callers turn :class:`FileRefused` into their own error, with their words.
"""

from __future__ import annotations

import os
import stat

__all__ = ["FileRefused", "read_bounded"]

_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)  # a FIFO does not wait for a writer
    | getattr(os, "O_BINARY", 0)
    | getattr(os, "O_CLOEXEC", 0)
)


class FileRefused(Exception):
    """Why a file was not read: ``kind`` is ``missing``, ``unreadable`` (``reason`` says
    what the system said), ``not-a-file`` or ``too-large`` (``size`` bytes, or more than
    that when ``at_least``)."""

    def __init__(self, kind: str, reason: str = "", size: int = 0, *, at_least: bool = False):
        super().__init__(kind, reason)
        self.kind = kind
        self.reason = reason
        self.size = size
        self.at_least = at_least


def read_bounded(path: str | os.PathLike[str], limit: int) -> bytes:
    """The bytes of the regular file at ``path``; :class:`FileRefused` when it is missing,
    cannot be read, is not a regular file, or is (or grows) larger than ``limit``."""
    try:
        descriptor = os.open(os.fspath(path), _OPEN_FLAGS)
    except FileNotFoundError:
        raise FileRefused("missing") from None
    except OSError as exc:
        raise FileRefused("unreadable", str(exc.strerror or exc)) from None
    try:
        info = os.fstat(descriptor)
        if stat.S_ISDIR(info.st_mode):
            raise FileRefused("unreadable", "it is a folder")
        if not stat.S_ISREG(info.st_mode):
            raise FileRefused("not-a-file")
        if info.st_size > limit:
            raise FileRefused("too-large", size=info.st_size)
        chunks, total, want = [], 0, info.st_size + 1  # one byte more: the end, or growth
        while chunk := os.read(descriptor, want):
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:  # it grew while it was read
                raise FileRefused("too-large", size=total, at_least=True)
            want = max(info.st_size + 1 - total, 1 << 16 if total > info.st_size else 1)
        return b"".join(chunks)
    except OSError as exc:
        raise FileRefused("unreadable", str(exc.strerror or exc)) from None
    finally:
        os.close(descriptor)
