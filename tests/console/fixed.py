"""Fixed data for the console's snapshot tests: the same methods as ConsoleQueries over hard-coded rows, a
frozen clock and canned ops answers, so every rendering is byte-stable across runs and machines.

``build_app()`` gives a ready ConsoleApp (live=False, nothing touches a database or the wall clock).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from c1console import checklists, errors, ops
from c1console.errors import Refused
from c1console.jobs import JobDefinition, Registry, UnitContext
from c1console.requests import ReplayFull, ReplayOf, ReplaySingle, replay_request
from c1console.screens.actions import Actions
from c1console.screens.app import ConsoleApp, HeaderInfo
from c1console.store.audit import AuditEntry, ChainReport
from c1console.store.executions import Event, Execution, LogLine, ResultCounts, Unit
from c1console.store.jobs import JobRow
from c1console.store.outbox import Notification
from c1console.store.results import Compensation, Evidence, RollbackPlan, Version
from c1console.store.views import PAGE, ExecutionDetail, ExecutionFilter, ExecutionPage, RunnerState

NOW = datetime(2026, 11, 3, 9, 30, 0, tzinfo=UTC)  # a Tuesday
TODAY = NOW.date()
MONDAY = date(2026, 11, 2)
FRIDAY = date(2026, 10, 30)
TZ = "Asia/Seoul"
FAILED_ID = 1042  # the FAILED execution the snapshots open
RUNNING_ID = 1049
STOPPED_ID = 1038
NEW_ID = 2001  # what canned actions create

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


def _unit(day: date, target: str, ctx: UnitContext) -> dict[str, str]:
    return {"target": target}


def registry() -> Registry:
    reg = Registry()
    for job_id, title, schedule, targets in (
        (PRICES, "Market price ingestion", "0 6 * * 1-5", FEEDS),
        (VALUATION, "Portfolio valuation", "30 6 * * 1-5", tuple(f"PF-{n:03d}" for n in range(1, 13))),
        (RECON, "Position reconciliation", "0 7 * * 1-5", ACCOUNTS),
        (PERF, "Performance calculation", None, tuple(f"PF-{n:03d}" for n in range(1, 13))),
    ):
        reg.add(
            JobDefinition(job_id, title, _unit, lambda _d, t=targets: list(t), schedule=schedule, timezone=TZ)
        )
    return reg


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
        execution(1043, VALUATION, "SUCCESS", started=52, took=2.0, total=12),
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
        execution(1041, PRICES, "SUCCESS", started=70, took=1.0, total=5),
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
    return rows


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


def audit_entries() -> list[AuditEntry]:
    def entry(
        audit_id: int,
        minutes_ago: float,
        actor: str,
        action: str,
        object_type: str,
        object_id: str,
        execution_id: int | None,
        reason: str | None,
        **details: Any,
    ) -> AuditEntry:
        digest = hashlib.sha256(f"{audit_id}".encode()).hexdigest()
        return AuditEntry(
            audit_id,
            at(minutes_ago),
            actor,
            action,
            object_type,
            object_id,
            execution_id,
            reason,
            details,
            digest,
        )

    return [
        entry(
            14,
            2,
            "alice",
            "exec.trigger",
            "execution",
            "1050",
            1050,
            "client asked for an intraday revaluation",
            job_id=VALUATION,
            units=12,
        ),
        entry(
            13,
            12.2,
            "alice",
            "exec.replay",
            "execution",
            "1047",
            1047,
            "custodian resent the file",
            job_id=RECON,
            units=1,
            replay_kind="SINGLE",
            replay_of=FAILED_ID,
            supersedes=0,
        ),
        entry(
            12,
            31,
            "carol",
            "exec.trigger",
            "execution",
            "1045",
            1045,
            "October month-end performance",
            job_id=PERF,
            units=264,
        ),
        entry(
            11,
            90,
            "alice",
            "exec.resume",
            "execution",
            "1039",
            1039,
            "finish the stopped run",
            resumed_from=STOPPED_ID,
        ),
        entry(
            10,
            96,
            "bob",
            "exec.stop",
            "execution",
            str(STOPPED_ID),
            STOPPED_ID,
            "wrong FX rates loaded",
            status_before="RUNNING",
        ),
        entry(
            9, 100, "alice", "exec.trigger", "execution", str(STOPPED_ID), STOPPED_ID, "rerun after price fix"
        ),
        entry(8, 300, "bob", "job.pause", "job", PERF, None, "benchmark vendor migration this week"),
        entry(
            7, 2000, "admin", "operator.grant", "operator", "carol", None, "new team member", role="operator"
        ),
        entry(6, 2010, "admin", "operator.grant", "operator", "bob", None, "on call rota", role="operator"),
        entry(5, 2020, "admin", "operator.grant", "operator", "alice", None, None, role="operator"),
        entry(
            4,
            3000,
            "system",
            "operator.grant",
            "operator",
            "admin",
            None,
            "first operator of a new database",
            role="admin",
        ),
        entry(3, 3001, "admin", "db.upgrade", "schema", "4", None, None),
    ]


def job_rows() -> list[JobRow]:
    return [
        JobRow(
            PRICES,
            "Market price ingestion",
            "0 6 * * 1-5",
            TZ,
            "h1",
            False,
            None,
            None,
            None,
            RUNNING_ID,
            "RUNNING",
            at(0.4),
        ),
        JobRow(
            PERF,
            "Performance calculation",
            None,
            TZ,
            "h4",
            True,
            "bob",
            at(300),
            "benchmark vendor migration this week",
            1045,
            "FAILED",
            at(31),
        ),
        JobRow(
            VALUATION,
            "Portfolio valuation",
            "30 6 * * 1-5",
            TZ,
            "h2",
            False,
            None,
            None,
            None,
            1050,
            "READY",
            None,
        ),
        JobRow(
            RECON,
            "Position reconciliation",
            "0 7 * * 1-5",
            TZ,
            "h3",
            False,
            None,
            None,
            None,
            1048,
            "SUCCESS",
            at(8),
        ),
    ]


def daily_checklist(day: date) -> checklists.Daily:
    failures = [
        checklists.FailureItem(
            FAILED_ID,
            RECON,
            "AUTO",
            "FAILED",
            day.isoformat(),
            "C1-DQ-011",
            "Duplicate records",
            None,
            0,
            True,
            1047,
            at(12).isoformat(),
            checklists.OK,
        ),
        checklists.FailureItem(
            1040,
            PRICES,
            "AUTO",
            "FAILED",
            day.isoformat(),
            "C1-EXT-002",
            "External system timed out",
            None,
            2,
            False,
            None,
            None,
            checklists.ATTENTION,
        ),
        checklists.FailureItem(
            STOPPED_ID,
            VALUATION,
            "MANUAL",
            "STOPPED",
            day.isoformat(),
            None,
            None,
            "bob",
            0,
            True,
            1039,
            at(90).isoformat(),
            checklists.OK,
        ),
    ]
    jobs = [
        checklists.JobDay(PRICES, "0 6 * * 1-5", False, 1, 1, 0, 1040, "FAILED", checklists.ATTENTION),
        checklists.JobDay(
            VALUATION, "30 6 * * 1-5", False, 1, 0, 1, STOPPED_ID, "STOPPED", checklists.ATTENTION
        ),
        checklists.JobDay(RECON, "0 7 * * 1-5", False, 1, 1, 0, 1047, "SUCCESS", checklists.OK),
        checklists.JobDay(PERF, None, True, 0, 0, 0, None, None, checklists.OK),
    ]
    return checklists.Daily(
        business_date=day,
        verdict=checklists.ATTENTION,
        jobs=jobs,
        failures=failures,
        missed=[{"job_id": VALUATION, "scheduled_for": f"{day}T06:30:00+09:00"}],
        long_running=[],
        failed_deliveries=[
            {
                "notification_id": 77,
                "event": "execution_failed",
                "channel": "slack",
                "attempts": 5,
                "last_error": "HTTP 503 from hooks.slack.com",
            }
        ],
        signoffs=[],
    )


def monthly_checklist(first: date) -> checklists.Monthly:
    per_day = [0, 1, 0, 0, 2, 0, 0, 0, 1, 0, 0, 3, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 5, 1, 0, 0, 0, 0, 0, 2, 1]
    return checklists.Monthly(
        month=first.strftime("%Y-%m"),
        replays={
            RECON: {"SINGLE": [1, 0, 2, 0, 0], "RANGE": [0, 1, 0, 0, 0]},
            PRICES: {"RANGE": [0, 0, 1, 1, 0]},
        },
        replays_previous={RECON: {"SINGLE": 1}, VALUATION: {"FULL": 1}},
        replay_total=6,
        replay_total_previous=2,
        errors=[
            checklists.ErrorTrend(
                "C1-EXT-002",
                "External system timed out",
                9,
                4,
                [PRICES],
                "2026-10-02T06:00:31+00:00",
                "2026-10-30T06:00:29+00:00",
            ),
            checklists.ErrorTrend(
                "C1-DQ-011",
                "Duplicate records",
                4,
                4,
                [RECON],
                "2026-10-05T07:00:10+00:00",
                "2026-10-23T07:00:12+00:00",
            ),
            checklists.ErrorTrend(
                "C1-LOG-005",
                "Calculation error",
                1,
                3,
                [PERF],
                "2026-10-30T09:00:00+00:00",
                "2026-10-30T09:00:00+00:00",
            ),
        ],
        failures_per_day=per_day[: ((first + timedelta(days=32)).replace(day=1) - first).days],
        mttr_seconds=3900.0,
        recovered=11,
        still_open=1,
        interventions={"alice": {"exec.replay": 4, "exec.trigger": 2}, "bob": {"exec.stop": 1}},
        signoffs=[
            {
                "signed_by": "carol",
                "signed_at": at(600),
                "comment": "one open item: ticket OPS-2211 follows it",
            }
        ],
    )


def notifications() -> list[Notification]:
    def note(
        notification_id: int,
        minutes_ago: float,
        event: str,
        channel: str,
        status: str,
        attempts: int,
        execution_id: int | None,
        job_id: str | None,
        error: str | None = None,
    ) -> Notification:
        return Notification(
            notification_id=notification_id,
            created_at=at(minutes_ago),
            event=event,
            channel=channel,
            dedupe_key=f"{event}:{execution_id}",
            job_id=job_id,
            execution_id=execution_id,
            details={"execution_id": execution_id} if execution_id else {},
            status=status,
            attempts=attempts,
            next_attempt_at=at(minutes_ago - 5),
            last_error=error,
            sent_at=at(minutes_ago - 0.1) if status == "SENT" else None,
        )

    return [
        note(80, 2, "comp_requested", "email", "PENDING", 1, None, VALUATION, "SMTP 421 try again later"),
        note(79, 31, "execution_failed", "slack", "SENT", 1, 1045, PERF),
        note(78, 58, "execution_failed", "email", "SENT", 1, FAILED_ID, RECON),
        note(77, 75, "execution_failed", "slack", "FAILED", 5, 1040, PRICES, "HTTP 503 from hooks.slack.com"),
        note(76, 96, "execution_stopped", "slack", "SENT", 2, STOPPED_ID, VALUATION, "HTTP 429 rate limited"),
    ]


def compensations() -> list[Compensation]:
    def comp(
        compensation_id: int,
        status: str,
        target: str,
        by: str,
        minutes_ago: float,
        reason: str,
        **decision: Any,
    ) -> Compensation:
        return Compensation(
            compensation_id=compensation_id,
            job_id=VALUATION,
            business_date=MONDAY,
            target_key=target,
            payload={"nav": 101.25, "currency": "KRW"},
            reason=reason,
            evidence_ref="OPS-2214",
            requested_by=by,
            requested_at=at(minutes_ago),
            status=status,
            decided_by=decision.get("decider"),
            decided_at=at(minutes_ago - 30) if decision else None,
            decision_note=decision.get("note"),
        )

    return [
        comp(5, "PENDING", "PF-004", "alice", 20, "custodian price correction for PF-004"),
        comp(4, "PENDING", "PF-007", "bob", 40, "late corporate action on PF-007"),
        comp(
            3,
            "APPROVED",
            "PF-002",
            "bob",
            600,
            "FX rate fix",
            decider="carol",
            note="checked against Bloomberg",
        ),
        comp(
            2,
            "REJECTED",
            "PF-009",
            "alice",
            900,
            "manual NAV",
            decider="carol",
            note="no evidence of the error",
        ),
    ]


def evidence(compensation_id: int) -> list[Evidence]:
    return [
        Evidence(10 + compensation_id, compensation_id, "custodian-letter.pdf", "ab12" * 16, 48213, at(20)),
        Evidence(20 + compensation_id, compensation_id, "prices.csv", "cd34" * 16, 912, at(20)),
    ]


def versions(job_id: str, day: date, target: str) -> list[Version]:
    return [
        Version(
            501, "EXECUTION", 1043, None, "AUTO", False, at(52), 502, at(25), "superseded", {"nav": 100.9}
        ),
        Version(502, "EXECUTION", 1046, None, "AUTO", True, at(25), None, None, None, {"nav": 101.1}),
    ]


class FixedQueries:
    """ConsoleQueries' methods over the rows above (the filter and paging semantics of the real ones)."""

    def __init__(self) -> None:
        self.rows = executions()
        self.by_id = {e.execution_id: e for e in self.rows}
        self.fail_next = 0  # > 0: that many calls raise DatabaseUnavailable (outage tests)

    def _maybe_fail(self) -> None:
        if self.fail_next > 0:
            self.fail_next -= 1
            raise errors.DatabaseUnavailable("database postgresql://c1@db.example:5432/c1ops is unreachable")

    def executions(
        self,
        flt: ExecutionFilter,
        *,
        before_id: int | None = None,
        after_id: int | None = None,
        limit: int = PAGE,
    ) -> ExecutionPage:
        self._maybe_fail()
        rows = sorted(
            (
                e
                for e in self.rows
                if flt.matches(e)
                and (before_id is None or e.execution_id < before_id)
                and (after_id is None or e.execution_id > after_id)
            ),
            key=lambda e: e.execution_id,
            reverse=True,
        )
        if after_id is not None:  # read upwards: the oldest rows above after_id, shown newest first
            return ExecutionPage(rows=rows[-limit:], has_more=len(rows) > limit)
        return ExecutionPage(rows=rows[:limit], has_more=len(rows) > limit)

    def executions_by_id(self, ids: Sequence[int]) -> list[Execution]:
        self._maybe_fail()
        return [self.by_id[i] for i in sorted(ids, reverse=True) if i in self.by_id]

    def detail(self, execution_id: int) -> ExecutionDetail | None:
        self._maybe_fail()
        e = self.by_id.get(execution_id)
        if e is None:
            return None
        related = [
            r
            for r in self.rows
            if execution_id in (r.replay_of, r.resumed_from)
            or r.execution_id in (e.replay_of, e.resumed_from)
        ]
        units = units_of(e)
        counts: dict[str, int] = {}
        for u in units:
            counts[u.status] = counts.get(u.status, 0) + 1
        done = sum(1 for u in units if u.status == "SUCCESS")
        return ExecutionDetail(
            execution=e,
            error=errors.lookup(e.error_code),
            units=units,
            events=events_of(e),
            logs=logs_of(e),
            related=sorted(related, key=lambda r: r.execution_id),
            results=ResultCounts(
                applied=done, still_active=done, superseded_by_it=done if e.run_type == "REPLAY" else 0
            ),
            audit=[a for a in audit_entries() if a.execution_id == execution_id],
            unit_counts=counts,
        )

    def jobs(self) -> list[JobRow]:
        self._maybe_fail()
        return sorted(job_rows(), key=lambda j: j.job_id)

    def job_ids(self) -> list[str]:
        return sorted(j.job_id for j in job_rows())

    def audit(
        self,
        *,
        limit: int = PAGE,
        before_id: int | None = None,
        actor: str | None = None,
        action: str | None = None,
        execution_id: int | None = None,
    ) -> list[AuditEntry]:
        self._maybe_fail()
        rows = [
            a
            for a in audit_entries()
            if (before_id is None or a.audit_id < before_id)
            and (actor is None or a.actor == actor)
            and (action is None or a.action == action)
            and (execution_id is None or a.execution_id == execution_id)
        ]
        return rows[:limit]

    def daily(self, day: date, *, tz: str = "UTC", lang: str = "en", **_: Any) -> checklists.Daily:
        self._maybe_fail()
        return daily_checklist(day)

    def monthly(self, month: date, *, tz: str = "UTC", lang: str = "en") -> checklists.Monthly:
        self._maybe_fail()
        return monthly_checklist(month)

    def notifications(
        self, *, statuses: Sequence[str] = (), limit: int = PAGE, before_id: int | None = None
    ) -> list[Notification]:
        self._maybe_fail()
        return [n for n in notifications() if not statuses or n.status in statuses][:limit]

    def compensations(self, *, statuses: tuple[str, ...] = (), limit: int = PAGE) -> list[Compensation]:
        self._maybe_fail()
        return [c for c in compensations() if not statuses or c.status in statuses][:limit]

    def evidence(self, compensation_id: int) -> list[Evidence]:
        return evidence(compensation_id)

    def result_history(self, job_id: str, business_date: date, target_key: str) -> list[Version]:
        return versions(job_id, business_date, target_key)

    def verify_audit(self) -> ChainReport:
        return ChainReport(rows=14, head=hashlib.sha256(b"14").hexdigest())

    def runner_state(self) -> RunnerState:
        return RunnerState(leader_id="ops-host-1-4242-a1b2c3", live_runners=1)

    def server_version(self) -> str:
        return "16.4"


@dataclass
class FixedActions(Actions):
    """Canned ops answers: previews like the real ones, a new execution NEW_ID on confirm."""

    allowed: bool = True
    role: str = "operator"
    operator: str = "alice"

    def __post_init__(self) -> None:
        super().__init__(None)
        self._registry = registry()
        self.calls: list[tuple[str, dict[str, Any]]] = []

    @property
    def registry(self) -> Registry:
        return self._registry

    def can_act(self) -> bool:
        return self.allowed

    def refusal(self, action: str) -> str:
        return (
            f"{self.operator} is {self.role} and cannot {action} — this needs the operator role; "
            "an admin can grant it with c1console operators grant"
        )

    def _preview(
        self,
        job_id: str,
        run_type: str,
        kind: str | None,
        units: list[tuple[date, str]],
        supersedes: int,
        **links: Any,
    ) -> ops.Preview:
        return ops.Preview(
            job_id=job_id, run_type=run_type, replay_kind=kind, units=units, supersedes=supersedes, **links
        )

    def _outcome(self, preview: ops.Preview, dry_run: bool) -> ops.Created | ops.Preview:
        return preview if dry_run else ops.Created(NEW_ID, preview)

    def trigger(
        self,
        job_id: str,
        *,
        date_from: date | None,
        date_to: date | None,
        targets: Sequence[str] | None,
        reason: str | None,
        dry_run: bool,
    ) -> ops.Created | ops.Preview:
        self.calls.append(("trigger", {"job_id": job_id, "dry_run": dry_run, "reason": reason}))
        start = date_from or MONDAY
        end = date_to or start
        names = list(targets) if targets else list(self._registry.require(job_id).targets_for(start))
        days = [
            start + timedelta(days=n)
            for n in range((end - start).days + 1)
            if (start + timedelta(n)).weekday() < 5
        ]
        units = [(d, t) for d in days for t in names]
        return self._outcome(self._preview(job_id, "MANUAL", None, units, len(units)), dry_run)

    def replay(
        self,
        *,
        reason: str | None,
        job_id: str | None = None,
        full: bool = False,
        date_from: date | None = None,
        date_to: date | None = None,
        target: str | None = None,
        of: int | None = None,
        failed_only: bool = False,
        dry_run: bool = False,
    ) -> ops.Created | ops.Preview:
        self.calls.append(
            ("replay", {"of": of, "failed_only": failed_only, "dry_run": dry_run, "reason": reason})
        )
        request = replay_request(
            job_id=job_id,
            full=full,
            date_from=date_from,
            date_to=date_to,
            target=target,
            of=of,
            failed_only=failed_only,
        )
        if isinstance(request, ReplayOf) and request.execution_id == FAILED_ID and request.failed_only:
            preview = self._preview(
                RECON, "REPLAY", "SINGLE", [(MONDAY, "ACC-1003")], 1, replay_of=request.execution_id
            )
        elif isinstance(request, ReplayOf):
            preview = self._preview(
                RECON, "REPLAY", "RANGE", [(MONDAY, a) for a in ACCOUNTS], 8, replay_of=request.execution_id
            )
        elif isinstance(request, ReplayFull):
            preview = self._preview(
                request.job_id,
                "REPLAY",
                "FULL",
                [(FRIDAY, a) for a in ACCOUNTS] + [(MONDAY, a) for a in ACCOUNTS],
                16,
            )
        else:
            day = request.date_from or MONDAY
            names = [request.target] if isinstance(request, ReplaySingle) else list(ACCOUNTS)
            preview = self._preview(
                request.job_id,
                "REPLAY",
                "SINGLE" if isinstance(request, ReplaySingle) else "RANGE",
                [(day, t) for t in names],
                len(names),
            )
        return self._outcome(preview, dry_run)

    def resume(self, execution_id: int, reason: str | None, *, dry_run: bool) -> ops.Created | ops.Preview:
        self.calls.append(("resume", {"execution_id": execution_id, "dry_run": dry_run}))
        if execution_id == FAILED_ID:
            raise Refused(
                f"execution {execution_id} was already resumed by #1047",
                hint="resume #1047 instead if it did not finish",
            )
        units = [(MONDAY, f"PF-{n:03d}") for n in range(6, 13)]
        return self._outcome(
            self._preview(VALUATION, "MANUAL", None, units, 0, resumed_from=execution_id), dry_run
        )

    def stop(self, execution_id: int, reason: str | None) -> str:
        self.calls.append(("stop", {"execution_id": execution_id, "reason": reason}))
        return "RUNNING"

    def set_job_paused(self, job_id: str, paused: bool, reason: str | None) -> None:
        self.calls.append(("pause", {"job_id": job_id, "paused": paused, "reason": reason}))

    def rollback(self, execution_id: int, reason: str | None, *, dry_run: bool) -> ops.RollbackPreview:
        self.calls.append(("rollback", {"execution_id": execution_id, "reason": reason, "dry_run": dry_run}))
        keys = [(MONDAY, a) for a in ACCOUNTS]
        plan = RollbackPlan(deactivate=keys[:7], reactivate=keys[:6], skipped=keys[7:])
        return ops.RollbackPreview(execution_id, RECON, plan)

    def sign_checklist(self, checklist: checklists.Daily | checklists.Monthly, comment: str | None) -> int:
        self.calls.append(("sign", {"period": checklist.period, "comment": comment}))
        return 31

    def decide_compensation(self, compensation_id: int, *, approve: bool, note: str | None) -> int | None:
        self.calls.append(("decide", {"id": compensation_id, "approve": approve, "note": note}))
        return 900 if approve else None


HEADER = HeaderInfo(
    database="postgresql://c1_console:***@db.example:5432/c1ops",
    runner_mode="embedded",
    operator="alice",
    role="operator",
    server_version="16.4",
)


def build_app(*, role: str = "operator", queries: FixedQueries | None = None) -> ConsoleApp:
    allowed = role != "viewer"
    header = replace(HEADER, role=role, operator="alice" if allowed else "victor")
    app = ConsoleApp(queries or FixedQueries(), None, header, clock=frozen_clock, live=False)  # type: ignore[arg-type]
    app.actions = FixedActions(allowed=allowed, role=role, operator=header.operator)
    return app
