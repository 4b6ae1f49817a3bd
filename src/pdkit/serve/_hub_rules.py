"""Which store calls the pdkit hub service answers, and as whom (:mod:`.hub_service`).

The caller is a hub user, known from their hub token, never from what they send. Their
participant is the one with external id ``jupyterhub:<user>``. Every call is checked
against :data:`RULES`, an explicit allowlist; a method not in it is refused. In each
call the service sets or checks every argument that says who acts or who reads:

- a *self* argument (``participant_id`` in ``record``, ``author_id``, ``giver_id``,
  ``by`` …) must be the caller's own participant id;
- ``viewer`` must be the caller (their participant id, or :meth:`Viewer.of` it) or, for a
  member of the hub's facilitators group, :meth:`Viewer.facilitator` of a session; it is
  rebuilt from those facts, so a steward's viewer (or any other flag) never passes;
- ``create_participant`` makes only the caller's own participant (``jupyterhub:<user>``,
  named for the user): a coach for a member of the hub's coaches group, else a teacher;
- a few methods (sessions' runs, groups and statuses: the facilitator's dashboard) are
  for the facilitators group only, and a few reads of where someone is (their group, run,
  sessions, coaches, check-in dates, the forms they answered) name anyone for them.

Given the right viewer, the store itself enforces what may be seen (visibility levels,
coaching, groups), exactly as under ``pdkit serve``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import AccessError
from ..i18n import N_
from ..store import Participant, Store, Viewer

__all__ = ["RULES", "Caller", "Rule", "bind_call"]


@dataclass(frozen=True)
class Caller:
    """A hub user, as the hub vouched for them, and their rights from hub groups."""

    user: str
    facilitator: bool = False
    coach: bool = False

    @property
    def external_id(self) -> str:
        return f"jupyterhub:{self.user}"


@dataclass(frozen=True)
class Rule:
    """How one store method may be called: ``me`` names the arguments that must be the
    caller's participant id; ``viewer`` whether it takes a viewer; ``facilitator`` that
    only the facilitators group may call it; ``me_or_coached`` arguments that may also
    name a teacher the caller coaches."""

    me: tuple[str, ...] = ()
    viewer: bool = False
    facilitator: bool = False
    me_or_coached: tuple[str, ...] = ()
    identity: bool = False  # answered without a participant (signing in)
    facilitator_any: bool = False  # a facilitator may name anyone in ``me`` (a read)


def _me(*names: str) -> Rule:
    return Rule(me=names)


def _me_or_any_for_facilitators(*names: str) -> Rule:
    return Rule(me=names, facilitator_any=True)


_VIEW = Rule(viewer=True)
_FACILITATOR = Rule(facilitator=True)
_ANYONE = Rule()

RULES: Mapping[str, Rule] = {
    # who the caller is: only themself
    "participant_for_external_id": Rule(identity=True),
    "create_participant": Rule(identity=True),
    "get_participant": _ANYONE,
    # their own answers, settings and places
    "record": _me("participant_id"),
    "answered_forms": _me_or_any_for_facilitators("participant_id"),
    "start_revision": _me("participant_id"),
    "revision_marks": _me("participant_id"),
    "set_visibility": _me("participant_id"),
    "visibility": _me("participant_id"),
    "attend": _me("participant_id"),
    "sessions_of": _me_or_any_for_facilitators("participant_id"),
    "checkin_times": _me_or_any_for_facilitators("participant_id"),
    "set_goal_status": Rule(me=("by",), me_or_coached=("participant_id",)),
    "set_contact": _me("participant_id"),
    "opt_out": _me("participant_id"),
    "group_of": _me_or_any_for_facilitators("participant_id"),
    "place_in_group": _me("participant_id"),
    "leave_group": _me("participant_id"),
    "run_for": _me_or_any_for_facilitators("participant_id"),
    "coaches_of": _me_or_any_for_facilitators("teacher_id"),
    "coached_by": _me("coach_id"),
    "add_comment": Rule(me=("author_id",), me_or_coached=("teacher_id",)),
    "has_evaluated": _me("participant_id"),
    "submit_evaluation": _me("participant_id"),
    "add_evidence": _me("teacher_id"),
    "edit_evidence": _me("by"),
    "withdraw_evidence": _me("by"),
    "attach_evidence": _me("by"),
    "observation_colleagues": Rule(me=("teacher_id",), viewer=True),
    "invite_observer": _me("teacher_id"),
    "withdraw_invitation": _me("teacher_id"),
    "may_observe": Rule(me=("observer_id",), viewer=True),
    "observable": Rule(me=("observer_id",), viewer=True),
    "start_observation": _me("observer_id"),
    "write_observation": _me("by"),
    "send_observation": _me("by"),
    "share_observation": _me("by"),
    "give_feedback": _me("giver_id"),
    "mark_helpful": _me("participant_id"),
    "answer_feedback": _me("owner_id"),
    "record_notes": _me("participant_id"),
    # reads of what people wrote: the store answers what the (checked) viewer may see
    "latest": _VIEW,
    "history": _VIEW,
    "can_see": _VIEW,
    "shared": _VIEW,
    "choices": _VIEW,
    "checkin_plan": _VIEW,
    "comments": _VIEW,
    "goal_statuses": _VIEW,
    "goal_status": _VIEW,
    "contact": _VIEW,
    "feedback": _VIEW,
    "feedback_trace": _VIEW,
    "evidence": _VIEW,
    "evidence_history": _VIEW,
    "invitations": _VIEW,
    "observation_goal": _VIEW,
    "goal_version": _VIEW,
    "observation": _VIEW,
    "observations_of": _VIEW,
    "observations_by": _VIEW,
    "latest_notes": _VIEW,
    "notes": _VIEW,
    "evaluation_sheets": _VIEW,
    # a session's shape, which every page of it shows
    "get_session": _ANYONE,
    "checkin_schedule": _ANYONE,
    "current_agenda": _ANYONE,
    "agenda_state": _ANYONE,
    "get_run": _ANYONE,
    "runs": _ANYONE,
    "groups": _ANYONE,
    # the facilitator's dashboard
    "participants": _FACILITATOR,
    "statuses": _FACILITATOR,
    "sessions": _FACILITATOR,
    "create_session": _FACILITATOR,
    "set_groups": _FACILITATOR,
    "coaches": _FACILITATOR,
    "assign_coach": _FACILITATOR,
    "unassign_coach": _FACILITATOR,
    "start_run": _FACILITATOR,
    "update_run": _FACILITATOR,
    "run_events": _FACILITATOR,
    "note_writers": _FACILITATOR,
    "set_checkin_schedule": _FACILITATOR,
    "evaluation_count": _FACILITATOR,
    "set_agenda_part": _FACILITATOR,
    "agenda_events": _FACILITATOR,
}
"""Every store method the service answers. Not here, so refused: personal links and
join codes (``participant_for_token``, ``issue_link(s)``, ``session_for_code``), the
facilitator keys, reminders (the service's own job), pseudonyms, ``run_signal``."""


def _viewer(value: Any, me: Participant | None, caller: Caller) -> Viewer:
    """The viewer the caller may be: themself, or a session's facilitator (group)."""
    if isinstance(value, str) and me is not None and value == me.id:
        return Viewer.of(me.id)
    if isinstance(value, Viewer):
        if me is not None and value.participant == me.id:
            return Viewer.of(me.id)
        if value.participant is None and value.facilitator_of is not None and caller.facilitator:
            return Viewer.facilitator(value.facilitator_of)
    raise AccessError(
        N_(
            "the pdkit hub service reads only as hub user {user} (or, for a member of the "
            "facilitators group, as a session's facilitator): not as {viewer}"
        ),
        user=caller.user,
        viewer=str(value),
    )


def bind_call(
    store: Store,
    method: str,
    args: list[Any],
    kwargs: dict[str, Any],
    caller: Caller,
    me: Callable[[], Participant | None],
) -> Callable[[], Any]:
    """The call ``store.method(*args, **kwargs)`` as ``caller`` may make it, ready to run;
    :class:`pdkit.AccessError` when it is not on the allowlist or names someone else."""
    rule = RULES.get(method)
    if rule is None:
        raise AccessError(
            N_("the pdkit hub service does not answer {method!r}"), method=method[:80]
        )
    if rule.facilitator and not caller.facilitator:
        raise AccessError(
            N_("{method} is for facilitators: hub user {user} is not in the facilitators group"),
            method=method,
            user=caller.user,
        )
    function = getattr(store, method)
    signature = inspect.signature(function)
    try:
        bound = signature.bind(*args, **kwargs)
    except TypeError as exc:
        raise AccessError(N_("{method}: {reason}"), method=method, reason=str(exc)) from None
    given = bound.arguments
    if method == "participant_for_external_id":
        if given.get("external_id") != caller.external_id:
            raise AccessError(
                N_("hub user {user} may look up only {external_id}"),
                user=caller.user,
                external_id=caller.external_id,
            )
    elif method == "create_participant":
        role = given.get("role", "teacher")
        if (
            given.get("external_id") != caller.external_id
            or given.get("display_name") != caller.user
        ):
            raise AccessError(
                N_("hub user {user} may make only their own participant"), user=caller.user
            )
        if role not in ("teacher", "coach") or (role == "coach" and not caller.coach):
            raise AccessError(N_("hub user {user} is not in the coaches group"), user=caller.user)
        given["role"] = "coach" if caller.coach else "teacher"  # the hub's groups say
    else:
        person = me()
        if person is None and (rule.me or rule.me_or_coached) and not caller.facilitator:
            raise AccessError(
                N_("hub user {user} has not signed in to pdkit yet"), user=caller.user
            )
        for name in rule.me if not (rule.facilitator_any and caller.facilitator) else ():
            if name in given and person is not None and given[name] != person.id:
                raise AccessError(
                    N_("{method}: hub user {user} acts only as themself"),
                    method=method,
                    user=caller.user,
                )
        for name in rule.me_or_coached:
            if (
                name in given
                and person is not None
                and given[name] != person.id
                and person.id not in store.coaches_of(str(given[name]))
            ):
                raise AccessError(
                    N_("{method}: {user} does not coach that teacher"),
                    method=method,
                    user=caller.user,
                )
        if rule.viewer:
            given["viewer"] = _viewer(given.get("viewer"), person, caller)
    return lambda: function(*bound.args, **bound.kwargs)
