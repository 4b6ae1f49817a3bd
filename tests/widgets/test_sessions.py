"""Sessions: join codes, facilitator keys, each session's school goals and statuses —
in the store (every backend), at the join step, and from the command line."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import ipywidgets as w
import pytest

from _stores import BACKENDS
from pdkit.app import Workbook
from pdkit.cli import main
from pdkit.errors import StoreError
from pdkit.store import CODE_ALPHABET, Session, Store, normalize_code, open_store
from pdkit.testing import descendants, page_loaded

GOALS = [
    {"id": "talk", "title": {"en": "More talk", "es": "Más diálogo"}},
    {"id": "read", "title": "Reading <b>for all</b>"},
]


@pytest.fixture(autouse=True)
def _close_widgets() -> Iterator[None]:
    yield
    w.Widget.close_all()


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest) -> Iterator[Store]:
    opener: Callable[[pytest.FixtureRequest], Store] = request.param
    opened = opener(request)
    yield opened
    opened.close()


def test_a_session_has_a_join_code_and_a_key_kept_hashed(store: Store) -> None:
    session, key = store.create_session("  Spring   PD ", GOALS)
    assert isinstance(session, Session)
    assert session.title == "Spring PD"
    assert len(session.join_code) == 6
    assert set(session.join_code) <= set(CODE_ALPHABET)
    assert session.code == f"{session.join_code[:3]}-{session.join_code[3:]}"
    assert [dict(g) for g in session.school_goals] == GOALS
    assert store.get_session(session.id) == session
    assert store.sessions() == [session]
    for typed in (session.join_code, session.code.lower(), f" {session.code} "):
        assert store.session_for_code(typed) == session
    assert store.session_for_code("") is None
    assert store.session_for_code("ZZZZZZ") is None or session.join_code == "ZZZZZZ"
    assert store.facilitator_key_ok(session.id, key)
    assert not store.facilitator_key_ok(session.id, key + "x")
    assert not store.facilitator_key_ok(session.id, "")
    assert not store.facilitator_key_ok("default", key)
    other, other_key = store.create_session("Autumn")
    assert other.join_code != session.join_code
    assert not store.facilitator_key_ok(session.id, other_key)
    assert store.sessions() == [session, other]


def test_a_session_needs_a_title(store: Store) -> None:
    with pytest.raises(StoreError, match="title"):
        store.create_session("   ")


def test_codes_are_normalized() -> None:
    assert normalize_code(" k7p-4qx ") == "K7P4QX"


def test_statuses_say_where_people_are_never_what_they_wrote(store: Store) -> None:
    session, _ = store.create_session("Spring")
    ana = store.create_participant("Ana", session=session.id)[0]
    ben = store.create_participant("Ben", session=session.id)[0]
    store.create_participant("Kim", session=session.id, role="coach")
    store.create_participant("Zoe")  # the default session
    store.record(ana.id, "goal-setting", {"goal": "Secret words"}, spec_version="g@1")
    store.set_visibility(ana.id, "goal-setting", "group")
    store.record(ben.id, "gibbs", {"description": "More secret words"}, spec_version="x@1")
    (group,) = store.set_groups(session.id, [[ana.id, ben.id]], names=["Group A"])
    found = store.statuses(session.id)
    assert [s.display_name for s in found] == ["Ana", "Ben"]  # teachers only
    a, b = found
    assert (a.goal_drafted, a.goal_visibility, a.goal_shared, a.reflections_done) == (
        True,
        "group",
        True,
        0,
    )
    assert (b.goal_drafted, b.goal_shared, b.reflections_done) == (False, False, 1)
    assert a.group == b.group == group.name
    assert "Secret" not in repr(found)
    assert [s.display_name for s in store.statuses()] == ["Zoe"]


# --------------------------------------------------------------------------- joining


def _page(
    store: Store, url: str = "http://127.0.0.1:8866/voila/render/goal-setting.ipynb"
) -> Workbook:
    workbook = Workbook("goal-setting", store=store)
    assert workbook.app is not None
    page_loaded(workbook.app.sign_in.browser, page_url=url)  # type: ignore[union-attr]
    return workbook


def test_without_sessions_nobody_is_asked_for_a_code() -> None:
    store = open_store("memory://")
    sign_in = _page(store).app.sign_in  # type: ignore[union-attr]
    assert not sign_in.asks_code
    person = sign_in.join("Ana")
    assert person is not None
    assert person.session == "default"


def test_joining_with_the_code_puts_people_in_its_session_with_its_goals() -> None:
    store = open_store("memory://")
    session, _ = store.create_session("Spring", GOALS)
    workbook = _page(store)
    sign_in = workbook.app.sign_in  # type: ignore[union-attr]
    assert sign_in.asks_code
    assert sign_in.code_input in descendants(sign_in.body)
    assert sign_in.join("Ana", code="") is None
    assert "type the session code" in sign_in.message.value
    assert sign_in.join("Ana", code="NOPE42") is None
    assert "NOPE42 is not known here" in sign_in.message.value
    person = sign_in.join("Ana", code=session.code.lower())
    assert person is not None
    assert person.session == session.id
    form = workbook.app.parts[0].form  # type: ignore[union-attr]
    assert form is not None
    options = [(o.value, o.label) for o in form.definition.field("school_goal").options]
    assert options == [("talk", "More talk"), ("read", "Reading <b>for all</b>")]


def test_a_link_with_the_code_names_the_session_and_asks_no_code() -> None:
    store = open_store("memory://")
    session, _ = store.create_session("Spring <i>PD</i>", GOALS)
    url = f"http://127.0.0.1:8866/voila/render/goal-setting.ipynb?code={session.code}&lang=es"
    sign_in = _page(store, url).app.sign_in  # type: ignore[union-attr]
    assert not sign_in.asks_code
    shown = " ".join(str(getattr(c, "value", "")) for c in descendants(sign_in.body))
    assert "Vas a entrar en: <strong>Spring &lt;i&gt;PD&lt;/i&gt;</strong>" in shown
    person = sign_in.join("Ana")
    assert person is not None
    assert person.session == session.id


# ---------------------------------------------------------------- one person, many sessions


def test_a_person_attends_a_later_session_and_keeps_their_goal(store: Store) -> None:
    first, _ = store.create_session("Autumn PD")
    later, _ = store.create_session("Spring PD")
    ana, _ = store.create_participant("Ana", session=first.id)
    ben, _ = store.create_participant("Ben", session=first.id)
    store.record(ana.id, "goal-setting", {"goal": "Students ask"}, spec_version="g@1")
    store.set_groups(first.id, [[ana.id, ben.id]])

    moved = store.attend(ana.id, later.id)

    assert moved.session == later.id
    assert store.attend(ana.id, later.id) == moved  # again: nothing changes
    assert store.latest(ana.id, "goal-setting", viewer=ana.id) == {"goal": "Students ask"}
    assert store.sessions_of(ana.id) == [first.id, later.id]
    assert [p.id for p in store.participants(later.id)] == [ana.id]
    assert {p.id for p in store.participants(first.id)} == {ana.id, ben.id}  # still there
    assert {s.participant for s in store.statuses(first.id)} == {ana.id, ben.id}
    assert [s.participant for s in store.statuses(later.id)] == [ana.id]
    assert store.group_of(ana.id) is None  # the later session's groups are not formed yet
    group = store.group_of(ben.id)
    assert group is not None
    assert group.session == first.id
    with pytest.raises(StoreError, match="no session 'nope'"):
        store.attend(ana.id, "nope")


def test_a_known_person_opening_a_later_session_s_link_comes_with_their_goal() -> None:
    store = open_store("memory://")
    first, _ = store.create_session("Autumn PD")
    later, _ = store.create_session("Spring <b>PD</b>")
    base = "http://127.0.0.1:8866/voila/render/goal-setting.ipynb"
    sign_in = _page(store, f"{base}?code={first.code}").app.sign_in  # type: ignore[union-attr]
    ana = sign_in.join("Ana")
    assert ana is not None
    assert sign_in.token is not None
    store.record(ana.id, "goal-setting", {"goal": "Students ask"}, spec_version="g@1")

    # weeks later, the same browser opens the later session's link
    workbook = Workbook("goal-setting", store=store)
    again = workbook.app.sign_in  # type: ignore[union-attr]
    page_loaded(again.browser, page_url=f"{base}?code={later.code}", stored_token=sign_in.token)

    assert again.participant is not None
    assert again.participant.id == ana.id  # the same person, not a new participant
    assert again.participant.session == later.id
    said = again.header.value
    assert "You are now in Spring &lt;b&gt;PD&lt;/b&gt;: your goal and all you wrote" in said
    form = workbook.app.parts[0].form  # type: ignore[union-attr]
    assert form is not None
    assert form.values()["goal"] == "Students ask"


# --------------------------------------------------------------------------- command line


def test_session_create_prints_the_code_key_and_links(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    goals = tmp_path / "goals.yaml"
    goals.write_text("goals:\n  - id: talk\n    title: More talk\n", encoding="utf-8")
    db = tmp_path / "s.sqlite3"
    code = main(
        [
            "session",
            "create",
            "--title",
            "Spring PD",
            "--school-goals",
            str(goals),
            "--store",
            str(db),
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    with open_store(db) as opened:
        [session] = opened.sessions()
        assert [dict(g) for g in session.school_goals] == [{"id": "talk", "title": "More talk"}]
    assert f"join code: {session.code}" in out
    assert f"?code={session.code}" in out
    [key] = [line.split("key=")[1] for line in out.splitlines() if "key=" in line]
    with open_store(db) as opened:
        assert opened.facilitator_key_ok(session.id, key)
    assert main(["session", "list", "--store", str(db)]) == 0
    listed = capsys.readouterr().out
    assert session.code in listed
    assert "Spring PD" in listed
    assert key not in listed  # the key is shown once, at creation


def test_session_create_with_bad_goals_names_the_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    goals = tmp_path / "goals.yaml"
    goals.write_text("goals:\n  - id: talk\n", encoding="utf-8")
    code = main(
        [
            "session",
            "create",
            "--title",
            "X",
            "--school-goals",
            str(goals),
            "--store",
            str(tmp_path / "s.sqlite3"),
        ]
    )
    err = capsys.readouterr().err
    assert code != 0
    assert "goals.yaml, line 2" in err
    assert "title" in err
    assert "Traceback" not in err


def test_session_create_with_check_ins_keeps_and_lists_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "s.sqlite3")
    argv = ["session", "create", "--title", "Spring PD", "--store", db]
    assert main([*argv, "--checkins", "2w,4w,6w", "--date", "2026-12-02"]) == 0
    out = capsys.readouterr().out
    assert "check-ins: 2026-12-16, 2026-12-30, 2027-01-13 (from 2026-12-02)" in out
    with open_store(db) as opened:
        [session] = opened.sessions()
        schedule = opened.checkin_schedule(session.id)
    assert schedule is not None
    assert [d.isoformat() for d in schedule.dates] == ["2026-12-16", "2026-12-30", "2027-01-13"]
    assert main(["session", "list", "--store", db]) == 0
    assert "check-ins 2026-12-16, 2026-12-30, 2027-01-13" in capsys.readouterr().out

    # changed later, by its join code; then removed
    argv = ["session", "schedule", session.code.lower(), "--store", db]
    assert main([*argv, "--checkins", "10d", "--date", "2026-12-02"]) == 0
    assert "check-ins of 'Spring PD': 2026-12-12" in capsys.readouterr().out
    assert main([*argv, "--checkins", ""]) == 0
    assert "'Spring PD' has no check-in dates now" in capsys.readouterr().out
    with open_store(db) as opened:
        again = opened.checkin_schedule(session.id)
    assert again is not None
    assert again.dates == ()


def test_the_default_session_gets_check_ins_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "s.sqlite3")
    open_store(db).close()
    argv = ["session", "schedule", "default", "--store", db, "--date", "2026-12-02"]
    assert main([*argv, "--checkins", "2w"]) == 0
    with open_store(db) as opened:
        found = opened.checkin_schedule("default")
    assert found is not None
    assert [d.isoformat() for d in found.dates] == ["2026-12-16"]


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--checkins", "2 weeks"], "'2 weeks' is not a check-in date"),
        (["--checkins", "2w", "--date", "2-12-2026"], "--date '2-12-2026': write the session day"),
        (["--checkins", "0w"], "is on or before the session day"),
    ],
)
def test_check_ins_that_cannot_be_read_make_no_session(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], says: str
) -> None:
    db = str(tmp_path / "s.sqlite3")
    assert main(["session", "create", "--title", "X", "--store", db, *argv]) == 2
    err = capsys.readouterr().err
    assert says in err
    assert "Traceback" not in err
    with open_store(db) as opened:
        assert opened.sessions() == []


def test_scheduling_an_unknown_session_says_how_to_find_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "s.sqlite3")
    open_store(db).close()
    assert main(["session", "schedule", "ZZZ-999", "--store", db, "--checkins", "2w"]) == 2
    assert "no session 'ZZZ-999'" in capsys.readouterr().err
