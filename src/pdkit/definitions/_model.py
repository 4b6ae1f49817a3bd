"""Plain, immutable objects that a validated definition becomes."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from ._credential_model import CredentialDefinition
from ._numbers import number_text

FIELD_TYPES = ("text", "long_text", "choice", "multi_choice", "scale", "date", "list", "number")
"""Every field type a form definition may use."""

OPTION_SOURCES = ("school_goals",)
"""Names a choice field may take its options from (``options_from``)."""

KINDS = (
    "form",
    "reflection",
    "protocol",
    "workbook",
    "agenda",
    "look-fors",
    "pathway",
    "micro-credential",
)
"""The kinds of definition this version of pdkit reads (``look-fors``: :mod:`._look_fors`;
``pathway``: :mod:`._pathway`; ``micro-credential``: :mod:`._credentials`)."""


@dataclass(frozen=True)
class Option:
    """One option of a choice, multi-choice or scale field."""

    value: str | int
    label: str


@dataclass(frozen=True)
class Field:
    """One question of a form. ``type`` is one of :data:`FIELD_TYPES`."""

    id: str
    type: str
    label: str
    help: str = ""
    placeholder: str = ""
    required: bool = False
    max_chars: int | None = None
    hints: tuple[str, ...] = ()
    options: tuple[Option, ...] = ()
    options_from: str | None = None
    max_items: int | None = None
    item_label: str = "Item"
    minimum: float | None = None
    """A ``number`` field's smallest allowed answer (``min:`` in YAML)."""
    maximum: float | None = None
    """A ``number`` field's largest allowed answer (``max:`` in YAML)."""


@dataclass(frozen=True)
class FormDefinition:
    """A validated ``kind: form`` or ``kind: reflection`` definition.

    A reflection is a form whose fields are prompts; ``mode`` says whether they are
    shown one at a time (``sequence``) or together (``all``).
    """

    id: str
    title: str
    fields: tuple[Field, ...]
    version: str = "1"
    intro: str = ""
    origin: str = ""
    source: str = "<string>"
    kind: str = "form"
    mode: str = "all"
    anonymous: bool = False
    """Answers are kept as anonymous sheets (:meth:`pdkit.store.Store.submit_evaluation`),
    never as a participant's answers: a session evaluation."""
    _by_id: Mapping[str, Field] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {f.id: f for f in self.fields})

    @property
    def spec_version(self) -> str:
        """``id@version``, recorded with every answer: history says which definition it answered."""
        return f"{self.id}@{self.version}"

    def field(self, field_id: str) -> Field:
        """The field with this id (``KeyError`` names the known ids)."""
        try:
            return self._by_id[field_id]
        except KeyError:
            known = ", ".join(self._by_id)
            raise KeyError(
                f"form {self.id!r} has no field {field_id!r} (fields: {known})"
            ) from None

    def with_school_goals(self, goals: Sequence[SchoolGoal]) -> FormDefinition:
        """A copy whose ``options_from: school_goals`` fields offer ``goals``."""
        return self.with_options({"school_goals": [g.as_option() for g in goals]})

    def with_options(self, sources: Mapping[str, Sequence[Option]]) -> FormDefinition:
        """A copy whose ``options_from`` fields carry the options from ``sources``.

        A source that is missing or empty leaves the field without options; the form
        then says so instead of offering an empty choice.
        """
        fields = tuple(
            replace(f, options=tuple(sources.get(f.options_from, ())))
            if f.options_from is not None
            else f
            for f in self.fields
        )
        return replace(self, fields=fields)


@dataclass(frozen=True)
class SchoolGoal:
    """A goal of the school or system that a personal goal serves."""

    id: str
    title: str
    description: str = ""

    def as_option(self) -> Option:
        return Option(value=self.id, label=self.title)


ALL = "all"
"""In a step's ``speaking``, ``silent``, ``prompt`` and ``capture``: every role."""


@dataclass(frozen=True)
class Role:
    """A part people play in a protocol. ``count`` None means "everyone else"."""

    id: str
    label: str
    description: str = ""
    count: int | None = 1


@dataclass(frozen=True)
class Step:
    """One timed step of a protocol."""

    id: str
    title: str
    minutes: float
    allowed: tuple[float, float] | None = None
    speaking: tuple[str, ...] = ()
    silent: tuple[str, ...] = ()
    prompts: Mapping[str, str] = field(default_factory=dict)
    capture: Mapping[str, tuple[Field, ...]] = field(default_factory=dict)
    note: str = ""
    round: str = "each"
    """``first``: only in a run's first round (norms); ``each``: every round; ``last``:
    once, after the last round (a debrief)."""
    skippable: bool = False
    """The facilitator may leave this step out when starting a run."""
    feedback: Mapping[str, str] = field(default_factory=dict)
    """Capture fields whose text goes to the presenter's peer feedback: field id → category."""

    @property
    def seconds(self) -> float:
        return self.minutes * 60

    def prompt_for(self, role: str) -> str:
        """What ``role`` does in this step (its own prompt, else the one for all)."""
        return self.prompts.get(role) or self.prompts.get(ALL, "")

    def capture_for(self, role: str) -> tuple[Field, ...]:
        """The fields ``role`` writes in this step: those for all roles, then its own."""
        return tuple(self.capture.get(ALL, ())) + tuple(self.capture.get(role, ()))

    def speaks(self, role: str) -> bool:
        return role in self.speaking or ALL in self.speaking

    def is_silent(self, role: str) -> bool:
        return role in self.silent or ALL in self.silent


@dataclass(frozen=True)
class ProtocolDefinition:
    """A validated ``kind: protocol`` definition: roles and timed steps."""

    id: str
    title: str
    origin: str
    roles: tuple[Role, ...]
    steps: tuple[Step, ...]
    version: str = "1"
    summary: str = ""
    group_size: tuple[int, int] = (2, 12)
    feedback_categories: tuple[str, ...] = ()
    source: str = "<string>"
    kind: str = "protocol"
    presenter: str | None = None
    """The role one member takes in each round, in turn (None: nobody presents)."""
    stated_minutes: float | None = None
    """The minutes the steps add up to, as stated (checked when the definition is read)."""
    deviations: str = ""
    """How pdkit's version differs from its published source."""

    @property
    def spec_version(self) -> str:
        return f"{self.id}@{self.version}"

    @property
    def total_minutes(self) -> float:
        return sum(step.minutes for step in self.steps)

    def fits(self, size: int) -> bool:
        """Whether a group of ``size`` people can run this protocol as designed."""
        return self.group_size[0] <= size <= self.group_size[1]

    def role(self, role_id: str) -> Role:
        for role in self.roles:
            if role.id == role_id:
                return role
        raise KeyError(f"protocol {self.id!r} has no role {role_id!r}")

    def step_index(self, step_id: str) -> int:
        for index, step in enumerate(self.steps):
            if step.id == step_id:
                return index
        raise KeyError(f"protocol {self.id!r} has no step {step_id!r}")

    def notes_form(self, step: Step, role: str) -> FormDefinition:
        """The form a person in ``role`` fills in during ``step`` (may have no fields)."""
        return FormDefinition(
            id=f"{self.id}.{step.id}.{role}",
            title=step.title,
            fields=step.capture_for(role),
            version=self.version,
            source=self.source,
        )

    def assign_roles(self, members: Sequence[str]) -> dict[str, str]:
        """Roles for a group, in the order members are given.

        Roles with a count take that many members in the order they are declared;
        the role with ``count: rest`` takes everyone left (without one, the last role
        does). A small group may leave later roles empty; the first role is always filled.
        """
        assignment: dict[str, str] = {}
        queue = list(members)
        rest = next((r for r in self.roles if r.count is None), self.roles[-1])
        for role in self.roles:
            if role.count is None:
                continue
            for _ in range(role.count):
                # Keep one member for the rest role, once the first role has someone.
                if len(queue) <= (1 if assignment and rest.count is None else 0):
                    break
                assignment[queue.pop(0)] = role.id
        for member in queue:
            assignment[member] = rest.id
        return assignment


SECTION_KINDS = (
    "text",
    "form",
    "reflection",
    "reflections",
    "protocol",
    "evaluation",
    "feedback",
    "facilitator",
    "agenda",
)
"""What a workbook section can be (``agenda``: the one section of an agenda)."""


@dataclass(frozen=True)
class Section:
    """One part of a workbook: ``text`` (Markdown), or a reference to definitions.

    ``refs`` holds the ids a section refers to: one form or reflection, several
    reflections to choose from, or the fixed values ``runner`` (protocol), ``peers``
    (feedback: the group's shared goals, peer feedback and one's goal versions),
    ``my-goal`` (home: the teacher's "My goal"), ``pacing`` (facilitator) and
    ``caseload`` (coach).
    """

    kind: str
    refs: tuple[str, ...] = ()
    text: str = ""


@dataclass(frozen=True)
class WorkbookDefinition:
    """A validated ``kind: workbook`` definition: what a workbook notebook shows, in order."""

    id: str
    title: str
    sections: tuple[Section, ...]
    intro: str = ""
    language: str = "en"
    version: str = "1"
    source: str = "<string>"
    kind: str = "workbook"

    @property
    def audience(self) -> str:
        """``facilitator`` or ``coach`` for a workbook with a facilitator or coach section,
        else ``participant`` (:func:`audience_of`)."""
        return audience_of(s.kind for s in self.sections)


def audience_of(kinds: Iterable[str]) -> str:
    """Whom a workbook with sections of these kinds is for: ``facilitator`` or ``coach``
    when it has a facilitator or coach section, else ``participant``."""
    found = set(kinds)
    return next((k for k in ("facilitator", "coach") if k in found), "participant")


AGENDA_SHOWS = ("form", "reflection", "protocol", "revise", "evaluation", "text")
"""What a part of an agenda can show: a form or a reflection (by id), the protocol runner
(``protocol: runner``), the goal form again to revise the goal (``revise: <form id>``),
the session evaluation (``evaluation: <an anonymous form's id>``; ``placeholder`` means
the shipped ``session-evaluation``) or a text."""


@dataclass(frozen=True)
class AgendaPart:
    """One part of an agenda: its planned ``minutes`` and what it shows (one of
    :data:`AGENDA_SHOWS`; ``ref`` is the form's id for ``form``, ``reflection``,
    ``revise`` and ``evaluation``)."""

    id: str
    title: str
    minutes: float
    shows: str
    ref: str = ""
    text: str = ""
    intro: str = ""


@dataclass(frozen=True)
class AgendaDefinition(WorkbookDefinition):
    """A validated ``kind: agenda`` definition: the parts of a PD day in order, that the
    facilitator advances for the room. It is a workbook of one section (``agenda``), so
    ``pdkit build`` makes its notebook and :class:`pdkit.app.Workbook` shows it."""

    parts: tuple[AgendaPart, ...] = ()
    kind: str = "agenda"

    @property
    def total_minutes(self) -> float:
        return sum(part.minutes for part in self.parts)

    def part_index(self, part_id: str) -> int:
        for index, part in enumerate(self.parts):
            if part.id == part_id:
                return index
        raise KeyError(f"agenda {self.id!r} has no part {part_id!r}")


@dataclass(frozen=True)
class LookForItem:
    """One look-for of a district's list: its id, text and the school goal it serves
    (empty: any goal)."""

    id: str
    text: str
    school_goal: str = ""


@dataclass(frozen=True)
class LookForsDefinition:
    """A validated ``kind: look-fors`` definition: a district's list of what observers
    look for on a visit or a learning walk (:mod:`pdkit.observations`)."""

    id: str
    title: str
    items: tuple[LookForItem, ...]
    intro: str = ""
    version: str = "1"
    origin: str = ""
    source: str = "<string>"
    kind: str = "look-fors"

    @property
    def spec_version(self) -> str:
        return f"{self.id}@{self.version}"

    def for_school_goal(self, school_goal: str | None) -> tuple[LookForItem, ...]:
        """The look-fors for a goal that serves ``school_goal``: those tied to it first,
        then those tied to no goal (all of them when no school goal is given)."""
        if not school_goal:
            return self.items
        tied = tuple(i for i in self.items if i.school_goal == school_goal)
        return tied + tuple(i for i in self.items if not i.school_goal)


STEP_TYPES = ("resource", "workbook", "protocol", "observation", "plc", "credential", "other")
"""What a pathway step asks: read or watch a resource (a link), complete a workbook,
present in a protocol round, give or receive an observation, take part in a PLC
meeting, earn a credential (named by id; awarding it is not a pathway's business), or
anything else."""


@dataclass(frozen=True)
class PathwayStep:
    """One step of a pathway. ``target`` is what its type names: the link of a
    resource, a workbook's id, a protocol's id (empty: any), ``give`` or ``receive`` for
    an observation, a credential's id. ``after``: the steps to do first."""

    id: str
    type: str
    title: str
    required: bool = False
    about: str = ""
    link: str = ""
    target: str = ""
    after: tuple[str, ...] = ()


@dataclass(frozen=True)
class PathwayDefinition:
    """A validated ``kind: pathway`` definition: a choice board of steps towards one
    school goal (:mod:`pdkit.pathways` holds its rules)."""

    id: str
    title: str
    school_goal: str
    steps: tuple[PathwayStep, ...]
    min_optional: int = 0
    intro: str = ""
    version: str = "1"
    origin: str = ""
    source: str = "<string>"
    kind: str = "pathway"

    @property
    def spec_version(self) -> str:
        return f"{self.id}@{self.version}"

    def step(self, step_id: str) -> PathwayStep:
        for found in self.steps:
            if found.id == step_id:
                return found
        raise KeyError(f"pathway {self.id!r} has no step {step_id!r}")


Definition = (
    FormDefinition
    | ProtocolDefinition
    | WorkbookDefinition
    | LookForsDefinition
    | PathwayDefinition
    | CredentialDefinition
)
"""Anything ``load_definition`` returns."""


def answer_text(field: Field, value: Any) -> str:
    """An answer as a person reads it (option labels, not their ids); any JSON value
    reads as something, even one that is not an answer to ``field``."""
    return answer_renderer(field)(value)


def answer_renderer(field: Field) -> Callable[[Any], str]:
    """:func:`answer_text` for ``field``, its options looked up once (to read many
    answers to one field)."""
    labels: dict[Any, str] = {o.value: o.label for o in field.options}
    kind = field.type

    def label(item: Any) -> str:  # lists and objects are no option's value
        return str(labels.get(item, item) if isinstance(item, (str, int, float)) else item)

    def render(value: Any) -> str:
        if value in (None, "", []):
            return ""
        if kind in ("choice", "scale"):
            return label(value)
        if kind == "multi_choice" and isinstance(value, list):
            return "; ".join(map(label, value))
        if kind == "list" and isinstance(value, list):
            return "\n".join(f"{n}. {item}" for n, item in enumerate(value, 1))
        if kind == "number" and type(value) in (int, float):
            try:
                return number_text(float(value))
            except OverflowError:  # an int beyond a float: no number pdkit keeps
                return "(too large a number)"
        return str(value)

    return render
