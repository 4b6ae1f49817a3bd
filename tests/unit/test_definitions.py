"""Built-in protocols and reflections are consistent; malformed protocols are reported well."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from _malformed import assert_reported_where_it_is
from pdkit import DefinitionError
from pdkit.definitions import (
    ALL,
    Field,
    FormDefinition,
    ProtocolDefinition,
    builtin_definition_path,
    builtin_definitions,
    load_definition,
    load_form,
    load_protocol,
    parse_definition,
)

PROTOCOLS = {
    "tuning",
    "consultancy",
    "charrette",
    "atlas-looking-at-data",
    "success-analysis",
    "like-wish-wonder",
    "warm-cool-feedback",
    "ladder-of-feedback",
    "final-word",
    "chalk-talk",
    "microlab",
    "data-driven-dialogue",
    "collaborative-assessment-conference",
}
REFLECTIONS = {"what-so-what-now-what", "gibbs", "exit-ticket"}

# The `prompt:` and `note:` texts of the domain notes' protocols-reference.yaml (paraphrased
# drafts from published protocols). pdkit's prompts are its own words and must not repeat them.
REFERENCE_TEXTS = (
    "What do you see? facts only",
    "What does the data suggest? What assumptions?",
    "requesters may stop early",
    "presenter listens; no rebuttal",
)

# A surname that each definition's `origin` must credit (from protocols-reference.yaml).
ORIGINATORS = {
    "tuning": ["McDonald", "Allen"],
    "consultancy": ["Thompson-Grove", "Evans", "Dunne"],
    "charrette": ["Coe"],
    "atlas-looking-at-data": ["Buchovecky", "Thompson-Grove", "Leahy"],
    "success-analysis": ["Thompson-Grove", "Johnson"],
    "like-wish-wonder": ["d.school"],
    "ladder-of-feedback": ["Perkins"],
    "final-word": ["Averette", "National School Reform Faculty"],
    "chalk-talk": ["Hilton Smith", "Foxfire", "Wentworth"],
    "microlab": ["Weissglass", "National Coalition for Equity in Education"],
    "data-driven-dialogue": ["Wellman", "Lipton", "Teacher Development Group", "Love"],
    "collaborative-assessment-conference": ["Steve Seidel", "Project Zero", "1988"],
    "what-so-what-now-what": ["Borton", "Rolfe", "Freshwater", "Jasper"],
    "gibbs": ["Gibbs", "1988"],
}


def builtin_ids_of_kind(kind: str) -> list[str]:
    """Built-in ids whose YAML says ``kind`` (read without validating, so that a broken
    file fails its own test instead of the collection of this module)."""
    found = []
    for definition_id in builtin_definitions():
        raw = yaml.safe_load(builtin_definition_path(definition_id).read_text("utf-8"))
        if raw.get("kind") == kind:
            found.append(definition_id)
    return found


def doc(*lines: str) -> str:
    """A YAML text whose line N is the N-th argument (so expected line numbers are easy to read)."""
    return "\n".join(lines) + "\n"


def normalised(text: str) -> str:
    return " ".join(text.casefold().split())


# --------------------------------------------------------------------------- built-ins


@pytest.mark.parametrize("definition_id", builtin_definitions())
def test_every_builtin_definition_loads(definition_id: str) -> None:
    definition = load_definition(definition_id)
    assert definition.id == definition_id
    assert definition.source.endswith(f"{definition_id}.yaml")
    assert definition.spec_version == f"{definition_id}@1"
    assert definition.title


def test_builtin_protocols_and_reflections_are_listed_by_kind() -> None:
    protocols = builtin_definitions("protocol")
    reflections = builtin_definitions("reflection")
    assert set(protocols) >= PROTOCOLS
    assert set(reflections) >= REFLECTIONS
    assert not set(protocols) & set(reflections)
    assert "goal-setting" not in protocols + reflections
    assert all(load_definition(i).kind == "protocol" for i in protocols)


# --------------------------------------------------------------------------- protocol consistency


@pytest.fixture(params=builtin_ids_of_kind("protocol"))
def protocol(request: pytest.FixtureRequest) -> ProtocolDefinition:
    return load_protocol(request.param)


def test_steps_name_only_declared_roles(protocol: ProtocolDefinition) -> None:
    known = {r.id for r in protocol.roles} | {ALL}
    for step in protocol.steps:
        named = {*step.speaking, *step.silent, *step.prompts, *step.capture}
        assert named <= known, f"{step.id}: {named - known}"


def test_no_role_both_speaks_and_is_silent(protocol: ProtocolDefinition) -> None:
    for step in protocol.steps:
        for role in protocol.roles:
            assert not (step.speaks(role.id) and step.is_silent(role.id)), (step.id, role.id)


def test_minutes_lie_inside_the_allowed_range(protocol: ProtocolDefinition) -> None:
    for step in protocol.steps:
        assert step.minutes > 0
        if step.allowed is not None:
            low, high = step.allowed
            assert low <= step.minutes <= high, step.id


def test_every_role_is_told_what_to_do(protocol: ProtocolDefinition) -> None:
    for role in protocol.roles:
        assert any(s.prompt_for(role.id) or s.capture_for(role.id) for s in protocol.steps), role.id


def test_origin_credits_a_named_person(protocol: ProtocolDefinition) -> None:
    assert protocol.origin.strip()
    # A capitalised given name and surname, such as "David Perkins" or "Thompson-Grove".
    assert re.search(r"\b[A-Z][a-z]+ (?:Mc)?[A-Z][a-z]+(?:-[A-Z][a-z]+)?\b", protocol.origin)


def test_group_size_and_roles_fit_together(protocol: ProtocolDefinition) -> None:
    low, high = protocol.group_size
    assert 1 <= low <= high
    assert protocol.roles[0].count == 1, "the first role is the presenter-like one"
    assert [r.count for r in protocol.roles].count(None) == 1, "exactly one 'count: rest' role"


@pytest.mark.parametrize("end", [0, 1], ids=["smallest", "largest"])
def test_assign_roles_fills_the_group(protocol: ProtocolDefinition, end: int) -> None:
    size = protocol.group_size[end]
    members = [f"m{i}" for i in range(size)]
    assignment = protocol.assign_roles(members)
    assert set(assignment) == set(members)
    assert set(assignment.values()) <= {r.id for r in protocol.roles}
    first = protocol.roles[0].id
    assert list(assignment.values()).count(first) == 1
    assert assignment["m0"] == first
    rest = next(r.id for r in protocol.roles if r.count is None)
    assert rest in assignment.values()


def test_capture_fields_are_unique_per_role_and_step(protocol: ProtocolDefinition) -> None:
    for step in protocol.steps:
        for role in protocol.roles:
            ids = [f.id for f in step.capture_for(role.id)]
            assert len(ids) == len(set(ids)), (step.id, role.id, ids)


def test_capture_labels_read_as_names_of_boxes(protocol: ProtocolDefinition) -> None:
    for step in protocol.steps:
        for fields in step.capture.values():
            for f in fields:
                assert f.label, (step.id, f.id)
                assert f.label != f.id, (step.id, f.id)
                assert "_" not in f.label, (step.id, f.id)


def test_notes_form_holds_what_the_role_captures(protocol: ProtocolDefinition) -> None:
    for step in protocol.steps:
        for role in protocol.roles:
            form = protocol.notes_form(step, role.id)
            assert isinstance(form, FormDefinition)
            assert form.fields == step.capture_for(role.id)
            assert form.id == f"{protocol.id}.{step.id}.{role.id}"
            assert form.version == protocol.version


def test_feedback_categories_are_fields_someone_writes(protocol: ProtocolDefinition) -> None:
    captured = {f.id for s in protocol.steps for fields in s.capture.values() for f in fields}
    assert set(protocol.feedback_categories) <= captured


def test_prompts_are_short_and_plain(protocol: ProtocolDefinition) -> None:
    for step in protocol.steps:
        for role, prompt in step.prompts.items():
            sentences = re.findall(r"[.?!](?=\s|$)", prompt)
            assert 1 <= len(sentences) <= 2, (step.id, role, prompt)
            assert len(prompt) <= 160, (step.id, role, prompt)


def test_no_prompt_copies_the_reference_text(protocol: ProtocolDefinition) -> None:
    for step in protocol.steps:
        for text in [*step.prompts.values(), step.note]:
            for copied in REFERENCE_TEXTS:
                assert normalised(copied) not in normalised(text), (step.id, text)


@pytest.mark.parametrize(("definition_id", "names"), sorted(ORIGINATORS.items()))
def test_origin_credits_the_originators(definition_id: str, names: list[str]) -> None:
    origin = load_definition(definition_id).origin
    assert all(name in origin for name in names), origin


# --------------------------------------------------------------------------- protocol shapes


def step_ids(protocol: ProtocolDefinition) -> list[str]:
    return [s.id for s in protocol.steps]


def test_ladder_of_feedback_climbs_its_four_rungs_in_order() -> None:
    ladder = load_protocol("ladder-of-feedback")
    ids = step_ids(ladder)
    rungs = [ids.index(r) for r in ("clarify", "value", "concerns", "suggest")]
    assert rungs == sorted(rungs)
    assert ladder.feedback_categories == ("value", "concern", "suggestion")
    assert "pdkit's suggestion" in ladder.summary


def test_warm_cool_feedback_is_a_short_round_on_a_goal() -> None:
    round_ = load_protocol("warm-cool-feedback")
    assert step_ids(round_) == ["norms", "share", "clarifying", "warm", "cool", "reflect"]
    assert 15 <= round_.total_minutes <= 20
    # A round without the norms step is short enough for three presenters in 50 minutes.
    assert 3 * sum(s.minutes for s in round_.steps if s.round == "each") <= 50
    assert round_.feedback_categories == ("warm", "cool")
    for step_id in ("warm", "cool"):
        step = round_.steps[round_.step_index(step_id)]
        assert step.is_silent("presenter")
        assert step.speaks("participant")


def test_success_analysis_models_one_round_with_suggested_minutes() -> None:
    analysis = load_protocol("success-analysis")
    assert "pdkit's suggestion" in analysis.summary
    assert "extended" in analysis.summary
    step = analysis.steps[analysis.step_index("analysis")]
    assert step.is_silent("presenter")
    assert sum(s.id == "describe" for s in analysis.steps) == 1


def test_like_wish_wonder_captures_each_kind_as_a_list() -> None:
    lww = load_protocol("like-wish-wonder")
    assert lww.feedback_categories == ("like", "wish", "wonder")
    fields = lww.steps[lww.step_index("write")].capture_for("participant")
    assert [(f.id, f.type) for f in fields] == [
        ("like", "list"),
        ("wish", "list"),
        ("wonder", "list"),
    ]
    assert [f.label for f in fields][:2] == ["I like…", "I wish…"]


def test_consultancy_and_atlas_keep_the_presenter_silent_while_the_group_talks() -> None:
    consultancy = load_protocol("consultancy")
    assert consultancy.steps[consultancy.step_index("discussion")].is_silent("presenter")
    atlas = load_protocol("atlas-looking-at-data")
    for step_id in ("describe", "interpret"):
        assert atlas.steps[atlas.step_index(step_id)].is_silent("data_provider")
    assert atlas.roles[0].id == "data_provider"


# --------------------------------------------------------------------------- the protocol library

# Whole-group debriefs come once, after the last round.
DEBRIEF_STEPS = {"debrief", "reflect"}


def steps_in(protocol: ProtocolDefinition, round_: str) -> list[str]:
    return [s.id for s in protocol.steps if s.round == round_]


def test_the_library_holds_every_shipped_protocol() -> None:
    assert set(builtin_definitions("protocol")) == PROTOCOLS


def test_every_protocol_states_its_minutes_and_they_add_up(protocol: ProtocolDefinition) -> None:
    assert protocol.stated_minutes is not None, protocol.id
    assert protocol.stated_minutes == sum(s.minutes for s in protocol.steps)
    assert protocol.total_minutes == protocol.stated_minutes


def test_every_protocol_says_how_it_differs_from_its_source(protocol: ProtocolDefinition) -> None:
    assert len(protocol.deviations.split()) >= 12, protocol.id
    assert "norms" in protocol.deviations.casefold() or "agreements" in protocol.deviations


def test_every_protocol_opens_with_a_norms_step_the_facilitator_may_skip(
    protocol: ProtocolDefinition,
) -> None:
    first = protocol.steps[0]
    assert first.round == "first", protocol.id
    assert first.skippable, protocol.id
    assert "norms" in first.title.casefold() or "agreements" in first.title.casefold()
    assert first.minutes <= 5
    # It proposes norms to the room: someone is told what they are.
    assert any("norm" in p.casefold() or "agree" in p.casefold() for p in first.prompts.values())
    # Only the norms (and work everyone does once) come before the first step of a round.
    each = [i for i, s in enumerate(protocol.steps) if s.round == "each"]
    assert all(s.round == "first" for s in protocol.steps[: each[0]])
    assert all(s.round != "first" for s in protocol.steps[each[0] :])


def test_whole_group_debriefs_come_once_after_the_last_round(
    protocol: ProtocolDefinition,
) -> None:
    last = steps_in(protocol, "last")
    for step in protocol.steps:
        if step.id in DEBRIEF_STEPS and ALL in step.speaking:
            assert step.round == "last", (protocol.id, step.id)
    # Steps after the last round close the protocol: nothing of a round follows them.
    assert step_ids(protocol)[len(protocol.steps) - len(last) :] == last


def test_every_presenter_protocol_sends_its_feedback_to_the_presenter(
    protocol: ProtocolDefinition,
) -> None:
    if protocol.presenter is None:
        assert all(not s.feedback for s in protocol.steps), protocol.id
        return
    mapped = {c for s in protocol.steps for c in s.feedback.values()}
    assert protocol.feedback_categories, protocol.id
    assert mapped == set(protocol.feedback_categories), protocol.id
    for step in protocol.steps:
        if step.feedback:
            # Colleagues give it while the presenter listens, in every round.
            assert step.is_silent(protocol.presenter), (protocol.id, step.id)
            assert step.round == "each", (protocol.id, step.id)
        else:
            # A step where colleagues write a field named like a category sends it.
            written = {
                f.id
                for role, fields in step.capture.items()
                if role != protocol.presenter
                for f in fields
            }
            assert not written & set(protocol.feedback_categories), (protocol.id, step.id)


def test_the_presenter_works_in_every_round(protocol: ProtocolDefinition) -> None:
    if protocol.presenter is None:
        return
    assert protocol.roles[0].id == protocol.presenter
    each = [s for s in protocol.steps if s.round == "each"]
    assert any(s.speaks(protocol.presenter) for s in each), protocol.id


def test_atlas_keeps_the_data_provider_silent_until_the_end() -> None:
    atlas = load_protocol("atlas-looking-at-data")
    assert atlas.presenter == "data_provider"
    ids = step_ids(atlas)
    start, respond = ids.index("getting-started"), ids.index("respond")
    # After saying what the data is, the provider listens through every step of talk...
    for step in atlas.steps[start + 1 : respond]:
        assert step.is_silent("data_provider"), step.id
        assert not step.speaks("data_provider"), step.id
    assert ids[start + 1 : respond] == ["describe", "interpret", "implications"]
    # ...and speaks only in the last steps: their response, then the group's reflection.
    assert ids[respond:] == ["respond", "reflect"]
    assert all(s.speaks("data_provider") for s in atlas.steps[respond:])
    assert atlas.steps[-1].round == "last"
    getting_started = atlas.steps[start].prompt_for("data_provider")
    assert "not what you conclude" in getting_started


def test_atlas_speaks_of_trust_and_of_removing_student_names() -> None:
    atlas = load_protocol("atlas-looking-at-data")
    norms = atlas.steps[0]
    text = normalised(" ".join([atlas.summary, *norms.prompts.values()]))
    assert "trusts each other" in text
    assert "remove student names" in text
    assert "no student can be identified" in normalised(norms.prompt_for("facilitator"))
    assert "names" in normalised(norms.prompt_for("data_provider"))
    label = atlas.steps[atlas.step_index("getting-started")].capture_for("data_provider")[0].label
    assert "no student names" in label


def test_success_analysis_has_everyone_write_once_then_present_in_turn() -> None:
    analysis = load_protocol("success-analysis")
    assert analysis.presenter == "presenter"
    assert steps_in(analysis, "first") == ["norms", "write"]
    assert steps_in(analysis, "each") == ["describe", "clarifying", "analysis", "reflect"]
    assert steps_in(analysis, "last") == ["debrief"]


def test_consultancy_and_charrette_rotate_with_the_presenter_listening() -> None:
    consultancy = load_protocol("consultancy")
    assert consultancy.presenter == "presenter"
    assert dict(consultancy.steps[consultancy.step_index("discussion")].feedback) == {
        "insight": "insight",
        "idea": "idea",
    }
    charrette = load_protocol("charrette")
    assert charrette.presenter == "requester"
    discuss = charrette.steps[charrette.step_index("discuss")]
    # Coe's charrette: the requester listens and takes notes, and may stop the group.
    assert discuss.is_silent("requester")
    assert "stop" in discuss.prompt_for("requester")


def test_final_word_gives_the_presenter_the_last_word() -> None:
    final = load_protocol("final-word")
    assert final.presenter == "presenter"
    assert step_ids(final) == ["norms", "read", "present", "respond", "final-word", "debrief"]
    present, respond, last_word = (
        final.steps[final.step_index(i)] for i in ("present", "respond", "final-word")
    )
    assert present.speaks("presenter")
    assert present.is_silent("participant")
    assert respond.is_silent("presenter")
    assert respond.speaks("participant")
    assert dict(respond.feedback) == {"response": "response"}
    assert last_word.speaks("presenter")
    assert last_word.is_silent("participant")
    # Published times: under three minutes to present, a minute for each response and
    # a minute for the final word, in circles of three to six.
    assert present.allowed == (2, 3)
    assert respond.allowed == (final.group_size[0] - 1, final.group_size[1] - 1)
    assert last_word.minutes == 1
    read = final.steps[final.step_index("read")]
    assert read.round == "first"
    assert read.skippable


def test_chalk_talk_is_silent_with_no_presenter_and_fits_any_group() -> None:
    chalk = load_protocol("chalk-talk")
    assert chalk.presenter is None
    assert chalk.fits(2)
    assert chalk.fits(50)
    assert not chalk.fits(1)
    for size in (2, 3, 12, 50):
        assert set(chalk.assign_roles([f"m{i}" for i in range(size)]).values()) == {
            "facilitator",
            "participant",
        }
    talk = chalk.steps[chalk.step_index("silent-conversation")]
    assert talk.is_silent(ALL)
    assert not talk.speaking
    assert talk.allowed == (5, 60)
    # Only the short norms and the debrief after the silence are spoken, and both can go.
    spoken = [s for s in chalk.steps if s.speaking]
    assert [s.id for s in spoken] == ["norms", "debrief"]
    assert all(s.skippable for s in spoken)


def test_microlab_gives_each_member_equal_time_and_turns_first() -> None:
    micro = load_protocol("microlab")
    assert micro.presenter is None
    assert micro.group_size == (3, 3)
    speakers = [r.id for r in micro.roles]
    minutes = {r: sum(s.minutes for s in micro.steps if s.speaking == (r,)) for r in speakers}
    assert len(set(minutes.values())) == 1
    assert minutes["first"] > 0
    openers = []
    for question in ("q1", "q2", "q3"):
        turns = [s for s in micro.steps if s.id.startswith(f"{question}-") and s.speaking]
        order = [s.speaking[0] for s in turns]
        assert sorted(order) == sorted(speakers), question
        for turn in turns:
            assert turn.allowed == (1, 2)
            assert all(turn.is_silent(r) for r in speakers if r != turn.speaking[0])
        openers.append(order[0])
    assert openers == ["first", "second", "third"]


def test_data_driven_dialogue_keeps_its_phases_apart() -> None:
    dialogue = load_protocol("data-driven-dialogue")
    assert dialogue.presenter is None
    assert step_ids(dialogue) == ["norms", "predict", "go-visual", "observe", "infer", "debrief"]
    assert dialogue.steps[dialogue.step_index("go-visual")].skippable
    assert "no student is named" in dialogue.steps[0].prompt_for("facilitator")
    assert "pdkit's suggestion" in dialogue.deviations


def test_collaborative_assessment_conference_keeps_the_teacher_silent_until_step_five() -> None:
    cac = load_protocol("collaborative-assessment-conference")
    assert cac.presenter == "presenter"
    ids = step_ids(cac)
    assert ids == [
        "norms",
        "look",
        "describe",
        "questions",
        "speculate",
        "presenter-speaks",
        "implications",
        "reflect",
    ]
    speaks = ids.index("presenter-speaks")
    for step in cac.steps[1:speaks]:
        assert not step.speaks("presenter"), step.id
        assert step.is_silent("presenter"), step.id
    assert all(s.speaks("presenter") for s in cac.steps[speaks:])
    # The source's whole: 45 minutes to an hour and a quarter.
    assert 45 <= cac.total_minutes <= 75
    assert "name is removed" in cac.steps[0].prompt_for("facilitator")


def test_the_readme_lists_the_library_as_it_ships() -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `([a-z-]+)` \| ([^|]+) \| ([^|]+) \| (\d+)", readme, re.MULTILINE)
    listed = {i: (title.strip(), size.strip(), int(minutes)) for i, title, size, minutes in rows}
    assert set(listed) == PROTOCOLS
    for definition_id, (title, size, minutes) in listed.items():
        protocol = load_protocol(definition_id)
        low, high = protocol.group_size
        assert title == protocol.title, definition_id
        assert size == (str(low) if low == high else f"{low}–{high}"), definition_id
        assert minutes == protocol.total_minutes, definition_id


# --------------------------------------------------------------------------- malformed protocols

# Lines 1-5 of every protocol below; "roles:" is line 6 and its roles follow from line 7.
HEAD = ("kind: protocol", "id: p", "schema_version: 1", "title: T", "origin: After Jane Doe")
ROLES = (
    "  - {id: presenter, label: Presenter}",
    "  - {id: participant, label: Participant, count: rest}",
)
# With ROLES, "steps:" is line 9 and this step starts on line 10; its extra lines follow from 13.
STEP = ("  - id: a", "    title: A", "    minutes: 5")


def protocol_doc(
    *step_lines: str, roles: tuple[str, ...] = ROLES, step: tuple[str, ...] = STEP
) -> str:
    return doc(*HEAD, "roles:", *roles, "steps:", *step, *step_lines)


MALFORMED = [
    pytest.param(
        protocol_doc("    speaking: [presenter, ghost]"),
        13,
        "steps[0].speaking[1]",
        "'ghost' is not a role of this protocol (roles: all, participant, presenter)",
        id="undeclared-role-speaking",
    ),
    pytest.param(
        protocol_doc("    silent: [nobody]"),
        13,
        "steps[0].silent[0]",
        "'nobody' is not a role of this protocol",
        id="undeclared-role-silent",
    ),
    pytest.param(
        protocol_doc("    prompt:", "      presenter: Talk.", "      ghost: Listen."),
        15,
        "steps[0].prompt.ghost",
        "'ghost' is not a role of this protocol (roles: all, participant, presenter)",
        id="undeclared-role-prompt",
    ),
    pytest.param(
        protocol_doc("    capture:", "      ghost:", "        - notes"),
        14,
        "steps[0].capture.ghost",
        "'ghost' is not a role of this protocol",
        id="undeclared-role-capture-names-the-key-line",
    ),
    pytest.param(
        protocol_doc("    speaking: [presenter]", "    silent: [participant, presenter]"),
        14,
        "steps[0].silent",
        "'presenter' cannot both speak and be silent in one step",
        id="speaking-and-silent",
    ),
    pytest.param(
        protocol_doc("    speaking: [all]", "    silent: [participant]"),
        14,
        "steps[0].silent",
        "'participant' cannot both speak and be silent in one step",
        id="speaking-all-and-one-silent",
    ),
    pytest.param(
        protocol_doc("    speaking: [presenter]", "    silent: [all]"),
        14,
        "steps[0].silent",
        "'presenter' cannot both speak and be silent in one step",
        id="silent-all-and-one-speaking",
    ),
    pytest.param(
        protocol_doc("    allowed: [6, 10]"),
        12,
        "steps[0].minutes",
        "5 minutes is outside the allowed range 6–10",
        id="minutes-outside-allowed",
    ),
    pytest.param(
        protocol_doc("  - id: a", "    title: B", "    minutes: 3"),
        13,
        "steps[1].id",
        "the step id 'a' is used twice",
        id="duplicate-step-id",
    ),
    pytest.param(
        protocol_doc(
            roles=(
                "  - {id: presenter, label: Presenter}",
                "  - {id: presenter, label: Second presenter}",
                "  - {id: participant, label: Participant, count: rest}",
            )
        ),
        8,
        "roles[1].id",
        "the role id 'presenter' is used twice",
        id="duplicate-role-id",
    ),
    pytest.param(
        protocol_doc(
            roles=(
                "  - {id: presenter, label: Presenter, count: rest}",
                "  - {id: participant, label: Participant, count: rest}",
            )
        ),
        8,
        "roles[1].count",
        "only one role can take 'count: rest'",
        id="two-rest-roles",
    ),
    pytest.param(
        protocol_doc("group_size: [6, 3]"),
        13,
        "group_size",
        "the smallest group (6) is larger than the largest (3)",
        id="group-size-upside-down",
    ),
    pytest.param(
        protocol_doc(
            "    capture:",
            "      all: [notes]",
            "      presenter:",
            "        - {id: notes, type: text, label: Notes}",
        ),
        16,
        "steps[0].capture.presenter",
        "'presenter' would write the field 'notes' twice in this step",
        id="capture-field-in-all-and-a-role",
    ),
    pytest.param(
        protocol_doc(
            "    capture:",
            "      presenter:",
            "        - {id: notes, type: text, label: Notes}",
            "        - {id: notes, type: long_text, label: More notes}",
        ),
        16,
        "steps[0].capture.presenter[1].id",
        "the field id 'notes' is already used by steps[0].capture.presenter[0]",
        id="capture-field-twice-for-a-role",
    ),
    pytest.param(
        protocol_doc("    minutes: 3"),
        13,
        "steps[0]",
        "the key 'minutes' appears twice; keep one",
        id="minutes-twice",
    ),
    pytest.param(
        doc("kind: protocol", "id: p", "schema_version: 1", "title: T", "roles:", *ROLES)
        + doc("steps:", *STEP),
        1,
        "",
        "missing required key 'origin'",
        id="missing-origin",
    ),
    pytest.param(
        protocol_doc(step=("  - id: a", "    title: A", "    speaking: [presenter]")),
        10,
        "steps[0]",
        "missing required key 'minutes'",
        id="step-without-minutes",
    ),
    pytest.param(
        protocol_doc(roles=("  - {id: presenter, label: Presenter, count: some}",)),
        7,
        "roles[0].count",
        "'some' should be a whole number, or 'rest'",
        id="count-neither-number-nor-rest",
    ),
]


@pytest.mark.parametrize(("text", "line", "path", "problem"), MALFORMED)
def test_malformed_protocol_is_reported_where_it_is(
    text: str, line: int, path: str, problem: str
) -> None:
    assert_reported_where_it_is(text, line, path, problem)


ROUNDS_MALFORMED = [
    pytest.param(
        doc(*HEAD, "presenter: ghost", "roles:", *ROLES, "steps:", *STEP),
        6,
        "presenter",
        "the presenter 'ghost' is not a role here: it must be a role of one person "
        "(roles: presenter, participant)",
        id="presenter-not-a-role",
    ),
    pytest.param(
        doc(*HEAD, "presenter: participant", "roles:", *ROLES, "steps:", *STEP),
        6,
        "presenter",
        "'participant' is a role of several people",
        id="presenter-of-many",
    ),
    pytest.param(
        doc(
            *HEAD,
            "presenter: presenter",
            "feedback_categories: [warm]",
            "roles:",
            *ROLES,
            "steps:",
            *STEP,
            "    feedback: {takeaway: warm}",
            "    capture:",
            "      presenter: [takeaway]",
            "      participant: [warm_notes]",
        ),
        15,
        "steps[0].feedback.takeaway",
        "'takeaway' is not a field this step captures from the presenter's colleagues "
        "(fields: warm_notes)",
        id="feedback-from-the-presenter",
    ),
    pytest.param(
        doc(
            *HEAD,
            "presenter: presenter",
            "feedback_categories: [warm]",
            "roles:",
            *ROLES,
            "steps:",
            *STEP,
            "    feedback: {warm_notes: cold}",
            "    capture:",
            "      participant: [warm_notes]",
        ),
        15,
        "steps[0].feedback.warm_notes",
        "'cold' is not one of this protocol's feedback_categories (warm)",
        id="feedback-category-unknown",
    ),
    pytest.param(
        protocol_doc("    feedback: {notes: warm}", "    capture:", "      participant: [notes]"),
        13,
        "steps[0].feedback",
        "feedback goes to the presenter: name the protocol's 'presenter' role",
        id="feedback-without-presenter",
    ),
    pytest.param(
        doc(*HEAD, "total_minutes: 60", "roles:", *ROLES, "steps:", *STEP),
        6,
        "total_minutes",
        "the steps add up to 5 minutes, not the 60 this protocol states",
        id="minutes-do-not-add-up",
    ),
    pytest.param(
        protocol_doc("    round: last", "  - {id: b, title: B, minutes: 3, round: first}"),
        14,
        "steps[1].round",
        "a 'round: first' step cannot follow a 'round: last' one",
        id="rounds-out-of-order",
    ),
    pytest.param(
        protocol_doc("    round: first"),
        10,
        "steps",
        "no step runs in every round",
        id="no-step-in-every-round",
    ),
]


@pytest.mark.parametrize(("text", "line", "path", "problem"), ROUNDS_MALFORMED)
def test_rounds_presenter_and_feedback_are_checked(
    text: str, line: int, path: str, problem: str
) -> None:
    assert_reported_where_it_is(text, line, path, problem)


def test_stated_minutes_and_rounds_are_read() -> None:
    definition = parse_definition(
        doc(
            *HEAD,
            "presenter: presenter",
            "total_minutes: 8",
            "roles:",
            *ROLES,
            "steps:",
            *STEP,
            "    round: first",
            "    skippable: true",
            "  - {id: b, title: B, minutes: 3}",
        )
    )
    assert isinstance(definition, ProtocolDefinition)
    assert definition.presenter == "presenter"
    assert definition.stated_minutes == 8
    assert [(s.round, s.skippable) for s in definition.steps] == [("first", True), ("each", False)]
    assert definition.fits(2)
    assert not definition.fits(1)


def test_the_step_helper_builds_a_valid_protocol() -> None:
    # The malformed cases above differ from this one only where they say.
    definition = parse_definition(protocol_doc("    speaking: [all]"))
    assert isinstance(definition, ProtocolDefinition)
    assert definition.steps[0].speaking == (ALL,)
    assert definition.group_size == (2, 12)


def test_capture_shorthand_is_a_long_text_with_a_readable_label() -> None:
    definition = parse_definition(
        protocol_doc("    capture:", "      presenter: [focus_question, next-steps]")
    )
    assert isinstance(definition, ProtocolDefinition)
    step = definition.steps[0]
    assert step.capture_for("presenter") == (
        Field(id="focus_question", type="long_text", label="Focus question"),
        Field(id="next-steps", type="long_text", label="Next steps"),
    )
    assert step.capture_for("participant") == ()


def test_capture_for_puts_fields_for_all_before_the_role_s_own() -> None:
    definition = parse_definition(
        protocol_doc("    capture:", "      presenter: [mine]", "      all: [shared]")
    )
    assert isinstance(definition, ProtocolDefinition)
    step = definition.steps[0]
    assert [f.id for f in step.capture_for("presenter")] == ["shared", "mine"]
    assert [f.id for f in step.capture_for("participant")] == ["shared"]


# --------------------------------------------------------------------------- reflections

REFLECTION = (
    "kind: reflection",
    "id: r",
    "schema_version: 1",
    "title: R",
    "prompts:",
    "  - {id: what, type: long_text, label: What happened}",
)


def test_reflection_mode_defaults_to_sequence() -> None:
    definition = parse_definition(doc(*REFLECTION))
    assert isinstance(definition, FormDefinition)
    assert (definition.kind, definition.mode) == ("reflection", "sequence")
    shown_together = parse_definition(doc(*REFLECTION, "mode: all"))
    assert isinstance(shown_together, FormDefinition)
    assert shown_together.mode == "all"
    form = parse_definition(doc("kind: form", *REFLECTION[1:4], "fields:", REFLECTION[5]))
    assert isinstance(form, FormDefinition)
    assert (form.kind, form.mode) == ("form", "all")


def test_reflection_mode_must_be_known() -> None:
    with pytest.raises(DefinitionError) as caught:
        parse_definition(doc(*REFLECTION, "mode: random"), file="bad.yaml")
    assert (caught.value.line, caught.value.path) == (7, "mode")
    assert "'random' is not one of 'sequence', 'all'" in caught.value.problem


@pytest.mark.parametrize("definition_id", builtin_ids_of_kind("reflection"))
def test_builtin_reflection_prompts_are_complete(definition_id: str) -> None:
    reflection = load_form(definition_id)
    assert (reflection.kind, reflection.mode) == ("reflection", "sequence")
    assert reflection.origin
    assert reflection.intro
    for prompt in reflection.fields:
        assert prompt.label, prompt.id
        assert prompt.help, prompt.id
        if prompt.type in ("text", "long_text"):
            assert prompt.max_chars is not None, prompt.id


def test_gibbs_is_a_reflection_with_six_stages() -> None:
    gibbs = load_form("gibbs")
    assert gibbs.kind == "reflection"
    assert [f.id for f in gibbs.fields] == [
        "description",
        "feelings",
        "evaluation",
        "analysis",
        "conclusion",
        "action_plan",
    ]
    assert all(f.type == "long_text" for f in gibbs.fields)


def test_what_so_what_now_what_has_three_prompts() -> None:
    reflection = load_form("what-so-what-now-what")
    assert [f.id for f in reflection.fields] == ["what", "so_what", "now_what"]


def test_exit_ticket_checks_in_on_the_goal() -> None:
    ticket = load_form("exit-ticket")
    progress = ticket.field("progress")
    assert progress.type == "scale"
    assert 4 <= len(progress.options) <= 5
    assert [o.value for o in progress.options] == list(range(1, len(progress.options) + 1))
    assert "point A" in progress.options[0].label
    assert "point B" in progress.options[-1].label
    assert ticket.field("evidence").type == "long_text"
    assert ticket.field("next_step").type == "text"
    support = ticket.field("support")
    assert support.type == "choice"
    assert not support.required
    assert "nothing" in [o.value for o in support.options]


def test_a_reflection_is_not_a_protocol() -> None:
    with pytest.raises(DefinitionError) as caught:
        load_protocol("gibbs")
    error = caught.value
    assert error.problem == "this is a reflection, where a protocol is needed"
    assert error.path == "kind"
    assert error.file.endswith("gibbs.yaml")


def test_a_protocol_is_not_a_form() -> None:
    with pytest.raises(DefinitionError) as caught:
        load_form("tuning")
    error = caught.value
    assert error.problem == "this is a protocol, where a form or reflection is needed"
    assert error.path == "kind"
    assert error.file.endswith("tuning.yaml")


# --------------------------------------------------------------------------- assign_roles


def roles_only(*role_lines: str) -> ProtocolDefinition:
    definition = parse_definition(protocol_doc(roles=role_lines))
    assert isinstance(definition, ProtocolDefinition)
    return definition


TUNING_ROLES = (
    "  - {id: presenter, label: Presenter}",
    "  - {id: facilitator, label: Facilitator}",
    "  - {id: participant, label: Participant, count: rest}",
)


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        (0, []),
        (1, ["presenter"]),
        (2, ["presenter", "participant"]),
        (3, ["presenter", "facilitator", "participant"]),
        (7, ["presenter", "facilitator", *["participant"] * 5]),
    ],
)
def test_assign_roles_fills_roles_in_declared_order(size: int, expected: list[str]) -> None:
    definition = roles_only(*TUNING_ROLES)
    members = [f"m{i}" for i in range(size)]
    assignment = definition.assign_roles(members)
    assert [assignment[m] for m in members] == expected


def test_assign_roles_follows_the_order_of_members() -> None:
    definition = roles_only(*TUNING_ROLES)
    assert definition.assign_roles(["ann", "bob", "cy"]) == {
        "ann": "presenter",
        "bob": "facilitator",
        "cy": "participant",
    }
    assert definition.assign_roles(["cy", "bob", "ann"]) == {
        "cy": "presenter",
        "bob": "facilitator",
        "ann": "participant",
    }


def test_assign_roles_without_a_rest_role_puts_extras_in_the_last_role() -> None:
    definition = roles_only(
        "  - {id: presenter, label: Presenter}",
        "  - {id: reader, label: Reader, count: 2}",
    )
    assert definition.assign_roles(["a"]) == {"a": "presenter"}
    assert definition.assign_roles(["a", "b"]) == {"a": "presenter", "b": "reader"}
    five = definition.assign_roles(["a", "b", "c", "d", "e"])
    assert five == {"a": "presenter", "b": "reader", "c": "reader", "d": "reader", "e": "reader"}


def test_assign_roles_keeps_one_member_for_the_rest_role_wherever_it_is_declared() -> None:
    definition = roles_only(
        "  - {id: presenter, label: Presenter}",
        "  - {id: participant, label: Participant, count: rest}",
        "  - {id: recorder, label: Recorder}",
    )
    assert definition.assign_roles(["a", "b"]) == {"a": "presenter", "b": "participant"}
    assert definition.assign_roles(["a", "b", "c", "d"]) == {
        "a": "presenter",
        "b": "recorder",
        "c": "participant",
        "d": "participant",
    }


def test_assign_roles_fills_a_counted_role_before_the_next() -> None:
    definition = roles_only(
        "  - {id: pair, label: Presenting pair, count: 2}",
        "  - {id: participant, label: Participant, count: rest}",
    )
    assert definition.assign_roles(["a", "b"]) == {"a": "pair", "b": "participant"}
    assert definition.assign_roles(["a", "b", "c"]) == {
        "a": "pair",
        "b": "pair",
        "c": "participant",
    }


def test_a_text_pdkit_serve_checked_is_built_without_checking_it_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A kernel of ``pdkit serve`` builds the definitions the server has just checked
    without the schema's compiled validators (about 4 MiB of generated code in every
    kernel); a text the server did not check, one byte apart, is checked as always."""
    from pdkit.definitions import _schema

    text = builtin_definition_path("exit-ticket").read_text(encoding="utf-8")
    monkeypatch.setattr(_schema, "_passed", set())
    monkeypatch.delenv("PDKIT_DEFINITIONS_CHECKED", raising=False)
    parse_definition(text, file="exit-ticket.yaml")  # checked: the server's process
    (digest,) = _schema.checked_texts()
    # An invalid text is never among them.
    broken = text.replace("kind: reflection", "kind: reflection\nunknown_key: 1", 1)
    assert broken != text
    with pytest.raises(DefinitionError, match="unknown_key"):
        parse_definition(broken, file="broken.yaml")
    assert _schema.checked_texts() == [digest]

    checks: list[str] = []
    real = _schema.validate
    monkeypatch.setattr(
        _schema, "validate", lambda kind, *rest: (checks.append(kind), real(kind, *rest))
    )
    monkeypatch.setenv("PDKIT_DEFINITIONS_CHECKED", f"0123 {digest}")  # the kernel, told
    assert parse_definition(text, file="exit-ticket.yaml").id == "exit-ticket"
    assert checks == []
    with pytest.raises(DefinitionError, match="unknown_key"):  # edited after the check
        parse_definition(broken, file="broken.yaml")
    assert checks == ["reflection"]
