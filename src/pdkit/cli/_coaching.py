"""The coach's commands: ``pdkit export`` (saved workbooks from the store), ``pdkit review``
(a report from saved workbooks or a store) and ``pdkit comment`` (a comment in a saved
workbook)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import PdkitError, in_language
from ..i18n import N_
from ._common import Commands, open_existing_store
from ._words import t, tn

if TYPE_CHECKING:
    from ..store import Store

__all__ = ["Progress", "add"]


def add(commands: Commands) -> None:
    """Add this group's commands to ``pdkit``."""
    export = commands.add_parser(
        "export",
        help=t("write one saved workbook per participant, from the store"),
        description=t(
            "Write a saved workbook (.ipynb with the answers) for every participant "
            "of a session: what a coach collects, or a copy to keep."
        ),
    )
    export.add_argument(
        "--store",
        default=None,
        help=t(
            "the store to read: a SQLite path or URL, or postgresql://… "
            "(default: $PDKIT_STORE, else the file in your data folder)"
        ),
    )
    export.add_argument(
        "--workbook",
        required=True,
        metavar="ID|PATH",
        help=t("the workbook whose answers to write: a built-in id (goal-setting) or a YAML file"),
    )
    export.add_argument("--out", type=Path, required=True, help=t("folder for the .ipynb files"))
    export.add_argument("--session", default=None, help=t("the session (default: 'default')"))
    export.add_argument(
        "--include-private",
        action="store_true",
        help=t(
            "also write what teachers kept private (to give each teacher their own full "
            "copy back; never for a coach)"
        ),
    )
    export.add_argument(
        "--pseudonymous",
        action="store_true",
        help=t(
            "replace participant ids by stable pseudonyms (the same at every export of "
            "this store) and remove names"
        ),
    )
    export.set_defaults(run=_export)

    review = commands.add_parser(
        "review",
        help=t("read saved workbooks or a store and write a coach's HTML report"),
        description=t(
            "Read saved workbooks (files or folders) or a store, and write one "
            "offline HTML report: a cohort summary and a section per teacher. Files that "
            "cannot be read are skipped and listed at the end. What teachers kept private "
            "(their choice per goal and reflection; protocol notes and peer feedback always) "
            "is left out unless you pass --include-private."
        ),
    )
    review.add_argument(
        "sources",
        nargs="+",
        metavar="PATH_OR_STORE",
        help=t(
            "saved workbooks (.ipynb), folders of them, or a store (sqlite:///…, "
            "postgresql://…, or a .sqlite3 file)"
        ),
    )
    review.add_argument(
        "--out", type=Path, default=Path("report.html"), help=t("the report (default report.html)")
    )
    review.add_argument(
        "--include-private",
        action="store_true",
        help=t(
            "also show reflections, protocol notes and the check-in's support answer "
            "(private to each teacher: share such a report with nobody but that teacher)"
        ),
    )
    review.add_argument(
        "--title",
        default=None,
        help=t("the report's title (default: “Coaching review” in the report's language)"),
    )
    review.add_argument(
        "--language",
        default=None,
        metavar="LANG",
        help=t("the language of pdkit's words in the report: en (default), es or fr"),
    )
    review.add_argument(
        "--session", default=None, help=t("the session read from a store (default: 'default')")
    )
    review.add_argument(
        "--school-goals",
        type=Path,
        default=None,
        help=t(
            "the school goals, YAML or CSV, for their titles "
            "(default: $PDKIT_SCHOOL_GOALS, else the sample goals)"
        ),
    )
    review.add_argument(
        "--definitions",
        type=Path,
        action="append",
        default=[],
        metavar="PATH",
        help=t("YAML definitions (files or folders) of your own forms, for their labels; repeat"),
    )
    review.add_argument(
        "--stale-days",
        type=int,
        default=None,
        metavar="DAYS",
        help=t("a goal unchanged for this many days counts as not revisited (default 21)"),
    )
    review.add_argument(
        "--coach",
        default=None,
        metavar="NAME_OR_ID",
        help=t(
            "only this coach's teachers (their caseload), read as that coach: what "
            "each teacher shared with them (a store is needed)"
        ),
    )
    review.set_defaults(run=_review)

    comment = commands.add_parser(
        "comment",
        help=t("add a coach's comment to a teacher's saved workbook"),
        description=t(
            "Append a comment to a saved workbook: a visible cell that says it is "
            "a coach's comment, and an entry in the notebook's pdkit metadata. The teacher's "
            "answers are never changed."
        ),
    )
    comment.add_argument("notebook", type=Path, help=t("the saved workbook (.ipynb)"))
    comment.add_argument("--coach", required=True, help=t("your name, as the teacher will see it"))
    comment.add_argument("--text", required=True, help=t("the comment"))
    comment.set_defaults(run=_comment)


def _export(args: argparse.Namespace) -> int:
    from ..definitions import default_school_goals, load_workbook
    from ..notebooks import export_store
    from ..store import DEFAULT_SESSION, Viewer

    workbook = load_workbook(args.workbook)
    goals = default_school_goals(workbook.language)
    store = open_existing_store(args.store)
    try:
        print(t("pdkit: reading {source}").format(source=store.url), file=sys.stderr)
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
            raise PdkitError(
                N_("cannot write to {out}: {reason}"), out=args.out, reason=exc.strerror or exc
            ) from None
    finally:
        store.close()
    session = args.session or DEFAULT_SESSION
    if not written:
        print(
            t("pdkit: no participants in session {session}; nothing written").format(
                session=repr(session)
            ),
            file=sys.stderr,
        )
        return 0
    said = tn(
        "pdkit: wrote {count} saved workbook to {folder}",
        "pdkit: wrote {count} saved workbooks to {folder}",
        len(written),
    )
    print(said.format(count=len(written), folder=args.out))
    if not args.include_private:
        print(t("pdkit: what teachers kept private is not in them"), file=sys.stderr)
    if args.pseudonymous:
        print(t("pdkit: pseudonymous: ids replaced, names removed"), file=sys.stderr)
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
                "\r"
                + t("pdkit: reading {done}/{total} ({percent}%)").format(
                    done=done, total=total, percent=done * 100 // total
                ),
                end=end,
                file=sys.stderr,
                flush=True,
            )


def _review(args: argparse.Namespace) -> int:
    from .._atomic import write_atomically
    from ..report import STALE_DAYS, report_html
    from ..review import find_coach, load
    from ..store import DEFAULT_SESSION, Viewer

    sources: list[Any] = [str(s) for s in args.sources]
    viewer = Viewer.steward(include_private=args.include_private)
    opened = None
    if args.coach is not None:
        opened = _coach_store(args)
        sources, viewer = [opened], Viewer.of(find_coach(opened, args.coach).id)
    try:
        loaded = load(
            sources,
            progress=Progress(),
            session=args.session or DEFAULT_SESSION,
            school_goals=args.school_goals,
            definitions=args.definitions,
            viewer=viewer,
        )
    finally:
        if opened is not None:
            opened.close()
    n = {
        "sources": len(loaded.read),
        "participants": len(loaded.participants),
        "goals": len(loaded.goals),
        "checkins": len(loaded.checkins),
        "comments": len(loaded.comments),
    }
    forms = {  # literal tn() calls, so that extraction finds them
        "sources": tn("{n} source", "{n} sources", n["sources"]),
        "participants": tn("{n} participant", "{n} participants", n["participants"]),
        "goals": tn("{n} goal", "{n} goals", n["goals"]),
        "checkins": tn("{n} check-in", "{n} check-ins", n["checkins"]),
        "comments": tn("{n} coach comment", "{n} coach comments", n["comments"]),
    }
    said = {key: text.format(n=n[key]) for key, text in forms.items()}
    print(
        t(
            "pdkit: read {sources}, skipped {skipped}: {participants}, {goals}, {checkins}, "
            "{comments}"
        ).format(skipped=loaded.skipped, **said)
    )
    try:
        if not loaded.read:
            raise PdkitError(N_("nothing could be read (see the warnings); no report written"))
        html = report_html(
            loaded,
            title=args.title,
            include_private=args.include_private,
            stale_days=STALE_DAYS if args.stale_days is None else args.stale_days,
            language=args.language,
        )
        try:
            args.out.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(args.out, html)
        except OSError as exc:
            raise PdkitError(
                N_("cannot write {out}: {reason}"), out=args.out, reason=exc.strerror or exc
            ) from None
        wrote = (
            t("pdkit: wrote {out} (with private reflections and notes)")
            if args.include_private
            else t("pdkit: wrote {out}")
        )
        print(wrote.format(out=args.out))
    finally:  # warnings last, where they are seen
        for warning in loaded.warnings:
            warned = t("pdkit: warning: {message}")
            print(warned.format(message=in_language(warning, t)), file=sys.stderr)
    return 0


def _coach_store(args: argparse.Namespace) -> Store:
    """The one store a coach's review reads (``--coach``), opened."""
    from ..review._sources import STORE_SUFFIXES

    stores = [
        str(s) for s in args.sources if "://" in str(s) or Path(s).suffix.lower() in STORE_SUFFIXES
    ]
    if len(stores) != 1 or len(args.sources) != 1:
        raise PdkitError(
            N_(
                "--coach reads one store (sqlite:///…, postgresql://… or a .sqlite3 file): "
                "whom a coach coaches is kept there, not in saved workbooks"
            )
        )
    if args.include_private:
        raise PdkitError(
            N_(
                "--coach and --include-private do not go together: a coach sees "
                "what their teachers shared with them, never what they kept private"
            )
        )
    return open_existing_store(stores[0])


def _comment(args: argparse.Namespace) -> int:
    from ..notebooks import add_comment

    add_comment(args.notebook, args.text, coach=args.coach)
    print(
        t("pdkit: added a comment by {coach} to {notebook}").format(
            coach=args.coach.strip(), notebook=args.notebook
        )
    )
    return 0
