"""`pdkit serve` checks everything it will serve before Voilà starts: every notebook, the
workbook each runs with the definitions it refers to, the school goals and the store;
every problem is listed at once and nothing starts."""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml

import pdkit.serve._voila
from _servers import _alive, _descendants, free_port, kernel_ids
from pdkit.cli import main
from pdkit.errors import PdkitError
from pdkit.serve import ServeConfig, prepare
from pdkit.serve._checks import check_notebooks, read_notebook, served_notebooks

TEMPLATES = Path(str(resources.files("pdkit").joinpath("templates")))

WORKBOOK = """\
kind: workbook
id: district-cycle
schema_version: 1
title: District goal cycle
sections:
  - text: Start with your goal.
  - form: goal-setting
  - reflection: gibbs
"""


@dataclass
class District:
    root: Path
    templates: Path
    workbooks: Path

    @property
    def workbook(self) -> Path:
        return self.templates / "district-cycle.yaml"

    @property
    def form(self) -> Path:
        return self.templates / "goal-setting.yaml"


@pytest.fixture
def district(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> District:
    """A district's folder as the README describes it: its own copy of the goal form and
    a workbook in templates/, built with `pdkit build` into workbooks/."""
    monkeypatch.chdir(tmp_path)
    for name in ("PDKIT_STORE", "PDKIT_SCHOOL_GOALS", "PDKIT_FACILITATOR_KEY"):
        monkeypatch.delenv(name, raising=False)
    templates = tmp_path / "district" / "templates"
    templates.mkdir(parents=True)
    shutil.copy(TEMPLATES / "goal-setting.yaml", templates)
    (templates / "district-cycle.yaml").write_text(WORKBOOK, encoding="utf-8")
    workbooks = tmp_path / "district" / "workbooks"
    assert main(["build", str(templates), "--out", str(workbooks)]) == 0
    return District(tmp_path / "district", templates, workbooks)


@pytest.fixture
def no_voila(monkeypatch: pytest.MonkeyPatch) -> None:
    """Starting Voilà fails the test: a refused serve must start nothing."""

    def refuse(*args: Any, **kwargs: Any) -> None:
        pytest.fail(f"Voilà was started: {args}")

    monkeypatch.setattr(pdkit.serve._voila.subprocess, "Popen", refuse)


def serve(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["serve", *argv, "--port", "0", "--pool", "0"])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def break_yaml(path: Path, change: Any) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


def line_of(path: Path, text: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if text in line)


def test_broken_definitions_are_all_listed_and_nothing_starts(
    district: District, capsys: pytest.CaptureFixture[str], no_voila: None, tmp_path: Path
) -> None:
    district.workbook.write_text(
        WORKBOOK.replace("title: District goal cycle", "title: 5\ncolour: blue"),
        encoding="utf-8",
    )

    def two_mistakes(data: dict[str, Any]) -> None:
        data["fields"][0]["type"] = "txt"
        data["fields"][1]["required"] = "maybe"

    break_yaml(district.form, two_mistakes)
    code, out, err = serve(capsys, str(district.workbooks), "--store", str(tmp_path / "s.db"))
    assert code == 2
    workbook = "district/templates/district-cycle.yaml"
    form = "district/templates/goal-setting.yaml"
    expected = [
        f"{workbook}, line 4: title: 5 should be a text",
        f"{workbook}, line 5: unknown key 'colour'",
        f"{form}, line {line_of(district.form, 'txt')}: fields[0].type: 'txt' is not one of",
        f"{form}, line {line_of(district.form, 'maybe')}: fields[1].required: 'maybe' should be",
    ]
    lines = err.splitlines()
    for wanted in expected:
        assert sum(line.startswith(wanted) for line in lines) == 1, (wanted, err)
    assert "pdkit: error: 4 problems in what pdkit serve would serve" in err
    assert "nothing was started" in err
    assert "answers are saved" not in out  # no links printed for a server that is not there


def test_a_good_district_folder_is_ready_to_serve(district: District, tmp_path: Path) -> None:
    out = io.StringIO()
    config = ServeConfig(path=district.workbooks, store=str(tmp_path / "s.db"), port=0)
    prepare(config, out)
    assert "district-cycle: http://127.0.0.1:" in out.getvalue()
    assert "not a pdkit workbook" not in out.getvalue()


def test_a_section_the_workbook_lost_since_it_was_built(
    district: District, capsys: pytest.CaptureFixture[str], no_voila: None, tmp_path: Path
) -> None:
    district.workbook.write_text(WORKBOOK.replace("  - reflection: gibbs\n", ""), "utf-8")
    code, _, err = serve(capsys, str(district.workbooks), "--store", str(tmp_path / "s.db"))
    assert code == 2
    assert (
        "district/workbooks/district-cycle.ipynb: a cell shows workbook.section(2), but "
        "district/templates/district-cycle.yaml has 2 sections: build the notebook again "
        "with pdkit build"
    ) in err


def notebook(folder: Path, name: str, *sources: str, pdkit: bool = False) -> Path:
    cells = [
        {"cell_type": "code", "execution_count": None, "id": f"c{i}", "metadata": {},
         "outputs": [], "source": source}
        for i, source in enumerate(sources)
    ]  # fmt: skip
    metadata: dict[str, Any] = {"pdkit": {"workbook": "x"}} if pdkit else {}
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps({"cells": cells, "metadata": metadata, "nbformat": 4, "nbformat_minor": 5}),
        encoding="utf-8",
    )
    return path


def test_what_a_notebook_runs_is_read_from_its_cells(tmp_path: Path) -> None:
    path = notebook(
        tmp_path,
        "a.ipynb",
        '%matplotlib inline\nfrom pdkit.app import Workbook\nworkbook = Workbook("mine.yaml")',
        "workbook.section(3)  # form: x",
        'import pdkit.app\npdkit.app.form_app(definition="exit-ticket", store=None)',
        'reflection_app(("gibbs", "local.yaml"))',
        "Workbook(some_path)",
        "protocol_app()",
    )
    run = read_notebook(path)
    assert run.calls == [
        ("workbook", ["mine.yaml"]),
        ("form", ["exit-ticket"]),
        ("reflection", ["gibbs", "local.yaml"]),
    ]
    assert run.sections == [3]
    assert run.unreadable == ["Workbook(…)"]
    assert run.other_apps


def test_every_notebook_is_checked_and_others_are_served_as_they_are(tmp_path: Path) -> None:
    folder = tmp_path / "room"
    notebook(folder, "notes.ipynb", "print('hello')")
    notebook(folder, "reflect.ipynb", "from pdkit.app import reflection_app\nreflection_app()")
    notebook(folder, "unknown.ipynb", 'Workbook("goal-seting")')
    notebook(folder, "sub/form.ipynb", 'form_app("missing.yaml")')
    notebook(folder, "emptied.ipynb", "print(1)", pdkit=True)
    notebook(folder, "runs.ipynb", "Workbook(path)")
    notebook(folder, ".ipynb_checkpoints/old.ipynb", 'Workbook("nope")')  # not served
    (folder / "broken.ipynb").write_text("{not json", encoding="utf-8")
    served = served_notebooks(folder)
    assert [p.relative_to(folder).as_posix() for p in served] == [
        "broken.ipynb",
        "emptied.ipynb",
        "notes.ipynb",
        "reflect.ipynb",
        "runs.ipynb",
        "sub/form.ipynb",
        "unknown.ipynb",
    ]
    problems, notices = check_notebooks(served)
    said = [str(p).replace(str(folder) + "/", "") for p in problems]
    assert said[0].startswith("broken.ipynb: cannot be read as a notebook")
    assert said[1].startswith("emptied.ipynb: a pdkit workbook notebook whose code cells make no")
    assert said[2].startswith("sub/missing.yaml: file not found")
    assert said[3].startswith(
        "unknown.ipynb: Workbook('goal-seting'): no such file, and no built-in workbook has this id"
    )
    assert len(said) == 4
    assert [n.replace(str(folder) + "/", "") for n in notices] == [
        "notes.ipynb is not a pdkit workbook: served as it is",
        "runs.ipynb: Workbook(…) does not name its definition as text: not checked",
    ]


def test_school_goals_and_store_problems_are_listed_with_the_rest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], no_voila: None
) -> None:
    goals = tmp_path / "goals.yaml"
    goals.write_text("goals:\n  - id: talk\n", encoding="utf-8")
    not_a_store = tmp_path / "store.sqlite3"
    not_a_store.write_bytes(b"this is no database" * 100)
    folder = tmp_path / "room"
    notebook(folder, "a.ipynb", 'Workbook("nope")')
    code, _, err = serve(
        capsys, str(folder), "--store", str(not_a_store), "--school-goals", str(goals)
    )
    assert code == 2
    assert "a.ipynb: Workbook('nope'): no such file" in err
    assert f"{goals}, line 2: goals[0]: missing or empty 'title'" in err
    assert f"cannot open the store {str(not_a_store)!r}" in err
    assert "3 problems in what pdkit serve would serve" in err


def test_the_shipped_workbooks_have_no_problems() -> None:
    from pdkit.serve import builtin_workbooks_dir

    assert check_notebooks(served_notebooks(builtin_workbooks_dir())) == ([], [])


def test_a_refused_serve_raises_for_library_callers(tmp_path: Path) -> None:
    folder = tmp_path / "room"
    notebook(folder, "a.ipynb", 'Workbook("nope")')
    err = io.StringIO()
    with pytest.raises(PdkitError, match=r"1 problem in what pdkit serve would serve"):
        prepare(ServeConfig(path=folder, store=str(tmp_path / "s.db")), io.StringIO(), err)
    assert "Workbook('nope')" in err.getvalue()


# --------------------------------------------------------------------------- a real start


@pytest.mark.slow
@pytest.mark.parametrize("who", ["terminal", "leader"])
def test_a_district_folder_is_served_and_ctrl_c_stops_it_cleanly(
    district: District, tmp_path: Path, who: str
) -> None:
    """Ctrl+C in a terminal signals the whole foreground group, `kill -INT` only the
    leader: either way the kernels stop, the exit code is 0 and no traceback is printed
    (the terminal's case printed a KeyboardInterrupt traceback and exited 254)."""
    port = free_port()
    log_path = tmp_path / "serve.log"
    command = [
        sys.executable, "-m", "pdkit", "serve", str(district.workbooks),
        "--store", str(tmp_path / "s.db"), "--port", str(port),
        "--pool", "district-cycle=1",
    ]  # fmt: skip
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            command,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    below: list[int] = []
    try:
        deadline = time.monotonic() + 90
        while not kernel_ids(proc.pid):  # the pre-heated kernel
            assert proc.poll() is None, log_path.read_text()
            assert time.monotonic() < deadline, log_path.read_text()
            time.sleep(0.25)
        url = f"http://127.0.0.1:{port}/voila/render/district-cycle.ipynb"
        with urllib.request.urlopen(url, timeout=60) as response:
            page = response.read().decode()
        assert response.status == 200
        assert "District goal cycle" in page
        below = _descendants(proc.pid)
        assert len(kernel_ids(proc.pid)) >= 1
        if who == "terminal":
            os.killpg(proc.pid, signal.SIGINT)
        else:
            os.kill(proc.pid, signal.SIGINT)
        code = proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        for pid in below:
            with contextlib.suppress(ProcessLookupError):
                if _alive(pid):
                    os.kill(pid, signal.SIGKILL)
    printed = log_path.read_text(errors="replace")
    assert code == 0, printed
    assert "Traceback" not in printed
    assert printed.count("pdkit: stopping") == 1
    assert [pid for pid in below if _alive(pid)] == [], "kernels outlived the server"


def test_the_printed_links_say_which_pages_open_with_a_personal_link() -> None:
    from pdkit.serve._config import ServeConfig

    links = dict(ServeConfig(port=8866, facilitator_key="k").urls())
    assert links["my-goal (each teacher's home: their personal link opens it)"].endswith(
        "/voila/render/my-goal.ipynb"
    )
    assert links["coach (each coach opens it with their own coach's link)"].endswith(
        "/voila/render/coach.ipynb"
    )
    assert links["goal-setting"] == "http://127.0.0.1:8866/voila/render/goal-setting.ipynb"
    assert links["day"] == "http://127.0.0.1:8866/voila/render/day.ipynb"  # the agenda's page
    names = [name for name, _link in ServeConfig(port=8866, facilitator_key="k").urls()]
    facilitator = names.index("facilitator (keep this link to yourself)")
    room = "room (the room display, for the projector: it carries your key too)"
    assert names[facilitator + 1] == room  # beside the facilitator's, with the key
    assert links[room] == "http://127.0.0.1:8866/voila/render/room.ipynb?key=k"
