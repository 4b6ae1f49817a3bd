"""What a store call and its answer look like on the wire between a teacher's kernel and
the pdkit hub service (``pdkit-hub://``; :mod:`pdkit.serve.hub_service`): JSON in which
every object is tagged, so nothing a caller sends can pass for something else.

=========================  ============================================================
Python                     JSON
=========================  ============================================================
None, bool, int, float,    themselves
str
list                       a list
tuple / frozenset / set    ``{"t": "tuple" | "frozenset" | "set", "v": [...]}``
dict                       ``{"t": "map", "v": [[key, value], ...]}``
datetime.date / datetime   ``{"t": "date" | "datetime", "v": "ISO 8601"}``
a known record             ``{"t": "record", "c": "Participant", "v": {field: value}}``
=========================  ============================================================

Only the store's own record classes (:data:`RECORDS`) are known; anything else is
refused (:class:`pdkit.StoreError`) rather than guessed. Errors travel as
``{"error": {"type": "AccessError", "message": "…", "template": "…", "words": {…}}}``
and come back as that class of :mod:`pdkit.errors` (an unknown one as
:class:`pdkit.StoreError`), with their template and words, so that the teacher's page
says them in the teacher's language.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import date, datetime
from typing import Any

from .. import errors
from ..followup import CheckinPlan, DueDate
from ..i18n import N_
from ..pacing import RunState
from . import _records
from ._access import Viewer
from ._keys import KeyAttempt

__all__ = [
    "MAX_BODY",
    "RECORDS",
    "decode",
    "dumps",
    "error_body",
    "error_from",
    "loads",
]

MAX_BODY = 4 * 1024 * 1024
"""The largest request or answer either side reads (bytes): a store call is small."""

_MAX_DEPTH = 64

RECORDS: dict[str, type[Any]] = {
    cls.__name__: cls
    for cls in (
        *(
            value
            for value in vars(_records).values()
            if isinstance(value, type)
            and dataclasses.is_dataclass(value)
            and value.__module__ == _records.__name__
        ),
        Viewer,
        RunState,
        CheckinPlan,
        DueDate,
        KeyAttempt,
    )
}
"""The record classes that may travel, by class name."""


def encode(value: Any, depth: int = 0) -> Any:
    """``value`` as plain JSON data (see the module docs); StoreError for anything else."""
    if depth > _MAX_DEPTH:
        raise errors.StoreError(N_("a value sent to or from the store is nested too deeply"))
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list):
        return [encode(v, depth + 1) for v in value]
    if isinstance(value, tuple | frozenset | set):
        kind = "tuple" if isinstance(value, tuple) else type(value).__name__
        items = value if isinstance(value, tuple) else sorted(value, key=repr)
        return {"t": kind, "v": [encode(v, depth + 1) for v in items]}
    if isinstance(value, dict):
        return {
            "t": "map",
            "v": [[encode(k, depth + 1), encode(v, depth + 1)] for k, v in value.items()],
        }
    if isinstance(value, datetime):
        return {"t": "datetime", "v": value.isoformat()}
    if isinstance(value, date):
        return {"t": "date", "v": value.isoformat()}
    name = type(value).__name__
    if dataclasses.is_dataclass(value) and RECORDS.get(name) is type(value):
        fields = {
            f.name: encode(getattr(value, f.name), depth + 1) for f in dataclasses.fields(value)
        }
        return {"t": "record", "c": name, "v": fields}
    raise errors.StoreError(N_("a {name} cannot be sent to or from the store"), name=name)


def decode(data: Any, depth: int = 0) -> Any:
    """The Python value of :func:`encode`'s ``data``; StoreError for anything unknown."""
    if depth > _MAX_DEPTH:
        raise errors.StoreError(N_("a value sent to or from the store is nested too deeply"))
    if data is None or isinstance(data, bool | int | float | str):
        return data
    if isinstance(data, list):
        return [decode(v, depth + 1) for v in data]
    if not isinstance(data, dict):
        raise errors.StoreError(N_("not a value the store knows: {what}"), what=type(data).__name__)
    kind, inner = data.get("t"), data.get("v")
    try:
        if kind in ("tuple", "set", "frozenset") and isinstance(inner, list):
            items = [decode(v, depth + 1) for v in inner]
            return tuple(items) if kind == "tuple" else (set if kind == "set" else frozenset)(items)
        if kind == "map" and isinstance(inner, list):
            return {decode(k, depth + 1): decode(v, depth + 1) for k, v in inner}
        if kind == "date" and isinstance(inner, str):
            return date.fromisoformat(inner)
        if kind == "datetime" and isinstance(inner, str):
            return datetime.fromisoformat(inner)
        cls = RECORDS.get(str(data.get("c")))
        if kind == "record" and cls is not None and isinstance(inner, dict):
            names = {f.name for f in dataclasses.fields(cls)}
            return cls(**{k: decode(v, depth + 1) for k, v in inner.items() if k in names})
    except (TypeError, ValueError) as exc:
        raise errors.StoreError(
            N_("a value the store cannot read: {reason}"), reason=str(exc)
        ) from None
    raise errors.StoreError(N_("not a value the store knows: {what!r}"), what=str(kind)[:40])


def dumps(value: Any) -> bytes:
    """``value`` encoded, as UTF-8 JSON."""
    return json.dumps(encode(value), separators=(",", ":")).encode()


def loads(body: bytes) -> Any:
    """The value of a :func:`dumps` body; StoreError when it is not one."""
    if len(body) > MAX_BODY:
        raise errors.StoreError(
            N_("a store message over {most} MiB"), most=MAX_BODY // (1024 * 1024)
        )
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise errors.StoreError(
            N_("not a store message (JSON): {reason}"), reason=str(exc)
        ) from None
    return decode(data)


_ERRORS: dict[str, type[errors.PdkitError]] = {
    name: cls
    for name, cls in vars(errors).items()
    if isinstance(cls, type) and issubclass(cls, errors.PdkitError)
}


def error_body(exc: BaseException) -> bytes:
    """The wire form of a refused or failed call: its class, its English, and its
    template and words so that the teacher's page says it in the teacher's language."""
    name = type(exc).__name__ if type(exc).__name__ in _ERRORS else "StoreError"
    found: dict[str, Any] = {"type": name, "message": str(exc)}
    if isinstance(exc, errors.PdkitError):
        found["template"] = exc.template
        found["words"] = {key: _word(value) for key, value in exc.words.items()}
    return json.dumps({"error": found}).encode()


def _word(value: Any) -> Any:
    """A word of an error as it travels: a number or text as it is; a text of pdkit's
    words inside the message (who asked) as its own template and words, one level deep,
    so that it is said in the teacher's language too; anything else as its English."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, errors.Said | errors.PdkitError):
        inner = {
            key: word if word is None or isinstance(word, bool | int | float) else str(word)
            for key, word in value.words.items()
        }
        return {"template": value.template, "words": inner}
    return str(value)


def error_from(body: bytes, status: int) -> errors.PdkitError:
    """The pdkit error an error answer stands for (StoreError when it is not one)."""
    try:
        data = json.loads(body)
        found = data["error"]
        cls = _ERRORS.get(str(found["type"]), errors.StoreError)
        message = str(found["message"])[:2000]
    except (ValueError, KeyError, TypeError):
        text = body[:300].decode("utf-8", "replace").strip()
        return errors.StoreError(
            N_("the pdkit hub service answered HTTP {status}: {text}"), status=status, text=text
        )
    template, words = _said_parts(found)
    if template is None:  # an answer without its template: the English as it came
        template, words = "{text}", {"text": message}
    try:
        return cls(template, **words)
    except TypeError:  # an error class that takes other arguments
        return errors.StoreError(template, **words)


def _said_parts(found: Any, *, nested: bool = True) -> tuple[errors.Message | None, dict[str, Any]]:
    """An error answer's template and words, when they are well formed and small (a word
    may itself be a template and words, one level deep)."""
    template, words = found.get("template"), found.get("words", {})
    if isinstance(template, list) and len(template) == 2:
        template = (str(template[0])[:2000], str(template[1])[:2000])
    elif isinstance(template, str):
        template = template[:2000]
    else:
        return None, {}
    if not isinstance(words, dict) or len(words) > 20:
        return None, {}
    kept: dict[str, Any] = {}
    for key, value in words.items():
        if (
            not isinstance(key, str)
            or not key.isidentifier()
            or key in {"file", "line", "path", "kind", "package", "extra"}
        ):
            return None, {}
        if value is None or isinstance(value, bool | int | float):
            kept[key] = value
        elif isinstance(value, str):
            kept[key] = value[:2000]
        elif isinstance(value, dict) and nested:  # a text of pdkit's words inside
            inner = _said_parts(value, nested=False)
            if inner[0] is None:
                return None, {}
            kept[key] = errors.Said(inner[0], **inner[1])
        else:
            return None, {}
    return template, kept
