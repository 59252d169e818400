"""``FixedQueries``: the read side (c1console.queries.Queries) over the fixed rows."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import date
from typing import Any

from c1console import checklists, errors
from c1console.queries import (
    PAGE,
    AuditEntry,
    ChainReport,
    Compensation,
    Evidence,
    Execution,
    ExecutionDetail,
    ExecutionFilter,
    ExecutionPage,
    JobRow,
    Notification,
    OpenFailure,
    ResultCounts,
    RunnerState,
    Version,
)
from tests.console.fixed.checklists import daily_checklist, monthly_checklist
from tests.console.fixed.records import (
    audit_entries,
    compensations,
    evidence,
    job_rows,
    notifications,
    versions,
)
from tests.console.fixed.rows import events_of, executions, logs_of, units_of


class FixedQueries:
    """The read side over the fixed rows, with the filter and paging semantics of ConsoleQueries."""

    def __init__(self) -> None:
        self.rows = executions()
        self.by_id = {e.execution_id: e for e in self.rows}
        self.fail_next = 0  # > 0: that many calls raise DatabaseUnavailable (outage tests)

    def _maybe_fail(self) -> None:
        if self.fail_next > 0:
            self.fail_next -= 1
            raise errors.DatabaseUnavailable("database postgresql://c1@db.example:5432/c1ops is unreachable")

    def executions(
        self,
        flt: ExecutionFilter,
        *,
        before_id: int | None = None,
        after_id: int | None = None,
        limit: int = PAGE,
    ) -> ExecutionPage:
        self._maybe_fail()
        rows = sorted(
            (
                e
                for e in self.rows
                if flt.matches(e)
                and (before_id is None or e.execution_id < before_id)
                and (after_id is None or e.execution_id > after_id)
            ),
            key=lambda e: e.execution_id,
            reverse=True,
        )
        if after_id is not None:  # read upwards: the oldest rows above after_id, shown newest first
            return ExecutionPage(rows=rows[-limit:], has_more=len(rows) > limit)
        return ExecutionPage(rows=rows[:limit], has_more=len(rows) > limit)

    def executions_by_id(self, ids: Sequence[int]) -> list[Execution]:
        self._maybe_fail()
        return [self.by_id[i] for i in sorted(ids, reverse=True) if i in self.by_id]

    def open_failures(self) -> list[OpenFailure]:
        self._maybe_fail()
        return [
            OpenFailure(e.execution_id, e.job_id, e.error_code, e.resolution.open_units)
            for e in sorted(self.rows, key=lambda e: e.execution_id, reverse=True)
            if e.resolution is not None and e.is_open
        ]

    def detail(self, execution_id: int) -> ExecutionDetail | None:
        """As ConsoleQueries.detail: with what fixed each unit that did not succeed, and the audit rows of
        the executions that replayed or resumed it (along the chain)."""
        from c1console.queries import HANDED_ON, FailedUnit

        self._maybe_fail()
        e = self.by_id.get(execution_id)
        if e is None:
            return None
        related = [
            r
            for r in self.rows
            if execution_id in (r.replay_of, r.resumed_from)
            or r.execution_id in (e.replay_of, e.resumed_from)
        ]
        units = units_of(e)
        counts: dict[str, int] = {}
        for u in units:
            counts[u.status] = counts.get(u.status, 0) + 1
        done = sum(1 for u in units if u.status == "SUCCESS")
        later: set[int] = set()
        while grown := {
            r.execution_id
            for r in self.rows
            if {r.replay_of, r.resumed_from} & (later | {execution_id}) and r.execution_id not in later
        }:
            later |= grown
        failed_units = []
        r = e.resolution
        if r is not None:
            handed = r.handed_units
            for u in units:
                if u.status == "SUCCESS":
                    continue
                to = r.handed_to if r.state == HANDED_ON and handed > 0 else None
                handed -= to is not None
                failed_units.append(
                    FailedUnit(
                        u.business_date,
                        u.target_key,
                        u.status,
                        u.error_code,
                        fixed_by=r.fixed_by if to is None and not r.is_open else None,
                        fixed_by_compensation=r.fixed_by_compensation if to is None else None,
                        handed_to=to,
                    )
                )
        return ExecutionDetail(
            execution=e,
            error=errors.lookup(e.error_code),
            units=units,
            events=events_of(e),
            logs=logs_of(e),
            related=sorted(related, key=lambda r: r.execution_id),
            results=ResultCounts(
                applied=done, still_active=done, superseded_by_it=done if e.run_type == "REPLAY" else 0
            ),
            audit=[a for a in audit_entries() if a.execution_id in later | {execution_id}],
            unit_counts=counts,
            failed_units=failed_units,
        )

    def jobs(self) -> list[JobRow]:
        self._maybe_fail()
        return sorted(job_rows(), key=lambda j: j.job_id)

    def job_ids(self) -> list[str]:
        return sorted(j.job_id for j in job_rows())

    def audit(
        self,
        *,
        limit: int = PAGE,
        before_id: int | None = None,
        actor: str | None = None,
        action: str | None = None,
        execution_id: int | None = None,
    ) -> list[AuditEntry]:
        self._maybe_fail()
        rows = [
            a
            for a in audit_entries()
            if (before_id is None or a.audit_id < before_id)
            and (actor is None or a.actor == actor)
            and (action is None or a.action == action)
            and (execution_id is None or a.execution_id == execution_id)
        ]
        return rows[:limit]

    def daily(self, day: date, *, tz: str = "UTC", lang: str = "en", **_: Any) -> checklists.Daily:
        self._maybe_fail()
        return daily_checklist(day)

    def monthly(self, month: date, *, tz: str = "UTC", lang: str = "en") -> checklists.Monthly:
        self._maybe_fail()
        return monthly_checklist(month)

    def notifications(
        self, *, statuses: Sequence[str] = (), limit: int = PAGE, before_id: int | None = None
    ) -> list[Notification]:
        self._maybe_fail()
        return [n for n in notifications() if not statuses or n.status in statuses][:limit]

    def compensations(self, *, statuses: tuple[str, ...] = (), limit: int = PAGE) -> list[Compensation]:
        self._maybe_fail()
        return [c for c in compensations() if not statuses or c.status in statuses][:limit]

    def evidence(self, compensation_id: int) -> list[Evidence]:
        return evidence(compensation_id)

    def result_history(self, job_id: str, business_date: date, target_key: str) -> list[Version]:
        return versions(job_id, business_date, target_key)

    def verify_audit(self) -> ChainReport:
        return ChainReport(rows=14, head=hashlib.sha256(b"14").hexdigest())

    def runner_state(self) -> RunnerState:
        return RunnerState(leader_id="ops-host-1-4242-a1b2c3", live_runners=1)

    def server_version(self) -> str:
        return "16.4"
