"""Who may see what a teacher wrote: the rules, as pure functions over facts.

Everything a teacher writes has a *visibility*, chosen per item (a goal, one
reflection): an item is one participant's answers to one form. The levels nest, each
one adding people to the one before::

    private   only the teacher (the default)
    coach     … and the teacher's coaches
    group     … and the members of the teacher's current group
    session   … and everyone in the teacher's session (facilitators included)

Every read of a participant's writing takes a ``viewer``: who is asking. The store
looks the viewer up in its own tables (a participant's role and session, their
group, whom a coach coaches), so a caller cannot claim a role it does not have, and
answers only what that viewer may see. A participant id means that participant;
:meth:`Viewer.facilitator` is a session's facilitator (session-level items only, and
counts); :meth:`Viewer.steward` is whoever holds the store itself (the person who runs
``pdkit serve``, a coach's ``pdkit review`` of the store): every teacher's items at
``coach`` level and above, and private writing only when asked for by name
(``include_private=True``, for giving teachers their own copies back).

Peer feedback is written by a giver about another participant's item, which the giver
must be able to see; it is seen by the giver and the receiver only. Protocol notes
are their writer's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import Said
from ..i18n import N_
from ._records import Participant

__all__ = [
    "DEFAULT_VISIBILITY",
    "VISIBILITIES",
    "Viewer",
    "ViewerLike",
    "allowed",
    "as_viewer",
    "is_option_id",
    "may_read_notes",
]

VISIBILITIES = ("private", "coach", "group", "session")
"""The visibility levels, from the narrowest; each includes everyone of the one before."""

DEFAULT_VISIBILITY = "private"

_OPTION_ID = re.compile(r"^[a-z0-9_-]{1,64}$")


@dataclass(frozen=True)
class Viewer:
    """Who asks to read: a participant, a session's facilitator or the store's steward.

    Build one with :meth:`of`, :meth:`facilitator` or :meth:`steward`; a plain
    participant id is accepted wherever a viewer is, and means :meth:`of` that id.
    """

    participant: str | None = None
    facilitator_of: str | None = None
    is_steward: bool = False
    include_private: bool = False

    @classmethod
    def of(cls, participant_id: str) -> Viewer:
        """The participant with this id (their role and session come from the store)."""
        return cls(participant=participant_id)

    @classmethod
    def facilitator(cls, session: str) -> Viewer:
        """The facilitator of ``session``: sees what is shared with the whole session."""
        return cls(facilitator_of=session)

    @classmethod
    def steward(cls, *, include_private: bool = False) -> Viewer:
        """Whoever holds the store: every teacher's items shared at ``coach`` level or
        wider; private writing too only with ``include_private``."""
        return cls(is_steward=True, include_private=include_private)

    def described(self) -> Said:
        """Who this is, in words a refusal says in its reader's language."""
        if self.participant is not None:
            return Said(N_("participant {id}"), id=self.participant)
        if self.facilitator_of is not None:
            return Said(N_("the facilitator of session {session!r}"), session=self.facilitator_of)
        if self.include_private:
            return Said(N_("the store's steward (with private writing)"))
        return Said(N_("the store's steward"))

    def __str__(self) -> str:
        return str(self.described())


ViewerLike = Viewer | str
"""A :class:`Viewer`, or a participant id (that participant)."""


def as_viewer(viewer: ViewerLike) -> Viewer:
    if isinstance(viewer, Viewer):
        return viewer
    if isinstance(viewer, str) and viewer:
        return Viewer.of(viewer)
    raise TypeError(f"viewer must be a pdkit.store.Viewer or a participant id, not {viewer!r}")


def allowed(
    viewer: Viewer,
    viewer_person: Participant | None,
    owner: Participant,
    level: str,
    *,
    same_group: bool,
    coaches_owner: bool,
) -> bool:
    """Whether ``viewer`` may see ``owner``'s item shared at ``level``.

    ``viewer_person`` is the viewer's own record (None for a facilitator or the
    steward); ``same_group`` and ``coaches_owner`` are facts the store looked up.
    """
    if viewer.participant is not None and viewer.participant == owner.id:
        return True
    rank = VISIBILITIES.index(level) if level in VISIBILITIES else 0
    if viewer.is_steward:
        return viewer.include_private or rank >= 1
    if rank == 0:
        return False
    if viewer.facilitator_of is not None:
        return rank >= 3 and viewer.facilitator_of == owner.session
    if viewer_person is None:
        return False
    if coaches_owner:
        return True
    if rank >= 2 and same_group:
        return True
    return rank >= 3 and viewer_person.session == owner.session


def may_read_notes(viewer: Viewer, writer: str) -> bool:
    """Protocol notes are their writer's: the writer reads them, and the steward with
    ``include_private`` (to give teachers their own copies back)."""
    return viewer.participant == writer or (viewer.is_steward and viewer.include_private)


def is_option_id(value: object) -> bool:
    """Whether a choice's value is an option id (a category a facilitator may count),
    not free text."""
    return isinstance(value, str) and bool(_OPTION_ID.match(value))
