"""The anonymous session evaluation on the page (headless): the agenda's last part and a
workbook's ``evaluation`` section show the shipped form; a teacher sends it once and
sees "Thank you" on reload; nothing goes to the ordinary answers, and the page's
keeper forgets the typing once sent; the dashboard counts answers and shows what they
chose only from k = 5; the session tables' ``evaluation`` table is suppressed the same
way and lists open answers in no particular order."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pdkit.app import Workbook
from pdkit.app._agenda import DayPart
from pdkit.app._evaluation import EvaluationPart
from pdkit.definitions import load_form, load_workbook, parse_definition
from pdkit.definitions._references import check_references
from pdkit.errors import StoreError
from pdkit.review import tables
from pdkit.store import Participant, Store, Viewer, open_store
from pdkit.suppression import K
from pdkit.testing import page_loaded, shown_text
from pdkit.widgets import Dashboard, Safekeeper
from pdkit.widgets._evaluation import EvaluationForm

FORM = load_form("session-evaluation")
PAGE = "http://h/voila/render/day.ipynb"


@pytest.fixture
def store() -> Iterator[Store]:
    opened = open_store("memory://")
    yield opened
    opened.close()


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = []
    monkeypatch.setattr(
        Safekeeper, "send", lambda _self, content, buffers=None: messages.append(content)
    )
    return messages


def _form(store: Store, who: Participant, keeper: Safekeeper | None = None) -> EvaluationForm:
    return EvaluationForm(
        FORM, store=store, participant_id=who.id, session=who.session, keeper=keeper
    )


def _answer(store: Store, who: Participant, reaction: int, text: str = "") -> None:
    form = _form(store, who)
    form.controls["reaction"].value = reaction
    form.controls["learning"].value = 4
    if text:
        form.controls["open"].value = text
    assert form.submit()


def test_the_shipped_form_is_anonymous_short_and_credits_guskey() -> None:
    assert FORM.anonymous
    assert [f.id for f in FORM.fields] == ["reaction", "learning", "support", "relevance", "open"]
    assert [f.type for f in FORM.fields][-1] == "long_text"
    assert "Guskey" in FORM.origin
    spanish = load_form("session-evaluation", language="es")
    assert spanish.title == "¿Qué tal la sesión de hoy?"
    assert spanish.fields[1].label.startswith("Puedo nombrar una cosa")


def test_anonymous_is_validated_and_only_an_evaluation_shows_an_anonymous_form() -> None:
    with pytest.raises(Exception, match="anonymous"):
        parse_definition(
            "kind: form\nid: x\nschema_version: 1\ntitle: X\nanonymous: 'yes'\n"
            "fields: [{id: a, type: text, label: A}]\n"
        )
    shows_it_as_a_form = parse_definition(
        "kind: workbook\nid: w\nschema_version: 1\ntitle: W\n"
        "sections: [{form: session-evaluation}]\n"
    )
    [problem] = check_references(shows_it_as_a_form)  # type: ignore[arg-type]
    assert "show it in an 'evaluation' section" in str(problem)
    evaluates_a_goal = parse_definition(
        "kind: workbook\nid: w\nschema_version: 1\ntitle: W\n"
        "sections: [{evaluation: goal-setting}]\n"
    )
    [problem] = check_references(evaluates_a_goal)  # type: ignore[arg-type]
    assert "is not anonymous" in str(problem)
    old_agenda = parse_definition(
        "kind: agenda\nid: a\nschema_version: 1\ntitle: A\n"
        "parts: [{id: e, title: E, minutes: 5, evaluation: placeholder}]\n"
    )
    assert old_agenda.parts[0].ref == "session-evaluation"  # type: ignore[attr-defined]
    assert check_references(old_agenda) == []  # type: ignore[arg-type]


def test_the_day_ends_with_the_evaluation_sent_once(
    store: Store, sent: list[dict[str, Any]], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    day_def = load_workbook("day")
    last = len(day_def.parts) - 1  # type: ignore[attr-defined]
    assert day_def.parts[last].shows == "evaluation"  # type: ignore[attr-defined]
    workbook = Workbook("day", store=store)
    assert workbook.app is not None
    page_loaded(workbook.app.sign_in.browser, page_url=PAGE)  # type: ignore[union-attr]
    me = workbook.app.sign_in.join("Ana Ruiz")  # type: ignore[union-attr]
    [day] = workbook.app.parts  # type: ignore[union-attr]
    assert isinstance(day, DayPart)
    store.set_agenda_part("default", "day", last, expected_version=0)
    day.check()
    part = day.parts[last]
    assert isinstance(part, EvaluationPart)
    assert part.evaluation is not None
    form = part.evaluation
    assert "How did today go?" in shown_text(day.widget)
    form.controls["reaction"].value = 5
    form.controls["open"].value = "More time for the protocol, less for slides"
    kept = form.kept_texts()
    assert list(kept) == ["evaluation:session-evaluation:open"]
    assert form.save() == 0  # nothing sends by itself
    assert not store.has_evaluated(me.id, "session-evaluation", session="default")
    form.submit_button.click()
    assert store.has_evaluated(me.id, "session-evaluation", session="default")
    assert {"kind": "forget", "keys": list(kept)} in sent  # the browser keeps none of it
    assert "Thank you" in shown_text(day.widget)
    assert "More time for the protocol" not in shown_text(day.widget)
    assert form.kept_texts() == {}
    # Nothing went to the ordinary answers, and nothing was logged.
    assert "session-evaluation" not in store.answered_forms(me.id)
    assert "More time for the protocol" not in caplog.text
    # The page again (a new kernel): "Thank you", no form, and kept typing is refused.
    again = _form(store, me)
    assert again.done
    assert "Thank you" in again.status.value
    assert not again.body.children
    assert not again.put_kept("evaluation:session-evaluation:open", "again")


def test_an_empty_sheet_or_a_store_error_keeps_the_answers(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    me, _ = store.create_participant("Ana")
    form = _form(store, me)
    assert not form.submit()
    assert "at least one question" in form.status.value
    form.controls["open"].value = "Keep this"

    def broken(*_a: object, **_k: object) -> None:
        raise StoreError("database is locked")

    monkeypatch.setattr(store, "submit_evaluation", broken)
    assert not form.submit()
    assert "Not sent yet" in form.status.value
    assert form.controls["open"].value == "Keep this"
    monkeypatch.undo()
    assert form.submit()
    assert store.evaluation_count("default", "session-evaluation") == 1


def test_a_second_tab_counts_once(store: Store) -> None:
    me, _ = store.create_participant("Ana")
    first, second = _form(store, me), _form(store, me)
    first.controls["reaction"].value = 4
    second.controls["reaction"].value = 2
    assert first.submit()
    assert second.submit()
    assert store.evaluation_count("default", "session-evaluation") == 1
    assert "Thank you" in second.status.value


def test_a_workbook_section_shows_the_evaluation(store: Store, tmp_path: Any) -> None:
    path = tmp_path / "end.yaml"
    path.write_text(
        "kind: workbook\nid: end\nschema_version: 1\ntitle: End\n"
        "sections: [{evaluation: session-evaluation}]\n"
    )
    workbook = Workbook(str(path), store=store)
    assert workbook.error is None, workbook.error
    page_loaded(workbook.app.sign_in.browser)  # type: ignore[union-attr]
    workbook.app.sign_in.join("Ana")  # type: ignore[union-attr]
    [part] = workbook.app.parts  # type: ignore[union-attr]
    assert isinstance(part, EvaluationPart)
    assert "How did today go?" in shown_text(workbook.section(0))


def test_the_dashboard_counts_and_shows_choices_from_five(store: Store) -> None:
    people = [store.create_participant(f"T{i}")[0] for i in range(K)]
    dashboard = Dashboard(store, poll_interval=0)
    try:
        assert "Session evaluation: 0 answered" in dashboard.evaluation.value
        for i, who in enumerate(people[:-1]):
            _answer(store, who, 1 + i % 2, text=f"open text {i}")
        dashboard.refresh()
        said = dashboard.evaluation.value
        assert "Session evaluation: 4 answered" in said
        assert "fewer than 5 answers: shown when 5 have answered" in said
        assert "Strongly disagree" not in said
        _answer(store, people[-1], 5, text="open text last")
        dashboard.refresh()
        said = dashboard.evaluation.value
        assert "Session evaluation: 5 answered" in said
        assert "Strongly disagree: 2" in said
        assert "Disagree: 2" in said
        assert "Strongly agree: 1" in said
        assert "open text" not in said  # open answers only in the tables
    finally:
        dashboard.stop_polling()


def test_the_session_tables_suppress_the_evaluation_below_five(store: Store) -> None:
    people = [store.create_participant(f"T{i}")[0] for i in range(8)]
    for i, who in enumerate(people[:4]):
        _answer(store, who, 3, text=f"open text {i}")
    found = tables.session_tables(store, "default")["evaluation"]
    assert found.iloc[0].to_dict() == {
        "question": "respondents",
        "answer": "",
        "label": "",
        "count": 4,
        "note": "",
    }
    assert found["count"].iloc[1:].isna().all()
    assert set(found["note"].iloc[1:]) == {"fewer than 5 answers: shown when 5 have answered"}
    assert not found["answer"].str.contains("open text").any()
    for i, who in enumerate(people[4:], start=4):
        _answer(store, who, 3, text=f"open text {i}")
    found = tables.session_tables(store, "default")["evaluation"]
    reaction = found[found.question == "reaction"]
    assert dict(zip(reaction.answer, reaction["count"], strict=True)) == {
        "1": 0,
        "2": 0,
        "3": 8,
        "4": 0,
        "5": 0,
    }
    opened = found[found.question == "open"].answer.tolist()
    assert sorted(opened) == [f"open text {i}" for i in range(8)]
    for kind in ("xlsx", "zip"):
        again = tables.read_tables(tables.write_tables({"evaluation": found}, kind), kind)
        assert again["evaluation"].equals(found), kind


def test_open_answers_come_in_no_fixed_order(store: Store) -> None:
    people = [store.create_participant(f"T{i}")[0] for i in range(12)]
    for i, who in enumerate(people):
        _answer(store, who, 3, text=f"open text {i:02d}")
    orders = set()
    for _ in range(5):
        found = tables.session_tables(store, "default")["evaluation"]
        orders.add(tuple(found[found.question == "open"].answer))
    assert len(orders) > 1
    assert tuple(f"open text {i:02d}" for i in range(12)) not in orders


def test_the_facilitator_reads_only_their_session(store: Store) -> None:
    assert store.evaluation_sheets("default", "session-evaluation", viewer=Viewer.steward()) == []


def test_the_dashboard_summarises_a_districts_own_copy(tmp_path: Any) -> None:
    from pdkit.app._facilitator import agenda_evaluation
    from pdkit.definitions import AgendaDefinition

    copy = tmp_path / "session-evaluation.yaml"
    text = (Path(FORM.source)).read_text("utf-8").replace("How did today go?", "Our day")
    copy.write_text(text, "utf-8")
    day = tmp_path / "district-day.yaml"
    day.write_text(
        "kind: agenda\nid: district-day\nschema_version: 1\ntitle: D\n"
        "parts: [{id: e, title: E, minutes: 5, evaluation: session-evaluation}]\n"
    )
    agenda = load_workbook(str(day))
    assert isinstance(agenda, AgendaDefinition)
    found = agenda_evaluation(agenda)
    assert found is not None
    assert found.title == "Our day"
    assert agenda_evaluation(None) is None


def test_the_spanish_page_speaks_spanish(store: Store) -> None:
    me, _ = store.create_participant("Ana")
    form = EvaluationForm(
        load_form("session-evaluation", language="es"),
        store=store,
        participant_id=me.id,
        session="default",
        language="es",
    )
    assert form.submit_button.description == "Enviar mis respuestas"
    assert not form.submit()
    assert "Responde al menos una pregunta" in form.status.value
    form.controls["reaction"].value = 4
    assert form.submit()
    assert "Gracias: tus respuestas ya están." in form.status.value


def test_an_anonymous_form_is_never_a_participants_form(store: Store) -> None:
    from pdkit.errors import DefinitionError
    from pdkit.widgets import FormView

    me, _ = store.create_participant("Ana")
    with pytest.raises(DefinitionError, match="is anonymous"):
        FormView(FORM, store=store, participant_id=me.id)
    assert store.answered_forms(me.id) == []
