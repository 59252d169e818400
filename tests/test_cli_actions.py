"""Operator writes from the command line: confirmation, dry runs, refusals and roles, audited."""

from __future__ import annotations

import json
import os
import pwd
from pathlib import Path

import psycopg
import pytest

from c1console.cli import run
from tests.rawsql import grant_role

DAY = "2026-11-02"


ME = pwd.getpwuid(os.geteuid()).pw_name  # who the command line acts as: the effective OS user


@pytest.fixture
def operator_env(cli_env: str, raw: psycopg.Connection, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("C1_JOBS", "tests.jobmods.testjobs")
    grant_role(raw, ME, "operator")
    return cli_env


def count(raw: psycopg.Connection, sql: str) -> int:
    return raw.execute(sql).fetchone()[0]


def test_trigger_stop_and_audit(operator_env: str, raw: psycopg.Connection, capsys) -> None:  # type: ignore[no-untyped-def]
    assert run(["jobs", "trigger", "noop", "--from", DAY, "--to", "2026-11-03", "--yes"]) == 0
    out = capsys.readouterr().out
    assert "will create: MANUAL of noop: 10 unit(s)" in out and "execution 1 created" in out
    assert run(["exec", "stop", "1", "--reason", "wrong day", "--yes"]) == 0
    assert "STOPPED" in capsys.readouterr().out
    assert run(["exec", "stop", "1", "--reason", "again", "--yes"]) == 4
    assert "already STOPPED" in capsys.readouterr().err
    assert run(["audit", "list", "--json"]) == 0
    entries = json.loads(capsys.readouterr().out)
    assert [(e["actor"], e["action"]) for e in entries] == [(ME, "exec.stop"), (ME, "exec.trigger")]


def test_writes_need_confirmation_without_a_terminal(
    operator_env: str, raw: psycopg.Connection, capsys
) -> None:  # type: ignore[no-untyped-def]
    assert run(["jobs", "trigger", "noop", "--from", DAY]) == 2
    assert "--yes" in capsys.readouterr().err
    assert count(raw, "SELECT count(*) FROM c1.execution") == 0


def test_stop_needs_a_reason(operator_env: str, raw: psycopg.Connection, capsys) -> None:  # type: ignore[no-untyped-def]
    assert run(["jobs", "trigger", "noop", "--from", DAY, "--yes"]) == 0
    assert run(["exec", "stop", "1", "--yes"]) == 2
    assert run(["exec", "stop", "1", "--reason", "   ", "--yes"]) == 2
    assert count(raw, "SELECT count(*) FROM c1.audit_log WHERE action = 'exec.stop'") == 0


def test_replay_dry_run_writes_nothing(operator_env: str, raw: psycopg.Connection, capsys) -> None:  # type: ignore[no-untyped-def]
    assert run(["exec", "replay", "--job", "noop", "--from", DAY, "--to", DAY, "--dry-run"]) == 0
    assert "dry run, nothing written: REPLAY RANGE of noop: 5 unit(s)" in capsys.readouterr().out
    assert count(raw, "SELECT count(*) FROM c1.execution") == 0
    assert run(["exec", "replay", "--job", "noop", "--from", DAY, "--to", DAY, "--yes"]) == 2
    assert "reason is required" in capsys.readouterr().err
    assert (
        run(
            ["exec", "replay", "--job", "noop", "--from", "2026-11-05", "--to", DAY, "--reason", "x", "--yes"]
        )
        == 2
    )
    assert "reversed" in capsys.readouterr().err
    assert run(["exec", "replay", "--job", "nope", "--from", DAY, "--to", DAY, "--reason", "x", "--yes"]) == 2
    assert (
        run(
            [
                "exec",
                "replay",
                "--job",
                "noop",
                "--target",
                "T99",
                "--from",
                DAY,
                "--to",
                DAY,
                "--reason",
                "x",
                "--yes",
            ]
        )
        == 2
    )
    assert "no target 'T99'" in capsys.readouterr().err
    assert count(raw, "SELECT count(*) FROM c1.execution") == 0


def test_replay_and_resume_of_an_execution(operator_env: str, raw: psycopg.Connection, capsys) -> None:  # type: ignore[no-untyped-def]
    assert run(["jobs", "trigger", "noop", "--from", DAY, "--yes"]) == 0
    assert run(["exec", "resume", "1", "--yes"]) == 4  # READY: not resumable
    assert run(["exec", "stop", "1", "--reason", "hold", "--yes"]) == 0
    assert run(["exec", "resume", "1", "--reason", "go", "--yes"]) == 0
    assert "execution 2 created (resume)" in capsys.readouterr().out
    # the resume (READY, no runner here) is about to run the same units: a replay needs --again
    assert run(["exec", "replay", "--of", "1", "--reason", "again", "--yes"]) == 4
    assert "being replayed by #2, not finished yet" in capsys.readouterr().err
    assert run(["exec", "replay", "--of", "1", "--reason", "again", "--again", "--yes"]) == 0
    out = capsys.readouterr().out
    assert "REPLAY RANGE of #1 of noop: 5 unit(s)" in out and "WILL RUN AGAIN: 5 unit(s)" in out
    rows = raw.execute(
        "SELECT execution_id, run_type, resumed_from, replay_of FROM c1.execution ORDER BY 1"
    ).fetchall()
    assert rows == [(1, "MANUAL", None, None), (2, "MANUAL", 1, None), (3, "REPLAY", None, 1)]


def test_pause_and_resume_a_job(operator_env: str, raw: psycopg.Connection, capsys) -> None:  # type: ignore[no-untyped-def]
    assert run(["jobs", "pause", "flaky", "--reason", "vendor outage", "--yes"]) == 0
    assert run(["jobs", "list"]) == 0
    assert "PAUSED" in capsys.readouterr().out
    assert run(["jobs", "pause", "flaky", "--reason", "again"]) == 4
    assert run(["jobs", "resume", "flaky", "--reason", "back", "--yes"]) == 0
    capsys.readouterr()
    assert run(["jobs", "list", "--json"]) == 0
    listed = {j["job_id"]: j for j in json.loads(capsys.readouterr().out)}
    assert listed["flaky"]["paused"] is False and listed["flaky"]["next_fire"] is not None


def test_a_viewer_is_refused_with_exit_4(
    operator_env: str,
    raw: psycopg.Connection,
    capsys,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    grant_role(raw, ME, "viewer")
    assert run(["jobs", "trigger", "noop", "--from", DAY, "--yes"]) == 4
    err = capsys.readouterr().err
    assert f"{ME} is viewer and cannot trigger a job" in err
    assert run(["jobs", "pause", "noop", "--reason", "x"]) == 4
    assert run(["operators", "grant", ME, "admin"]) == 4
    assert (
        count(raw, "SELECT count(*) FROM c1.execution") + count(raw, "SELECT count(*) FROM c1.audit_log") == 0
    )
    refusals = (Path(os.environ["C1_DATA_DIR"]) / "logs" / "refusals.log").read_text().splitlines()
    assert len(refusals) == 3 and f"{ME} exit=4 jobs trigger noop" in refusals[0]


def test_admin_grants_roles(
    operator_env: str,
    raw: psycopg.Connection,
    capsys,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    grant_role(raw, ME, "admin")
    assert run(["operators", "grant", "victor", "approver", "--reason", "four eyes", "--yes"]) == 0
    assert run(["operators", "grant", "victor", "superuser"]) == 2
    assert run(["operators", "revoke", "victor", "--yes"]) == 0
    assert run(["operators", "list"]) == 0
    assert "victor" in capsys.readouterr().out
    roles = raw.execute(
        "SELECT details->>'role' FROM c1.audit_log WHERE action = 'operator.grant' ORDER BY audit_id"
    ).fetchall()
    assert [r[0] for r in roles] == ["approver", "viewer"]
