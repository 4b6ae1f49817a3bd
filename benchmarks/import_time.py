"""What a participant's kernel pays for pdkit on every Voilà page load.

Prints, each the median of N fresh interpreters (bytecode already cached):
- ``import pdkit.app`` measured with ``python -X importtime`` (cumulative microseconds);
- the full start of the goal-setting app (import, definition validated, store opened,
  sign-in widgets built) in wall-clock time;
- reference imports that pdkit keeps off the participant path.

Usage: python benchmarks/import_time.py [N]   (default 7)
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

N = int(sys.argv[1]) if len(sys.argv) > 1 else 7


def importtime_ms(module: str) -> float | None:
    """Cumulative import time of ``module`` in a fresh interpreter, in ms."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"import {module}"],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        return None
    for line in reversed(done.stderr.splitlines()):
        parts = [p.strip() for p in line.split("|")]
        if len(parts) == 3 and parts[2] == module:
            return int(parts[1]) / 1000
    return None


def app_start_ms(store: Path) -> float:
    script = (
        "import time; t = time.perf_counter()\n"
        "import pdkit.app\n"
        f"app = pdkit.app.form_app('goal-setting', store={str(store)!r})\n"
        "elapsed = (time.perf_counter() - t) * 1000\n"
        # the app really started: a form app with its sign-in step, not an error message
        "assert isinstance(app, pdkit.app.FormApp) and app.sign_in.name_input, app\n"
        "print(elapsed)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    return float(done.stdout.strip())


def median(values: list[float | None]) -> str:
    real = [v for v in values if v is not None]
    return f"{statistics.median(real):8.0f} ms" if real else "  (not installed)"


def main() -> None:
    print(f"python {sys.version.split()[0]}, median of {N} fresh interpreters\n")
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "bench.sqlite3"
        rows = [
            ("import pdkit.app (participant path)", [importtime_ms("pdkit.app") for _ in range(N)]),
            (
                "goal-setting app ready (import+validate+store+widgets)",
                [app_start_ms(store) for _ in range(N)],
            ),
            ("reference: import ipywidgets", [importtime_ms("ipywidgets") for _ in range(N)]),
            ("reference: import nbformat", [importtime_ms("nbformat") for _ in range(N)]),
            ("reference: import jsonschema", [importtime_ms("jsonschema") for _ in range(N)]),
            ("reference: import pandas", [importtime_ms("pandas") for _ in range(N)]),
        ]
    for name, values in rows[:2]:  # pdkit's own rows must have measured something
        if any(v is None for v in values):
            raise SystemExit(f"import_time: {name}: nothing was measured")
    width = max(len(name) for name, _ in rows)
    for name, values in rows:
        print(f"{name:<{width}}  {median(values)}")


if __name__ == "__main__":
    main()
