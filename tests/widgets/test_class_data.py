"""The private class-data page (#16 item 6): a CSV of de-identified scores is read within
bounds, refused with a reminder when it looks like it names students, summarised per date
and drawn from point A toward point B; attaching writes the summary numbers into the
latest check-in, and no row value ever reaches the store."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import ipywidgets as w
import pytest
from tests._stores import BACKENDS

from pdkit._clock import CLOCK_OFFSET_ENV
from pdkit.app import Workbook
from pdkit.app._classdata import MAX_CSV_BYTES, ClassDataPage, read_class_csv, summarise
from pdkit.definitions.ids import CHECKIN_FORM, GOAL_FORM
from pdkit.errors import AnswerError
from pdkit.evidence import class_summary_points
from pdkit.i18n import translator
from pdkit.store import Store
from pdkit.testing import page_loaded
from pdkit.widgets._evidence_html import evidence_html

# Row values chosen so that none equals a summary number (mean, median or count).
CSV = b"""week,score
Week 1,41.5
Week 1,37.25
Week 1,44.75
Week 2,53.5
Week 2,58.75
Week 10,61.25
Week 10,66.75
Week 10,70.25
Week 10,x
"""
ROW_VALUES = ("41.5", "37.25", "44.75", "53.5", "58.75", "61.25", "66.75", "70.25")


@pytest.fixture(autouse=True)
def _close_widgets() -> Iterator[None]:
    yield
    w.Widget.close_all()


@pytest.fixture(autouse=True)
def _no_hub(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    monkeypatch.delenv(CLOCK_OFFSET_ENV, raising=False)


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest) -> Iterator[Store]:
    opened: Store = request.param(request)
    yield opened
    opened.close()


def test_a_file_is_summarised_per_week_in_order() -> None:
    summary = summarise(read_class_csv(CSV), "score", "week")
    assert [(p.when, p.count) for p in summary.points] == [
        ("Week 1", 3),
        ("Week 2", 2),
        ("Week 10", 3),  # weeks in number order, not text order; "x" is no score
    ]
    assert summary.points[0].mean == pytest.approx(41.1666, abs=1e-3)
    assert summary.points[0].median == 41.5  # the median of three is a row: shown, not kept
    assert summary.latest.mean == pytest.approx(66.0833, abs=1e-3)
    dates = summarise(read_class_csv(b"day;pts\n2026-02-01;3\n2026-01-05;1\n"), "pts", "day")
    assert [p.when for p in dates.points] == ["2026-01-05", "2026-02-01"]


@pytest.mark.parametrize(
    ("data", "said"),
    [
        (b"name,score,week\nAna,40,1\n", "looks like it identifies students"),
        (b"Student ID,score,week\n17,40,1\n", "looks like it identifies students"),
        (b"E-mail,score\nx,1\n", "looks like it identifies students"),
        (b"nombre,score\nx,1\n", "looks like it identifies students"),
        (b"name,email,week\nAna,x,1\n", "columns 'name', 'email' look like they identify students"),
        (b"who,score\nana@school.org,40\n", "holds an email"),
        (b"", "empty"),
        (b"\xff\xfe\x00garbage", "not UTF-8"),
        (b"score\n1\n2\n", "at least two columns"),
        (b"a,b\n" + b"1,2\n" * 20_001, "more than 20,000 rows"),
        (b"a,b\n" + b"9" * (MAX_CSV_BYTES + 1), "larger than"),
        (b'a,b\n"1,2\n3,"4\n"5', "cannot be read as CSV"),
    ],
)
def test_bad_files_are_refused_clearly(data: bytes, said: str) -> None:
    started = time.perf_counter()
    with pytest.raises(AnswerError) as caught:
        read_class_csv(data)
    assert said in str(caught.value)
    assert time.perf_counter() - started < 5
    if "identif" in said or "email" in said:
        assert "De-identify the file first" in str(caught.value)


def test_a_column_without_numbers_is_said() -> None:
    frame = read_class_csv(b"week,comment\n1,good\n2,better\n")
    with pytest.raises(AnswerError, match="no numbers"):
        summarise(frame, "comment", "week")
    with pytest.raises(AnswerError, match="two different columns"):
        summarise(frame, "week", "week")


def test_the_page_draws_a_to_b_and_attaches_only_the_summary(store: Store) -> None:
    ana, token = store.create_participant("Ana")
    store.record(
        ana.id,
        GOAL_FORM,
        {
            "measure_instrument": "Exit ticket",
            "measure_unit": "percent",
            "baseline": 40.0,
            "target": 80.0,
        },
        spec_version="goal-setting@1",
    )
    store.record(
        ana.id,
        CHECKIN_FORM,
        {"progress": 2, "evidence": "Pairs talk more"},
        spec_version="exit-ticket@1",
    )

    workbook = Workbook("class-data", store=store)
    assert workbook.error is None
    app = workbook.app
    page_loaded(
        app.sign_in.browser,  # type: ignore[union-attr]
        page_url="http://h/voila/render/class-data.ipynb",
        url_token=token,
    )
    page = app.parts[0].page  # type: ignore[union-attr]
    assert isinstance(page, ClassDataPage)
    assert page.attach_button.disabled

    assert not page.load("names.csv", b"first name,score\nAna,40\n")
    assert "De-identify" in page.message.value
    assert page.frame is None

    assert page.load("class.csv", CSV)
    assert (page.score.value, page.date.value) == ("score", "week")
    shown = page.chart.value
    assert "pdkit-measure-chart" in shown
    assert "Class mean from 41.17% (Week 1) to 66.08% (Week 10). Point B: 80%." in shown
    assert "Point A&#58; 40%" in shown
    assert not page.attach_button.disabled

    assert page.attach()
    saved = store.latest(ana.id, CHECKIN_FORM, viewer=ana.id)
    assert saved["measure_value"] == 66.08
    assert saved["evidence"] == "Pairs talk more"  # what the teacher wrote stays as it was
    [item] = store.evidence(ana.id, viewer=ana.id)
    assert item.kind == "assessment"
    assert item.student_data  # derived from students' scores: no further than the coach
    assert item.checkin == len(store.checkin_times(ana.id))  # the latest check-in
    assert item.text.startswith("Class data (score by week")
    assert "Week 10: 3 scores, mean 66.08%, median 66.75%" in item.text

    # No row value reaches the store: only counts, means and medians (a median of an odd
    # count is a row's value, so the rows are chosen so that no other value appears).
    written = json.dumps(
        [
            e.value
            for form in (CHECKIN_FORM, GOAL_FORM)
            for e in store.history(ana.id, form, viewer=ana.id)
        ]
        + [[e.caption, e.text, e.link] for e in store.evidence(ana.id, viewer=ana.id)]
    )
    leaked = [v for v in ROW_VALUES if v in written and v not in ("41.5", "66.75")]
    assert leaked == []
    assert "37.25" not in written
    assert "70.25" not in written
    assert "Week 1,41.5" not in written
    page.upload.value = ()  # an empty upload changes nothing
    assert page.summary is not None

    # The summary attached is drawn wherever the evidence is shown ("My goal", the
    # coach's page): the plot goes with the numbers, the rows stay here.
    points, unit = class_summary_points(item.text)
    assert unit == "%"
    assert [when for when, _ in points] == [p.when for p in page.summary.points]
    assert points[-1] == ("Week 10", 66.08)
    shown = evidence_html([item], translator("en"))
    assert "pdkit-evidence-chart" in shown
    assert "Week 10&#58; 66.08%" in shown


def test_an_upload_through_the_widget_is_read_and_not_kept(store: Store) -> None:
    ana, _ = store.create_participant("Ana")
    page = ClassDataPage(store, ana, language=None)
    page.upload.set_state(
        {
            "value": [
                {
                    "name": "class.csv",
                    "type": "text/csv",
                    "size": len(CSV),
                    "content": memoryview(CSV),
                    "last_modified": 0,
                }
            ]
        }
    )
    assert "class.csv: 9 rows read." in page.message.value
    assert page.summary is not None
    assert page.upload.value == ()  # the widget holds no copy of the file
    assert "Class mean from 41.17 (Week 1) to 66.08 (Week 10)." in page.chart.value


def test_the_page_speaks_spanish(store: Store) -> None:
    ana, _ = store.create_participant("Ana")
    page = ClassDataPage(store, ana, language="es")
    assert page.upload.description == "Subir un CSV"
    assert page.load("clase.csv", CSV)
    assert "Media de la clase de 41.17 (Week 1) a 66.08 (Week 10)." in page.chart.value
    assert "<th>Mediana</th>" in page.chart.value


def test_a_refused_file_is_said_in_the_pages_language(store: Store) -> None:
    ana, _ = store.create_participant("Ana")
    page = ClassDataPage(store, ana, language="es")
    t = translator("es")
    assert not page.load("clase.csv", b"")
    empty = "The file is empty: save your scores as CSV and upload it again."
    assert t(empty) != empty
    assert t(empty) in page.message.value
    assert not page.load("clase.csv", b"Student ID,score,week\n17,40,1\n")
    assert "Student ID" in page.message.value
    assert "looks like it identifies" not in page.message.value
    assert 'role="alert"' in page.message.value
