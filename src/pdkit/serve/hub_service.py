"""The pdkit hub service: on a JupyterHub, the only holder of the store (``pdkit hub-service``).

A JupyterHub service that the hub starts and keeps (``c.JupyterHub.services``, see
docs/deploy-jupyterhub.md). It alone has the database URL (``$PDKIT_STORE`` in its own
environment); teachers' servers get ``pdkit-hub://…/services/pdkit/`` instead
(:mod:`pdkit.store._hub`), which holds no secret, and no facilitator key.

Each request is ``POST <prefix>call/<store method>`` with a JSON body
(:mod:`pdkit.store._wire`) and the caller's own hub token (``Authorization: token …``, a
single-user server's ``$JUPYTERHUB_API_TOKEN``). The service asks the hub whose token it
is (:class:`jupyterhub.services.auth.HubAuth`, answers cached for :data:`CACHE_SECONDS`),
requires the token to grant access to this service, and looks up the user's hub groups
with its own token (facilitators and coaches, :class:`HubUsers`). Then
:mod:`._hub_rules` decides: the method must be on the allowlist, and every argument that
says who acts or reads is set or checked from the hub user. Refusals are
:class:`pdkit.AccessError` (HTTP 403), bad requests other pdkit errors (HTTP 400).
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import quote, urlsplit
from urllib.request import Request, urlopen

from ..errors import AccessError, MissingDependencyError, PdkitError, StoreError
from ..i18n import N_, terminal_words
from ..store import Participant, Store
from ..store._wire import MAX_BODY, dumps, error_body, loads
from ._hub_rules import Caller, bind_call

__all__ = [
    "CACHE_SECONDS",
    "COACHES_GROUP",
    "FACILITATORS_GROUP",
    "HubService",
    "HubUsers",
    "serve",
]

FACILITATORS_GROUP = "pdkit-facilitators"
COACHES_GROUP = "pdkit-coaches"
CACHE_SECONDS = 30
"""How long the hub's answers (who a token is, who is in a group) are kept."""

Identify = Callable[[str], Caller | None]


class HubUsers:
    """Who a hub token belongs to, with the groups that give pdkit rights.

    Needs the service's own token (``$JUPYTERHUB_API_TOKEN``) with ``read:groups`` (to list
    the two groups' members) and JupyterHub installed where the service runs (it is, beside
    the hub).
    """

    def __init__(
        self,
        *,
        api_url: str,
        api_token: str,
        service: str,
        facilitators: str = FACILITATORS_GROUP,
        coaches: str = COACHES_GROUP,
        cache_seconds: float = CACHE_SECONDS,
    ) -> None:
        try:
            from jupyterhub.services.auth import HubAuth
        except ImportError:
            raise MissingDependencyError(
                N_(
                    "the pdkit hub service runs beside JupyterHub: install jupyterhub where it runs"
                ),
                package="jupyterhub",
            ) from None
        self._auth = HubAuth(api_url=api_url, api_token=api_token, cache_max_age=int(cache_seconds))
        self._api_url = api_url.rstrip("/")
        self._token = api_token
        self._access = f"access:services!service={service}"
        self._groups = {"facilitator": facilitators, "coach": coaches}
        self._cache_seconds = cache_seconds
        self._members: dict[str, tuple[float, frozenset[str]]] = {}
        self._lock = threading.Lock()

    def __call__(self, token: str) -> Caller | None:
        model = self._auth.user_for_token(token)
        if not model or model.get("kind", "user") != "user" or not model.get("name"):
            return None
        if not self._auth.check_scopes({self._access}, model):
            raise AccessError(N_("this hub token does not grant {scope}"), scope=self._access)
        name = str(model["name"])
        return Caller(
            user=name,
            facilitator=name in self._members_of(self._groups["facilitator"]),
            coach=name in self._members_of(self._groups["coach"]),
        )

    def _members_of(self, group: str) -> frozenset[str]:
        now = time.monotonic()
        with self._lock:
            found = self._members.get(group)
            if found is not None and now - found[0] < self._cache_seconds:
                return found[1]
        request = Request(  # noqa: S310 (the hub API URL the hub gave)
            f"{self._api_url}/groups/{quote(group, safe='')}",
            headers={"Authorization": f"token {self._token}"},
        )
        try:
            with urlopen(request, timeout=10) as answer:  # noqa: S310 (the hub's own API)
                members = frozenset(json.loads(answer.read(MAX_BODY)).get("users", []))
        except OSError as exc:
            if getattr(exc, "code", None) == 404:  # no such group (yet): nobody is in it
                members = frozenset()
            else:
                raise StoreError(
                    N_("the hub did not say who is in {group}: {reason}"),
                    group=group,
                    reason=str(exc),
                ) from None
        with self._lock:
            self._members[group] = (now, members)
        return members


class HubService:
    """The store calls of hub users, checked (:func:`._hub_rules.bind_call`) and answered
    one at a time on the one store."""

    def __init__(self, store: Store, identify: Identify) -> None:
        self.store = store
        self.identify = identify
        self._lock = threading.Lock()
        self._people: dict[str, Participant] = {}

    def _me(self, caller: Caller) -> Participant | None:
        found = self._people.get(caller.user)
        if found is None:
            found = self.store.participant_for_external_id(caller.external_id)
            if found is not None:
                self._people[caller.user] = found
        return found

    def answer(self, token: str, method: str, body: bytes) -> Any:
        """The result of one call (raises a pdkit error when it is refused or fails)."""
        if not token:
            raise AccessError(N_("no hub token: send the server's $JUPYTERHUB_API_TOKEN"))
        caller = self.identify(token)
        if caller is None:
            raise AccessError(N_("the hub does not know this token"))
        if method == "whoami":
            return {"user": caller.user, "facilitator": caller.facilitator, "coach": caller.coach}
        request = loads(body)
        if not isinstance(request, dict):
            raise StoreError(N_("a store call is a map of args and kwargs"))
        args, kwargs = request.get("args", []), request.get("kwargs", {})
        if not isinstance(args, list) or not isinstance(kwargs, dict):
            raise StoreError(N_("a store call's args are a list and its kwargs a map"))
        with self._lock:
            call = bind_call(self.store, method, args, kwargs, caller, lambda: self._me(caller))
            return call()


def _handler(service: HubService, prefix: str) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "pdkit-hub-service"

        def _send(self, status: int, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            self._send(200, b'{"service": "pdkit"}')

        def do_POST(self) -> None:
            path = urlsplit(self.path).path
            if not path.startswith(f"{prefix}call/"):
                missing = StoreError(N_("no such route: {route}"), route=path[:100])
                self._send(404, error_body(missing))
                return
            method = path.removeprefix(f"{prefix}call/")
            scheme, _, token = self.headers.get("Authorization", "").partition(" ")
            token = token.strip() if scheme.lower() in ("token", "bearer") else ""
            try:
                size = int(self.headers.get("Content-Length", "0"))
            except ValueError:
                size = -1
            if not 0 <= size <= MAX_BODY:
                self._send(413, error_body(StoreError(N_("a store call of a wrong size"))))
                return
            body = self.rfile.read(size)
            try:
                result = dumps({"result": service.answer(token, method, body)})
            except AccessError as exc:
                self._send(403, error_body(exc))
            except PdkitError as exc:
                self._send(400, error_body(exc))
            except Exception as exc:  # a bug: logged here, not shown to the caller
                traceback.print_exc()
                self._send(
                    500,
                    error_body(
                        StoreError(
                            N_("the pdkit hub service failed: {name}"), name=type(exc).__name__
                        )
                    ),
                )
            else:
                self._send(200, result)

        def log_message(self, format: str, *args: Any) -> None:
            sys.stderr.write(f"[pdkit hub-service] {self.address_string()} {format % args}\n")

    return Handler


def serve(
    store: Store,
    identify: Identify,
    *,
    host: str,
    port: int,
    prefix: str = "/",
    ready: Callable[[ThreadingHTTPServer], None] | None = None,
) -> None:
    """Answer store calls on ``host:port`` under ``prefix`` until interrupted.

    In the main thread, SIGINT and SIGTERM stop it at once, whatever the process was
    started with: JupyterHub stops a managed service with SIGINT (then waits 10 s before
    SIGTERM), and a process started in the background of a shell inherits SIGINT
    ignored, which Python then leaves ignored: the hub's shutdown waited for it."""
    prefix = "/" + prefix.strip("/") + "/" if prefix.strip("/") else "/"
    server = ThreadingHTTPServer((host, port), _handler(HubService(store, identify), prefix))
    server.daemon_threads = True
    before: dict[int, Any] = {}
    if threading.current_thread() is threading.main_thread():

        def stop(_signum: int, _frame: object) -> None:
            # shutdown() waits for serve_forever to return: from another thread.
            threading.Thread(target=server.shutdown, daemon=True).start()

        for signum in (signal.SIGINT, signal.SIGTERM):
            before[signum] = signal.signal(signum, stop)
    if ready is not None:
        ready(server)
    try:
        server.serve_forever(poll_interval=0.1)
    finally:
        server.server_close()
        for number, handler in before.items():
            signal.signal(number, handler)


def main_from_env(
    store: Store,
    *,
    facilitators: str = FACILITATORS_GROUP,
    coaches: str = COACHES_GROUP,
    port: int | None = None,
) -> None:
    """Serve as the hub started this service: its URL, prefix, name and token from the
    ``JUPYTERHUB_*`` variables JupyterHub sets for a managed service."""
    missing = [
        name
        for name in ("JUPYTERHUB_API_TOKEN", "JUPYTERHUB_API_URL", "JUPYTERHUB_SERVICE_NAME")
        if not os.environ.get(name)
    ]
    if missing:
        raise PdkitError(
            N_(
                "pdkit hub-service is started by JupyterHub (c.JupyterHub.services): "
                "{names} not set"
            ),
            names=", ".join("$" + m for m in missing),
        )
    where = urlsplit(os.environ.get("JUPYTERHUB_SERVICE_URL", "http://127.0.0.1:10101"))
    users = HubUsers(
        api_url=os.environ["JUPYTERHUB_API_URL"],
        api_token=os.environ["JUPYTERHUB_API_TOKEN"],
        service=os.environ["JUPYTERHUB_SERVICE_NAME"],
        facilitators=facilitators,
        coaches=coaches,
    )
    host, bound = where.hostname or "127.0.0.1", port or where.port or 10101
    prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/")
    t, _tn = terminal_words()
    said = t("pdkit hub-service: the store {store}, on {url}")
    print(said.format(store=store.url, url=f"http://{host}:{bound}{prefix}"), flush=True)
    serve(store, users, host=host, port=bound, prefix=prefix)
