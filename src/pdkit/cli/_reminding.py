"""``pdkit remind``: send the check-in reminders that are due, by email, once each."""

from __future__ import annotations

import argparse
import sys

from ..errors import PdkitError, in_language
from ..i18n import N_
from ._common import Commands, open_existing_store
from ._words import t

__all__ = ["add", "add_smtp_arguments"]


def add(commands: Commands) -> None:
    """Add ``pdkit remind`` to ``pdkit``."""
    remind = commands.add_parser(
        "remind",
        help=t("email teachers whose check-in is due (each reminder once)"),
        description=t(
            "Email every teacher whose next check-in is due (or overdue) a "
            "reminder with their personal 'My goal' link; the first one carries their "
            "check-in calendar (.ics). Each reminder goes once per teacher and due date (the "
            "store logs it): run it as often as you like (cron, a systemd timer, a "
            "Kubernetes CronJob). Teachers who gave no address or opted out are counted, "
            "not emailed. No email holds anything a teacher wrote."
        ),
    )
    remind.add_argument(
        "--store",
        default=None,
        help=t(
            "the store: a SQLite path or URL, or postgresql://… "
            "(default: $PDKIT_STORE, else the file in your data folder)"
        ),
    )
    remind.add_argument(
        "--base-url",
        required=True,
        metavar="URL",
        help=t("the address teachers open pdkit at (https://pd.school.org), for the links"),
    )
    add_smtp_arguments(remind)
    remind.add_argument(
        "--dry-run",
        action="store_true",
        help=t(
            "list who would get which reminder (names and due dates); send nothing, log nothing"
        ),
    )
    remind.add_argument(
        "--ahead",
        type=int,
        default=0,
        metavar="DAYS",
        help=t(
            "also remind of check-ins due within this many days (default 0: due today or overdue)"
        ),
    )
    remind.add_argument(
        "--session",
        default=None,
        metavar="CODE",
        help=t("only the teachers of this session (its join code or id; default: every session)"),
    )
    remind.add_argument(
        "--quiet", action="store_true", help=t("print the summary only, not a line per teacher")
    )
    remind.set_defaults(run=_remind)


def add_smtp_arguments(parser: argparse.ArgumentParser) -> None:
    """``--smtp`` and ``--rate``: shared by ``pdkit remind`` and ``pdkit serve --remind``."""
    parser.add_argument(
        "--smtp",
        default=None,
        metavar="URL",
        help=t(
            "the mail server for reminders: smtp://host:25, smtp+starttls://user@host:587 or "
            "smtps://user@host:465, with ?from=reminders@school.org (default: $PDKIT_SMTP_URL); "
            "the password comes from $PDKIT_SMTP_PASSWORD only"
        ),
    )
    parser.add_argument(
        "--rate",
        type=float,
        default=10.0,
        metavar="N",
        help=t("send at most N reminder emails a second (default 10; 0: no limit)"),
    )


def _remind(args: argparse.Namespace) -> int:
    from ..outreach import SmtpSettings, send_reminders
    from ..store import DEFAULT_SESSION

    settings = None if args.dry_run else SmtpSettings.from_url(args.smtp)
    store = open_existing_store(args.store)
    try:
        session = None
        if args.session is not None:
            wanted = args.session.strip()
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
            session = found.id if found is not None else DEFAULT_SESSION

        def say(line: str) -> None:
            if not args.quiet:
                print(f"pdkit: {in_language(line, t)}", flush=True)

        report = send_reminders(
            store,
            settings,
            base_url=args.base_url,
            ahead=args.ahead,
            session=session,
            rate=args.rate,
            dry_run=args.dry_run,
            say=say,
        )
    finally:
        store.close()
    said = (
        t("pdkit: reminders: {summary}")
        if settings is None
        else t("pdkit: reminders through {server}: {summary}")
    )
    print(said.format(summary=in_language(report.summary(), t), server=settings))
    if report.stopped:
        said = t("pdkit: error: {message} (the rest go on the next run)")
        print(said.format(message=in_language(report.stopped, t)), file=sys.stderr)
        return 2
    return 1 if report.failed else 0
