"""The facilitator's dashboard for a session: who joined and where everyone is, goals per
school goal, groups and the protocol control, the weeks after the session (check-in
dates, where each teacher is in them, coaches: :mod:`._dashboard_followup`), how many
answered the anonymous session evaluation and, from 5 answers, what they chose
(:mod:`._evaluation`), and the session's tables to download.

Everything shown comes from :meth:`~pdkit.store.Store.statuses` (flags and counts) and
:meth:`~pdkit.store.Store.choices` (option ids), never from a participant's text, so a
dashboard on a projector shows nothing private. It redraws by itself every few seconds.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from html import escape
from urllib.parse import quote

import ipywidgets as w

from .._clock import now
from ..charts import bar_chart
from ..definitions import AgendaDefinition, FormDefinition, SchoolGoal, load_form
from ..definitions.ids import EVALUATION_FORM, GOAL_FORM, SCHOOL_GOAL_FIELD
from ..errors import PdkitError
from ..i18n import N_, plural_translator, translator
from ..links import sibling
from ..store import DEFAULT_SESSION, Status, Store, Viewer
from ._agenda import AgendaControl
from ._dashboard_coaches import CoachesPanel
from ._dashboard_followup import FollowUpPanel, name_labels
from ._evaluation import evaluation_summary_html
from ._fidelity import FidelityReport
from ._files import FileDownload
from ._lean import HTML, HBox, VBox
from ._pacing import PacingControl
from ._timing import repeat_every

__all__ = ["Dashboard", "goals_chart"]

_VISIBILITY = {
    "private": N_("private"),
    "coach": N_("with coach"),
    "group": N_("with group"),
    "session": N_("with session"),
}

Exporter = Callable[[str], bytes]
"""``export(kind)`` → the session's tables as ``xlsx`` or ``zip`` (of CSV files) bytes."""


def goals_chart(counts: Counter[str], goals: list[SchoolGoal], language: str | None = None) -> str:
    """Goals per school goal as an inline SVG bar chart (:func:`pdkit.charts.bar_chart`:
    labels escaped, no script); a screen reader hears every count."""
    t = translator(language)
    rows = [(g.title, counts.get(g.id, 0)) for g in goals]
    known = {g.id for g in goals}
    other = sum(n for key, n in counts.items() if key not in known)
    if other:
        rows.append((t("Another school goal"), other))
    total = sum(n for _label, n in rows)
    if not total:
        return f'<p class="pdkit-empty">{escape(t("No goal is linked to a school goal yet."))}</p>'
    tn = plural_translator(language)
    title = tn(
        "Goals per school goal: {total} goal", "Goals per school goal: {total} goals", total
    ).format(total=total)
    summary = "; ".join(f"{label}: {n}" for label, n in rows)
    return bar_chart(
        rows,
        label=f"{title}. {summary}",
        title=title,
        css_class="pdkit-chart",
        fill="#3b73b9",
        width=600,
        label_width=260,
        label_chars=32,  # what 260 px hold at 14 px; the whole title is the name's tooltip
    )


class Dashboard:
    """The dashboard of one session (see the module docs).

    ``school_goals`` gives the chart its labels; ``export(kind)`` makes the download
    (injected by the app, which may import pandas: widgets never do); ``page_url`` is
    where the dashboard is open, for the participants' link; ``agenda`` adds the control
    that moves the room through the day's agenda; ``evaluation`` is the session
    evaluation's form (the built-in one when None).
    """

    def __init__(
        self,
        store: Store,
        *,
        session: str = DEFAULT_SESSION,
        school_goals: list[SchoolGoal] | None = None,
        export: Exporter | None = None,
        page_url: str = "",
        poll_interval: float = 3.0,
        clock: Callable[[], float] = now,
        agenda: AgendaDefinition | None = None,
        evaluation: FormDefinition | None = None,
        language: str | None = None,
    ) -> None:
        self.language = language
        self.t = t = translator(language)
        self.store = store
        self.evaluation_form = evaluation or load_form(EVALUATION_FORM)
        self.session = session
        self.school_goals = school_goals or []
        self._export = export
        self.page_url = page_url
        self._clock = clock
        stored = store.get_session(session) if session != DEFAULT_SESSION else None
        title = stored.title if stored is not None else t("This workshop")
        join = ""
        if stored is not None:
            code = f"<strong>{escape(stored.code)}</strong>"
            said = escape(t("Participants join with the code {code}.")).format(code=code)
            if page_url:
                link = escape(sibling(page_url, "goal-setting.ipynb", f"code={quote(stored.code)}"))
                said = escape(
                    t("Participants join with the code {code} or the link {link}.")
                ).format(code=code, link=f'<a href="{link}">{link}</a>')
            join = f'<p class="pdkit-join-code">{said}</p>'
        self.header = HTML(value=f"<h2>{escape(title)}</h2>{join}")
        self.counts = HTML()
        self.evaluation = HTML()
        self.evaluation.add_class("pdkit-evaluation-panel")
        self._evaluated: int | None = None
        self.chart = HTML()
        self.roster = HTML()
        self.control = PacingControl(store, session=session, clock=clock, language=language)
        self.agenda = (
            AgendaControl(store, agenda, session=session, language=language)
            if agenda is not None
            else None
        )
        self.followup = FollowUpPanel(store, session=session, clock=clock, language=language)
        self.fidelity = FidelityReport(store, session=session, clock=clock, language=language)
        self.coaches = CoachesPanel(
            store, session=session, page_url=page_url, changed=self.followup.draw, language=language
        )
        self.downloader = FileDownload()
        self.excel_button = w.Button(description=t("Download tables (Excel)"), icon="file-excel")
        self.csv_button = w.Button(description=t("Download tables (CSV)"), icon="file-csv")
        self.excel_button.on_click(lambda _: self.download("xlsx"))
        self.csv_button.on_click(lambda _: self.download("zip"))
        self.message = HTML()
        export_row: list[w.Widget] = (
            [HBox([self.excel_button, self.csv_button]), self.message, self.downloader]
            if export is not None
            else []
        )
        self.widget = VBox(
            [
                self.header,
                self.counts,
                HTML(value=f"<h2>{escape(t('Goals per school goal'))}</h2>"),
                self.chart,
                HTML(value=f"<h2>{escape(t('Who is where'))}</h2>"),
                self.roster,
                *([self.agenda.widget] if self.agenda is not None else []),
                self.control.widget,
                self.fidelity.widget,
                self.followup.widget,
                self.coaches.widget,
                self.evaluation,
                HTML(
                    value=f"<h2>{escape(t('Session tables'))}</h2><p>"
                    + escape(
                        t(
                            "The roster, goals per school goal and groups as tidy tables: counts "
                            "and statuses, never what anyone wrote (the anonymous session "
                            "evaluation from 5 answers)."
                        )
                    )
                    + "</p>"
                ),
                *export_row,
            ]
        )
        self.widget.add_class("pdkit-dashboard")
        self._seen: object = None
        self.refresh()
        self.stop_polling = repeat_every(poll_interval, self.refresh)

    def refresh(self) -> None:
        """Read statuses and choices again; redraw what changed."""
        self._draw_evaluation()
        try:
            statuses = self.store.statuses(self.session)
            choices = self.store.choices(
                self.session, GOAL_FORM, SCHOOL_GOAL_FIELD, viewer=Viewer.facilitator(self.session)
            )
        except PdkitError:
            return  # a passing store hiccup: keep showing the last state
        key = (tuple(statuses), tuple(sorted(choices.items())))
        if key == self._seen:
            return
        self._seen = key
        self._draw_counts(statuses)
        self.chart.value = goals_chart(Counter(choices.values()), self.school_goals, self.language)
        self._draw_roster(statuses)
        self.control._show_groups()  # new joiners and late placements show at once
        self.coaches.people_changed([s.participant for s in statuses])

    def _draw_evaluation(self) -> None:
        """How many answered the session evaluation, and what they chose from 5 answers
        (read again only when the count changed)."""
        form = self.evaluation_form
        try:
            count = self.store.evaluation_count(self.session, form.id)
            if count == self._evaluated:
                return
            sheets = self.store.evaluation_sheets(
                self.session, form.id, viewer=Viewer.facilitator(self.session)
            )
        except PdkitError:
            return  # a passing store hiccup: keep showing the last state
        self._evaluated = count
        self.evaluation.value = evaluation_summary_html(form, count, sheets, self.language)

    def _draw_counts(self, statuses: list[Status]) -> None:
        t = self.t
        joined = len(statuses)
        counts = [
            (t("joined"), joined),
            (t("goal drafted"), sum(s.goal_drafted for s in statuses)),
            (t("goal shared"), sum(s.goal_shared for s in statuses)),
            (t("reflection done"), sum(s.reflections_done > 0 for s in statuses)),
            (t("in a group"), sum(s.group is not None for s in statuses)),
        ]
        items = "".join(
            f'<li><strong class="pdkit-count">{n}</strong> {escape(label)}</li>'
            for label, n in counts
        )
        self.counts.value = f'<ul class="pdkit-counts" aria-live="polite">{items}</ul>'

    def _draw_roster(self, statuses: list[Status]) -> None:
        t = self.t
        if not statuses:
            said = t(
                "Nobody has joined yet. Share the code or the link; people appear here as they "
                "join."
            )
            self.roster.value = f'<p class="pdkit-empty">{escape(said)}</p>'
            return
        yes, no = "✓", "–"
        try:  # two teachers of one name told apart
            names = name_labels(
                self.store,
                [(s.participant, s.display_name, s.joined_at) for s in statuses],
                self.language,
            )
        except PdkitError:  # a passing store hiccup: the names as they are
            names = {s.participant: s.display_name for s in statuses}
        rows = "".join(
            f"<tr><td>{escape(names[s.participant])}</td>"
            f"<td>{yes if s.goal_drafted else no}</td>"
            f"<td>{escape(t(_VISIBILITY.get(s.goal_visibility, s.goal_visibility)))}</td>"
            f"<td>{s.reflections_done or no}</td>"
            f"<td>{escape(s.group) if s.group else no}</td></tr>"
            for s in statuses
        )
        heads = "".join(
            f'<th scope="col">{escape(t(h))}</th>'
            for h in (
                N_("Name"),
                N_("Goal drafted"),
                N_("Goal shared"),
                N_("Reflections"),
                N_("Group"),
            )
        )
        self.roster.value = (
            '<table class="pdkit-roster"><caption>'
            f"{escape(t('Participants and where they are'))}</caption>"
            f"<thead><tr>{heads}</tr></thead><tbody>{rows}</tbody></table>"
        )

    def download(self, kind: str) -> bytes:
        """Offer the session's tables as Excel (``xlsx``) or CSV files in a zip."""
        if self._export is None:
            return b""
        try:
            data = self._export(kind)
        except PdkitError as exc:
            self.message.value = (
                f'<p class="pdkit-error" role="alert">{escape(exc.said(self.t))}</p>'
            )
            return b""
        stamp = time.strftime("%Y%m%d-%H%M", time.localtime(self._clock()))
        name = f"pdkit-{self.session}-{stamp}.{kind}"
        mime = (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            if kind == "xlsx"
            else "application/zip"
        )
        self.downloader.offer(data, name, mime)
        said = escape(self.t("{name} is downloading.").format(name=name))

        self.message.value = f'<p class="pdkit-status" role="status">{said}</p>'
        return data
