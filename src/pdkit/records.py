"""Learning records out: xAPI statements (JSON lines) and an hours summary per teacher.

For a district with a learning record store (LRS). Each statement (xAPI 1.0.3) has an
actor (an account: the participant's stable pseudonym, or their JupyterHub user name
with ``hub_users``), a verb with its ADL or registry IRI, an object and a timestamp:

- ``attended`` a session (``http://adlnet.gov/expapi/verbs/attended``);
- ``completed`` a form (``http://adlnet.gov/expapi/verbs/completed``): when every
  required field of the form had been answered (forms pdkit cannot load are skipped);
- ``presented`` in a protocol round (``http://activitystrea.ms/schema/1.0/present``),
  as the round's presenter;
- ``earned`` a micro-credential (``http://id.tincanapi.com/verb/earned``), when it was
  awarded.

No statement carries what anyone wrote: only that they took part, and when. Statement
ids are derived from their content, so exporting again gives the same ids (an LRS keeps
one copy). The hours summary counts the sessions each teacher attended, times the
session length the district gives. ``credentials.csv`` counts submissions per
micro-credential and state, each count of fewer than 5 suppressed.
"""

from __future__ import annotations

import csv
import json
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .definitions import load_form
from .errors import PdkitError

if TYPE_CHECKING:
    from .store import Store
    from .store._sql_records import LearningFact

__all__ = ["VERBS", "credential_counts", "hours_summary", "statements", "write_records"]

VERBS = {
    "attended": "http://adlnet.gov/expapi/verbs/attended",
    "completed": "http://adlnet.gov/expapi/verbs/completed",
    "presented": "http://activitystrea.ms/schema/1.0/present",
    "earned": "http://id.tincanapi.com/verb/earned",
}
"""The verbs of pdkit's statements and their IRIs."""

_ACTIVITY = "http://adlnet.gov/expapi/activities/"


def _stamp(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def completions(facts: Iterable[LearningFact]) -> Iterator[LearningFact]:
    """A ``completed`` fact per participant and form, when every required field of the
    form had first been answered (forms that cannot be loaded, or have no required
    field, give none)."""
    from .store._sql_records import LearningFact

    answered: dict[tuple[str, str], dict[str, float]] = {}
    for fact in facts:
        if fact.kind == "answered":
            answered.setdefault((fact.participant, fact.what), {}).setdefault(fact.detail, fact.at)
    required: dict[str, frozenset[str]] = {}
    for (participant, form), fields in sorted(answered.items()):
        if form not in required:
            try:
                required[form] = frozenset(f.id for f in load_form(form).fields if f.required)
            except PdkitError:
                required[form] = frozenset()
        wanted = required[form]
        if wanted and wanted <= fields.keys():
            yield LearningFact(participant, "completed", form, "", max(fields[f] for f in wanted))


def statements(
    facts: Iterable[LearningFact], actor: Callable[[str], dict[str, Any]], base: str
) -> Iterator[dict[str, Any]]:
    """The xAPI statements of ``facts`` (``actor`` makes a participant's actor; ``base``
    is the address activities' ids start with)."""
    kept = list(facts)
    chosen = [f for f in kept if f.kind != "answered"] + list(completions(kept))
    root = base.rstrip("/")
    for fact in sorted(chosen, key=lambda f: (f.at, f.participant, f.kind, f.what)):
        if fact.kind == "attended":
            obj, kind, name = f"{root}/sessions/{fact.what}", "meeting", f"session {fact.what}"
        elif fact.kind == "completed":
            obj, kind, name = f"{root}/forms/{fact.what}", "assessment", fact.what
        elif fact.kind == "presented":
            obj, kind, name = f"{root}/runs/{fact.what}", "interaction", fact.detail
        else:
            obj, kind, name = f"{root}/micro-credentials/{fact.what}", "course", fact.what
        statement: dict[str, Any] = {
            "actor": actor(fact.participant),
            "verb": {"id": VERBS[fact.kind], "display": {"en-US": fact.kind}},
            "object": {
                "objectType": "Activity",
                "id": obj,
                "definition": {"type": _ACTIVITY + kind, "name": {"en-US": name}},
            },
            "timestamp": _stamp(fact.at),
            "version": "1.0.3",
        }
        content = json.dumps(statement, sort_keys=True)
        statement["id"] = str(uuid.uuid5(uuid.NAMESPACE_URL, content))
        yield statement


def hours_summary(
    facts: Iterable[LearningFact], name: Callable[[str], str], session_hours: float
) -> list[dict[str, Any]]:
    """Per teacher: sessions attended and hours (sessions times ``session_hours``)."""
    attended: dict[str, set[str]] = {}
    for fact in facts:
        if fact.kind == "attended":
            attended.setdefault(fact.participant, set()).add(fact.what)
    rows = [
        {
            "teacher": name(p),
            "sessions": len(sessions),
            "hours": round(len(sessions) * session_hours, 2),
        }
        for p, sessions in attended.items()
    ]
    return sorted(rows, key=lambda r: str(r["teacher"]))


def credential_counts(counts: Mapping[str, Mapping[str, int]]) -> list[dict[str, Any]]:
    """Per micro-credential: how many submissions wait, were returned, were awarded,
    each count of fewer than 5 teachers suppressed (:mod:`pdkit.suppression`)."""
    from .suppression import suppress_parts

    rows = []
    for credential, parts in sorted(counts.items()):
        cells = suppress_parts(dict(parts))
        row: dict[str, Any] = {"micro_credential": credential}
        for state, found in cells.items():
            row[state] = found.value if found.value is not None else found.note
        rows.append(row)
    return rows


def write_records(
    store: Store,
    out: Path,
    *,
    home_page: str,
    session_hours: float,
    hub_users: bool = False,
) -> tuple[Path, Path, int]:
    """Write ``statements.jsonl`` and ``hours.csv`` into ``out``; the statements' count."""
    from .store import Viewer

    facts = store.learning_facts(viewer=Viewer.steward())
    people = {}
    for fact in facts:
        if fact.participant not in people:
            person = store.get_participant(fact.participant)
            if person is None or person.role != "teacher":
                people[fact.participant] = ""
                continue
            hub = person.external_id if hub_users and person.external_id else None
            people[fact.participant] = hub or store.pseudonym(person.id)
    teachers = [f for f in facts if people.get(f.participant)]

    def actor(participant: str) -> dict[str, Any]:
        return {
            "objectType": "Agent",
            "account": {"homePage": home_page, "name": people[participant]},
        }

    out.mkdir(parents=True, exist_ok=True)
    lines = out / "statements.jsonl"
    count = 0
    with lines.open("w", encoding="utf-8") as written:
        for statement in statements(teachers, actor, home_page):
            written.write(json.dumps(statement, ensure_ascii=False) + "\n")
            count += 1
    hours = out / "hours.csv"
    with hours.open("w", encoding="utf-8", newline="") as written:
        table = csv.DictWriter(written, fieldnames=["teacher", "sessions", "hours"])
        table.writeheader()
        table.writerows(hours_summary(teachers, people.__getitem__, session_hours))
    counted = out / "credentials.csv"  # counts only: no submission leaves the store
    with counted.open("w", encoding="utf-8", newline="") as written:
        names = ["micro_credential", "submitted", "returned", "awarded"]
        table = csv.DictWriter(written, fieldnames=names)
        table.writeheader()
        table.writerows(credential_counts(store.credential_counts(viewer=Viewer.steward())))
    return lines, hours, count
