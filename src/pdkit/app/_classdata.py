"""A teacher's private class-data page (issue #16 item 6, workbook ``class-data``).

The teacher uploads a CSV of de-identified class scores, picks the score column and the
date (or week) column, and sees the class mean per date from point A toward point B of
their goal's measure (:func:`pdkit.charts.line_chart`, as on "My goal"). *Attach to my
check-in* writes the summary numbers only — the latest mean as the check-in's
``measure_value`` and, per date, the count, mean and median as text in its ``evidence`` —
never a row: the rows stay in this page's memory and go when it closes.

The file is bounded (:data:`MAX_CSV_BYTES`, :data:`MAX_ROWS`, :data:`MAX_COLUMNS`), and a
file whose columns look like names, emails or ids (or whose cells hold email addresses)
is refused with a reminder to de-identify it first. pandas is imported when a file is
read, never when the page starts.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

import ipywidgets as w

from ..charts import format_value, line_chart
from ..definitions import load_form
from ..definitions.ids import CHECKIN_FORM, GOAL_FORM, MEASURE_VALUE_FIELD
from ..errors import AnswerError, PdkitError
from ..evidence import MAX_TEXT_CHARS, class_summary_text
from ..i18n import N_, Nn_, translator
from ..measures import measure_of
from ..store import Participant, Store
from ..widgets import HTML, HBox, Safekeeper, VBox
from ._goalview import para
from ._page import message_in

__all__ = [
    "MAX_COLUMNS",
    "MAX_CSV_BYTES",
    "MAX_ROWS",
    "ClassDataPage",
    "ClassDataPart",
    "ClassSummary",
    "read_class_csv",
    "summarise",
]

MAX_CSV_BYTES = 1_000_000
"""The largest file read (a class's scores for a year fit in a few kilobytes)."""

MAX_ROWS = 20_000
MAX_COLUMNS = 60

_IDENTIFYING = re.compile(
    r"(^|[^a-z])(name|names|nombre|apellido|first|last|surname|email|e-mail|mail|correo|"
    r"id|ids|student_?id|sis|dob|birth|phone|address|username|login)([^a-z]|$)",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[a-z]{2,}", re.IGNORECASE)


@dataclass(frozen=True)
class DatePoint:
    """The class on one date (or week): how many scores, their mean and median."""

    when: str
    count: int
    mean: float
    median: float


@dataclass(frozen=True)
class ClassSummary:
    """What is kept of a file: the summary per date, in order, and the columns used."""

    score_column: str
    date_column: str
    points: tuple[DatePoint, ...]

    @property
    def latest(self) -> DatePoint:
        return self.points[-1]

    def text(self, unit: str = "") -> str:
        """The summary in numbers, for a check-in's evidence (no row:
        :func:`pdkit.evidence.class_summary_text`)."""
        return class_summary_text(
            self.score_column,
            self.date_column,
            [(p.when, p.count, p.mean, p.median) for p in self.points],
            unit,
        )


def read_class_csv(data: bytes) -> Any:
    """The file as a DataFrame of text cells; :class:`AnswerError` with what to do when
    it is too large, not CSV, or looks like it identifies students."""
    import pandas as pd  # on demand: only this page reads files

    if len(data) > MAX_CSV_BYTES:
        raise AnswerError(
            N_(
                "The file is larger than {most} KB: keep only the score and "
                "date columns and upload it again."
            ),
            most=MAX_CSV_BYTES // 1000,
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise AnswerError(
            N_("The file is not UTF-8 text: save it as 'CSV UTF-8' from your spreadsheet.")
        ) from None
    if not text.strip():
        raise AnswerError(N_("The file is empty: save your scores as CSV and upload it again."))
    header = text.lstrip().split("\n", 1)[0]
    sep = next((s for s in (",", ";", "\t") if s in header), ",")  # a spreadsheet's choice
    try:
        frame = pd.read_csv(
            io.StringIO(text), dtype=str, keep_default_na=False, nrows=MAX_ROWS + 1, sep=sep
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError, csv.Error) as exc:
        raise AnswerError(
            N_(
                "The file cannot be read as CSV ({reason}): save it as CSV from your "
                "spreadsheet, one row per score, with a header row."
            ),
            reason=str(exc)[:120],
        ) from None
    if len(frame) > MAX_ROWS:
        raise AnswerError(
            N_("The file has more than {most:,} rows: upload one class at a time."), most=MAX_ROWS
        )
    if len(frame.columns) > MAX_COLUMNS or len(frame.columns) < 2:
        raise AnswerError(
            N_(
                "The file needs a header row and at least two columns (a score and a date or "
                "week), and at most {most}."
            ),
            most=MAX_COLUMNS,
        )
    named = [str(c) for c in frame.columns if _IDENTIFYING.search(str(c).replace(" ", "_"))]
    if named:
        shown = ", ".join(repr(c[:40]) for c in named[:5])
        raise AnswerError(
            Nn_(
                "The column {shown} looks like it identifies students. De-identify the file "
                "first: keep only the scores and the dates (or weeks), with no names, emails or "
                "student ids, then upload it again.",
                "The columns {shown} look like they identify students. De-identify the file "
                "first: keep only the scores and the dates (or weeks), with no names, emails or "
                "student ids, then upload it again.",
            ),
            count=len(named[:5]),
            shown=shown,
        )
    for column in frame.columns:
        if frame[column].astype(str).str.contains(_EMAIL).any():
            raise AnswerError(
                N_(
                    "A cell of column {column!r} holds an email. De-identify the file first: "
                    "keep only the scores and the dates (or weeks), with no names, emails or "
                    "student ids, then upload it again."
                ),
                column=str(column)[:40],
            )
    return frame


def score_columns(frame: Any) -> list[str]:
    """The columns that hold numbers (most of their cells), best first."""
    import pandas as pd

    found = []
    for column in frame.columns:
        numbers = pd.to_numeric(frame[column].str.replace(",", ".", regex=False), errors="coerce")
        share = numbers.notna().mean() if len(frame) else 0.0
        if share >= 0.5:
            found.append((share, str(column)))
    return [c for _, c in sorted(found, key=lambda item: -item[0])]


def summarise(frame: Any, score: str, date: str) -> ClassSummary:
    """Count, mean and median of ``score`` per value of ``date``, in date order (dates,
    then numbers such as week 1, 2, 10, else the file's order); cells that are not finite
    numbers are left out. :class:`AnswerError` when no number is left."""
    import pandas as pd

    if score == date:
        raise AnswerError(N_("Choose two different columns: one for the score, one for the date."))
    numbers = pd.to_numeric(
        frame[score].str.replace(",", ".", regex=False), errors="coerce"
    ).astype("float64")
    numbers = numbers.where(numbers.abs() < math.inf)  # "1e999" is no score
    table = pd.DataFrame({"when": frame[date].str.strip(), "score": numbers}).dropna()
    table = table[table["when"] != ""]
    if table.empty:
        raise AnswerError(
            N_("Column {score!r} holds no numbers with a date: choose another."), score=score
        )
    order = _date_order(list(dict.fromkeys(table["when"])))
    grouped = table.groupby("when", sort=False)["score"].agg(["count", "mean", "median"])
    counts: dict[Any, Any] = grouped["count"].to_dict()
    means: dict[Any, Any] = grouped["mean"].to_dict()
    medians: dict[Any, Any] = grouped["median"].to_dict()
    points = tuple(
        DatePoint(str(when), int(counts[when]), float(means[when]), float(medians[when]))
        for when in order
    )
    return ClassSummary(score, date, points)


def _date_order(values: Sequence[str]) -> list[str]:
    import pandas as pd

    as_dates = pd.to_datetime(pd.Series(values), errors="coerce", format="mixed")
    if as_dates.notna().all():
        return [v for _, v in sorted(zip(as_dates.tolist(), values, strict=True))]
    digits = [re.sub(r"[^0-9.]", "", v) for v in values]
    as_numbers = pd.to_numeric(pd.Series(digits), errors="coerce")
    if as_numbers.notna().all() and as_numbers.is_unique:
        return [v for _, v in sorted(zip(as_numbers.tolist(), values, strict=True))]
    return list(values)


class ClassDataPage:
    """The page for one teacher (see the module docs). ``load(name, data)`` is what an
    upload does; ``attach()`` what *Attach to my check-in* does."""

    def __init__(self, store: Store, participant: Participant, *, language: str | None) -> None:
        self.store = store
        self.pid = participant.id
        self.language = language
        self.t = t = translator(language)
        self.frame: Any = None
        self.summary: ClassSummary | None = None
        self._quiet = False
        self.upload = w.FileUpload(
            accept=".csv,text/csv", multiple=False, description=t("Upload a CSV")
        )
        self.upload.observe(self._on_upload, names="value")
        self.score = w.Dropdown(
            description=t("Score column"), style={"description_width": "initial"}
        )
        self.date = w.Dropdown(
            description=t("Date or week column"), style={"description_width": "initial"}
        )
        for picker in (self.score, self.date):
            picker.observe(lambda _: self.draw(), names="value")
        self.chart = HTML()
        self.message = HTML()
        self.attach_button = w.Button(
            description=t("Attach to my check-in"),
            icon="paperclip",
            button_style="primary",
            disabled=True,
            tooltip=t("Add the summary numbers (never the rows) to your latest check-in"),
            layout=w.Layout(width="auto"),
        )
        self.attach_button.on_click(lambda _: self.attach())
        reminder = t(
            "Only de-identified scores: no names, emails or student ids. The file stays on "
            "this page; only the summary numbers are saved, and only when you attach them."
        )
        self.widget = VBox(
            [
                HTML(value=para("pdkit-note", reminder)),
                HBox([self.upload]),
                self.score,
                self.date,
                self.message,
                self.chart,
                HBox([self.attach_button]),
            ]
        )
        self.widget.add_class("pdkit-class-data")

    def _on_upload(self, change: dict[str, Any]) -> None:
        files = change["new"] or ()
        if files:
            item = files[0]
            self.load(str(item.get("name", "")), bytes(item.get("content", b"")))
        self.upload.value = ()  # the page keeps no copy of the file's bytes

    def load(self, name: str, data: bytes) -> bool:
        """Read an uploaded file; whether it could be read (else the message says why)."""
        self.frame, self.summary = None, None
        self.attach_button.disabled = True
        self.chart.value = ""
        try:
            frame = read_class_csv(data)
        except AnswerError as exc:
            self.message.value = para("pdkit-error", message_in(exc, self.language), "alert")
            return False
        self.frame = frame
        columns = [str(c) for c in frame.columns]
        scores = score_columns(frame) or columns
        self._quiet = True  # draw once, after both columns are chosen
        try:
            self.score.options = scores
            self.date.options = columns
            self.score.value = scores[0]
            self.date.value = next((c for c in columns if c != scores[0]), columns[0])
        finally:
            self._quiet = False
        said = self.t("{name}: {rows} rows read.").format(name=name[:80], rows=len(frame))
        self.message.value = para("pdkit-ok", said, "status")
        self.draw()
        return True

    def draw(self) -> None:
        """Summarise by the chosen columns and draw the class from A toward B."""
        if self._quiet or self.frame is None or None in (self.score.value, self.date.value):
            return
        try:
            self.summary = summarise(self.frame, str(self.score.value), str(self.date.value))
        except AnswerError as exc:
            self.summary = None
            self.attach_button.disabled = True
            self.chart.value = para("pdkit-error", message_in(exc, self.language), "alert")
            return
        measure = self._measure()
        unit = measure.symbol if measure is not None else ""
        first, last = self.summary.points[0], self.summary.latest
        words = self.t("Class mean from {a} ({first}) to {now} ({last}).").format(
            a=format_value(first.mean, unit),
            first=first.when,
            now=format_value(last.mean, unit),
            last=last.when,
        )
        if measure is not None and measure.target is not None:
            words += " " + self.t("Point B: {b}.").format(b=format_value(measure.target, unit))
        svg = line_chart(
            [(p.when, p.mean) for p in self.summary.points],
            label=self.t("Class mean by date, from point A toward point B"),
            baseline=(self.t("Point A"), measure.baseline)
            if measure is not None and measure.baseline is not None
            else None,
            target=(self.t("Point B"), measure.target)
            if measure is not None and measure.target is not None
            else None,
            unit=unit,
            css_class="chart line-chart pdkit-measure-chart",
        )
        rows = "".join(
            f"<tr><td>{escape(p.when)}</td><td>{p.count}</td>"
            f"<td>{escape(format_value(p.mean, unit))}</td>"
            f"<td>{escape(format_value(p.median, unit))}</td></tr>"
            for p in self.summary.points
        )
        head = "".join(
            f"<th>{escape(self.t(h))}</th>"
            for h in (N_("Date"), N_("Scores"), N_("Mean"), N_("Median"))
        )
        self.chart.value = (
            f'<div class="pdkit-measure"><p class="pdkit-measure-words">{escape(words)}</p>'
            f'<div class="pdkit-chart">{svg}</div><table class="pdkit-table">'
            f"<tr>{head}</tr>{rows}</table></div>"
        )
        self.attach_button.disabled = False

    def _measure(self) -> Any:
        try:
            return measure_of(self.store.latest(self.pid, GOAL_FORM, viewer=self.pid))
        except PdkitError:
            return None

    def attach(self) -> bool:
        """Attach the summary (never a row) to the teacher's latest check-in: the latest
        mean as its measure's value (so "My goal" draws it between point A and point B),
        and the numbers per date as an evidence item of that check-in (kind assessment,
        marked as student data: derived from students' scores, it goes no further than
        the coach)."""
        if self.summary is None:
            return False
        try:
            checkin = load_form(CHECKIN_FORM, language=self.language)
            measure = self._measure()
            text = self.summary.text(measure.symbol if measure is not None else "")
            self.store.record(
                self.pid,
                CHECKIN_FORM,
                {MEASURE_VALUE_FIELD: round(self.summary.latest.mean, 2)},
                spec_version=checkin.spec_version,
            )
            number = len(self.store.checkin_times(self.pid))
            self.store.add_evidence(
                self.pid,
                kind="assessment",
                caption=self.t("Class data: the mean and median by date"),
                text=text[:MAX_TEXT_CHARS],
                student_data=True,
                checkin=number or None,
            )
        except PdkitError as exc:
            self.message.value = para("pdkit-error", message_in(exc, self.language), "alert")
            return False
        said = self.t(
            "Attached to your latest check-in: the class mean, and the summary as evidence."
        )
        self.message.value = para("pdkit-ok", said, "status")
        return True


class ClassDataPart:
    """The class-data section of a workbook (``home: class-data``); the page links back
    to "My goal" as every workbook page does."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.page: ClassDataPage | None = None

    def build(
        self,
        participant: Participant,
        language: str | None = None,
        keeper: Safekeeper | None = None,
    ) -> w.Widget:
        self.page = ClassDataPage(self.store, participant, language=language)
        return self.page.widget

    def flush(self) -> None:
        """Nothing waits to be saved: the summary is written only on *Attach*."""

    def leave(self) -> None:
        self.page = None  # the rows go with the page
