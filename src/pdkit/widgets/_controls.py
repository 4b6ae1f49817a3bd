"""One input control per field type: a table of small builder functions.

Every control turns a :class:`~pdkit.definitions.Field` into ipywidgets and exposes the
answer as a plain JSON value (``str``, ``int``, ``list`` or ``None``), so the form
and the store never see widget types. The label is the widget's ``description``:
ipywidgets renders it as a ``<label for=…>`` on text, date and dropdown inputs, which
gives each input its accessible name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from html import escape
from typing import Any

import ipywidgets as w
from ipywidgets.widgets.widget_bool import CheckboxStyle

from ..definitions import Field
from ..definitions._numbers import parse_number
from ..errors import AnswerError
from ..i18n import translator
from ..store import JSONValue
from ._lean import HTML, Button, HBox, VBox, auto_width, label_style, shared, text_style
from ._safekeeping import KEEP_CLASS

Translate = Callable[[str], str]
_english: Translate = translator(None)

__all__ = ["CONTROL_BUILDERS", "FieldControl", "build_control"]

_COLUMN = {"flex_flow": "column", "align_items": "stretch", "width": "100%"}


def _column() -> Any:
    """The one layout every input shares (a model per input was a message each)."""
    return shared("column", lambda: w.Layout(**_COLUMN))


def field_label(field: Field, t: Translate = _english) -> str:
    return f"{field.label} {t('(required)')}" if field.required else field.label


class FieldControl:
    """A field's input widgets and its answer as a JSON value.

    ``widget`` is what the form lays out. ``value`` reads and writes the answer;
    writing it does what a person typing would do, limits included. Subclasses
    implement ``_get`` and ``_set``; ``_changed()`` tells observers.
    """

    def __init__(self, field: Field, t: Translate = _english) -> None:
        self.field = field
        self.t = t
        # limits and other messages, under the input (classes given here, not by add_class:
        # they go out with the widget, not as one more message to the page)
        self.notice = HTML(value="", _dom_classes=("pdkit-notice",))
        self._observers: list[Callable[[FieldControl], None]] = []
        self._quiet = False
        # what the form lays out: each control sets it (a placeholder here would be one
        # more model for every field, sent to every page and never shown)
        self.widget: w.Widget

    @property
    def value(self) -> JSONValue:
        return self._get()

    @value.setter
    def value(self, value: JSONValue) -> None:
        self._set(value)

    def restore(self, value: JSONValue) -> None:
        """Show a saved answer without announcing it as a change."""
        self._quiet = True
        try:
            self._set(value)
        finally:
            self._quiet = False

    def observe(self, callback: Callable[[FieldControl], None]) -> None:
        self._observers.append(callback)

    # What a person types, kept by the page until the store has it (:mod:`._safekeeping`).
    # Controls without text typing (choices, dates) keep nothing.

    def keep_as(self, key: str) -> None:
        """Mark the inputs typed into with ``key`` (rows of a list get ``key#row``)."""

    def kept_texts(self) -> dict[str, str]:
        """What is typed in each marked input, by the suffix of its key ("" or "#row")."""
        return {}

    def put_kept(self, suffix: str, text: str) -> None:
        """Put kept text back into the input of ``suffix``, as typing would."""

    def _changed(self, *_: Any) -> None:
        if not self._quiet:
            for callback in self._observers:
                callback(self)

    def _get(self) -> JSONValue:
        raise NotImplementedError

    def _set(self, value: JSONValue) -> None:
        raise NotImplementedError


def _limit_notice(text_len: int, limit: int | None, truncated: bool, t: Translate) -> str:
    if limit is None:
        return ""
    if truncated:
        message = t("The limit is {limit} characters: the text was cut at {limit}.")
        return (
            f'<span class="pdkit-limit pdkit-over" role="alert">'
            f"{escape(message.format(limit=limit))}</span>"
        )
    left = limit - text_len
    cls = "pdkit-limit pdkit-near" if left <= max(10, limit // 10) else "pdkit-limit"
    counter = t("{count} / {limit} characters").format(count=text_len, limit=limit)
    return f'<span class="{cls}">{escape(counter)}</span>'


class TextControl(FieldControl):
    """Short or long text with an enforced character limit and a live counter."""

    def __init__(self, field: Field, t: Translate = _english, *, multiline: bool) -> None:
        super().__init__(field, t)
        cls = w.Textarea if multiline else w.Text
        kwargs: dict[str, Any] = {"rows": 4} if multiline else {}
        self.input = cls(
            value="",
            description=field_label(field, t),
            placeholder=field.placeholder,
            continuous_update=True,
            style=text_style(),
            layout=_column(),
            _dom_classes=("pdkit-input",),
            **kwargs,
        )
        self.input.observe(self._on_input, names="value")
        self.widget = self.input
        self._enforce(self.input.value)

    def _enforce(self, text: str) -> str:
        limit = self.field.max_chars
        truncated = limit is not None and len(text) > limit
        if truncated:
            assert limit is not None
            text = text[:limit]
        self.notice.value = _limit_notice(len(text), limit, truncated, self.t)
        return text

    def _on_input(self, change: dict[str, Any]) -> None:
        text = self._enforce(change["new"])
        if text != change["new"]:
            self.input.value = text  # triggers _on_input again with the cut text
            self.notice.value = _limit_notice(len(text), self.field.max_chars, True, self.t)
            return
        self._changed()

    def _get(self) -> JSONValue:
        return str(self.input.value)

    def _set(self, value: JSONValue) -> None:
        self.input.value = "" if value is None else str(value)

    def keep_as(self, key: str) -> None:
        self.input.add_class(KEEP_CLASS + key)

    def kept_texts(self) -> dict[str, str]:
        return {"": str(self.input.value)}

    def put_kept(self, suffix: str, text: str) -> None:
        if suffix == "":
            self.value = text


class ChoiceControl(FieldControl):
    """One option: radio buttons for a few options, a dropdown for many."""

    def __init__(self, field: Field, t: Translate = _english, *, dropdown_from: int = 8) -> None:
        super().__init__(field, t)
        options = [(o.label, o.value) for o in field.options]
        if not options:
            self.input = None
            empty = t(
                "There is nothing to choose from yet: ask your facilitator to add the options "
                "for this session."
            )
            self.notice.value = f'<span class="pdkit-empty">{escape(empty)}</span>'
            self.widget = HTML(
                value=f'<span class="pdkit-label">{escape(field_label(field, t))}</span>'
            )
            return
        if len(options) >= dropdown_from:
            self.input = w.Dropdown(
                options=[(t("Choose…"), None), *options],
                value=None,
                description=field_label(field, t),
                style=label_style(),
                layout=_column(),
                _dom_classes=("pdkit-input",),
            )
        else:
            self.input = w.RadioButtons(
                options=options,
                value=None,
                description=field_label(field, t),
                style=label_style(),
                layout=_column(),
                _dom_classes=("pdkit-input",),
            )
        self.input.observe(self._changed, names="value")
        self.widget = self.input

    def _get(self) -> JSONValue:
        return None if self.input is None else self.input.value

    def _set(self, value: JSONValue) -> None:
        if self.input is None:
            if value is not None:
                raise ValueError(f"{value!r} is not an option of {self.field.id!r} (it has none)")
            return
        allowed = [o.value for o in self.field.options]
        if value is not None and value not in allowed:
            raise ValueError(f"{value!r} is not an option of {self.field.id!r}")
        self.input.value = value


class MultiChoiceControl(FieldControl):
    """Any number of options, as a group of check boxes; the answer keeps option order."""

    def __init__(self, field: Field, t: Translate = _english) -> None:
        super().__init__(field, t)
        self.boxes = {
            o.value: w.Checkbox(
                value=False,
                description=o.label,
                indent=False,
                layout=shared("layout", w.Layout),
                style=shared("checkbox-style", CheckboxStyle),
            )
            for o in field.options
        }
        for box in self.boxes.values():
            box.observe(self._changed, names="value")
        title = HTML(value=f'<span class="pdkit-label">{escape(field_label(field, t))}</span>')
        # the field's group: help goes under its title
        self.widget = VBox([title, *self.boxes.values()], _dom_classes=("pdkit-choices",))

    def _get(self) -> JSONValue:
        return [value for value, box in self.boxes.items() if box.value]

    def _set(self, value: JSONValue) -> None:
        chosen = set(value or ())
        unknown = chosen - set(self.boxes)
        if unknown:
            raise ValueError(f"{sorted(map(str, unknown))} are not options of {self.field.id!r}")
        for option, box in self.boxes.items():
            box.value = option in chosen


class ScaleControl(ChoiceControl):
    """A labelled scale: one point, shown with its label; the answer is the point's value."""

    def __init__(self, field: Field, t: Translate = _english) -> None:
        super().__init__(field, t, dropdown_from=12)


class DateControl(FieldControl):
    """A date; the answer is an ISO string (``2026-03-31``) or None."""

    def __init__(self, field: Field, t: Translate = _english) -> None:
        super().__init__(field, t)
        self.input = w.DatePicker(
            value=None,
            description=field_label(field, t),
            style=label_style(),
            layout=_column(),
            _dom_classes=("pdkit-input",),
        )
        self.input.observe(self._changed, names="value")
        self.widget = self.input

    def _get(self) -> JSONValue:
        value = self.input.value
        return None if value is None else value.isoformat()

    def _set(self, value: JSONValue) -> None:
        self.input.value = None if not value else dt.date.fromisoformat(str(value))


class NumberControl(FieldControl):
    """A number, typed as text (:func:`pdkit.definitions._numbers.parse_number` says what
    is taken); the answer is a float, or None when the input is empty.

    Text that is not a number shows a clear message under the input and leaves the
    answer as it was: the typed text stays in the input (and in the page's keeping)
    until it is corrected, and nothing saved is overwritten by a typo."""

    def __init__(self, field: Field, t: Translate = _english) -> None:
        super().__init__(field, t)
        self.input = w.Text(
            value="",
            description=field_label(field, t),
            placeholder=field.placeholder,
            continuous_update=True,
            style=text_style(),
            layout=_column(),
            _dom_classes=("pdkit-input", "pdkit-number"),
        )
        self.input.observe(self._on_input, names="value")
        self.widget = self.input
        self._number: float | None = None
        self.error: str = ""

    def _on_input(self, change: dict[str, Any]) -> None:
        try:
            number = parse_number(
                str(change["new"]), minimum=self.field.minimum, maximum=self.field.maximum
            )
        except AnswerError as exc:
            self.error = exc.said(self.t)
            self.notice.value = (
                f'<span class="pdkit-number-error" role="alert">{escape(self.error)}</span>'
            )
            return
        self.error = ""
        self.notice.value = ""
        if number != self._number:
            self._number = number
            self._changed()

    def _get(self) -> JSONValue:
        return self._number

    def _set(self, value: JSONValue) -> None:
        if value is None or value == "":
            self.input.value = ""
            return
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise ValueError(f"{self.field.id!r} holds a number, not {type(value).__name__}")
        number = parse_number(
            str(value) if isinstance(value, str) else _plain(float(value)),
            minimum=self.field.minimum,
            maximum=self.field.maximum,
        )
        self.input.value = "" if number is None else _plain(number)
        if self.error:  # the input did not change but held an error: show the number
            self.error = ""
            self.notice.value = ""
        self._number = number

    def keep_as(self, key: str) -> None:
        self.input.add_class(KEEP_CLASS + key)

    def kept_texts(self) -> dict[str, str]:
        return {"": str(self.input.value)}

    def put_kept(self, suffix: str, text: str) -> None:
        if suffix == "":
            self.input.value = text


def _plain(value: float) -> str:
    """A number as it is typed back into its input: ``40``, ``62.5`` (no grouping)."""
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


class ListControl(FieldControl):
    """A list of short items (action steps): add and remove rows, up to ``max_items``."""

    def __init__(self, field: Field, t: Translate = _english) -> None:
        super().__init__(field, t)
        self.limit = field.max_items or 20
        self.rows: list[TextControl] = []
        self._kept_as: str | None = None
        self.rows_box = VBox()
        self.add_button = Button(
            description=t("Add a {item}").format(item=field.item_label.lower()),
            icon="plus",
            tooltip=t("Add another {item}").format(item=field.item_label.lower()),
        )
        self.add_button.on_click(lambda _: self._add_row())
        title = HTML(value=f'<span class="pdkit-label">{escape(field_label(field, t))}</span>')
        self.widget = VBox(
            [title, self.rows_box, HBox([self.add_button])], _dom_classes=("pdkit-choices",)
        )
        self._add_row()

    def _row_field(self, index: int) -> Field:
        return Field(
            id=f"{self.field.id}-{index}",
            type="text",
            label=f"{self.field.item_label} {index + 1}",
            max_chars=self.field.max_chars,
        )

    def _add_row(self, *, text: str = "", lay_out: bool = True) -> TextControl | None:
        if len(self.rows) >= self.limit:
            most = self.t("At most {count} {items}.").format(
                count=self.limit, items=f"{self.field.item_label.lower()}s"
            )
            self.notice.value = (
                f'<span class="pdkit-limit pdkit-over" role="alert">{escape(most)}</span>'
            )
            return None
        row = TextControl(self._row_field(len(self.rows)), self.t, multiline=False)
        if self._kept_as is not None:
            row.keep_as(f"{self._kept_as}#{len(self.rows)}")
        row.restore(text)
        row.observe(lambda _: self._changed())
        self.rows.append(row)
        if lay_out:
            self._layout()
        return row

    def remove_row(self, index: int) -> None:
        """Remove the row at ``index`` (what its Remove button does)."""
        texts = [str(r.value) for r in self.rows]
        del texts[index]
        self._rebuild(texts or [""])
        self._changed()

    def _rebuild(self, texts: list[str]) -> None:
        self.rows = []
        self.notice.value = ""
        for text in texts[: self.limit]:
            self._add_row(text=text, lay_out=False)
        self._layout()  # once: every row's line is a few widgets (messages to the page)

    def _layout(self) -> None:
        children = []
        for index, row in enumerate(self.rows):
            remove = Button(
                description=self.t("Remove"),
                icon="trash",
                tooltip=self.t("Remove {item}").format(item=row.field.label),
                layout=auto_width(),
            )
            remove.on_click(lambda _, i=index: self.remove_row(i))
            line = HBox([row.widget, remove], _dom_classes=("pdkit-list-row",))
            children.append(VBox([line, row.notice]))
        self.rows_box.children = children
        self.add_button.disabled = len(self.rows) >= self.limit

    def _get(self) -> JSONValue:
        return [text for text in (str(r.value).strip() for r in self.rows) if text]

    def keep_as(self, key: str) -> None:
        self._kept_as = key
        for index, row in enumerate(self.rows):
            row.keep_as(f"{key}#{index}")

    def kept_texts(self) -> dict[str, str]:
        return {f"#{index}": str(row.value) for index, row in enumerate(self.rows)}

    def put_kept(self, suffix: str, text: str) -> None:
        index = int(suffix[1:]) if suffix[1:].isdigit() else -1
        if not 0 <= index < self.limit:
            return
        while len(self.rows) <= index and self._add_row() is not None:
            pass
        self.rows[index].value = text  # its observer tells the list's observers

    def _set(self, value: JSONValue) -> None:
        if value is not None and not isinstance(value, (list, tuple)):
            raise ValueError(f"{self.field.id!r} holds a list, not {type(value).__name__}")
        items = [str(v) for v in (value or [])]
        if len(items) > self.limit:
            raise ValueError(f"{self.field.id!r} holds at most {self.limit} items")
        self._rebuild([*items, ""] if len(items) < self.limit else items)
        self._changed()


CONTROL_BUILDERS: dict[str, Callable[[Field, Translate], FieldControl]] = {
    "text": lambda f, t: TextControl(f, t, multiline=False),
    "long_text": lambda f, t: TextControl(f, t, multiline=True),
    "choice": ChoiceControl,
    "multi_choice": MultiChoiceControl,
    "scale": ScaleControl,
    "date": DateControl,
    "list": ListControl,
    "number": NumberControl,
}
"""Field type → control builder. A test checks it covers every type in FIELD_TYPES."""


def build_control(field: Field, language: str | None = None) -> FieldControl:
    """The control for ``field`` (``KeyError`` for an unknown type), in ``language``."""
    return CONTROL_BUILDERS[field.type](field, translator(language))
