"""A coach's caseload: what the coach may know of each of their teachers, in the order
of :func:`pdkit.followup.by_need`, and their names as the coach reads them."""

from __future__ import annotations

from datetime import date

from ..definitions.ids import CHECKIN_FORM, GOAL_FORM
from ..followup import ASKED, OVERDUE, Need, by_need, progress_dropped
from ..revisions import versions
from ..store import Participant, Store

__all__ = ["teacher_names", "teacher_needs"]


def teacher_needs(store: Store, coach_id: str, today: date) -> list[tuple[Need, Participant]]:
    """What the coach may know of each of their teachers, in the queue's order
    (:func:`pdkit.followup.by_need`): every read names the coach as the viewer, and
    check-in answers count only when the teacher shares them with the coach."""
    found: list[tuple[Need, Participant]] = []
    for tid in store.coached_by(coach_id):
        person = store.get_participant(tid)
        if person is None:
            continue
        plan = store.checkin_plan(tid, today, viewer=coach_id)
        overdue = [d.due for d in plan.dates if d.state == OVERDUE]
        status = store.goal_status(tid, viewer=coach_id)
        touched = [*store.checkin_times(tid), status.at]
        asked = status.status == ASKED
        dropped = False
        if store.can_see(coach_id, tid, CHECKIN_FORM):
            events = store.history(tid, CHECKIN_FORM, viewer=coach_id)
            marks = store.revision_marks(tid, CHECKIN_FORM)
            checkins = versions(events, marks)
            dropped = progress_dropped([v.values.get("progress") for v in checkins])
            if checkins and checkins[-1].values.get("support") == "coach":
                asked = True  # "A conversation with my coach"
        if store.can_see(coach_id, tid, GOAL_FORM):
            touched += [e.at for e in store.history(tid, GOAL_FORM, viewer=coach_id)]
        touched = [t for t in touched if t]
        need = Need(
            tid,
            person.display_name,
            overdue=len(overdue),
            oldest_overdue=min(overdue) if overdue else None,
            asked=asked,
            progress_dropped=dropped,
            last_touched=max(touched) if touched else None,
        )
        found.append((need, person))
    people = {n.teacher: p for n, p in found}
    return [(n, people[n.teacher]) for n in by_need([n for n, _ in found], today)]


def teacher_names(people: list[Participant], store: Store) -> dict[str, str]:
    """Each teacher's name as the coach reads it: same names told apart by their
    session and a short id."""
    counts: dict[str, int] = {}
    for p in people:
        counts[p.display_name.casefold()] = counts.get(p.display_name.casefold(), 0) + 1
    names = {}
    for p in people:
        if counts[p.display_name.casefold()] > 1:
            session = store.get_session(p.session)
            where = session.title if session is not None else p.session
            names[p.id] = f"{p.display_name} ({where}, #{p.id[:6]})"
        else:
            names[p.id] = p.display_name
    return names
