"""Voilà's server application as ``pdkit serve`` runs it (in the server, not in kernels).

Five changes to :class:`voila.app.Voila`:

- a workbook's page first asks the kernel manager whether the arrival should wait
  (:meth:`pdkit.serve.kernels.PdkitKernelManager.waiting`: the pool still pre-heating
  with no kernel ready, or every place taken); if a place is still not ready after
  ``hold`` seconds (a short wait shows no page in between), it gets the plain "getting
  ready" page (:mod:`._waiting`) instead of a kernel; that page asks ``/pdkit/ready``
  until it can load the workbook;
- an address that leads nowhere outside Voilà's pages (``/nowhere``) gets pdkit's own
  "page not found" (``404.html``, in the link's or the browser's language), as one inside
  them does, not tornado's bare "404: Not Found";
- with ``certfile`` and ``keyfile`` it serves HTTPS (Voilà 0.5 has no option for it:
  tornado's server gets the certificate here), and its printed address says ``https``;
- when the server stops, its kernels are stopped before the folder of their connection
  files is removed (Voilà removes it first);
- a page's kernel connection asks the kernel one question before it relays, not two
  (:class:`._connection.OneQuestionConnection`).
"""

from __future__ import annotations

import asyncio
import json
import shutil
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jupyter_core.utils import run_sync
from jupyter_server.utils import url_path_join
from tornado import web
from traitlets import Float, Unicode, default
from voila.app import Voila
from voila.handler import BaseVoilaHandler
from voila.tornado.handler import TornadoVoilaHandler

from ..i18n import language_from_url
from ._config import tls_context
from ._connection import OneQuestionConnection
from ._waiting import STATUS_PATH, status_body, waiting_page

__all__ = ["NotFoundHandler", "PdkitVoila", "ReadyHandler", "WaitingVoilaHandler"]


class PdkitVoila(Voila):  # type: ignore[misc]
    """Voilà with the "getting ready" page and HTTPS (see the module docs), which stops
    its kernels before it removes their folder."""

    hold = Float(
        8.0,
        config=True,
        help="Seconds a page request waits for a place before it gets the 'getting ready' page.",
    )

    certfile = Unicode("", config=True, help="The server's TLS certificate (PEM): serve HTTPS.")
    keyfile = Unicode("", config=True, help="The key of certfile (PEM).")

    @default("kernel_websocket_connection_class")
    def _one_question(self) -> type:
        return OneQuestionConnection  # (see ._connection)

    def init_settings(self) -> dict[str, Any]:
        settings: dict[str, Any] = super().init_settings()
        settings["pdkit_app"] = self
        settings["default_handler_class"] = NotFoundHandler
        settings["default_handler_args"] = {"voila_configuration": self.voila_configuration}
        return settings

    def init_handlers(self) -> list[Any]:
        handlers: list[Any] = [(url_path_join(self.server_url, STATUS_PATH), ReadyHandler)]
        for pattern, handler, *more in super().init_handlers():
            if handler is TornadoVoilaHandler:
                handler = WaitingVoilaHandler
            handlers.append((pattern, handler, *more))
        return handlers

    def listen(self) -> None:
        if self.certfile:
            context = tls_context(self.certfile, self.keyfile)
            plain = self.app.listen

            def listen(port: int, address: str = "", **kwargs: Any) -> Any:
                return plain(port, address, ssl_options=context, **kwargs)

            self.app.listen = listen
        super().listen()

    def stop(self) -> None:
        """Stop every kernel, then remove the folder of their connection files.

        Voilà 0.5 removes the folder first: a kernel still starting then could not make
        its sockets there, and printed a traceback into the facilitator's terminal as the
        room stopped ("No such file or directory for ipc path")."""
        run_sync(self.kernel_manager.shutdown_all)()
        shutil.rmtree(self.connection_dir, ignore_errors=True)

    def _url(self, ip: str) -> str:
        url: str = super()._url(ip)
        return "https" + url.removeprefix("http") if self.certfile else url

    def notebook_language(self, notebook: str) -> str | None:
        """The language a notebook's metadata gives (``metadata.pdkit.language``)."""
        cache: dict[str, str | None] = self.__dict__.setdefault("_pdkit_languages", {})
        if notebook not in cache:
            language = None
            try:
                path = Path(self.root_dir) / notebook
                data = json.loads(path.read_text(encoding="utf-8"))
                found = data.get("metadata", {}).get("pdkit", {}).get("language")
                language = found if isinstance(found, str) else None
            except (OSError, ValueError, AttributeError):
                pass
            cache[notebook] = language
        return cache[notebook]


def _why(manager: Any, notebook: str) -> tuple[str, int, int] | None:
    waiting = getattr(manager, "waiting", None)
    result: tuple[str, int, int] | None = waiting(notebook) if waiting else None
    return result


class WaitingVoilaHandler(TornadoVoilaHandler):  # type: ignore[misc]
    """Voilà's page handler, with the "getting ready" page for an arrival who waits."""

    async def get(self, path: str | None = None) -> Any:
        notebook: str = self.notebook_path or path or ""
        app: PdkitVoila = self.settings["pdkit_app"]
        why = _why(self.kernel_manager, notebook) if notebook else None
        until = time.monotonic() + float(app.hold)
        while why is not None and time.monotonic() < until:
            await asyncio.sleep(0.5)  # a place may be ready in a moment: then no page between
            why = _why(self.kernel_manager, notebook)
        if why is None:  # (from here to taking the ready kernel, nothing else runs)
            return await super().get(path)
        language = language_from_url(self.request.full_url()) or app.notebook_language(notebook)
        status_url = url_path_join(self.base_url, STATUS_PATH) + "?notebook=" + quote(notebook)
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Cache-Control", "no-cache, no-store, must-revalidate")
        self.finish(waiting_page(*why, language=language, status_url=status_url))
        return None


class ReadyHandler(web.RequestHandler):
    """``/pdkit/ready?notebook=…``: whether an arrival for that workbook waits, and why
    (JSON; ``n`` of ``of`` places ready while its pool fills, see :func:`status_body`)."""

    def get(self) -> None:
        notebook = self.get_argument("notebook", "")
        manager = self.settings.get("kernel_manager")
        why = _why(manager, notebook)
        if why is None:  # served now; the pool's first fill, when there is one, as it is
            warm_up = getattr(manager, "warm_up", None)
            done, size, _ = warm_up(notebook) if warm_up else (0, 0, False)
        self.set_header("Content-Type", "application/json")
        self.set_header("Cache-Control", "no-store")
        self.finish(status_body(why[0], why[1], why[2]) if why else status_body(None, done, size))


class NotFoundHandler(BaseVoilaHandler):  # type: ignore[misc]
    """Any address no other handler serves: pdkit's "page not found" page, rendered as
    Voilà renders its own errors (``404.html`` of pdkit's template)."""

    async def prepare(self, *, _redirect_to_login: bool = True) -> None:
        await super().prepare(_redirect_to_login=False)  # who is asking, for the template
        raise web.HTTPError(404)
