"""The weeks after a session, as the people in it meet them (issue #14's journey), in a
real Chromium against a real `pdkit serve`, a real SMTP server and the commands a
facilitator types; the clock is moved on with ``$PDKIT_CLOCK_OFFSET`` (server, kernels
and commands alike), so two weeks pass in a minute.

Session day: the facilitator creates the session with check-ins at 2 and 4 weeks, a
teacher joins with her email address, writes her goal and shares it with her coach; the
coach is added and given her. Two weeks and two days later: ``pdkit remind`` sends her one
email (with her calendar), a second run sends none; the coach's queue says her check-in
is overdue; the email's link opens "My goal"; she asks her coach to agree her goal and
checks in; the coach's queue updates without a reload; the coach comments and her page
shows it within 2 s; the coach agrees the goal, later marks it met, and her page says
each. No email holds what she wrote.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from icalendar import Calendar

from _servers import Server, free_port, running, serve_command
from _smtp import smtp_server
from pdkit import open_store
from pdkit._clock import today

pytestmark = pytest.mark.browser

LOAD = 90_000  # ms: a cold Voilà page on a busy 2-core machine
DAY = 86_400
GOAL = "By March, 8 of my 10 students ask a question in every lesson"
EMAIL = "ana.ruiz@school.test"


def pdkit(*args: str, offset_days: int = 0) -> str:
    """Run a ``pdkit`` command as a facilitator would, ``offset_days`` in the future."""
    env = {**os.environ, "PDKIT_CLOCK_OFFSET": str(offset_days * DAY)}
    done = subprocess.run(
        [sys.executable, "-m", "pdkit.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    assert done.returncode == 0, f"pdkit {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


@contextmanager
def serving(store: Path, tmp_path: Path, offset_days: int) -> Iterator[Server]:
    port = free_port()
    with running(
        serve_command(store, port),
        base_url=f"http://127.0.0.1:{port}",
        store=store,
        log_path=tmp_path / f"serve-day{offset_days}.log",
        env={"PDKIT_CLOCK_OFFSET": str(offset_days * DAY)},
    ) as server:
        yield server


def _page(browser: Any, url: str) -> Any:
    page = browser.new_context().new_page()
    page.on("dialog", lambda dialog: pytest.fail(f"a dialog opened: {dialog.message}"))
    page.goto(url)
    return page


def test_the_weeks_after_a_session(browser: Any, tmp_path: Path) -> None:
    store_path = tmp_path / "store.sqlite3"
    session_day = today()

    # ------------------------------------------------------------------ the session day
    with serving(store_path, tmp_path, 0) as day0:
        created = pdkit(
            "session", "create", "--title", "Questioning PD", "--checkins", "2w,4w",
            "--store", str(store_path), "--url", day0.base_url,
        )  # fmt: skip
        code = re.search(r"\?code=([A-Z0-9-]+)", created)
        assert code, created
        teacher = _page(browser, day0.url() + f"?code={code.group(1)}")
        teacher.get_by_label("Your name").fill("Ana Ruiz", timeout=LOAD)
        teacher.get_by_label("Email for check-in reminders (optional)").fill(EMAIL)
        teacher.get_by_role("button", name="Join").click()
        teacher.get_by_label("My goal (required)").fill(GOAL, timeout=30_000)
        teacher.get_by_label("Who can see this?").select_option(label="Me and my coach")
        teacher.get_by_role("button", name="Save").click()
        teacher.get_by_text("Saved at").wait_for(timeout=15_000)
        teacher.context.close()

        pdkit("coach", "add", "Kim Lee", "--store", str(store_path))
        pdkit("coach", "assign", "Kim Lee", "Ana Ruiz", "--store", str(store_path))
    store = open_store(store_path)
    try:
        [ana] = [p for p in store.participants(store.sessions()[-1].id) if p.role == "teacher"]
        assert store.contact(ana.id, viewer=ana.id).email == EMAIL  # type: ignore[union-attr]
    finally:
        store.close()

    # ------------------------------------------------ two weeks (and two days) later
    later = 16
    with smtp_server() as mail, serving(store_path, tmp_path, later) as week2:
        remind = ("remind", "--store", str(store_path), "--base-url", week2.base_url)
        pdkit(*remind, "--smtp", mail.url, offset_days=later)
        assert mail.per_recipient() == {EMAIL: 1}
        pdkit(*remind, "--smtp", mail.url, offset_days=later)  # a second run sends nothing
        assert mail.count() == 1

        message = mail.messages[0].message
        raw = mail.messages[0].raw
        assert GOAL.encode() not in raw  # nothing she wrote, in any part ...
        assert b"students ask" not in raw
        body = message.get_body(preferencelist=("plain",))
        assert body is not None
        text = body.get_content()
        assert "students ask" not in text  # ... nor in the text as read
        link = re.search(r"https?://\S+/my-goal\.ipynb\?pdkit=[\w-]+", text)
        assert link, text
        attached = list(message.iter_attachments())
        [calendar] = [part for part in attached if part.get_content_type() == "text/calendar"]
        events = Calendar.from_ical(calendar.get_content()).walk("VEVENT")
        assert [e.decoded("dtstart") for e in events] == [
            session_day + timedelta(14),
            session_day + timedelta(28),
        ]

        # The coach opens their link: Ana's check-in is overdue.
        coach_link = re.search(
            r"https?://\S+/coach\.ipynb\?pdkit=[\w-]+",
            pdkit("coach", "link", "Kim Lee", "--base-url", week2.base_url,
                  "--store", str(store_path), offset_days=later),
        )  # fmt: skip
        assert coach_link
        coach = _page(browser, coach_link.group(0))
        row = coach.locator(".pdkit-queue-row", has_text="Ana Ruiz")
        row.wait_for(timeout=LOAD)
        assert "check-in overdue" in row.inner_text()

        # Her link opens "My goal", in a browser that never saw pdkit (her phone).
        mine = _page(browser, link.group(0))
        mine.get_by_text(GOAL).first.wait_for(timeout=LOAD)
        mine.get_by_role("button", name="Ask my coach to agree this goal").click()
        mine.locator(".pdkit-goal-status-asked").wait_for(timeout=15_000)
        mine.get_by_role("button", name="Check in now").click()
        mine.get_by_role("radio", name="About halfway").check(timeout=15_000)
        mine.locator(".pdkit-my-goal").get_by_role("button", name="Save").click()
        mine.get_by_text("Saved at").first.wait_for(timeout=15_000)

        # The coach's queue updates without a reload: she asks, and is no longer overdue.
        coach.wait_for_function(
            """() => [...document.querySelectorAll('.pdkit-queue-row')].some(
                (row) => row.textContent.includes('Ana Ruiz')
                    && row.textContent.includes('asks for you')
                    && !row.textContent.includes('overdue'))""",
            timeout=10_000,
        )
        coach.get_by_role("button", name="Open Ana Ruiz").click(timeout=LOAD)
        coach.locator("dd", has_text=GOAL).wait_for(timeout=15_000)
        coach.get_by_label("Your message").fill("Which students will you watch first?")
        coach.locator(".pdkit-thread").get_by_role("button", name="Send").click()
        coach.get_by_text("Sent.").wait_for(timeout=15_000)
        sent = time.monotonic()
        mine.get_by_text("Which students will you watch first?").wait_for(timeout=2_000)
        assert time.monotonic() - sent < 2.0

        coach.get_by_role("button", name="Agree this goal").click()
        mine.locator(".pdkit-goal-status-agreed").wait_for(timeout=5_000)
        coach.get_by_role("button", name="Mark met").click()
        mine.locator(".pdkit-goal-status-met").wait_for(timeout=5_000)

    store = open_store(store_path)
    try:
        assert store.goal_status(ana.id, viewer=ana.id).status == "met"
        assert len(store.checkin_times(ana.id)) == 1
        assert [r[1] for r in store.reminders(ana.id)] == [session_day + timedelta(14)]
    finally:
        store.close()
