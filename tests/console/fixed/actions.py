"""``FixedActions``: canned ops answers, with the job registry they preview from."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from c1console import checklists, evidence, ops, planning
from c1console.errors import BadInput, Refused
from c1console.jobs import JobDefinition, Registry, UnitContext
from c1console.ops.corrections import _payload as checked_payload
from c1console.ops.redo import AGAIN_HINT, COMPENSATION_HINT, SAFE, RedoCheck
from c1console.ops.session import checked_reason
from c1console.requests import ReplayFull, ReplayOf, ReplayRequest, ReplaySingle
from c1console.screens.actions import Actions
from c1console.store.failures import Compensated
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
    STOPPED_ID,
    TZ,
    VALUATION,
    executions,
)


def _unit(day: date, target: str, ctx: UnitContext) -> dict[str, str]:
    return {"target": target}


Unit = tuple[date, str]
NEW_COMPENSATION_ID = 6  # what a canned compensation request creates
EVIDENCE_LIMIT = 4096  # bytes: the canned evidence_max_bytes
REPLAYED_BY = 1047  # the replay that fixed FAILED_ID's failed unit ACC-1003 (fixed rows)
# The active result of this key was written by approved compensation #3 (fixed records): a replay over it
# leaves it out unless told to supersede it.
COMPENSATED = Compensated(MONDAY, "PF-002", 3, "carol")


def failed_units(execution_id: int, status: str) -> tuple[str, list[Unit]]:
    """The canned units of an execution that did not succeed (what a replay --failed-only plans)."""
    if status in ("READY", "RUNNING"):
        raise Refused(f"execution {execution_id} is {status}", hint="stop it or wait for it to finish first")
    if execution_id == FAILED_ID:
        return RECON, [(MONDAY, "ACC-1003")]
    if execution_id == 1045:
        return PERF, [(date(2026, 10, 30), f"PF-{n:03d}") for n in range(4, 10)]
    if execution_id == 1040:
        return PRICES, [(MONDAY, "LSE"), (MONDAY, "TSE")]
    if execution_id == STOPPED_ID:
        return VALUATION, [(MONDAY, f"PF-{n:03d}") for n in range(6, 13)]
    if status == "SUCCESS":
        raise Refused(f"execution {execution_id} has no units that did not succeed", hint="nothing to replay")
    return RECON, [(MONDAY, a) for a in ACCOUNTS]


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
    # Sources whose failed units a later execution fixed since (source -> the fixer), as ops sees them: a
    # replay of their failed units is refused as "nothing still failing" unless redo.again. Empty by
    # default (the canned replay of FAILED_ID's failed unit goes ahead); "all units" of FAILED_ID and its
    # resume always leave out (or, again, redo) ACC-1003, which #1047 fixed.
    already_replayed: dict[int, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__init__(None)
        self._registry = registry()
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.statuses = {e.execution_id: e.status for e in executions()}
        self.stop_requested = {e.execution_id: e.stop_requested_by for e in executions()}
        self.paused = {j.job_id: j.paused for j in job_rows()}
        self.compensations = {c.compensation_id: c for c in compensations()}
        self.acked: dict[int, str] = {}

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

    def _redone(
        self,
        job_id: str,
        run_type: str,
        kind: str | None,
        units: list[Unit],
        redo: ops.Redo,
        *,
        fixed: dict[Unit, int] | None = None,
        what: str = "",
        **links: Any,
    ) -> ops.Preview:
        """ops' redo rule over canned units: what was fixed since or compensated is left out unless the
        Redo says otherwise; everything left out refuses, in ops' words."""
        key = (COMPENSATED.business_date, COMPENSATED.target_key)
        compensated = {u: COMPENSATED for u in units if job_id == VALUATION and u == key}
        check = RedoCheck(fixed=dict(fixed or {}), compensated=compensated, redo=redo)
        kept = [u for u in units if u not in check.left_out]
        if not kept and check.fixed and not redo.again:
            by = ", ".join(f"#{i}" for i in sorted(set(check.fixed.values())))
            n = len(check.fixed)
            raise Refused(
                f"{what}: nothing still failing — its {n} unit(s) were already replayed by {by}",
                hint=AGAIN_HINT,
            )
        if not kept:
            raise Refused(
                f"{what}: every unit holds the result of an approved compensation "
                f"(#{COMPENSATED.compensation_id}, approved by {COMPENSATED.approved_by})",
                hint=COMPENSATION_HINT,
            )
        return ops.Preview(
            job_id=job_id,
            run_type=run_type,
            replay_kind=kind,
            units=kept,
            supersedes=len(kept),
            redo=check,
            **links,
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

    def _record(self, name: str, call: dict[str, Any], redo: ops.Redo) -> None:
        """The call, with ``redo`` only when it is not the default (the calls older tests compare)."""
        self.calls.append((name, call if redo == SAFE else {**call, "redo": redo}))

    def replay(
        self, request: ReplayRequest, *, reason: str | None, dry_run: bool = False, redo: ops.Redo = SAFE
    ) -> ops.Created | ops.Preview:
        of = request.execution_id if isinstance(request, ReplayOf) else None
        failed_only = isinstance(request, ReplayOf) and request.failed_only
        self._record(
            "replay", {"of": of, "failed_only": failed_only, "dry_run": dry_run, "reason": reason}, redo
        )
        checked_reason(reason, dry_run=dry_run)
        self._require("operator", "replay")
        return self._outcome(self._plan_replay(request, redo), dry_run)

    def _plan_replay(self, request: ReplayRequest, redo: ops.Redo) -> ops.Preview:
        if isinstance(request, ReplayOf):
            of = request.execution_id
            if request.failed_only and of in self.already_replayed:
                return self._replay_of(of, redo)
            if of == FAILED_ID and request.failed_only:
                return self._preview(RECON, "REPLAY", "SINGLE", [(MONDAY, "ACC-1003")], 1, replay_of=of)
            if of == FAILED_ID:  # all its units: ACC-1003 was fixed by #1047 since
                units = [(MONDAY, a) for a in ACCOUNTS]
                fixed = {(MONDAY, "ACC-1003"): REPLAYED_BY}
                return self._redone(
                    RECON, "REPLAY", "RANGE", units, redo, fixed=fixed, what=f"execution {of}", replay_of=of
                )
            return self._preview(RECON, "REPLAY", "RANGE", [(MONDAY, a) for a in ACCOUNTS], 8, replay_of=of)
        if isinstance(request, ReplayFull):
            days = [FRIDAY, MONDAY]
            names = self._targets(request.job_id)
            units = [(d, t) for d in days for t in names]
            return self._redone(request.job_id, "REPLAY", "FULL", units, redo, what=f"job {request.job_id}")
        day = request.date_from or MONDAY
        names = [request.target] if isinstance(request, ReplaySingle) else self._targets(request.job_id)
        kind = "SINGLE" if isinstance(request, ReplaySingle) else "RANGE"
        units = [(day, t) for t in names]
        return self._redone(request.job_id, "REPLAY", kind, units, redo, what=f"job {request.job_id}")

    def _targets(self, job_id: str) -> list[str]:
        """Valuation's portfolios (one holds a compensation's result); every other job: the accounts."""
        if job_id == VALUATION:
            return list(self._registry.require(job_id).targets_for(MONDAY))
        return list(ACCOUNTS)

    def _replay_of(self, execution_id: int, redo: ops.Redo) -> ops.Preview:
        """A REPLAY of the failed units of one execution, as replay --failed-only and replay_many plan it."""
        job_id, units = failed_units(execution_id, self.statuses.get(execution_id, "FAILED"))
        fixer = self.already_replayed.get(execution_id)
        fixed = {u: fixer for u in units} if fixer is not None else {}
        kind = "SINGLE" if len({t for _d, t in units}) == 1 else "RANGE"
        return self._redone(
            job_id,
            "REPLAY",
            kind,
            units,
            redo,
            fixed=fixed,
            what=f"execution {execution_id}",
            replay_of=execution_id,
        )

    def replay_many(
        self,
        execution_ids: Sequence[int],
        *,
        reason: str | None,
        dry_run: bool = False,
        redo: ops.Redo = SAFE,
    ) -> list[ops.Created] | list[ops.Preview]:
        ids = list(dict.fromkeys(execution_ids))
        self.calls.append(("replay_many", {"ids": ids, "reason": reason, "dry_run": dry_run, "redo": redo}))
        checked_reason(reason, dry_run=dry_run)
        self._require("operator", "replay")
        if not ids:
            raise BadInput(
                "no executions to replay", hint="mark executions first (space), or give --of ID,ID"
            )
        previews = [self._replay_of(i, redo) for i in ids]  # one refused: all refused, nothing created
        if dry_run:
            return previews
        return [ops.Created(NEW_ID + n, p) for n, p in enumerate(previews)]

    def resume(
        self, execution_id: int, reason: str | None, *, dry_run: bool, redo: ops.Redo = SAFE
    ) -> ops.Created | ops.Preview:
        self._record("resume", {"execution_id": execution_id, "dry_run": dry_run}, redo)
        checked_reason(reason, required=False)
        self._require("operator", "resume an execution")
        if execution_id == FAILED_ID:  # its one failed unit was fixed by #1047 since
            units = [(MONDAY, "ACC-1003")]
            return self._outcome(
                self._redone(
                    RECON,
                    "MANUAL",
                    None,
                    units,
                    redo,
                    fixed={units[0]: REPLAYED_BY},
                    what=f"execution {execution_id}",
                    resumed_from=execution_id,
                ),
                dry_run,
            )
        units = [(MONDAY, f"PF-{n:03d}") for n in range(6, 13)]
        return self._outcome(
            self._preview(VALUATION, "MANUAL", None, units, 0, resumed_from=execution_id), dry_run
        )

    def acknowledge(self, execution_id: int, reason: str | None, *, dry_run: bool = False) -> None:
        self.calls.append(
            ("acknowledge", {"execution_id": execution_id, "reason": reason, "dry_run": dry_run})
        )
        checked_reason(reason, dry_run=dry_run)
        self._require("operator", "acknowledge a failure")
        status = self.statuses.get(execution_id)
        if status not in ("FAILED", "STOPPED"):
            raise Refused(
                f"execution {execution_id} is {status}", hint="only FAILED or STOPPED ones are acknowledged"
            )
        if execution_id in self.acked:
            raise Refused(
                f"execution {execution_id} was already acknowledged by {self.acked[execution_id]} at "
                "2026-11-03 09:30"
            )
        if execution_id == FAILED_ID:
            raise Refused(
                f"execution {execution_id} is resolved by #{REPLAYED_BY}: nothing open to acknowledge"
            )
        if execution_id == STOPPED_ID:
            raise Refused(f"execution {execution_id} is resolved by #1039: nothing open to acknowledge")
        if not dry_run:
            self.acked[execution_id] = self.operator

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
        reopens = {REPLAYED_BY: (FAILED_ID,), 1039: (STOPPED_ID,)}.get(execution_id, ())  # what they fixed
        return ops.RollbackPreview(execution_id, RECON, plan, reopens)

    def sign_checklist(
        self,
        checklist: checklists.Daily | checklists.Monthly,
        comment: str | None,
        *,
        dry_run: bool = False,
        seen: int | None = None,
    ) -> int | ops.SignPreview:
        """The earlier sign-offs are the checklist's own (as the fixed checklist was read)."""
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
        earlier = tuple(checklist.signoffs)
        if seen is not None and len(earlier) > seen:
            raise Refused(f"the checklist {checklist.period} was signed meanwhile")
        kind = "daily" if isinstance(checklist, checklists.Daily) else "monthly"
        return ops.SignPreview(kind, checklist.period, earlier) if dry_run else 31

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

    def read_evidence(self, paths: Sequence[str]) -> list[ops.Attachment]:
        """The real reader (c1console.evidence) over real files, with a small canned size limit."""
        self.calls.append(("read_evidence", {"paths": list(paths)}))
        return evidence.read_attachments(paths, EVIDENCE_LIMIT)

    def request_compensation(
        self,
        *,
        job_id: str,
        business_date: date,
        target: str,
        payload: str,
        reason: str | None,
        evidence_ref: str | None,
        attachments: Sequence[ops.Attachment],
        dry_run: bool = False,
    ) -> int:
        """ops.request_compensation's checks, in its order and words, over the fixed jobs."""
        self.calls.append(
            (
                "request",
                {
                    "job_id": job_id,
                    "business_date": business_date,
                    "target": target,
                    "payload": payload,
                    "reason": reason,
                    "evidence_ref": evidence_ref,
                    "files": [(a.filename, a.sha256) for a in attachments],
                    "dry_run": dry_run,
                },
            )
        )
        checked_reason(reason)
        checked_payload(payload)
        if not (evidence_ref or "").strip() and not attachments:
            raise BadInput(
                "a compensation needs evidence",
                hint="give --evidence-ref (ticket, document) and/or --attach FILE",
            )
        for a in attachments:
            if len(a.content) > EVIDENCE_LIMIT:
                raise BadInput(f"evidence file {a.filename} is {len(a.content)} bytes")
        self._require("operator", "request a compensation")
        definition = self._registry.get(job_id)
        if definition is not None:
            planning.plan_range(definition, business_date, business_date, [target.strip()])
        if job_id not in {j.job_id for j in job_rows()}:
            raise BadInput(f"unknown job '{job_id}'", hint="see c1console jobs list")
        return 0 if dry_run else NEW_COMPENSATION_ID
