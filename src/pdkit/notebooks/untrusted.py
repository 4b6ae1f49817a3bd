"""Reading files that nobody vouches for: a coach's batch holds whatever teachers handed
in, an upload whatever a browser sent. Limits, and checks that every value is one pdkit
writes, made column by column in C-speed builtins (the common case costs a few set
operations per file). Standard library only on a participant's page (orjson, for a
coach's batch, is imported on first use: :func:`parse_json`).

A file is read only when it is

- a regular file (never a FIFO, a device or a folder: reading one could wait or run
  forever) of at most :data:`MAX_FILE_BYTES`;
- UTF-8 text (a byte order mark allowed) holding JSON nested at most as deeply as
  Python's parser goes, and, when over 2 MiB, at most :data:`MAX_VALUES` values
  (counted in bytes, before parsing: a file of 20 MB of ``{},`` would take 500 MB).

Every value that pdkit reads from the saved block must be one it writes: text where
text is written (ids, labels, levels), a time as seconds between 1970 and 2200 (what a
DataFrame's time can hold), and an answer a JSON value without NaN or infinities, its
lists and objects nested at most :data:`MAX_DEPTH` levels. Anything else raises
:class:`Damaged`, which says where. Text must be valid Unicode (no lone surrogate,
which no file can hold as UTF-8 and no report can print).
"""

from __future__ import annotations

import functools
import json
import math
import operator
import os
import re
import reprlib
from collections.abc import Callable, Iterable, Sequence
from itertools import chain, compress, repeat
from typing import Any

from .._files import FileRefused, read_bounded
from .._said import Message, Said
from ..errors import PdkitError, WorkbookFileError
from ..i18n import N_

__all__ = [
    "EARLIEST",
    "LATEST",
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "MAX_VALUES",
    "Damaged",
    "all_text",
    "check_texts",
    "check_times",
    "check_value",
    "check_values",
    "columns",
    "file_bytes",
    "flat_values",
    "is_time",
    "key_text",
    "kind_of",
    "parse_json",
    "reason",
    "shown",
    "text_map",
]

MAX_FILE_BYTES = 20 * 1024 * 1024
"""The largest file read as a saved workbook (20 MiB: the saved workbooks of
`benchmarks/review_1000.py`, typed with autosave, are 18 KiB)."""

MAX_VALUES = 1_000_000
"""The most JSON values (counted as commas and brackets) a file over 2 MiB may hold."""

MAX_DEPTH = 16
"""How deeply an answer may nest lists and objects (pdkit writes lists of text: 2)."""

EARLIEST = 0.0
LATEST = 7_258_118_400.0
"""Times are seconds since 1970-01-01 UTC, before 2200-01-01 (:data:`LATEST`)."""

_COUNT_FROM = 2 * 1024 * 1024
_FLAT = frozenset({str, int, bool, type(None)})
"""The values that need no look inside (whole numbers: any that JSON and Python read)."""
_FLAT_OR_LIST = _FLAT | {list}
_BOM = b"\xef\xbb\xbf"
_SURROGATE = re.compile(rb"\\u[dD][89a-fA-F]")
_repr = reprlib.Repr()
_repr.maxstring = _repr.maxother = _repr.maxlong = 40
_repr.maxlevel, _repr.maxlist, _repr.maxdict = 2, 3, 3


class Damaged(Exception):
    """A value that is not what pdkit writes; the message says where and what it is.

    Written as pdkit's errors are: an English template marked for the catalogs and the
    values it names as keywords (``Damaged(N_("{where} is not a time"), where=where)``),
    made only when raised. ``str(damaged)`` (and ``args[0]``) is the English; ``said_as``
    is the same text as a :class:`~pdkit._said.Said`, said in its reader's language
    inside the :class:`WorkbookFileError` it becomes (:meth:`in_file`). Not a
    :class:`PdkitError`: it never leaves pdkit, always turned into one first."""

    def __init__(self, message: Message, /, **words: Any) -> None:
        self.said_as = Said(message, **words)
        super().__init__(self.said_as)

    def in_file(self, source: str) -> WorkbookFileError:
        """The error that says the saved answers in ``source`` are damaged, and how (in
        the language the error is said in)."""
        return WorkbookFileError(
            N_("{source}: the saved answers are damaged ({reason})"),
            "damaged",
            source=source,
            reason=self.said_as,
        )


def shown(value: object) -> str:
    """``repr(value)``, cut short: a message stays readable whatever a file holds."""
    try:
        return _repr.repr(value)
    except (RecursionError, ValueError):  # ValueError: an int too long to print
        return f"<{kind_of(value)}>"


def key_text(key: str) -> str:
    """A key as a message shows it: itself when short and printable, else cut short."""
    return key if len(key) <= 40 and key.isprintable() and key else shown(key)


_NULL = Said(N_("null"))
_TRUE_OR_FALSE = Said(N_("true or false"))
_NUMBER = Said(N_("a number"))
_TEXT = Said(N_("text"))
_LIST = Said(N_("a list"))
_OBJECT = Said(N_("an object"))


def kind_of(value: object) -> str:
    """What a JSON value is, in words: pdkit's (a :class:`~pdkit._said.Said`, said in
    the language of the message it is a word of), or the name of a type JSON has not."""
    if value is None:
        return _NULL
    if isinstance(value, bool):
        return _TRUE_OR_FALSE
    if isinstance(value, (int, float)):
        return _NUMBER
    if isinstance(value, str):
        return _TEXT
    if isinstance(value, (list, tuple)):
        return _LIST
    return _OBJECT if isinstance(value, dict) else type(value).__name__


def reason(exc: BaseException) -> str:
    """What went wrong, for a warning: pdkit's own message (a damaged value's as a
    :class:`~pdkit._said.Said`, said in the warning's language), else what Python said,
    as a failure pdkit did not foresee (its kind says where to look)."""
    if isinstance(exc, Damaged):
        return exc.said_as
    if isinstance(exc, PdkitError):
        return str(exc)
    said = str(exc)
    said = said if len(said) <= 200 else f"{said[:200]}…"
    return f"unexpected {type(exc).__name__}: {said}"


def file_bytes(path: str | os.PathLike[str]) -> bytes:
    """The bytes of a file to read as a saved workbook; :class:`WorkbookFileError` when
    it is not a regular file, is larger than :data:`MAX_FILE_BYTES` or cannot be read."""
    source = os.fspath(path)
    try:
        return read_bounded(source, MAX_FILE_BYTES)
    except FileRefused as refused:
        if refused.kind == "too-large":
            _check_size(refused.size, source)
        if refused.kind == "not-a-file":
            raise WorkbookFileError(
                N_("{source}: not a file (a device, a pipe or a socket)"), source=source
            ) from None
        raise WorkbookFileError(
            N_("{source}: cannot be read (No such file or directory)")
            if refused.kind == "missing"
            else N_("{source}: cannot be read ({reason})"),
            source=source,
            reason=refused.reason,
        ) from None


def _check_size(size: int, source: str) -> None:
    if size > MAX_FILE_BYTES:
        raise WorkbookFileError(
            N_(
                "{source}: too large to be a saved workbook ({size:.1f} MiB; pdkit "
                "reads files up to {most} MiB)"
            ),
            source=source,
            size=size / 2**20,
            most=MAX_FILE_BYTES // 2**20,
        )


def parse_json(data: str | bytes, source: str, *, fast: bool = False) -> Any:
    """JSON text or UTF-8 bytes (a byte order mark allowed) as Python values, within
    the limits above; :class:`WorkbookFileError` says why not.

    ``fast`` (a coach's batch, never a participant's page): parse with ``orjson``, about
    twice as fast as the standard library, imported on first use. It refuses all that
    the standard library refuses here (broken or non-UTF-8 text, lone surrogates, NaN,
    nesting deeper than 1,024) and then the standard library reads the file again, so a
    refused file gets the same message either way. One difference: a whole number
    beyond 64 bits (which pdkit never writes) reads as a float; :func:`pdkit.notebooks.
    read_saved` reads a file again when one could be there."""
    if isinstance(data, str):
        try:
            data = data.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise WorkbookFileError(
                N_("{source}: not a notebook (not valid text: {reason})"),
                source=source,
                reason=str(exc),
            ) from None
    _check_size(len(data), source)
    if data.startswith(_BOM):
        data = data[len(_BOM) :]
    if len(data) > _COUNT_FROM:
        values = data.count(b",") + data.count(b"[") + data.count(b"{")
        if values > MAX_VALUES:
            raise WorkbookFileError(
                N_(
                    "{source}: too many values to be a saved workbook (about {values:,}; "
                    "pdkit reads files of up to {most:,})"
                ),
                source=source,
                values=values,
                most=MAX_VALUES,
            )
    loads = _fast_loads() if fast else None
    if loads is not None:
        try:
            return loads(data)
        except (ValueError, RecursionError, MemoryError):
            pass  # the standard library below says why, as it always has
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise WorkbookFileError(
            N_("{source}: not a notebook (not UTF-8 text: {reason} at byte {start})"),
            source=source,
            reason=exc.reason,
            start=exc.start,
        ) from None
    try:
        value = json.loads(text)
        if _SURROGATE.search(data):  # escaped: is it one of a pair, or alone?
            json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as exc:
        raise WorkbookFileError(
            N_("{source}: not a notebook (its text is not valid Unicode: {reason})"),
            source=source,
            reason=exc.reason,
        ) from None
    except ValueError as exc:
        raise WorkbookFileError(
            N_("{source}: not a notebook (the JSON is broken: {reason})")
            if text.strip()
            else N_("{source}: not a notebook (the JSON is broken: the file is empty)"),
            source=source,
            reason=str(exc),
        ) from None
    except RecursionError:
        raise WorkbookFileError(
            N_("{source}: not a notebook (its JSON is nested too deeply to read)"), source=source
        ) from None
    except MemoryError:
        raise WorkbookFileError(
            N_("{source}: too large to read in memory"), source=source
        ) from None
    return value


@functools.cache
def _fast_loads() -> Callable[[bytes], Any] | None:
    """``orjson.loads``, or None when orjson is not installed (the standard library
    reads then: slower, the same values)."""
    try:
        import orjson
    except ImportError:  # pragma: no cover - orjson is a dependency of pdkit
        return None
    loads: Callable[[bytes], Any] = orjson.loads
    return loads


def check_value(value: Any, where: str, depth: int = 0) -> None:
    """Raise :class:`Damaged` unless ``value`` is an answer pdkit can hold (see above)."""
    kind = type(value)
    if kind in _FLAT:
        return
    if kind is float:
        if math.isfinite(value):
            return
        raise Damaged(
            N_("{where} is {value!r}, which JSON does not hold"), where=where, value=value
        )
    if kind is list or kind is dict:
        if depth >= MAX_DEPTH:
            raise Damaged(
                N_("{where} nests lists or objects more than {most} deep"),
                where=where,
                most=MAX_DEPTH,
            )
        items = value if kind is list else value.values()
        if not set(map(type, items)) <= _FLAT:
            for index, item in enumerate(items):
                check_value(item, f"{where}[{index}]", depth + 1)
        return
    raise Damaged(N_("{where} is {kind}, not a JSON value"), where=where, kind=kind.__name__)


def _place(where: str, index: int, key: str) -> str:
    return f"{where}[{index}].{key}" if key else f"{where}[{index}]"


def all_text(values: Iterable[Any]) -> bool:
    """Whether every one of ``values`` is text: ``str.join`` looks at each in C, the
    fastest check there is, and refuses anything else."""
    try:
        "".join(values)
    except TypeError:
        return False
    return True


def flat_values(values: Iterable[Any]) -> bool:
    """Whether every one of ``values`` is text, a whole number, true or false, null, or a
    list of those (checked at C speed; no float, no object)."""
    items = values if isinstance(values, (list, tuple)) else list(values)
    types = set(map(type, items))
    if types <= _FLAT:
        return True
    if not types <= _FLAT_OR_LIST:
        return False
    lists = compress(items, map(operator.is_, map(type, items), repeat(list)))
    return set(map(type, chain.from_iterable(lists))) <= _FLAT


def check_texts(values: Sequence[Any], where: str, key: str = "") -> None:
    """Raise :class:`Damaged` unless every one of ``values`` is text (the message names
    one that is not as ``where[index].key``)."""
    if not all_text(values):
        index, value = next((i, v) for i, v in enumerate(values) if type(v) is not str)
        raise Damaged(
            N_("{where} is {kind}, not text"), where=_place(where, index, key), kind=kind_of(value)
        )


def check_values(values: Sequence[Any] | dict[str, Any], where: str, key: str = "") -> bool:
    """:func:`check_value` for each of ``values``, named ``where[index].key`` (of an
    object: its values, named ``where.key.name`` by their names). Text, whole numbers
    and lists of them, the common cases, are checked at C speed. Returns whether they
    all were of those (:func:`flat_values`), found on the way."""
    items = values.values() if isinstance(values, dict) else values
    types = set(map(type, items))
    if types <= _FLAT:
        return True
    if types <= _FLAT_OR_LIST:
        lists = compress(items, map(operator.is_, map(type, items), repeat(list)))
        if set(map(type, chain.from_iterable(lists))) <= _FLAT:
            return True
    within = f"{where}.{key_text(key)}" if key else where
    named = (
        ((f"{within}.{key_text(k)}", v) for k, v in values.items())
        if isinstance(values, dict)
        else ((_place(where, i, key), v) for i, v in enumerate(values))
    )
    for name, value in named:
        check_value(value, name)
    return False


def check_times(times: Sequence[Any], where: str, key: str = "") -> None:
    """Raise :class:`Damaged` unless every one of ``times`` is a time (see above)."""
    if (
        set(map(type, times)) <= {float, int}
        and (not times or (min(times) >= EARLIEST and max(times) < LATEST))
        and all(map(math.isfinite, times))
    ):
        return
    for index, value in enumerate(times):
        if not is_time(value):
            raise Damaged(
                N_("{where} is not a time ({shown})"),
                where=_place(where, index, key),
                shown=shown(value),
            )


def is_time(value: object) -> bool:
    """Whether ``value`` is a time (see above)."""
    return (
        type(value) in (float, int)
        and EARLIEST <= value < LATEST  # type: ignore[operator]
        and math.isfinite(value)  # type: ignore[arg-type]
    )


def text_map(value: Any, where: str) -> dict[str, str]:
    """``value`` when it is an object whose values are all text, else :class:`Damaged`."""
    if type(value) is not dict:
        raise Damaged(N_("{where} is {kind}, not an object"), where=where, kind=kind_of(value))
    if not all_text(value.values()):
        key = next(k for k, v in value.items() if type(v) is not str)
        raise Damaged(
            N_("{where} is {kind}, not text"), where=f"{where}.{key}", kind=kind_of(value[key])
        )
    return value


def columns(
    entries: Any,
    keys: tuple[str, ...],
    kinds: tuple[str, ...],
    what: str,
    flat: list[bool] | None = None,
) -> list[tuple[Any, ...]]:
    """``entries`` (a list of objects with ``keys``) as one tuple per key, each checked
    as its kind says: ``text``, ``value`` (an answer: :func:`check_value`), ``time``,
    or ``any`` (for the caller to check). ``flat`` gets, per ``value`` column, whether
    its values were all flat (:func:`check_values`)."""
    if type(entries) not in (list, tuple):
        if isinstance(entries, (str, dict)) and entries:
            raise Damaged(
                N_("{where}[0] is not an object ({where} is {kind}, not a list)"),
                where=what,
                kind=kind_of(entries),
            )
        raise Damaged(
            N_("{where} is {kind}, not a list of objects"), where=what, kind=kind_of(entries)
        )
    if not entries:
        return [() for _ in keys]
    try:
        found = list(zip(*map(operator.itemgetter(*keys), entries), strict=True))
    except (KeyError, TypeError):
        for index, entry in enumerate(entries):
            if type(entry) is not dict:
                raise Damaged(N_("{where} is not an object"), where=f"{what}[{index}]") from None
            for key in keys:
                if key not in entry:
                    raise Damaged(
                        N_("{where} has no {key!r}"), where=f"{what}[{index}]", key=key
                    ) from None
        raise Damaged(N_("{where} is not a list of objects"), where=what) from None
    for key, column, kind in zip(keys, found, kinds, strict=True):
        if kind == "text":
            check_texts(column, what, key)
        elif kind == "value":
            is_flat = check_values(column, what, key)
            if flat is not None:
                flat.append(is_flat)
        elif kind == "time":
            check_times(column, what, key)
    return found
