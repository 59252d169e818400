"""c1console jobs list | pause | resume | trigger: batch jobs and their schedules."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime

from c1console import inputs, ops
from c1console.cli.context import Context, confirm, dates, emit_json, preview_then, print_table, reason_given
from c1console.cli.parsing import Commands, write_options
from c1console.jobs import Registry
from c1console.presentation import status_label, timestamp
from c1console.store import jobs as jobs_store
from c1console.store.engine import connection


def add_jobs(commands: Commands) -> None:
    jb = commands.group("jobs", "batch jobs and their schedules")
    p = jb.command("list", cmd_jobs_list, "jobs, schedules, next fire, paused flag, last execution")
    p.add_argument("--json", action="store_true")
    for name, handler, text in (
        ("pause", cmd_jobs_pause, "stop a job's schedule fires (AUTO)"),
        ("resume", cmd_jobs_resume, "restart a paused job's schedule fires"),
    ):
        p = jb.command(name, handler, text)
        p.add_argument("job")
        write_options(p, dry_run=False)
    p = jb.command("trigger", cmd_jobs_trigger, "run a job now (MANUAL) for dates and targets")
    p.add_argument("job")
    p.add_argument("--from", dest="date_from", help="first business date (default: the last business day)")
    p.add_argument("--to", dest="date_to", help="last business date (default: --from)")
    p.add_argument("--target", action="append", help="only this target (repeatable; default: all)")
    write_options(p)


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
    print_table(headers, table_rows)
    return 0


def _next_fire(registry: Registry, job_id: str, now: datetime) -> datetime | None:
    definition = registry.get(job_id)
    if definition is None or definition.trigger is None:
        return None
    return definition.trigger.get_next_fire_time(None, now)


def cmd_jobs_pause(ctx: Context) -> int:
    _set_paused(ctx, True)
    print(f"job {ctx.args.job} paused: no schedule fires until resumed")
    return 0


def cmd_jobs_resume(ctx: Context) -> int:
    _set_paused(ctx, False)
    print(f"job {ctx.args.job} resumed: schedule fires again")
    return 0


def _set_paused(ctx: Context, paused: bool) -> None:
    """Whatever ops.set_job_paused refuses is refused by its dry run, before the question."""
    session = ctx.session()
    job_id, verb = ctx.args.job, "pause" if paused else "resume"
    reason_given(ctx.args.reason)
    ops.set_job_paused(session, job_id, paused, ctx.args.reason, dry_run=True)
    effect = "no schedule fires until resumed" if paused else "schedule fires again"
    confirm(ctx, f"will {verb} job {inputs.printable(job_id)} ({effect})")
    ops.set_job_paused(session, job_id, paused, ctx.args.reason)


def cmd_jobs_trigger(ctx: Context) -> int:
    session = ctx.session()
    start, end = dates(ctx)
    return preview_then(
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
