"""Reminders from a real `pdkit serve --remind` (Voilà running) to a real SMTP server
(aiosmtpd), and the personal link in the email opening a real page in Chromium.

A teacher joins in the browser and gives an address at the join step; the session's
check-in is due today; the server's reminders round emails her once; the "My goal" link in
the email signs her in on her "My goal" page, in a browser that never saw her, showing
the check-in due; the email's link to stop reminders stops them (the next rounds count
her reminder as sent before and send nothing; the store says she opted out).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from _servers import Server, free_port, running, serve_command
from _smtp import SmtpServer, smtp_server
from pdkit._clock import today
from pdkit.store import Viewer, open_store

pytestmark = pytest.mark.browser

LOAD = 90_000


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with smtp_server() as found:
        yield found


def _wait(what: str, check: Any, server: Server, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} within {timeout:.0f} s:\n{server.log()}")
        time.sleep(0.2)


def test_a_teacher_gives_her_address_and_the_server_s_reminder_signs_her_in(
    tmp_path: Path, browser: Any, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PDKIT_STORE", raising=False)
    store_path = tmp_path / "store.sqlite3"
    store = open_store(store_path)
    store.set_checkin_schedule("default", today() - timedelta(days=14), [today()])
    store.close()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = serve_command(
        store_path, port, "--remind", "--remind-every", "0.05", "--smtp", smtp.url, "--rate", "0"
    )
    with running(
        command, base_url=base, store=store_path, log_path=tmp_path / "serve.log"
    ) as server:
        page = browser.new_context().new_page()
        page.goto(server.url("goal-setting.ipynb"))
        page.get_by_label("Your name").fill("Ana Ruiz", timeout=LOAD)
        page.get_by_label("Email for check-in reminders (optional)").fill("ana@school.test")
        assert page.get_by_text("never what you write").is_visible()
        page.get_by_role("button", name="Join").click()
        page.get_by_text("Check-in reminders will go to ana@school.test.").wait_for(timeout=30_000)
        page.context.close()

        _wait("no reminder reached the SMTP server", lambda: smtp.count() >= 1, server)
        _wait(
            "the server printed no round of reminders",
            lambda: "reminders through smtp://" in server.log(),
            server,
        )
        time.sleep(2.5 * 0.05 * 60)  # two more rounds: still one message
        assert smtp.per_recipient() == {"ana@school.test": 1}
        assert "sent 0, already sent 1" in server.log()
        message = smtp.messages[0].message
        body = message.get_body(preferencelist=("plain",))
        assert body is not None
        text = body.get_content()
        assert "Hello Ana Ruiz," in text
        link = re.search(r"(http://\S+/my-goal\.ipynb\?pdkit=[\w-]+)\s", text)
        assert link is not None, text
        assert link.group(1).startswith(f"{base}/voila/render/")
        token = link.group(1).rsplit("=", 1)[1]

        fresh = browser.new_context().new_page()
        fresh.goto(link.group(1))
        fresh.get_by_text("Signed in as").wait_for(timeout=LOAD)
        assert fresh.locator(".pdkit-who").inner_text().strip() == "Signed in as Ana Ruiz."
        assert "my-goal.ipynb" in fresh.url
        fresh.get_by_text(f"{today().isoformat()}").first.wait_for(timeout=30_000)
        fresh.context.close()

        stop = re.search(r"(http://\S+/my-goal\.ipynb\?pdkit=[\w-]+&reminders=off)", text)
        assert stop is not None, text
        assert stop.group(1).split("?pdkit=")[1].startswith(token)
        other = browser.new_context().new_page()
        other.goto(stop.group(1))
        other.get_by_text("Reminders by email are off").wait_for(timeout=LOAD)
        other.context.close()

        def opted_out() -> bool:
            found = open_store(store_path)
            try:
                (ana,) = found.participants()
                contact = found.contact(ana.id, viewer=Viewer.steward())
                return contact is not None and contact.opted_out_at is not None
            finally:
                found.close()

        _wait("the link to stop reminders did not stop them", opted_out, server)
        assert smtp.count() == 1
        assert server.proc.poll() is None  # the rounds never stopped the server

    store = open_store(store_path)
    (ana,) = store.participants()
    contact = store.contact(ana.id, viewer=Viewer.steward())
    assert contact is not None
    assert contact.email == "ana@school.test"
    assert contact.opted_out_at is not None
    assert [r[3] for r in store.reminders(ana.id)] == ["sent"]
    store.close()
