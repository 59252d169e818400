"""c1console exec list | show | stop | resume | replay | rollback | ack: batch executions."""

from __future__ import annotations

import sys
from dataclasses import asdict
from datetime import datetime

from c1console import errors, inputs, ops
from c1console.cli import failures
from c1console.cli.context import Context, confirm, dates, emit_json, preview_then, print_table, reason_given
from c1console.cli.parsing import Commands, id_list, positive_int, write_options
from c1console.errors import BadInput
from c1console.presentation import date_range, duration, status_label, timestamp
from c1console.queries import RUN_TYPES, STATUSES, ConsoleQueries, Execution, ExecutionDetail, ExecutionFilter
from c1console.requests import ReplayOf, replay_request

SHOW_LOG_LINES = 50
SHOW_AUDIT_ENTRIES = 100
SHOW_FAILED_UNITS = 200  # a failure's units in text; --json has them all
SHOW_MESSAGE_WIDTH = 60  # a unit's message on a terminal; piped, it is printed whole


def add_exec(commands: Commands) -> None:
    ex = commands.group("exec", "batch executions")
    p = ex.command("list", cmd_exec_list, "list executions, newest first")
    p.add_argument("--status", help="READY, RUNNING, SUCCESS, FAILED or STOPPED (comma-separated)")
    p.add_argument("--job", action="append", help="only this job (repeatable)")
    p.add_argument("--type", help="AUTO, MANUAL or REPLAY (comma-separated)")
    p.add_argument("--since", help=f"business dates from this date on ({inputs.DATE_FORMS})")
    p.add_argument("--limit", type=positive_int, default=50, help="rows to show (default 50)")
    p.add_argument("--before", type=positive_int, help="page: only executions with a smaller id")
    p.add_argument(
        "--open", action="store_true", help="only open failures: FAILED/STOPPED with units still failing"
    )
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.epilog = failures.LEGEND
    p = ex.command("show", cmd_exec_show, "one execution: fields, error, units, events, log, audit")
    p.add_argument("id", help="execution id")
    p.add_argument("--json", action="store_true", help="machine-readable output")

    p = ex.command("stop", cmd_exec_stop, "stop an execution (READY: at once; RUNNING: at its next unit)")
    p.add_argument("id", help="execution id")
    write_options(p, dry_run=False)
    p = ex.command(
        "resume", cmd_exec_resume, "new execution of the units a STOPPED/FAILED one did not finish"
    )
    p.add_argument("id", help="execution id")
    write_options(p)
    failures.redo_options(p, "resume")
    p = ex.command(
        "replay",
        cmd_exec_replay,
        "re-run under a new execution; old results are kept, inactive, and superseded",
    )
    p.add_argument("--job", help="the job to replay")
    p.add_argument("--full", action="store_true", help="FULL: the job's whole recorded period")
    p.add_argument("--from", dest="date_from", help="RANGE / SINGLE: first business date")
    p.add_argument("--to", dest="date_to", help="RANGE / SINGLE: last business date")
    p.add_argument("--target", help="SINGLE: one account / portfolio (all its dates unless --from/--to)")
    p.add_argument(
        "--of",
        metavar="ID[,ID...]",
        help="replay an earlier execution's units still failing; a comma-separated list replays each one's "
        "(one REPLAY per execution, all created in one transaction)",
    )
    p.add_argument(
        "--all-units",
        action="store_true",
        help="with one --of ID: every unit of it, not only the failed ones",
    )
    p.add_argument(
        "--failed-only", action="store_true", help="with --of: only units that did not succeed (the default)"
    )
    write_options(p)
    failures.redo_options(p, "replay")

    p = ex.command(
        "rollback",
        cmd_exec_rollback,
        "logical rollback: deactivate its results, bring back what they superseded",
    )
    p.add_argument("id", help="execution id")
    write_options(p)

    p = ex.command(
        "ack",
        failures.cmd_exec_ack,
        "acknowledge an open failure: it leaves the open list, with who, when and why kept",
    )
    p.add_argument("id", help="execution id")
    write_options(
        p, reason_help="why nothing more is needed (required; recorded beside it and in the audit log)"
    )


# Reads -------------------------------------------------------------------------------------------------


def _execution_row(e: Execution, now: datetime) -> list[str]:
    return [
        str(e.execution_id),
        e.job_id,
        e.run_type + (f"/{e.replay_kind}" if e.replay_kind else ""),
        status_label(e.status),
        failures.resolution_cell(e),
        date_range(e.business_date_from, e.business_date_to),
        timestamp(e.started_at),
        duration(e.started_at, e.ended_at, now),
        f"{e.units_done + e.units_failed}/{e.units_total}",
        e.error_code or "",
        e.requested_by,  # "system" for AUTO, as the database records it and the console shows it
    ]


def cmd_exec_list(ctx: Context) -> int:
    args = ctx.args
    statuses = inputs.parse_choice(args.status, STATUSES, "--status") if args.status else []
    run_types = inputs.parse_choice(args.type, RUN_TYPES, "--type") if args.type else []
    since = inputs.parse_date(args.since, "--since") if args.since else None
    queries = ConsoleQueries(ctx.current_db())
    if args.job:
        known = queries.job_ids()
        unknown = [j for j in args.job if j not in known]
        if unknown:
            raise BadInput(
                f"--job: unknown job '{inputs.printable(unknown[0])}'", hint="see c1console jobs list"
            )
    flt = ExecutionFilter(
        statuses=tuple(statuses),
        job_ids=tuple(args.job or ()),
        run_types=tuple(run_types),
        since=since,
        open_only=args.open,
    )
    found = queries.executions(flt, before_id=args.before, limit=args.limit).rows
    if args.json:
        emit_json([_execution_json(e) for e in found])
        return 0
    if not found:
        print("no open failures match" if args.open else "no executions match")
        return 0
    now = datetime.now().astimezone()
    headers = ["ID", "JOB", "TYPE", "STATUS", "OPEN?", "DATES", "STARTED", "DURATION", "UNITS", "ERROR", "BY"]
    print_table(headers, [_execution_row(e, now) for e in found])
    return 0


def _execution_json(e: Execution) -> dict[str, object]:
    """A row as JSON: its columns, ``operator_id``, ``open`` and ``resolution`` (null unless FAILED or
    STOPPED)."""
    return asdict(e) | {"operator_id": e.operator_id} | failures.resolution_json(e)


def cmd_exec_show(ctx: Context) -> int:
    """What the console's drill-down reads (ConsoleQueries.detail), as text or JSON."""
    queries = ConsoleQueries(ctx.current_db())
    execution_id = inputs.parse_id(ctx.args.id)
    detail = queries.detail(execution_id, log_limit=SHOW_LOG_LINES, audit_limit=SHOW_AUDIT_ENTRIES)
    if detail is None:
        raise BadInput(f"execution {execution_id} does not exist", hint="see c1console exec list")
    if ctx.args.json:
        emit_json(_detail_json(detail))
    else:
        _print_detail(detail)
    return 0


def _detail_json(d: ExecutionDetail) -> dict[str, object]:
    e = d.execution
    return {
        "execution": _execution_json(e),
        **failures.resolution_json(e),
        "resolution_text": failures.resolution_text(e, d.related),
        "failed_units": [asdict(u) for u in d.failed_units],
        "error": d.error.as_dict() if d.error else None,
        "units": [asdict(u) for u in d.units],
        "events": [asdict(ev) for ev in d.events],
        "log": [asdict(line) for line in d.logs],
        "related": [asdict(r) for r in d.related],
        "results": asdict(d.results),
        "audit": [asdict(a) for a in d.audit],
    }


def _print_detail(d: ExecutionDetail) -> None:
    e, counts, code = d.execution, d.results, d.error
    lang = errors.language()
    now = datetime.now().astimezone()
    fields = [
        ("execution_id", str(e.execution_id)),
        ("job_id", e.job_id),
        ("run_type", e.run_type + (f" ({e.replay_kind})" if e.replay_kind else "")),
        ("status", status_label(e.status)),
        *([("resolution", said)] if (said := failures.resolution_text(e, d.related)) else []),
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
    _print_failed_units(d)
    print("\nevents:")
    for ev in d.events:
        arrow = f"{ev.from_status or '·'} → {ev.to_status}"
        print(
            f"  {timestamp(ev.at)}  {arrow:<20} {ev.actor}  {ev.error_code or ''} {ev.message or ''}".rstrip()
        )
    if d.related:
        print("\nrelated:")
        for r in d.related:
            print(f"  #{r.execution_id} {r.run_type} {status_label(r.status)} {r.job_id}")
    if d.audit:
        print("\naudit:")
        for a in reversed(d.audit):
            print(f"  #{a.audit_id} {timestamp(a.at)} {a.actor} {a.action} {a.reason or ''}".rstrip())


def _print_failed_units(d: ExecutionDetail) -> None:
    """The units that did not succeed; of a failure, every one of them with what became of it since (NOW:
    open, fixed by #N, handed on to #N)."""
    if d.failed_units:
        messages = {(u.business_date, u.target_key): u.message or "" for u in d.units}
        print("\nunits not succeeded, and what became of each since:")
        rows = [
            [
                str(u.business_date),
                u.target_key,
                u.status,
                u.error_code or "",
                failures.unit_fate(u),
                _message(messages.get(u.key, "")),
            ]
            for u in d.failed_units[:SHOW_FAILED_UNITS]
        ]
        print_table(["DATE", "TARGET", "STATUS", "ERROR", "NOW", "MESSAGE"], rows)
        if len(d.failed_units) > SHOW_FAILED_UNITS:
            more = len(d.failed_units) - SHOW_FAILED_UNITS
            print(
                f"... and {more} more (c1console exec show {d.execution.execution_id} --json lists them all)"
            )
        return
    failed = [u for u in d.units if u.status != "SUCCESS"]
    if failed:
        print("\nunits not succeeded:")
        rows = [
            [str(u.business_date), u.target_key, u.status, u.error_code or "", _message(u.message or "")]
            for u in failed
        ]
        print_table(["DATE", "TARGET", "STATUS", "ERROR", "MESSAGE"], rows)


def _message(text: str) -> str:
    """A unit's message on one line (control characters made visible); cut to fit a terminal, whole when
    the output goes to a file or a pipe."""
    return inputs.printable(text, SHOW_MESSAGE_WIDTH if sys.stdout.isatty() else max(len(text), 1))


# Writes ------------------------------------------------------------------------------------------------


def cmd_exec_stop(ctx: Context) -> int:
    session = ctx.session()
    execution_id = inputs.parse_id(ctx.args.id)
    reason_given(ctx.args.reason)
    would = ops.stop(session, execution_id, ctx.args.reason, dry_run=True)
    when = "at once: it has not started" if would == "STOPPED" else "at its next unit boundary"
    confirm(ctx, f"will stop execution {execution_id} {when}")
    after = ops.stop(session, execution_id, ctx.args.reason)
    if after == "STOPPED":
        print(f"execution {execution_id} STOPPED (it had not started)")
    else:
        print(f"stop of execution {execution_id} requested: it stops at its next unit boundary")
    return 0


def cmd_exec_resume(ctx: Context) -> int:
    session = ctx.session()
    execution_id = inputs.parse_id(ctx.args.id)
    redo = failures.redo_of(ctx.args)
    return preview_then(
        ctx,
        lambda dry: ops.resume(session, execution_id, ctx.args.reason, dry_run=dry, redo=redo),
        "resume",
    )


def cmd_exec_replay(ctx: Context) -> int:
    """One replay (ops.replay), or with ``--of A,B,C`` one per failure, all in one transaction
    (ops.replay_many)."""
    args = ctx.args
    redo = failures.redo_of(args)
    ids = id_list(args.of, "--of") if args.of is not None else []
    if len(ids) > 1:
        if args.job is not None or args.full or args.target is not None or args.date_from or args.date_to:
            raise BadInput(
                "--of replays executions' own units", hint="do not combine it with --job/--full/dates"
            )
        if args.all_units:
            raise BadInput(
                "--all-units goes with one --of ID",
                hint="a list replays each one's units still failing; replay them one by one for every unit",
            )
        return failures.replay_list(ctx, ids, redo)
    start, end = dates(ctx)
    request = replay_request(
        job_id=args.job,
        full=args.full,
        date_from=start,
        date_to=end,
        target=args.target,
        of=ids[0] if ids else None,
        failed_only=args.failed_only,
        all_units=args.all_units,
    )
    if redo.again and not isinstance(request, ReplayOf):
        raise BadInput(
            "--again goes with --of ID",
            hint="it runs again units a later execution fixed since that one failed",
        )
    session = ctx.session()
    return preview_then(
        ctx,
        lambda dry: ops.replay(session, request, reason=args.reason, dry_run=dry, redo=redo),
        "REPLAY",
        lambda: reason_given(args.reason),
    )


def cmd_exec_rollback(ctx: Context) -> int:
    session = ctx.session()
    execution_id = inputs.parse_id(ctx.args.id)
    preview = ops.rollback(session, execution_id, ctx.args.reason, dry_run=True)
    if ctx.args.dry_run:
        print(f"dry run, nothing written: {preview.describe()}")
        return 0
    reason_given(ctx.args.reason)
    confirm(ctx, f"will do: {preview.describe()}")
    done = ops.rollback(session, execution_id, ctx.args.reason)
    print(f"rolled back: {done.describe()}")
    for day, target in done.plan.skipped:
        print(f"  left alone (superseded since): {day} {target}")
    return 0
