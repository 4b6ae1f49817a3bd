"""Whose review: a coach, found in a store by id or by name (``pdkit review --coach``)."""

from __future__ import annotations

from ..errors import PdkitError
from ..notebooks.untrusted import shown
from ..store import Participant, Store

__all__ = ["find_coach"]


def find_coach(store: Store, who: str) -> Participant:
    """The coach (role ``coach``) of ``store`` whose id is ``who``, else whose name is
    ``who`` (case and spaces aside); :class:`pdkit.PdkitError` when there is none, or
    when several coaches have that name (the message lists their ids to choose from)."""
    wanted = who.strip()
    if not wanted:
        raise PdkitError("--coach needs a coach's name or id")
    person = store.get_participant(wanted)
    if person is not None:
        if person.role != "coach":
            raise PdkitError(f"participant {shown(wanted)} is a {person.role}, not a coach")
        return person
    coaches = {p.id: p for p in store.coaches()}
    key = wanted.casefold()
    found = [p for p in coaches.values() if p.display_name.strip().casefold() == key]
    if len(found) == 1:
        return found[0]
    if found:
        ids = ", ".join(p.id for p in found)
        raise PdkitError(
            f"{len(found)} coaches are called {shown(wanted)}: give one of their ids "
            f"with --coach ({ids})"
        )
    known = sorted(p.display_name for p in coaches.values())
    listed = f": {', '.join(shown(n) for n in known[:10])}" if known else " (none yet)"
    raise PdkitError(f"no coach called {shown(wanted)} in {store.url}; its coaches{listed}")
