"""pdkit's Voilà template and languages, in a real Chromium against a real `pdkit serve`."""

from __future__ import annotations

import time
from typing import Any

import pytest
from tests._a11y import audit, fits

from _servers import kernel_ids
from pdkit import open_store
from pdkit.i18n import translator

pytestmark = pytest.mark.browser

LOAD = 90_000


def _page(browser: Any) -> Any:
    page = browser.new_context().new_page()
    page.on("dialog", lambda dialog: pytest.fail(f"a dialog opened: {dialog.message}"))
    return page


def test_loading_state_then_the_workbook_with_landmarks(pdkit_server: Any, browser: Any) -> None:
    page = _page(browser)
    page.goto(pdkit_server.url("goal-setting.ipynb"), wait_until="commit")
    loading = page.locator("#loading")
    loading.wait_for(state="visible", timeout=LOAD)
    assert "Opening your workbook" in loading.inner_text()
    assert loading.get_attribute("role") == "status"
    page.get_by_label("Your name").wait_for(timeout=LOAD)
    assert loading.count() == 0, "the loading state must go once the workbook is there"
    assert page.get_by_role("main").count() == 1
    assert page.get_by_role("main").locator("h1").all_inner_texts() == ["Goal-setting workbook"]
    assert page.get_by_role("main").get_by_label("Your name").count() == 1
    viewport = page.locator('meta[name="viewport"]').first.get_attribute("content")
    assert viewport is not None
    assert "width=device-width" in viewport
    page.context.close()


def test_the_spanish_workbook_speaks_spanish(pdkit_server: Any, browser: Any) -> None:
    page = _page(browser)
    page.goto(pdkit_server.url("goal-setting-es.ipynb"))
    page.get_by_label("Tu nombre").fill("Lucía", timeout=LOAD)
    page.get_by_role("button", name="Entrar").click()
    goal = page.get_by_label("Mi meta (obligatorio)")
    goal.fill("Para marzo, 8 de mis 10 estudiantes harán una pregunta en cada clase.")
    page.get_by_role("radio", name="Los estudiantes hablan y piensan más").check()
    page.get_by_role("radio", name="Bastante").check()
    page.get_by_text("Guardado a las").first.wait_for(timeout=15_000)
    assert page.get_by_text("¿Para cuándo?").count() == 1
    assert page.get_by_text("Clara y comprobable").count() == 1
    assert page.get_by_label("¿Qué?: qué pasó (obligatorio)").count() == 1  # the reflection
    assert page.get_by_text("My goal").count() == 0

    # The same page in English with ?lang=en: the same answers, English words.
    english = _page(browser)
    english.goto(page.url + "&lang=en")
    english.get_by_label("My goal (required)").wait_for(timeout=LOAD)
    assert english.get_by_label("My goal (required)").input_value().startswith("Para marzo")
    assert english.get_by_role("radio", name="Fairly").is_checked()
    page.context.close()
    english.context.close()


def test_a_closed_page_stops_its_kernel_at_once_and_keeps_what_was_typed(
    pdkit_server: Any, browser: Any
) -> None:
    """Voilà's page asks the server to stop its kernel when it closes; the request used
    to be refused (403, no _xsrf cookie) and the kernel waited for the culler. What was
    typed in the last second, still waiting for its autosave, is saved on the way out."""
    page = _page(browser)
    page.goto(pdkit_server.url("goal-setting.ipynb"))
    page.get_by_label("Your name").fill("Cy", timeout=LOAD)
    page.get_by_role("button", name="Join").click()
    goal = page.get_by_label("My goal (required)")
    goal.fill("Typed a moment before the tab was closed", timeout=30_000)
    page.get_by_text("Saving…").wait_for(timeout=15_000)  # the kernel has it; autosave waits
    kernel = page.evaluate(
        "JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId"
    )
    assert kernel in kernel_ids(pdkit_server.proc.pid)
    page.close(run_before_unload=True)
    closed = time.monotonic()
    while kernel in kernel_ids(pdkit_server.proc.pid):
        assert time.monotonic() - closed < 2.0, "the closed page's kernel is still running"
        time.sleep(0.05)
    page.context.close()

    store = open_store(pdkit_server.store_path)
    try:
        (person,) = store.participants()
        answers = store.latest(person.id, "goal-setting", viewer=person.id)
        assert answers["goal"] == "Typed a moment before the tab was closed"
    finally:
        store.close()
    log = pdkit_server.log()
    for noise in ("_xsrf", "not trusted", "favicon", "Traceback", "WARNING"):
        assert noise not in log, f"{noise!r} in the server's log:\n{log}"
    refused = [line for line in log.splitlines() if line.startswith(("403 ", "404 "))]
    assert refused == [], log


@pytest.mark.parametrize(
    ("notebook", "query", "language"),
    [("goal-setting.ipynb", "?lang=fr", "fr"), ("goal-setting-es.ipynb", "", "es")],
)
def test_the_loading_state_speaks_the_pages_language(
    pdkit_server: Any, browser: Any, notebook: str, query: str, language: str
) -> None:
    """The link's ?lang=, else the notebook's own language: pdkit's words from its catalogs."""
    t = translator(language)
    heading, line = (
        t("Opening your workbook…"),
        t("This takes a few seconds; please keep this page open."),
    )
    assert heading != "Opening your workbook…"
    page = _page(browser)
    page.goto(pdkit_server.url(notebook) + query, wait_until="commit")
    page.locator("#loading h1", has_text=heading).wait_for(timeout=LOAD)
    said = page.locator("#loading_text").inner_text()
    preparing = t("Preparing your workbook ({index} of {count})…").split("(")[0]
    assert said == line or said.startswith(preparing), said  # (or already the cells' count)
    assert "Opening your workbook" not in page.locator("#loading").inner_text()
    page.context.close()


@pytest.mark.parametrize(
    ("where", "query", "locale", "language"),
    [
        ("no-such-workbook.ipynb", "?lang=es", "en-US", "es"),
        ("no-such-workbook.ipynb", "", "fr-FR", "fr"),
        ("no-such-workbook.ipynb", "", "de-DE", "en"),
        ("/nowhere/at/all", "?lang=fr", "en-US", "fr"),
        ("/voila/nothing-here", "", "es-ES", "es"),
    ],
)
def test_a_wrong_link_gets_pdkit_s_page_in_its_language(
    pdkit_server: Any, browser: Any, where: str, query: str, locale: str, language: str
) -> None:
    """A link to a workbook that is not there, or to any address the server does not
    serve: pdkit's page (not Voilà's "404 : Not Found" in English with an outside style
    sheet, nor tornado's bare "404: Not Found"), in the link's language, else the
    browser's, else English; its lang and title say so; axe finds nothing."""
    t = translator(language)
    context = browser.new_context(locale=locale)
    page = context.new_page()
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if "127.0.0.1" not in r.url else None)
    address = pdkit_server.base_url + where if where.startswith("/") else pdkit_server.url(where)
    answer = page.goto(address + query)
    assert answer is not None
    assert answer.status == 404
    heading = page.get_by_role("heading", level=1)
    assert heading.inner_text() == t("Page not found")
    assert (
        page.get_by_role("main")
        .get_by_text(
            t(
                "This link does not lead to a workbook. Check the link you were given, or ask "
                "your facilitator for it again."
            )
        )
        .count()
        == 1
    )
    assert page.locator("html").get_attribute("lang", timeout=1_000).startswith(language)
    assert page.title() == f"{t('Page not found')} — pdkit"
    assert outside == []  # no style sheet or font from the internet
    audit(page, f"the error page ({language})")
    fits(page, f"the error page ({language})")
    context.close()
