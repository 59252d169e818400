"""The read side the console and the command line share: every method of ``ConsoleQueries`` opens its own
short connection and returns plain dataclasses; screens call them from thread workers and never see SQL or
a connection. ``Queries`` is what the screens use of it (test fakes provide the same), and this module
names the records and status constants screens need, so that they never import the store.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Protocol

from sqlalchemy.engine import Connection

from c1console import checklists, errors
from c1console.store import executions, failures, jobs, outbox, results, runners
from c1console.store.audit import AuditEntry, ChainReport, list_entries, verify_chain
from c1console.store.engine import Database, connection, server_version
from c1console.store.executions import (
    RUN_TYPES,
    STATUSES,
    TERMINAL,
    Event,
    Execution,
    LogLine,
    ResultCounts,
    Unit,
)
from c1console.store.failures import (
    ACKNOWLEDGED,
    HANDED_ON,
    OPEN,
    RESOLVED,
    ROLLED_BACK,
    FailedUnit,
    OpenFailure,
    Resolution,
    not_open,
)
from c1console.store.jobs import JobRow
from c1console.store.listen import Listener, OnNotify
from c1console.store.outbox import Notification
from c1console.store.results import Compensation, Evidence, Version

__all__ = [
    "ACKNOWLEDGED",
    "HANDED_ON",
    "OPEN",
    "PAGE",
    "RESOLVED",
    "ROLLED_BACK",
    "RUN_TYPES",
    "STATUSES",
    "TERMINAL",
    "AuditEntry",
    "ChainReport",
    "Compensation",
    "ConsoleQueries",
    "Event",
    "Evidence",
    "Execution",
    "ExecutionDetail",
    "ExecutionFilter",
    "ExecutionPage",
    "FailedUnit",
    "JobRow",
    "Listen",
    "Listening",
    "LogLine",
    "Notification",
    "OpenFailure",
    "Queries",
    "Resolution",
    "ResultCounts",
    "RunnerState",
    "Unit",
    "Version",
    "not_open",
]

PAGE = 100


@dataclass(frozen=True)
class ExecutionFilter:
    statuses: tuple[str, ...] = ()
    job_ids: tuple[str, ...] = ()
    run_types: tuple[str, ...] = ()
    since: date | None = None
    until: date | None = None
    text: str | None = None
    open_only: bool = False  # open failures only (sql/013)

    def matches(self, e: Execution) -> bool:
        """The same test the SQL applies, for rows that arrive live."""
        if self.open_only and not e.is_open:
            return False
        if self.statuses and e.status not in self.statuses:
            return False
        if self.job_ids and e.job_id not in self.job_ids:
            return False
        if self.run_types and e.run_type not in self.run_types:
            return False
        if self.since and e.business_date_to < self.since:
            return False
        if self.until and e.business_date_from > self.until:
            return False
        if self.text:
            needle = self.text.lower()
            haystack = [e.job_id, e.error_code or "", e.requested_by, e.reason or ""]
            return any(needle in h.lower() for h in haystack) or str(e.execution_id) == self.text
        return True


@dataclass(frozen=True)
class ExecutionPage:
    rows: list[Execution]  # newest first, whichever way the page was read
    has_more: bool  # more rows beyond this page in the direction it was read


@dataclass(frozen=True)
class ExecutionDetail:
    execution: Execution
    error: errors.ErrorCode | None
    units: list[Unit]
    events: list[Event]
    logs: list[LogLine]
    related: list[Execution]
    results: ResultCounts
    audit: list[AuditEntry]  # its own rows and those of the executions that replayed or resumed it
    unit_counts: dict[str, int] = field(default_factory=dict)
    failed_units: list[FailedUnit] = field(default_factory=list)  # with what fixed each since

    @property
    def resolution(self) -> Resolution | None:
        return self.execution.resolution


@dataclass(frozen=True)
class RunnerState:
    leader_id: str | None
    live_runners: int


class Queries(Protocol):
    """What the screens read, with the arguments they pass: ``ConsoleQueries`` and the tests' fixed data."""

    def executions(
        self,
        flt: ExecutionFilter,
        *,
        before_id: int | None = None,
        after_id: int | None = None,
        limit: int = PAGE,
    ) -> ExecutionPage: ...

    def executions_by_id(self, ids: Sequence[int]) -> list[Execution]: ...

    def detail(self, execution_id: int) -> ExecutionDetail | None: ...

    def open_failures(self) -> list[OpenFailure]: ...

    def jobs(self) -> list[JobRow]: ...

    def job_ids(self) -> list[str]: ...

    def audit(
        self,
        *,
        limit: int,
        before_id: int | None,
        actor: str | None,
        action: str | None,
        execution_id: int | None,
    ) -> list[AuditEntry]: ...

    def verify_audit(self) -> ChainReport: ...

    def daily(self, day: date, *, tz: str, lang: str, long_running_seconds: float) -> checklists.Daily: ...

    def monthly(self, month: date, *, tz: str, lang: str) -> checklists.Monthly: ...

    def notifications(self) -> list[Notification]: ...

    def compensations(self, *, statuses: tuple[str, ...] = ()) -> list[Compensation]: ...

    def evidence(self, compensation_id: int) -> list[Evidence]: ...

    def result_history(self, job_id: str, business_date: date, target_key: str) -> list[Version]: ...


class Listening(Protocol):
    """A running LISTEN thread."""

    def stop(self, timeout: float | None = None) -> None: ...


# Starts listening on channels: payloads that arrived together go to the first callback, whether the
# connection is up to the second (both called on the listening thread).
Listen = Callable[[Sequence[str], OnNotify, Callable[[bool], None]], Listening]


def _resolved(conn: Connection, rows: list[Execution]) -> list[Execution]:
    """The rows, FAILED and STOPPED ones with their state as work items attached."""
    found = failures.resolutions(conn, [e.execution_id for e in rows if e.status in ("FAILED", "STOPPED")])
    if not found:
        return rows
    return [replace(e, resolution=found[e.execution_id]) if e.execution_id in found else e for e in rows]


class ConsoleQueries:
    def __init__(self, db: Database) -> None:
        self.db = db

    def listen(
        self,
        channels: Sequence[str],
        on_notify: OnNotify,
        on_state: Callable[[bool], None],
    ) -> Listening:
        """The console's live updates (a ``Listen``): a started LISTEN thread on its own connection."""
        return Listener(
            self.db.url, channels, on_notify, on_state=on_state, poll_seconds=1.0, name="c1-console-listen"
        ).start()

    def executions(
        self,
        flt: ExecutionFilter,
        *,
        before_id: int | None = None,
        after_id: int | None = None,
        limit: int = PAGE,
    ) -> ExecutionPage:
        """A page, newest first: the newest; older than ``before_id``; or newer than ``after_id`` (read
        upwards; ``after_id=0``: the oldest page). ``has_more``: more rows lie beyond, in the direction read.
        """
        with connection(self.db) as conn:
            rows = executions.list_executions(
                conn,
                statuses=flt.statuses,
                job_ids=flt.job_ids,
                run_types=flt.run_types,
                since=flt.since,
                until=flt.until,
                text=flt.text,
                open_only=flt.open_only,
                before_id=before_id,
                after_id=after_id,
                limit=limit + 1,
            )
            rows = _resolved(conn, rows)
        if len(rows) <= limit:
            return ExecutionPage(rows=rows, has_more=False)
        # the extra row is the farthest one in the direction read: the oldest, or (upwards) the newest
        return ExecutionPage(rows=rows[1:] if after_id is not None else rows[:limit], has_more=True)

    def executions_by_id(self, ids: Sequence[int]) -> list[Execution]:
        if not ids:
            return []
        with connection(self.db) as conn:
            return _resolved(conn, executions.by_ids(conn, ids))

    def open_failures(self) -> list[OpenFailure]:
        """Every open failure, newest first (what the header counts and n/N move between)."""
        with connection(self.db) as conn:
            return failures.open_failures(conn)

    def detail(
        self, execution_id: int, *, log_limit: int = 500, audit_limit: int = 200
    ) -> ExecutionDetail | None:
        """Everything the drill-down (and ``exec show``) shows of one execution: the newest ``log_limit``
        log lines and ``audit_limit`` audit entries."""
        with connection(self.db) as conn:
            got = executions.get_execution(conn, execution_id)
            if got is None:
                return None
            found = _resolved(conn, [got])[0]
            units = executions.units(conn, execution_id)
            later = failures.descendants(conn, execution_id)
            return ExecutionDetail(
                execution=found,
                error=errors.lookup(found.error_code),
                units=units,
                events=executions.events(conn, execution_id),
                logs=executions.log_lines(conn, execution_id, limit=log_limit),
                related=executions.related(conn, found),
                results=executions.result_counts(conn, execution_id),
                audit=list_entries(conn, execution_ids=[execution_id, *later], limit=audit_limit),
                unit_counts=executions.unit_counts(conn, execution_id),
                failed_units=failures.failed_units(conn, execution_id) if found.resolution else [],
            )

    def jobs(self) -> list[JobRow]:
        with connection(self.db) as conn:
            return jobs.list_jobs(conn)

    def job_ids(self) -> list[str]:
        with connection(self.db) as conn:
            return executions.known_job_ids(conn)

    def audit(
        self,
        *,
        limit: int = PAGE,
        before_id: int | None = None,
        actor: str | None = None,
        action: str | None = None,
        execution_id: int | None = None,
    ) -> list[AuditEntry]:
        with connection(self.db) as conn:
            return list_entries(
                conn, limit=limit, before_id=before_id, actor=actor, action=action, execution_id=execution_id
            )

    def verify_audit(self) -> ChainReport:
        with connection(self.db) as conn:
            return verify_chain(conn)

    def runner_state(self) -> RunnerState:
        with connection(self.db) as conn:
            held = runners.leader(conn)
            live = runners.live_count(conn)
        return RunnerState(leader_id=held[0] if held else None, live_runners=live)

    def server_version(self) -> str:
        with connection(self.db) as conn:
            return server_version(conn)

    # Checklists, alerts, compensations -------------------------------------------------------------------

    def daily(
        self,
        day: date,
        *,
        tz: str = "UTC",
        lang: str = "en",
        long_running_seconds: float = checklists.LONG_RUNNING_SECONDS,
    ) -> checklists.Daily:
        return checklists.daily(self.db, day, tz=tz, lang=lang, long_running_seconds=long_running_seconds)

    def monthly(self, month: date, *, tz: str = "UTC", lang: str = "en") -> checklists.Monthly:
        return checklists.monthly(self.db, month, tz=tz, lang=lang)

    def notifications(
        self, *, statuses: Sequence[str] = (), limit: int = PAGE, before_id: int | None = None
    ) -> list[Notification]:
        with connection(self.db) as conn:
            return outbox.list_notifications(conn, statuses=statuses, limit=limit, before_id=before_id)

    def compensations(self, *, statuses: tuple[str, ...] = (), limit: int = PAGE) -> list[Compensation]:
        with connection(self.db) as conn:
            return results.list_compensations(conn, statuses=statuses, limit=limit)

    def evidence(self, compensation_id: int) -> list[Evidence]:
        with connection(self.db) as conn:
            return results.evidence_of(conn, compensation_id)

    def result_history(self, job_id: str, business_date: date, target_key: str) -> list[Version]:
        with connection(self.db) as conn:
            return results.history(conn, job_id, business_date, target_key)
