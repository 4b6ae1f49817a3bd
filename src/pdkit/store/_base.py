"""What every store backend offers: the records and the :class:`Store` protocol."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

DEFAULT_SESSION = "default"

JSONValue = Any
"""A value that ``json.dumps`` accepts: str, int, float, bool, None, list, dict."""


@dataclass(frozen=True)
class Participant:
    """A person in a session. ``id`` is pseudonymous and random; names are never keys."""

    id: str
    display_name: str
    session: str = DEFAULT_SESSION
    role: str = "teacher"
    external_id: str | None = None
    created_at: float = 0.0


@dataclass(frozen=True)
class ResponseEvent:
    """One saved answer: the current answer to a field is its latest event."""

    seq: int
    participant: str
    form: str
    field: str
    value: JSONValue
    at: float
    spec_version: str
    session: str = DEFAULT_SESSION


def new_token() -> str:
    """A fresh resume token: 144 random bits, URL-safe."""
    return secrets.token_urlsafe(18)


def token_hash(token: str) -> str:
    """Stores keep only this hash of a resume token, never the token itself."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@runtime_checkable
class Store(Protocol):
    """The store interface that widgets, notebooks and review code talk to.

    Writes are append-only and each call is one transaction: ``record`` either
    stores every answer it was given or raises :class:`pdkit.StoreError` and stores
    none. Values are anything JSON can hold.
    """

    @property
    def url(self) -> str:
        """Where the data lives, for people to read (never contains a password)."""
        ...

    def create_participant(
        self,
        display_name: str,
        *,
        session: str = DEFAULT_SESSION,
        external_id: str | None = None,
        role: str = "teacher",
    ) -> tuple[Participant, str]:
        """Add a participant; returns it and its resume token (shown once, stored hashed)."""
        ...

    def participant_for_token(self, token: str) -> Participant | None:
        """The participant a resume token belongs to, or None."""
        ...

    def participant_for_external_id(self, external_id: str) -> Participant | None:
        """The participant with this external identity (``jupyterhub:alice``), or None."""
        ...

    def get_participant(self, participant_id: str) -> Participant | None:
        """The participant with this id, or None."""
        ...

    def record(
        self,
        participant_id: str,
        form_id: str,
        answers: Mapping[str, JSONValue],
        *,
        spec_version: str,
    ) -> list[ResponseEvent]:
        """Append one event per answer, all in one transaction; returns the events."""
        ...

    def latest(self, participant_id: str, form_id: str) -> dict[str, JSONValue]:
        """The current answer of every field the participant has answered in this form."""
        ...

    def history(
        self, participant_id: str, form_id: str, field_id: str | None = None
    ) -> list[ResponseEvent]:
        """Every event, oldest first (optionally of one field)."""
        ...

    def close(self) -> None:
        """Release connections. The store must not be used afterwards."""
        ...
