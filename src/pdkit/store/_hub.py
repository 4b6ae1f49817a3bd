"""The store of a teacher's kernel on a JupyterHub: every call goes to the pdkit hub
service (:mod:`pdkit.serve.hub_service`), which holds the database and answers for the
hub user whose token the call carries.

``pdkit-hub://HOST[:PORT]/PATH`` (plain HTTP, inside the hub's network) or
``pdkit-hubs://…`` (HTTPS) names the service, usually through the hub's proxy:
``pdkit-hub://proxy-public/services/pdkit/`` on Zero to JupyterHub. The URL holds no
secret. The kernel's own hub token (``$JUPYTERHUB_API_TOKEN``, which JupyterHub gives
every single-user server) is sent with each call; the service finds out from the hub whose
it is, so a kernel can act only as its own hub user. Only the standard library is used,
so opening a workbook stays light. Each call waits at most :data:`TIMEOUT` seconds.
"""

from __future__ import annotations

import http.client
import os
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from ..errors import StoreError
from ..i18n import N_
from ._wire import MAX_BODY, dumps, error_from, loads

__all__ = ["SCHEMES", "TIMEOUT", "TOKEN_ENV", "HubStore"]

SCHEMES = ("pdkit-hub", "pdkit-hubs")

TOKEN_ENV = "JUPYTERHUB_API_TOKEN"  # noqa: S105 (a variable's name)
"""Where JupyterHub puts the single-user server's (and so its kernels') hub token."""

TIMEOUT = 30.0
"""Seconds one call may take, connecting included, before it fails with StoreError."""


class _Quiet:
    """A run signal that never fires (see :meth:`HubStore.run_signal`)."""

    def changed(self) -> bool:
        return False

    def close(self) -> None:
        """Nothing to release."""


class HubStore:
    """A :class:`~pdkit.store.Store` whose every method is a call to the pdkit hub service.

    The methods are the store's; which of them the service answers, and for whom, is the
    service's to decide (it refuses the others with :class:`pdkit.AccessError`).
    """

    def __init__(self, url: str, *, token: str | None = None, timeout: float = TIMEOUT) -> None:
        parts = urlsplit(url)
        if parts.scheme not in SCHEMES or not parts.hostname:
            raise StoreError(
                N_("not a pdkit hub service URL: {url!r} (pdkit-hub://HOST[:PORT]/services/NAME/)"),
                url=url,
            )
        self._url = url
        self._secure = parts.scheme == "pdkit-hubs"
        self._host = parts.hostname
        self._port = parts.port
        self._path = "/" + parts.path.strip("/") + "/" if parts.path.strip("/") else "/"
        self._token = token if token is not None else os.environ.get(TOKEN_ENV, "")
        self._timeout = timeout
        if not self._token:
            raise StoreError(
                N_(
                    "the store {url} is the pdkit hub service, which needs this server's hub "
                    "token (${variable}, set by JupyterHub): it is not set"
                ),
                url=url,
                variable=TOKEN_ENV,
            )

    @property
    def url(self) -> str:
        return self._url

    def close(self) -> None:
        """Nothing to release: each call is its own connection."""

    def hub_roles(self) -> dict[str, Any]:
        """Who the service takes this kernel for: ``{"user": …, "facilitator": bool,
        "coach": bool}`` (from the hub's groups)."""
        found: dict[str, Any] = self._call("whoami", (), {})
        return found

    def run_signal(self, session: str) -> _Quiet:
        """No signal crosses the service: pages following a run read it every few seconds
        (:data:`pdkit.widgets._follow.SAFETY_EVERY`) instead."""
        return _Quiet()

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name.startswith("_"):
            raise AttributeError(name)

        def call(*args: Any, **kwargs: Any) -> Any:
            return self._call(name, args, kwargs)

        call.__name__ = name
        return call

    def _call(self, method: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        body = dumps({"args": list(args), "kwargs": kwargs})
        cls = http.client.HTTPSConnection if self._secure else http.client.HTTPConnection
        conn = cls(self._host, self._port, timeout=self._timeout)
        try:
            conn.request(
                "POST",
                f"{self._path}call/{method}",
                body=body,
                headers={
                    "Authorization": f"token {self._token}",
                    "Content-Type": "application/json",
                },
            )
            answer = conn.getresponse()
            data = answer.read(MAX_BODY + 1)
        except TimeoutError:
            raise StoreError(
                N_("the pdkit hub service ({url}) did not answer within {seconds:g} s"),
                url=self._url,
                seconds=self._timeout,
            ) from None
        except OSError as exc:
            raise StoreError(
                N_("cannot reach the pdkit hub service ({url}): {reason}"),
                url=self._url,
                reason=exc.strerror or str(exc),
            ) from None
        except http.client.HTTPException as exc:
            raise StoreError(
                N_("the pdkit hub service ({url}) broke off the answer: {reason}"),
                url=self._url,
                reason=repr(exc),
            ) from None
        finally:
            conn.close()
        if answer.status != 200:
            raise error_from(data, answer.status)
        result = loads(data)
        if not isinstance(result, dict) or "result" not in result:
            raise StoreError(
                N_("the pdkit hub service ({url}) answered something that is not a store answer"),
                url=self._url,
            )
        return result["result"]
