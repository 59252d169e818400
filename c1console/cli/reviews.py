"""c1console checklist daily | monthly | sign: the daily and monthly operations review."""

from __future__ import annotations

from c1console import checklists, errors, inputs, ops
from c1console.checklist_text import signoff_history, signoff_summary
from c1console.cli.context import Context, confirm, reason_given
from c1console.cli.parsing import Commands, yes_option


def add_checklist(commands: Commands) -> None:
    ck = commands.group("checklist", "daily and monthly operations review")
    p = ck.command("daily", cmd_checklist_daily, "the daily checklist; exit 1 when anything needs attention")
    p.add_argument("--date", help=f"business date (default: the previous business day; {inputs.DATE_FORMS})")
    p.add_argument("--format", choices=["text", "md", "json"], default="text")
    p = ck.command("monthly", cmd_checklist_monthly, "the monthly checklist: replays, recurring errors, MTTR")
    p.add_argument("--month", help="YYYY-MM (default: the previous month)")
    p.add_argument("--format", choices=["text", "md", "json"], default="text")
    p = ck.command("sign", cmd_checklist_sign, "sign a checklist off (audited, with a snapshot)")
    p.add_argument("kind", choices=["daily", "monthly"])
    p.add_argument("period", help="the date (daily) or YYYY-MM (monthly)")
    p.add_argument("--comment", help="required; with open items, say why you sign anyway")
    yes_option(p)


def _checklist(ctx: Context, kind: str, period: str | None) -> checklists.Daily | checklists.Monthly:
    db = ctx.current_db()
    lang = errors.language()
    settings = ctx.settings
    if kind == "daily":
        day = inputs.parse_date(period, "--date") if period else None
        return checklists.daily(
            db,
            day,
            tz=settings.timezone,
            lang=lang,
            long_running_seconds=settings.long_running_seconds,
            alert_channels=settings.channels,
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
    """Every sign-off is kept: on a signed period the question names the earlier ones and says it ADDs."""
    checklist = _checklist(ctx, ctx.args.kind, ctx.args.period)
    session = ctx.session()
    reason_given(ctx.args.comment)
    preview = ops.sign_checklist(session, checklist, ctx.args.comment, dry_run=True)
    open_items = checklist.open_items if isinstance(checklist, checklists.Daily) else checklist.still_open
    comment = ctx.args.comment.strip()
    action = f"sign the {ctx.args.kind} checklist {checklist.period} off"
    lines = [
        f"will {preview.action() if preview.adds_another else action} ({checklist.verdict},"
        f" {open_items} open item(s)) as {session.operator}: {inputs.printable(comment, 100)}"
    ]
    if preview.adds_another:  # named before the question: who signed, when, why — newest first
        lines.append(f"  already {signoff_summary(preview.earlier)}; every one is kept, newest first:")
        lines += [f"    {inputs.printable(line, 120)}" for line in signoff_history(preview.earlier)]
    confirm(ctx, "\n".join(lines))
    signoff_id = ops.sign_checklist(session, checklist, ctx.args.comment, seen=preview.count)
    again = f"; {preview.count + 1} sign-offs in all" if preview.adds_another else ""
    print(
        f"{ctx.args.kind} checklist {checklist.period} ({checklist.verdict}) signed by {ctx.operator()}"
        f" (sign-off {signoff_id}{again})"
    )
    return 0
