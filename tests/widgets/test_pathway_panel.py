"""The pathway section of "My goal" (app/_pathway.py), headless, on every store backend:
the empty states, picking a pathway (those of the goal's school goal first), ticking a
step with a link and a note (refused links keep what was typed), a step completing
itself from the store, unticking, progress kept across page loads, Spanish."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import ipywidgets as w
import pytest
from tests._stores import BACKENDS

from pdkit.app._pathway import PathwayPanel
from pdkit.store import Store
from pdkit.testing import shown_text

GOAL = "goal-setting"
PAGE = "http://h/base/voila/render/my-goal.ipynb"


@pytest.fixture(autouse=True)
def _close_widgets() -> Iterator[None]:
    yield
    w.Widget.close_all()


@pytest.fixture(autouse=True)
def _sample_pathways(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PDKIT_PATHWAYS", raising=False)


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest) -> Iterator[Store]:
    opened: Store = request.param(request)
    yield opened
    opened.close()


def _teacher(store: Store, school_goal: str | None = "talk") -> str:
    ana, _ = store.create_participant("Ana")
    values: dict[str, object] = {"goal": "More talk"}
    if school_goal:
        values["school_goal"] = school_goal
    store.record(ana.id, GOAL, values, spec_version="goal-setting@1")
    return ana.id


def test_no_school_goal_says_what_to_do(store: Store) -> None:
    panel = PathwayPanel(store, _teacher(store, None), page_url=PAGE, token="tok")
    assert "Choose one of the school goals for your goal first" in panel.intro_html.value
    assert "goal-setting.ipynb?pdkit=tok" in panel.intro_html.value
    assert panel.steps_box.children == ()


def test_no_pathway_for_the_school_goal_offers_the_others(store: Store) -> None:
    panel = PathwayPanel(store, _teacher(store, "belonging"))
    assert "There is no pathway for your school goal yet" in panel.intro_html.value
    labels = [label for label, _ in panel.picker.options]
    assert labels[0] == "(no pathway)"
    assert any("(feedback)" in label for label in labels)
    assert panel.picker.value == ""


def test_a_teacher_picks_ticks_and_a_step_completes_itself(store: Store) -> None:
    ana = _teacher(store)
    panel = PathwayPanel(store, ana, page_url=PAGE, token="tok")
    assert "Pick one below" in panel.intro_html.value
    assert [v for _, v in panel.picker.options] == ["", "talk", "feedback"]  # hers first
    assert panel.picker.value == "talk"
    panel.pick_button.click()
    assert store.pathway_choice(ana, viewer=ana) == "talk"
    assert "Required steps: 0 of 2 done." in panel.summary_html.value
    assert "Optional steps: 0 done of at least 2." in panel.summary_html.value
    assert "Next: Read about think-pair-share" in panel.summary_html.value
    reflect = panel.rows["reflect"]
    assert "Waits for: Read about think-pair-share" in reflect.html.value
    assert reflect.inputs.layout.display == "none"  # pdkit sees it done: no tick
    assert "reflection.ipynb?pdkit=tok" in reflect.html.value
    # a refused link keeps what was typed
    read = panel.rows["read-think-pair-share"]
    assert read.inputs.layout.display is None  # (each row hides its own inputs only)
    read.link.value, read.note.value = "javascript:alert(1)", "my note"
    read.button.click()
    assert "only web links" in panel.message.value
    assert (read.link.value, read.note.value) == ("javascript:alert(1)", "my note")
    read.link.value = "https://example.org/tps"
    read.button.click()
    assert "Marked as done." in panel.message.value
    assert "https://example.org/tps" in read.html.value
    assert "my note" in read.html.value
    assert "Required steps: 1 of 2 done." in panel.summary_html.value
    assert "Waits for" not in panel.rows["reflect"].html.value
    # the workbook completes itself once its answers are saved (read on refresh)
    store.record(ana, "what-so-what-now-what", {"what": "They talked"}, spec_version="w@1")
    panel.refresh(force=True)
    assert "Required steps: 2 of 2 done." in panel.summary_html.value
    assert "(done; required" in panel.rows["reflect"].html.value
    # tick an optional step, untick it
    plc = panel.rows["plc"]
    plc.button.click()
    assert "Optional steps: 1 done" in panel.summary_html.value
    assert plc.button.description == "Not done after all"
    plc.button.click()
    assert "Optional steps: 0 done" in panel.summary_html.value
    # another page load: the progress is kept
    again = PathwayPanel(store, ana, page_url=PAGE, token="tok")
    assert "Required steps: 2 of 2 done." in again.summary_html.value
    assert again.pick_button.description == "Change my pathway"
    assert "https://example.org/tps" in again.rows["read-think-pair-share"].html.value


def test_completing_the_pathway_says_so(store: Store) -> None:
    ana = _teacher(store)
    panel = PathwayPanel(store, ana)
    panel.choose("talk")
    for step in ("read-think-pair-share", "plc"):
        panel.toggle(step)
    store.record(ana, "exit-ticket", {"progress": "Some"}, spec_version="e@1")
    store.invite_observer(ana, (ben := store.create_participant("Ben")[0].id))
    store.send_observation(store.start_observation(ben, ana).id, by=ben)
    panel.refresh(force=True)
    assert "you completed this pathway" in panel.summary_html.value


def test_spanish_and_a_broken_district_folder(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ana = _teacher(store)
    panel = PathwayPanel(store, ana, language="es")
    panel.choose("talk")
    text = shown_text(panel.widget)
    assert "Mi itinerario" in text
    assert "Pasos obligatorios: 0 de 2 hechos." in text
    assert "Más diálogo de los estudiantes" in text
    (tmp_path / "bad.yaml").write_text("kind: pathway\nid: x\n", "utf-8")
    monkeypatch.setenv("PDKIT_PATHWAYS", str(tmp_path))
    broken = PathwayPanel(store, ana)
    assert "bad.yaml" in broken.intro_html.value
    assert broken.pick_box.layout.display == "none"


def test_the_page_s_polls_read_the_pathway_at_most_every_few_seconds(store: Store) -> None:
    from pdkit.testing import FakeClock

    ana = _teacher(store)
    clock = FakeClock(1_800_000_000.0, step=0.0)
    panel = PathwayPanel(store, ana, clock=clock, every=10.0)
    panel.choose("talk")  # the teacher's own action shows at once
    assert "Required steps: 0 of 2 done." in panel.summary_html.value
    store.tick_step(ana, panel.chosen, "read-think-pair-share", done=True, by=ana)  # type: ignore[arg-type]
    clock.now += 5.0
    panel.refresh()  # a poll 5 s later: not read yet
    assert "Required steps: 0 of 2 done." in panel.summary_html.value
    clock.now += 5.0
    panel.refresh()  # 10 s: read again
    assert "Required steps: 1 of 2 done." in panel.summary_html.value
