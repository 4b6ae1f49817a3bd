"""A calm first screen (issue #17 item 5): the personal link waits behind "Copy my personal
link" with one sentence on what it is, and the file tools behind "My copy", closed; the
browser tests click both (tests/browser/test_browser_goal.py, test_browser_files.py)."""

from __future__ import annotations

from collections.abc import Iterator
from html.parser import HTMLParser

import ipywidgets as w
import pytest

from pdkit.app._copy import CopyTools
from pdkit.definitions import load_workbook
from pdkit.i18n import translator
from pdkit.store import open_store
from pdkit.widgets._identity import personal_link_html


@pytest.fixture(autouse=True)
def _close_widgets() -> Iterator[None]:
    yield
    w.Widget.close_all()


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs)))


def test_the_personal_link_is_behind_a_button_and_said_in_the_page_s_language() -> None:
    url = 'https://pd.school.org/voila/render/goal.ipynb?pdkit=abc"><script>x</script>'
    html = personal_link_html(url, translator("es"))
    parsed = _Elements()
    parsed.feed(html)
    tags = [tag for tag, _ in parsed.found]
    assert "script" not in tags
    [button] = [attrs for tag, attrs in parsed.found if tag == "button"]
    assert button["data-pdkit-link"] == url  # the whole link, escaped in the page
    assert button["type"] == "button"
    t = translator("es")
    assert t("Copy my personal link") in html
    assert button["data-pdkit-copied"] == t(
        "Copied: keep it somewhere safe, such as a bookmark or a note to yourself."
    )
    assert "Copy my personal link" not in html
    [anchor] = [attrs for tag, attrs in parsed.found if tag == "a"]
    assert anchor["href"] == url
    assert tags.index("details") < tags.index("a")  # the link itself only on demand
    assert 'role="status"' in html


def test_the_file_tools_wait_behind_my_copy_closed() -> None:
    store = open_store("memory://")
    try:
        tools = CopyTools(load_workbook("goal-setting"), store, school_goals=lambda _l, _s: [])
        ana, _ = store.create_participant("Ana")
        tools.bind(ana, "fr")
        assert tools.menu_button.description == translator("fr")("My copy")
        assert not tools.menu_open
        assert tools.items.layout.display == "none"
        assert "pdkit-open" not in tools.menu_button._dom_classes
        tools.menu_button.click()
        assert tools.menu_open
        assert "pdkit-open" in tools.menu_button._dom_classes
        assert tools.download_button in tools.items.children[1].children
        assert tools.message not in tools.items.children  # what an upload says stays in view
        tools.menu_button.click()
        assert not tools.menu_open
        assert tools.widget.layout is not tools.items.layout
    finally:
        store.close()


def test_the_file_tools_are_made_when_the_menu_first_opens() -> None:
    """Every widget a kernel holds goes to its page when the page opens (#18): the tools
    behind "My copy", which most never open, are made at the first click, in the page's
    language, and only once."""
    from ipywidgets.widgets.widget import _instances

    store = open_store("memory://")
    try:
        tools = CopyTools(load_workbook("goal-setting"), store, school_goals=lambda _l, _s: [])
        ana, _ = store.create_participant("Ana")
        tools.bind(ana, "es")
        before = set(_instances)
        assert tools.items.children == ()
        tools.menu_button.click()
        made = {_instances[m]._model_name for m in set(_instances) - before}
        assert {"ButtonModel", "FileUploadModel", "HTMLModel"} <= made
        t = translator("es")
        assert tools.download_button.description == t("Download my workbook")
        assert tools.upload.description == t("Upload to continue")
        assert "Tu propia copia de este cuaderno" in tools.about.value
        tools.menu_button.click()
        again = set(_instances)
        tools.menu_button.click()
        assert set(_instances) == again  # made once
    finally:
        store.close()
