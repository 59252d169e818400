"""Runner processes: registration, heartbeats, the leader lease, missed schedule fires."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

LEADER = "scheduler"


def register(
    conn: Connection, runner_id: str, hostname: str, pid: int, lease_seconds: float, version: str
) -> None:
    conn.execute(
        sa.text(
            """
            INSERT INTO c1.runner (runner_id, hostname, pid, lease_expires_at, version)
            VALUES (:id, :host, :pid, now() + make_interval(secs => :lease), :version)
            """
        ),
        {"id": runner_id, "host": hostname, "pid": pid, "lease": lease_seconds, "version": version},
    )


def heartbeat(conn: Connection, runner_id: str, lease_seconds: float) -> bool:
    """Renews this runner's lease. False when the runner was marked stopped."""
    row = conn.execute(
        sa.text(
            """
            UPDATE c1.runner
               SET heartbeat_at = now(), lease_expires_at = now() + make_interval(secs => :lease)
             WHERE runner_id = :id AND stopped_at IS NULL
            RETURNING runner_id
            """
        ),
        {"id": runner_id, "lease": lease_seconds},
    ).one_or_none()
    return row is not None


def mark_stopped(conn: Connection, runner_id: str) -> None:
    conn.execute(
        sa.text("UPDATE c1.runner SET stopped_at = now(), lease_expires_at = now() WHERE runner_id = :id"),
        {"id": runner_id},
    )
    conn.execute(
        sa.text("UPDATE c1.lease SET expires_at = now() WHERE runner_id = :id"),
        {"id": runner_id},
    )


def acquire_leadership(conn: Connection, runner_id: str, lease_seconds: float) -> bool:
    """Takes or renews the leader lease; True when this runner holds it afterwards."""
    holder = conn.execute(
        sa.text(
            """
            INSERT INTO c1.lease (name, runner_id, expires_at)
            VALUES (:name, :id, now() + make_interval(secs => :lease))
            ON CONFLICT (name) DO UPDATE
               SET runner_id = EXCLUDED.runner_id, expires_at = EXCLUDED.expires_at,
                   acquired_at = CASE WHEN c1.lease.runner_id = EXCLUDED.runner_id THEN c1.lease.acquired_at
                                      ELSE now() END
             WHERE c1.lease.runner_id = EXCLUDED.runner_id OR c1.lease.expires_at < now()
            RETURNING runner_id
            """
        ),
        {"name": LEADER, "id": runner_id, "lease": lease_seconds},
    ).scalar_one_or_none()
    return holder == runner_id


def leader(conn: Connection) -> tuple[str, datetime] | None:
    """The live leader (runner id, lease expiry), if any."""
    row = conn.execute(
        sa.text("SELECT runner_id, expires_at FROM c1.lease WHERE name = :name AND expires_at > now()"),
        {"name": LEADER},
    ).one_or_none()
    return (row[0], row[1]) if row else None


def fire_baseline(conn: Connection, job_id: str) -> datetime | None:
    """From when on a job's schedule fires are accounted for: its latest fired or missed schedule time, or
    since its schedule was set or resumed (fires while paused were not missed)."""
    return conn.execute(
        sa.text(
            """
            SELECT greatest(
                (SELECT max(scheduled_for) FROM c1.execution WHERE job_id = :job AND run_type = 'AUTO'),
                (SELECT max(scheduled_for) FROM c1.missed_fire WHERE job_id = :job),
                (SELECT schedule_since FROM c1.job WHERE job_id = :job))
            """
        ),
        {"job": job_id},
    ).scalar_one_or_none()


def record_missed(conn: Connection, job_id: str, times: list[datetime], detected_by: str) -> int:
    if not times:
        return 0
    return conn.execute(
        sa.text(
            """
            INSERT INTO c1.missed_fire (job_id, scheduled_for, detected_by)
            SELECT :job, t, :by FROM unnest(CAST(:times AS timestamptz[])) AS t
             WHERE NOT EXISTS (SELECT 1 FROM c1.execution e
                                WHERE e.job_id = :job AND e.run_type = 'AUTO' AND e.scheduled_for = t)
            ON CONFLICT DO NOTHING
            """
        ),
        {"job": job_id, "times": times, "by": detected_by},
    ).rowcount


def live_count(conn: Connection) -> int:
    return conn.execute(
        sa.text("SELECT count(*) FROM c1.runner WHERE stopped_at IS NULL AND lease_expires_at > now()")
    ).scalar_one()
