"""Correcting results: rolling back an execution, and compensations (requested, then decided by another)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from c1console import planning
from c1console.errors import BadInput, Refused
from c1console.inputs import parse_reason, printable
from c1console.ops.executions import alert_execution, existing_execution
from c1console.ops.session import Session, acting, checked_reason, require
from c1console.store import audit, failures, lifecycle, outbox, results

# Rollback ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RollbackPreview:
    execution_id: int
    job_id: str
    plan: results.RollbackPlan
    reopens: tuple[int, ...] = ()  # failures this execution's results fixed: open again after it

    def describe(self) -> str:
        p = self.plan
        text = (
            f"rollback of #{self.execution_id} ({self.job_id}): {len(p.deactivate)} result(s) deactivated, "
            f"{len(p.reactivate)} earlier result(s) reactivated, {len(p.skipped)} key(s) left alone "
            "(superseded since)"
        )
        if self.reopens:
            ids = ", ".join(f"#{i}" for i in self.reopens)
            text += f"; ⚠ re-opens failure(s) {ids}: this execution's results fixed them"
        return text


def rollback(
    session: Session, execution_id: int, reason: str | None, *, dry_run: bool = False
) -> RollbackPreview:
    """Logical rollback: deactivate what the execution activated, reactivate what it superseded unless a
    newer result has taken the key since. One transaction; the execution is marked rolled back."""
    why = checked_reason(reason, dry_run=dry_run)
    require(session, "operator", "roll back an execution")
    with acting(session, dry_run=dry_run) as conn:
        found = existing_execution(conn, execution_id, for_update=True)
        if found.status in ("READY", "RUNNING"):
            raise Refused(
                f"execution {execution_id} is {found.status}", hint="stop it and let it finish first"
            )
        if found.rolled_back_at is not None:
            raise Refused(f"execution {execution_id} was already rolled back by {found.rolled_back_by}")
        preview = RollbackPreview(
            execution_id,
            found.job_id,
            results.rollback_plan(conn, execution_id, found.job_id),
            tuple(failures.fixed_by(conn, found.job_id, execution_id)),
        )
        if dry_run:
            return preview
        deactivated, reactivated = results.apply_rollback(conn, execution_id, found.job_id, why or "")
        results.mark_rolled_back(conn, execution_id, session.operator, why or "")
        audit.append(
            conn,
            actor=session.operator,
            action="exec.rollback",
            object_type="execution",
            object_id=str(execution_id),
            execution_id=execution_id,
            reason=why,
            details={
                "job_id": found.job_id,
                "deactivated": deactivated,
                "reactivated": reactivated,
                "skipped": [f"{d} {t}" for d, t in preview.plan.skipped],
                "reopens": list(preview.reopens),
            },
        )
        alert_execution(
            conn,
            session,
            "rolled_back",
            execution_id,
            found.job_id,
            reason=why,
            deactivated=deactivated,
            reactivated=reactivated,
        )
    return preview


# Compensation --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def _payload(text_or_dict: str | dict[str, object]) -> str:
    if isinstance(text_or_dict, dict):
        value: object = text_or_dict
    else:
        try:
            value = json.loads(text_or_dict)
        except json.JSONDecodeError as exc:
            raise BadInput(
                f"the payload is not valid JSON: {exc.msg} at character {exc.pos}",
                hint='give a JSON object, e.g. {"nav": 101.25}',
            ) from None
    if not isinstance(value, dict):
        raise BadInput("the payload must be a JSON object", hint='e.g. {"nav": 101.25}')
    return json.dumps(value, ensure_ascii=False)


def request_compensation(
    session: Session,
    *,
    job_id: str,
    business_date: date,
    target: str,
    payload: str | dict[str, object],
    reason: str | None,
    evidence_ref: str | None = None,
    attachments: Sequence[Attachment] = (),
    dry_run: bool = False,
) -> int:
    """A manual correction of one result key, waiting for a different operator with the approver role.
    A dry run makes every check and returns 0 before anything is written (no id is used up)."""
    why = parse_reason(reason)
    body = _payload(payload)
    ref = parse_reason(evidence_ref, required=False)
    if not ref and not attachments:
        raise BadInput(
            "a compensation needs evidence",
            hint="give --evidence-ref (ticket, document) and/or --attach FILE",
        )
    limit = session.settings.evidence_max_bytes
    for attachment in attachments:
        if len(attachment.content) > limit:
            raise BadInput(
                f"evidence file {printable(attachment.filename)} is {len(attachment.content)} bytes",
                hint=f"the limit is {limit} bytes (evidence_max_bytes in the config)",
            )
    target = target.strip()
    if not target or not target.isprintable():
        raise BadInput("the target is empty or not printable")
    require(session, "operator", "request a compensation")
    definition = session.registry.get(job_id)
    if definition is not None:
        planning.plan_range(definition, business_date, business_date, [target])  # a key the job knows
    with acting(session, dry_run=dry_run) as conn:
        if not results.job_exists(conn, job_id):
            raise BadInput(f"unknown job '{printable(job_id)}'", hint="see c1console jobs list")
        if dry_run:
            return 0
        comp_id = results.add_compensation(
            conn,
            job_id=job_id,
            business_date=business_date,
            target_key=target,
            payload=body,
            reason=why or "",
            evidence_ref=ref,
            requested_by=session.operator,
        )
        files = []
        for attachment in attachments:
            evidence_id = results.add_evidence(
                conn, comp_id, attachment.filename, attachment.content, attachment.sha256
            )
            files.append(
                {
                    "evidence_id": evidence_id,
                    "filename": attachment.filename,
                    "sha256": attachment.sha256,
                    "size": len(attachment.content),
                }
            )
        audit.append(
            conn,
            actor=session.operator,
            action="comp.request",
            object_type="compensation",
            object_id=str(comp_id),
            reason=why,
            details={
                "job_id": job_id,
                "business_date": business_date.isoformat(),
                "target": target,
                "payload_sha256": hashlib.sha256(body.encode()).hexdigest(),
                "evidence_ref": ref,
                "evidence": files,
            },
        )
        outbox.enqueue(
            conn,
            event="comp_requested",
            channels=session.settings.channels,
            job_id=job_id,
            dedupe_key=f"comp_requested:{comp_id}",
            details={
                "by": session.operator,
                "reason": why,
                "compensation_id": comp_id,
                "key": f"{job_id} {business_date} {target}",
            },
        )
    return comp_id


def decide_compensation(
    session: Session, compensation_id: int, *, approve: bool, note: str | None, dry_run: bool = False
) -> int | None:
    """Approve (the correction becomes the active result, superseding the current one) or reject. Only a
    different operator with the approver role; exactly one decision wins. Returns the new result id (None
    for a rejection). A dry run makes every check, writes nothing and returns None."""
    checked_note = checked_reason(note, required=not approve, dry_run=dry_run)
    verb = "approve" if approve else "reject"
    require(session, "approver", f"{verb} compensations")
    with acting(session, dry_run=dry_run) as conn:
        comp = results.get_compensation(conn, compensation_id, for_update=True)
        if comp is None:
            raise BadInput(f"compensation {compensation_id} does not exist", hint="see c1console comp list")
        if comp.status != "PENDING":
            raise Refused(
                f"compensation {compensation_id} was already {comp.status.lower()} by {comp.decided_by}"
            )
        if comp.requested_by == session.operator:
            raise Refused(
                f"{session.operator} requested compensation {compensation_id} and cannot {verb} it",
                hint="four eyes: another approver must decide",
            )
        if dry_run:
            return None
        results.decide(
            conn, compensation_id, approve=approve, operator=session.operator, note=checked_note or ""
        )
        result_id = None
        if approve:
            [result_id] = lifecycle.apply_results(
                conn,
                job_id=comp.job_id,
                compensation_id=compensation_id,
                rows=[(comp.business_date, comp.target_key, comp.payload)],
            )
        audit.append(
            conn,
            actor=session.operator,
            action=f"comp.{verb}",
            object_type="compensation",
            object_id=str(compensation_id),
            reason=checked_note,
            details={
                "job_id": comp.job_id,
                "business_date": comp.business_date.isoformat(),
                "target": comp.target_key,
                "result_id": result_id,
                "requested_by": comp.requested_by,
            },
        )
        outbox.enqueue(
            conn,
            event=f"comp_{verb}d",
            channels=session.settings.channels,
            job_id=comp.job_id,
            dedupe_key=f"comp_{verb}d:{compensation_id}",
            details={"by": session.operator, "reason": checked_note, "compensation_id": compensation_id},
        )
    return result_id
