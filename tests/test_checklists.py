"""Daily and monthly checklists against a real database: open vs resolved, missed fires, counts that
match SQL taken directly, exit codes for cron, sign-off."""

from __future__ import annotations

import json
import random
from datetime import UTC, date, datetime, timedelta

import psycopg
import pytest

from c1console import checklists, ops
from c1console.cli import run
from c1console.errors import BadInput
from c1console.presentation import NO_ALERT_CHANNEL, timestamp
from c1console.requests import ReplayOf
from c1console.scheduler.runner import Runner
from c1console.store.engine import Database
from tests.jobmods import testjobs
from tests.runtime import runner_settings, session, wait_terminal

DAY = date(2026, 11, 2)


def test_open_failure_then_resolved_by_replay_and_missed_fire(
    db: Database, db_url: str, raw: psycopg.Connection
) -> None:
    settings = runner_settings(db_url)
    registry = testjobs.build()
    alice = session(db, settings, registry)
    runner = Runner(db, registry, settings).start()
    try:
        failed = ops.trigger(alice, "flaky", date_from=DAY, reason="morning")
        wait_terminal(db, failed.execution_id)
        raw.execute(
            "INSERT INTO c1.missed_fire (job_id, scheduled_for, detected_by)"
            " VALUES ('flaky', '2026-11-02 06:00+09', 'test')"
        )
        before = checklists.daily(db, DAY, tz="Asia/Seoul")
        assert before.verdict == "ATTENTION"
        [item] = before.failures
        assert (item.execution_id, item.resolved, item.open_units, item.error_code) == (
            failed.execution_id,
            False,
            1,
            "C1-INP-001",
        )
        assert item.operator == "alice"
        assert before.missed == [{"job_id": "flaky", "scheduled_for": "2026-11-01T21:00:00+00:00"}]
        flaky_day = next(j for j in before.jobs if j.job_id == "flaky")
        assert (flaky_day.expected_fires, flaky_day.missed, flaky_day.verdict) == (1, 1, "ATTENTION")

        replay = ops.replay(alice, ReplayOf(failed.execution_id, failed_only=True), reason="file reloaded")
        wait_terminal(db, replay.execution_id)
    finally:
        runner.stop()
    after = checklists.daily(db, DAY, tz="Asia/Seoul")
    [item] = after.failures
    assert item.resolved and item.resolved_by == replay.execution_id and item.verdict == "OK"
    assert after.verdict == "ATTENTION"  # the missed fire is still there
    text = checklists.render_daily(after)
    fired_at = timestamp(datetime(2026, 11, 1, 21, tzinfo=UTC))  # local time, like every other time
    assert f"resolved by #{replay.execution_id}" in text and f"flaky at {fired_at}" in text
    assert "T21:00" not in text


def test_cli_daily_exit_codes_and_json(
    cli_env: str,
    raw: psycopg.Connection,
    capsys,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    raw.execute("INSERT INTO c1.job (job_id, title, definition_hash) VALUES ('val', 'Valuation', 'h')")
    execution_id = raw.execute(
        "INSERT INTO c1.execution (job_id, run_type, business_date_from, business_date_to, requested_by,"
        " units_total) VALUES ('val', 'MANUAL', %s, %s, 'bob', 1) RETURNING execution_id",
        (DAY, DAY),
    ).fetchone()[0]
    raw.execute(
        "INSERT INTO c1.execution_unit (execution_id, business_date, target_key) VALUES (%s, %s, 'A')",
        (execution_id, DAY),
    )
    raw.execute(
        "UPDATE c1.execution SET status = 'RUNNING', started_at = now() WHERE execution_id = %s",
        (execution_id,),
    )
    raw.execute(
        "UPDATE c1.execution_unit SET status = 'FAILED', error_code = 'C1-DQ-004' WHERE execution_id = %s",
        (execution_id,),
    )
    raw.execute(
        "UPDATE c1.execution SET status = 'FAILED', ended_at = now(), error_code = 'C1-DQ-004'"
        " WHERE execution_id = %s",
        (execution_id,),
    )
    assert run(["checklist", "daily", "--date", DAY.isoformat()]) == 1
    text = capsys.readouterr().out
    assert "ATTENTION" in text and f"#{execution_id} val FAILED" in text and "OPEN" in text
    assert run(["checklist", "daily", "--date", DAY.isoformat(), "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["verdict"] == "ATTENTION" and data["failures"][0]["execution_id"] == execution_id
    assert data["failures"][0]["resolved"] is False
    assert data["alert_channels"] == []  # cli_env configures no [alerts]: said, not shown as "none"
    assert run(["checklist", "daily", "--date", "2026-11-03"]) == 0
    text = capsys.readouterr().out
    assert "Daily checklist 2026-11-03: OK" in text and NO_ALERT_CHANNEL in text
    assert run(["checklist", "daily", "--date", DAY.isoformat(), "--format", "md"]) == 1
    assert capsys.readouterr().out.startswith("# Daily checklist 2026-11-02: ATTENTION")


def _generate(raw: psycopg.Connection, month_start: datetime, n: int, seed: int) -> None:
    rng = random.Random(seed)
    for job in ("a", "b", "c"):
        raw.execute(
            "INSERT INTO c1.job (job_id, title, definition_hash) VALUES (%s, %s, 'h') ON CONFLICT DO NOTHING",
            (job, job),
        )
    for _ in range(n):
        created = month_start + timedelta(seconds=rng.randrange(0, 40 * 86400))
        run_type = rng.choice(["AUTO", "MANUAL", "REPLAY", "REPLAY"])
        kind = rng.choice(["FULL", "RANGE", "SINGLE"]) if run_type == "REPLAY" else None
        job = rng.choice(["a", "b", "c"])
        execution_id = raw.execute(
            "INSERT INTO c1.execution (job_id, run_type, business_date_from, business_date_to, requested_by,"
            " replay_kind, reason, scheduled_for, created_at) VALUES (%s, %s, %s, %s, 'x', %s, %s, %s, %s)"
            " RETURNING execution_id",
            (
                job,
                run_type,
                created.date(),
                created.date(),
                kind,
                "r" if kind else None,
                created if run_type == "AUTO" else None,
                created,
            ),
        ).fetchone()[0]
        raw.execute(
            "UPDATE c1.execution SET status = 'RUNNING', started_at = %s WHERE execution_id = %s",
            (created, execution_id),
        )
        if rng.random() < 0.4:
            code = rng.choice(["C1-INP-001", "C1-EXT-002", "C1-DQ-004", None])
            raw.execute(
                "UPDATE c1.execution SET status = 'FAILED', ended_at = %s, error_code = %s"
                " WHERE execution_id = %s",
                (created, code, execution_id),
            )
        else:
            raw.execute(
                "UPDATE c1.execution SET status = 'SUCCESS', ended_at = %s WHERE execution_id = %s",
                (created, execution_id),
            )


def test_monthly_counts_match_sql(db: Database, raw: psycopg.Connection) -> None:
    _generate(raw, datetime(2026, 9, 20, tzinfo=UTC), 600, seed=11)
    month = checklists.monthly(db, date(2026, 10, 1), tz="UTC")
    window = ("2026-10-01 00:00+00", "2026-11-01 00:00+00")
    replays = dict(
        ((r[0], r[1]), r[2])
        for r in raw.execute(
            "SELECT job_id, replay_kind, count(*) FROM c1.execution WHERE run_type = 'REPLAY'"
            " AND created_at >= %s AND created_at < %s GROUP BY 1, 2",
            window,
        )
    )
    computed = {
        (job, kind): sum(weeks) for job, kinds in month.replays.items() for kind, weeks in kinds.items()
    }
    assert computed == replays and month.replay_total == sum(replays.values()) > 0
    previous = raw.execute(
        "SELECT count(*) FROM c1.execution WHERE run_type = 'REPLAY' AND created_at >= %s"
        " AND created_at < %s",
        ("2026-09-01 00:00+00", window[0]),
    ).fetchone()[0]
    assert month.replay_total_previous == previous > 0
    codes = dict(
        raw.execute(
            "SELECT coalesce(error_code, 'unknown'), count(*) FROM c1.execution WHERE status = 'FAILED'"
            " AND created_at >= %s AND created_at < %s GROUP BY 1",
            window,
        ).fetchall()
    )
    assert {e.code: e.failures for e in month.errors} == codes
    assert sum(month.failures_per_day) == sum(codes.values()) and len(month.failures_per_day) == 31
    assert month.still_open == sum(codes.values())  # nothing replaced their units: all open


def test_sign_off_needs_a_reason_when_items_are_open(
    db: Database, db_url: str, raw: psycopg.Connection
) -> None:
    alice = session(db, runner_settings(db_url), testjobs.build())
    clean = checklists.daily(db, date(2026, 11, 3))
    with pytest.raises(BadInput):
        ops.sign_checklist(alice, clean, "")
    ops.sign_checklist(alice, clean, "all green")
    ops.sync_jobs(alice)
    raw.execute(
        "INSERT INTO c1.missed_fire (job_id, scheduled_for, detected_by) VALUES ('noop', %s, 't')",
        (datetime(2026, 11, 2, 6, tzinfo=UTC),),
    )
    attention = checklists.daily(db, DAY)
    assert attention.verdict == "ATTENTION"
    with pytest.raises(BadInput, match="needs attention"):
        ops.sign_checklist(alice, attention, "ok")
    ops.sign_checklist(alice, attention, "runner host was patched; fire re-run by hand as #12")
    signed = checklists.daily(db, DAY)
    assert signed.signoffs[-1]["signed_by"] == "alice"
    rows = raw.execute(
        "SELECT object_id, details->>'verdict' FROM c1.audit_log WHERE action = 'checklist.sign'"
        " ORDER BY audit_id"
    ).fetchall()
    assert rows == [("daily:2026-11-03", "OK"), ("daily:2026-11-02", "ATTENTION")]
    snapshot = raw.execute(
        "SELECT snapshot->>'verdict' FROM c1.checklist_signoff ORDER BY signoff_id DESC LIMIT 1"
    ).fetchone()[0]
    assert snapshot == "ATTENTION"


def test_schedule_fires_count_on_the_jobs_own_calendar_day(db: Database, raw: psycopg.Connection) -> None:
    raw.execute(
        "INSERT INTO c1.job (job_id, title, definition_hash, schedule_cron, timezone)"
        " VALUES ('seoul', 'Seoul job', 'h', '0 6 * * 1-5', 'Asia/Seoul')"
    )
    raw.execute(
        "INSERT INTO c1.execution (job_id, run_type, business_date_from, business_date_to, requested_by,"
        " scheduled_for) VALUES ('seoul', 'AUTO', '2026-10-30', '2026-10-30', 'system',"
        " '2026-11-02 06:00+09')"
    )  # Sunday 21:00 UTC, Monday 06:00 in Seoul
    [job] = checklists.daily(db, DAY, tz="UTC").jobs
    assert (job.expected_fires, job.auto_runs, job.missed) == (1, 1, 0)


def _daily(**changes: object) -> checklists.Daily:
    plain = checklists.Daily(
        business_date=DAY,
        verdict="OK",
        jobs=[],
        failures=[],
        missed=[],
        long_running=[],
        failed_deliveries=[],
    )
    return checklists.Daily(**{**plain.__dict__, **changes})


def test_no_alert_channel_is_said_in_text_markdown_and_json() -> None:
    unheard = _daily(alert_channels=[])
    for markdown in (False, True):
        text = checklists.render_daily(unheard, markdown=markdown)
        section = text.split("Alert deliveries that failed", 1)[1]
        assert NO_ALERT_CHANNEL in section and "none" not in section
    data = json.loads(checklists.to_json(unheard))
    assert data["alert_channels"] == [] and data["failed_deliveries"] == [] and data["open_items"] == 0

    heard = _daily(alert_channels=["slack"])
    assert NO_ALERT_CHANNEL not in checklists.render_daily(heard)
    assert checklists.render_daily(heard).endswith("Alert deliveries that failed\n  none\n")
    assert json.loads(checklists.to_json(heard))["alert_channels"] == ["slack"]
    # computed without the settings (None): nothing claimed either way
    assert NO_ALERT_CHANNEL not in checklists.render_daily(_daily())


def test_missed_fires_and_long_runs_read_as_local_times() -> None:
    c = _daily(
        missed=[{"job_id": "prices", "scheduled_for": "2026-12-01T21:00:00+00:00"}],
        long_running=[
            {
                "execution_id": 7,
                "job_id": "prices",
                "started_at": "2026-12-01T22:30:00+00:00",
                "runner_id": None,
            }
        ],
    )
    text = checklists.render_daily(c)
    missed_at = timestamp(datetime(2026, 12, 1, 21, tzinfo=UTC))
    since = timestamp(datetime(2026, 12, 1, 22, 30, tzinfo=UTC))
    assert f"prices at {missed_at}" in text and f"#7 prices since {since}" in text
    assert "+00:00" not in text and "T21:00" not in text
    # the JSON keeps the exact instant
    assert json.loads(checklists.to_json(c))["missed"][0]["scheduled_for"] == "2026-12-01T21:00:00+00:00"
