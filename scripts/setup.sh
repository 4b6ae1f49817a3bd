#!/usr/bin/env bash
# Set up everything pdkit's commands need, from nothing: a virtualenv with pdkit and its
# test extras, and a Chromium for the browser tests. Safe to run again (it skips what is done).
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
VENV=.venv
STAMP=$VENV/.pdkit-installed

if [ ! -x "$VENV/bin/python" ]; then
  echo "setup: creating $VENV with $($PYTHON --version)"
  "$PYTHON" -m venv "$VENV"
fi
if [ ! -f "$STAMP" ] || [ pyproject.toml -nt "$STAMP" ]; then
  echo "setup: installing pdkit and its test tools into $VENV"
  "$VENV/bin/python" -m pip install --quiet --upgrade pip
  "$VENV/bin/python" -m pip install --quiet -e ".[test]"
  touch "$STAMP"
fi

# A browser for the browser tests: Debian's chromium (Playwright cannot download its
# own browser here). Elsewhere `playwright install chromium` is the fallback.
if ! command -v chromium >/dev/null 2>&1 && [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing Debian's chromium for the browser tests"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  elif "$VENV/bin/python" -m playwright install chromium >/dev/null 2>&1; then
    echo "setup: installed Playwright's chromium"
  else
    echo "setup: no chromium found; the browser tests will fail (CI) or be skipped (locally)." >&2
    echo "setup: install it with 'sudo apt-get install chromium' or 'playwright install chromium'." >&2
  fi
fi
