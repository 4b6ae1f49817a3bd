"""``pdkit records``: learning records out, as xAPI statements and an hours summary
(:mod:`pdkit.records`)."""

from __future__ import annotations

import argparse
from pathlib import Path

from ._common import Commands, open_existing_store
from ._words import t, tn

__all__ = ["add"]


def add(commands: Commands) -> None:
    """Add ``pdkit records`` to ``pdkit``."""
    records = commands.add_parser(
        "records",
        help=t("learning records for a learning record store: xAPI statements, hours per teacher"),
        description=t(
            "Write statements.jsonl (xAPI 1.0.3 statements, one per line: a teacher "
            "attended a session, completed a form, presented in a protocol round, earned a "
            "micro-credential; never what anyone wrote) and hours.csv (per teacher: sessions "
            "attended and hours) and credentials.csv (submissions per micro-credential and state, "
            "counts only, fewer than 5 suppressed) into --out. Teachers are named by their "
            "stable pseudonym, or with --hub-users by their JupyterHub user name."
        ),
    )
    records.add_argument(
        "--store",
        default=None,
        help=t(
            "the store: a SQLite path or URL, or postgresql://… "
            "(default: $PDKIT_STORE, else the file in your data folder)"
        ),
    )
    records.add_argument("--out", type=Path, required=True, metavar="DIR", help=t("the folder"))
    records.add_argument(
        "--home-page",
        required=True,
        metavar="URL",
        help=t(
            "the address of the system the accounts belong to (the hub's, or the "
            "district's pdkit server): each actor's account.homePage, and where activity ids start"
        ),
    )
    records.add_argument(
        "--session-hours",
        type=float,
        required=True,
        metavar="H",
        help=t("how many hours one session day counts for, in the hours summary"),
    )
    records.add_argument(
        "--hub-users",
        action="store_true",
        help=t(
            "name teachers by their JupyterHub user name (where they have one) instead of "
            "their pseudonym"
        ),
    )
    records.set_defaults(run=_records)


def _records(args: argparse.Namespace) -> int:
    from ..errors import PdkitError
    from ..i18n import N_
    from ..records import write_records

    if not (args.home_page.startswith("https://") or args.home_page.startswith("http://")):
        raise PdkitError(
            N_("--home-page must be a web address (https://…), not {given!r}"),
            given=args.home_page,
        )
    if not 0 <= args.session_hours <= 24:
        raise PdkitError(N_("--session-hours must be between 0 and 24"))
    store = open_existing_store(args.store)
    try:
        lines, hours, count = write_records(
            store,
            args.out,
            home_page=args.home_page,
            session_hours=args.session_hours,
            hub_users=args.hub_users,
        )
    finally:
        store.close()
    said = tn(
        "pdkit: wrote {count} statement to {lines} and the hours summary to {hours}",
        "pdkit: wrote {count} statements to {lines} and the hours summary to {hours}",
        count,
    )
    print(said.format(count=count, lines=lines, hours=hours))
    return 0
