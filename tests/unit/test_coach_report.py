"""The coach's review and report tell the truth (issue #14 item 6): what a teacher shared
with their coach is there, what they kept private is counted (from a store and from
exported files), coaches and facilitators are not participants, same-name teachers are
told apart, teachers with nothing shared are one line, ``pdkit review --coach`` covers
that coach's caseload read as that coach, and goal statuses and check-in plans show."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timezone
from html.parser import HTMLParser
from pathlib import Path

import pytest

from pdkit import review
from pdkit.cli import main
from pdkit.notebooks import export_store
from pdkit.report import report_html
from pdkit.store import SQLiteStore, Viewer
from pdkit.testing import COACHING_WORKBOOK, DAY, START, FakeClock

NOW = datetime.fromtimestamp(START + 30 * DAY, tz=timezone.utc)
GOAL, CHECKIN, REFLECTION = "goal-setting", "exit-ticket", "what-so-what-now-what"


def shown(html: str) -> str:
    """The text a browser shows (tags dropped, entities decoded)."""
    parts: list[str] = []

    class Text(HTMLParser):
        def handle_data(self, data: str) -> None:
            parts.append(data)

    parser = Text(convert_charrefs=True)
    parser.feed(html)
    parser.close()
    return "".join(parts)


@dataclass
class Caseload:
    store: SQLiteStore
    path: Path
    kim: str  # the coach
    lee: str  # another coach
    alex1: str  # two teachers called "Alex Lee", both coached by Kim
    alex2: str
    ben: str  # Kim's; goal kept private, check-ins shared
    dee: str  # Kim's; wrote nothing
    fay: str  # Lee's; shares everything with Lee


@pytest.fixture
def caseload(tmp_path: Path) -> Caseload:
    clock = FakeClock(START + 1)
    path = tmp_path / "store.sqlite3"
    store = SQLiteStore(str(path), clock=clock)
    kim = store.create_participant("Kim", role="coach")[0].id
    lee = store.create_participant("Lee", role="coach")[0].id
    store.create_participant("Fran the facilitator", role="facilitator")
    alex1 = store.create_participant("Alex Lee")[0].id
    alex2 = store.create_participant("Alex Lee")[0].id
    ben = store.create_participant("Ben")[0].id
    dee = store.create_participant("Dee")[0].id
    fay = store.create_participant("Fay")[0].id
    store.assign_coach(kim, [alex1, alex2, ben, dee])
    store.assign_coach(lee, [fay])

    def goal(pid: str, text: str) -> None:
        store.record(
            pid, GOAL, {"goal": text, "target_date": "2026-03-31"}, spec_version="goal-setting@1"
        )

    goal(alex1, "Alex one's shared goal")
    goal(alex2, "Alex two's shared goal")
    goal(ben, "Ben keeps this goal to himself")
    goal(fay, "Fay's goal for Lee")
    for pid in (alex1, alex2, fay):
        store.set_visibility(pid, GOAL, "coach")
    # Alex one shares a reflection with the coach ("Me and my coach"); Alex two keeps hers.
    for pid, words in ((alex1, "Alex one reflects with Kim"), (alex2, "Alex two keeps this")):
        store.record(pid, REFLECTION, {"what": words}, spec_version=f"{REFLECTION}@1")
    store.set_visibility(alex1, REFLECTION, "coach")
    # Ben's check-ins are shared, his goal is not.
    clock.now = START + 14 * DAY
    store.record(ben, CHECKIN, {"progress": 3, "evidence": "Ben's evidence"}, spec_version="x@1")
    store.set_visibility(ben, CHECKIN, "coach")
    # Alex one asks Kim to agree the goal; Kim agrees.
    store.set_goal_status(alex1, "asked", by=alex1)
    clock.now = START + 15 * DAY
    store.set_goal_status(alex1, "agreed", by=kim)
    store.set_checkin_schedule("default", date(2026, 1, 1), [date(2026, 1, 15), date(2026, 1, 29)])
    return Caseload(store, path, kim, lee, alex1, alex2, ben, dee, fay)


def test_a_reflection_shared_with_the_coach_is_in_the_coach_review_and_report(
    caseload: Caseload, tmp_path: Path
) -> None:
    as_kim = review.load(caseload.store, viewer=Viewer.of(caseload.kim))
    shared = as_kim.reflections
    assert list(shared["participant"]) == [caseload.alex1]
    assert not shared["private"].any()
    html = shown(report_html(as_kim, now=NOW))
    assert "Alex one reflects with Kim" in html
    assert "Alex two keeps this" not in html
    # the same from exported files (the steward's export: coach level and wider)
    folder = tmp_path / "collected"
    export_store(caseload.store, COACHING_WORKBOOK, folder)
    html = shown(report_html(review.load(folder), now=NOW))
    assert "Alex one reflects with Kim" in html
    assert "(shared with the coach)" in html
    assert "Alex two keeps this" not in html


def test_private_counts_are_right_from_a_store_and_from_exported_files(
    caseload: Caseload, tmp_path: Path
) -> None:
    folder = tmp_path / "collected"
    export_store(caseload.store, COACHING_WORKBOOK, folder)
    for loaded in (review.load(caseload.store), review.load(folder)):
        kept = loaded.kept_private
        assert sorted(zip(kept["participant"], kept["form"], strict=True)) == sorted(
            [(caseload.ben, GOAL), (caseload.alex2, REFLECTION)]
        )
        assert set(kept["visibility"]) == {"private"}
        html = shown(report_html(loaded, now=NOW))
        assert "1 goal or check-in kept private is not in it." in html
        assert "1 private reflection or note left out." in html
        assert "Ben keeps this goal" not in html
        assert "Alex two keeps this" not in html
    # read as Kim: Fay (Lee's) is not counted either
    as_kim = review.load(caseload.store, viewer=Viewer.of(caseload.kim))
    assert set(as_kim.kept_private["participant"]) == {caseload.ben, caseload.alex2}


def test_coaches_and_facilitators_are_not_participants(caseload: Caseload) -> None:
    loaded = review.load(caseload.store)
    teachers = {caseload.alex1, caseload.alex2, caseload.ben, caseload.dee, caseload.fay}
    assert set(loaded.participants["participant"]) == teachers
    assert "Participants5" in shown(report_html(loaded, now=NOW))


def test_two_teachers_with_the_same_name_are_told_apart(caseload: Caseload) -> None:
    html = report_html(review.load(caseload.store), now=NOW)
    headings = {}
    for pid in (caseload.alex1, caseload.alex2):
        section = html.split(f'id="t-{pid}"><h2>')[1]
        headings[pid] = shown(section.split("</h2>")[0])
    assert headings[caseload.alex1] != headings[caseload.alex2]
    for pid, heading in headings.items():
        assert heading.startswith("Alex Lee (#")
        assert hashlib.sha256(pid.encode()).hexdigest()[:4] in heading  # stable
        assert pid not in heading  # never the raw id
    assert "Ben (#" not in shown(html)  # a unique name needs no suffix


def test_teachers_with_nothing_shared_are_one_line(caseload: Caseload) -> None:
    html = report_html(review.load(caseload.store, viewer=Viewer.of(caseload.kim)), now=NOW)
    assert f'<section class="teacher" id="t-{caseload.dee}"' not in html
    assert "1 teacher shared nothing yet: Dee." in shown(html)
    assert f'<section class="teacher" id="t-{caseload.ben}"' in html  # his check-in is shared


def test_the_review_as_a_coach_covers_only_their_caseload(caseload: Caseload) -> None:
    as_kim = review.load(caseload.store, viewer=Viewer.of(caseload.kim))
    kims = {caseload.alex1, caseload.alex2, caseload.ben, caseload.dee}
    assert set(as_kim.participants["participant"]) == kims
    assert set(as_kim.goals["participant"]) == {caseload.alex1, caseload.alex2}
    assert "Fay's goal" not in shown(report_html(as_kim, now=NOW))
    as_lee = review.load(caseload.store, viewer=Viewer.of(caseload.lee))
    assert list(as_lee.participants["participant"]) == [caseload.fay]
    assert list(as_lee.goals["goal"]) == ["Fay's goal for Lee"]
    loner = caseload.store.create_participant("Nobody's coach", role="coach")[0].id
    assert review.load(caseload.store, viewer=Viewer.of(loner)).participants.empty


def test_pdkit_review_coach_writes_that_coachs_report(
    caseload: Caseload, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    caseload.store.close()
    out = tmp_path / "kim.html"
    assert main(["review", str(caseload.path), "--coach", "kim", "--out", str(out)]) == 0
    html = shown(out.read_text("utf-8"))
    assert "Alex one's shared goal" in html
    assert "Alex one reflects with Kim" in html
    assert "Fay's goal" not in html
    assert "Ben keeps this goal" not in html
    assert "Participants4" in html
    # by id too
    assert main(["review", str(caseload.path), "--coach", caseload.lee, "--out", str(out)]) == 0
    assert "Fay's goal for Lee" in shown(out.read_text("utf-8"))
    capsys.readouterr()


@pytest.mark.parametrize(
    ("coach", "said"),
    [
        ("Nobody", "no coach called 'Nobody'"),
        ("Alex Lee", "is a teacher, not a coach"),  # an id is looked up first; a name next
        ("Twin", "2 coaches are called 'Twin'"),
    ],
)
def test_pdkit_review_coach_unknown_or_ambiguous_is_a_clear_error(
    caseload: Caseload, tmp_path: Path, capsys: pytest.CaptureFixture[str], coach: str, said: str
) -> None:
    caseload.store.create_participant("Twin", role="coach")
    caseload.store.create_participant("Twin", role="coach")
    if coach == "Alex Lee":
        coach = caseload.alex1
    caseload.store.close()
    out = tmp_path / "r.html"
    assert main(["review", str(caseload.path), "--coach", coach, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert said in err
    assert "Traceback" not in err
    assert not out.exists()


def test_pdkit_review_coach_needs_one_store(
    caseload: Caseload, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "collected"
    export_store(caseload.store, COACHING_WORKBOOK, folder)
    caseload.store.close()
    assert main(["review", str(folder), "--coach", "Kim", "--out", str(tmp_path / "r.html")]) == 2
    assert "--coach reads one store" in capsys.readouterr().err


def test_goal_status_and_checkin_plan_are_in_the_frames_and_the_report(
    caseload: Caseload,
) -> None:
    as_kim = review.load(caseload.store, viewer=Viewer.of(caseload.kim))
    statuses = as_kim.goal_statuses
    alex1 = statuses[statuses["participant"] == caseload.alex1]
    assert list(alex1["status"]) == ["asked", "agreed"]
    assert list(alex1["by"]) == [caseload.alex1, caseload.kim]
    assert str(alex1["at"].iloc[1].date()) == "2026-01-16"
    goals = as_kim.goals.set_index("participant")
    assert goals.loc[caseload.alex1, "status"] == "agreed"
    assert goals.loc[caseload.alex2, "status"] == ""  # never moved: a draft, no status row
    assert caseload.ben not in set(statuses["participant"])  # his goal is private
    plans = as_kim.checkin_plans.set_index("participant")
    assert set(plans.index) == {caseload.alex1, caseload.alex2, caseload.ben, caseload.dee}
    assert plans.loc[caseload.ben, "done"] == 1
    assert plans.loc[caseload.dee, "done"] == 0
    html = report_html(as_kim, now=NOW)
    alex = shown(html.split(f'id="t-{caseload.alex1}"')[1].split("</section>")[0])
    assert "Goal status: asked 2026-01-15 → agreed 2026-01-16" in alex
    alex2 = shown(html.split(f'id="t-{caseload.alex2}"')[1].split("</section>")[0])
    assert "Goal status: draft" in alex2
    ben = shown(html.split(f'id="t-{caseload.ben}"')[1].split("</section>")[0])
    assert "Schedule: 1 check-in done" in ben


def test_exported_files_carry_the_goal_status(caseload: Caseload, tmp_path: Path) -> None:
    folder = tmp_path / "collected"
    export_store(caseload.store, COACHING_WORKBOOK, folder)
    from_files = review.load(folder)
    from_store = review.load(caseload.store)
    goals = from_files.goals.set_index("participant")
    assert goals.loc[caseload.alex1, "status"] == "agreed"
    assert (
        goals.loc[caseload.alex1, "status_at"]
        == from_store.goals.set_index("participant").loc[caseload.alex1, "status_at"]
    )
    statuses = from_files.goal_statuses
    assert list(statuses["status"]) == ["asked", "agreed"]
    assert caseload.ben not in set(statuses["participant"])  # his goal is not in the copy
    alex = shown(report_html(from_files, now=NOW).split(f'id="t-{caseload.alex1}"')[1])
    assert "Goal status: asked 2026-01-15 → agreed 2026-01-16" in alex


def test_the_coach_report_lists_the_evidence_the_coach_may_see(caseload: Caseload) -> None:
    store = caseload.store
    alex = caseload.alex1  # goal shared with Kim
    store.add_evidence(
        alex,
        kind="survey",
        caption="Exit survey <b>week 2</b>",
        link="https://example.org/survey?a=1",
        made_on=date(2026, 1, 12),
    )
    store.add_evidence(
        alex,
        kind="student_work",
        caption="Pair talk transcript",
        text="Student R. said the answer is 12",
        made_on=date(2026, 1, 13),
    )
    store.add_evidence(
        alex, kind="other", caption="Kept to myself", text="private", visibility="private"
    )
    withdrawn = store.add_evidence(alex, kind="video", caption="Withdrawn clip", text="x")
    store.withdraw_evidence(withdrawn.id, alex)

    html = report_html(review.load(store, viewer=Viewer.of(caseload.kim)), now=NOW)
    text = shown(html)
    assert "2026-01-12, Survey: Exit survey <b>week 2</b>" in text, "escaped, not markup"
    assert '<a href="https&#58;//example.org/survey?a&#61;1" rel="noopener noreferrer">' in html
    # Student data reaches the coach's page, but the report (a file that travels) keeps
    # only what it is, not what it holds.
    assert "Student work: Pair talk transcript" in text
    assert "contains student data: open it in pdkit" in text
    assert "Student R." not in text
    assert "Kept to myself" not in text
    assert "Withdrawn clip" not in text
    # Another coach's report has none of it.
    other = shown(report_html(review.load(store, viewer=Viewer.of(caseload.lee)), now=NOW))
    assert "Exit survey" not in other
