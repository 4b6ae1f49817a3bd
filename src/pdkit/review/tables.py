"""A session's tidy tables for its facilitator: the dashboard's export (pandas).

::

    from pdkit.review import tables
    found = tables.session_tables(store, "s-1a2b3c4d")   # {"roster": DataFrame, …}
    data = tables.write_tables(found, "xlsx")            # or "zip": one CSV per table
    again = tables.read_tables(data, "xlsx")             # the same tables, same dtypes

The tables hold what a dashboard shows — statuses, counts, groups — and never what a
participant wrote (:meth:`pdkit.store.Store.statuses`, :meth:`~pdkit.store.Store.choices`):

``roster``        participant, display_name, joined_at (``datetime64[ns, UTC]``, to the
                  microsecond),
                  goal_drafted (bool), goal_visibility, reflections_done (``int64``),
                  group ("" when in none)
``school_goals``  school_goal (id), title, goals (``int64``: how many goals serve it)
``groups``        group, participant, display_name — one row per member
``checkins``      participant, display_name, done, overdue (``int64``), next_due (ISO
                  date, "" when none), next_state (``due``, ``overdue`` or "") — where each
                  teacher is in the session's check-in schedule (:mod:`pdkit.followup`)
``schedule``      due (ISO date) — the session's check-in dates
``evaluation``    question, answer, label, count (``Int64``: empty when suppressed), note —
                  the anonymous session evaluation: how many answered, how many chose each
                  option, the open answers one per row in a random order; below 5 answers
                  one row per question saying so (:mod:`pdkit.suppression`)
``fidelity``      run, protocol, started_at, round, step, title, planned_minutes,
                  actual_minutes, added_minutes, pauses, paused_minutes, visits, state
                  (done, now, not reached, left out), wrote_notes — how each protocol run
                  went against its plan (:mod:`pdkit.fidelity`)

Like the rest of :mod:`pdkit.review`, this module imports pandas: a participant's kernel never
loads it (the dashboard imports it when the facilitator asks for a download).
"""

from __future__ import annotations

import io
import zipfile
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from .._clock import now as clock_now
from .._clock import today as clock_today
from .._imports import require
from ..definitions import FormDefinition, SchoolGoal, load_form
from ..definitions.ids import EVALUATION_FORM, GOAL_FORM, SCHOOL_GOAL_FIELD
from ..errors import PdkitError
from ..fidelity import COLUMNS as FIDELITY_COLUMNS
from ..i18n import N_
from ..store import Store, Viewer
from ..widgets._evaluation import evaluation_rows
from ..widgets._fidelity import run_records
from ._frames import utc_times

__all__ = ["TABLES", "read_tables", "session_tables", "write_tables"]

_UTC = "datetime64[ns, UTC]"

TABLES: Mapping[str, Mapping[str, str]] = {
    "roster": {
        "participant": "string",
        "display_name": "string",
        "joined_at": _UTC,
        "goal_drafted": "bool",
        "goal_visibility": "string",
        "reflections_done": "int64",
        "group": "string",
    },
    "school_goals": {"school_goal": "string", "title": "string", "goals": "int64"},
    "groups": {"group": "string", "participant": "string", "display_name": "string"},
    "checkins": {
        "participant": "string",
        "display_name": "string",
        "done": "int64",
        "overdue": "int64",
        "next_due": "string",
        "next_state": "string",
    },
    "schedule": {"due": "string"},
    "fidelity": {
        "run": "string",
        "protocol": "string",
        "started_at": _UTC,
        "round": "int64",
        "step": "string",
        "title": "string",
        "planned_minutes": "float64",
        "actual_minutes": "float64",
        "added_minutes": "float64",
        "pauses": "int64",
        "paused_minutes": "float64",
        "visits": "int64",
        "state": "string",
        "wrote_notes": "int64",
    },
    "evaluation": {
        "question": "string",
        "answer": "string",
        "label": "string",
        "count": "Int64",
        "note": "string",
    },
}
"""Every table's columns and their dtypes, in order."""

_KINDS = ("xlsx", "zip")


def _frame(name: str, columns: Mapping[str, Sequence[Any]]) -> pd.DataFrame:
    data: dict[str, Any] = {}
    for column, dtype in TABLES[name].items():
        values: Any = columns.get(column, [])
        if dtype == _UTC:
            # to the microsecond: what Excel and CSV text keep
            data[column] = (
                utc_times(values).dt.round("us").astype(pd.DatetimeTZDtype("ns", "UTC"))
            )  # also empty
        else:
            data[column] = pd.Series(values, dtype=dtype)
    return pd.DataFrame(data)


def session_tables(
    store: Store,
    session: str,
    school_goals: Sequence[SchoolGoal] = (),
    evaluation: FormDefinition | None = None,
) -> dict[str, pd.DataFrame]:
    """The session's tables (see the module docs), read as its facilitator;
    ``evaluation`` is the session evaluation's form (the built-in one when None)."""
    statuses = store.statuses(session)
    choices = store.choices(
        session, GOAL_FORM, SCHOOL_GOAL_FIELD, viewer=Viewer.facilitator(session)
    )
    roster = _frame(
        "roster",
        {
            "participant": [s.participant for s in statuses],
            "display_name": [s.display_name for s in statuses],
            "joined_at": [s.joined_at for s in statuses],
            "goal_drafted": [s.goal_drafted for s in statuses],
            "goal_visibility": [s.goal_visibility for s in statuses],
            "reflections_done": [s.reflections_done for s in statuses],
            "group": [s.group or "" for s in statuses],
        },
    )
    counts = Counter(choices.values())
    titles = {g.id: g.title for g in school_goals}
    order = [g.id for g in school_goals] + sorted(set(counts) - set(titles))
    goals = _frame(
        "school_goals",
        {
            "school_goal": order,
            "title": [titles.get(i, i) for i in order],
            "goals": [counts.get(i, 0) for i in order],
        },
    )
    names = {s.participant: s.display_name for s in statuses}
    members = [(g.name, m) for g in store.groups(session) for m in g.members]
    groups = _frame(
        "groups",
        {
            "group": [g for g, _m in members],
            "participant": [m for _g, m in members],
            "display_name": [names.get(m, "") for _g, m in members],
        },
    )
    today = clock_today()
    viewer = Viewer.facilitator(session)
    plans = [(s, store.checkin_plan(s.participant, today, viewer=viewer)) for s in statuses]
    checkins = _frame(
        "checkins",
        {
            "participant": [s.participant for s, _p in plans],
            "display_name": [s.display_name for s, _p in plans],
            "done": [p.done for _s, p in plans],
            "overdue": [p.overdue for _s, p in plans],
            "next_due": [p.next.due.isoformat() if p.next else "" for _s, p in plans],
            "next_state": [p.next.state if p.next else "" for _s, p in plans],
        },
    )
    found = store.checkin_schedule(session)
    schedule = _frame("schedule", {"due": [d.isoformat() for d in (found.dates if found else ())]})
    at = clock_now()
    steps = [(run, record) for run in store.runs(session) for record in run_records(store, run, at)]
    fidelity_rows = _frame(
        "fidelity",
        {
            "run": [run.id for run, _r in steps],
            "protocol": [run.protocol for run, _r in steps],
            "started_at": [run.created_at for run, _r in steps],
            **{
                column: [r.row()[n] for _run, r in steps]
                for n, column in enumerate(FIDELITY_COLUMNS)
            },
        },
    )
    return {
        "roster": roster,
        "school_goals": goals,
        "groups": groups,
        "checkins": checkins,
        "schedule": schedule,
        "fidelity": fidelity_rows,
        "evaluation": evaluation_table(store, session, evaluation),
    }


def evaluation_table(
    store: Store, session: str, evaluation: FormDefinition | None = None
) -> pd.DataFrame:
    """The session's ``evaluation`` table (see the module docs), read as its facilitator."""
    form = evaluation or load_form(EVALUATION_FORM)
    count = store.evaluation_count(session, form.id)
    sheets = store.evaluation_sheets(session, form.id, viewer=Viewer.facilitator(session))
    rows = evaluation_rows(form, count, sheets)
    return _frame(
        "evaluation", {column: [r[column] for r in rows] for column in TABLES["evaluation"]}
    )


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Times as ISO 8601 text in UTC (Excel and CSV keep no time zone)."""
    out = frame.copy()
    for column in out.columns:
        if isinstance(out[column].dtype, pd.DatetimeTZDtype):
            out[column] = out[column].dt.strftime("%Y-%m-%dT%H:%M:%S.%f%z")
    return out


def write_tables(found: Mapping[str, pd.DataFrame], kind: str) -> bytes:
    """The tables as an Excel workbook (``xlsx``: a sheet per table) or a ``zip`` of CSV
    files (UTF-8, a header row, times in ISO 8601 with their offset)."""
    if kind not in _KINDS:
        raise PdkitError(N_("tables are written as xlsx or zip, not {given!r}"), given=kind)
    buffer = io.BytesIO()
    if kind == "xlsx":
        require("openpyxl", why="Excel tables need openpyxl", package="openpyxl")
        with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
            for name, frame in found.items():
                _plain(frame).to_excel(writer, sheet_name=name, index=False)
    else:
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, frame in found.items():
                archive.writestr(f"{name}.csv", _plain(frame).to_csv(index=False))
    return buffer.getvalue()


def _typed(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    columns = TABLES.get(name)
    if columns is None:
        return frame
    data: dict[str, Any] = {}
    for column, dtype in columns.items():
        values: Any = frame[column] if column in frame.columns else pd.Series([], dtype=object)
        if dtype == _UTC:
            data[column] = pd.to_datetime(values, utc=True, format="ISO8601").astype(_UTC)
        elif dtype == "string":
            data[column] = values.astype(object).where(values.notna(), "").astype("string")
        elif dtype == "bool":
            data[column] = values.map(_true).astype(bool)
        elif dtype == "Int64":  # empty: suppressed
            data[column] = pd.to_numeric(values.replace("", None)).astype("Int64")
        else:
            data[column] = values.astype(dtype)
    return pd.DataFrame(data)


def _true(value: object) -> bool:
    return str(value).strip().lower() in ("true", "1")


def read_tables(data: bytes, kind: str) -> dict[str, pd.DataFrame]:
    """Tables written by :func:`write_tables`, with the documented dtypes again."""
    if kind not in _KINDS:
        raise PdkitError(N_("tables are read from xlsx or zip, not {given!r}"), given=kind)
    raw: dict[str, pd.DataFrame] = {}
    try:
        if kind == "xlsx":
            sheets = pd.read_excel(io.BytesIO(data), sheet_name=None, dtype=object)
            raw = {str(k): v for k, v in sheets.items()}
        else:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                for member in archive.namelist():
                    if member.endswith(".csv"):
                        raw[member.removesuffix(".csv")] = pd.read_csv(
                            archive.open(member), dtype=object, keep_default_na=False
                        )
    except (OSError, ValueError, zipfile.BadZipFile) as exc:
        raise PdkitError(
            N_("not a pdkit tables file ({form}): {reason}"), form=kind, reason=str(exc)
        ) from None
    return {name: _typed(name, frame) for name, frame in raw.items()}
