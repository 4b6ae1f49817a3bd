"""The commands of micro-credentials and learning records: ``pdkit credential keygen``,
``pdkit credential verify`` (who, what, when; non-zero on any tampering) and ``pdkit
records`` (xAPI statements as JSON lines, an hours summary per teacher), on a store
that holds one awarded credential, a session day and a presented round."""

from __future__ import annotations

import base64
import csv
import json
import re
import stat
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pdkit import pacing
from pdkit.badges import Issuer, open_badge, sign
from pdkit.cli import main
from pdkit.credentials import SubmissionItem
from pdkit.definitions import load_credential
from pdkit.pacing import RunState
from pdkit.records import VERBS
from pdkit.store import open_store
from pdkit.testing import FakeClock

T0 = 1_800_000_000.0
GOOD = {"questions": "proficient", "talk-grows": "exemplary", "uses-feedback": "proficient"}


def test_keygen_writes_a_private_key_only_its_owner_reads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["credential", "keygen", "--out", str(tmp_path / "keys")]) == 0
    private = tmp_path / "keys" / "credential-key.pem"
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert "keep it secret" in capsys.readouterr().out
    assert main(["credential", "keygen", "--out", str(tmp_path / "keys")]) == 2
    assert "never overwrites" in capsys.readouterr().err


def _tampered(token: str, **change: object) -> str:
    head, body, signature = token.split(".")
    payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    payload.update(change)
    raw = base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=").decode()
    return f"{head}.{raw}.{signature}"


def test_verify_says_who_what_when_and_fails_on_tampering(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["credential", "keygen", "--out", str(tmp_path)]) == 0
    credential = open_badge(
        load_credential("feedback-moves-learning"),
        issuer=Issuer("Sample District", "https://pd.example.org"),
        participant_id="p-1",
        name="Ana López",
        items=[SubmissionItem("goal", "goal_version", "goal@1", "My goal")],
        awarded_at=datetime(2026, 12, 2, 15, 0, tzinfo=UTC),
    )
    token = sign(credential, tmp_path / "credential-key.pem")
    good = tmp_path / "ana.jwt"
    good.write_text(token, encoding="utf-8")
    capsys.readouterr()
    key = str(tmp_path / "credential-key.pub.pem")
    assert main(["credential", "verify", str(good), "--key", key]) == 0
    said = capsys.readouterr().out
    assert "who:  Ana López (urn:uuid:" in said
    assert "what: Feedback that moves learning forward" in said
    assert "from: Sample District" in said
    assert "when: 2026-12-02T15:00:00Z" in said
    bad = tmp_path / "bad.jwt"
    bad.write_text(_tampered(token, validFrom="2020-01-01T00:00:00Z"), encoding="utf-8")
    assert main(["credential", "verify", str(bad), "--key", key]) == 1
    assert "NOT VERIFIED: the signature does not match" in capsys.readouterr().err
    bad.write_text("not a credential", encoding="utf-8")
    assert main(["credential", "verify", str(bad)]) == 1
    assert main(["credential", "verify", str(tmp_path / "missing.jwt")]) == 2


@dataclass
class Day:
    url: str
    ana: str
    ben: str


@pytest.fixture
def day(tmp_path: Path) -> Day:
    url = str(tmp_path / "s.sqlite3")
    store = open_store(url)
    store._clock = FakeClock(T0, step=60.0)  # type: ignore[attr-defined]
    ana, _ = store.create_participant("Ana", external_id="ana")
    ben, _ = store.create_participant("Ben")
    coach, _ = store.create_participant("Carla", role="coach")
    store.assign_coach(coach.id, [ana.id])
    store.record(ana.id, "goal-setting", {"school_goal": "talk"}, spec_version="goal-setting@1")
    store.record(ana.id, "goal-setting", {"goal": "Open questions"}, spec_version="goal-setting@1")
    store.record(ben.id, "goal-setting", {"goal": "Only half"}, spec_version="goal-setting@1")
    (group,) = store.set_groups("default", [[ana.id, ben.id]])
    roles = {group.id: {ana.id: "presenter", ben.id: "facilitator"}}
    state = RunState(step=0, status=pacing.RUNNING, started_at=T0, allotted=300.0)
    store.start_run("default", "tuning", "tuning@1", roles, state)
    talk = load_credential("questioning-for-talk")
    items = [
        SubmissionItem("goal", "goal_version", "goal@1", "v1"),
        SubmissionItem("goal", "goal_version", "goal@2", "v2"),
        SubmissionItem("measure", "check_in", "c1", "c1", measure=True),
        SubmissionItem("measure", "check_in", "c2", "c2", measure=True),
        SubmissionItem("feedback", "feedback", "f", "f"),
        SubmissionItem("evidence", "evidence", "e", "e"),
        SubmissionItem("reflection", "reflection", "r", "Private reflection words"),
    ]
    sub = store.submit_credential(ana.id, talk, items, {"goal": "Secret statement"})
    store.assess_submission(
        sub.id, talk, scores=GOOD, decision="award", by=coach.id, token="head.body.signature"
    )
    store.close()
    return Day(url, ana.id, ben.id)


def test_records_writes_xapi_statements_and_hours(
    day: Day, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    command = [
        "records",
        "--store",
        day.url,
        "--out",
        str(out),
        "--home-page",
        "https://hub.example.org",
    ]
    assert main([*command, "--session-hours", "6"]) == 0
    assert re.search(r"pdkit: wrote \d+ statements? to ", capsys.readouterr().out)
    lines = (out / "statements.jsonl").read_text("utf-8").splitlines()
    found = [json.loads(line) for line in lines]
    with open_store(day.url) as store:
        ana_pseudonym = store.pseudonym(day.ana)
    by_verb: dict[str, list[dict[str, object]]] = {}
    for statement in found:
        assert statement["actor"]["objectType"] == "Agent"
        assert statement["actor"]["account"]["homePage"] == "https://hub.example.org"
        assert statement["version"] == "1.0.3"
        assert statement["timestamp"].endswith("Z")
        by_verb.setdefault(statement["verb"]["id"], []).append(statement)
    assert set(by_verb) == set(VERBS.values())
    (completed,) = by_verb[VERBS["completed"]]  # Ana answered every required field; Ben did not
    assert completed["actor"]["account"]["name"] == ana_pseudonym
    assert completed["object"]["id"] == "https://hub.example.org/forms/goal-setting"
    (presented,) = by_verb[VERBS["presented"]]
    assert presented["actor"]["account"]["name"] == ana_pseudonym
    (earned,) = by_verb[VERBS["earned"]]
    assert earned["object"]["id"].endswith("/micro-credentials/questioning-for-talk")
    assert len(by_verb[VERBS["attended"]]) == 2  # Ana and Ben, not the coach
    text = "\n".join(lines)
    for private in ("Secret statement", "Private reflection words", "Open questions", "Ana", "Ben"):
        assert private not in text
    counted = list(csv.DictReader((out / "credentials.csv").read_text("utf-8").splitlines()))
    assert counted == [
        {
            "micro_credential": "questioning-for-talk",
            "submitted": "fewer than 5",
            "returned": "fewer than 5",
            "awarded": "fewer than 5",
        }
    ]
    hours = list(csv.DictReader((out / "hours.csv").read_text("utf-8").splitlines()))
    assert sorted(r["hours"] for r in hours) == ["6.0", "6.0"]
    again = tmp_path / "again"
    assert (
        main([*command[:4], str(again), *command[5:], "--session-hours", "6", "--hub-users"]) == 0
    )
    named = {
        json.loads(x)["actor"]["account"]["name"]
        for x in (again / "statements.jsonl").read_text("utf-8").splitlines()
    }
    assert "ana" in named  # her hub user name
    ids = [json.loads(x)["id"] for x in lines]
    assert len(set(ids)) == len(ids)
    assert main([*command[:6], "urn:x", "--session-hours", "6"]) == 2


def test_the_saved_workbook_lists_her_credential_and_no_export_holds_it(
    day: Day, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from pdkit.definitions import load_workbook
    from pdkit.notebooks import save_workbook

    with open_store(day.url) as store:
        ana = store.get_participant(day.ana)
        assert ana is not None
        mine = save_workbook(load_workbook("my-goal"), store, ana)  # her own copy
        (sub,) = store.submissions_of(day.ana, viewer=day.ana)
    listed = mine["metadata"]["pdkit"]["credentials"]
    assert listed["items"][0]["credential"] == "questioning-for-talk"
    assert listed["items"][0]["state"] == "awarded"
    assert listed["items"][0]["token"] == sub.token == "head.body.signature"
    cell = next(c for c in mine["cells"] if "pdkit-credentials" in c["metadata"].get("tags", []))
    assert "Questioning for student talk" in "".join(cell["source"])
    out = tmp_path / "export"
    assert (
        main(
            [
                "export",
                "--store",
                day.url,
                "--workbook",
                "my-goal",
                "--out",
                str(out),
                "--pseudonymous",
            ]
        )
        == 0
    )
    capsys.readouterr()
    exported = sorted(out.glob("*.ipynb"))
    assert len(exported) == 2  # Ana and Ben
    for path in exported:
        text = path.read_text("utf-8")
        assert "credentials" not in json.loads(text)["metadata"]["pdkit"]
        assert "Secret statement" not in text
        assert "Questioning for student talk" not in text


def test_serve_checks_the_credential_settings_before_starting(tmp_path: Path) -> None:
    from pdkit.badges import generate_keys
    from pdkit.serve import ServeConfig
    from pdkit.serve._voila import credential_settings

    private, public = generate_keys(tmp_path / "keys")
    env: dict[str, str] = {}
    good = ServeConfig(
        issuer_name="Sample District",
        issuer_url="https://pd.example.org",
        credential_key=private,
        micro_credentials=Path("templates/micro-credentials"),
    )
    assert credential_settings(good, env) == []
    assert json.loads(env["PDKIT_CREDENTIAL_ISSUER"])["url"] == "https://pd.example.org"
    assert env["PDKIT_CREDENTIAL_KEY"] == str(private.resolve())
    assert env["PDKIT_MICRO_CREDENTIALS"].endswith("micro-credentials")
    public_only = ServeConfig(
        issuer_name="D", issuer_url="https://d.example", credential_key=public
    )
    (problem,) = credential_settings(public_only, {})
    assert "is a public key" in str(problem)
    no_issuer = ServeConfig(credential_key=private)
    (problem,) = credential_settings(no_issuer, {})
    assert "needs --issuer-name and --issuer-url" in str(problem)
    (problem,) = credential_settings(ServeConfig(issuer_name="D", issuer_url="d.example"), {})
    assert "give both --issuer-name and --issuer-url" in str(problem)
    broken = tmp_path / "district"
    broken.mkdir()
    (broken / "m.yaml").write_text("kind: micro-credential\nid: m\n", encoding="utf-8")
    (problem,) = credential_settings(ServeConfig(micro_credentials=broken), {})
    assert "m.yaml" in str(problem)
