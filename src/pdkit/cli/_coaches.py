"""``pdkit coach``: coaches as people in the store. ``add`` one, ``assign`` them teachers
and ``unassign`` them, ``list`` them with their caseloads, and print a coach's ``link``
(a key to the coach's page). Teachers and coaches are named by name or id; a name two
teachers share is refused with each one's id and session, and a mistake changes nothing."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from ..errors import PdkitError, Said
from ..i18n import N_, Nn_
from ._common import Commands, open_existing_store
from ._words import t, tn

if TYPE_CHECKING:
    from ..store import Participant, Store

__all__ = ["add"]


def add(commands: Commands) -> None:
    """Add ``pdkit coach`` to ``pdkit``."""
    coach = commands.add_parser(
        "coach",
        help=t("add coaches, give them teachers, list them, print a coach's link"),
        description=t(
            "Coaches are people in the store: each coaches the teachers assigned "
            "to them and, with their link, opens the coach's page, where they see only their "
            "own teachers' items shared with the coach or wider (never what a teacher kept "
            "private). Teachers and coaches are named by name or by id."
        ),
    )
    actions = coach.add_subparsers(dest="coach_command", metavar="ACTION")
    add_one = actions.add_parser(
        "add",
        help=t("add a coach"),
        description=t(
            "Add a coach to the store. A second coach with the same name is "
            "refused unless you pass --again (two people with one name)."
        ),
    )
    add_one.add_argument("name", help=t("the coach's name, as teachers will see it"))
    add_one.add_argument("--email", default=None, help=t("the coach's address (optional)"))
    add_one.add_argument(
        "--again",
        action="store_true",
        help=t("add another coach even though one has this name already"),
    )
    assign = actions.add_parser(
        "assign",
        help=t("make a coach the coach of teachers"),
        description=t(
            "Make COACH the coach of each TEACHER (by name or id). A name two "
            "teachers share is refused with both ids: give the id, or --session."
        ),
    )
    unassign = actions.add_parser(
        "unassign",
        help=t("take teachers out of a coach's caseload"),
        description=t(
            "COACH no longer coaches each TEACHER (by name or id): from now on the "
            "coach sees nothing of theirs. Their thread so far is kept."
        ),
    )
    for sub in (assign, unassign):
        sub.add_argument("coach", metavar="COACH", help=t("the coach's name or id"))
        sub.add_argument("teachers", nargs="+", metavar="TEACHER", help=t("teachers' names or ids"))
    listing = actions.add_parser(
        "list", help=t("list the coaches and how many teachers each coaches")
    )
    link = actions.add_parser(
        "link",
        help=t("print a coach's link to their page (a key: send it to the coach only)"),
        description=t(
            "Make a fresh link for COACH to open the coach's page with. The link "
            "is a key: whoever has it signs in as that coach. Links made before keep working."
        ),
    )
    link.add_argument("coach", metavar="COACH", help=t("the coach's name or id"))
    link.add_argument(
        "--base-url",
        default="http://127.0.0.1:8866",
        metavar="URL",
        help=t(
            "the address `pdkit serve` answers on, as the coach reaches it "
            "(default http://127.0.0.1:8866)"
        ),
    )
    for sub in (add_one, assign, unassign, listing, link):
        sub.add_argument(
            "--store",
            default=None,
            help=t(
                "the store: a SQLite path or URL, or postgresql://… "
                "(default: $PDKIT_STORE, else the file in your data folder)"
            ),
        )
    for sub in (add_one, assign, unassign, listing):
        sub.add_argument(
            "--session",
            default=None,
            metavar="SESSION",
            help=(
                t(
                    "a session's join code or id, or 'default': the session the coach works "
                    "with (default: 'default'; its dashboard shows them)"
                )
                if sub is add_one
                else t("a session's join code or id, or 'default': look for teachers in it only")
                if sub is not listing
                else t(
                    "a session's join code or id, or 'default': its coaches only, counting its "
                    "teachers"
                )
            ),
        )
    coach.set_defaults(run=_coach)


def _coach(args: argparse.Namespace) -> int:
    from ..store import open_store

    action = args.coach_command
    if action is None:
        raise PdkitError(
            N_(
                "say what to do: pdkit coach add NAME, assign COACH TEACHER…, "
                "unassign COACH TEACHER…, list, or link COACH"
            )
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
        return DEFAULT_SESSION, t("the default session")
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
    return found.id, f"session {found.code} ({found.title!r})"


def _coach_add(store: Store, args: argparse.Namespace) -> int:
    from ..store import DEFAULT_SESSION, check_email

    name = " ".join(args.name.split())
    if not name:
        raise PdkitError(N_("give the coach's name: pdkit coach add 'Carla Ruiz'"))
    email = check_email(args.email) if args.email is not None else None
    session = _session_of(store, args.session) or (DEFAULT_SESSION, t("the default session"))
    same = [c for c in store.coaches() if _same_name(c.display_name, name)]
    if same and not args.again:
        raise PdkitError(
            N_(
                "there is a coach called {name!r} already ({ids}): to add another person "
                "with this name, run the command again with --again"
            ),
            name=name,
            ids=_ids(same),
        )
    coach, _token = store.create_participant(name, role="coach", session=session[0])
    if email is not None:
        store.set_contact(coach.id, email)
    print(
        t("pdkit: added the coach {name} (id {id}) to {session} in {store}").format(
            name=repr(name), id=coach.id, session=session[1], store=store.url
        )
    )
    print(
        t(
            "pdkit: next: pdkit coach assign {id} TEACHER…, then pdkit coach link {id} "
            "--base-url URL"
        ).format(id=coach.id),
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
        said = t("pdkit: {coach} coaches {names} ({new} new)")
        print(said.format(coach=coach.display_name, names=names, new=new))
    else:
        gone = store.unassign_coach(coach.id, ids)
        kept = [t for t in teachers if t.id not in gone]
        said = tn(
            "pdkit: {coach} no longer coaches {count} teacher",
            "pdkit: {coach} no longer coaches {count} teachers",
            len(gone),
        )
        print(said.format(coach=coach.display_name, count=len(gone)))
        for teacher in {t.id: t for t in kept}.values():
            print(
                t("pdkit: {coach} was not coaching {teacher} ({id}); nothing to do").format(
                    coach=coach.display_name, teacher=teacher.display_name, id=teacher.id
                ),
                file=sys.stderr,
            )
    caseload = len(store.coached_by(coach.id))
    said = tn(
        "pdkit: {coach}'s caseload: {count} teacher",
        "pdkit: {coach}'s caseload: {count} teachers",
        caseload,
    )
    print(said.format(coach=coach.display_name, count=caseload))
    return 0


def _coach_list(store: Store, args: argparse.Namespace) -> int:
    session = _session_of(store, args.session)
    coaches = store.coaches(session[0] if session else None)
    if not coaches:
        said = (
            t("pdkit: no coaches in {session} yet (pdkit coach add NAME)").format(
                session=session[1]
            )
            if session
            else t("pdkit: no coaches yet (pdkit coach add NAME)")
        )
        print(said, file=sys.stderr)
        return 0
    in_session = {p.id for p in store.participants(session[0])} if session else None
    codes = {s.id: s.code for s in store.sessions()}
    for coach in coaches:
        caseload = store.coached_by(coach.id)
        if in_session is not None:
            caseload = [t for t in caseload if t in in_session]
        teachers = tn("{count} teacher", "{count} teachers", len(caseload))
        where = (
            ", " + t("session {code}").format(code=codes[coach.session])
            if coach.session in codes
            else ""
        )
        said = (
            f"{coach.display_name}  (id {coach.id}, {teachers.format(count=len(caseload))}{where})"
        )
        print(said)
    return 0


def _coach_link(store: Store, args: argparse.Namespace) -> int:
    from ..links import COACH_PURPOSE, coach_link

    base = args.base_url.strip().rstrip("/")
    if not base.startswith(("http://", "https://")):
        raise PdkitError(
            N_(
                "--base-url {given!r}: give the server's address as the coach reaches it, "
                "such as https://pd.school.org"
            ),
            given=args.base_url,
        )
    coach = _find_coach(store, args.coach)
    token = store.issue_link(coach.id, COACH_PURPOSE)
    print(coach_link(base, token))
    print(
        t(
            "pdkit: this link is a key: whoever has it signs in as {coach} and sees what their "
            "teachers share with their coach. Send it to the coach only. Links made before "
            "keep working."
        ).format(coach=coach.display_name),
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
            N_(
                "no coach {wanted!r} in {store}: give a coach's name or id (pdkit coach list), "
                "or add one (pdkit coach add NAME)"
            ),
            wanted=wanted,
            store=store.url,
        )
    if len(found) > 1:
        raise PdkitError(
            Nn_(
                "{count} coach is called {wanted!r} ({ids}): give the id",
                "{count} coaches are called {wanted!r} ({ids}): give the id",
            ),
            count=len(found),
            wanted=wanted,
            ids=_ids(found),
        )
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
            N_(
                "no teacher {wanted!r} in {where}: give their name as they joined with it, or "
                "their id"
            ),
            wanted=wanted,
            where=where,
        )
    if len(found) > 1:
        codes = {s.id: s.code for s in store.sessions()}
        listed = [
            Said(
                N_("id {id} (session {code}, joined {when})"),
                id=p.id,
                code=codes[p.session],
                when=_when(p.created_at),
            )
            if p.session in codes
            else Said(
                N_("id {id} (the default session, joined {when})"),
                id=p.id,
                when=_when(p.created_at),
            )
            for p in found
        ]
        raise PdkitError(
            Nn_(
                "{count} teacher is called {wanted!r}: {listed}. Give the id of the one "
                "you mean (or --session)",
                "{count} teachers are called {wanted!r}: {listed}. Give the id of the one "
                "you mean (or --session)",
            ),
            count=len(found),
            wanted=wanted,
            listed=listed,
        )
    return found[0]


def _when(at: float) -> str:
    import time

    return time.strftime("%Y-%m-%d %H:%M", time.localtime(at))
