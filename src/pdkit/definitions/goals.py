"""School goals: the goals of the school or system that each personal goal serves.

They come from YAML (a list, or ``goals:`` with a list) or CSV (``id,title`` and an
optional ``description``), or from a stored session's own copy. A title or
description may be given per language.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .._environ import SCHOOL_GOALS_ENV
from ..errors import DefinitionError
from ..i18n import N_, choose
from ._limits import MAX_ITEMS, MAX_TEXT, PathPart, check_characters, format_path, shown
from ._load import read_text, templates_dir
from ._model import SchoolGoal
from ._parsed import compose, line_of

__all__ = [
    "SCHOOL_GOALS_ENV",
    "GoalsSource",
    "default_school_goals",
    "is_school_goals_text",
    "load_school_goals",
    "looks_like_school_goals",
    "resolve_school_goals",
    "school_goals_data",
    "school_goals_from_data",
]


def _goals_from_rows(
    rows: list[tuple[int | None, Any]],
    file: str,
    prefix: list[PathPart],
    language: str | None = None,
) -> list[SchoolGoal]:
    """Rows are (line, mapping); ``prefix`` is the path of the list in the document.
    A title or description may be given per language."""
    goals: list[SchoolGoal] = []
    seen: set[str] = set()
    for index, (line, row) in enumerate(rows):
        where = format_path([*prefix, index]) if prefix else f"[{index}]"
        if not isinstance(row, dict):
            raise DefinitionError(
                N_("each school goal needs 'id' and 'title'"), file=file, line=line, path=where
            )
        row = dict(row)
        for key in ("title", "description"):
            texts = row.get(key)
            if (
                isinstance(texts, dict)
                and texts
                and all(isinstance(t, str) for t in texts.values())
            ):
                row[key] = choose(texts, language)
        for key in ("id", "title"):
            value = row.get(key)
            if value is not None and not isinstance(value, str):
                raise DefinitionError(
                    N_("{key!r} should be a text, not {value} (put it in quotes)"),
                    file=file,
                    line=line,
                    path=where,
                    key=key,
                    value=shown(value),
                )
            if not value or not value.strip():
                raise DefinitionError(
                    N_("missing or empty {key!r}"), file=file, line=line, path=where, key=key
                )
        goal_id = row["id"].strip()
        if goal_id in seen:
            raise DefinitionError(
                N_("the goal id {id} is used twice"),
                file=file,
                line=line,
                path=where,
                id=shown(goal_id),
            )
        seen.add(goal_id)
        goals.append(
            SchoolGoal(goal_id, row["title"].strip(), str(row.get("description") or "").strip())
        )
    if not goals:
        raise DefinitionError(N_("lists no school goals"), file=file)
    return goals


def load_school_goals(source: str | Path, *, language: str | None = None) -> list[SchoolGoal]:
    """Read school goals from YAML (a list, or ``goals:`` with a list) or CSV.

    A CSV file has a header row with the columns ``id,title`` and optionally ``description``.
    """
    path = Path(source)
    text = read_text(path)
    file = str(path)
    if path.suffix.lower() == ".csv":
        return _goals_from_rows(_csv_rows(text, file), file, [])
    data, root = compose(text, file)
    prefix: list[PathPart] = ["goals"] if isinstance(data, dict) else []
    items = data.get("goals") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise DefinitionError(
            N_("expected a list of goals (or 'goals:' with a list)"),
            file=file,
            line=line_of(root, []),
        )
    rows = [(line_of(root, [*prefix, i]), row) for i, row in enumerate(items)]
    return _goals_from_rows(rows, file, prefix, language)


def _csv_rows(text: str, file: str) -> list[tuple[int | None, Any]]:
    """(line, row) for each row of a CSV file of school goals, within the limits."""
    check_characters(text, file)
    reader = csv.DictReader(io.StringIO(text))
    rows: list[tuple[int | None, Any]] = []
    try:
        missing = ", ".join(sorted({"id", "title"} - set(reader.fieldnames or ())))
        if missing:
            raise DefinitionError(
                N_("the header row needs the columns id,title (missing: {missing})"),
                file=file,
                line=1,
                missing=missing,
            )
        for row in reader:
            if len(rows) >= MAX_ITEMS or len(row) > MAX_ITEMS:
                raise DefinitionError(
                    N_(
                        "holds more than {most} school goals, and pdkit reads at most "
                        "{most}: check that this is the file you meant, or shorten it"
                    )
                    if len(rows) >= MAX_ITEMS
                    else N_(
                        "holds more than {most} columns, and pdkit reads at most "
                        "{most}: check that this is the file you meant, or shorten it"
                    ),
                    file=file,
                    line=reader.line_num,
                    most=MAX_ITEMS,
                )
            long = [v for v in row.values() if isinstance(v, str) and len(v) > MAX_TEXT]
            if long:
                raise DefinitionError(
                    N_(
                        "a text here is {size:,} characters long, and a text may be at "
                        "most {most:,}: shorten it"
                    ),
                    file=file,
                    line=reader.line_num,
                    size=len(long[0]),
                    most=MAX_TEXT,
                )
            rows.append((reader.line_num, row))
    except csv.Error as exc:
        raise DefinitionError(
            N_("not valid CSV ({reason}): check the quotes on this line"),
            file=file,
            line=reader.line_num or 1,
            reason=str(exc)[:100],
        ) from None
    return rows


def school_goals_data(source: str | Path) -> list[dict[str, Any]]:
    """The school goals of a YAML or CSV file as plain mappings, texts per language kept
    (what a session stores); checked first like :func:`load_school_goals`."""
    load_school_goals(source)
    path = Path(source)
    text = read_text(path)
    if path.suffix.lower() == ".csv":
        return [
            {k: v for k, v in row.items() if k in ("id", "title", "description") and v}
            for row in csv.DictReader(io.StringIO(text))
        ]
    data, _ = compose(text, str(path))
    items: list[Any] = (data.get("goals") if isinstance(data, dict) else data) or []
    return [dict(item) for item in items]


def school_goals_from_data(
    items: Sequence[Mapping[str, Any]], *, source: str = "<session>", language: str | None = None
) -> list[SchoolGoal]:
    """School goals from plain mappings (a stored session's), in ``language``."""
    return _goals_from_rows([(None, dict(item)) for item in items], source, [], language)


def default_school_goals(language: str | None = None) -> list[SchoolGoal]:
    """``$PDKIT_SCHOOL_GOALS`` if set, else the sample goals shipped with pdkit."""
    path = os.environ.get(SCHOOL_GOALS_ENV) or (templates_dir() / "school-goals.yaml")
    return load_school_goals(path, language=language)


GoalsSource = Sequence[SchoolGoal] | str | os.PathLike[str] | None
"""School goals as a caller gives them: the goals, a YAML or CSV file, or None (configured)."""


def resolve_school_goals(source: GoalsSource, language: str | None = None) -> list[SchoolGoal]:
    """The school goals ``source`` means: the goals given, the file's, or (None) those
    configured with ``$PDKIT_SCHOOL_GOALS``, else the sample goals."""
    if source is None:
        return default_school_goals(language)
    if isinstance(source, (str, os.PathLike)):
        return load_school_goals(Path(source), language=language)
    return list(source)


def is_school_goals_text(text: str) -> bool:
    """Whether YAML ``text`` looks like a school goals file (a list, or a mapping with
    ``goals`` and no ``kind``) rather than a definition."""
    try:
        data, _ = compose(text, "<string>")
    except DefinitionError:
        return False  # loading it as a definition reports the problem
    return looks_like_school_goals(data)


def looks_like_school_goals(data: Any) -> bool:
    """Whether a parsed YAML document is a school goals file rather than a definition."""
    return isinstance(data, list) or (
        isinstance(data, dict) and "goals" in data and "kind" not in data
    )
