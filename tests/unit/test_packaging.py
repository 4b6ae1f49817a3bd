"""pdkit works installed from a wheel, outside the repository; its API is small and deliberate."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import pdkit

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--quiet",
            "-w",
            str(out),
            str(REPO),
        ],
        check=True,
    )
    [built] = out.glob("jupyter_pdkit-*.whl")
    return built


@pytest.mark.slow  # builds a wheel (make test runs it, make check does not)
def test_wheel_ships_definitions_workbooks_and_assets(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in (
        "pdkit/templates/goal-setting.yaml",
        "pdkit/templates/school-goals.yaml",
        "pdkit/workbooks/goal-setting.ipynb",
        "pdkit/definitions/schemas/definitions.schema.json",
        "pdkit/jupyter/voila/templates/pdkit/pdkit.css",
        "pdkit/py.typed",
        "pdkit/templates/workbooks/goal-setting.yaml",
        "pdkit/templates/tuning.yaml",
        "pdkit/workbooks/facilitator.ipynb",
        "pdkit/jupyter/voila/templates/pdkit/index.html.j2",
        "pdkit/jupyter/voila/templates/pdkit/conf.json",
        "pdkit/report/templates/report.html.j2",
        "pdkit/report/templates/_teacher.html.j2",
        "pdkit/notebooks/templates/printable.html.j2",
        "pdkit/widgets/js/identity.js",
        "pdkit/widgets/js/countdown.js",
        # pdkit's own words: the catalogs, compiled in the build (git ignores the .mo)
        "pdkit/locale/pdkit.pot",
        "pdkit/locale/es/LC_MESSAGES/pdkit.po",
        "pdkit/locale/es/LC_MESSAGES/pdkit.mo",
        "pdkit/locale/fr/LC_MESSAGES/pdkit.po",
        "pdkit/locale/fr/LC_MESSAGES/pdkit.mo",
    ):
        assert needed in names, f"{needed} is missing from the wheel"
    # The Voilà template also lands in <prefix>/share/jupyter, where any Voilà finds it.
    shared = "share/jupyter/voila/templates/pdkit/index.html.j2"
    assert any(n.endswith(".data/data/" + shared) for n in names), "template not in shared data"
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "pdkit = pdkit.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()
    metadata = next(n for n in names if n.endswith(".dist-info/METADATA"))
    lines = zipfile.ZipFile(wheel).read(metadata).decode().splitlines()
    assert "Name: jupyter-pdkit" in lines  # "pdkit" on PyPI is another project


@pytest.mark.slow
def test_installed_wheel_works_outside_the_repository(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--quiet",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
    )
    script = (
        "import pdkit, pdkit.serve, pdkit.app, pdkit.definitions\n"
        "d = pdkit.load_definition('goal-setting')\n"
        "goals = pdkit.definitions.default_school_goals()\n"
        "nbs = sorted(p.name for p in pdkit.serve.builtin_workbooks_dir().glob('*.ipynb'))\n"
        "print(pdkit.__file__, d.spec_version, len(goals), nbs)\n"
        # The report's templates are found inside the installed package.
        "import tempfile, pdkit.report, pdkit.review\n"
        "page = pdkit.report.report_html(pdkit.review.load(tempfile.mkdtemp()))\n"
        "print(page.startswith('<!DOCTYPE html>'), pdkit.report.__file__)\n"
        # pdkit's own words, from the catalogs compiled into the wheel
        "from pdkit.i18n import LANGUAGES, translator\n"
        "print(','.join(LANGUAGES), translator('es')('Save'), translator('fr')('Save'))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"},
        check=True,
    )
    first, report, words = done.stdout.splitlines()
    where, version, goals, notebooks = first.split(" ", 3)
    assert where.startswith(str(target)), "the wheel's pdkit must be the one imported"
    assert version == "goal-setting@1"
    assert int(goals) >= 2
    assert "goal-setting.ipynb" in notebooks
    rendered, report_module = report.split(" ", 1)
    assert rendered == "True"
    assert report_module.startswith(str(target))
    assert words == "en,es,fr Guardar Enregistrer"


def _public_modules() -> list[str]:
    """pdkit and every module of it whose path has no private (``_``) part."""
    found = ["pdkit"]
    for info in pkgutil.walk_packages(pdkit.__path__, "pdkit."):
        if not any(part.startswith("_") for part in info.name.split(".")[1:]):
            found.append(info.name)
    return found


@pytest.mark.parametrize("module", _public_modules())
def test_public_names_are_sorted_and_exist(module: str) -> None:
    mod = importlib.import_module(module)
    assert hasattr(mod, "__all__"), f"{module} says nothing of what it offers: give it __all__"
    names = list(mod.__all__)
    # Sorted as ruff's RUF022 keeps them: CONSTANTS, then Classes, then functions.
    style = sorted(names, key=lambda n: (0 if n.isupper() else 1 if n[0].isupper() else 2, n))
    assert names == style, f"{module}.__all__ is not sorted"
    for name in names:
        assert hasattr(mod, name), f"{module}.__all__ names {name!r}, which it lacks"


def test_every_error_derives_from_pdkit_error() -> None:
    import pdkit
    from pdkit import errors

    for name in errors.__all__:
        assert issubclass(getattr(errors, name), pdkit.PdkitError)


@pytest.mark.slow
def test_the_voila_server_loads_only_the_kernel_manager() -> None:
    """Voilà imports pdkit's kernel manager by its dotted name in the process that serves
    the whole room: it must not bring the participant's app (widgets) with it."""
    script = (
        "import sys, voila.app\n"
        "before = set(sys.modules)\n"
        "import pdkit.serve.kernels\n"
        "heavy = ('ipywidgets', 'anywidget', 'pdkit.app', 'pdkit.widgets', 'pandas', 'jinja2')\n"
        "print(','.join(m for m in heavy if m in set(sys.modules) - before))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == ""


def test_participant_path_imports_nothing_heavy() -> None:
    """A Voilà page load imports pdkit.app in a fresh kernel: keep pandas & co. out."""
    script = (
        "import sys, pdkit.app\n"
        "pdkit.app.form_app('goal-setting', store='memory://')\n"
        "pdkit.app.Workbook('goal-setting', store='memory://')\n"
        "heavy = ('pandas', 'nbformat', 'jsonschema', 'matplotlib', 'numpy', 'jinja2',\n"
        "         'orjson', 'smtplib', 'pdkit.outreach._mail', 'pdkit.outreach._send',\n"
        "         'pdkit.app._coach', 'pdkit.app._mygoal', 'pdkit.app._facilitator',\n"
        "         'pdkit.widgets._dashboard', 'pdkit.widgets._thread', 'pdkit.charts',\n"
        "         'joserfc', 'pdkit.badges', 'pdkit.app._credential', 'pdkit.records',\n"
        "         'babel', 'anywidget', 'psygnal', 'difflib')\n"
        "print(','.join(m for m in heavy if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == ""
