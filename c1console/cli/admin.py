"""Administration: c1console operators (who may do what), audit (what was done), alerts (who was told) and
errors (the error-code catalogue)."""

from __future__ import annotations

import sys
from dataclasses import asdict
from datetime import datetime
from typing import cast

from c1console import errors, inputs, ops
from c1console.cli.context import Context, confirm, emit_json, print_table
from c1console.cli.parsing import Commands, positive_int, write_options
from c1console.errors import BadInput, CheckFailed
from c1console.presentation import NO_ALERT_CHANNEL, timestamp
from c1console.store import audit
from c1console.store import operators as operators_store
from c1console.store import outbox as outbox_store
from c1console.store.engine import connection

NOTIFICATION_STATUSES = ("PENDING", "SENT", "FAILED")


# operators ---------------------------------------------------------------------------------------------


def add_operators(commands: Commands) -> None:
    op = commands.group("operators", "who may do what (viewer, operator, approver, admin)")
    op.command("list", cmd_operators_list, "operators and roles")
    p = op.command("grant", cmd_operators_grant, "give a login a role (admin only)")
    p.add_argument("login")
    p.add_argument("role", help="viewer, operator, approver or admin")
    write_options(p, dry_run=False, reason_help="why (recorded in the audit log)")
    p = op.command("revoke", cmd_operators_revoke, "make a login a viewer (admin only)")
    p.add_argument("login")
    write_options(p, dry_run=False, reason_help="why (recorded in the audit log)")


def cmd_operators_list(ctx: Context) -> int:
    with connection(ctx.current_db()) as conn:
        rows = operators_store.list_operators(conn)
    everyone = next((r[1] for r in rows if r[0] == operators_store.EVERYONE_ELSE), ops.DEFAULT_ROLE)
    print(f"role of anyone not listed ('*'): {everyone}")
    if rows:
        # list_operators types granted_at as object; the column is a timestamptz
        table_rows = [[login, role, by, timestamp(cast(datetime, at))] for login, role, by, at in rows]
        print_table(["OPERATOR", "ROLE", "GRANTED BY", "AT"], table_rows)
    return 0


def cmd_operators_grant(ctx: Context) -> int:
    return _grant(ctx, ctx.args.login, ctx.args.role)


def cmd_operators_revoke(ctx: Context) -> int:
    return _grant(ctx, ctx.args.login, "viewer")


def _grant(ctx: Context, login: str, role: str) -> int:
    """ops.grant's dry run (the database's grant guard included) refuses before the question."""
    session = ctx.session()
    now = ops.grant(session, login, role, ctx.args.reason, dry_run=True) or ops.DEFAULT_ROLE
    everyone = " (everyone not listed)" if login == operators_store.EVERYONE_ELSE else ""
    confirm(ctx, f"will make {inputs.printable(login, 80)}{everyone} {role} (now {now})")
    previous = ops.grant(session, login, role, ctx.args.reason)
    print(f"{login}: {previous or ops.DEFAULT_ROLE} -> {role}")
    return 0


# audit -------------------------------------------------------------------------------------------------


def add_audit(commands: Commands) -> None:
    au = commands.group("audit", "the append-only, hash-chained audit log")
    p = au.command("list", cmd_audit_list, "audit entries, newest first")
    p.add_argument("--limit", type=positive_int, default=50)
    p.add_argument("--before", type=positive_int, help="page: only entries with a smaller id")
    p.add_argument("--actor", help="only this operator")
    p.add_argument("--action", help="only this action, e.g. exec.replay")
    p.add_argument("--execution", help="only entries about this execution")
    p.add_argument("--json", action="store_true")
    au.command("verify", cmd_audit_verify, "recompute the hash chain; exit 1 at the first broken row")


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
    print_table(["ID", "AT", "ACTOR", "ACTION", "OBJECT", "REASON"], rows)
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


# alerts ------------------------------------------------------------------------------------------------


def add_alerts(commands: Commands) -> None:
    al = commands.group("alerts", "alert notifications (email, Slack, webhook) and their delivery")
    p = al.command("list", cmd_alerts_list, "notifications, newest first, with delivery status")
    p.add_argument("--status", help="PENDING, SENT or FAILED (comma-separated)")
    p.add_argument("--limit", type=positive_int, default=50)
    p.add_argument("--json", action="store_true")
    p = al.command("test", cmd_alerts_test, "send a test message on one channel; report success or why not")
    p.add_argument("--channel", required=True, choices=["email", "slack", "webhook"])


def cmd_alerts_list(ctx: Context) -> int:
    statuses = (
        inputs.parse_choice(ctx.args.status, NOTIFICATION_STATUSES, "--status") if ctx.args.status else []
    )
    with connection(ctx.current_db()) as conn:
        rows = outbox_store.list_notifications(conn, statuses=statuses, limit=ctx.args.limit)
    if not ctx.settings.channels:
        # on stderr with --json, so the JSON stays a list; on stdout above the table otherwise
        print(
            f"⚠ {NO_ALERT_CHANNEL} ([alerts.email], [alerts.slack] or [alerts.webhook])",
            file=sys.stderr if ctx.args.json else sys.stdout,
        )
    if ctx.args.json:
        emit_json([asdict(r) for r in rows])
        return 0
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
    headers = [
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
    ]
    print_table(headers, table_rows)
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


# errors ------------------------------------------------------------------------------------------------


def add_errors(commands: Commands) -> None:
    p = commands.single("errors", cmd_errors, "the error-code catalogue")
    p.add_argument("--json", action="store_true", help="both languages, machine-readable")


def cmd_errors(ctx: Context) -> int:
    if ctx.args.json:
        print(errors.render_json())
    else:
        print(errors.render_text(errors.language()), end="")
    return 0
