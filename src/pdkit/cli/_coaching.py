"""The coach's commands: ``pdkit export`` (saved workbooks from the store), ``pdkit review``
(a report from saved workbooks or a store), ``pdkit comment`` (a comment in a saved
workbook) and ``pdkit coach`` (coaches: add, assign, unassign, list, link)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import PdkitError
from ._common import Commands, open_existing_store

if TYPE_CHECKING:
    from ..store import Participant, Store

__all__ = ["Progress", "add"]


def add(commands: Commands) -> None:
    """Add this group's commands to ``pdkit``."""
    export = commands.add_parser(
        "export",
        help="write one saved workbook per participant, from the store",
        description="Write a saved workbook (.ipynb with the answers) for every participant "
        "of a session: what a coach collects, or a copy to keep.",
    )
    export.add_argument(
        "--store",
        default=None,
        help="the store to read: a SQLite path or URL, or postgresql://… "
        "(default: $PDKIT_STORE, else the file in your data folder)",
    )
    export.add_argument(
        "--workbook",
        required=True,
        metavar="ID|PATH",
        help="the workbook whose answers to write: a built-in id (goal-setting) or a YAML file",
    )
    export.add_argument("--out", type=Path, required=True, help="folder for the .ipynb files")
    export.add_argument("--session", default=None, help="the session (default: 'default')")
    export.add_argument(
        "--include-private",
        action="store_true",
        help="also write what teachers kept private (to give each teacher their own full "
        "copy back; never for a coach)",
    )
    export.add_argument(
        "--pseudonymous",
        action="store_true",
        help="replace participant ids by stable pseudonyms (the same at every export of "
        "this store) and remove names",
    )
    export.set_defaults(run=_export)

    review = commands.add_parser(
        "review",
        help="read saved workbooks or a store and write a coach's HTML report",
        description="Read saved workbooks (files or folders) or a store, and write one "
        "offline HTML report: a cohort summary and a section per teacher. Files that "
        "cannot be read are skipped and listed at the end. What teachers kept private "
        "(their choice per goal and reflection; protocol notes and peer feedback always) "
        "is left out unless you pass --include-private.",
    )
    review.add_argument(
        "sources",
        nargs="+",
        metavar="PATH_OR_STORE",
        help="saved workbooks (.ipynb), folders of them, or a store (sqlite:///…, "
        "postgresql://…, or a .sqlite3 file)",
    )
    review.add_argument(
        "--out", type=Path, default=Path("report.html"), help="the report (default report.html)"
    )
    review.add_argument(
        "--include-private",
        action="store_true",
        help="also show reflections, protocol notes and the check-in's support answer "
        "(private to each teacher: share such a report with nobody but that teacher)",
    )
    review.add_argument("--title", default="Coaching review", help="the report's title")
    review.add_argument(
        "--session", default=None, help="the session read from a store (default: 'default')"
    )
    review.add_argument(
        "--school-goals",
        type=Path,
        default=None,
        help="the school goals, YAML or CSV, for their titles "
        "(default: $PDKIT_SCHOOL_GOALS, else the sample goals)",
    )
    review.add_argument(
        "--definitions",
        type=Path,
        action="append",
        default=[],
        metavar="PATH",
        help="YAML definitions (files or folders) of your own forms, for their labels; repeat",
    )
    review.add_argument(
        "--stale-days",
        type=int,
        default=None,
        metavar="DAYS",
        help="a goal unchanged for this many days counts as not revisited (default 21)",
    )
    review.set_defaults(run=_review)

    comment = commands.add_parser(
        "comment",
        help="add a coach's comment to a teacher's saved workbook",
        description="Append a comment to a saved workbook: a visible cell that says it is "
        "a coach's comment, and an entry in the notebook's pdkit metadata. The teacher's "
        "answers are never changed.",
    )
    comment.add_argument("notebook", type=Path, help="the saved workbook (.ipynb)")
    comment.add_argument("--coach", required=True, help="your name, as the teacher will see it")
    comment.add_argument("--text", required=True, help="the comment")
    comment.set_defaults(run=_comment)
    _add_coach_commands(commands)


def _export(args: argparse.Namespace) -> int:
    from ..definitions import default_school_goals, load_workbook
    from ..notebooks import export_store
    from ..store import DEFAULT_SESSION, Viewer

    workbook = load_workbook(args.workbook)
    goals = default_school_goals(workbook.language)
    store = open_existing_store(args.store)
    try:
        print(f"pdkit: reading {store.url}", file=sys.stderr)
        try:
            written = export_store(
                store,
                workbook,
                args.out,
                args.session or DEFAULT_SESSION,
                school_goals=goals,
                viewer=Viewer.steward(include_private=args.include_private),
                pseudonymous=args.pseudonymous,
            )
        except OSError as exc:
            raise PdkitError(f"cannot write to {args.out}: {exc.strerror or exc}") from None
    finally:
        store.close()
    session = args.session or DEFAULT_SESSION
    if not written:
        print(f"pdkit: no participants in session {session!r}; nothing written", file=sys.stderr)
        return 0
    print(f"pdkit: wrote {len(written)} saved workbook(s) to {args.out}")
    if not args.include_private:
        print("pdkit: what teachers kept private is not in them", file=sys.stderr)
    if args.pseudonymous:
        print("pdkit: pseudonymous: ids replaced, names removed", file=sys.stderr)
    return 0


class Progress:
    """A progress line on stderr: every 5% on a terminal, else nothing until the end."""

    def __init__(self) -> None:
        self.terminal = sys.stderr.isatty()
        self.shown = -1

    def __call__(self, done: int, total: int) -> None:
        if not self.terminal or total < 20:
            return
        step = done * 20 // total
        if step != self.shown or done == total:
            self.shown = step
            end = "\n" if done == total else ""
            print(
                f"\rpdkit: reading {done}/{total} ({done * 100 // total}%)",
                end=end,
                file=sys.stderr,
                flush=True,
            )


def _review(args: argparse.Namespace) -> int:
    from .._atomic import write_atomically
    from ..report import STALE_DAYS, report_html
    from ..review import load
    from ..store import DEFAULT_SESSION, Viewer

    loaded = load(
        [str(s) for s in args.sources],
        progress=Progress(),
        session=args.session or DEFAULT_SESSION,
        school_goals=args.school_goals,
        definitions=args.definitions,
        viewer=Viewer.steward(include_private=args.include_private),
    )
    print(
        f"pdkit: read {len(loaded.read)} source(s), skipped {loaded.skipped}: "
        f"{len(loaded.participants)} participant(s), {len(loaded.goals)} goal(s), "
        f"{len(loaded.checkins)} check-in(s), {len(loaded.comments)} coach comment(s)"
    )
    try:
        if not loaded.read:
            raise PdkitError("nothing could be read (see the warnings); no report written")
        html = report_html(
            loaded,
            title=args.title,
            include_private=args.include_private,
            stale_days=STALE_DAYS if args.stale_days is None else args.stale_days,
        )
        try:
            args.out.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(args.out, html)
        except OSError as exc:
            raise PdkitError(f"cannot write {args.out}: {exc.strerror or exc}") from None
        private = " (with private reflections and notes)" if args.include_private else ""
        print(f"pdkit: wrote {args.out}{private}")
    finally:  # warnings last, where they are seen
        for warning in loaded.warnings:
            print(f"pdkit: warning: {warning}", file=sys.stderr)
    return 0


def _comment(args: argparse.Namespace) -> int:
    from ..notebooks import add_comment

    add_comment(args.notebook, args.text, coach=args.coach)
    print(f"pdkit: added a comment by {args.coach.strip()} to {args.notebook}")
    return 0


# --------------------------------------------------------------------------- pdkit coach


def _add_coach_commands(commands: Commands) -> None:
    coach = commands.add_parser(
        "coach",
        help="add coaches, give them teachers, list them, print a coach's link",
        description="Coaches are people in the store: each coaches the teachers assigned "
        "to them and, with their link, opens the coach's page, where they see only their "
        "own teachers' items shared with the coach or wider (never what a teacher kept "
        "private). Teachers and coaches are named by name or by id.",
    )
    actions = coach.add_subparsers(dest="coach_command", metavar="ACTION")
    add_one = actions.add_parser(
        "add",
        help="add a coach",
        description="Add a coach to the store. A second coach with the same name is "
        "refused unless you pass --again (two people with one name).",
    )
    add_one.add_argument("name", help="the coach's name, as teachers will see it")
    add_one.add_argument("--email", default=None, help="the coach's address (optional)")
    add_one.add_argument(
        "--again",
        action="store_true",
        help="add another coach even though one has this name already",
    )
    assign = actions.add_parser(
        "assign",
        help="make a coach the coach of teachers",
        description="Make COACH the coach of each TEACHER (by name or id). A name two "
        "teachers share is refused with both ids: give the id, or --session.",
    )
    unassign = actions.add_parser(
        "unassign",
        help="take teachers out of a coach's caseload",
        description="COACH no longer coaches each TEACHER (by name or id): from now on the "
        "coach sees nothing of theirs. Their thread so far is kept.",
    )
    for sub in (assign, unassign):
        sub.add_argument("coach", metavar="COACH", help="the coach's name or id")
        sub.add_argument("teachers", nargs="+", metavar="TEACHER", help="teachers' names or ids")
    listing = actions.add_parser("list", help="list the coaches and how many teachers each coaches")
    link = actions.add_parser(
        "link",
        help="print a coach's link to their page (a key: send it to the coach only)",
        description="Make a fresh link for COACH to open the coach's page with. The link "
        "is a key: whoever has it signs in as that coach. Links made before keep working.",
    )
    link.add_argument("coach", metavar="COACH", help="the coach's name or id")
    link.add_argument(
        "--base-url",
        default="http://127.0.0.1:8866",
        metavar="URL",
        help="the address `pdkit serve` answers on, as the coach reaches it "
        "(default http://127.0.0.1:8866)",
    )
    for sub in (add_one, assign, unassign, listing, link):
        sub.add_argument(
            "--store",
            default=None,
            help="the store: a SQLite path or URL, or postgresql://… "
            "(default: $PDKIT_STORE, else the file in your data folder)",
        )
    for sub in (add_one, assign, unassign, listing):
        sub.add_argument(
            "--session",
            default=None,
            metavar="SESSION",
            help="a session's join code or id, or 'default': "
            + (
                "the session the coach works with (default: 'default'; its dashboard shows them)"
                if sub is add_one
                else "look for teachers in it only"
                if sub is not listing
                else "its coaches only, counting its teachers"
            ),
        )
    coach.set_defaults(run=_coach)


def _coach(args: argparse.Namespace) -> int:
    from ..store import open_store

    action = args.coach_command
    if action is None:
        raise PdkitError(
            "say what to do: pdkit coach add NAME, assign COACH TEACHER…, "
            "unassign COACH TEACHER…, list, or link COACH"
        )
    store = open_store(args.store) if action == "add" else open_existing_store(args.store)
    try:
        run = {
            "add": _coach_add,
            "assign": _coach_assign,
            "unassign": _coach_assign,
            "list": _coach_list,
            "link": _coach_link,
        }[action]
        return run(store, args)
    finally:
        store.close()


def _session_of(store: Store, wanted: str | None) -> tuple[str, str] | None:
    """The session ``--session`` names (its id and how to say it), or None when not given."""
    from ..store import DEFAULT_SESSION

    if wanted is None:
        return None
    wanted = wanted.strip()
    if wanted == DEFAULT_SESSION:
        return DEFAULT_SESSION, "the default session"
    found = store.get_session(wanted) or store.session_for_code(wanted)
    if found is None:
        raise PdkitError(
            f"no session {wanted!r} in {store.url}: give its join code or id "
            "(pdkit session list), or 'default'"
        )
    return found.id, f"session {found.code} ({found.title!r})"


def _coach_add(store: Store, args: argparse.Namespace) -> int:
    from ..store import DEFAULT_SESSION, check_email

    name = " ".join(args.name.split())
    if not name:
        raise PdkitError("give the coach's name: pdkit coach add 'Carla Ruiz'")
    email = check_email(args.email) if args.email is not None else None
    session = _session_of(store, args.session) or (DEFAULT_SESSION, "the default session")
    same = [c for c in store.coaches() if _same_name(c.display_name, name)]
    if same and not args.again:
        raise PdkitError(
            f"there is a coach called {name!r} already ({_ids(same)}): to add another person "
            "with this name, run the command again with --again"
        )
    coach, _token = store.create_participant(name, role="coach", session=session[0])
    if email is not None:
        store.set_contact(coach.id, email)
    print(f"pdkit: added the coach {name!r} (id {coach.id}) to {session[1]} in {store.url}")
    print(
        f"pdkit: next: pdkit coach assign {coach.id} TEACHER…, then pdkit coach link "
        f"{coach.id} --base-url URL",
        file=sys.stderr,
    )
    return 0


def _coach_assign(store: Store, args: argparse.Namespace) -> int:
    coach = _find_coach(store, args.coach)
    session = _session_of(store, args.session)
    teachers = [_find_teacher(store, ref, session) for ref in args.teachers]
    ids = [t.id for t in teachers]
    names = ", ".join(f"{t.display_name} ({t.id})" for t in teachers)
    if args.coach_command == "assign":
        before = set(store.coached_by(coach.id))
        store.assign_coach(coach.id, ids)
        new = len([i for i in dict.fromkeys(ids) if i not in before])
        print(f"pdkit: {coach.display_name} coaches {names} ({new} new)")
    else:
        gone = store.unassign_coach(coach.id, ids)
        kept = [t for t in teachers if t.id not in gone]
        print(f"pdkit: {coach.display_name} no longer coaches {len(gone)} teacher(s)")
        for teacher in {t.id: t for t in kept}.values():
            print(
                f"pdkit: {coach.display_name} was not coaching {teacher.display_name} "
                f"({teacher.id}); nothing to do",
                file=sys.stderr,
            )
    print(f"pdkit: {coach.display_name}'s caseload: {len(store.coached_by(coach.id))} teacher(s)")
    return 0


def _coach_list(store: Store, args: argparse.Namespace) -> int:
    session = _session_of(store, args.session)
    coaches = store.coaches(session[0] if session else None)
    if not coaches:
        where = f" in {session[1]}" if session else ""
        print(f"pdkit: no coaches{where} yet (pdkit coach add NAME)", file=sys.stderr)
        return 0
    in_session = {p.id for p in store.participants(session[0])} if session else None
    codes = {s.id: s.code for s in store.sessions()}
    for coach in coaches:
        caseload = store.coached_by(coach.id)
        if in_session is not None:
            caseload = [t for t in caseload if t in in_session]
        where = f", session {codes[coach.session]}" if coach.session in codes else ""
        print(f"{coach.display_name}  (id {coach.id}, {len(caseload)} teacher(s){where})")
    return 0


def _coach_link(store: Store, args: argparse.Namespace) -> int:
    from ..links import COACH_PURPOSE, coach_link

    base = args.base_url.strip().rstrip("/")
    if not base.startswith(("http://", "https://")):
        raise PdkitError(
            f"--base-url {args.base_url!r}: give the server's address as the coach reaches it, "
            "such as https://pd.school.org"
        )
    coach = _find_coach(store, args.coach)
    token = store.issue_link(coach.id, COACH_PURPOSE)
    print(coach_link(base, token))
    print(
        f"pdkit: this link is a key: whoever has it signs in as {coach.display_name} and sees "
        "what their teachers share with their coach. Send it to the coach only. Links made "
        "before keep working.",
        file=sys.stderr,
    )
    return 0


def _same_name(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def _ids(people: list[Participant]) -> str:
    return ", ".join(f"id {p.id}" for p in people)


def _find_coach(store: Store, ref: str) -> Participant:
    coaches = store.coaches()
    wanted = ref.strip()
    found = [c for c in coaches if c.id == wanted] or [
        c for c in coaches if _same_name(c.display_name, wanted)
    ]
    if not found:
        raise PdkitError(
            f"no coach {wanted!r} in {store.url}: give a coach's name or id (pdkit coach list), "
            "or add one (pdkit coach add NAME)"
        )
    if len(found) > 1:
        raise PdkitError(f"{len(found)} coaches are called {wanted!r} ({_ids(found)}): give the id")
    return found[0]


def _find_teacher(store: Store, ref: str, session: tuple[str, str] | None) -> Participant:
    from ..store import DEFAULT_SESSION

    wanted = ref.strip()
    person = store.get_participant(wanted)
    if person is not None and person.role == "teacher":
        return person
    sessions = [session[0]] if session else [DEFAULT_SESSION, *(s.id for s in store.sessions())]
    seen: dict[str, Participant] = {}
    for each in sessions:
        for p in store.participants(each):
            if p.role == "teacher" and _same_name(p.display_name, wanted):
                seen.setdefault(p.id, p)
    found = list(seen.values())
    where = f"{session[1]}" if session else store.url
    if not found:
        raise PdkitError(
            f"no teacher {wanted!r} in {where}: give their name as they joined with it, or their id"
        )
    if len(found) > 1:
        titles = {s.id: f"session {s.code}" for s in store.sessions()}
        listed = "; ".join(
            f"id {p.id} ({titles.get(p.session, 'the default session')}, joined "
            f"{_when(p.created_at)})"
            for p in found
        )
        raise PdkitError(
            f"{len(found)} teachers are called {wanted!r}: {listed}. Give the id of the one "
            "you mean (or --session)"
        )
    return found[0]


def _when(at: float) -> str:
    import time

    return time.strftime("%Y-%m-%d %H:%M", time.localtime(at))
