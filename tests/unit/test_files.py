"""Reading a file someone handed pdkit: only a regular file, within a limit, never
waiting on a pipe (:mod:`pdkit._files`), and what ``pdkit validate`` says of the rest."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from pdkit._files import FileRefused, read_bounded
from pdkit.cli import main


def _odd_files(folder: Path) -> dict[str, str]:
    """Paths that are not regular files, or too large; and what each should be called."""
    os.mkfifo(folder / "pipe.yaml")
    (folder / "zero.yaml").symlink_to("/dev/zero")
    (folder / "folder.yaml").mkdir()
    (folder / "loop1.yaml").symlink_to("loop2.yaml")
    (folder / "loop2.yaml").symlink_to("loop1.yaml")
    with (folder / "sparse.yaml").open("wb") as stream:
        stream.truncate(3 * 2**30)  # 3 GiB of nothing, read from no disk
    return {
        "pipe.yaml": "not a file",
        "zero.yaml": "not a file",
        "folder.yaml": "it is a folder",
        "loop1.yaml": "symbolic links",
        "loop2.yaml": "symbolic links",
        "sparse.yaml": "3072.0 MiB",
    }


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("pipe.yaml", "not-a-file"),
        ("zero.yaml", "not-a-file"),
        ("folder.yaml", "unreadable"),
        ("loop1.yaml", "unreadable"),
        ("sparse.yaml", "too-large"),
        ("absent.yaml", "missing"),
    ],
)
def test_only_a_regular_file_within_the_limit_is_read(tmp_path: Path, name: str, kind: str) -> None:
    _odd_files(tmp_path)
    started = time.perf_counter()
    with pytest.raises(FileRefused) as refused:
        read_bounded(tmp_path / name, 1024)
    assert refused.value.kind == kind
    assert time.perf_counter() - started < 1.0  # a pipe is not waited on


def test_a_file_that_grows_while_it_is_read_is_refused_at_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "growing.yaml"
    path.write_bytes(b"x" * 100)
    stop = threading.Event()

    def grow() -> None:
        with path.open("ab") as stream:
            while not stop.is_set():
                stream.write(b"y" * 4096)
                stream.flush()

    writer = threading.Thread(target=grow)
    writer.start()
    try:
        time.sleep(0.05)
        with pytest.raises(FileRefused) as refused:
            read_bounded(path, 64 * 1024)
        assert refused.value.kind == "too-large"
    finally:
        stop.set()
        writer.join()


def test_a_regular_file_is_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "ok.yaml"
    path.write_bytes(b"a" * 1024)
    assert read_bounded(path, 1024) == b"a" * 1024


def test_validate_names_every_odd_file_in_a_folder_and_waits_on_none(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    expected = _odd_files(tmp_path)
    started = time.perf_counter()
    assert main(["validate", str(tmp_path)]) == 1
    assert time.perf_counter() - started < 2.0
    out = capsys.readouterr()
    said = out.out + out.err
    for name, words in expected.items():
        (line,) = [line for line in said.splitlines() if line.startswith(str(tmp_path / name))]
        assert words in line, line
        assert "cannot be read: cannot be read" not in line
    assert len(expected) > 1
    assert f"{len(expected)} problems" in said
