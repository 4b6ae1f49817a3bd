"""The store's tables, written once for every database (a dialect fills in its words).

Version 4 adds, on SQLite, the indexes that PostgreSQL stores had from the start (a
session's participants, groups and runs, and the groups a participant is in); version 5
adds ``key_attempts`` (recent tries at facilitator keys, counted for every kernel of a
server: :mod:`._keys`); version 6 adds the weeks after a session: check-in schedules,
comments between teachers and coaches, goal statuses, contacts for reminders and the
log of reminders sent, more resume links for a participant (a reminder's link), and
the sessions each person attended (one person, one goal history, many sessions)
(:mod:`._sql_follow`, :mod:`._sql_base`). Up to 6 every change only added tables and
indexes, so creating what is missing upgrades. Version 7 adds protocol rounds: a run's
rounds, current round and skipped steps, the roles of each round (``run_turns``), the
round of each note, a log of every change of a run (``run_events``: the fidelity
report), and when a piece of feedback was answered by a revision of the goal; the new
columns of existing tables are added by :data:`UPGRADES`; and the agenda of the day:
``agenda_state`` (the part of each session's agenda the facilitator has the room on,
with a version for optimistic updates) and ``agenda_events`` (every change of part,
with its time) (:mod:`._sql_agenda`). Version 8 adds the anonymous session evaluation:
``evaluation_answers`` (one row per answer sheet, keyed by a random id, with no
participant, token or time, and on SQLite without a rowid) and ``evaluation_done`` (who
has answered, with no answer and no time) (:mod:`._sql_evaluation`). Version 9 adds the
evidence log: ``evidence``, every version of every item a teacher keeps as evidence for
their goal, append-only (:mod:`._sql_evidence`); and observations of teaching: teachers'
invitations to colleagues to observe them (``observation_invites``), the observations
(``observations``), what the observer wrote in each, append-only
(``observation_notes``), and how the teacher shares each with their coach
(``observation_shares``) (:mod:`._sql_observe`). Version 10 adds teachers' pathways:
``pathway_choices`` (the pathway each teacher follows, a log: the latest counts) and
``pathway_ticks`` (each tick and untick of a step of a pathway, with its link and note,
a log: the latest per pathway and step counts) (:mod:`._sql_pathways`), and
micro-credentials: ``credential_submissions`` (a teacher's submission for one
micro-credential), its assessors (``credential_assessors``, fixed when it is first
submitted), every version the teacher submitted, append-only (``credential_versions``:
the items included and a statement per requirement, as JSON), the assessors' decisions,
one per version (``credential_reviews``: rubric scores, award or return, comments) and
the credential issued on an award (``credential_awards``: the signed Open Badges 3.0
VC-JWT) (:mod:`._sql_credentials`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

__all__ = ["SCHEMA", "SCHEMA_VERSION", "TABLES", "UPGRADES", "schema_statements"]

SCHEMA_VERSION = 10
"""The version of the tables below (answers, groups, runs, notes, sharing, sessions, key
attempts, follow-up, agendas, the session evaluation, evidence, observations, pathways,
micro-credentials)."""

TABLES = (
    "pdkit_meta",
    "participants",
    "responses",
    "groups",
    "group_members",
    "runs",
    "run_members",
    "notes",
    "visibility",
    "coaching",
    "feedback",
    "revisions",
    "sessions",
    "key_attempts",
    "checkin_schedules",
    "comments",
    "goal_status",
    "contacts",
    "reminders",
    "link_tokens",
    "attendance",
    "run_turns",
    "run_events",
    "agenda_state",
    "agenda_events",
    "evaluation_answers",
    "evaluation_done",
    "evidence",
    "observation_invites",
    "observations",
    "observation_notes",
    "observation_shares",
    "pathway_choices",
    "pathway_ticks",
    "credential_submissions",
    "credential_assessors",
    "credential_versions",
    "credential_reviews",
    "credential_awards",
)
"""pdkit's tables (a database that has some of them without ``pdkit_meta`` is refused)."""

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS pdkit_meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS participants (
        id TEXT PRIMARY KEY,{ord_column}
        session TEXT NOT NULL,
        display_name TEXT NOT NULL,
        role TEXT NOT NULL,
        external_id TEXT UNIQUE,
        token_hash TEXT UNIQUE,
        created_at {time} NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS participants_by_session ON participants"
    " (session, created_at{by_ord})",
    """CREATE TABLE IF NOT EXISTS responses (
        seq {serial},
        session TEXT NOT NULL,
        participant TEXT NOT NULL REFERENCES participants(id),
        form TEXT NOT NULL,
        field TEXT NOT NULL,
        value TEXT NOT NULL,
        at {time} NOT NULL,
        spec_version TEXT NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS responses_by_field ON responses (participant, form, field, seq)",
    """CREATE TABLE IF NOT EXISTS groups (
        id TEXT PRIMARY KEY,{ord_column}
        session TEXT NOT NULL,
        name TEXT NOT NULL,
        created_at {time} NOT NULL,
        dissolved_at {time}
    )""",
    "CREATE INDEX IF NOT EXISTS groups_by_session ON groups (session{by_ord})",
    """CREATE TABLE IF NOT EXISTS group_members (
        group_id TEXT NOT NULL REFERENCES groups(id),
        participant TEXT NOT NULL REFERENCES participants(id),
        position INTEGER NOT NULL,
        PRIMARY KEY (group_id, participant)
    )""",
    "CREATE INDEX IF NOT EXISTS group_members_by_participant ON group_members (participant)",
    """CREATE TABLE IF NOT EXISTS runs (
        id TEXT PRIMARY KEY,{ord_column}
        session TEXT NOT NULL,
        protocol TEXT NOT NULL,
        spec_version TEXT NOT NULL,
        roles TEXT NOT NULL,
        step INTEGER NOT NULL,
        status TEXT NOT NULL,
        started_at {time} NOT NULL,
        allotted {time} NOT NULL,
        used {time} NOT NULL,
        version INTEGER NOT NULL,
        created_at {time} NOT NULL,
        rounds INTEGER NOT NULL DEFAULT 1,
        round INTEGER NOT NULL DEFAULT 0,
        skipped TEXT NOT NULL DEFAULT '[]'
    )""",
    "CREATE INDEX IF NOT EXISTS runs_by_session ON runs (session, created_at{by_ord})",
    """CREATE TABLE IF NOT EXISTS run_members (
        run TEXT NOT NULL REFERENCES runs(id),
        participant TEXT NOT NULL REFERENCES participants(id),
        group_id TEXT NOT NULL,
        role TEXT NOT NULL,
        PRIMARY KEY (run, participant)
    )""",
    "CREATE INDEX IF NOT EXISTS run_members_by_participant ON run_members (participant, run)",
    """CREATE TABLE IF NOT EXISTS notes (
        seq {serial},
        run TEXT NOT NULL REFERENCES runs(id),
        group_id TEXT NOT NULL,
        step TEXT NOT NULL,
        role TEXT NOT NULL,
        participant TEXT NOT NULL REFERENCES participants(id),
        field TEXT NOT NULL,
        value TEXT NOT NULL,
        at {time} NOT NULL,
        spec_version TEXT NOT NULL,
        round INTEGER NOT NULL DEFAULT 0
    )""",
    "CREATE INDEX IF NOT EXISTS notes_by_step ON notes (run, step, participant, field, seq)",
    """CREATE TABLE IF NOT EXISTS visibility (
        seq {serial},
        participant TEXT NOT NULL REFERENCES participants(id),
        form TEXT NOT NULL,
        level TEXT NOT NULL,
        at {time} NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS visibility_by_item ON visibility (form, participant, seq)",
    """CREATE TABLE IF NOT EXISTS coaching (
        coach TEXT NOT NULL REFERENCES participants(id),
        teacher TEXT NOT NULL REFERENCES participants(id),
        at {time} NOT NULL,
        PRIMARY KEY (coach, teacher)
    )""",
    """CREATE TABLE IF NOT EXISTS feedback (
        id TEXT PRIMARY KEY,
        session TEXT NOT NULL,
        giver TEXT NOT NULL REFERENCES participants(id),
        owner TEXT NOT NULL REFERENCES participants(id),
        form TEXT NOT NULL,
        category TEXT NOT NULL,
        text TEXT NOT NULL,
        at {time} NOT NULL,
        run TEXT,
        helpful INTEGER,
        marked_at {time},
        answered_at {time}
    )""",
    "CREATE INDEX IF NOT EXISTS feedback_by_owner ON feedback (owner, form, at)",
    "CREATE INDEX IF NOT EXISTS feedback_by_giver ON feedback (giver, at)",
    """CREATE TABLE IF NOT EXISTS revisions (
        seq {serial},
        participant TEXT NOT NULL REFERENCES participants(id),
        form TEXT NOT NULL,
        at {time} NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS sessions (
        id TEXT PRIMARY KEY,
        title TEXT NOT NULL,
        join_code TEXT NOT NULL UNIQUE,
        school_goals TEXT NOT NULL,
        created_at {time} NOT NULL,
        key_hash TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS key_attempts (
        seq {serial},
        session TEXT NOT NULL,
        at {time} NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS key_attempts_by_session ON key_attempts (session, at)",
    """CREATE TABLE IF NOT EXISTS checkin_schedules (
        session TEXT PRIMARY KEY,
        starts TEXT NOT NULL,
        dates TEXT NOT NULL,
        at {time} NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS comments (
        seq {serial},
        id TEXT NOT NULL UNIQUE,
        teacher TEXT NOT NULL REFERENCES participants(id),
        author TEXT NOT NULL REFERENCES participants(id),
        form TEXT NOT NULL,
        text TEXT NOT NULL,
        at {time} NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS comments_by_teacher ON comments (teacher, seq)",
    """CREATE TABLE IF NOT EXISTS goal_status (
        seq {serial},
        participant TEXT NOT NULL REFERENCES participants(id),
        form TEXT NOT NULL,
        status TEXT NOT NULL,
        by_participant TEXT,
        note TEXT NOT NULL,
        at {time} NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS goal_status_by_item ON goal_status (participant, form, seq)",
    """CREATE TABLE IF NOT EXISTS contacts (
        participant TEXT PRIMARY KEY REFERENCES participants(id),
        email TEXT NOT NULL,
        consent_at {time} NOT NULL,
        opted_out_at {time}
    )""",
    """CREATE TABLE IF NOT EXISTS reminders (
        participant TEXT NOT NULL REFERENCES participants(id),
        due TEXT NOT NULL,
        channel TEXT NOT NULL,
        state TEXT NOT NULL,
        at {time} NOT NULL,
        PRIMARY KEY (participant, due, channel)
    )""",
    """CREATE TABLE IF NOT EXISTS link_tokens (
        token_hash TEXT PRIMARY KEY,
        participant TEXT NOT NULL REFERENCES participants(id),
        purpose TEXT NOT NULL,
        at {time} NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS attendance (
        participant TEXT NOT NULL REFERENCES participants(id),
        session TEXT NOT NULL,
        joined_at {time} NOT NULL,
        PRIMARY KEY (participant, session)
    )""",
    "CREATE INDEX IF NOT EXISTS attendance_by_session ON attendance (session, joined_at)",
    """CREATE TABLE IF NOT EXISTS run_turns (
        run TEXT NOT NULL REFERENCES runs(id),
        round INTEGER NOT NULL,
        participant TEXT NOT NULL REFERENCES participants(id),
        group_id TEXT NOT NULL,
        role TEXT NOT NULL,
        position INTEGER NOT NULL,
        PRIMARY KEY (run, round, participant)
    )""",
    """CREATE TABLE IF NOT EXISTS run_events (
        seq {serial},
        run TEXT NOT NULL REFERENCES runs(id),
        at {time} NOT NULL,
        step INTEGER NOT NULL,
        round INTEGER NOT NULL,
        status TEXT NOT NULL,
        allotted {time} NOT NULL,
        used {time} NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS run_events_by_run ON run_events (run, seq)",
    """CREATE TABLE IF NOT EXISTS agenda_state (
        session TEXT NOT NULL,
        agenda TEXT NOT NULL,
        part INTEGER NOT NULL,
        version INTEGER NOT NULL,
        changed_at {time} NOT NULL,
        PRIMARY KEY (session, agenda)
    )""",
    """CREATE TABLE IF NOT EXISTS agenda_events (
        seq {serial},
        session TEXT NOT NULL,
        agenda TEXT NOT NULL,
        part INTEGER NOT NULL,
        previous INTEGER,
        at {time} NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS agenda_events_by_agenda ON agenda_events (session, agenda, seq)",
    # The session evaluation is anonymous by construction (:mod:`._sql_evaluation`): no
    # participant, token or time, a random key, and no rowid or serial that keeps order.
    """CREATE TABLE IF NOT EXISTS evaluation_answers (
        id TEXT PRIMARY KEY,
        session TEXT NOT NULL,
        form TEXT NOT NULL,
        spec_version TEXT NOT NULL,
        answers TEXT NOT NULL
    ){no_rowid}""",
    """CREATE TABLE IF NOT EXISTS evaluation_done (
        session TEXT NOT NULL,
        form TEXT NOT NULL,
        participant TEXT NOT NULL REFERENCES participants(id),
        PRIMARY KEY (session, form, participant)
    ){no_rowid}""",
    """CREATE TABLE IF NOT EXISTS evidence (
        seq {serial},
        id TEXT NOT NULL,
        teacher TEXT NOT NULL REFERENCES participants(id),
        version INTEGER NOT NULL,
        kind TEXT NOT NULL,
        caption TEXT NOT NULL,
        link TEXT NOT NULL,
        text TEXT NOT NULL,
        made_on TEXT NOT NULL,
        student_data INTEGER NOT NULL,
        visibility TEXT NOT NULL,
        checkin INTEGER,
        checkin_at {time},
        goal_version INTEGER NOT NULL,
        withdrawn INTEGER NOT NULL,
        added_at {time} NOT NULL,
        at {time} NOT NULL,
        UNIQUE (id, version)
    )""",
    "CREATE INDEX IF NOT EXISTS evidence_by_teacher ON evidence (teacher, id, seq)",
    """CREATE TABLE IF NOT EXISTS observation_invites (
        seq {serial},
        teacher TEXT NOT NULL REFERENCES participants(id),
        peer TEXT NOT NULL REFERENCES participants(id),
        state TEXT NOT NULL,
        at {time} NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS observation_invites_by_teacher"
    " ON observation_invites (teacher, peer, seq)",
    "CREATE INDEX IF NOT EXISTS observation_invites_by_peer ON observation_invites (peer, seq)",
    """CREATE TABLE IF NOT EXISTS observations (
        id TEXT PRIMARY KEY,
        teacher TEXT NOT NULL REFERENCES participants(id),
        observer TEXT NOT NULL REFERENCES participants(id),
        goal_version INTEGER,
        created_at {time} NOT NULL,
        sent_at {time}
    )""",
    "CREATE INDEX IF NOT EXISTS observations_by_teacher ON observations (teacher, created_at)",
    "CREATE INDEX IF NOT EXISTS observations_by_observer ON observations (observer, created_at)",
    """CREATE TABLE IF NOT EXISTS observation_notes (
        seq {serial},
        observation TEXT NOT NULL REFERENCES observations(id),
        field TEXT NOT NULL,
        value TEXT NOT NULL,
        at {time} NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS observation_notes_by_observation"
    " ON observation_notes (observation, seq)",
    """CREATE TABLE IF NOT EXISTS observation_shares (
        seq {serial},
        observation TEXT NOT NULL REFERENCES observations(id),
        level TEXT NOT NULL,
        at {time} NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS observation_shares_by_observation"
    " ON observation_shares (observation, seq)",
    """CREATE TABLE IF NOT EXISTS pathway_choices (
        seq {serial},
        participant TEXT NOT NULL REFERENCES participants(id),
        pathway TEXT NOT NULL,
        at {time} NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS pathway_choices_by_participant"
    " ON pathway_choices (participant, seq)",
    """CREATE TABLE IF NOT EXISTS pathway_ticks (
        seq {serial},
        participant TEXT NOT NULL REFERENCES participants(id),
        pathway TEXT NOT NULL,
        step TEXT NOT NULL,
        done INTEGER NOT NULL,
        link TEXT NOT NULL,
        note TEXT NOT NULL,
        at {time} NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS pathway_ticks_by_step"
    " ON pathway_ticks (participant, pathway, step, seq)",
    """CREATE TABLE IF NOT EXISTS credential_submissions (
        id TEXT PRIMARY KEY,
        teacher TEXT NOT NULL REFERENCES participants(id),
        credential TEXT NOT NULL,
        spec_version TEXT NOT NULL,
        title TEXT NOT NULL,
        created_at {time} NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS credential_submissions_by_teacher"
    " ON credential_submissions (teacher, created_at)",
    """CREATE TABLE IF NOT EXISTS credential_assessors (
        submission TEXT NOT NULL REFERENCES credential_submissions(id),
        assessor TEXT NOT NULL REFERENCES participants(id),
        PRIMARY KEY (submission, assessor)
    )""",
    "CREATE INDEX IF NOT EXISTS credential_assessors_by_assessor"
    " ON credential_assessors (assessor)",
    """CREATE TABLE IF NOT EXISTS credential_versions (
        seq {serial},
        submission TEXT NOT NULL REFERENCES credential_submissions(id),
        version INTEGER NOT NULL,
        items TEXT NOT NULL,
        statements TEXT NOT NULL,
        at {time} NOT NULL,
        UNIQUE (submission, version)
    )""",
    """CREATE TABLE IF NOT EXISTS credential_reviews (
        seq {serial},
        submission TEXT NOT NULL REFERENCES credential_submissions(id),
        version INTEGER NOT NULL,
        assessor TEXT NOT NULL REFERENCES participants(id),
        decision TEXT NOT NULL,
        scores TEXT NOT NULL,
        comment TEXT NOT NULL,
        at {time} NOT NULL,
        UNIQUE (submission, version)
    )""",
    """CREATE TABLE IF NOT EXISTS credential_awards (
        submission TEXT PRIMARY KEY REFERENCES credential_submissions(id),
        token TEXT NOT NULL,
        issued_at {time} NOT NULL
    )""",
)
"""Every table and index, with the words that differ left as ``{serial}`` (a growing
integer key), ``{time}`` (seconds since the epoch, a float), ``{ord_column}`` (an
explicit order column where the database has no ``rowid``), ``{by_ord}`` (that column
in an index) and ``{no_rowid}`` (a table kept without the hidden row number that records
insertion order, where the database has one). Values are JSON *text* in both databases:
PostgreSQL's JSONB would reorder keys and refuse ``\\u0000``, and answers must come back
exactly as written."""


UPGRADES: tuple[tuple[str, str, str], ...] = (
    ("runs", "rounds", "INTEGER NOT NULL DEFAULT 1"),
    ("runs", "round", "INTEGER NOT NULL DEFAULT 0"),
    ("runs", "skipped", "TEXT NOT NULL DEFAULT '[]'"),
    ("notes", "round", "INTEGER NOT NULL DEFAULT 0"),
    ("feedback", "answered_at", "{time}"),
)
"""Columns added to tables an older store may already have: (table, column, its type).
An older store that has the table without the column gets it, before the tables and
indexes that are missing are created (with it)."""


def schema_statements(words: Mapping[str, str]) -> Iterator[str]:
    """The statements of :data:`SCHEMA` in a dialect's words."""
    for statement in SCHEMA:
        yield statement.format(**words)
