#!/usr/bin/env bash
# Every check pdkit has, in the order that fails fastest: lint, types, then the tests in
# one pytest session on two workers: the browser and deploy tests (servers, Chromium, a
# hub) one at a time on one worker (one unit of work: tests/conftest.py), the unit, widget
# and notebook tests beside them.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
V=.venv/bin
echo "== ruff"; $V/ruff check src tests benchmarks; $V/ruff format --check src tests benchmarks
echo "== mypy"; $V/mypy
echo "== pytest"; $V/python -m pytest -n 2 "$@"
