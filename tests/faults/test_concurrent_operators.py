"""Twenty operator processes at once on the same objects: each accepted act takes effect once, every
refusal is clean, and the audit log has exactly one row per accepted act."""

from __future__ import annotations

import os
import pwd
import subprocess
import sys
from datetime import date
from pathlib import Path

import psycopg

from c1console import ops
from c1console.store.engine import Database
from tests.faults.invariants import check_all
from tests.faults.stats import COUNTS
from tests.jobmods import testjobs
from tests.rawsql import grant_role
from tests.runtime import runner_settings, session

ROOT = Path(__file__).resolve().parents[2]
DAY = date(2026, 11, 2)


def test_twenty_conflicting_operators(
    db: Database, db_url: str, tmp_path: Path, raw: psycopg.Connection
) -> None:
    settings = runner_settings(db_url)
    registry = testjobs.build()
    setup = session(db, settings, registry, operator="setup", role="admin")
    to_stop = ops.trigger(setup, "noop", date_from=DAY).execution_id
    failed = ops.trigger(setup, "noop", date_from=DAY).execution_id
    ops.stop(setup, failed, "make it replayable")
    comp = ops.request_compensation(
        setup,
        job_id="noop",
        business_date=DAY,
        target="T1",
        payload='{"v": 1}',
        reason="fix",
        evidence_ref="INC-9",
    )
    grant_role(raw, pwd.getpwuid(os.geteuid()).pw_name, "approver")  # every process acts as this OS user
    audit_before = raw.execute("SELECT count(*) FROM c1.audit_log").fetchone()[0]
    executions_before = raw.execute("SELECT count(*) FROM c1.execution").fetchone()[0]

    commands = (
        [["exec", "stop", str(to_stop), "--reason", "conflict", "--yes"]] * 5
        + [["exec", "replay", "--of", str(failed), "--reason", "conflict", "--yes"]] * 5
        + [["comp", "approve", str(comp), "--note", "conflict", "--yes"]] * 5
        + [["jobs", "pause", "noop", "--reason", "conflict", "--yes"]] * 5
    )
    env = {
        **os.environ,
        "C1_DATABASE_URL": db_url,
        "C1_DATA_DIR": str(tmp_path),
        "C1_JOBS": "tests.jobmods.testjobs",
        "PYTHONPATH": str(ROOT),
    }
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "c1console", *argv],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n, argv in enumerate(commands)
    ]
    results = [
        (argv[:2], p.wait(timeout=120), p.stderr.read()) for argv, p in zip(commands, procs, strict=True)
    ]
    for _what, code, err in results:
        assert code in (0, 4), err
        assert "Traceback" not in err
        if code == 4:
            assert len(err.strip().splitlines()) == 1
    accepted = {
        tuple(w): sum(1 for what, code, _ in results if what == w and code == 0) for w, _c, _e in results
    }
    assert accepted[("exec", "stop")] == 1
    # one replay of a failure at a time: the others see it READY and are refused (--again would add one)
    assert accepted[("exec", "replay")] == 1
    refused = [err for what, code, err in results if what == ["exec", "replay"] and code == 4]
    assert all("being replayed by #" in err for err in refused), refused
    assert accepted[("comp", "approve")] == 1
    assert accepted[("jobs", "pause")] == 1
    total = sum(accepted.values())
    assert raw.execute("SELECT count(*) FROM c1.audit_log").fetchone()[0] - audit_before == total
    assert raw.execute("SELECT count(*) FROM c1.execution").fetchone()[0] - executions_before == 1
    assert (
        raw.execute("SELECT count(*) FROM c1.result WHERE compensation_id = %s", (comp,)).fetchone()[0] == 1
    )
    check_all(raw, db)
    COUNTS["concurrent operator processes"] += len(commands)
    COUNTS["concurrent acts accepted"] += total
    COUNTS["concurrent acts refused cleanly"] += len(commands) - total
