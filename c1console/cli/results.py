"""c1console results history: every version of one result key."""

from __future__ import annotations

import json
from dataclasses import asdict

from c1console import inputs
from c1console.cli.context import Context, emit_json, print_table
from c1console.cli.parsing import Commands
from c1console.presentation import timestamp
from c1console.store import results as results_store
from c1console.store.engine import connection


def add_results(commands: Commands) -> None:
    rs = commands.group("results", "result data: versions of a key")
    p = rs.command("history", cmd_results_history, "every version of one result key, oldest first")
    p.add_argument("--job", required=True)
    p.add_argument("--date", required=True)
    p.add_argument("--target", required=True)
    p.add_argument("--json", action="store_true")


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
    print_table(["RESULT", "", "WRITTEN BY", "AT", "SUPERSEDED", "DEACTIVATED", "PAYLOAD"], rows)
    return 0
