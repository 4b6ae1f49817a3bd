"""Definitions become ipywidgets: forms with autosave, and the sign-in step.

Widgets talk to the :class:`pdkit.store.Store` protocol, never to a backend.
"""

from __future__ import annotations

from ._controls import CONTROL_BUILDERS, FieldControl, build_control
from ._dashboard import Dashboard, goals_chart
from ._files import FileDownload
from ._form import AnswerSink, FormAnswers, FormView, Scheduler, call_later
from ._identity import (
    RESUME_PARAM,
    BrowserIdentity,
    SignIn,
    clean_display_name,
    resume_link,
)
from ._protocol import Countdown, PacingControl, ProtocolRunner, StepNotes, repeat_every
from ._sharing import PeerFeedback, VisibilityPicker, feedback_categories

__all__ = [
    "CONTROL_BUILDERS",
    "RESUME_PARAM",
    "AnswerSink",
    "BrowserIdentity",
    "Countdown",
    "Dashboard",
    "FieldControl",
    "FileDownload",
    "FormAnswers",
    "FormView",
    "PacingControl",
    "PeerFeedback",
    "ProtocolRunner",
    "Scheduler",
    "SignIn",
    "StepNotes",
    "VisibilityPicker",
    "build_control",
    "call_later",
    "clean_display_name",
    "feedback_categories",
    "goals_chart",
    "repeat_every",
    "resume_link",
]
