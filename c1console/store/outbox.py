"""The transactional outbox: alert rows written in the same transaction as the event they report."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
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
