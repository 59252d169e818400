"""Writing executions through their life: create with planned units, claim, commit chunks, finish, stop,
recover from lost runners. Set-based throughout: a chunk is a handful of statements whatever its size.

Invariant 7 lives here: a runner writes only to an execution it owns while it is RUNNING
(``WHERE execution_id = … AND runner_id = me AND status = 'RUNNING'``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import psycopg
import sqlalchemy as sa
from psycopg.types.array import ListBinaryDumper
from sqlalchemy.engine import Connection

from c1console.store.executions import EXECUTION, Execution

UnitKey = tuple[date, str]
_EXECUTION_COLUMNS = ", ".join(f"e.{column.name}" for column in EXECUTION.c)


@dataclass(frozen=True)
class NewExecution:
    job_id: str
    run_type: str
    business_date_from: date
    business_date_to: date
    targets: list[str] | None
    requested_by: str
    units: Sequence[UnitKey]
    reason: str | None = None
    replay_kind: str | None = None
    replay_of: int | None = None
    resumed_from: int | None = None
    scheduled_for: datetime | None = None


class _BinaryArray(list[Any]):
    """A list that psycopg sends as a binary array parameter. The text format quotes and escapes every
    element in Python (a regex per element): for a chunk's 500-element arrays, ~5x the cost of binary."""


psycopg.adapters.register_dumper(_BinaryArray, ListBinaryDumper)


def _array(values: Iterable[Any]) -> _BinaryArray:
    """An array parameter (use with CAST(:name AS type[]) in the statement)."""
    return _BinaryArray(values)


def _unnest_units(units: Sequence[UnitKey]) -> dict[str, list[Any]]:
    return {"dates": _array(u[0] for u in units), "targets": _array(u[1] for u in units)}


def create(conn: Connection, new: NewExecution) -> int | None:
    """Inserts a READY execution and its PENDING units. Returns None when an AUTO fire already exists."""
    conflict = (
        "ON CONFLICT (job_id, scheduled_for) WHERE run_type = 'AUTO' DO NOTHING" if new.scheduled_for else ""
    )
    execution_id = conn.execute(
        sa.text(
            f"""
            INSERT INTO c1.execution (job_id, run_type, business_date_from, business_date_to, targets,
                                      replay_kind, replay_of, resumed_from, scheduled_for, requested_by,
                                      reason, units_total)
            VALUES (:job_id, :run_type, :date_from, :date_to, :targets, :replay_kind, :replay_of,
                    :resumed_from, :scheduled_for, :requested_by, :reason, :units_total)
            {conflict}
            RETURNING execution_id
            """
        ),
        {
            "job_id": new.job_id,
            "run_type": new.run_type,
            "date_from": new.business_date_from,
            "date_to": new.business_date_to,
            "targets": new.targets,
            "replay_kind": new.replay_kind,
            "replay_of": new.replay_of,
            "resumed_from": new.resumed_from,
            "scheduled_for": new.scheduled_for,
            "requested_by": new.requested_by,
            "reason": new.reason,
            "units_total": len(new.units),
        },
    ).scalar_one_or_none()
    if execution_id is None:
        return None
    conn.execute(
        sa.text(
            """
            INSERT INTO c1.execution_unit (execution_id, business_date, target_key)
            SELECT :id, d, t FROM unnest(CAST(:dates AS date[]), CAST(:targets AS text[])) AS u(d, t)
            """
        ),
        {"id": execution_id, **_unnest_units(new.units)},
    )
    return execution_id


def claim(conn: Connection, runner_id: str, job_ids: Sequence[str], limit: int) -> list[Execution]:
    """Takes up to ``limit`` READY executions of the given jobs; other runners skip the locked rows.
    One statement: the claimed rows come back from the UPDATE itself."""
    if limit <= 0 or not job_ids:
        return []
    rows = conn.execute(
        sa.text(
            f"""
            WITH picked AS (
                SELECT execution_id FROM c1.execution
                 WHERE status = 'READY' AND job_id = ANY(:jobs)
                 ORDER BY execution_id
                 LIMIT :limit
                   FOR UPDATE SKIP LOCKED)
            UPDATE c1.execution e
               SET status = 'RUNNING', runner_id = :runner, started_at = now()
              FROM picked
             WHERE e.execution_id = picked.execution_id
            RETURNING {_EXECUTION_COLUMNS}
            """
        ),
        {"jobs": list(job_ids), "runner": runner_id, "limit": limit},
    )
    return sorted((Execution(**row._mapping) for row in rows), key=lambda e: e.execution_id)


def pending_units(conn: Connection, execution_id: int) -> list[UnitKey]:
    rows = conn.execute(
        sa.text(
            "SELECT business_date, target_key FROM c1.execution_unit"
            " WHERE execution_id = :id AND status IN ('PENDING', 'RUNNING')"
            " ORDER BY business_date, target_key"
        ),
        {"id": execution_id},
    )
    return [(r[0], r[1]) for r in rows]


@dataclass(frozen=True)
class UnitOutcome:
    business_date: date
    target_key: str
    status: str  # SUCCESS or FAILED
    attempts: int
    started_at: datetime
    ended_at: datetime
    payload: dict[str, Any] | None = None
    error_code: str | None = None
    message: str | None = None
    traceback: str | None = None


@dataclass(frozen=True)
class LogRecord:
    at: datetime
    level: str
    message: str
    business_date: date | None
    target_key: str | None


class OwnershipLost(Exception):
    """The execution is no longer this runner's RUNNING execution (lost lease, recovered by another)."""


def commit_chunk(
    conn: Connection,
    *,
    execution: Execution,
    runner_id: str,
    outcomes: Sequence[UnitOutcome],
    logs: Sequence[LogRecord] = (),
) -> datetime | None:
    """Applies one chunk: results inserted and activated, their predecessors deactivated, units and progress
    recorded. Returns stop_requested_at (so the caller learns of a stop without another query).
    Raises OwnershipLost, and the caller's transaction must roll back, when the execution is not ours."""
    ok = [o for o in outcomes if o.status == "SUCCESS"]
    failed = len(outcomes) - len(ok)
    guard = conn.execute(
        sa.text(
            """
            UPDATE c1.execution
               SET units_done = units_done + :ok, units_failed = units_failed + :failed
             WHERE execution_id = :id AND runner_id = :runner AND status = 'RUNNING'
            RETURNING stop_requested_at
            """
        ),
        {"ok": len(ok), "failed": failed, "id": execution.execution_id, "runner": runner_id},
    ).one_or_none()
    if guard is None:
        raise OwnershipLost(execution.execution_id)
    if ok:
        apply_results(
            conn,
            job_id=execution.job_id,
            execution_id=execution.execution_id,
            rows=[(o.business_date, o.target_key, o.payload or {}) for o in ok],
        )
    if outcomes:
        record_units(conn, execution.execution_id, outcomes)
    if logs:
        append_logs(conn, execution.execution_id, logs)
    return guard[0]


def apply_results(
    conn: Connection,
    *,
    job_id: str,
    rows: Sequence[tuple[date, str, dict[str, Any]]],
    execution_id: int | None = None,
    compensation_id: int | None = None,
) -> list[int]:
    """Inserts results (of an execution, or of an approved compensation) and makes them the active version
    of their keys, deactivating exactly what they supersede, with a pointer to the successor. Under a
    per-job advisory lock, so two writers of one key cannot both see the old version as current.

    A key with no active version yet (a first run, a new target) is inserted active at once: one write.
    A key with one is inserted inactive, its predecessor deactivated, then it is activated (the partial
    unique index allows one active row per key at every moment). Returns the new result ids."""
    conn.execute(
        sa.text("SELECT pg_advisory_xact_lock(hashtext('c1.result'), hashtext(:job))"), {"job": job_id}
    )
    inserted = _insert_results(conn, job_id, rows, execution_id, compensation_id)
    pairs = [(new_id, old_id) for new_id, old_id in inserted if old_id is not None]
    if pairs:
        by = f"execution {execution_id}" if execution_id is not None else f"compensation {compensation_id}"
        _supersede(conn, by, pairs)
    return [new_id for new_id, _ in inserted]


def _insert_results(
    conn: Connection,
    job_id: str,
    rows: Sequence[tuple[date, str, dict[str, Any]]],
    execution_id: int | None,
    compensation_id: int | None,
) -> list[tuple[int, int | None]]:
    """Inserts the rows; returns (new result id, its key's active result id or None) for each. A row whose
    key has no active result is inserted active. Each key's active result is found by one probe of the
    partial unique index (a LATERAL with LIMIT 1: the planner cannot turn it into a scan of every active
    result of the job, whatever its statistics say). The caller holds the job's advisory lock."""
    inserted = conn.execute(
        sa.text(
            """
            WITH src AS (
                SELECT u.d, u.t, u.p, u.n, cur.result_id AS old_id
                  FROM unnest(CAST(:dates AS date[]), CAST(:targets AS text[]), CAST(:payloads AS jsonb[]))
                       WITH ORDINALITY AS u(d, t, p, n)
                  LEFT JOIN LATERAL (
                       SELECT r.result_id FROM c1.result r
                        WHERE r.job_id = :job AND r.business_date = u.d AND r.target_key = u.t AND r.is_active
                        LIMIT 1) cur ON true),
            ins AS (
                INSERT INTO c1.result (job_id, business_date, target_key, payload, source, execution_id,
                                       compensation_id, is_active)
                SELECT :job, d, t, p, :source, :execution_id, :compensation_id, old_id IS NULL
                  FROM src ORDER BY n
                RETURNING result_id, business_date, target_key)
            SELECT ins.result_id, src.old_id
              FROM ins JOIN src ON src.d = ins.business_date AND src.t = ins.target_key
             ORDER BY src.n
            """
        ),
        {
            "job": job_id,
            "source": "RUN" if execution_id is not None else "COMPENSATION",
            "execution_id": execution_id,
            "compensation_id": compensation_id,
            "dates": _array(r[0] for r in rows),
            "targets": _array(r[1] for r in rows),
            "payloads": _array(json.dumps(r[2], default=str) for r in rows),
        },
    ).all()
    return [(r[0], r[1]) for r in inserted]


def _supersede(conn: Connection, by: str, pairs: Sequence[tuple[int, int]]) -> None:
    """For each (new id, old id): the old result deactivated with a pointer to the new one, then the new
    one activated (two statements: one active row per key at every moment)."""
    conn.execute(
        sa.text(
            """
            UPDATE c1.result old
               SET is_active = false, superseded_by = pair.new_id, deactivated_at = now(),
                   deactivated_reason = 'superseded by ' || :by
              FROM unnest(CAST(:new_ids AS bigint[]), CAST(:old_ids AS bigint[])) AS pair(new_id, old_id)
             WHERE old.result_id = pair.old_id AND old.is_active
            """
        ),
        {"new_ids": _array(p[0] for p in pairs), "old_ids": _array(p[1] for p in pairs), "by": by},
    )
    conn.execute(
        sa.text("UPDATE c1.result SET is_active = true WHERE result_id = ANY(:ids)"),
        {"ids": _array(p[0] for p in pairs)},
    )


def record_units(conn: Connection, execution_id: int, outcomes: Sequence[UnitOutcome]) -> None:
    low = min((o.business_date, o.target_key) for o in outcomes)
    high = max((o.business_date, o.target_key) for o in outcomes)
    conn.execute(
        sa.text(
            """
            UPDATE c1.execution_unit u
               SET status = o.status, attempts = o.attempts, started_at = o.started_at, ended_at = o.ended_at,
                   error_code = o.error_code, message = o.message, traceback = o.traceback
              FROM unnest(CAST(:dates AS date[]), CAST(:targets AS text[]), CAST(:statuses AS text[]),
                          CAST(:attempts AS integer[]), CAST(:started AS timestamptz[]),
                          CAST(:ended AS timestamptz[]), CAST(:codes AS text[]), CAST(:messages AS text[]),
                          CAST(:tracebacks AS text[]))
                   AS o(business_date, target_key, status, attempts, started_at, ended_at, error_code,
                        message,
                        traceback)
             WHERE u.execution_id = :id AND u.business_date = o.business_date AND u.target_key = o.target_key
               -- a chunk is a contiguous key range: bound the scan to it, not to every unit of the execution
               AND (u.business_date, u.target_key) >= (CAST(:low_date AS date), CAST(:low_target AS text))
               AND (u.business_date, u.target_key) <= (CAST(:high_date AS date), CAST(:high_target AS text))
            """
        ),
        {
            "id": execution_id,
            "low_date": low[0],
            "low_target": low[1],
            "high_date": high[0],
            "high_target": high[1],
            "dates": _array(o.business_date for o in outcomes),
            "targets": _array(o.target_key for o in outcomes),
            "statuses": _array(o.status for o in outcomes),
            "attempts": _array(o.attempts for o in outcomes),
            "started": _array(o.started_at for o in outcomes),
            "ended": _array(o.ended_at for o in outcomes),
            "codes": _array(o.error_code for o in outcomes),
            "messages": _array(o.message for o in outcomes),
            "tracebacks": _array(o.traceback for o in outcomes),
        },
    )


def append_logs(conn: Connection, execution_id: int, logs: Sequence[LogRecord]) -> None:
    conn.execute(
        sa.text(
            """
            INSERT INTO c1.execution_log (execution_id, at, level, message, business_date, target_key)
            SELECT :id, a, l, m, d, t
              FROM unnest(CAST(:at AS timestamptz[]), CAST(:levels AS text[]), CAST(:messages AS text[]),
                          CAST(:dates AS date[]), CAST(:targets AS text[])) AS x(a, l, m, d, t)
            """
        ),
        {
            "id": execution_id,
            "at": _array(r.at for r in logs),
            "levels": _array(r.level for r in logs),
            "messages": _array(r.message for r in logs),
            "dates": _array(r.business_date for r in logs),
            "targets": _array(r.target_key for r in logs),
        },
    )


def skip_pending(conn: Connection, execution_id: int, message: str) -> int:
    """Units that will never run in this execution (stopped, stopped on first failure, runner lost)."""
    return conn.execute(
        sa.text(
            "UPDATE c1.execution_unit"
            " SET status = CASE status WHEN 'RUNNING' THEN 'FAILED' ELSE 'SKIPPED' END,"
            " message = :message, ended_at = now()"
            " WHERE execution_id = :id AND status IN ('PENDING', 'RUNNING')"
        ),
        {"id": execution_id, "message": message},
    ).rowcount


def finish(
    conn: Connection,
    *,
    execution_id: int,
    runner_id: str,
    status: str,
    error_code: str | None = None,
    error_summary: str | None = None,
    stop_reason: str | None = None,
) -> bool:
    """RUNNING -> SUCCESS / FAILED / STOPPED, only by the owner. False when it was not ours any more."""
    row = conn.execute(
        sa.text(
            """
            UPDATE c1.execution
               SET status = :status, ended_at = now(), error_code = :code, error_summary = :summary,
                   stop_reason = coalesce(stop_reason, :stop_reason)
             WHERE execution_id = :id AND runner_id = :runner AND status = 'RUNNING'
            RETURNING execution_id
            """
        ),
        {
            "status": status,
            "code": error_code,
            "summary": error_summary,
            "stop_reason": stop_reason,
            "id": execution_id,
            "runner": runner_id,
        },
    ).one_or_none()
    return row is not None


def request_stop(conn: Connection, execution_id: int, operator: str, reason: str) -> str | None:
    """A READY execution stops at once; a RUNNING one is flagged for its runner. Returns the status after,
    or None when the execution is already finished (or a stop was already requested)."""
    stopped = conn.execute(
        sa.text(
            """
            UPDATE c1.execution
               SET status = 'STOPPED', ended_at = now(), stop_requested_at = now(), stop_requested_by = :op,
                   stop_reason = :reason
             WHERE execution_id = :id AND status = 'READY'
            RETURNING status
            """
        ),
        {"id": execution_id, "op": operator, "reason": reason},
    ).scalar_one_or_none()
    if stopped:
        conn.execute(
            sa.text(
                "UPDATE c1.execution_unit SET status = 'SKIPPED', message = 'not run: stopped before start'"
                " WHERE execution_id = :id AND status = 'PENDING'"
            ),
            {"id": execution_id},
        )
        return stopped
    return conn.execute(
        sa.text(
            """
            UPDATE c1.execution
               SET stop_requested_at = now(), stop_requested_by = :op, stop_reason = :reason
             WHERE execution_id = :id AND status = 'RUNNING' AND stop_requested_at IS NULL
            RETURNING status
            """
        ),
        {"id": execution_id, "op": operator, "reason": reason},
    ).scalar_one_or_none()


def stop_requested(conn: Connection, runner_id: str) -> dict[int, tuple[str, str]]:
    """This runner's RUNNING executions with a stop request: id -> (requested by, reason)."""
    rows = conn.execute(
        sa.text(
            "SELECT execution_id, stop_requested_by, stop_reason FROM c1.execution"
            " WHERE runner_id = :runner AND status = 'RUNNING' AND stop_requested_at IS NOT NULL"
        ),
        {"runner": runner_id},
    )
    return {r[0]: (r[1], r[2]) for r in rows}


def lost_executions(conn: Connection) -> list[tuple[int, str, str, datetime]]:
    """RUNNING executions whose runner's lease has expired: (id, job, runner, last heartbeat). Locked."""
    rows = conn.execute(
        sa.text(
            """
            SELECT e.execution_id, e.job_id, e.runner_id, r.heartbeat_at
              FROM c1.execution e JOIN c1.runner r USING (runner_id)
             WHERE e.status = 'RUNNING' AND r.lease_expires_at < now()
             ORDER BY e.execution_id
               FOR UPDATE OF e SKIP LOCKED
            """
        )
    )
    return [(r[0], r[1], r[2], r[3]) for r in rows]


def abandoned_executions(conn: Connection, runner_id: str, live_ids: list[int]) -> list[tuple[int, str]]:
    """RUNNING executions this runner owns but none of its workers runs (a worker that gave up while the
    database was unreachable could not record its end): (id, job). Locked."""
    rows = conn.execute(
        sa.text(
            """
            SELECT execution_id, job_id FROM c1.execution
             WHERE status = 'RUNNING' AND runner_id = :runner
               AND execution_id <> ALL(CAST(:live AS bigint[]))
             ORDER BY execution_id
               FOR UPDATE SKIP LOCKED
            """
        ),
        {"runner": runner_id, "live": live_ids},
    )
    return [(r[0], r[1]) for r in rows]


def fail_lost(conn: Connection, execution_id: int, code: str, summary: str) -> bool:
    row = conn.execute(
        sa.text(
            """
            UPDATE c1.execution
               SET status = 'FAILED', ended_at = now(), error_code = :code, error_summary = :summary
             WHERE execution_id = :id AND status = 'RUNNING'
            RETURNING execution_id
            """
        ),
        {"id": execution_id, "code": code, "summary": summary},
    ).one_or_none()
    return row is not None


def act_as(conn: Connection, actor: str) -> None:
    """Who the rest of this transaction acts as (the events' actor), when it is not who it began as."""
    conn.execute(sa.text("SELECT set_config('c1.actor', :actor, true)"), {"actor": actor})
