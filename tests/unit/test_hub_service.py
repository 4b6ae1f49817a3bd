"""The pdkit hub service and its client store (``pdkit-hub://``), in one process: the
service answers on a real local HTTP port; who holds which token stands in for the hub
(the real hub is in tests/deploy/test_hub.py). Each call is checked for the caller the
token names: the allowlist, self arguments, viewers, facilitators and coaches by group."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from pdkit.errors import AccessError, StoreError
from pdkit.serve._hub_rules import RULES, Caller
from pdkit.serve.hub_service import serve
from pdkit.store import Participant, Store, Viewer, open_store
from pdkit.store._hub import HubStore
from pdkit.store._wire import decode, encode

VERSION = "goal-setting@1"
SECRET = "I am not sure I can keep this up"

TOKENS = {
    "t-ana": Caller("ana"),
    "t-ben": Caller("ben"),
    "t-cal": Caller("cal", coach=True),
    "t-fay": Caller("fay", facilitator=True),
}


@dataclass
class Hub:
    url: str
    store: Store  # the service's own store: what the tests check as its holder

    def client(self, token: str) -> Store:
        return open_store_with_token(self.url, token)


def open_store_with_token(url: str, token: str) -> Store:
    store: Store = HubStore(url, token=token)  # type: ignore[assignment]
    return store


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[Hub]:
    store = open_store(tmp_path / "service.sqlite3")
    started = threading.Event()
    servers = []

    def ready(server: object) -> None:
        servers.append(server)
        started.set()

    thread = threading.Thread(
        target=serve,
        args=(store, TOKENS.get),
        kwargs={"host": "127.0.0.1", "port": 0, "prefix": "/services/pdkit/", "ready": ready},
        daemon=True,
    )
    thread.start()
    assert started.wait(10)
    port = servers[0].server_address[1]  # type: ignore[attr-defined]
    yield Hub(f"pdkit-hub://127.0.0.1:{port}/services/pdkit/", store)
    servers[0].shutdown()  # type: ignore[attr-defined]
    thread.join(10)
    store.close()


def _join(store: Store, user: str, role: str = "teacher") -> Participant:
    person, _ = store.create_participant(user, external_id=f"jupyterhub:{user}", role=role)
    return person


def test_each_user_writes_and_reads_their_own_and_none_of_anothers_private(hub: Hub) -> None:
    ana_store, ben_store = hub.client("t-ana"), hub.client("t-ben")
    ana, ben = _join(ana_store, "ana"), _join(ben_store, "ben")
    assert ana_store.participant_for_external_id("jupyterhub:ana") == ana
    ana_store.record(ana.id, "reflection", {"worry": SECRET}, spec_version=VERSION)
    assert ana_store.latest(ana.id, "reflection", viewer=ana.id) == {"worry": SECRET}
    assert hub.store.latest(ana.id, "reflection", viewer=ana.id) == {"worry": SECRET}

    # Ben, with his own token, names Ana every way a store call can.
    tries = [
        lambda: ben_store.latest(ana.id, "reflection", viewer=ben.id),  # the store refuses
        lambda: ben_store.latest(ana.id, "reflection", viewer=ana.id),
        lambda: ben_store.latest(ana.id, "reflection", viewer=Viewer.of(ana.id)),
        lambda: ben_store.latest(ana.id, "reflection", viewer=Viewer.steward(include_private=True)),
        lambda: ben_store.latest(
            ana.id, "reflection", viewer=Viewer(participant=ben.id, is_steward=True)
        ),
        lambda: ben_store.latest(ana.id, "reflection", viewer=Viewer.facilitator("default")),
        lambda: ben_store.history(ana.id, "reflection", viewer=ana.id),
        lambda: ben_store.participant_for_external_id("jupyterhub:ana"),
        lambda: ben_store.create_participant("ana", external_id="jupyterhub:ana"),
        lambda: ben_store.create_participant("ana2", external_id="jupyterhub:ben"),
        lambda: ben_store.record(
            ana.id, "reflection", {"worry": "overwritten"}, spec_version=VERSION
        ),
        lambda: ben_store.set_visibility(ana.id, "reflection", "session"),
        lambda: ben_store.participants(),
        lambda: ben_store.issue_link(ana.id, "resume"),
        lambda: ben_store.participant_for_token("anything"),
        lambda: ben_store.facilitator_key_ok("default", "guess"),
        lambda: ben_store.reminders(ana.id),
        lambda: ben_store.close_and_dump_everything(),
    ]
    for number, attempt in enumerate(tries):
        try:
            answered = attempt()
        except AccessError:
            continue
        pytest.fail(f"try {number} was answered: {answered!r}")
    # What Ben reads of everyone's shared items does not include Ana's private one.
    assert ben_store.shared("reflection", viewer=ben.id) == []
    assert hub.store.latest(ana.id, "reflection", viewer=ana.id) == {"worry": SECRET}
    assert "reflection" in ana_store.answered_forms(ana.id)


def test_a_token_the_hub_does_not_know_is_refused(hub: Hub) -> None:
    with pytest.raises(AccessError, match="does not know this token"):
        hub.client("t-forged").participant_for_external_id("jupyterhub:ana")
    with pytest.raises(StoreError, match="JUPYTERHUB_API_TOKEN"):
        HubStore(hub.url, token="")


def test_a_coach_in_the_coaches_group_reads_what_is_shared_with_coaches_only(hub: Hub) -> None:
    ana_store, cal_store = hub.client("t-ana"), hub.client("t-cal")
    ana = _join(ana_store, "ana")
    with pytest.raises(AccessError, match="coaches group"):
        hub.client("t-ben").create_participant("ben", external_id="jupyterhub:ben", role="coach")
    cal = _join(cal_store, "cal", role="coach")
    assert cal.role == "coach"
    hub.store.assign_coach(cal.id, [ana.id])  # the administrator, on the service's store
    ana_store.record(ana.id, "goal-setting", {"goal": "More talk"}, spec_version=VERSION)
    ana_store.set_visibility(ana.id, "goal-setting", "coach")
    ana_store.record(ana.id, "reflection", {"worry": SECRET}, spec_version=VERSION)
    assert cal_store.latest(ana.id, "goal-setting", viewer=cal.id) == {"goal": "More talk"}
    with pytest.raises(AccessError):
        cal_store.latest(ana.id, "reflection", viewer=cal.id)
    assert cal_store.coached_by(cal.id) == [ana.id]
    cal_store.add_comment(cal.id, ana.id, "Good start")
    ben = _join(hub.client("t-ben"), "ben")
    with pytest.raises(AccessError, match="does not coach"):
        cal_store.add_comment(cal.id, ben.id, "Not my teacher")


def test_observation_reads_name_the_caller_as_their_viewer(hub: Hub) -> None:
    ana_store, ben_store = hub.client("t-ana"), hub.client("t-ben")
    ana, ben = _join(ana_store, "ana"), _join(ben_store, "ben")
    ana_store.attend(ana.id, "default")
    ben_store.attend(ben.id, "default")
    ana_store.record(ana.id, "goal-setting", {"goal": "More talk"}, spec_version=VERSION)
    assert [p.id for p in ana_store.observation_colleagues(ana.id, viewer=ana.id)] == [ben.id]
    ana_store.invite_observer(ana.id, ben.id)
    assert ben_store.observable(ben.id, viewer=ben.id) == [ana.id]
    assert ben_store.may_observe(ben.id, ana.id, viewer=ben.id)
    assert ana_store.goal_version(ana.id, viewer=ana.id) == 1
    # Asking as someone else, or for someone else's list, is refused by the service.
    with pytest.raises(AccessError):
        ben_store.observation_colleagues(ana.id, viewer=ana.id)
    with pytest.raises(AccessError):
        ben_store.observable(ben.id, viewer=ana.id)
    assert ben_store.goal_version(ana.id, viewer=ben.id) == 1  # he is invited to observe
    cal_store = hub.client("t-cal")
    cal = _join(cal_store, "cal", role="coach")  # not Ana's coach, not invited
    with pytest.raises(AccessError):
        cal_store.goal_version(ana.id, viewer=cal.id)


def test_facilitator_rights_come_from_the_group(hub: Hub) -> None:
    _join(hub.client("t-ana"), "ana")
    fay_store = hub.client("t-fay")
    _join(fay_store, "fay")
    assert [p.display_name for p in fay_store.participants()] == ["ana", "fay"]
    statuses = fay_store.statuses("default")
    assert len(statuses) == 2
    assert fay_store.shared("reflection", viewer=Viewer.facilitator("default")) == []
    with pytest.raises(AccessError, match="facilitators group"):
        hub.client("t-ana").statuses("default")
    roles = hub.client("t-fay").hub_roles()  # type: ignore[attr-defined]
    assert roles == {"user": "fay", "facilitator": True, "coach": False}


def test_the_goal_setting_workbook_runs_on_the_hub_store(
    hub: Hub, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pdkit.app import ParticipantApp, Workbook

    monkeypatch.setenv("JUPYTERHUB_USER", "ana")
    workbook = Workbook("goal-setting", store=hub.client("t-ana"))
    assert workbook.error is None
    assert isinstance(workbook.app, ParticipantApp)
    participant = workbook.app.sign_in.participant
    assert participant is not None
    assert participant.external_id == "jupyterhub:ana"
    assert hub.store.participant_for_external_id("jupyterhub:ana") == participant
    assert workbook.section(0).children


def test_a_service_that_does_not_answer_fails_in_bounded_time() -> None:
    quiet = socket.socket()
    quiet.bind(("127.0.0.1", 0))
    quiet.listen(1)  # accepts the connection, never answers
    port = quiet.getsockname()[1]
    store = HubStore(f"pdkit-hub://127.0.0.1:{port}/", token="t", timeout=0.5)
    began = time.monotonic()
    with pytest.raises(StoreError, match=r"did not answer within 0\.5 s"):
        store.get_participant("x")  # type: ignore[attr-defined]
    assert time.monotonic() - began < 5
    quiet.close()
    with pytest.raises(StoreError, match="cannot reach"):
        HubStore(f"pdkit-hub://127.0.0.1:{port}/", token="t").get_participant("x")  # type: ignore[attr-defined]
    with pytest.raises(StoreError, match="not a pdkit hub service URL"):
        HubStore("pdkit-hub:///nohost", token="t")


def test_the_wire_carries_records_and_refuses_the_unknown() -> None:
    person = Participant(id="p1", display_name="ana", external_id="jupyterhub:ana")
    value = {"who": person, "when": (1, 2.5, None), "v": Viewer.of("p1"), 3: ["x"]}
    assert decode(encode(value)) == value
    with pytest.raises(StoreError):
        encode(object())
    with pytest.raises(StoreError):
        decode({"t": "record", "c": "Popen", "v": {}})


def test_every_rule_names_a_store_method() -> None:
    store = open_store("memory://")
    try:
        for method in RULES:
            assert callable(getattr(store, method)), method
    finally:
        store.close()


def test_the_facilitator_page_opens_for_the_facilitators_group_only(hub: Hub) -> None:
    from pdkit.app import FacilitatorApp

    _join(hub.client("t-ana"), "ana")
    _join(hub.client("t-fay"), "fay")
    page = FacilitatorApp(store=hub.client("t-fay"))
    assert page.dashboard is not None, "a member of the facilitators group, without a key"
    page._close()
    refused = FacilitatorApp(store=hub.client("t-ana"))
    assert refused.dashboard is None
    assert "facilitators group" in refused.body.children[0].value
    refused._check()  # the browser's report does not open it either
    assert refused.dashboard is None


def test_the_command_says_the_hub_starts_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from pdkit.cli import main

    for name in ("JUPYTERHUB_API_TOKEN", "JUPYTERHUB_API_URL", "JUPYTERHUB_SERVICE_NAME"):
        monkeypatch.delenv(name, raising=False)
    assert main(["hub-service", "--store", str(tmp_path / "s.sqlite3")]) == 2
    error = capsys.readouterr().err
    assert "started by JupyterHub" in error
    assert "$JUPYTERHUB_API_TOKEN" in error


STOPPABLE = """
import signal, sys
from pdkit import open_store
from pdkit.serve.hub_service import serve
store = open_store("memory://")
serve(store, lambda token: None, host="127.0.0.1", port=0,
      ready=lambda server: print("ready", flush=True))
store.close()
print("stopped", flush=True)
"""


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_the_service_stops_at_once_on_sigint_and_sigterm_even_if_started_ignoring_them(
    signum: int,
) -> None:
    """JupyterHub stops a managed service with SIGINT, and waits 10 s before SIGTERM; a
    process started in a shell's background inherits SIGINT ignored. The service stops
    within a second either way, and closes its store."""
    proc = subprocess.Popen(
        [sys.executable, "-c", STOPPABLE],
        stdout=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready"
        began = time.monotonic()
        proc.send_signal(signum)
        assert proc.wait(timeout=10) == 0
        assert time.monotonic() - began < 2
        assert proc.stdout.read().strip() == "stopped"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()
