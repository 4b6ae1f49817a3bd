"""A room that can wait well (`pdkit serve --pool …`): the server answers while kernels are
pre-heated, early arrivals get a "getting ready" page, the terminal shows the fill's
progress, and Ctrl+C stops a room at once with no process left; TLS on a room network
(`--certfile/--keyfile`, and a plain warning without them)."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from tests._servers import _alive, _descendants, free_port

from pdkit.errors import PdkitError
from pdkit.i18n import terminal_words
from pdkit.serve import ServeConfig, prepare, voila_command
from pdkit.serve._config import plain_http_warning
from pdkit.serve._waiting import READY_MARK, status_body, waiting_page
from pdkit.serve.kernels import PdkitKernelManager, _left

# --------------------------------------------------------------------------- the page


def test_the_getting_ready_page_says_how_many_places_are_ready() -> None:
    page = waiting_page(
        "warming", 40, 300, language="en", status_url="/pdkit/ready?notebook=goal-setting.ipynb"
    )
    assert '<html lang="en">' in page
    assert "<title>Getting ready — 40 of 300 places ready</title>" in page
    assert 'role="status"' in page
    assert 'aria-live="polite"' in page
    assert '<progress id="bar" value="40" max="300"' in page
    assert f'name="{READY_MARK}"' in page
    assert '"/pdkit/ready?notebook=goal-setting.ipynb"' in page  # what its script asks
    assert "location.reload()" in page  # the same address again: the link's query kept
    assert '<noscript><meta http-equiv="refresh" content="10"></noscript>' in page
    assert "src=" not in page
    assert "href=" not in page
    assert len(page.encode()) < 4096


def test_the_getting_ready_page_speaks_the_workbook_s_language() -> None:
    page = waiting_page("warming", 3, 40, language="es", status_url="/pdkit/ready")
    assert '<html lang="es">' in page
    assert "3 de 40 lugares listos" in page
    assert "Tu cuaderno se abre solo en un momento" in page
    full = waiting_page("full", 50, 50, language="es", status_url="/pdkit/ready")
    assert "Todos los lugares están ocupados ahora" in full


def test_the_getting_ready_page_escapes_what_it_is_given() -> None:
    page = waiting_page(
        "warming", 1, 2, language='x"><script>', status_url="/pdkit/ready?notebook=</script>"
    )
    assert '<html lang="x&quot;&gt;&lt;script&gt;">' in page
    assert '</script>"' not in page
    assert "<\\/script>" in page


def test_the_status_address_says_whether_to_wait() -> None:
    assert json.loads(status_body("warming", 4, 20)) == {
        "wait": True,
        "why": "warming",
        "n": 4,
        "of": 20,
    }
    assert json.loads(status_body(None, 0, 0))["wait"] is False


# --------------------------------------------------------------------------- the manager


class _Task:
    """A pool entry: done (a kernel ready) or still under way."""

    def __init__(self, kernel_id: str, done: bool) -> None:
        self.kernel_id, self._done = kernel_id, done

    def done(self) -> bool:
        return self._done

    def cancelled(self) -> bool:
        return False

    def exception(self) -> None:
        return None

    def result(self) -> dict[str, str]:
        return {"kernel_id": self.kernel_id}

    def cancel(self) -> None:
        self.cancelled_now = True


def _manager(**config: Any) -> PdkitKernelManager:
    manager = PdkitKernelManager(**config)
    manager.kernel_pools_config = {"goal-setting.ipynb": {"pool_size": 3}}  # type: ignore[attr-defined]
    return manager


def test_kernels_are_pre_heated_a_few_at_a_time_each_ready_once_its_notebook_ran() -> None:
    manager = _manager(warm_concurrency=2, warm_timeout=0.6)
    events: list[str] = []

    async def initialize(name: str, kernel_id: str | None = None, **kwargs: Any) -> Any:
        events.append(f"start {name}")
        seconds = {"slow": 0.3, "stuck": 60.0}.get(name, 0.3)
        task = asyncio.ensure_future(asyncio.sleep(seconds))
        task.add_done_callback(lambda t: t.cancelled() or events.append(f"ran {name}"))
        return {"task": task, "kernel_id": name}

    manager._voila_initialize = initialize

    async def fill() -> list[float]:
        began = time.monotonic()

        async def one(name: str) -> float:
            await manager._warm(name)
            events.append(f"ready {name}")
            return time.monotonic() - began

        return list(await asyncio.gather(one("slow"), one("stuck"), one("third")))

    _slow, stuck, _third = asyncio.run(fill())
    assert events[:2] == ["start slow", "start stuck"]  # two at a time
    # ready once its notebook ran, not when its kernel started; then the third may start
    assert events.index("ran slow") < events.index("ready slow") < events.index("start third")
    assert "ready stuck" in events  # a notebook that never ends counts as ready after a while
    assert "ran stuck" not in events
    assert stuck >= 0.6


def test_an_arrival_waits_while_the_first_fill_has_no_kernel_ready() -> None:
    manager = _manager()
    first = [_Task("a", True), _Task("b", False), _Task("c", False)]
    manager._first_fill = {"goal-setting.ipynb": list(first)}
    manager._pools = {"goal-setting.ipynb": list(first)}  # type: ignore[attr-defined]
    assert manager.waiting("goal-setting.ipynb") is None  # one is ready: served now
    manager._pools = {"goal-setting.ipynb": first[1:]}  # type: ignore[attr-defined]
    assert manager.waiting("goal-setting.ipynb") == ("warming", 1, 3)
    assert manager.waiting("reflection.ipynb") is None  # no pool: as before
    first[1]._done = first[2]._done = True  # the first fill is done: a kernel ready
    assert manager.waiting("goal-setting.ipynb") is None
    manager._pools = {"goal-setting.ipynb": []}  # type: ignore[attr-defined]
    assert manager.waiting("goal-setting.ipynb") is None  # after it: a kernel started now


def test_an_arrival_waits_for_a_free_place_when_the_server_is_full() -> None:
    manager = _manager(max_kernels=2)
    manager.list_kernel_ids = lambda: ["k1", "k2"]  # type: ignore[method-assign]
    assert manager.waiting("reflection.ipynb") == ("full", 2, 2)
    manager.list_kernel_ids = lambda: ["k1"]  # type: ignore[method-assign]
    assert manager.waiting("reflection.ipynb") is None


def test_the_terminal_shows_the_fill_s_progress_with_an_estimate(
    capsys: pytest.CaptureFixture[str],
) -> None:
    manager = _manager()
    tasks = [_Task(str(i), i < 1) for i in range(3)]
    manager._first_fill = {"goal-setting.ipynb": tasks}
    manager._started_at = time.monotonic() - 10
    assert manager.report_warm_up() == [
        "pdkit: pre-heating goal-setting: 1 of 3 ready, estimating the time left"
    ]
    since, _ = manager._pace["goal-setting.ipynb"]
    manager._pace["goal-setting.ipynb"] = (since - 4, 1)  # one more ready in 4 s
    tasks[1]._done = True
    (line,) = manager.report_warm_up()
    assert line.startswith("pdkit: pre-heating goal-setting: 2 of 3 ready, about 4 s left")
    tasks[2]._done = True
    (done,) = manager.report_warm_up()
    assert done.startswith("pdkit: pre-heated goal-setting: 3 of 3 ready in ")
    assert manager.report_warm_up() == []  # said once
    assert "2 of 3 ready" in capsys.readouterr().out


def test_the_estimate_reads_as_a_person_would_say_it() -> None:
    assert _left(260, 40, 50.0, *terminal_words()) == "about 5 min left"
    assert _left(10, 20, 10.0, *terminal_words()) == "about 5 s left"
    assert _left(600, 10, 10.0, *terminal_words()) == "about 10 min left"
    assert _left(5, 0, 3.0, *terminal_words()) == "estimating the time left"


LANGUAGE_VARIABLES = ("PDKIT_LANGUAGE", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")

NOTES = {
    "facilitator": "keep this link to yourself",
    "room": "the room display, for the projector: it carries your key too",
    "my-goal": "each teacher's home: their personal link opens it",
    "coach": "each coach opens it with their own coach's link",
    "observe": "a coach, or a colleague a teacher invited, opens it with their own link",
    "credentials": "micro-credentials: teachers and their assessors open it with their own link",
}
"""What ``pdkit serve`` prints beside the built-in workbooks' links (English)."""

PRE_HEATING = "pdkit: pre-heating {workbook}: {done} of {size} ready, {left}"
PRE_HEATED = "pdkit: pre-heated {workbook}: {done} of {size} ready in {seconds} s"


def _fill_lines() -> list[str]:
    """What the terminal shows of a fill: 1 of 3 ready (no pace yet), 2 of 3 at one kernel
    in 4 s, then 3 of 3 after 10 s."""
    manager = _manager()
    tasks = [_Task(str(i), i < 1) for i in range(3)]
    manager._first_fill = {"goal-setting.ipynb": tasks}
    manager._started_at = time.monotonic() - 10
    lines = manager.report_warm_up()
    since, _ = manager._pace["goal-setting.ipynb"]
    manager._pace["goal-setting.ipynb"] = (since - 4, 1)
    tasks[1]._done = True
    lines += manager.report_warm_up()
    tasks[2]._done = True
    manager._started_at = time.monotonic() - 10
    return lines + manager.report_warm_up()


def _in_catalog(said: str, english: str, translated: str) -> None:
    """``said`` is the catalog's translation (``translated``, filled in), and differs from
    the English exactly when the catalog translates it."""
    assert said == translated
    assert (said != english) == (translated != english), (said, english)


@pytest.mark.parametrize("language", ["fr", "es"])
def test_the_links_notes_and_the_fill_s_progress_speak_the_terminal_s_language(
    language: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from pdkit.i18n import plural_translator, translator

    for name in LANGUAGE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    english_links = [name for name, _ in ServeConfig(port=8866, facilitator_key="k").urls()]
    english_lines = _fill_lines()
    assert english_lines == [
        "pdkit: pre-heating goal-setting: 1 of 3 ready, estimating the time left",
        "pdkit: pre-heating goal-setting: 2 of 3 ready, about 4 s left",
        "pdkit: pre-heated goal-setting: 3 of 3 ready in 10 s",
    ]
    english_noted = {name.split(" (")[0]: name for name in english_links if " (" in name}
    assert english_noted == {stem: f"{stem} ({note})" for stem, note in NOTES.items()}

    monkeypatch.setenv("PDKIT_LANGUAGE", language)
    t, tn = translator(language), plural_translator(language)
    links = [name for name, _ in ServeConfig(port=8866, facilitator_key="k").urls()]
    noted = {name.split(" (")[0]: name for name in links if " (" in name}
    assert sorted(noted) == sorted(NOTES)
    for stem, note in NOTES.items():
        _in_catalog(noted[stem], f"{stem} ({note})", f"{stem} ({t(note)})")
    assert [name for name in links if " (" not in name] == [
        name for name in english_links if " (" not in name
    ]

    lines = _fill_lines()
    assert len(lines) == 3
    first = tn(PRE_HEATING, PRE_HEATING, 1).format(
        workbook="goal-setting", done=1, size=3, left=t("estimating the time left")
    )
    _in_catalog(lines[0], english_lines[0], first)
    left = tn("about {count} s left", "about {count} s left", 4).format(count=4)
    second = tn(PRE_HEATING, PRE_HEATING, 2).format(
        workbook="goal-setting", done=2, size=3, left=left
    )
    _in_catalog(lines[1], english_lines[1], second)
    third = tn(PRE_HEATED, PRE_HEATED, 3).format(
        workbook="goal-setting", done=3, size=3, seconds=10
    )
    _in_catalog(lines[2], english_lines[2], third)
    minutes = tn("about {count} min left", "about {count} min left", 5).format(count=5)
    _in_catalog(_left(260, 40, 50.0, *terminal_words()), "about 5 min left", minutes)
    assert capsys.readouterr().out.splitlines() == english_lines + lines


def test_stopping_a_room_starts_no_more_kernels_and_stops_them_all_together() -> None:
    manager = _manager()
    waiting = _Task("later", False)
    manager._pools = {"goal-setting.ipynb": [waiting]}  # type: ignore[attr-defined]
    stopped: list[tuple[str, bool]] = []
    pooled = [f"pooled-{i}" for i in range(10)]
    manager._kernels = {kernel_id: object() for kernel_id in ["open-page", *pooled]}
    manager._connected_once = {"open-page"}

    async def shutdown(kernel_id: str, now: bool = False, restart: bool = False) -> None:
        await asyncio.sleep(0.5)
        stopped.append((kernel_id, now))

    manager.shutdown_kernel = shutdown  # type: ignore[method-assign]
    start = time.monotonic()
    asyncio.run(manager.stop_room())
    assert time.monotonic() - start < 3  # together: one after another takes 5.5 s
    assert sorted(stopped) == [("open-page", False)] + [(k, True) for k in sorted(pooled)]
    assert getattr(waiting, "cancelled_now", False)  # a kernel still to start never starts
    manager._spread_fill(None, notebook_name="goal-setting.ipynb")  # no refill any more
    assert manager.waiting("goal-setting.ipynb") is None


def test_the_kernels_stop_before_their_connection_folder_is_removed(tmp_path: Path) -> None:
    """A kernel still starting makes its sockets in that folder: removed first (Voilà's
    order), the kernel printed a traceback into the terminal as the room stopped."""
    from pdkit.serve._app import PdkitVoila

    folder = tmp_path / "voila_connections"
    folder.mkdir()
    (folder / "kernel-1.json").write_text("{}")
    seen: list[bool] = []

    class Manager:
        async def shutdown_all(self) -> None:
            seen.append(folder.is_dir())

    app = PdkitVoila()
    app.connection_dir = str(folder)
    app.kernel_manager = Manager()
    app.stop()
    assert seen == [True]  # the folder was still there while the kernels stopped
    assert not folder.exists()  # and gone after
    app.stop()  # a second stop finds nothing to remove, and says nothing


# --------------------------------------------------------------------------- TLS


def test_plain_http_beyond_this_machine_is_warned_about() -> None:
    warning = plain_http_warning("0.0.0.0", tls=False)
    assert warning is not None
    assert "personal links and the facilitator key travel readable on this network" in warning
    assert "--certfile/--keyfile" in warning
    assert "Caddy" in warning
    assert "docs/serving-a-room.md" in warning
    assert Path(__file__).parents[2].joinpath("docs/serving-a-room.md").is_file()
    assert plain_http_warning("192.168.1.20", tls=False) is not None
    assert plain_http_warning("pd.school.org", tls=False) is not None
    for local in ("127.0.0.1", "localhost", "::1", "127.0.0.2"):
        assert plain_http_warning(local, tls=False) is None
    assert plain_http_warning("0.0.0.0", tls=True) is None


def test_with_a_certificate_the_links_say_https_and_voila_gets_it(tmp_path: Path) -> None:
    trustme = pytest.importorskip("trustme")
    cert = trustme.CA().issue_cert("127.0.0.1")
    certfile, keyfile = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert.cert_chain_pems[0].write_to_path(str(certfile))
    cert.private_key_pem.write_to_path(str(keyfile))
    config = ServeConfig(
        store=str(tmp_path / "s.sqlite3"), port=0, certfile=certfile, keyfile=keyfile
    )
    out = io.StringIO()
    prepare(config, out, io.StringIO())
    printed = out.getvalue()
    assert f"https://127.0.0.1:{config.port}/voila/render/facilitator.ipynb?key=" in printed
    assert "http://" not in printed
    assert "warning" not in printed
    command = voila_command(config)
    assert f"--PdkitVoila.certfile={certfile.resolve()}" in command
    assert f"--PdkitVoila.keyfile={keyfile.resolve()}" in command
    assert config.reminder_base_url().startswith("https://")


def test_a_certificate_that_cannot_serve_is_refused_before_anything_starts(
    tmp_path: Path,
) -> None:
    trustme = pytest.importorskip("trustme")
    ca = trustme.CA()
    certfile, other_key = tmp_path / "cert.pem", tmp_path / "other.pem"
    ca.issue_cert("127.0.0.1").cert_chain_pems[0].write_to_path(str(certfile))
    ca.issue_cert("127.0.0.1").private_key_pem.write_to_path(str(other_key))
    err = io.StringIO()
    config = ServeConfig(
        store=str(tmp_path / "s.sqlite3"), port=0, certfile=certfile, keyfile=other_key
    )
    with pytest.raises(PdkitError, match=r"1 problem in what pdkit serve would serve"):
        prepare(config, io.StringIO(), err)
    assert f"--certfile {certfile} --keyfile {other_key}: cannot serve HTTPS" in err.getvalue()
    err = io.StringIO()
    with pytest.raises(PdkitError):
        prepare(ServeConfig(store=str(tmp_path / "s.sqlite3"), keyfile=other_key), None, err)
    assert "--keyfile: give the certificate too, with --certfile" in err.getvalue()


def test_serving_a_room_network_without_tls_warns_in_the_terminal(tmp_path: Path) -> None:
    out = io.StringIO()
    prepare(ServeConfig(store=str(tmp_path / "s.sqlite3"), host="0.0.0.0", port=0), out)
    assert "travel readable on this network" in out.getvalue()


# --------------------------------------------------------------------------- a real room


def _get(url: str, timeout: float = 60) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return int(response.status), response.read().decode()
    except urllib.error.HTTPError as error:
        return int(error.code), ""


POOL = 20


@pytest.mark.slow
def test_a_room_answers_while_it_pre_heats_and_stops_at_once(tmp_path: Path) -> None:
    """`pdkit serve --pool goal-setting=20`: the server answers while the pool fills (its
    kernels below the server's priority), an
    early arrival gets the "getting ready" page in the workbook's language (Spanish here,
    by ``?lang=es``), the terminal shows the progress, and SIGINT (Ctrl+C) stops the room
    within 10 s with no process below it left, checked by PID."""
    port = free_port()
    log_path = tmp_path / "serve.log"
    (tmp_path / "voila.json").write_text(  # (Voilà reads it from its folder): no hold
        json.dumps({"PdkitVoila": {"hold": 0.2}, "PdkitKernelManager": {"report_every": 1}})
    )
    command = [
        sys.executable, "-m", "pdkit", "serve", "--store", str(tmp_path / "s.db"),
        "--port", str(port), "--pool", f"goal-setting={POOL}",
    ]  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    with log_path.open("wb") as log:
        started = time.monotonic()
        proc = subprocess.Popen(
            command,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            cwd=tmp_path,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    below: list[int] = []
    try:
        while True:
            assert proc.poll() is None, log_path.read_text()
            assert time.monotonic() - started < 60, log_path.read_text()
            with contextlib.suppress(OSError):
                status, body = _get(f"{base}/pdkit/ready?notebook=goal-setting.ipynb", 5)
                break
            time.sleep(0.1)
        state = json.loads(body)
        assert status == 200
        assert state["wait"] is True, body
        assert state["why"] == "warming", body
        assert state["of"] == POOL
        assert 0 <= state["n"] < POOL

        status, page = _get(f"{base}/voila/render/goal-setting.ipynb?lang=es&pdkit=tok")
        assert status == 200
        assert READY_MARK in page
        assert f"de {POOL} lugares listos" in page
        assert '<html lang="es">' in page

        deadline = time.monotonic() + 120
        while "pdkit: pre-heating goal-setting: " not in log_path.read_text():
            assert time.monotonic() < deadline, log_path.read_text()
            time.sleep(0.2)
        while not (ready := json.loads(_get(f"{base}/pdkit/ready?notebook=goal-setting.ipynb")[1]))[
            "n"
        ]:
            assert time.monotonic() < deadline, log_path.read_text()
            time.sleep(0.5)
        assert ready["n"] < POOL, "the pool filled before the room was stopped"
        below = _descendants(proc.pid)
        assert len(below) > 1
        # The kernels run below the server's priority (the server relays every page).
        kernels = [pid for pid in below if b"ipykernel_launcher" in _cmdline(pid)]
        assert kernels
        server = os.getpriority(os.PRIO_PROCESS, proc.pid)
        assert {os.getpriority(os.PRIO_PROCESS, pid) for pid in kernels} == {min(19, server + 10)}
        assert {os.getpriority(os.PRIO_PROCESS, pid) for pid in below if pid not in kernels} == {
            server
        }
        asked = time.monotonic()
        os.kill(proc.pid, signal.SIGINT)
        code = proc.wait(timeout=60)
        took = time.monotonic() - asked
    finally:
        if proc.poll() is None:
            # Voilà runs in a process group of its own: found now, it is stopped below
            # even when the test failed before it looked (it outlived a failed run once).
            below = below or _descendants(proc.pid)
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        for pid in below:
            with contextlib.suppress(ProcessLookupError):
                if _alive(pid):
                    os.kill(pid, signal.SIGKILL)
    printed = log_path.read_text(errors="replace")
    assert code == 0, printed
    assert took <= 10, f"stopping took {took:.1f} s"
    time.sleep(1)  # a killed process is gone within moments (it is not waited for by name)
    assert [pid for pid in below if _alive(pid)] == [], "processes outlived the server"
    assert "Traceback" not in printed
    assert f"of {POOL} ready, " in printed


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""
