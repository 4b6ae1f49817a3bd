"""The one implementation of :class:`pdkit.store.Store` in SQL, over any dialect.

Every query is written once, in the parts of the SQL layer (:mod:`._sql_base`,
:mod:`._sql_items`, :mod:`._sql_feedback`, :mod:`._sql_runs`, :mod:`._sql_sessions`,
:mod:`._sql_follow`, :mod:`._sql_agenda`, :mod:`._sql_evaluation`, :mod:`._sql_evidence`,
:mod:`._sql_observe`, :mod:`._sql_pathways`, :mod:`._sql_credentials`, :mod:`._sql_records`);
SQLite and PostgreSQL differ only in their dialect (:mod:`._sqlite`, :mod:`._postgres`).
"""

from __future__ import annotations

from ._sql_agenda import AgendaSQL
from ._sql_evaluation import EvaluationSQL
from ._sql_evidence import EvidenceSQL
from ._sql_feedback import FeedbackSQL
from ._sql_follow import FollowUpSQL
from ._sql_pathways import PathwaysSQL
from ._sql_records import RecordsSQL
from ._sql_runs import RunsSQL

__all__ = ["SQLStore"]


class SQLStore(
    EvidenceSQL,
    FollowUpSQL,
    FeedbackSQL,
    RunsSQL,
    AgendaSQL,
    EvaluationSQL,
    RecordsSQL,
    PathwaysSQL,
):
    """A store in a SQL database, reached through a :class:`~._dialect.Dialect`.

    Writes are append-only and each call is one transaction; values are stored as the
    JSON text they were written as, so they come back exactly.
    """
