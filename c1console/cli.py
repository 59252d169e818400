"""The command line: thin. It parses, calls ops (writes) or store queries (reads), and prints.

Exit codes: 0 ok, 1 a check found problems, 2 bad input, 3 database unreachable, 4 refused,
5 internal error (the traceback goes to a log file, never to the operator's screen).
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from dataclasses import asdict
from datetime import date, datetime
from pathlib import Path
from typing import Any, NoReturn

import psycopg
import sqlalchemy as sa

from c1console import checklists, errors, inputs, ops, planning
from c1console.config import load_settings, operator_id
from c1console.errors import BadInput, CheckFailed, Problem
from c1console.jobs import Registry, load_jobs
from c1console.presentation import date_range, duration, status_label, table, timestamp
from c1console.store import audit, executions, migrations
from c1console.store import jobs as jobs_store
from c1console.store import operators as operators_store
from c1console.store import outbox as outbox_store
from c1console.store import results as results_store
from c1console.store.engine import Database, connection, mask_url, open_database, unavailable

EXIT_INTERNAL = 5
Handler = Callable[["Context"], int]


class Parser(argparse.ArgumentParser):
    """argparse that reports a usage mistake as one line and exit 2, like every other bad input."""

    def error(self, message: str) -> NoReturn:
        raise BadInput(f"{self.prog}: {message}", hint=f"see {self.prog} --help")


# Context -----------------------------------------------------------------------------------------------


class Context:
    """What a command needs, made on first use: settings, the database, the acting operator."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.settings = load_settings(
            config=getattr(args, "config", None),
            database_url=getattr(args, "database_url", None),
            data_dir=getattr(args, "data_dir", None),
        )
        self._db: Database | None = None
        self._registry: Registry | None = None
        self._operator: str | None = None

    @property
    def demo(self) -> bool:
        """--demo: the demo's database and the demo's jobs, for any command."""
        return bool(getattr(self.args, "demo", False))

    @property
    def db(self) -> Database:
        if self._db is None:
            if self.demo:
                from c1console.demo.command import open_demo_database

                self._db = open_demo_database(self.settings, reset=False)
            else:
                self._db = open_database(self.settings)
        return self._db

    def current_db(self) -> Database:
        """The database with its schema up to date: the embedded one is upgraded on first use (audited); a
        server is never changed behind the DBA's back (exit 4 with the command to run)."""
        db = self.db
        if self.demo:
            from c1console.demo.command import prepare_database

            prepare_database(db, self.settings, self.operator())
        elif db.embedded:
            ops.upgrade_schema(ops.Session(db=db, settings=self.settings, operator=self.operator()))
        else:
            migrations.require_current(db)
        return db

    def operator(self) -> str:
        """Who acts (c1console/identity.py: the effective OS user, or the database login that the database
        itself records); a server is asked once."""
        if self._operator is None:
            from c1console import identity

            self._operator = identity.operator(self.settings, lambda: self.db)
        return self._operator

    def registry(self) -> Registry:
        if self._registry is None:
            if self.demo:
                from c1console.demo.command import demo_registry

                self._registry = demo_registry()
            else:
                self._registry = load_jobs(self.settings.jobs)
        return self._registry

    def session(self) -> ops.Session:
        return ops.Session(
            db=self.current_db(),
            settings=self.settings,
            operator=self.operator(),
            registry=self.registry(),
            read_only=bool(getattr(self.args, "read_only", False)),
        )

    def close(self) -> None:
        if self._db is not None:
            self._db.dispose()


def emit_json(value: Any) -> None:
    print(json.dumps(value, indent=2, default=_json_default, ensure_ascii=False))


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


# db ----------------------------------------------------------------------------------------------------


def cmd_db_upgrade(ctx: Context) -> int:
    session = ops.Session(db=ctx.db, settings=ctx.settings, operator=ctx.operator())
    done = ops.upgrade_schema(session)
    if not done:
        print("schema is up to date; nothing applied")
    for migration in done:
        print(f"applied {migration.version:03d}_{migration.name}.sql")
    with connection(ctx.db) as conn:
        empty = operators_store.is_empty(conn)
    if empty:
        print(
            "next: this database has no operators yet; make yourself its first admin (once, audited):\n"
            f"  c1console operators grant {session.operator} admin --reason 'first admin'"
        )
    return 0


def cmd_db_status(ctx: Context) -> int:
    db = ctx.current_db() if ctx.db.embedded else ctx.db  # the embedded database upgrades itself on use
    state = migrations.status(db)
    print(f"database:        {db.display}")
    print(f"server version:  PostgreSQL {state.server_version}")
    print(f"schema version:  {state.version}")
    pending = ", ".join(f"{m.version:03d}_{m.name}" for m in state.pending) or "none"
    print(f"pending:         {pending}")
    if state.edited:
        print("edited:          " + ", ".join(f"{m.version:03d}_{m.name}" for m in state.edited))
        return 1
    return 0


# exec --------------------------------------------------------------------------------------------------


def _execution_row(e: executions.Execution, now: datetime) -> list[str]:
    return [
        str(e.execution_id),
        e.job_id,
        e.run_type + (f"/{e.replay_kind}" if e.replay_kind else ""),
        status_label(e.status),
        date_range(e.business_date_from, e.business_date_to),
        timestamp(e.started_at),
        duration(e.started_at, e.ended_at, now),
        f"{e.units_done + e.units_failed}/{e.units_total}",
        e.error_code or "",
        e.operator_id or "",
    ]


def cmd_exec_list(ctx: Context) -> int:
    args = ctx.args
    statuses = inputs.parse_choice(args.status, executions.STATUSES, "--status") if args.status else []
    run_types = inputs.parse_choice(args.type, executions.RUN_TYPES, "--type") if args.type else []
    since = inputs.parse_date(args.since, "--since") if args.since else None
    db = ctx.current_db()
    with connection(db) as conn:
        if args.job:
            known = executions.known_job_ids(conn)
            unknown = [j for j in args.job if j not in known]
            if unknown:
                raise BadInput(
                    f"--job: unknown job '{inputs.printable(unknown[0])}'", hint="see c1console jobs list"
                )
        found = executions.list_executions(
            conn,
            statuses=statuses,
            job_ids=args.job or (),
            run_types=run_types,
            since=since,
            before_id=args.before,
            limit=args.limit,
        )
    if args.json:
        emit_json([asdict(e) | {"operator_id": e.operator_id} for e in found])
        return 0
    if not found:
        print("no executions match")
        return 0
    now = datetime.now().astimezone()
    headers = ["ID", "JOB", "TYPE", "STATUS", "DATES", "STARTED", "DURATION", "UNITS", "ERROR", "BY"]
    print(table(headers, [_execution_row(e, now) for e in found]))
    return 0


def _lookup_execution(conn: sa.Connection, text: str) -> executions.Execution:
    execution_id = inputs.parse_id(text)
    found = executions.get_execution(conn, execution_id)
    if found is None:
        raise BadInput(f"execution {execution_id} does not exist", hint="see c1console exec list")
    return found


def cmd_exec_show(ctx: Context) -> int:
    lang = errors.language()
    with connection(ctx.current_db()) as conn:
        e = _lookup_execution(conn, ctx.args.id)
        units = executions.units(conn, e.execution_id)
        events = executions.events(conn, e.execution_id)
        logs = executions.log_lines(conn, e.execution_id, limit=50)
        chain = executions.related(conn, e)
        counts = executions.result_counts(conn, e.execution_id)
        trail = audit.list_entries(conn, execution_id=e.execution_id, limit=100)
    code = errors.lookup(e.error_code)
    if ctx.args.json:
        emit_json(
            {
                "execution": asdict(e) | {"operator_id": e.operator_id},
                "error": code.as_dict() if code else None,
                "units": [asdict(u) for u in units],
                "events": [asdict(ev) for ev in events],
                "log": [asdict(line) for line in logs],
                "related": [asdict(r) for r in chain],
                "results": asdict(counts),
                "audit": [asdict(a) for a in trail],
            }
        )
        return 0
    now = datetime.now().astimezone()
    fields = [
        ("execution_id", str(e.execution_id)),
        ("job_id", e.job_id),
        ("run_type", e.run_type + (f" ({e.replay_kind})" if e.replay_kind else "")),
        ("status", status_label(e.status)),
        ("business dates", date_range(e.business_date_from, e.business_date_to)),
        ("targets", ", ".join(e.targets) if e.targets else "all"),
        ("start_time", timestamp(e.started_at)),
        ("end_time", timestamp(e.ended_at)),
        ("duration", duration(e.started_at, e.ended_at, now)),
        ("error_code", e.error_code or ""),
        ("operator_id", e.operator_id or ""),
        ("reason", e.reason or ""),
        ("units", f"{e.units_done} done, {e.units_failed} failed, {e.units_total} in all"),
        (
            "results",
            f"{counts.applied} applied, {counts.still_active} active, "
            f"{counts.superseded_by_it} superseded by it",
        ),
    ]
    if e.replay_of:
        fields.append(("replay_of", str(e.replay_of)))
    if e.resumed_from:
        fields.append(("resumed_from", str(e.resumed_from)))
    if e.stop_requested_at:
        fields.append(
            (
                "stop requested",
                f"{timestamp(e.stop_requested_at)} by {e.stop_requested_by}: {e.stop_reason or ''}",
            )
        )
    print("\n".join(f"{name:<16}{value}" for name, value in fields))
    if code:
        print(f"\n{code.code}  {code.title.get(lang)}")
        print(f"  cause:  {code.operator_message.get(lang)}")
        print(f"  action: {code.action.get(lang)}")
        if e.error_summary:
            print(f"  detail: {e.error_summary}")
    failed = [u for u in units if u.status != "SUCCESS"]
    if failed:
        print("\nunits not succeeded:")
        rows = [
            [str(u.business_date), u.target_key, u.status, u.error_code or "", (u.message or "")[:60]]
            for u in failed
        ]
        print(table(["DATE", "TARGET", "STATUS", "ERROR", "MESSAGE"], rows))
    print("\nevents:")
    for ev in events:
        arrow = f"{ev.from_status or '·'} → {ev.to_status}"
        print(
            f"  {timestamp(ev.at)}  {arrow:<20} {ev.actor}  {ev.error_code or ''} {ev.message or ''}".rstrip()
        )
    if chain:
        print("\nrelated:")
        for r in chain:
            print(f"  #{r.execution_id} {r.run_type} {status_label(r.status)} {r.job_id}")
    if trail:
        print("\naudit:")
        for a in reversed(trail):
            print(f"  #{a.audit_id} {timestamp(a.at)} {a.actor} {a.action} {a.reason or ''}".rstrip())
    return 0


# audit -------------------------------------------------------------------------------------------------


def cmd_audit_list(ctx: Context) -> int:
    args = ctx.args
    with connection(ctx.current_db()) as conn:
        entries = audit.list_entries(
            conn,
            limit=args.limit,
            before_id=args.before,
            actor=args.actor,
            action=args.action,
            execution_id=inputs.parse_id(args.execution) if args.execution else None,
        )
    if args.json:
        emit_json([asdict(a) for a in entries])
        return 0
    if not entries:
        print("no audit entries")
        return 0
    rows = [
        [
            str(a.audit_id),
            timestamp(a.at),
            a.actor,
            a.action,
            f"{a.object_type}:{a.object_id}",
            inputs.printable(a.reason or "", 50),
        ]
        for a in entries
    ]
    print(table(["ID", "AT", "ACTOR", "ACTION", "OBJECT", "REASON"], rows))
    return 0


def cmd_audit_verify(ctx: Context) -> int:
    with connection(ctx.current_db()) as conn:
        report = audit.verify_chain(conn)
    if report.ok:
        print(f"OK {report.rows} rows, head {report.head}")
        return 0
    raise CheckFailed(
        f"audit chain broken at row {report.broken_at}: {report.problem}"
        f" ({report.rows} rows before it are intact)",
        hint="the row was changed outside c1console; investigate with your DBA",
    )


# errors ------------------------------------------------------------------------------------------------


def cmd_errors(ctx: Context) -> int:
    if ctx.args.json:
        print(errors.render_json())
    else:
        print(errors.render_text(errors.language()), end="")
    return 0


# writes: confirmation ------------------------------------------------------------------------------------


def confirm(ctx: Context, what: str) -> None:
    """Shows what will happen; asks on a terminal, needs --yes otherwise. Declining writes nothing."""
    print(what)
    if getattr(ctx.args, "yes", False):
        return
    if not sys.stdin.isatty():
        raise BadInput("not confirmed", hint="add --yes to confirm in a non-interactive run")
    answer = input("proceed? [y/N] ").strip().lower()
    if answer not in ("y", "yes"):
        raise BadInput("cancelled by the operator; nothing was written")


def _report(ctx: Context, outcome: ops.Created | ops.Preview, label: str) -> int:
    if isinstance(outcome, ops.Preview):
        print(f"dry run, nothing written: {outcome.describe()}")
        return 0
    print(f"execution {outcome.execution_id} created ({label}): {outcome.preview.describe()}")
    return 0


def _preview_then(ctx: Context, plan: Callable[[bool], ops.Created | ops.Preview], label: str) -> int:
    preview = plan(True)
    assert isinstance(preview, ops.Preview)
    if ctx.args.dry_run:
        return _report(ctx, preview, label)
    bound = ctx.settings.large_run_units
    if len(preview.units) > bound and not ctx.args.yes:
        raise BadInput(
            f"{preview.describe()}: more than {bound} units",
            hint="check the range, then add --yes to run it (large_run_units in the config sets the bound)",
        )
    confirm(ctx, f"will create: {preview.describe()}")
    return _report(ctx, plan(False), label)


def _dates(ctx: Context) -> tuple[Any, Any]:
    """--from/--to; without --yes, a range too long to be run without it is refused before planning."""
    args = ctx.args
    start = inputs.parse_date(args.date_from, "--from") if args.date_from else None
    end = inputs.parse_date(args.date_to, "--to") if args.date_to else None
    if start and end and not getattr(args, "yes", False):
        bound = ctx.settings.large_run_units
        planning.check_span(
            start, end, bound, f"check the range, then add --yes to run more than {bound} units"
        )
    return start, end


# jobs ----------------------------------------------------------------------------------------------------


def cmd_jobs_list(ctx: Context) -> int:
    registry = ctx.registry()
    session = ctx.session()
    if len(registry):
        ops.sync_jobs(session)
    with connection(session.db) as conn:
        rows = jobs_store.list_jobs(conn)
    now = datetime.now().astimezone()
    if ctx.args.json:
        emit_json(
            [
                asdict(r)
                | {"registered_here": r.job_id in registry, "next_fire": _next_fire(registry, r.job_id, now)}
                for r in rows
            ]
        )
        return 0
    if not rows:
        print('no jobs; name the modules that register them in the config: jobs = ["package.module"]')
        return 0
    table_rows = []
    for r in rows:
        definition = registry.get(r.job_id)
        targets = len(definition.targets_for(date.today())) if definition else 0
        table_rows.append(
            [
                r.job_id,
                r.title,
                r.schedule_cron or "manual",
                r.timezone,
                "" if r.paused else (timestamp(_next_fire(registry, r.job_id, now)) or "-"),
                "PAUSED" if r.paused else "active",
                f"#{r.last_execution_id} {status_label(r.last_status)}" if r.last_status else "",
                str(targets) if definition else "not registered here",
            ]
        )
    headers = ["JOB", "TITLE", "SCHEDULE", "TZ", "NEXT FIRE", "STATE", "LAST", "TARGETS"]
    print(table(headers, table_rows))
    return 0


def _next_fire(registry: Registry, job_id: str, now: datetime) -> datetime | None:
    definition = registry.get(job_id)
    if definition is None or definition.trigger is None:
        return None
    return definition.trigger.get_next_fire_time(None, now)


def cmd_jobs_pause(ctx: Context) -> int:
    ops.set_job_paused(ctx.session(), ctx.args.job, True, ctx.args.reason)
    print(f"job {ctx.args.job} paused: no schedule fires until resumed")
    return 0


def cmd_jobs_resume(ctx: Context) -> int:
    ops.set_job_paused(ctx.session(), ctx.args.job, False, ctx.args.reason)
    print(f"job {ctx.args.job} resumed: schedule fires again")
    return 0


def cmd_jobs_trigger(ctx: Context) -> int:
    session = ctx.session()
    start, end = _dates(ctx)
    return _preview_then(
        ctx,
        lambda dry: ops.trigger(
            session,
            ctx.args.job,
            date_from=start,
            date_to=end,
            targets=ctx.args.target,
            reason=ctx.args.reason,
            dry_run=dry,
        ),
        "MANUAL",
    )


# exec writes ---------------------------------------------------------------------------------------------


def cmd_exec_stop(ctx: Context) -> int:
    session = ctx.session()
    execution_id = inputs.parse_id(ctx.args.id)
    inputs.parse_reason(ctx.args.reason)
    confirm(ctx, f"will stop execution {execution_id}")
    after = ops.stop(session, execution_id, ctx.args.reason)
    if after == "STOPPED":
        print(f"execution {execution_id} STOPPED (it had not started)")
    else:
        print(f"stop of execution {execution_id} requested: it stops at its next unit boundary")
    return 0


def cmd_exec_resume(ctx: Context) -> int:
    session = ctx.session()
    execution_id = inputs.parse_id(ctx.args.id)
    return _preview_then(
        ctx, lambda dry: ops.resume(session, execution_id, ctx.args.reason, dry_run=dry), "resume"
    )


def cmd_exec_replay(ctx: Context) -> int:
    args = ctx.args
    session = ctx.session()
    start, end = _dates(ctx)
    of = inputs.parse_id(args.of) if args.of else None
    return _preview_then(
        ctx,
        lambda dry: ops.replay(
            session,
            reason=args.reason,
            job_id=args.job,
            full=args.full,
            date_from=start,
            date_to=end,
            target=args.target,
            of=of,
            failed_only=args.failed_only,
            dry_run=dry,
        ),
        "REPLAY",
    )


def cmd_exec_rollback(ctx: Context) -> int:
    session = ctx.session()
    execution_id = inputs.parse_id(ctx.args.id)
    preview = ops.rollback(session, execution_id, ctx.args.reason, dry_run=True)
    if ctx.args.dry_run:
        print(f"dry run, nothing written: {preview.describe()}")
        return 0
    confirm(ctx, f"will do: {preview.describe()}")
    done = ops.rollback(session, execution_id, ctx.args.reason)
    print(f"rolled back: {done.describe()}")
    for day, target in done.plan.skipped:
        print(f"  left alone (superseded since): {day} {target}")
    return 0


# compensations and results -----------------------------------------------------------------------------


def _read_payload(text: str) -> str:
    if text.startswith("@"):
        try:
            return Path(text[1:]).read_text(encoding="utf-8")
        except OSError as exc:
            raise BadInput(f"cannot read the payload file {text[1:]}: {exc.strerror}") from None
    return text


def _attachments(paths: list[str] | None) -> list[ops.Attachment]:
    found = []
    for name in paths or []:
        path = Path(name)
        try:
            found.append(ops.Attachment(path.name, path.read_bytes()))
        except OSError as exc:
            raise BadInput(f"cannot read evidence file {name}: {exc.strerror}") from None
    return found


def cmd_comp_request(ctx: Context) -> int:
    args = ctx.args
    session = ctx.session()
    comp_id = ops.request_compensation(
        session,
        job_id=args.job,
        business_date=inputs.parse_date(args.date, "--date"),
        target=args.target,
        payload=_read_payload(args.payload),
        reason=args.reason,
        evidence_ref=args.evidence_ref,
        attachments=_attachments(args.attach),
    )
    print(f"compensation {comp_id} requested; it waits for another operator with the approver role")
    return 0


def cmd_comp_decide(ctx: Context) -> int:
    approve = ctx.args.command == "approve"
    comp_id = inputs.parse_id(ctx.args.id, "compensation id")
    result_id = ops.decide_compensation(ctx.session(), comp_id, approve=approve, note=ctx.args.note)
    if approve:
        print(f"compensation {comp_id} approved: result {result_id} is now the active result of its key")
    else:
        print(f"compensation {comp_id} rejected: nothing changed")
    return 0


def cmd_comp_list(ctx: Context) -> int:
    statuses = (
        tuple(inputs.parse_choice(ctx.args.status, ("PENDING", "APPROVED", "REJECTED"), "--status"))
        if ctx.args.status
        else ()
    )
    with connection(ctx.current_db()) as conn:
        rows = results_store.list_compensations(conn, statuses=statuses)
    if ctx.args.json:
        emit_json([asdict(r) for r in rows])
        return 0
    if not rows:
        print("no compensations")
        return 0
    print(
        table(
            ["ID", "KEY", "STATUS", "REQUESTED BY", "AT", "DECIDED BY", "REASON"],
            [
                [
                    str(r.compensation_id),
                    f"{r.job_id} {r.business_date} {r.target_key}",
                    r.status,
                    r.requested_by,
                    timestamp(r.requested_at),
                    r.decided_by or "",
                    inputs.printable(r.reason, 50),
                ]
                for r in rows
            ],
        )
    )
    return 0


def cmd_comp_show(ctx: Context) -> int:
    comp_id = inputs.parse_id(ctx.args.id, "compensation id")
    with connection(ctx.current_db()) as conn:
        comp = results_store.get_compensation(conn, comp_id)
        if comp is None:
            raise BadInput(f"compensation {comp_id} does not exist", hint="see c1console comp list")
        evidence = results_store.evidence_of(conn, comp_id)
    if ctx.args.json:
        emit_json({"compensation": asdict(comp), "evidence": [asdict(e) for e in evidence]})
        return 0
    print(f"compensation {comp.compensation_id}: {comp.status}")
    print(f"  key:        {comp.job_id} {comp.business_date} {comp.target_key}")
    print(f"  payload:    {json.dumps(comp.payload, ensure_ascii=False)}")
    print(f"  requested:  {comp.requested_by} at {timestamp(comp.requested_at)}: {comp.reason}")
    print(f"  evidence:   {comp.evidence_ref or ''}")
    for e in evidence:
        print(f"    #{e.evidence_id} {e.filename} {e.size_bytes} bytes sha256 {e.sha256}")
    if comp.decided_by:
        print(
            f"  decided:    {comp.status.lower()} by {comp.decided_by} at {timestamp(comp.decided_at)}: "
            f"{comp.decision_note or ''}"
        )
    return 0


def cmd_comp_evidence(ctx: Context) -> int:
    evidence_id = inputs.parse_id(ctx.args.id, "evidence id")
    with connection(ctx.current_db()) as conn:
        found = results_store.evidence_content(conn, evidence_id)
    if found is None:
        raise BadInput(f"evidence {evidence_id} does not exist", hint="see c1console comp show ID")
    evidence, content = found
    if ctx.args.output:
        Path(ctx.args.output).write_bytes(content)
        print(
            f"wrote {evidence.filename} ({len(content)} bytes, sha256 {evidence.sha256}) to {ctx.args.output}"
        )
    else:
        sys.stdout.buffer.write(content)
    return 0


def cmd_results_history(ctx: Context) -> int:
    args = ctx.args
    day = inputs.parse_date(args.date, "--date")
    job = inputs.parse_text(args.job, "--job") or ""
    target = inputs.parse_text(args.target, "--target") or ""
    with connection(ctx.current_db()) as conn:
        versions = results_store.history(conn, job, day, target)
    if args.json:
        emit_json([asdict(v) for v in versions])
        return 0
    if not versions:
        print(f"no results for {inputs.printable(job)} {day} {inputs.printable(target)}")
        return 0
    rows = [
        [
            str(v.result_id),
            "ACTIVE" if v.is_active else "",
            f"#{v.execution_id} {v.run_type}" if v.execution_id else f"compensation {v.compensation_id}",
            timestamp(v.created_at),
            f"by {v.superseded_by}" if v.superseded_by else "",
            inputs.printable(v.deactivated_reason or "", 40),
            inputs.printable(json.dumps(v.payload, ensure_ascii=False), 40),
        ]
        for v in versions
    ]
    print(table(["RESULT", "", "WRITTEN BY", "AT", "SUPERSEDED", "DEACTIVATED", "PAYLOAD"], rows))
    return 0


# operators -----------------------------------------------------------------------------------------------


def cmd_operators_list(ctx: Context) -> int:
    with connection(ctx.current_db()) as conn:
        rows = operators_store.list_operators(conn)
    everyone = next((r[1] for r in rows if r[0] == operators_store.EVERYONE_ELSE), ops.DEFAULT_ROLE)
    print(f"role of anyone not listed ('*'): {everyone}")
    if rows:
        print(
            table(
                ["OPERATOR", "ROLE", "GRANTED BY", "AT"], [[r[0], r[1], r[2], timestamp(r[3])] for r in rows]
            )
        )  # type: ignore[arg-type]
    return 0


def cmd_operators_grant(ctx: Context) -> int:
    previous = ops.grant(ctx.session(), ctx.args.login, ctx.args.role, ctx.args.reason)
    print(f"{ctx.args.login}: {previous or ops.DEFAULT_ROLE} -> {ctx.args.role}")
    return 0


def cmd_operators_revoke(ctx: Context) -> int:
    previous = ops.grant(ctx.session(), ctx.args.login, "viewer", ctx.args.reason)
    print(f"{ctx.args.login}: {previous or ops.DEFAULT_ROLE} -> viewer")
    return 0


# checklists ----------------------------------------------------------------------------------------------


def _checklist(ctx: Context, kind: str, period: str | None) -> checklists.Daily | checklists.Monthly:
    db = ctx.current_db()
    lang = errors.language()
    settings = ctx.settings
    if kind == "daily":
        day = inputs.parse_date(period, "--date") if period else None
        return checklists.daily(
            db, day, tz=settings.timezone, lang=lang, long_running_seconds=settings.long_running_seconds
        )
    return checklists.monthly(db, checklists.parse_month(period), tz=settings.timezone, lang=lang)


def _print_checklist(ctx: Context, checklist: checklists.Daily | checklists.Monthly) -> int:
    fmt = ctx.args.format
    if fmt == "json":
        print(checklists.to_json(checklist))
    elif isinstance(checklist, checklists.Daily):
        print(checklists.render_daily(checklist, markdown=fmt == "md"), end="")
    else:
        print(checklists.render_monthly(checklist, markdown=fmt == "md"), end="")
    return 0 if checklist.verdict == "OK" else 1


def cmd_checklist_daily(ctx: Context) -> int:
    return _print_checklist(ctx, _checklist(ctx, "daily", ctx.args.date))


def cmd_checklist_monthly(ctx: Context) -> int:
    return _print_checklist(ctx, _checklist(ctx, "monthly", ctx.args.month))


def cmd_checklist_sign(ctx: Context) -> int:
    checklist = _checklist(ctx, ctx.args.kind, ctx.args.period)
    signoff_id = ops.sign_checklist(ctx.session(), checklist, ctx.args.comment)
    print(
        f"{ctx.args.kind} checklist {checklist.period} ({checklist.verdict}) signed by {ctx.operator()}"
        f" (sign-off {signoff_id})"
    )
    return 0


# alerts --------------------------------------------------------------------------------------------------

NOTIFICATION_STATUSES = ("PENDING", "SENT", "FAILED")


def cmd_alerts_list(ctx: Context) -> int:
    statuses = (
        inputs.parse_choice(ctx.args.status, NOTIFICATION_STATUSES, "--status") if ctx.args.status else []
    )
    with connection(ctx.current_db()) as conn:
        rows = outbox_store.list_notifications(conn, statuses=statuses, limit=ctx.args.limit)
    if ctx.args.json:
        emit_json([asdict(r) for r in rows])
        return 0
    if not ctx.settings.channels:
        print("no alert channels configured ([alerts.email], [alerts.slack], [alerts.webhook] in the config)")
    if not rows:
        print("no notifications")
        return 0
    table_rows = [
        [
            str(r.notification_id),
            timestamp(r.created_at),
            r.event,
            r.channel,
            r.job_id or "",
            f"#{r.execution_id}" if r.execution_id else "",
            r.status,
            str(r.attempts),
            timestamp(r.sent_at)
            if r.sent_at
            else (timestamp(r.next_attempt_at) if r.status == "PENDING" else ""),
            inputs.printable(r.last_error or "", 60),
        ]
        for r in rows
    ]
    print(
        table(
            [
                "ID",
                "CREATED",
                "EVENT",
                "CHANNEL",
                "JOB",
                "EXEC",
                "STATUS",
                "TRIES",
                "SENT/NEXT",
                "LAST ERROR",
            ],
            table_rows,
        )
    )
    return 0


def cmd_alerts_test(ctx: Context) -> int:
    from c1console.alerts.channels import DeliveryError
    from c1console.alerts.dispatcher import send_test

    channel = ctx.args.channel
    if channel not in ctx.settings.channels:
        raise BadInput(
            f"channel {channel} is not configured", hint=f"add [alerts.{channel}] to the config file"
        )
    try:
        send_test(ctx.settings.alerts, channel)
    except DeliveryError as exc:
        raise CheckFailed(f"test alert via {channel} failed: {exc}") from None
    print(f"test alert sent via {channel}")
    return 0


# console, demo, runner ------------------------------------------------------------------------------------


def cmd_console(ctx: Context) -> int:
    from c1console.launch import run_console

    return run_console(ctx.session(), no_runner=ctx.args.no_runner)


def cmd_demo(ctx: Context) -> int:
    from c1console.demo import command

    return command.run(
        ctx.settings,
        ctx.operator(),
        reset=ctx.args.reset,
        seed=ctx.args.seed,
        headless=ctx.args.headless,
        read_only=bool(ctx.args.read_only),
    )


def cmd_runner(ctx: Context) -> int:
    from c1console.scheduler.service import run_headless

    return run_headless(ctx.current_db(), ctx.registry(), ctx.settings, workers=ctx.args.workers)


# parser ------------------------------------------------------------------------------------------------


def _common() -> argparse.ArgumentParser:
    common = Parser(add_help=False)
    common.add_argument("--config", metavar="FILE", default=argparse.SUPPRESS, help="TOML config file")
    common.add_argument(
        "--database-url",
        metavar="URL",
        default=argparse.SUPPRESS,
        help="PostgreSQL URL (else C1_DATABASE_URL, the config file, or the embedded server)",
    )
    common.add_argument(
        "--data-dir",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="where the embedded PostgreSQL keeps its data (else C1_DATA_DIR)",
    )
    common.add_argument(
        "--demo",
        action="store_true",
        default=argparse.SUPPRESS,
        help="act on the demo's database with the demo's jobs (what c1console demo runs)",
    )
    return common


def build_parser() -> Parser:
    common = _common()
    parser = Parser(
        prog="c1console",
        parents=[common],
        description="Operator console for batch-job operations reliability. "
        "With no command, opens the console.",
    )
    parser.add_argument(
        "--no-runner", action="store_true", help="open the console without an embedded runner"
    )
    parser.add_argument("--read-only", action="store_true", help="act as a viewer: look, change nothing")
    parser.add_argument("--version", action="version", version=f"c1console {_version()}")
    parser.set_defaults(handler=cmd_console)
    groups = parser.add_subparsers(dest="group", metavar="COMMAND", parser_class=Parser)

    def group(name: str, help_text: str) -> Any:
        sub = groups.add_parser(name, help=help_text, parents=[common])
        return sub.add_subparsers(dest="command", metavar="ACTION", required=True, parser_class=Parser)

    def command(where: Any, name: str, handler: Handler, help_text: str) -> Parser:
        sub = where.add_parser(name, help=help_text, parents=[common], description=help_text)
        sub.set_defaults(handler=handler)
        return sub

    db = group("db", "schema migrations")
    command(db, "upgrade", cmd_db_upgrade, "apply pending migrations from sql/")
    command(db, "status", cmd_db_status, "which database, server and schema version, pending migrations")

    ex = group("exec", "batch executions")
    p = command(ex, "list", cmd_exec_list, "list executions, newest first")
    p.add_argument("--status", help="READY, RUNNING, SUCCESS, FAILED or STOPPED (comma-separated)")
    p.add_argument("--job", action="append", help="only this job (repeatable)")
    p.add_argument("--type", help="AUTO, MANUAL or REPLAY (comma-separated)")
    p.add_argument("--since", help=f"business dates from this date on ({inputs.DATE_FORMS})")
    p.add_argument("--limit", type=_positive_int, default=50, help="rows to show (default 50)")
    p.add_argument("--before", type=_positive_int, help="page: only executions with a smaller id")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p = command(ex, "show", cmd_exec_show, "one execution: fields, error, units, events, log, audit")
    p.add_argument("id", help="execution id")
    p.add_argument("--json", action="store_true", help="machine-readable output")

    p = command(ex, "stop", cmd_exec_stop, "stop an execution (READY: at once; RUNNING: at its next unit)")
    p.add_argument("id", help="execution id")
    _write_options(p, dry_run=False)
    p = command(
        ex, "resume", cmd_exec_resume, "new execution of the units a STOPPED/FAILED one did not finish"
    )
    p.add_argument("id", help="execution id")
    _write_options(p)
    p = command(
        ex,
        "replay",
        cmd_exec_replay,
        "re-run under a new execution; old results are kept, inactive, and superseded",
    )
    p.add_argument("--job", help="the job to replay")
    p.add_argument("--full", action="store_true", help="FULL: the job's whole recorded period")
    p.add_argument("--from", dest="date_from", help="RANGE / SINGLE: first business date")
    p.add_argument("--to", dest="date_to", help="RANGE / SINGLE: last business date")
    p.add_argument("--target", help="SINGLE: one account / portfolio (all its dates unless --from/--to)")
    p.add_argument("--of", help="replay an earlier execution's units")
    p.add_argument("--failed-only", action="store_true", help="with --of: only units that did not succeed")
    _write_options(p)

    p = command(
        ex,
        "rollback",
        cmd_exec_rollback,
        "logical rollback: deactivate its results, bring back what they superseded",
    )
    p.add_argument("id", help="execution id")
    _write_options(p)

    cp = group("comp", "manual compensation under four-eyes approval")
    p = command(cp, "request", cmd_comp_request, "request a manual correction of one result key")
    p.add_argument("--job", required=True)
    p.add_argument("--date", required=True, help="business date")
    p.add_argument("--target", required=True, help="account / portfolio")
    p.add_argument("--payload", required=True, help="the corrected result: a JSON object, or @FILE")
    p.add_argument("--reason", help="why (required)")
    p.add_argument("--evidence-ref", help="ticket or document reference")
    p.add_argument("--attach", action="append", help="evidence file stored in the database (repeatable)")
    for name, text in (
        ("approve", "approve: the correction becomes the active result"),
        ("reject", "reject: nothing changes"),
    ):
        p = command(cp, name, cmd_comp_decide, text + " (approver role, not the requester)")
        p.add_argument("id", help="compensation id")
        p.add_argument("--note", help="the decision's note (required to reject)")
    p = command(cp, "list", cmd_comp_list, "compensations, newest first")
    p.add_argument("--status", help="PENDING, APPROVED or REJECTED")
    p.add_argument("--json", action="store_true")
    p = command(cp, "show", cmd_comp_show, "one compensation with its evidence")
    p.add_argument("id")
    p.add_argument("--json", action="store_true")
    p = command(cp, "evidence", cmd_comp_evidence, "an evidence file, byte for byte")
    p.add_argument("id", help="evidence id (see comp show)")
    p.add_argument("-o", "--output", help="write to this file (default: standard output)")

    rs = group("results", "result data: versions of a key")
    p = command(rs, "history", cmd_results_history, "every version of one result key, oldest first")
    p.add_argument("--job", required=True)
    p.add_argument("--date", required=True)
    p.add_argument("--target", required=True)
    p.add_argument("--json", action="store_true")

    jb = group("jobs", "batch jobs and their schedules")
    p = command(jb, "list", cmd_jobs_list, "jobs, schedules, next fire, paused flag, last execution")
    p.add_argument("--json", action="store_true")
    for name, handler, text in (
        ("pause", cmd_jobs_pause, "stop a job's schedule fires (AUTO)"),
        ("resume", cmd_jobs_resume, "restart a paused job's schedule fires"),
    ):
        p = command(jb, name, handler, text)
        p.add_argument("job")
        _write_options(p, dry_run=False)
    p = command(jb, "trigger", cmd_jobs_trigger, "run a job now (MANUAL) for dates and targets")
    p.add_argument("job")
    p.add_argument("--from", dest="date_from", help="first business date (default: the last business day)")
    p.add_argument("--to", dest="date_to", help="last business date (default: --from)")
    p.add_argument("--target", action="append", help="only this target (repeatable; default: all)")
    _write_options(p)

    op = group("operators", "who may do what (viewer, operator, approver, admin)")
    command(op, "list", cmd_operators_list, "operators and roles")
    p = command(op, "grant", cmd_operators_grant, "give a login a role (admin only)")
    p.add_argument("login")
    p.add_argument("role", help="viewer, operator, approver or admin")
    p.add_argument("--reason")
    p = command(op, "revoke", cmd_operators_revoke, "make a login a viewer (admin only)")
    p.add_argument("login")
    p.add_argument("--reason")

    p = groups.add_parser(
        "demo",
        help="the demo: embedded PostgreSQL, demo jobs, history, live runner, console",
        parents=[common],
    )
    p.set_defaults(handler=cmd_demo)
    p.add_argument("--reset", action="store_true", help="start from an empty demo database")
    p.add_argument("--seed", type=int, default=7, help="demo data seed (same seed, same history)")
    p.add_argument("--headless", action="store_true", help="no console: print what happens")

    p = groups.add_parser("runner", help="run a headless runner (SIGTERM: graceful stop)", parents=[common])
    p.set_defaults(handler=cmd_runner)
    p.add_argument("--workers", type=_positive_int, default=4, help="executions run at once (default 4)")

    ck = group("checklist", "daily and monthly operations review")
    p = command(ck, "daily", cmd_checklist_daily, "the daily checklist; exit 1 when anything needs attention")
    p.add_argument("--date", help=f"business date (default: the previous business day; {inputs.DATE_FORMS})")
    p.add_argument("--format", choices=["text", "md", "json"], default="text")
    p = command(
        ck, "monthly", cmd_checklist_monthly, "the monthly checklist: replays, recurring errors, MTTR"
    )
    p.add_argument("--month", help="YYYY-MM (default: the previous month)")
    p.add_argument("--format", choices=["text", "md", "json"], default="text")
    p = command(ck, "sign", cmd_checklist_sign, "sign a checklist off (audited, with a snapshot)")
    p.add_argument("kind", choices=["daily", "monthly"])
    p.add_argument("period", help="the date (daily) or YYYY-MM (monthly)")
    p.add_argument("--comment", help="required; with open items, say why you sign anyway")

    al = group("alerts", "alert notifications (email, Slack, webhook) and their delivery")
    p = command(al, "list", cmd_alerts_list, "notifications, newest first, with delivery status")
    p.add_argument("--status", help="PENDING, SENT or FAILED (comma-separated)")
    p.add_argument("--limit", type=_positive_int, default=50)
    p.add_argument("--json", action="store_true")
    p = command(al, "test", cmd_alerts_test, "send a test message on one channel; report success or why not")
    p.add_argument("--channel", required=True, choices=["email", "slack", "webhook"])

    au = group("audit", "the append-only, hash-chained audit log")
    p = command(au, "list", cmd_audit_list, "audit entries, newest first")
    p.add_argument("--limit", type=_positive_int, default=50)
    p.add_argument("--before", type=_positive_int, help="page: only entries with a smaller id")
    p.add_argument("--actor", help="only this operator")
    p.add_argument("--action", help="only this action, e.g. exec.replay")
    p.add_argument("--execution", help="only entries about this execution")
    p.add_argument("--json", action="store_true")
    command(au, "verify", cmd_audit_verify, "recompute the hash chain; exit 1 at the first broken row")

    p = groups.add_parser("errors", help="the error-code catalogue", parents=[common])
    p.set_defaults(handler=cmd_errors)
    p.add_argument("--json", action="store_true", help="both languages, machine-readable")
    return parser


def _version() -> str:
    try:
        return importlib.metadata.version("c1console")
    except importlib.metadata.PackageNotFoundError:
        return "(not installed)"


def _write_options(p: argparse.ArgumentParser, *, dry_run: bool = True) -> None:
    # ops decides whether a reason is required, the same for the console and the CLI
    p.add_argument("--reason", help="why (recorded in the audit log; required for stop, replay, pause)")
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    if dry_run:
        p.add_argument("--dry-run", action="store_true", help="show what would happen; write nothing")


def _positive_int(text: str) -> int:
    if not text.isdigit() or int(text) == 0:
        raise argparse.ArgumentTypeError(f"'{inputs.printable(text)}' is not a positive whole number")
    return int(text)


# main --------------------------------------------------------------------------------------------------


def _log_internal_error(exc: BaseException) -> Path | None:
    try:
        settings = load_settings()
        path = settings.data_dir / "logs" / "c1console-errors.log"
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as fh:
            fh.write(f"--- {datetime.now().isoformat()} {' '.join(sys.argv)}\n")
            fh.write("".join(traceback.format_exception(exc)))
        return path
    except Exception:
        return None


def _log_refusal(problem: Problem, argv: Sequence[str] | None) -> None:
    """The refusal log: every refused or invalid request, one line, in <data_dir>/logs/refusals.log."""
    try:
        settings = load_settings(env={k: v for k, v in os.environ.items() if k in ("C1_DATA_DIR",)})
        path = settings.data_dir / "logs" / "refusals.log"
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            who = operator_id()
        except Problem:
            who = "?"
        words = " ".join(mask_url(a) for a in (argv if argv is not None else sys.argv[1:]))
        with path.open("a", encoding="utf-8") as fh:
            fh.write(
                f"{datetime.now().astimezone().isoformat()} {who} exit={problem.exit_code} "
                f"{inputs.printable(words, 300)} :: {problem}\n"
            )
    except Exception:
        pass  # the refusal was already reported to the operator; a full disk must not turn it into a crash


def run(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    ctx: Context | None = None
    try:
        args = parser.parse_args(argv)
        handler: Handler = args.handler
        ctx = Context(args)
        return handler(ctx)
    except Problem as problem:
        print(f"c1console: {problem}", file=sys.stderr)
        _log_refusal(problem, argv)
        return problem.exit_code
    except (sa.exc.OperationalError, sa.exc.InterfaceError, psycopg.OperationalError) as exc:
        url = ctx.db.url if ctx is not None and ctx._db is not None else "(not connected)"
        problem = unavailable(url, exc)
        print(f"c1console: {problem}", file=sys.stderr)
        return problem.exit_code
    except KeyboardInterrupt:
        print("c1console: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        where = _log_internal_error(exc)
        detail = str(exc).splitlines()[0] if str(exc) else ""
        print(
            f"c1console: internal error: {type(exc).__name__}: {detail}"
            + (f" — details in {where}" if where else ""),
            file=sys.stderr,
        )
        return EXIT_INTERNAL
    finally:
        if ctx is not None:
            ctx.close()


def main() -> None:
    sys.exit(run())
