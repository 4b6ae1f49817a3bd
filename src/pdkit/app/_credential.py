"""Micro-credentials on the pages: the ``credentials`` workbook (``home: credentials``),
opened from "My goal".

A teacher chooses a micro-credential, ticks the items of their own work it asks for
(versions of their goal, check-ins with a value of their measure, evidence, feedback a
revision answered, a reflection they write here), writes a short statement per
requirement and submits it to its assessors; they see each decision with its comments,
submit again when it is returned, and download their credential once it is awarded
(an Open Badges 3.0 VC-JWT, :mod:`pdkit.badges`). Whoever assesses submissions (a
coach, a named reviewer) sees them above (:mod:`._assess`). The store decides who may
read what (:mod:`pdkit.store._sql_credentials`).

The district's micro-credentials are the YAML files in ``$PDKIT_MICRO_CREDENTIALS``
(``pdkit serve --micro-credentials``), else pdkit's examples.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

import ipywidgets as w

from ..credentials import Submission, SubmissionItem
from ..definitions import (
    CredentialDefinition,
)
from ..definitions.ids import CHECKIN_FORM, GOAL_FORM, MEASURE_VALUE_FIELD
from ..errors import PdkitError
from ..i18n import N_, translator
from ..revisions import versions
from ..store import Participant, Store
from ..widgets import HTML, FileDownload, Safekeeper, VBox
from ..widgets._timing import repeat_every
from ._assess import AssessPanel, district_credentials
from ._goalview import home_link, para, stamp
from ._page import message_in

__all__ = [
    "CREDENTIALS_NOTEBOOK",
    "CredentialsPart",
    "credentials_link_html",
    "district_credentials",
    "own_items",
]

CREDENTIALS_NOTEBOOK = "credentials.ipynb"
"""The micro-credentials page's notebook, beside "My goal"."""

_DECISION_WORDS = {"award": N_("award"), "return": N_("return")}
_STATE_WORDS = {
    "submitted": N_("Submitted: waiting for your assessor."),
    "returned": N_("Returned with comments: revise and submit again."),
    "awarded": N_("Awarded."),
}


def credentials_link_html(page_url: str, token: str | None, language: str | None) -> str:
    """The link from "My goal" to the micro-credentials page."""
    if not page_url:
        return ""
    t = translator(language)
    link = escape(home_link(page_url, token, CREDENTIALS_NOTEBOOK), quote=True)
    said = escape(t("My micro-credentials"))
    return f'<p><a class="pdkit-credentials-link" href="{link}">{said}</a></p>'


def own_items(store: Store, pid: str, language: str | None) -> dict[str, list[SubmissionItem]]:
    """The teacher's own items a submission may include, per kind (``requirement`` is
    left empty: the page fills it in)."""
    t = translator(language)
    found: dict[str, list[SubmissionItem]] = {}
    goal = versions(store.history(pid, GOAL_FORM, viewer=pid), store.revision_marks(pid, GOAL_FORM))
    found["goal_version"] = [
        SubmissionItem(
            "",
            "goal_version",
            f"goal@{v.number}",
            t("My goal, version {n}").format(n=v.number),
            str(v.values.get("goal", "")),
        )
        for v in goal
    ]
    checkins = versions(
        store.history(pid, CHECKIN_FORM, viewer=pid), store.revision_marks(pid, CHECKIN_FORM)
    )
    found["check_in"] = [
        SubmissionItem(
            "",
            "check_in",
            f"checkin@{v.number}",
            t("Check-in {n}").format(n=v.number)
            + (
                f": {v.values[MEASURE_VALUE_FIELD]}"
                if v.values.get(MEASURE_VALUE_FIELD) not in (None, "")
                else ""
            ),
            str(v.values.get("progress", "")),
            measure=v.values.get(MEASURE_VALUE_FIELD) not in (None, ""),
        )
        for v in checkins
    ]
    found["evidence"] = [
        SubmissionItem(
            "", "evidence", e.id, e.caption, e.text or e.link, student_data=e.student_data
        )
        for e in store.evidence(pid, viewer=pid)
    ]
    found["feedback"] = [
        SubmissionItem(
            "", "feedback", f"feedback:{f.id}", f"{t('Feedback')}: {f.text[:80]}", f.text
        )
        for f in store.feedback_trace(pid, viewer=pid)
    ]
    found["reflection"] = []
    return found


class CredentialForm:
    """One micro-credential for the signed-in teacher: its requirements with their own
    items to tick and a statement each, the submission's state and comments, submitting
    and downloading the credential."""

    def __init__(
        self, store: Store, pid: str, definition: CredentialDefinition, language: str | None
    ) -> None:
        self.store, self.pid, self.definition = store, pid, definition
        self.t = t = translator(language)
        self.language = language
        self.ticks: list[tuple[w.Checkbox, SubmissionItem]] = []
        self.statements: dict[str, w.Textarea] = {}
        self.reflection = w.Textarea(
            description=t("My reflection"),
            placeholder=t("What changed for your students, and what you will keep doing"),
            style={"description_width": "initial"},
            layout=w.Layout(flex_flow="column", align_items="stretch", width="100%"),
        )
        self.state_html, self.message = HTML(), HTML()
        self.submit_button = w.Button(
            description=t("Submit"), icon="paper-plane", button_style="primary"
        )
        self.submit_button.on_click(lambda _: self.submit())
        self.download_button = w.Button(description=t("Download my credential"), icon="download")
        self.download_button.on_click(lambda _: self.download_credential())
        self.download_button.layout.display = "none"
        self.download = FileDownload()
        self._seen: tuple[object, ...] | None = None
        head = (
            f"<h3>{escape(definition.title)}</h3>"
            f"<p><strong>{escape(t('Competency'))}:</strong> {escape(definition.competency)}</p>"
            f"<p><strong>{escape(t('Key method'))}:</strong> {escape(definition.key_method)}</p>"
        )
        mine = own_items(store, pid, language)
        parts: list[w.Widget] = [HTML(value=head), self.state_html]
        for requirement in definition.requirements:
            parts.append(HTML(value=f"<h4>{escape(requirement.text)}</h4>"))
            if requirement.item == "reflection":
                parts.append(self.reflection)
            choices = [
                SubmissionItem(
                    requirement.id, i.kind, i.ref, i.title, i.text, i.measure, i.student_data
                )
                for i in mine.get(requirement.item, [])
            ]
            if requirement.item != "reflection" and not choices:
                parts.append(HTML(value=para("pdkit-empty", t("You have none yet."))))
            for item in choices:
                words = item.title + (f" ({t('student data')})" if item.student_data else "")
                box = w.Checkbox(description=words, value=False, indent=False)
                self.ticks.append((box, item))
                parts.append(box)
            area = w.Textarea(
                description=t("Statement: how this shows the competency"),
                style={"description_width": "initial"},
                layout=w.Layout(flex_flow="column", align_items="stretch", width="100%"),
            )
            self.statements[requirement.id] = area
            parts.append(area)
        parts += [self.submit_button, self.message, self.download_button, self.download]
        self.widget = VBox(parts)
        self.widget.add_class("pdkit-credential")
        self.refresh()

    def current(self) -> Submission | None:
        found = [
            s
            for s in self.store.submissions_of(self.pid, viewer=self.pid)
            if s.credential == self.definition.id
        ]
        return found[0] if found else None

    def refresh(self) -> None:
        try:
            found = self.current()
        except PdkitError:
            return
        key = (
            None
            if found is None
            else (found.state, len(found.versions), len(found.assessments), found.token)
        )
        if key == self._seen:
            return
        self._seen = key
        t = self.t
        if found is None:
            self.state_html.value = ""
            return
        lines = [
            para(
                f"pdkit-credential-state pdkit-{found.state}",
                t(_STATE_WORDS[found.state]),
                "status",
            )
        ]
        levels = {lv.id: lv.label for lv in self.definition.levels}
        for a in found.assessments:
            said = t("Version {n}: {decision} on {at}").format(
                n=a.version, decision=t(_DECISION_WORDS.get(a.decision, a.decision)), at=stamp(a.at)
            )
            scores = "; ".join(
                f"{c.text}: {levels.get(a.scores.get(c.id, ''), '')}"
                for c in self.definition.criteria
            )
            lines.append(
                f'<div class="pdkit-assessment"><p>{escape(said)}</p><p>{escape(scores)}</p>'
                f'<p class="pdkit-comment">{escape(a.comment)}</p></div>'
            )
        self.state_html.value = "".join(lines)
        self.submit_button.disabled = found.state != "returned"
        self.download_button.layout.display = "" if found.token else "none"
        if found.state == "awarded" and not found.token:
            self.message.value = para(
                "pdkit-hint",
                t("Your credential will be issued once the district sets its signing key."),
            )
        elif found.state == "awarded":
            self.message.value = para(
                "pdkit-ok", t("Your credential is ready to download."), "status"
            )

    def chosen(self) -> list[SubmissionItem]:
        items = [item for box, item in self.ticks if box.value]
        text = self.reflection.value.strip()
        for requirement in self.definition.requirements:
            if requirement.item == "reflection" and text:
                items.append(
                    SubmissionItem(
                        requirement.id, "reflection", "reflection", self.t("My reflection"), text
                    )
                )
        return items

    def submit(self) -> None:
        statements = {rid: area.value for rid, area in self.statements.items()}
        try:
            self.store.submit_credential(self.pid, self.definition, self.chosen(), statements)
        except PdkitError as exc:
            self.message.value = para("pdkit-error", message_in(exc, self.language), "alert")
            return
        self.message.value = para("pdkit-ok", self.t("Submitted to your assessor."), "status")
        self.refresh()

    def download_credential(self) -> None:
        found = self.current()
        if found is None or not found.token:
            return
        self.download.offer(
            found.token.encode("ascii"), f"{self.definition.id}.jwt", "application/jwt"
        )
        self.message.value = para("pdkit-ok", self.t("Your credential is downloading."), "status")


class CredentialsPart:
    """The micro-credentials page's section (``home: credentials``)."""

    is_home = True

    def __init__(self, store: Store) -> None:
        self.store = store
        self.forms: list[CredentialForm] = []
        self.assess: AssessPanel | None = None
        self.stop_polling: Callable[[], None] | None = None

    def build(
        self,
        participant: Participant,
        language: str | None = None,
        keeper: Safekeeper | None = None,
    ) -> w.Widget:
        from ._assess import AssessPanel, district_credentials

        self.leave()
        t = translator(language)
        shown: list[w.Widget] = []
        assess = AssessPanel(self.store, participant.id, language=language)
        self.assess = assess
        shown.append(assess.widget)
        if participant.role == "teacher":
            try:
                found = district_credentials(language)
            except PdkitError as exc:
                found = []
                shown.append(HTML(value=para("pdkit-error", message_in(exc, language), "alert")))
            picker = w.Dropdown(
                description=t("Micro-credential"),
                options=[(d.title, i) for i, d in enumerate(found)],
                style={"description_width": "initial"},
            )
            box = VBox()

            def show(_: object = None) -> None:
                for form in self.forms:
                    form.widget.close()
                self.forms = (
                    [CredentialForm(self.store, participant.id, found[picker.value], language)]
                    if found
                    else []
                )
                box.children = [f.widget for f in self.forms]

            picker.observe(show, names="value")
            show()
            intro = t(
                "Earn a micro-credential from your own work: choose one, tick what shows it, "
                "say how, and submit it to your assessor."
            )
            shown += [
                HTML(value=f"<h2>{escape(t('My micro-credentials'))}</h2>"),
                HTML(value=para("pdkit-intro", intro)),
                picker,
                box,
            ]
        self.stop_polling = repeat_every(2.0, self.refresh)
        return VBox(shown)

    def refresh(self) -> None:
        for form in self.forms:
            form.refresh()
        if self.assess is not None:
            self.assess.refresh()

    def flush(self) -> None:
        return

    def leave(self) -> None:
        if self.stop_polling is not None:
            self.stop_polling()
        self.stop_polling = None
        self.forms = []
        self.assess = None
