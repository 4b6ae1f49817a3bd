"""Definitions become ipywidgets: forms with autosave, the sign-in step, sharing and peer
feedback, the protocol runner, and the facilitator's pacing control and dashboard.

Widgets talk to the :class:`pdkit.store.Store` protocol (or one of its roles), never to
a backend; time comes in through ``clock`` and ``schedule`` so tests run it by hand.
One widget family per module: ``_controls`` (an input per field type), ``_form``,
``_visibility``, ``_feedback``, ``_identity`` (sign-in), ``_countdown``, ``_runner``,
``_pacing``, ``_presenter`` (the presenter's goal in a round), ``_trace`` (feedback →
revision), ``_dashboard``, ``_files`` (downloads), ``_safekeeping`` (typing kept in the
browser until the store has it), ``_thread`` (the live thread between a teacher and
their coaches), ``_evidence`` (a teacher's evidence log), ``_observe`` (the observation
form), ``_observations`` (observations and invitations on "My goal"), ``_lean`` (shared
layouts) and ``_timing``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._imports import lazy
from ._controls import CONTROL_BUILDERS, FieldControl, build_control
from ._feedback import PeerFeedback
from ._files import FileDownload
from ._flush import flush_only_what_was_written
from ._form import AnswerSink, FormView
from ._identity import BrowserIdentity, SignIn
from ._lean import HTML, Button, HBox, VBox
from ._safekeeping import Safekeeper
from ._states import answer_states_lean
from ._timing import Scheduler
from ._trace import FeedbackToRevision
from ._visibility import VisibilityPicker

__all__ = [
    "CONTROL_BUILDERS",
    "HTML",
    "AnswerSink",
    "BrowserIdentity",
    "Button",
    "CommentThread",
    "Dashboard",
    "EvidenceLog",
    "FeedbackToRevision",
    "FieldControl",
    "FileDownload",
    "FormView",
    "HBox",
    "ObservationForm",
    "ObservationsPanel",
    "PacingControl",
    "PeerFeedback",
    "ProtocolRunner",
    "Safekeeper",
    "Scheduler",
    "SignIn",
    "VBox",
    "VisibilityPicker",
    "build_control",
    "goals_chart",
]

# A page that loads this kernel's widgets gets their states without the defaults its
# browser already knows (see ._states): 59 KB instead of 102 for a goal-setting page.
answer_states_lean()
# After each message from a page, the kernel's output streams are flushed only if
# something was written to them (see ._flush): pdkit's widgets print nothing.
flush_only_what_was_written()

if TYPE_CHECKING:
    from ._dashboard import Dashboard, goals_chart
    from ._evidence import EvidenceLog
    from ._observations import ObservationsPanel
    from ._observe import ObservationForm
    from ._pacing import PacingControl
    from ._runner import ProtocolRunner
    from ._thread import CommentThread

__getattr__ = lazy(
    __name__,
    {
        "CommentThread": "._thread",
        "Dashboard": "._dashboard",
        "EvidenceLog": "._evidence",
        "ObservationForm": "._observe",
        "ObservationsPanel": "._observations",
        "PacingControl": "._pacing",
        "ProtocolRunner": "._runner",
        "goals_chart": "._dashboard",
    },
)
