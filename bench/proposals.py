"""Product changes this benchmark proposes, applied in the benchmark's own process only (monkeypatched), so
the figures can show before and after side by side. Nothing here edits the product: each function is the
proposed replacement, written to drop into c1console/store/lifecycle.py as is.

1. ``apply_results``: the supersession UPDATE joined ``c1.result old`` (all active results of the job) with
   ``c1.result new`` (this chunk's rows by id). When the planner's estimate of the job's active results is
   low — a new job, or one that grew since the last ANALYZE — it drives a nested loop from ``old`` and
   re-scans the chunk's ids for every active result of the job: each chunk costs O(active results of the
   job) x O(chunk), the whole run O(n^2). The replacement looks up, for each new key, its one active
   predecessor through the partial unique index ``result_one_active`` (a LATERAL probe with LIMIT 1, which
   the planner cannot flatten or reorder): O(chunk x log n) whatever the statistics say.
2. ``record_units``: the UPDATE of the chunk's units hash-joined the chunk with *every* unit of the
   execution (``execution_id = :id``, estimated at ~10 rows from the table's average, actually up to
   hundreds of thousands): O(units of the execution) per chunk. The replacement bounds the index scan to
   the chunk's own key range (the worker runs units in primary-key order, so a chunk is a contiguous range).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from c1console.store import lifecycle

_ORIGINAL = {"apply_results": lifecycle.apply_results, "record_units": lifecycle.record_units}


def apply_results(
    conn: Connection,
    *,
    job_id: str,
    rows: Sequence[tuple[date, str, dict[str, Any]]],
    execution_id: int | None = None,
    compensation_id: int | None = None,
) -> list[int]:
    source = "RUN" if execution_id is not None else "COMPENSATION"
    conn.execute(
        sa.text("SELECT pg_advisory_xact_lock(hashtext('c1.result'), hashtext(:job))"), {"job": job_id}
    )
    dates = [r[0] for r in rows]
    targets = [r[1] for r in rows]
    new_ids = list(
        conn.execute(
            sa.text(
                """
                INSERT INTO c1.result (job_id, business_date, target_key, payload, source, execution_id,
                                       compensation_id)
                SELECT :job, d, t, p, :source, :execution_id, :compensation_id
                  FROM unnest(CAST(:dates AS date[]), CAST(:targets AS text[]), CAST(:payloads AS jsonb[]))
                       WITH ORDINALITY AS u(d, t, p, n)
                 ORDER BY n
                RETURNING result_id
                """
            ),
            {
                "job": job_id,
                "source": source,
                "execution_id": execution_id,
                "compensation_id": compensation_id,
                "dates": dates,
                "targets": targets,
                "payloads": [json.dumps(r[2], default=str) for r in rows],
            },
        ).scalars()
    )
    by = f"execution {execution_id}" if execution_id is not None else f"compensation {compensation_id}"
    conn.execute(
        sa.text(
            """
            UPDATE c1.result old
               SET is_active = false, superseded_by = pair.new_id, deactivated_at = now(),
                   deactivated_reason = 'superseded by ' || :by
              FROM (SELECT n.new_id, cur.result_id AS old_id
                      FROM unnest(CAST(:ids AS bigint[]), CAST(:dates AS date[]), CAST(:targets AS text[]))
                           AS n(new_id, d, t)
                      CROSS JOIN LATERAL (
                           SELECT r.result_id FROM c1.result r
                            WHERE r.job_id = :job AND r.business_date = n.d AND r.target_key = n.t
                              AND r.is_active
                            LIMIT 1) cur) pair
             WHERE old.result_id = pair.old_id
            """
        ),
        {"ids": new_ids, "dates": dates, "targets": targets, "job": job_id, "by": by},
    )
    conn.execute(
        sa.text("UPDATE c1.result SET is_active = true WHERE result_id = ANY(:ids)"), {"ids": new_ids}
    )
    return new_ids


def record_units(conn: Connection, execution_id: int, outcomes: Sequence[lifecycle.UnitOutcome]) -> None:
    keys = [(o.business_date, o.target_key) for o in outcomes]
    low, high = min(keys), max(keys)
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
                        message, traceback)
             WHERE u.execution_id = :id AND u.business_date = o.business_date AND u.target_key = o.target_key
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
            "dates": [o.business_date for o in outcomes],
            "targets": [o.target_key for o in outcomes],
            "statuses": [o.status for o in outcomes],
            "attempts": [o.attempts for o in outcomes],
            "started": [o.started_at for o in outcomes],
            "ended": [o.ended_at for o in outcomes],
            "codes": [o.error_code for o in outcomes],
            "messages": [o.message for o in outcomes],
            "tracebacks": [o.traceback for o in outcomes],
        },
    )


def apply() -> None:
    """Routes the runner (and ops) through the proposed statements, in this process only."""
    lifecycle.apply_results = apply_results  # type: ignore[assignment]
    lifecycle.record_units = record_units  # type: ignore[assignment]


def revert() -> None:
    lifecycle.apply_results = _ORIGINAL["apply_results"]  # type: ignore[assignment]
    lifecycle.record_units = _ORIGINAL["record_units"]  # type: ignore[assignment]
