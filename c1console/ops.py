"""Every write an operator can cause, shared by the console and the CLI.

Each action validates its input, checks the operator's role, then in ONE transaction changes state,
appends its audit row and (where alertable) its outbox rows. The database's triggers NOTIFY listeners at
commit. A refusal raises a Problem (BadInput exit 2, Refused exit 4) and writes nothing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.engine import Connection

from c1console import planning
from c1console.checklists import Daily, Monthly, to_json
from c1console.config import ROLES, Settings
from c1console.errors import BadInput, Refused
from c1console.inputs import parse_reason, printable
from c1console.jobs import JobDefinition, Registry
from c1console.store import (
    audit,
    executions,
    jobs,
    lifecycle,
    migrations,
    operators,
    outbox,
    results,
    reviews,
)
from c1console.store.engine import Database, connection, transaction, transaction_id
from c1console.store.executions import Execution

RANK = {role: n for n, role in enumerate(ROLES)}
DEFAULT_ROLE = "viewer"  # of a login not in the operator table, unless an admin granted '*' a role


@dataclass
class Session:
    """Who acts, on which database, with which jobs."""

    db: Database
    settings: Settings
    operator: str
    registry: Registry = field(default_factory=Registry)
    read_only: bool = False
    _role: str | None = None

    @property
    def role(self) -> str:
        if self.read_only:
            return "viewer"
        if self._role is None:
            with connection(self.db) as conn:
                self._role = operators.role_of(conn, self.operator) or DEFAULT_ROLE
        return self._role

    def can(self, needed: str) -> bool:
        return RANK[self.role] >= RANK[needed]


def require(session: Session, needed: str, doing: str) -> None:
    if not session.can(needed):
        raise Refused(
            f"{session.operator} is {session.role} and cannot {doing}",
            hint=f"this needs the {needed} role; an admin can grant it with c1console operators grant",
        )


@contextmanager
def acting(session: Session, *, dry_run: bool = False) -> Iterator[Connection]:
    """One transaction as the session's operator (the triggers record that name on every event). It first
    makes sure the registered jobs have their rows, so a refused action rolls that back too; a dry run
    rolls back everything."""
    with transaction(session.db, session.operator, dry_run=dry_run) as conn:
        jobs.sync(conn, session.registry.specs())
        yield conn


def sync_jobs(session: Session) -> None:
    """Makes sure every registered job has its row (the runner does this too, at start)."""
    with transaction(session.db, "system") as conn:
        jobs.sync(conn, session.registry.specs())


def upgrade_schema(session: Session) -> list[migrations.Migration]:
    """Applies pending migrations; the upgrade itself is audited once the audit table exists."""
    done = migrations.upgrade(session.db, session.operator)
    if done:
        with acting(session) as conn:
            audit.append(
                conn,
                actor=session.operator,
                action="db.upgrade",
                object_type="schema",
                object_id=str(done[-1].version),
                details={"applied": [f"{m.version:03d}_{m.name}" for m in done]},
            )
    return done


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

    @property
    def date_from(self) -> date:
        return planning.span(self.units)[0]

    @property
    def date_to(self) -> date:
        return planning.span(self.units)[1]

    def describe(self) -> str:
        kind = f"{self.run_type}" + (f" {self.replay_kind}" if self.replay_kind else "")
        targets = len(planning.targets_of(self.units))
        return (
            f"{kind} of {self.job_id}: {len(self.units)} unit(s), {self.date_from}..{self.date_to}, "
            f"{targets} target(s); {self.supersedes} active result(s) would be superseded (kept, inactive)"
        )


@dataclass(frozen=True)
class Created:
    execution_id: int
    preview: Preview


def _execution(conn: Connection, execution_id: int, *, for_update: bool = False) -> Execution:
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
) -> Preview:
    return Preview(
        job_id=job.job_id,
        run_type=run_type,
        replay_kind=replay_kind,
        units=units,
        supersedes=executions.active_results_on(conn, job.job_id, units),
        replay_of=replay_of,
        resumed_from=resumed_from,
        targets=None if all_targets else planning.targets_of(units),
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


def _alert(
    conn: Connection, session: Session, event: str, execution_id: int, job_id: str, **details: object
) -> None:
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
    reason = parse_reason(reason, required=False)
    if not dry_run:
        require(session, "operator", "trigger a job")
    default_day = job.calendar.previous(date.today())
    start = date_from or date_to or default_day
    end = date_to or start
    units = planning.plan_range(job, start, end, list(targets) if targets else None)
    with acting(session, dry_run=dry_run) as conn:
        preview = _preview(conn, job, "MANUAL", units, all_targets=not targets)
        if dry_run:
            return preview
        execution_id = _create(conn, session, preview, reason)
        _audit_execution(conn, session, "exec.trigger", execution_id, reason, preview)
    return Created(execution_id, preview)


# Replay --------------------------------------------------------------------------------------------------


def replay(
    session: Session,
    *,
    reason: str | None,
    job_id: str | None = None,
    full: bool = False,
    date_from: date | None = None,
    date_to: date | None = None,
    target: str | None = None,
    of: int | None = None,
    failed_only: bool = False,
    dry_run: bool = False,
) -> Created | Preview:
    """A REPLAY execution: FULL (the job's whole recorded period), RANGE (dates), SINGLE (one target), or
    of an earlier execution (all its units, or only those that did not succeed). Existing results are kept;
    the new ones supersede them."""
    checked_reason = parse_reason(reason, required=not dry_run)
    if not dry_run:
        require(session, "operator", "replay")
    with acting(session, dry_run=dry_run) as conn:
        preview = _plan_replay(
            conn,
            session,
            job_id=job_id,
            full=full,
            date_from=date_from,
            date_to=date_to,
            target=target,
            of=of,
            failed_only=failed_only,
        )
        if dry_run:
            return preview
        execution_id = _create(conn, session, preview, checked_reason)
        _audit_execution(conn, session, "exec.replay", execution_id, checked_reason, preview, replay_of=of)
        _alert(
            conn,
            session,
            "replay_started",
            execution_id,
            preview.job_id,
            reason=checked_reason,
            kind=preview.replay_kind,
            units=len(preview.units),
        )
    return Created(execution_id, preview)


def _plan_replay(
    conn: Connection,
    session: Session,
    *,
    job_id: str | None,
    full: bool,
    date_from: date | None,
    date_to: date | None,
    target: str | None,
    of: int | None,
    failed_only: bool,
) -> Preview:
    if of is not None:
        if job_id is not None or full or target is not None or date_from or date_to:
            raise BadInput(
                "--of replays an execution's own units", hint="do not combine it with --job/--full/dates"
            )
        source = _execution(conn, of)
        if source.status in ("READY", "RUNNING"):
            raise Refused(f"execution {of} is {source.status}", hint="stop it or wait for it to finish first")
        job = _job(session, source.job_id)
        units = executions.unsucceeded_units(conn, of) if failed_only else _all_units(conn, of)
        if not units:
            raise Refused(f"execution {of} has no units that did not succeed", hint="nothing to replay")
        kind = "SINGLE" if len(planning.targets_of(units)) == 1 else "RANGE"
        return _preview(conn, job, "REPLAY", units, replay_kind=kind, replay_of=of)
    if failed_only:
        raise BadInput("--failed-only goes with --of ID")
    if job_id is None:
        raise BadInput("a replay needs --job JOB (or --of ID)")
    job = _job(session, job_id)
    if full:
        if target is not None or date_from or date_to:
            raise BadInput(
                "--full replays the whole period", hint="do not combine it with --from/--to/--target"
            )
        period = executions.job_period(conn, job.job_id)
        if period is None:
            raise Refused(f"job {job.job_id} has no recorded period to replay", hint="trigger it first")
        return _preview(
            conn, job, "REPLAY", planning.plan_range(job, *period, None), replay_kind="FULL", all_targets=True
        )
    if target is not None:
        if date_from or date_to:
            start, end = date_from or date_to, date_to or date_from
            assert start is not None and end is not None
            units = planning.plan_range(job, start, end, [target])
        else:
            days = executions.target_dates(conn, job.job_id, target)
            if not days:
                planning.plan_range(job, *_recent(job), [target])  # refuses an unknown target clearly
                raise Refused(
                    f"target '{printable(target)}' of {job.job_id} has no results yet",
                    hint="give --from/--to to run it for chosen dates",
                )
            units = [(d, target) for d in days]
        return _preview(conn, job, "REPLAY", units, replay_kind="SINGLE")
    if date_from is None or date_to is None:
        raise BadInput("a replay needs --full, --from D --to D, --target T or --of ID")
    units = planning.plan_range(job, date_from, date_to, None)
    return _preview(conn, job, "REPLAY", units, replay_kind="RANGE", all_targets=True)


def _recent(job: JobDefinition) -> tuple[date, date]:
    day = job.calendar.previous(date.today())
    return day, day


def _all_units(conn: Connection, execution_id: int) -> list[planning.UnitKey]:
    return [(u.business_date, u.target_key) for u in executions.units(conn, execution_id, limit=10_000_000)]


# Resume --------------------------------------------------------------------------------------------------


def resume(
    session: Session, execution_id: int, reason: str | None = None, *, dry_run: bool = False
) -> Created | Preview:
    """A new MANUAL execution, linked by resumed_from, for the units of a STOPPED or FAILED execution that
    did not succeed."""
    checked_reason = parse_reason(reason, required=False)
    if not dry_run:
        require(session, "operator", "resume an execution")
    with acting(session, dry_run=dry_run) as conn:
        source = _execution(conn, execution_id, for_update=True)
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
        preview = _preview(conn, job, "MANUAL", units, resumed_from=execution_id)
        if dry_run:
            return preview
        new_id = _create(conn, session, preview, checked_reason)
        _audit_execution(
            conn, session, "exec.resume", new_id, checked_reason, preview, resumed_from=execution_id
        )
        _alert(conn, session, "resumed", new_id, job.job_id, resumed_from=execution_id, reason=checked_reason)
    return Created(new_id, preview)


# Stop ----------------------------------------------------------------------------------------------------


def stop(session: Session, execution_id: int, reason: str | None) -> str:
    """READY stops at once; RUNNING stops at its next unit boundary. Returns 'STOPPED' or 'RUNNING'
    (stop requested)."""
    checked_reason = parse_reason(reason)
    require(session, "operator", "stop an execution")
    with acting(session) as conn:
        found = _execution(conn, execution_id, for_update=True)
        if found.status not in ("READY", "RUNNING"):
            raise Refused(
                f"execution {execution_id} is already {found.status}", hint="only READY or RUNNING stop"
            )
        if found.stop_requested_at is not None:
            raise Refused(
                f"a stop of execution {execution_id} was already requested by {found.stop_requested_by}"
            )
        after = lifecycle.request_stop(conn, execution_id, session.operator, checked_reason or "")
        assert after is not None  # the row is locked and was READY or RUNNING
        _audit_execution(
            conn,
            session,
            "exec.stop",
            execution_id,
            checked_reason,
            job_id=found.job_id,
            status_before=found.status,
        )
        _alert(conn, session, "stopped", execution_id, found.job_id, reason=checked_reason)
    return after


# Jobs ----------------------------------------------------------------------------------------------------


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


# Operators -----------------------------------------------------------------------------------------------


def grant(session: Session, operator_id: str, role: str, reason: str | None) -> str | None:
    """Sets an operator's role (admin only). Returns the previous role.

    On a new database (no operator recorded yet) the one grant allowed is the person running it making
    themselves admin: how an installation gets its first admin. The database enforces the same rule."""
    checked_reason = parse_reason(reason, required=False)
    if role not in ROLES:
        raise BadInput(f"'{printable(role)}' is not a role", hint=f"use one of {', '.join(ROLES)}")
    if not operator_id.strip() or any(ch.isspace() or not ch.isprintable() for ch in operator_id):
        raise BadInput(f"'{printable(operator_id)}' is not a login name")
    with acting(session) as conn:
        operators.lock_grants(conn)
        first = not session.read_only and operators.is_empty(conn)
        if first:
            _check_first_admin(session, operator_id, role)
        else:
            require(session, "admin", "grant roles")
            _keep_an_admin(conn, operator_id, role)
        previous = operators.set_role(conn, operator_id, role, session.operator)
        audit.append(
            conn,
            actor=session.operator,
            action="operator.grant",
            object_type="operator",
            object_id=operator_id,
            reason=checked_reason,
            details={"role": role, "previous": previous} | ({"first_admin": True} if first else {}),
        )
    return previous


def _check_first_admin(session: Session, operator_id: str, role: str) -> None:
    if operator_id != session.operator or role != "admin":
        raise Refused(
            "this database has no operators yet: its first grant makes the person running it admin",
            hint=f"run: c1console operators grant {session.operator} admin --reason 'first admin'",
        )


def _keep_an_admin(conn: Connection, operator_id: str, role: str) -> None:
    if role != "admin" and operators.admins(conn) == [operator_id]:
        raise Refused(
            f"{operator_id} is the last admin",
            hint="grant admin to someone else first, then change this role",
        )


def bootstrap_admin(session: Session, reason: str = "first operator of the demo database") -> None:
    """Makes the session's operator admin if the database has no operators yet (the demo does this)."""
    with connection(session.db) as conn:
        if not operators.is_empty(conn):
            return
    with suppress(Refused):  # someone else became the first admin meanwhile
        grant(session, session.operator, "admin", reason)


# Checklists ----------------------------------------------------------------------------------------------

MIN_OVERRIDE_COMMENT = 15


def sign_checklist(session: Session, checklist: Daily | Monthly, comment: str | None) -> int:
    """Signs what the operator was shown (stored as a snapshot). With open items, the comment must say why."""
    text = parse_reason(comment, required=True)
    assert text is not None
    open_items = checklist.open_items if isinstance(checklist, Daily) else checklist.still_open
    if checklist.verdict != "OK" and len(text) < MIN_OVERRIDE_COMMENT:
        raise BadInput(
            f"the {checklist.period} checklist needs attention ({open_items} open item(s))",
            hint=f"say in the comment why you sign it anyway (at least {MIN_OVERRIDE_COMMENT} characters)",
        )
    require(session, "operator", "sign a checklist")
    kind = "DAILY" if isinstance(checklist, Daily) else "MONTHLY"
    snapshot = to_json(checklist)
    with acting(session) as conn:
        signoff_id = reviews.add_signoff(conn, kind, checklist.period, session.operator, text, snapshot)
        audit.append(
            conn,
            actor=session.operator,
            action="checklist.sign",
            object_type="checklist",
            object_id=f"{kind.lower()}:{checklist.period}",
            reason=text,
            details={
                "verdict": checklist.verdict,
                "open_items": open_items,
                "signoff_id": signoff_id,
                "snapshot_sha256": hashlib.sha256(snapshot.encode()).hexdigest(),
            },
        )
    return signoff_id


# Rollback ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RollbackPreview:
    execution_id: int
    job_id: str
    plan: results.RollbackPlan

    def describe(self) -> str:
        p = self.plan
        return (
            f"rollback of #{self.execution_id} ({self.job_id}): {len(p.deactivate)} result(s) deactivated, "
            f"{len(p.reactivate)} earlier result(s) reactivated, {len(p.skipped)} key(s) left alone "
            "(superseded since)"
        )


def rollback(
    session: Session, execution_id: int, reason: str | None, *, dry_run: bool = False
) -> RollbackPreview:
    """Logical rollback: deactivate what the execution activated, reactivate what it superseded unless a
    newer result has taken the key since. One transaction; the execution is marked rolled back."""
    checked_reason = parse_reason(reason, required=not dry_run)
    if not dry_run:
        require(session, "operator", "roll back an execution")
    with acting(session, dry_run=dry_run) as conn:
        found = _execution(conn, execution_id, for_update=True)
        if found.status in ("READY", "RUNNING"):
            raise Refused(
                f"execution {execution_id} is {found.status}", hint="stop it and let it finish first"
            )
        if found.rolled_back_at is not None:
            raise Refused(f"execution {execution_id} was already rolled back by {found.rolled_back_by}")
        preview = RollbackPreview(
            execution_id, found.job_id, results.rollback_plan(conn, execution_id, found.job_id)
        )
        if dry_run:
            return preview
        deactivated, reactivated = results.apply_rollback(
            conn, execution_id, found.job_id, checked_reason or ""
        )
        results.mark_rolled_back(conn, execution_id, session.operator, checked_reason or "")
        audit.append(
            conn,
            actor=session.operator,
            action="exec.rollback",
            object_type="execution",
            object_id=str(execution_id),
            execution_id=execution_id,
            reason=checked_reason,
            details={
                "job_id": found.job_id,
                "deactivated": deactivated,
                "reactivated": reactivated,
                "skipped": [f"{d} {t}" for d, t in preview.plan.skipped],
            },
        )
        _alert(
            conn,
            session,
            "rolled_back",
            execution_id,
            found.job_id,
            reason=checked_reason,
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
) -> int:
    """A manual correction of one result key, waiting for a different operator with the approver role."""
    checked_reason = parse_reason(reason)
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
    with acting(session) as conn:
        if not results.job_exists(conn, job_id):
            raise BadInput(f"unknown job '{printable(job_id)}'", hint="see c1console jobs list")
        comp_id = results.add_compensation(
            conn,
            job_id=job_id,
            business_date=business_date,
            target_key=target,
            payload=body,
            reason=checked_reason or "",
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
            reason=checked_reason,
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
                "reason": checked_reason,
                "compensation_id": comp_id,
                "key": f"{job_id} {business_date} {target}",
            },
        )
    return comp_id


def decide_compensation(
    session: Session, compensation_id: int, *, approve: bool, note: str | None
) -> int | None:
    """Approve (the correction becomes the active result, superseding the current one) or reject. Only a
    different operator with the approver role; exactly one decision wins. Returns the new result id."""
    checked_note = parse_reason(note, required=not approve)
    verb = "approve" if approve else "reject"
    require(session, "approver", f"{verb} compensations")
    with acting(session) as conn:
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
