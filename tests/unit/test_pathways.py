"""Pathways: the definitions (``kind: pathway``: the shipped examples tied to the sample
school goals, every check a schema cannot make, ``pdkit validate``, ``pdkit new
pathway``, hostile YAML) and the pure rules of :mod:`pdkit.pathways` (prerequisites,
progress, what completes itself, what may be ticked)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from pdkit.cli import main
from pdkit.definitions import (
    builtin_pathways,
    default_school_goals,
    load_form,
    load_pathway,
    load_pathways,
    load_workbook,
    parse_definition,
    validate_files,
    validate_text,
)
from pdkit.errors import DefinitionError, StoreError
from pdkit.pathways import (
    DONE,
    LOCKED,
    OPEN,
    Facts,
    Tick,
    check_tick,
    fitting,
    progress,
    tidy_tick,
    workbook_complete,
)

# --------------------------------------------------------------------------- definitions


def test_the_shipped_pathways_are_tied_to_the_sample_school_goals() -> None:
    assert builtin_pathways() == ["feedback", "talk"]
    goals = {g.id for g in default_school_goals()}
    shipped = load_pathways()
    assert {p.id for p in shipped} == {"feedback", "talk"}
    assert {p.school_goal for p in shipped} <= goals
    talk = load_pathway("talk")
    assert talk.spec_version == "talk@1"
    assert talk.min_optional == 2
    assert [s.id for s in talk.steps if s.required] == ["read-think-pair-share", "reflect"]
    assert talk.step("reflect").after == ("read-think-pair-share",)
    assert talk.step("reflect").target == "reflection"
    assert talk.step("read-think-pair-share").link.startswith("https://")
    assert talk.step("be-observed").target == "receive"
    spanish = load_pathway("talk", language="es")
    assert spanish.title.startswith("Más diálogo")
    assert list(validate_files([Path("templates/pathways/talk.yaml")])) == [
        (Path("templates/pathways/talk.yaml"), [])
    ]


def test_an_unknown_pathway_names_the_built_ins() -> None:
    with pytest.raises(DefinitionError, match="feedback, talk"):
        load_pathway("tlak")
    with pytest.raises(DefinitionError, match="where a pathway is needed"):
        load_pathway(Path("templates/goal-setting.yaml"))


def _doc(*steps: str, head: str = "") -> str:
    return (
        "kind: pathway\nid: p\nschema_version: 1\ntitle: P\nschool_goal: talk\n"
        + head
        + "steps:\n"
        + "".join(steps)
    )


REQ = "  - {id: a, type: other, title: A, required: true}\n"


def _problem(text: str) -> DefinitionError:
    with pytest.raises(DefinitionError) as caught:
        parse_definition(text, file="p.yaml")
    assert caught.value.file == "p.yaml"
    return caught.value


def test_prerequisites_must_name_steps_and_never_go_round() -> None:
    unknown = _problem(_doc(REQ, "  - {id: b, type: other, title: B, after: [zz]}\n"))
    assert "'zz', which is no step" in unknown.problem
    assert (unknown.line, unknown.path) == (8, "steps[1].after[0]")
    circle = _problem(
        _doc(
            "  - {id: a, type: other, title: A, required: true, after: [c]}\n",
            "  - {id: b, type: other, title: B, after: [a]}\n",
            "  - {id: c, type: other, title: C, after: [b]}\n",
        )
    )
    assert "in a circle" in circle.problem
    assert "a → c → b → a" in circle.problem
    assert circle.line == 7
    itself = _problem(_doc("  - {id: a, type: other, title: A, required: true, after: [a]}\n"))
    assert "after itself" in itself.problem


def test_each_step_type_needs_what_it_names() -> None:
    assert (
        "'link'"
        in _problem(_doc("  - {id: a, type: resource, title: A, required: true}\n")).problem
    )
    assert (
        "'workbook'"
        in _problem(_doc("  - {id: a, type: workbook, title: A, required: true}\n")).problem
    )
    assert (
        "'observation'"
        in _problem(_doc("  - {id: a, type: observation, title: A, required: true}\n")).problem
    )
    wrong = _problem(
        _doc("  - {id: a, type: plc, title: A, required: true, workbook: reflection}\n")
    )
    assert "does not apply to a 'plc' step" in wrong.problem
    twice = _problem(_doc(REQ, REQ))
    assert "used twice" in twice.problem
    assert twice.line == 8


def test_links_are_web_links_only_and_the_minimum_must_be_reachable() -> None:
    for bad in ("javascript:alert(1)", "file:///etc/passwd", "ftp://x.org/a", "https://a b"):
        text = _doc(f"  - {{id: a, type: resource, title: A, required: true, link: '{bad}'}}\n")
        assert validate_text(text, file="p.yaml"), bad
    too_many = _problem(_doc(REQ, head="min_optional: 1\n"))
    assert "min_optional asks for 1" in too_many.problem
    assert too_many.path == "min_optional"
    nothing = _problem(_doc("  - {id: a, type: other, title: A}\n"))
    assert "done before it starts" in nothing.problem
    assert validate_text(_doc(REQ)) == []


def test_validate_names_an_unknown_school_goal_workbook_and_protocol(tmp_path: Path) -> None:
    text = _doc(
        REQ,
        "  - {id: w, type: workbook, title: W, workbook: nah}\n",
        "  - {id: r, type: protocol, title: R, protocol: no-such-protocol}\n",
    ).replace("school_goal: talk", "school_goal: nope")
    (tmp_path / "p.yaml").write_text(text, encoding="utf-8")
    [(_, problems)] = list(validate_files([tmp_path / "p.yaml"]))
    said = [(p.line, p.path, p.problem) for p in problems]
    assert said[0][:2] == (5, "school_goal")
    assert "'nope' is not one of" in said[0][2]
    assert said[1][:2] == (8, "steps[1].workbook")
    assert "'nah'" in said[1][2]
    assert said[2][:2] == (9, "steps[2].protocol")
    # a school goals file checked with it stands for the session's goals
    (tmp_path / "goals.yaml").write_text("goals:\n  - {id: nope, title: Nope}\n", "utf-8")
    found = dict(validate_files([tmp_path / "goals.yaml", tmp_path / "p.yaml"]))
    assert [p.path for p in found[tmp_path / "p.yaml"]] == [
        "steps[1].workbook",
        "steps[2].protocol",
    ]


def test_hostile_yaml_is_refused_quickly() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
        for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    )
    started = time.perf_counter()
    assert validate_text(bomb + _doc(REQ).replace("kind", "kind", 1), file="p.yaml")
    many = _doc(
        *(f"  - {{id: s{n}, type: other, title: S, after: [s{n + 1}]}}\n" for n in range(41))
    )
    assert validate_text(many, file="p.yaml")  # at most 40 steps
    deep = _doc(
        "  - {id: a, type: other, title: A, required: true, after: " + "[" * 500 + "]" * 500 + "}\n"
    )
    assert validate_text(deep, file="p.yaml")
    assert time.perf_counter() - started < 5


def test_a_long_chain_of_prerequisites_is_fine() -> None:
    chain = _doc(
        REQ,
        *(
            f"  - {{id: s{n}, type: other, title: S, after: [{'a' if n == 0 else f's{n - 1}'}]}}\n"
            for n in range(39)
        ),
        head="min_optional: 39\n",
    )
    pathway = parse_definition(chain)
    assert pathway.kind == "pathway"


def test_two_pathways_with_one_id_in_a_folder(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(_doc(REQ), "utf-8")
    (tmp_path / "b.yaml").write_text(_doc(REQ), "utf-8")
    (tmp_path / "goals.yaml").write_text("goals:\n  - {id: talk, title: T}\n", "utf-8")
    with pytest.raises(DefinitionError, match="also used by"):
        load_pathways(tmp_path)
    (tmp_path / "b.yaml").unlink()
    assert [p.id for p in load_pathways(tmp_path)] == ["p"]  # other kinds passed over


def test_pdkit_new_pathway_writes_one_that_validates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(
            [
                "new",
                "pathway",
                "coaching-cycle",
                "--school-goal",
                "feedback",
                "--out",
                str(tmp_path),
            ]
        )
        == 0
    )
    written = tmp_path / "coaching-cycle.yaml"
    pathway = load_pathway(written)
    assert pathway.school_goal == "feedback"
    assert {s.type for s in pathway.steps} >= {
        "resource",
        "workbook",
        "protocol",
        "observation",
        "plc",
    }
    assert main(["validate", str(written)]) == 0
    assert main(["new", "pathway", "x", "--school-goal", "nope", "--out", str(tmp_path)]) != 0
    assert "'nope' is not one of the school goals" in capsys.readouterr().err


# --------------------------------------------------------------------------- rules


def test_progress_locks_steps_until_their_prerequisites_are_done() -> None:
    talk = load_pathway("talk")
    start = progress(talk, Facts(), [])
    assert start.state("read-think-pair-share").status == OPEN
    assert start.state("reflect").status == LOCKED
    assert start.state("reflect").waiting_for == ("read-think-pair-share",)
    assert start.state("present").status == LOCKED  # after reflect
    assert start.state("plc").status == OPEN
    assert (start.required_done, start.required_total, start.optional_done) == (0, 2, 0)
    assert [s.step.id for s in start.next_steps] == ["read-think-pair-share"]
    assert not start.complete
    read = progress(talk, Facts(), [Tick("read-think-pair-share", True, "https://x.org", "ok")])
    assert read.state("reflect").status == OPEN
    assert read.state("read-think-pair-share").tick is not None
    assert [s.step.id for s in read.next_steps] == ["reflect"]


def test_observable_steps_complete_themselves_and_ticks_cannot_fake_them() -> None:
    talk = load_pathway("talk")
    fake = progress(talk, Facts(), [Tick("reflect", True), Tick("be-observed", True)])
    assert fake.state("reflect").status != DONE
    assert fake.state("be-observed").status != DONE
    facts = Facts(
        workbooks_done=frozenset({"reflection"}),
        presented=("tuning",),
        observations_received=1,
    )
    now = progress(talk, facts, [Tick("read-think-pair-share", True)])
    assert now.state("reflect").done
    assert now.state("reflect").observed
    assert now.state("present").done  # any protocol
    assert now.state("be-observed").done
    assert not now.state("observe-a-colleague").done
    assert (now.required_done, now.optional_done) == (2, 2)
    assert now.complete
    assert now.next_steps == ()
    # a named protocol needs that protocol
    feedback = load_pathway("feedback")
    assert not progress(feedback, facts, []).state("ladder").done
    assert progress(feedback, Facts(presented=("ladder-of-feedback",)), []).state("ladder").done


def test_a_done_step_stays_done_before_its_prerequisites_and_unticking_undoes() -> None:
    talk = load_pathway("talk")
    early = progress(talk, Facts(workbooks_done=frozenset({"reflection"})), [])
    assert early.state("reflect").status == DONE  # the work happened
    ticked = progress(talk, Facts(), {"plc": Tick("plc", True)})
    assert ticked.optional_done == 1
    unticked = progress(talk, Facts(), {"plc": Tick("plc", False)})
    assert unticked.optional_done == 0
    ghost = progress(talk, Facts(), [Tick("gone", True)])  # a step the pathway lost
    assert ghost.optional_done == 0


def test_what_may_be_ticked() -> None:
    talk = load_pathway("talk")
    start = progress(talk, Facts(), [])
    assert check_tick(talk, "plc", start, done=True).id == "plc"
    with pytest.raises(StoreError, match="by itself"):
        check_tick(talk, "reflect", start, done=True)
    with pytest.raises(StoreError, match="no step"):
        check_tick(talk, "nope", start, done=True)
    fb = load_pathway("feedback")
    fb_start = progress(fb, Facts(), [])
    assert check_tick(fb, "other", fb_start, done=True).id == "other"
    # a locked step cannot be ticked, but may be unticked
    locked = parse_definition(
        _doc(REQ, "  - {id: b, type: other, title: B, after: [a]}\n", head="min_optional: 1\n")
    )
    state = progress(locked, Facts(), [])  # type: ignore[arg-type]
    with pytest.raises(StoreError, match="waits for another one first: A"):
        check_tick(locked, "b", state, done=True)  # type: ignore[arg-type]
    assert check_tick(locked, "b", state, done=False).id == "b"  # type: ignore[arg-type]


def test_a_tick_keeps_web_links_only_and_a_short_note() -> None:
    assert tidy_tick("  https://example.org/a  ", " ok ") == ("https://example.org/a", "ok")
    assert tidy_tick("", "") == ("", "")
    for bad in ("javascript:alert(1)", "data:text/html,x", "/relative", "https://", "http://a b"):
        with pytest.raises(StoreError):
            tidy_tick(bad, "")
    with pytest.raises(StoreError, match="at most 500"):
        tidy_tick("", "x" * 501)
    with pytest.raises(StoreError, match="at most 2,000"):
        tidy_tick("https://a.org/" + "x" * 2000, "")


def test_a_workbook_is_complete_when_its_required_answers_are_saved() -> None:
    reflection = load_workbook("reflection")
    forms = {r: load_form(r) for s in reflection.sections for r in s.refs}
    assert not workbook_complete(reflection, forms, {})
    wsn = forms["what-so-what-now-what"]
    required = [f.id for f in wsn.fields if f.required]
    assert required
    partial = {"what-so-what-now-what": {required[0]: "x"}} if len(required) > 1 else {}
    assert not workbook_complete(reflection, forms, partial)
    full = {"what-so-what-now-what": dict.fromkeys(required, "We talked")}
    assert workbook_complete(reflection, forms, full)  # one of the reflections offered
    blank = {"what-so-what-now-what": dict.fromkeys(required, "")}
    assert not workbook_complete(reflection, forms, blank)
    observe = load_workbook("observe")  # no form: never complete this way
    assert not workbook_complete(observe, forms, full)


def test_pathways_of_the_goals_school_goal_come_first() -> None:
    shipped = load_pathways()
    assert [p.id for p in fitting(shipped, "talk")] == ["talk", "feedback"]
    assert [p.id for p in fitting(shipped, "feedback")] == ["feedback", "talk"]
    assert len(fitting(shipped, None)) == 2


def test_pdkit_serve_checks_and_passes_on_the_district_pathways(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    from pdkit.app._pathway import district_pathways
    from pdkit.errors import PdkitError
    from pdkit.serve import ServeConfig, prepare

    monkeypatch.delenv("PDKIT_PATHWAYS", raising=False)
    monkeypatch.delenv("PDKIT_SCHOOL_GOALS", raising=False)
    assert {p.id for p in district_pathways()} == {"feedback", "talk"}  # pdkit's by default
    mine = tmp_path / "pathways"
    mine.mkdir()
    (mine / "ours.yaml").write_text(_doc(REQ).replace("id: p\n", "id: ours\n"), "utf-8")
    config = ServeConfig(store=str(tmp_path / "s.sqlite3"), port=0, pathways=mine)
    env = prepare(config, io.StringIO())
    assert env["PDKIT_PATHWAYS"] == str(mine.resolve())
    monkeypatch.setenv("PDKIT_PATHWAYS", env["PDKIT_PATHWAYS"])
    assert [p.id for p in district_pathways()] == ["ours"]
    monkeypatch.delenv("PDKIT_PATHWAYS")

    # a pathway for a school goal the session does not have stops the server starting
    (mine / "ours.yaml").write_text(
        _doc(REQ).replace("school_goal: talk", "school_goal: x"), "utf-8"
    )
    err = io.StringIO()
    with pytest.raises(PdkitError):
        prepare(
            ServeConfig(store=str(tmp_path / "s.sqlite3"), port=0, pathways=mine),
            io.StringIO(),
            err,
        )
    assert "ours.yaml" in err.getvalue()
    assert "'x' is not one of this session's school goals" in err.getvalue()
