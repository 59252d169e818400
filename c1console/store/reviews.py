"""Queries behind the daily and monthly checklists. Each returns plain rows; c1console/checklists.py
decides what they mean."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

# A failed or stopped execution is resolved when every unit it did not complete now has an active result
# written after it: by a later execution (replay, resume, next run) or an approved compensation.
# open_units counts the units still without one; resolved_at/by say when and by what the last one came.
_RESOLUTION = """
    SELECT e.execution_id,
           count(u.*) FILTER (WHERE fix.result_id IS NULL) AS open_units,
           max(fix.created_at) AS resolved_at,
           max(fix.execution_id) AS resolved_by
      FROM c1.execution e
      JOIN c1.execution_unit u ON u.execution_id = e.execution_id AND u.status <> 'SUCCESS'
      LEFT JOIN LATERAL (
           SELECT r.result_id, r.created_at, r.execution_id FROM c1.result r
            WHERE r.job_id = e.job_id AND r.business_date = u.business_date AND r.target_key = u.target_key
              AND r.is_active AND (r.source = 'COMPENSATION' OR r.execution_id > e.execution_id)) fix ON true
     WHERE {where}
     GROUP BY e.execution_id
"""


@dataclass(frozen=True)
class FailureRow:
    execution_id: int
    job_id: str
    run_type: str
    status: str
    business_date_from: date
    business_date_to: date
    error_code: str | None
    error_summary: str | None
    requested_by: str
    stop_requested_by: str | None
    ended_at: datetime | None
    units_total: int
    open_units: int
    resolved_at: datetime | None
    resolved_by: int | None


def failures_on(conn: Connection, day: date) -> list[FailureRow]:
    """FAILED and STOPPED executions whose business dates cover ``day``, with their resolution."""
    rows = conn.execute(
        sa.text(
            f"""
            WITH res AS ({
                _RESOLUTION.format(
                    where='''
                daterange(e.business_date_from, e.business_date_to, '[]') @> CAST(:day AS date)
                AND e.status IN ('FAILED', 'STOPPED')'''
                )
            })
            SELECT e.execution_id, e.job_id, e.run_type, e.status, e.business_date_from, e.business_date_to,
                   e.error_code, e.error_summary, e.requested_by, e.stop_requested_by, e.ended_at,
                   e.units_total,
                   coalesce(res.open_units, 0) AS open_units, res.resolved_at, res.resolved_by
              FROM c1.execution e LEFT JOIN res USING (execution_id)
             WHERE daterange(e.business_date_from, e.business_date_to, '[]') @> CAST(:day AS date)
               AND e.status IN ('FAILED', 'STOPPED')
             ORDER BY e.execution_id
            """
        ),
        {"day": day},
    )
    return [FailureRow(**row._mapping) for row in rows]


def latest_per_job(conn: Connection, day: date) -> dict[str, tuple[int, str]]:
    """Each job's latest execution covering ``day``: job -> (execution_id, status)."""
    rows = conn.execute(
        sa.text(
            """
            SELECT DISTINCT ON (job_id) job_id, execution_id, status FROM c1.execution
             WHERE daterange(business_date_from, business_date_to, '[]') @> CAST(:day AS date)
             ORDER BY job_id, execution_id DESC
            """
        ),
        {"day": day},
    )
    return {r[0]: (r[1], r[2]) for r in rows}


def auto_fires(conn: Connection, start: datetime, end: datetime) -> list[tuple[str, datetime]]:
    """AUTO executions' schedule times in [start, end): (job, scheduled_for)."""
    rows = conn.execute(
        sa.text(
            "SELECT job_id, scheduled_for FROM c1.execution WHERE run_type = 'AUTO'"
            " AND scheduled_for >= :start AND scheduled_for < :end"
        ),
        {"start": start, "end": end},
    )
    return [(r[0], r[1]) for r in rows]


def missed_fires(conn: Connection, start: datetime, end: datetime) -> list[tuple[str, datetime]]:
    rows = conn.execute(
        sa.text(
            "SELECT job_id, scheduled_for FROM c1.missed_fire m"
            " WHERE scheduled_for >= :start AND scheduled_for < :end"
            " AND NOT EXISTS (SELECT 1 FROM c1.execution e WHERE e.job_id = m.job_id AND e.run_type = 'AUTO'"
            "                 AND e.scheduled_for = m.scheduled_for)"
            " ORDER BY scheduled_for, job_id"
        ),
        {"start": start, "end": end},
    )
    return [(r[0], r[1]) for r in rows]


def long_running(conn: Connection, seconds: float) -> list[tuple[int, str, datetime, str | None]]:
    rows = conn.execute(
        sa.text(
            "SELECT execution_id, job_id, started_at, runner_id FROM c1.execution"
            " WHERE status = 'RUNNING' AND started_at < now() - make_interval(secs => :s)"
            " ORDER BY execution_id"
        ),
        {"s": seconds},
    )
    return [(r[0], r[1], r[2], r[3]) for r in rows]


def failed_deliveries(conn: Connection, start: datetime, end: datetime) -> list[dict[str, Any]]:
    rows = conn.execute(
        sa.text(
            "SELECT notification_id, event, channel, job_id, execution_id, attempts, last_error, created_at"
            " FROM c1.notification WHERE status = 'FAILED' AND created_at >= :start AND created_at < :end"
            " ORDER BY notification_id"
        ),
        {"start": start, "end": end},
    )
    return [dict(r._mapping) for r in rows]


def schedules(conn: Connection) -> list[tuple[str, str | None, str, bool]]:
    rows = conn.execute(sa.text("SELECT job_id, schedule_cron, timezone, paused FROM c1.job ORDER BY job_id"))
    return [(r[0], r[1], r[2], r[3]) for r in rows]


def signoffs(conn: Connection, kind: str, period: str) -> list[dict[str, Any]]:
    rows = conn.execute(
        sa.text(
            "SELECT signoff_id, signed_by, signed_at, comment FROM c1.checklist_signoff"
            " WHERE kind = :kind AND period = :period ORDER BY signoff_id"
        ),
        {"kind": kind, "period": period},
    )
    return [dict(r._mapping) for r in rows]


def add_signoff(conn: Connection, kind: str, period: str, operator: str, comment: str, snapshot: str) -> int:
    return conn.execute(
        sa.text(
            "INSERT INTO c1.checklist_signoff (kind, period, signed_by, comment, snapshot)"
            " VALUES (:kind, :period, :op, :comment, CAST(:snapshot AS jsonb)) RETURNING signoff_id"
        ),
        {"kind": kind, "period": period, "op": operator, "comment": comment, "snapshot": snapshot},
    ).scalar_one()


# Monthly -------------------------------------------------------------------------------------------------


def replays_by_week(
    conn: Connection, start: datetime, end: datetime, tz: str
) -> list[tuple[str, str, int, int]]:
    """(job, kind, week of month 1-5, count) of REPLAY executions created in [start, end)."""
    rows = conn.execute(
        sa.text(
            """
            SELECT job_id, replay_kind,
                   ((extract(day FROM created_at AT TIME ZONE :tz)::int - 1) / 7) + 1 AS week, count(*)
              FROM c1.execution
             WHERE run_type = 'REPLAY' AND created_at >= :start AND created_at < :end
             GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
            """
        ),
        {"start": start, "end": end, "tz": tz},
    )
    return [(r[0], r[1], r[2], r[3]) for r in rows]


def errors_by_code(conn: Connection, start: datetime, end: datetime) -> list[dict[str, Any]]:
    rows = conn.execute(
        sa.text(
            """
            SELECT coalesce(error_code, 'unknown') AS code, count(*) AS failures,
                   array_agg(DISTINCT job_id ORDER BY job_id) AS jobs,
                   min(created_at) AS first_seen, max(created_at) AS last_seen
              FROM c1.execution
             WHERE status = 'FAILED' AND created_at >= :start AND created_at < :end
             GROUP BY 1 ORDER BY 2 DESC, 1
            """
        ),
        {"start": start, "end": end},
    )
    return [dict(r._mapping) for r in rows]


def failures_per_day(conn: Connection, start: datetime, end: datetime, tz: str) -> dict[date, int]:
    rows = conn.execute(
        sa.text(
            "SELECT (created_at AT TIME ZONE :tz)::date, count(*) FROM c1.execution"
            " WHERE status = 'FAILED' AND created_at >= :start AND created_at < :end GROUP BY 1"
        ),
        {"start": start, "end": end, "tz": tz},
    )
    return {r[0]: r[1] for r in rows}


def recoveries(
    conn: Connection, start: datetime, end: datetime
) -> list[tuple[int, str, datetime, datetime | None]]:
    """Failures created in [start, end): (id, job, failed at, resolved at or None while open)."""
    rows = conn.execute(
        sa.text(
            f"""
            WITH res AS ({
                _RESOLUTION.format(
                    where="e.status = 'FAILED' AND e.created_at >= :start AND e.created_at < :end"
                )
            })
            SELECT e.execution_id, e.job_id, e.ended_at,
                   CASE WHEN coalesce(res.open_units, 0) = 0 THEN res.resolved_at END
              FROM c1.execution e LEFT JOIN res USING (execution_id)
             WHERE e.status = 'FAILED' AND e.created_at >= :start AND e.created_at < :end
             ORDER BY e.execution_id
            """
        ),
        {"start": start, "end": end},
    )
    return [(r[0], r[1], r[2], r[3]) for r in rows]


def interventions(conn: Connection, start: datetime, end: datetime) -> list[tuple[str, str, int]]:
    rows = conn.execute(
        sa.text(
            "SELECT actor, action, count(*) FROM c1.audit_log"
            " WHERE at >= :start AND at < :end AND actor <> 'system' GROUP BY 1, 2 ORDER BY 1, 2"
        ),
        {"start": start, "end": end},
    )
    return [(r[0], r[1], r[2]) for r in rows]
