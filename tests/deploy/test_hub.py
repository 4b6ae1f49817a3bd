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
import os
import re
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import nbformat
import pytest
import yaml

from _deploy import LEAKY_ENV, REPO, cell_errors, local_hub
from _kernels import execute
from _servers import Server, running
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
    execute(nb, tmp_path, allow_errors=True)  # errors reported below, briefly
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
    for name in (
        "Dockerfile",
        "config.yaml",
        "voila.json",
        "jupyter_server_config.json",
        "pdkit-service.yaml",
        "pdkit_hub.py",
    ):
        text = (FILES / name).read_text(encoding="utf-8")
        assert text.strip() in guide, f"docs/jupyterhub/{name} differs from the guide's copy"


def test_the_z2jh_values_open_the_workbook_with_the_store_behind_the_pdkit_service(
    tmp_path: Path,
) -> None:
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
    # Teachers' servers get the pdkit service's address: no database URL, no key, no Secret.
    env = single["extraEnv"]
    assert "PDKIT_FACILITATOR_KEY" not in env
    assert "secretKeyRef" not in json.dumps(single)
    store_url = urlsplit(env["PDKIT_STORE"])
    assert store_url.scheme == "pdkit-hub"
    assert store_url.path == "/services/pdkit/"
    # The service (its own Deployment) alone has the store URL, from the Secret, and reaches
    # the hub's API with the token the chart made for hub.services.pdkit.
    hub_values = _config()["hub"]
    [deployment, service] = yaml.safe_load_all((FILES / "pdkit-service.yaml").read_text())
    [container] = deployment["spec"]["template"]["spec"]["containers"]
    assert container["command"] == ["pdkit", "hub-service"]
    service_env = {e["name"]: e.get("value", e.get("valueFrom")) for e in container["env"]}
    assert service_env["PDKIT_STORE"]["secretKeyRef"] == {"name": "pdkit", "key": "store-url"}
    assert service_env["JUPYTERHUB_API_TOKEN"]["secretKeyRef"]["key"] == (
        "hub.services.pdkit.apiToken"
    )
    assert service_env["JUPYTERHUB_SERVICE_NAME"] == "pdkit"
    assert service_env["JUPYTERHUB_SERVICE_PREFIX"] == store_url.path
    assert urlsplit(hub_values["services"]["pdkit"]["url"]).netloc == store_url.netloc
    assert (
        store_url.netloc == f"{service['metadata']['name']}:{service['spec']['ports'][0]['port']}"
    )
    label = deployment["spec"]["template"]["metadata"]["labels"]["app"]
    assert service["spec"]["selector"] == {"app": label}
    [egress] = single["networkPolicy"]["egress"]
    assert egress["to"][0]["podSelector"]["matchLabels"] == {"app": label}
    # Teachers' tokens may reach the service; facilitators and coaches are hub groups.
    access = "access:services!service=pdkit"
    assert access in hub_values["loadRoles"]["user"]["scopes"]
    assert access in hub_values["config"]["Spawner"]["server_token_scopes"]
    assert hub_values["loadRoles"]["pdkit-service"]["services"] == ["pdkit"]
    assert set(hub_values["loadGroups"]) == {"pdkit-facilitators", "pdkit-coaches"}
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

PASSWORD = "trial-password"
FACILITATORS = ["fay"]
COACHES = ["cal"]


@pytest.fixture(scope="module")
def hub(
    binder_env: Any, http_proxy: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """JupyterHub with the guide's Jupyter settings and the pdkit hub service, spawning
    local single-user servers (tests/_deploy.py: local_hub); the store is a SQLite file
    in a folder that is the service's only (0700)."""
    root = tmp_path_factory.mktemp("hub")
    store = root / "store" / "pdkit.sqlite3"
    store.parent.mkdir(mode=0o700)
    made = local_hub(
        root,
        binder_env,
        http_proxy,
        store_url=f"sqlite:///{store}",
        password=PASSWORD,
        facilitators=FACILITATORS,
        coaches=COACHES,
    )
    with pytest.MonkeyPatch.context() as patch:
        for name in LEAKY_ENV:
            patch.delenv(name, raising=False)
        with running(
            ["env", "-C", str(root), binder_env.bin("jupyterhub"), "-f", str(made.config)],
            base_url=made.base_url,
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
def test_a_facilitator_is_a_member_of_the_hubs_facilitators_group(
    hub: Server, browser: Any
) -> None:
    # The link the guide gives facilitators: the hub sends each person to their own server.
    link = f"{hub.base_url}/hub/user-redirect/voila/render/workbooks/facilitator.ipynb"
    other = _sign_in(browser, hub, "dan")  # not in the group
    other.wait_for_url(re.compile(r"/user/dan/voila/render/"), timeout=LOAD)
    other.goto(link)
    _wait_for_workbook(other, hub, other.get_by_text("This page is for the facilitator"))
    assert other.get_by_text("facilitators group").count() == 1
    assert other.get_by_label("Group size").count() == 0
    other.context.close()

    page = _sign_in(browser, hub, "fay")
    page.wait_for_url(re.compile(r"/user/fay/voila/render/"), timeout=LOAD)
    page.goto(link)  # no key: the hub's group is what counts
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


# ------------------------------------------------------------ privacy on the hub

SECRET_ANA = "ana-private-reflection-7f3c"
SECRET_BEN = "ben-private-reflection-91d2"
SHARED_GOAL = "ana-goal-for-her-coach-5b8e"

_WRITE = """
import json, os, sys
import pdkit
from pdkit.store import Viewer
store = pdkit.open_store()  # $PDKIT_STORE: the pdkit hub service
user = os.environ["JUPYTERHUB_USER"]
me = store.participant_for_external_id("jupyterhub:" + user)
if me is None:
    me, _ = store.create_participant(user, external_id="jupyterhub:" + user)
secret, goal = sys.argv[1], sys.argv[2]
store.record(me.id, "reflection", {"worry": secret}, spec_version="1")
if goal:
    store.record(me.id, "goal-setting", {"goal": goal}, spec_version="1")
    store.set_visibility(me.id, "goal-setting", "coach")
assert store.latest(me.id, "reflection", viewer=me.id) == {"worry": secret}
print(json.dumps({"id": me.id, "url": store.url, "role": me.role}))
"""

# Code in a teacher's server tries everything, with the standard library only (as anyone
# could): the environment and the files it can read, the service with every token it can
# find (and a forged one) naming another teacher, methods off the allowlist, and the
# store's file. It prints what it got; the test looks for the other teacher's words in it.
_ATTACK = r"""
import glob, http.client, json, os, sys
from urllib.parse import urlsplit
given = json.loads(sys.argv[1])
report = {"env": [], "files": [], "store_file": None, "tokens": 0, "answers": []}
for name, value in os.environ.items():
    if any(m in value for m in ("sqlite", "postgres", "pdkit.sqlite3")) or name.startswith(
        "PDKIT_FACILITATOR"
    ):
        report["env"].append(name + "=" + value)
tops = [os.environ.get("HOME", ""), os.getcwd()]
tops += os.environ.get("JUPYTER_CONFIG_PATH", "").split(":")
if given["proc"]:  # as another Unix user: the processes, not the files of the server
    tops = []
for top in filter(None, tops):
    for folder, _dirs, files in os.walk(top):
        for name in files:
            try:
                with open(os.path.join(folder, name), "rb") as file:
                    text = file.read(2_000_000)
            except OSError:
                continue
            if b"sqlite:///" in text or b"postgresql://" in text or b"pdkit.sqlite3" in text:
                report["files"].append(os.path.join(folder, name))
try:
    with open(given["store_file"], "rb") as file:
        report["store_file"] = "read %d bytes" % len(file.read())
except OSError as exc:
    report["store_file"] = type(exc).__name__
tokens = {os.environ.get("JUPYTERHUB_API_TOKEN", "")}
for environ in glob.glob("/proc/[0-9]*/environ") if given["proc"] else ():
    try:
        with open(environ, "rb") as file:
            items = file.read().split(b"\0")
    except OSError:
        continue
    mark = b"JUPYTERHUB_API_TOKEN="
    tokens |= {i.removeprefix(mark).decode() for i in items if i.startswith(mark)}
tokens.discard("")
report["tokens"] = len(tokens)
tokens.add("0123456789abcdef0123456789abcdef")  # a forged one
url = urlsplit(os.environ["PDKIT_STORE"].replace("pdkit-hub://", "http://", 1))
ana, ben = given["ana"], given["ben"]
def obj(**kw):
    return {"t": "map", "v": [[k, v] for k, v in kw.items()]}
steward = {"t": "record", "c": "Viewer", "v": {"is_steward": True, "include_private": True}}
hybrid = {"t": "record", "c": "Viewer", "v": {"participant": ben, "is_steward": True}}
facilitator = {"t": "record", "c": "Viewer", "v": {"facilitator_of": "default"}}
tries = [
    ("latest", [ana, "reflection"], obj(viewer=ana)),
    ("latest", [ana, "reflection"], obj(viewer=ben)),
    ("latest", [ana, "reflection"], obj(viewer=steward)),
    ("latest", [ana, "reflection"], obj(viewer=hybrid)),
    ("latest", [ana, "reflection"], obj(viewer=facilitator)),
    ("history", [ana, "reflection"], obj(viewer=ana)),
    ("shared", ["reflection"], obj(viewer=steward)),
    ("can_see", [ana, ana, "reflection"], obj()),
    ("participant_for_external_id", ["jupyterhub:ana"], obj()),
    ("create_participant", ["ana"], obj(external_id="jupyterhub:ana")),
    ("record", [ana, "reflection", obj(worry="written by ben")], obj(spec_version="1")),
    ("set_visibility", [ana, "reflection", "session"], obj()),
    ("participants", [], obj()),
    ("participant_for_token", ["x"], obj()),
    ("issue_link", [ana, "resume"], obj()),
    ("facilitator_key_ok", ["default", "x"], obj()),
    ("pseudonym", [ana], obj()),
    ("_connection", [], obj()),
    ("close", [], obj()),
]
for token in sorted(tokens):
    for method, args, kwargs in tries:
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
        body = json.dumps(obj(args=args, kwargs=kwargs))
        conn.request("POST", url.path + "call/" + method, body, {"Authorization": "token " + token})
        answer = conn.getresponse()
        report["answers"].append([method, answer.status, answer.read().decode()])
print(json.dumps(report))
"""

_COACH = """
import json, os, sys
import pdkit
from pdkit.errors import AccessError
store = pdkit.open_store()
me = store.participant_for_external_id("jupyterhub:" + os.environ["JUPYTERHUB_USER"])
ana, ben = sys.argv[1], sys.argv[2]
seen = {"goal": store.latest(ana, "goal-setting", viewer=me.id), "refused": []}
for owner in (ana, ben):
    try:
        seen["leak"] = store.latest(owner, "reflection", viewer=me.id)
    except AccessError as exc:
        seen["refused"].append(str(exc))
seen["shared"] = [repr(i) for i in store.shared("reflection", viewer=me.id)]
print(json.dumps(seen))
"""


def _server_env(user: str) -> dict[str, str]:
    """The environment of ``user``'s single-user server (what its kernels inherit)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for environ in Path("/proc").glob("[0-9]*/environ"):
            try:
                items = environ.read_bytes().split(b"\0")
                command = (environ.parent / "cmdline").read_bytes()
            except OSError:
                continue
            env = dict(i.decode().split("=", 1) for i in items if b"=" in i)
            if b"jupyterhub-singleuser" in command and env.get("JUPYTERHUB_USER") == user:
                return env
        time.sleep(0.5)
    pytest.fail(f"no single-user server of {user} found")


def _as_kernel(
    env: dict[str, str], code: str, *args: str, python: str, uid: int | None = None
) -> str:
    """Run ``code`` as a kernel of that server would: its environment, its home folder
    (and, with ``uid``, as another Unix user than the service's)."""
    command = [python, "-c", code, *args]
    if uid is not None:
        command = ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", *command]
    done = subprocess.run(
        command,
        env=env,
        cwd="/" if uid else env["HOME"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    return done.stdout


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.timeout(1200)
def test_code_in_a_teachers_server_reads_no_other_teachers_private_items(
    hub: Server, browser: Any, binder_env: Any
) -> None:
    python = binder_env.bin("python")
    pages = {}
    for user in ("ana", "ben", "cal"):  # each signs in: the hub starts their server
        page = _sign_in(browser, hub, user)
        _wait_for_workbook(page, hub, page.locator(".pdkit-who"))
        assert page.locator(".pdkit-who").inner_text() == f"Signed in as {user} (JupyterHub)."
        pages[user] = page
    env = {user: _server_env(user) for user in pages}
    for server in env.values():
        assert server["PDKIT_STORE"].startswith("pdkit-hub://"), "the service's URL, no database"
        assert "PDKIT_FACILITATOR_KEY" not in server
        assert str(hub.store_path) not in json.dumps(server)
    ana = json.loads(_as_kernel(env["ana"], _WRITE, SECRET_ANA, SHARED_GOAL, python=python))
    ben = json.loads(_as_kernel(env["ben"], _WRITE, SECRET_BEN, "", python=python))
    ids = {"ana": ana["id"], "ben": ben["id"], "store_file": str(hub.store_path)}

    # Ben's server, as his kernel runs there. Here every local server runs as the same Unix
    # user, which can read the others' processes (/proc): that part is tried below as
    # another user, as each teacher is on The Littlest JupyterHub.
    found = _as_kernel(env["ben"], _ATTACK, json.dumps({**ids, "proc": False}), python=python)
    report = json.loads(found)
    assert SECRET_ANA not in found
    assert report["env"] == [], "no store URL and no key in the environment"
    assert report["files"] == [], "no store URL in any file the server can read"
    assert report["answers"], "the service was tried"
    for method, status, answer in report["answers"]:
        assert status == 403, f"{method} answered {status}: {answer}"
        assert "AccessError" in answer, answer
    # As a Unix user other than the service's (as on The Littlest JupyterHub, where each
    # teacher is one; on Kubernetes a teacher's container holds no other process or file).
    if os.geteuid() == 0:
        given = json.dumps({**ids, "proc": True})
        found = _as_kernel(env["ben"], _ATTACK, given, python="/usr/bin/python3", uid=65534)
        assert SECRET_ANA not in found
        other = json.loads(found)
        assert other["store_file"] == "PermissionError", "the store's file is the service's"
        assert other["tokens"] <= 1, "no other user's hub token to replay"
        assert other["env"] == []
        assert all(status == 403 for _, status, _ in other["answers"])

    # Ana's coach (in the coaches group) reads what she shared with coaches, nothing private.
    cal = json.loads(_as_kernel(env["cal"], _WRITE, "cal's own", "", python=python))
    assert cal["role"] == "coach", "the hub's coaches group"
    store = open_store(hub.store_path)
    try:  # the administrator assigns the coach (pdkit coach assign, on the service's store)
        store.assign_coach(cal["id"], [ana["id"]])
        assert store.latest(ana["id"], "reflection", viewer=ana["id"]) == {"worry": SECRET_ANA}
        assert store.latest(ben["id"], "reflection", viewer=ben["id"]) == {"worry": SECRET_BEN}
    finally:
        store.close()
    coach = _as_kernel(env["cal"], _COACH, ana["id"], ben["id"], python=python)
    seen = json.loads(coach)
    assert seen["goal"] == {"goal": SHARED_GOAL}
    assert len(seen["refused"]) == 2
    assert SECRET_ANA not in coach
    assert SECRET_BEN not in coach
    for page in pages.values():
        page.context.close()
