#!/usr/bin/env bash
# Every check pdkit has, in the order that fails fastest: lint, types, then the tests in
# one pytest session on two workers: the browser and deploy tests (servers, Chromium, a
# hub) one at a time on one worker (one unit of work: tests/conftest.py), the unit, widget
# and notebook tests beside them. The whole suite (no arguments) first starts building
# the Binder environment and installing JupyterHub's proxy in the background
# (tests/_deploy.py prepare): the deploy tests wait for them instead of building them on
# the server tests' critical path.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
V=.venv/bin
if [ $# -eq 0 ] && [ -z "${PDKIT_TEST_PREPARED:-}" ]; then
  PDKIT_TEST_PREPARED=$(mktemp -d -t pdkit-prepared.XXXXXX)
  export PDKIT_TEST_PREPARED
  setsid $V/python tests/_deploy.py prepare "$PDKIT_TEST_PREPARED" >"$PDKIT_TEST_PREPARED/prepare.log" 2>&1 &
  prepare_pid=$!
  trap 'kill -TERM -- "-$prepare_pid" 2>/dev/null || true; rm -rf "$PDKIT_TEST_PREPARED"' EXIT
fi
echo "== ruff"; $V/ruff check src tests benchmarks; $V/ruff format --check src tests benchmarks
echo "== mypy"; $V/mypy
echo "== pytest"; $V/python -m pytest -n 2 --durations=25 "$@"
