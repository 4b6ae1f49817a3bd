"""Sharing and peer feedback without a browser: who can see an item, the group's
shared goals, feedback in the protocol's categories, "Helpful", goal versions, groups
by school goal, late joiners, and the coach's view of feedback and pseudonymous export."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import ipywidgets as w
import pytest

from pdkit import pacing
from pdkit.app import Workbook
from pdkit.definitions import load_form, load_protocol, load_workbook
from pdkit.groups import form_groups_by
from pdkit.notebooks import export_store, read_saved, save_workbook
from pdkit.revisions import versions
from pdkit.store import Participant, ResponseEvent, SQLiteStore, Store, Viewer
from pdkit.testing import FakeClock, descendants, page_loaded
from pdkit.widgets import FormView, PacingControl, PeerFeedback, VisibilityPicker

GOAL = "goal-setting"


@pytest.fixture(autouse=True)
def _close_widgets() -> Iterator[None]:
    yield
    w.Widget.close_all()


@dataclass
class Trio:
    store: Store
    clock: FakeClock
    ana: Participant
    ben: Participant
    cy: Participant

    def set_goal(self, who: Participant, goal: str, level: str = "group") -> None:
        self.store.record(
            who.id,
            GOAL,
            {"school_goal": "talk", "goal": goal, "point_a": f"{who.display_name} now"},
            spec_version="goal-setting@1",
        )
        self.store.set_visibility(who.id, GOAL, level)

    def page(self, who: Participant) -> PeerFeedback:
        return PeerFeedback(self.store, who, load_form(GOAL), clock=self.clock)


@pytest.fixture
def trio() -> Iterator[Trio]:
    clock = FakeClock(1_800_000_001.0)
    store = SQLiteStore(":memory:", clock=clock)
    ana = store.create_participant("Ana")[0]
    ben = store.create_participant("Ben")[0]
    cy = store.create_participant("Cy <b>")[0]
    store.set_groups("default", [[ana.id, ben.id, cy.id]])
    yield Trio(store, clock, ana, ben, cy)
    store.close()


def text_of(widget: w.Widget) -> str:
    return " ".join(
        str(getattr(d, "value", "")) for d in descendants(widget) if isinstance(d, w.HTML)
    )


# --------------------------------------------------------------------------- visibility


def test_the_picker_saves_the_choice_and_says_who_can_see(trio: Trio) -> None:
    picker = VisibilityPicker(trio.store, trio.ana.id, GOAL)
    assert picker.level == "private"
    assert "Only you can see this" in picker.says.value
    assert picker.dropdown.description == "Who can see this?"  # the label of the select
    picker.choose("group")
    assert trio.store.visibility(trio.ana.id, GOAL) == "group"
    assert "members of your group" in picker.says.value
    again = VisibilityPicker(trio.store, trio.ana.id, GOAL)  # a reload shows the choice
    assert again.level == "group"


def test_the_picker_speaks_spanish() -> None:
    store = SQLiteStore(":memory:")
    ana = store.create_participant("Ana")[0]
    picker = VisibilityPicker(store, ana.id, GOAL, language="es")
    assert picker.dropdown.description == "¿Quién puede verlo?"
    assert "Solo tú puedes verlo" in picker.says.value


def test_every_form_and_reflection_of_a_workbook_asks_who_can_see_it(trio: Trio) -> None:
    workbook = Workbook("peer-feedback", store=trio.store)
    app = workbook.app
    assert app is not None
    page_loaded(app.sign_in.browser)  # type: ignore[union-attr]
    app.sign_in.join("Dee")  # type: ignore[union-attr]
    form = app.parts[0].form  # type: ignore[union-attr]
    assert isinstance(form, FormView)
    assert form.visibility is not None
    assert form.visibility.widget in descendants(workbook.section(0))
    reflections = Workbook("reflection", store=trio.store).app
    assert reflections is not None
    page_loaded(reflections.sign_in.browser)  # type: ignore[union-attr]
    reflections.sign_in.join("Eve")  # type: ignore[union-attr]
    reflection = reflections.parts[0].form  # type: ignore[union-attr]
    assert reflection is not None
    assert reflection.visibility is not None
    assert reflection.visibility.level == "private"


# --------------------------------------------------------------------------- peer feedback


def test_a_group_gives_feedback_and_the_receiver_revises(trio: Trio) -> None:
    trio.set_goal(trio.cy, "Students ask <script>alert(1)</script> questions")
    cy_page = trio.page(trio.cy)
    assert "No feedback yet" in text_of(cy_page.received_box)

    for giver, text in ((trio.ana, "Warm: <i>clear</i>"), (trio.ben, "How will you count?")):
        page = trio.page(giver)
        box = page.boxes[trio.cy.id]
        shown = box.goal.value
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in shown  # their text, escaped
        assert "<script>" not in shown
        assert [cid for _label, cid in box.category.options] == ["warm", "cool"]
        box.category.value = "cool" if giver is trio.ben else "warm"
        box.text.value = text
        box.send.click()
        assert box.text.value == ""
        assert "Feedback sent." in page.message.value

    cy_page.refresh()  # in a kernel this runs by itself every two seconds
    received = text_of(cy_page.received_box)
    assert "Warm: &lt;i&gt;clear&lt;/i&gt;" in received
    assert "How will you count?" in received
    assert "from Ana" in received
    assert "<i>" not in received
    [first, second] = trio.store.feedback(viewer=trio.cy.id)
    assert (first.giver, first.category, second.giver, second.category) == (
        trio.ana.id,
        "warm",
        trio.ben.id,
        "cool",
    )

    cy_page.helpful[second.id].value = True  # "Helpful"
    assert trio.store.feedback(viewer=trio.cy.id)[1].helpful is True

    assert "Version 1" in cy_page.versions_html.value
    cy_page.revise_button.click()
    trio.store.record(
        trio.cy.id, GOAL, {"goal": "Every student asks one question"}, spec_version="g@1"
    )
    cy_page.refresh()
    listed = cy_page.versions_html.value
    assert "Version 2" in listed
    assert "changed: My goal" in listed
    assert "Every student asks one question" in listed


def test_goals_not_shared_with_the_group_are_not_shown(trio: Trio) -> None:
    trio.set_goal(trio.ana, "Ana's private goal", level="private")
    trio.set_goal(trio.ben, "Ben's coach goal", level="coach")
    page = trio.page(trio.cy)
    shown = text_of(page.widget)
    assert "Ana's private goal" not in shown
    assert "Ben's coach goal" not in shown
    assert "has not shared a goal with the group yet" in shown
    assert page.boxes == {}
    assert "Your group cannot see your goal yet" in page.group_html.value  # Cy: private


def test_feedback_categories_follow_the_protocol_in_use(trio: Trio) -> None:
    trio.set_goal(trio.ana, "Ana's goal")
    lww = load_protocol("like-wish-wonder")
    group = trio.store.group_of(trio.ana.id)
    assert group is not None
    trio.store.start_run(
        "default",
        lww.id,
        lww.spec_version,
        {group.id: lww.assign_roles(group.members)},
        pacing.start(lww, trio.clock()),
    )
    box = trio.page(trio.ben).boxes[trio.ana.id]
    assert [cid for _label, cid in box.category.options] == ["like", "wish", "wonder"]
    assert next(label for label, _cid in box.category.options) == "I like…"


def test_an_empty_feedback_is_not_sent(trio: Trio) -> None:
    trio.set_goal(trio.ana, "Ana's goal")
    page = trio.page(trio.ben)
    page.boxes[trio.ana.id].send.click()
    assert "Write your feedback first." in page.message.value
    assert trio.store.feedback(viewer=trio.ana.id) == []


def test_someone_without_a_group_is_told_so(trio: Trio) -> None:
    loner = trio.store.create_participant("Lou", session="other")[0]
    page = PeerFeedback(trio.store, loner, load_form(GOAL))
    assert "You are not in a group yet" in page.group_html.value
    assert "No goal yet" in page.versions_html.value
    assert page.revise_button.disabled


# --------------------------------------------------------------------------- versions


def _event(field: str, value: str, at: float) -> ResponseEvent:
    return ResponseEvent(0, "p", GOAL, field, value, at, "g@1")


def test_versions_split_at_marks_and_long_pauses() -> None:
    events = [
        _event("goal", "a", 10),
        _event("goal", "ab", 11),
        _event("point_a", "x", 12),
        _event("goal", "abc", 20),  # after the mark at 15
        _event("goal", "abcd", 20 + 3600),  # an hour later: another sitting
        _event("goal", "abcd", 20 + 3601),  # the same again: nothing changed
    ]
    found = versions(events, marks=[15])
    assert [v.number for v in found] == [1, 2, 3]
    assert found[0].values == {"goal": "ab", "point_a": "x"}
    assert found[0].changed == ("goal", "point_a")
    assert found[1].changed == ("goal",)
    assert found[2].values["goal"] == "abcd"
    assert versions([]) == []


# --------------------------------------------------------------------------- groups


def test_groups_by_school_goal_keep_goal_areas_together() -> None:
    people = [f"p{i}" for i in range(10)]
    keys = {p: ("talk" if i < 6 else "read") for i, p in enumerate(people)}
    keys.pop("p9")  # no goal yet
    groups = form_groups_by(people, keys, 3, seed=1)
    assert sorted(len(g) for g in groups) == [3, 3, 4]
    for group in groups:  # whoever has a school goal shares it with the rest of the group
        assert len({keys[p] for p in group if p in keys}) == 1
    assert len([g for g in groups if any(keys.get(p) == "talk" for p in g)]) == 2
    assert sorted(p for g in groups for p in g) == sorted(people)
    assert form_groups_by(people, keys, 3, seed=1) == groups  # the same seed, the same groups
    with pytest.raises(ValueError, match="at least 2"):
        form_groups_by(people, keys, 1)


def test_the_facilitator_forms_groups_by_school_goal_from_choices_only() -> None:
    store = SQLiteStore(":memory:")
    people = [store.create_participant(f"T{i}")[0] for i in range(6)]
    for i, person in enumerate(people):
        store.record(
            person.id,
            GOAL,
            {"school_goal": "talk" if i % 2 else "read", "goal": f"secret {i}"},
            spec_version="g@1",
        )
    control = PacingControl(store, seed=3)
    control.group_size.value = 3
    control.by_goal_button.click()
    assert "by school goal" in control.message.value
    for group in store.groups():
        chosen = store.choices("default", GOAL, "school_goal", viewer=Viewer.steward())
        assert len({chosen[m] for m in group.members}) == 1
    assert "secret" not in control.groups_html.value
    control.form_groups(7)
    assert "from 2 to 6" in control.message.value
    assert control.group_size.max == 6


def test_a_late_joiner_is_placed_when_their_page_opens(trio: Trio) -> None:
    app = Workbook("peer-feedback", store=trio.store).app
    assert app is not None
    page_loaded(app.sign_in.browser)  # type: ignore[union-attr]
    app.sign_in.join("Late Lee")  # type: ignore[union-attr]
    lee = app.sign_in.participant  # type: ignore[union-attr]
    assert lee is not None
    group = trio.store.group_of(lee.id)
    assert group is not None
    assert lee.id in group.members


# --------------------------------------------------------------------------- coach's view


def test_feedback_reaches_the_review_only_with_private_writing(trio: Trio, tmp_path: Path) -> None:
    from pdkit import review

    trio.set_goal(trio.cy, "Cy's goal", level="coach")
    trio.store.set_visibility(trio.cy.id, GOAL, "group")
    trio.store.give_feedback(trio.ana.id, trio.cy.id, GOAL, "warm", "Clear")
    assert review.load(trio.store).feedback.empty  # the steward's default view
    loaded = review.load(trio.store, viewer=Viewer.steward(include_private=True))
    row = loaded.feedback.iloc[0]
    assert (row["giver"], row["target"], row["category"], row["text"]) == (
        trio.ana.id,
        trio.cy.id,
        "warm",
        "Clear",
    )
    assert bool(row["private"])

    # A teacher's own download holds the feedback they received, and review reads it.
    workbook = load_workbook("peer-feedback")
    notebook = save_workbook(workbook, trio.store, trio.cy)
    saved = notebook["metadata"]["pdkit"]["saved"]
    assert saved["visibility"] == {GOAL: "group"}
    assert [f["text"] for f in saved["feedback"]] == ["Clear"]
    path = tmp_path / "cy.ipynb"
    from pdkit.notebooks import dumps

    path.write_text(dumps(notebook), encoding="utf-8")
    from_file = review.load(path)
    assert from_file.feedback["text"].tolist() == ["Clear"]
    assert not from_file.answers["private"].any()  # the goal is shared: not private


def test_a_private_goal_in_a_saved_workbook_stays_out_of_the_coach_report(
    trio: Trio, tmp_path: Path
) -> None:
    from pdkit import review
    from pdkit.notebooks import dumps
    from pdkit.report import report_html

    trio.set_goal(trio.cy, "Cy keeps this goal", level="private")
    path = tmp_path / "cy.ipynb"
    path.write_text(dumps(save_workbook(load_workbook(GOAL), trio.store, trio.cy)), "utf-8")
    loaded = review.load(path)
    assert loaded.answers["private"].all()
    assert "Cy keeps this goal" not in report_html(loaded)
    assert "1 goal or check-in kept private" in report_html(loaded)
    assert "Cy keeps this goal" in report_html(loaded, include_private=True)


def test_pseudonymous_export_removes_names_and_keeps_stable_ids(trio: Trio, tmp_path: Path) -> None:
    for who in (trio.ana, trio.ben, trio.cy):
        trio.set_goal(who, f"{who.display_name}'s goal", level="group")
    trio.store.give_feedback(trio.ana.id, trio.cy.id, GOAL, "warm", "Clear")
    workbook = load_workbook(GOAL)
    first = export_store(trio.store, workbook, tmp_path / "a", pseudonymous=True)
    again = export_store(trio.store, workbook, tmp_path / "b", pseudonymous=True)
    assert [p.name for p in first] == [p.name for p in again]  # stable pseudonyms
    everything = "".join(p.read_text(encoding="utf-8") for p in first)
    for who in (trio.ana, trio.ben, trio.cy):
        assert who.id not in everything
        assert f'"{who.display_name}"' not in everything
    saved = [read_saved(p.read_text(encoding="utf-8")) for p in first]
    assert {s.participant["id"] for s in saved} == {
        trio.store.pseudonym(p.id) for p in (trio.ana, trio.ben, trio.cy)
    }
    assert all(s.participant["display_name"] == "" for s in saved)
    assert "Ana's goal" in everything  # answers are kept as written


def test_the_coach_sees_the_versions_the_teacher_made(trio: Trio, tmp_path: Path) -> None:
    """ "Start a new version" splits versions in the review too, within one sitting."""
    from pdkit import review
    from pdkit.notebooks import dumps

    trio.set_goal(trio.cy, "First goal", level="coach")
    trio.store.start_revision(trio.cy.id, GOAL)
    trio.store.record(trio.cy.id, GOAL, {"goal": "Second goal"}, spec_version="goal-setting@1")
    path = tmp_path / "cy.ipynb"
    path.write_text(dumps(save_workbook(load_workbook(GOAL), trio.store, trio.cy)), "utf-8")
    for loaded in (review.load(trio.store), review.load(path)):
        [row] = loaded.goals.to_dict("records")
        assert row["versions"] == 2
        assert row["goal"] == "Second goal"
        goal_rows = loaded.goal_versions[loaded.goal_versions["field"] == "goal"]
        assert goal_rows["value_text"].tolist() == ["First goal", "Second goal"]
        assert goal_rows["changed"].tolist() == [True, True]
    page = trio.page(trio.cy)
    assert "Version 2" in page.versions_html.value  # the teacher's page agrees
