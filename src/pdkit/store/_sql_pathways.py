"""Teachers' pathways in SQL: the pathway each teacher follows and the steps they tick.

The rules are pure (:mod:`pdkit.pathways`); here they meet the tables:

- ``pathway_choices`` is a log of the pathway each teacher picks (the latest counts; an
  empty id: none); ``pathway_ticks`` a log of each tick and untick of a step, with its
  link and note (the latest per pathway and step counts), so a teacher who goes back to
  an earlier pathway finds their ticks again;
- only the teacher writes, and only on the pathway they follow; steps pdkit sees done
  (a workbook, a round presented, an observation) are never ticked but read from the
  store: the teacher's saved answers, ``run_turns``, ``observations``;
- every read names its viewer, and sees the path only where it may see the teacher's
  goal (``Who can see this?`` on the goal: the coach sees it when it is shared with
  the coach; the store's steward at ``coach`` and above). Whoever sees the path sees
  whether a workbook step is done (from the teacher's saved answers), never the answers.
"""

from __future__ import annotations

from ..definitions import PathwayDefinition, protocol_by_id
from ..definitions.ids import GOAL_FORM
from ..errors import AccessError, DefinitionError, StoreError
from ..i18n import N_
from ..pathways import (
    Facts,
    Progress,
    Tick,
    check_tick,
    progress,
    tidy_tick,
    workbook_complete,
    workbook_parts,
)
from ._access import ViewerLike, as_viewer, is_option_id
from ._sql_items import ItemsSQL

__all__ = ["PathwaysSQL"]


class PathwaysSQL(ItemsSQL):
    """Pathways (see the module docs)."""

    def _may_read_path(self, viewer: ViewerLike, teacher_id: str) -> None:
        who = as_viewer(viewer)
        if who.participant == teacher_id:
            return
        if not self.can_see(who, teacher_id, GOAL_FORM):
            raise AccessError(
                N_(
                    "{who} may not see participant {teacher}'s pathway: it is shared as "
                    "their goal is, and their goal is not shared with them"
                ),
                who=who.described(),
                teacher=teacher_id,
            )

    def _writer(self, teacher_id: str, by: str) -> None:
        if by != teacher_id:
            raise AccessError(
                N_("participant {by} may not change participant {teacher}'s path"),
                by=by,
                teacher=teacher_id,
            )
        self._person(teacher_id, "teacher")

    def choose_pathway(self, teacher_id: str, pathway_id: str | None, *, by: str) -> None:
        """The teacher picks the pathway they follow (None: none). Their ticks of every
        pathway are kept."""
        self._writer(teacher_id, by)
        if pathway_id is not None and not is_option_id(pathway_id):
            raise StoreError(N_("{pathway!r} is not a pathway's id"), pathway=pathway_id)
        with self._tx() as tx:
            tx.execute(
                "INSERT INTO pathway_choices (participant, pathway, at) VALUES (?, ?, ?)",
                (teacher_id, pathway_id or "", self._clock()),
            )

    def pathway_choice(self, teacher_id: str, *, viewer: ViewerLike) -> str | None:
        """The id of the pathway the teacher follows now (None: none yet)."""
        self._may_read_path(viewer, teacher_id)
        rows = self._rows(
            "SELECT pathway FROM pathway_choices WHERE participant = ? ORDER BY seq DESC LIMIT 1",
            (teacher_id,),
        )
        return str(rows[0][0]) or None if rows else None

    def tick_step(
        self,
        teacher_id: str,
        pathway: PathwayDefinition,
        step_id: str,
        *,
        done: bool,
        link: str = "",
        note: str = "",
        by: str,
    ) -> Tick:
        """The teacher ticks (``done``) or unticks a step of the pathway they follow,
        with an optional web link and a short note (:func:`pdkit.pathways.check_tick`)."""
        self._writer(teacher_id, by)
        if self.pathway_choice(teacher_id, viewer=by) != pathway.id:
            raise StoreError(
                N_(
                    "you do not follow the pathway {pathway!r}: choose it first, then tick "
                    "its steps"
                ),
                pathway=pathway.id,
            )
        link, note = tidy_tick(link, note) if done else ("", "")
        check_tick(
            pathway, step_id, self.pathway_progress(teacher_id, pathway, viewer=by), done=done
        )
        tick = Tick(step_id, done, link, note, self._clock())
        with self._tx() as tx:
            tx.execute(
                "INSERT INTO pathway_ticks (participant, pathway, step, done, link, note, at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (teacher_id, pathway.id, step_id, int(done), link, note, tick.at),
            )
        return tick

    def pathway_ticks(
        self, teacher_id: str, pathway_id: str, *, viewer: ViewerLike
    ) -> dict[str, Tick]:
        """The latest tick of each step of one pathway (step id → tick)."""
        self._may_read_path(viewer, teacher_id)
        rows = self._rows(
            "SELECT step, done, link, note, at FROM pathway_ticks WHERE seq IN ("
            " SELECT MAX(seq) FROM pathway_ticks WHERE participant = ? AND pathway = ?"
            " GROUP BY step) ORDER BY seq",
            (teacher_id, pathway_id),
        )
        return {
            str(r[0]): Tick(str(r[0]), bool(r[1]), str(r[2]), str(r[3]), float(r[4])) for r in rows
        }

    def pathway_facts(
        self, teacher_id: str, pathway: PathwayDefinition, *, viewer: ViewerLike
    ) -> Facts:
        """What pdkit saw the teacher do that ``pathway``'s steps ask for: the workbooks
        it names that their saved answers complete, the protocols of the rounds they
        presented in, the observations sent to them and by them, the micro-credentials
        awarded to them."""
        self._may_read_path(viewer, teacher_id)
        kinds = {s.type for s in pathway.steps}
        done: set[str] = set()
        for workbook_id in sorted({s.target for s in pathway.steps if s.type == "workbook"}):
            try:
                workbook, forms = workbook_parts(workbook_id)
            except DefinitionError:
                continue  # a workbook pdkit does not have: `pdkit validate` says so
            answers = {f: self.latest(teacher_id, f, viewer=teacher_id) for f in forms}
            if workbook_complete(workbook, forms, answers):
                done.add(workbook_id)
        presented: list[str] = []
        if "protocol" in kinds:
            for protocol, role in self._rows(
                "SELECT r.protocol, t.role FROM run_turns t JOIN runs r ON r.id = t.run"
                " WHERE t.participant = ? ORDER BY t.run, t.round",
                (teacher_id,),
            ):
                try:
                    presenter = protocol_by_id(str(protocol)).presenter
                except DefinitionError:
                    continue
                if presenter is not None and role == presenter:
                    presented.append(str(protocol))
        received = given = 0
        if "observation" in kinds:
            received = self._count("teacher", teacher_id)
            given = self._count("observer", teacher_id)
        awarded: set[str] = set()
        if "credential" in kinds:
            awarded = {
                str(r[0])
                for r in self._rows(
                    "SELECT DISTINCT s.credential FROM credential_reviews r"
                    " JOIN credential_submissions s ON s.id = r.submission"
                    " WHERE s.teacher = ? AND r.decision = 'award'",
                    (teacher_id,),
                )
            }
        return Facts(frozenset(done), tuple(presented), received, given, frozenset(awarded))

    def _count(self, column: str, teacher_id: str) -> int:
        rows = self._rows(
            f"SELECT COUNT(*) FROM observations WHERE {column} = ?"  # noqa: S608
            " AND sent_at IS NOT NULL",
            (teacher_id,),
        )
        return int(rows[0][0])

    def pathway_progress(
        self, teacher_id: str, pathway: PathwayDefinition, *, viewer: ViewerLike
    ) -> Progress:
        """Where the teacher stands on ``pathway`` (:func:`pdkit.pathways.progress`)."""
        facts = self.pathway_facts(teacher_id, pathway, viewer=viewer)
        return progress(pathway, facts, self.pathway_ticks(teacher_id, pathway.id, viewer=viewer))
