"""Closing a failure by word: an operator acknowledges that an open failure needs nothing more."""

from __future__ import annotations

from c1console.errors import Refused
from c1console.ops.executions import existing_execution
from c1console.ops.session import Session, acting, checked_reason, require
from c1console.store import audit, failures


def acknowledge(session: Session, execution_id: int, reason: str | None, *, dry_run: bool = False) -> None:
    """Marks an open failure acknowledged (e.g. a false alarm, or a day that will be recomputed anyway):
    it leaves the open list, with who, when and why kept beside it. Only an open failure is acknowledged:
    one that is resolved, handed on to its replay, rolled back or acknowledged already is refused."""
    why = checked_reason(reason, dry_run=dry_run)
    require(session, "operator", "acknowledge a failure")
    with acting(session, dry_run=dry_run) as conn:
        found = existing_execution(conn, execution_id, for_update=True)
        state = failures.resolutions(conn, [execution_id]).get(execution_id)
        if state is None:
            raise Refused(
                f"execution {execution_id} is {found.status}",
                hint="only FAILED or STOPPED ones are acknowledged",
            )
        _refuse_unless_open(state)
        if dry_run:
            return
        failures.acknowledge(conn, execution_id, session.operator, why or "")
        audit.append(
            conn,
            actor=session.operator,
            action="exec.ack",
            object_type="execution",
            object_id=str(execution_id),
            execution_id=execution_id,
            reason=why,
            details={"job_id": found.job_id, "status": found.status, "open_units": state.open_units},
        )


def _refuse_unless_open(state: failures.Resolution) -> None:
    why = failures.not_open(state)
    if why is not None:
        raise Refused(why[0], hint=why[1])
