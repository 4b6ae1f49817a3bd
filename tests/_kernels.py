"""Kernels that tests start themselves (nbclient, jupyter_client) talk to them over Unix
sockets, never TCP: tests run in parallel, and a kernel given a "free" port can find it
taken by another test's kernel before it binds it ("ZMQError: Address already in use",
then "Kernel died before replying to kernel_info": a failure that is nobody's bug).
``pdkit serve`` does the same for the kernels it starts (``--KernelManager.transport=ipc``)."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from nbclient import NotebookClient
from traitlets.config import Config


@contextmanager
def ipc_kernels() -> Iterator[Config]:
    """Configuration for the kernel managers a test makes (``NotebookClient(config=…)``,
    ``KernelManager(config=…)``): Unix sockets in a short folder of their own (a socket's
    path has at most 107 characters, and pytest's tmp_path can be longer), removed after."""
    folder = tempfile.mkdtemp(prefix="pdk-")
    try:
        yield Config({"KernelManager": {"transport": "ipc", "ip": f"{folder}/k"}})
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def execute(nb: Any, where: Path, **options: Any) -> None:
    """Run the notebook ``nb`` in a fresh python3 kernel over Unix sockets, in the folder
    ``where``, as Voilà runs a workbook on each page load (``options``: NotebookClient's,
    such as ``allow_errors``)."""
    with ipc_kernels() as config:
        NotebookClient(
            nb,
            config=config,
            kernel_name="python3",
            timeout=120,
            resources={"metadata": {"path": str(where)}},
            **options,
        ).execute()
