"""The audit log, jobs, alerts and compensations, around the executions in rows.py."""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

from c1console.queries import (
    AuditEntry,
    Compensation,
    Evidence,
    JobRow,
    Notification,
    Version,
)
from tests.console.fixed.rows import (
    FAILED_ID,
    MONDAY,
    PERF,
    PRICES,
    RECON,
    RUNNING_ID,
    STOPPED_ID,
    TZ,
    VALUATION,
    at,
)


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
