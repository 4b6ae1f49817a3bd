"""Reminders by email: the SMTP settings (one URL, the password from the environment),
one connection to the server kept for a whole run, and the message a teacher receives.

Settings are a URL, from ``--smtp`` or ``$PDKIT_SMTP_URL``::

    smtp://localhost:25                         plain (a relay on the same machine)
    smtp+starttls://reminders@mail.school.org:587   STARTTLS, then log in
    smtps://reminders@mail.school.org:465       TLS from the start, then log in

The password is read from ``$PDKIT_SMTP_PASSWORD`` only (a URL shows in process lists
and logs, so one that holds a password is refused) and never printed. The query may
give ``from=reminders@school.org`` (the sender; default the user, else
``pdkit@<host>``), ``timeout=SECONDS`` (each network step; default 20, at most 30) and
``cafile=PATH`` (a CA bundle to trust, for a school's own certificate authority).

A message holds the teacher's name as they gave it, dates, the session's title and
links: never a word of what the teacher wrote (goal, reflections, comments).
"""

from __future__ import annotations

import hashlib
import html
import os
import smtplib
import socket
import ssl
from dataclasses import dataclass, field
from datetime import date
from email.charset import QP, Charset
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.nonmultipart import MIMENonMultipart
from email.utils import formatdate
from typing import Literal
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from ..errors import OutreachError
from ..i18n import N_, translator

__all__ = [
    "PASSWORD_ENV",
    "URL_ENV",
    "Mailer",
    "SmtpSettings",
    "reminder_message",
]

URL_ENV = "PDKIT_SMTP_URL"
"""The SMTP server's URL, when ``--smtp`` does not give it."""

PASSWORD_ENV = "PDKIT_SMTP_PASSWORD"  # noqa: S105 (the variable's name)
"""The password for the SMTP login (never in the URL)."""

_SCHEMES: dict[str, tuple[Literal["plain", "starttls", "tls"], int]] = {
    "smtp": ("plain", 25),
    "smtp+starttls": ("starttls", 587),
    "smtps": ("tls", 465),
}

MAX_TIMEOUT = 30.0
"""The longest wait for one network step: a message takes at most six, so one message
always ends well within the time after which another run may take its claim over
(:data:`pdkit.outreach.RECLAIM_AFTER`)."""

_UTF8 = Charset("utf-8")
_UTF8.body_encoding = QP  # readable in the raw message, safe for any server (7 bit)


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to hand reminders over (:meth:`from_url`)."""

    host: str
    port: int
    security: Literal["plain", "starttls", "tls"] = "plain"
    user: str = ""
    password: str = field(default="", repr=False)
    sender: str = ""
    timeout: float = 20.0
    cafile: str = ""

    @classmethod
    def from_url(cls, url: str | None, *, password: str | None = None) -> SmtpSettings:
        """The settings a URL gives (``None``: ``$PDKIT_SMTP_URL``); the password is
        ``password`` or ``$PDKIT_SMTP_PASSWORD``."""
        given = url if url is not None else os.environ.get(URL_ENV, "")
        given = given.strip()
        if not given:
            raise OutreachError(
                N_(
                    "say which mail server sends the reminders: --smtp URL or ${env} "
                    "(smtp://host:25, smtp+starttls://user@host:587, smtps://user@host:465)"
                ),
                env=URL_ENV,
            )
        try:
            parts = urlsplit(given)
            port_given = parts.port
        except ValueError as exc:
            raise OutreachError(
                N_("the SMTP URL {url} is malformed: {reason}"),
                url=_shown(given),
                reason=str(exc),
            ) from None
        scheme = parts.scheme.lower()
        if scheme not in _SCHEMES:
            raise OutreachError(
                N_(
                    "the SMTP URL {url} starts with {scheme!r}: write "
                    "smtp://, smtp+starttls:// or smtps://"
                )
                if scheme
                else N_(
                    "the SMTP URL {url} starts with 'nothing': write "
                    "smtp://, smtp+starttls:// or smtps://"
                ),
                url=_shown(given),
                scheme=scheme,
            )
        if parts.password is not None:
            raise OutreachError(
                N_(
                    "the SMTP URL holds a password: leave it out and set ${env} "
                    "instead (a URL shows in process lists and logs)"
                ),
                env=PASSWORD_ENV,
            )
        if not parts.hostname:
            raise OutreachError(
                N_("the SMTP URL {url} names no server (smtp://host:port)"), url=_shown(given)
            )
        security, default_port = _SCHEMES[scheme]
        query = dict(parse_qsl(parts.query))
        unknown = sorted(set(query) - {"from", "timeout", "cafile"})
        if unknown:
            raise OutreachError(
                N_(
                    "the SMTP URL has {unknown} in its query: only from=, timeout= "
                    "and cafile= are understood"
                ),
                unknown=", ".join(unknown),
            )
        try:
            timeout = float(query.get("timeout", "20"))
        except ValueError:
            timeout = -1.0
        if not 0 < timeout <= MAX_TIMEOUT:
            raise OutreachError(
                N_(
                    "timeout={given!r} in the SMTP URL: give seconds, "
                    "more than 0 and at most {most:.0f}"
                ),
                given=query.get("timeout"),
                most=MAX_TIMEOUT,
            )
        user = unquote(parts.username or "")
        secret = password if password is not None else os.environ.get(PASSWORD_ENV, "")
        if secret and not user:
            raise OutreachError(
                N_(
                    "${env} is set but the SMTP URL names no user: write "
                    "smtp+starttls://user@host:587"
                ),
                env=PASSWORD_ENV,
            )
        if user and not secret:
            raise OutreachError(
                N_("the SMTP URL logs in as {user!r}: set the password in ${env}"),
                user=user,
                env=PASSWORD_ENV,
            )
        if user and security == "plain" and parts.hostname not in ("localhost", "127.0.0.1"):
            raise OutreachError(
                N_(
                    "the SMTP URL logs in without encryption: use smtp+starttls:// or smtps:// "
                    "(a password must not cross the network in the clear)"
                )
            )
        sender = query.get("from") or (user if "@" in user else f"pdkit@{parts.hostname}")
        return cls(
            host=parts.hostname,
            port=port_given or default_port,
            security=security,
            user=user,
            password=secret,
            sender=sender,
            timeout=timeout,
            cafile=query.get("cafile", ""),
        )

    def __str__(self) -> str:
        """The server as people write it (never the password)."""
        scheme = {"plain": "smtp", "starttls": "smtp+starttls", "tls": "smtps"}[self.security]
        who = f"{quote(self.user, safe='')}@" if self.user else ""
        return f"{scheme}://{who}{self.host}:{self.port}"

    def tls_context(self) -> ssl.SSLContext:
        try:
            return ssl.create_default_context(cafile=self.cafile or None)
        except (OSError, ssl.SSLError) as exc:
            raise OutreachError(
                N_("cafile={cafile!r} cannot be read: {reason}"),
                cafile=self.cafile,
                reason=str(exc),
            ) from None


def _shown(url: str) -> str:
    """A URL for a message, without anything that looks like a password."""
    try:
        parts = urlsplit(url)
        if parts.password is not None:
            host = parts.hostname or ""
            url = url.replace(parts.netloc, f"{parts.username}:***@{host}")
    except ValueError:
        pass
    return repr(url if len(url) <= 80 else url[:80] + "…")


class Mailer:
    """One connection to the SMTP server for a whole run: opened on the first message,
    opened again when the server closed it, closed by :meth:`close` (or ``with``)."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None
        self.connections = 0

    def __enter__(self) -> Mailer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def connect(self) -> None:
        """Open the connection (and log in) now: every failure is an OutreachError that
        says what to check."""
        if self._smtp is not None:
            return
        s = self.settings
        where = str(s)
        smtp: smtplib.SMTP | None = None
        try:
            if s.security == "tls":
                smtp = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=s.tls_context())
            else:
                smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
            smtp.ehlo()
            if s.security == "starttls":
                if not smtp.has_extn("starttls"):
                    raise OutreachError(
                        N_(
                            "the mail server {where} does not offer STARTTLS: use smtps:// "
                            "(port 465) or ask its administrator"
                        ),
                        where=where,
                    )
                smtp.starttls(context=s.tls_context())
                smtp.ehlo()
            if s.user:
                smtp.login(s.user, s.password)
        except OutreachError:
            _quit(smtp)
            raise
        except smtplib.SMTPAuthenticationError as exc:
            _quit(smtp)
            raise OutreachError(
                N_(
                    "the mail server {where} refused the login of {user!r} ({code}): "
                    "check the user in the URL and the password in ${env}"
                ),
                where=where,
                user=s.user,
                code=exc.smtp_code,
                env=PASSWORD_ENV,
            ) from None
        except smtplib.SMTPNotSupportedError:
            _quit(smtp)
            raise OutreachError(
                N_(
                    "the mail server {where} offers no login (AUTH): leave the user out of "
                    "the URL, or use the port that takes logins (587)"
                ),
                where=where,
            ) from None
        except ssl.SSLError as exc:
            _quit(smtp)
            raise OutreachError(
                N_(
                    "TLS with the mail server {where} failed ({reason}): check the "
                    "host name and port (STARTTLS on 587, TLS on 465), or trust its certificate "
                    "authority with cafile= in the URL"
                ),
                where=where,
                reason=exc.reason or str(exc),
            ) from None
        except ConnectionRefusedError:
            _quit(smtp)
            raise OutreachError(
                N_(
                    "the mail server {where} refused the connection: is it running, and is "
                    "the port right?"
                ),
                where=where,
            ) from None
        except TimeoutError:
            _quit(smtp)
            raise OutreachError(
                N_(
                    "the mail server {where} did not answer within {seconds:g} s "
                    "(timeout= in the URL)"
                ),
                where=where,
                seconds=s.timeout,
            ) from None
        except socket.gaierror:
            _quit(smtp)
            raise OutreachError(
                N_("the mail server's name {host!r} is not known"), host=s.host
            ) from None
        except (OSError, smtplib.SMTPException) as exc:
            _quit(smtp)
            if isinstance(exc.__context__, TimeoutError):  # smtplib wraps a silent server
                raise OutreachError(
                    N_(
                        "the mail server {where} did not answer within {seconds:g} s "
                        "(timeout= in the URL)"
                    ),
                    where=where,
                    seconds=s.timeout,
                ) from None
            raise OutreachError(
                N_("the mail server {where} cannot be reached: {reason}"),
                where=where,
                reason=str(exc),
            ) from None
        self._smtp = smtp
        self.connections += 1

    def send(self, message: Message) -> None:
        """Hand ``message`` to the server: returns once the server accepted it. A
        connection the server closed since the last message is opened again once;
        a recipient the server refuses is an OutreachError with ``refused`` set."""
        for attempt in (1, 2):
            self.connect()
            assert self._smtp is not None
            try:
                self._smtp.send_message(message)
                return
            except smtplib.SMTPServerDisconnected:
                self._smtp = None
                if attempt == 2:
                    raise OutreachError(
                        N_("the mail server {where} closed the connection twice"),
                        where=str(self.settings),
                    ) from None
            except smtplib.SMTPRecipientsRefused as exc:
                codes = "; ".join(f"{code} {text!r}" for code, text in exc.recipients.values())
                raise RecipientRefused(
                    N_("the mail server refused the address: {codes}"), codes=codes
                ) from None
            except smtplib.SMTPResponseException as exc:
                self._reset()
                if 400 <= exc.smtp_code < 500:
                    raise RecipientRefused(
                        N_("the mail server deferred the message ({code})"), code=exc.smtp_code
                    ) from None
                raise RecipientRefused(
                    N_("the mail server refused the message ({code})"), code=exc.smtp_code
                ) from None
            except (OSError, smtplib.SMTPException) as exc:
                _quit(self._smtp)
                self._smtp = None
                if attempt == 2:
                    raise OutreachError(
                        N_("the mail server {where} failed while sending: {reason}"),
                        where=str(self.settings),
                        reason=str(exc),
                    ) from None

    def _reset(self) -> None:
        try:
            if self._smtp is not None:
                self._smtp.rset()
        except (OSError, smtplib.SMTPException):
            _quit(self._smtp)
            self._smtp = None

    def close(self) -> None:
        _quit(self._smtp)
        self._smtp = None


class RecipientRefused(OutreachError):
    """The server refused or deferred one message (its address, its size): the others
    can still go."""


def _quit(smtp: smtplib.SMTP | None) -> None:
    if smtp is None:
        return
    try:
        smtp.quit()
    except (OSError, smtplib.SMTPException):
        smtp.close()


def reminder_message(
    *,
    to: str,
    sender: str,
    name: str,
    due: date,
    overdue: bool,
    title: str,
    goal_link: str,
    opt_out_link: str,
    key: str,
    ics: bytes | None = None,
    language: str | None = None,
    now: float | None = None,
) -> Message:
    """The reminder of one check-in: to ``to``, greeting ``name`` (as the teacher gave
    it), the due date, the session's ``title``, their "My goal" link and the link that
    stops reminders; ``ics`` (their check-in calendar) attached when given. ``key``
    (participant, due date, channel) makes the Message-ID, the same on every attempt,
    so a mail system that receives a message twice can tell.

    Built with the email package's MIME classes (the quick ones: a run of thousands
    spends its time on the network, not on headers)."""
    t = translator(language)
    when = due.isoformat()
    if overdue:
        subject = t("Your goal check-in was due on {date}").format(date=when)
        lead = t("Your check-in on your goal was due on {date}. It is not too late:").format(
            date=when
        )
    else:
        subject = t("Your goal check-in is due on {date}").format(date=when)
        lead = t("Your next check-in on your goal is due on {date}.").format(date=when)
    session = t("After the session “{title}”.").format(title=title) if title else ""
    ask = t("A few minutes: how far you have come, what you saw, what next.")
    open_text = t("Open My goal")
    stop = t("Stop these reminders")
    calendar = t("Your check-in dates are attached as a calendar file (check-ins.ics).")
    hello = t("Hello {name},").format(name=name) if name else t("Hello,")
    lines = [hello, "", lead, ask, ""]
    if session:
        lines += [session, ""]
    lines += [f"{open_text}: {goal_link}", ""]
    if ics is not None:
        lines += [calendar, ""]
    lines += [f"{stop}: {opt_out_link}", ""]
    plain = "\n".join(lines)
    e = html.escape
    parts = [f"<p>{e(hello)}</p>", f"<p>{e(lead)}<br>{e(ask)}</p>"]
    if session:
        parts.append(f"<p>{e(session)}</p>")
    parts.append(f'<p><a href="{e(goal_link)}"><strong>{e(open_text)}</strong></a></p>')
    if ics is not None:
        parts.append(f"<p>{e(calendar)}</p>")
    parts.append(f'<p style="font-size:small"><a href="{e(opt_out_link)}">{e(stop)}</a></p>')
    rich = '<!DOCTYPE html><html><body style="font-family:sans-serif">' + "".join(parts)
    rich += "</body></html>"

    message = MIMEMultipart("mixed") if ics is not None else MIMEMultipart("alternative")
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = to
    message["Date"] = formatdate(now, localtime=True)
    domain = sender.rpartition("@")[2] or "pdkit.invalid"
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    message["Message-ID"] = f"<{digest}@{domain}>"
    message["List-Unsubscribe"] = f"<{opt_out_link}>"
    message["Auto-Submitted"] = "auto-generated"
    texts = MIMEMultipart("alternative") if ics is not None else message
    texts.attach(_text(plain, "plain"))
    texts.attach(_text(rich, "html"))
    if ics is not None:
        message.attach(texts)
        attached = _text(ics.decode("utf-8"), "calendar")
        attached.set_param("method", "PUBLISH")
        attached.add_header("Content-Disposition", "attachment", filename="check-ins.ics")
        message.attach(attached)
    return message


def _text(body: str, subtype: str) -> MIMENonMultipart:
    """A text part in UTF-8, quoted-printable."""
    part = MIMENonMultipart("text", subtype)
    part.set_payload(body, _UTF8)
    return part
