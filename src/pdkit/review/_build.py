"""The DataFrames of a review, built from what was collected: per-event work in numpy and
pandas; Python loops run once per form field, and once per event of a goal or a
check-in (the versions rule, :mod:`._versions`)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from ..definitions.ids import CHECKIN_FORM, GOAL_FORM
from ..notebooks.untrusted import all_text
from ..store import VISIBILITIES
from ._collect import Collected
from ._forms import Forms, is_private, plain_text
from ._frames import COLUMNS, frame, json_text, objects, rows
from ._observations import observation_rows
from ._pathways import pathway_rows
from ._review import Review
from ._versions import checkin_rows, codes_of, goal_rows

__all__ = ["build_review"]

_SHARED = tuple(level for level in VISIBILITIES if level != "private")
"""The levels that share an item (``coach`` and wider): any other is private, a level
this pdkit does not know included."""


def build_review(
    collected: Collected,
    forms: Forms,
    warnings: list[str],
    read: tuple[str, ...],
    skipped: int,
    gap: float,
) -> Review:
    """The review of what was collected. Per-event work is done by numpy and pandas
    (sorting, grouping, numbering); Python loops run once per (form, field) pair and, for
    the goal and the check-ins, once per event (the versions rule)."""
    who = collected.participants
    pids, form_ids, field_ids, values, ats, specs = collected.events
    p_code, p_names = pd.factorize(objects(pids), sort=True)
    f_code, f_names = pd.factorize(objects(form_ids), sort=True)
    l_code, l_names = pd.factorize(objects(field_ids), sort=True)
    at = np.asarray(ats, dtype="float64")

    keep = np.arange(len(pids))
    if collected.overlapping:  # the same event from two sources is kept once
        as_json = [json_text(v) for v in values]
        facts = pd.DataFrame({"p": p_code, "f": f_code, "l": l_code, "at": at, "v": as_json})
        keep = np.flatnonzero(~facts.duplicated().to_numpy())
    # Per field in time order; ties keep the order of their source (lexsort is stable).
    order = keep[np.lexsort((at[keep], l_code[keep], f_code[keep], p_code[keep]))]
    p, f, fl, at = p_code[order], f_code[order], l_code[order], at[order]
    count = len(order)
    starts = np.ones(count, dtype=bool)
    starts[1:] = (p[1:] != p[:-1]) | (f[1:] != f[:-1]) | (fl[1:] != fl[:-1])
    position = np.arange(count)
    version = position - np.maximum.accumulate(np.where(starts, position, 0)) + 1
    last = np.ones(count, dtype=bool)
    last[:-1] = starts[1:]

    shown_values = objects(values)[order]
    texts = np.empty(count, dtype=object)
    labels = np.empty(count, dtype=object)
    private = np.empty(count, dtype=bool)
    pairs = f * max(len(l_names), 1) + fl
    pair_order = np.argsort(pairs, kind="stable")
    bounds = np.flatnonzero(np.diff(pairs[pair_order])) + 1
    for where in np.split(pair_order, bounds) if count else []:
        form_id, field_id = str(f_names[f[where[0]]]), str(l_names[fl[where[0]]])
        render = forms.renderer(form_id, field_id)
        picked = shown_values[where]
        listed = picked.tolist()
        if not forms.is_text(form_id, field_id):
            texts[where] = list(map(render, listed))
        elif all_text(listed):  # the common case: every answer reads as itself
            texts[where] = picked
        else:
            texts[where] = [v if type(v) is str else render(v) for v in listed]
        labels[where] = forms.label(form_id, field_id)
        private[where] = is_private(form_id, field_id)
    if collected.visibility and count:  # the teacher's own choice wins over the earlier rule
        chosen, chosen_private = _chosen(collected.visibility, p_names, f_names, p, f)
        private[chosen] = chosen_private[chosen]
    kinds = objects([forms.kind(str(name)) for name in f_names])

    # Ids as string arrays made from the few distinct ids (no per-row conversion).
    participant_ids, form_col, field_col = (
        pd.array(names, dtype=pd.StringDtype()).take(codes)
        for names, codes in ((p_names, p), (f_names, f), (l_names, fl))
    )
    spec_col = objects(specs)[order]
    versions: dict[str, Any] = {
        "participant": participant_ids,
        "form": form_col,
        "field": field_col,
        "version": version,
        "value": shown_values,
        "value_text": texts,
        "spec_version": spec_col,
        "at": at,
        "private": private,
    }
    answers: dict[str, Any] = {
        column: versions[column][last]
        for column in ("participant", "form", "field", "value", "value_text", "spec_version")
    }
    answers.update(at=at[last], kind=kinds[f[last]], private=private[last], label=labels[last])
    missing = (
        sorted(
            collected.fallback.keys()
            - set(
                zip(
                    answers["participant"].tolist(),
                    answers["form"].tolist(),
                    answers["field"].tolist(),
                    strict=True,
                )
            )
        )
        if collected.fallback
        else []
    )
    if missing:  # answers a file holds without their history
        extra = {**rows("answers"), "label": []}
        for key in missing:
            _saved_at, value, spec = collected.fallback[key]
            for column, item in zip(
                ("participant", "form", "field", "value", "value_text", "spec_version"),
                (*key, value, forms.renderer(key[1], key[2])(value), spec),
                strict=True,
            ):
                extra[column].append(item)
            extra["at"].append(math.nan)
            extra["kind"].append(forms.kind(key[1]))
            extra["label"].append(forms.label(key[1], key[2]))
            level = collected.visibility.get((key[0], key[1]))
            extra["private"].append(
                is_private(key[1], key[2]) if level is None else level not in _SHARED
            )
        answers = {
            column: np.concatenate([answers[column], objects(extra[column])])
            for column in (*COLUMNS["answers"], "label")
        }

    field_names = l_names[fl]

    def of(form_id: str) -> tuple[Any, Any, Any, Any, Any]:
        where = _positions(f_names, f, form_id)
        return p[where], at[where], field_names[where], shown_values[where], texts[where]

    marks = {pid: tuple(sorted(stamps)) for pid, stamps in collected.marks.items()}
    checkins = checkin_rows(p_names, *of(CHECKIN_FORM), gap)
    goals = goal_rows(p_names, *of(GOAL_FORM), codes_of(p_names, marks), gap)
    goals["display_name"] = [who[pid].display_name for pid in goals["participant"]]
    current = {pid: found[-1] for pid, found in collected.statuses.items() if found}
    goals["status"] = [current[pid][0] if pid in current else "" for pid in goals["participant"]]
    goals["status_at"] = [
        current[pid][1] if pid in current else math.nan for pid in goals["participant"]
    ]

    reflection = np.asarray(
        (answers["kind"] == "reflection") & (answers["form"] != CHECKIN_FORM), dtype=bool
    )
    reflections = {
        column: answers[column][reflection]
        for column in ("participant", "form", "field", "at", "private")
    }
    reflections["text"] = answers["value_text"][reflection]
    reflections["label"] = answers["label"][reflection]

    return Review(
        participants=frame(
            "participants",
            {
                "participant": list(who),
                "display_name": [w.display_name for w in who.values()],
                "session": [w.session for w in who.values()],
                "source": [w.source for w in who.values()],
            },
        ),
        answers=frame("answers", answers),
        versions=frame("versions", versions),
        goals=frame("goals", goals),
        reflections=frame("reflections", reflections),
        checkins=frame("checkins", checkins),
        notes=frame("notes", _note_rows(collected)),
        feedback=frame("feedback", _feedback_rows(collected)),
        comments=frame("comments", _comment_rows(collected)),
        kept_private=frame("kept_private", _kept_rows(collected, forms)),
        goal_statuses=frame("goal_statuses", _status_rows(collected)),
        checkin_plans=frame("checkin_plans", _plan_rows(collected)),
        evidence=frame("evidence", _evidence_rows(collected)),
        observations=frame("observations", observation_rows(collected.observations)),
        pathways=frame("pathways", pathway_rows(collected.pathways)),
        warnings=warnings,
        read=read,
        skipped=skipped,
        sitting_gap=gap,
        goal_fields=_goal_fields(forms),
        revision_marks=marks,
    )


def _chosen(
    visibility: dict[tuple[str, str], str],
    p_names: np.ndarray[Any, Any],
    f_names: np.ndarray[Any, Any],
    p: np.ndarray[Any, Any],
    f: np.ndarray[Any, Any],
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """For each event (participant code ``p``, form code ``f``): whether its item has a
    level the teacher chose, and whether that level is private (any level but
    ``coach`` and wider: one this pdkit does not know too). One lookup per item, not
    per event."""
    p_at = {name: code for code, name in enumerate(p_names.tolist())}
    f_at = {name: code for code, name in enumerate(f_names.tolist())}
    width = max(len(f_names), 1)
    keys: list[int] = []
    flags: list[bool] = []
    for (pid, form_id), level in visibility.items():
        a, b = p_at.get(pid), f_at.get(form_id)
        if a is not None and b is not None:
            keys.append(a * width + b)
            flags.append(level not in _SHARED)
    if not keys:
        return np.zeros(len(p), dtype=bool), np.zeros(len(p), dtype=bool)
    order = np.argsort(np.asarray(keys, dtype=np.int64))
    known, private = np.asarray(keys, dtype=np.int64)[order], np.asarray(flags, dtype=bool)[order]
    item = p.astype(np.int64) * width + f
    at = np.minimum(np.searchsorted(known, item), len(known) - 1)
    return known[at] == item, private[at]


def _positions(names: np.ndarray[Any, Any], codes: np.ndarray[Any, Any], name: str) -> Any:
    """Where ``codes`` (of ``names``) are ``name``."""
    found = np.flatnonzero(names == name)
    return np.flatnonzero(codes == found[0]) if len(found) else np.arange(0)


def _goal_fields(forms: Forms) -> tuple[tuple[str, str], ...]:
    form = forms.get(GOAL_FORM)
    return tuple((f.id, f.label) for f in form.fields) if form is not None else ()


def _note_rows(collected: Collected) -> dict[str, list[Any]]:
    runs, groups, steps, roles, fields, values, ats, specs, pids = collected.notes
    kept: Iterable[int] = range(len(runs))
    if collected.overlapping:  # the same note from two sources is kept once
        first: dict[tuple[str, str, str, str, float, str], int] = {}
        as_json = map(json_text, values)
        for i, fact in enumerate(zip(runs, steps, pids, fields, ats, as_json, strict=True)):
            first.setdefault(fact, i)
        kept = first.values()
    order = sorted(kept, key=ats.__getitem__)
    return {
        "run": [runs[i] for i in order],
        "group": [groups[i] for i in order],
        "step": [steps[i] for i in order],
        "role": [roles[i] for i in order],
        "participant": [pids[i] for i in order],
        "field": [fields[i] for i in order],
        "value": [values[i] for i in order],
        "text": [plain_text(values[i]) for i in order],
        "spec_version": [specs[i] for i in order],
        "at": [ats[i] for i in order],
        "private": [True] * len(order),
    }


def _feedback_rows(collected: Collected) -> dict[str, list[Any]]:
    found = rows("feedback")
    for giver, target, form_id, category, text, at, helpful in sorted(
        collected.feedback.values(), key=lambda item: item[5]
    ):
        for column, value in (
            ("giver", giver),
            ("target", target),
            ("form", form_id),
            ("category", category),
            ("text", text),
            ("at", at),
            ("helpful", helpful),
            ("private", True),
        ):
            found[column].append(value)
    return found


def _comment_rows(collected: Collected) -> dict[str, list[Any]]:
    found = rows("comments")
    for (pid, coach, text, at), source in sorted(
        collected.comments.items(), key=lambda item: item[0][3]
    ):
        for column, value in (
            ("participant", pid),
            ("coach", coach),
            ("text", text),
            ("at", at),
            ("source", source),
        ):
            found[column].append(value)
    return found


def _kept_rows(collected: Collected, forms: Forms) -> dict[str, list[Any]]:
    found = rows("kept_private")
    for (pid, form_id), level in sorted(collected.withheld.items()):
        if pid not in collected.participants:
            continue
        for column, value in (
            ("participant", pid),
            ("form", form_id),
            ("kind", forms.kind(form_id)),
            ("visibility", level),
        ):
            found[column].append(value)
    return found


def _status_rows(collected: Collected) -> dict[str, list[Any]]:
    found = rows("goal_statuses")
    for pid, statuses in collected.statuses.items():
        for status, at, by, note in statuses:
            for column, value in (
                ("participant", pid),
                ("status", status),
                ("at", at),
                ("by", by),
                ("note", note),
            ):
                found[column].append(value)
    return found


def _plan_rows(collected: Collected) -> dict[str, list[Any]]:
    found = rows("checkin_plans")
    for pid, (done, overdue, due, state) in collected.plans.items():
        for column, value in (
            ("participant", pid),
            ("done", done),
            ("overdue", overdue),
            ("next_due", due),
            ("next_state", state),
        ):
            found[column].append(value)
    return found


_EVIDENCE = (
    "participant",
    "version",
    "kind",
    "caption",
    "link",
    "text",
    "made_on",
    "student_data",
    "visibility",
    "checkin",
    "goal_version",
)


def _evidence_rows(collected: Collected) -> dict[str, list[Any]]:
    """The newest version of each evidence item, not withdrawn, of the participants read."""
    found = rows("evidence")
    ordered = sorted(collected.evidence.items(), key=lambda item: (item[1][0], item[1][-1]))
    for item_id, fact in ordered:
        if fact[-2] or fact[0] not in collected.participants:
            continue  # withdrawn
        found["item"].append(item_id)
        found["at"].append(fact[-1])
        for column, value in zip(_EVIDENCE, fact, strict=False):
            found[column].append(value)
    return found
