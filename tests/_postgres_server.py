"""A throw-away PostgreSQL server for the tests: Debian's ``initdb`` and ``pg_ctl``.

The server lives in a temporary folder, listens on a free port of 127.0.0.1 (and on a
unix socket in that folder), trusts every local connection and is stopped with
``pg_ctl stop -m immediate`` when the test session ends. ``initdb`` refuses to run as
root, so as root everything runs as the unprivileged ``postgres`` user (which Debian's
``postgresql`` package creates) through ``runuser``.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SUPERUSER = "pdkit_test"
SHARED_DB = "pdkit_tests"
"""The database whose schemas the contract tests get, one new schema per test."""


def find_postgres_bin() -> Path | None:
    """The newest ``/usr/lib/postgresql/<version>/bin`` holding initdb and pg_ctl (or $PATH's)."""
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
        reverse=True,
    )
    for candidate in candidates:
        if (candidate / "initdb").is_file() and (candidate / "pg_ctl").is_file():
            return candidate
    on_path = shutil.which("initdb")
    if on_path and shutil.which("pg_ctl"):
        return Path(on_path).parent
    return None


def unprivileged_user() -> str | None:
    """Who runs the server: "" (ourselves) when we are not root, else ``postgres``
    (or ``nobody``); None when we are root and neither user exists."""
    if os.geteuid() != 0:
        return ""
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            pwd.getpwnam(name)
            return name
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class PostgresServer:
    """A running throw-away server; ``url(db)`` is how a store reaches it."""

    bin_dir: Path
    base: Path
    user: str
    port: int = 0
    host: str = "127.0.0.1"
    _admins: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def data_dir(self) -> Path:
        return self.base / "data"

    @property
    def socket_dir(self) -> Path:
        return self.base / "sock"

    @property
    def log_path(self) -> Path:
        return self.base / "server.log"

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-4000:]
        except OSError:
            return "(no log)"

    def url(
        self, dbname: str = "postgres", *, schema: str | None = None, password: str | None = None
    ) -> str:
        """A URL of ``dbname``; with ``schema``, one whose tables go into that schema."""
        auth = SUPERUSER if password is None else f"{SUPERUSER}:{password}"
        query = f"?options=-csearch_path%3D{schema}" if schema else ""
        return f"postgresql://{auth}@{self.host}:{self.port}/{dbname}{query}"

    def _run(self, *args: str, timeout: float = 60) -> None:
        command = [str(self.bin_dir / args[0]), *args[1:]]
        if self.user:
            command = ["runuser", "-u", self.user, "--", *command]
        done = subprocess.run(
            command, cwd=self.base, capture_output=True, text=True, timeout=timeout, check=False
        )
        if done.returncode != 0:
            raise RuntimeError(
                f"{' '.join(args[:1])} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}\n"
                f"server log:\n{self.log()}"
            )

    # ------------------------------------------------------------------ life cycle

    def init(self) -> None:
        self.socket_dir.mkdir()
        if self.user:
            entry = pwd.getpwnam(self.user)
            for path in (self.base, self.socket_dir):
                os.chown(path, entry.pw_uid, entry.pw_gid)
        self._run(
            "initdb",
            "-D",
            str(self.data_dir),
            "-U",
            SUPERUSER,
            "--auth=trust",
            "--encoding=UTF8",
            "--no-locale",
            "--no-sync",
        )

    def start(self) -> None:
        if not self.port:
            self.port = _free_port()
        options = " ".join(
            [
                "-c listen_addresses=127.0.0.1",
                f"-c port={self.port}",
                f"-c unix_socket_directories={self.socket_dir}",
                "-c fsync=off",  # a crash of the machine is not what these tests are about
                "-c full_page_writes=off",
                "-c max_connections=60",
                "-c shared_buffers=16MB",
            ]
        )
        self._run(
            "pg_ctl",
            "start",
            "-w",
            "-t",
            "60",
            "-D",
            str(self.data_dir),
            "-l",
            str(self.log_path),
            "-o",
            options,
        )

    def stop(self) -> None:
        self.close_admin()
        if (self.data_dir / "postmaster.pid").exists():
            self._run("pg_ctl", "stop", "-m", "immediate", "-w", "-D", str(self.data_dir))

    def restart(self) -> None:
        """Stop the server the hard way (as a crash would) and start it again, same port."""
        self.stop()
        self.start()

    # ------------------------------------------------------------------ databases

    def admin(self, dbname: str = "postgres") -> Any:
        """An autocommit superuser connection to ``dbname`` (kept open, made anew if lost)."""
        import psycopg

        conn = self._admins.get(dbname)
        if conn is None or conn.closed:
            conn = psycopg.connect(self.url(dbname), autocommit=True, connect_timeout=10)
            self._admins[dbname] = conn
        return conn

    def close_admin(self) -> None:
        for conn in self._admins.values():
            conn.close()
        self._admins.clear()

    def create_database(self) -> str:
        """A new, empty database (about 0.2 s: it copies template1)."""
        name = f"t_{uuid.uuid4().hex[:12]}"
        self.admin().execute(f'CREATE DATABASE "{name}"')
        return name

    def drop_database(self, name: str) -> None:
        self.admin().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def create_schema(self) -> str:
        """A new, empty schema in the shared test database (about a millisecond)."""
        name = f"t_{uuid.uuid4().hex[:12]}"
        self.admin(SHARED_DB).execute(f'CREATE SCHEMA "{name}"')
        return name

    def drop_schema(self, name: str) -> None:
        self.admin(SHARED_DB).execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')


@contextmanager
def throwaway_postgres(bin_dir: Path, user: str) -> Iterator[PostgresServer]:
    """Start a fresh server in a temporary folder; stop it and remove the folder at the end."""
    # Not under pytest's tmp_path: that folder is private to root, the server's user
    # could not enter it.
    base = Path(tempfile.mkdtemp(prefix="pdkit-pg-"))
    server = PostgresServer(bin_dir=bin_dir, base=base, user=user)

    def stop() -> None:
        with contextlib.suppress(Exception):
            server.stop()
        shutil.rmtree(base, ignore_errors=True)

    atexit.register(stop)  # in case the session is torn down the hard way
    try:
        server.init()
        for attempt in range(3):  # the free port may be taken before the server binds it
            try:
                server.start()
                break
            except RuntimeError:
                if attempt == 2:
                    raise
                server.port = 0
        server.admin().execute(f'CREATE DATABASE "{SHARED_DB}"')
        yield server
    finally:
        stop()
        atexit.unregister(stop)
