"""Queries behind the daily and monthly checklists. Each returns plain rows; c1console/checklists.py
decides what they mean.

Both checklists count by BUSINESS DATE: an execution belongs to a day when its business dates cover it and
to a month when they overlap it. Whether a failure is open is read from the c1.failure view (sql/013), the
one definition the console, the command line and the alerts share; nothing here decides it again."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from c1console.store.failures import Resolution

# the columns of c1.failure a Resolution holds, besides the execution_id both sides have
_RESOLUTION_ONLY = tuple(f.name for f in fields(Resolution) if f.name != "execution_id")
# the execution's business dates cover :day / overlap [:first, :last] (the gist index on the range serves)
_COVERS_DAY = "daterange(e.business_date_from, e.business_date_to, '[]') @> CAST(:day AS date)"
_OVERLAPS = (
    "daterange(e.business_date_from, e.business_date_to, '[]')"
    " && daterange(CAST(:first AS date), CAST(:last AS date), '[]')"
)


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
    units_failed: int
    resolution: Resolution  # its row of c1.failure

    @property
    def open_units(self) -> int:
        return self.resolution.open_units


def failures_on(conn: Connection, day: date) -> list[FailureRow]:
    """FAILED and STOPPED executions whose business dates cover ``day``, each with its c1.failure row."""
    resolution = ", ".join(f"f.{name}" for name in _RESOLUTION_ONLY)
    rows = conn.execute(
        sa.text(
            f"""
            SELECT e.execution_id, e.job_id, e.run_type, e.status, e.business_date_from, e.business_date_to,
                   e.error_code, e.error_summary, e.requested_by, e.stop_requested_by, e.ended_at,
                   e.units_total, e.units_failed, {resolution}
              FROM c1.execution e JOIN c1.failure f USING (execution_id)
             WHERE {_COVERS_DAY} AND e.status IN ('FAILED', 'STOPPED')
             ORDER BY e.execution_id
            """
        ),
        {"day": day},
    )
    found = []
    for row in rows:
        values = dict(row._mapping)
        state = {name: values.pop(name) for name in _RESOLUTION_ONLY}
        found.append(
            FailureRow(**values, resolution=Resolution(execution_id=values["execution_id"], **state))
        )
    return found


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
# An execution belongs to the month [first, last] when its business dates overlap it.


def replays_by_week(conn: Connection, first: date, last: date) -> list[tuple[str, str, int, int]]:
    """(job, kind, week of month 1-5, count) of REPLAY executions of the month, each in the week of its
    first business date (clipped into the month)."""
    rows = conn.execute(
        sa.text(
            f"""
            SELECT e.job_id, e.replay_kind,
                   ((extract(day FROM greatest(e.business_date_from, CAST(:first AS date)))::int - 1) / 7) + 1
                       AS week,
                   count(*)
              FROM c1.execution e
             WHERE e.run_type = 'REPLAY' AND {_OVERLAPS}
             GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
            """
        ),
        {"first": first, "last": last},
    )
    return [(r[0], r[1], r[2], r[3]) for r in rows]


def errors_by_code(conn: Connection, first: date, last: date) -> list[dict[str, Any]]:
    """FAILED executions of the month by error code; first/last seen are business dates in the month."""
    rows = conn.execute(
        sa.text(
            f"""
            SELECT coalesce(e.error_code, 'unknown') AS code, count(*) AS failures,
                   array_agg(DISTINCT e.job_id ORDER BY e.job_id) AS jobs,
                   min(greatest(e.business_date_from, CAST(:first AS date))) AS first_seen,
                   max(least(e.business_date_to, CAST(:last AS date))) AS last_seen
              FROM c1.execution e
             WHERE e.status = 'FAILED' AND {_OVERLAPS}
             GROUP BY 1 ORDER BY 2 DESC, 1
            """
        ),
        {"first": first, "last": last},
    )
    return [dict(r._mapping) for r in rows]


def failures_per_day(conn: Connection, first: date, last: date) -> dict[date, int]:
    """FAILED executions per business day of the month: an execution counts on every day its business
    dates cover, as each day's daily checklist lists it."""
    rows = conn.execute(
        sa.text(
            f"""
            SELECT d::date, count(*)
              FROM c1.execution e
             CROSS JOIN LATERAL generate_series(greatest(e.business_date_from, CAST(:first AS date)),
                                                least(e.business_date_to, CAST(:last AS date)),
                                                interval '1 day') AS d
             WHERE e.status = 'FAILED' AND {_OVERLAPS}
             GROUP BY 1
            """
        ),
        {"first": first, "last": last},
    )
    return {r[0]: r[1] for r in rows}


@dataclass(frozen=True)
class Recovery:
    """A FAILED or STOPPED execution of the month as a work item: its state and, once every unit is fixed,
    when the last fix came (c1.failure.fixed_at)."""

    execution_id: int
    job_id: str
    ended_at: datetime | None
    state: str
    fixed_at: datetime | None


def recoveries(conn: Connection, first: date, last: date) -> list[Recovery]:
    rows = conn.execute(
        sa.text(
            f"""
            SELECT e.execution_id, e.job_id, e.ended_at, f.state, f.fixed_at
              FROM c1.execution e JOIN c1.failure f USING (execution_id)
             WHERE {_OVERLAPS} AND e.status IN ('FAILED', 'STOPPED')
             ORDER BY e.execution_id
            """
        ),
        {"first": first, "last": last},
    )
    return [Recovery(**r._mapping) for r in rows]


def interventions(
    conn: Connection, first: date, last: date, start: datetime, end: datetime
) -> list[tuple[str, str, int]]:
    """Operators' audited acts of the month: those on an execution when the execution belongs to the month
    (its business dates), the others (pauses, sign-offs, grants) when they happened, in [start, end)."""
    rows = conn.execute(
        sa.text(
            f"""
            SELECT actor, action, count(*) FROM (
                SELECT a.actor, a.action
                  FROM c1.execution e JOIN c1.audit_log a ON a.execution_id = e.execution_id
                 WHERE {_OVERLAPS}
                UNION ALL
                SELECT a.actor, a.action FROM c1.audit_log a
                 WHERE a.execution_id IS NULL AND a.at >= :start AND a.at < :end
            ) acts
             WHERE actor <> 'system'
             GROUP BY 1, 2 ORDER BY 1, 2
            """
        ),
        {"first": first, "last": last, "start": start, "end": end},
    )
    return [(r[0], r[1], r[2]) for r in rows]
