"""Plain, immutable objects that a validated definition becomes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

FIELD_TYPES = ("text", "long_text", "choice", "multi_choice", "scale", "date", "list")
"""Every field type a form definition may use."""

OPTION_SOURCES = ("school_goals",)
"""Names a choice field may take its options from (``options_from``)."""


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


@dataclass(frozen=True)
class FormDefinition:
    """A validated ``kind: form`` definition."""

    id: str
    title: str
    fields: tuple[Field, ...]
    version: str = "1"
    intro: str = ""
    origin: str = ""
    source: str = "<string>"
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
