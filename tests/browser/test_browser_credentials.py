"""Issue #19's journey in a real Chromium against one real `pdkit serve` that holds the
district's issuer profile and signing key. On "My goal" a teacher follows the pathway of
her school goal and ticks its reading; from "My goal" she opens the micro-credentials
page, ticks her own items, writes her statements and submits; her coach returns it with
a comment; she sees it without a reload and submits again; the coach awards it; she
downloads her credential. In a second session (her personal link, a fresh browser) the
pathway's credential step has completed itself. The credential verifies with
`pdkit credential verify` and the district's public key and validates against 1EdTech's
Open Badges 3.0 JSON Schema; one changed field and it no longer verifies."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from tests._a11y import unlabelled

from _servers import free_port, open_page, running, serve_command
from pdkit import open_store
from pdkit.badges import generate_keys
from pdkit.links import COACH_PURPOSE
from pdkit.testing import FakeClock

pytestmark = pytest.mark.browser

LOAD = 90_000  # ms: a cold Voilà page on a busy 2-core machine
OB_SCHEMA = Path(__file__).parents[1] / "data" / "ob_v3p0_achievementcredential_schema.json"


def _verify(path: Path, key: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pdkit.cli", "credential", "verify", str(path), "--key", str(key)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_submit_return_resubmit_award_download_verify(
    tmp_path: Path, browser: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PDKIT_STORE", raising=False)
    private, public = generate_keys(tmp_path / "keys")
    store_path = tmp_path / "store.sqlite3"
    store = open_store(store_path)
    try:
        store._clock = FakeClock(time.time() - 20 * 86_400, step=4 * 3600.0)  # type: ignore[attr-defined]
        ana, ana_token = store.create_participant("Ana")
        kim, _ = store.create_participant("Kim", role="coach")
        store.assign_coach(kim.id, [ana.id])
        store.record(
            ana.id,
            "goal-setting",
            {"school_goal": "feedback", "goal": "Feedback students act on"},
            spec_version="g@1",
        )
        for value in (4, 9):
            store.record(
                ana.id,
                "exit-ticket",
                {"progress": "on", "measure_value": value},
                spec_version="e@1",
            )
        for caption in ("Feedback routine", "Before and after task"):
            store.add_evidence(ana.id, kind="other", caption=caption, text="no student names")
        coach_token = store.issue_link(kim.id, COACH_PURPOSE)
    finally:
        store.close()
    port = free_port()
    command = serve_command(
        store_path,
        port,
        "--issuer-name",
        "Sample District",
        "--issuer-url",
        "https://pd.district.example.org",
        "--credential-key",
        str(private),
    )
    with running(
        command,
        base_url=f"http://127.0.0.1:{port}",
        store=store_path,
        log_path=tmp_path / "serve.log",
    ) as server:
        # Session 1, "My goal": she follows the pathway of her school goal, ticks its
        # reading; its credential step says it completes itself.
        home = open_page(browser, server.url("my-goal.ipynb") + f"?pdkit={ana_token}")
        panel = home.locator(".pdkit-pathway")
        follow = panel.get_by_role("button", name="Follow this pathway")
        follow.wait_for(timeout=LOAD)
        panel.get_by_label("Pathway").select_option(label="Feedback students act on")
        follow.click()
        counts = panel.locator(".pdkit-pathway-counts")
        counts.get_by_text("Required steps: 0 of 2 done.").wait_for(timeout=15_000)
        read = panel.locator(".pdkit-step-read-formative")
        read.get_by_role("button", name="Mark as done").click()
        counts.get_by_text("Required steps: 1 of 2 done.").wait_for(timeout=15_000)
        step = panel.locator(".pdkit-step-credential")
        assert "Completes itself when an assessor awards you" in step.inner_text()
        assert step.get_by_role("button").count() == 0  # never ticked by hand
        # (her exit tickets already complete the reflection workbook's step)
        assert "Optional steps: 1 done of at least 1." in counts.inner_text()
        assert "(done" not in step.inner_text()

        # From "My goal" to the micro-credentials page.
        link = home.locator("a.pdkit-credentials-link")
        link.wait_for(timeout=LOAD)
        teacher = open_page(browser, link.get_attribute("href") or "", downloads=True)
        submit = teacher.get_by_role("button", name="Submit")
        submit.wait_for(timeout=LOAD)
        assert unlabelled(teacher) == []
        for label in (
            "My goal, version 1",
            "Check-in 1: 4",
            "Check-in 2: 9",
            "Feedback routine",
            "Before and after task",
        ):
            teacher.get_by_label(label).check()
        teacher.get_by_label("My reflection").fill("They used the next step at once")
        teacher.get_by_label("Statement: how this shows the competency").first.fill(
            "My goal names the routine"
        )
        submit.click()
        teacher.get_by_text("Submitted: waiting for your assessor.").wait_for(timeout=15_000)

        # The coach opens it, scores the rubric and returns it with a comment.
        coach = open_page(browser, server.url("credentials.ipynb") + f"?pdkit={coach_token}")
        opener = coach.get_by_role(
            "button", name="Assess Ana: Feedback that moves learning forward"
        )
        opener.wait_for(timeout=LOAD)
        opener.click()
        coach.get_by_text("They used the next step at once").wait_for(timeout=15_000)
        coach.get_by_label("The feedback names one next step a student can act on").select_option(
            label="Met"
        )
        coach.get_by_label(
            "The evidence shows students acting on feedback in the lesson"
        ).select_option(label="Not yet")
        coach.get_by_label(
            "The measure moved toward the target, or the reflection explains why not"
        ).select_option(label="Met")
        coach.get_by_label("Comments for the teacher").fill("Show a student acting on it")
        coach.get_by_role("button", name="Return with comments").click()
        coach.get_by_text("Returned to Ana with your comments.").wait_for(timeout=15_000)

        # She sees it without a reload, and submits again.
        teacher.get_by_text("Show a student acting on it").wait_for(timeout=15_000)
        teacher.get_by_text("Returned with comments: revise and submit again.").wait_for()
        teacher.get_by_label("Statement: how this shows the competency").nth(2).fill(
            "The after task shows the next step used"
        )
        submit.click()
        teacher.get_by_text("Submitted: waiting for your assessor.").wait_for(timeout=15_000)

        # The coach awards version 2.
        again = coach.get_by_role("button", name="Assess Ana: Feedback that moves learning forward")
        again.wait_for(timeout=15_000)
        again.click()
        coach.get_by_text("(version 2)").wait_for(timeout=15_000)
        for select in coach.locator(".pdkit-assess select").all():
            select.select_option(label="Met")
        coach.get_by_role("button", name="Award").click()
        coach.get_by_text("Awarded to Ana.").wait_for(timeout=30_000)

        # She downloads her credential.
        teacher.get_by_text("Awarded.").wait_for(timeout=15_000)
        with teacher.expect_download(timeout=30_000) as caught:
            teacher.get_by_role("button", name="Download my credential").click()
        saved = tmp_path / caught.value.suggested_filename
        caught.value.save_as(saved)

        # Session 2, her personal link in a fresh browser: the pathway's credential step
        # has completed itself, with the reading she ticked in session 1.
        later = open_page(browser, server.url("my-goal.ipynb") + f"?pdkit={ana_token}")
        panel = later.locator(".pdkit-pathway")
        counts = panel.locator(".pdkit-pathway-counts")
        counts.get_by_text("Optional steps: 2 done of at least 1.").wait_for(timeout=LOAD)
        assert "Required steps: 1 of 2 done." in counts.inner_text()
        assert "(done" in panel.locator(".pdkit-step-credential").inner_text()
        assert "(done" in panel.locator(".pdkit-step-read-formative").inner_text()
        for opened in (home, teacher, coach, later):
            opened.context.close()
    assert saved.name == "feedback-moves-learning.jwt"

    done = _verify(saved, public)
    assert done.returncode == 0, done.stderr
    assert "who:  Ana (urn:uuid:" in done.stdout
    assert "what: Feedback that moves learning forward" in done.stdout
    assert "from: Sample District" in done.stdout
    body = saved.read_text("ascii").split(".")[1]
    payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    credential = {k: v for k, v in payload.items() if k not in ("iss", "jti", "nbf", "sub")}
    schema = json.loads(OB_SCHEMA.read_text("utf-8"))
    jsonschema.Draft201909Validator(schema).validate(credential)
    assert {e["name"] for e in credential["evidence"]} >= {"Feedback routine", "My reflection"}

    payload["credentialSubject"]["achievement"]["name"] = "Master teacher"
    raw = base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=").decode()
    head, _, signature = saved.read_text("ascii").split(".")
    tampered = tmp_path / "tampered.jwt"
    tampered.write_text(f"{head}.{raw}.{signature}", encoding="ascii")
    refused = _verify(tampered, public)
    assert refused.returncode == 1
    assert "NOT VERIFIED" in refused.stderr
