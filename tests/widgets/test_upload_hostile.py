""" "Upload to continue" with hostile files (``tests/_hostile.py``): the participant's page
says why a file cannot be used, in a message that names it, changes nothing, and keeps
working; a file that can be used is restored. Headless, as tests/notebooks/test_saved.py
tests CopyTools."""

from __future__ import annotations

from collections.abc import Iterator
from html import escape
from typing import Any

import ipywidgets as w
import pytest

import pdkit
from _hostile import BLOCK, SKIPPED, VALUES, encode, good_notebooks, mutations, named_corpus
from pdkit.app import ParticipantApp, Workbook
from pdkit.store import Participant, Store
from pdkit.testing import page_loaded
from pdkit.widgets import FileDownload


@pytest.fixture(autouse=True)
def _close_widgets() -> Iterator[None]:
    yield
    w.Widget.close_all()


@pytest.fixture
def store() -> Iterator[Store]:
    opened = pdkit.open_store("memory://")
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def good() -> dict[str, Any]:
    return good_notebooks()[0]


def open_page(store: Store, monkeypatch: pytest.MonkeyPatch) -> tuple[ParticipantApp, Participant]:
    monkeypatch.setattr(FileDownload, "send", lambda self, content, buffers=None: None)
    workbook = Workbook("goal-setting", store=store)
    app = workbook.app
    assert isinstance(app, ParticipantApp)
    assert app.tools is not None
    page_loaded(app.sign_in.browser)
    participant = app.sign_in.join("Ana Ruiz")
    assert participant is not None
    return app, participant


def upload(app: ParticipantApp, name: str, content: bytes) -> str:
    """Upload through the page's FileUpload, as the browser sends a file; the message."""
    assert app.tools is not None
    app.tools.upload.set_state(
        {
            "value": [
                {
                    "name": name,
                    "type": "application/x-ipynb+json",
                    "size": len(content),
                    "last_modified": 0,
                    "content": memoryview(content),
                }
            ]
        }
    )
    assert app.tools.upload.value == ()  # ready for the next upload
    return str(app.tools.message.value)


def test_each_hostile_upload_says_why_and_changes_nothing(
    good: dict[str, Any], store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, me = open_page(store, monkeypatch)
    store.record(me.id, "goal-setting", {"goal": "Mine"}, spec_version="goal-setting@1")
    before = store.history(me.id, "goal-setting", viewer=me.id)
    for name, (content, outcome) in named_corpus(good).items():
        if outcome != SKIPPED:
            continue
        message = upload(app, f"<b>{name}</b>", content)
        assert message.startswith('<p class="pdkit-error" role="alert">'), (name, message)
        assert escape(f"<b>{name}</b>: ") in message, message
        assert "<b>" not in message
        assert "unexpected" not in message
        assert store.history(me.id, "goal-setting", viewer=me.id) == before, name


@pytest.mark.slow
def test_a_readable_odd_upload_restores_or_says_why(
    good: dict[str, Any], store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, me = open_page(store, monkeypatch)
    answers = (*BLOCK, "answers", "goal-setting")
    kept = [
        (name, content)
        for name, content in mutations(good)
        if name.startswith("-".join(map(str, answers[3:])))
    ]
    assert len(kept) >= 7 * len(VALUES)
    for name, content in kept:
        message = upload(app, name, content)
        assert message.startswith(('<p class="pdkit-error"', '<p class="pdkit-status"')), message
        assert escape(name) in message, (name, message)
    # The page still works: the answers can be typed and saved.
    assert app.tools is not None
    upload(app, "ana.ipynb", encode(good))
    assert "Restored" in str(app.tools.message.value)
    assert (
        store.latest(me.id, "goal-setting", viewer=me.id)["goal"]
        == (good["metadata"]["pdkit"]["saved"]["answers"]["goal-setting"]["goal"])
    )
    assert app.tools.download_notebook()


def test_an_upload_that_changes_nothing_says_why_in_the_page_s_language(
    good: dict[str, Any], store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each kind of refused file gets its sentence in the page's language (Spanish here),
    then pdkit's own message as the details; every kind has its sentence."""
    from pdkit.app._copy import _REFUSED
    from pdkit.errors import WORKBOOK_FILE_KINDS
    from pdkit.i18n import translator

    assert set(_REFUSED) == set(WORKBOOK_FILE_KINDS)
    monkeypatch.setattr(FileDownload, "send", lambda self, content, buffers=None: None)
    app = Workbook("goal-setting-es", store=store).app
    assert isinstance(app, ParticipantApp)
    page_loaded(app.sign_in.browser)
    assert app.sign_in.join("Ana Ruiz") is not None
    corpus = named_corpus(good)
    other = dict(good, metadata={**good["metadata"], "pdkit": dict(good["metadata"]["pdkit"])})
    other["metadata"]["pdkit"]["saved"] = {
        **good["metadata"]["pdkit"]["saved"],
        "answers": {"some-other-form": {"x": "y"}},
    }
    files = {
        "unreadable": corpus["empty.ipynb"][0],
        "not-saved": corpus["nbformat-4-foreign.ipynb"][0],
        "newer": corpus["newer-saved-format.ipynb"][0],
        "damaged": corpus["nan-time.ipynb"][0],
        "other-workbook": encode(other),
    }
    t = translator("es")
    for kind, content in files.items():
        message = upload(app, "mío.ipynb", content)
        said = t(_REFUSED[kind]).format(file="mío.ipynb", button=t("Download my workbook"))
        assert said != _REFUSED[kind]
        assert message.startswith(f'<p class="pdkit-error" role="alert">{escape(said)}<br>'), (
            kind,
            message,
        )
        assert escape(t("Details: {message}").split("{")[0]) in message
