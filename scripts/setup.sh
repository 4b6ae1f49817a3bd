#!/usr/bin/env bash
# Set up everything pdkit's commands need, from nothing: a virtualenv with pdkit and its
# test extras (`setup.sh demo` stops there), a Chromium for the browser tests, and
# PostgreSQL's server programs for the PostgreSQL store tests. Safe to run again.
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
  # This project's distribution was called "pdkit" before it became "jupyter-pdkit" (the
  # name pdkit belongs to another project on PyPI): a venv made then holds the old one.
  "$VENV/bin/python" -m pip uninstall --quiet --yes pdkit >/dev/null 2>&1 || true
  "$VENV/bin/python" -m pip install --quiet -e ".[test]"
  touch "$STAMP"
fi

# pdkit's own words in other languages: compile the gettext catalogs (.po → .mo, build
# output) in place for the editable install, every run (a changed .po takes effect).
"$VENV/bin/python" scripts/compile_catalogs.py >/dev/null

# `setup.sh demo` stops here: serving the workshop needs nothing more.
if [ "${1:-test}" = "demo" ]; then
  exit 0
fi

# System programs for the tests, from Debian where we can: a browser for the browser tests
# (Playwright cannot download its own browser here; elsewhere `playwright install chromium`
# is the fallback), PostgreSQL's server programs for the PostgreSQL store tests, which
# start a throw-away server of their own with initdb/pg_ctl (nothing is left running),
# and PgBouncer for the hub load test (benchmarks/hub_load.py, at small N in the tests).
have_chromium() { command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ]; }
have_postgres() { compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || command -v initdb >/dev/null 2>&1; }
need=()
have_chromium || need+=(chromium)
have_postgres || need+=(postgresql)
have_pgbouncer() { command -v pgbouncer >/dev/null 2>&1 || [ -x /usr/sbin/pgbouncer ]; }
have_pgbouncer || need+=(pgbouncer)
if [ ${#need[@]} -gt 0 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "setup: installing Debian's ${need[*]} for the tests"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
if ! have_chromium; then
  if "$VENV/bin/python" -m playwright install chromium >/dev/null 2>&1; then
    echo "setup: installed Playwright's chromium"
  else
    echo "setup: no chromium found; the browser tests will fail (CI) or be skipped (locally)." >&2
    echo "setup: install it with 'sudo apt-get install chromium' or 'playwright install chromium'." >&2
  fi
fi
if ! have_pgbouncer; then
  echo "setup: no pgbouncer found; the hub load test will fail (CI) or be skipped (locally)." >&2
  echo "setup: install it with 'sudo apt-get install pgbouncer'." >&2
fi
if ! have_postgres; then
  echo "setup: no PostgreSQL server programs found; the PostgreSQL tests will fail (CI) or be" >&2
  echo "setup: skipped (locally). Install them with 'sudo apt-get install postgresql'." >&2
fi
