"""Helpers for tests that run the real runner: sessions, waiting on conditions (never fixed sleeps)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar

import psycopg

from c1console import ops
from c1console.config import Settings, load_settings
from c1console.jobs import Registry
from c1console.store import executions
from c1console.store.engine import Database, connection
from tests.rawsql import grant_role

if TYPE_CHECKING:
    from textual.pilot import Pilot

T = TypeVar("T")


def wait_until(
    predicate: Callable[[], T], timeout: float = 15.0, interval: float = 0.02, what: str = ""
) -> T:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what or predicate}")
        time.sleep(interval)


async def wait_for(
    pilot: Pilot[Any],
    predicate: Callable[[], T],
    timeout: float = 20.0,
    interval: float = 0.02,
    what: str = "",
) -> T:
    """wait_until for a console under Pilot: pauses the app between checks so it can process messages."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what or predicate}")
        await pilot.pause(interval)


def runner_settings(db_url: str, **changes: object) -> Settings:
    base = load_settings(database_url=db_url, data_dir="/tmp", env={})
    values: dict[str, object] = {"lease_timeout_seconds": 2.0, "poll_interval_seconds": 0.2, **changes}
    return replace(base, **values)  # type: ignore[arg-type]


def session(
    db: Database, settings: Settings, registry: Registry, operator: str = "alice", role: str = "operator"
) -> ops.Session:
    """A session of ``operator``, whose ``role`` is recorded in the database as an admin would grant it."""
    with psycopg.connect(db.url, autocommit=True) as raw:
        grant_role(raw, operator, role)
    return ops.Session(db=db, settings=settings, operator=operator, registry=registry)


def execution(db: Database, execution_id: int) -> executions.Execution:
    with connection(db) as conn:
        found = executions.get_execution(conn, execution_id)
    assert found is not None
    return found


def wait_terminal(db: Database, execution_id: int, timeout: float = 20.0) -> executions.Execution:
    return wait_until(
        lambda: (e := execution(db, execution_id)).status in executions.TERMINAL and e,
        timeout,
        what=f"execution {execution_id} to finish",
    )


def approved_compensation(
    requester: ops.Session, approver: ops.Session, job_id: str, day: date, target: str, db: Database
) -> int:
    """A finished run of ``job_id`` over ``day``, then a compensation of one key approved by another: the
    key's active result is now the compensation's."""
    first = ops.trigger(requester, job_id, date_from=day, date_to=day)
    assert isinstance(first, ops.Created)
    wait_terminal(db, first.execution_id)
    comp = ops.request_compensation(
        requester,
        job_id=job_id,
        business_date=day,
        target=target,
        payload={"px": 1},
        reason=f"vendor restated {target}",
        evidence_ref="TICKET-7",
    )
    ops.decide_compensation(approver, comp, approve=True, note=None)
    return comp
