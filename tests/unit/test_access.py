"""Visibility enforced in the store: no public read returns another participant's item
unless its visibility allows the asker (role, group and coaching looked up by the store).

Runs on every backend (memory, SQLite file, PostgreSQL)."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from _stores import BACKENDS, FORM, VERSION
from pdkit import pacing
from pdkit.definitions import load_protocol
from pdkit.errors import AccessError, StoreError
from pdkit.store import DEFAULT_SESSION, VISIBILITIES, Participant, SQLiteStore, Store, Viewer

REFLECTION = "what-so-what-now-what"


@dataclass
class Room:
    """Ana and Ben in one group, Cy in another, Dee in another session; coach Kim
    coaches Ana only; coach Lee coaches nobody."""

    store: Store
    ana: Participant
    ben: Participant
    cy: Participant
    dee: Participant
    kim: Participant
    lee: Participant

    def write(self, who: Participant, form: str = FORM, text: str = "") -> None:
        self.store.record(
            who.id, form, {"goal": text or f"{who.display_name}'s words"}, spec_version=VERSION
        )

    def share(self, who: Participant, level: str, form: str = FORM) -> None:
        self.store.set_visibility(who.id, form, level)


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
    made = Room(store, ana, ben, cy, dee, kim, lee)
    for person in (ana, ben, cy, dee):
        made.write(person)
        made.write(person, REFLECTION)
    yield made
    store.close()


def readers(room: Room, owner: Participant, form: str = FORM) -> set[str]:
    """Who, among everyone in the room and the special viewers, can read ``owner``'s
    item — checked through every public read, which must agree."""
    viewers: dict[str, Viewer | str] = {
        p.display_name: p.id for p in (room.ana, room.ben, room.cy, room.dee, room.kim, room.lee)
    }
    viewers["facilitator"] = Viewer.facilitator("default")
    viewers["steward"] = Viewer.steward()
    viewers["steward+private"] = Viewer.steward(include_private=True)
    found = set()
    for name, viewer in viewers.items():
        can = room.store.can_see(viewer, owner.id, form)
        try:
            latest = room.store.latest(owner.id, form, viewer=viewer)
        except AccessError:
            latest = None
        try:
            history = room.store.history(owner.id, form, viewer=viewer)
        except AccessError:
            history = None
        session = "spring" if isinstance(viewer, Viewer) and owner is room.dee else None
        listed = {
            item.owner.id
            for item in room.store.shared(form, viewer=viewer, session=session or owner.session)
        }
        assert (latest is not None) is can, name
        assert (history is not None) is can, name
        if viewer != owner.id:
            assert (owner.id in listed) is can, name
        if can:
            assert latest == {"goal": f"{owner.display_name}'s words"}
            assert history is not None
            assert [e.participant for e in history] == [owner.id]
            found.add(name)
    return found


OWN = {"Ana", "steward+private"}


def test_a_private_item_is_read_by_its_owner_only(room: Room) -> None:
    assert room.store.visibility(room.ana.id, FORM) == "private"  # the default
    assert readers(room, room.ana) == OWN
    assert readers(room, room.ana, REFLECTION) == OWN


def test_a_coach_item_is_read_by_the_teachers_own_coach_only(room: Room) -> None:
    room.share(room.ana, "coach")
    assert readers(room, room.ana) == OWN | {"Kim", "steward"}
    room.share(room.cy, "coach")  # Cy has no coach: only the steward (every teacher's coach)
    assert readers(room, room.cy) == {"Cy", "steward+private", "steward"}


def test_a_group_item_is_read_within_the_group_only(room: Room) -> None:
    room.share(room.ana, "group")
    assert readers(room, room.ana) == OWN | {"Kim", "steward", "Ben"}
    room.share(room.cy, "group")  # alone in a group: nobody else
    assert readers(room, room.cy) == {"Cy", "steward+private", "steward"}


def test_a_session_item_is_read_within_the_session_only(room: Room) -> None:
    room.share(room.ana, "session")
    assert readers(room, room.ana) == OWN | {
        "Kim",
        "Lee",
        "Ben",
        "Cy",
        "facilitator",
        "steward",
    }
    room.share(room.dee, "session")  # another session: none of the default session
    assert readers(room, room.dee) == {"Dee", "steward+private", "steward"}


def test_sharing_again_narrower_takes_effect_at_once(room: Room) -> None:
    room.share(room.ana, "session")
    room.share(room.ana, "private")
    assert readers(room, room.ana) == OWN
    assert list(VISIBILITIES) == ["private", "coach", "group", "session"]


def test_visibility_is_per_item(room: Room) -> None:
    room.share(room.ana, "group", FORM)
    assert "Ben" in readers(room, room.ana, FORM)
    assert readers(room, room.ana, REFLECTION) == OWN  # her reflection stays private


def test_groups_are_looked_up_when_reading(room: Room) -> None:
    room.share(room.ana, "group")
    assert "Ben" in readers(room, room.ana)
    room.store.set_groups("default", [[room.ana.id, room.cy.id], [room.ben.id]])
    found = readers(room, room.ana)
    assert "Cy" in found
    assert "Ben" not in found


def test_a_claimed_role_is_not_believed(room: Room) -> None:
    """Lee is a coach, but not Ana's; a teacher cannot become anyone's coach."""
    room.share(room.ana, "coach")
    assert not room.store.can_see(room.lee.id, room.ana.id, FORM)
    with pytest.raises(StoreError, match="not a coach"):
        room.store.assign_coach(room.ben.id, [room.ana.id])
    assert not room.store.can_see(room.ben.id, room.ana.id, FORM)
    assert not room.store.can_see("no-such-person", room.ana.id, FORM)
    with pytest.raises(AccessError, match="not shared"):
        room.store.latest(room.ana.id, FORM, viewer="no-such-person")


def test_a_viewer_must_be_given(room: Room) -> None:
    with pytest.raises(TypeError):
        room.store.latest(room.ana.id, FORM)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="viewer"):
        room.store.latest(room.ana.id, FORM, viewer="")


def test_an_unknown_visibility_is_refused(room: Room) -> None:
    with pytest.raises(StoreError, match="private, coach, group, session"):
        room.store.set_visibility(room.ana.id, FORM, "public")
    assert room.store.visibility(room.ana.id, FORM) == "private"


def test_protocol_notes_are_their_writers_only(room: Room) -> None:
    tuning = load_protocol("tuning")
    store = room.store
    group = store.group_of(room.ana.id)
    assert group is not None
    run = store.start_run(
        "default",
        tuning.id,
        tuning.spec_version,
        {group.id: tuning.assign_roles(group.members)},
        pacing.start(tuning, 0.0),
    )
    store.record_notes(run.id, "presentation", room.ana.id, {"focusing_question": "Mine"})
    store.record_notes(run.id, "presentation", room.ben.id, {"first_notes": "Ben's"})
    assert [n.value for n in store.notes(run.id, viewer=room.ana.id)] == ["Mine"]
    assert [n.value for n in store.notes(run.id, viewer=room.kim.id)] == []
    assert store.notes(run.id, viewer=Viewer.facilitator("default")) == []
    assert store.notes(run.id, viewer=Viewer.steward()) == []
    assert len(store.notes(run.id, viewer=Viewer.steward(include_private=True))) == 2
    with pytest.raises(AccessError, match="private"):
        store.latest_notes(run.id, "presentation", room.ana.id, viewer=room.ben.id)
    assert store.note_writers(run.id) == {
        (group.id, "presentation"): {room.ana.id, room.ben.id}
    }  # ids for the facilitator's counts, no text


def test_choices_give_option_ids_never_free_text(room: Room) -> None:
    store = room.store
    store.record(room.ana.id, FORM, {"school_goal": "talk"}, spec_version=VERSION)
    store.record(room.ben.id, FORM, {"school_goal": "My secret plan"}, spec_version=VERSION)
    facilitator = Viewer.facilitator("default")
    assert store.choices("default", FORM, "school_goal", viewer=facilitator) == {
        room.ana.id: "talk"
    }
    assert store.choices("default", FORM, "goal", viewer=facilitator) == {}  # free text: never
    assert store.choices("default", FORM, "school_goal", viewer=Viewer.steward()) != {}
    for other in (room.ben.id, room.kim.id, Viewer.facilitator("spring")):
        with pytest.raises(AccessError, match="only its facilitator"):
            store.choices("default", FORM, "school_goal", viewer=other)


# --------------------------------------------------------------------------- feedback


def test_feedback_needs_a_visible_item_and_is_seen_by_giver_and_receiver(room: Room) -> None:
    store = room.store
    with pytest.raises(AccessError):
        store.give_feedback(room.ben.id, room.ana.id, FORM, "warm", "Nice")  # still private
    room.share(room.ana, "group")
    with pytest.raises(AccessError):
        store.give_feedback(room.cy.id, room.ana.id, FORM, "warm", "Not my group")
    given = store.give_feedback(room.ben.id, room.ana.id, FORM, "cool", "A date? <b>x</b>")
    assert given.text == "A date? <b>x</b>"
    assert given.helpful is None
    assert store.feedback(viewer=room.ana.id) == [given]
    assert store.feedback(viewer=room.ben.id) == [given]
    for other in (room.cy.id, room.kim.id, Viewer.facilitator("default"), Viewer.steward()):
        assert store.feedback(viewer=other) == []
    assert store.feedback(viewer=Viewer.steward(include_private=True)) == [given]
    assert store.feedback(viewer=room.ana.id, owner_id=room.ben.id) == []


def test_only_the_receiver_marks_feedback_helpful(room: Room) -> None:
    store = room.store
    room.share(room.ana, "group")
    given = store.give_feedback(room.ben.id, room.ana.id, FORM, "warm", "Clear")
    with pytest.raises(AccessError, match="receiver"):
        store.mark_helpful(given.id, room.ben.id)
    marked = store.mark_helpful(given.id, room.ana.id)
    assert marked.helpful is True
    assert store.feedback(viewer=room.ana.id)[0].helpful is True
    assert store.mark_helpful(given.id, room.ana.id, helpful=False).helpful is False


def test_feedback_on_ones_own_item_or_empty_is_refused(room: Room) -> None:
    room.share(room.ana, "group")
    with pytest.raises(StoreError, match="someone else"):
        room.store.give_feedback(room.ana.id, room.ana.id, FORM, "warm", "Me")
    with pytest.raises(StoreError, match="empty"):
        room.store.give_feedback(room.ben.id, room.ana.id, FORM, "warm", "  ")


# --------------------------------------------------------------------------- groups etc.


def test_a_late_joiner_is_placed_in_the_smallest_group(room: Room) -> None:
    store = room.store
    eve = store.create_participant("Eve")[0]
    placed = store.place_in_group(eve.id)
    assert placed is not None
    assert placed.members == (room.cy.id, eve.id)  # Cy's group had one member
    assert store.place_in_group(eve.id) == placed  # already placed: stays
    fay = store.create_participant("Fay")[0]
    again = store.place_in_group(fay.id)
    assert again is not None
    assert fay.id in again.members
    assert store.place_in_group(room.dee.id) is None  # spring has no groups


def test_a_joiner_with_no_groups_to_join_waits_on_no_other_writer(tmp_path: Path) -> None:
    """A room arriving at once: each Join asks to be placed in a group before any are
    formed; that must not queue behind the other joiners' writes (nor take the lock)."""
    path = tmp_path / "s.sqlite3"
    store = SQLiteStore(path, busy_timeout=0.2)
    eve = store.create_participant("Eve")[0]
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another kernel is writing
    try:
        started = time.perf_counter()
        assert store.place_in_group(eve.id) is None
        assert time.perf_counter() - started < 0.1
        other.execute("COMMIT")
        ben = store.create_participant("Ben")[0]
        store.set_groups(DEFAULT_SESSION, [[ben.id]])
        other.execute("BEGIN IMMEDIATE")
        with pytest.raises(StoreError):  # with groups to join it writes: it must wait
            store.place_in_group(eve.id)
    finally:
        other.rollback()
        other.close()
        store.close()


def test_pseudonyms_are_stable_and_unrelated_to_ids(room: Room) -> None:
    store = room.store
    first = store.pseudonym(room.ana.id)
    assert first == store.pseudonym(room.ana.id)
    assert first != store.pseudonym(room.ben.id)
    assert room.ana.id not in first
    assert first.startswith("anon-")


def test_revision_marks_are_kept_in_order(room: Room) -> None:
    store = room.store
    assert store.revision_marks(room.ana.id, FORM) == []
    one = store.start_revision(room.ana.id, FORM)
    two = store.start_revision(room.ana.id, FORM)
    assert store.revision_marks(room.ana.id, FORM) == [one, two]
