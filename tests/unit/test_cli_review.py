"""`pdkit export`, `pdkit review` and `pdkit comment`: the coach's commands, happy paths
and bad input (clear messages, exit codes, never a traceback)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pdkit.cli import main
from pdkit.i18n import translator
from pdkit.notebooks import read_saved
from pdkit.testing import make_cohort

CAPTURE = pytest.CaptureFixture[str]


@pytest.fixture(scope="module")
def store_once(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("store") / "session.sqlite3"
    make_cohort(path).store.close()
    return path


@pytest.fixture
def store(store_once: Path, tmp_path: Path) -> Path:
    """A SQLite store file with the small cohort of test_review (a copy per test)."""
    return Path(shutil.copy(store_once, tmp_path / "session.sqlite3"))


@pytest.fixture(scope="module")
def collected_once(store_once: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What a coach collects: each teacher's goal-setting and reflection workbooks."""
    out = tmp_path_factory.mktemp("collected") / "collected"
    for workbook in ("goal-setting", "reflection"):
        argv = ["export", "--store", str(store_once), "--workbook", workbook, "--out", str(out)]
        argv.append("--include-private")  # teachers' own full copies, as they download them
        assert main(argv) == 0
    return out


@pytest.fixture
def collected(collected_once: Path, tmp_path: Path, capsys: CAPTURE) -> Path:
    capsys.readouterr()
    return Path(shutil.copytree(collected_once, tmp_path / "collected"))


def run(capsys: CAPTURE, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


# --------------------------------------------------------------------------- export


def test_export_writes_one_saved_workbook_per_participant(
    store: Path, tmp_path: Path, capsys: CAPTURE
) -> None:
    out = tmp_path / "out"
    code, said, err = run(
        capsys, "export", "--store", f"sqlite:///{store}", "--workbook", "goal-setting",
        "--out", str(out),
    )  # fmt: skip
    assert code == 0
    assert said == f"pdkit: wrote 3 saved workbooks to {out}\n"
    assert f"reading sqlite:///{store}" in err
    files = sorted(out.glob("goal-setting-*.ipynb"))
    assert len(files) == 3
    names = {read_saved(f.read_bytes()).participant["display_name"] for f in files}
    assert names == {"Ana", "Ben", "Cy"}


def test_export_leaves_private_items_out_unless_asked(
    store: Path, tmp_path: Path, capsys: CAPTURE
) -> None:
    shared, full = tmp_path / "shared", tmp_path / "full"
    args = ["export", "--store", str(store), "--workbook", "reflection"]
    code, _, err = run(capsys, *args, "--out", str(shared))
    assert code == 0
    assert "what teachers kept private is not in them" in err
    assert "I saw silence" not in "".join(f.read_text() for f in shared.glob("*.ipynb"))
    code, _, err = run(capsys, *args, "--out", str(full), "--include-private")
    assert code == 0
    assert "kept private" not in err
    assert "I saw silence" in "".join(f.read_text() for f in full.glob("*.ipynb"))


def test_export_pseudonymous_removes_names_and_ids(
    store: Path, tmp_path: Path, capsys: CAPTURE
) -> None:
    args = ["export", "--store", str(store), "--workbook", "goal-setting", "--pseudonymous"]
    code, _, err = run(capsys, *args, "--out", str(tmp_path / "a"))
    assert code == 0
    assert "pseudonymous" in err
    assert run(capsys, *args, "--out", str(tmp_path / "b"))[0] == 0
    first = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert first == sorted(p.name for p in (tmp_path / "b").iterdir())  # stable
    texts = "".join(p.read_text() for p in (tmp_path / "a").iterdir())
    from pdkit import open_store

    with open_store(store) as opened:
        people = opened.participants()
    for person in people:
        assert person.id not in texts
        assert f'"display_name": "{person.display_name}"' not in texts
    assert "Most students explain their thinking by March" in texts  # shared answers kept


def test_export_of_an_empty_session_says_so(store: Path, tmp_path: Path, capsys: CAPTURE) -> None:
    code, said, err = run(
        capsys, "export", "--store", str(store), "--workbook", "goal-setting",
        "--out", str(tmp_path / "out"), "--session", "spring",
    )  # fmt: skip
    assert code == 0
    assert "no participants in session 'spring'; nothing written" in err
    assert said == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--store", "{tmp}/missing.sqlite3", "--workbook", "goal-setting"], "no store at"),
        (["--store", "mysql://a@b/c", "--workbook", "goal-setting"], "no store backend"),
        (["--store", "{store}", "--workbook", "no-such-workbook"], "no built-in workbook"),
        (["--store", "{store}", "--workbook", "{tmp}/nope.yaml"], "nope.yaml"),
    ],
)
def test_export_bad_input_is_a_clear_error(
    store: Path, tmp_path: Path, capsys: CAPTURE, args: list[str], message: str
) -> None:
    argv = [a.format(tmp=tmp_path, store=store) for a in args]
    code, _, err = run(capsys, "export", *argv, "--out", str(tmp_path / "out"))
    assert code == 2
    assert err.startswith("pdkit: error: ")
    assert message in err
    assert not (tmp_path / "missing.sqlite3").exists(), "export must not create a store"


# --------------------------------------------------------------------------- review


def test_review_writes_a_report_and_prints_counts(
    collected: Path, tmp_path: Path, capsys: CAPTURE
) -> None:
    report = tmp_path / "report" / "cohort.html"
    code, said, err = run(capsys, "review", str(collected), "--out", str(report))
    assert code == 0
    assert "pdkit: read 6 sources, skipped 0: 3 participants, 2 goals, 2 check-ins" in said
    assert f"pdkit: wrote {report}" in said
    assert "warning" not in err
    html = report.read_text(encoding="utf-8")
    assert "Most students explain their thinking by March" in html
    assert "I saw silence" not in html
    assert list(report.parent.glob(".*")) == []  # written through a temporary file


def test_review_in_a_language(collected: Path, tmp_path: Path, capsys: CAPTURE) -> None:
    report = tmp_path / "es.html"
    code, _, _ = run(capsys, "review", str(collected), "--out", str(report), "--language", "es")
    assert code == 0
    html = report.read_text(encoding="utf-8")
    assert '<html lang="es"' in html
    assert f"<title>{translator('es')('Coaching review')}</title>" in html
    assert "Goals not revisited" not in html
    english = tmp_path / "en.html"
    assert run(capsys, "review", str(collected), "--out", str(english))[0] == 0
    assert '<html lang="en"' in english.read_text(encoding="utf-8")
    assert "<title>Coaching review</title>" in english.read_text(encoding="utf-8")


def test_review_include_private_shows_reflections(
    collected: Path, tmp_path: Path, capsys: CAPTURE
) -> None:
    report = tmp_path / "private.html"
    code, said, _ = run(
        capsys, "review", str(collected), "--out", str(report), "--include-private",
        "--title", "Ana & Ben",
    )  # fmt: skip
    assert code == 0
    assert "(with private reflections and notes)" in said
    html = report.read_text(encoding="utf-8")
    assert "I saw silence" in html
    assert "<title>Ana &amp; Ben</title>" in html


def test_review_reads_a_store(store: Path, tmp_path: Path, capsys: CAPTURE) -> None:
    report = tmp_path / "r.html"
    code, said, _ = run(capsys, "review", f"sqlite:///{store}", "--out", str(report))
    assert code == 0
    assert "read 1 source, skipped 0: 3 participants, 2 goals" in said
    assert report.exists()


def test_review_skips_bad_files_warns_at_the_end_and_succeeds(
    collected: Path, tmp_path: Path, capsys: CAPTURE
) -> None:
    (collected / "broken.ipynb").write_text("{")
    (collected / "other.ipynb").write_text(json.dumps({"cells": [], "nbformat": 4}))
    code, said, err = run(capsys, "review", str(collected), "--out", str(tmp_path / "r.html"))
    assert code == 0
    assert "read 6 sources, skipped 2" in said
    warnings = err.strip().splitlines()
    assert len(warnings) == 2
    assert warnings[0].startswith(f"pdkit: warning: {collected / 'broken.ipynb'}: ")
    assert "not a saved pdkit workbook" in warnings[1]


def test_review_with_nothing_readable_fails(tmp_path: Path, capsys: CAPTURE) -> None:
    bad = tmp_path / "bad.ipynb"
    bad.write_text("not json")
    report = tmp_path / "r.html"
    code, said, err = run(capsys, "review", str(bad), str(tmp_path / "gone"), "--out", str(report))
    assert code == 2
    assert "read 0 sources, skipped 2" in said
    assert "pdkit: error: nothing could be read" in err
    assert "bad.ipynb: not a notebook (the JSON is broken" in err
    assert "gone: no such file or folder" in err
    assert not report.exists()


def test_review_bad_options_are_clear_errors(
    collected: Path, tmp_path: Path, capsys: CAPTURE
) -> None:
    goals = tmp_path / "goals.yaml"
    goals.write_text("goals: 3\n")
    code, _, err = run(capsys, "review", str(collected), "--school-goals", str(goals))
    assert code == 2
    assert f"pdkit: error: {goals}" in err
    blocker = tmp_path / "file"
    blocker.write_text("")
    code, _, err = run(capsys, "review", str(collected), "--out", str(blocker / "r.html"))
    assert code == 2
    assert "pdkit: error: cannot write" in err


# --------------------------------------------------------------------------- comment


def test_comment_adds_a_coach_comment(collected: Path, capsys: CAPTURE) -> None:
    notebook = max(collected.glob("*.ipynb"), key=lambda p: p.stat().st_size)
    before = read_saved(notebook.read_bytes())
    code, said, _ = run(
        capsys, "comment", str(notebook), "--coach", "Kim", "--text", "Lovely <b>work</b>"
    )
    assert code == 0
    assert said == f"pdkit: added a comment by Kim to {notebook}\n"
    after = read_saved(notebook.read_bytes())
    assert after.answers == before.answers
    assert [c["text"] for c in after.coach_comments] == ["Lovely <b>work</b>"]


@pytest.mark.parametrize(
    ("content", "text", "message"),
    [
        (None, "Hi", "cannot be read"),
        ("{", "Hi", "not a notebook (the JSON is broken"),
        ('{"cells": [], "nbformat": 4}', "Hi", "not a saved pdkit workbook"),
        ('{"cells": [], "nbformat": 4}', " ", "a coach comment needs some text"),
    ],
)
def test_comment_bad_input_is_a_clear_error(
    tmp_path: Path, capsys: CAPTURE, content: str | None, text: str, message: str
) -> None:
    notebook = tmp_path / "x.ipynb"
    if content is not None:
        notebook.write_text(content)
    code, _, err = run(capsys, "comment", str(notebook), "--coach", "Kim", "--text", text)
    assert code == 2
    assert err.startswith("pdkit: error: ")
    assert message in err
    if content is not None:
        assert notebook.read_text() == content


@pytest.mark.slow  # runs pdkit as a program (make test runs it, make check does not)
def test_the_commands_run_as_a_program_without_traceback(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pdkit.cli", "review", str(tmp_path / "nothing-here")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "nothing could be read" in done.stderr
    done = subprocess.run(
        [sys.executable, "-m", "pdkit.cli", "comment", "--help"], capture_output=True, text=True
    )
    assert done.returncode == 0
    assert "--coach" in done.stdout


def test_progress_is_a_line_every_5_percent_on_a_terminal(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import io

    from pdkit.cli._coaching import Progress as _Progress

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    screen = Terminal()
    monkeypatch.setattr(sys, "stderr", screen)
    progress = _Progress()
    for done in range(1, 1001):
        progress(done, 1000)
    updates = screen.getvalue().split("\r")[1:]
    assert len(updates) == 21  # 0%, 5%, … 100%
    assert updates[-1] == "pdkit: reading 1000/1000 (100%)\n"

    piped = io.StringIO()  # not a terminal: nothing until the counts at the end
    monkeypatch.setattr(sys, "stderr", piped)
    progress = _Progress()
    for done in range(1, 1001):
        progress(done, 1000)
    assert piped.getvalue() == ""
