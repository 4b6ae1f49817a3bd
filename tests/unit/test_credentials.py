"""Micro-credentials: the ``kind: micro-credential`` definition (the shipped examples,
its checks, hostile files), the rules of :mod:`pdkit.credentials` (requirements, the
rubric, student data, who reads), and :mod:`pdkit.badges` (the Open Badges 3.0
credential, validated against 1EdTech's JSON Schema; signing, verifying, tampering)."""

from __future__ import annotations

import base64
import json
import stat
import time
from datetime import UTC, datetime
from pathlib import Path

import jsonschema
import pytest

from pdkit.badges import Issuer, generate_keys, open_badge, sign, subject_id, verify
from pdkit.cli import main
from pdkit.credentials import (
    SubmissionItem,
    check_scores,
    check_submission,
    may_read,
    missing,
    passes,
    student_data_refusal,
)
from pdkit.definitions import (
    builtin_credentials,
    default_school_goals,
    load_credential,
    parse_definition,
    validate_text,
)
from pdkit.errors import CredentialError, DefinitionError

OB_SCHEMA = Path(__file__).parents[1] / "data" / "ob_v3p0_achievementcredential_schema.json"
ISSUER = Issuer("Sample District", "https://pd.district.example.org", "pd@district.example.org")


def ob_validator() -> jsonschema.Draft201909Validator:
    schema = json.loads(OB_SCHEMA.read_text("utf-8"))
    jsonschema.Draft201909Validator.check_schema(schema)
    return jsonschema.Draft201909Validator(schema)


# --------------------------------------------------------------------------- definitions


def test_the_shipped_micro_credentials_serve_sample_school_goals() -> None:
    ids = builtin_credentials()
    assert ids == ["feedback-moves-learning", "questioning-for-talk"]
    goals = {g.id for g in default_school_goals()}
    for credential_id in ids:
        found = load_credential(credential_id)
        assert found.school_goal in goals
        assert found.coach_assesses
        assert found.pass_level in {lv.id for lv in found.levels}
    talk = load_credential("questioning-for-talk", language="es")
    assert talk.title == "Preguntas para que hablen los estudiantes"
    assert [r.item for r in talk.requirements] == [
        "goal_version",
        "check_in",
        "feedback",
        "evidence",
        "reflection",
    ]
    assert talk.requirements[1].with_measure
    assert talk.requirements[1].min == 2
    with pytest.raises(DefinitionError, match="no built-in micro-credential"):
        load_credential("questioning")
    with pytest.raises(DefinitionError, match="where a micro-credential is needed"):
        load_credential(Path("templates/goal-setting.yaml"))


HEAD = "kind: micro-credential\nid: m\nschema_version: 1\ntitle: M\ncompetency: C\nkey_method: K\n"
REQUIREMENTS = "requirements:\n  - {id: g, item: goal_version, text: G}\n"
RUBRIC = (
    "rubric:\n  levels: [{id: lo, label: Lo}, {id: hi, label: Hi}]\n  pass_level: hi\n"
    "  criteria: [{id: c, text: C}]\n"
)
ASSESSORS = "assessors: {coach: true}\n"


def doc(requirements: str = REQUIREMENTS, rubric: str = RUBRIC, assessors: str = ASSESSORS) -> str:
    return HEAD + requirements + rubric + assessors


def test_a_micro_credential_is_checked() -> None:
    assert validate_text(doc()) == []
    cases = {
        "used twice": doc(
            requirements="requirements:\n  - {id: g, item: goal_version, text: G}\n"
            "  - {id: g, item: evidence, text: E}\n"
        ),
        "not one of the rubric's levels": doc(
            rubric=RUBRIC.replace("pass_level: hi", "pass_level: x")
        ),
        "at least one assessor": doc(assessors="assessors: {coach: false}\n"),
        "applies to a check_in": doc(
            requirements="requirements:\n  - {id: g, item: evidence, text: E, with_measure: true}\n"
        ),
    }
    for said, text in cases.items():
        with pytest.raises(DefinitionError, match=said):
            parse_definition(text, file="m.yaml")
    wrong_kind = doc(requirements="requirements:\n  - {id: g, item: photo, text: G}\n")
    problems = validate_text(wrong_kind, file="m.yaml")
    assert problems
    assert "requirements[0].item" in str(problems[0])
    named = parse_definition(doc(assessors="assessors: {reviewers: ['  Ana   López ', t-17]}\n"))
    assert named.reviewers == ("Ana López", "t-17")
    assert not named.coach_assesses


@pytest.mark.parametrize(
    "text",
    [
        # an alias bomb in a requirement list
        HEAD
        + "a0: &a0 [x, x, x, x, x, x, x, x, x]\n"
        + "".join(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]\n" for i in range(1, 9))
        + "requirements: *a8\n"
        + RUBRIC
        + ASSESSORS,
        doc(requirements="requirements:\n" + "  - {id: g, item: goal_version, text: G}\n" * 5000),
        doc(rubric=RUBRIC.replace("text: C", "text: " + "c" * 2_000_000)),
        doc(assessors="assessors: {reviewers: [" + ", ".join(["x"] * 10_000) + "]}\n"),
        HEAD + "requirements:" + " [" * 5000 + "]" * 5000 + "\n",
    ],
    ids=["aliases", "wide", "long", "many-reviewers", "deep"],
)
def test_a_hostile_micro_credential_is_refused_quickly(text: str) -> None:
    started = time.perf_counter()
    problems = validate_text(text, file="m.yaml")
    assert problems
    assert all(len(str(p)) < 500 for p in problems[:5])
    with pytest.raises(DefinitionError):
        parse_definition(text, file="m.yaml")
    assert time.perf_counter() - started < 4.0


def test_pdkit_validate_checks_the_shipped_micro_credentials(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["validate", "templates/micro-credentials"]) == 0
    assert "2 files checked, no problems" in capsys.readouterr().out


# --------------------------------------------------------------------------- rules


def talk_items(*, measures: int = 2) -> list[SubmissionItem]:
    return [
        SubmissionItem("goal", "goal_version", "goal@1", "Goal, version 1", "Ask questions"),
        SubmissionItem("goal", "goal_version", "goal@2", "Goal, version 2", "Ask open questions"),
        *(
            SubmissionItem("measure", "check_in", f"checkin@{n}", f"Check-in {n}", measure=True)
            for n in range(1, measures + 1)
        ),
        SubmissionItem("feedback", "feedback", "feedback:f1", "Feedback from Bo", "Try wait time"),
        SubmissionItem("evidence", "evidence", "ev1", "Question plan", "Two open questions"),
        SubmissionItem("reflection", "reflection", "reflection", "My reflection", "More talk"),
    ]


def test_a_submission_must_meet_every_requirement() -> None:
    talk = load_credential("questioning-for-talk")
    items, said = check_submission(talk, talk_items(), {"goal": "  I revised it  ", "measure": ""})
    assert missing(talk, items) == []
    assert said == {"goal": "I revised it"}
    short = [i for i in talk_items() if i.ref != "checkin@2"]
    assert [str(lacking) for lacking in missing(talk, short)] == [
        "measure: 2 check in items with a value of the measure needed, 1 included"
    ]
    no_measure = [
        SubmissionItem(i.requirement, i.kind, i.ref, i.title) if i.kind == "check_in" else i
        for i in talk_items()
    ]
    assert [str(m).split(":")[0] for m in missing(talk, no_measure)] == ["measure"]
    with pytest.raises(CredentialError, match="asks for evidence items"):
        check_submission(talk, [SubmissionItem("evidence", "reflection", "r", "R")], {})
    with pytest.raises(CredentialError, match="no requirement 'extra'"):
        check_submission(talk, [SubmissionItem("extra", "evidence", "r", "R")], {})
    with pytest.raises(CredentialError, match="included twice"):
        check_submission(talk, [talk_items()[0], talk_items()[0]], {})
    with pytest.raises(CredentialError, match="at most 2000"):
        check_submission(talk, [], {"goal": "x" * 2001})
    with pytest.raises(CredentialError, match="no requirement"):
        check_submission(talk, [], {"nothing": "x"})
    with pytest.raises(CredentialError, match="at most 40 items"):
        check_submission(talk, [talk_items()[0]] * 41, {})


def test_the_rubric_passes_only_when_every_criterion_reaches_the_bar() -> None:
    talk = load_credential("questioning-for-talk")  # emerging < developing < proficient < exemplary
    good = {"questions": "proficient", "talk-grows": "exemplary", "uses-feedback": "proficient"}
    assert passes(talk, good)
    assert not passes(talk, {**good, "uses-feedback": "developing"})
    with pytest.raises(CredentialError, match="'talk-grows' has no level"):
        check_scores(talk, {"questions": "proficient", "uses-feedback": "proficient"})
    with pytest.raises(CredentialError, match="not a level"):
        check_scores(talk, {**good, "questions": "great"})
    with pytest.raises(CredentialError, match="no criterion"):
        check_scores(talk, {**good, "style": "proficient"})


def test_student_data_stays_with_the_coach_and_a_submission_with_its_assessors() -> None:
    flagged = [SubmissionItem("evidence", "evidence", "e", "Exit tickets", student_data=True)]
    assert student_data_refusal(flagged, ["coach-1"], ["coach-1", "coach-2"]) is None
    refusal = student_data_refusal(flagged, ["coach-1", "reviewer"], ["coach-1"])
    assert refusal is not None
    assert "student data" in refusal
    assert "Exit tickets" in refusal
    assert student_data_refusal(talk_items(), ["reviewer"], []) is None
    assert may_read("t", "t", ["c"])
    assert may_read("c", "t", ["c"])
    assert not may_read("peer", "t", ["c"])
    assert not may_read(None, "t", ["c"])


# --------------------------------------------------------------------------- badges


def award(**changes: object) -> dict[str, object]:
    talk = load_credential("questioning-for-talk")
    items = [
        *talk_items(),
        SubmissionItem("evidence", "evidence", "ev2", "Exit tickets, names", student_data=True),
    ]
    return open_badge(
        talk,
        issuer=ISSUER,
        participant_id="p-1",
        name="Ana López",
        items=items,
        awarded_at=datetime(2026, 12, 2, 15, 30, tzinfo=UTC),
        credential_id="urn:uuid:7b1e1d2c-0000-4000-8000-000000000001",
    )


def test_an_award_is_an_open_badges_3_credential_that_validates() -> None:
    credential = award()
    ob_validator().validate(credential)
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["issuer"] == {
        "id": ISSUER.url,
        "type": ["Profile"],
        "name": "Sample District",
        "email": "pd@district.example.org",
    }
    assert credential["validFrom"] == "2026-12-02T15:30:00Z"
    subject = credential["credentialSubject"]
    assert isinstance(subject, dict)
    assert subject["id"] == subject_id(ISSUER, "p-1") != subject_id(ISSUER, "p-2")
    achievement = subject["achievement"]
    assert achievement["name"] == "Questioning for student talk"
    assert "every criterion at 'Proficient' or above" in achievement["criteria"]["narrative"]
    evidence = credential["evidence"]
    assert isinstance(evidence, list)
    assert len(evidence) == 7  # the item holding student data is left out
    assert "Exit tickets" not in json.dumps(credential)
    broken = {**credential, "type": ["VerifiableCredential"]}
    assert list(ob_validator().iter_errors(broken))  # the schema can fail


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return generate_keys(tmp_path_factory.mktemp("keys") / "district")


def _tamper(token: str, change: dict[str, object]) -> str:
    head, body, signature = token.split(".")
    payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    payload.update(change)
    raw = json.dumps(payload).encode()
    return ".".join([head, base64.urlsafe_b64encode(raw).rstrip(b"=").decode(), signature])


def test_a_signed_credential_verifies_and_any_change_fails(
    keys: tuple[Path, Path], tmp_path: Path
) -> None:
    private, public = keys
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert b"PRIVATE" not in public.read_bytes()
    token = sign(award(), private)
    header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    assert header["alg"] == "ES256"
    assert header["typ"] == "JWT"
    assert "d" not in header["jwk"]
    found = verify(token, public)
    assert (found.subject_name, found.achievement, found.issuer, found.valid_from) == (
        "Ana López",
        "Questioning for student talk",
        "Sample District",
        "2026-12-02T15:30:00Z",
    )
    assert found.credential == award()
    ob_validator().validate(found.credential)
    assert verify(token).subject == found.subject  # with the key the header carries
    for change in ({"validFrom": "2020-01-01T00:00:00Z"}, {"name": "Master teacher"}):
        with pytest.raises(CredentialError, match="signature does not match"):
            verify(_tamper(token, change), public)
    other_private, _other_public = generate_keys(tmp_path / "other")
    forged = sign({**award(), "name": "Forged"}, other_private)
    with pytest.raises(CredentialError, match="another key"):
        verify(forged, public)
    for junk in ("", "a.b", "x.y.z", token.replace(".", "..", 1)):
        with pytest.raises(CredentialError):
            verify(junk, public)
    with pytest.raises(CredentialError, match="never overwrites"):
        generate_keys(private.parent)
    with pytest.raises(CredentialError, match="public key"):
        sign(award(), public)


def test_pdkit_new_micro_credential_writes_one_that_validates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["new", "micro-credential", "wait-time", "--out", str(tmp_path)]) == 0
    made = load_credential(tmp_path / "wait-time.yaml")
    assert (made.id, made.pass_level, made.coach_assesses) == ("wait-time", "met", True)
    assert main(["validate", str(tmp_path / "wait-time.yaml")]) == 0
    assert main(["new", "micro-credential", "Bad Name", "--out", str(tmp_path)]) == 2
    assert "lower-case letters" in capsys.readouterr().err


def test_credential_counts_suppress_fewer_than_5() -> None:
    from pdkit.records import credential_counts

    rows = credential_counts({"x": {"submitted": 7, "returned": 0, "awarded": 9}})
    assert rows == [{"micro_credential": "x", "submitted": 7, "returned": 0, "awarded": 9}]
    (row,) = credential_counts({"x": {"submitted": 7, "returned": 2, "awarded": 9}})
    assert row["returned"] == "fewer than 5"
    assert row["submitted"] == "fewer than 5"  # the next smallest, or 2 = 18 - 7 - 9
    assert row["awarded"] == 9
