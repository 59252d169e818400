"""Daily and monthly checklists against a real database and runner: open vs resolved by the one definition
(c1.failure), a failure and its failed resume as one item, missed fires, counts by business date that match
SQL taken directly, MTTR from the fixes, exit codes for cron, sign-off."""

from __future__ import annotations

import json
import os
import pwd
import random
import time
from datetime import UTC, date, datetime, timedelta

import psycopg
import pytest

from c1console import checklists, ops
from c1console.checklist_text import ordinal
from c1console.cli import run
from c1console.errors import BadInput, InputDataError, Refused
from c1console.jobs import JobDefinition, UnitContext
from c1console.presentation import NO_ALERT_CHANNEL, timestamp
from c1console.queries import ConsoleQueries
from c1console.requests import ReplayOf
from c1console.scheduler.runner import Runner
from c1console.screens.detail_summary import story
from c1console.store.engine import Database
from tests.jobmods import testjobs
from tests.rawsql import grant_role
from tests.runtime import execution, runner_settings, session, wait_terminal, wait_until

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
    assert (item.state, item.is_open, item.short_state()) == ("RESOLVED", False, f"↻ #{replay.execution_id}")
    assert after.verdict == "ATTENTION" and after.open_items == 1  # the missed fire is still there
    text = checklists.render_daily(after)
    fired_at = timestamp(datetime(2026, 11, 1, 21, tzinfo=UTC))  # local time, like every other time
    assert f"↻ resolved by #{replay.execution_id}" in text and f"flaky at {fired_at}" in text
    assert "T21:00" not in text and "by business date" in text
    detail = ConsoleQueries(db).detail(failed.execution_id)
    assert detail is not None
    told = story(detail, UTC, can_act=True)
    assert told is not None and told.plain.startswith(f"↻ resolved: replayed by #{replay.execution_id} ✔ at ")
    [failure] = json.loads(checklists.to_json(after))["failures"]
    assert (failure["open"], failure["state"], failure["resolved_by"]) == (
        False,
        "RESOLVED",
        replay.execution_id,
    )


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
    assert data["failures"][0]["resolved"] is False and data["failures"][0]["open"] is True
    assert data["basis"] == "business date" and data["open_items"] == 1
    assert data["alert_channels"] == []  # cli_env configures no [alerts]: said, not shown as "none"
    assert run(["checklist", "daily", "--date", "2026-11-03"]) == 0
    text = capsys.readouterr().out
    assert "Daily checklist 2026-11-03: OK" in text and NO_ALERT_CHANNEL in text
    assert run(["checklist", "daily", "--date", DAY.isoformat(), "--format", "md"]) == 1
    markdown = capsys.readouterr().out
    assert markdown.startswith("# Daily checklist 2026-11-02: ATTENTION\nby business date")


# A unit function that fails T1 (except in a REPLAY) and holds T2 until an operator asks to stop.
HOLD = {"armed": False}


def fails_then_holds(business_date: date, target: str, ctx: UnitContext) -> dict[str, str]:
    if target == "T1" and ctx.run_type != "REPLAY":
        raise InputDataError(f"price for {target} on {business_date} missing")
    if target == "T2" and HOLD["armed"]:
        HOLD["armed"] = False
        deadline = time.monotonic() + 15
        while not ctx.stop_requested() and time.monotonic() < deadline:
            time.sleep(0.01)  # a unit that runs until it is stopped
    return {"target": target}


def test_stopped_after_a_failure_and_its_failed_resume_are_one_open_item(
    db: Database, db_url: str, raw: psycopg.Connection
) -> None:
    settings = runner_settings(db_url)
    registry = testjobs.build()
    registry.add(
        JobDefinition(
            "holding", "Fails T1, holds T2", fails_then_holds, lambda _d: testjobs.TARGETS, chunk_size=1
        )
    )
    alice = session(db, settings, registry)
    runner = Runner(db, registry, settings).start()
    try:
        ops.sync_jobs(alice)
        HOLD["armed"] = True
        created = ops.trigger(alice, "holding", date_from=DAY, reason="first run")
        wait_until(lambda: execution(db, created.execution_id).units_failed >= 1, what="T1 to fail")
        ops.stop(alice, created.execution_id, "wrong prices loaded")
        stopped = wait_terminal(db, created.execution_id)
        # a unit had failed: it ends FAILED (its code and alert stand), stopped by alice
        assert (stopped.status, stopped.stop_requested_by, stopped.error_code) == (
            "FAILED",
            "alice",
            "C1-INP-001",
        )
        before = checklists.daily(db, DAY)
        [item] = before.failures
        assert item.stopped == "stopped by alice after 1 failed unit" and item.is_open
        assert "stopped by alice after 1 failed unit: ● OPEN: 4 unit(s)" in checklists.render_daily(before)

        resumed = ops.resume(alice, created.execution_id, "prices reloaded")
        assert isinstance(resumed, ops.Created)
        assert wait_terminal(db, resumed.execution_id).status == "FAILED"  # T1 fails again in a MANUAL run
    finally:
        runner.stop()
    after = checklists.daily(db, DAY)
    first, second = after.failures
    assert (first.execution_id, first.state, first.handed_to, first.is_open, first.verdict) == (
        created.execution_id,
        "HANDED_ON",
        resumed.execution_id,
        False,
        "OK",
    )
    assert (second.execution_id, second.state, second.open_units, second.verdict) == (
        resumed.execution_id,
        "OPEN",
        1,
        "ATTENTION",
    )
    assert after.open_items == 1 and first.short_state() == f"→ #{resumed.execution_id}"
    text = checklists.render_daily(after)
    assert f"→ handed on to #{resumed.execution_id}" in text and "(2; 1 open)" in text
    holding = next(j for j in after.jobs if j.job_id == "holding")
    assert holding.verdict == "ATTENTION"
    # the drill-down tells the same story, from the read side
    queries = ConsoleQueries(db)
    original, resume = queries.detail(created.execution_id), queries.detail(resumed.execution_id)
    assert original is not None and resume is not None
    told = story(original, UTC, can_act=True)
    assert (
        told is not None and told.plain == f"→ handed on to #{resumed.execution_id} (its resume failed too)"
    )
    told = story(resume, UTC, can_act=True)
    assert (
        told is not None and told.plain == "● open: 1 unit(s) still failing — r replays them, a acknowledges"
    )
    assert {(u.target_key, u.handed_to, u.fixed_by) for u in original.failed_units} == {
        ("T1", resumed.execution_id, None),
        *((t, None, resumed.execution_id) for t in ("T3", "T4", "T5")),
    }

    ops.acknowledge(alice, resumed.execution_id, "T1 is delisted; nothing to compute")
    acked = checklists.daily(db, DAY)
    assert [f.state for f in acked.failures] == ["HANDED_ON", "ACKNOWLEDGED"]
    assert (acked.open_items, acked.verdict) == (0, "OK")
    assert acked.failures[1].acked_by == "alice"
    assert "✓ acknowledged by alice: T1 is delisted; nothing to compute" in checklists.render_daily(acked)


def _generate(raw: psycopg.Connection, month_start: datetime, n: int, seed: int) -> None:
    """Executions created over 40 days, each with business dates up to 9 days before its creation and up to
    3 days long (so creation month and business month often differ); failed ones with a failed unit."""
    rng = random.Random(seed)
    for job in ("a", "b", "c"):
        raw.execute(
            "INSERT INTO c1.job (job_id, title, definition_hash) VALUES (%s, %s, 'h') ON CONFLICT DO NOTHING",
            (job, job),
        )
    for _ in range(n):
        created = month_start + timedelta(seconds=rng.randrange(0, 40 * 86400))
        first = created.date() - timedelta(days=rng.randrange(0, 10))
        last = first + timedelta(days=rng.randrange(0, 3))
        run_type = rng.choice(["AUTO", "MANUAL", "REPLAY", "REPLAY"])
        kind = rng.choice(["FULL", "RANGE", "SINGLE"]) if run_type == "REPLAY" else None
        job = rng.choice(["a", "b", "c"])
        execution_id = raw.execute(
            "INSERT INTO c1.execution (job_id, run_type, business_date_from, business_date_to, requested_by,"
            " replay_kind, reason, scheduled_for, created_at, units_total)"
            " VALUES (%s, %s, %s, %s, 'x', %s, %s, %s, %s, 1) RETURNING execution_id",
            (
                job,
                run_type,
                first,
                last,
                kind,
                "r" if kind else None,
                created if run_type == "AUTO" else None,
                created,
            ),
        ).fetchone()[0]
        raw.execute(
            "INSERT INTO c1.execution_unit (execution_id, business_date, target_key) VALUES (%s, %s, 'A')",
            (execution_id, last),
        )
        raw.execute(
            "UPDATE c1.execution SET status = 'RUNNING', started_at = %s WHERE execution_id = %s",
            (created, execution_id),
        )
        failed = rng.random() < 0.4
        raw.execute(
            "UPDATE c1.execution_unit SET status = %s WHERE execution_id = %s",
            ("FAILED" if failed else "SUCCESS", execution_id),
        )
        if failed:
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


OVERLAPS_OCTOBER = "business_date_from <= '2026-10-31' AND business_date_to >= '2026-10-01'"


def test_monthly_counts_by_business_date_match_sql(db: Database, raw: psycopg.Connection) -> None:
    _generate(raw, datetime(2026, 9, 20, tzinfo=UTC), 600, seed=11)
    month = checklists.monthly(db, date(2026, 10, 1), tz="UTC")
    assert month.basis == "business date"
    replays = dict(
        ((r[0], r[1]), r[2])
        for r in raw.execute(
            "SELECT job_id, replay_kind, count(*) FROM c1.execution WHERE run_type = 'REPLAY'"
            f" AND {OVERLAPS_OCTOBER} GROUP BY 1, 2"
        )
    )
    computed = {
        (job, kind): sum(weeks) for job, kinds in month.replays.items() for kind, weeks in kinds.items()
    }
    assert computed == replays and month.replay_total == sum(replays.values()) > 0
    # a replay from September 29 to October 1 counts in October's first week
    weeks = raw.execute(
        "SELECT count(*) FROM c1.execution WHERE run_type = 'REPLAY' AND business_date_to >= '2026-10-01'"
        " AND business_date_from <= '2026-10-07'"
    ).fetchone()[0]
    assert sum(kinds[kind][0] for kinds in month.replays.values() for kind in kinds) == weeks
    previous = raw.execute(
        "SELECT count(*) FROM c1.execution WHERE run_type = 'REPLAY'"
        " AND business_date_from <= '2026-09-30' AND business_date_to >= '2026-09-01'"
    ).fetchone()[0]
    assert month.replay_total_previous == previous > 0
    codes = dict(
        raw.execute(
            "SELECT coalesce(error_code, 'unknown'), count(*) FROM c1.execution WHERE status = 'FAILED'"
            f" AND {OVERLAPS_OCTOBER} GROUP BY 1"
        ).fetchall()
    )
    assert {e.code: e.failures for e in month.errors} == codes
    # per business day: each failure on every day it covers, as each day's daily checklist lists it
    october = [date(2026, 10, 1) + timedelta(days=n) for n in range(31)]
    assert (
        month.failures_per_day
        == [sum(f.status == "FAILED" for f in checklists.daily(db, day).failures) for day in october[:3]]
        + month.failures_per_day[3:]
    )
    covered = raw.execute(
        "SELECT count(*) FROM c1.execution e, generate_series(greatest(e.business_date_from, '2026-10-01'),"
        " least(e.business_date_to, '2026-10-31'), interval '1 day') WHERE e.status = 'FAILED'"
        f" AND {OVERLAPS_OCTOBER}"
    ).fetchone()[0]
    assert sum(month.failures_per_day) == covered > sum(codes.values()) and len(month.failures_per_day) == 31
    assert month.still_open == sum(codes.values())  # nothing replaced their units: all open
    assert (month.recovered, month.mttr_seconds) == (0, None)


def test_monthly_counts_a_failure_by_its_business_date_and_mttr_from_its_fix(
    db: Database, runner: Runner, alice: ops.Session, raw: psycopg.Connection
) -> None:
    march = date(2025, 3, 3)  # business dates long before the executions are created (now)
    failed = ops.trigger(alice, "flaky", date_from=march, date_to=march, reason="backfill")
    assert wait_terminal(db, failed.execution_id).status == "FAILED"
    month = checklists.monthly(db, date(2025, 3, 1))
    assert ([(e.code, e.failures, e.first_seen) for e in month.errors], month.still_open) == (
        [("C1-INP-001", 1, "2025-03-03")],
        1,
    )
    assert month.failures_per_day[2] == 1 and sum(month.failures_per_day) == 1
    created_in = checklists.monthly(db, datetime.now(UTC).date().replace(day=1))
    assert created_in.errors == [] and created_in.still_open == 0  # not in the month it was created

    replay = ops.replay(alice, ReplayOf(failed.execution_id, failed_only=True), reason="price file reloaded")
    wait_terminal(db, replay.execution_id)
    month = checklists.monthly(db, date(2025, 3, 1))
    ended, fixed = raw.execute(
        "SELECT e.ended_at, f.fixed_at FROM c1.execution e JOIN c1.failure f USING (execution_id)"
        " WHERE execution_id = %s AND f.state = 'RESOLVED'",
        (failed.execution_id,),
    ).fetchone()
    assert (month.recovered, month.still_open) == (1, 0)
    assert month.mttr_seconds == pytest.approx((fixed - ended).total_seconds())
    [(job, kinds)] = month.replays.items()
    assert job == "flaky" and [weeks[0] for weeks in kinds.values()] == [1]  # March 3: week 1
    assert month.interventions["alice"] == {"exec.replay": 1, "exec.trigger": 1}
    for markdown in (False, True):
        text = checklists.render_monthly(month, markdown=markdown)
        assert "by business date" in text and "1 recovered failure(s)" in text and "0 still open" in text
    assert json.loads(checklists.to_json(month))["basis"] == "business date"


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


# Sign-offs are kept, all of them (issue 16): signing a signed period adds one, and says so before. --------


def test_signing_again_adds_a_sign_off_and_names_the_earlier_ones(
    cli_env: str,
    raw: psycopg.Connection,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    me = pwd.getpwuid(os.geteuid()).pw_name  # who the command line acts as
    monkeypatch.setenv("C1_JOBS", "tests.jobmods.testjobs")
    grant_role(raw, me, "operator")
    day = "2026-11-03"
    sign = ["checklist", "sign", "daily", day, "--yes"]
    assert run([*sign, "--comment", "all green at 08:00"]) == 0
    first = capsys.readouterr().out
    assert f"will sign the daily checklist {day} off" in first and "already" not in first
    [(first_at,)] = raw.execute("SELECT signed_at FROM c1.checklist_signoff").fetchall()

    assert run([*sign, "--comment", "looked again after the late feed"]) == 0
    out = capsys.readouterr().out.splitlines()
    # the question names what is there and says it ADDs: nothing is replaced
    assert out[0].startswith(f"will ADD a second sign-off to the daily checklist {day} (OK, 0 open item(s))")
    assert out[1] == f"  already signed by {me} at {timestamp(first_at)}; every one is kept, newest first:"
    assert out[2] == f"    {timestamp(first_at)} {me}: all green at 08:00"
    assert out[3].endswith("; 2 sign-offs in all)")
    rows = raw.execute(
        "SELECT signed_by, comment FROM c1.checklist_signoff WHERE period = %s ORDER BY signoff_id", (day,)
    ).fetchall()
    assert rows == [(me, "all green at 08:00"), (me, "looked again after the late feed")]
    details = raw.execute(
        "SELECT details->'earlier_signoffs' FROM c1.audit_log WHERE action = 'checklist.sign'"
        " ORDER BY audit_id"
    ).fetchall()
    assert [len(d[0]) for d in details] == [0, 1]

    # every rendering lists them all, newest first; the JSON keeps both
    assert run(["checklist", "daily", "--date", day]) == 0
    text = capsys.readouterr().out
    assert f"signed by {me} at " in text and "(2 sign-offs)" in text
    history = text.split("Sign-offs (2, newest first)\n", 1)[1].splitlines()
    assert [line.split(": ", 1)[1] for line in history] == [
        "looked again after the late feed",
        "all green at 08:00",
    ]
    assert run(["checklist", "daily", "--date", day, "--format", "md"]) == 0
    assert "## Sign-offs (2, newest first)\n- " in capsys.readouterr().out
    assert run(["checklist", "daily", "--date", day, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [s["comment"] for s in data["signoffs"]] == [
        "all green at 08:00",
        "looked again after the late feed",
    ]


def test_a_sign_off_added_meanwhile_is_not_confirmed_blind(db: Database, db_url: str) -> None:
    """The question counted the sign-offs; when another came meanwhile, confirming is refused."""
    settings = runner_settings(db_url)
    alice = session(db, settings, testjobs.build())
    bob = session(db, settings, testjobs.build(), operator="bob")
    clean = checklists.daily(db, date(2026, 11, 3))
    asked = ops.sign_checklist(alice, clean, "all green", dry_run=True)
    assert (asked.count, asked.action()) == (0, "sign the daily checklist 2026-11-03")
    ops.sign_checklist(bob, clean, "all green here too")
    with pytest.raises(Refused, match="was signed meanwhile by bob at"):
        ops.sign_checklist(alice, clean, "all green", seen=asked.count)
    again = ops.sign_checklist(alice, clean, "all green", dry_run=True)
    assert again.action() == "ADD a second sign-off to the daily checklist 2026-11-03"
    assert again.describe().startswith("already signed by bob at ")
    ops.sign_checklist(alice, clean, "all green", seen=again.count)
    assert [s["signed_by"] for s in checklists.daily(db, date(2026, 11, 3)).signoffs] == ["bob", "alice"]


def test_ordinals_of_sign_offs() -> None:
    assert [ordinal(n) for n in (1, 2, 3, 10, 11, 12, 13, 21, 22, 23, 101)] == [
        "first",
        "second",
        "third",
        "tenth",
        "11th",
        "12th",
        "13th",
        "21st",
        "22nd",
        "23rd",
        "101st",
    ]
