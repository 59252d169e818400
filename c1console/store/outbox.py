"""The transactional outbox: alert rows written in the same transaction as the event they report."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection


def enqueue(
    conn: Connection,
    *,
    event: str,
    channels: Sequence[str],
    dedupe_key: str,
    job_id: str | None = None,
    execution_id: int | None = None,
    details: Mapping[str, Any] | None = None,
) -> int:
    """One PENDING row per channel; the same (channel, dedupe_key) is never queued twice."""
    if not channels:
        return 0
    return conn.execute(
        sa.text(
            """
            INSERT INTO c1.notification (event, channel, dedupe_key, job_id, execution_id, details)
            SELECT :event, c, :key, :job, :execution, CAST(:details AS jsonb)
              FROM unnest(CAST(:channels AS text[])) AS c
            ON CONFLICT (channel, dedupe_key) DO NOTHING
            """
        ),
        {
            "event": event,
            "key": dedupe_key,
            "job": job_id,
            "execution": execution_id,
            "details": json.dumps(dict(details or {}), default=str),
            "channels": list(channels),
        },
    ).rowcount


def enqueue_failure(
    conn: Connection, *, channels: Sequence[str], job_id: str, execution_id: int, **details: Any
) -> int:
    """The alert for a FAILED execution: one per execution, whoever records the failure."""
    return enqueue(
        conn,
        event="failed",
        channels=channels,
        dedupe_key=f"failed:{execution_id}",
        job_id=job_id,
        execution_id=execution_id,
        details=details,
    )


@dataclass(frozen=True)
class Notification:
    notification_id: int
    created_at: datetime
    event: str
    channel: str
    dedupe_key: str
    job_id: str | None
    execution_id: int | None
    details: dict[str, Any]
    status: str
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    sent_at: datetime | None


_COLUMNS = ", ".join(f.name for f in fields(Notification))


def due(conn: Connection, limit: int = 200) -> list[Notification]:
    """PENDING rows whose time has come, locked for this dispatcher; other dispatchers skip them."""
    rows = conn.execute(
        sa.text(
            f"SELECT {_COLUMNS} FROM c1.notification"
            " WHERE status = 'PENDING' AND next_attempt_at <= now()"
            " ORDER BY notification_id LIMIT :limit FOR UPDATE SKIP LOCKED"
        ),
        {"limit": limit},
    )
    return [Notification(**row._mapping) for row in rows]


def recently_sent(conn: Connection, *, event: str, channel: str, job_id: str | None, seconds: float) -> bool:
    return bool(
        conn.execute(
            sa.text(
                "SELECT EXISTS (SELECT 1 FROM c1.notification WHERE event = :event AND channel = :channel"
                " AND job_id IS NOT DISTINCT FROM :job AND status = 'SENT'"
                " AND sent_at > now() - make_interval(secs => :seconds))"
            ),
            {"event": event, "channel": channel, "job": job_id, "seconds": seconds},
        ).scalar_one()
    )


def mark_sent(conn: Connection, ids: Sequence[int]) -> None:
    conn.execute(
        sa.text(
            "UPDATE c1.notification SET status = 'SENT', sent_at = now(), attempts = attempts + 1"
            " WHERE notification_id = ANY(:ids) AND status = 'PENDING'"
        ),
        {"ids": list(ids)},
    )


def mark_attempt_failed(
    conn: Connection, ids: Sequence[int], *, error: str, max_attempts: int, backoff_seconds: float
) -> None:
    """Retries later with exponential backoff (capped at an hour); FAILED after the last attempt."""
    conn.execute(
        sa.text(
            """
            UPDATE c1.notification
               SET attempts = attempts + 1,
                   last_error = :error,
                   status = CASE WHEN attempts + 1 >= :max THEN 'FAILED' ELSE 'PENDING' END,
                   next_attempt_at = now() + make_interval(secs => least(3600, :backoff * 2 ^ attempts))
             WHERE notification_id = ANY(:ids) AND status = 'PENDING'
            """
        ),
        {"ids": list(ids), "error": error[:2000], "max": max_attempts, "backoff": backoff_seconds},
    )


def list_notifications(
    conn: Connection, *, statuses: Sequence[str] = (), limit: int = 100, before_id: int | None = None
) -> list[Notification]:
    where = ["true"]
    params: dict[str, Any] = {"limit": limit}
    if statuses:
        where.append("status = ANY(:statuses)")
        params["statuses"] = list(statuses)
    if before_id is not None:
        where.append("notification_id < :before")
        params["before"] = before_id
    rows = conn.execute(
        sa.text(
            f"SELECT {_COLUMNS} FROM c1.notification WHERE {' AND '.join(where)}"
            " ORDER BY notification_id DESC LIMIT :limit"
        ),
        params,
    )
    return [Notification(**row._mapping) for row in rows]
