"""The dashboard's follow-up and coaches panels without a browser: the check-in dates set
as people write them (mistakes one sentence, the typing kept), each teacher's check-ins
as counts and dates only, small rollups not shown, coaches added, given teachers (same
names told apart) and their links."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from html import unescape
from urllib.parse import parse_qs, urlsplit

import ipywidgets as w
import pytest

from pdkit.app import FacilitatorApp
from pdkit.errors import StoreError
from pdkit.store import Participant, SQLiteStore, Store, open_store
from pdkit.testing import FakeClock, descendants, page_loaded, shown_text
from pdkit.widgets import Dashboard
from pdkit.widgets._dashboard_followup import people_labels, rollup

PAGE = "http://127.0.0.1:8866/voila/render/facilitator.ipynb"
DAY = date(2026, 12, 2)
SECRET = "My secret goal text"
CHECKIN_SECRET = "What I tried this week, in my words"


def noon(day: date) -> float:
    return datetime(day.year, day.month, day.day, 12).timestamp()


@pytest.fixture(autouse=True)
def _close_widgets() -> Iterator[None]:
    yield
    w.Widget.close_all()


@dataclass
class Room:
    store: Store
    clock: FakeClock
    session: str
    key: str
    ana: Participant
    other_ana: Participant
    ben: Participant

    def dashboard(self) -> Dashboard:
        made = Dashboard(
            self.store, session=self.session, page_url=f"{PAGE}?session=x", clock=self.clock
        )
        made.stop_polling()
        made.control.stop_polling()
        return made

    def checkin(self, who: Participant, day: date) -> None:
        self.clock.now = noon(day)
        self.store.record(
            who.id, "exit-ticket", {"progress": 3, "tried": CHECKIN_SECRET}, spec_version="e@1"
        )


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def room(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[Room]:
    """A session made on DAY with two teachers called Ana and one Ben; Ana shares her goal
    with the whole session (in SQLite, and in PostgreSQL as a server's kernels share it)."""
    if request.param == "sqlite":
        store: Store = SQLiteStore(":memory:")
    else:
        store = open_store(request.getfixturevalue("postgres_url"))
    clock = FakeClock(noon(DAY), step=0)
    monkeypatch.setattr(store, "_clock", clock)
    session, key = store.create_session("Spring", [])
    ana = store.create_participant("Ana", session=session.id)[0]
    clock.now += 60
    other = store.create_participant("Ana", session=session.id)[0]
    ben = store.create_participant("Ben", session=session.id)[0]
    store.record(ana.id, "goal-setting", {"goal": SECRET}, spec_version="g@1")
    store.set_visibility(ana.id, "goal-setting", "session")
    yield Room(store, clock, session.id, key, ana, other, ben)
    store.close()


# --------------------------------------------------------------------------- the schedule


def test_the_dates_are_set_as_people_write_them_and_shown(room: Room) -> None:
    panel = room.dashboard().followup
    assert panel.day.value == DAY.isoformat()  # the session's day
    assert panel.dates.value == ""
    assert "No check-in dates yet" in panel.shown.value
    panel.dates.value = " 4w, 2w "
    assert panel.save()
    found = room.store.checkin_schedule(room.session)
    assert found is not None
    assert found.starts == DAY
    assert found.dates == (DAY + timedelta(weeks=2), DAY + timedelta(weeks=4))
    assert panel.dates.value == "2w,4w"
    assert "2026-12-16, 2026-12-30" in panel.shown.value
    assert "Saved" in panel.message.value
    # a dashboard opened later shows them as they were written
    assert room.dashboard().followup.dates.value == "2w,4w"
    panel.dates.value = ""
    assert panel.save()
    again = room.store.checkin_schedule(room.session)
    assert again is not None
    assert again.dates == ()
    assert "no check-in dates now" in panel.message.value


@pytest.mark.parametrize(
    ("day", "dates", "why"),
    [
        ("2026-12-02", "2w,next tuesday", "'next tuesday' is not a check-in date"),
        ("2026-12-02", "2026-11-30", "on or before the session day"),
        ("2026-12-02", ",".join(["1d"] * 60), "at most 52 check-in dates"),
        ("2 Dec", "2w", "write the session day as YYYY-MM-DD"),
    ],
)
def test_a_mistake_is_one_sentence_keeps_the_typing_and_stores_nothing(
    room: Room, day: str, dates: str, why: str
) -> None:
    room.store.set_checkin_schedule(room.session, DAY, [DAY + timedelta(weeks=6)])
    panel = room.dashboard().followup
    panel.day.value, panel.dates.value = day, dates
    assert not panel.save()
    assert why in unescape(panel.message.value)
    assert 'role="alert"' in panel.message.value
    assert (panel.day.value, panel.dates.value) == (day, dates)
    found = room.store.checkin_schedule(room.session)
    assert found is not None
    assert found.dates == (DAY + timedelta(weeks=6),)


# --------------------------------------------------------------------------- where teachers are


def test_each_teacher_s_check_ins_are_counts_and_dates_never_text(room: Room) -> None:
    room.store.set_checkin_schedule(
        room.session, DAY, [DAY + timedelta(weeks=2), DAY + timedelta(weeks=4)]
    )
    room.checkin(room.ana, DAY + timedelta(weeks=2))
    room.clock.now = noon(DAY + timedelta(weeks=3))  # Ben and the other Ana are late
    dashboard = room.dashboard()
    table = dashboard.followup.table.value
    rows = table.split("<tr>")[2:]
    assert len(rows) == 3
    ana, other, ben = rows
    assert "1 of 2" in ana
    assert "2026-12-30 (due)" in ana
    assert "0 of 2" in ben
    assert "2026-12-16 (overdue)" in ben
    assert "<td>1</td>" in ben  # one overdue
    assert "Ana (#" in ana
    assert "Ana (#" in other
    assert ana.split("</td>")[0] != other.split("</td>")[0]  # the two Anas told apart
    everything = shown_text(dashboard.widget)
    assert SECRET not in everything  # shared with the session, still no text here
    assert CHECKIN_SECRET not in everything


def test_rollups_below_five_are_not_shown(room: Room) -> None:
    room.store.set_checkin_schedule(room.session, DAY, [DAY + timedelta(weeks=2)])
    more = [room.store.create_participant(f"T{i}", session=room.session)[0] for i in range(4)]
    for teacher in [room.ana, room.ben, *more[:3]]:
        room.checkin(teacher, DAY + timedelta(weeks=2))
    room.clock.now = noon(DAY + timedelta(weeks=3))
    summary = room.dashboard().followup.summary.value
    assert "2026-12-16: 5 checked in, fewer than 5 overdue" in summary
    assert [rollup(n) for n in (0, 1, 4, 5, 12)] == ["0", *["fewer than 5"] * 2, "5", "12"]


def test_the_table_is_read_again_when_asked(room: Room) -> None:
    room.store.set_checkin_schedule(room.session, DAY, [DAY + timedelta(weeks=2)])
    panel = room.dashboard().followup
    assert "0 of 1" in panel.table.value.split("<tr>")[2]
    room.checkin(room.ana, DAY + timedelta(weeks=2))
    panel.refresh_button.click()
    assert "1 of 1" in panel.table.value.split("<tr>")[2]


# --------------------------------------------------------------------------- coaches


def test_a_coach_is_added_and_given_teachers_of_the_session(room: Room) -> None:
    dashboard = room.dashboard()
    panel = dashboard.coaches
    assert "No coaches in this session yet" in panel.table.value
    panel.name.value = "  Carla   Ruiz "
    panel.add_button.click()
    (carla,) = room.store.coaches(room.session)
    assert carla.display_name == "Carla Ruiz"
    assert panel.coach_picker.value == carla.id
    assert panel.name.value == ""
    labels = {v: k for k, v in panel.teacher_picker.options}
    assert labels[room.ben.id] == "Ben"
    assert labels[room.ana.id] != labels[room.other_ana.id]
    panel.teacher_picker.value = (room.other_ana.id, room.ben.id)
    panel.assign_button.click()
    assert set(room.store.coached_by(carla.id)) == {room.other_ana.id, room.ben.id}
    assert "(2 new)" in panel.message.value
    assert "<td>2</td>" in panel.table.value
    follow = dashboard.followup.table.value.split("<tr>")[2:]
    assert [("Carla Ruiz" in row) for row in follow] == [False, True, True]

    panel.teacher_picker.value = (room.ben.id, room.ana.id)
    panel.unassign_button.click()
    assert room.store.coached_by(carla.id) == [room.other_ana.id]
    assert "no longer coaches Ben" in panel.message.value
    assert "was not coaching the others" in panel.message.value


def test_a_second_coach_of_one_name_only_when_ticked(room: Room) -> None:
    panel = room.dashboard().coaches
    panel.name.value = "Carla"
    panel.add()
    panel.name.value = "carla"
    assert panel.add() is None
    assert "There is a coach called carla already" in panel.message.value
    assert panel.name.value == "carla"  # kept
    assert len(room.store.coaches()) == 1
    panel.again.value = True
    assert panel.add() is not None
    assert len(room.store.coaches(room.session)) == 2
    first, second = (str(label) for label, _ in panel.coach_picker.options)
    assert first != second  # told apart
    panel.name.value = "   "
    assert panel.add() is None
    assert "Write the coach's name first" in unescape(panel.message.value)


def test_choosing_nothing_says_what_to_choose(room: Room) -> None:
    panel = room.dashboard().coaches
    panel.teacher_picker.value = (room.ben.id,)
    assert not panel.assign()
    assert "Choose a coach first" in panel.message.value
    assert panel.show_link() == ""
    panel.name.value = "Carla"
    panel.add()
    panel.teacher_picker.value = ()
    assert not panel.assign()
    assert "Choose one or more teachers" in panel.message.value


def test_a_coach_s_link_signs_in_as_the_coach_and_is_fresh_each_time(room: Room) -> None:
    panel = room.dashboard().coaches
    panel.name.value = "Carla"
    coach = panel.add()
    assert coach is not None
    panel.link_button.click()
    link = panel.show_link()
    assert link.startswith("http://127.0.0.1:8866/voila/render/coach.ipynb?pdkit=")
    token = parse_qs(urlsplit(link).query)["pdkit"][0]
    found = room.store.participant_for_token(token)
    assert found is not None
    assert found.id == coach.id
    assert "it is a key" in panel.link.value
    assert link in panel.link.value
    assert panel.show_link() != link


def test_only_the_session_s_coaches_and_teachers_are_offered(room: Room) -> None:
    elsewhere = room.store.create_participant("Omar", role="coach")[0]  # the default session
    outsider = room.store.create_participant("Zoe")[0]
    panel = room.dashboard().coaches
    assert elsewhere.id not in [v for _, v in panel.coach_picker.options]
    assert outsider.id not in [v for _, v in panel.teacher_picker.options]


def test_a_teacher_joining_keeps_what_the_facilitator_chose(room: Room) -> None:
    dashboard = room.dashboard()
    panel = dashboard.coaches
    panel.name.value = "Carla"
    panel.add()
    panel.teacher_picker.value = (room.ben.id,)
    late = room.store.create_participant("Dee", session=room.session)[0]
    dashboard.refresh()
    assert late.id in [v for _, v in panel.teacher_picker.options]
    assert panel.teacher_picker.value == (room.ben.id,)


def test_the_panels_open_only_with_the_key(room: Room) -> None:
    app = FacilitatorApp(store=room.store, key="server-key")
    page_loaded(app.browser, page_url=f"{PAGE}?session={room.session}&key=wrong")
    assert app.dashboard is None
    assert not any(isinstance(c, w.SelectMultiple) for c in descendants(app.body))
    app = FacilitatorApp(store=room.store, key="server-key")
    page_loaded(app.browser, page_url=f"{PAGE}?session={room.session}&key={room.key}")
    assert app.dashboard is not None
    assert app.dashboard.coaches.widget in descendants(app.body)
    assert app.dashboard.followup.widget in descendants(app.body)
    app.dashboard.stop_polling()
    app.dashboard.control.stop_polling()


def test_labels_tell_apart_only_names_people_share(room: Room) -> None:
    labels = people_labels(room.store, [room.ana, room.other_ana, room.ben])
    assert labels[room.ben.id] == "Ben"
    assert labels[room.ana.id].startswith("Ana (#")
    assert room.ana.id not in labels[room.ana.id]  # a pseudonymous mark, not the id
    assert labels[room.ana.id] != labels[room.other_ana.id]


def test_a_coach_added_on_the_dashboard_is_not_counted_as_joined(room: Room) -> None:
    dashboard = room.dashboard()
    dashboard.coaches.name.value = "Carla"
    dashboard.coaches.add()
    dashboard.control._show_groups()
    assert "3 people have joined" in dashboard.control.groups_html.value


def test_the_roster_tells_apart_teachers_who_share_a_name(room: Room) -> None:
    roster = room.dashboard().roster.value
    cells = [row.split("</td>")[0] for row in roster.split("<tr><td>")[1:]]
    assert len(cells) == 3
    assert cells[0].startswith("Ana (#")
    assert cells[1].startswith("Ana (#")
    assert cells[0] != cells[1]
    assert cells[2] == "Ben"


def test_a_store_hiccup_is_said_and_the_dashboard_still_opens(
    room: Room, monkeypatch: pytest.MonkeyPatch
) -> None:
    working = room.store.checkin_schedule

    def broken(session: str) -> None:
        raise StoreError("the database is locked")

    monkeypatch.setattr(room.store, "checkin_schedule", broken)
    panel = room.dashboard().followup
    assert "Could not read the check-ins: the database is locked" in panel.message.value
    assert 'role="alert"' in panel.message.value
    monkeypatch.setattr(room.store, "checkin_schedule", working)
    panel.refresh_button.click()
    assert "0 of 0" in panel.table.value
    assert panel.message.value == ""
