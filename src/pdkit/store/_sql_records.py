"""Learning records in SQL: the facts an xAPI export is made of (:mod:`pdkit.records`).

Only the store's steward reads them, and only facts about taking part, never what
anyone wrote: sessions attended (a participant's session and
``attendance``), forms answered (the time of each
answer, not the answer), protocol rounds in which someone was the presenter
(``run_turns``), and micro-credentials awarded (``credential_reviews``).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..definitions import protocol_by_id
from ..errors import AccessError, PdkitError
from ..i18n import N_
from ._access import ViewerLike, as_viewer
from ._sql_credentials import CredentialsSQL

__all__ = ["LearningFact", "RecordsSQL"]


@dataclass(frozen=True)
class LearningFact:
    """One fact about a participant's learning: ``kind`` is ``attended`` (``what`` is the
    session), ``answered`` (the form; ``detail`` the field), ``presented`` (the run;
    ``detail`` the protocol and round) or ``earned`` (the micro-credential); ``at`` when."""

    participant: str
    kind: str
    what: str
    detail: str
    at: float


class RecordsSQL(CredentialsSQL):
    """Learning records (see the module docs)."""

    def learning_facts(self, *, viewer: ViewerLike) -> list[LearningFact]:
        """Every learning fact in the store, in time order (the steward only)."""
        if not as_viewer(viewer).is_steward:
            raise AccessError(
                N_("{who} may not export learning records"), who=as_viewer(viewer).described()
            )
        joined: dict[tuple[str, str], float] = {}  # a person's current session, and the log
        for p, s, at in [
            *self._rows("SELECT id, session, created_at FROM participants"),
            *self._rows("SELECT participant, session, joined_at FROM attendance"),
        ]:
            key = (str(p), str(s))
            joined[key] = min(float(at), joined.get(key, float(at)))
        facts = [LearningFact(p, "attended", s, "", at) for (p, s), at in joined.items()]
        facts += [
            LearningFact(str(p), "answered", str(f), str(field), float(at))
            for p, f, field, at in self._rows(
                "SELECT participant, form, field, at FROM responses ORDER BY seq"
            )
        ]
        turns = self._rows(
            "SELECT t.participant, t.run, r.protocol, t.round, t.role, r.started_at"
            " FROM run_turns t JOIN runs r ON r.id = t.run"
        )
        for participant, run, protocol, round_, role, started in turns:
            try:
                presenter = protocol_by_id(str(protocol)).presenter
            except PdkitError:  # a protocol this pdkit no longer ships: no presenter known
                presenter = None
            if presenter is not None and role == presenter:
                detail = f"{protocol}#{int(round_) + 1}"
                facts.append(
                    LearningFact(str(participant), "presented", str(run), detail, float(started))
                )
        facts += [
            LearningFact(str(t), "earned", str(c), str(sid), float(at))
            for t, c, sid, at in self._rows(
                "SELECT s.teacher, s.credential, s.id, r.at FROM credential_reviews r"
                " JOIN credential_submissions s ON s.id = r.submission WHERE r.decision = 'award'"
            )
        ]
        return sorted(facts, key=lambda f: (f.at, f.participant, f.kind, f.what, f.detail))
