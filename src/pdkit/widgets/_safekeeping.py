"""Nothing a teacher types is lost: what they type is kept in their browser until the
store has it, and the page says at once when it has lost its kernel or the server.

Every input a person types into carries a class ``pdkit-keep:<key>`` (``<key>`` names
the form or the step's notes and the field: ``form:goal-setting:goal``, a list's row
``…:action_steps#2``). The page's :class:`Safekeeper` (a few lines of JavaScript) keeps
each typed value in the browser's ``localStorage``, per participant, until the kernel
says the store holds it (an acknowledgement comes from a form after the store saved,
never from a widget). When the page loses its kernel or the server, it says so in a
banner (``role="alert"``) and Save says it cannot save; when the participant opens the
page again, the kernel applies what is still kept, saves it, and says how many changes
it restored.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from html import escape
from pathlib import Path
from typing import Any, Protocol

import traitlets

from ..i18n import N_, plural_translator, translator
from ._lean import HTML
from ._script import ScriptWidget, script

__all__ = ["KEEP_CLASS", "SYNC_CLASS", "VIA_CLASS", "KeptForm", "Safekeeper"]

SYNC_CLASS = "pdkit-sync:"
"""The class prefix of a box whose text reaches the kernel with the next click (not when
the box is left), never kept (the sign-in's name, code and email: nobody is signed in to
keep them for)."""

VIA_CLASS = "pdkit-via:"
"""The class prefix of a button whose click reaches the kernel in the keeper's message
(with what the boxes show) instead of its own (see :meth:`Safekeeper.via`)."""

KEEP_CLASS = "pdkit-keep:"
"""The class prefix that marks an input whose typing the page keeps (then the key)."""

MAX_KEPT_ITEMS = 500
"""At most this many kept inputs are taken back from a page (a workbook has fewer)."""

MAX_KEPT_CHARS = 100_000
"""A kept text longer than this is cut (no field of a workbook holds that much)."""


def _kept(item: Any) -> tuple[str | None, str | None]:
    """A kept item's text and base, or ``(None, None)`` if the page sent nonsense."""
    if isinstance(item, str):
        return item[:MAX_KEPT_CHARS], None
    if not isinstance(item, dict) or not isinstance(item.get("value"), str):
        return None, None
    base = item.get("base")
    return item["value"][:MAX_KEPT_CHARS], base if isinstance(base, str) else None


class KeptForm(Protocol):
    """A form whose typing is kept: it puts kept text back and saves (acknowledging)."""

    def kept_texts(self) -> dict[str, str]:
        """What each of the form's inputs holds now, by key."""
        ...

    def put_kept(self, key: str, text: str) -> bool:
        """Put kept ``text`` back into the input of ``key``; whether it changed anything."""
        ...

    def save(self) -> int:
        """Save now (the form acknowledges what the store then holds)."""
        ...


_TEXTS = {
    "title": N_("The connection to the workshop is lost."),
    "body": N_(
        "Your answers saved until now are safe. What you type now is kept in this "
        "browser: it is saved when you open the page again."
    ),
    "back": N_("The workshop is back: reload the page to go on; what you typed is restored."),
    "reload": N_("Reload the page"),
    "cannot_save": N_("Cannot save now: what you type is kept in this browser."),
}


def _words(language: str | None) -> dict[str, str]:
    """The page's words in ``language``."""
    t = translator(language)
    return {key: t(text) for key, text in _TEXTS.items()}


class Safekeeper(ScriptWidget):
    """The page's keeper of unsaved typing (see the module docs); invisible until the
    connection is lost. ``note`` says what was restored."""

    _esm = script((Path(__file__).parent / "js" / "safekeeping.js").read_text("utf-8"))
    owner = traitlets.Unicode("").tag(sync=True)
    texts = traitlets.Dict().tag(sync=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # In English from the start: the page has its words before anyone joins, and a
        # join in English sends none (one message fewer per arrival).
        self.texts = _words(None)
        self._forms: dict[str, KeptForm] = {}
        self._synced: dict[str, Any] = {}
        self._via: dict[str, Callable[[Mapping[str, Any]], None]] = {}
        self._ready = False
        self._language: str | None = None
        self.note = HTML()
        self.on_msg(self._received)

    def bind(self, participant_id: str, language: str | None) -> None:
        """Keep typing for this participant, and speak ``language``."""
        self._language = language
        with self.hold_sync():  # one message, not two
            self.texts = _words(language)
            self.owner = participant_id

    def attach(self, scope: str, form: KeptForm) -> None:
        """``form`` holds the inputs whose keys start with ``scope:`` (a form opened after
        the page was ready, such as another reflection, gets its kept typing too)."""
        self._forms[scope] = form
        if self._ready:
            self._send_ready()

    def detach(self, scope: str) -> None:
        """The form of ``scope`` is closed (its typing stays kept until it opens again)."""
        self._forms.pop(scope, None)

    def detach_all(self) -> None:
        """The page's forms are gone (signed out, or about to be built again)."""
        self._forms.clear()
        self._ready = False
        self.note.value = ""

    def ready(self, *, ask: bool = True) -> None:
        """Every form of the page is built: ask the page for what it still keeps. Not
        ``ask``: the page keeps nothing for this participant (one who just joined: the
        page keeps typing per participant, from when they are known); a page that says
        hello later, or a form attached later, is still answered."""
        self._ready = True
        if ask:
            self._send_ready()

    def acknowledge(self, texts: Mapping[str, str]) -> None:
        """The store now holds these texts: the page may forget them."""
        if texts:
            self.send({"kind": "saved", "items": dict(texts)})

    def forget(self, keys: list[str]) -> None:
        """The page forgets what it keeps under these keys, whatever it is (an anonymous
        evaluation, once sent, is kept nowhere)."""
        if keys:
            self.send({"kind": "forget", "keys": list(keys)})

    # ------------------------------------------------------------------ the page's messages

    def _send_ready(self) -> None:
        self.send({"kind": "ready", "scopes": sorted(self._forms)})

    def _received(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if not isinstance(content, dict):
            return
        kind = content.get("kind")
        if kind == "ping":
            self.send({"kind": "pong"})
        elif kind == "hello" and self._ready:
            self._send_ready()  # the page rendered after the forms were built
        elif kind == "restore" and isinstance(content.get("items"), dict):
            self.restore(content["items"])
        elif kind == "typed" and isinstance(content.get("items"), dict):
            self.catch_up(content["items"])
            click = content.get("click")
            if isinstance(click, str) and (on_click := self._via.get(click)) is not None:
                on_click(content)
        elif kind == "resume":  # the page thought it lost us (we were busy): save now
            for form in list(self._forms.values()):
                form.save()

    def sync(self, key: str, box: Any) -> None:
        """Have the page send what the text ``box`` shows before any click (as
        :meth:`catch_up` does for kept inputs), without keeping it: for boxes typed in
        before anyone is signed in, such as the name a Join click reads."""
        box.add_class(SYNC_CLASS + key)
        self._synced[key] = box

    def via(self, key: str, button: Any, on_click: Callable[[Mapping[str, Any]], None]) -> None:
        """Have the page click ``button`` through the keeper: its click comes in the one
        message that brings what the boxes show (after :meth:`catch_up` has put that in
        place, ``on_click(message)`` runs; the message may carry more, such as the sign-in's
        report), not as a message of its own. A click of the button in the kernel (or on a
        page without the keeper's script) still runs its own handlers."""
        button.add_class(VIA_CLASS + key)
        self._via[key] = on_click

    def catch_up(self, items: Mapping[str, Any]) -> int:
        """What the page's kept and synced inputs show, sent just before a button's
        click: put into the inputs that hold something else, so that the click acts on
        every character typed (ipywidgets holds back a text box's latest value while its
        previous one is on its way, and a click is not held back: Send could read "Jun"
        for "June"). Nothing is saved here; returns how many inputs changed."""
        changed = 0
        shown: dict[str, dict[str, str]] = {}  # each form's texts, read once
        for key, text in list(items.items())[:MAX_KEPT_ITEMS]:
            if not isinstance(key, str) or not isinstance(text, str):
                continue
            text = text[:MAX_KEPT_CHARS]
            if (box := self._synced.get(key)) is not None:
                if box.value != text:
                    box.value = text
                    changed += 1
            elif (scope := self._scope_of(key)) is not None:
                form = self._forms[scope]
                if scope not in shown:
                    shown[scope] = form.kept_texts()
                if shown[scope].get(key) != text and form.put_kept(key, text):
                    changed += 1
        return changed

    def restore(self, items: Mapping[str, Any]) -> int:
        """Put what the page kept back into the forms and save them; returns how many
        changes that made (and says so on the page).

        Each item is ``{"value": text, "base": text or None}``: ``base`` is what the input
        held when the typing began. If the store now holds something else (saved later
        from another device), the kept text does not overwrite it: the page shows it, to
        copy if wanted, and forgets it."""
        changed = 0
        touched: dict[str, KeptForm] = {}
        older: list[tuple[str, str]] = []
        for key, item in list(items.items())[:MAX_KEPT_ITEMS]:
            text, base = _kept(item)
            if not isinstance(key, str) or text is None:
                continue
            scope = self._scope_of(key)
            if scope is None:
                continue
            form = self._forms[scope]
            now = form.kept_texts().get(key, "")
            if base is not None and now.strip() not in (base.strip(), text.strip()):
                older.append((key, text))
                continue
            touched[scope] = form
            if form.put_kept(key, text):
                changed += 1
        for form in touched.values():
            form.save()  # acknowledges, so the page forgets what is now stored
        if older:
            self.send({"kind": "forget", "keys": [key for key, _text in older]})
        self._say(changed, older)
        return changed

    def _say(self, changed: int, older: list[tuple[str, str]]) -> None:
        t = translator(self._language)
        parts = []
        if changed:
            tn = plural_translator(self._language)
            said = tn(
                "Restored {count} unsaved change from this browser.",
                "Restored {count} unsaved changes from this browser.",
                changed,
            )
            parts.append(
                f'<p class="pdkit-status pdkit-restored" role="status">'
                f"{escape(said.format(count=changed))}</p>"
            )
        if older:
            said = t(
                "This browser also kept text you typed earlier; your answer was saved again "
                "since then, so it stays as saved. The earlier text, to copy if you need it:"
            )
            texts = "".join(
                f'<li><pre class="pdkit-kept-text">{escape(text)}</pre></li>'
                for _key, text in older
            )
            parts.append(
                f'<div class="pdkit-status pdkit-kept-older" role="status">'
                f"<p>{escape(said)}</p><ul>{texts}</ul></div>"
            )
        if parts:
            self.note.value = "".join(parts)

    def _scope_of(self, key: str) -> str | None:
        found = [scope for scope in self._forms if key.startswith(scope + ":")]
        return max(found, key=len) if found else None
