"""The facilitator's dashboard without a browser: access per session, counts, statuses and
the chart with no private text, sessions made from the dashboard, and the session export
round-tripping into the same tables."""

from __future__ import annotations

import re
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from html import unescape

import ipywidgets as w
import pandas.testing as pdt
import pytest

from pdkit import pacing
from pdkit.app import FacilitatorApp
from pdkit.definitions import SchoolGoal, load_protocol
from pdkit.errors import MissingDependencyError, PdkitError
from pdkit.review import tables
from pdkit.store import SQLiteStore, Store
from pdkit.testing import descendants, page_loaded
from pdkit.widgets import Dashboard, PacingControl, goals_chart

PAGE = "http://127.0.0.1:8866/voila/render/facilitator.ipynb"
GOALS = [SchoolGoal("talk", "More <talk>"), SchoolGoal("read", "Reading")]
SECRET = "My secret goal text"


@pytest.fixture(autouse=True)
def _close_widgets() -> Iterator[None]:
    yield
    w.Widget.close_all()


def shown(widget: w.Widget) -> str:
    return " ".join(
        str(getattr(d, "value", "")) for d in descendants(widget) if isinstance(d, w.HTML)
    )


@pytest.fixture
def room() -> Iterator[tuple[Store, str, str]]:
    """A session with three teachers: Ana drafted and shared her goal, Ben keeps his
    private and wrote a reflection, Cy has only joined."""
    store = SQLiteStore(":memory:")
    session, key = store.create_session("Spring <PD>", [{"id": "talk", "title": "More talk"}])
    ana = store.create_participant("Ana <b>", session=session.id)[0]
    ben = store.create_participant("Ben", session=session.id)[0]
    store.create_participant("Cy", session=session.id)
    store.record(
        ana.id, "goal-setting", {"school_goal": "talk", "goal": SECRET}, spec_version="g@1"
    )
    store.set_visibility(ana.id, "goal-setting", "coach")
    store.record(
        ben.id, "goal-setting", {"school_goal": "read", "goal": SECRET}, spec_version="g@1"
    )
    store.record(ben.id, "gibbs", {"description": SECRET}, spec_version="x@1")
    store.create_participant("Elsewhere")  # the default session
    yield store, session.id, key
    store.close()


# --------------------------------------------------------------------------- access


def test_a_session_dashboard_opens_only_with_its_key(room: tuple[Store, str, str]) -> None:
    store, session, key = room
    for query in ("", f"?session={session}", f"?session={session}&key=wrong", "?key=" + key):
        app = FacilitatorApp(store=store, key="server-key")
        page_loaded(app.browser, page_url=PAGE + query)
        assert app.dashboard is None, query
        assert "This page is for the facilitator" in shown(app.body)
        assert not any(isinstance(c, w.Button) for c in descendants(app.body))
    app = FacilitatorApp(store=store, key="server-key")
    page_loaded(app.browser, page_url=f"{PAGE}?session=no-such&key={key}")
    assert "This session is not known on this server" in shown(app.body)
    app = FacilitatorApp(store=store, key="server-key")
    page_loaded(app.browser, page_url=f"{PAGE}?session={session}&key={key}")
    assert isinstance(app.dashboard, Dashboard)
    assert isinstance(app.control, PacingControl)
    assert app.dashboard.session == session


def test_a_session_key_does_not_open_another_session(room: tuple[Store, str, str]) -> None:
    store, session, _key = room
    _other, other_key = store.create_session("Autumn")
    app = FacilitatorApp(store=store, key=None)  # JupyterLab: the default session opens
    assert app.dashboard is not None
    page_loaded(app.browser, page_url=f"{PAGE}?session={session}&key={other_key}")
    assert app.dashboard is None
    assert "This page is for the facilitator" in shown(app.body)


# --------------------------------------------------------------------------- what it shows


def test_the_dashboard_shows_counts_statuses_and_the_chart_never_text(
    room: tuple[Store, str, str],
) -> None:
    store, session, key = room
    app = FacilitatorApp(store=store, key="server-key")
    page_loaded(app.browser, page_url=f"{PAGE}?session={session}&key={key}")
    dashboard = app.dashboard
    assert dashboard is not None
    text = shown(dashboard.widget)
    assert SECRET not in text
    assert "Spring &lt;PD&gt;" in dashboard.header.value
    assert "Participants join with the code" in dashboard.header.value
    assert "goal-setting.ipynb?code=" in dashboard.header.value
    counts = dashboard.counts.value
    for number, label in (
        (3, "joined"),
        (2, "goal drafted"),
        (1, "goal shared"),
        (1, "reflection done"),
        (0, "in a group"),
    ):
        assert f'<strong class="pdkit-count">{number}</strong> {label}' in counts
    roster = dashboard.roster.value
    assert "Ana &lt;b&gt;" in roster
    assert "<b>" not in roster
    assert "with coach" in roster
    assert "Elsewhere" not in roster  # another session
    assert "More talk" in dashboard.chart.value  # the session's own school goals
    labels = re.findall(r'aria-label="([^"]*)"', dashboard.chart.value)  # as a browser reads it
    assert [unescape(label) for label in labels] == [
        "Goals per school goal: 2 goals. More talk: 1; Another school goal: 1"
    ]
    assert "<script" not in text


def test_the_dashboard_refreshes_by_itself(room: tuple[Store, str, str]) -> None:
    store, session, _ = room
    dashboard = Dashboard(store, session=session, school_goals=GOALS)
    assert '<strong class="pdkit-count">3</strong> joined' in dashboard.counts.value
    store.create_participant("Dee", session=session)
    dashboard.refresh()  # in a kernel this runs every three seconds
    assert '<strong class="pdkit-count">4</strong> joined' in dashboard.counts.value
    assert "Dee" in dashboard.roster.value


def test_an_empty_session_says_who_to_wait_for() -> None:
    store = SQLiteStore(":memory:")
    session, _ = store.create_session("Empty")
    dashboard = Dashboard(store, session=session.id)
    assert "Nobody has joined yet" in dashboard.roster.value
    assert "No goal is linked to a school goal yet" in dashboard.chart.value


def test_the_chart_escapes_labels() -> None:
    svg = goals_chart(Counter({"talk": 2, "read": 1}), GOALS)
    assert "More &lt;talk&gt;" in svg
    assert "<talk>" not in svg
    assert svg.count("<rect") == 2


def test_a_session_is_made_from_the_default_dashboard() -> None:
    store = SQLiteStore(":memory:")
    app = FacilitatorApp(store=store, key="k", school_goals=GOALS)
    page_loaded(app.browser, page_url=f"{PAGE}?key=k")
    assert app.create_session("  ") is None
    assert "title" in app.new_message.value
    made = app.create_session("Room <12>")
    assert made is not None
    session, key = made
    assert store.facilitator_key_ok(session.id, key)
    assert [g["id"] for g in session.school_goals] == ["talk", "read"]
    message = app.new_message.value
    assert "Room &lt;12&gt;" in message
    assert f"goal-setting.ipynb?code={session.code}" in message
    assert f"facilitator.ipynb?session={session.id}&amp;key={key}" in message


# --------------------------------------------------------------------------- export


@pytest.mark.parametrize("kind", ["xlsx", "zip"])
def test_the_session_export_round_trips_into_the_same_tables(
    room: tuple[Store, str, str], kind: str
) -> None:
    store, session, _ = room
    people = [p.id for p in store.participants(session)]
    groups = store.set_groups(session, [people[:2], people[2:]], names=["Group 1", "Group 2"])
    warm_cool = load_protocol("warm-cool-feedback")
    roles = {groups[0].id: {people[0]: "presenter", people[1]: "participant"}}
    run = store.start_run(
        session,
        warm_cool.id,
        warm_cool.spec_version,
        roles,
        pacing.start(warm_cool, 1000.0),
    )
    store.record_notes(run.id, "share", people[1], {"first_notes": SECRET})
    found = tables.session_tables(store, session, GOALS)
    steps = found["fidelity"]
    assert steps["step"].tolist() == [s.id for s in warm_cool.steps]
    assert steps["state"].tolist()[:2] == ["now", "not reached"]
    # Notes written at the sharing step count there (the run is at its norms step).
    assert steps.set_index("step")["wrote_notes"].to_dict()["share"] == 1
    assert steps["planned_minutes"].sum() == warm_cool.total_minutes
    roster = found["roster"]
    assert roster["display_name"].tolist() == ["Ana <b>", "Ben", "Cy"]
    assert roster["goal_drafted"].tolist() == [True, True, False]
    assert roster["goal_visibility"].tolist() == ["coach", "private", "private"]
    assert roster["group"].tolist() == ["Group 1", "Group 1", "Group 2"]
    assert found["school_goals"].to_dict("list") == {
        "school_goal": ["talk", "read"],
        "title": ["More <talk>", "Reading"],
        "goals": [1, 1],
    }
    for name, frame in found.items():
        assert {c: str(t) for c, t in frame.dtypes.items()} == dict(tables.TABLES[name])
    data = tables.write_tables(found, kind)
    again = tables.read_tables(data, kind)
    assert set(again) == set(found)
    for name, frame in found.items():
        pdt.assert_frame_equal(again[name], frame, obj=name)
    assert SECRET.encode() not in data


def test_the_export_says_where_each_teacher_is_in_the_check_in_schedule(
    room: tuple[Store, str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    store, session, _ = room
    start = date(2026, 12, 2)
    store.set_checkin_schedule(session, start, [start + timedelta(weeks=w) for w in (2, 4)])
    [ana, ben, _cy] = [p.id for p in store.participants(session)]
    monkeypatch.setattr(store, "_clock", lambda: datetime(2026, 12, 20, 12).timestamp())
    store.record(ana, "exit-ticket", {"progress": 2, "evidence": SECRET}, spec_version="e@1")
    monkeypatch.setenv(
        "PDKIT_CLOCK_OFFSET", str(datetime(2026, 12, 31, 12).timestamp() - time.time())
    )

    found = tables.session_tables(store, session, GOALS)

    assert found["schedule"]["due"].tolist() == ["2026-12-16", "2026-12-30"]
    checkins = found["checkins"].set_index("display_name")
    assert checkins.loc["Ana <b>", ["done", "overdue", "next_due", "next_state"]].tolist() == [
        1,
        1,
        "2026-12-30",
        "overdue",
    ]
    assert checkins.loc["Ben", ["done", "overdue"]].tolist() == [0, 2]
    assert ben in found["checkins"]["participant"].tolist()
    for kind in ("xlsx", "zip"):
        data = tables.write_tables(found, kind)
        assert SECRET.encode() not in data
        pdt.assert_frame_equal(tables.read_tables(data, kind)["checkins"], found["checkins"])


def test_the_dashboard_download_offers_the_tables(room: tuple[Store, str, str]) -> None:
    store, session, key = room
    app = FacilitatorApp(store=store, key="server-key")
    page_loaded(app.browser, page_url=f"{PAGE}?session={session}&key={key}")
    assert app.dashboard is not None
    data = app.dashboard.download("xlsx")
    assert tables.read_tables(data, "xlsx")["roster"]["display_name"].tolist() == [
        "Ana <b>",
        "Ben",
        "Cy",
    ]
    assert "is downloading" in app.dashboard.message.value


def test_a_broken_tables_file_is_a_clear_error() -> None:
    with pytest.raises(PdkitError, match="not a pdkit tables file"):
        tables.read_tables(b"not a zip", "zip")
    with pytest.raises(PdkitError, match="xlsx or zip"):
        tables.write_tables({}, "pdf")
    assert isinstance(tables.read_tables(tables.write_tables({}, "zip"), "zip"), dict)


def test_excel_tables_without_openpyxl_say_what_to_install(
    room: tuple[Store, str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    store, session, _ = room
    found = tables.session_tables(store, session, GOALS)
    monkeypatch.setitem(sys.modules, "openpyxl", None)  # `import openpyxl` now fails
    with pytest.raises(MissingDependencyError, match=r"pip install 'openpyxl'") as caught:
        tables.write_tables(found, "xlsx")
    assert caught.value.package == "openpyxl"
    assert tables.write_tables(found, "zip")  # the CSV files need nothing more
