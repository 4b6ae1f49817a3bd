"""The coach's view: saved workbooks or a store → tidy pandas DataFrames (``pdkit review``).

::

    from pdkit import review

    r = review.load("collected/")                  # a folder of saved .ipynb workbooks
    r = review.load(["a.ipynb", "more/"])          # files and folders
    r = review.load("sqlite:////srv/pdkit/spring.sqlite3")   # or the session's store
    r.goals                                        # one row per teacher's goal
    r.warnings                                     # every file skipped, and why

This package and :mod:`pdkit.report` are the only ones that import pandas: a
participant's kernel never loads them. Inside, :func:`load` is a short pipeline:
``_sources`` (what each source is) → ``_collect`` (facts as columns) → ``_forms``
(labels and how answers read) → ``_build`` (the frames, ``_versions`` for goals and
check-ins); ``_frames`` declares every frame's columns. :mod:`.tables` holds a
session's tables for its facilitator; :func:`rollup` (``_rollup``) the district's
figures per session and school goal, suppressed below 5 people.

Sources
-------
A *source* is a saved workbook (``.ipynb``), a folder (every ``*.ipynb`` below it,
``.ipynb_checkpoints`` excluded), a store URL (``sqlite:///…``, ``postgresql://…``; a
plain path ending in ``.sqlite3``, ``.sqlite`` or ``.db`` too), an open
:class:`pdkit.store.Store`, or a list of these. A store lists participants per session
and keeps answers per form, so a store is read for ``session`` and for the built-in
forms and reflections plus those given in ``definitions``; files are read whatever
their session. The same facts found twice (two downloads of one workbook, a file and
the store) are kept once; the current answer is always the latest event.

A batch never stops on a bad file: a foreign notebook, another nbformat version,
broken JSON, a notebook without pdkit data, a newer saved format, a damaged saved
block, a file too large (over 20 MiB), too deeply nested, not UTF-8, not a regular
file (a FIFO, a device) or that cannot be read is skipped with a warning that names it
and says why (``Review.warnings``, and ``warn(message)`` as it happens); so is a store
that cannot be opened or read, or that holds what pdkit never writes. A failure pdkit
did not foresee while reading one source skips that source too, with a warning that
says "unexpected" and what Python said.

What is checked, cheaply (:mod:`pdkit.notebooks.untrusted` has the limits): each file
is parsed once with :func:`json.loads` (by :func:`pdkit.notebooks.read_saved`) and
never validated against the nbformat schema, which costs more than all the rest and
says nothing about pdkit's own block (pdkit reads its metadata, not the cells). The
file must be a dict with ``nbformat`` 4 and a list of ``cells``;
``metadata.pdkit.saved`` must exist with a ``format`` this pdkit reads; the
participant needs an id; every value pdkit reads must be one it writes: text for ids
and labels, a time between 1970 and 2200 (what a DataFrame's time holds), an answer
without NaN or infinities nested at most 16 deep, no lone surrogate anywhere — checked
column by column in C-speed builtins, not entry by entry. One bad entry makes the
whole file count as damaged: half a teacher's history would mislead more than none. A
form id is only ever looked up among pdkit's own definitions (never as a path), and a
visibility level this pdkit does not know counts as private.

DataFrames
----------
One row per fact. Every time is ``datetime64[ns, UTC]``; texts (ids included) are the
``string`` dtype, with "" for an empty answer; numbers that may be missing are
``Int64``; :data:`COLUMNS` lists every column and its dtype. ``value`` is the answer
**as its JSON value** (``object`` dtype): text for text, date and choice fields (the
option's id), an int for a scale, a list for multi-choice and list fields — so
``answers.value == "talk"`` and ``.explode("value")`` work as you expect, and nothing
is lost. ``value_text`` (``text`` in notes and reflections) is the answer as a person
reads it: option labels instead of ids, list items numbered, one ``string`` column for
every field type. (JSON text for ``value`` was the other choice: exact too, but
``'"talk"'`` is a trap to compare with, and encoding every answer cost an eighth of the
time of a large batch.)

``participants``  participant, display_name, session, source (the file or store it
                  came from; the newest saved copy when there are several)
``answers``       participant, form, field, value, value_text, spec_version, at, kind
                  (form, reflection or ``unknown`` without a definition), private —
                  the current answer to every field
``versions``      participant, form, field, version (1, 2, … per field), value,
                  value_text, spec_version, at, private — every event of the history
``goals``         one row per teacher with a goal (form ``goal-setting``): participant,
                  display_name, school_goal (id), school_goal_label, focus, goal,
                  point_a, point_b, target_date (``datetime64[ns]``, a calendar date),
                  confidence (``Int64``, 1-4), confidence_label, action_steps,
                  versions, revisions (= versions - 1), first_set, last_change,
                  status ("" until moved: a draft; "" in files saved before
                  statuses were), status_at; the goal's measure: measure_instrument,
                  measure_unit (percent, count, score, minutes, other or ""), baseline
                  and target (``float64``: point A's and point B's numbers, NaN when
                  not given)
``goal_versions`` participant, version, at, field, label, value_text, changed (bool) —
                  the goal at the end of each version, field by field (made on first
                  use: the report needs it, most analyses do not)
``reflections``   participant, form, field, label, text, at, private — current answers to
                  reflections other than the check-in
``checkins``      participant, checkin (1, 2, …), at, progress (``Int64``, 1-5),
                  progress_label, evidence, next_step, support, measure_value
                  (``float64``: the measure's value at that check-in, NaN when not
                  given) — one row per version of the ``exit-ticket`` reflection
``notes``         run, group, step, role, participant, field, value, text, spec_version,
                  at, private — protocol notes, every event
``feedback``      giver, target (the receiver), form, category, text, at, helpful
                  (``boolean``, <NA> until the receiver marks it), private (always True:
                  feedback is between its giver and its receiver) — peer feedback
``comments``      participant, coach, text, at, source — coach comments written into
                  saved workbooks (:func:`pdkit.notebooks.add_comment`)
``kept_private``  participant, form, kind, visibility — the items a source holds that
                  the reader may not read (a store read as a viewer who may not see
                  them; a copy exported for someone else: the item's level without its
                  answers): counted, never read
``goal_statuses`` participant, status (``draft``, ``asked``, ``agreed``, ``active``,
                  ``met``, ``revised``, ``dropped``), at, by, note — every status of each
                  goal the reader may see, oldest first (from a store, and from
                  files saved with them; ``goals.status`` and ``goals.status_at`` are
                  the current one)
``checkin_plans`` participant, done, overdue (``int64``), next_due (ISO date, "" when
                  none), next_state (``due``, ``overdue`` or "") — where each teacher is
                  in their check-in schedule today (from a store; :mod:`pdkit.followup`)
``evidence``      participant, item, version, kind, caption, link, text, made_on
                  (``datetime64[ns]``), student_data, visibility (who sees it now),
                  checkin (``Int64``), goal_version, at — the newest version of each
                  evidence item the reader may see, not withdrawn (:mod:`pdkit.evidence`;
                  student data only for the teacher, their coach and the store's steward)
``observations``  participant (the observed teacher), observation, observer,
                  observer_name, day (ISO date), goal_version (``Int64``), sent_at,
                  share (``goal``, ``coach``, ``private``), look_fors, seen (``int64``),
                  general, glow, grow, source — the observations of teaching the reader
                  may read (a store's steward: those shared with the coach; a saved copy:
                  what it holds)
``pathways``      participant, pathway, step, type, required (``bool``), status (``done``,
                  ``open``, ``locked``), link, note, at, source — one row per teacher and
                  step of the pathway they follow, shared as their goal is
                  (:mod:`pdkit.pathways`; a pseudonymous copy holds only the status)

Versions
--------
Answers save as people type, so one sitting makes many events. A goal *version* (and a
*check-in*) is the state of the form at the end of a stretch of work, by the one
versions rule that the teacher's page uses too (:mod:`pdkit.revisions`): a stretch
ends after ``sitting_gap`` seconds without an edit (30 minutes by default) and, for the
goal, when the teacher starts a new version; a stretch that changes nothing is no new
version.
``versions`` keeps every raw event (``version`` numbers a field's events);
``goals.versions`` and ``goal_versions`` count versions.

Privacy
-------
What a teacher writes is theirs. Each item (a participant's answers to one form) has
the visibility the teacher chose (:mod:`pdkit.store`: ``private`` by default,
``coach``, ``group``, ``session``); ``private`` is True for an item the teacher kept
private. A store is read as ``viewer`` (default :meth:`pdkit.store.Viewer.steward`: the
session's teachers, never its coaches or facilitators; a coach, ``Viewer.of(coach_id)``,
reads their caseload, :meth:`pdkit.store.Store.coached_by`, whatever the session:
items shared at ``coach`` level or wider; ``Viewer.steward(include_private=True)``
reads everything), so private items are not even loaded unless asked for. Saved
workbooks hold the visibility of each item and it is honoured the same way (the
report leaves private text out). Protocol notes and peer feedback are always private
to the people who wrote (and received) them. Files saved before visibility existed
keep the earlier rule: the goal (form ``goal-setting``) and the check-in's progress,
evidence, next step and support are shared with the coach by design of a coaching
cycle; everything else is private.
"""

from __future__ import annotations

from ._coach import find_coach
from ._frames import COLUMNS
from ._load import load
from ._review import Review
from ._rollup import rollup, rollup_html, write_rollup
from ._versions import goal_version_rows

__all__ = [
    "COLUMNS",
    "Review",
    "find_coach",
    "goal_version_rows",
    "load",
    "rollup",
    "rollup_html",
    "write_rollup",
]
