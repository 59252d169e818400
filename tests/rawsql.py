"""Raw-SQL fixtures for schema tests: rows made directly, the way a DBA with psql would."""

from __future__ import annotations

from datetime import date

import psycopg


def add_job(raw: psycopg.Connection, job_id: str = "valuation") -> str:
    raw.execute(
        "INSERT INTO c1.job (job_id, title, definition_hash) VALUES (%s, %s, 'h') ON CONFLICT DO NOTHING",
        (job_id, job_id.title()),
    )
    return job_id


def add_execution(
    raw: psycopg.Connection,
    job_id: str = "valuation",
    *,
    run_type: str = "MANUAL",
    scheduled_for: str | None = None,
    day: date = date(2026, 11, 2),
) -> int:
    add_job(raw, job_id)
    return raw.execute(
        """INSERT INTO c1.execution (job_id, run_type, business_date_from, business_date_to, requested_by,
                                     scheduled_for, replay_kind, reason)
           VALUES (%s, %s, %s, %s, 'tester', %s, %s, %s) RETURNING execution_id""",
        (
            job_id,
            run_type,
            day,
            day,
            scheduled_for,
            "RANGE" if run_type == "REPLAY" else None,
            "because" if run_type == "REPLAY" else None,
        ),
    ).fetchone()[0]


def move(raw: psycopg.Connection, execution_id: int, status: str) -> None:
    """Moves an execution to a status, filling the timestamps that status needs."""
    raw.execute(
        """UPDATE c1.execution
              SET status = %(s)s,
                  started_at = coalesce(started_at, CASE WHEN %(s)s <> 'STOPPED' THEN now() END),
                  ended_at = CASE WHEN %(s)s IN ('SUCCESS', 'FAILED', 'STOPPED') THEN now() END
            WHERE execution_id = %(id)s""",
        {"s": status, "id": execution_id},
    )


def add_result(
    raw: psycopg.Connection,
    execution_id: int,
    *,
    job_id: str = "valuation",
    day: date = date(2026, 11, 2),
    target: str = "ACC-1",
    active: bool = True,
) -> int:
    return raw.execute(
        """INSERT INTO c1.result (job_id, business_date, target_key, payload, execution_id, is_active)
           VALUES (%s, %s, %s, '{"v": 1}', %s, %s) RETURNING result_id""",
        (job_id, day, target, execution_id, active),
    ).fetchone()[0]


def audit(raw: psycopg.Connection, action: str = "test.act", actor: str = "tester") -> int:
    return raw.execute(
        """INSERT INTO c1.audit_log
                  (audit_id, actor, action, object_type, object_id, details, prev_hash, hash)
           VALUES (0, %s, %s, 'test', '1', '{"k": "v"}', '', '') RETURNING audit_id""",
        (actor, action),
    ).fetchone()[0]


SETUP_ADMIN = "setup-admin"


def grant_role(raw: psycopg.Connection, login: str, role: str) -> None:
    """Records ``login``'s role the way an installation does: the first admin bootstraps itself (the
    database allows that only on an empty operator table), then grants as that admin."""
    raw.execute(
        "INSERT INTO c1.operator (operator_id, role, granted_by) SELECT %s, 'admin', %s"
        " WHERE NOT EXISTS (SELECT 1 FROM c1.operator)",
        (SETUP_ADMIN, SETUP_ADMIN),
    )
    raw.execute(
        "INSERT INTO c1.operator (operator_id, role, granted_by) VALUES (%s, %s, %s)"
        " ON CONFLICT (operator_id) DO UPDATE SET role = EXCLUDED.role, granted_by = EXCLUDED.granted_by",
        (login, role, SETUP_ADMIN),
    )
