"""Every command-line write shows what it will do, asks on a terminal and needs --yes otherwise: without a
terminal and without --yes it is refused with exit 2 in one line and writes nothing. Refusals for other
reasons (bad input, role, state) still come before the question."""

from __future__ import annotations

import builtins
import io
import os
import pwd
import subprocess
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

import psycopg
import pytest

from c1console import ops
from c1console.cli import run
from c1console.config import load_settings
from c1console.store.engine import open_database
from tests.jobmods import testjobs
from tests.rawsql import grant_role
from tests.runtime import runner_settings, session

DAY = "2026-11-02"
ROOT = Path(__file__).resolve().parents[1]
ME = pwd.getpwuid(os.geteuid()).pw_name  # who the command line acts as: the effective OS user
NOT_CONFIRMED = "c1console: not confirmed — add --yes to confirm in a non-interactive run"

# What a write may change, counted before and after a refused one.
SNAPSHOT = (
    "SELECT count(*) FROM c1.audit_log",
    "SELECT count(*) FROM c1.execution",
    "SELECT count(*) FROM c1.execution WHERE status = 'STOPPED' OR stop_requested_at IS NOT NULL",
    "SELECT count(*) FROM c1.execution WHERE rolled_back_at IS NOT NULL",
    "SELECT count(*) FROM c1.job WHERE paused",
    "SELECT count(*) FROM c1.compensation",
    "SELECT count(*) FROM c1.compensation WHERE status <> 'PENDING'",
    "SELECT count(*) FROM c1.result",
    "SELECT count(*) FROM c1.operator",
    "SELECT string_agg(operator_id || '=' || role, ',' ORDER BY operator_id) FROM c1.operator",
    "SELECT count(*) FROM c1.checklist_signoff",
    "SELECT count(*) FROM c1.notification",
    "SELECT count(*) FROM c1.execution_ack",
)


def snapshot(raw: psycopg.Connection) -> list[object]:
    return [raw.execute(query).fetchone()[0] for query in SNAPSHOT]


@pytest.fixture
def admin_env(cli_env: str, raw: psycopg.Connection, monkeypatch: pytest.MonkeyPatch) -> str:
    """The OS user is an admin (every write allowed); standard input is not a terminal."""
    monkeypatch.setenv("C1_JOBS", "tests.jobmods.testjobs")
    monkeypatch.setattr(sys, "stdin", io.StringIO("y\n"))  # would say yes, but is not a terminal
    grant_role(raw, ME, "admin")
    return cli_env


def olgas_compensation(db_url: str, target: str) -> int:
    """A compensation requested by another operator, so that the OS user may decide it (four eyes)."""
    db = open_database(load_settings(database_url=db_url, env={}))
    try:
        olga = session(db, runner_settings(db_url), testjobs.build(), operator="olga", role="operator")
        return ops.request_compensation(
            olga,
            job_id="noop",
            business_date=date.fromisoformat(DAY),
            target=target,
            payload='{"v": 1}',
            reason="vendor restated",
            evidence_ref="INC-7",
        )
    finally:
        db.dispose()


def request(target: str, payload: str, *more: str, job: str = "noop") -> list[str]:
    return ["comp", "request", "--job", job, "--date", DAY, "--target", target, "--payload", payload, *more]


def refused_then_done(
    raw: psycopg.Connection, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> tuple[str, str]:
    """Without --yes: exit 2, one line, nothing written. With it: exit 0. Returns both runs' stdout."""
    capsys.readouterr()
    before = snapshot(raw)
    assert run(argv) == 2, argv
    out, err = capsys.readouterr()
    assert err.strip().splitlines() == [NOT_CONFIRMED], (argv, err)
    assert out.startswith("will "), (argv, out)  # what it would have done
    assert snapshot(raw) == before, f"{argv} wrote something without --yes"
    assert run([*argv, "--yes"]) == 0, (argv, capsys.readouterr().err)
    done, err = capsys.readouterr()
    assert err == ""
    assert snapshot(raw) != before, f"{argv} --yes wrote nothing"
    return out, done


def test_every_write_needs_yes_without_a_terminal(
    admin_env: str, raw: psycopg.Connection, capsys: pytest.CaptureFixture[str]
) -> None:
    approve = olgas_compensation(admin_env, "T2")
    reject = olgas_compensation(admin_env, "T3")
    writes: list[tuple[list[str], str]] = [
        (["jobs", "pause", "noop", "--reason", "vendor outage"], "will pause job noop"),
        (["jobs", "resume", "noop", "--reason", "vendor back"], "will resume job noop"),
        (["jobs", "trigger", "noop", "--from", DAY], "will create: MANUAL of noop"),
        (["exec", "stop", "1", "--reason", "wrong day"], "will stop execution 1"),
        (["exec", "resume", "1", "--reason", "right day"], "will create: MANUAL of #1 of noop"),
        # --again: the resume above (READY, no runner here) is about to run the same units
        (["exec", "replay", "--of", "1", "--again", "--reason", "again"], "will create: REPLAY RANGE of #1"),
        (["exec", "ack", "1", "--reason", "the day is recomputed anyway"], "will acknowledge execution 1"),
        (["exec", "rollback", "1", "--reason", "undo"], "will do: rollback of #1"),
        (
            request("T1", '{"v": 2}', "--reason", "vendor restated", "--evidence-ref", "INC-1"),
            'will request a compensation of noop 2026-11-02 T1: {"v": 2}',
        ),
        (["comp", "approve", str(approve), "--note", "checked"], f"will approve compensation {approve}"),
        (["comp", "reject", str(reject), "--note", "no evidence"], f"will reject compensation {reject}"),
        (
            ["checklist", "sign", "daily", DAY, "--comment", "looked at every item by hand"],
            f"will sign the daily checklist {DAY} off",
        ),
        (["operators", "grant", "victor", "approver", "--reason", "four eyes"], "will make victor approver"),
        (["operators", "revoke", "victor", "--reason", "left the team"], "will make victor viewer"),
    ]
    for argv, shown in writes:
        out, _done = refused_then_done(raw, capsys, argv)
        assert shown in out, (argv, out)
    assert raw.execute("SELECT count(*) FROM c1.audit_log WHERE actor = %s", (ME,)).fetchone()[0] == len(
        writes
    )


def test_a_closed_standard_input_is_not_a_terminal(
    admin_env: str,
    raw: psycopg.Connection,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sys, "stdin", None)  # what Python makes of `c1console ... <&-`
    before = snapshot(raw)
    assert run(["jobs", "pause", "noop", "--reason", "hold"]) == 2
    assert capsys.readouterr().err.strip().splitlines() == [NOT_CONFIRMED]
    assert snapshot(raw) == before


def test_a_process_without_a_terminal_writes_nothing(
    admin_env: str, raw: psycopg.Connection, tmp_path: Path
) -> None:
    """The installed command, its standard input /dev/null or closed."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    argv = [sys.executable, "-m", "c1console", "jobs", "pause", "noop", "--reason", "hold"]
    before = snapshot(raw)
    for stdin in (subprocess.DEVNULL, None):
        done = subprocess.run(
            argv if stdin is not None else ["sh", "-c", 'exec "$@" <&-', "sh", *argv],
            stdin=stdin,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 2, done.stderr
        assert done.stderr.strip().splitlines() == [NOT_CONFIRMED]
        assert snapshot(raw) == before
    done = subprocess.run(
        [*argv, "--yes"], stdin=subprocess.DEVNULL, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert raw.execute("SELECT paused FROM c1.job WHERE job_id = 'noop'").fetchone()[0] is True


class Terminal(io.StringIO):
    """Standard input that is a terminal, with the operator's answer typed in."""

    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("answer", "code"), [("n\n", 2), ("\n", 2), ("", 2), ("y\n", 0), ("yes\n", 0)])
def test_on_a_terminal_it_asks(
    admin_env: str,
    raw: psycopg.Connection,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    answer: str,
    code: int,
) -> None:
    terminal = Terminal(answer)
    monkeypatch.setattr(sys, "stdin", terminal)
    asked: list[str] = []

    def ask(prompt: str = "") -> str:
        asked.append(prompt)
        line = terminal.readline()
        if not line:
            raise EOFError
        return line.rstrip("\n")

    monkeypatch.setattr(builtins, "input", ask)
    before = snapshot(raw)
    assert run(["jobs", "pause", "noop", "--reason", "vendor outage"]) == code
    out, err = capsys.readouterr()
    assert asked == ["proceed? [y/N] "]
    assert "will pause job noop" in out
    if code:
        assert err.strip().splitlines() == ["c1console: cancelled by the operator; nothing was written"]
        assert snapshot(raw) == before
    else:
        assert "job noop paused" in out
        assert raw.execute("SELECT paused FROM c1.job WHERE job_id = 'noop'").fetchone()[0] is True


# Refusals for other reasons come first: no question for what would be refused anyway. ----------------


Setup = Callable[[psycopg.Connection, str], None]


def _paused(raw: psycopg.Connection, _url: str) -> None:
    assert run(["jobs", "pause", "noop", "--reason", "vendor outage", "--yes"]) == 0


def _mine(raw: psycopg.Connection, _url: str) -> None:
    assert (
        run([*request("T1", '{"v": 2}', "--reason", "vendor restated", "--evidence-ref", "I"), "--yes"]) == 0
    )


def _decided(raw: psycopg.Connection, url: str) -> None:
    comp = olgas_compensation(url, "T2")
    assert run(["comp", "reject", str(comp), "--note", "no evidence", "--yes"]) == 0


def _only_admin(raw: psycopg.Connection, _url: str) -> None:
    assert run(["operators", "revoke", "setup-admin", "--yes"]) == 0


def _nothing(raw: psycopg.Connection, _url: str) -> None:
    pass


def _stopped(raw: psycopg.Connection, _url: str) -> None:
    """Execution 1, stopped before it started: an open failure (no runner runs it)."""
    assert run(["jobs", "trigger", "noop", "--from", DAY, "--yes"]) == 0
    assert run(["exec", "stop", "1", "--reason", "wrong day", "--yes"]) == 0


def _acked(raw: psycopg.Connection, url: str) -> None:
    _stopped(raw, url)
    assert run(["exec", "ack", "1", "--reason", "the day is recomputed anyway", "--yes"]) == 0


@pytest.mark.parametrize(
    ("setup", "argv", "code", "message"),
    [
        (_nothing, ["jobs", "pause", "nonesuch", "--reason", "x"], 2, "unknown job 'nonesuch'"),
        (_nothing, ["jobs", "pause", "noop"], 2, "a reason is required"),
        (_paused, ["jobs", "pause", "noop", "--reason", "x"], 4, "job noop is already paused"),
        (_nothing, ["jobs", "resume", "noop", "--reason", "x"], 4, "job noop is already running"),
        (_nothing, ["exec", "stop", "7", "--reason", "x"], 2, "execution 7 does not exist"),
        (_nothing, ["exec", "rollback", "7", "--reason", "x"], 2, "execution 7 does not exist"),
        (_nothing, ["exec", "ack", "7", "--reason", "x"], 2, "execution 7 does not exist"),
        (_stopped, ["exec", "ack", "1"], 2, "a reason is required"),
        (_acked, ["exec", "ack", "1", "--reason", "x"], 4, "execution 1 was already acknowledged"),
        (_nothing, ["exec", "replay", "--of", "1,,2", "--reason", "x"], 2, "--of: '1,,2' has an empty item"),
        (_nothing, ["exec", "replay", "--job", "noop", "--from", DAY, "--to", DAY], 2, "reason is required"),
        (_nothing, request("T1", "[1]", "--reason", "x", "--evidence-ref", "I"), 2, "must be a JSON object"),
        (_nothing, request("T1", "{}", "--reason", "x"), 2, "a compensation needs evidence"),
        (_nothing, request("T99", "{}", "--reason", "x", "--evidence-ref", "I"), 2, "no target 'T99'"),
        (
            _nothing,
            request("T1", "{}", "--reason", "x", "--evidence-ref", "I", job="nonesuch"),
            2,
            "unknown job 'nonesuch'",
        ),
        (_nothing, ["comp", "approve", "9", "--note", "x"], 2, "compensation 9 does not exist"),
        (_mine, ["comp", "approve", "1", "--note", "x"], 4, "four eyes"),
        (_decided, ["comp", "approve", "1", "--note", "x"], 4, "compensation 1 was already rejected"),
        (_nothing, ["comp", "reject", "1"], 2, "a reason is required"),
        (_nothing, ["checklist", "sign", "daily", DAY], 2, "a reason is required"),
        (_nothing, ["operators", "grant", "victor", "root"], 2, "'root' is not a role"),
        (_only_admin, ["operators", "revoke", ME], 4, f"{ME} is the last admin"),
    ],
)
def test_other_refusals_come_before_the_question(
    admin_env: str,
    raw: psycopg.Connection,
    capsys: pytest.CaptureFixture[str],
    setup: Setup,
    argv: list[str],
    code: int,
    message: str,
) -> None:
    setup(raw, admin_env)
    capsys.readouterr()
    before = snapshot(raw)
    assert run(argv) == code
    out, err = capsys.readouterr()
    assert len(err.strip().splitlines()) == 1 and message in err, err
    assert "will " not in out  # not asked
    assert snapshot(raw) == before


@pytest.mark.parametrize(
    "argv",
    [
        ["jobs", "pause", "noop", "--reason", "x"],
        ["jobs", "trigger", "noop", "--from", DAY],
        ["exec", "replay", "--job", "noop", "--from", DAY, "--to", DAY, "--reason", "x"],
        request("T1", "{}", "--reason", "x", "--evidence-ref", "I"),
        ["comp", "approve", "1", "--note", "x"],
        ["checklist", "sign", "daily", DAY, "--comment", "looked at every item by hand"],
        ["operators", "grant", "victor", "approver"],
        ["exec", "ack", "1", "--reason", "x"],
        ["exec", "replay", "--of", "1,2", "--reason", "x"],
    ],
)
def test_a_viewer_is_refused_before_the_question(
    admin_env: str, raw: psycopg.Connection, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    olgas_compensation(admin_env, "T2")
    grant_role(raw, ME, "viewer")
    capsys.readouterr()
    before = snapshot(raw)
    assert run(argv) == 4
    out, err = capsys.readouterr()
    assert len(err.strip().splitlines()) == 1 and f"{ME} is viewer and cannot" in err, err
    assert "will " not in out
    assert snapshot(raw) == before
