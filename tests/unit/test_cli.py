"""The `pdkit` command: thin, clear errors, the right Voilà settings."""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

import pdkit
from pdkit.cli import main
from pdkit.serve import ServeConfig, prepare, voila_command


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.startswith("pdkit ")


def test_no_command_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 0
    assert "serve" in capsys.readouterr().out


def test_console_script_is_installed() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pdkit.cli", "serve", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "--store" in done.stdout
    assert "--school-goals" in done.stdout


@pytest.mark.parametrize("command", [["pdkit"], [sys.executable, "-m", "pdkit"]])
def test_the_command_and_python_m_pdkit_print_the_version(command: list[str]) -> None:
    if command == ["pdkit"]:
        command = [str(Path(sys.executable).with_name("pdkit"))]  # the venv's console script
    done = subprocess.run([*command, "--version"], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == f"pdkit {pdkit.__version__}"


def test_serve_missing_path_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["serve", str(tmp_path / "nope"), "--store", str(tmp_path / "s.sqlite3")])
    assert code == 2
    assert "nope: no such workbook or folder" in capsys.readouterr().err


def test_serve_bad_school_goals_names_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    goals = tmp_path / "goals.yaml"
    goals.write_text("goals:\n  - id: a\n    title: A\n  - id: a\n    title: Again\n")
    code = main(["serve", "--school-goals", str(goals), "--store", str(tmp_path / "s.sqlite3")])
    err = capsys.readouterr().err
    assert code == 2
    assert f"{goals}, line 4" in err
    assert "'a' is used twice" in err


def test_serve_bad_store_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["serve", "--store", "mysql://nobody@nowhere/db"]) == 2
    assert "no store backend for mysql://" in capsys.readouterr().err


@pytest.mark.parametrize(
    "where",
    [
        "sqlite:///" + "a" * 5000 + ".db",  # a name longer than the system allows
        "{tmp}/a-file/under-a-file.db",  # a path through a file
        "{tmp}/a-folder",  # a folder, not a store
        "{tmp}/a-pipe.db",  # a FIFO: never waited on
    ],
)
def test_a_store_that_cannot_be_opened_is_a_clear_error_for_every_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], where: str
) -> None:
    (tmp_path / "a-file").write_text("x")
    (tmp_path / "a-folder").mkdir()
    os.mkfifo(tmp_path / "a-pipe.db")
    store = where.format(tmp=tmp_path)
    for command in (["session", "list"], ["session", "create", "--title", "T"]):
        started = time.monotonic()
        assert main([*command, "--store", store]) == 2, command
        err = capsys.readouterr().err
        assert err.startswith("pdkit: error: "), err
        assert "Traceback" not in err
        assert len(err.splitlines()) == 1, err
        assert time.monotonic() - started < 5


def test_serve_unreachable_postgres_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as sock:  # a port where no server listens
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    started = time.monotonic()
    assert main(["serve", "--store", f"postgresql://nobody:pw-secret@127.0.0.1:{port}/db"]) == 2
    err = capsys.readouterr().err
    assert f"cannot connect to the PostgreSQL server 127.0.0.1:{port}/db" in err
    assert "pw-secret" not in err
    assert time.monotonic() - started < 10


def test_prepare_prints_store_and_links_and_sets_kernel_env(tmp_path: Path) -> None:
    out = io.StringIO()
    config = ServeConfig(store=str(tmp_path / "answers.sqlite3"), port=0)
    env = prepare(config, out)
    printed = out.getvalue()
    store_url = f"sqlite:///{(tmp_path / 'answers.sqlite3').resolve()}"
    assert env["PDKIT_STORE"] == store_url
    assert f"answers are saved in {store_url}" in printed
    assert config.port > 0
    assert f"http://127.0.0.1:{config.port}/voila/render/goal-setting.ipynb" in printed
    assert (tmp_path / "answers.sqlite3").exists(), "the store is created before Voilà starts"


@pytest.mark.slow
def test_voilas_server_starts_without_the_slow_iri_grammar() -> None:
    """The server process does not compile rfc3987_syntax's grammar (seconds of CPU at
    each start), and jsonschema's other format checks are still there."""
    script = (
        "import sys, runpy\n"
        "sys.argv = ['voila', '--version']\n"
        "try:\n"
        "    runpy.run_module('pdkit.serve.voila_main', run_name='__main__')\n"
        "except SystemExit:\n"
        "    pass\n"
        "from jsonschema import FormatChecker\n"
        "import jupyter_server.serverapp\n"
        "print(sys.modules.get('rfc3987_syntax') is None, 'iri' in FormatChecker.checkers,"
        " 'uri' in FormatChecker.checkers)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True
    )
    assert out.stdout.split()[-3:] == ["True", "False", "True"], out.stdout + out.stderr


def test_voila_command_is_participant_safe() -> None:
    command = voila_command(ServeConfig(port=9999))
    assert command[1:3] == ["-m", "pdkit.serve.voila_main"]  # Voilà's main (see there)
    assert "--show_tracebacks=False" in command
    assert "--port=9999" in command
    assert any(a.startswith("--MappingKernelManager.cull_idle_timeout=") for a in command)
    assert "--MappingKernelManager.cull_connected=False" in command
    assert "--Voila.ip=127.0.0.1" in command
