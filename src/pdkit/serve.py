"""``pdkit serve``: Voilà on the workbooks, with the store and participant-safe settings.

Voilà runs every page load in a fresh kernel and does not stop a kernel when its
tab closes (voila#1458), so idle kernels without a connection are culled. The store
URL and the school goals reach every kernel through the environment
(``PDKIT_STORE``, ``PDKIT_SCHOOL_GOALS``).
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from types import FrameType
from typing import TextIO

from .app import FACILITATOR_KEY_ENV
from .errors import PdkitError
from .spec import SCHOOL_GOALS_ENV, builtin_definitions, load_definition, load_school_goals
from .store import STORE_ENV, open_store, resolve_store_url

__all__ = ["ServeConfig", "builtin_workbooks_dir", "serve", "template_data_dir", "voila_command"]


def builtin_workbooks_dir() -> Path:
    """The workbooks installed with pdkit."""
    return Path(str(resources.files("pdkit").joinpath("workbooks")))


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class ServeConfig:
    """Everything ``pdkit serve`` needs; the CLI fills it from its flags."""

    path: Path = field(default_factory=builtin_workbooks_dir)
    store: str | None = None
    school_goals: Path | None = None
    host: str = "127.0.0.1"
    port: int = 0
    cull_idle_timeout: int = 120
    cull_interval: int = 30
    open_browser: bool = False
    facilitator_key: str = ""
    template: str = "pdkit"

    def urls(self) -> list[tuple[str, str]]:
        """(what, URL) pairs to print: one per workbook; the facilitator's carries the key."""
        base = f"http://{self.host}:{self.port}"
        if self.path.is_file():
            return [(self.path.stem, f"{base}/")]
        links = []
        for nb in sorted(self.path.glob("*.ipynb")):
            link = f"{base}/voila/render/{nb.relative_to(self.path).as_posix()}"
            if nb.stem == "facilitator":
                links.append(
                    (
                        "facilitator (keep this link to yourself)",
                        f"{link}?key={self.facilitator_key}",
                    )
                )
            else:
                links.append((nb.stem, link))
        return links


def template_data_dir() -> Path:
    """The Jupyter data folder inside pdkit that holds its Voilà template (``pdkit``)."""
    return Path(str(resources.files("pdkit").joinpath("jupyter")))


def voila_command(config: ServeConfig) -> list[str]:
    """The Voilà command line for ``config`` (port already chosen)."""
    return [
        sys.executable,
        "-m",
        "voila",
        str(config.path),
        f"--template={config.template}",
        f"--port={config.port}",
        f"--Voila.ip={config.host}",
        "--no-browser" if not config.open_browser else "--Voila.open_browser=True",
        "--show_tracebacks=False",
        "--theme=light",
        f"--MappingKernelManager.cull_idle_timeout={config.cull_idle_timeout}",
        f"--MappingKernelManager.cull_interval={config.cull_interval}",
        "--MappingKernelManager.cull_connected=False",
    ]


def prepare(config: ServeConfig, out: TextIO = sys.stdout) -> dict[str, str]:
    """Check everything before Voilà starts; returns the environment for the kernels.

    Definitions, school goals and the store are opened here once, so a mistake is
    reported in the terminal, not on 300 teachers' screens.
    """
    if not config.path.exists():
        raise PdkitError(f"{config.path}: no such workbook or folder")
    for definition_id in builtin_definitions():
        load_definition(definition_id)
    env = dict(os.environ)
    goals = config.school_goals or (
        Path(env[SCHOOL_GOALS_ENV]) if env.get(SCHOOL_GOALS_ENV) else None
    )
    if goals is not None:
        load_school_goals(goals)
        env[SCHOOL_GOALS_ENV] = str(goals.resolve())
    url = resolve_store_url(config.store)
    store = open_store(url)
    shown = store.url  # never shows a password
    store.close()
    env[STORE_ENV] = url
    # Voilà finds templates in the Jupyter data path: put pdkit's own first.
    extra = [str(template_data_dir()), env.get("JUPYTER_PATH", "")]
    env["JUPYTER_PATH"] = os.pathsep.join(p for p in extra if p)
    config.facilitator_key = (
        config.facilitator_key or env.get(FACILITATOR_KEY_ENV) or secrets.token_urlsafe(12)
    )
    env[FACILITATOR_KEY_ENV] = config.facilitator_key
    if config.port == 0:
        config.port = free_port(config.host)
    print(f"pdkit: answers are saved in {shown}", file=out)
    for name, link in config.urls():
        print(f"pdkit: {name}: {link}", file=out)
    print("pdkit: press Ctrl+C to stop.", file=out, flush=True)
    return env


def serve(config: ServeConfig, out: TextIO = sys.stdout) -> int:
    """Run Voilà until it stops or is interrupted; returns its exit code."""
    env = prepare(config, out)
    proc = subprocess.Popen(voila_command(config), env=env)

    def forward(signum: int, _frame: FrameType | None) -> None:
        proc.send_signal(signum)

    previous = signal.signal(signal.SIGTERM, forward)
    try:
        return proc.wait()
    except KeyboardInterrupt:
        proc.send_signal(signal.SIGINT)
        try:
            return proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.terminate()
            return proc.wait()
    finally:
        signal.signal(signal.SIGTERM, previous)
