"""The facilitator's after-session page: how each protocol run went against its plan
(:mod:`pdkit.fidelity`), as tables a facilitator reads and the dashboard exports.
Counts and minutes only, never what anyone wrote."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from html import escape

import ipywidgets as w

from .._clock import now
from ..definitions import protocol_by_id
from ..errors import PdkitError
from ..fidelity import StepRecord, fidelity
from ..store import DEFAULT_SESSION, Run, RunStore
from ._lean import HTML, VBox
from ._runner import run_plan

__all__ = ["FidelityReport", "run_records"]


def run_records(store: RunStore, run: Run, at: float) -> list[StepRecord]:
    """How ``run`` went, step by step and round by round, up to ``at``."""
    writers: Counter[tuple[int, str]] = Counter()
    for round_ in range(run.rounds):
        for (_group, step_id), people in store.note_writers(run.id, round=round_).items():
            writers[(round_, step_id)] += len(people)
    return fidelity(run_plan(run), store.run_events(run.id), at, writers)


def _minutes(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".") if value else "0"


def _table(run: Run, records: list[StepRecord]) -> str:
    protocol = protocol_by_id(run.protocol)
    planned = sum(r.planned for r in records if r.state != "left out")
    actual = sum(r.actual for r in records)
    added = sum(r.added for r in records)
    left_out = [r.title for r in records if r.state == "left out"]
    rows = "".join(
        f"<tr><td>{r.round}</td><th scope='row'>{escape(r.title)}</th>"
        f"<td>{_minutes(r.planned)}</td><td>{_minutes(r.actual)}</td>"
        f"<td>{_minutes(r.added)}</td><td>{r.pauses}</td><td>{r.visits}</td>"
        f"<td>{escape(r.state)}</td><td>{r.wrote_notes}</td></tr>"
        for r in records
    )
    summary = (
        f"{len(run.roles)} group(s), {run.rounds} round(s): {_minutes(planned)} minutes "
        f"planned, {_minutes(actual)} run, {_minutes(added)} added"
        + (f"; left out: {escape(', '.join(left_out))}" if left_out else "")
        + "."
    )
    return (
        f"<h3>{escape(protocol.title)}</h3><p>{summary}</p>"
        '<table class="pdkit-fidelity"><caption>Planned and actual minutes per step'
        "</caption><thead><tr><th scope='col'>Round</th><th scope='col'>Step</th>"
        "<th scope='col'>Planned</th><th scope='col'>Ran</th><th scope='col'>Added</th>"
        "<th scope='col'>Pauses</th><th scope='col'>Times entered</th>"
        "<th scope='col'>State</th><th scope='col'>Wrote notes</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )


class FidelityReport:
    """Every run of a session, newest first, against its plan (see the module docs)."""

    def __init__(
        self,
        store: RunStore,
        *,
        session: str = DEFAULT_SESSION,
        clock: Callable[[], float] = now,
    ) -> None:
        self.store = store
        self.session = session
        self._clock = clock
        self.html = HTML()
        self.refresh_button = w.Button(description="Read again", icon="refresh")
        self.refresh_button.on_click(lambda _: self.refresh())
        self.widget = VBox(
            [
                HTML(
                    value="<h2>How the protocols ran</h2><p class='pdkit-help'>For each run: "
                    "the minutes planned and run per step and round, time added, pauses and "
                    "how many wrote notes. Counts only, never what anyone wrote.</p>"
                ),
                self.refresh_button,
                self.html,
            ]
        )
        self.widget.add_class("pdkit-fidelity-report")
        self.refresh()

    def refresh(self) -> None:
        try:
            runs = self.store.runs(self.session)
            at = self._clock()
            parts = [_table(run, run_records(self.store, run, at)) for run in runs]
        except PdkitError as exc:
            self.html.value = f'<p class="pdkit-error" role="alert">{escape(str(exc))}</p>'
            return
        self.html.value = (
            "".join(parts)
            if parts
            else '<p class="pdkit-empty">No protocol has run in this session yet.</p>'
        )
