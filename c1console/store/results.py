"""Results beyond the run path: logical rollback of an execution, compensations, a key's history."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

KeyRef = tuple[date, str]


@dataclass(frozen=True)
class RollbackPlan:
    deactivate: list[KeyRef]  # keys whose active result is this execution's
    reactivate: list[KeyRef]  # of those, keys with a predecessor to bring back
    skipped: list[KeyRef]  # keys a newer execution or compensation has superseded since: left alone


def rollback_plan(conn: Connection, execution_id: int, job_id: str) -> RollbackPlan:
    rows = conn.execute(
        sa.text(
            """
            SELECT r.business_date, r.target_key, r.is_active,
                   EXISTS (SELECT 1 FROM c1.result p WHERE p.superseded_by = r.result_id) AS has_predecessor
              FROM c1.result r
             WHERE r.execution_id = :id AND r.job_id = :job
             ORDER BY r.business_date, r.target_key
            """
        ),
        {"id": execution_id, "job": job_id},
    ).all()
    return RollbackPlan(
        deactivate=[(r[0], r[1]) for r in rows if r[2]],
        reactivate=[(r[0], r[1]) for r in rows if r[2] and r[3]],
        skipped=[(r[0], r[1]) for r in rows if not r[2]],
    )


def apply_rollback(conn: Connection, execution_id: int, job_id: str, reason: str) -> tuple[int, int]:
    """Deactivates what the execution activated and reactivates what it had superseded, for the keys where
    its result is still the active one. Returns (deactivated, reactivated)."""
    conn.execute(
        sa.text("SELECT pg_advisory_xact_lock(hashtext('c1.result'), hashtext(:job))"), {"job": job_id}
    )
    deactivated = list(
        conn.execute(
            sa.text(
                """
                UPDATE c1.result SET is_active = false, deactivated_at = now(),
                       deactivated_reason = 'rolled back: ' || :reason
                 WHERE execution_id = :id AND is_active
                RETURNING result_id
                """
            ),
            {"id": execution_id, "reason": reason},
        ).scalars()
    )
    reactivated = conn.execute(
        sa.text(
            """
            UPDATE c1.result SET is_active = true, deactivated_at = NULL, deactivated_reason = NULL
             WHERE superseded_by = ANY(:ids)
            """
        ),
        {"ids": deactivated},
    ).rowcount
    return len(deactivated), reactivated


def mark_rolled_back(conn: Connection, execution_id: int, operator: str, reason: str) -> bool:
    row = conn.execute(
        sa.text(
            """
            UPDATE c1.execution SET rolled_back_at = now(), rolled_back_by = :op, rolled_back_reason = :reason
             WHERE execution_id = :id AND rolled_back_at IS NULL
               AND status IN ('SUCCESS', 'FAILED', 'STOPPED')
            RETURNING execution_id
            """
        ),
        {"id": execution_id, "op": operator, "reason": reason},
    ).one_or_none()
    return row is not None


# Compensations --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Compensation:
    compensation_id: int
    job_id: str
    business_date: date
    target_key: str
    payload: dict[str, Any]
    reason: str
    evidence_ref: str | None
    requested_by: str
    requested_at: datetime
    status: str
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str | None


@dataclass(frozen=True)
class Evidence:
    evidence_id: int
    compensation_id: int
    filename: str
    sha256: str
    size_bytes: int
    added_at: datetime


_COMP = ", ".join(f.name for f in fields(Compensation))
_EVIDENCE = ", ".join(f.name for f in fields(Evidence))


def add_compensation(
    conn: Connection,
    *,
    job_id: str,
    business_date: date,
    target_key: str,
    payload: str,
    reason: str,
    evidence_ref: str | None,
    requested_by: str,
) -> int:
    return conn.execute(
        sa.text(
            """
            INSERT INTO c1.compensation (job_id, business_date, target_key, payload, reason, evidence_ref,
                                         requested_by)
            VALUES (:job, :day, :target, CAST(:payload AS jsonb), :reason, :ref, :by)
            RETURNING compensation_id
            """
        ),
        {
            "job": job_id,
            "day": business_date,
            "target": target_key,
            "payload": payload,
            "reason": reason,
            "ref": evidence_ref,
            "by": requested_by,
        },
    ).scalar_one()


def add_evidence(conn: Connection, compensation_id: int, filename: str, content: bytes, sha256: str) -> int:
    return conn.execute(
        sa.text(
            """
            INSERT INTO c1.compensation_evidence (compensation_id, filename, content, sha256, size_bytes)
            VALUES (:id, :name, :content, :sha, :size) RETURNING evidence_id
            """
        ),
        {"id": compensation_id, "name": filename, "content": content, "sha": sha256, "size": len(content)},
    ).scalar_one()


def get_compensation(
    conn: Connection, compensation_id: int, *, for_update: bool = False
) -> Compensation | None:
    lock = " FOR UPDATE" if for_update else ""
    row = conn.execute(
        sa.text(f"SELECT {_COMP} FROM c1.compensation WHERE compensation_id = :id{lock}"),
        {"id": compensation_id},
    ).one_or_none()
    return Compensation(**row._mapping) if row else None


def list_compensations(
    conn: Connection, *, statuses: tuple[str, ...] = (), limit: int = 100
) -> list[Compensation]:
    where = "WHERE status = ANY(:statuses)" if statuses else ""
    rows = conn.execute(
        sa.text(f"SELECT {_COMP} FROM c1.compensation {where} ORDER BY compensation_id DESC LIMIT :limit"),
        {"statuses": list(statuses), "limit": limit},
    )
    return [Compensation(**r._mapping) for r in rows]


def decide(conn: Connection, compensation_id: int, *, approve: bool, operator: str, note: str) -> bool:
    """PENDING -> APPROVED / REJECTED; False when someone else decided first."""
    row = conn.execute(
        sa.text(
            """
            UPDATE c1.compensation
               SET status = :status, decided_by = :op, decided_at = now(), decision_note = :note
             WHERE compensation_id = :id AND status = 'PENDING'
            RETURNING compensation_id
            """
        ),
        {
            "status": "APPROVED" if approve else "REJECTED",
            "op": operator,
            "note": note,
            "id": compensation_id,
        },
    ).one_or_none()
    return row is not None


def evidence_of(conn: Connection, compensation_id: int) -> list[Evidence]:
    rows = conn.execute(
        sa.text(f"SELECT {_EVIDENCE} FROM c1.compensation_evidence WHERE compensation_id = :id ORDER BY 1"),
        {"id": compensation_id},
    )
    return [Evidence(**r._mapping) for r in rows]


def evidence_content(conn: Connection, evidence_id: int) -> tuple[Evidence, bytes] | None:
    row = conn.execute(
        sa.text(f"SELECT {_EVIDENCE}, content FROM c1.compensation_evidence WHERE evidence_id = :id"),
        {"id": evidence_id},
    ).one_or_none()
    if row is None:
        return None
    data = dict(row._mapping)
    content = bytes(data.pop("content"))
    return Evidence(**data), content


# History of a key ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Version:
    result_id: int
    source: str
    execution_id: int | None
    compensation_id: int | None
    run_type: str | None
    is_active: bool
    created_at: datetime
    superseded_by: int | None
    deactivated_at: datetime | None
    deactivated_reason: str | None
    payload: dict[str, Any]


def history(conn: Connection, job_id: str, business_date: date, target_key: str) -> list[Version]:
    rows = conn.execute(
        sa.text(
            """
            SELECT r.result_id, r.source, r.execution_id, r.compensation_id, e.run_type, r.is_active,
                   r.created_at,
                   r.superseded_by, r.deactivated_at, r.deactivated_reason, r.payload
              FROM c1.result r LEFT JOIN c1.execution e USING (execution_id)
             WHERE r.job_id = :job AND r.business_date = :day AND r.target_key = :target
             ORDER BY r.result_id
            """
        ),
        {"job": job_id, "day": business_date, "target": target_key},
    )
    return [Version(**r._mapping) for r in rows]


def job_exists(conn: Connection, job_id: str) -> bool:
    return bool(
        conn.execute(
            sa.text("SELECT EXISTS (SELECT 1 FROM c1.job WHERE job_id = :j)"), {"j": job_id}
        ).scalar_one()
    )
