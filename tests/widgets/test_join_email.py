"""The email address for check-in reminders at the join step: optional, with a consent
line; a valid one is kept as the participant's contact, one that is not an address is
said so and kept in its box to correct, and the join works either way."""

from __future__ import annotations

from collections.abc import Iterator

import ipywidgets as w
import pytest

from pdkit.store import Store, Viewer, open_store
from pdkit.testing import descendants, page_loaded
from pdkit.widgets import BrowserIdentity, SignIn


@pytest.fixture
def store() -> Iterator[Store]:
    opened = open_store("memory://")
    yield opened
    opened.close()
    w.Widget.close_all()


def _sign_in(store: Store, page: str = "http://h/voila/render/goal-setting.ipynb") -> SignIn:
    browser = BrowserIdentity()
    sign_in = SignIn(store, browser=browser, on_signed_in=lambda p: None)
    page_loaded(browser, page_url=page)
    return sign_in


def _contact(store: Store, participant_id: str) -> str | None:
    found = store.contact(participant_id, viewer=Viewer.steward())
    return found.email if found else None


def test_the_join_step_asks_for_an_optional_address_with_a_consent_line(store: Store) -> None:
    sign_in = _sign_in(store)
    shown = descendants(sign_in.body)
    assert sign_in.email_input in shown
    assert sign_in.email_input.description == "Email for check-in reminders (optional)"
    assert sign_in.consent in shown
    assert "never what you write" in sign_in.consent.value
    assert "link to stop them" in sign_in.consent.value


def test_a_valid_address_is_kept_with_consent(store: Store) -> None:
    sign_in = _sign_in(store)
    sign_in.name_input.set_state({"value": "Ana Ruiz"})
    sign_in.email_input.set_state({"value": "  ana@school.org "})
    sign_in.join_button.click()
    assert sign_in.participant is not None
    assert _contact(store, sign_in.participant.id) == "ana@school.org"
    assert "Check-in reminders will go to ana@school.org." in sign_in.email_message.value
    assert sign_in.email_input not in descendants(sign_in.body)


def test_no_address_joins_without_a_contact(store: Store) -> None:
    sign_in = _sign_in(store)
    joined = sign_in.join("Ben")
    assert joined is not None
    assert _contact(store, joined.id) is None
    assert sign_in.email_message.value == ""


def test_a_wrong_address_is_said_and_kept_to_correct_and_the_join_works(store: Store) -> None:
    sign_in = _sign_in(store)
    sign_in.email_input.set_state({"value": "ana at school"})
    joined = sign_in.join("Ana")
    assert joined is not None  # joined all the same
    assert sign_in.participant == joined
    assert _contact(store, joined.id) is None
    assert "not saved" in sign_in.email_message.value
    assert 'role="alert"' in sign_in.email_message.value
    shown = descendants(sign_in.body)
    assert sign_in.email_input in shown  # what was typed is still there, to correct
    assert sign_in.email_input.value == "ana at school"
    assert sign_in.save_email_button in shown
    sign_in.email_input.set_state({"value": "ana@school.org"})
    sign_in.save_email_button.click()
    assert _contact(store, joined.id) == "ana@school.org"
    assert "will go to ana@school.org" in sign_in.email_message.value
    assert sign_in.email_input not in descendants(sign_in.body)
    assert sign_in.sign_out_button in descendants(sign_in.body)


def test_the_address_is_escaped_in_messages(store: Store) -> None:
    sign_in = _sign_in(store)
    sign_in.email_input.set_state({"value": "<b>x</b>"})
    sign_in.join("Ana")
    assert "<b>x" not in sign_in.email_message.value
    assert "&lt;b&gt;x" in sign_in.email_message.value


def test_the_email_box_speaks_spanish(store: Store) -> None:
    sign_in = _sign_in(store, "http://h/voila/render/goal-setting.ipynb?lang=es")
    assert sign_in.email_input.description == "Correo para recordatorios de seguimiento (opcional)"
    assert "nunca lo que escribes" in sign_in.consent.value


def test_signing_out_forgets_the_typed_address(store: Store) -> None:
    sign_in = _sign_in(store)
    sign_in.email_input.set_state({"value": "ana@school.org"})
    sign_in.join("Ana")
    sign_in.sign_out()
    assert sign_in.email_input.value == ""
    assert sign_in.email_input in descendants(sign_in.body)


def test_a_hub_user_without_an_address_is_offered_the_box_with_the_hub_s_address(
    store: Store,
) -> None:
    sign_in = SignIn(
        store, hub_user="ana", hub_email="ana@hub.school.org", on_signed_in=lambda p: None
    )
    assert sign_in.participant is not None
    shown = descendants(sign_in.body)
    assert sign_in.email_input in shown
    assert sign_in.consent in shown
    assert sign_in.email_input.value == "ana@hub.school.org"
    assert _contact(store, sign_in.participant.id) is None  # offered, not taken: no consent yet
    sign_in.save_email_button.click()
    assert _contact(store, sign_in.participant.id) == "ana@hub.school.org"
    assert sign_in.email_input not in descendants(sign_in.body)
    assert sign_in.consent not in descendants(sign_in.body)
    w.Widget.close_all()
    again = SignIn(store, hub_user="ana", on_signed_in=lambda p: None)
    assert again.email_input not in descendants(again.body)  # given: not asked again


def test_a_hub_user_who_opted_out_is_not_asked_again(store: Store) -> None:
    first = SignIn(store, hub_user="ben", on_signed_in=lambda p: None)
    assert first.participant is not None
    assert first.email_input.value == ""  # the hub passed no address
    first.save_email("ben@school.org")
    store.opt_out(first.participant.id)
    again = SignIn(store, hub_user="ben", on_signed_in=lambda p: None)
    assert again.email_input not in descendants(again.body)


def test_the_app_passes_the_hub_s_address_from_the_environment(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pdkit.app import form_app

    monkeypatch.setenv("JUPYTERHUB_USER", "cy")
    monkeypatch.setenv("PDKIT_HUB_EMAIL", " cy@hub.school.org ")
    app = form_app("goal-setting", store=store)  # signs the hub user in at once
    assert app.sign_in.email_input.value == "cy@hub.school.org"
    assert app.sign_in.email_input in descendants(app.sign_in.body)
