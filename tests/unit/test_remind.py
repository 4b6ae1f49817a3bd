"""Reminders through a real SMTP server (aiosmtpd, tests/_smtp.py): what is due, each
reminder once, what a message holds (and never holds), opt-out, dry runs, servers that
are down, refuse or need STARTTLS and a login, and a sender killed half-way."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import date, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest

from _smtp import PASSWORD, SmtpServer, smtp_server
from _stores import BACKENDS, Opener
from pdkit._clock import today as clock_today
from pdkit.errors import OutreachError, Said, in_language
from pdkit.i18n import translator
from pdkit.outreach import SmtpSettings, due_reminders, send_reminders
from pdkit.store import Participant, Store, open_store

BASE = "https://pd.school.test"
GOAL_TEXT = "Ask one open question per lesson ZQXJ-GOAL-7731"
REFLECTION = "My students talked more than me ZQXJ-REFL-5520"
COMMENT = "Try wait time after questions ZQXJ-COMM-9912"


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest) -> Iterator[Store]:
    opener: Opener = request.param
    opened = opener(request)
    yield opened
    opened.close()


@pytest.fixture
def server() -> Iterator[SmtpServer]:
    with smtp_server() as found:
        yield found


def _teachers(store: Store, count: int, *, today: date | None = None) -> list[Participant]:
    """``count`` teachers of one session whose check-in is due today, each with an address."""
    day = today or clock_today()
    session, _key = store.create_session("Questioning, spring")
    store.set_checkin_schedule(
        session.id, day - timedelta(days=14), [day, day + timedelta(days=14)]
    )
    made = []
    for n in range(count):
        person, _ = store.create_participant(f"Teacher {n}", session=session.id)
        store.set_contact(person.id, f"t{n}@school.test")
        made.append(person)
    return made


def _settings(server: SmtpServer) -> SmtpSettings:
    return SmtpSettings.from_url(server.url + "?from=pd@school.test", password="")


def _body(message: EmailMessage, subtype: str) -> str:
    part = message.get_body(preferencelist=(subtype,))
    assert part is not None
    content = part.get_content()
    assert isinstance(content, str)
    return content


# --------------------------------------------------------------------------- settings


def test_smtp_urls_give_their_settings_and_never_show_the_password() -> None:
    plain = SmtpSettings.from_url("smtp://mail.school.test:2525", password="")
    assert (plain.host, plain.port, plain.security, plain.user) == (
        "mail.school.test",
        2525,
        "plain",
        "",
    )
    assert plain.sender == "pdkit@mail.school.test"
    start = SmtpSettings.from_url(
        "smtp+starttls://pd%40school.test@mail.school.test", password="hunter2-secret"
    )
    assert (start.port, start.security, start.user) == (587, "starttls", "pd@school.test")
    assert start.sender == "pd@school.test"
    tls = SmtpSettings.from_url(
        "smtps://u@mail.school.test?from=r@school.test&timeout=5", password="hunter2-secret"
    )
    assert (tls.port, tls.security, tls.sender, tls.timeout) == (465, "tls", "r@school.test", 5)
    for shown in (str(start), repr(start), str(tls), repr(tls)):
        assert "hunter2" not in shown


@pytest.mark.parametrize(
    ("url", "password", "says"),
    [
        ("", "", "say which mail server"),
        ("http://mail.school.test", "", "smtp://, smtp\\+starttls:// or smtps://"),
        ("smtp+starttls://u:hunter2@mail.school.test", "", "holds a password"),
        ("smtp+starttls://u@mail.school.test", "", "PDKIT_SMTP_PASSWORD"),
        ("smtp://mail.school.test", "x", "names no user"),
        ("smtp://u@mail.school.test", "x", "without encryption"),
        ("smtp://mail.school.test:99999", "", "malformed"),
        ("smtp://mail.school.test?timeout=0", "", "timeout="),
        ("smtp://mail.school.test?bcc=me@x.test", "", "bcc"),
        ("smtp://", "", "names no server"),
    ],
)
def test_a_bad_smtp_url_says_what_to_write(
    url: str, password: str, says: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PDKIT_SMTP_URL", raising=False)
    with pytest.raises(OutreachError, match=says) as caught:
        SmtpSettings.from_url(url, password=password)
    assert "hunter2" not in str(caught.value)


def test_the_url_and_password_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PDKIT_SMTP_URL", "smtps://pd@mail.school.test")
    monkeypatch.setenv("PDKIT_SMTP_PASSWORD", "from-env")
    found = SmtpSettings.from_url(None)
    assert (found.host, found.user, found.password) == ("mail.school.test", "pd", "from-env")


def test_links_point_to_my_goal_on_a_server_or_in_a_hub_s_folder() -> None:
    from pdkit.outreach._send import page_links

    goal, stop = page_links("https://pd.school.test/", "tok")
    assert goal == "https://pd.school.test/voila/render/my-goal.ipynb?pdkit=tok"
    assert stop == "https://pd.school.test/voila/render/my-goal.ipynb?pdkit=tok&reminders=off"
    hub = "https://hub.test/hub/user-redirect/voila/render/workbooks"
    goal, stop = page_links(hub, "tok")
    assert goal == f"{hub}/my-goal.ipynb?pdkit=tok"
    assert stop == f"{hub}/my-goal.ipynb?pdkit=tok&reminders=off"


# --------------------------------------------------------------------------- sending


def test_a_due_teacher_gets_one_email_with_their_links_and_calendar(
    store: Store, server: SmtpServer
) -> None:
    import icalendar

    (ana,) = _teachers(store, 1)
    store.record(ana.id, "goal-setting", {"goal": GOAL_TEXT}, spec_version="g@1")
    store.record(ana.id, "gibbs", {"feelings": REFLECTION}, spec_version="r@1")
    coach, _ = store.create_participant("Carla", role="coach")
    store.assign_coach(coach.id, [ana.id])
    store.add_comment(coach.id, ana.id, COMMENT)
    store.record(ana.id, "goal-setting", {"goal": GOAL_TEXT + " v2"}, spec_version="g@1")
    day = clock_today()

    report = send_reminders(store, _settings(server), base_url=BASE, rate=0)
    assert server.count() == 1, report
    (got,) = server.messages
    assert got.recipients == ["t0@school.test"]
    raw = got.raw.decode("utf-8", "replace")
    message = got.message
    decoded = [
        part.get_payload(decode=True).decode() for part in message.walk() if not part.is_multipart()
    ]
    assert len(decoded) == 3  # text, HTML, calendar
    for written in ("ZQXJ-GOAL", "ZQXJ-REFL", "ZQXJ-COMM"):
        assert written not in raw  # nothing a teacher (or coach) wrote, in any part
        assert all(written not in part for part in decoded)
    assert message["To"] == "t0@school.test"
    assert message["From"] == "pd@school.test"
    assert day.isoformat() in message["Subject"]
    plain = _body(message, "plain")
    rich = _body(message, "html")
    assert "Hello Teacher 0," in plain
    assert "Questioning, spring" in plain
    link = next(w for w in plain.split() if "my-goal.ipynb?pdkit=" in w and "reminders" not in w)
    assert link.startswith(f"{BASE}/voila/render/my-goal.ipynb?pdkit=")
    token = link.rsplit("=", 1)[1]
    found = store.participant_for_token(token)
    assert found is not None
    assert found.id == ana.id
    assert link.replace("&", "&amp;") in rich or link in rich
    stop = next(w for w in plain.split() if "reminders=off" in w)
    assert stop in message["List-Unsubscribe"]

    (attachment,) = list(message.iter_attachments())
    assert attachment.get_filename() == "check-ins.ics"
    assert attachment.get_content_type() == "text/calendar"
    calendar = icalendar.Calendar.from_ical(attachment.get_content())
    events = list(calendar.walk("VEVENT"))
    assert sorted(e.decoded("dtstart") for e in events) == [day, day + timedelta(days=14)]
    assert all(str(e["url"]) == link for e in events)
    assert store.reminders(ana.id) == [(ana.id, day, "email", "sent")]
    assert (report.sent, report.failed) == (1, 0)

    again = send_reminders(store, _settings(server), base_url=BASE, rate=0)
    assert (again.sent, again.already_sent) == (0, 1)
    assert server.count() == 1


def test_only_the_first_email_carries_the_calendar(store: Store, server: SmtpServer) -> None:
    (ana,) = _teachers(store, 1)
    day = clock_today()
    send_reminders(store, _settings(server), base_url=BASE, rate=0, today=day)
    later = day + timedelta(days=14)
    send_reminders(store, _settings(server), base_url=BASE, rate=0, today=later)
    first, second = server.messages
    assert [a.get_filename() for a in first.message.iter_attachments()] == ["check-ins.ics"]
    assert list(second.message.iter_attachments()) == []
    assert "overdue" not in second.message["Subject"]
    assert [r[1] for r in store.reminders(ana.id)] == [day, later]


def test_opted_out_and_contactless_teachers_are_counted_not_emailed(
    store: Store, server: SmtpServer
) -> None:
    ana, ben, _cy = _teachers(store, 3)
    store.opt_out(ben.id)
    dan, _ = store.create_participant("Dan", session=ana.session)  # gave no address
    coach, _ = store.create_participant("Carla", session=ana.session, role="coach")
    store.set_contact(coach.id, "coach@school.test")  # coaches get no check-in reminders
    report = send_reminders(store, _settings(server), base_url=BASE, rate=0)
    assert (report.sent, report.opted_out, report.no_address) == (2, 1, 1)
    assert sorted(server.per_recipient()) == ["t0@school.test", "t2@school.test"]
    assert store.reminders(ben.id) == []
    assert store.reminders(dan.id) == []
    store.set_contact(ben.id, "ben@school.test")  # consents again
    again = send_reminders(store, _settings(server), base_url=BASE, rate=0)
    assert (again.sent, again.already_sent, again.no_address) == (1, 2, 1)
    assert server.per_recipient()["ben@school.test"] == 1


def test_a_teacher_who_checked_in_is_not_reminded(store: Store, server: SmtpServer) -> None:
    ana, ben = _teachers(store, 2)
    store.record(ben.id, "exit-ticket", {"progress": 3}, spec_version="e@1")
    assert [r.participant.id for r in due_reminders(store)] == [ana.id]
    send_reminders(store, _settings(server), base_url=BASE, rate=0)
    assert list(server.per_recipient()) == ["t0@school.test"]


def test_ahead_reminds_of_a_check_in_due_soon(store: Store, server: SmtpServer) -> None:
    _teachers(store, 1)
    tomorrow_only = clock_today() - timedelta(days=1)  # the date is tomorrow for that day
    assert due_reminders(store, today=tomorrow_only) == []
    assert len(due_reminders(store, today=tomorrow_only, ahead=1)) == 1
    with pytest.raises(OutreachError, match="--ahead"):
        due_reminders(store, ahead=-1)


def test_one_session_only_and_a_teacher_who_moved_on_is_reminded_once(
    store: Store, server: SmtpServer
) -> None:
    ana, ben = _teachers(store, 2)
    day = clock_today()
    later, _ = store.create_session("Questioning, autumn")
    store.set_checkin_schedule(later.id, day - timedelta(days=3), [day + timedelta(days=4)])
    store.attend(ben.id, later.id)  # Ben is in the later session now: its dates count
    first = [r.participant.id for r in due_reminders(store, session=ana.session)]
    assert first == [ana.id]
    assert due_reminders(store, session=later.id) == []
    assert [r.participant.id for r in due_reminders(store, ahead=4)] == [ana.id, ben.id]
    with pytest.raises(OutreachError, match="no session 'nope'"):
        due_reminders(store, session="nope")
    report = send_reminders(store, _settings(server), base_url=BASE, rate=0, ahead=4)
    assert report.sent == 2
    (to_ben,) = [m for m in server.messages if m.recipients == ["t1@school.test"]]
    assert "Questioning, autumn" in _body(to_ben.message, "plain")
    assert (day + timedelta(days=4)).isoformat() in to_ben.message["Subject"]


def test_a_dry_run_sends_nothing_and_logs_nothing(store: Store, server: SmtpServer) -> None:
    _teachers(store, 2)
    lines: list[str] = []
    report = send_reminders(store, None, base_url=BASE, dry_run=True, say=lines.append)
    assert report.sent == 2
    assert report.dry_run
    assert server.count() == 0
    assert store.reminders() == []
    assert any("would send: Teacher 1 <t1@school.test>" in line for line in lines)
    assert "would send 2" in report.summary()


def test_a_dry_run_s_lines_and_summary_are_said_in_the_reader_s_language(store: Store) -> None:
    due = clock_today() - timedelta(days=3)
    ana, ben, _cy = _teachers(store, 3, today=due)  # their check-in was 3 days ago
    store.opt_out(ben.id)
    store.create_participant("Dan", session=ana.session)  # gave no address
    lines: list[str] = []
    report = send_reminders(store, None, base_url=BASE, dry_run=True, say=lines.append)
    overdue = f"{due.isoformat()} (overdue)"
    assert lines == [
        f"would send: Teacher 0 <t0@school.test>, check-in {overdue} + calendar",
        f"opted out: Teacher 1, {overdue}",
        f"would send: Teacher 2 <t2@school.test>, check-in {overdue} + calendar",
        f"no address: Dan, {overdue}",
    ]
    summary = report.summary()
    assert summary == "would send 2, already sent 0, opted out 1, no address 1, failed 0"
    t = translator("es")
    for said in [*lines, summary]:
        assert isinstance(said, Said)
        assert isinstance(said.template, str)
        words = {key: in_language(value, t) for key, value in said.words.items()}
        assert in_language(said, t) == t(said.template).format(**words)

    def bracketed(text: str) -> str:  # a language of its own: each of pdkit's texts marked
        return f"[{text}]"

    assert in_language(lines[1], bracketed) == f"[opted out: Teacher 1, [{overdue}]]"
    assert in_language(summary, bracketed).startswith("[would send 2, ")
    assert in_language("not pdkit's", bracketed) == "not pdkit's"


def test_a_server_that_is_down_is_a_clear_error_and_nothing_is_marked(store: Store) -> None:
    from _servers import free_port

    _teachers(store, 2)
    down = SmtpSettings.from_url(f"smtp://127.0.0.1:{free_port()}?timeout=3", password="")
    with pytest.raises(OutreachError, match="refused the connection"):
        send_reminders(store, down, base_url=BASE, rate=0)
    assert store.reminders() == []


def test_a_refused_message_is_counted_failed_and_not_marked_sent(
    store: Store, server: SmtpServer
) -> None:
    ana, ben = _teachers(store, 2)
    server.before_accept = lambda n, to: "550 mailbox unavailable" if "t0@" in to[0] else None
    report = send_reminders(store, _settings(server), base_url=BASE, rate=0)
    assert (report.sent, report.failed) == (1, 1)
    assert "550" in report.failures[0]
    states = {r[0]: r[3] for r in store.reminders()}
    assert states == {ana.id: "sending", ben.id: "sent"}  # Ana's is tried again later
    server.before_accept = None
    assert send_reminders(store, _settings(server), base_url=BASE, rate=0).in_progress == 1
    later = send_reminders(store, _settings(server), base_url=BASE, rate=0, reclaim_after=0)
    assert later.sent == 1
    assert server.per_recipient() == {"t0@school.test": 1, "t1@school.test": 1}


def test_starttls_and_a_login(store: Store, tmp_path: Path) -> None:
    _teachers(store, 2)
    with smtp_server(starttls_dir=tmp_path) as server:
        wrong = SmtpSettings.from_url(server.url, password="not-it")
        with pytest.raises(OutreachError, match="refused the login") as caught:
            send_reminders(store, wrong, base_url=BASE, rate=0)
        assert "not-it" not in str(caught.value)
        untrusted = SmtpSettings.from_url(server.url.split("?")[0], password=PASSWORD)
        with pytest.raises(OutreachError, match="TLS with the mail server"):
            send_reminders(store, untrusted, base_url=BASE, rate=0)
        assert store.reminders() == []
        good = SmtpSettings.from_url(server.url, password=PASSWORD)
        report = send_reminders(store, good, base_url=BASE, rate=0)
        assert report.sent == 2
        assert server.count() == 2


@pytest.mark.slow
def test_tls_from_the_start(store: Store, tmp_path: Path) -> None:
    _teachers(store, 2)
    with smtp_server(tls_dir=tmp_path) as server:
        plain = server.url.replace("smtps://", "smtp+starttls://")  # the wrong port's scheme
        with pytest.raises(OutreachError, match=r"did not answer|cannot be reached|TLS"):
            send_reminders(
                store,
                SmtpSettings.from_url(plain + "&timeout=3", password=PASSWORD),
                base_url=BASE,
                rate=0,
            )
        report = send_reminders(
            store, SmtpSettings.from_url(server.url, password=PASSWORD), base_url=BASE, rate=0
        )
        assert report.sent == 2
        assert server.count() == 2


@pytest.mark.slow
def test_a_server_that_never_answers_times_out(store: Store) -> None:
    import socket
    import time

    _teachers(store, 1)
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        port = silent.getsockname()[1]
        settings = SmtpSettings.from_url(f"smtp://127.0.0.1:{port}?timeout=1", password="")
        started = time.monotonic()
        with pytest.raises(OutreachError, match="did not answer within 1 s"):
            send_reminders(store, settings, base_url=BASE, rate=0)
        assert time.monotonic() - started < 10
    assert store.reminders() == []


@pytest.mark.slow
def test_a_batch_claimed_too_long_ago_is_left_for_a_later_run(
    store: Store, server: SmtpServer
) -> None:
    """With a server so slow that a batch's claims would soon look abandoned, the run
    leaves the rest of the batch claimed (a later run sends it) instead of racing."""
    import time

    _teachers(store, 3)

    def slow(accepted: int, to: list[str]) -> None:
        time.sleep(1.0)

    server.before_accept = slow
    # A run starts messages for a third of reclaim_after (1.5 s): the second message starts
    # at about 1 s, the third after 2 s, past the limit. The margins leave half a second
    # for a busy machine either way (at 0.4 s and 0.5 s, a loaded CI machine sent one).
    report = send_reminders(store, _settings(server), base_url=BASE, rate=0, reclaim_after=4.5)
    assert report.sent == 2
    assert report.in_progress == 1
    assert "in progress elsewhere 1" in report.summary()
    server.before_accept = None
    time.sleep(4.6)  # the claim left is now older than reclaim_after
    later = send_reminders(store, _settings(server), base_url=BASE, rate=0, reclaim_after=4.5)
    assert later.sent == 1
    assert len(server.per_recipient()) == 3
    assert set(server.per_recipient().values()) == {1}


def test_the_rate_limit_spaces_messages(store: Store, server: SmtpServer) -> None:
    import time

    _teachers(store, 4)
    started = time.monotonic()
    send_reminders(store, _settings(server), base_url=BASE, rate=10)
    assert time.monotonic() - started >= 0.3  # 4 messages at 10 a second: 3 gaps
    assert server.count() == 4


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def test_two_senders_at_once_send_each_reminder_once(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path, server: SmtpServer
) -> None:
    url = (
        str(tmp_path / "s.sqlite3")
        if backend == "sqlite"
        else str(request.getfixturevalue("postgres_url"))
    )
    first, second = open_store(url), open_store(url)
    _teachers(first, 30)
    reports = []

    def run(store: Store) -> None:
        reports.append(send_reminders(store, _settings(server), base_url=BASE, rate=0))

    threads = [threading.Thread(target=run, args=(s,)) for s in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    counts = server.per_recipient()
    assert len(counts) == 30
    assert set(counts.values()) == {1}
    assert sum(r.sent for r in reports) == 30
    assert sum(r.sent + r.already_sent + r.in_progress for r in reports) == 60
    first.close()
    second.close()


# --------------------------------------------------------------------------- the command


def _pdkit(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pdkit", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
        check=False,
    )


@pytest.mark.slow  # runs pdkit as a program (make test runs it, make check does not)
def test_pdkit_remind_prints_a_summary_and_a_dry_run_lists_names(
    tmp_path: Path, server: SmtpServer
) -> None:
    path = tmp_path / "s.sqlite3"
    store = open_store(path)
    _ana, ben = _teachers(store, 2)
    store.opt_out(ben.id)
    store.close()
    dry = _pdkit("remind", "--store", str(path), "--base-url", BASE, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "would send: Teacher 0 <t0@school.test>" in dry.stdout
    assert "would send 1, already sent 0, opted out 1, no address 0, failed 0" in dry.stdout
    assert server.count() == 0
    done = _pdkit(
        "remind", "--store", str(path), "--base-url", BASE, "--rate", "0",
        env={"PDKIT_SMTP_URL": server.url, "PDKIT_SMTP_PASSWORD": ""},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert f"through {server.url}" in done.stdout
    assert "sent 1, already sent 0, opted out 1" in done.stdout
    again = _pdkit("remind", "--store", str(path), "--base-url", BASE, "--smtp", server.url)
    assert "sent 0, already sent 1" in again.stdout
    store = open_store(path)
    (session,) = store.sessions()
    store.close()
    by_code = _pdkit(
        "remind", "--store", str(path), "--base-url", BASE, "--dry-run", "--session", session.code
    )
    assert "would send 0, already sent 1, opted out 1" in by_code.stdout
    unknown = _pdkit(
        "remind", "--store", str(path), "--base-url", BASE, "--dry-run", "--session", "ZZZ-ZZZ"
    )
    assert unknown.returncode == 2
    assert "no session 'ZZZ-ZZZ'" in unknown.stderr
    assert server.count() == 1


@pytest.mark.slow  # runs pdkit as a program (make test runs it, make check does not)
def test_pdkit_remind_says_what_is_wrong(tmp_path: Path) -> None:
    from _servers import free_port

    path = tmp_path / "s.sqlite3"
    store = open_store(path)
    _teachers(store, 1)
    store.close()
    missing = _pdkit("remind", "--store", str(path))
    assert missing.returncode == 2
    assert "--base-url" in missing.stderr
    down = _pdkit(
        "remind", "--store", str(path), "--base-url", BASE,
        "--smtp", f"smtp://127.0.0.1:{free_port()}",
    )  # fmt: skip
    assert down.returncode == 2
    assert "refused the connection" in down.stderr
    assert "Traceback" not in down.stderr
    secret = _pdkit(
        "remind", "--store", str(path), "--base-url", BASE,
        "--smtp", "smtp+starttls://u:hunter2@127.0.0.1:1",
    )  # fmt: skip
    assert secret.returncode == 2
    assert "hunter2" not in secret.stderr + secret.stdout
    bad_base = _pdkit("remind", "--store", str(path), "--base-url", "pd.school", "--dry-run")
    assert bad_base.returncode == 2
    assert "--base-url" in bad_base.stderr


def _killed_half_way(store_url: str, server: SmtpServer, count: int, kill_at: int) -> None:
    """Run ``pdkit remind`` and SIGKILL it when the server is handed message
    ``kill_at + 1`` (which the server then does not accept: the sender dies between its
    claim and the server's acceptance); run it again at once: the killed run's claims are
    of a process of this machine that is gone, so they are taken over, and every teacher
    has exactly one message; a run later sends nothing more."""
    proc: list[subprocess.Popen[str]] = []

    def kill(accepted: int, to: list[str]) -> str | None:
        if accepted == kill_at and proc:
            os.kill(proc[0].pid, signal.SIGKILL)
            return "421 going away"
        return None

    server.before_accept = kill
    command = [
        sys.executable, "-m", "pdkit", "remind", "--store", store_url, "--base-url", BASE,
        "--smtp", server.url, "--rate", "0", "--quiet",
    ]  # fmt: skip
    proc.append(subprocess.Popen(command, text=True, stdout=subprocess.DEVNULL))
    assert proc[0].wait(120) == -signal.SIGKILL
    server.before_accept = None
    assert server.count() == kill_at

    second = _pdkit(*command[3:])  # at once: no waiting for the killed run's claims to age
    assert second.returncode == 0, second.stderr
    sent, left = _counts(second.stdout, "sent"), _counts(second.stdout, "in progress elsewhere")
    assert _counts(second.stdout, "already sent") == kill_at
    assert left == 0  # the killed run's claims were taken over
    assert sent == count - kill_at
    assert server.count() == count

    later = _pdkit(*command[3:], env={"PDKIT_CLOCK_OFFSET": "400"})
    assert _counts(later.stdout, "sent") == 0, later.stdout
    counts = server.per_recipient()
    assert len(counts) == count
    assert set(counts.values()) == {1}  # each one exactly once


def _counts(summary: str, what: str) -> int:
    found = re.search(rf"(?:: |, ){what} (\d+)", summary)
    return int(found.group(1)) if found else 0


@pytest.mark.slow
def test_a_killed_run_then_the_next_send_each_missing_one_exactly_once(
    tmp_path: Path, server: SmtpServer
) -> None:
    path = tmp_path / "s.sqlite3"
    store = open_store(path)
    _teachers(store, 120)
    store.close()
    _killed_half_way(str(path), server, 120, 67)


@pytest.mark.slow
def test_a_run_killed_at_any_moment_loses_nothing_and_repeats_at_most_one(
    tmp_path: Path, server: SmtpServer
) -> None:
    """SIGKILL from outside once the server accepted 30 messages, at whatever point the
    sender is: each teacher still gets their reminder after the next runs, and at most one
    message (the one accepted in the instant before the store said "sent") goes twice,
    with the same Message-ID (the documented at-least-once instant)."""
    import time

    path = tmp_path / "s.sqlite3"
    store = open_store(path)
    _teachers(store, 80)
    store.close()
    command = [
        sys.executable, "-m", "pdkit", "remind", "--store", str(path), "--base-url", BASE,
        "--smtp", server.url, "--rate", "0", "--quiet",
    ]  # fmt: skip
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while server.count() < 30 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.001)
    proc.kill()
    proc.wait(30)
    assert 30 <= server.count() < 80  # killed half-way
    _pdkit(*command[3:])
    _pdkit(*command[3:], env={"PDKIT_CLOCK_OFFSET": "400"})
    counts = server.per_recipient()
    assert len(counts) == 80
    twice = [who for who, n in counts.items() if n > 1]
    assert len(twice) <= 1
    assert max(counts.values()) <= 2
    for who in twice:
        ids = {m.message["Message-ID"] for m in server.messages if m.recipients == [who]}
        assert len(ids) == 1


@pytest.mark.postgres
def test_a_killed_run_on_postgresql(postgres_url: str, server: SmtpServer) -> None:
    store = open_store(postgres_url)
    _teachers(store, 60)
    store.close()
    _killed_half_way(postgres_url, server, 60, 9)
