"""New executions (trigger, replay, resume) and stopping one; each new one is previewed before it is made."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.engine import Connection

from c1console import planning
from c1console.errors import BadInput, Refused
from c1console.inputs import printable
from c1console.jobs import JobDefinition
from c1console.ops.redo import SAFE, Redo, RedoCheck, check, kept
from c1console.ops.session import Session, acting, checked_reason, require
from c1console.requests import ReplayFull, ReplayOf, ReplayRequest, ReplaySingle
from c1console.store import audit, executions, jobs, lifecycle, outbox
from c1console.store.engine import connection
from c1console.store.executions import Execution

# Executions: what a new one would run -------------------------------------------------------------------


@dataclass(frozen=True)
class Preview:
    """What an action will do, shown before it is confirmed (and all a dry run does)."""

    job_id: str
    run_type: str
    replay_kind: str | None
    units: list[planning.UnitKey]
    supersedes: int
    replay_of: int | None = None
    resumed_from: int | None = None
    targets: list[str] | None = None
    redo: RedoCheck = field(default_factory=RedoCheck)

    @property
    def date_from(self) -> date:
        return planning.span(self.units)[0]

    @property
    def date_to(self) -> date:
        return planning.span(self.units)[1]

    def describe(self) -> str:
        kind = f"{self.run_type}" + (f" {self.replay_kind}" if self.replay_kind else "")
        targets = len(planning.targets_of(self.units))
        of = f" of #{self.replay_of or self.resumed_from}" if self.replay_of or self.resumed_from else ""
        text = (
            f"{kind}{of} of {self.job_id}: {len(self.units)} unit(s), {self.date_from}..{self.date_to}, "
            f"{targets} target(s); {self.supersedes} active result(s) would be superseded (kept, inactive)"
        )
        return "; ".join([text, *self.redo.lines()])


@dataclass(frozen=True)
class Created:
    execution_id: int
    preview: Preview


def existing_execution(conn: Connection, execution_id: int, *, for_update: bool = False) -> Execution:
    """The execution, or BadInput if there is none (rollback uses it too)."""
    found = executions.get_execution(conn, execution_id, for_update=for_update)
    if found is None:
        raise BadInput(f"execution {execution_id} does not exist", hint="see c1console exec list")
    return found


def _job(session: Session, job_id: str) -> JobDefinition:
    found = session.registry.get(job_id)
    if found is not None:
        return found
    with connection(session.db) as conn:
        module = jobs.module_of(conn, job_id)
    if module is None:
        return session.registry.require(job_id)  # refuses, listing the jobs this process knows
    raise BadInput(f"job '{job_id}' is not loaded in this process", hint=load_hint(module))


def load_hint(module: str) -> str:
    """How to load the code of a job registered by ``module`` (as recorded in the database)."""
    if module.startswith("c1console.demo."):
        return "it is a demo job: run the command as c1console --demo ..."
    return f"its code is in module {module}: add it to jobs = [...] in the config, or set C1_JOBS={module}"


def _preview(
    conn: Connection,
    job: JobDefinition,
    run_type: str,
    units: list[planning.UnitKey],
    *,
    replay_kind: str | None = None,
    replay_of: int | None = None,
    resumed_from: int | None = None,
    all_targets: bool = False,
    redo: Redo = SAFE,
) -> Preview:
    """What would run: the planned units less those the redo check leaves out (named in the preview)."""
    checked = check(conn, job.job_id, units, replay_of or resumed_from, redo)
    what = f"execution {replay_of or resumed_from}" if replay_of or resumed_from else f"job {job.job_id}"
    units = kept(units, checked, what)
    return Preview(
        job_id=job.job_id,
        run_type=run_type,
        replay_kind=replay_kind,
        units=units,
        supersedes=executions.active_results_on(conn, job.job_id, units),
        replay_of=replay_of,
        resumed_from=resumed_from,
        targets=None if all_targets and not checked.left_out else planning.targets_of(units),
        redo=checked,
    )


def _create(conn: Connection, session: Session, preview: Preview, reason: str | None) -> int:
    start, end = planning.span(preview.units)
    execution_id = lifecycle.create(
        conn,
        lifecycle.NewExecution(
            job_id=preview.job_id,
            run_type=preview.run_type,
            business_date_from=start,
            business_date_to=end,
            targets=preview.targets,
            requested_by=session.operator,
            units=preview.units,
            reason=reason,
            replay_kind=preview.replay_kind,
            replay_of=preview.replay_of,
            resumed_from=preview.resumed_from,
        ),
    )
    assert execution_id is not None  # only AUTO fires can conflict
    return execution_id


def _audit_execution(
    conn: Connection,
    session: Session,
    action: str,
    execution_id: int,
    reason: str | None,
    preview: Preview | None = None,
    **details: object,
) -> None:
    if preview is not None:
        details = {
            "job_id": preview.job_id,
            "units": len(preview.units),
            "dates": f"{preview.date_from}..{preview.date_to}",
            "targets": preview.targets,
            "supersedes": preview.supersedes,
            "replay_kind": preview.replay_kind,
            **preview.redo.audit_details(),
            **details,
        }
    audit.append(
        conn,
        actor=session.operator,
        action=action,
        object_type="execution",
        object_id=str(execution_id),
        execution_id=execution_id,
        reason=reason,
        details=details,
    )


def alert_execution(
    conn: Connection, session: Session, event: str, execution_id: int, job_id: str, **details: object
) -> None:
    """Queues an execution event on every alert channel, at most once per event and execution (rollback
    uses it too)."""
    outbox.enqueue(
        conn,
        event=event,
        channels=session.settings.channels,
        dedupe_key=f"{event}:{execution_id}",
        job_id=job_id,
        execution_id=execution_id,
        details={"by": session.operator, **details},
    )


# Trigger -------------------------------------------------------------------------------------------------


def trigger(
    session: Session,
    job_id: str,
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    targets: Sequence[str] | None = None,
    reason: str | None = None,
    dry_run: bool = False,
) -> Created | Preview:
    """A MANUAL execution: by default the job's latest business day before today, all targets."""
    job = _job(session, job_id)
    reason = checked_reason(reason, required=False)
    require(session, "operator", "trigger a job")
    default_day = job.calendar.previous(date.today())
    start = date_from or date_to or default_day
    end = date_to or start
    units = planning.plan_range(job, start, end, list(targets) if targets else None)
    with acting(session, dry_run=dry_run) as conn:
        # a new run is what it is: what it would supersede is named, never left out
        everything = Redo(again=True, supersede_compensation=True)
        preview = _preview(conn, job, "MANUAL", units, all_targets=not targets, redo=everything)
        if dry_run:
            return preview
        execution_id = _create(conn, session, preview, reason)
        _audit_execution(conn, session, "exec.trigger", execution_id, reason, preview)
    return Created(execution_id, preview)


# Replay --------------------------------------------------------------------------------------------------


def replay(
    session: Session,
    request: ReplayRequest,
    *,
    reason: str | None,
    dry_run: bool = False,
    redo: Redo = SAFE,
) -> Created | Preview:
    """A REPLAY execution: FULL (the job's whole recorded period), RANGE (dates), SINGLE (one target), or
    of an earlier execution (all its units, or only those that did not succeed). Existing results are kept;
    the new ones supersede them. Units fixed since, or holding a compensation's result, are left out unless
    ``redo`` says otherwise (ops/redo.py)."""
    why = checked_reason(reason, dry_run=dry_run)
    require(session, "operator", "replay")
    with acting(session, dry_run=dry_run) as conn:
        preview = _plan_replay(conn, session, request, redo)
        if dry_run:
            return preview
        created = _create_replay(conn, session, preview, why)
    return created


def replay_many(
    session: Session,
    execution_ids: Sequence[int],
    *,
    reason: str | None,
    dry_run: bool = False,
    redo: Redo = SAFE,
) -> list[Created] | list[Preview]:
    """Bulk: the units of each execution that did not succeed and are still failing, replayed as one
    REPLAY per source execution (so each stays linked to the failure it fixes), all created in one
    transaction with one audit row each. Any refusal refuses them all."""
    why = checked_reason(reason, dry_run=dry_run)
    require(session, "operator", "replay")
    ids = list(dict.fromkeys(execution_ids))
    if not ids:
        raise BadInput("no executions to replay", hint="mark executions first (space), or give --of ID,ID")
    with acting(session, dry_run=dry_run) as conn:
        for i in sorted(ids):  # locked in one order, so two bulk replays cannot deadlock
            existing_execution(conn, i, for_update=True)
        previews = [_plan_replay(conn, session, ReplayOf(i, failed_only=True), redo) for i in ids]
        if dry_run:
            return previews
        created = [_create_replay(conn, session, p, why, bulk=ids) for p in previews]
    return created


def _create_replay(
    conn: Connection, session: Session, preview: Preview, why: str | None, bulk: list[int] | None = None
) -> Created:
    execution_id = _create(conn, session, preview, why)
    more = {"bulk_of": bulk} if bulk else {}
    _audit_execution(
        conn, session, "exec.replay", execution_id, why, preview, replay_of=preview.replay_of, **more
    )
    alert_execution(
        conn,
        session,
        "replay_started",
        execution_id,
        preview.job_id,
        reason=why,
        kind=preview.replay_kind,
        units=len(preview.units),
    )
    return Created(execution_id, preview)


def _plan_replay(conn: Connection, session: Session, request: ReplayRequest, redo: Redo) -> Preview:
    if isinstance(request, ReplayOf):
        return _plan_replay_of(conn, session, request, redo)
    job = _job(session, request.job_id)
    if isinstance(request, ReplayFull):
        period = executions.job_period(conn, job.job_id)
        if period is None:
            raise Refused(f"job {job.job_id} has no recorded period to replay", hint="trigger it first")
        units = planning.plan_range(job, *period, None)
        return _preview(conn, job, "REPLAY", units, replay_kind="FULL", all_targets=True, redo=redo)
    if isinstance(request, ReplaySingle):
        units = _single_units(conn, job, request)
        return _preview(conn, job, "REPLAY", units, replay_kind="SINGLE", redo=redo)
    units = planning.plan_range(job, request.date_from, request.date_to, None)
    return _preview(conn, job, "REPLAY", units, replay_kind="RANGE", all_targets=True, redo=redo)


def _plan_replay_of(conn: Connection, session: Session, request: ReplayOf, redo: Redo) -> Preview:
    of = request.execution_id
    # locked: concurrent replays of one execution queue here, and each sees the READY replay made before it
    source = existing_execution(conn, of, for_update=True)
    if source.status in ("READY", "RUNNING"):
        raise Refused(f"execution {of} is {source.status}", hint="stop it or wait for it to finish first")
    job = _job(session, source.job_id)
    units = executions.unsucceeded_units(conn, of) if request.failed_only else _all_units(conn, of)
    if not units:
        raise Refused(f"execution {of} has no units that did not succeed", hint="nothing to replay")
    kind = "SINGLE" if len(planning.targets_of(units)) == 1 else "RANGE"
    return _preview(conn, job, "REPLAY", units, replay_kind=kind, replay_of=of, redo=redo)


def _single_units(conn: Connection, job: JobDefinition, request: ReplaySingle) -> list[planning.UnitKey]:
    """The target over the given dates (one alone stands for both), else over every date it has results."""
    target = request.target
    start, end = request.date_from or request.date_to, request.date_to or request.date_from
    if start is not None and end is not None:
        return planning.plan_range(job, start, end, [target])
    days = executions.target_dates(conn, job.job_id, target)
    if not days:
        planning.plan_range(job, *_recent(job), [target])  # refuses an unknown target clearly
        raise Refused(
            f"target '{printable(target)}' of {job.job_id} has no results yet",
            hint="give --from/--to to run it for chosen dates",
        )
    return [(d, target) for d in days]


def _recent(job: JobDefinition) -> tuple[date, date]:
    day = job.calendar.previous(date.today())
    return day, day


def _all_units(conn: Connection, execution_id: int) -> list[planning.UnitKey]:
    return [(u.business_date, u.target_key) for u in executions.units(conn, execution_id, limit=10_000_000)]


# Resume --------------------------------------------------------------------------------------------------


def resume(
    session: Session,
    execution_id: int,
    reason: str | None = None,
    *,
    dry_run: bool = False,
    redo: Redo = SAFE,
) -> Created | Preview:
    """A new MANUAL execution, linked by resumed_from, for the units of a STOPPED or FAILED execution that
    did not succeed."""
    why = checked_reason(reason, required=False)
    require(session, "operator", "resume an execution")
    with acting(session, dry_run=dry_run) as conn:
        source = existing_execution(conn, execution_id, for_update=True)
        if source.status not in ("STOPPED", "FAILED"):
            raise Refused(f"execution {execution_id} is {source.status}; only STOPPED or FAILED ones resume")
        earlier = executions.resumes_of(conn, execution_id)
        if earlier:
            raise Refused(
                f"execution {execution_id} was already resumed by #{earlier[-1]}",
                hint=f"resume #{earlier[-1]} instead if it did not finish",
            )
        job = _job(session, source.job_id)
        units = executions.unsucceeded_units(conn, execution_id)
        if not units:
            raise Refused(f"execution {execution_id} has no unfinished units")
        preview = _preview(conn, job, "MANUAL", units, resumed_from=execution_id, redo=redo)
        if dry_run:
            return preview
        new_id = _create(conn, session, preview, why)
        _audit_execution(conn, session, "exec.resume", new_id, why, preview, resumed_from=execution_id)
        alert_execution(conn, session, "resumed", new_id, job.job_id, resumed_from=execution_id, reason=why)
    return Created(new_id, preview)


# Stop ----------------------------------------------------------------------------------------------------


def stop(session: Session, execution_id: int, reason: str | None, *, dry_run: bool = False) -> str:
    """READY stops at once; RUNNING stops at its next unit boundary. Returns 'STOPPED' or 'RUNNING'
    (stop requested). A dry run makes every check the stop makes, writes nothing and returns what it
    would."""
    why = checked_reason(reason, dry_run=dry_run)
    require(session, "operator", "stop an execution")
    with acting(session, dry_run=dry_run) as conn:
        found = existing_execution(conn, execution_id, for_update=True)
        if found.status not in ("READY", "RUNNING"):
            raise Refused(
                f"execution {execution_id} is already {found.status}", hint="only READY or RUNNING stop"
            )
        if found.stop_requested_at is not None:
            raise Refused(
                f"a stop of execution {execution_id} was already requested by {found.stop_requested_by}"
            )
        if dry_run:
            return "STOPPED" if found.status == "READY" else "RUNNING"
        after = lifecycle.request_stop(conn, execution_id, session.operator, why or "")
        assert after is not None  # the row is locked and was READY or RUNNING
        _audit_execution(
            conn,
            session,
            "exec.stop",
            execution_id,
            why,
            job_id=found.job_id,
            status_before=found.status,
        )
        alert_execution(conn, session, "stopped", execution_id, found.job_id, reason=why)
    return after
