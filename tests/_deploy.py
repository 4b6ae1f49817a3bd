"""Helpers for the deployment tests (tests/test_binder.py, tests/test_hub.py).

A fresh virtual environment set up the way Binder sets one up (a copy of the repository,
then `pip install -r binder/requirements.txt` from its root), the launch link of the
README's badge, and configurable-http-proxy from npm for a real local JupyterHub.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

REPO = Path(__file__).resolve().parents[1]

# What a developer's shell may carry that would change what a fresh environment or a
# server started from it does (the tests' own pdkit, a store, a hub user, Jupyter paths).
LEAKY_ENV = (
    "PYTHONPATH",
    "PYTHONHOME",
    "VIRTUAL_ENV",
    "PDKIT_STORE",
    "PDKIT_SCHOOL_GOALS",
    "PDKIT_FACILITATOR_KEY",
    "JUPYTERHUB_USER",
    "JUPYTER_PATH",
    "JUPYTER_CONFIG_DIR",
    "JUPYTER_CONFIG_PATH",
    "JUPYTER_DATA_DIR",
    "JUPYTER_RUNTIME_DIR",
    "XDG_DATA_HOME",
)

# Not part of a clone: caches, virtual environments, build output.
_NOT_IN_A_CLONE = shutil.ignore_patterns(
    ".git",
    ".venv",
    "venv",
    "*_cache",
    "__pycache__",
    "build",
    "dist",
    "node_modules",
    "*.egg-info",
)


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without :data:`LEAKY_ENV`, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if k not in LEAKY_ENV}
    env.update(extra)
    return env


def run(
    command: list[str],
    *,
    cwd: Path | None = None,
    timeout: float = 600,
    env: dict[str, str] | None = None,
) -> str:
    """Run ``command`` (in :func:`clean_env` plus ``env``); its output, or an
    AssertionError that shows it."""
    done = subprocess.run(
        command,
        cwd=cwd,
        env=clean_env(**(env or {})),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, f"{command[:4]} exited with {done.returncode}:\n{output[-6000:]}"
    return output


def new_venv(path: Path) -> Path:
    """A new virtual environment at ``path`` (with pip); returns its ``bin`` folder."""
    run([sys.executable, "-m", "venv", str(path)])
    return path / "bin"


@dataclass
class BinderEnv:
    """A copy of the repository (also the home folder, as on Binder) and its environment."""

    home: Path
    venv: Path

    def bin(self, name: str) -> str:
        return str(self.venv / "bin" / name)

    @property
    def store(self) -> Path:
        """Where pdkit keeps answers when nothing is configured (platformdirs, Linux)."""
        return self.home / ".local" / "share" / "pdkit" / "pdkit.sqlite3"


def binder_env_in(root: Path) -> BinderEnv:
    """The Binder environment that :func:`build_binder_env` made in ``root``."""
    return BinderEnv(home=root / "home", venv=root / "venv")


def build_binder_env(root: Path) -> BinderEnv:
    """Do what repo2docker does with binder/, minus Docker: copy the repository, then
    install binder/requirements.txt into a fresh environment from the copy's root."""
    home = root / "home"
    shutil.copytree(REPO, home, symlinks=True, ignore=_NOT_IN_A_CLONE)
    venv = root / "venv"
    bin_dir = new_venv(venv)
    run(
        [
            str(bin_dir / "python"),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "-r",
            "binder/requirements.txt",
        ],
        cwd=home,
    )
    return BinderEnv(home=home, venv=venv)


PREPARED_ENV = "PDKIT_TEST_PREPARED"
"""Where ``make test`` builds the Binder environment and installs JupyterHub's proxy in
the background while the other tests run (``python tests/_deploy.py prepare DIR``):
the fixtures wait for it there instead of building on the server tests' critical path."""

PREPARE_WAIT = 900.0
"""Seconds a fixture waits for the background preparation before it fails."""


def prepare(root: Path) -> None:
    """Build the Binder environment into ``root/binder``, install the proxy into
    ``root/chp`` and repo2docker into ``root/r2d``; each writes ``done`` (or ``failed``
    with the error) when it ends."""
    import traceback

    root.mkdir(parents=True, exist_ok=True)
    steps = (
        ("binder", build_binder_env),
        ("chp", lambda where: install_http_proxy(where, shutil.which("npm") or "npm")),
        ("r2d", install_repo2docker),
    )
    for name, step in steps:
        where = root / name
        where.mkdir(exist_ok=True)
        try:
            step(where)
        except BaseException:  # written down for the fixture that waits: it fails then
            (where / "failed").write_text(traceback.format_exc(), encoding="utf-8")
        else:
            (where / "done").write_text("ok", encoding="utf-8")


def install_repo2docker(root: Path) -> Path:
    """A new environment at ``root/venv`` with jupyter-repo2docker; its ``bin`` folder."""
    bin_dir = new_venv(root / "venv")
    run([str(bin_dir / "python"), "-m", "pip", "install", "--quiet", "jupyter-repo2docker"])
    return bin_dir


def prepared(name: str) -> Path | None:
    """The folder where the background preparation made ``name`` (``binder``, ``chp``),
    once it is done; ``None`` when nothing is being prepared (the fixture builds it
    then). A failed preparation, or one that takes longer than :data:`PREPARE_WAIT`,
    raises with its error."""
    import time

    base = os.environ.get(PREPARED_ENV)
    if not base:
        return None
    where = Path(base) / name
    deadline = time.monotonic() + PREPARE_WAIT
    while time.monotonic() < deadline:
        if (where / "done").exists():
            return where
        if (where / "failed").exists():
            failure = (where / "failed").read_text(encoding="utf-8")
            raise RuntimeError(f"preparing {name} in the background failed:\n{failure}")
        time.sleep(0.5)
    raise RuntimeError(f"preparing {name} in {where} took longer than {PREPARE_WAIT:.0f} s")


def install_http_proxy(root: Path, npm: str) -> Path:
    """configurable-http-proxy (JupyterHub's default proxy) from npm, into ``root``."""
    run(
        [
            npm,
            "install",
            "--prefix",
            str(root),
            "--no-audit",
            "--no-fund",
            "--loglevel=error",
            "configurable-http-proxy@5",
        ],
        timeout=300,
    )
    return proxy_in(root)


def proxy_in(root: Path) -> Path:
    """The proxy program that :func:`install_http_proxy` installed into ``root``."""
    return root / "node_modules" / ".bin" / "configurable-http-proxy"


BADGE_LINK = re.compile(r"https://mybinder\.org/v2/gh/[^\s)\"'`]+")


def binder_links(text: str) -> list[str]:
    """Every mybinder.org launch link in ``text``."""
    return BADGE_LINK.findall(text)


def urlpath(link: str) -> str:
    """The page a Binder launch link opens in the session (``urlpath``, decoded)."""
    [value] = parse_qs(urlsplit(link).query)["urlpath"]
    return value


_CELL_ERROR = re.compile(r"'ename': '([^']+)', 'evalue': (\"[^\"]*\"|'[^']*')")


def cell_errors(log: str) -> list[str]:
    """``Name: message`` of each error Voilà logged while executing a notebook's cells
    (the page itself only says "There was an error when executing cell")."""
    return [f"{name}: {value[1:-1]}" for name, value in _CELL_ERROR.findall(log)]


if __name__ == "__main__":  # python tests/_deploy.py prepare DIR (scripts/test.sh)
    if len(sys.argv) != 3 or sys.argv[1] != "prepare":
        sys.exit("usage: python tests/_deploy.py prepare DIR")
    prepare(Path(sys.argv[2]))
