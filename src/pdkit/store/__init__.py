"""The store: where answers live, append-only, shared by every participant's kernel.

``open_store(url)`` picks a backend by the URL's scheme:

=====================================  ==============================================
``None``                               ``$PDKIT_STORE``, else the default SQLite file
``sqlite:///relative/or/abs.sqlite3``  a SQLite file (``sqlite:////abs/path`` is absolute)
``/a/plain/path.sqlite3``              the same, without the scheme
``memory://``                          an in-memory SQLite database (tests, demos;
                                       ``:memory:``, SQLite's name, too)
``postgresql://user@host/dbname``      a PostgreSQL database (``postgres://`` too); needs
                                       the ``postgres`` extra (psycopg)
``pdkit-hub://host/services/pdkit/``   the pdkit hub service, for a teacher's kernel on a
                                       JupyterHub (``pdkit-hubs://`` over HTTPS; ``_hub``)
=====================================  ==============================================

Other schemes come from plug-ins: a distribution that declares an entry point in the
group ``pdkit.stores`` named for its scheme (``myscheme = "mypkg:open"``, where
``open(url)`` returns a :class:`Store`) is found when such a URL is first opened;
:func:`register_backend` does the same in a running program. The built-in schemes are
registered here, so opening them never scans the installed packages.

Widgets and review code depend on the :class:`Store` protocol (or one of its small
roles, such as :class:`AnswerStore`), never on a backend. Every read of what a
participant wrote takes a ``viewer`` and answers only what that viewer may see
(:mod:`pdkit.store._access`: visibility ``private`` · ``coach`` · ``group`` ·
``session``, checked here in the store, not in the widgets)::

    store.latest(me, "goal-setting", viewer=me)                 # one's own: always
    store.latest(other, "goal-setting", viewer=me)              # AccessError unless shared
    store.shared("goal-setting", viewer=me)                     # what others share with me
    store.latest(pid, "goal-setting", viewer=Viewer.steward())  # the store's holder

Inside: ``_records`` (what is kept), ``_access`` (who may see what), ``_keys``
(facilitator keys: compared in constant time, wrong tries limited), ``_interfaces``
(the protocols), ``_dialect`` (the schema, and what a database must supply),
``_sql*`` (every query, once), ``_sqlite`` and ``_postgres`` (the two dialects).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import cast

from ..errors import StoreError
from ..i18n import N_
from ._access import DEFAULT_VISIBILITY, VISIBILITIES, Viewer, ViewerLike
from ._interfaces import (
    AgendaStore,
    AnswerStore,
    CoachingStore,
    CredentialStore,
    EvaluationStore,
    EvidenceStore,
    FeedbackStore,
    FollowUpStore,
    GroupStore,
    ObservationStore,
    PathwayStore,
    PeopleStore,
    RunStore,
    SessionStore,
    SharingStore,
    Store,
)
from ._keys import SERVER_LOCKOUT, KeyAttempt, KeyLockout, same_key
from ._records import (
    CODE_ALPHABET,
    DEFAULT_SESSION,
    AgendaEvent,
    AgendaState,
    CheckinSchedule,
    Comment,
    Contact,
    EvaluationSheet,
    EvidenceItem,
    Feedback,
    GoalStatus,
    Group,
    JSONValue,
    NoteEvent,
    Observation,
    ObservationInvite,
    Participant,
    ResponseEvent,
    Run,
    RunEvent,
    Session,
    SharedItem,
    Status,
    normalize_code,
    token_hash,
)
from ._signal import RunSignal
from ._sql_follow import check_email
from ._sqlite import SQLiteStore
from ._text import MAX_LINE_CHARS, tidy_line
from ._urls import STORE_ENV, default_store_path, redact_url, resolve_store_url

__all__ = [
    "CODE_ALPHABET",
    "DEFAULT_SESSION",
    "DEFAULT_VISIBILITY",
    "ENTRY_POINT_GROUP",
    "MAX_LINE_CHARS",
    "SERVER_LOCKOUT",
    "STORE_ENV",
    "VISIBILITIES",
    "AgendaEvent",
    "AgendaState",
    "AgendaStore",
    "AnswerStore",
    "CheckinSchedule",
    "CoachingStore",
    "Comment",
    "Contact",
    "CredentialStore",
    "EvaluationSheet",
    "EvaluationStore",
    "EvidenceItem",
    "EvidenceStore",
    "Feedback",
    "FeedbackStore",
    "FollowUpStore",
    "GoalStatus",
    "Group",
    "GroupStore",
    "JSONValue",
    "KeyAttempt",
    "KeyLockout",
    "NoteEvent",
    "Observation",
    "ObservationInvite",
    "ObservationStore",
    "Participant",
    "PathwayStore",
    "PeopleStore",
    "ResponseEvent",
    "Run",
    "RunEvent",
    "RunSignal",
    "RunStore",
    "SQLiteStore",
    "Session",
    "SessionStore",
    "SharedItem",
    "SharingStore",
    "Status",
    "Store",
    "Viewer",
    "ViewerLike",
    "check_email",
    "default_store_path",
    "display_names",
    "normalize_code",
    "open_store",
    "register_backend",
    "resolve_store_url",
    "same_key",
    "tidy_line",
    "token_hash",
]

ENTRY_POINT_GROUP = "pdkit.stores"
"""The entry-point group of store backends from other distributions (name = scheme)."""

Opener = Callable[[str], Store]

_BACKENDS: dict[str, Opener] = {}


def register_backend(scheme: str, factory: Opener) -> None:
    """Make ``open_store`` hand URLs of ``scheme://…`` to ``factory(url)``."""
    _BACKENDS[scheme] = factory


def _open_sqlite(url: str) -> Store:
    return SQLiteStore(url.removeprefix("sqlite:///"))


def _open_memory(url: str) -> Store:
    return SQLiteStore(":memory:")


def _open_postgres(url: str) -> Store:
    # Imported here, not above: a participant on SQLite never loads a database driver.
    from ._postgres import PostgresStore

    return PostgresStore(url)


def _open_hub(url: str) -> Store:
    from ._hub import HubStore  # the standard library only: light on a page's start

    return cast(Store, HubStore(url))


register_backend("sqlite", _open_sqlite)
register_backend("memory", _open_memory)
register_backend("postgresql", _open_postgres)
register_backend("postgres", _open_postgres)
register_backend("pdkit-hub", _open_hub)
register_backend("pdkit-hubs", _open_hub)


def _plugged(scheme: str) -> Opener | None:
    """The backend for ``scheme`` from an installed distribution's entry point, if any
    (read only for schemes that are not registered: a scan of the installed packages)."""
    from importlib.metadata import entry_points

    for entry in entry_points(group=ENTRY_POINT_GROUP):
        if entry.name == scheme:
            try:
                factory: Opener = entry.load()
            except Exception as exc:  # a broken plug-in: say which, do not crash the page
                raise StoreError(
                    N_("the store backend for {scheme}:// ({entry}) cannot be loaded: {reason}"),
                    scheme=scheme,
                    entry=entry.value,
                    reason=str(exc),
                ) from None
            register_backend(scheme, factory)
            return factory
    return None


def _known_schemes() -> Iterable[str]:
    from importlib.metadata import entry_points

    return sorted({*_BACKENDS, *(e.name for e in entry_points(group=ENTRY_POINT_GROUP))})


def open_store(url: str | os.PathLike[str] | None = None, *, create: bool = True) -> Store:
    """Open the store at ``url`` (see the module docs for the forms it takes). With
    ``create=False`` a SQLite file must exist already: reading a store never makes one.

    Raises :class:`pdkit.StoreError` when the URL's scheme is unknown or the store
    cannot be opened.
    """
    resolved = resolve_store_url(url)
    if not create and resolved.startswith("sqlite:///"):
        file = Path(resolved.removeprefix("sqlite:///"))
        try:
            found = file.is_file()
        except OSError as exc:  # a name too long, a path through a file …
            raise StoreError(
                N_("cannot open the store {store}: {reason}"),
                store=file,
                reason=exc.strerror or str(exc),
            ) from None
        if not found:
            raise StoreError(
                N_("no store at {store}: check where it is (--store or $PDKIT_STORE)"), store=file
            )
    scheme = resolved.partition("://")[0]
    factory = _BACKENDS.get(scheme) or _plugged(scheme)
    if factory is None:
        known = ", ".join(f"{s}://" for s in _known_schemes())
        raise StoreError(
            N_("no store backend for {scheme}:// (in {url!r}); known: {known}."),
            scheme=scheme,
            url=redact_url(resolved),
            known=known,
        )
    return factory(resolved)


def display_names(store: PeopleStore, ids: Iterable[str]) -> dict[str, str]:
    """Each participant's display name ("?" for one the store does not know)."""
    names = {}
    for pid in ids:
        person = store.get_participant(pid)
        names[pid] = person.display_name if person is not None else "?"
    return names
