"""Failures as work items on the command line (issue 15): `exec list --open`, `exec ack`, `exec show`'s
resolution, `exec replay --of A,B,C`, `--again` and `--supersede-compensation`. Against the real database
and a real runner; the command line acts as the OS user, as an operator's shell would."""

from __future__ import annotations

import builtins
import io
import json
import os
import pwd
import sys
import threading
from collections.abc import Iterator
from datetime import date

import psycopg
import pytest

from c1console import ops
from c1console.cli import run
from c1console.errors import BadInput, InputDataError
from c1console.jobs import REGISTRY, JobDefinition, Registry, UnitContext
from c1console.requests import ReplayFull, ReplayOf, ReplayRange, ReplaySingle, replay_request
from c1console.scheduler.runner import Runner
from c1console.store.engine import Database
from tests.jobmods import testjobs
from tests.rawsql import grant_role
from tests.runtime import approved_compensation, execution, session, wait_terminal, wait_until

DAY = date(2026, 11, 2)
NEXT = date(2026, 11, 3)
THIRD = date(2026, 11, 4)
LATER, LATER_NEXT = date(2026, 11, 9), date(2026, 11, 10)  # days no other execution of a test touches
ME = pwd.getpwuid(os.geteuid()).pw_name  # who the command line acts as: the effective OS user
NOT_CONFIRMED = "c1console: not confirmed — add --yes to confirm in a non-interactive run"

# 'gated': T1 fails, T2 waits for GATE: an operator's stop lands on an execution with a failed unit.
GATE = threading.Event()


def gated(business_date: date, target: str, ctx: UnitContext) -> dict:
    if target == "T1":
        raise InputDataError(f"price for {target} on {business_date} missing")
    if target == "T2":
        GATE.wait(20)
    return {"target": target}


GATED = JobDefinition("gated", "Fails, then waits", gated, lambda _day: testjobs.TARGETS, chunk_size=1)


@pytest.fixture
def registry() -> Registry:
    """The runner's jobs: the test jobs and 'gated'."""
    jobs = testjobs.build()
    jobs.add(GATED)
    return jobs


@pytest.fixture
def cli(
    cli_env: str, raw: psycopg.Connection, runner: Runner, monkeypatch: pytest.MonkeyPatch
) -> Iterator[psycopg.Connection]:
    """The command line as an operator, a runner running, and 'gated' known to both."""
    monkeypatch.setenv("C1_JOBS", "tests.jobmods.testjobs")
    monkeypatch.setitem(REGISTRY._jobs, "gated", GATED)
    GATE.clear()
    grant_role(raw, ME, "operator")
    yield raw
    GATE.set()  # a failed test must not leave a unit waiting


def c1(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Runs a command; its exit code, standard output and standard error."""
    capsys.readouterr()
    code = run(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def failed_flaky(alice: ops.Session, db: Database, day: date = DAY, to: date | None = None) -> int:
    """A FAILED flaky execution: T3 fails on each day (MANUAL runs of flaky fail T3, REPLAYs do not)."""
    created = ops.trigger(alice, "flaky", date_from=day, date_to=to or day)
    assert isinstance(created, ops.Created)
    assert wait_terminal(db, created.execution_id).status == "FAILED"
    return created.execution_id


def finished(db: Database, out: str) -> int:
    """The execution a command said it created, once it has finished."""
    [line] = [line for line in out.splitlines() if line.startswith("execution ") and " created " in line]
    execution_id = int(line.split()[1])
    wait_terminal(db, execution_id)
    return execution_id


def rows(out: str) -> dict[str, str]:
    """`exec list`'s text rows by execution id."""
    return {line.split()[0]: line for line in out.splitlines()[1:]}


def cell(out: str, execution_id: int, column: str) -> str:
    """One cell of `exec list`'s text table, cut at the header's column positions."""
    header = out.splitlines()[0]
    names = header.split()
    start = header.index(column)
    following = names.index(column) + 1
    end = header.index(names[following]) if following < len(names) else None
    return rows(out)[str(execution_id)][start:end].strip()


def audit_rows(raw: psycopg.Connection, action: str) -> list[tuple]:
    return raw.execute(
        "SELECT execution_id, actor, reason, details FROM c1.audit_log WHERE action = %s ORDER BY audit_id",
        (action,),
    ).fetchall()


def test_exec_list_shows_what_is_open_and_what_resolved_each_failure(
    cli: psycopg.Connection, db: Database, alice: ops.Session, capsys: pytest.CaptureFixture[str]
) -> None:
    still = failed_flaky(alice, db, LATER, LATER_NEXT)
    fixed = failed_flaky(alice, db, NEXT)
    handed = failed_flaky(alice, db, THIRD)
    ok = ops.trigger(alice, "noop", date_from=DAY)
    assert isinstance(ok, ops.Created)
    wait_terminal(db, ok.execution_id)
    code, out, err = c1(capsys, "exec", "replay", "--of", str(fixed), "--reason", "prices arrived", "--yes")
    assert code == 0, err
    fix = finished(db, out)
    code, out, err = c1(capsys, "exec", "resume", str(handed), "--reason", "try again", "--yes")
    assert code == 0, err
    resumed = finished(db, out)  # a MANUAL run of flaky: T3 fails again, the open item moves there
    assert execution(db, resumed).status == "FAILED"
    code, out, err = c1(capsys, "exec", "rollback", str(ok.execution_id), "--reason", "bad file", "--yes")
    assert code == 0, err

    code, out, _ = c1(capsys, "exec", "list")
    assert code == 0
    assert out.splitlines()[0].split()[:5] == ["ID", "JOB", "TYPE", "STATUS", "OPEN?"]
    assert cell(out, still, "OPEN?") == "● open"
    assert cell(out, fixed, "OPEN?") == f"↻ #{fix}"
    assert cell(out, handed, "OPEN?") == f"→ #{resumed}"
    assert cell(out, resumed, "OPEN?") == "● open"
    assert cell(out, ok.execution_id, "OPEN?") == "⟲ rolled back"
    assert cell(out, fix, "OPEN?") == ""  # a success has no state as a work item
    assert cell(out, fix, "STATUS") == "✔ SUCCESS"

    code, out, _ = c1(capsys, "exec", "list", "--open")
    assert code == 0 and sorted(rows(out)) == sorted([str(still), str(resumed)])

    code, out, _ = c1(capsys, "exec", "list", "--json")
    by_id = {row["execution_id"]: row for row in json.loads(out)}
    assert all(isinstance(row["open"], bool) for row in by_id.values())
    assert (by_id[still]["open"], by_id[still]["resolution"]["state"]) == (True, "OPEN")
    assert by_id[still]["resolution"]["open_units"] == 2
    assert (by_id[fixed]["open"], by_id[fixed]["resolution"]["state"]) == (False, "RESOLVED")
    assert by_id[fixed]["resolution"]["fixed_by"] == fix
    assert by_id[handed]["resolution"]["handed_to"] == resumed
    assert (by_id[fix]["open"], by_id[fix]["resolution"]) == (False, None)
    assert by_id[ok.execution_id]["rolled_back_by"] == ME

    code, out, _ = c1(capsys, "exec", "list", "--open", "--json")
    assert [row["execution_id"] for row in json.loads(out)] == [resumed, still]
    code, out, _ = c1(capsys, "exec", "list", "--open", "--job", "noop")
    assert (code, out) == (0, "no open failures match\n")


def test_exec_ack_confirms_refuses_and_audits(
    cli: psycopg.Connection, db: Database, alice: ops.Session, capsys: pytest.CaptureFixture[str]
) -> None:
    failed = failed_flaky(alice, db, DAY, NEXT)
    why = "T3 is delisted; nothing to compute"
    code, out, err = c1(capsys, "exec", "ack", str(failed), "--reason", why)
    assert (code, err.strip()) == (2, NOT_CONFIRMED)
    assert f"will acknowledge execution {failed} (flaky, FAILED): 2 unit(s) still failing" in out
    assert cli.execute("SELECT count(*) FROM c1.execution_ack").fetchone() == (0,)
    code, out, _ = c1(capsys, "exec", "ack", str(failed), "--reason", why, "--dry-run")
    assert code == 0 and out.startswith("dry run, nothing written: would acknowledge")
    code, out, err = c1(capsys, "exec", "ack", str(failed), "--yes")
    assert code == 2 and "a reason is required" in err and "will " not in out

    code, out, err = c1(capsys, "exec", "ack", str(failed), "--reason", why, "--yes")
    assert code == 0, err
    assert f"execution {failed} acknowledged by {ME}" in out
    [(execution_id, actor, reason, details)] = audit_rows(cli, "exec.ack")
    assert (execution_id, actor, reason, details["open_units"]) == (failed, ME, why, 2)
    code, out, _ = c1(capsys, "exec", "list", "--open")
    assert out == "no open failures match\n"
    code, out, _ = c1(capsys, "exec", "list")
    assert cell(out, failed, "OPEN?") == "✓ ack"

    code, out, err = c1(capsys, "exec", "ack", str(failed), "--reason", "twice", "--yes")
    assert code == 4 and f"already acknowledged by {ME}" in err and len(err.splitlines()) == 1
    assert "will " not in out


class Terminal(io.StringIO):
    """Standard input that is a terminal, with the operator's answer typed in."""

    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("answer", "code", "acked"), [("y\n", 0, 1), ("n\n", 2, 0), ("", 2, 0)])
def test_exec_ack_asks_on_a_terminal(
    cli: psycopg.Connection,
    db: Database,
    alice: ops.Session,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    answer: str,
    code: int,
    acked: int,
) -> None:
    failed = failed_flaky(alice, db)
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
    got, out, err = c1(capsys, "exec", "ack", str(failed), "--reason", "false alarm")
    assert (got, asked) == (code, ["proceed? [y/N] "]), err
    assert f"will acknowledge execution {failed}" in out
    assert cli.execute("SELECT count(*) FROM c1.execution_ack").fetchone() == (acked,)
    assert len(audit_rows(cli, "exec.ack")) == acked


@pytest.mark.parametrize("kind", ["success", "resolved", "handed on", "rolled back"])
def test_exec_ack_refuses_what_is_not_open_with_exit_4(
    cli: psycopg.Connection,
    db: Database,
    alice: ops.Session,
    capsys: pytest.CaptureFixture[str],
    kind: str,
) -> None:
    if kind == "success":
        created = ops.trigger(alice, "noop", date_from=DAY)
        assert isinstance(created, ops.Created)
        target, message = created.execution_id, f"execution {created.execution_id} is SUCCESS"
        wait_terminal(db, target)
    else:
        target = failed_flaky(alice, db)
        if kind == "rolled back":
            ops.rollback(alice, target, "the day is withdrawn")
            message = f"execution {target} was rolled back by alice"
        else:
            redo = ops.resume if kind == "handed on" else None
            created = (
                redo(alice, target, "again")
                if redo
                else ops.replay(alice, ReplayOf(target, failed_only=True), reason="prices arrived")
            )
            assert isinstance(created, ops.Created)
            wait_terminal(db, created.execution_id)
            message = (
                f"acknowledge #{created.execution_id} instead"
                if kind == "handed on"
                else f"execution {target} is resolved by #{created.execution_id}"
            )
    before = cli.execute("SELECT count(*) FROM c1.audit_log").fetchone()
    code, out, err = c1(capsys, "exec", "ack", str(target), "--reason", "x")
    assert code == 4 and message in err and len(err.strip().splitlines()) == 1, err
    assert "will " not in out
    assert cli.execute("SELECT count(*) FROM c1.audit_log").fetchone() == before


def test_exec_show_says_where_a_failure_stands(
    cli: psycopg.Connection, db: Database, alice: ops.Session, capsys: pytest.CaptureFixture[str]
) -> None:
    failed = failed_flaky(alice, db, DAY, NEXT)
    code, out, _ = c1(capsys, "exec", "show", str(failed))
    assert code == 0
    assert "resolution      ● open: 2 unit(s) still failing\n" in out
    units = [line for line in out.splitlines() if line.startswith("2026-") and " T3 " in line]
    assert len(units) == 2 and all(" ● open " in line for line in units)

    fix = ops.replay(alice, ReplayOf(failed, failed_only=True), reason="prices arrived")
    assert isinstance(fix, ops.Created)
    wait_terminal(db, fix.execution_id)
    code, out, _ = c1(capsys, "exec", "show", str(failed))
    assert f"resolution      ↻ resolved by #{fix.execution_id} at " in out
    units = [line for line in out.splitlines() if line.startswith("2026-") and " T3 " in line]
    assert len(units) == 2 and all(f" ↻ fixed by #{fix.execution_id} " in line for line in units)
    assert "exec.replay" in out  # the replay's audit row shows on the failure it fixed

    code, out, _ = c1(capsys, "exec", "show", str(failed), "--json")
    shown = json.loads(out)
    assert shown["open"] is False and shown["resolution"]["fixed_by"] == fix.execution_id
    assert shown["execution"]["resolution"]["state"] == "RESOLVED"
    assert [u["fixed_by"] for u in shown["failed_units"]] == [fix.execution_id] * 2
    assert shown["resolution_text"].startswith(f"↻ resolved by #{fix.execution_id} at ")

    acked = failed_flaky(alice, db, THIRD)
    ops.acknowledge(alice, acked, "vendor holiday")
    code, out, _ = c1(capsys, "exec", "show", str(acked))
    assert "resolution      ✓ acknowledged by alice at " in out and out.count(": vendor holiday") == 1

    ops.rollback(alice, fix.execution_id, "the replay used a bad file")
    code, out, _ = c1(capsys, "exec", "show", str(fix.execution_id))
    assert "resolution      ⟲ rolled back by alice at " in out and ": the replay used a bad file" in out
    code, out, _ = c1(capsys, "exec", "show", str(failed))
    assert "resolution      ● open: 2 unit(s) still failing" in out  # re-opened by the rollback of its fix

    resumed = ops.resume(alice, failed, "try again")
    assert isinstance(resumed, ops.Created)
    wait_terminal(db, resumed.execution_id)
    code, out, _ = c1(capsys, "exec", "show", str(failed))
    assert f"resolution      → handed on to #{resumed.execution_id} (its resume failed too)" in out
    assert f"the open item is #{resumed.execution_id} now" in out
    code, out, _ = c1(capsys, "exec", "show", str(failed), "--json")
    assert json.loads(out)["resolution"]["handed_to"] == resumed.execution_id


def test_exec_show_says_an_operator_stopped_a_failure(
    cli: psycopg.Connection, db: Database, alice: ops.Session, capsys: pytest.CaptureFixture[str]
) -> None:
    created = ops.trigger(alice, "gated", date_from=DAY)
    assert isinstance(created, ops.Created)
    stopped = created.execution_id
    wait_until(lambda: execution(db, stopped).units_failed == 1, what="T1 to fail")
    code, _, err = c1(capsys, "exec", "stop", str(stopped), "--reason", "vendor outage", "--yes")
    assert code == 0, err
    GATE.set()
    assert wait_terminal(db, stopped).status == "FAILED"  # a unit had failed: a failure, stopped
    code, out, _ = c1(capsys, "exec", "show", str(stopped))
    assert f"(stopped by {ME} after 1 failed unit)" in out
    assert "resolution      ● open: 4 unit(s) still failing (stopped by" in out  # T1 failed, T3..T5 not run


def test_a_list_of_failures_replays_in_one_transaction(
    cli: psycopg.Connection, db: Database, alice: ops.Session, capsys: pytest.CaptureFixture[str]
) -> None:
    sources = [failed_flaky(alice, db, day) for day in (DAY, NEXT, THIRD)]
    ok = ops.trigger(alice, "noop", date_from=DAY)
    assert isinstance(ok, ops.Created)
    wait_terminal(db, ok.execution_id)
    of = ",".join(str(i) for i in sources)

    code, out, err = c1(capsys, "exec", "replay", "--of", f"{of},{ok.execution_id}", "--reason", "x")
    assert code == 4 and f"execution {ok.execution_id} has no units that did not succeed" in err
    assert "will " not in out
    code, out, err = c1(capsys, "exec", "replay", "--of", of, "--dry-run")
    assert code == 0 and out.startswith("dry run, nothing written: 3 REPLAY execution(s):")
    assert all(f"REPLAY SINGLE of #{i} of flaky: 1 unit(s)" in out for i in sources)
    code, out, err = c1(capsys, "exec", "replay", "--of", of, "--reason", "prices arrived for all three")
    assert (code, err.strip()) == (2, NOT_CONFIRMED)
    assert out.startswith("will create 3 REPLAY execution(s) in one transaction:")
    assert cli.execute("SELECT count(*) FROM c1.execution WHERE run_type = 'REPLAY'").fetchone() == (0,)

    code, out, err = c1(
        capsys, "exec", "replay", "--of", of, "--reason", "prices arrived for all three", "--yes"
    )
    assert code == 0, err
    created = cli.execute(
        "SELECT execution_id, replay_of, xmin::text FROM c1.execution WHERE run_type = 'REPLAY' ORDER BY 1"
    ).fetchall()
    assert [r[1] for r in created] == sources
    assert len({r[2] for r in created}) == 1  # one transaction wrote them all
    assert all(f"execution {r[0]} created (REPLAY): REPLAY SINGLE of #{r[1]}" in out for r in created)
    audited = audit_rows(cli, "exec.replay")
    assert [(a[0], a[1], a[3]["bulk_of"]) for a in audited] == [(r[0], ME, sources) for r in created]
    for r in created:
        wait_terminal(db, r[0])
    code, out, _ = c1(capsys, "exec", "list", "--open")
    assert out == "no open failures match\n"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--of", "118,,x"], "--of: '118,,x' has an empty item — give execution ids separated by commas"),
        (["--of", "118,"], "--of: '118,' has an empty item"),
        (["--of", "0"], "--of: '0' is not an id — ids are positive numbers"),
        (["--of", "118,abc"], "--of: 'abc' is not an id"),
        (
            ["--of", "1,99999999999999999999"],
            "--of: '99999999999999999999' is too large to be an execution id",
        ),
        (["--of", "5,#5"], "--of: execution 5 is named twice"),
        (["--of", "1,2", "--job", "flaky"], "--of replays executions' own units"),
        (["--of", "1,2", "--all-units"], "--all-units goes with one --of ID"),
        (["--of", "1", "--all-units", "--failed-only"], "--failed-only and --all-units contradict"),
        (["--job", "flaky", "--full", "--all-units"], "--all-units goes with --of ID"),
        (["--job", "flaky", "--full", "--again"], "--again goes with --of ID"),
    ],
)
def test_bad_replay_options_are_one_line_exit_2(
    cli: psycopg.Connection, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, out, err = c1(capsys, "exec", "replay", *argv, "--reason", "x", "--yes")
    assert code == 2 and len(err.strip().splitlines()) == 1 and message in err, err
    assert out == ""
    assert cli.execute("SELECT count(*) FROM c1.execution").fetchone() == (0,)


def test_replaying_a_resolved_failure_needs_again(
    cli: psycopg.Connection, db: Database, alice: ops.Session, capsys: pytest.CaptureFixture[str]
) -> None:
    failed = failed_flaky(alice, db, DAY, NEXT)
    code, out, err = c1(capsys, "exec", "replay", "--of", str(failed), "--reason", "prices arrived", "--yes")
    assert code == 0, err
    assert f"REPLAY SINGLE of #{failed} of flaky: 2 unit(s)" in out  # only the failed units, by default
    fix = finished(db, out)

    for argv in (["replay", "--of", str(failed)], ["resume", str(failed)]):
        code, out, err = c1(capsys, "exec", *argv, "--reason", "again?", "--yes")
        assert code == 4 and len(err.strip().splitlines()) == 1, err
        assert f"already replayed by #{fix}" in err and "--again" in err
        assert "will " not in out
    code, out, err = c1(capsys, "exec", "replay", "--of", str(failed), "--all-units", "--dry-run")
    assert code == 0 and "8 unit(s)" in out and f"left out: 2 unit(s) already replayed by #{fix}" in out

    code, out, err = c1(capsys, "exec", "replay", "--of", str(failed), "--again", "--reason", "once more")
    assert (code, err.strip()) == (2, NOT_CONFIRMED)
    assert f"will create: REPLAY SINGLE of #{failed} of flaky: 2 unit(s)" in out
    assert f"⚠ WILL RUN AGAIN: 2 unit(s) already replayed by #{fix}" in out  # shown before the question
    code, out, err = c1(
        capsys,
        "exec",
        "replay",
        "--of",
        str(failed),
        "--again",
        "--failed-only",
        "--reason",
        "once more",
        "--yes",
    )
    assert code == 0, err
    again = finished(db, out)
    [*_, (execution_id, actor, _reason, details)] = audit_rows(cli, "exec.replay")
    assert (execution_id, actor, details["again"]) == (again, ME, True)
    assert details["warned"]["already_replayed"] == {f"{DAY} T3": fix, f"{NEXT} T3": fix}


def test_a_compensated_key_is_replaced_only_when_named(
    cli: psycopg.Connection,
    db: Database,
    alice: ops.Session,
    registry: Registry,
    settings,  # type: ignore[no-untyped-def]
    capsys: pytest.CaptureFixture[str],
) -> None:
    bob = session(db, settings, registry, "bob", "approver")
    comp = approved_compensation(alice, bob, "noop", DAY, "T2", db)
    second = ops.trigger(alice, "noop", date_from=NEXT, date_to=NEXT)
    assert isinstance(second, ops.Created)
    wait_terminal(db, second.execution_id)
    named = f"approved compensation #{comp} (approved by bob) on {DAY}/T2"

    code, out, err = c1(
        capsys, "exec", "replay", "--job", "noop", "--from", str(DAY), "--to", str(NEXT), "--dry-run"
    )
    assert code == 0 and "9 unit(s)" in out and f"left out: 1 result(s) from {named}" in out
    single = ["exec", "replay", "--job", "noop", "--target", "T2", "--from", str(DAY), "--reason", "restate"]
    code, out, err = c1(capsys, *single, "--yes")
    assert code == 4 and f"approved compensation (#{comp}, approved by bob)" in err, err
    assert "--supersede-compensation" in err and len(err.strip().splitlines()) == 1
    code, out, err = c1(capsys, *single, "--supersede-compensation", "--yes")
    assert code == 0, err
    assert f"⚠ WILL SUPERSEDE: 1 result(s) from {named}" in out
    [*_, (_id, _actor, _reason, details)] = audit_rows(cli, "exec.replay")
    assert details["supersede_compensation"] is True and details["warned"]["compensations"] == [comp]


def test_replay_request_reads_the_flags() -> None:
    assert replay_request(of=7) == ReplayOf(7, failed_only=True)
    assert replay_request(of=7, failed_only=True) == ReplayOf(7, failed_only=True)
    assert replay_request(of=7, all_units=True) == ReplayOf(7, failed_only=False)
    assert replay_request(job_id="noop", full=True) == ReplayFull("noop")
    assert replay_request(job_id="noop", date_from=DAY, date_to=NEXT) == ReplayRange("noop", DAY, NEXT)
    assert replay_request(job_id="noop", target="T1") == ReplaySingle("noop", "T1")
    for kwargs, message in [
        ({"of": 7, "failed_only": True, "all_units": True}, "contradict"),
        ({"job_id": "noop", "full": True, "all_units": True}, "--all-units goes with --of ID"),
        ({"job_id": "noop", "full": True, "failed_only": True}, "--failed-only goes with --of ID"),
        ({"of": 7, "job_id": "noop"}, "--of replays an execution's own units"),
    ]:
        with pytest.raises(BadInput, match=message):
            replay_request(**kwargs)  # type: ignore[arg-type]


def test_exec_show_lists_a_long_failure_in_part_and_json_whole(
    cli_env: str, raw: psycopg.Connection, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """No runner: the execution is stopped before it starts, every one of its units not done."""
    monkeypatch.setenv("C1_JOBS", "tests.jobmods.testjobs")
    grant_role(raw, ME, "operator")
    code, _, err = c1(capsys, "jobs", "trigger", "slow", "--from", str(DAY), "--to", "2026-11-09", "--yes")
    assert code == 0, err
    assert c1(capsys, "exec", "stop", "1", "--reason", "wrong range", "--yes")[0] == 0
    code, out, _ = c1(capsys, "exec", "show", "1")
    assert "resolution      ● open: 240 unit(s) not done" in out
    assert sum(1 for line in out.splitlines() if line.startswith("2026-11-")) == 200
    assert "... and 40 more (c1console exec show 1 --json lists them all)" in out
    code, out, _ = c1(capsys, "exec", "show", "1", "--json")
    assert len(json.loads(out)["failed_units"]) == 240
