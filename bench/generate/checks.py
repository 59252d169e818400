"""``--check``: the consistency of the loaded data, and the audit chain verified as `c1console audit verify`
does."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import psycopg

from bench import common

CHECKS = {
    "units per execution match units_total/done/failed": """
        SELECT count(*) FROM c1.execution e
          LEFT JOIN (SELECT execution_id, count(*) AS n, count(*) FILTER (WHERE status = 'SUCCESS') AS ok,
                            count(*) FILTER (WHERE status = 'FAILED') AS bad
                       FROM c1.execution_unit GROUP BY 1) u USING (execution_id)
         WHERE coalesce(u.n, 0) <> e.units_total OR coalesce(u.ok, 0) <> e.units_done
            OR coalesce(u.bad, 0) <> e.units_failed""",
    "results only for succeeded units": """
        SELECT count(*) FROM c1.result r
         WHERE r.source = 'RUN' AND NOT EXISTS (
               SELECT 1 FROM c1.execution_unit u WHERE u.execution_id = r.execution_id
                  AND u.business_date = r.business_date AND u.target_key = r.target_key
                  AND u.status = 'SUCCESS')""",
    "every succeeded unit has its result": """
        SELECT (SELECT count(*) FROM c1.execution_unit WHERE status = 'SUCCESS')
             - (SELECT count(*) FROM c1.result WHERE source = 'RUN')""",
    "a superseded result points to a newer one of the same key": """
        SELECT count(*) FROM c1.result o JOIN c1.result n ON n.result_id = o.superseded_by
         WHERE o.is_active OR n.job_id <> o.job_id OR n.business_date <> o.business_date
            OR n.target_key <> o.target_key OR n.result_id <= o.result_id
            OR o.deactivated_at <> n.created_at""",
    "every key has exactly one active result": """
        SELECT count(*) FROM (SELECT job_id, business_date, target_key FROM c1.result GROUP BY 1, 2, 3
                               HAVING count(*) FILTER (WHERE is_active) <> 1) k""",
    "events follow the legal transitions and end at the status": """
        SELECT count(*) FROM c1.execution e
          JOIN LATERAL (SELECT string_agg(coalesce(from_status, '-') || '>' || to_status, ' '
                                          ORDER BY event_id) AS path
                          FROM c1.execution_event v WHERE v.execution_id = e.execution_id) p ON true
         WHERE p.path NOT IN ('->READY READY>RUNNING RUNNING>' || e.status, '->READY READY>STOPPED')
            OR (p.path = '->READY READY>STOPPED' AND e.status <> 'STOPPED')""",
    "replays and resumes point back in time": """
        SELECT count(*) FROM c1.execution WHERE replay_of >= execution_id OR resumed_from >= execution_id""",
}


def foreign_key_checks(cur: psycopg.Cursor[Any]) -> dict[str, str]:
    """One anti-join per foreign key of schema c1 (they were not checked while triggers were off)."""
    rows = cur.execute(
        """
        SELECT c.conname, child.relname, a.attname, parent.relname, pa.attname
          FROM pg_constraint c
          JOIN pg_class child ON child.oid = c.conrelid
          JOIN pg_class parent ON parent.oid = c.confrelid
          JOIN pg_namespace s ON s.oid = child.relnamespace
          JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
          JOIN pg_attribute pa ON pa.attrelid = c.confrelid AND pa.attnum = c.confkey[1]
         WHERE c.contype = 'f' AND s.nspname = 'c1' AND cardinality(c.conkey) = 1
         ORDER BY 1
        """
    ).fetchall()
    return {
        f"foreign key {name}": (
            f"SELECT count(*) FROM c1.{child} x WHERE x.{column} IS NOT NULL AND NOT EXISTS"
            f" (SELECT 1 FROM c1.{parent} y WHERE y.{pcolumn} = x.{column})"
        )
        for name, child, column, parent, pcolumn in rows
    }


def check(url: str, log: Callable[[str], None]) -> bool:
    """Consistency of the loaded data, and the audit chain verified the way `c1console audit verify` does."""
    ok = True
    with psycopg.connect(url) as conn:
        cur = conn.cursor()
        checks = {**foreign_key_checks(cur), **CHECKS}
        for what, query in checks.items():
            bad = cur.execute(query).fetchone()[0]
            ok = ok and bad == 0
            log(f"  {'ok ' if bad == 0 else 'BAD'} {what}" + ("" if bad == 0 else f": {bad}"))
    db = common.open_db(url)
    try:
        from c1console.store import audit
        from c1console.store.engine import connection

        with connection(db) as conn:
            report = audit.verify_chain(conn)
    finally:
        db.dispose()
    log(
        f"  {'ok ' if report.ok else 'BAD'} audit chain: {report.rows} rows"
        + ("" if report.ok else f", broken at {report.broken_at}: {report.problem}")
    )
    return ok and report.ok
