"""The observation form and the teacher's observations panel (widgets/_observe.py,
widgets/_observations.py), driven as a browser would, on every store backend."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import ipywidgets as w
import pytest
from tests._stores import BACKENDS

from pdkit.definitions import load_look_fors
from pdkit.store import Participant, Store
from pdkit.testing import FakeClock
from pdkit.widgets import ObservationForm, ObservationsPanel, Safekeeper

T0 = 1_800_000_000.0


@pytest.fixture(autouse=True)
def _close_widgets() -> Iterator[None]:
    yield
    w.Widget.close_all()


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest) -> Iterator[Store]:
    opened: Store = request.param(request)
    yield opened
    opened.close()


@dataclass
class School:
    store: Store
    ana: Participant
    ben: Participant
    coach: Participant


@pytest.fixture
def school(store: Store) -> School:
    ana, _ = store.create_participant("Ana")
    ben, _ = store.create_participant("Ben")
    coach, _ = store.create_participant("Carla", role="coach")
    store.assign_coach(coach.id, [ana.id])
    store.record(
        ana.id,
        "goal-setting",
        {
            "school_goal": "talk",
            "goal": "Most students explain <b>their</b> reasoning",
            "point_b": "Two thirds talk in pairs",
            "action_steps": ["Think-pair-share daily"],
        },
        spec_version="goal-setting@1",
    )
    return School(store, ana, ben, coach)


def test_the_teacher_invites_and_withdraws_from_the_panel(school: School) -> None:
    store = school.store
    panel = ObservationsPanel(store, school.ana.id, observe_link=lambda: "observe.ipynb")
    assert [label for label, _ in panel.colleague.options] == ["Ben"]
    assert "No observations yet" in panel.list_box.children[0].value
    assert panel.invite()
    assert store.may_observe(school.ben.id, school.ana.id, viewer=school.ana.id)
    assert "Ben may observe you" in panel.invited_box.children[0].children[0].value
    withdraw = panel.invited_box.children[0].children[1]
    withdraw.click()
    assert not store.may_observe(school.ben.id, school.ana.id, viewer=school.ana.id)
    assert panel.invited_box.children == ()
    assert "may no longer observe you" in panel.message.value


def test_an_uninvited_colleague_has_nobody_to_observe(school: School) -> None:
    form = ObservationForm(school.store, school.ben.id)
    assert form.whom.options == ()
    assert form.start_button.disabled
    assert "Nobody to observe yet" in form.message.value
    assert form.start(school.ana.id) is None  # asking anyway: refused by the store
    assert "may not observe" in form.message.value
    assert form.body.children == ()


def test_a_peer_observes_with_the_goal_s_look_fors_and_the_teacher_shares(
    school: School,
) -> None:
    store, ana, ben, coach = school.store, school.ana, school.ben, school.coach
    store.invite_observer(ana.id, ben.id)
    keeper = Safekeeper()
    form = ObservationForm(
        store,
        ben.id,
        keeper=keeper,
        look_fors=load_look_fors("district"),
        clock=FakeClock(T0, step=0),
    )
    assert form.whom.options == (("Ana", ana.id),)
    form.start_button.click()
    obs = form.observation
    assert obs is not None
    assert form.date.value == date.fromtimestamp(T0)
    assert list(form.marks) == ["goal", "point_b", "step_1"]
    # the district's look-fors for her school goal (talk) come first
    assert form.district_pick.options[0][1] == "students-talk"
    assert form.add_district(), form.message.value
    assert form.add_own("Wait time after questions")
    assert list(form.marks) == ["goal", "point_b", "step_1", "students-talk", "own_1"]
    form.marks["step_1"].value = "seen"
    form.notes["step_1"].value = "Pairs at 10:05"
    form.texts["glow"].value = "Calm, warm start"
    form.texts["grow"].value = "Wait longer"
    saved = store.observation(obs.id, viewer=ben.id)
    assert saved.marks["step_1"] == {"seen": "seen", "note": "Pairs at 10:05"}
    assert saved.notes["glow"] == "Calm, warm start"
    assert form.kept_texts()[f"observe:{obs.id}:grow"] == "Wait longer"

    # the page is opened again: the draft is taken up, nothing typed is lost
    again = ObservationForm(store, ben.id)
    again.start(ana.id)
    assert again.observation is not None
    assert again.observation.id == obs.id
    assert again.texts["grow"].value == "Wait longer"
    assert again.notes["step_1"].value == "Pairs at 10:05"

    assert "Send to Ana" in form.send_button.description
    assert form.send() is not None
    assert "Sent to Ana" in form.message.value

    panel = ObservationsPanel(store, ana.id)
    html = panel.list_box.children[0].children[0].value
    assert "Pairs at 10:05" in html
    assert "observed by Ben" in html
    assert "goal version 1" in html
    assert "&lt;b&gt;their&lt;/b&gt;" in html  # escaped
    assert store.observations_of(ana.id, viewer=coach.id) == []  # her goal is private
    panel.shares[obs.id].value = "coach"
    assert [o.id for o in store.observations_of(ana.id, viewer=coach.id)] == [obs.id]


def test_kept_typing_is_put_back_and_saved(school: School) -> None:
    store, ana, coach = school.store, school.ana, school.coach
    form = ObservationForm(store, coach.id)
    made = form.start(ana.id)
    assert made is not None
    assert list(form.marks) == []  # her goal is not shared with her coach: no goal look-fors
    assert form.put_kept(f"observe:{made.id}:general", "Typed while offline")
    assert store.observation(made.id, viewer=coach.id).notes["general"] == "Typed while offline"
    assert not form.put_kept("observe:other:general", "x")


def test_a_withdrawn_invitation_stops_saving_with_a_message(school: School) -> None:
    store, ana, ben = school.store, school.ana, school.ben
    store.invite_observer(ana.id, ben.id)
    form = ObservationForm(store, ben.id)
    form.start(ana.id)
    store.withdraw_invitation(ana.id, ben.id)
    form.texts["general"].value = "after"
    assert "Not saved" in form.message.value
    assert form.texts["general"].value == "after"  # stays in the box (and the page keeps it)
    assert form.send() is None
    assert "Not sent" in form.message.value


# --------------------------------------------------------------------------- the pages


def _signed_in(workbook_id: str, store: Store, token: str, query: str = "") -> object:
    from pdkit.app import Workbook
    from pdkit.testing import page_loaded

    workbook = Workbook(workbook_id, store=store)
    assert workbook.error is None
    app = workbook.app
    page_loaded(
        app.sign_in.browser,  # type: ignore[union-attr]
        page_url=f"http://h/base/voila/render/{workbook_id}.ipynb{query}",
        url_token=token,
    )
    return app.parts[0]  # type: ignore[union-attr]


def test_the_shipped_pages_carry_observations_end_to_end(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pdkit.app import CoachApp
    from pdkit.links import COACH_PURPOSE
    from pdkit.testing import page_loaded

    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    monkeypatch.delenv("PDKIT_LOOK_FORS", raising=False)
    ana, ana_token = store.create_participant("Ana")
    ben, ben_token = store.create_participant("Ben")
    coach, _ = store.create_participant("Carla", role="coach")
    store.assign_coach(coach.id, [ana.id])
    store.record(ana.id, "goal-setting", {"goal": "More talk"}, spec_version="goal-setting@1")

    home = _signed_in("my-goal", store, ana_token)
    page = home.page  # type: ignore[attr-defined]
    panel = page.observations
    assert panel.invite(ben.id)

    observe = _signed_in("observe", store, ben_token)
    form = observe.form  # type: ignore[attr-defined]
    assert form.whom.options == (("Ana", ana.id),)
    form.start_button.click()
    assert list(form.marks) == ["goal"]
    form.marks["goal"].value = "seen"
    form.texts["glow"].value = "Pairs talked"
    assert form.send() is not None

    page.refresh()
    assert "Pairs talked" in panel.list_box.children[0].children[0].value
    assert "observe.ipynb" not in panel.link_html.value  # Ana observes nobody

    coach_page = CoachApp(store=store)
    page_loaded(
        coach_page.browser,
        page_url="http://h/base/voila/render/coach.ipynb",
        url_token=store.issue_link(coach.id, COACH_PURPOSE),
    )
    view = coach_page.open(ana.id)
    assert view is not None
    link = view.observations.widget.children[2].value
    assert "observe.ipynb?pdkit=" in link
    assert f"teacher={ana.id}" in link
    assert "No observations yet" in view.observations.list_html.value  # not shared
    panel.shares[panel.found[0].id].value = "coach"
    view.refresh()
    assert "Pairs talked" in view.observations.list_html.value


def test_a_burst_of_typing_is_saved_once_and_only_what_changed(school: School) -> None:
    store, ana, coach = school.store, school.ana, school.coach
    waiting: list[object] = []

    def schedule(delay: float, fn: object) -> None:
        assert delay == 1.0
        waiting.append(fn)

    form = ObservationForm(store, coach.id, schedule=schedule)  # type: ignore[arg-type]
    made = form.start(ana.id)
    assert made is not None
    for text in ("C", "Ca", "Calm"):
        form.texts["glow"].value = text
    assert len(waiting) == 1  # one save for the burst
    assert "glow" not in store.observation(made.id, viewer=coach.id).notes
    waiting.pop()()  # type: ignore[operator]
    assert store.observation(made.id, viewer=coach.id).notes["glow"] == "Calm"
    assert form.save() == 0  # nothing changed since: nothing written
    form.texts["grow"].value = "Wait"
    assert form.save() == 1  # Save (or leaving the page) writes at once
    assert store.observation(made.id, viewer=coach.id).notes["grow"] == "Wait"


def test_the_observation_pages_speak_spanish(school: School) -> None:
    from pdkit.testing import shown_text

    store, ana, ben = school.store, school.ana, school.ben
    panel = ObservationsPanel(store, ana.id, language="es")
    assert "Observaciones de mis clases" in shown_text(panel.widget)
    assert panel.invite_button.description == "Invitar"
    store.invite_observer(ana.id, ben.id)
    form = ObservationForm(store, ben.id, language="es")
    assert form.start_button.description == "Empezar a observar"
    form.start(ana.id)
    assert form.send_button.description == "Enviar a Ana"
    assert [label for label, _ in form.marks["goal"].options] == [
        "Visto",
        "Todavía no",
        "Sin marcar",
    ]


def test_the_coach_s_link_opens_the_page_on_that_teacher(store: Store) -> None:
    ana, _ = store.create_participant("Ana")
    zoe, _ = store.create_participant("Zoe")
    coach, _ = store.create_participant("Carla", role="coach")
    store.assign_coach(coach.id, [ana.id, zoe.id])
    token = store.issue_link(coach.id, "coach")
    part = _signed_in("observe", store, token, f"?pdkit={token}&teacher={zoe.id}")
    form = part.form  # type: ignore[attr-defined]
    assert form.whom.value == zoe.id
    other = _signed_in("observe", store, token, f"?pdkit={token}&teacher=someone-else")
    first = other.form.whom.options[0][1]  # type: ignore[attr-defined]
    assert other.form.whom.value == first  # type: ignore[attr-defined]  # not someone else
    assert {v for _, v in other.form.whom.options} == {ana.id, zoe.id}  # type: ignore[attr-defined]
