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
``{"error": {"type": "AccessError", "message": "…"}}`` and come back as that class of
:mod:`pdkit.errors` (an unknown one as :class:`pdkit.StoreError`).
"""

from __future__ import annotations

import dataclasses
import json
from datetime import date, datetime
from typing import Any

from .. import errors
from ..followup import CheckinPlan, DueDate
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
        raise errors.StoreError("a value sent to or from the store is nested too deeply")
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
    raise errors.StoreError(f"a {name} cannot be sent to or from the store")


def decode(data: Any, depth: int = 0) -> Any:
    """The Python value of :func:`encode`'s ``data``; StoreError for anything unknown."""
    if depth > _MAX_DEPTH:
        raise errors.StoreError("a value sent to or from the store is nested too deeply")
    if data is None or isinstance(data, bool | int | float | str):
        return data
    if isinstance(data, list):
        return [decode(v, depth + 1) for v in data]
    if not isinstance(data, dict):
        raise errors.StoreError(f"not a value the store knows: {type(data).__name__}")
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
        raise errors.StoreError(f"a value the store cannot read: {exc}") from None
    raise errors.StoreError(f"not a value the store knows: {str(kind)[:40]!r}")


def dumps(value: Any) -> bytes:
    """``value`` encoded, as UTF-8 JSON."""
    return json.dumps(encode(value), separators=(",", ":")).encode()


def loads(body: bytes) -> Any:
    """The value of a :func:`dumps` body; StoreError when it is not one."""
    if len(body) > MAX_BODY:
        raise errors.StoreError(f"a store message over {MAX_BODY // (1024 * 1024)} MiB")
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise errors.StoreError(f"not a store message (JSON): {exc}") from None
    return decode(data)


_ERRORS: dict[str, type[errors.PdkitError]] = {
    name: cls
    for name, cls in vars(errors).items()
    if isinstance(cls, type) and issubclass(cls, errors.PdkitError)
}


def error_body(exc: BaseException) -> bytes:
    """The wire form of a refused or failed call."""
    name = type(exc).__name__ if type(exc).__name__ in _ERRORS else "StoreError"
    return json.dumps({"error": {"type": name, "message": str(exc)}}).encode()


def error_from(body: bytes, status: int) -> errors.PdkitError:
    """The pdkit error an error answer stands for (StoreError when it is not one)."""
    try:
        data = json.loads(body)
        found = data["error"]
        cls = _ERRORS.get(str(found["type"]), errors.StoreError)
        message = str(found["message"])[:2000]
    except (ValueError, KeyError, TypeError):
        text = body[:300].decode("utf-8", "replace").strip()
        return errors.StoreError(f"the pdkit hub service answered HTTP {status}: {text}")
    try:
        return cls(message)
    except TypeError:  # an error class that takes other arguments
        return errors.StoreError(message)
