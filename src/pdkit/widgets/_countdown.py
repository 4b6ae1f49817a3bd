"""A countdown that ticks in the browser: the kernel sends the time left once per change of
the run, never a message per second."""

from __future__ import annotations

from pathlib import Path

import traitlets

from .. import pacing
from ..i18n import translator
from ..store import Run
from ._script import ScriptWidget, script

__all__ = ["Countdown"]

_COUNTDOWN_ESM = (Path(__file__).parent / "js" / "countdown.js").read_text("utf-8")


class Countdown(ScriptWidget):
    """A countdown that ticks in the browser from ``remaining`` seconds.

    The kernel sets ``remaining``, ``running`` and ``state`` and bumps ``stamp``
    whenever the run changes; the browser counts down from there by itself, in the words
    of ``language`` (``{time}`` where the time goes).
    """

    _esm = script(_COUNTDOWN_ESM)
    remaining = traitlets.Float(0.0).tag(sync=True)
    running = traitlets.Bool(False).tag(sync=True)
    state = traitlets.Unicode("idle").tag(sync=True)
    stamp = traitlets.Int(0).tag(sync=True)
    words = traitlets.Dict().tag(sync=True)

    def __init__(self, language: str | None = None, **kwargs: object) -> None:
        t = translator(language)
        # Given to the constructor, the words go out with the widget (set after it, they
        # would be one more message to the page).
        kwargs["words"] = {
            "up": t("Time's up for this step"),
            "thirty": t("Thirty seconds left"),
            "minute": t("One minute left"),
            "paused_said": t("Timer paused, {time} to go"),
            "finished": t("Protocol finished."),
            "over": t("Time is up ({time})"),
            "left": t("{time} left"),
            "paused": t("Paused, {time} left"),
            "ended": t("Ended"),
        }
        super().__init__(**kwargs)

    def show(self, run: Run | None, now: float) -> None:
        with self.hold_sync():  # what changed goes to the browser as one message
            if run is None:
                self.state, self.running, self.remaining = "idle", False, 0.0
            else:
                self.remaining = pacing.remaining(run.state, now)
                self.running = run.state.status == pacing.RUNNING
                self.state = run.state.status
            self.stamp += 1
