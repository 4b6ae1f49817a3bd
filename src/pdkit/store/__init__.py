"""The store: where answers live, append-only, shared by every participant's kernel.

``open_store(url)`` picks a backend by the URL's scheme:

=====================================  ==============================================
``None``                               ``$PDKIT_STORE``, else the default SQLite file
``sqlite:///relative/or/abs.sqlite3``  a SQLite file (``sqlite:////abs/path`` is absolute)
``/a/plain/path.sqlite3``              the same, without the scheme
``memory://``                          an in-memory SQLite database (tests, demos)
``postgresql://user@host/dbname``      a PostgreSQL database (``postgres://`` too); needs
                                       the ``postgres`` extra (psycopg)
=====================================  ==============================================

Widgets and review code depend on the :class:`Store` protocol, never on a backend.

Every read of what a participant wrote takes a ``viewer`` and answers only what that
viewer may see (:mod:`pdkit.store._access`: visibility ``private`` · ``coach`` ·
``group`` · ``session``, checked here in the store, not in the widgets)::

    store.latest(me, "goal-setting", viewer=me)                 # one's own: always
    store.latest(other, "goal-setting", viewer=me)              # AccessError unless shared
    store.shared("goal-setting", viewer=me)                     # what others share with me
    store.latest(pid, "goal-setting", viewer=Viewer.steward())  # the store's holder
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from ..errors import StoreError
from ._access import VISIBILITIES, Feedback, SharedItem, Viewer, ViewerLike
from ._base import (
    DEFAULT_SESSION,
    Group,
    JSONValue,
    NoteEvent,
    Participant,
    ResponseEvent,
    Run,
    Store,
    token_hash,
)
from ._sessions import CODE_ALPHABET, Session, Status, normalize_code
from ._sqlite import SQLiteStore

__all__ = [
    "CODE_ALPHABET",
    "DEFAULT_SESSION",
    "STORE_ENV",
    "VISIBILITIES",
    "Feedback",
    "Group",
    "JSONValue",
    "NoteEvent",
    "Participant",
    "ResponseEvent",
    "Run",
    "SQLiteStore",
    "Session",
    "SharedItem",
    "Status",
    "Store",
    "Viewer",
    "ViewerLike",
    "default_store_path",
    "normalize_code",
    "open_store",
    "register_backend",
    "resolve_store_url",
    "token_hash",
]

STORE_ENV = "PDKIT_STORE"

_BACKENDS: dict[str, Callable[[str], Store]] = {}


def register_backend(scheme: str, factory: Callable[[str], Store]) -> None:
    """Make ``open_store`` hand URLs of ``scheme://…`` to ``factory(url)``."""
    _BACKENDS[scheme] = factory


def default_store_path() -> Path:
    """The store used when nothing is configured: a SQLite file in the user's data folder."""
    import platformdirs

    return Path(platformdirs.user_data_dir("pdkit", appauthor=False)) / "pdkit.sqlite3"


def resolve_store_url(url: str | os.PathLike[str] | None = None) -> str:
    """The URL ``open_store(url)`` would open: the argument, ``$PDKIT_STORE`` or the default.

    Plain paths become absolute ``sqlite:///`` URLs, so a URL handed to another
    process (a Voilà kernel started elsewhere) points at the same file.
    """
    if url is None or str(url) == "":
        url = os.environ.get(STORE_ENV) or str(default_store_path())
    text = os.fspath(url)
    if "://" not in text:
        return f"sqlite:///{Path(text).expanduser().resolve()}"
    scheme, _, rest = text.partition("://")
    if scheme == "sqlite":
        if rest in ("", "/", "/:memory:"):
            return "memory://"
        if not rest.startswith("/"):
            raise StoreError(
                f"{text!r} is not a SQLite URL: write sqlite:///relative/path.sqlite3 "
                "or sqlite:////absolute/path.sqlite3 (three or four slashes)"
            )
        return f"sqlite:///{Path(rest[1:]).expanduser().resolve()}"
    return text


def _open_sqlite(url: str) -> Store:
    return SQLiteStore(url.removeprefix("sqlite:///"))


def _open_memory(url: str) -> Store:
    return SQLiteStore(":memory:")


def _open_postgres(url: str) -> Store:
    # Imported here, not above: a participant on SQLite never loads a database driver.
    from ._postgres import PostgresStore

    return PostgresStore(url)


register_backend("sqlite", _open_sqlite)
register_backend("memory", _open_memory)
register_backend("postgresql", _open_postgres)
register_backend("postgres", _open_postgres)


def _redacted(url: str) -> str:
    """``url`` with any ``user:password@`` reduced to ``user@``, for messages."""
    scheme, _, rest = url.partition("://")
    authority, slash, path = rest.partition("/")
    userinfo, at, hosts = authority.rpartition("@")
    if not at:
        return url
    return f"{scheme}://{userinfo.partition(':')[0]}@{hosts}{slash}{path}"


def open_store(url: str | os.PathLike[str] | None = None) -> Store:
    """Open the store at ``url`` (see the module docs for the forms it takes).

    Raises :class:`pdkit.StoreError` when the URL's scheme is unknown or the store
    cannot be opened.
    """
    resolved = resolve_store_url(url)
    scheme = resolved.partition("://")[0]
    try:
        factory = _BACKENDS[scheme]
    except KeyError:
        known = ", ".join(f"{s}://" for s in sorted(_BACKENDS))
        raise StoreError(
            f"no store backend for {scheme}:// (in {_redacted(resolved)!r}); known: {known}."
        ) from None
    return factory(resolved)
