"""The district rollup: per session and school goal, how many goals were set, agreed and
met, the share of teachers with a measured goal and with evidence, the mean change from
point A toward point B, and the session evaluation — every figure about fewer than 5
people suppressed (:mod:`pdkit.suppression`).

::

    from pdkit import review
    frame = review.rollup(store)                      # tidy: one row per figure
    review.write_rollup(frame, "out/")                # rollup.csv, rollup.xlsx, rollup.html

The frame has one row per session, school goal and measure (:data:`COLUMNS`):
``school_goal`` is a school goal's id, or ``(all)`` for the session as a whole (the
evaluation is asked of the session, so its rows are ``(all)`` only). ``value`` is the
figure, ``people`` how many distinct people it is about; both are empty (NA) and
``note`` says ``fewer than 5`` when it is suppressed. Measures:

``teachers``              teachers who took part (``(all)`` only): participants with the
                          role ``teacher``; coaches and facilitators are never counted
``goals_set``             teachers with a goal (for a school goal: whose goal serves it)
``goals_agreed``          … whose goal's status is agreed, active or met
``goals_met``             … whose goal's status is met
``share_measured``        of the goals the steward may read, the share whose baseline and
                          target are numbers (``people``: those goals)
``share_with_evidence``   of the goals the steward may read, the share whose teacher keeps
                          at least one evidence item shared at coach level or wider
                          (:func:`has_evidence`)
``mean_change``           mean of (latest check-in value - baseline) / (target - baseline)
                          over measured goals with a check-in value (1.0: at point B)
``evaluation_respondents``  how many answered the session evaluation
``evaluation_mean:<q>``   the mean answer to the evaluation's scale question ``q``

Reading: everything is read as the store's steward (:meth:`pdkit.store.Viewer.steward`).
Counts of goals and their school goals come from statuses and choices, which count every
teacher whatever their goal's visibility (categories, not writing); a goal's status,
measure and check-ins come from the goal itself, so only goals shared at ``coach`` level
or wider count there (a private goal stays private, even from a total).

Suppression: a count of fewer than 5 people is hidden; among the school goals of one
session (the parts of the session's total) a second count is hidden when only one would
be, so that no hidden count is the total minus the others; a share or mean about a school
goal whose goal count is hidden is hidden too (its ``people`` would tell the count).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

import pandas as pd

from .._atomic import write_atomically
from .._imports import require
from ..charts import bar_chart
from ..definitions import FormDefinition, load_form
from ..definitions.ids import (
    CHECKIN_FORM,
    EVALUATION_FORM,
    GOAL_FORM,
    MEASURE_VALUE_FIELD,
    SCHOOL_GOAL_FIELD,
)
from ..errors import AccessError, PdkitError
from ..followup import ACTIVE, AGREED, MET
from ..i18n import DEFAULT_LANGUAGE, N_, choose, direction, plural_translator, translator
from ..measures import measure_of, progress
from ..store import DEFAULT_SESSION, Store, Viewer
from ..suppression import SUPPRESSED, Cell, K, cell, suppress_parts

__all__ = [
    "ALL",
    "COLUMNS",
    "MEASURES",
    "has_evidence",
    "rollup",
    "rollup_html",
    "write_rollup",
]

ALL = "(all)"
"""The ``school_goal`` of a row about the session as a whole."""

COLUMNS: Mapping[str, str] = {
    "session": "string",
    "session_title": "string",
    "school_goal": "string",
    "school_goal_title": "string",
    "measure": "string",
    "value": "Float64",
    "people": "Int64",
    "note": "string",
}
"""The rollup's columns and their dtypes, in order."""

MEASURES = (
    "teachers",
    "goals_set",
    "goals_agreed",
    "goals_met",
    "share_measured",
    "share_with_evidence",
    "mean_change",
)
"""The measures about teachers, in the order rows come (the evaluation's follow)."""


_AGREED = frozenset({AGREED, ACTIVE, MET})

EvidenceCheck = Callable[[Store, str], "bool | None"]

NOT_COUNTED = N_("not counted: the check did not answer for every teacher")
"""The ``note`` of a share that a check could not count for every teacher."""


def has_evidence(store: Store, participant_id: str) -> bool | None:
    """Whether the teacher keeps at least one evidence item (not withdrawn) that the
    store's steward may see: shared at coach level or wider. Items kept private are not
    counted (their very existence is the teacher's)."""
    return bool(store.evidence(participant_id, viewer=Viewer.steward()))


@dataclass
class _Teacher:
    id: str
    goal: bool
    school_goal: str | None
    readable: bool = False
    agreed: bool = False
    met: bool = False
    measured: bool = False
    change: float | None = None
    evidence: bool | None = None


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


def _teachers(store: Store, session: str, evidence: EvidenceCheck) -> list[_Teacher]:
    steward = Viewer.steward()
    roles = {p.id: p.role for p in store.participants(session)}
    choices = store.choices(session, GOAL_FORM, SCHOOL_GOAL_FIELD, viewer=steward)
    found: list[_Teacher] = []
    for status in store.statuses(session):
        if roles.get(status.participant) != "teacher":
            continue
        teacher = _Teacher(status.participant, status.goal_drafted, choices.get(status.participant))
        found.append(teacher)
        if not teacher.goal:
            continue
        try:
            goal = store.latest(teacher.id, GOAL_FORM, viewer=steward)
            current = store.goal_status(teacher.id, viewer=steward).status
        except AccessError:
            continue  # a private goal: counted above, never read
        teacher.readable = True
        teacher.agreed = current in _AGREED
        teacher.met = current == MET
        measure = measure_of(goal)
        teacher.measured = measure is not None and measure.complete
        if measure is not None and measure.complete and measure.target != measure.baseline:
            try:
                checkin = store.latest(teacher.id, CHECKIN_FORM, viewer=steward)
            except AccessError:
                checkin = {}
            now = _number(checkin.get(MEASURE_VALUE_FIELD))
            if now is not None:
                teacher.change = progress(measure, now)  # pdkit.measures: the one rule
        teacher.evidence = evidence(store, teacher.id)
    return found


def _row(
    session: str, title: str, goal: str, goal_title: str, measure: str, figure: Cell
) -> dict[str, Any]:
    return {
        "session": session,
        "session_title": title,
        "school_goal": goal,
        "school_goal_title": goal_title,
        "measure": measure,
        "value": figure.value,
        "people": figure.n,
        "note": figure.note,
    }


def _share(
    people: Sequence[_Teacher], what: Callable[[_Teacher], bool | None], parent: Cell
) -> Cell:
    readable = [t for t in people if t.readable]
    known = [what(t) for t in readable]
    if parent.suppressed:
        return Cell(None, None, SUPPRESSED)
    if any(k is None for k in known):
        return Cell(None, None, NOT_COUNTED)
    return cell(sum(bool(k) for k in known) / len(known) if known else None, len(known))


def _mean_change(people: Sequence[_Teacher], parent: Cell) -> Cell:
    changes = [t.change for t in people if t.change is not None]
    if parent.suppressed:
        return Cell(None, None, SUPPRESSED)
    return cell(sum(changes) / len(changes) if changes else None, len(changes))


def _session_rows(
    store: Store,
    session: str,
    title: str,
    goals: Sequence[tuple[str, str]],
    evaluation: FormDefinition,
    evidence: EvidenceCheck,
) -> list[dict[str, Any]]:
    teachers = _teachers(store, session, evidence)
    ids = [g for g, _t in goals] + sorted(
        {t.school_goal for t in teachers if t.school_goal} - {g for g, _t in goals}
    )
    titles = dict(goals)
    counted: dict[str, dict[str, Cell]] = {}
    totals: dict[str, Cell] = {}
    tests: dict[str, Callable[[_Teacher], bool]] = {
        "goals_set": lambda t: t.goal,
        "goals_agreed": lambda t: t.agreed,
        "goals_met": lambda t: t.met,
    }
    for measure, test in tests.items():
        parts = {g: sum(1 for t in teachers if test(t) and t.school_goal == g) for g in ids}
        total = sum(1 for t in teachers if test(t))
        counted[measure] = suppress_parts(parts, total)
        totals[measure] = cell(total, total)
    rows = [_row(session, title, ALL, "", "teachers", cell(len(teachers), len(teachers)))]
    for goal, goal_title in [(ALL, ""), *((g, titles.get(g, g)) for g in ids)]:
        people = teachers if goal == ALL else [t for t in teachers if t.school_goal == goal]
        for measure in tests:
            figure = totals[measure] if goal == ALL else counted[measure][goal]
            rows.append(_row(session, title, goal, goal_title, measure, figure))
        parent = totals["goals_set"] if goal == ALL else counted["goals_set"][goal]
        rows.append(
            _row(
                session,
                title,
                goal,
                goal_title,
                "share_measured",
                _share(people, lambda t: t.measured, parent),
            )
        )
        rows.append(
            _row(
                session,
                title,
                goal,
                goal_title,
                "share_with_evidence",
                _share(people, lambda t: t.evidence, parent),
            )
        )
        rows.append(
            _row(session, title, goal, goal_title, "mean_change", _mean_change(people, parent))
        )
    rows.extend(_evaluation_rows(store, session, title, evaluation))
    return rows


def _evaluation_rows(
    store: Store, session: str, title: str, form: FormDefinition
) -> list[dict[str, Any]]:
    count = store.evaluation_count(session, form.id)
    sheets = store.evaluation_sheets(session, form.id, viewer=Viewer.steward())
    rows = [_row(session, title, ALL, "", "evaluation_respondents", cell(count, count))]
    for field in form.fields:
        if field.type != "scale":
            continue
        answers = [
            number
            for sheet in sheets
            if (number := _number(sheet.answers.get(field.id))) is not None
        ]
        figure = cell(sum(answers) / len(answers) if answers else None, len(answers))
        if count < K:
            figure = Cell(None, None, SUPPRESSED)
        rows.append(_row(session, title, ALL, "", f"evaluation_mean:{field.id}", figure))
    return rows


def rollup(
    store: Store,
    sessions: Sequence[str] | None = None,
    *,
    evaluation: FormDefinition | None = None,
    evidence: EvidenceCheck = has_evidence,
    language: str | None = None,
) -> pd.DataFrame:
    """The rollup of ``sessions`` (ids; default: every stored session, and the default
    session when anyone is in it) as a tidy frame (see the module docs)."""
    form = evaluation or load_form(EVALUATION_FORM)
    stored = {s.id: s for s in store.sessions()}
    if sessions is None:
        wanted = list(stored)
        if store.participants(DEFAULT_SESSION):
            wanted.append(DEFAULT_SESSION)
    else:
        wanted = list(sessions)
        unknown = [s for s in wanted if s not in stored and s != DEFAULT_SESSION]
        if unknown:
            raise PdkitError(
                N_("no session {session!r} in the store {store} (pdkit session list)"),
                session=unknown[0],
                store=store.url,
            )
    rows: list[dict[str, Any]] = []
    for session in wanted:
        found = stored.get(session)
        title = found.title if found is not None else "Default session"
        goals = [
            (str(g.get("id", "")), choose(g.get("title", g.get("id", "")), language))
            for g in (found.school_goals if found is not None else ())
        ]
        rows.extend(_session_rows(store, session, title, goals, form, evidence))
    return pd.DataFrame(
        {
            column: pd.Series([r[column] for r in rows], dtype=dtype)
            for column, dtype in COLUMNS.items()
        }
    )


# ---------------------------------------------------------------------- writing


def _shown(value: Any) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float):
        return f"{value:.2f}" if not value.is_integer() else f"{int(value)}"
    return str(value)


MEASURE_WORDS: Mapping[str, str] = {
    "teachers": N_("teachers"),
    "goals_set": N_("goals set"),
    "goals_agreed": N_("goals agreed"),
    "goals_met": N_("goals met"),
    "share_measured": N_("share measured"),
    "share_with_evidence": N_("share with evidence"),
    "mean_change": N_("mean change"),
    "evaluation_respondents": N_("evaluation, respondents"),
}
"""How the page names each measure (the files keep the ids of :data:`MEASURES`)."""


def rollup_html(frame: pd.DataFrame, language: str | None = None) -> str:
    """The rollup as one offline HTML page in ``language`` (pdkit's words; default
    English): no script, no external link; per session a bar chart of goals set, agreed
    and met per school goal (:func:`pdkit.charts.bar_chart`) and a table of every figure,
    suppressed ones saying so."""
    t, tn = translator(language), plural_translator(language)
    lang = escape(language or DEFAULT_LANGUAGE)
    suppressed = t("fewer than {small}").format(small=K)
    parts = [
        f'<!DOCTYPE html><html lang="{lang}" dir="{direction(language)}"><head>'
        f'<meta charset="utf-8"><title>{escape(t("District rollup"))} — pdkit</title>'
        "<style>body{font-family:sans-serif;max-width:60em;"
        "margin:2em auto;padding:0 1em}table{border-collapse:collapse}td,th{border:1px solid "
        "#999;padding:.2em .5em;text-align:left}.suppressed{color:#555;font-style:italic}"
        f".bar{{fill:#3b73b9}}</style></head><body><h1>{escape(t('District rollup'))}</h1>"
        "<p>"
        + escape(
            t(
                "Every figure about fewer than {small} people is suppressed (it says "
                "“{suppressed}”), and so is a second figure where one suppressed figure "
                "could otherwise be worked out from a total."
            ).format(small=K, suppressed=suppressed)
        )
        + "</p>"
    ]
    records: list[dict[str, Any]] = [
        {str(k): v for k, v in r.items()} for r in frame.to_dict("records")
    ]
    sessions = list(dict.fromkeys(str(r["session"]) for r in records))
    for session in sessions:
        rows = [r for r in records if str(r["session"]) == session]
        title = str(rows[0]["session_title"])
        parts.append(f"<h2>{escape(title)} <small>({escape(session)})</small></h2>")
        counts = [r for r in rows if r["school_goal"] != ALL and r["measure"] in _CHARTED]
        bars = [
            (f"{_goal_name(r, t)}: {_measure(r, t)}", int(r["value"]))
            for r in counts
            if not r["note"]
        ]
        hidden = sum(1 for r in counts if r["note"])
        if bars:
            parts.append(
                bar_chart(
                    bars,
                    label=t("Goals per school goal (set, agreed, met)"),
                    css_class="pdkit-chart",
                    width=700,
                    label_width=330,
                )
            )
        if hidden:
            said = tn(
                "{count} count per school goal suppressed ({suppressed} people).",
                "{count} counts per school goal suppressed ({suppressed} people).",
                hidden,
            ).format(count=hidden, suppressed=suppressed)
            parts.append(f'<p class="suppressed">{escape(said)}</p>')
        body = "".join(
            f"<tr><td>{escape(_goal_name(r, t))}</td><td>{escape(_measure(r, t))}</td>"
            + (
                f'<td class="suppressed" colspan="2">{escape(_note(r, t, suppressed))}</td>'
                if r["note"]
                else f"<td>{escape(_shown(r['value']))}</td><td>{escape(_shown(r['people']))}</td>"
            )
            + "</tr>"
            for r in rows
        )
        heads = "".join(
            f"<th>{escape(t(word))}</th>"
            for word in (N_("School goal"), N_("Measure"), N_("Value"), N_("People"))
        )
        parts.append(f"<table><thead><tr>{heads}</tr></thead><tbody>{body}</tbody></table>")
    parts.append("</body></html>")
    return "".join(parts)


def _note(row: Mapping[str, Any], t: Callable[[str], str], suppressed: str) -> str:
    """Why a figure is not shown, in the page's language."""
    note = str(row["note"])
    return suppressed if note == SUPPRESSED else t(note)


def _measure(row: Mapping[str, Any], t: Callable[[str], str]) -> str:
    measure = str(row["measure"])
    if measure in MEASURE_WORDS:
        return t(MEASURE_WORDS[measure])
    if measure.startswith("evaluation_mean:"):
        question = measure.removeprefix("evaluation_mean:")
        return t("evaluation, mean of {question}").format(question=question)
    return measure


_CHARTED = ("goals_set", "goals_agreed", "goals_met")


def _goal_name(row: Mapping[str, Any], t: Callable[[str], str]) -> str:
    if row["school_goal"] == ALL:
        return t("All school goals")
    return str(row["school_goal_title"] or row["school_goal"])


def write_rollup(frame: pd.DataFrame, out: str | Path, language: str | None = None) -> list[Path]:
    """Write ``rollup.csv``, ``rollup.xlsx`` and ``rollup.html`` (its words in
    ``language``) into the folder ``out`` (made if missing); returns their paths."""
    require("openpyxl", why="the rollup's Excel file needs openpyxl", package="openpyxl")
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    csv_path, xlsx_path, html_path = (folder / f"rollup.{ext}" for ext in ("csv", "xlsx", "html"))
    write_atomically(csv_path, frame.to_csv(index=False))
    tmp = xlsx_path.with_name(f".{xlsx_path.name}.{os.getpid()}.tmp")
    try:
        with pd.ExcelWriter(tmp, engine="openpyxl") as writer:
            frame.to_excel(writer, sheet_name="rollup", index=False)
        tmp.replace(xlsx_path)
    finally:
        tmp.unlink(missing_ok=True)
    write_atomically(html_path, rollup_html(frame, language))
    return [csv_path, xlsx_path, html_path]
