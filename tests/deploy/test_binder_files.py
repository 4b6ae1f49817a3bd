"""The Binder environment's files, and what repo2docker would build from binder/: the
checks of the Binder set-up that start no server and open no browser, so they run beside
the other tests rather than in the server tests' queue (tests/conftest.py). The
environment and repo2docker are prepared in the background by ``make test``
(tests/_deploy.py prepare)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from _deploy import REPO, install_repo2docker, prepared, run

pytestmark = [pytest.mark.timeout(900)]


def _repo2docker(tmp_path: Path) -> Path:
    """The ``bin`` folder of an environment with jupyter-repo2docker installed."""
    ready = prepared("r2d")
    if ready is not None:
        return ready / "venv" / "bin"
    return install_repo2docker(tmp_path / "r2d")


def test_binder_requirements_install_pdkit_and_voilas_route(binder_env: Any) -> None:
    venv = binder_env.venv
    # Not editable: the package itself is in the environment, not a link to the copy.
    where = run([binder_env.bin("python"), "-c", "import pdkit; print(pdkit.__file__)"])
    assert where.strip().startswith(str(venv)), where
    # ... so the shared-data Voilà template landed where any Voilà looks for it.
    template = venv / "share" / "jupyter" / "voila" / "templates" / "pdkit"
    assert (template / "index.html.j2").is_file()
    assert json.loads((template / "conf.json").read_text())["base_template"] == "lab"
    # Voilà's server extension switches itself on in this environment's Jupyter server.
    enabled = venv / "etc" / "jupyter" / "jupyter_server_config.d" / "voila.json"
    config = json.loads(enabled.read_text())
    assert config["ServerApp"]["jpserver_extensions"]["voila.server_extension"] is True


def test_repo2docker_builds_from_the_binder_folder(binder_env: Any, tmp_path: Path) -> None:
    """repo2docker's own tooling, without a Docker engine: the Dockerfile it would build."""
    bin_dir = _repo2docker(tmp_path)
    out = run(
        [
            str(bin_dir / "repo2docker"),
            "--no-build",
            "--debug",
            "--user-id",
            "1000",
            "--user-name",
            "jovyan",
            str(binder_env.home),
        ],
        cwd=tmp_path,
    )
    assert "Building conda environment for python=3.11" in out, "binder/runtime.txt is ignored"
    copy_repo = out.index("COPY --chown=1000:1000 src/ ${REPO_DIR}/")
    install = out.index('pip install --no-cache-dir -r "binder/requirements.txt"')
    assert copy_repo < install, "pdkit is installed from the repository, so it must be there"
    # binder/ replaces the root: no second install of the repository, no scripts.
    assert not re.search(r"pip install --no-cache-dir \.\s*$", out, re.MULTILINE)
    assert "binder/postBuild" not in out
    assert 'ENTRYPOINT ["/usr/local/bin/repo2docker-entrypoint"]' in out, "no binder/start"
    assert "ARG REPO_DIR=${HOME}" in out, "the repository is the home folder"


def test_the_binder_store_is_the_default_one(binder_env: Any) -> None:
    """binder/README.md tells teachers where the answers are: check it against pdkit."""
    script = "from pdkit.store import default_store_path; print(default_store_path())"
    out = run([binder_env.bin("python"), "-c", script], env={"HOME": str(binder_env.home)})
    assert Path(out.strip()) == binder_env.store
    readme = (REPO / "binder" / "README.md").read_text(encoding="utf-8")
    assert "~/.local/share/pdkit/pdkit.sqlite3" in readme
