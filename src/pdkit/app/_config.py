"""What an app needs to know about where it runs: the store, the school goals, the hub's
user and the facilitator's key, from arguments or from the environment that
``pdkit serve`` sets for every kernel (``PDKIT_STORE``, ``PDKIT_SCHOOL_GOALS``,
``PDKIT_FACILITATOR_KEY``) or JupyterHub sets (``JUPYTERHUB_USER``)."""

from __future__ import annotations

import os

from .._environ import FACILITATOR_KEY_ENV, HUB_EMAIL_ENV, HUB_USER_ENV
from ..definitions import (
    FormDefinition,
    GoalsSource,
    SchoolGoal,
    resolve_school_goals,
    school_goals_from_data,
)
from ..store import DEFAULT_SESSION, Store, open_store

__all__ = [
    "FACILITATOR_KEY_ENV",
    "facilitator_key",
    "hub_email",
    "hub_user",
    "open_store_arg",
    "session_goals",
    "with_goals",
]


def session_goals(
    store: Store, school_goals: GoalsSource, language: str | None, session: str
) -> list[SchoolGoal]:
    """The school goals of a participant's session: a stored session's own, else the
    configured ones (``PDKIT_SCHOOL_GOALS`` or the sample)."""
    if session != DEFAULT_SESSION:
        found = store.get_session(session)
        if found is not None and found.school_goals:
            return school_goals_from_data(
                found.school_goals, source=f"session {found.title!r}", language=language
            )
    return resolve_school_goals(school_goals, language)


def with_goals(definition: FormDefinition, goals: list[SchoolGoal]) -> FormDefinition:
    """A form whose school-goal choices are ``goals``."""
    return definition.with_school_goals(goals)


def open_store_arg(store: Store | str | None) -> Store:
    """The store given, or the one its URL (or the environment) names."""
    return store if store is not None and not isinstance(store, str) else open_store(store)


def hub_user() -> str | None:
    """The JupyterHub user running this kernel, if any."""
    return os.environ.get(HUB_USER_ENV) or None


def hub_email() -> str | None:
    """The hub user's email address, when the hub passes it on (``$PDKIT_HUB_EMAIL``)."""
    return os.environ.get(HUB_EMAIL_ENV, "").strip() or None


def facilitator_key() -> str | None:
    """The facilitator key ``pdkit serve`` gave the kernels, if any."""
    return os.environ.get(FACILITATOR_KEY_ENV) or None
