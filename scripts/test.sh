#!/usr/bin/env bash
# Every check pdkit has, in the order that fails fastest: lint, types, then the tests
# (unit and widget tests first, browser tests last, one at a time).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
V=.venv/bin
echo "== ruff"; $V/ruff check src tests benchmarks; $V/ruff format --check src tests benchmarks
echo "== mypy"; $V/mypy
echo "== pytest"; $V/python -m pytest "$@"
