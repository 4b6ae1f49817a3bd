"""How a goal's follow-up reads on a page, the same on the teacher's "My goal" and the
coach's page: its status and their history, the check-in dates, others' shared goals.
Pure functions from records to HTML; every text a person wrote is escaped."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from html import escape
from urllib.parse import urlencode

from ..definitions import FormDefinition
from ..errors import PdkitError
from ..followup import (
    ACTIVE,
    AGREED,
    ASKED,
    DONE,
    DRAFT,
    DROPPED,
    DUE,
    MET,
    OVERDUE,
    REVISED,
    CheckinPlan,
)
from ..i18n import N_
from ..links import MY_GOAL_NOTEBOOK, RESUME_PARAM, sibling
from ..store import GoalStatus, SharedItem, Store
from ..widgets._feedback import item_summary

__all__ = [
    "STATUS_WORDS",
    "dates_html",
    "home_link",
    "move_words",
    "para",
    "plan_html",
    "sessions_note",
    "shared_html",
    "stamp",
    "status_html",
]

Translate = Callable[[str], str]

STATUS_WORDS = {
    DRAFT: N_("Draft: not agreed with your coach yet"),
    ASKED: N_("Waiting for your coach to agree it"),
    AGREED: N_("Agreed with your coach"),
    ACTIVE: N_("Working on it"),
    MET: N_("Met"),
    REVISED: N_("Revised: a new version to agree with your coach"),
    DROPPED: N_("Dropped"),
}
"""What each goal status means, as the teacher reads it."""

_MOVE_WORDS = {
    (None, ASKED): N_("Ask my coach to agree this goal"),
    (ASKED, DRAFT): N_("Take back my question"),
    (DROPPED, DRAFT): N_("Take this goal up again"),
    (None, ACTIVE): N_("I am working on it"),
    (MET, ACTIVE): N_("Not met after all"),
    (None, MET): N_("I met this goal"),
    (None, DROPPED): N_("Drop this goal"),
}


def move_words(current: str, new: str) -> str:
    """The button that moves a goal from ``current`` to ``new``, as the teacher reads it."""
    return _MOVE_WORDS.get((current, new)) or _MOVE_WORDS.get((None, new)) or new.capitalize()


def home_link(page_url: str, token: str | None, notebook: str = MY_GOAL_NOTEBOOK) -> str:
    """The address of ``notebook`` (default "My goal") beside the page at ``page_url``,
    signed in by ``token`` when there is one (a hub user needs none)."""
    return sibling(page_url, notebook, urlencode({RESUME_PARAM: token}) if token else "")


def para(css: str, text: str, role: str = "") -> str:
    """A paragraph of ``text`` (escaped) with classes ``css`` (and an ARIA ``role``)."""
    said = f' role="{role}"' if role else ""
    return f'<p class="{css}"{said}>{escape(text)}</p>'


def stamp(at: float) -> str:
    """A time as people read it on a page (local time, to the minute)."""
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(at))


def status_html(
    current: GoalStatus, statuses: Sequence[GoalStatus], words: Mapping[str, str], t: Translate
) -> str:
    """The goal's status and since when, then its history (the newest first) folded."""
    since = f" · {escape(t('since'))} {stamp(current.at)}" if current.at else ""
    rows = "".join(
        f"<li>{stamp(s.at)} · {escape(t(words.get(s.status, s.status)))}"
        + (f" <q>{escape(s.note)}</q>" if s.note else "")
        + "</li>"
        for s in reversed(statuses)
    )
    history = (
        f'<details class="pdkit-status-history"><summary>{escape(t("Status history"))}'
        f"</summary><ol reversed>{rows}</ol></details>"
        if rows
        else ""
    )
    return (
        f'<p class="pdkit-goal-status pdkit-goal-status-{escape(current.status)}" '
        f'role="status"><strong>{escape(t("Status:"))}</strong> '
        f"{escape(t(words.get(current.status, current.status)))}{since}</p>{history}"
    )


def dates_html(plan: CheckinPlan, t: Translate) -> str:
    """Every check-in date and its state (done, next, overdue, upcoming)."""
    words = {DONE: t("done"), DUE: t("next"), OVERDUE: t("overdue")}
    items = []
    for due in plan.dates:
        state = words.get(due.state, t("upcoming"))
        own = f" ({escape(t('my own date'))})" if due.own else ""
        items.append(
            f'<li class="pdkit-checkin-{escape(due.state)}">{due.due.isoformat()}{own} · '
            f"{escape(state)}</li>"
        )
    return f'<ul class="pdkit-checkins">{"".join(items)}</ul>' if items else ""


def plan_html(plan: CheckinPlan, today: date, t: Translate, *, has_schedule: bool) -> str:
    """The teacher's next check-in (due, overdue, or all done) and every date."""
    if not plan.dates:
        return para(
            "pdkit-empty",
            t(
                "Your session has no check-in dates yet. Check in whenever you like; when "
                "your facilitator sets dates, they appear here."
            ),
        )
    nxt = plan.next
    if nxt is None:
        head = para("pdkit-ok", t("All your check-ins are done. Well done!"))
    elif nxt.state == OVERDUE:
        said = t("Your check-in of {date} is overdue ({days} days): check in now.")
        head = para(
            "pdkit-checkin-next pdkit-overdue",
            said.format(date=nxt.due.isoformat(), days=(today - nxt.due).days),
            "status",
        )
    else:
        said = t("Your next check-in: {date}.")
        head = para("pdkit-checkin-next pdkit-due", said.format(date=nxt.due.isoformat()), "status")
    tail = (
        ""
        if has_schedule
        else para("pdkit-hint", t("Your session has no check-in dates: this is your own date."))
    )
    return head + dates_html(plan, t) + tail


def shared_html(
    items: Sequence[SharedItem],
    names: Mapping[str, str],
    definition: FormDefinition,
    t: Translate,
) -> str:
    """Others' goals shared with the viewer: each one's name and goal."""
    if not items:
        return para(
            "pdkit-empty",
            t("Nobody shares a goal with you yet. What your group shares appears here."),
        )
    cards = "".join(
        f'<li class="pdkit-shared-goal"><strong>{escape(names[item.owner.id])}</strong>'
        f"{item_summary(definition, dict(item.answers), ('goal',))}</li>"
        for item in items
    )
    return f'<ul class="pdkit-shared-goals">{cards}</ul>'


def sessions_note(store: Store, participant_id: str, t: Translate) -> str:
    """A note of the sessions a teacher attended, when there are more than one."""
    try:
        ids = store.sessions_of(participant_id)
    except PdkitError:
        return ""
    titles = [s.title if (s := store.get_session(sid)) is not None else sid for sid in ids]
    if len(titles) > 1:
        said = t("Your goal and its history come with you through every session: {titles}.")
        return para("pdkit-sessions", said.format(titles=", ".join(titles)))
    return ""
