"""Peer feedback in SQL (see :mod:`._sql_base`): written by a giver about another
participant's item, seen by the giver and the receiver only.

Feedback given in a protocol round (:meth:`FeedbackSQL.set_round_feedback`) is kept in
step with the giver's notes: one piece per item they wrote, changed as they edit it. A
receiver who revises their item says which feedback the revision answers
(:meth:`FeedbackSQL.answer_feedback`): the "feedback → revision" trace.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from ..definitions.ids import GOAL_FORM
from ..errors import AccessError, StoreError
from ..i18n import N_
from ._access import ViewerLike, as_viewer
from ._records import Feedback, new_id
from ._sql_access import AccessSQL

__all__ = ["FEEDBACK_READ", "FeedbackSQL", "feedback_from_row"]

_FEEDBACK_COLUMNS = "id, session, giver, owner, form, category, text, at, run, helpful"
FEEDBACK_READ = f"{_FEEDBACK_COLUMNS}, answered_at"
"""The columns read back into a :class:`Feedback` (:func:`feedback_from_row`)."""


def feedback_from_row(row: Sequence[Any]) -> Feedback:
    """A row of :data:`FEEDBACK_READ` as a :class:`Feedback`."""
    helpful = None if row[9] is None else bool(row[9])
    r = row
    return Feedback(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], helpful, r[10])


def round_feedback_id(run_id: str, round_: int, step_id: str, giver: str, field: str) -> str:
    """The id prefix of the feedback one giver writes in one field of one step of a round."""
    return f"r:{run_id}:{round_}:{step_id}:{giver}:{field}:"


class FeedbackSQL(AccessSQL):
    """Peer feedback (see the module docs)."""

    def give_feedback(
        self,
        giver_id: str,
        owner_id: str,
        form_id: str,
        category: str,
        text: str,
        *,
        run_id: str | None = None,
    ) -> Feedback:
        """Record ``giver_id``'s feedback on ``owner_id``'s item; the giver must be able
        to see the item (:class:`pdkit.AccessError` otherwise)."""
        if giver_id == owner_id:
            raise StoreError(N_("feedback is for someone else's item, not one's own"))
        if not text.strip():
            raise StoreError(N_("write the feedback before sending it: it is empty"))
        giver = self._person(giver_id)
        self._require(giver_id, owner_id, form_id)
        item = Feedback(
            id=new_id(),
            session=giver.session,
            giver=giver_id,
            owner=owner_id,
            form=form_id,
            category=category,
            text=text,
            at=self._clock(),
            run=run_id,
        )
        with self._tx() as tx:
            tx.execute(
                f"INSERT INTO feedback ({_FEEDBACK_COLUMNS})"  # noqa: S608
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    item.id,
                    item.session,
                    item.giver,
                    item.owner,
                    item.form,
                    item.category,
                    item.text,
                    item.at,
                    item.run,
                    None,
                ),
            )
        return item

    def feedback(
        self,
        *,
        viewer: ViewerLike,
        owner_id: str | None = None,
        form_id: str | None = None,
        session: str | None = None,
    ) -> list[Feedback]:
        """Feedback the viewer may see, oldest first: what they received and what they
        gave (the steward with ``include_private``: all of a session's)."""
        who = as_viewer(viewer)
        sql = f"SELECT {FEEDBACK_READ} FROM feedback WHERE 1 = 1"  # noqa: S608
        params: list[Any] = []
        if who.participant is not None:
            sql += " AND (owner = ? OR giver = ?)"
            params += [who.participant, who.participant]
        elif not (who.is_steward and who.include_private):
            return []
        for column, value in (("owner", owner_id), ("form", form_id), ("session", session)):
            if value is not None:
                sql += f" AND {column} = ?"
                params.append(value)
        return [feedback_from_row(r) for r in self._rows(sql + " ORDER BY at, id", params)]

    def mark_helpful(self, feedback_id: str, participant_id: str, helpful: bool = True) -> Feedback:
        """The receiver says whether a piece of feedback helped (only the receiver may)."""
        rows = self._rows(
            f"SELECT {FEEDBACK_READ} FROM feedback WHERE id = ?",  # noqa: S608
            (feedback_id,),
        )
        if not rows:
            raise StoreError(
                N_("no feedback {feedback!r} in the store {url}"),
                feedback=feedback_id,
                url=self.url,
            )
        item = feedback_from_row(rows[0])
        if item.owner != participant_id:
            raise AccessError(
                N_(
                    "participant {participant} did not receive this feedback: only its "
                    "receiver can mark it helpful"
                ),
                participant=participant_id,
            )
        with self._tx() as tx:
            tx.execute(
                "UPDATE feedback SET helpful = ?, marked_at = ? WHERE id = ?",
                (1 if helpful else 0, self._clock(), feedback_id),
            )
        return replace(item, helpful=helpful)

    def set_round_feedback(
        self,
        run_id: str,
        round_: int,
        step_id: str,
        giver_id: str,
        owner_id: str,
        field_id: str,
        category: str,
        texts: Sequence[str],
    ) -> list[Feedback]:
        """The giver's feedback to a round's presenter from one field of their notes: one
        piece per non-empty text, each kept under its place so that editing a note edits
        its piece (and what the receiver marked stays). Pieces no longer written go."""
        if giver_id == owner_id:
            raise StoreError(N_("feedback is for someone else's item, not one's own"))
        found = self._rows(
            "SELECT m.participant FROM run_turns m WHERE m.run = ? AND m.round = ?"
            " AND m.participant IN (?, ?)",
            (run_id, round_, giver_id, owner_id),
        )
        if len({r[0] for r in found}) != 2:
            raise AccessError(
                N_(
                    "participant {giver} and {owner} are not in round {round} of "
                    "the run {run} together: feedback in a round goes to its presenter"
                ),
                giver=giver_id,
                owner=owner_id,
                round=round_ + 1,
                run=run_id,
            )
        session = self._person(giver_id).session
        prefix = round_feedback_id(run_id, round_, step_id, giver_id, field_id)
        at = self._clock()
        kept = [(f"{prefix}{n}", text) for n, text in enumerate(texts) if text.strip()]
        with self._tx() as tx:
            before = tx.execute(
                "SELECT id FROM feedback WHERE substr(id, 1, ?) = ? AND helpful IS NULL",
                (len(prefix), prefix),
            ).all()
            gone = {row[0] for row in before} - {key for key, _ in kept}
            tx.executemany("DELETE FROM feedback WHERE id = ?", [(key,) for key in sorted(gone)])
            for key, text in kept:
                tx.execute(
                    f"INSERT INTO feedback ({_FEEDBACK_COLUMNS})"  # noqa: S608
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                    " ON CONFLICT (id) DO UPDATE SET text = excluded.text",
                    (key, session, giver_id, owner_id, GOAL_FORM, category, text, at, run_id, None),
                )
        return [
            f for f in self.feedback(viewer=giver_id, owner_id=owner_id) if f.id.startswith(prefix)
        ]

    def answer_feedback(
        self, owner_id: str, feedback_ids: Sequence[str], answered: bool = True
    ) -> list[Feedback]:
        """The receiver says their revision answers these pieces of feedback (or, with
        ``answered=False``, no longer does); only the receiver may."""
        mine = {f.id: f for f in self.feedback(viewer=owner_id, owner_id=owner_id)}
        strangers = [i for i in feedback_ids if i not in mine]
        if strangers:
            raise AccessError(
                N_(
                    "participant {owner} did not receive the feedback {feedback!r}: only "
                    "its receiver can say a revision answers it"
                ),
                owner=owner_id,
                feedback=strangers[0],
            )
        at = self._clock() if answered else None
        with self._tx() as tx:
            tx.executemany(
                "UPDATE feedback SET answered_at = ? WHERE id = ? AND owner = ?",
                [(at, i, owner_id) for i in feedback_ids],
            )
        return [replace(mine[i], answered_at=at) for i in feedback_ids]

    def feedback_trace(self, owner_id: str, *, viewer: ViewerLike) -> list[Feedback]:
        """The feedback on ``owner_id``'s goal that a revision answered, oldest first:
        for the owner as it is; for someone who may see the goal (their coach) without
        who gave it (the giver wrote it for the presenter, not for the presenter's coach)."""
        who = as_viewer(viewer)
        mine = who.participant == owner_id
        if not mine:
            self._require(viewer, owner_id, GOAL_FORM)
        rows = self._rows(
            f"SELECT {FEEDBACK_READ} FROM feedback WHERE owner = ? AND form = ?"  # noqa: S608
            " AND answered_at IS NOT NULL ORDER BY answered_at, id",
            (owner_id, GOAL_FORM),
        )
        found = [feedback_from_row(r) for r in rows]
        return found if mine else [replace(f, giver="") for f in found]
