"""SIGKILL a real runner process at seeded random moments; after recovery nothing is lost or doubled."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
from datetime import date
from pathlib import Path

import psycopg
import pytest

from c1console import ops
from c1console.jobs import Registry
from c1console.requests import ReplayRange
from c1console.scheduler.runner import Runner
from c1console.store.engine import Database
from tests.faults.invariants import check_all
from tests.faults.stats import COUNTS
from tests.jobmods import testjobs
from tests.runtime import execution, runner_settings, session, wait_terminal, wait_until

ROOT = Path(__file__).resolve().parents[2]
ROUNDS = 6
KILLS_PER_ROUND = 5  # 30 kill moments across the suite
KILLED: list[str] = []


def spawn_runner(db_url: str, tmp_path: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "C1_DATABASE_URL": db_url,
        "C1_DATA_DIR": str(tmp_path),
        "C1_JOBS": "tests.jobmods.testjobs",
        "C1_LEASE_TIMEOUT": "1",
        "PYTHONPATH": str(ROOT),
        "C1_TEST_UNIT_SECONDS": "0.01",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "c1console", "runner", "--workers", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def reached(db: Database, execution_id: int, units: int) -> bool:
    e = execution(db, execution_id)
    return (e.status != "READY" and e.units_done >= units) or e.status in ("SUCCESS", "FAILED", "STOPPED")


@pytest.mark.parametrize("round_no", range(ROUNDS))
def test_sigkill_at_random_moments(
    round_no: int, db: Database, db_url: str, tmp_path: Path, raw: psycopg.Connection
) -> None:
    rng = random.Random(f"c1-faults-{round_no}")
    settings = runner_settings(db_url, lease_timeout_seconds=1.0)
    alice = session(db, settings, testjobs.build())
    # a runner with no jobs: it claims nothing, but its housekeeping recovers what the killed ones leave
    watcher = Runner(db, Registry(), settings, runner_id=f"watcher-{round_no}").start()
    try:
        for kill in range(KILLS_PER_ROUND):
            first_day = date(2026, 11, 2 + kill % 3)
            created = ops.trigger(
                alice, "slow", date_from=first_day, date_to=first_day, reason=f"kill {kill}"
            )
            ops.replay(alice, ReplayRange("noop", date(2026, 11, 2), date(2026, 11, 6)), reason="busy")
            moment = rng.choice(["after-claim", "mid-run", "mid-run", "late"])
            threshold = {"after-claim": 0, "mid-run": rng.randrange(1, 30), "late": rng.randrange(30, 39)}[
                moment
            ]
            process = spawn_runner(db_url, tmp_path)
            try:
                wait_until(
                    lambda eid=created.execution_id, at=threshold: reached(db, eid, at),
                    timeout=90,
                    what="the moment to kill",
                )
                process.send_signal(signal.SIGKILL)
                process.wait(timeout=10)
                KILLED.append(f"round {round_no} kill {kill}: {moment} at {threshold} units")
            finally:
                if process.poll() is None:
                    process.kill()
            final = wait_terminal(db, created.execution_id, timeout=60)
            assert final.status in ("SUCCESS", "FAILED")
            if final.status == "FAILED":
                assert final.error_code == "C1-BAT-007"
            wait_until(
                lambda: (
                    raw.execute("SELECT count(*) FROM c1.execution WHERE status = 'RUNNING'").fetchone()[0]
                    == 0
                ),
                timeout=60,
                what="every orphan recovered",
            )
            # READY leftovers (the noop replays) are stopped so the next kill starts clean
            for (left,) in raw.execute(
                "SELECT execution_id FROM c1.execution WHERE status = 'READY'"
            ).fetchall():
                ops.stop(alice, left, "fault test cleanup")
            check_all(raw, db)
    finally:
        watcher.stop()
    assert len([k for k in KILLED if k.startswith(f"round {round_no} ")]) == KILLS_PER_ROUND
    lost = raw.execute("SELECT count(*) FROM c1.audit_log WHERE action = 'exec.fail_runner_lost'").fetchone()[
        0
    ]
    failed_lost = raw.execute("SELECT count(*) FROM c1.execution WHERE error_code = 'C1-BAT-007'").fetchone()[
        0
    ]
    assert lost == failed_lost
    COUNTS["runner processes SIGKILLed"] += KILLS_PER_ROUND
    COUNTS["executions recovered as runner lost"] += failed_lost
