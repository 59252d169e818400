"""The command line as an operator meets it: one-line errors, documented exit codes, no tracebacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import psycopg
import pytest

from c1console.cli import run
from c1console.presentation import NO_ALERT_CHANNEL
from tests.rawsql import add_execution, add_job, add_result, move


def c1(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The real entry point in a child process, as an operator's shell would run it."""
    return subprocess.run(
        [sys.executable, "-m", "c1console", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
    )


def test_unreachable_database_masks_the_password() -> None:
    result = c1("exec", "list", "--database-url", "postgresql://u:secret@127.0.0.1:1/x")
    assert result.returncode == 3
    assert "secret" not in result.stderr + result.stdout
    assert "u:***@127.0.0.1:1/x" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_bad_date_is_one_line_exit_2(cli_env: str) -> None:
    result = c1("exec", "list", "--since", "yesterdayish")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "yesterdayish" in result.stderr and "YYYY-MM-DD" in result.stderr


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["exec", "list", "--status", "DONE"], "--status"),
        (["exec", "list", "--job", "nope"], "unknown job"),
        (["exec", "show", "999"], "does not exist"),
        (["exec", "show", "abc"], "not an id"),
        (["exec", "list", "--limit", "0"], "positive"),
        (["exec", "frobnicate"], "invalid choice"),
    ],
)
def test_bad_input_exit_2(
    cli_env: str, capsys: pytest.CaptureFixture[str], argv: list[str], needle: str
) -> None:
    code = run(argv)
    err = capsys.readouterr().err
    assert code == 2, err
    assert needle in err
    assert len(err.strip().splitlines()) == 1


def test_not_a_postgres_url(cli_env: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["exec", "list", "--database-url", "mysql://root:pw@h/db"]) == 2
    err = capsys.readouterr().err
    assert "pw" not in err and "not a PostgreSQL URL" in err


def test_malformed_config_file(cli_env: str, tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "c1console.toml").write_text("database_url = [unclosed\n")
    assert run(["exec", "list"]) == 2
    err = capsys.readouterr().err
    assert "not valid TOML" in err and len(err.strip().splitlines()) == 1
    (tmp_path / "c1console.toml").write_text('databse_url = "postgresql://x"\n')
    assert run(["exec", "list"]) == 2
    assert "unknown setting 'databse_url'" in capsys.readouterr().err


def test_exec_list_and_show(
    cli_env: str, raw: psycopg.Connection, capsys: pytest.CaptureFixture[str]
) -> None:
    ok = add_execution(raw)
    move(raw, ok, "RUNNING")
    add_result(raw, ok)
    move(raw, ok, "SUCCESS")
    failed = add_execution(raw, "ingest")
    move(raw, failed, "RUNNING")
    raw.execute(
        "UPDATE c1.execution SET status = 'FAILED', ended_at = now(), error_code = 'C1-INP-001',"
        " error_summary = 'price file missing' WHERE execution_id = %s",
        (failed,),
    )

    assert run(["exec", "list"]) == 0
    out = capsys.readouterr().out
    assert "✖ FAILED" in out and "✔ SUCCESS" in out and "C1-INP-001" in out

    assert run(["exec", "list", "--status", "failed", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [e["execution_id"] for e in listed] == [failed]

    assert run(["exec", "list", "--job", "valuation", "--json"]) == 0
    assert [e["execution_id"] for e in json.loads(capsys.readouterr().out)] == [ok]

    assert run(["exec", "show", str(failed)]) == 0
    shown = capsys.readouterr().out
    assert "Input data missing" in shown and "action:" in shown and "price file missing" in shown
    assert "READY → RUNNING" in shown

    assert run(["exec", "show", str(ok), "--json"]) == 0
    detail = json.loads(capsys.readouterr().out)
    assert detail["results"]["applied"] == 1
    assert [ev["to_status"] for ev in detail["events"]] == ["READY", "RUNNING", "SUCCESS"]
    for field in (
        "execution_id",
        "job_id",
        "run_type",
        "started_at",
        "ended_at",
        "status",
        "error_code",
        "operator_id",
    ):
        assert field in detail["execution"]


def test_paging_is_by_id(cli_env: str, raw: psycopg.Connection, capsys: pytest.CaptureFixture[str]) -> None:
    ids = [add_execution(raw) for _ in range(5)]
    assert run(["exec", "list", "--limit", "2", "--before", str(ids[3]), "--json"]) == 0
    assert [e["execution_id"] for e in json.loads(capsys.readouterr().out)] == [ids[2], ids[1]]


def test_errors_command(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("C1_LANG", "ko")
    assert run(["errors"]) == 0
    assert "입력 데이터 누락" in capsys.readouterr().out
    assert run(["errors", "--json"]) == 0
    catalogue = json.loads(capsys.readouterr().out)
    first = next(c for c in catalogue if c["code"] == "C1-INP-001")
    assert first["title"]["en"] == "Input data missing"


def test_help_everywhere() -> None:
    for argv in (["--help"], ["exec", "--help"], ["exec", "list", "--help"], ["audit", "verify", "--help"]):
        result = c1(*argv)
        assert result.returncode == 0 and "usage:" in result.stdout, argv


def test_exec_show_prints_unit_messages_whole_when_piped(
    cli_env: str, raw: psycopg.Connection, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    failed = add_execution(raw, "ingest")
    move(raw, failed, "RUNNING")
    message = "price file missing for 2026-11-02: expected /data/prices/2026-11-02.csv\nlast seen " + "x" * 80
    raw.execute(
        "INSERT INTO c1.execution_unit (execution_id, business_date, target_key, status, error_code, message)"
        " VALUES (%s, '2026-11-02', 'ACC-1', 'FAILED', 'C1-INP-001', %s)",
        (failed, message),
    )
    assert run(["exec", "show", str(failed)]) == 0  # captured: not a terminal
    shown = capsys.readouterr().out
    whole = message.replace("\n", "?")  # one line still: control characters made visible
    [row] = [line for line in shown.splitlines() if "ACC-1" in line]
    assert row.endswith(whole) and "\n" not in whole and len(whole) > 150

    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)  # on a terminal: cut to fit
    assert run(["exec", "show", str(failed)]) == 0
    [row] = [line for line in capsys.readouterr().out.splitlines() if "ACC-1" in line]
    assert row.endswith(whole[:59] + "…") and whole[59:] not in row


def test_exec_list_by_reads_system_for_auto(
    cli_env: str, raw: psycopg.Connection, capsys: pytest.CaptureFixture[str]
) -> None:
    """Who ran an AUTO execution: `system`, the actor the database records, as in the console."""
    manual = add_execution(raw)
    add_job(raw, "ingest")
    auto = raw.execute(
        "INSERT INTO c1.execution (job_id, run_type, business_date_from, business_date_to, requested_by,"
        " scheduled_for) VALUES ('ingest', 'AUTO', '2026-11-02', '2026-11-02', 'system',"
        " '2026-11-02 06:00+09') RETURNING execution_id"
    ).fetchone()[0]
    assert run(["exec", "list"]) == 0
    lines = {line.split()[0]: line for line in capsys.readouterr().out.splitlines()[1:]}
    assert lines[str(auto)].rstrip().endswith("system")
    assert lines[str(manual)].rstrip().endswith("tester")


def test_alerts_list_says_no_channel_is_configured(cli_env: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["alerts", "list"]) == 0
    out = capsys.readouterr().out
    assert NO_ALERT_CHANNEL in out and "no notifications" in out
    assert run(["alerts", "list", "--json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out) == [] and NO_ALERT_CHANNEL in captured.err
