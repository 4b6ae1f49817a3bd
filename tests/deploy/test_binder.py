"""The Binder badge, the way Binder runs it, minus Docker (see binder/README.md).

A fresh virtual environment gets `pip install -r binder/requirements.txt`, run from the root
of a copy of the repository (repo2docker's step); `jupyter server` then runs from that copy,
which is also the home folder, with no token, as on Binder. Chromium opens the page that the
README's badge asks Binder for, through jupyter-server's Voilà route. repo2docker's own
tooling shows what it would build from binder/, without a Docker engine.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from _deploy import LEAKY_ENV, REPO, binder_links, cell_errors, urlpath
from _servers import Server, free_port, running
from pdkit import open_store

pytestmark = [pytest.mark.browser, pytest.mark.timeout(600)]

LOAD = 90_000  # ms: a cold Voilà page on a busy 2-core CI machine
GOAL = "By May, every student in my class explains a solution to a partner"
# What BinderHub calls a session's user: the repository's name and a random suffix.
BINDER_USER = "your-org-your-repo-x7k2q9wd"


def _badge_urlpath() -> str:
    """The page the README's badge opens; binder/README.md must give the same link."""
    readme = binder_links((REPO / "README.md").read_text(encoding="utf-8"))
    assert readme, "the README has no Binder badge"
    documented = binder_links((REPO / "binder" / "README.md").read_text(encoding="utf-8"))
    assert {urlpath(link) for link in readme} == {urlpath(link) for link in documented}
    [path] = {urlpath(link) for link in readme}
    assert not path.startswith("/"), "Binder's urlpath takes no leading slash"
    return path


def _server(binder_env: Any, tmp_path: Path, name: str, **env: str) -> Any:
    """`jupyter server` from the Binder environment, in the copy (its home folder)."""
    port = free_port()
    home = binder_env.home
    command = [
        "env",
        "-C",
        str(home),  # Binder starts the server in the repository, which is the home folder
        binder_env.bin("jupyter"),
        "server",
        "--no-browser",
        f"--port={port}",
        "--ServerApp.ip=127.0.0.1",
        "--IdentityProvider.token=",
        "--ServerApp.password=",
        "--allow-root",  # these tests may run as root; Binder's user is not
    ]
    return running(
        command,
        base_url=f"http://127.0.0.1:{port}",
        store=binder_env.store,
        log_path=tmp_path / f"{name}.log",
        env={"HOME": str(home), **env},
    )


@pytest.fixture(scope="module")
def binder_server(binder_env: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with pytest.MonkeyPatch.context() as patch:
        for name in LEAKY_ENV:
            patch.delenv(name, raising=False)
        with _server(binder_env, tmp_path_factory.mktemp("binder-server"), "binder") as server:
            yield server


def _page(browser: Any) -> Any:
    page = browser.new_context().new_page()
    page.on("dialog", lambda dialog: pytest.fail(f"a dialog opened: {dialog.message}"))
    return page


def _uses_pdkit_template(page: Any) -> bool:
    """pdkit's template puts role=main on Voilà's cells; Voilà's own `lab` does not."""
    return bool(page.locator("#rendered_cells[role=main]").count() == 1)


def test_the_badge_opens_the_workbook_in_pdkits_template(
    binder_server: Server, binder_env: Any, browser: Any
) -> None:
    path = _badge_urlpath()
    assert path.startswith("voila/render/workbooks/goal-setting.ipynb")
    page = _page(browser)
    page.goto(f"{binder_server.base_url}/{path}", wait_until="commit")
    loading = page.locator("#loading")
    loading.wait_for(state="visible", timeout=LOAD)
    assert loading.get_attribute("role") == "status"
    assert "Opening your workbook" in loading.inner_text()

    page.get_by_label("Your name").fill("Binder Teacher", timeout=LOAD)
    page.get_by_role("button", name="Join").click()
    page.get_by_label("My goal (required)").fill(GOAL, timeout=30_000)
    page.locator(".pdkit-form").get_by_role("button", name="Save").click()
    page.get_by_text("Saved at").wait_for(timeout=15_000)
    assert _uses_pdkit_template(page)
    assert page.get_by_role("main").locator("h1").all_inner_texts() == ["Goal-setting workbook"]
    assert "template=pdkit" in page.url, "the personal link keeps the template"

    page.reload()  # a new kernel, as after any reload
    page.get_by_label("My goal (required)").wait_for(timeout=LOAD)
    assert page.get_by_label("My goal (required)").input_value() == GOAL
    assert page.get_by_label("Your name").count() == 0, "the join step came back"
    assert _uses_pdkit_template(page)

    # With nothing configured, the answers are in the home folder (= the repository copy).
    store = open_store(binder_env.store)
    try:
        [teacher] = [p for p in store.participants() if p.display_name == "Binder Teacher"]
        assert store.latest(teacher.id, "goal-setting", viewer=teacher.id)["goal"] == GOAL
    finally:
        store.close()
    page.context.close()


def test_without_the_template_parameter_voila_uses_its_own(
    binder_server: Server, browser: Any
) -> None:
    base = f"{binder_server.base_url}/voila/render/workbooks/goal-setting.ipynb"
    for query in ("", "?voila-template=pdkit"):  # the second is not a Voilà 0.5 parameter
        page = _page(browser)
        page.goto(base + query)
        page.get_by_label("Your name").wait_for(timeout=LOAD)
        assert not _uses_pdkit_template(page), query
        page.context.close()
    page = _page(browser)
    page.goto(base + "?template=pdkit")
    page.get_by_label("Your name").wait_for(timeout=LOAD)
    assert _uses_pdkit_template(page)
    page.context.close()


def test_a_new_session_forgets_and_an_upload_brings_the_answers_back(
    binder_server: Server,
    binder_env: Any,
    browser: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What binder/README.md tells teachers: download before the session ends; in a new
    session (an empty home folder, an empty store), upload to continue."""
    for name in LEAKY_ENV:
        monkeypatch.delenv(name, raising=False)
    page = browser.new_context(accept_downloads=True).new_page()
    page.goto(f"{binder_server.base_url}/{_badge_urlpath()}")
    page.get_by_label("Your name").fill("Dana", timeout=LOAD)
    page.get_by_role("button", name="Join").click()
    page.get_by_label("My goal (required)").fill(GOAL, timeout=30_000)
    page.locator(".pdkit-form").get_by_role("button", name="Save").click()
    page.get_by_text("Saved at").wait_for(timeout=15_000)
    page.get_by_role("button", name="My copy").click()
    with page.expect_download(timeout=30_000) as caught:
        page.get_by_role("button", name="Download my workbook").click()
    saved = tmp_path / caught.value.suggested_filename
    caught.value.save_as(saved)
    page.context.close()

    relaunch = tmp_path / "new-session-home"
    with _server(binder_env, tmp_path, "relaunch", HOME=str(relaunch)) as server:
        later = browser.new_context().new_page()
        later.goto(f"{server.base_url}/{_badge_urlpath()}")
        later.get_by_label("Your name").fill("Dana", timeout=LOAD)
        later.get_by_role("button", name="Join").click()
        goal = later.get_by_label("My goal (required)")
        goal.wait_for(timeout=30_000)
        assert goal.input_value() == "", "a new session starts empty"
        later.get_by_role("button", name="My copy").click()
        with later.expect_file_chooser(timeout=15_000) as chooser:
            later.get_by_role("button", name="Upload to continue").click()
        chooser.value.set_files(str(saved))
        later.get_by_text("Restored").wait_for(timeout=30_000)
        assert later.get_by_label("My goal (required)").input_value() == GOAL
        later.context.close()
    store = open_store(relaunch / ".local" / "share" / "pdkit" / "pdkit.sqlite3")
    try:
        [dana] = store.participants()
        assert store.latest(dana.id, "goal-setting", viewer=dana.id)["goal"] == GOAL
    finally:
        store.close()


def test_a_binderhub_session_signs_in_as_its_hub_user(
    binder_env: Any, browser: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """mybinder.org runs each session through a JupyterHub, which sets JUPYTERHUB_USER:
    the workbook signs that user in, with no join step, and a reload keeps them."""
    for name in LEAKY_ENV:
        monkeypatch.delenv(name, raising=False)
    with _server(binder_env, tmp_path, "binderhub", JUPYTERHUB_USER=BINDER_USER) as server:
        page = _page(browser)
        page.goto(f"{server.base_url}/{_badge_urlpath()}")
        who = page.locator(".pdkit-who")
        broken = page.get_by_text("There was an error when executing cell")
        who.or_(broken).first.wait_for(timeout=LOAD)
        assert broken.count() == 0, f"the workbook failed: {cell_errors(server.log())}"
        assert who.inner_text() == f"Signed in as {BINDER_USER} (JupyterHub)."
        assert page.get_by_label("Your name").count() == 0
        page.get_by_label("My goal (required)").fill(GOAL, timeout=30_000)
        page.get_by_text("Saved at").wait_for(timeout=15_000)
        page.reload()
        page.get_by_label("My goal (required)").wait_for(timeout=LOAD)
        assert page.get_by_label("My goal (required)").input_value() == GOAL
        page.context.close()
        assert "Error at server while executing cell" not in server.log()
    store = open_store(binder_env.store)
    try:
        participant = store.participant_for_external_id(f"jupyterhub:{BINDER_USER}")
        assert participant is not None
        assert store.latest(participant.id, "goal-setting", viewer=participant.id)["goal"] == GOAL
    finally:
        store.close()
