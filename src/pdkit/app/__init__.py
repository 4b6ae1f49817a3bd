"""What workbook notebooks run: :class:`Workbook` (built notebooks), and one-cell apps.

``Workbook("goal-setting")`` or ``form_app("goal-setting")`` opens the store, reads the
definitions and the school goals, identifies the participant (JupyterHub user, resume
token or join step) and then shows their form with every saved answer restored.
Configuration comes from arguments or from the environment that ``pdkit serve`` sets
for every kernel:

- ``PDKIT_STORE``: the store URL (default: a SQLite file in the user's data folder);
- ``PDKIT_SCHOOL_GOALS``: a YAML or CSV file of school goals (default: the sample);
- ``JUPYTERHUB_USER``: set by JupyterHub; then the hub's user is the participant.

Only light modules are imported here: this runs on every page load, in a new kernel.
Inside: ``_config`` (where the app runs), ``_page`` (style, error messages), ``_parts``
(the sections of a workbook), ``_copy`` (the participant's own copy),
``_participant``, ``_facilitator`` and ``_coach`` (the kinds of page), ``_mygoal``
(the teacher's "My goal"), ``_goalview`` (a goal's follow-up as HTML, for both) and
``_caseload`` (a coach's teachers by need), ``_workbook`` (what a notebook runs).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._imports import lazy
from ._config import FACILITATOR_KEY_ENV
from ._copy import CopyTools
from ._participant import FormApp, ParticipantApp, ProtocolApp, ReflectionApp
from ._workbook import (
    Workbook,
    facilitator_app,
    form_app,
    protocol_app,
    reflection_app,
)

__all__ = [
    "FACILITATOR_KEY_ENV",
    "CoachApp",
    "CopyTools",
    "FacilitatorApp",
    "FormApp",
    "MyGoalPage",
    "MyGoalPart",
    "ParticipantApp",
    "ProtocolApp",
    "ReflectionApp",
    "TeacherView",
    "Workbook",
    "facilitator_app",
    "form_app",
    "protocol_app",
    "reflection_app",
]

if TYPE_CHECKING:
    from ._coach import CoachApp, TeacherView
    from ._facilitator import FacilitatorApp
    from ._mygoal import MyGoalPage, MyGoalPart

__getattr__ = lazy(
    __name__,
    {
        "CoachApp": "._coach",
        "TeacherView": "._coach",
        "FacilitatorApp": "._facilitator",
        "MyGoalPage": "._mygoal",
        "MyGoalPart": "._mygoal",
    },
)
