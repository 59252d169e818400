"""Reading executions: the paged list, one execution in full, its units, events and logs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from c1console.store import failures
from c1console.store.failures import Resolution

STATUSES = ("READY", "RUNNING", "SUCCESS", "FAILED", "STOPPED")
TERMINAL = ("SUCCESS", "FAILED", "STOPPED")
RUN_TYPES = ("AUTO", "MANUAL", "REPLAY")
REPLAY_KINDS = ("FULL", "RANGE", "SINGLE")


@dataclass(frozen=True)
class Execution:
    execution_id: int
    job_id: str
    run_type: str
    status: str
    business_date_from: date
    business_date_to: date
    targets: list[str] | None
    replay_kind: str | None
    replay_of: int | None
    resumed_from: int | None
    scheduled_for: datetime | None
    requested_by: str
    reason: str | None
    created_at: datetime
    started_at: datetime | None
    ended_at: datetime | None
    runner_id: str | None
    stop_requested_at: datetime | None
    stop_requested_by: str | None
    stop_reason: str | None
    error_code: str | None
    error_summary: str | None
    units_total: int
    units_done: int
    units_failed: int
    rolled_back_at: datetime | None = None
    rolled_back_by: str | None = None
    rolled_back_reason: str | None = None
    # not a column: a FAILED or STOPPED execution's state as a work item, where the read side attached it
    resolution: Resolution | None = None

    @property
    def is_open(self) -> bool:
        """An open failure (sql/013), as far as the attached resolution says."""
        return self.resolution is not None and self.resolution.is_open

    @property
    def operator_id(self) -> str | None:
        """The operator behind this execution (the spec's mandatory field), if it was a manual act."""
        return None if self.run_type == "AUTO" else self.requested_by


@dataclass(frozen=True)
class Unit:
    business_date: date
    target_key: str
    status: str
    error_code: str | None
    message: str | None
    traceback: str | None
    attempts: int
    started_at: datetime | None
    ended_at: datetime | None


@dataclass(frozen=True)
class Event:
    event_id: int
    from_status: str | None
    to_status: str
    at: datetime
    actor: str
    error_code: str | None
    message: str | None


@dataclass(frozen=True)
class LogLine:
    log_id: int
    at: datetime
    level: str
    business_date: date | None
    target_key: str | None
    message: str


_NOT_COLUMNS = {"resolution"}


def _table(name: str, cls: type) -> sa.TableClause:
    return sa.table(
        name, *(sa.column(f.name) for f in fields(cls) if f.name not in _NOT_COLUMNS), schema="c1"
    )


EXECUTION = _table("execution", Execution)
_UNIT = _table("execution_unit", Unit)
_EVENT = _table("execution_event", Event)
_LOG = _table("execution_log", LogLine)


def _rows(conn: Connection, query: sa.Select, cls: type) -> list[Any]:
    return [cls(**row._mapping) for row in conn.execute(query)]


def list_executions(
    conn: Connection,
    *,
    statuses: Sequence[str] = (),
    job_ids: Sequence[str] = (),
    run_types: Sequence[str] = (),
    since: date | None = None,
    until: date | None = None,
    text: str | None = None,
    open_only: bool = False,
    before_id: int | None = None,
    after_id: int | None = None,
    limit: int = 50,
) -> list[Execution]:
    """Newest first, keyset-paged by execution_id so the millionth row costs what the first does.

    ``before_id``: the ``limit`` newest rows older than it (paging down). ``after_id``: the ``limit``
    oldest rows newer than it, read upwards (``ORDER BY execution_id ASC``, the same indexes read
    forwards) and still returned newest first; ``after_id=0`` is the oldest page of the whole history.
    """
    c = EXECUTION.c
    upwards = after_id is not None
    order = c.execution_id.asc() if upwards else c.execution_id.desc()
    query = sa.select(*EXECUTION.c).order_by(order).limit(limit)
    if before_id is not None:
        query = query.where(c.execution_id < before_id)
    if after_id is not None:
        query = query.where(c.execution_id > after_id)
    query = _filtered(
        query,
        statuses=statuses,
        job_ids=job_ids,
        run_types=run_types,
        since=since,
        until=until,
        text=text,
        open_only=open_only,
    )
    if open_only:
        failures.without_jit(conn)
    found = _rows(conn, query, Execution)
    return found[::-1] if upwards else found


def _filtered(
    query: sa.Select,
    *,
    statuses: Sequence[str],
    job_ids: Sequence[str],
    run_types: Sequence[str],
    since: date | None,
    until: date | None,
    text: str | None,
    open_only: bool = False,
) -> sa.Select:
    """The list's optional filters (the console's ExecutionFilter.matches is the same test in Python)."""
    c = EXECUTION.c
    if statuses:
        query = query.where(c.status.in_(list(statuses)))
    if job_ids:
        query = query.where(c.job_id.in_(list(job_ids)))
    if run_types:
        query = query.where(c.run_type.in_(list(run_types)))
    if since is not None:
        query = query.where(c.business_date_to >= since)
    if until is not None:
        query = query.where(c.business_date_from <= until)
    if open_only:
        failure = sa.table("failure", sa.column("execution_id"), sa.column("state"), schema="c1")
        query = query.where(
            c.execution_id.in_(sa.select(failure.c.execution_id).where(failure.c.state == "OPEN"))
        )
    if text:
        # autoescape: the operator's % and _ are characters to find, as the live filter reads them
        query = query.where(
            sa.or_(
                c.job_id.icontains(text, autoescape=True),
                c.error_code.icontains(text, autoescape=True),
                c.requested_by.icontains(text, autoescape=True),
                c.reason.icontains(text, autoescape=True),
                sa.cast(c.execution_id, sa.Text) == text,
            )
        )
    return query


def get_execution(conn: Connection, execution_id: int, *, for_update: bool = False) -> Execution | None:
    query = sa.select(*EXECUTION.c).where(EXECUTION.c.execution_id == execution_id)
    if for_update:
        query = query.with_for_update()
    found = _rows(conn, query, Execution)
    return found[0] if found else None


def units(conn: Connection, execution_id: int, *, limit: int = 500) -> list[Unit]:
    """Failed units first, then in business order."""
    c = _UNIT.c
    failed_first = sa.case((c.status == "FAILED", 0), (c.status == "RUNNING", 1), else_=2)
    query = (
        sa.select(*_UNIT.c)
        .where(sa.column("execution_id") == execution_id)
        .order_by(failed_first, c.business_date, c.target_key)
        .limit(limit)
    )
    return _rows(conn, query, Unit)


def events(conn: Connection, execution_id: int) -> list[Event]:
    query = sa.select(*_EVENT.c).where(sa.column("execution_id") == execution_id).order_by(_EVENT.c.event_id)
    return _rows(conn, query, Event)


def log_lines(conn: Connection, execution_id: int, *, limit: int = 500) -> list[LogLine]:
    query = (
        sa.select(*_LOG.c)
        .where(sa.column("execution_id") == execution_id)
        .order_by(_LOG.c.log_id.desc())
        .limit(limit)
    )
    return list(reversed(_rows(conn, query, LogLine)))


def related(conn: Connection, execution: Execution) -> list[Execution]:
    """The chain around an execution: what it replays or resumes, and what replayed or resumed it."""
    c = EXECUTION.c
    links = [c.replay_of == execution.execution_id, c.resumed_from == execution.execution_id]
    for parent in (execution.replay_of, execution.resumed_from):
        if parent is not None:
            links.append(c.execution_id == parent)
    query = sa.select(*EXECUTION.c).where(sa.or_(*links)).order_by(c.execution_id)
    return _rows(conn, query, Execution)


@dataclass(frozen=True)
class ResultCounts:
    applied: int
    still_active: int
    superseded_by_it: int


def result_counts(conn: Connection, execution_id: int) -> ResultCounts:
    row = conn.execute(
        sa.text(
            """
            SELECT count(*) AS applied,
                   count(*) FILTER (WHERE is_active) AS still_active,
                   (SELECT count(*) FROM c1.result old
                      JOIN c1.result new ON old.superseded_by = new.result_id
                     WHERE new.execution_id = :id) AS superseded_by_it
              FROM c1.result WHERE execution_id = :id
            """
        ),
        {"id": execution_id},
    ).one()
    return ResultCounts(**row._mapping)


def known_job_ids(conn: Connection) -> list[str]:
    return list(conn.execute(sa.text("SELECT job_id FROM c1.job ORDER BY job_id")).scalars())


def unsucceeded_units(conn: Connection, execution_id: int) -> list[tuple[date, str]]:
    rows = conn.execute(
        sa.text(
            "SELECT business_date, target_key FROM c1.execution_unit"
            " WHERE execution_id = :id AND status <> 'SUCCESS' ORDER BY business_date, target_key"
        ),
        {"id": execution_id},
    )
    return [(r[0], r[1]) for r in rows]


def resumes_of(conn: Connection, execution_id: int) -> list[int]:
    return list(
        conn.execute(
            sa.text("SELECT execution_id FROM c1.execution WHERE resumed_from = :id ORDER BY execution_id"),
            {"id": execution_id},
        ).scalars()
    )


def job_period(conn: Connection, job_id: str) -> tuple[date, date] | None:
    """The business dates a job has ever run for."""
    row = conn.execute(
        sa.text(
            "SELECT min(business_date_from), max(business_date_to) FROM c1.execution WHERE job_id = :job"
        ),
        {"job": job_id},
    ).one()
    return (row[0], row[1]) if row[0] is not None else None


def target_dates(conn: Connection, job_id: str, target: str) -> list[date]:
    """The business dates a target of a job has a result for."""
    rows = conn.execute(
        sa.text(
            "SELECT DISTINCT business_date FROM c1.result WHERE job_id = :job AND target_key = :target"
            " ORDER BY 1"
        ),
        {"job": job_id, "target": target},
    )
    return list(rows.scalars())


def active_results_on(conn: Connection, job_id: str, units: Sequence[tuple[date, str]]) -> int:
    """How many active results a run over these units would supersede."""
    if not units:
        return 0
    return conn.execute(
        sa.text(
            """
            SELECT count(*) FROM c1.result r
              JOIN unnest(CAST(:dates AS date[]), CAST(:targets AS text[])) AS u(d, t)
                ON r.business_date = u.d AND r.target_key = u.t
             WHERE r.job_id = :job AND r.is_active
            """
        ),
        {"job": job_id, "dates": [u[0] for u in units], "targets": [u[1] for u in units]},
    ).scalar_one()


def by_ids(conn: Connection, ids: Sequence[int]) -> list[Execution]:
    query = sa.select(*EXECUTION.c).where(EXECUTION.c.execution_id.in_(list(ids)))
    return _rows(conn, query.order_by(EXECUTION.c.execution_id.desc()), Execution)


def unit_counts(conn: Connection, execution_id: int) -> dict[str, int]:
    rows = conn.execute(
        sa.text("SELECT status, count(*) FROM c1.execution_unit WHERE execution_id = :id GROUP BY status"),
        {"id": execution_id},
    )
    return {r[0]: r[1] for r in rows}
