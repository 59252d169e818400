"""No-op jobs run through the real runner, and the bare baseline they are compared with.

The baseline is what any batch system must do at the least: insert the same result rows with plain
psycopg ``executemany``, one transaction per chunk of the same size. The runner does that plus its
bookkeeping (ownership check, supersession, unit status, progress, logs): the ratio is its cost.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Sequence
from datetime import date
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from c1console import ops
from c1console.jobs import WEEKDAYS, JobDefinition, Registry, UnitContext
from c1console.scheduler.runner import Runner
from c1console.store import executions, jobs, lifecycle
from c1console.store.engine import Database, connection, transaction

OPERATOR = "bench"
FIRST_DAY = date(2001, 1, 1)  # far from any generated history: nothing to supersede on a first run


def noop(business_date: date, target: str, ctx: UnitContext) -> dict[str, Any]:
    """The unit of every no-op job: no work, a small payload."""
    return payload(business_date, target)


def payload(business_date: date, target: str) -> dict[str, Any]:
    return {"target": target, "value": 1}


def targets(count: int) -> list[str]:
    return [f"T{n:05d}" for n in range(count)]


def token() -> str:
    """A suffix that keeps each benchmark run's jobs (and so its result keys) apart."""
    return f"{time.strftime('%Y%m%d%H%M%S')}_{secrets.token_hex(2)}"


def noop_job(job_id: str, target_count: int, chunk: int) -> JobDefinition:
    fixed = targets(target_count)
    return JobDefinition(
        job_id, f"Benchmark no-op ({target_count} targets)", noop, lambda _day: fixed, chunk_size=chunk
    )


def registry_of(*definitions: JobDefinition) -> Registry:
    registry = Registry()
    for definition in definitions:
        registry.add(definition)
    return registry


def business_days(count: int, first: date = FIRST_DAY) -> tuple[date, date]:
    """A range of exactly ``count`` business days from ``first``."""
    days = WEEKDAYS.days(first, first.replace(year=first.year + 2 + count // 200))
    return days[0], days[count - 1]


def session(db: Database, settings: Any, registry: Registry) -> ops.Session:
    # The bench's own database: the operator role is taken as given rather than granted.
    return ops.Session(db=db, settings=settings, operator=OPERATOR, registry=registry, _role="operator")


def start_runner(db: Database, settings: Any, registry: Registry, workers: int = 4) -> Runner:
    return Runner(db, registry, settings, max_workers=workers).start()


def wait_terminal(
    db: Database, execution_id: int, timeout: float = 3600.0, interval: float = 0.05
) -> executions.Execution:
    deadline = time.monotonic() + timeout
    while True:
        with connection(db) as conn:
            found = executions.get_execution(conn, execution_id)
        if found is not None and found.status in executions.TERMINAL:
            return found
        if time.monotonic() > deadline:
            raise TimeoutError(f"execution {execution_id} did not finish in {timeout}s")
        time.sleep(interval)


def bare_execution(db: Database, job_id: str) -> int:
    """An execution row for the baseline's results to belong to (a result needs one); it never runs."""
    with transaction(db, OPERATOR) as conn:
        jobs.sync(conn, [jobs.JobSpec(job_id, "Benchmark bare baseline", None, "UTC", "bare")])
        execution_id = lifecycle.create(
            conn,
            lifecycle.NewExecution(
                job_id=job_id,
                run_type="MANUAL",
                business_date_from=FIRST_DAY,
                business_date_to=FIRST_DAY,
                targets=None,
                requested_by=OPERATOR,
                units=[],
                reason="benchmark baseline",
            ),
        )
    assert execution_id is not None
    return execution_id


def close_bare_execution(db: Database, execution_id: int) -> None:
    with transaction(db, OPERATOR) as conn:
        lifecycle.request_stop(conn, execution_id, OPERATOR, "benchmark baseline done")


def bare_insert(
    url: str, job_id: str, execution_id: int, units: Sequence[tuple[date, str]], chunk: int
) -> float:
    """The baseline: the same result rows, plain psycopg executemany, one commit per chunk. Seconds."""
    statement = (
        "INSERT INTO c1.result (job_id, business_date, target_key, payload, source, execution_id,"
        " is_active) VALUES (%s, %s, %s, %s, 'RUN', %s, true)"
    )
    with psycopg.connect(url) as conn:
        start = time.perf_counter()
        for first in range(0, len(units), chunk):
            with conn.cursor() as cur:
                cur.executemany(
                    statement,
                    [
                        (job_id, d, t, Jsonb(payload(d, t)), execution_id)
                        for d, t in units[first : first + chunk]
                    ],
                )
            conn.commit()
        return time.perf_counter() - start


def plan_units(target_count: int, day_count: int) -> tuple[date, date, list[tuple[date, str]]]:
    first, last = business_days(day_count)
    names = targets(target_count)
    return first, last, [(d, t) for d in WEEKDAYS.days(first, last) for t in names]


def run_times(execution: executions.Execution) -> dict[str, float]:
    """Seconds from creation to claim and from claim to the end, by the database's own clock."""
    assert execution.started_at is not None and execution.ended_at is not None
    return {
        "claim_seconds": (execution.started_at - execution.created_at).total_seconds(),
        "run_seconds": (execution.ended_at - execution.started_at).total_seconds(),
    }
