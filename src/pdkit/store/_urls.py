"""Where a store is: the URL ``open_store`` is given (or ``$PDKIT_STORE``, or the default
file), made whole, and shown without its password."""

from __future__ import annotations

import os
from pathlib import Path

from .._environ import STORE_ENV
from ..errors import StoreError
from ..i18n import N_

__all__ = ["STORE_ENV", "default_store_path", "redact_url", "resolve_store_url"]


def default_store_path() -> Path:
    """The store used when nothing is configured: a SQLite file in the user's data folder."""
    import platformdirs

    return Path(platformdirs.user_data_dir("pdkit", appauthor=False)) / "pdkit.sqlite3"


def resolve_store_url(url: str | os.PathLike[str] | None = None) -> str:
    """The URL ``open_store(url)`` would open: the argument, ``$PDKIT_STORE`` or the default.

    Plain paths become absolute ``sqlite:///`` URLs, so a URL handed to another
    process (a Voilà kernel started elsewhere) points at the same file; ``:memory:``
    (SQLite's name) is ``memory://``, as ``sqlite:///:memory:`` is.
    """
    if url is None or str(url) == "":
        url = os.environ.get(STORE_ENV) or str(default_store_path())
    text = os.fspath(url)
    if text == ":memory:":  # SQLite's own name for a database in memory, never a file
        return "memory://"
    if "://" not in text:
        return f"sqlite:///{Path(text).expanduser().resolve()}"
    scheme, _, rest = text.partition("://")
    if scheme == "sqlite":
        if rest in ("", "/", "/:memory:"):
            return "memory://"
        if not rest.startswith("/"):
            raise StoreError(
                N_(
                    "{url!r} is not a SQLite URL: write sqlite:///relative/path.sqlite3 "
                    "or sqlite:////absolute/path.sqlite3 (three or four slashes)"
                ),
                url=text,
            )
        return f"sqlite:///{Path(rest[1:]).expanduser().resolve()}"
    return text


def redact_url(url: str) -> str:
    """``url`` without its password (``user:password@`` or a ``password=`` parameter).

    Everything else is kept exactly as written, so the result still names the same
    database (and still works where the password comes from ``PGPASSWORD``).
    """
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url
    end = next((i for i, char in enumerate(rest) if char in "/?#"), len(rest))
    authority, tail = rest[:end], rest[end:]
    userinfo, at, hosts = authority.rpartition("@")
    if at:
        authority = f"{userinfo.partition(':')[0]}@{hosts}"
    before, question, query = tail.partition("?")
    if question:
        query, hash_, fragment = query.partition("#")
        kept = [p for p in query.split("&") if p.partition("=")[0] != "password"]
        tail = before + ("?" + "&".join(kept) if kept else "") + hash_ + fragment
    return f"{scheme}://{authority}{tail}"
