"""The runner end to end against a real PostgreSQL: executions, results, stop, resume, replay, idempotency."""

from __future__ import annotations

from datetime import UTC, date, datetime

import psycopg
import pytest

from c1console import ops
from c1console.errors import BadInput, Refused
from c1console.jobs import fire_times
from c1console.requests import ReplayFull, ReplayOf, ReplayRange, ReplayRequest, ReplaySingle
from c1console.scheduler.runner import Runner
from c1console.store.engine import Database
from tests.jobmods import testjobs
from tests.runtime import execution, session, wait_terminal, wait_until

DAY = date(2026, 11, 2)  # a Monday


def active_per_key(raw: psycopg.Connection) -> int:
    """The largest number of active results any key has (the invariant says at most 1)."""
    row = raw.execute(
        "SELECT coalesce(max(n), 0) FROM (SELECT count(*) n FROM c1.result WHERE is_active"
        " GROUP BY job_id, business_date, target_key) x"
    ).fetchone()
    return row[0]


def test_manual_trigger_runs_to_success(
    runner: Runner, alice: ops.Session, db: Database, raw: psycopg.Connection
) -> None:
    created = ops.trigger(alice, "noop", date_from=DAY, date_to=date(2026, 11, 4), reason="catch up")
    assert isinstance(created, ops.Created)
    done = wait_terminal(db, created.execution_id)
    assert done.status == "SUCCESS" and done.run_type == "MANUAL"
    assert (done.units_total, done.units_done, done.units_failed) == (15, 15, 0)
    assert done.requested_by == "alice" and done.runner_id == runner.runner_id
    statuses = [
        r[0]
        for r in raw.execute(
            "SELECT to_status FROM c1.execution_event WHERE execution_id = %s ORDER BY event_id",
            (created.execution_id,),
        )
    ]
    assert statuses == ["READY", "RUNNING", "SUCCESS"]
    assert (
        raw.execute(
            "SELECT count(*) FROM c1.result WHERE execution_id = %s AND is_active", (created.execution_id,)
        ).fetchone()[0]
        == 15
    )
    assert raw.execute("SELECT count(*) FROM c1.audit_log WHERE action = 'exec.trigger'").fetchone()[0] == 1


def test_failed_units_are_classified_and_keep_old_results(
    runner: Runner, alice: ops.Session, db: Database, raw: psycopg.Connection
) -> None:
    first = ops.trigger(alice, "flaky", date_from=DAY)
    failed = wait_terminal(db, first.execution_id)
    assert failed.status == "FAILED" and failed.error_code == "C1-INP-001"
    assert "T3" in (failed.error_summary or "") and failed.units_failed == 1 and failed.units_done == 4
    unit = raw.execute(
        "SELECT status, error_code, traceback FROM c1.execution_unit"
        " WHERE execution_id = %s AND target_key = 'T3'",
        (first.execution_id,),
    ).fetchone()
    assert unit[0] == "FAILED" and unit[1] == "C1-INP-001" and "InputDataError" in unit[2]
    # the replay of the failed units succeeds and writes only the missing key
    replay = ops.replay(alice, ReplayOf(first.execution_id, failed_only=True), reason="price file reloaded")
    assert replay.preview.units == [(DAY, "T3")] and replay.preview.replay_kind == "SINGLE"
    done = wait_terminal(db, replay.execution_id)
    assert done.status == "SUCCESS" and done.replay_of == first.execution_id
    assert (
        raw.execute("SELECT count(*) FROM c1.result WHERE job_id = 'flaky' AND is_active").fetchone()[0] == 5
    )


def test_transient_errors_are_retried_and_attempts_recorded(
    runner: Runner, alice: ops.Session, db: Database, raw: psycopg.Connection
) -> None:
    created = ops.trigger(alice, "transient", date_from=DAY)
    assert wait_terminal(db, created.execution_id).status == "SUCCESS"
    attempts = {
        r[0]
        for r in raw.execute(
            "SELECT attempts FROM c1.execution_unit WHERE execution_id = %s", (created.execution_id,)
        )
    }
    assert attempts == {2}


def test_stop_on_first_failure_skips_the_rest(
    runner: Runner, alice: ops.Session, db: Database, raw: psycopg.Connection
) -> None:
    created = ops.trigger(alice, "strict", date_from=DAY)
    done = wait_terminal(db, created.execution_id)
    assert done.status == "FAILED"
    statuses = dict(
        raw.execute(
            "SELECT target_key, status FROM c1.execution_unit WHERE execution_id = %s",
            (created.execution_id,),
        ).fetchall()
    )
    assert statuses == {"T1": "SUCCESS", "T2": "SUCCESS", "T3": "FAILED", "T4": "SKIPPED", "T5": "SKIPPED"}


def test_stop_within_a_second_then_resume_runs_only_the_rest(
    runner: Runner, alice: ops.Session, db: Database, raw: psycopg.Connection
) -> None:
    created = ops.trigger(alice, "slow", date_from=DAY, date_to=date(2026, 11, 3), reason="two days")
    assert created.preview.units.__len__() == 80
    wait_until(lambda: execution(db, created.execution_id).units_done >= 5, what="some units done")
    requested = datetime.now(UTC)
    assert ops.stop(alice, created.execution_id, "wrong prices loaded") == "RUNNING"
    stopped = wait_terminal(db, created.execution_id)
    assert stopped.status == "STOPPED" and stopped.stop_reason == "wrong prices loaded"
    assert stopped.ended_at is not None and (stopped.ended_at - requested).total_seconds() < 1.0
    assert stopped.units_done < 80
    last_event = raw.execute(
        "SELECT actor, message FROM c1.execution_event WHERE execution_id = %s"
        " ORDER BY event_id DESC LIMIT 1",
        (created.execution_id,),
    ).fetchone()
    assert last_event == ("alice", "wrong prices loaded")
    with pytest.raises(Refused):
        ops.stop(alice, created.execution_id, "again")

    resumed = ops.resume(alice, created.execution_id, reason="prices fixed")
    assert len(resumed.preview.units) == 80 - stopped.units_done
    done = wait_terminal(db, resumed.execution_id)
    assert (
        done.status == "SUCCESS" and done.resumed_from == created.execution_id and done.run_type == "MANUAL"
    )
    assert (
        raw.execute("SELECT count(*) FROM c1.result WHERE job_id = 'slow' AND is_active").fetchone()[0] == 80
    )
    assert active_per_key(raw) == 1
    with pytest.raises(Refused):
        ops.resume(alice, created.execution_id, reason="twice")


def test_stop_of_a_ready_execution_is_immediate(
    db: Database, alice: ops.Session, raw: psycopg.Connection
) -> None:
    created = ops.trigger(alice, "noop", date_from=DAY)  # no runner: stays READY
    assert ops.stop(alice, created.execution_id, "not today") == "STOPPED"
    assert execution(db, created.execution_id).status == "STOPPED"
    assert {
        r[0]
        for r in raw.execute(
            "SELECT status FROM c1.execution_unit WHERE execution_id = %s", (created.execution_id,)
        )
    } == {"SKIPPED"}


def test_range_replay_supersedes_and_keeps_old_results(
    runner: Runner, alice: ops.Session, db: Database, raw: psycopg.Connection
) -> None:
    first = ops.trigger(alice, "noop", date_from=DAY, date_to=date(2026, 11, 3))
    wait_terminal(db, first.execution_id)
    counts_before = raw.execute("SELECT count(*) FROM c1.execution").fetchone()[0]
    preview = ops.replay(alice, ReplayRange("noop", DAY, date(2026, 11, 3)), reason=None, dry_run=True)
    assert isinstance(preview, ops.Preview)
    assert len(preview.units) == 10 and preview.supersedes == 10
    assert (
        raw.execute("SELECT count(*) FROM c1.execution").fetchone()[0] == counts_before
    )  # dry run wrote nothing
    replay = ops.replay(alice, ReplayRange("noop", DAY, date(2026, 11, 3)), reason="vendor restated")
    assert wait_terminal(db, replay.execution_id).status == "SUCCESS"
    rows = raw.execute(
        """SELECT old.is_active, new.execution_id, new.is_active
             FROM c1.result old JOIN c1.result new ON old.superseded_by = new.result_id
            WHERE old.execution_id = %s""",
        (first.execution_id,),
    ).fetchall()
    assert len(rows) == 10
    assert all(r == (False, replay.execution_id, True) for r in rows)
    assert active_per_key(raw) == 1
    entry = raw.execute(
        "SELECT actor, reason, details->>'units' FROM c1.audit_log WHERE action = 'exec.replay'"
    ).fetchone()
    assert entry == ("alice", "vendor restated", "10")


def test_full_and_single_replays(runner: Runner, alice: ops.Session, db: Database) -> None:
    wait_terminal(db, ops.trigger(alice, "noop", date_from=DAY, date_to=date(2026, 11, 3)).execution_id)
    full = ops.replay(alice, ReplayFull("noop"), reason="restatement", dry_run=True)
    assert full.replay_kind == "FULL" and len(full.units) == 10
    single = ops.replay(alice, ReplaySingle("noop", "T2"), reason="one account")
    assert single.preview.replay_kind == "SINGLE" and single.preview.units == [
        (DAY, "T2"),
        (date(2026, 11, 3), "T2"),
    ]
    assert wait_terminal(db, single.execution_id).status == "SUCCESS"


@pytest.mark.parametrize(
    ("asked", "problem"),
    [
        (ReplayRange("nope", DAY, DAY), BadInput),
        (ReplayRange("noop", date(2026, 11, 5), DAY), BadInput),
        (ReplayRange("noop", date(2026, 11, 7), date(2026, 11, 8)), BadInput),  # weekend
        (ReplaySingle("noop", "T99", DAY, DAY), BadInput),
        (ReplayOf(999), BadInput),
        (ReplayFull("noop"), Refused),  # nothing recorded yet
    ],
)
def test_bad_replays_are_refused_and_write_nothing(
    alice: ops.Session, raw: psycopg.Connection, asked: ReplayRequest, problem: type
) -> None:
    with pytest.raises(problem):
        ops.replay(alice, asked, reason="x")
    assert raw.execute("SELECT count(*) FROM c1.execution").fetchone()[0] == 0
    assert raw.execute("SELECT count(*) FROM c1.audit_log").fetchone()[0] == 0


def test_a_viewer_cannot_act(db: Database, registry, settings, raw: psycopg.Connection) -> None:  # type: ignore[no-untyped-def]
    viewer = session(db, settings, registry, operator="victor", role="viewer")
    with pytest.raises(Refused, match="victor is viewer"):
        ops.trigger(viewer, "noop", date_from=DAY)
    assert raw.execute("SELECT count(*) FROM c1.execution").fetchone()[0] == 0


def test_pause_stops_schedule_fires(
    runner: Runner,
    alice: ops.Session,
    db: Database,
    registry,  # type: ignore[no-untyped-def]
    raw: psycopg.Connection,
) -> None:
    flaky = registry.require("flaky")
    at = datetime(2026, 11, 2, 21, 0, tzinfo=UTC)  # 06:00 in Seoul on Tuesday: processes Monday
    ops.set_job_paused(alice, "flaky", True, "vendor outage")
    assert runner.fire(flaky, at) is None
    with pytest.raises(Refused):
        ops.set_job_paused(alice, "flaky", True, "again")
    ops.set_job_paused(alice, "flaky", False, "vendor back")
    execution_id = runner.fire(flaky, at)
    assert execution_id is not None
    assert execution(db, execution_id).business_date_from == DAY
    actions = [r[0] for r in raw.execute("SELECT action FROM c1.audit_log ORDER BY audit_id")]
    assert actions == ["job.pause", "job.resume"]


def test_fire_times_are_exact() -> None:
    trigger = testjobs.build().require("flaky").trigger
    assert trigger is not None
    times = fire_times(trigger, datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 11, 5, tzinfo=UTC))
    assert [t.astimezone(UTC).isoformat() for t in times] == [
        "2026-11-01T21:00:00+00:00",
        "2026-11-02T21:00:00+00:00",
        "2026-11-03T21:00:00+00:00",
        "2026-11-04T21:00:00+00:00",
    ]


@pytest.mark.parametrize(
    ("field", "names"),
    [
        ("1-5", "mon,tue,wed,thu,fri"),
        ("0", "sun"),
        ("7", "sun"),
        ("0-6/2", "sun,tue,thu,sat"),
        ("*", "*"),
        ("6,0", "sat,sun"),
        ("mon-fri", "mon-fri"),
        ("*/3", "sun,wed,sat"),
    ],
)
def test_cron_weekdays_follow_crontab(field: str, names: str) -> None:
    from c1console.jobs import crontab_weekdays

    assert crontab_weekdays(field) == names


@pytest.mark.parametrize("cron", ["61 * * * *", "* * *", "0 6 * * 9", "every day", "0 6 * * 5-1"])
def test_bad_cron_is_one_clear_error(cron: str) -> None:
    from c1console.jobs import parse_schedule

    with pytest.raises(BadInput, match="bad cron expression"):
        parse_schedule("j", cron, "UTC")
