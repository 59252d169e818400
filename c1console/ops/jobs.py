"""Pausing and resuming a job's schedule."""

from __future__ import annotations

from c1console.errors import BadInput, Refused
from c1console.inputs import printable
from c1console.ops.session import Session, acting, checked_reason, require
from c1console.store import audit, jobs, outbox
from c1console.store.engine import transaction_id


def set_job_paused(
    session: Session, job_id: str, paused: bool, reason: str | None, *, dry_run: bool = False
) -> None:
    """Pauses or resumes a job's schedule (AUTO firing); executions already made are not touched. A dry run
    makes every check and writes nothing."""
    why = checked_reason(reason, dry_run=dry_run)
    verb = "pause" if paused else "resume"
    require(session, "operator", f"{verb} a job")
    with acting(session, dry_run=dry_run) as conn:
        job = jobs.get(conn, job_id, for_update=True)
        if job is None:
            raise BadInput(f"unknown job '{printable(job_id)}'", hint="see c1console jobs list")
        if job.paused == paused:
            raise Refused(f"job {job_id} is already {'paused' if paused else 'running'}")
        if dry_run:
            return
        flipped = jobs.set_paused(conn, job_id, paused, session.operator, why or "")
        assert flipped  # the row is locked and had the other value
        audit.append(
            conn,
            actor=session.operator,
            action=f"job.{verb}",
            object_type="job",
            object_id=job_id,
            reason=why,
        )
        outbox.enqueue(
            conn,
            event=f"job_{verb}d",
            channels=session.settings.channels,
            job_id=job_id,
            dedupe_key=f"job_{verb}d:{job_id}:{transaction_id(conn)}",
            details={"by": session.operator, "reason": why},
        )
