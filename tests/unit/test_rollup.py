"""The district rollup (:func:`pdkit.review.rollup`, ``pdkit rollup``): the figures, k = 5
suppression that cannot be got around (a small session, a school goal with 4 of 9
teachers, totals minus siblings), teachers only, the CSV / Excel / HTML files and the
command, on every backend in ``_stores.BACKENDS``."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from _stores import BACKENDS, Opener
from pdkit.cli import main
from pdkit.review import rollup, rollup_html, write_rollup
from pdkit.review._rollup import ALL, COLUMNS
from pdkit.store import Participant, Store, open_store
from pdkit.suppression import SUPPRESSED, suppress_parts

GOALS = [{"id": "lit", "title": "Literacy"}, {"id": "num", "title": "Numeracy"}]
COUNTS = ("goals_set", "goals_agreed", "goals_met")


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest) -> Iterator[Store]:
    opener: Opener = request.param
    opened = opener(request)
    yield opened
    opened.close()


def _teacher(
    store: Store,
    session: str,
    school_goal: str,
    *,
    coach: Participant | None = None,
    baseline: float | None = None,
    target: float | None = None,
    value: float | None = None,
    status: str = "draft",
) -> Participant:
    me, _ = store.create_participant("T", session=session)
    goal: dict[str, object] = {"school_goal": school_goal, "goal": "More talk"}
    if baseline is not None:
        goal |= {"baseline": baseline, "target": target}
    store.record(me.id, "goal-setting", goal, spec_version="goal-setting@1")
    if value is not None:
        store.record(me.id, "exit-ticket", {"measure_value": value}, spec_version="e@1")
    if coach is not None:
        store.set_visibility(me.id, "goal-setting", "coach")
        store.set_visibility(me.id, "exit-ticket", "coach")
        store.assign_coach(coach.id, [me.id])
        if status != "draft":
            store.set_goal_status(me.id, "asked", by=me.id)
            store.set_goal_status(me.id, "agreed", by=coach.id)
        if status == "met":
            store.set_goal_status(me.id, "met", by=coach.id)
    return me


def _figure(frame: pd.DataFrame, goal: str, measure: str) -> tuple[object, object, str]:
    [row] = frame[(frame.school_goal == goal) & (frame.measure == measure)].to_dict("records")
    return row["value"], row["people"], row["note"]


def _cannot_be_worked_out(frame: pd.DataFrame) -> None:
    """No suppressed count per school goal is its session's total minus the shown ones."""
    for _session, rows in frame.groupby("session"):
        for measure in COUNTS:
            total = rows[(rows.school_goal == ALL) & (rows.measure == measure)]
            parts = rows[(rows.school_goal != ALL) & (rows.measure == measure)]
            hidden = parts[parts.note != ""]
            if total.note.iloc[0] or hidden.empty:
                continue
            # One hidden part alone would be the total minus the shown ones.
            assert len(hidden) >= 2, (measure, hidden)


def test_suppression_hides_a_lone_small_part_and_its_smallest_sibling() -> None:
    assert {k: c.value for k, c in suppress_parts({"a": 4, "b": 5, "c": 9}).items()} == {
        "a": None,
        "b": None,
        "c": 9,
    }
    assert all(c.suppressed for c in suppress_parts({"a": 2, "b": 2}).values())
    assert {k: c.value for k, c in suppress_parts({"a": 4, "b": 9}, total=15).items()} == {
        "a": None,
        "b": 9,  # the 2 people in no part are not shown: a is known only with them
    }
    shown = suppress_parts({"a": 0, "b": 7})
    assert shown["a"].value == 0
    assert shown["b"].value == 7


def test_a_session_of_four_teachers_shows_nothing(store: Store) -> None:
    session, _ = store.create_session("Small", GOALS)
    coach, _ = store.create_participant("C", session=session.id, role="coach")
    for _ in range(4):
        _teacher(store, session.id, "lit", coach=coach, baseline=1, target=2, value=2)
    frame = rollup(store)
    assert list(frame.columns) == list(COLUMNS)
    ours = frame[frame.session == session.id]
    assert (ours.note == SUPPRESSED).all(), ours
    assert ours["value"].isna().all()
    assert ours["people"].isna().all()


def test_a_goal_with_four_of_nine_cannot_be_worked_out(store: Store) -> None:
    session, _ = store.create_session("Nine", GOALS)
    coach, _ = store.create_participant("Coach", session=session.id, role="coach")
    store.create_participant("Facilitator", session=session.id, role="facilitator")
    teachers = [
        _teacher(
            store,
            session.id,
            "lit" if i < 4 else "num",
            coach=coach,
            baseline=10,
            target=20,
            value=15 if i < 4 else 20,
            status="agreed",
        )
        for i in range(9)
    ]
    for person in teachers[:6]:  # as the goal is shared: with the coach
        store.add_evidence(person.id, kind="survey", caption="Exit tickets", link="https://x.org/a")
    kept = store.add_evidence(
        teachers[6].id, kind="survey", caption="Mine", text="12 of 20", visibility="private"
    )
    assert kept.visibility == "private"  # its teacher's alone: not counted
    frame = rollup(store, [session.id])
    assert _figure(frame, ALL, "teachers") == (9, 9, "")  # coach and facilitator not counted
    assert _figure(frame, ALL, "goals_set") == (9, 9, "")
    assert _figure(frame, ALL, "goals_agreed") == (9, 9, "")
    assert _figure(frame, "lit", "goals_set")[2] == SUPPRESSED
    assert _figure(frame, "num", "goals_set")[2] == SUPPRESSED  # else 9 - 5 = 4
    for measure in ("share_measured", "mean_change"):  # their people would tell the count
        assert _figure(frame, "num", measure)[2] == SUPPRESSED
    _cannot_be_worked_out(frame)
    value, people, note = _figure(frame, ALL, "mean_change")
    assert note == ""
    assert people == 9
    assert math.isclose(float(value), (4 * 0.5 + 5 * 1.0) / 9)  # type: ignore[arg-type]
    assert _figure(frame, ALL, "share_measured") == (1.0, 9, "")
    assert _figure(frame, ALL, "goals_met")[2] == SUPPRESSED  # nobody: 0 people
    value, counted, note = _figure(frame, ALL, "share_with_evidence")
    assert note == ""
    assert counted == 9
    assert math.isclose(float(value), 6 / 9)  # type: ignore[arg-type]


def test_school_goals_big_enough_are_shown_and_private_goals_are_counted_not_read(
    store: Store,
) -> None:
    session, _ = store.create_session("Twelve", GOALS)
    coach, _ = store.create_participant("Coach", session=session.id, role="coach")
    for _ in range(6):
        _teacher(
            store, session.id, "lit", coach=coach, baseline=0, target=10, value=5, status="met"
        )
    for _ in range(6):  # private goals: counted as set, never read
        _teacher(store, session.id, "num", baseline=0, target=10, value=10)
    frame = rollup(store, [session.id])
    assert _figure(frame, "lit", "goals_set") == (6, 6, "")
    assert _figure(frame, "num", "goals_set") == (6, 6, "")
    assert _figure(frame, "lit", "goals_met") == (6, 6, "")
    assert _figure(frame, "lit", "mean_change") == (0.5, 6, "")
    assert _figure(frame, "num", "mean_change")[2] == SUPPRESSED  # none readable
    assert _figure(frame, ALL, "share_measured") == (1.0, 6, "")
    _cannot_be_worked_out(frame)


def test_the_evaluation_is_summarised_from_five(store: Store) -> None:
    session, _ = store.create_session("Eval", GOALS)
    people = [store.create_participant("T", session=session.id)[0] for _ in range(5)]
    for i, who in enumerate(people[:4]):
        store.submit_evaluation(
            who.id,
            "session-evaluation",
            {"reaction": 2 + i % 2},
            session=session.id,
            spec_version="session-evaluation@1",
        )
    frame = rollup(store, [session.id])
    assert _figure(frame, ALL, "evaluation_respondents")[2] == SUPPRESSED
    assert _figure(frame, ALL, "evaluation_mean:reaction")[2] == SUPPRESSED
    store.submit_evaluation(
        people[4].id,
        "session-evaluation",
        {"reaction": 5, "learning": 4},
        session=session.id,
        spec_version="session-evaluation@1",
    )
    frame = rollup(store, [session.id])
    assert _figure(frame, ALL, "evaluation_respondents") == (5, 5, "")
    assert _figure(frame, ALL, "evaluation_mean:reaction") == (3.0, 5, "")
    assert _figure(frame, ALL, "evaluation_mean:learning")[2] == SUPPRESSED  # 1 answered


def _district(store: Store) -> str:
    goals = [*GOALS, {"id": "sci", "title": "Science"}]
    session, _ = store.create_session("Day <one> & two", goals)
    coach, _ = store.create_participant("Coach", session=session.id, role="coach")
    for i in range(16):  # 8 literacy, 5 numeracy, 3 science
        school_goal = "lit" if i < 8 else "num" if i < 13 else "sci"
        _teacher(
            store,
            session.id,
            school_goal,
            coach=coach,
            baseline=1,
            target=3,
            value=2,
            status="agreed",
        )
    return session.id


def test_csv_excel_and_an_offline_html_page(tmp_path: Path) -> None:
    store = open_store("memory://")
    session = _district(store)
    frame = rollup(store)
    paths = write_rollup(frame, tmp_path / "out")
    assert [p.name for p in paths] == ["rollup.csv", "rollup.xlsx", "rollup.html"]
    csv = pd.read_csv(paths[0], keep_default_na=False)
    assert list(csv.columns) == list(COLUMNS)
    assert len(csv) == len(frame)
    row = csv[(csv.school_goal == "lit") & (csv.measure == "goals_set")].iloc[0]
    assert (row["value"], row["people"], row["note"]) == ("8.0", "8", "")
    for small in ("sci", "num"):  # 3, and 5 (else 16 - 8 - 5 = 3)
        hidden = csv[(csv.school_goal == small) & (csv.measure == "goals_set")].iloc[0]
        assert (hidden["value"], hidden["people"], hidden["note"]) == ("", "", SUPPRESSED)
    sheet = pd.read_excel(paths[1], sheet_name="rollup")
    assert list(sheet.columns) == list(COLUMNS)
    assert len(sheet) == len(frame)
    assert (
        sheet[(sheet.school_goal == "num") & (sheet.measure == "goals_set")]["value"].isna().all()
    )
    page = paths[2].read_text("utf-8")
    assert "<script" not in page.lower()
    assert "http://" not in page
    assert "https://" not in page
    assert "src=" not in page
    assert "<svg" in page
    assert "Literacy&#58; goals set" in page  # (the charts escape colons too)
    assert "Day &lt;one&gt; &amp; two" in page
    assert "<one>" not in page
    assert page.count(f'class="suppressed" colspan="2">{SUPPRESSED}') >= 2
    assert session in page
    assert rollup_html(frame) == page


def test_the_command_writes_the_files_and_names_a_bad_session(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "s.sqlite3"
    store = open_store(path)
    session = _district(store)
    code = store.get_session(session).code  # type: ignore[union-attr]
    store.close()
    out = tmp_path / "out"
    assert main(["rollup", "--store", str(path), "--session", code, "--out", str(out)]) == 0
    said = capsys.readouterr().out
    assert "rollup of 1 session:" in said
    assert sorted(p.name for p in out.iterdir()) == ["rollup.csv", "rollup.html", "rollup.xlsx"]
    assert main(["rollup", "--store", str(path), "--session", "NOPE", "--out", str(out)]) == 2
    assert "no session 'NOPE'" in capsys.readouterr().err
    assert main(["rollup", "--store", str(tmp_path / "none.sqlite3"), "--out", str(out)]) == 2


@pytest.mark.parametrize("language", ["es", "fr"])
def test_the_page_speaks_the_readers_language(store: Store, language: str) -> None:
    from html import escape

    from pdkit.i18n import translator

    _district(store)
    page = rollup_html(rollup(store, language=language), language)
    t = translator(language)
    assert f'<html lang="{language}"' in page
    for english in ("District rollup", "School goal", "People", "goals set", "teachers"):
        assert t(english) != english
        assert f">{escape(t(english))}<" in page
    for english in ("District rollup", "School goal", "goals set", "fewer than 5"):
        assert f">{english}<" not in page
    assert "counts per school goal suppressed" not in page


@pytest.mark.parametrize("language", [None, "es"])
def test_a_figure_not_counted_says_why_on_the_page(store: Store, language: str | None) -> None:
    from html import escape

    from pdkit.i18n import translator
    from pdkit.review._rollup import NOT_COUNTED

    _district(store)
    frame = rollup(store, evidence=lambda _store, _teacher: None)
    assert (frame["note"] == NOT_COUNTED).any()
    page = rollup_html(frame, language)
    assert f'colspan="2">{escape(translator(language)(NOT_COUNTED))}<' in page


def test_the_command_writes_the_page_in_the_terminals_language(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from pdkit.i18n import translator

    path = tmp_path / "s.sqlite3"
    store = open_store(path)
    _district(store)
    store.close()
    monkeypatch.setenv("PDKIT_LANGUAGE", "fr")
    out = tmp_path / "out"
    assert main(["rollup", "--store", str(path), "--out", str(out)]) == 0
    page = (out / "rollup.html").read_text("utf-8")
    assert '<html lang="fr"' in page
    assert f"<h1>{translator('fr')('District rollup')}</h1>" in page
    assert "rollup of 1 session" not in capsys.readouterr().out  # its line is French too
