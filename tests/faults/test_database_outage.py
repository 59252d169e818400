"""The database drops every connection while executions run: the runner reconnects and carries on, or
fails its executions cleanly with the SYS code; nothing is half-written."""

from __future__ import annotations

from datetime import date

import psycopg
import pytest

from c1console import ops
from c1console.scheduler.runner import Runner
from c1console.store.engine import Database
from tests.faults.invariants import check_all
from tests.faults.stats import COUNTS
from tests.jobmods import testjobs
from tests.runtime import execution, runner_settings, session, wait_terminal, wait_until


def terminate_others(raw: psycopg.Connection) -> int:
    """pg_terminate_backend on every other connection to this database (a failover, a DBA's kill)."""
    return raw.execute(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
        " WHERE datname = current_database() AND pid <> pg_backend_pid()"
    ).fetchone()[0]


def test_connections_killed_while_executions_run(
    db: Database, db_url: str, raw: psycopg.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("C1_TEST_UNIT_SECONDS", "0.02")
    settings = runner_settings(db_url, lease_timeout_seconds=5.0)
    registry = testjobs.build()
    alice = session(db, settings, registry)
    runner = Runner(db, registry, settings, max_workers=3).start()
    try:
        ids = [
            ops.trigger(alice, "slow", date_from=date(2026, 11, 2 + n), reason="outage").execution_id
            for n in range(3)
        ]
        killed = 0
        for threshold in (5, 15, 25):
            wait_until(
                lambda t=threshold: execution(db, ids[0]).units_done >= t,
                timeout=30,
                what="progress before the outage",
            )
            killed += terminate_others(raw)
        finals = [wait_terminal(db, i, timeout=60) for i in ids]
        # after the outage the runner still works: a new execution runs to the end
        after = ops.trigger(alice, "noop", date_from=date(2026, 11, 2), reason="after the outage")
        assert wait_terminal(db, after.execution_id).status == "SUCCESS"
    finally:
        runner.stop()
    for final in finals:
        assert final.status == "SUCCESS" or (final.status == "FAILED" and final.error_code == "C1-SYS-006"), (
            final
        )
    check_all(raw, db)
    COUNTS["database connections killed under load"] += killed
    COUNTS["executions through the outage"] += len(finals)
