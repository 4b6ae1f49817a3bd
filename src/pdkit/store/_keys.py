"""Guarding facilitator keys: compared in constant time, and wrong tries limited.

A facilitator key is checked when a facilitator page reports its address, and a page's
report is a widget message: a script could send a hundred a second per kernel. So wrong
tries are counted, on each page (:class:`KeyLockout` over the page's own failures) and
for each session across every kernel of the server, since they share the store
(:meth:`pdkit.store.SessionStore.claim_key_attempt`). A few wrong tries in a row are
free (typos); after those, each further try waits twice as long as the one before, up to
:attr:`KeyLockout.longest_wait`; failures older than :attr:`KeyLockout.window` are
forgotten. A right key never counts as a failure.
"""

from __future__ import annotations

import hmac
from collections.abc import Sequence
from dataclasses import dataclass

from ._records import token_hash

__all__ = ["SERVER_LOCKOUT", "KeyAttempt", "KeyLockout", "same_key"]


def same_key(given: str, wanted: str, *, hashed: bool = False) -> bool:
    """Whether ``given`` is ``wanted``, in a time that tells nothing about either: their
    hashes (of equal length) are compared in constant time. With ``hashed`` both are
    hashes already (:func:`token_hash`); an empty ``wanted`` matches nothing."""
    if not hashed:
        given, wanted = token_hash(given), (token_hash(wanted) if wanted else "")
    return hmac.compare_digest(given, wanted) and bool(wanted)


@dataclass(frozen=True)
class KeyLockout:
    """How many wrong tries at a key are free, and how long each further one waits."""

    free: int = 10
    """Wrong tries in a window that wait for nothing (typos, an old link)."""
    first_wait: float = 1.0
    """Seconds the first try beyond them waits; each further one waits twice as long."""
    longest_wait: float = 300.0
    """No try waits longer than this after the last failure."""
    window: float = 3600.0
    """Failures older than this many seconds are forgotten."""

    def retry_at(self, failures: Sequence[float], now: float) -> float:
        """When the next try may be made, after the failed tries at ``failures`` (times);
        a time not after ``now`` means at once."""
        recent = [at for at in failures if at > now - self.window]
        if len(recent) < self.free:
            return now
        extra = len(recent) - self.free
        wait = min(self.first_wait * 2.0 ** min(extra, 60), self.longest_wait)
        return max(recent) + wait


SERVER_LOCKOUT = KeyLockout()
"""The limit for one session's key across every page on one store: 10 free wrong tries,
then 1 s, 2 s, 4 s … up to 5 minutes between tries; forgotten after an hour."""


@dataclass(frozen=True)
class KeyAttempt:
    """A try at a session's key, claimed from the store before the key is compared.

    ``id`` is None when the try was refused: too many recent tries failed, and the next
    may be made in ``wait`` seconds. A claimed try counts as failed until
    :meth:`~pdkit.store.SessionStore.forget_key_attempt` says the key was right.
    """

    id: int | None
    wait: float = 0.0

    @property
    def allowed(self) -> bool:
        return self.id is not None
