"""pdkit on a JupyterHub (docs/deploy-jupyterhub.md), as far as it can be run here.

On a hub, each teacher's kernel has ``JUPYTERHUB_USER`` (set by JupyterHub) and the store
URL in ``PDKIT_STORE`` (set by the deployment). The workbook then signs that user in with
no join step, as the participant with external id ``jupyterhub:<user>``. Checked three ways:
the built notebooks executed with nbclient; the configuration files the guide ships; and a
real local JupyterHub (configurable-http-proxy from npm, DummyAuthenticator, local
processes) spawning servers that use the guide's Jupyter settings, driven in Chromium.
Kubernetes, Docker and The Littlest JupyterHub's installer are not run here.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest
import yaml
from nbclient import NotebookClient

from _deploy import LEAKY_ENV, REPO, cell_errors, run
from _servers import Server, free_port, running
from pdkit import load_definition, open_store
from pdkit.definitions import load_school_goals
from pdkit.serve import builtin_workbooks_dir

DOCS = REPO / "docs"
GUIDE = DOCS / "deploy-jupyterhub.md"
FILES = DOCS / "jupyterhub"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
GOAL = "By June, students lead the warm-up discussion in every lesson"
LOAD = 90_000


# ------------------------------------------------------------ the hub path, with nbclient


@pytest.fixture
def hub_kernel_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """What a hub gives a teacher's kernel: JUPYTERHUB_USER and PDKIT_STORE. Returns the
    store's file; the user data folder (pdkit's default store) is an empty temp folder."""
    for name in LEAKY_ENV:
        if name != "PYTHONPATH":  # the kernel must import the pdkit under test
            monkeypatch.delenv(name, raising=False)
    store = tmp_path / "hub-store" / "pdkit.sqlite3"
    monkeypatch.setenv("PDKIT_STORE", f"sqlite:///{store}")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("JUPYTERHUB_USER", "ana")
    return store


def _execute(tmp_path: Path, notebook: str = "goal-setting.ipynb") -> Any:
    """Run a shipped workbook in a fresh kernel, as Voilà does on each page load."""
    nb = nbformat.read(builtin_workbooks_dir() / notebook, as_version=4)
    NotebookClient(
        nb,
        timeout=120,
        kernel_name="python3",
        allow_errors=True,  # reported below, briefly
        resources={"metadata": {"path": str(tmp_path)}},
    ).execute()
    errors = [
        f"{o.ename}: {o.evalue}"
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.outputs
        if o.output_type == "error"
    ]
    assert not errors, f"the workbook failed: {errors}"
    return nb


def _widgets(nb: Any) -> list[dict[str, Any]]:
    """The state of every widget the notebook's kernel made (nbclient keeps it)."""
    return [m["state"] for m in nb.metadata.widgets[WIDGET_STATE]["state"].values()]


def _html(nb: Any) -> str:
    return "\n".join(w["value"] for w in _widgets(nb) if w.get("_model_name") == "HTMLModel")


def _value(nb: Any, description: str) -> Any:
    [value] = [w["value"] for w in _widgets(nb) if w.get("description") == description]
    return value


@pytest.mark.notebook
def test_the_hub_user_is_signed_in_without_joining(hub_kernel_env: Path, tmp_path: Path) -> None:
    nb = _execute(tmp_path)
    assert "Signed in as <strong>ana</strong> (JupyterHub)." in _html(nb)
    # The form is there at once (without a hub it waits for the join step).
    assert _value(nb, "My goal (required)") == ""
    assert 'class="pdkit-resume-link"' not in _html(nb), "no personal link on a hub"

    # The store is the one PDKIT_STORE names, not the default one in the user's data folder.
    assert hub_kernel_env.exists()
    assert not (tmp_path / "xdg" / "pdkit").exists()
    store = open_store(hub_kernel_env)
    try:
        [ana] = store.participants()
        assert ana.external_id == "jupyterhub:ana"
        assert ana.display_name == "ana"
        assert store.participant_for_external_id("jupyterhub:ana") == ana
    finally:
        store.close()


@pytest.mark.notebook
def test_the_same_hub_user_is_the_same_participant_every_time(
    hub_kernel_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _execute(tmp_path)
    store = open_store(hub_kernel_env)
    try:
        [ana] = store.participants()
        spec_version = load_definition("goal-setting").spec_version
        store.record(ana.id, "goal-setting", {"goal": GOAL}, spec_version=spec_version)

        again = _execute(tmp_path)  # a reload: a new kernel, the same hub user
        assert _value(again, "My goal (required)") == GOAL
        assert [p.id for p in store.participants()] == [ana.id]

        monkeypatch.setenv("JUPYTERHUB_USER", "ben")  # another teacher's server
        ben_nb = _execute(tmp_path)
        assert _value(ben_nb, "My goal (required)") == ""
        ben = store.participant_for_external_id("jupyterhub:ben")
        assert ben is not None
        assert ben.id != ana.id
        assert [p.display_name for p in store.participants()] == ["ana", "ben"]
    finally:
        store.close()


@pytest.mark.notebook
@pytest.mark.postgres
def test_the_hub_user_on_a_postgresql_store(
    hub_kernel_env: Path, tmp_path: Path, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The guide's setup: PDKIT_STORE is a postgresql:// URL (from a Kubernetes Secret)."""
    monkeypatch.setenv("PDKIT_STORE", postgres_url)
    _execute(tmp_path)
    _execute(tmp_path)
    assert not hub_kernel_env.exists(), "the SQLite default must not be used"
    store = open_store(postgres_url)
    try:
        [ana] = store.participants()
        assert ana.external_id == "jupyterhub:ana"
    finally:
        store.close()


# ------------------------------------------------------------ the files the guide ships


def _config() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((FILES / "config.yaml").read_text(encoding="utf-8"))
    return data


def test_the_guide_shows_its_files_as_they_are() -> None:
    guide = GUIDE.read_text(encoding="utf-8")
    for name in ("Dockerfile", "config.yaml", "voila.json", "jupyter_server_config.json"):
        text = (FILES / name).read_text(encoding="utf-8")
        assert text.strip() in guide, f"docs/jupyterhub/{name} differs from the guide's copy"


def test_the_z2jh_values_open_the_workbook_with_the_store_from_a_secret(tmp_path: Path) -> None:
    single = _config()["singleuser"]
    server = json.loads((FILES / "jupyter_server_config.json").read_text())
    root = Path(server["ServerApp"]["root_dir"])
    # The default URL names a workbook that the image puts under the server's root folder.
    url = single["defaultUrl"]
    assert url.startswith("/voila/render/")
    notebook = Path(url.removeprefix("/voila/render/"))
    assert notebook.parts[0] == "workbooks"
    assert (builtin_workbooks_dir() / notebook.name).is_file()
    dockerfile = (FILES / "Dockerfile").read_text(encoding="utf-8")
    assert f"{root / 'workbooks'}" in dockerfile
    assert "[postgres]" in dockerfile
    # The store URL and the facilitator key come from a Kubernetes Secret.
    env = single["extraEnv"]
    for name in ("PDKIT_STORE", "PDKIT_FACILITATOR_KEY"):
        ref = env[name]["valueFrom"]["secretKeyRef"]
        assert ref["name"]
        assert ref["key"]
    # The school goals file is mounted where PDKIT_SCHOOL_GOALS points, and pdkit reads it.
    mounted = env["PDKIT_SCHOOL_GOALS"]
    [goals] = [f for f in single["extraFiles"].values() if f["mountPath"] == mounted]
    path = tmp_path / "school-goals.yaml"
    path.write_text(goals["stringData"], encoding="utf-8")
    assert [g.id for g in load_school_goals(path)] == ["talk", "feedback"]
    assert single["storage"]["type"] == "none"
    assert _config()["cull"]["timeout"] > 0


def test_the_jupyter_settings_the_image_installs() -> None:
    voila = json.loads((FILES / "voila.json").read_text())
    assert voila["VoilaConfiguration"]["template"] == "pdkit"
    server = json.loads((FILES / "jupyter_server_config.json").read_text())
    assert server["MappingKernelManager"]["cull_idle_timeout"] > 0
    assert server["MappingKernelManager"]["cull_connected"] is False
    dockerfile = (FILES / "Dockerfile").read_text(encoding="utf-8")
    copy = re.search(r"^COPY (.*) /usr/local/etc/jupyter/$", dockerfile, re.MULTILINE)
    assert copy is not None
    assert copy.group(1).split() == [
        "docs/jupyterhub/voila.json",
        "docs/jupyterhub/jupyter_server_config.json",
    ]


# ------------------------------------------------------------ a real local JupyterHub

KEY = "hub-facilitator-key"
PASSWORD = "trial-password"


@pytest.fixture(scope="module")
def hub(
    binder_env: Any, http_proxy: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """JupyterHub with the guide's Jupyter settings, spawning local single-user servers.

    It stands in for the guide's image: pdkit and Voilà from binder/requirements.txt (plus
    JupyterHub), the shipped workbooks under a folder standing for /srv/pdkit, the guide's
    voila.json and jupyter_server_config.json, and PDKIT_STORE / PDKIT_FACILITATOR_KEY in the
    servers' environment as z2jh's singleuser.extraEnv (or TLJH's Spawner.environment) sets it.
    """
    root = tmp_path_factory.mktemp("hub")
    run([binder_env.bin("python"), "-m", "pip", "install", "--quiet", "jupyterhub"])
    srv = root / "srv-pdkit"  # stands for /srv/pdkit
    installed = run(
        [
            binder_env.bin("python"),
            "-c",
            "import pdkit.serve as s; print(s.builtin_workbooks_dir())",
        ]
    ).strip()
    shutil.copytree(installed, srv / "workbooks")
    etc = root / "etc-jupyter"  # stands for /usr/local/etc/jupyter
    etc.mkdir()
    shutil.copy(FILES / "voila.json", etc / "voila.json")
    server_config = json.loads((FILES / "jupyter_server_config.json").read_text())
    assert server_config["ServerApp"]["root_dir"] == "/srv/pdkit"
    server_config["ServerApp"]["root_dir"] = str(srv)  # the one change: no /srv/pdkit here
    (etc / "jupyter_server_config.json").write_text(json.dumps(server_config))
    store = root / "store" / "pdkit.sqlite3"
    port, hub_port, api_port = free_port(), free_port(), free_port()
    settings = {
        "bind_url": f"http://127.0.0.1:{port}",
        "hub_bind_url": f"http://127.0.0.1:{hub_port}",
        "api_url": f"http://127.0.0.1:{api_port}",
        "proxy": str(http_proxy),
        "singleuser": binder_env.bin("jupyterhub-singleuser"),
        "default_url": _config()["singleuser"]["defaultUrl"],
        "homes": str(root / "home" / "{username}"),
        "environment": {
            "PDKIT_STORE": f"sqlite:///{store}",
            "PDKIT_FACILITATOR_KEY": KEY,
            "JUPYTER_CONFIG_PATH": str(etc),
        },
        "db": f"sqlite:///{root / 'jupyterhub.sqlite'}",
        "cookie": str(root / "cookie_secret"),
        "proxy_pid": str(root / "proxy.pid"),
        "password": PASSWORD,
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
        'c.Spawner.default_url = s["default_url"]\n'
        'c.Spawner.environment = s["environment"]\n'
        'c.JupyterHub.bind_url = s["bind_url"]\n'
        'c.JupyterHub.hub_bind_url = s["hub_bind_url"]\n'
        'c.ConfigurableHTTPProxy.command = [s["proxy"]]\n'
        'c.ConfigurableHTTPProxy.api_url = s["api_url"]\n'
        'c.ConfigurableHTTPProxy.pid_file = s["proxy_pid"]\n'
        'c.JupyterHub.db_url = s["db"]\n'
        'c.JupyterHub.cookie_secret_file = s["cookie"]\n'
    )
    with pytest.MonkeyPatch.context() as patch:
        for name in LEAKY_ENV:
            patch.delenv(name, raising=False)
        with running(
            ["env", "-C", str(root), binder_env.bin("jupyterhub"), "-f", str(config)],
            base_url=f"http://127.0.0.1:{port}",
            store=store,
            log_path=root / "hub.log",
        ) as server:
            yield server


def _sign_in(browser: Any, hub: Server, user: str) -> Any:
    page = browser.new_context().new_page()
    page.on("dialog", lambda dialog: pytest.fail(f"a dialog opened: {dialog.message}"))
    page.goto(f"{hub.base_url}/hub/login")
    page.get_by_label("Username").fill(user)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    return page


def _wait_for_workbook(page: Any, hub: Server, ready: Any) -> None:
    """Wait until ``ready`` shows, or fail at once with the error Voilà logged."""
    broken = page.get_by_text("There was an error when executing cell")
    ready.or_(broken).first.wait_for(timeout=LOAD)
    assert broken.count() == 0, f"the workbook failed: {cell_errors(hub.log())}"


@pytest.mark.browser
@pytest.mark.timeout(600)
def test_a_facilitator_opens_the_pacing_page_with_the_key(hub: Server, browser: Any) -> None:
    page = _sign_in(browser, hub, "fay")
    page.wait_for_url(re.compile(r"/user/fay/voila/render/"), timeout=LOAD)
    # The link the guide gives facilitators: the hub sends each person to their own server.
    page.goto(f"{hub.base_url}/hub/user-redirect/voila/render/workbooks/facilitator.ipynb")
    _wait_for_workbook(page, hub, page.get_by_text("This page is for the facilitator"))
    page.goto(
        f"{hub.base_url}/hub/user-redirect/voila/render/workbooks/facilitator.ipynb?key={KEY}"
    )
    _wait_for_workbook(page, hub, page.get_by_label("Group size"))
    assert page.url.startswith(f"{hub.base_url}/user/fay/voila/render/workbooks/facilitator")
    assert page.locator("#rendered_cells[role=main]").count() == 1, "pdkit's template (voila.json)"
    # The guide's jupyter_server_config.json reached the single-user server.
    assert "Culling kernels with idle durations > 120 seconds" in hub.log()
    page.context.close()


@pytest.mark.browser
@pytest.mark.timeout(600)
def test_each_hub_user_is_a_participant_with_no_join_step(hub: Server, browser: Any) -> None:
    page = _sign_in(browser, hub, "ana")
    page.wait_for_url(re.compile(r"/user/ana/voila/render/workbooks/goal-setting"), timeout=LOAD)
    who = page.locator(".pdkit-who")
    _wait_for_workbook(page, hub, who)
    assert who.inner_text() == "Signed in as ana (JupyterHub)."
    assert page.get_by_label("Your name").count() == 0
    assert page.locator("a.pdkit-resume-link").count() == 0, "no personal link on a hub"
    assert page.locator("#rendered_cells[role=main]").count() == 1
    page.get_by_label("My goal (required)").fill(GOAL, timeout=30_000)
    page.locator(".pdkit-form").get_by_role("button", name="Save").click()
    page.get_by_text("Saved at").wait_for(timeout=15_000)
    page.reload()
    page.get_by_label("My goal (required)").wait_for(timeout=LOAD)
    assert page.get_by_label("My goal (required)").input_value() == GOAL

    other = _sign_in(browser, hub, "ben")
    _wait_for_workbook(other, hub, other.locator(".pdkit-who"))
    assert other.locator(".pdkit-who").inner_text() == "Signed in as ben (JupyterHub)."
    assert other.get_by_label("My goal (required)").input_value() == ""

    store = open_store(hub.store_path)
    try:
        ana = store.participant_for_external_id("jupyterhub:ana")
        ben = store.participant_for_external_id("jupyterhub:ben")
        assert ana is not None
        assert ben is not None
        assert store.latest(ana.id, "goal-setting", viewer=ana.id)["goal"] == GOAL
        assert store.latest(ben.id, "goal-setting", viewer=ben.id) == {}
    finally:
        store.close()
    page.context.close()
    other.context.close()


def test_a_workbook_on_a_hub_is_signed_in_when_it_is_made(monkeypatch: pytest.MonkeyPatch) -> None:
    """Regression: the hub user was signed in before the app could show the sections."""
    import pdkit
    from pdkit.app import ParticipantApp, Workbook

    monkeypatch.setenv("JUPYTERHUB_USER", "ana")
    workbook = Workbook("goal-setting", store=pdkit.open_store("memory://"))
    assert workbook.error is None
    assert isinstance(workbook.app, ParticipantApp)
    participant = workbook.app.sign_in.participant
    assert participant is not None
    assert participant.external_id == "jupyterhub:ana"
    assert workbook.section(0).children, "the form shows at once, with no join step"
