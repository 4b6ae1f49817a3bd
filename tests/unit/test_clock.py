"""pdkit's clock (:mod:`pdkit._clock`): the machine's, moved by ``$PDKIT_CLOCK_OFFSET``
for every part at once (the store, the pages, reminders)."""

from __future__ import annotations

import time
from datetime import date, timedelta

import pytest

from pdkit._clock import CLOCK_OFFSET_ENV, now, offset, today
from pdkit.store import open_store


def test_without_an_offset_it_is_the_machine_s_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(CLOCK_OFFSET_ENV, raising=False)
    assert abs(now() - time.time()) < 1
    assert today() == date.today()


def test_an_offset_moves_every_default_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    weeks = 2 * 7 * 86400
    monkeypatch.setenv(CLOCK_OFFSET_ENV, str(weeks))
    assert abs(now() - (time.time() + weeks)) < 1
    assert today() == date.fromtimestamp(time.time()) + timedelta(weeks=2)
    with open_store("memory://") as store:  # the store's default clock is pdkit's
        ana, _ = store.create_participant("Ana")
        assert abs(ana.created_at - (time.time() + weeks)) < 5


@pytest.mark.parametrize("text", ["soon", "nan", "inf", ""])
def test_an_offset_that_is_no_number_is_none(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setenv(CLOCK_OFFSET_ENV, text)
    assert offset() == 0.0
