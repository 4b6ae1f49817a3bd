"""Whose review: a coach, found in a store by id or by name (``pdkit review --coach``)."""

from __future__ import annotations

from ..errors import PdkitError
from ..i18n import N_, Nn_
from ..notebooks.untrusted import shown
from ..store import Participant, Store

__all__ = ["find_coach"]


def find_coach(store: Store, who: str) -> Participant:
    """The coach (role ``coach``) of ``store`` whose id is ``who``, else whose name is
    ``who`` (case and spaces aside); :class:`pdkit.PdkitError` when there is none, or
    when several coaches have that name (the message lists their ids to choose from)."""
    wanted = who.strip()
    if not wanted:
        raise PdkitError(N_("--coach needs a coach's name or id"))
    person = store.get_participant(wanted)
    if person is not None:
        if person.role != "coach":
            raise PdkitError(
                N_("participant {name} is a {role}, not a coach"),
                name=shown(wanted),
                role=person.role,
            )
        return person
    coaches = {p.id: p for p in store.coaches()}
    key = wanted.casefold()
    found = [p for p in coaches.values() if p.display_name.strip().casefold() == key]
    if len(found) == 1:
        return found[0]
    if found:
        raise PdkitError(
            Nn_(
                "{count} coach is called {name}: give one of their ids with --coach ({ids})",
                "{count} coaches are called {name}: give one of their ids with --coach ({ids})",
            ),
            count=len(found),
            name=shown(wanted),
            ids=", ".join(p.id for p in found),
        )
    known = sorted(p.display_name for p in coaches.values())
    raise PdkitError(
        N_("no coach called {name} in {store}; its coaches: {names}")
        if known
        else N_("no coach called {name} in {store}; its coaches (none yet)"),
        name=shown(wanted),
        store=store.url,
        names=", ".join(shown(n) for n in known[:10]),
    )
