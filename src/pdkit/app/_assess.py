"""Assessing micro-credentials on the ``credentials`` page: the submissions the
signed-in participant assesses (a coach, a reviewer a definition names), each opened to
read its items and statements, score every criterion of the rubric and award it or
return it with comments.

An award is issued at once as an Open Badges 3.0 credential signed with the district's
key, when ``pdkit serve`` was given one (``--issuer-name``, ``--issuer-url``,
``--credential-key``: ``$PDKIT_CREDENTIAL_ISSUER``, ``$PDKIT_CREDENTIAL_KEY``);
without it the award is kept, and its credential issued when an assessor next opens the
page on a server that has the key.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from html import escape
from pathlib import Path

import ipywidgets as w

from .._environ import CREDENTIAL_ISSUER_ENV, CREDENTIAL_KEY_ENV, MICRO_CREDENTIALS_ENV
from ..credentials import Submission
from ..definitions import (
    CredentialDefinition,
    builtin_credentials,
    definition_files,
    load_credential,
)
from ..errors import PdkitError
from ..i18n import translator
from ..store import Store, display_names
from ..widgets import HTML, VBox
from ._goalview import para
from ._page import message_in

__all__ = ["AssessPanel", "district_credentials", "issue_token"]


def district_credentials(language: str | None = None) -> list[CredentialDefinition]:
    """The district's micro-credentials (``$PDKIT_MICRO_CREDENTIALS``), else pdkit's."""
    folder = os.environ.get(MICRO_CREDENTIALS_ENV)
    if folder:
        return [load_credential(p, language=language) for p in definition_files([Path(folder)])]
    return [load_credential(i, language=language) for i in builtin_credentials()]


def issue_token(
    store: Store, submission: Submission, definition: CredentialDefinition, at: float
) -> str | None:
    """The signed credential of an award, or None when no issuer or key is configured."""
    issuer_env, key_env = os.environ.get(CREDENTIAL_ISSUER_ENV), os.environ.get(CREDENTIAL_KEY_ENV)
    if not issuer_env or not key_env:
        return None
    from ..badges import Issuer, open_badge, sign  # joserfc: only when awarding

    given = json.loads(issuer_env)
    issuer = Issuer(str(given["name"]), str(given["url"]), str(given.get("email", "")))
    person = store.get_participant(submission.teacher)
    credential = open_badge(
        definition,
        issuer=issuer,
        participant_id=submission.teacher,
        name=person.display_name if person is not None else "",
        items=submission.latest.items,
        awarded_at=datetime.fromtimestamp(at, UTC),
    )
    return sign(credential, Path(key_env))


class AssessPanel:
    """The submissions ``assessor_id`` assesses: those waiting first, each with a button
    that opens it for scoring."""

    def __init__(self, store: Store, assessor_id: str, *, language: str | None = None) -> None:
        self.store, self.assessor = store, assessor_id
        self.language = language
        self.t = translator(language)
        try:
            self.definitions = {d.id: d for d in district_credentials(language)}
        except PdkitError:
            self.definitions = {}
        self.list_box, self.open_box, self.message = VBox(), VBox(), HTML()
        self._seen: tuple[object, ...] | None = None
        self.widget = VBox([self.list_box, self.open_box, self.message])
        self.widget.add_class("pdkit-assess")
        self.refresh()

    def refresh(self) -> None:
        try:
            found = self.store.submissions_to_assess(self.assessor, viewer=self.assessor)
        except PdkitError:
            return
        self._issue_pending(found)
        key = tuple((s.id, s.state, len(s.versions)) for s in found)
        if key == self._seen:
            return
        self._seen = key
        t = self.t
        if not found:
            self.list_box.children = []
            return
        names = display_names(self.store, {s.teacher for s in found})
        waiting = [s for s in found if s.state == "submitted"]
        rows: list[w.Widget] = [HTML(value=f"<h2>{escape(t('Submissions to assess'))}</h2>")]
        if not waiting:
            rows.append(HTML(value=para("pdkit-empty", t("Nothing waits for you."))))
        for sub in waiting:
            button = w.Button(description=f"{t('Assess')} {names[sub.teacher]}: {sub.title}")
            button.on_click(lambda _, s=sub: self.open(s.id))
            rows.append(button)
        self.list_box.children = rows

    def _issue_pending(self, found: list[Submission]) -> None:
        """Issue the credentials of awards made before the district had a key, once it has."""
        for sub in found:
            definition = self.definitions.get(sub.credential)
            if sub.state != "awarded" or sub.token is not None or definition is None:
                continue
            award = next(a for a in sub.assessments if a.decision == "award")
            try:
                token = issue_token(self.store, sub, definition, award.at)
                if token is not None:
                    self.store.issue_credential(sub.id, token, by=self.assessor)
            except PdkitError:
                continue  # a passing store hiccup, or a key that cannot be read: next time

    def open(self, submission_id: str) -> None:
        t = self.t
        try:
            sub = self.store.submission(submission_id, viewer=self.assessor)
        except PdkitError as exc:
            self.message.value = para("pdkit-error", message_in(exc, self.language), "alert")
            return
        definition = self.definitions.get(sub.credential)
        if definition is None:
            self.message.value = para(
                "pdkit-error", t("This micro-credential is not offered here any more."), "alert"
            )
            return
        version = sub.latest
        names = display_names(self.store, [sub.teacher])
        items = "".join(
            f"<li><strong>{escape(i.title)}</strong>"
            + (f" ({escape(t('student data'))})" if i.student_data else "")
            + (f"<br>{escape(i.text)}" if i.text else "")
            + "</li>"
            for i in version.items
        )
        said = "".join(
            f"<p><em>{escape(r.text)}</em>: {escape(version.statements.get(r.id, ''))}</p>"
            for r in definition.requirements
        )
        head = (
            f"<h3>{escape(names[sub.teacher])}: {escape(sub.title)} "
            f"({escape(t('version'))} {version.number})</h3>"
            f"<ul class='pdkit-submission-items'>{items}</ul>{said}"
        )
        levels = [(lv.label, lv.id) for lv in definition.levels]
        scores = {
            c.id: w.Dropdown(
                description=c.text,
                options=[("—", ""), *levels],
                value="",
                style={"description_width": "initial"},
            )
            for c in definition.criteria
        }
        comment = w.Textarea(
            description=t("Comments for the teacher"),
            style={"description_width": "initial"},
            layout=w.Layout(flex_flow="column", align_items="stretch", width="100%"),
        )
        award = w.Button(description=t("Award"), icon="certificate", button_style="success")
        back = w.Button(description=t("Return with comments"), icon="reply")

        def decide(decision: str) -> None:
            chosen = {cid: box.value for cid, box in scores.items()}
            try:
                token = None
                if decision == "award":
                    from ..credentials import passes

                    if passes(definition, chosen):
                        token = issue_token(self.store, sub, definition, self.store._clock())  # type: ignore[attr-defined]
                self.store.assess_submission(
                    sub.id,
                    definition,
                    scores=chosen,
                    decision=decision,
                    comment=comment.value,
                    by=self.assessor,
                    token=token,
                )
            except PdkitError as exc:
                self.message.value = para("pdkit-error", message_in(exc, self.language), "alert")
                return
            done = (
                t("Awarded to {name}.")
                if decision == "award"
                else t("Returned to {name} with your comments.")
            )
            self.message.value = para("pdkit-ok", done.format(name=names[sub.teacher]), "status")
            self.open_box.children = []
            self.refresh()

        award.on_click(lambda _: decide("award"))
        back.on_click(lambda _: decide("return"))
        self.message.value = ""
        self.open_box.children = [
            HTML(value=head),
            *scores.values(),
            comment,
            w.HBox([award, back]),
        ]
