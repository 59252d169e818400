"""The executions the console shows, with their units, events and log lines, at fixed times before NOW."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from c1console.queries import (
    ACKNOWLEDGED,
    HANDED_ON,
    OPEN,
    RESOLVED,
    Event,
    Execution,
    LogLine,
    Resolution,
    Unit,
)

NOW = datetime(2026, 11, 3, 9, 30, 0, tzinfo=UTC)  # a Tuesday
TODAY = NOW.date()
MONDAY = date(2026, 11, 2)
FRIDAY = date(2026, 10, 30)
TZ = "Asia/Seoul"
FAILED_ID = 1042  # the FAILED execution the snapshots open
RUNNING_ID = 1049
STOPPED_ID = 1038
NEW_ID = 2001  # what canned actions create
# The failures as work items: 1045 and 1041 open; 1042 resolved by its replay 1047, 1038 by its resume
# 1039; 1040 handed on to its replay 1041 (which failed too); 1036 acknowledged. 1043 (SUCCESS) was rolled
# back.
OPEN_IDS = (1045, 1041)
HANDED_ID = 1040
ACKED_ID = 1036
ROLLED_BACK_ID = 1043
# Issue 16: a two-year backfill that failed (DATES 22 characters wide). Only the executions_long_range
# snapshot loads it (long_range_execution), as the newest row, so no other rendering or key path changes.
LONG_RANGE_ID = 1051

PRICES, VALUATION, RECON, PERF = (
    "market_price_ingest",
    "portfolio_valuation",
    "position_reconciliation",
    "performance_calc",
)
FEEDS = ("HKEX", "KRX", "LSE", "NYSE", "TSE")
ACCOUNTS = tuple(f"ACC-{n}" for n in range(1001, 1009))


def frozen_clock() -> datetime:
    return NOW


def at(minutes_ago: float) -> datetime:
    return NOW - timedelta(minutes=minutes_ago)


def execution(
    execution_id: int,
    job_id: str,
    status: str,
    *,
    run_type: str = "AUTO",
    day: date = MONDAY,
    until: date | None = None,
    started: float | None = 60.0,
    took: float | None = 1.5,
    total: int = 5,
    done: int | None = None,
    failed: int = 0,
    code: str | None = None,
    summary: str | None = None,
    by: str | None = None,
    reason: str | None = None,
    kind: str | None = None,
    replay_of: int | None = None,
    resumed_from: int | None = None,
    targets: list[str] | None = None,
    stop: tuple[str, str] | None = None,
) -> Execution:
    started_at = at(started) if started is not None else None
    ended_at = None
    if status in ("SUCCESS", "FAILED", "STOPPED") and started_at is not None and took is not None:
        ended_at = started_at + timedelta(minutes=took)
    finished = total - failed if done is None else done
    return Execution(
        execution_id=execution_id,
        job_id=job_id,
        run_type=run_type,
        status=status,
        business_date_from=day,
        business_date_to=until or day,
        targets=targets,
        replay_kind=kind,
        replay_of=replay_of,
        resumed_from=resumed_from,
        scheduled_for=(started_at - timedelta(seconds=2)) if run_type == "AUTO" and started_at else None,
        requested_by=by or ("scheduler" if run_type == "AUTO" else "alice"),
        reason=reason,
        created_at=(started_at or NOW) - timedelta(seconds=2),
        started_at=started_at,
        ended_at=ended_at,
        runner_id="ops-host-1-4242-a1b2c3" if started_at else None,
        stop_requested_at=at(3) if stop else None,
        stop_requested_by=stop[0] if stop else None,
        stop_reason=stop[1] if stop else None,
        error_code=code,
        error_summary=summary,
        units_total=total,
        units_done=finished,
        units_failed=failed,
    )


def executions() -> list[Execution]:
    rows = [
        execution(
            1050,
            VALUATION,
            "READY",
            run_type="MANUAL",
            started=None,
            total=12,
            done=0,
            reason="client asked for an intraday revaluation",
        ),
        execution(
            RUNNING_ID,
            PRICES,
            "RUNNING",
            started=0.4,
            took=None,
            total=40,
            done=17,
            failed=1,
            day=TODAY,
            code=None,
        ),
        execution(1048, RECON, "SUCCESS", started=8, took=0.7, total=8),
        execution(
            1047,
            RECON,
            "SUCCESS",
            run_type="REPLAY",
            kind="SINGLE",
            replay_of=FAILED_ID,
            started=12,
            took=0.2,
            total=1,
            targets=["ACC-1003"],
            reason="custodian resent the file",
        ),
        execution(1046, VALUATION, "SUCCESS", started=25, took=2.2, total=12),
        execution(
            1045,
            PERF,
            "FAILED",
            run_type="MANUAL",
            day=date(2026, 10, 1),
            until=date(2026, 10, 30),
            started=31,
            took=4.0,
            total=264,
            done=258,
            failed=6,
            code="C1-LOG-005",
            summary="6 unit(s) failed; first: PF-004 2026-10-30: period boundary off by one",
            reason="October month-end performance",
        ),
        execution(1044, PRICES, "SUCCESS", started=45, took=1.1, total=5),
        replace(
            execution(1043, VALUATION, "SUCCESS", started=52, took=2.0, total=12),
            rolled_back_at=at(20),
            rolled_back_by="bob",
            rolled_back_reason="valued with the wrong FX rates",
        ),
        execution(
            FAILED_ID,
            RECON,
            "FAILED",
            started=58,
            took=0.6,
            total=8,
            failed=1,
            code="C1-DQ-011",
            summary="1 unit(s) failed; first: ACC-1003 2026-11-02: 3 duplicate position records",
        ),
        execution(
            1041,
            PRICES,
            "FAILED",
            run_type="REPLAY",
            kind="RANGE",
            replay_of=1040,
            started=70,
            took=1.0,
            total=2,
            failed=1,
            targets=["LSE", "TSE"],
            code="C1-EXT-002",
            summary="1 unit(s) failed; first: TSE 2026-11-02: feed timed out after 30s",
            reason="exchange feeds back up",
        ),
        execution(
            1040,
            PRICES,
            "FAILED",
            started=75,
            took=0.9,
            total=5,
            failed=2,
            code="C1-EXT-002",
            summary="2 unit(s) failed; first: TSE 2026-11-02: feed timed out after 30s",
        ),
        execution(
            1039,
            VALUATION,
            "SUCCESS",
            run_type="MANUAL",
            resumed_from=STOPPED_ID,
            started=90,
            took=1.2,
            total=7,
            reason="finish the stopped run",
        ),
        execution(
            STOPPED_ID,
            VALUATION,
            "STOPPED",
            run_type="MANUAL",
            started=100,
            took=0.8,
            total=12,
            done=5,
            reason="rerun after price fix",
            stop=("bob", "wrong FX rates loaded"),
        ),
    ]
    day = FRIDAY
    for n, execution_id in enumerate(range(1037, 1000, -1)):
        job = (PRICES, VALUATION, RECON)[n % 3]
        total = {PRICES: 5, VALUATION: 12, RECON: 8}[job]
        rows.append(
            execution(
                execution_id, job, "SUCCESS", day=day, started=24 * 60 + 30 * n, took=1.0 + n % 4, total=total
            )
        )
        if n % 3 == 2:
            day -= timedelta(days=3 if day.weekday() == 0 else 1)
    rows = [_acked_failure(e) if e.execution_id == ACKED_ID else e for e in rows]
    return [replace(e, resolution=resolutions().get(e.execution_id)) for e in rows]


def _acked_failure(e: Execution) -> Execution:
    return replace(
        e,
        status="FAILED",
        units_done=11,
        units_failed=1,
        error_code="C1-INP-001",
        error_summary="1 unit(s) failed; first: PF-009 2026-10-30: price for PF-009 missing",
    )


def resolution(execution_id: int, state: str, failed: int, **fields: object) -> Resolution:
    values: dict[str, object] = {
        "execution_id": execution_id,
        "state": state,
        "units_not_succeeded": failed,
        "open_units": failed if state == OPEN else 0,
        "handed_units": 0,
        "fixed_at": None,
        "fixed_by": None,
        "fixed_by_compensation": None,
        "handed_to": None,
        "acked_by": None,
        "acked_at": None,
        "ack_reason": None,
        "rolled_back_at": None,
        "rolled_back_by": None,
        "rolled_back_reason": None,
    }
    return Resolution(**{**values, **fields})  # type: ignore[arg-type]


def resolutions() -> dict[int, Resolution]:
    """The fixed FAILED and STOPPED rows as work items (what c1.failure would say of them)."""
    return {
        1045: resolution(1045, OPEN, 6),
        FAILED_ID: resolution(FAILED_ID, RESOLVED, 1, fixed_by=1047, fixed_at=at(11.8)),
        1041: resolution(1041, OPEN, 1),
        HANDED_ID: resolution(HANDED_ID, HANDED_ON, 2, handed_units=1, handed_to=1041, fixed_by=1041),
        STOPPED_ID: resolution(STOPPED_ID, RESOLVED, 7, fixed_by=1039, fixed_at=at(88.8)),
        ACKED_ID: resolution(
            ACKED_ID,
            ACKNOWLEDGED,
            1,
            acked_by="bob",
            acked_at=at(600),
            ack_reason="PF-009 was closed; the day is recomputed on Monday",
        ),
    }


def units_of(e: Execution) -> list[Unit]:
    if e.execution_id == FAILED_ID:
        units = []
        for account in ACCOUNTS:
            failed = account == "ACC-1003"
            units.append(
                Unit(
                    business_date=MONDAY,
                    target_key=account,
                    status="FAILED" if failed else "SUCCESS",
                    error_code="C1-DQ-011" if failed else None,
                    message="3 duplicate position records for ISIN KR7005930003 in the KSD custody file"
                    if failed
                    else None,
                    traceback=(
                        "Traceback (most recent call last):\n"
                        '  File "c1console/scheduler/worker.py", line 182, in _run_unit\n'
                        "    payload = definition.unit(business_date, target, ctx)\n"
                        '  File "c1console/demo/jobs.py", line 196, in _reconciliation\n'
                        "    raise DataQualityError(message, code=DUPLICATE_RECORDS)\n"
                        "c1console.errors.DataQualityError: 3 duplicate position records for ISIN "
                        "KR7005930003 in the KSD custody file"
                    )
                    if failed
                    else None,
                    attempts=1,
                    started_at=e.started_at,
                    ended_at=e.ended_at,
                )
            )
        return sorted(units, key=lambda u: (u.status != "FAILED", u.target_key))
    return [
        Unit(
            business_date=e.business_date_from,
            target_key=f"T{n}",
            status="SUCCESS"
            if n <= e.units_done
            else ("FAILED" if n <= e.units_done + e.units_failed else "PENDING"),
            error_code=None,
            message=None,
            traceback=None,
            attempts=1,
            started_at=e.started_at,
            ended_at=e.ended_at,
        )
        for n in range(1, min(e.units_total, 12) + 1)
    ]


def events_of(e: Execution) -> list[Event]:
    created = e.created_at
    events = [Event(e.execution_id * 10, None, "READY", created, e.requested_by, None, None)]
    if e.started_at:
        events.append(
            Event(e.execution_id * 10 + 1, "READY", "RUNNING", e.started_at, "runner ops-host-1", None, None)
        )
    if e.ended_at:
        events.append(
            Event(
                e.execution_id * 10 + 2,
                "RUNNING",
                e.status,
                e.ended_at,
                "runner ops-host-1",
                e.error_code,
                e.error_summary or e.stop_reason,
            )
        )
    return events


def logs_of(e: Execution) -> list[LogLine]:
    if e.started_at is None:
        return []
    lines = [
        LogLine(
            e.execution_id * 100,
            e.started_at,
            "INFO",
            e.business_date_from,
            None,
            f"{e.job_id}: {e.units_total} unit(s) to run",
        ),
    ]
    if e.execution_id == FAILED_ID:
        lines += [
            LogLine(
                e.execution_id * 100 + 1,
                e.started_at + timedelta(seconds=4),
                "INFO",
                MONDAY,
                "ACC-1001",
                "KSD custody file: 412 positions, 0 breaks",
            ),
            LogLine(
                e.execution_id * 100 + 2,
                e.started_at + timedelta(seconds=9),
                "ERROR",
                MONDAY,
                "ACC-1003",
                "3 duplicate position records for ISIN KR7005930003",
            ),
            LogLine(
                e.execution_id * 100 + 3,
                e.started_at + timedelta(seconds=20),
                "WARNING",
                MONDAY,
                None,
                "1 of 8 accounts failed; previous results stay active for ACC-1003",
            ),
        ]
    return lines


def long_range_execution() -> Execution:
    """A FAILED, open MANUAL backfill over two years of business dates, thousands of units."""
    e = execution(
        LONG_RANGE_ID,
        PERF,
        "FAILED",
        run_type="MANUAL",
        day=date(2024, 11, 1),
        until=date(2026, 10, 30),
        started=1.5,
        took=1.2,
        total=6240,
        done=6228,
        failed=12,
        code="C1-EXT-002",
        summary="12 unit(s) failed; first: PF-003 2025-06-12: benchmark feed timed out after 30s",
        by="bob",
        reason="two-year backfill after the benchmark vendor migration",
    )
    return replace(e, resolution=resolution(LONG_RANGE_ID, OPEN, 12))
