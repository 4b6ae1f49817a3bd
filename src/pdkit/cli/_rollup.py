"""``pdkit rollup``: the district rollup, every figure about fewer than 5 people
suppressed (:func:`pdkit.review.rollup`)."""

from __future__ import annotations

import argparse

from ..errors import PdkitError
from ..i18n import N_
from ._common import Commands, open_existing_store
from ._words import t, tn

__all__ = ["add"]


def add(commands: Commands) -> None:
    """Add ``pdkit rollup`` to ``pdkit``."""
    rollup = commands.add_parser(
        "rollup",
        help=t("the district rollup per session and school goal (k = 5 suppression)"),
        description=t(
            "Per session and school goal: goals set, agreed and met; the share of "
            "teachers with a measured goal and with evidence; the mean change from point A "
            "toward point B; the session evaluation. Every figure about fewer than 5 people "
            "is suppressed, and so is a second one wherever a suppressed figure could be "
            "worked out from a total. Writes rollup.csv, rollup.xlsx and rollup.html (one "
            "offline page with charts: no script, no external link) into --out."
        ),
    )
    rollup.add_argument(
        "--store",
        default=None,
        help=t(
            "the store: a SQLite path or URL, or postgresql://… "
            "(default: $PDKIT_STORE, else the file in your data folder)"
        ),
    )
    rollup.add_argument(
        "--session",
        action="append",
        default=None,
        metavar="CODE",
        help=t(
            "only this session (its join code or id, or 'default'); repeat for more "
            "(default: every session)"
        ),
    )
    rollup.add_argument(
        "--out", required=True, metavar="DIR", help=t("the folder to write the files into")
    )
    rollup.set_defaults(run=_rollup)


def _rollup(args: argparse.Namespace) -> int:
    from ..i18n import language_from_environment
    from ..review import rollup, write_rollup
    from ..store import DEFAULT_SESSION

    language = language_from_environment()  # the page's words and the goals' titles
    store = open_existing_store(args.store)
    try:
        sessions = None
        if args.session:
            sessions = []
            for given in args.session:
                wanted = given.strip()
                found = store.get_session(wanted) or store.session_for_code(wanted)
                if found is None and wanted != DEFAULT_SESSION:
                    raise PdkitError(
                        N_(
                            "no session {wanted!r} in {store}: give its join code or id "
                            "(pdkit session list), or 'default'"
                        ),
                        wanted=wanted,
                        store=store.url,
                    )
                sessions.append(found.id if found is not None else DEFAULT_SESSION)
        frame = rollup(store, sessions, language=language)
    finally:
        store.close()
    paths = write_rollup(frame, args.out, language)
    hidden = int((frame["note"] != "").sum())
    sessions_done = frame["session"].nunique()
    said = tn(
        "pdkit: rollup of {count} session: {figures} figures, {hidden} suppressed or not "
        "counted; wrote {paths}",
        "pdkit: rollup of {count} sessions: {figures} figures, {hidden} suppressed or not "
        "counted; wrote {paths}",
        sessions_done,
    )
    paths_said = ", ".join(str(p) for p in paths)
    print(said.format(count=sessions_done, figures=len(frame), hidden=hidden, paths=paths_said))
    return 0
