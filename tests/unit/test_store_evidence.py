"""The evidence log in the store, on every backend in ``_stores.BACKENDS``: adding,
editing (every version kept), withdrawing, attaching to a check-in, bounded inputs, and
who may read which item (the stranger, a group member, the coach, another coach, the
facilitator, the steward), with student data never beyond the coach."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from _stores import BACKENDS
from pdkit.definitions.ids import CHECKIN_FORM, GOAL_FORM
from pdkit.errors import AccessError, EvidenceError, StoreError
from pdkit.evidence import MAX_ITEMS, MAX_TEXT_CHARS, check_link
from pdkit.store import EvidenceItem, EvidenceStore, Participant, Store, Viewer

TODAY = date.today()


@dataclass
class Room:
    """Ana and Ben in one group, Cy in another, Dee in another session; coach Kim
    coaches Ana; coach Lee coaches nobody."""

    store: Store
    ana: Participant
    ben: Participant
    cy: Participant
    dee: Participant
    kim: Participant
    lee: Participant

    def viewers(self) -> dict[str, Viewer | str]:
        found: dict[str, Viewer | str] = {
            p.display_name: p.id
            for p in (self.ana, self.ben, self.cy, self.dee, self.kim, self.lee)
        }
        found["facilitator"] = Viewer.facilitator("default")
        found["steward"] = Viewer.steward()
        return found

    def readers(self, item: EvidenceItem) -> set[str]:
        """Who may see the item, by each viewer's own listing of Ana's log."""
        return {
            name
            for name, viewer in self.viewers().items()
            if item.id in {i.id for i in self.store.evidence(item.teacher, viewer=viewer)}
        }


@pytest.fixture(params=BACKENDS)
def room(request: pytest.FixtureRequest) -> Iterator[Room]:
    opener: Callable[[pytest.FixtureRequest], Store] = request.param
    store = opener(request)
    ana = store.create_participant("Ana")[0]
    ben = store.create_participant("Ben")[0]
    cy = store.create_participant("Cy")[0]
    dee = store.create_participant("Dee", session="spring")[0]
    kim = store.create_participant("Kim", role="coach")[0]
    lee = store.create_participant("Lee", role="coach")[0]
    store.set_groups("default", [[ana.id, ben.id], [cy.id]])
    store.assign_coach(kim.id, [ana.id])
    store.record(ana.id, GOAL_FORM, {"goal": "Open questions"}, spec_version="g@1")
    yield Room(store, ana, ben, cy, dee, kim, lee)
    store.close()


def test_the_store_offers_the_evidence_role(room: Room) -> None:
    assert isinstance(room.store, EvidenceStore)


def test_an_item_is_added_and_read_back_exactly(room: Room) -> None:
    store, ana = room.store, room.ana
    made = store.add_evidence(
        ana.id,
        kind="survey",
        caption="  Exit  ticket\tresults ",
        link="https://example.org/survey?week=3#top",
        text="Most said the stems helped.",
        made_on=TODAY - timedelta(days=2),
    )
    assert made.version == 1
    assert made.goal_version == 1
    assert not made.withdrawn
    assert made.caption == "Exit ticket results"  # one tidy line
    assert made.student_data is False
    assert made.visibility == "goal"
    assert made.shown == "private"  # the goal is private
    [read] = store.evidence(ana.id, viewer=ana.id)
    assert read == made
    assert read.link == "https://example.org/survey?week=3#top"
    assert read.made_on == TODAY - timedelta(days=2)


def test_student_work_is_student_data_by_default_and_always(room: Room) -> None:
    store, ana = room.store, room.ana
    work = store.add_evidence(ana.id, kind="student_work", caption="Essays", text="3 samples")
    assert work.student_data is True
    # Unticking the flag on student work does not make it something else.
    assert store.add_evidence(
        ana.id, kind="student_work", caption="More", text="x", student_data=False
    ).student_data
    # Another kind with the flag ticked by the teacher keeps it; changing the kind away
    # from student work keeps the flag.
    video = store.add_evidence(ana.id, kind="video", caption="Clip", text="x", student_data=True)
    assert video.student_data
    assert store.edit_evidence(work.id, ana.id, kind="other").student_data
    # A change of kind to student work turns it on.
    plain = store.add_evidence(ana.id, kind="other", caption="Plan", text="x")
    assert store.edit_evidence(plain.id, ana.id, kind="student_work").student_data


def test_editing_keeps_every_version_and_withdrawing_hides_the_item(room: Room) -> None:
    store, ana = room.store, room.ana
    first = store.add_evidence(ana.id, kind="other", caption="Draft", text="first words")
    second = store.edit_evidence(first.id, ana.id, caption="Final", text="better words")
    assert (second.version, second.caption, second.added_at) == (2, "Final", first.added_at)
    gone = store.withdraw_evidence(first.id, ana.id)
    assert gone.withdrawn
    assert gone.version == 3
    assert gone.caption == "Final"
    assert store.evidence(ana.id, viewer=ana.id) == []
    assert [i.id for i in store.evidence(ana.id, viewer=ana.id, include_withdrawn=True)] == [
        first.id
    ]
    history = store.evidence_history(first.id, viewer=ana.id)
    assert [(v.version, v.caption, v.text, v.withdrawn) for v in history] == [
        (1, "Draft", "first words", False),
        (2, "Final", "better words", False),
        (3, "Final", "better words", True),
    ]
    back = store.edit_evidence(first.id, ana.id, withdrawn=False)
    assert [i.id for i in store.evidence(ana.id, viewer=ana.id)] == [back.id]
    with pytest.raises(AccessError):
        store.evidence_history(first.id, viewer=room.kim.id)
    with pytest.raises(AccessError, match="only its teacher"):
        store.edit_evidence(first.id, room.kim.id, caption="Mine now")
    with pytest.raises(EvidenceError, match="no evidence item"):
        store.edit_evidence("nope", ana.id, caption="x")


def test_the_log_is_newest_first(room: Room) -> None:
    store, ana = room.store, room.ana
    old = store.add_evidence(
        ana.id, kind="other", caption="Old", text="x", made_on=TODAY - timedelta(7)
    )
    new = store.add_evidence(ana.id, kind="other", caption="New", text="x", made_on=TODAY)
    mid = store.add_evidence(
        ana.id, kind="other", caption="Mid", text="x", made_on=TODAY - timedelta(3)
    )
    assert [i.id for i in store.evidence(ana.id, viewer=ana.id)] == [new.id, mid.id, old.id]


def test_an_item_is_attached_to_a_check_in_by_its_version(room: Room) -> None:
    store, ana = room.store, room.ana
    with pytest.raises(EvidenceError, match="no check-ins yet"):
        store.add_evidence(ana.id, kind="other", caption="x", text="x", checkin=1)
    store.record(ana.id, CHECKIN_FORM, {"progress": 2}, spec_version="c@1")
    store.start_revision(ana.id, CHECKIN_FORM)
    store.record(ana.id, CHECKIN_FORM, {"progress": 4}, spec_version="c@1")
    times = store.checkin_times(ana.id)
    assert len(times) == 2
    item = store.add_evidence(ana.id, kind="assessment", caption="Quiz", text="80%", checkin=2)
    assert (item.checkin, item.checkin_at) == (2, times[1])
    moved = store.attach_evidence(item.id, ana.id, 1)
    assert (moved.checkin, moved.checkin_at) == (1, times[0])
    # An edit of something else keeps the attachment.
    assert store.edit_evidence(item.id, ana.id, caption="Quiz 1").checkin == 1
    assert store.attach_evidence(item.id, ana.id, None).checkin is None
    with pytest.raises(EvidenceError, match="check-ins 1 to 2"):
        store.attach_evidence(item.id, ana.id, 3)
    with pytest.raises(EvidenceError):
        store.attach_evidence(item.id, ana.id, 0)


def test_an_item_is_linked_to_the_goal_version_in_force(room: Room) -> None:
    store, ana = room.store, room.ana
    assert store.add_evidence(ana.id, kind="other", caption="a", text="x").goal_version == 1
    store.start_revision(ana.id, GOAL_FORM)
    store.record(ana.id, GOAL_FORM, {"goal": "Open questions, twice a lesson"}, spec_version="g@1")
    later = store.add_evidence(ana.id, kind="other", caption="b", text="x")
    assert later.goal_version == 2
    assert store.edit_evidence(later.id, ana.id, caption="c").goal_version == 2
    assert store.add_evidence(room.ben.id, kind="other", caption="d", text="x").goal_version == 0


@pytest.mark.parametrize(
    "link",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        " data:text/html,<script>alert(1)</script>",
        "file:///etc/passwd",
        "ftp://example.org/x",
        "//example.org/x",
        "example.org",
        "https://",
        "https://exa mple.org",
        "https://example.org/\x00",
        "https://example.org/" + "a" * 2100,
        "https://<script>/",
    ],
)
def test_a_link_must_be_a_web_link(link: str) -> None:
    with pytest.raises(EvidenceError):
        check_link(link)


def test_bounded_inputs_give_clear_errors(room: Room) -> None:
    store, ana = room.store, room.ana
    with pytest.raises(EvidenceError, match="only web links"):
        store.add_evidence(ana.id, kind="video", caption="x", link="javascript:alert(1)")
    with pytest.raises(EvidenceError, match="not a kind"):
        store.add_evidence(ana.id, kind="poem", caption="x", text="x")
    with pytest.raises(StoreError, match="caption"):
        store.add_evidence(ana.id, kind="other", caption="   ", text="x")
    with pytest.raises(StoreError, match="at most 200"):
        store.add_evidence(ana.id, kind="other", caption="c" * 201, text="x")
    with pytest.raises(EvidenceError, match=f"at most {MAX_TEXT_CHARS:,}"):
        store.add_evidence(ana.id, kind="other", caption="c", text="t" * (MAX_TEXT_CHARS + 1))
    with pytest.raises(EvidenceError, match="a link or a short text"):
        store.add_evidence(ana.id, kind="other", caption="c")
    with pytest.raises(EvidenceError, match="after today"):
        store.add_evidence(
            ana.id, kind="other", caption="c", text="t", made_on=TODAY + timedelta(2)
        )
    with pytest.raises(EvidenceError, match="not a visibility"):
        store.add_evidence(ana.id, kind="other", caption="c", text="t", visibility="world")
    with pytest.raises(StoreError, match="no teacher"):
        store.add_evidence("nobody", kind="other", caption="c", text="t")
    assert store.evidence(ana.id, viewer=ana.id) == []  # nothing half-written


def test_a_teacher_keeps_a_bounded_number_of_items(
    room: Room, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pdkit.store._sql_evidence as sql

    monkeypatch.setattr(sql, "MAX_ITEMS", 3)
    for n in range(3):
        room.store.add_evidence(room.ana.id, kind="other", caption=f"c{n}", text="t")
    with pytest.raises(EvidenceError, match="holds 3 items already"):
        room.store.add_evidence(room.ana.id, kind="other", caption="one more", text="t")
    assert MAX_ITEMS >= 100


# --------------------------------------------------------------------------- who reads


def test_visibility_follows_the_goal(room: Room) -> None:
    store, ana = room.store, room.ana
    item = store.add_evidence(ana.id, kind="survey", caption="Survey", link="https://e.org/s")
    assert room.readers(item) == {"Ana"}  # the goal is private
    store.set_visibility(ana.id, GOAL_FORM, "coach")
    assert room.readers(item) == {"Ana", "Kim", "steward"}
    store.set_visibility(ana.id, GOAL_FORM, "group")
    assert room.readers(item) == {"Ana", "Kim", "steward", "Ben"}
    store.set_visibility(ana.id, GOAL_FORM, "session")
    assert room.readers(item) == {"Ana", "Kim", "steward", "Ben", "Cy", "Lee", "facilitator"}
    [seen] = store.evidence(ana.id, viewer=room.cy.id)
    assert seen.shown == "session"


def test_the_teacher_narrows_an_item_never_widens_it(room: Room) -> None:
    store, ana = room.store, room.ana
    store.set_visibility(ana.id, GOAL_FORM, "group")
    narrow = store.add_evidence(ana.id, kind="other", caption="n", text="t", visibility="coach")
    wide = store.add_evidence(ana.id, kind="other", caption="w", text="t", visibility="session")
    assert room.readers(narrow) == {"Ana", "Kim", "steward"}
    assert wide.shown == "group"  # never wider than the goal
    assert room.readers(wide) == {"Ana", "Kim", "steward", "Ben"}
    store.set_visibility(ana.id, GOAL_FORM, "private")  # the goal goes private: so does all
    assert room.readers(narrow) == room.readers(wide) == {"Ana"}


def test_student_data_is_never_seen_beyond_the_coach(room: Room) -> None:
    store, ana = room.store, room.ana
    store.set_visibility(ana.id, GOAL_FORM, "session")
    work = store.add_evidence(ana.id, kind="student_work", caption="Essays", link="https://e.org/e")
    assert work.shown == "coach"
    assert room.readers(work) == {"Ana", "Kim", "steward"}
    flagged = store.add_evidence(
        ana.id, kind="survey", caption="Names", text="t", student_data=True
    )
    assert room.readers(flagged) == {"Ana", "Kim", "steward"}
    # Asking for more is refused with a clear message, on adding and on editing.
    with pytest.raises(EvidenceError, match="your coach at most"):
        store.add_evidence(ana.id, kind="student_work", caption="x", text="t", visibility="session")
    with pytest.raises(EvidenceError, match="your coach at most"):
        store.edit_evidence(work.id, ana.id, visibility="group")
    plain = store.add_evidence(
        ana.id, kind="survey", caption="Plain", text="t", visibility="session"
    )
    with pytest.raises(EvidenceError, match="your coach at most"):
        store.edit_evidence(plain.id, ana.id, student_data=True)
    # A row forced wider below the API, its flag off, is still capped when read.
    with store._tx() as tx:  # type: ignore[attr-defined]
        tx.execute(
            "UPDATE evidence SET visibility = 'session', student_data = 0 WHERE id = ?",
            (work.id,),
        )
    assert room.readers(work) == {"Ana", "Kim", "steward"}
    [seen] = [i for i in store.evidence(ana.id, viewer=room.kim.id) if i.id == work.id]
    assert seen.shown == "coach"


def test_private_items_are_the_teachers_alone(room: Room) -> None:
    store, ana = room.store, room.ana
    store.set_visibility(ana.id, GOAL_FORM, "session")
    item = store.add_evidence(ana.id, kind="other", caption="p", text="t", visibility="private")
    work = store.add_evidence(
        ana.id, kind="student_work", caption="s", text="t", visibility="private"
    )
    assert room.readers(item) == room.readers(work) == {"Ana"}
    own = Viewer.steward(include_private=True)
    assert {i.id for i in store.evidence(ana.id, viewer=own)} == {item.id, work.id}


def test_an_unknown_teacher_has_no_items_for_anyone(room: Room) -> None:
    assert room.store.evidence("nobody", viewer=room.kim.id) == []
    assert room.store.evidence(room.ben.id, viewer=room.ben.id) == []


def test_an_edit_made_from_a_stale_read_is_refused_not_lost(room: Room) -> None:
    from dataclasses import replace

    from pdkit.errors import ConflictError

    store, ana = room.store, room.ana
    first = store.add_evidence(ana.id, kind="other", caption="v1", text="t")
    store.edit_evidence(first.id, ana.id, caption="v2 from one page")
    stale = replace(first, version=2, caption="v2 from another page")
    with pytest.raises(ConflictError, match="changed meanwhile"):
        store._insert(stale)  # type: ignore[attr-defined]  # as a second page would
    history = store.evidence_history(first.id, viewer=ana.id)
    assert [v.caption for v in history] == ["v1", "v2 from one page"]
