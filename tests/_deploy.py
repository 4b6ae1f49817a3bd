"""Helpers for the deployment tests (tests/test_binder.py, tests/test_hub.py).

A fresh virtual environment set up the way Binder sets one up (a copy of the repository,
then `pip install -r binder/requirements.txt` from its root), the launch link of the
README's badge, and configurable-http-proxy from npm for a real local JupyterHub.
"""

from __future__ import annotations

import json
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


HUB_FILES = REPO / "docs" / "jupyterhub"
"""The guide's hub files (docs/deploy-jupyterhub.md)."""


@dataclass
class LocalHub:
    """The files of a local JupyterHub made by :func:`local_hub`: run
    ``env -C <root> <venv>/bin/jupyterhub -f <config>``; it answers at ``base_url``."""

    root: Path
    config: Path
    base_url: str


def local_hub(
    root: Path,
    env: BinderEnv,
    proxy: Path,
    *,
    store_url: str,
    password: str,
    facilitators: list[str],
    coaches: list[str],
    extra: str = "",
) -> LocalHub:
    """A local JupyterHub with the guide's Jupyter settings and the pdkit hub service,
    spawning local single-user servers, in ``root`` (JupyterHub is installed into ``env``).

    It stands in for the guide's image: pdkit and Voilà from binder/requirements.txt (plus
    JupyterHub), the shipped workbooks under a folder standing for /srv/pdkit, the guide's
    voila.json and jupyter_server_config.json. As the guide's TLJH settings say, only the
    pdkit service (``pdkit hub-service``, started by the hub) has PDKIT_STORE
    (``store_url``); teachers' servers get the service's ``pdkit-hub://`` URL and no
    facilitator key, and their hub token may reach the service. Facilitators and coaches
    are hub groups. ``extra`` is more configuration, after the guide's.
    """
    import yaml

    run([env.bin("python"), "-m", "pip", "install", "--quiet", "jupyterhub"])
    srv = root / "srv-pdkit"  # stands for /srv/pdkit
    installed = run(
        [env.bin("python"), "-c", "import pdkit.serve as s; print(s.builtin_workbooks_dir())"]
    ).strip()
    shutil.copytree(installed, srv / "workbooks")
    etc = root / "etc-jupyter"  # stands for /usr/local/etc/jupyter
    etc.mkdir()
    shutil.copy(HUB_FILES / "voila.json", etc / "voila.json")
    server_config = json.loads((HUB_FILES / "jupyter_server_config.json").read_text())
    assert server_config["ServerApp"]["root_dir"] == "/srv/pdkit"
    server_config["ServerApp"]["root_dir"] = str(srv)  # the one change: no /srv/pdkit here
    (etc / "jupyter_server_config.json").write_text(json.dumps(server_config))
    z2jh = yaml.safe_load((HUB_FILES / "config.yaml").read_text(encoding="utf-8"))
    port, hub_port, api_port, service_port = (_free_port() for _ in range(4))
    settings = {
        "bind_url": f"http://127.0.0.1:{port}",
        "hub_bind_url": f"http://127.0.0.1:{hub_port}",
        "api_url": f"http://127.0.0.1:{api_port}",
        "proxy": str(proxy),
        "singleuser": env.bin("jupyterhub-singleuser"),
        "default_url": z2jh["singleuser"]["defaultUrl"],
        "homes": str(root / "home" / "{username}"),
        "environment": {
            # The guide's teachers' settings: the service's URL, no secret.
            "PDKIT_STORE": f"pdkit-hub://127.0.0.1:{port}/services/pdkit/",
            "JUPYTER_CONFIG_PATH": str(etc),
        },
        "service": {
            "url": f"http://127.0.0.1:{service_port}",
            "command": [env.bin("pdkit"), "hub-service"],
            "environment": {"PDKIT_STORE": store_url},
        },
        "facilitators": facilitators,
        "coaches": coaches,
        "db": f"sqlite:///{root / 'jupyterhub.sqlite'}",
        "cookie": str(root / "cookie_secret"),
        "proxy_pid": str(root / "proxy.pid"),
        "password": password,
    }
    config = root / "jupyterhub_config.py"
    config.write_text(
        "import json\n"
        f"s = json.loads({json.dumps(json.dumps(settings))})\n"
        "c = get_config()  # noqa: F821\n"
        'c.JupyterHub.authenticator_class = "dummy"\n'
        'c.DummyAuthenticator.password = s["password"]\n'
        "c.Authenticator.allow_all = True\n"
        'c.JupyterHub.spawner_class = "simple"\n'
        'c.SimpleLocalProcessSpawner.home_dir_template = s["homes"]\n'
        'c.Spawner.cmd = [s["singleuser"]]\n'
        'c.Spawner.args = ["--allow-root"]  # these tests may run as root\n'
        "c.Spawner.http_timeout = 120  # a busy test machine: servers start slowly\n"
        "c.Spawner.start_timeout = 180\n"
        'c.Spawner.default_url = s["default_url"]\n'
        'c.Spawner.environment = dict(s["environment"])\n'
        'c.JupyterHub.bind_url = s["bind_url"]\n'
        'c.JupyterHub.hub_bind_url = s["hub_bind_url"]\n'
        'c.ConfigurableHTTPProxy.command = [s["proxy"]]\n'
        'c.ConfigurableHTTPProxy.api_url = s["api_url"]\n'
        'c.ConfigurableHTTPProxy.pid_file = s["proxy_pid"]\n'
        'c.JupyterHub.db_url = s["db"]\n'
        'c.JupyterHub.cookie_secret_file = s["cookie"]\n' + _pdkit_hub_settings() + extra
    )
    return LocalHub(root=root, config=config, base_url=f"http://127.0.0.1:{port}")


def _pdkit_hub_settings() -> str:
    """The guide's pdkit settings (docs/jupyterhub/pdkit_hub.py) as they are, then this
    hub's addresses, commands and group members in place of the guide's placeholders."""
    guide = (HUB_FILES / "pdkit_hub.py").read_text(encoding="utf-8")
    return (
        guide.replace("c = get_config()  # noqa: F821\n", "")
        + "\n# This hub's values in place of the guide's:\n"
        'c.JupyterHub.services[0].update(s["service"])\n'
        'c.Spawner.environment = s["environment"]\n'
        'c.JupyterHub.load_groups["pdkit-facilitators"]["users"] = s["facilitators"]\n'
        'c.JupyterHub.load_groups["pdkit-coaches"]["users"] = s["coaches"]\n'
        'c.Spawner.default_url = s["default_url"]\n'
    )


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


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
