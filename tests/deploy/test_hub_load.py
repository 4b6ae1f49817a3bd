"""The hub load test (benchmarks/hub_load.py) at small N, so that the path it measures
stays working: teachers sign in to a real local JupyterHub, their servers start, the
goal form opens and saves through the pdkit hub service to PostgreSQL behind PgBouncer
in transaction mode (Debian's pgbouncer, started here), and every goal is read back.
The figures for 25, 50 and 90 teachers are the script's (README, docs/deploy-jupyterhub.md)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from _deploy import REPO
from _postgres_server import find_postgres_bin, unprivileged_user
from _servers import missing

sys.path.insert(0, str(REPO / "benchmarks"))


@pytest.mark.timeout(900)
def test_teachers_on_a_hub_save_through_pgbouncer_in_transaction_mode(
    binder_env: Any, http_proxy: Path
) -> None:
    if not (shutil.which("pgbouncer") or Path("/usr/sbin/pgbouncer").exists()):
        missing("pgbouncer is not installed (scripts/setup.sh installs Debian's)")
    if find_postgres_bin() is None or unprivileged_user() is None:
        missing("no PostgreSQL server programs to run as a user other than root")
    import hub_load

    pool = 2  # fewer server connections than teachers: PgBouncer shares them
    run = hub_load.run_once(binder_env, http_proxy, n=3, pool=pool, timeout=600)

    assert [t.error for t in run.teachers] == ["", "", ""]
    assert all(t.saved for t in run.teachers)
    assert run.lost == 0, "a confirmed goal is missing from PostgreSQL"
    assert run.servers == 3, "each teacher had a server of their own"
    # The store was reached through PgBouncer (a transaction at least per save), whose
    # pool of two connections to PostgreSQL served the three teachers.
    assert run.bounced >= 3
    assert 1 <= run.pg_peak <= pool
    assert run.pss_kib["teachers"] > 0
    assert run.cpu["teachers"] > 0
