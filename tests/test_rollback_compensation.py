"""Logical rollback and four-eyes compensation, against a real database and runner."""

from __future__ import annotations

import hashlib
import os
import pwd
import subprocess
import sys
from datetime import date
from pathlib import Path

import psycopg
import pytest

from c1console import ops
from c1console.cli import run
from c1console.errors import BadInput, Refused
from c1console.requests import ReplayRange, ReplaySingle
from c1console.scheduler.runner import Runner
from c1console.store import audit
from c1console.store.engine import Database, connection
from tests.jobmods import testjobs
from tests.rawsql import grant_role
from tests.runtime import runner_settings, session, wait_terminal

DAY = date(2026, 11, 2)
ROOT = Path(__file__).resolve().parents[1]
ME = pwd.getpwuid(os.geteuid()).pw_name  # who the command line acts as


def active(raw: psycopg.Connection, job: str = "noop") -> dict[tuple[date, str], int]:
    """key -> execution id of its active result."""
    rows = raw.execute(
        "SELECT business_date, target_key, execution_id FROM c1.result WHERE job_id = %s AND is_active",
        (job,),
    ).fetchall()
    return {(r[0], r[1]): r[2] for r in rows}


def test_rolling_back_a_replay_reactivates_exactly_what_it_superseded(
    db: Database, db_url: str, raw: psycopg.Connection
) -> None:
    settings = runner_settings(db_url)
    registry = testjobs.build()
    alice = session(db, settings, registry)
    runner = Runner(db, registry, settings).start()
    try:
        first = ops.trigger(alice, "noop", date_from=DAY, date_to=date(2026, 11, 3))
        wait_terminal(db, first.execution_id)
        replay = ops.replay(alice, ReplayRange("noop", DAY, date(2026, 11, 3)), reason="restated")
        wait_terminal(db, replay.execution_id)
        single = ops.replay(alice, ReplaySingle("noop", "T1", DAY, DAY), reason="one more")
        wait_terminal(db, single.execution_id)
    finally:
        runner.stop()
    before = active(raw)
    assert before[(DAY, "T1")] == single.execution_id
    preview = ops.rollback(alice, replay.execution_id, None, dry_run=True)
    assert (len(preview.plan.deactivate), len(preview.plan.reactivate), preview.plan.skipped) == (
        9,
        9,
        [(DAY, "T1")],
    )
    ops.rollback(alice, replay.execution_id, "the restatement was withdrawn")
    after = active(raw)
    for key in before:
        expected = single.execution_id if key == (DAY, "T1") else first.execution_id
        assert after[key] == expected, key
    assert len(after) == 10
    with pytest.raises(Refused, match="already rolled back"):
        ops.rollback(alice, replay.execution_id, "again")
    marked = raw.execute(
        "SELECT rolled_back_by, rolled_back_reason FROM c1.execution WHERE execution_id = %s",
        (replay.execution_id,),
    ).fetchone()
    assert marked == ("alice", "the restatement was withdrawn")
    with connection(db) as conn:
        assert audit.verify_chain(conn).ok
    with pytest.raises(psycopg.Error):  # the database keeps a rolled-back execution frozen
        raw.execute(
            "UPDATE c1.execution SET rolled_back_reason = 'edited' WHERE execution_id = %s",
            (replay.execution_id,),
        )


def test_rollback_refuses_running_and_needs_a_reason(db: Database, db_url: str) -> None:
    alice = session(db, runner_settings(db_url), testjobs.build())
    created = ops.trigger(alice, "noop", date_from=DAY)
    with pytest.raises(Refused, match="READY"):
        ops.rollback(alice, created.execution_id, "no")
    ops.stop(alice, created.execution_id, "hold")
    with pytest.raises(BadInput, match="reason"):
        ops.rollback(alice, created.execution_id, "")


def _people(db: Database, db_url: str) -> dict[str, ops.Session]:
    settings = runner_settings(db_url)
    registry = testjobs.build()
    ops.sync_jobs(session(db, settings, registry))
    return {
        "olga": session(db, settings, registry, operator="olga", role="operator"),
        "anna": session(db, settings, registry, operator="anna", role="approver"),
        "aaron": session(db, settings, registry, operator="aaron", role="approver"),
        "victor": session(db, settings, registry, operator="victor", role="viewer"),
    }


def test_compensation_four_eyes(db: Database, db_url: str, raw: psycopg.Connection) -> None:
    people = _people(db, db_url)
    evidence = ops.Attachment("statement.pdf", bytes(range(256)) * 40)
    comp_id = ops.request_compensation(
        people["anna"],
        job_id="noop",
        business_date=DAY,
        target="T2",
        payload='{"nav": 101.25}',
        reason="vendor price wrong",
        evidence_ref="INC-4411",
        attachments=[evidence],
    )
    counts = raw.execute(
        "SELECT (SELECT count(*) FROM c1.audit_log), (SELECT count(*) FROM c1.result)"
    ).fetchone()
    with pytest.raises(Refused, match="cannot approve"):
        ops.decide_compensation(people["anna"], comp_id, approve=True, note="mine")
    with pytest.raises(Refused, match="viewer"):
        ops.request_compensation(
            people["victor"],
            job_id="noop",
            business_date=DAY,
            target="T2",
            payload="{}",
            reason="x",
            evidence_ref="y",
        )
    with pytest.raises(Refused, match="operator and cannot approve"):
        ops.decide_compensation(people["olga"], comp_id, approve=True, note="ok")
    assert (
        raw.execute("SELECT (SELECT count(*) FROM c1.audit_log), (SELECT count(*) FROM c1.result)").fetchone()
        == counts
    )
    result_id = ops.decide_compensation(people["aaron"], comp_id, approve=True, note="checked the statement")
    row = raw.execute(
        "SELECT source, compensation_id, is_active, payload FROM c1.result WHERE result_id = %s", (result_id,)
    ).fetchone()
    assert row == ("COMPENSATION", comp_id, True, {"nav": 101.25})
    with pytest.raises(Refused, match="already approved by aaron"):
        ops.decide_compensation(people["aaron"], comp_id, approve=False, note="oops")
    recorded = raw.execute("SELECT details FROM c1.audit_log WHERE action = 'comp.request'").fetchone()[0]
    assert recorded["evidence"][0]["sha256"] == hashlib.sha256(evidence.content).hexdigest()


@pytest.mark.parametrize(
    ("kwargs", "problem"),
    [
        ({"payload": "[1, 2]"}, "JSON object"),
        ({"payload": "{nav: 1}"}, "not valid JSON"),
        ({"evidence_ref": None}, "needs evidence"),
        ({"reason": "  "}, "reason is required"),
        ({"target": "T99"}, "no target 'T99'"),
        ({"job_id": "nope"}, "unknown job"),
    ],
)
def test_bad_compensation_requests(
    db: Database, db_url: str, raw: psycopg.Connection, kwargs: dict, problem: str
) -> None:
    people = _people(db, db_url)
    request = {
        "job_id": "noop",
        "business_date": DAY,
        "target": "T1",
        "payload": '{"v": 1}',
        "reason": "fix",
        "evidence_ref": "INC-1",
    } | kwargs
    with pytest.raises(BadInput, match=problem):
        ops.request_compensation(people["olga"], **request)
    assert raw.execute("SELECT count(*) FROM c1.compensation").fetchone()[0] == 0


def test_concurrent_approvals_from_two_processes_apply_once(
    db: Database, db_url: str, tmp_path: Path, raw: psycopg.Connection
) -> None:
    people = _people(db, db_url)
    comp_id = ops.request_compensation(
        people["olga"],
        job_id="noop",
        business_date=DAY,
        target="T1",
        payload='{"v": 2}',
        reason="fix",
        evidence_ref="INC-2",
    )
    grant_role(raw, ME, "approver")
    env = {
        **os.environ,
        "C1_DATABASE_URL": db_url,
        "C1_DATA_DIR": str(tmp_path),
        "C1_JOBS": "tests.jobmods.testjobs",
        "PYTHONPATH": str(ROOT),
    }
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "c1console", "comp", "approve", str(comp_id), "--note", who, "--yes"],
            env=env,  # both act as the effective OS user: the race is between two decisions
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for who in ("first", "second")
    ]
    outcomes = [(p.wait(timeout=60), p.stderr.read()) for p in procs]
    assert sorted(code for code, _ in outcomes) == [0, 4]
    refusal = next(err for code, err in outcomes if code == 4)
    assert "already approved" in refusal and len(refusal.strip().splitlines()) == 1
    assert (
        raw.execute("SELECT count(*) FROM c1.result WHERE compensation_id = %s", (comp_id,)).fetchone()[0]
        == 1
    )
    assert raw.execute("SELECT count(*) FROM c1.audit_log WHERE action = 'comp.approve'").fetchone()[0] == 1


def test_cli_evidence_round_trip_and_history(
    cli_env: str,
    db: Database,
    tmp_path: Path,
    raw: psycopg.Connection,
    monkeypatch: pytest.MonkeyPatch,
    capsys,  # type: ignore[no-untyped-def]
) -> None:
    monkeypatch.setenv("C1_JOBS", "tests.jobmods.testjobs")
    grant_role(raw, ME, "approver")
    content = os.urandom(300_000)
    (tmp_path / "proof.bin").write_bytes(content)
    (tmp_path / "payload.json").write_text('{"nav": 99.5}')
    assert run(["jobs", "list"]) == 0
    assert (
        run(
            [
                "comp",
                "request",
                "--job",
                "noop",
                "--date",
                DAY.isoformat(),
                "--target",
                "T4",
                "--payload",
                "@payload.json",
                "--reason",
                "vendor restated",
                "--attach",
                "proof.bin",
                "--yes",
            ]
        )
        == 0
    )
    assert run(["comp", "approve", "1", "--note", "self"]) == 4
    assert "four eyes" in capsys.readouterr().err
    anna = session(db, runner_settings(cli_env), testjobs.build(), operator="anna", role="approver")
    ops.decide_compensation(anna, 1, approve=True, note="verified")  # another approver
    assert run(["comp", "show", "1"]) == 0
    assert "proof.bin 300000 bytes" in capsys.readouterr().out
    assert run(["comp", "evidence", "1", "-o", str(tmp_path / "back.bin")]) == 0
    back = (tmp_path / "back.bin").read_bytes()
    assert back == content
    recorded = raw.execute(
        "SELECT details->'evidence'->0->>'sha256' FROM c1.audit_log WHERE action = 'comp.request'"
    ).fetchone()[0]
    assert hashlib.sha256(back).hexdigest() == recorded
    capsys.readouterr()
    assert run(["results", "history", "--job", "noop", "--date", DAY.isoformat(), "--target", "T4"]) == 0
    out = capsys.readouterr().out
    assert "ACTIVE" in out and "compensation 1" in out
