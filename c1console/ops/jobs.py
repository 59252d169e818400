"""Pausing and resuming a job's schedule."""

from __future__ import annotations

from c1console.errors import BadInput, Refused
from c1console.inputs import parse_reason, printable
from c1console.ops.session import Session, acting, require
from c1console.store import audit, jobs, outbox
from c1console.store.engine import transaction_id


def set_job_paused(session: Session, job_id: str, paused: bool, reason: str | None) -> None:
    """Pauses or resumes a job's schedule (AUTO firing); executions already made are not touched."""
    checked_reason = parse_reason(reason)
    verb = "pause" if paused else "resume"
    require(session, "operator", f"{verb} a job")
    with acting(session) as conn:
        if jobs.get(conn, job_id, for_update=True) is None:
            raise BadInput(f"unknown job '{printable(job_id)}'", hint="see c1console jobs list")
        if not jobs.set_paused(conn, job_id, paused, session.operator, checked_reason or ""):
            raise Refused(f"job {job_id} is already {'paused' if paused else 'running'}")
        audit.append(
            conn,
            actor=session.operator,
            action=f"job.{verb}",
            object_type="job",
            object_id=job_id,
            reason=checked_reason,
        )
        outbox.enqueue(
            conn,
            event=f"job_{verb}d",
            channels=session.settings.channels,
            job_id=job_id,
            dedupe_key=f"job_{verb}d:{job_id}:{transaction_id(conn)}",
            details={"by": session.operator, "reason": checked_reason},
        )
