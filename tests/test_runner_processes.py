"""Runners as separate processes and in pairs: crash recovery, exactly-once claiming, graceful shutdown."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

import psycopg
import pytest

from c1console import ops
from c1console.scheduler.runner import Runner
from c1console.store.engine import Database
from tests.jobmods import testjobs
from tests.runtime import execution, runner_settings, session, wait_terminal, wait_until

ROOT = Path(__file__).resolve().parents[1]
DAY = date(2026, 11, 2)


def runner_process(db_url: str, tmp_path: Path, lease: float = 2.0) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "C1_DATABASE_URL": db_url,
        "C1_DATA_DIR": str(tmp_path / "data"),
        "C1_JOBS": "tests.jobmods.testjobs",
        "C1_LEASE_TIMEOUT": str(lease),
        "PYTHONPATH": str(ROOT),
        "C1_TEST_UNIT_SECONDS": "0.05",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "c1console", "runner", "--workers", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=tmp_path,
    )


def test_killed_runner_is_declared_lost_by_another(
    db: Database, db_url: str, tmp_path: Path, raw: psycopg.Connection
) -> None:
    settings = runner_settings(db_url)
    alice = session(db, settings, testjobs.build())
    process = runner_process(db_url, tmp_path)
    try:
        created = ops.trigger(alice, "slow", date_from=DAY, date_to=date(2026, 11, 4), reason="long")
        wait_until(
            lambda: execution(db, created.execution_id).units_done >= 10,
            timeout=30,
            what="the subprocess runner to make progress",
        )
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        killed_at = time.monotonic()
        committed = execution(db, created.execution_id).units_done
    finally:
        if process.poll() is None:
            process.kill()
    survivor = Runner(db, testjobs.build(), settings, max_workers=1).start()
    try:
        lost = wait_terminal(db, created.execution_id, timeout=settings.lease_timeout_seconds + 10)
        assert time.monotonic() - killed_at < settings.lease_timeout_seconds + 10
    finally:
        survivor.stop()
    assert lost.status == "FAILED" and lost.error_code == "C1-BAT-007"
    # only committed chunks have results; nothing of the chunk in flight became active
    active = raw.execute(
        "SELECT count(*) FROM c1.result WHERE execution_id = %s AND is_active", (created.execution_id,)
    ).fetchone()[0]
    assert active == committed == lost.units_done
    units = dict(
        raw.execute(
            "SELECT status, count(*) FROM c1.execution_unit WHERE execution_id = %s GROUP BY status",
            (created.execution_id,),
        ).fetchall()
    )
    assert units.get("SUCCESS", 0) == committed and "PENDING" not in units and "RUNNING" not in units
    entry = raw.execute(
        "SELECT actor, action FROM c1.audit_log WHERE execution_id = %s", (created.execution_id,)
    ).fetchall()
    assert ("system", "exec.fail_runner_lost") in entry


def test_sigterm_stops_running_executions_gracefully(
    db: Database, db_url: str, tmp_path: Path, raw: psycopg.Connection
) -> None:
    alice = session(db, runner_settings(db_url), testjobs.build())
    process = runner_process(db_url, tmp_path)
    created = ops.trigger(alice, "slow", date_from=DAY, date_to=date(2026, 11, 4), reason="long")
    wait_until(lambda: execution(db, created.execution_id).units_done >= 5, timeout=30, what="progress")
    process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=30)
    assert process.returncode == 0, output
    stopped = execution(db, created.execution_id)
    assert stopped.status == "STOPPED" and stopped.stop_reason == "runner shutdown"
    last = raw.execute(
        "SELECT actor FROM c1.execution_event WHERE execution_id = %s ORDER BY event_id DESC LIMIT 1",
        (created.execution_id,),
    ).fetchone()[0]
    assert last == "system"
    assert "Traceback" not in output


def test_two_runners_run_each_execution_exactly_once(
    db: Database, db_url: str, raw: psycopg.Connection
) -> None:
    settings = runner_settings(db_url)
    alice = session(db, settings, testjobs.build())
    ids = [ops.trigger(alice, "noop", date_from=DAY, reason=f"n{n}").execution_id for n in range(200)]
    first = Runner(db, testjobs.build(), settings, max_workers=4, runner_id="r-one").start()
    second = Runner(db, testjobs.build(), settings, max_workers=4, runner_id="r-two").start()
    try:
        wait_until(
            lambda: (
                raw.execute("SELECT count(*) FROM c1.execution WHERE status = 'SUCCESS'").fetchone()[0] == 200
            ),
            timeout=60,
            what="200 executions to succeed",
        )
    finally:
        first.stop()
        second.stop()
    owners = dict(raw.execute("SELECT runner_id, count(*) FROM c1.execution GROUP BY runner_id").fetchall())
    assert set(owners) <= {"r-one", "r-two"} and sum(owners.values()) == 200
    claims = raw.execute(
        "SELECT execution_id, count(*) FROM c1.execution_event WHERE to_status = 'RUNNING'"
        " GROUP BY execution_id HAVING count(*) > 1"
    ).fetchall()
    assert claims == []
    assert raw.execute("SELECT count(*) FROM c1.result").fetchone()[0] == 200 * 5
    assert (
        raw.execute(
            "SELECT count(*) FROM (SELECT execution_id, business_date, target_key FROM c1.result"
            " GROUP BY 1, 2, 3 HAVING count(*) > 1) d"
        ).fetchone()[0]
        == 0
    )
    assert len(ids) == 200


def test_schedule_fires_once_per_time_with_two_runners(
    db: Database, db_url: str, raw: psycopg.Connection
) -> None:
    settings = runner_settings(db_url)
    registry = testjobs.build()
    first = Runner(db, registry, settings, runner_id="r-one").start()
    second = Runner(db, registry, settings, runner_id="r-two").start()
    try:
        assert [first.is_leader, second.is_leader].count(True) == 1
        flaky = registry.require("flaky")
        times = [datetime(2026, 11, d, 21, 0, tzinfo=UTC) for d in (2, 3, 4)]
        for at in times:  # both try every fire time, as two leaders in a split brain would
            first.fire(flaky, at)
            second.fire(flaky, at)
    finally:
        first.stop()
        second.stop()
    fired = raw.execute(
        "SELECT scheduled_for, count(*) FROM c1.execution WHERE run_type = 'AUTO' GROUP BY 1 ORDER BY 1"
    ).fetchall()
    assert [row[1] for row in fired] == [1, 1, 1]


def test_missed_fires_are_recorded_not_run(db: Database, db_url: str, raw: psycopg.Connection) -> None:
    settings = runner_settings(db_url)
    registry = testjobs.build()
    raw.execute(
        "INSERT INTO c1.job (job_id, title, definition_hash, schedule_cron, timezone, schedule_since)"
        " VALUES ('flaky', 'Flaky', 'h', '0 6 * * 1-5', 'Asia/Seoul', now() - interval '5 days')"
    )
    runner = Runner(db, registry, settings).start()
    try:
        assert runner.is_leader
        missed = raw.execute("SELECT count(*) FROM c1.missed_fire WHERE job_id = 'flaky'").fetchone()[0]
    finally:
        runner.stop()
    assert 2 <= missed <= 5  # five days always hold at least two weekday 06:00 fires
    assert raw.execute("SELECT count(*) FROM c1.execution WHERE run_type = 'AUTO'").fetchone()[0] == 0


@pytest.mark.parametrize("module", ["tests.jobmods.does_not_exist", "tests.jobmods.broken"])
def test_bad_job_module_is_one_line(tmp_path: Path, db_url: str, module: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "c1console", "runner"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        env={**os.environ, "C1_DATABASE_URL": db_url, "C1_JOBS": module, "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 2
    assert "failed to import" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_fires_while_paused_are_not_missed(db: Database, db_url: str, raw: psycopg.Connection) -> None:
    settings = runner_settings(db_url)
    registry = testjobs.build()
    alice = session(db, settings, registry)
    raw.execute(
        "INSERT INTO c1.job (job_id, title, definition_hash, schedule_cron, timezone, schedule_since)"
        " VALUES ('flaky', 'Flaky', 'h', '0 6 * * 1-5', 'Asia/Seoul', now() - interval '3 days')"
    )
    ops.set_job_paused(alice, "flaky", True, "vendor outage all week")
    ops.set_job_paused(alice, "flaky", False, "vendor back")
    runner = Runner(db, registry, settings).start()
    runner.stop()
    assert raw.execute("SELECT count(*) FROM c1.missed_fire").fetchone()[0] == 0
