"""Failures as work items: reads of the c1.failure and c1.failed_unit views (sql/013 defines what is open),
and acknowledgements."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

OPEN, HANDED_ON, RESOLVED, ACKNOWLEDGED, ROLLED_BACK = (
    "OPEN",
    "HANDED_ON",
    "RESOLVED",
    "ACKNOWLEDGED",
    "ROLLED_BACK",
)


@dataclass(frozen=True)
class Resolution:
    """A FAILED or STOPPED execution as a work item (a row of c1.failure)."""

    execution_id: int
    state: str
    units_not_succeeded: int
    open_units: int
    handed_units: int
    fixed_at: datetime | None
    fixed_by: int | None  # the newest execution whose results fixed units of it
    fixed_by_compensation: int | None
    handed_to: int | None  # the replay or resume its remaining open units moved to
    acked_by: str | None
    acked_at: datetime | None
    ack_reason: str | None
    rolled_back_at: datetime | None
    rolled_back_by: str | None
    rolled_back_reason: str | None

    @property
    def is_open(self) -> bool:
        return self.state == OPEN


@dataclass(frozen=True)
class FailedUnit:
    """A unit that did not succeed, and what fixed it since or where it was handed on (c1.failed_unit)."""

    business_date: date
    target_key: str
    status: str
    error_code: str | None
    fixed_by: int | None
    fixed_by_compensation: int | None
    handed_to: int | None

    @property
    def key(self) -> tuple[date, str]:
        return self.business_date, self.target_key

    @property
    def is_fixed(self) -> bool:
        return self.fixed_by is not None or self.fixed_by_compensation is not None


@dataclass(frozen=True)
class OpenFailure:
    execution_id: int
    job_id: str
    error_code: str | None
    open_units: int


@dataclass(frozen=True)
class Compensated:
    """A key whose active result an approved compensation wrote."""

    business_date: date
    target_key: str
    compensation_id: int
    approved_by: str | None


_RESOLUTION_COLUMNS = ", ".join(f.name for f in fields(Resolution))


def resolutions(conn: Connection, ids: Sequence[int]) -> dict[int, Resolution]:
    """The work-item state of those of ``ids`` that are FAILED or STOPPED."""
    if not ids:
        return {}
    rows = conn.execute(
        sa.text(f"SELECT {_RESOLUTION_COLUMNS} FROM c1.failure WHERE execution_id = ANY(:ids)"),
        {"ids": list(ids)},
    )
    return {row.execution_id: Resolution(**row._mapping) for row in rows}


def without_jit(conn: Connection) -> None:
    """For the rest of the transaction: no JIT. Reading every failure is thousands of index probes whose
    estimated cost triggers JIT compilation, which costs more than the query (0.75 s at 1M executions)."""
    conn.exec_driver_sql("SET LOCAL jit = off")


def open_failures(conn: Connection) -> list[OpenFailure]:
    """Every open failure, newest first."""
    without_jit(conn)
    rows = conn.execute(
        sa.text(
            "SELECT f.execution_id, f.job_id, e.error_code, f.open_units FROM c1.failure f"
            " JOIN c1.execution e USING (execution_id) WHERE f.state = 'OPEN' ORDER BY f.execution_id DESC"
        )
    )
    return [OpenFailure(**row._mapping) for row in rows]


def failed_units(conn: Connection, execution_id: int) -> list[FailedUnit]:
    rows = conn.execute(
        sa.text(
            "SELECT business_date, target_key, status, error_code, fixed_by, fixed_by_compensation, handed_to"
            " FROM c1.failed_unit WHERE execution_id = :id ORDER BY business_date, target_key"
        ),
        {"id": execution_id},
    )
    return [FailedUnit(**row._mapping) for row in rows]


def acknowledge(conn: Connection, execution_id: int, operator: str, reason: str) -> None:
    conn.execute(
        sa.text("INSERT INTO c1.execution_ack (execution_id, acked_by, reason) VALUES (:id, :op, :reason)"),
        {"id": execution_id, "op": operator, "reason": reason},
    )


def compensated(conn: Connection, job_id: str, units: Sequence[tuple[date, str]]) -> list[Compensated]:
    """Those of ``units`` whose active result came from an approved compensation."""
    if not units:
        return []
    rows = conn.execute(
        sa.text(
            """
            SELECT r.business_date, r.target_key, r.compensation_id, c.decided_by AS approved_by
              FROM c1.result r
              JOIN unnest(CAST(:dates AS date[]), CAST(:targets AS text[])) AS u(d, t)
                ON r.business_date = u.d AND r.target_key = u.t
              JOIN c1.compensation c ON c.compensation_id = r.compensation_id
             WHERE r.job_id = :job AND r.is_active AND r.source = 'COMPENSATION'
             ORDER BY r.business_date, r.target_key
            """
        ),
        {"job": job_id, "dates": [u[0] for u in units], "targets": [u[1] for u in units]},
    )
    return [Compensated(**row._mapping) for row in rows]


def descendants(conn: Connection, execution_id: int) -> list[int]:
    """The executions that replayed or resumed this one, and theirs, along the chain."""
    return list(
        conn.execute(
            sa.text(
                """
                WITH RECURSIVE chain(execution_id) AS (
                    SELECT execution_id FROM c1.execution WHERE replay_of = :id OR resumed_from = :id
                    UNION
                    SELECT e.execution_id FROM c1.execution e JOIN chain c
                      ON e.replay_of = c.execution_id OR e.resumed_from = c.execution_id
                )
                SELECT execution_id FROM chain ORDER BY execution_id
                """
            ),
            {"id": execution_id},
        ).scalars()
    )


def fixed_by(conn: Connection, job_id: str, execution_id: int) -> list[int]:
    """The failures whose units this execution's results fixed (a rollback of it re-opens them)."""
    return list(
        conn.execute(
            sa.text(
                "SELECT DISTINCT execution_id FROM c1.failed_unit WHERE job_id = :job AND fixed_by = :id"
                " ORDER BY 1"
            ),
            {"job": job_id, "id": execution_id},
        ).scalars()
    )


def not_open(state: Resolution) -> tuple[str, str | None] | None:
    """Why a failure in this state cannot be acknowledged (the problem and the way on), or None when it is
    open. One text for ops' refusal and the console's refusal before a dialog."""
    n = state.execution_id
    if state.state == ACKNOWLEDGED:
        at = f" at {state.acked_at:%Y-%m-%d %H:%M}" if state.acked_at else ""
        return f"execution {n} was already acknowledged by {state.acked_by}{at}", None
    if state.state == ROLLED_BACK:
        return f"execution {n} was rolled back by {state.rolled_back_by}: it is not open", None
    if state.state == HANDED_ON:
        return (
            f"execution {n}'s open units moved to #{state.handed_to}, which replayed them and failed too",
            f"acknowledge #{state.handed_to} instead",
        )
    if state.state == RESOLVED:
        by = f" by #{state.fixed_by}" if state.fixed_by else ""
        return f"execution {n} is resolved{by}: nothing open to acknowledge", None
    return None


def in_flight(conn: Connection, execution_id: int) -> dict[tuple[date, str], int]:
    """The units of this execution that a READY or RUNNING replay or resume of it is about to run again:
    unit -> that execution."""
    rows = conn.execute(
        sa.text(
            """
            SELECT u.business_date, u.target_key, max(c.execution_id)
              FROM c1.execution c JOIN c1.execution_unit u ON u.execution_id = c.execution_id
             WHERE (c.replay_of = :id OR c.resumed_from = :id) AND c.status IN ('READY', 'RUNNING')
             GROUP BY 1, 2
            """
        ),
        {"id": execution_id},
    )
    return {(r[0], r[1]): r[2] for r in rows}
