"""The facilitator's commands: ``pdkit serve`` (Voilà for a room) and ``pdkit session``
(a workshop's join code, key and links)."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from ..errors import PdkitError
from ..i18n import N_
from ._common import Commands, open_existing_store
from ._reminding import add_smtp_arguments
from ._words import t, tn

__all__ = ["add", "pools"]


def add(commands: Commands) -> None:
    """Add this group's commands to ``pdkit``."""
    serve = commands.add_parser(
        "serve",
        help=t("serve workbooks to participants with Voilà"),
        description=t("Start Voilà on the workbooks, with the answer store, and print the links."),
    )
    serve.add_argument(
        "path",
        nargs="?",
        type=Path,
        default=None,
        help=t(
            "a workbook (.ipynb) or a folder of them (default: the workbooks shipped with pdkit)"
        ),
    )
    serve.add_argument(
        "--store",
        default=None,
        help=t(
            "where answers are saved: a SQLite path or URL (default: $PDKIT_STORE, else a "
            "file in your data folder; the location is printed)"
        ),
    )
    serve.add_argument(
        "--school-goals",
        type=Path,
        default=None,
        help=t(
            "the session's school goals, YAML or CSV "
            "(default: $PDKIT_SCHOOL_GOALS, else the sample goals)"
        ),
    )
    serve.add_argument(
        "--look-fors",
        type=Path,
        default=None,
        help=t(
            "the district's look-fors for the observation page, YAML (kind: look-fors; "
            "default: $PDKIT_LOOK_FORS, else the sample list)"
        ),
    )
    serve.add_argument(
        "--pathways",
        type=Path,
        default=None,
        help=t(
            "the district's pathways offered on 'My goal', a folder of YAML (kind: pathway; "
            "default: $PDKIT_PATHWAYS, else the sample pathways)"
        ),
    )
    serve.add_argument(
        "--micro-credentials",
        type=Path,
        default=None,
        metavar="DIR",
        help=t(
            "a folder of the district's micro-credentials, YAML (kind: micro-credential; "
            "default: $PDKIT_MICRO_CREDENTIALS, else pdkit's examples)"
        ),
    )
    serve.add_argument(
        "--issuer-name", default="", help=t("the district's name in the credentials it issues")
    )
    serve.add_argument(
        "--issuer-url",
        default="",
        metavar="URL",
        help=t("the district's web address (https://…): the issuer's id in its credentials"),
    )
    serve.add_argument("--issuer-email", default="", help=t("a contact address in credentials"))
    serve.add_argument(
        "--credential-key",
        type=Path,
        default=None,
        metavar="PEM",
        help=t(
            "the private key credentials are signed with (pdkit credential keygen); "
            "without it awards are kept and their credentials issued once a key is given"
        ),
    )
    serve.add_argument(
        "--host",
        default="127.0.0.1",
        help=t("address to listen on (default 127.0.0.1; 0.0.0.0 for a room network)"),
    )
    serve.add_argument(
        "--port", type=int, default=8866, help=t("port (default 8866; 0 picks a free one)")
    )
    serve.add_argument(
        "--cull-idle",
        type=int,
        default=6,  # pdkit.serve.ServeConfig's (not imported here: the CLI starts fast)
        metavar="SECONDS",
        help=t(
            "stop a kernel whose page is closed after this many idle seconds (default 6, "
            "checked every 2 s; answers are saved as people type, a reload restores them; an "
            "open page is never stopped)"
        ),
    )
    serve.add_argument(
        "--pool",
        action="append",
        default=None,
        metavar="WORKBOOK=N",
        help=t(
            "keep N kernels pre-heated for a workbook, ready before people arrive "
            "(repeatable; default goal-setting=2; goal-setting=40 for a room of 40 arriving at "
            "once; 0 turns pools off)"
        ),
    )
    serve.add_argument(
        "--max-kernels",
        type=int,
        default=None,
        metavar="N",
        help=t(
            "once N kernels run, newcomers wait on a page that opens their workbook when a "
            "place frees (default: what this machine's memory holds at 60 MB each; 0: no limit)"
        ),
    )
    serve.add_argument(
        "--certfile",
        type=Path,
        default=None,
        metavar="FILE",
        help=t(
            "serve HTTPS with this certificate (PEM; its chain after it): on a room's "
            "network, personal links and the facilitator key then travel encrypted"
        ),
    )
    serve.add_argument(
        "--keyfile",
        type=Path,
        default=None,
        metavar="FILE",
        help=t("the certificate's private key (PEM; default: in the --certfile file)"),
    )
    serve.add_argument("--open", action="store_true", help=t("open a browser on the workbooks"))
    serve.add_argument(
        "--facilitator-key",
        default="",
        metavar="KEY",
        help=t("the secret in the facilitator link (default: $PDKIT_FACILITATOR_KEY, else random)"),
    )
    serve.add_argument(
        "--template",
        default="pdkit",
        help=t("the Voilà template (default: pdkit's own; 'lab' for Voilà's)"),
    )
    serve.add_argument(
        "--remind",
        action="store_true",
        help=t(
            "also send the check-in reminders due (as pdkit remind does), at start and "
            "every --remind-every minutes, in this process"
        ),
    )
    serve.add_argument(
        "--remind-every",
        type=float,
        default=60.0,
        metavar="MINUTES",
        help=t("minutes between rounds of reminders (default 60)"),
    )
    serve.add_argument(
        "--base-url",
        default="",
        metavar="URL",
        help=t(
            "the address teachers open the workbooks at, for the reminders' links "
            "(default: http://HOST:PORT)"
        ),
    )
    add_smtp_arguments(serve)
    serve.set_defaults(run=_serve)

    session = commands.add_parser(
        "session",
        help=t("make a workshop session (join code, facilitator key) or list them"),
        description=t(
            "Sessions let one store hold several workshops: participants join a "
            "session with its code, its facilitator opens its dashboard with its key."
        ),
    )
    session_commands = session.add_subparsers(dest="session_command", metavar="ACTION")
    create = session_commands.add_parser(
        "create",
        help=t("make a session and print its join code, facilitator key and links"),
        description=t(
            "Make a session. Prints its join code (for participants), its "
            "facilitator key (shown once: keep it) and the links for `pdkit serve`."
        ),
    )
    create.add_argument("--title", required=True, help=t("what participants see"))
    create.add_argument(
        "--school-goals",
        type=Path,
        default=None,
        help=t("the session's school goals, YAML or CSV (default: the sample goals)"),
    )
    schedule = session_commands.add_parser(
        "schedule",
        help=t("set a session's check-in dates (the weeks after it)"),
        description=t(
            "Set the check-in dates of a session (by its join code or id; "
            "'default' for the default session). Each teacher's next check-in is due from "
            "them; their goal's own date adds one."
        ),
    )
    schedule.add_argument("session", help=t("the session's join code or id, or 'default'"))
    for sub in (create, schedule):
        sub.add_argument(
            "--checkins",
            default=None if sub is create else "",
            required=sub is schedule,
            metavar="DATES",
            help=t(
                "check-in dates: weeks or days after the session, or dates, separated by "
                "commas (2w,4w,6w · 10d · 2027-01-15); '' removes them"
            ),
        )
        sub.add_argument(
            "--date",
            default=None,
            metavar="YYYY-MM-DD",
            help=t("the session day the dates count from (default: today)"),
        )
    for sub in (create, schedule, session_commands.add_parser("list", help=t("list the sessions"))):
        sub.add_argument(
            "--store",
            default=None,
            help=t(
                "the store: a SQLite path or URL, or postgresql://… "
                "(default: $PDKIT_STORE, else the file in your data folder)"
            ),
        )
        sub.add_argument(
            "--url",
            default="http://127.0.0.1:8866",
            help=t(
                "the address `pdkit serve` answers on, for the links "
                "(default http://127.0.0.1:8866)"
            ),
        )
    session.set_defaults(run=_session)


def _serve(args: argparse.Namespace) -> int:
    from ..serve import ServeConfig, builtin_workbooks_dir, default_max_kernels, serve

    config = ServeConfig(
        path=args.path if args.path is not None else builtin_workbooks_dir(),
        store=args.store,
        school_goals=args.school_goals,
        look_fors=args.look_fors,
        pathways=args.pathways,
        micro_credentials=args.micro_credentials,
        issuer_name=args.issuer_name,
        issuer_url=args.issuer_url,
        issuer_email=args.issuer_email,
        credential_key=args.credential_key,
        host=args.host,
        port=args.port,
        cull_idle_timeout=args.cull_idle,
        open_browser=args.open,
        facilitator_key=args.facilitator_key,
        template=args.template,
        pools=pools(args.pool),
        max_kernels=default_max_kernels() if args.max_kernels is None else args.max_kernels,
        remind=args.remind,
        smtp=args.smtp,
        base_url=args.base_url,
        remind_every=args.remind_every * 60,
        remind_rate=args.rate,
        certfile=args.certfile,
        keyfile=args.keyfile,
    )
    if args.remind and not args.remind_every > 0:
        raise PdkitError(N_("--remind-every: give minutes, more than 0"))
    return serve(config)


def pools(given: list[str] | None) -> dict[str, int]:
    """``["goal-setting=40"]`` → ``{"goal-setting": 40}``; ``["0"]`` → no pools."""
    from ..serve import DEFAULT_POOLS

    if given is None:
        return dict(DEFAULT_POOLS)
    pools: dict[str, int] = {}
    for item in given:
        if item.strip() == "0":
            return {}
        name, sep, size = item.partition("=")
        if not sep or not name.strip() or not size.strip().isdigit():
            raise PdkitError(
                N_("--pool {item!r}: write WORKBOOK=N, such as --pool goal-setting=40 (or 0)"),
                item=item,
            )
        pools[name.strip().removesuffix(".ipynb")] = int(size)
    return pools


def _session(args: argparse.Namespace) -> int:
    from ..definitions import builtin_workbooks, school_goals_data
    from ..links import render_url
    from ..store import open_store

    if args.session_command is None:
        raise PdkitError(
            N_(
                "say what to do: pdkit session create --title …, pdkit session schedule … "
                "or pdkit session list"
            )
        )
    base = args.url.rstrip("/")
    if args.session_command == "schedule":
        return _schedule(args)
    if args.session_command == "create":
        goals = school_goals_data(args.school_goals) if args.school_goals else []
        day, dates = _checkins(args)  # a mistake in the dates: no session made
        store = open_store(args.store)
        try:
            made, key = store.create_session(args.title, goals)
            said = t("pdkit: session {title} in {store}")
            print(said.format(title=repr(made.title), store=store.url))
            if dates:
                store.set_checkin_schedule(made.id, day, dates)
                said = t("pdkit: check-ins: {dates} (from {day})")
                print(said.format(dates=_dates(dates), day=day.isoformat()))
        finally:
            store.close()
        said = t("pdkit: join code: {code} (participants type it when they join)")
        print(said.format(code=made.code))
        for workbook in builtin_workbooks():
            if workbook != "facilitator":
                link = render_url(base, f"{workbook}.ipynb", f"code={made.code}")
                print(f"pdkit: {workbook}: {link}")
        print(
            t("pdkit: facilitator (keep this link to yourself; the key is shown only now): ")
            + render_url(base, "facilitator.ipynb", f"session={made.id}&key={key}")
        )
        return 0
    store = open_existing_store(args.store)
    try:
        found = store.sessions()
        schedules = {item.id: store.checkin_schedule(item.id) for item in found}
    finally:
        store.close()
    if not found:
        print(t("pdkit: no sessions yet (everyone is in the default session)"), file=sys.stderr)
    for item in found:
        count = len(item.school_goals)
        aims = tn("{count} school goal", "{count} school goals", count).format(count=count)
        plan = schedules[item.id]
        parts = [t("session {id}").format(id=item.id), *([aims] if count else [])]
        if plan and plan.dates:
            parts.append(t("check-ins {dates}").format(dates=_dates(plan.dates)))
        print(f"{item.code}  {item.title}  ({', '.join(parts)})")
    return 0


def _checkins(args: argparse.Namespace) -> tuple[date, tuple[date, ...]]:
    """The session day (``--date``, else today) and the dates ``--checkins`` gives."""
    from .._clock import today
    from ..followup import parse_schedule

    try:
        day = date.fromisoformat(args.date) if args.date else today()
    except ValueError:
        raise PdkitError(
            N_("--date {given!r}: write the session day as YYYY-MM-DD"), given=args.date
        ) from None
    return day, parse_schedule(args.checkins or "", day)


def _dates(dates: tuple[date, ...]) -> str:
    return ", ".join(d.isoformat() for d in dates)


def _schedule(args: argparse.Namespace) -> int:
    from ..store import DEFAULT_SESSION

    day, dates = _checkins(args)
    store = open_existing_store(args.store)
    try:
        wanted = args.session.strip()
        if wanted == DEFAULT_SESSION:
            session_id, title = DEFAULT_SESSION, t("the default session")
        else:
            found = store.get_session(wanted) or store.session_for_code(wanted)
            if found is None:
                raise PdkitError(
                    N_(
                        "no session {wanted!r} in {store}: give its join code or id "
                        "(pdkit session list), or 'default'"
                    ),
                    wanted=wanted,
                    store=store.url,
                )
            session_id, title = found.id, repr(found.title)
        store.set_checkin_schedule(session_id, day, dates)
    finally:
        store.close()
    if dates:
        said = t("pdkit: check-ins of {title}: {dates} (from {day})")
        print(said.format(title=title, dates=_dates(dates), day=day.isoformat()))
    else:
        print(t("pdkit: {title} has no check-in dates now").format(title=title))
    return 0
