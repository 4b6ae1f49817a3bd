"""The micro-credentials page (app/_credential.py, app/_assess.py) driven as a browser
would: a teacher ticks her own items and submits; her coach returns it with a comment;
she submits again; the coach awards it and the credential is issued, signed with the
district's key; the teacher downloads it; it verifies and validates against 1EdTech's
Open Badges 3.0 schema. A peer sees nothing to assess."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import ipywidgets as w
import jsonschema
import pytest

from pdkit.app._credential import CredentialsPart, credentials_link_html
from pdkit.badges import generate_keys, verify
from pdkit.store import Store, open_store
from pdkit.testing import FakeClock

T0 = 1_800_000_000.0
OB_SCHEMA = Path(__file__).parents[1] / "data" / "ob_v3p0_achievementcredential_schema.json"


@pytest.fixture(autouse=True)
def _close_widgets() -> Iterator[None]:
    yield
    w.Widget.close_all()


@pytest.fixture
def store() -> Iterator[Store]:
    opened = open_store("memory://")
    opened._clock = FakeClock(T0, step=4 * 3600.0)  # type: ignore[attr-defined]  # a sitting each
    yield opened
    opened.close()


def _buttons(box: Any) -> list[w.Button]:
    found: list[w.Button] = []
    for child in getattr(box, "children", ()):
        if isinstance(child, w.Button):
            found.append(child)
        found += _buttons(child)
    return found


def test_submit_return_resubmit_award_and_download(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    private, public = generate_keys(tmp_path / "keys")
    monkeypatch.setenv(
        "PDKIT_CREDENTIAL_ISSUER",
        json.dumps({"name": "Sample District", "url": "https://pd.example.org", "email": ""}),
    )
    monkeypatch.setenv("PDKIT_CREDENTIAL_KEY", str(private))
    ana, _ = store.create_participant("Ana")
    ben, _ = store.create_participant("Ben")
    coach, _ = store.create_participant("Carla", role="coach")
    store.assign_coach(coach.id, [ana.id])
    store.record(ana.id, "goal-setting", {"goal": "Feedback students use"}, spec_version="g@1")
    for value in (4, 9):
        store.record(
            ana.id,
            "exit-ticket",
            {"progress": "better", "measure_value": value},
            spec_version="e@1",
        )
    for caption in ("Feedback routine", "Before/after task"):
        store.add_evidence(ana.id, kind="other", caption=caption, text="no names")
    assert "credentials.ipynb?pdkit=tok" in credentials_link_html(
        "http://h/voila/render/my-goal.ipynb", "tok", None
    )

    teacher = CredentialsPart(store)
    teacher.build(ana)
    (form,) = teacher.forms
    assert form.definition.id == "feedback-moves-learning"
    titles = sorted(item.title for _, item in form.ticks)
    assert titles == [
        "Before/after task",
        "Check-in 1: 4",
        "Check-in 2: 9",
        "Feedback routine",
        "My goal, version 1",
    ]
    form.submit()
    assert "does not meet every requirement" in form.message.value
    for box, _ in form.ticks:
        box.value = True
    form.reflection.value = "They used the next step at once"
    form.statements["goal"].value = "My goal names the feedback routine"
    form.submit()
    assert "Submitted to your assessor" in form.message.value
    assert "waiting for your assessor" in form.state_html.value
    assert form.submit_button.disabled

    peer = CredentialsPart(store)
    peer.build(ben)
    assert peer.assess is not None
    assert _buttons(peer.assess.widget) == []  # nothing for a peer to open

    assessor = CredentialsPart(store)
    assessor.build(coach)
    assert assessor.forms == []  # a coach has no credential form of her own
    panel = assessor.assess
    assert panel is not None
    (opener,) = _buttons(panel.list_box)
    assert opener.description == "Assess Ana: Feedback that moves learning forward"
    opener.click()
    head = panel.open_box.children[0].value
    assert "They used the next step at once" in head
    assert "My goal names the feedback routine" in head
    scores = [c for c in panel.open_box.children if isinstance(c, w.Dropdown)]
    comment = next(c for c in panel.open_box.children if isinstance(c, w.Textarea))
    award, back = _buttons(panel.open_box)
    scores[0].value, scores[1].value, scores[2].value = "met", "not-yet", "met"
    award.click()
    assert "passing level" in panel.message.value
    back.click()
    assert "needs a comment" in panel.message.value
    comment.value = "Show a student acting on it"
    back.click()
    assert "Returned to Ana" in panel.message.value

    form.refresh()
    assert "Returned with comments" in form.state_html.value
    assert "Show a student acting on it" in form.state_html.value
    assert not form.submit_button.disabled
    form.statements["evidence"].value = "The after task shows the next step used"
    form.submit()
    assert "Submitted to your assessor" in form.message.value

    panel.refresh()
    (opener,) = _buttons(panel.list_box)
    opener.click()
    assert "(version 2)" in panel.open_box.children[0].value
    for box in [c for c in panel.open_box.children if isinstance(c, w.Dropdown)]:
        box.value = "met"
    _buttons(panel.open_box)[0].click()
    assert "Awarded to Ana" in panel.message.value

    form.refresh()
    assert "Awarded." in form.state_html.value
    assert form.download_button.layout.display == ""
    offered: list[tuple[bytes, str, str]] = []
    monkeypatch.setattr(form.download, "offer", lambda *a: offered.append(a))
    form.download_button.click()
    ((data, name, mime),) = offered
    assert (name, mime) == ("feedback-moves-learning.jwt", "application/jwt")
    found = verify(data.decode(), public)
    assert (found.subject_name, found.achievement) == (
        "Ana",
        "Feedback that moves learning forward",
    )
    schema = json.loads(OB_SCHEMA.read_text("utf-8"))
    jsonschema.Draft201909Validator(schema).validate(found.credential)
    teacher.leave()
    assessor.leave()


def test_her_own_items_per_kind(store: Store) -> None:
    from pdkit.app._credential import own_items

    ana, _ = store.create_participant("Ana")
    ben, _ = store.create_participant("Ben")
    store.record(ana.id, "goal-setting", {"goal": "Ask open questions"}, spec_version="g@1")
    store.set_visibility(ana.id, "goal-setting", "session")
    given = store.give_feedback(ben.id, ana.id, "goal-setting", "warm", "Try wait time")
    store.give_feedback(ben.id, ana.id, "goal-setting", "cool", "Not answered by a revision")
    store.start_revision(ana.id, "goal-setting")
    store.record(
        ana.id, "goal-setting", {"goal": "Ask open questions, then wait"}, spec_version="g@1"
    )
    store.answer_feedback(ana.id, [given.id])
    store.record(ana.id, "exit-ticket", {"progress": "on"}, spec_version="e@1")  # no measure
    store.add_evidence(ana.id, kind="student_work", caption="Exit tickets", text="12 of 25")
    found = own_items(store, ana.id, "es")
    assert [(i.ref, i.title, i.text) for i in found["goal_version"]] == [
        ("goal@1", "Mi meta, versión 1", "Ask open questions"),
        ("goal@2", "Mi meta, versión 2", "Ask open questions, then wait"),
    ]
    assert [(i.ref, i.measure) for i in found["check_in"]] == [("checkin@1", False)]
    assert [(i.title, i.student_data) for i in found["evidence"]] == [("Exit tickets", True)]
    assert [i.text for i in found["feedback"]] == ["Try wait time"]  # a revision answered it
    assert found["reflection"] == []
    assert own_items(store, ben.id, None)["feedback"] == []  # what Ben gave is not his


def test_an_award_made_before_the_key_is_issued_when_the_assessor_has_one(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pdkit.credentials import SubmissionItem
    from pdkit.definitions import load_credential

    monkeypatch.delenv("PDKIT_CREDENTIAL_KEY", raising=False)
    ana, _ = store.create_participant("Ana")
    coach, _ = store.create_participant("Carla", role="coach")
    store.assign_coach(coach.id, [ana.id])
    feedback = load_credential("feedback-moves-learning")
    chosen = [
        SubmissionItem("goal", "goal_version", "goal@1", "Goal"),
        SubmissionItem("progress", "check_in", "c1", "C1", measure=True),
        SubmissionItem("progress", "check_in", "c2", "C2", measure=True),
        SubmissionItem("evidence", "evidence", "e1", "E1"),
        SubmissionItem("evidence", "evidence", "e2", "E2"),
        SubmissionItem("reflection", "reflection", "r", "R", "Reflection"),
    ]
    sub = store.submit_credential(ana.id, feedback, chosen, {})
    met = {c.id: "met" for c in feedback.criteria}
    store.assess_submission(sub.id, feedback, scores=met, decision="award", by=coach.id)
    teacher = CredentialsPart(store)
    teacher.build(ana)
    (form,) = teacher.forms
    assert "once the district sets its signing key" in form.message.value
    assert form.download_button.layout.display == "none"
    assessor = CredentialsPart(store)
    assessor.build(coach)  # no key yet: nothing issued
    assert store.submission(sub.id, viewer=ana.id).token is None
    private, public = generate_keys(tmp_path / "keys")
    monkeypatch.setenv(
        "PDKIT_CREDENTIAL_ISSUER", json.dumps({"name": "D", "url": "https://d.example.org"})
    )
    monkeypatch.setenv("PDKIT_CREDENTIAL_KEY", str(private))
    assert assessor.assess is not None
    assessor.assess.refresh()
    token = store.submission(sub.id, viewer=ana.id).token
    assert token is not None
    assert verify(token, public).subject_name == "Ana"
    form.refresh()
    assert form.download_button.layout.display == ""
    assert "signing key" not in form.message.value
