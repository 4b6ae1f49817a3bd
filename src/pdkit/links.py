"""Links between pdkit's pages: one workbook to another on the same server, a session's
join link, a participant's personal (resume) link, and the links a command prints.

Voilà serves a notebook at ``<base>/voila/render/<notebook>``; a page knows its own
address, so links from a page are made beside it (which also works behind a proxy or
a hub, whatever the base path).
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

__all__ = [
    "COACH_NOTEBOOK",
    "COACH_PURPOSE",
    "MY_GOAL_NOTEBOOK",
    "REMINDERS_PARAM",
    "RESUME_PARAM",
    "coach_link",
    "my_goal_link",
    "opt_out_link",
    "query_value",
    "render_url",
    "resume_link",
    "sibling",
]

RESUME_PARAM = "pdkit"
"""The query parameter that carries a participant's resume token (``?pdkit=…``)."""

MY_GOAL_NOTEBOOK = "my-goal.ipynb"
"""A teacher's home page: their goal, its status, check-ins due, their coach's comments."""

COACH_NOTEBOOK = "coach.ipynb"
"""A coach's page: their caseload, and each teacher's shared goal and thread."""

COACH_PURPOSE = "coach"
"""The purpose of the link token a coach signs in with (:meth:`Store.issue_link`)."""

REMINDERS_PARAM = "reminders"
"""``?reminders=off`` on "My goal" stops reminders by email (the link in every email)."""


def render_url(base: str, notebook: str, query: str = "") -> str:
    """``<base>/voila/render/<notebook>``, with ``?query`` when there is one."""
    link = f"{base.rstrip('/')}/voila/render/{notebook}"
    return f"{link}?{query}" if query else link


def sibling(page_url: str, notebook: str, query: str = "") -> str:
    """The address of another notebook beside the page at ``page_url``, with ``query``
    (just ``notebook`` when the page's address is not known)."""
    parts = urlsplit(page_url)
    path = parts.path.rsplit("/", 1)[0] + f"/{notebook}" if "/" in parts.path else notebook
    return urlunsplit((parts.scheme, parts.netloc, path, query, ""))


def query_value(page_url: str, name: str) -> str:
    """The value of the query parameter ``name`` in a page's address ("" when absent)."""
    return dict(parse_qsl(urlsplit(page_url).query)).get(name, "")


def resume_link(page_url: str, token: str) -> str:
    """``page_url`` with the resume token as its ``pdkit`` query parameter."""
    parts = urlsplit(page_url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != RESUME_PARAM]
    query.append((RESUME_PARAM, token))
    return urlunsplit(parts._replace(query=urlencode(query), fragment=""))


def my_goal_link(base: str, token: str) -> str:
    """A participant's "My goal" page on the server at ``base``, signed in by ``token``."""
    return render_url(base, MY_GOAL_NOTEBOOK, urlencode({RESUME_PARAM: token}))


def opt_out_link(base: str, token: str) -> str:
    """The link in a reminder that stops reminders (it opens "My goal", which says so)."""
    return render_url(
        base, MY_GOAL_NOTEBOOK, urlencode({RESUME_PARAM: token, REMINDERS_PARAM: "off"})
    )


def coach_link(base: str, token: str) -> str:
    """A coach's page on the server at ``base``, signed in by their link ``token``
    (issued with purpose :data:`COACH_PURPOSE`)."""
    return render_url(base, COACH_NOTEBOOK, urlencode({RESUME_PARAM: token}))
