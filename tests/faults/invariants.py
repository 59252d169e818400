"""What must hold after any fault: checked with plain SQL on the database itself."""

from __future__ import annotations

import psycopg

from c1console.store import audit
from c1console.store.engine import Database, connection


def check_all(raw: psycopg.Connection, db: Database) -> None:
    orphans = raw.execute(
        "SELECT count(*) FROM c1.execution e LEFT JOIN c1.runner r USING (runner_id)"
        " WHERE e.status = 'RUNNING' AND (r.runner_id IS NULL OR r.lease_expires_at < now())"
    ).fetchone()[0]
    assert orphans == 0, "an execution is RUNNING without a live owner"
    worst = raw.execute(
        "SELECT coalesce(max(n), 0) FROM (SELECT count(*) n FROM c1.result WHERE is_active"
        " GROUP BY job_id, business_date, target_key) x"
    ).fetchone()[0]
    assert worst <= 1, "a key has more than one active result"
    # results exist exactly for units recorded as SUCCESS: nothing of an uncommitted chunk survived
    mismatched = raw.execute(
        """
        SELECT count(*) FROM c1.execution_unit u
          FULL JOIN c1.result r ON r.execution_id = u.execution_id AND r.business_date = u.business_date
                               AND r.target_key = u.target_key
         WHERE (u.status = 'SUCCESS') IS DISTINCT FROM (r.result_id IS NOT NULL)
           AND coalesce(r.source, 'RUN') = 'RUN'
        """
    ).fetchone()[0]
    assert mismatched == 0, "results and units recorded as SUCCESS disagree"
    counted = raw.execute(
        """
        SELECT count(*) FROM c1.execution e
         WHERE e.units_done <> (SELECT count(*) FROM c1.execution_unit u
                                 WHERE u.execution_id = e.execution_id AND u.status = 'SUCCESS')
            OR e.units_total <> (SELECT count(*) FROM c1.execution_unit u
                                  WHERE u.execution_id = e.execution_id)
        """
    ).fetchone()[0]
    assert counted == 0, "progress counters disagree with the units recorded"
    unfinished = raw.execute(
        "SELECT count(*) FROM c1.execution_unit u JOIN c1.execution e USING (execution_id)"
        " WHERE e.status IN ('SUCCESS', 'FAILED', 'STOPPED') AND u.status IN ('PENDING', 'RUNNING')"
    ).fetchone()[0]
    assert unfinished == 0, "a finished execution has units still pending"
    with connection(db) as conn:
        report = audit.verify_chain(conn)
    assert report.ok, f"audit chain broken at {report.broken_at}: {report.problem}"
