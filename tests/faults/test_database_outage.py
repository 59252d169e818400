"""The database drops every connection while executions run: the runner reconnects and carries on, or
fails its executions cleanly with the SYS code; nothing is half-written."""

from __future__ import annotations

import time
from datetime import date
from functools import partial
from typing import TYPE_CHECKING

import psycopg
import pytest
from psycopg import sql

from c1console import ops
from c1console.scheduler import worker
from c1console.scheduler.runner import Runner
from c1console.store import engine
from c1console.store.engine import Database
from tests.faults.invariants import check_all
from tests.faults.stats import COUNTS
from tests.jobmods import testjobs
from tests.runtime import execution, runner_settings, session, wait_terminal, wait_until

if TYPE_CHECKING:
    from tests.conftest import TestServer


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


def test_an_outage_longer_than_the_commit_retries(
    db: Database, db_url: str, raw: psycopg.Connection, pg_server: TestServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The database stays away longer than a chunk commit retries (shortened here to a fraction of a
    second, the same path as the default ~15 s): the executions must still end — FAILED with the SYS
    code — once it is back, with the runner alive; never RUNNING with nobody running them."""
    monkeypatch.setenv("C1_TEST_UNIT_SECONDS", "0.01")
    monkeypatch.setattr(worker, "retrying", partial(engine.retrying, attempts=3, first_delay=0.1))
    settings = runner_settings(db_url, lease_timeout_seconds=3.0)
    registry = testjobs.build()
    alice = session(db, settings, registry)
    name = sql.Identifier(raw.info.dbname)

    def allow(allowed: bool) -> None:
        with pg_server.admin() as admin:
            admin.execute(
                sql.SQL("ALTER DATABASE {} ALLOW_CONNECTIONS {}").format(name, sql.Literal(allowed))
            )

    runner = Runner(db, registry, settings, max_workers=3).start()
    try:
        ids = [
            ops.trigger(
                alice, "slow", date_from=date(2026, 11, 2), date_to=date(2026, 11, 6), reason="long outage"
            ).execution_id
            for _ in range(3)
        ]
        wait_until(lambda: execution(db, ids[0]).units_done >= 10, timeout=30, what="progress")
        allow(False)
        terminate_others(raw)
        deadline = time.monotonic() + 10
        wait_until(
            lambda: not runner.running or time.monotonic() > deadline,
            timeout=15,
            what="the workers to give up",
        )
        assert not runner.running, "the workers did not give up: the outage was not longer than the retries"
        allow(True)
        finals = [wait_terminal(db, i, timeout=15) for i in ids]
    finally:
        allow(True)
        runner.stop()
    for final in finals:
        assert final.status == "SUCCESS" or (final.status == "FAILED" and final.error_code == "C1-SYS-006")
    assert any(f.status == "FAILED" for f in finals), "no execution went through the give-up path"
    check_all(raw, db)
    COUNTS["executions failed cleanly (C1-SYS-006) after a long outage"] += sum(
        f.status == "FAILED" for f in finals
    )
