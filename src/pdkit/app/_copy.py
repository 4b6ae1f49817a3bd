"""The participant's own copy of their workbook: download it (and a page to print), upload
it to continue elsewhere."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import replace
from html import escape
from typing import Any

import ipywidgets as w

from ..definitions import SchoolGoal, WorkbookDefinition, workbook_forms
from ..errors import PdkitError, WorkbookFileError
from ..i18n import N_, plural_translator, translator
from ..store import Participant, Store
from ..widgets import HTML, Button, FileDownload, HBox, VBox
from ._goalview import para
from ._page import message_in

__all__ = ["CopyTools"]

_REFUSED = {
    "unreadable": N_(
        "Nothing was restored: {file} is not a saved workbook (it cannot be read as one)."
    ),
    "not-saved": N_(
        "Nothing was restored: {file} is a notebook, but not a workbook saved with “{button}”."
    ),
    "newer": N_(
        "Nothing was restored: {file} was saved by a newer pdkit. Ask your facilitator to "
        "update pdkit."
    ),
    "damaged": N_("Nothing was restored: the answers saved in {file} are damaged."),
    "other-workbook": N_("Nothing was restored: {file} holds no answers for this workbook."),
}
"""What an upload that changed nothing says, by the kind of problem
(:class:`~pdkit.errors.WorkbookFileError`)."""


class CopyTools:
    """The participant's own copy: download the workbook (.ipynb with every answer, and
    an HTML page to print) and upload a saved one to continue. Binder forgets everything
    after ~10 idle minutes; this is how a teacher keeps their work."""

    def __init__(
        self,
        workbook: WorkbookDefinition,
        store: Store,
        *,
        school_goals: Callable[[str | None, str], list[SchoolGoal]],
    ) -> None:
        self.workbook = workbook
        self.store = store
        self.school_goals = school_goals
        self.participant: Participant | None = None
        self.language: str | None = None
        self._before_restore: Callable[[], None] = lambda: None
        self._on_restored: Callable[[], None] = lambda: None
        self.downloader = FileDownload()
        self.message = HTML()
        # The file tools wait behind "My copy" (closed): a newcomer meets the questions
        # first. What an upload says stays in view, the menu open or not. The tools are
        # made the first time they are wanted (:meth:`_tools`): every widget a kernel holds
        # goes to its page when the page opens, and most never open the menu.
        self.menu_button = Button(description="My copy", icon="caret-down")
        self.menu_button.add_class("pdkit-menu")
        self.menu_button.on_click(lambda _: self.open_menu(not self.menu_open))
        self.items = VBox(  # a layout of its own: it is shown and hidden (widgets._lean)
            layout=w.Layout(display="none")
        )
        self.items.add_class("pdkit-menu-items")
        self._made: tuple[w.HTML, w.Button, w.Button, w.FileUpload] | None = None
        self.widget = VBox([self.menu_button, self.items, self.message, self.downloader])
        self.widget.add_class("pdkit-copy")

    def _tools(self) -> tuple[w.HTML, w.Button, w.Button, w.FileUpload]:
        """The menu's words and its three tools, made (and put in the menu) at first use."""
        if self._made is None:
            about = HTML()
            download = w.Button(description="Download my workbook", icon="download")
            printed = w.Button(description="Download to print", icon="print")
            upload = w.FileUpload(accept=".ipynb", multiple=False, description="Upload to continue")
            download.on_click(lambda _: self.download_notebook())
            printed.on_click(lambda _: self.download_html())
            upload.observe(lambda _: self._uploaded(), names="value")
            self._made = (about, download, printed, upload)
            self._label()
            self.items.children = [about, HBox([download, printed, upload])]
        return self._made

    @property
    def about(self) -> w.HTML:
        """What the menu says it is for."""
        return self._tools()[0]

    @property
    def download_button(self) -> w.Button:
        return self._tools()[1]

    @property
    def print_button(self) -> w.Button:
        return self._tools()[2]

    @property
    def upload(self) -> w.FileUpload:
        return self._tools()[3]

    def _label(self) -> None:
        """The menu's words in the participant's language (its tools' only once made)."""
        t = translator(self.language)
        self.menu_button.description = t("My copy")
        if self._made is None:
            return
        about, download, printed, upload = self._made
        about.value = para(
            "pdkit-copy-about",
            t(
                "Your own copy of this workbook: download it to keep it or to print, or upload "
                "a copy you saved to continue from it."
            ),
        )
        download.description = t("Download my workbook")
        printed.description = t("Download to print")
        upload.description = t("Upload to continue")

    @property
    def menu_open(self) -> bool:
        """Whether the file tools under "My copy" are shown."""
        return bool(self.items.layout.display != "none")

    def open_menu(self, shown: bool = True) -> None:
        """Show (or hide) the file tools under "My copy"."""
        if shown:
            self._tools()
        self.items.layout.display = None if shown else "none"
        self.menu_button.icon = "caret-up" if shown else "caret-down"
        if shown:
            self.menu_button.add_class("pdkit-open")
        else:
            self.menu_button.remove_class("pdkit-open")

    def bind(
        self,
        participant: Participant,
        language: str | None,
        *,
        before_restore: Callable[[], None] = lambda: None,
        on_restored: Callable[[], None] = lambda: None,
    ) -> None:
        """Work for ``participant``. ``before_restore`` saves what the page has not saved
        yet (so an autosave cannot overwrite an upload); ``on_restored`` redraws the page."""
        self.participant = participant
        self.language = language
        self._before_restore = before_restore
        self._on_restored = on_restored
        self.message.value = ""
        self._label()

    def _notebook(self) -> dict[str, Any]:
        from ..notebooks import save_workbook  # when asked for: not on the page's start-up

        assert self.participant is not None
        return save_workbook(
            self.workbook,
            self.store,
            self.participant,
            language=self.language,
            school_goals=self.school_goals(self.language, self.participant.session),
        )

    def _filename(self, suffix: str) -> str:
        assert self.participant is not None
        plain = unicodedata.normalize("NFKD", self.participant.display_name)  # José: Jose
        plain = plain.encode("ascii", "ignore").decode("ascii")
        name = re.sub(r"[^A-Za-z0-9]+", "-", plain).strip("-").lower()
        return f"{self.workbook.id}-{name or 'me'}{suffix}"

    def download_notebook(self) -> bytes:
        """Offer the saved workbook (.ipynb) as a download; returns its bytes."""
        from ..notebooks import dumps

        data = dumps(self._notebook()).encode("utf-8")
        self.downloader.offer(data, self._filename(".ipynb"), "application/x-ipynb+json")
        t = translator(self.language)
        self._say(t("Your workbook is downloading. Keep the file: you can upload it next time."))
        return data

    def download_html(self) -> bytes:
        """Offer a printable HTML page of the answers; returns its bytes."""
        from ..notebooks import dumps, printable_html, read_saved

        saved = read_saved(dumps(self._notebook()), source="this page")
        assert self.participant is not None
        goals = self.school_goals(self.language, self.participant.session)
        html = printable_html(self.workbook, saved, self.language, goals)
        data = html.encode("utf-8")
        self.downloader.offer(data, self._filename(".html"), "text/html")
        t = translator(self.language)
        self._say(t("A page to print is downloading."))
        return data

    def restore(self, content: bytes, filename: str) -> int:
        """Restore the answers of an uploaded saved workbook, who can see each item, and
        the evidence log's items the store lacks; returns how many answers changed.

        What the page typed and had not saved yet is saved first, so the upload is the
        last word: no autosave pending from before it can overwrite it."""
        from ..notebooks import read_saved, restore_evidence, restore_saved, restore_visibility

        assert self.participant is not None
        try:
            saved = read_saved(content, source=filename)
            known = [form.id for _i, form in workbook_forms(self.workbook)]
            usable = {k: v for k, v in saved.answers.items() if k in known}
            if not usable:
                raise WorkbookFileError(
                    N_(
                        "{name}: it holds no answers for this workbook "
                        "(it is a saved '{workbook}' workbook)"
                    ),
                    "other-workbook",
                    name=filename,
                    workbook=saved.workbook,
                )
            self._before_restore()
            pid = self.participant.id
            count = restore_saved(self.store, pid, replace(saved, answers=usable))
            shared = restore_visibility(self.store, pid, saved, known)
            teacher = self.participant.role == "teacher"
            evidence = restore_evidence(self.store, pid, saved) if teacher else 0
        except PdkitError as exc:
            self.message.value = self._refused(exc, filename)
            return 0
        self._on_restored()
        tn = plural_translator(self.language)
        said = tn(
            "Restored {count} answer from {file}.", "Restored {count} answers from {file}.", count
        ).format(count=count, file=filename)
        if shared:
            levels = tn(
                "“Who can see this?” is set as the file says for {items} item.",
                "“Who can see this?” is set as the file says for {items} items.",
                shared,
            )
            said += " " + levels.format(items=shared)
        if evidence:
            added = tn(
                "{items} evidence item added to your log.",
                "{items} evidence items added to your log.",
                evidence,
            )
            said += " " + added.format(items=evidence)
        self._say(said)
        return count

    def _uploaded(self) -> None:
        files = list(self.upload.value)
        if not files:
            return
        upload = files[0]
        self.restore(bytes(upload["content"]), str(upload["name"]))
        self.upload.value = ()

    def _refused(self, exc: PdkitError, filename: str) -> str:
        """Why an upload changed nothing: in the page's language by the kind of problem,
        then pdkit's own message (English: the details a facilitator may need)."""
        t = translator(self.language)
        if not isinstance(exc, WorkbookFileError):
            return (
                f'<p class="pdkit-error" role="alert">{escape(message_in(exc, self.language))}</p>'
            )
        said = t(_REFUSED[exc.kind]).format(file=filename, button=t("Download my workbook"))
        details = t("Details: {message}").format(message=message_in(exc, self.language))
        return (
            f'<p class="pdkit-error" role="alert">{escape(said)}'
            f'<br><small class="pdkit-detail">{escape(details)}</small></p>'
        )

    def _say(self, text: str) -> None:
        self.message.value = f'<p class="pdkit-status" role="status">{escape(text)}</p>'
