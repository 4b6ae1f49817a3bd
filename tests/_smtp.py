"""A real SMTP server for tests: aiosmtpd on a free local port, in a thread, recording
every message it accepts (envelope and raw bytes), so a test reads what a teacher would
receive. Variants: STARTTLS with a certificate from a throw-away CA (trustme) and a
login, and a hook that runs before a message is accepted (to refuse it, or to stop the
sender at an exact point)."""

from __future__ import annotations

import email
import email.policy
import ssl
import threading
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from _servers import free_port


@dataclass
class Received:
    sender: str
    recipients: list[str]
    raw: bytes

    @property
    def message(self) -> EmailMessage:
        parsed = email.message_from_bytes(self.raw, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass
class SmtpServer:
    host: str
    port: int
    url: str
    messages: list[Received] = field(default_factory=list)
    before_accept: Callable[[int, list[str]], str | None] | None = None
    """Called with the number of messages accepted so far and the message's recipients;
    a reply such as
    ``"451 try later"`` refuses the message instead of accepting it."""
    cafile: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def per_recipient(self) -> Counter[str]:
        with self.lock:
            return Counter(r for m in self.messages for r in m.recipients)

    def count(self) -> int:
        with self.lock:
            return len(self.messages)


class _Handler:
    def __init__(self, server: SmtpServer) -> None:
        self.server = server

    async def handle_DATA(self, smtp: Any, session: Any, envelope: Any) -> str:
        with self.server.lock:
            hook = self.server.before_accept
            reply = hook(len(self.server.messages), list(envelope.rcpt_tos)) if hook else None
            if reply:
                return reply
            self.server.messages.append(
                Received(
                    envelope.mail_from,
                    list(envelope.rcpt_tos),
                    bytes(envelope.original_content or envelope.content),
                )
            )
        return "250 OK"


USER, PASSWORD = "reminders@school.test", "s3cret-pass"


class _Controller(Controller):
    def factory(self) -> Any:
        with warnings.catch_warnings():
            # With TLS from the start aiosmtpd does not count the connection as TLS, so
            # it cannot require TLS for AUTH and warns each time: the connection is TLS.
            warnings.filterwarnings("ignore", "Requiring AUTH while not requiring TLS")
            return super().factory()


def _authenticator(
    server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
) -> AuthResult:
    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login == USER.encode()
        and auth_data.password == PASSWORD.encode()
    )
    return AuthResult(success=ok, handled=False)


@contextmanager
def smtp_server(
    *, starttls_dir: Path | None = None, tls_dir: Path | None = None
) -> Iterator[SmtpServer]:
    """A recording SMTP server on 127.0.0.1. With ``starttls_dir``: STARTTLS required
    (a certificate for ``localhost`` from a throw-away CA whose file is ``cafile``) and a
    login (``USER`` / ``PASSWORD``) required. With ``tls_dir``: TLS from the start
    (``smtps://``), the same certificate and login."""
    port = free_port()
    server = SmtpServer("127.0.0.1", port, f"smtp://127.0.0.1:{port}")
    kwargs: dict[str, Any] = {}
    folder = starttls_dir or tls_dir
    if folder is not None:
        import trustme

        ca = trustme.CA()
        cert = ca.issue_cert("localhost", "127.0.0.1")
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        cert.configure_cert(context)
        cafile = folder / "ca.pem"
        ca.cert_pem.write_to_path(str(cafile))
        server.cafile = str(cafile)
        login = {"authenticator": _authenticator, "auth_required": True}
        if starttls_dir is not None:
            server.url = f"smtp+starttls://{USER}@localhost:{port}?cafile={cafile}"
            kwargs = {
                "tls_context": context,
                "require_starttls": True,
                "auth_require_tls": True,
                **login,
            }
        else:
            server.url = f"smtps://{USER}@localhost:{port}?cafile={cafile}"
            kwargs = {"ssl_context": context, "auth_require_tls": False, **login}
    controller = _Controller(_Handler(server), hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    try:
        yield server
    finally:
        controller.stop()
