"""Jobs as the database knows them: synced from the code registry, paused and resumed by operators."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection


@dataclass(frozen=True)
class JobRow:
    job_id: str
    title: str
    schedule_cron: str | None
    timezone: str
    definition_hash: str
    paused: bool
    paused_by: str | None
    paused_at: datetime | None
    paused_reason: str | None
    last_execution_id: int | None = None
    last_status: str | None = None
    last_started_at: datetime | None = None


@dataclass(frozen=True)
class JobSpec:
    job_id: str
    title: str
    schedule_cron: str | None
    timezone: str
    definition_hash: str
    module: str | None = None  # the Python module that registers the job


def sync(conn: Connection, specs: Iterable[JobSpec]) -> None:
    """Upserts registered jobs. Jobs no longer registered stay: their history still refers to them."""
    rows = [spec.__dict__ for spec in specs]
    if not rows:
        return
    conn.execute(
        sa.text(
            """
            INSERT INTO c1.job (job_id, title, schedule_cron, timezone, definition_hash, module)
            VALUES (:job_id, :title, :schedule_cron, :timezone, :definition_hash, :module)
            ON CONFLICT (job_id) DO UPDATE
               SET title = EXCLUDED.title, schedule_cron = EXCLUDED.schedule_cron,
                   schedule_since = CASE WHEN (c1.job.schedule_cron, c1.job.timezone)
                                              IS DISTINCT FROM (EXCLUDED.schedule_cron, EXCLUDED.timezone)
                                         THEN now() ELSE c1.job.schedule_since END,
                   timezone = EXCLUDED.timezone, definition_hash = EXCLUDED.definition_hash,
                   module = EXCLUDED.module, updated_at = now()
             WHERE (c1.job.title, c1.job.schedule_cron, c1.job.timezone, c1.job.definition_hash,
                    c1.job.module)
                   IS DISTINCT FROM (EXCLUDED.title, EXCLUDED.schedule_cron, EXCLUDED.timezone,
                                     EXCLUDED.definition_hash, EXCLUDED.module)
            """
        ),
        rows,
    )


def list_jobs(conn: Connection) -> list[JobRow]:
    rows = conn.execute(
        sa.text(
            """
            SELECT j.job_id, j.title, j.schedule_cron, j.timezone, j.definition_hash, j.paused, j.paused_by,
                   j.paused_at, j.paused_reason,
                   last.execution_id AS last_execution_id, last.status AS last_status,
                   last.started_at AS last_started_at
              FROM c1.job j
              LEFT JOIN LATERAL (
                   SELECT execution_id, status, started_at FROM c1.execution e
                    WHERE e.job_id = j.job_id ORDER BY execution_id DESC LIMIT 1) last ON true
             ORDER BY j.job_id
            """
        )
    )
    return [JobRow(**row._mapping) for row in rows]


def get(conn: Connection, job_id: str, *, for_update: bool = False) -> JobRow | None:
    lock = " FOR UPDATE" if for_update else ""
    row = conn.execute(
        sa.text(
            "SELECT job_id, title, schedule_cron, timezone, definition_hash, paused, paused_by, paused_at,"
            f" paused_reason FROM c1.job WHERE job_id = :job{lock}"
        ),
        {"job": job_id},
    ).one_or_none()
    return JobRow(**row._mapping) if row else None


def set_paused(conn: Connection, job_id: str, paused: bool, operator: str, reason: str) -> bool:
    """Flips the pause flag; False when it already had that value."""
    row = conn.execute(
        sa.text(
            """
            UPDATE c1.job
               SET paused = :paused,
                   paused_by = CASE WHEN :paused THEN :op END,
                   paused_at = CASE WHEN :paused THEN now() END,
                   paused_reason = CASE WHEN :paused THEN :reason END,
                   schedule_since = CASE WHEN :paused THEN schedule_since ELSE now() END,
                   updated_at = now()
             WHERE job_id = :job AND paused <> :paused
            RETURNING job_id
            """
        ),
        {"paused": paused, "op": operator, "reason": reason, "job": job_id},
    ).one_or_none()
    return row is not None


def module_of(conn: Connection, job_id: str) -> str | None:
    """The module that registers ``job_id``, as last recorded by a process that had loaded it."""
    return conn.execute(
        sa.text("SELECT module FROM c1.job WHERE job_id = :job"), {"job": job_id}
    ).scalar_one_or_none()


def is_paused(conn: Connection, job_id: str) -> bool:
    return bool(
        conn.execute(
            sa.text("SELECT paused FROM c1.job WHERE job_id = :job"), {"job": job_id}
        ).scalar_one_or_none()
    )
