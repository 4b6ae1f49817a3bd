"""A teacher's evidence log in SQL (the rules are pure: :mod:`pdkit.evidence`).

Every change of an item is a new row of ``evidence`` (append-only: an edit is a new
version, withdrawing is a version marked withdrawn), so nothing a teacher typed is
lost. Who may read an item is decided in the query: the viewer's facts (their record,
group, whom they coach) and the goal's current visibility give the item visibilities
the viewer may see, for items with and without student data, and the ``WHERE`` clause
keeps only those rows. An item with student data is seen by the teacher, their coaches
and the store's steward only, whatever level a row holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from ..definitions.ids import GOAL_FORM
from ..errors import AccessError, ConflictError, EvidenceError
from ..evidence import (
    AS_GOAL,
    KINDS,
    MAX_CAPTION_CHARS,
    MAX_ITEMS,
    MAX_TEXT_CHARS,
    MAX_VERSIONS,
    STUDENT_DATA_CAP,
    STUDENT_WORK,
    check_date,
    check_link,
    default_student_data,
    effective_level,
)
from ..i18n import N_
from ._access import VISIBILITIES, Viewer, ViewerLike, allowed, as_viewer
from ._records import EvidenceItem, new_id
from ._sql_follow import FollowUpSQL
from ._text import one_line

__all__ = ["EvidenceSQL"]

_COLUMNS = (
    "id, teacher, version, kind, caption, link, text, made_on, student_data, visibility,"
    " checkin, checkin_at, goal_version, withdrawn, added_at, at"
)
_CURRENT = "seq IN (SELECT MAX(seq) FROM evidence WHERE teacher = ? GROUP BY id)"
_STORED = (*VISIBILITIES, AS_GOAL)
_UNSET: Any = object()


class EvidenceSQL(FollowUpSQL):
    """The evidence log (see the module docs)."""

    # ------------------------------------------------------------------ writing

    def add_evidence(
        self,
        teacher_id: str,
        *,
        kind: str,
        caption: str,
        link: str = "",
        text: str = "",
        made_on: date | None = None,
        student_data: bool | None = None,
        visibility: str = AS_GOAL,
        checkin: int | None = None,
    ) -> EvidenceItem:
        """Add an item to the teacher's evidence log, linked to their goal's version in
        force now. ``student_data`` defaults by kind (on for student work);
        ``visibility`` is ``"goal"`` (as the goal) or a level to narrow it to;
        ``checkin`` the number of one of the teacher's check-ins (1 for the first)."""
        teacher = self._person(teacher_id, "teacher")
        now = self._clock()
        fields = self._checked(
            teacher.id,
            kind=kind,
            caption=caption,
            link=link,
            text=text,
            made_on=made_on or date.fromtimestamp(now),
            student_data=default_student_data(kind) if student_data is None else student_data,
            visibility=visibility,
            checkin=checkin,
            now=now,
        )
        item = EvidenceItem(
            id=new_id(),
            teacher=teacher.id,
            version=1,
            goal_version=self._goal_version(teacher.id),
            withdrawn=False,
            added_at=now,
            at=now,
            shown="private",
            **fields,
        )
        self._insert(item)
        return self._with_shown(item)

    def edit_evidence(
        self,
        item_id: str,
        by: str,
        *,
        kind: str = _UNSET,
        caption: str = _UNSET,
        link: str = _UNSET,
        text: str = _UNSET,
        made_on: date = _UNSET,
        student_data: bool = _UNSET,
        visibility: str = _UNSET,
        checkin: int | None = _UNSET,
        withdrawn: bool = _UNSET,
    ) -> EvidenceItem:
        """A new version of the item, by its teacher (``by``), with the fields given
        changed; the versions before stay (:meth:`evidence_history`)."""
        current = self._current(item_id, by)
        if current.version >= MAX_VERSIONS:
            raise EvidenceError(
                N_(
                    "this item has been changed {most} times, the most it keeps: add a "
                    "new item instead"
                ),
                most=MAX_VERSIONS,
            )
        new_kind = current.kind if kind is _UNSET else kind
        if student_data is _UNSET:
            # A change of kind to student work turns the flag on; nothing turns it off
            # but the teacher unticking it.
            flag = current.student_data or (kind is not _UNSET and kind == STUDENT_WORK)
        else:
            flag = student_data
        now = self._clock()
        fields = self._checked(
            current.teacher,
            kind=new_kind,
            caption=current.caption if caption is _UNSET else caption,
            link=current.link if link is _UNSET else link,
            text=current.text if text is _UNSET else text,
            made_on=current.made_on if made_on is _UNSET else made_on,
            student_data=flag,
            visibility=current.visibility if visibility is _UNSET else visibility,
            checkin=current.checkin if checkin is _UNSET else checkin,
            now=now,
            checkin_at=current.checkin_at if checkin is _UNSET else None,
        )
        item = EvidenceItem(
            id=current.id,
            teacher=current.teacher,
            version=current.version + 1,
            goal_version=current.goal_version,
            withdrawn=current.withdrawn if withdrawn is _UNSET else bool(withdrawn),
            added_at=current.added_at,
            at=now,
            shown="private",
            **fields,
        )
        self._insert(item)
        return self._with_shown(item)

    def withdraw_evidence(self, item_id: str, by: str) -> EvidenceItem:
        """The teacher withdraws the item: nobody else sees it from now on (its versions
        stay in the store, and the teacher can put it back by editing it)."""
        return self.edit_evidence(item_id, by, withdrawn=True)

    def attach_evidence(self, item_id: str, by: str, checkin: int | None) -> EvidenceItem:
        """Attach the item to the teacher's check-in number ``checkin`` (None: to none)."""
        return self.edit_evidence(item_id, by, checkin=checkin)

    # ------------------------------------------------------------------ reading

    def evidence(
        self, teacher_id: str, *, viewer: ViewerLike, include_withdrawn: bool = False
    ) -> list[EvidenceItem]:
        """The current version of each of the teacher's items that ``viewer`` may see,
        newest first (by date, then by when added). Withdrawn items only for the teacher
        (with ``include_withdrawn``)."""
        who = as_viewer(viewer)
        where, params = self._visible_where(who, teacher_id)
        if where is None:
            return []
        withdrawn = (
            "" if include_withdrawn and who.participant == teacher_id else " AND withdrawn = 0"
        )
        rows = self._rows(
            f"SELECT {_COLUMNS} FROM evidence WHERE {_CURRENT}{withdrawn} AND ({where})"  # noqa: S608
            " ORDER BY made_on DESC, added_at DESC, id",
            (teacher_id, *params),
        )
        goal = self.visibility(teacher_id, GOAL_FORM)
        return [_item(r, goal) for r in rows]

    def evidence_history(self, item_id: str, *, viewer: ViewerLike) -> list[EvidenceItem]:
        """Every version of the item, oldest first, for the teacher (or the store's
        steward with ``include_private``); :class:`pdkit.AccessError` for anyone else."""
        who = as_viewer(viewer)
        rows = self._rows(
            f"SELECT {_COLUMNS} FROM evidence WHERE id = ? ORDER BY version",  # noqa: S608
            (item_id,),
        )
        if not rows:
            raise EvidenceError(
                N_("no evidence item {item!r} in the store {url}"), item=item_id, url=self.url
            )
        teacher = str(rows[0][1])
        if not (who.participant == teacher or (who.is_steward and who.include_private)):
            raise AccessError(
                N_("{who} may not read the history of an item of {teacher}"),
                who=who.described(),
                teacher=teacher,
            )
        goal = self.visibility(teacher, GOAL_FORM)
        return [_item(r, goal) for r in rows]

    # ------------------------------------------------------------------ inside

    def _visible_where(self, who: Viewer, teacher_id: str) -> tuple[str | None, tuple[Any, ...]]:
        """The condition on rows of ``teacher_id``'s items that ``who`` may see (None:
        none), from the item visibilities whose effective level ``who`` may see."""
        if who.participant == teacher_id:
            return "1 = 1", ()
        owner = self.get_participant(teacher_id)
        if owner is None:
            return None, ()
        person, members, coached = self._viewer_facts(who)
        goal = self.visibility(teacher_id, GOAL_FORM)

        def sees(level: str) -> bool:
            return allowed(
                who,
                person,
                owner,
                level,
                same_group=owner.id in members,
                coaches_owner=owner.id in coached,
            )

        plain = [s for s in _STORED if sees(effective_level(s, goal, student_data=False))]
        near = who.is_steward or owner.id in coached  # the coach (and the store's holder)
        student = (
            [s for s in _STORED if sees(effective_level(s, goal, student_data=True))]
            if near
            else []
        )
        parts: list[str] = []
        params: list[str] = []
        # Student work is student data whatever its flag says (a row written below the API).
        student_row = "(student_data <> 0 OR kind = ?)"
        for which, levels in ((f"NOT {student_row}", plain), (student_row, student)):
            if levels:
                parts.append(f"({which} AND visibility IN ({', '.join('?' * len(levels))}))")
                params.extend((STUDENT_WORK, *levels))
        return (" OR ".join(parts) or None), tuple(params)

    def _current(self, item_id: str, by: str) -> EvidenceItem:
        rows = self._rows(
            f"SELECT {_COLUMNS} FROM evidence WHERE id = ? ORDER BY version DESC LIMIT 1",  # noqa: S608
            (item_id,),
        )
        if not rows:
            raise EvidenceError(
                N_("no evidence item {item!r} in the store {url}"), item=item_id, url=self.url
            )
        item = _item(rows[0], "private")
        if item.teacher != by:
            raise AccessError(
                N_(
                    "participant {by} may not change an evidence item of participant "
                    "{teacher}: only its teacher may"
                ),
                by=by,
                teacher=item.teacher,
            )
        return item

    def _checked(
        self,
        teacher_id: str,
        *,
        kind: str,
        caption: str,
        link: str,
        text: str,
        made_on: date,
        student_data: bool,
        visibility: str,
        checkin: int | None,
        now: float,
        checkin_at: float | None = None,
    ) -> dict[str, Any]:
        """The fields of a version, checked (:class:`pdkit.EvidenceError` says what is wrong)."""
        if kind not in KINDS:
            raise EvidenceError(
                N_("{given!r} is not a kind of evidence; choose one of {kinds}"),
                given=kind,
                kinds=", ".join(KINDS),
            )
        if not isinstance(student_data, bool):
            raise EvidenceError(N_("say whether the item contains student data (true or false)"))
        student = student_data or kind == STUDENT_WORK
        caption = one_line(caption, "the caption", MAX_CAPTION_CHARS)
        link = check_link(link) if link.strip() else ""
        text = text.strip()
        if len(text) > MAX_TEXT_CHARS:
            raise EvidenceError(
                N_(
                    "the text is {length:,} characters long; at most {most:,} please"
                    " (keep longer work as a link)"
                ),
                length=len(text),
                most=MAX_TEXT_CHARS,
            )
        if "\x00" in text:
            raise EvidenceError(N_("the text holds a NUL character: paste it again"))
        if not link and not text:
            raise EvidenceError(N_("give a link or a short text: the evidence itself"))
        if visibility not in _STORED:
            raise EvidenceError(
                N_(
                    "{given!r} is not a visibility; choose {as_goal!r} (as the goal) or one of "
                    "{levels}"
                ),
                given=visibility,
                as_goal=AS_GOAL,
                levels=", ".join(VISIBILITIES),
            )
        if student and visibility in VISIBILITIES[VISIBILITIES.index(STUDENT_DATA_CAP) + 1 :]:
            raise EvidenceError(
                N_(
                    "an item with student data is seen by you and your coach at most, never by "
                    "your {visibility}: choose 'as the goal', coach or private"
                ),
                visibility=visibility,
            )
        if not isinstance(made_on, date):
            raise EvidenceError(N_("the date must be a date"))
        check_date(made_on, date.fromtimestamp(now))
        if checkin is not None:
            times = self.checkin_times(teacher_id)
            if (
                isinstance(checkin, bool)
                or not isinstance(checkin, int)
                or not (1 <= checkin <= len(times))
            ):
                raise EvidenceError(
                    N_(
                        "there is no check-in {checkin!r} to attach to: you have check-ins "
                        "1 to {last}"
                    )
                    if times
                    else N_(
                        "there is no check-in {checkin!r} to attach to: you have no check-ins yet"
                    ),
                    checkin=checkin,
                    last=len(times),
                )
            checkin_at = times[checkin - 1]
        return {
            "kind": kind,
            "caption": caption,
            "link": link,
            "text": text,
            "made_on": made_on,
            "student_data": student,
            "visibility": visibility,
            "checkin": checkin,
            "checkin_at": checkin_at if checkin is not None else None,
        }

    def _goal_version(self, teacher_id: str) -> int:
        """The number of the teacher's goal version in force now (0: no goal yet)."""
        return self._goal_version_now(teacher_id) or 0

    def _insert(self, item: EvidenceItem) -> None:
        """Write one version: a new item while the teacher has fewer than
        :data:`~pdkit.evidence.MAX_ITEMS`, or the next version of one nobody changed since
        it was read (:class:`pdkit.ConflictError` otherwise), one writer per teacher."""
        with self._tx() as tx:
            self._dialect.lock(tx.cursor, f"evidence:{item.teacher}")
            if item.version == 1:
                found = tx.execute(
                    "SELECT COUNT(DISTINCT id) FROM evidence WHERE teacher = ?", (item.teacher,)
                ).one()
                if found is not None and int(found[0]) >= MAX_ITEMS:
                    raise EvidenceError(
                        N_(
                            "your evidence log holds {most} items already, the most it keeps:"
                            " edit an item you no longer need instead of adding one"
                        ),
                        most=MAX_ITEMS,
                    )
            else:
                found = tx.execute(
                    "SELECT MAX(version) FROM evidence WHERE id = ?", (item.id,)
                ).one()
                if found is None or found[0] != item.version - 1:
                    raise ConflictError(
                        N_(
                            "this evidence item was changed meanwhile (on another page?): "
                            "look at it again, then make your change"
                        )
                    )
            tx.insert(
                f"INSERT INTO evidence ({_COLUMNS})"  # noqa: S608
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    item.id,
                    item.teacher,
                    item.version,
                    item.kind,
                    item.caption,
                    item.link,
                    item.text,
                    item.made_on.isoformat(),
                    int(item.student_data),
                    item.visibility,
                    item.checkin,
                    item.checkin_at,
                    item.goal_version,
                    int(item.withdrawn),
                    item.added_at,
                    item.at,
                ),
            )

    def _with_shown(self, item: EvidenceItem) -> EvidenceItem:
        goal = self.visibility(item.teacher, GOAL_FORM)
        shown = effective_level(item.visibility, goal, student_data=item.student_data)
        return replace(item, shown=shown)


def _item(row: Sequence[Any], goal_level: str) -> EvidenceItem:
    student = bool(row[8]) or row[3] == STUDENT_WORK
    return EvidenceItem(
        id=str(row[0]),
        teacher=str(row[1]),
        version=int(row[2]),
        kind=str(row[3]),
        caption=str(row[4]),
        link=str(row[5]),
        text=str(row[6]),
        made_on=date.fromisoformat(str(row[7])),
        student_data=student,
        visibility=str(row[9]),
        shown=effective_level(str(row[9]), goal_level, student_data=student),
        checkin=None if row[10] is None else int(row[10]),
        checkin_at=None if row[11] is None else float(row[11]),
        goal_version=int(row[12]),
        withdrawn=bool(row[13]),
        added_at=float(row[14]),
        at=float(row[15]),
    )
