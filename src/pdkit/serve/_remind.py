"""``pdkit serve --remind``: the reminders ``pdkit remind`` sends, sent by the server
itself, once at start and then every ``every`` seconds (an hour), in a thread of the
``pdkit serve`` process (not in Voilà, not in a kernel).

Each round opens the store, sends what is due (:func:`pdkit.outreach.send_reminders`:
each reminder once, whichever runs it: a cron job at the same time sends no reminder
twice) and closes it; it prints one line. Nothing a round meets stops the server: a
mail server that is down or refuses the login, a store that cannot be read, even a
bug, is printed and tried again at the next round. It speaks the terminal's language
(:func:`pdkit.i18n.terminal_words`).
"""

from __future__ import annotations

import contextlib
import threading
import time
import traceback
from collections.abc import Callable
from typing import TextIO

from ..errors import PdkitError, in_language
from ..i18n import terminal_words

__all__ = ["RemindLoop"]

DEFAULT_EVERY = 3600.0


class RemindLoop(threading.Thread):
    """Send the reminders due, now and every ``every`` seconds, until :meth:`stop`."""

    def __init__(
        self,
        store_url: str,
        smtp: str | None,
        base_url: str,
        out: TextIO,
        *,
        every: float = DEFAULT_EVERY,
        rate: float = 10.0,
        ahead: int = 0,
    ) -> None:
        super().__init__(name="pdkit-remind", daemon=True)
        from ..outreach import SmtpSettings

        self.settings = SmtpSettings.from_url(smtp)  # a mistake: said before serving
        self.store_url = store_url
        self.base_url = base_url
        self.out = out
        self.every = every
        self.rate = rate
        self.ahead = ahead
        self.rounds = 0
        self._stop_event = threading.Event()
        self._print_lock = threading.Lock()
        self.on_round: Callable[[int], None] | None = None
        """Called after each round with its number (tests wait on it)."""

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.run_once()
            self.rounds += 1
            if self.on_round is not None:
                self.on_round(self.rounds)
            self._stop_event.wait(self.every)

    def run_once(self) -> None:
        """One round; never raises."""
        from ..outreach import send_reminders
        from ..store import open_store

        started = time.monotonic()
        t, _tn = terminal_words()
        try:
            store = open_store(self.store_url, create=False)
            try:
                report = send_reminders(
                    store,
                    self.settings,
                    base_url=self.base_url,
                    ahead=self.ahead,
                    rate=self.rate,
                )
            finally:
                store.close()
        except PdkitError as exc:
            said = t("reminders: error: {message} (tried again in {wait})")
            self._say(said.format(message=exc.said(t), wait=self._next(t)))
            return
        except Exception:
            said = t("reminders: unexpected error (tried again in {wait}):")
            self._say(f"{said.format(wait=self._next(t))}\n{traceback.format_exc()}")
            return
        took = time.monotonic() - started
        words = {
            "server": self.settings,
            "summary": in_language(report.summary(), t),
            "took": took,
        }
        if report.stopped:
            said = t("reminders through {server}: {summary} ({took:.1f} s); stopped: {reason}")
            self._say(said.format(reason=in_language(report.stopped, t), **words))
        else:
            self._say(t("reminders through {server}: {summary} ({took:.1f} s)").format(**words))

    def stop(self) -> None:
        self._stop_event.set()

    def _next(self, t: Callable[[str], str]) -> str:
        minutes = self.every / 60
        if minutes >= 1:
            return t("{minutes:g} min").format(minutes=minutes)
        return t("{seconds:g} s").format(seconds=self.every)

    def _say(self, line: str) -> None:
        stamp = time.strftime("%H:%M:%S")
        with self._print_lock, contextlib.suppress(OSError, ValueError):
            # a closed terminal must not stop the reminders
            print(f"pdkit: {stamp} {line}", file=self.out, flush=True)
