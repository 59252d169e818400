"""Loading: every stage's rows written with triggers off and the secondary indexes and keys dropped, then
the keys and indexes re-created from their own definitions (as pg_restore does) and the tables analysed."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import psycopg

from bench.generate.audit_chain import write_audit_rows
from bench.generate.compensations_signoffs import write_compensations_and_signoffs
from bench.generate.executions import write_events, write_executions
from bench.generate.notifications import write_notification_rows
from bench.generate.plan import World
from bench.generate.reference_rows import write_reference_rows
from bench.generate.results import write_results
from bench.generate.units import write_units_and_logs
from bench.generate.writer import Writer


def write_all(writer: Writer, progress: Callable[[str], None]) -> None:
    write_reference_rows(writer)
    progress("reference rows")
    write_executions(writer)
    progress("executions")
    write_events(writer)
    progress("events")
    write_units_and_logs(writer)
    progress("units, logs")
    write_results(writer)
    progress("results")
    write_compensations_and_signoffs(writer)
    write_audit_rows(writer)
    write_notification_rows(writer)
    progress("audit, notifications, sign-offs")


BIG_TABLES = (
    "execution",
    "execution_event",
    "execution_unit",
    "execution_log",
    "result",
    "audit_log",
    "notification",
)
IDENTITIES = {
    "execution": "execution_id",
    "execution_event": "event_id",
    "execution_log": "log_id",
    "result": "result_id",
    "notification": "notification_id",
    "compensation": "compensation_id",
    "checklist_signoff": "signoff_id",
}


def secondary_indexes(cur: psycopg.Cursor[Any]) -> list[tuple[str, str]]:
    """(name, definition) of the indexes of the big tables that back no constraint: dropped for the load and
    re-created from these very definitions afterwards (as pg_restore does)."""
    return cur.execute(
        """
        SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
          FROM pg_index i
          JOIN pg_class t ON t.oid = i.indrelid
          JOIN pg_namespace s ON s.oid = t.relnamespace
         WHERE s.nspname = 'c1' AND t.relname = ANY(%s)
           AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
         ORDER BY 1
        """,
        (list(BIG_TABLES),),
    ).fetchall()


# Tables whose primary key is cheaper to build once, sorted, than to maintain row by row (10M rows each).
KEYED_TABLES = ("execution_unit", "execution_event", "execution_log", "result")


def key_constraints(cur: psycopg.Cursor[Any]) -> list[tuple[str, str, str, str]]:
    """(table, name, type, definition) of the primary keys of KEYED_TABLES and of the foreign keys that
    reference them: dropped for the load, added back afterwards (adding a foreign key validates it)."""
    return cur.execute(
        """
        SELECT c.conrelid::regclass::text, c.conname, c.contype, pg_get_constraintdef(c.oid)
          FROM pg_constraint c
          JOIN pg_namespace s ON s.oid = c.connamespace
         WHERE s.nspname = 'c1'
           AND ((c.contype IN ('p', 'u') AND c.conrelid::regclass::text = ANY(%s))
                OR (c.contype = 'f' AND c.confrelid::regclass::text = ANY(%s)))
         ORDER BY c.contype = 'f' DESC, 1, 2
        """,
        ([f"c1.{t}" for t in KEYED_TABLES], [f"c1.{t}" for t in KEYED_TABLES]),
    ).fetchall()


def load(url: str, world: World, log: Callable[[str], None]) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    with psycopg.connect(url) as conn:
        cur = conn.cursor()
        if not cur.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user").fetchone()[0]:
            raise SystemExit("bench.generate loads as a superuser (session_replication_role); connect as one")
        busy = cur.execute(
            "SELECT (SELECT count(*) FROM c1.execution) + (SELECT count(*) FROM c1.audit_log)"
            " + (SELECT count(*) FROM c1.job)"
        ).fetchone()[0]
        if busy:
            raise SystemExit(
                "the database already holds c1console data; use --recreate (drops it) or another one"
            )
        cur.execute("SET session_replication_role = replica")
        cur.execute("SET maintenance_work_mem = '512MB'")
        cur.execute("SET synchronous_commit = off")
        indexes = secondary_indexes(cur)
        for name, _definition in indexes:
            cur.execute(f"DROP INDEX {name}")
        constraints = key_constraints(cur)  # foreign keys first: they depend on the keys
        for table, name, _kind, _definition in constraints:
            cur.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
        started = time.perf_counter()
        writer = Writer(world, cur)
        write_all(writer, lambda what: log(f"  copied {what} ({time.perf_counter() - started:.0f}s)"))
        copy_seconds = time.perf_counter() - started
        index_start = time.perf_counter()
        for table, name, _kind, definition in reversed(constraints):  # keys first, then foreign keys
            cur.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}")
        for _name, definition in indexes:
            cur.execute(definition)
        index_seconds = time.perf_counter() - index_start
        log(f"  re-created {len(constraints)} keys and {len(indexes)} indexes ({index_seconds:.0f}s)")
        for table, column in IDENTITIES.items():
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('c1.{table}', '{column}'),"
                f" coalesce((SELECT max({column}) FROM c1.{table}), 0) + 1, false)"
            )
        after = secondary_indexes(cur)
        assert sorted(after) == sorted(indexes), "the re-created indexes differ from the schema's"
        assert sorted(key_constraints(cur)) == sorted(constraints), (
            "the re-created keys differ from the schema's"
        )
        cur.execute("SET session_replication_role = origin")
        conn.commit()
        figures.update(
            copy_seconds=copy_seconds,
            index_seconds=index_seconds,
            rows=writer.counts,
            audit_head=writer.audit_head,
        )
    vacuum_start = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "VACUUM (ANALYZE) c1.execution, c1.execution_event, c1.execution_unit, c1.execution_log,"
            " c1.result, c1.audit_log, c1.notification, c1.compensation, c1.checklist_signoff,"
            " c1.missed_fire, c1.job, c1.runner, c1.operator, c1.lease"
        )
    figures["vacuum_analyze_seconds"] = time.perf_counter() - vacuum_start
    return figures
