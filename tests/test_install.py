"""A new installation as its first user meets it: the version, the first admin, the demo from the command
line, and a job whose code this process has not loaded."""

from __future__ import annotations

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
from c1console.errors import Refused
from c1console.jobs import JobDefinition, Registry, UnitContext
from c1console.store.engine import Database
from tests.rawsql import grant_role
from tests.runtime import runner_settings

ME = pwd.getpwuid(os.geteuid()).pw_name


def audit_rows(raw: psycopg.Connection, action: str) -> list[tuple]:
    return raw.execute(
        "SELECT actor, object_id, details FROM c1.audit_log WHERE action = %s ORDER BY audit_id", (action,)
    ).fetchall()


def test_version_comes_from_the_package_metadata(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as ended:
        run(["--version"])
    assert ended.value.code == 0
    assert capsys.readouterr().out.strip() == "c1console 0.1.0"


def test_the_first_admin_is_whoever_installs_it_once(
    cli_env: str, raw: psycopg.Connection, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["db", "upgrade"]) == 0
    assert f"c1console operators grant {ME} admin" in capsys.readouterr().out
    # Only "make myself admin" is accepted on an empty table.
    assert run(["operators", "grant", "someone-else", "admin", "--reason", "x"]) == 4
    assert "first grant makes the person running it admin" in capsys.readouterr().err
    assert run(["operators", "grant", ME, "operator", "--reason", "x"]) == 4
    assert raw.execute("SELECT count(*) FROM c1.operator").fetchone() == (0,)
    assert run(["operators", "grant", ME, "admin", "--reason", "first admin", "--yes"]) == 0
    assert audit_rows(raw, "operator.grant") == [
        (ME, ME, {"role": "admin", "previous": None, "first_admin": True})
    ]
    assert run(["db", "upgrade"]) == 0
    assert "no operators yet" not in capsys.readouterr().out
    # The last admin cannot take their own role away.
    assert run(["operators", "revoke", ME, "--reason", "x"]) == 4
    assert "last admin" in capsys.readouterr().err


def test_after_the_first_admin_nobody_else_can_bootstrap(
    db: Database, db_url: str, raw: psycopg.Connection
) -> None:
    grant_role(raw, "first", "admin")
    mallory = ops.Session(db=db, settings=runner_settings(db_url), operator="mallory")
    with pytest.raises(Refused, match="mallory is viewer and cannot grant roles"):
        ops.grant(mallory, "mallory", "admin", "me too")
    # The database holds the same rule against a client that skips the check.
    with pytest.raises(psycopg.DatabaseError, match="mallory is not an admin") as refused:
        raw.execute(
            "INSERT INTO c1.operator (operator_id, role, granted_by) VALUES ('mallory', 'admin', 'mallory')"
        )
    assert refused.value.sqlstate == "C1004"
    assert raw.execute("SELECT operator_id FROM c1.operator ORDER BY 1").fetchall() == [
        ("first",),
        ("setup-admin",),
    ]


def test_everyone_elses_role_is_granted_in_the_database(
    db: Database, db_url: str, raw: psycopg.Connection
) -> None:
    grant_role(raw, "first", "admin")
    admin = ops.Session(db=db, settings=runner_settings(db_url), operator="first")
    newcomer = ops.Session(db=db, settings=runner_settings(db_url), operator="newcomer")
    assert newcomer.role == "viewer"
    ops.grant(admin, "*", "operator", "everyone on the team operates")
    assert ops.Session(db=db, settings=runner_settings(db_url), operator="newcomer").role == "operator"


def test_the_role_is_never_taken_from_the_environment(
    cli_env: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("C1_DEFAULT_ROLE", "admin")
    assert run(["operators", "grant", ME, "admin"]) == 2
    assert "C1_DEFAULT_ROLE is no longer read" in capsys.readouterr().err


def test_a_job_not_loaded_here_names_the_module_that_registers_it(
    cli_env: str, db: Database, raw: psycopg.Connection, capsys: pytest.CaptureFixture[str]
) -> None:
    def unit(business_date: date, target: str, ctx: UnitContext) -> dict[str, object]:
        return {}

    unit.__module__ = "acme.batch.jobs"
    registry = Registry()
    registry.add(JobDefinition(job_id="acme_nav", title="NAV", unit=unit, targets=lambda _day: ["F1"]))
    ops.sync_jobs(ops.Session(db=db, settings=runner_settings(cli_env), operator="runner", registry=registry))
    grant_role(raw, ME, "operator")
    day = "2026-11-02"
    assert run(["exec", "replay", "--job", "acme_nav", "--from", day, "--to", day, "--reason", "x"]) == 2
    err = capsys.readouterr().err
    assert "job 'acme_nav' is not loaded in this process" in err and "C1_JOBS=acme.batch.jobs" in err
    assert run(["exec", "replay", "--job", "nonesuch", "--from", day, "--to", day, "--reason", "x"]) == 2
    assert "unknown job 'nonesuch'" in capsys.readouterr().err


def test_the_demo_from_the_command_line(
    cli_env: str, raw: psycopg.Connection, capsys: pytest.CaptureFixture[str]
) -> None:
    """--demo: the demo's database (here the test server's) and jobs; whoever runs it first is its admin."""
    day = "2026-11-02"
    assert (
        run(["--demo", "jobs", "trigger", "performance_calc", "--from", day, "--reason", "try", "--yes"]) == 0
    )
    assert "execution 1 created" in capsys.readouterr().out
    assert raw.execute("SELECT job_id, requested_by FROM c1.execution").fetchall() == [
        ("performance_calc", ME)
    ]
    assert run(["--demo", "exec", "list"]) == 0
    assert "performance_calc" in capsys.readouterr().out
    # Without --demo the demo's jobs are not loaded: the refusal says how to reach them.
    assert (
        run(["exec", "replay", "--job", "performance_calc", "--from", day, "--to", day, "--reason", "x"]) == 2
    )
    assert "c1console --demo" in capsys.readouterr().err


def test_a_reader_that_goes_away_ends_the_command_quietly(tmp_path: Path) -> None:
    """`c1console errors | head -1`: the pipe closes early; no 'internal error', no traceback, exit 0."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "c1console", "errors"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "C1_DATA_DIR": str(tmp_path), "C1_LANG": "en"},
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()
    assert proc.wait(timeout=60) == 0
    assert proc.stderr.read() == b""
