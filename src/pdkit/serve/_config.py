"""What ``pdkit serve`` is asked to do: the workbooks, the store, the room's size and the
kernels' limits (:class:`ServeConfig`), with the defaults a room needs."""

from __future__ import annotations

import contextlib
import ipaddress
import itertools
import resource
import secrets
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from urllib.parse import quote

from ..errors import PdkitError, Said
from ..i18n import N_, terminal_words
from ..links import render_url

__all__ = [
    "DEFAULT_POOLS",
    "KERNEL_MB",
    "KEY_MIN_LENGTH",
    "KEY_MIN_VARIETY",
    "SOCKETS_PER_KERNEL",
    "ServeConfig",
    "builtin_workbooks_dir",
    "default_max_kernels",
    "free_port",
    "key_weakness",
    "plain_http_warning",
    "raise_file_limit",
    "random_key",
    "tls_context",
    "zmq_socket_budget",
]

PROXY_DOC = "docs/serving-a-room.md"
"""Where the README's reverse-proxy way (Caddy) is written down."""

DEFAULT_POOLS = {"goal-setting": 2}
"""Pre-heated kernels per workbook when ``--pool`` is not given."""

KERNEL_MB = 60
"""Memory to allow per participant (server share and kernel), for ``max_kernels``."""


SOCKETS_PER_KERNEL = 12
"""ZeroMQ sockets the server holds for one kernel, with room to spare: about 2 while it
waits pre-heated and 4 more once a page is connected (its three channels, the activity
watcher; jupyter_server's connection opened four and two for each question before it
relayed), as the server's open files counted with 20 pages connected (8 to 11 files a page
then; tests/unit/test_connection.py counts 7 for a page's connection now)."""

FILES_PER_SOCKET = 2
"""Open files a ZeroMQ socket takes in the server process (its signal, its connection)."""


def file_limit() -> int:
    """The open files the server process may have: the hard limit, which
    :func:`raise_file_limit` makes its own (a large number where there is none)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    return 1 << 20 if hard == resource.RLIM_INFINITY else max(soft, hard)


def raise_file_limit() -> None:
    """Raise this process's soft limit of open files to its hard limit (many systems start
    processes at 1,024, which a room of 100 pages exceeds)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < file_limit():
        with contextlib.suppress(ValueError, OSError):  # then the soft limit stays
            resource.setrlimit(resource.RLIMIT_NOFILE, (file_limit(), hard))


def zmq_socket_budget() -> int:
    """ZeroMQ sockets the server's kernel connections may use: what its open files allow.
    (ZeroMQ's own default is 1,023 a process: 70 of 300 pages arriving at once got a
    kernel, the others "Too many open files".)"""
    return max(file_limit() // FILES_PER_SOCKET, 1023)


def default_max_kernels(reserve_mb: int = 2048) -> int:
    """How many kernels this machine's memory holds at :data:`KERNEL_MB` each, keeping
    ``reserve_mb`` for everything else, and never more than the server's connections
    allow (:func:`zmq_socket_budget`; 0 when the memory cannot be read)."""
    try:
        lines = Path("/proc/meminfo").read_text(encoding="ascii").splitlines()
        total_kb = next(int(line.split()[1]) for line in lines if line.startswith("MemTotal"))
    except (OSError, StopIteration, ValueError, IndexError):
        return 0
    memory = max((total_kb // 1024 - reserve_mb) // KERNEL_MB, 10)
    return min(memory, zmq_socket_budget() // SOCKETS_PER_KERNEL)


KEY_MIN_LENGTH = 16
"""Characters a facilitator key needs at least."""

KEY_MIN_VARIETY = 10
"""Different characters a facilitator key needs at least."""

MAKE_A_KEY = 'python -c "import secrets; print(secrets.token_urlsafe(16))"'
"""A command that prints a good key."""


def key_weakness(key: str) -> Said | None:
    """Why ``key`` is too weak to guard a facilitator's dashboard, said inside the
    refusal's message in its language (None: it is not weak).

    A key is weak when it is short, uses few different characters, or is mostly runs
    (``aaaa``, ``abcd``, ``4321``). Random keys (what ``pdkit serve`` makes, or
    :data:`MAKE_A_KEY`) are never weak; a passphrase of a few words rarely is.
    """
    if len(key) < KEY_MIN_LENGTH:
        return Said(
            N_("it has {length} characters; a key needs at least {least}"),
            length=len(key),
            least=KEY_MIN_LENGTH,
        )
    variety = len(set(key))
    if variety < KEY_MIN_VARIETY:
        return Said(
            N_("it uses only {variety} different characters; a key needs at least {least}"),
            variety=variety,
            least=KEY_MIN_VARIETY,
        )
    steps = [ord(b) - ord(a) for a, b in itertools.pairwise(key)]
    if 2 * sum(abs(step) <= 1 for step in steps) > len(steps):
        return Said(
            N_("it is mostly repeated or consecutive characters (such as aaaa, abcd or 1234)")
        )
    return None


def random_key() -> str:
    """A random facilitator key (128 bits, URL-safe), never a weak one."""
    while True:
        key = secrets.token_urlsafe(16)
        if key_weakness(key) is None:
            return key


def builtin_workbooks_dir() -> Path:
    """The workbooks installed with pdkit."""
    return Path(str(resources.files("pdkit").joinpath("workbooks")))


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def port_problem(host: str, port: int) -> str | None:
    """Why ``port`` on ``host`` cannot be served on (taken, not allowed), or None."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server binds
        try:
            sock.bind((host, port))
        except OSError as exc:
            return exc.strerror or str(exc)
    return None


@dataclass
class ServeConfig:
    """Everything ``pdkit serve`` needs; the CLI fills it from its flags."""

    path: Path = field(default_factory=builtin_workbooks_dir)
    store: str | None = None
    school_goals: Path | None = None
    look_fors: Path | None = None
    """A district's look-fors for the observation page (``kind: look-fors`` YAML)."""
    pathways: Path | None = None
    """A district's pathways for "My goal" (a folder of ``kind: pathway`` YAML)."""
    micro_credentials: Path | None = None
    """A folder of the district's micro-credentials (``kind: micro-credential`` YAML)."""
    issuer_name: str = ""
    """The district's name in the credentials it issues (with ``issuer_url``)."""
    issuer_url: str = ""
    """The district's web address: the issuer's id in its credentials."""
    issuer_email: str = ""
    credential_key: Path | None = None
    """The private key credentials are signed with (``pdkit credential keygen``)."""
    host: str = "127.0.0.1"
    port: int = 0
    cull_idle_timeout: int = 6
    cull_interval: int = 2
    open_browser: bool = False
    facilitator_key: str = ""
    template: str = "pdkit"
    pools: dict[str, int] = field(default_factory=dict)
    """Pre-heated kernels per workbook (notebook name without ``.ipynb``)."""
    fill_delay: float = 30.0
    connect_grace: int = 120
    max_kernels: int = 0
    iopub_timeout: int = 120
    remind: bool = False
    """Send the check-in reminders due, at start and every ``remind_every`` seconds."""
    smtp: str | None = None
    """The mail server's URL for reminders (None: ``$PDKIT_SMTP_URL``)."""
    base_url: str = ""
    """The address teachers open the workbooks at, for reminders' links (default: the
    host and port served on)."""
    remind_every: float = 3600.0
    remind_rate: float = 10.0
    certfile: Path | None = None
    """The server's TLS certificate (PEM, the chain after it): serve HTTPS."""
    keyfile: Path | None = None
    """The certificate's private key (PEM; None: it is in ``certfile``)."""

    @property
    def scheme(self) -> str:
        """``https`` with a certificate, else ``http``."""
        return "https" if self.certfile else "http"

    def reminder_base_url(self) -> str:
        """The address in reminders' links."""
        return self.base_url or f"{self.scheme}://{self.host}:{self.port}"

    def pool_config(self) -> dict[str, dict[str, int]]:
        """Voilà's ``kernel_pools_config``: the pools asked for, none for the rest."""
        found = {nb.stem: nb for nb in self._notebooks()}
        config: dict[str, dict[str, int]] = {"default": {"pool_size": 0}}
        for name, size in self.pools.items():
            if size <= 0:
                continue
            if name not in found:
                raise PdkitError(
                    N_("--pool {name}={size}: no workbook {name!r} here (workbooks: {known})")
                    if found
                    else N_("--pool {name}={size}: no workbook {name!r} here (workbooks: none)"),
                    name=name,
                    size=size,
                    known=", ".join(sorted(found)),
                )
            relative = (
                found[name].name
                if self.path.is_file()
                else found[name].relative_to(self.path).as_posix()
            )
            config[relative] = {"pool_size": size}
        return config

    def _notebooks(self) -> list[Path]:
        return [self.path] if self.path.is_file() else sorted(self.path.glob("*.ipynb"))

    def urls(self) -> list[tuple[str, str]]:
        """(what, URL) pairs to print: one per workbook; the facilitator's carries the key.
        What is said beside a workbook's name is in the terminal's language."""
        t, _tn = terminal_words()
        base = f"{self.scheme}://{self.host}:{self.port}"
        if self.path.is_file():
            return [(self.path.stem, f"{base}/")]
        links = []
        # in name order, the room display's link just after the facilitator's
        beside = {"room": "facilitator\x00room"}
        for nb in sorted(self.path.glob("*.ipynb"), key=lambda nb: beside.get(nb.stem, nb.stem)):
            name = nb.relative_to(self.path).as_posix()
            if nb.stem in _KEYED:
                link = render_url(base, name, f"key={quote(self.facilitator_key, safe='')}")
                links.append((f"{nb.stem} ({t(_KEYED[nb.stem])})", link))
            elif nb.stem in _PERSONAL:
                links.append((f"{nb.stem} ({t(_PERSONAL[nb.stem])})", render_url(base, name)))
            else:
                links.append((nb.stem, render_url(base, name)))
        return links


_KEYED = {
    "facilitator": N_("keep this link to yourself"),
    "room": N_("the room display, for the projector: it carries your key too"),
}
"""Workbooks opened with the facilitator's key (in their printed link), and what to say
beside their address (pdkit's words, translated where printed)."""

_PERSONAL = {
    "my-goal": N_("each teacher's home: their personal link opens it"),
    "coach": N_("each coach opens it with their own coach's link"),
    "observe": N_("a coach, or a colleague a teacher invited, opens it with their own link"),
    "credentials": N_(
        "micro-credentials: teachers and their assessors open it with their own link"
    ),
}
"""Workbooks opened with a personal link: what to say beside their address (pdkit's
words, translated where printed)."""


def tls_context(certfile: str, keyfile: str | None = None) -> ssl.SSLContext:
    """A server's TLS context with this certificate (chain) and key; ``ssl.SSLError`` or
    ``OSError`` when they cannot be read or do not match."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certfile, keyfile or None)
    return context


def plain_http_warning(
    host: str, tls: bool, t: Callable[[str], str] = lambda text: text
) -> str | None:
    """The warning for serving plain HTTP beyond this machine (None: loopback, or TLS),
    in the words of ``t`` (a translator)."""
    if tls or _loopback(host):
        return None
    return t(
        "pdkit: warning: serving plain HTTP on {host}: personal links and the facilitator "
        "key travel readable on this network. Use --certfile/--keyfile, or a reverse proxy "
        "such as Caddy that gets certificates by itself: {guide}"
    ).format(host=host, guide=PROXY_DOC)


def _loopback(host: str) -> bool:
    if host.strip().lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a name: it may well be reached from elsewhere
