"""``FixedActions``: canned ops answers, with the job registry they preview from."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from c1console import checklists, ops
from c1console.errors import BadInput, Refused
from c1console.jobs import JobDefinition, Registry, UnitContext
from c1console.ops.session import checked_reason
from c1console.requests import ReplayFull, ReplayOf, ReplayRequest, ReplaySingle
from c1console.screens.actions import Actions
from c1console.store.results import RollbackPlan
from tests.console.fixed.records import compensations, job_rows
from tests.console.fixed.rows import (
    ACCOUNTS,
    FAILED_ID,
    FEEDS,
    FRIDAY,
    MONDAY,
    NEW_ID,
    PERF,
    PRICES,
    RECON,
    TZ,
    VALUATION,
    executions,
)


def _unit(day: date, target: str, ctx: UnitContext) -> dict[str, str]:
    return {"target": target}


def registry() -> Registry:
    reg = Registry()
    for job_id, title, schedule, targets in (
        (PRICES, "Market price ingestion", "0 6 * * 1-5", FEEDS),
        (VALUATION, "Portfolio valuation", "30 6 * * 1-5", tuple(f"PF-{n:03d}" for n in range(1, 13))),
        (RECON, "Position reconciliation", "0 7 * * 1-5", ACCOUNTS),
        (PERF, "Performance calculation", None, tuple(f"PF-{n:03d}" for n in range(1, 13))),
    ):
        reg.add(
            JobDefinition(job_id, title, _unit, lambda _d, t=targets: list(t), schedule=schedule, timezone=TZ)
        )
    return reg


@dataclass
class FixedActions(Actions):
    """Canned ops answers: previews like the real ones, a new execution NEW_ID on confirm. The writes refuse
    what ops refuses, with its words, dry run or not: the reason (ops' own check), the role, the state of the
    fixed rows (``statuses`` may be changed to play one changed behind a dialog), four eyes, a short sign-off
    comment on a checklist that needs attention."""

    allowed: bool = True
    role: str = "operator"
    operator: str = "alice"

    def __post_init__(self) -> None:
        super().__init__(None)
        self._registry = registry()
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.statuses = {e.execution_id: e.status for e in executions()}
        self.stop_requested = {e.execution_id: e.stop_requested_by for e in executions()}
        self.paused = {j.job_id: j.paused for j in job_rows()}
        self.compensations = {c.compensation_id: c for c in compensations()}

    @property
    def registry(self) -> Registry:
        return self._registry

    def can_act(self) -> bool:
        return self.allowed

    def refusal(self, action: str) -> str:
        return (
            f"{self.operator} is {self.role} and cannot {action} — this needs the operator role; "
            "an admin can grant it with c1console operators grant"
        )

    def _require(self, needed: str, doing: str) -> None:
        """ops.require's refusal, for this fake's role."""
        if ops.RANK[self.role] < ops.RANK[needed]:
            raise Refused(
                f"{self.operator} is {self.role} and cannot {doing}",
                hint=f"this needs the {needed} role; an admin can grant it with c1console operators grant",
            )

    def _preview(
        self,
        job_id: str,
        run_type: str,
        kind: str | None,
        units: list[tuple[date, str]],
        supersedes: int,
        **links: Any,
    ) -> ops.Preview:
        return ops.Preview(
            job_id=job_id, run_type=run_type, replay_kind=kind, units=units, supersedes=supersedes, **links
        )

    def _outcome(self, preview: ops.Preview, dry_run: bool) -> ops.Created | ops.Preview:
        return preview if dry_run else ops.Created(NEW_ID, preview)

    def trigger(
        self,
        job_id: str,
        *,
        date_from: date | None,
        date_to: date | None,
        targets: Sequence[str] | None,
        reason: str | None,
        dry_run: bool,
    ) -> ops.Created | ops.Preview:
        self.calls.append(("trigger", {"job_id": job_id, "dry_run": dry_run, "reason": reason}))
        checked_reason(reason, required=False)
        self._require("operator", "trigger a job")
        start = date_from or MONDAY
        end = date_to or start
        names = list(targets) if targets else list(self._registry.require(job_id).targets_for(start))
        days = [
            start + timedelta(days=n)
            for n in range((end - start).days + 1)
            if (start + timedelta(n)).weekday() < 5
        ]
        units = [(d, t) for d in days for t in names]
        return self._outcome(self._preview(job_id, "MANUAL", None, units, len(units)), dry_run)

    def replay(
        self, request: ReplayRequest, *, reason: str | None, dry_run: bool = False
    ) -> ops.Created | ops.Preview:
        of = request.execution_id if isinstance(request, ReplayOf) else None
        failed_only = isinstance(request, ReplayOf) and request.failed_only
        self.calls.append(
            ("replay", {"of": of, "failed_only": failed_only, "dry_run": dry_run, "reason": reason})
        )
        checked_reason(reason, dry_run=dry_run)
        self._require("operator", "replay")
        if isinstance(request, ReplayOf) and request.execution_id == FAILED_ID and request.failed_only:
            preview = self._preview(
                RECON, "REPLAY", "SINGLE", [(MONDAY, "ACC-1003")], 1, replay_of=request.execution_id
            )
        elif isinstance(request, ReplayOf):
            preview = self._preview(
                RECON, "REPLAY", "RANGE", [(MONDAY, a) for a in ACCOUNTS], 8, replay_of=request.execution_id
            )
        elif isinstance(request, ReplayFull):
            preview = self._preview(
                request.job_id,
                "REPLAY",
                "FULL",
                [(FRIDAY, a) for a in ACCOUNTS] + [(MONDAY, a) for a in ACCOUNTS],
                16,
            )
        else:
            day = request.date_from or MONDAY
            names = [request.target] if isinstance(request, ReplaySingle) else list(ACCOUNTS)
            preview = self._preview(
                request.job_id,
                "REPLAY",
                "SINGLE" if isinstance(request, ReplaySingle) else "RANGE",
                [(day, t) for t in names],
                len(names),
            )
        return self._outcome(preview, dry_run)

    def resume(self, execution_id: int, reason: str | None, *, dry_run: bool) -> ops.Created | ops.Preview:
        self.calls.append(("resume", {"execution_id": execution_id, "dry_run": dry_run}))
        checked_reason(reason, required=False)
        self._require("operator", "resume an execution")
        if execution_id == FAILED_ID:
            raise Refused(
                f"execution {execution_id} was already resumed by #1047",
                hint="resume #1047 instead if it did not finish",
            )
        units = [(MONDAY, f"PF-{n:03d}") for n in range(6, 13)]
        return self._outcome(
            self._preview(VALUATION, "MANUAL", None, units, 0, resumed_from=execution_id), dry_run
        )

    def stop(self, execution_id: int, reason: str | None, *, dry_run: bool = False) -> str:
        self.calls.append(("stop", {"execution_id": execution_id, "reason": reason, "dry_run": dry_run}))
        checked_reason(reason, dry_run=dry_run)
        self._require("operator", "stop an execution")
        status = self.statuses[execution_id]
        if status not in ("READY", "RUNNING"):
            raise Refused(f"execution {execution_id} is already {status}", hint="only READY or RUNNING stop")
        if self.stop_requested.get(execution_id):
            raise Refused(
                f"a stop of execution {execution_id} was already requested by "
                f"{self.stop_requested[execution_id]}"
            )
        return "STOPPED" if status == "READY" else "RUNNING"

    def set_job_paused(self, job_id: str, paused: bool, reason: str | None, *, dry_run: bool = False) -> None:
        self.calls.append(
            ("pause", {"job_id": job_id, "paused": paused, "reason": reason, "dry_run": dry_run})
        )
        checked_reason(reason, dry_run=dry_run)
        self._require("operator", f"{'pause' if paused else 'resume'} a job")
        if self.paused.get(job_id) == paused:
            raise Refused(f"job {job_id} is already {'paused' if paused else 'running'}")

    def rollback(self, execution_id: int, reason: str | None, *, dry_run: bool) -> ops.RollbackPreview:
        self.calls.append(("rollback", {"execution_id": execution_id, "reason": reason, "dry_run": dry_run}))
        checked_reason(reason, dry_run=dry_run)
        self._require("operator", "roll back an execution")
        status = self.statuses[execution_id]
        if status in ("READY", "RUNNING"):
            raise Refused(f"execution {execution_id} is {status}", hint="stop it and let it finish first")
        keys = [(MONDAY, a) for a in ACCOUNTS]
        plan = RollbackPlan(deactivate=keys[:7], reactivate=keys[:6], skipped=keys[7:])
        return ops.RollbackPreview(execution_id, RECON, plan)

    def sign_checklist(
        self, checklist: checklists.Daily | checklists.Monthly, comment: str | None, *, dry_run: bool = False
    ) -> int | None:
        self.calls.append(("sign", {"period": checklist.period, "comment": comment, "dry_run": dry_run}))
        text = checked_reason(comment, dry_run=dry_run) or ""
        if checklist.verdict != "OK" and len(text) < ops.MIN_OVERRIDE_COMMENT:
            open_items = (
                checklist.open_items if isinstance(checklist, checklists.Daily) else checklist.still_open
            )
            raise BadInput(
                f"the {checklist.period} checklist needs attention ({open_items} open item(s))",
                hint=f"say in the comment why you sign it anyway (at least {ops.MIN_OVERRIDE_COMMENT} "
                "characters)",
            )
        self._require("operator", "sign a checklist")
        return None if dry_run else 31

    def decide_compensation(
        self, compensation_id: int, *, approve: bool, note: str | None, dry_run: bool = False
    ) -> int | None:
        self.calls.append(
            ("decide", {"id": compensation_id, "approve": approve, "note": note, "dry_run": dry_run})
        )
        checked_reason(note, required=not approve, dry_run=dry_run)
        verb = "approve" if approve else "reject"
        self._require("approver", f"{verb} compensations")
        comp = self.compensations[compensation_id]
        if comp.status != "PENDING":
            raise Refused(
                f"compensation {compensation_id} was already {comp.status.lower()} by {comp.decided_by}"
            )
        if comp.requested_by == self.operator:
            raise Refused(
                f"{self.operator} requested compensation {compensation_id} and cannot {verb} it",
                hint="four eyes: another approver must decide",
            )
        return 900 if approve and not dry_run else None
