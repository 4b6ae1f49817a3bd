"""Hostile saved workbooks, made from good ones: what a coach's batch (``pdkit review``)
and a participant's upload ("Upload to continue") may meet.

- :func:`named_corpus`: foreign and broken files, every nbformat shape, encodings, size,
  nesting, numbers JSON should not hold, and odd files that are still readable, each
  with what must happen to it (read, or skipped with a warning that names it);
- :func:`mutations`: every hostile value at every place of a saved workbook that pdkit
  reads (and each key removed), to read or to skip, never to fail on;
- :func:`special_files`: what is not a plain file (a folder, links that loop or lead
  nowhere, a FIFO, a device, a file nobody may read, a name that is not UTF-8).

Files are written with ``ensure_ascii`` (so lone surrogates are escapes, as a foreign
writer would put them) and ``allow_nan``; :class:`Raw` puts JSON text where Python's
encoder would not (numbers too long for Python, nesting deeper than it writes).
"""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pdkit.notebooks import save_workbook
from pdkit.notebooks.saved import BLOCK_KEYS, ENTRY_KEYS, OPTIONAL_KEYS, entry
from pdkit.store import Viewer
from pdkit.testing import COACHING_WORKBOOK, DAY, START, make_cohort

READ = "read"
SKIPPED = "skipped"
MB = 1024 * 1024
BLOCK = ("metadata", "pdkit", "saved")
LISTS = ("history", "notes", "feedback", "coach_comments")


@dataclass(frozen=True)
class Raw:
    """JSON text put as it is where a value would be written."""

    text: str


def encode(value: Any) -> bytes:
    """``value`` as JSON bytes (ASCII: lone surrogates as escapes), with :class:`Raw`."""
    raws: list[str] = []

    def placeholder(found: Any) -> Any:
        if isinstance(found, Raw):
            raws.append(found.text)
            return f"@raw{len(raws) - 1}@"
        if isinstance(found, dict):
            return {k: placeholder(v) for k, v in found.items()}
        if isinstance(found, list):
            return [placeholder(v) for v in found]
        return found

    text = json.dumps(placeholder(value), ensure_ascii=True, allow_nan=True)
    for index, raw in enumerate(raws):
        text = text.replace(f'"@raw{index}@"', raw, 1)
    return text.encode("ascii")


def deep(depth: int) -> Raw:
    return Raw("[" * depth + "]" * depth)


VALUES: dict[str, Any] = {
    "null": None,
    "false": False,
    "true": True,
    "zero": 0,
    "minus-one": -1,
    "fraction": 0.5,
    "year-3000": 32_503_680_000.0,
    "beyond-int64": 10**30,
    "huge-int": Raw("9" * 4000),  # Python's json reads it (4,300 digits at most)
    "too-long-int": Raw("9" * 5000),  # and refuses this one
    "nan": Raw("NaN"),
    "infinity": Raw("Infinity"),
    "minus-infinity": Raw("-Infinity"),
    "1e400": Raw("1e400"),  # a float literal that reads as infinity
    "text": "x",
    "empty-text": "",
    "iso-time": "2026-01-05T10:00:00+00:00",
    "lone-surrogate": "\ud800",
    "list": [],
    "list-of-text": ["x"],
    "list-of-lists": [[1]],
    "list-of-objects": [{}],
    "object": {},
    "object-of-text": {"x": "y"},
    "deep-40": json.loads(deep(40).text),
    "deep-900": deep(900),  # as deep as Python's own parser may go, or deeper
}
"""Values pdkit never writes (and some it does, in the wrong places)."""


def good_notebooks() -> tuple[dict[str, Any], dict[str, Any]]:
    """Ana's and Ben's saved workbooks, with every list of the saved block filled:
    history, notes, a revision mark, peer feedback and a coach comment."""
    cohort = make_cohort()
    everything = Viewer.steward(include_private=True)
    ana, ben = (
        save_workbook(COACHING_WORKBOOK, cohort.store, who, viewer=everything)
        for who in (cohort.ana, cohort.ben)
    )
    cohort.store.close()
    saved = ana["metadata"]["pdkit"]["saved"]
    saved["revisions"] = {"goal-setting": [START + 7 * DAY]}
    saved["feedback"] = [
        entry(
            "feedback",
            "f1",
            cohort.ben.id,
            cohort.ana.id,
            "goal-setting",
            "warm",
            "Clear goal",
            START + 3 * DAY,
            True,
        )
    ]
    saved["coach_comments"] = [
        entry("coach_comments", "Kim", "Well done", "2026-02-01T10:00:00+00:00")
    ]
    return ana, ben


def at(notebook: Any, place: tuple[Any, ...]) -> Any:
    for key in place:
        notebook = notebook[key]
    return notebook


def history_place(notebook: dict[str, Any], field_id: str, nth: int = 0) -> tuple[Any, ...]:
    """Where the value of the ``nth`` history entry of ``field_id`` is (-1: the last)."""
    history = at(notebook, (*BLOCK, "history"))
    index = [i for i, e in enumerate(history) if e["field"] == field_id][nth]
    return (*BLOCK, "history", index, "value")


def places(good: dict[str, Any]) -> list[tuple[Any, ...]]:
    """Every place of a saved workbook that pdkit reads."""
    found: list[tuple[Any, ...]] = [
        ("nbformat",),
        ("cells",),
        ("metadata",),
        ("metadata", "pdkit"),
        ("metadata", "pdkit", "workbook"),
        ("metadata", "pdkit", "language"),
        BLOCK,
        *[(*BLOCK, key) for key in BLOCK_KEYS],
        *[(*BLOCK, "participant", key) for key in ENTRY_KEYS["participant"]],
        (*BLOCK, "answers", "goal-setting"),
        *[
            (*BLOCK, "answers", "goal-setting", f)
            for f in (
                "goal",
                "school_goal",
                "confidence",
                "target_date",
                "evidence",
                "action_steps",
            )
        ],
        (*BLOCK, "answers", "exit-ticket", "progress"),
        (*BLOCK, "spec_versions", "goal-setting"),
        (*BLOCK, "visibility", "goal-setting"),
        (*BLOCK, "revisions", "goal-setting"),
        (*BLOCK, "revisions", "goal-setting", 0),
        *[(*BLOCK, kind, 0) for kind in LISTS],
        *[
            (*BLOCK, kind, 0, key)
            for kind in LISTS
            for key in ENTRY_KEYS[kind] + OPTIONAL_KEYS.get(kind, ())
        ],
        *[
            history_place(good, f)
            for f in ("school_goal", "confidence", "evidence", "action_steps", "target_date")
        ],
        history_place(good, "progress"),
    ]
    return found


def mutations(good: dict[str, Any]) -> Iterator[tuple[str, bytes]]:
    """(file name, content): each value of :data:`VALUES` at each place (and each key
    removed), the whole file replaced by each value too."""
    for name, value in VALUES.items():
        yield f"whole-file-{name}.ipynb", encode(value)
    for place in places(good):
        label = "-".join(map(str, place[3:] if place[:3] == BLOCK else place)) or "block"
        for name, value in [*VALUES.items(), ("removed", None)]:
            changed = copy.deepcopy(good)
            parent = at(changed, place[:-1])
            if name == "removed":
                if not isinstance(parent, dict):
                    continue
                del parent[place[-1]]
            else:
                parent[place[-1]] = value
            yield f"{label}={name}.ipynb", encode(changed)


def _with(good: dict[str, Any], place: tuple[Any, ...], value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(good)
    at(changed, place[:-1])[place[-1]] = value
    return changed


def _cell(good: dict[str, Any], **metadata: Any) -> dict[str, Any]:
    changed = copy.deepcopy(good)
    changed["cells"].append({"cell_type": "raw", "id": "x", "metadata": metadata, "source": ""})
    return changed


def filler(item: str, size: int = 19 * MB) -> str:
    """A JSON list of ``item`` about ``size`` bytes long."""
    return "[" + f"{item}," * (size // (len(item) + 1)) + f"{item}]"


def named_corpus(good: dict[str, Any]) -> dict[str, tuple[bytes, str]]:
    """File name → (content, READ or SKIPPED)."""
    text = json.dumps(good, ensure_ascii=False).encode("utf-8")
    saved = at(good, BLOCK)
    name = saved["participant"]["display_name"].encode("utf-8")
    corpus: dict[str, tuple[bytes, str]] = {
        "empty.ipynb": (b"", SKIPPED),
        "whitespace.ipynb": (b" \n\t ", SKIPPED),
        "nul-bytes.ipynb": (b"\x00" * 64, SKIPPED),
        "binary.ipynb": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", SKIPPED),
        "truncated.ipynb": (text[: len(text) // 2], SKIPPED),
        "trailing-garbage.ipynb": (text + b" garbage", SKIPPED),
        "two-documents.ipynb": (text + text, SKIPPED),
        "json-list.ipynb": (b"[]", SKIPPED),
        "json-list-of-notebook.ipynb": (b"[" + text + b"]", SKIPPED),
        "json-text.ipynb": (b'"notebook"', SKIPPED),
        "json-number.ipynb": (b"4", SKIPPED),
        "json-null.ipynb": (b"null", SKIPPED),
        "deep-array.ipynb": (deep(100_000).text.encode(), SKIPPED),
        "deep-object.ipynb": (b'{"a":' * 100_000 + b"1" + b"}" * 100_000, SKIPPED),
        "deep-in-answers.ipynb": (
            encode(_with(good, (*BLOCK, "answers", "goal-setting", "goal"), deep(900))),
            SKIPPED,
        ),
        "deep-60-in-history.ipynb": (
            encode(_with(good, history_place(good, "goal"), json.loads(deep(60).text))),
            SKIPPED,
        ),
        "deep-in-a-cell.ipynb": (encode(_cell(good, deep=json.loads(deep(200).text))), READ),
        "big-30mb.ipynb": (encode(_cell(good, big="x" * (30 * MB))), SKIPPED),
        "large-cell-15mb.ipynb": (encode(_cell(good, big="x" * (15 * MB))), READ),
        "many-objects-19mb.ipynb": (encode(_cell(good, many=Raw(filler("{}")))), SKIPPED),
        "many-numbers-19mb.ipynb": (encode(_cell(good, many=Raw(filler("0")))), SKIPPED),
        "invalid-utf8.ipynb": (text.replace(name, name + b" \xff\xfe"), SKIPPED),
        "latin-1.ipynb": (text.replace(name, "Ana Ruíz".encode("latin-1")), SKIPPED),
        "encoded-surrogate.ipynb": (text.replace(name, b"Ana \xed\xa0\x80"), SKIPPED),
        "utf-16.ipynb": (json.dumps(good).encode("utf-16"), SKIPPED),
        "utf-8-bom.ipynb": (b"\xef\xbb\xbf" + text, READ),
        "lone-surrogate-name.ipynb": (
            encode(_with(good, (*BLOCK, "participant", "display_name"), "Ana \ud800")),
            SKIPPED,
        ),
        "lone-surrogate-in-a-cell.ipynb": (encode(_cell(good, text="\udfff")), SKIPPED),
        "surrogate-pair-name.ipynb": (
            encode(_with(good, (*BLOCK, "participant", "display_name"), "Ana \U0001f600")),
            READ,
        ),
        "nan-time.ipynb": (
            encode(_with(good, (*BLOCK, "history", 0, "at"), Raw("NaN"))),
            SKIPPED,
        ),
        "infinite-value.ipynb": (
            encode(_with(good, history_place(good, "confidence"), Raw("Infinity"))),
            SKIPPED,
        ),
        "huge-int-time.ipynb": (
            encode(_with(good, (*BLOCK, "history", 0, "at"), Raw("1" + "0" * 4000))),
            SKIPPED,
        ),
        "huge-int-confidence.ipynb": (  # read: a whole number, though no scale's point
            encode(_with(good, history_place(good, "confidence", -1), 10**30)),
            READ,
        ),
        "nbformat-1.ipynb": (encode({"nbformat": 1, "cells": []}), SKIPPED),
        "nbformat-2.ipynb": (
            encode({"nbformat": 2, "metadata": {"name": ""}, "worksheets": [{"cells": []}]}),
            SKIPPED,
        ),
        "nbformat-3.ipynb": (
            encode(
                {
                    "nbformat": 3,
                    "nbformat_minor": 0,
                    "metadata": {"name": "", "pdkit": good["metadata"]["pdkit"]},
                    "worksheets": [{"cells": [], "metadata": {}}],
                }
            ),
            SKIPPED,
        ),
        "nbformat-4-foreign.ipynb": (
            encode({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": []}),
            SKIPPED,
        ),
        "nbformat-4-worksheets.ipynb": (
            encode({**{k: v for k, v in good.items() if k != "cells"}, "worksheets": []}),
            SKIPPED,
        ),
        "nbformat-4-float.ipynb": (encode({**good, "nbformat": 4.0}), READ),
        # What a fast reader could skip unread (the cells, keys pdkit does not read) is
        # refused or read exactly as the standard library does.
        "invalid-utf8-in-a-cell.ipynb": (
            encode(_cell(good, text="CELLTEXT")).replace(b"CELLTEXT", b"caf\xe9"),
            SKIPPED,
        ),
        "truncated-utf8-in-a-cell.ipynb": (
            encode(_cell(good, text="CELLTEXT")).replace(b"CELLTEXT", b"x\xe2\x80"),
            SKIPPED,
        ),
        "invalid-utf8-in-a-top-level-key.ipynb": (
            encode({**good, "extra": "EXTRA"}).replace(b"EXTRA", b"\xff"),
            SKIPPED,
        ),
        "nan-in-a-cell.ipynb": (encode(_cell(good, n=Raw("NaN"))), READ),
        "unknown-top-level-key.ipynb": (encode({**good, "extra": {"a": [1, 2.5]}}), READ),
        "cells-an-object.ipynb": (encode({**good, "cells": {"a": 1}}), SKIPPED),
        "metadata-twice-good-last.ipynb": (
            b'{"metadata": {}, ' + encode(good)[1:],
            READ,
        ),
        "metadata-twice-empty-last.ipynb": (
            encode(good)[:-1] + b', "metadata": {}}',
            SKIPPED,
        ),
        "nbformat-5.ipynb": (encode({**good, "nbformat": 5}), SKIPPED),
        "nbformat-text.ipynb": (encode({**good, "nbformat": "4"}), SKIPPED),
        "newer-saved-format.ipynb": (encode(_with(good, (*BLOCK, "format"), 99)), SKIPPED),
        "unknown-visibility.ipynb": (
            encode(_with(good, (*BLOCK, "visibility", "goal-setting"), "everyone")),
            READ,
        ),
        "path-in-form-id.ipynb": (
            encode(_with(good, (*BLOCK, "history", 0, "form"), "../../../../../etc/passwd")),
            READ,
        ),
        "nul-in-form-id.ipynb": (
            encode(_with(good, (*BLOCK, "history", 0, "form"), "goal\u0000setting")),
            READ,
        ),
        "long-form-id.ipynb": (
            encode(_with(good, (*BLOCK, "history", 0, "form"), "f" * 5000)),
            READ,
        ),
        "many-forms.ipynb": (
            encode(
                _with(
                    good,
                    (*BLOCK, "answers"),
                    {f"form-{i}": {"x": "y"} for i in range(5000)},
                )
            ),
            READ,
        ),
        "long-history.ipynb": (
            encode(
                _with(
                    good,
                    (*BLOCK, "history"),
                    [
                        entry("history", "goal-setting", "goal", f"v{i}", START + i, "g@1")
                        for i in range(20_000)
                    ],
                )
            ),
            READ,
        ),
    }
    return corpus


def special_files(folder: Path, good: bytes) -> dict[str, str]:
    """What is not a plain file, made in ``folder`` where the system allows: name →
    READ or SKIPPED (a folder named like a notebook is walked, neither)."""
    made: dict[str, str] = {}
    (folder / "folder.ipynb").mkdir()
    (folder / "loop-a.ipynb").symlink_to(folder / "loop-b.ipynb")
    (folder / "loop-b.ipynb").symlink_to(folder / "loop-a.ipynb")
    made.update({"loop-a.ipynb": SKIPPED, "loop-b.ipynb": SKIPPED})
    (folder / "dangling.ipynb").symlink_to(folder / "nowhere")
    made["dangling.ipynb"] = SKIPPED
    (folder / "loop-folder").symlink_to(folder, target_is_directory=True)
    if hasattr(os, "mkfifo"):
        os.mkfifo(folder / "fifo.ipynb")
        made["fifo.ipynb"] = SKIPPED
    if Path("/dev/zero").exists():
        (folder / "zero.ipynb").symlink_to("/dev/zero")
        made["zero.ipynb"] = SKIPPED
    if hasattr(os, "geteuid") and os.geteuid() != 0:  # root reads anything
        locked = folder / "unreadable.ipynb"
        locked.write_bytes(good)
        locked.chmod(0)
        made["unreadable.ipynb"] = SKIPPED
    try:
        odd = folder / os.fsdecode(b"name-\xff\xfe.ipynb")
        odd.write_bytes(good)
    except (OSError, UnicodeError):  # a file system that wants UTF-8 names
        pass
    else:
        made[odd.name] = READ
    return made
