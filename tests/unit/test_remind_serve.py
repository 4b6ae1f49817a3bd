"""``pdkit serve --remind``: the reminders' loop in the server's process (a thread),
against a real SMTP server (aiosmtpd): it sends what is due, goes on after any error,
and a mistake in its settings stops ``pdkit serve`` before anything starts."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from _servers import free_port
from _smtp import SmtpServer, smtp_server
from pdkit._clock import today
from pdkit.cli import main
from pdkit.serve._remind import RemindLoop
from pdkit.store import open_store

BASE = "https://pd.school.test"


@pytest.fixture
def server() -> Iterator[SmtpServer]:
    with smtp_server() as found:
        yield found


def _store(path: Path, count: int) -> str:
    store = open_store(path)
    day = today()
    session, _ = store.create_session("Spring")
    store.set_checkin_schedule(session.id, day - timedelta(days=7), [day])
    for n in range(count):
        person, _ = store.create_participant(f"T{n}", session=session.id)
        store.set_contact(person.id, f"t{n}@school.test")
    store.close()
    return str(path)


def test_a_round_sends_what_is_due_and_says_so(tmp_path: Path, server: SmtpServer) -> None:
    out = io.StringIO()
    loop = RemindLoop(_store(tmp_path / "s.sqlite3", 3), server.url, BASE, out, rate=0)
    loop.run_once()
    loop.run_once()
    assert server.count() == 3
    lines = out.getvalue().splitlines()
    assert "sent 3, already sent 0" in lines[0]
    assert "sent 0, already sent 3" in lines[1]


def test_the_loop_goes_on_after_errors_and_stops_when_asked(tmp_path: Path) -> None:
    out = io.StringIO()
    down = f"smtp://127.0.0.1:{free_port()}?timeout=2"
    rounds = threading.Event()
    loop = RemindLoop(_store(tmp_path / "s.sqlite3", 1), down, BASE, out, every=0.05)
    loop.on_round = lambda n: rounds.set() if n >= 3 else None
    loop.start()
    assert rounds.wait(30), out.getvalue()
    loop.stop()
    loop.join(10)
    assert not loop.is_alive()
    said = out.getvalue()
    assert said.count("refused the connection") >= 3
    assert "tried again in 0.05 s" in said


def test_a_bug_in_a_round_is_printed_not_raised(
    tmp_path: Path, server: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = io.StringIO()
    loop = RemindLoop(_store(tmp_path / "s.sqlite3", 1), server.url, BASE, out)

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr("pdkit.outreach.send_reminders", broken)
    loop.run_once()
    assert "unexpected error" in out.getvalue()
    assert "RuntimeError: a bug" in out.getvalue()
    missing = RemindLoop(str(tmp_path / "none.sqlite3"), server.url, BASE, io.StringIO())
    missing.run_once()  # a store that is not there: said, not raised


def test_serve_remind_with_bad_mail_settings_starts_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PDKIT_SMTP_URL", raising=False)
    monkeypatch.setattr(
        "pdkit.serve._voila.subprocess.Popen", lambda *a, **k: pytest.fail("Voilà started")
    )
    store = str(tmp_path / "s.sqlite3")
    assert main(["serve", "--remind", "--port", "0", "--store", store]) == 2
    assert "--remind: say which mail server sends the reminders" in capsys.readouterr().err
    bad = ["serve", "--remind", "--smtp", "smtp+starttls://u:pw@h", "--port", "0"]
    assert main([*bad, "--store", store]) == 2
    assert "holds a password" in capsys.readouterr().err


def test_serve_remind_starts_the_loop_and_stops_it_with_voila(
    tmp_path: Path, server: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`pdkit serve --remind` with Voilà replaced by a process that exits at once: the
    round at start has run (or runs) in the serve's process; the loop stops with it."""
    import subprocess
    import sys

    store = _store(tmp_path / "s.sqlite3", 2)
    started: list[RemindLoop] = []
    real_start = RemindLoop.start

    def start(self: RemindLoop) -> None:
        started.append(self)
        real_start(self)

    monkeypatch.setattr(RemindLoop, "start", start)
    monkeypatch.setattr(
        "pdkit.serve._voila.voila_command",
        lambda config: [sys.executable, "-c", "import time; time.sleep(1.5)"],
    )
    monkeypatch.setattr("pdkit.serve._voila.subprocess.Popen", subprocess.Popen)
    code = main(
        ["serve", "--remind", "--smtp", server.url, "--base-url", BASE, "--rate", "0",
         "--port", "0", "--store", store]
    )  # fmt: skip
    assert code == 0
    (loop,) = started
    loop.join(10)
    assert not loop.is_alive()  # stopped with the server
    assert server.count() == 2
    assert loop.base_url == BASE
