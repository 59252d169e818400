"""c1console comp request | approve | reject | list | show | evidence: manual corrections of one result key,
under four-eyes approval."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path

from c1console import inputs, ops
from c1console.cli.context import Context, confirm, emit_json, print_table, reason_given
from c1console.cli.parsing import Commands, write_options, yes_option
from c1console.errors import BadInput
from c1console.evidence import read_attachments, read_payload
from c1console.presentation import timestamp
from c1console.store import results as results_store
from c1console.store.engine import connection

COMPENSATION_STATUSES = ("PENDING", "APPROVED", "REJECTED")


def add_comp(commands: Commands) -> None:
    cp = commands.group("comp", "manual compensation under four-eyes approval")
    p = cp.command("request", cmd_comp_request, "request a manual correction of one result key")
    p.add_argument("--job", required=True)
    p.add_argument("--date", required=True, help="business date")
    p.add_argument("--target", required=True, help="account / portfolio")
    p.add_argument("--payload", required=True, help="the corrected result: a JSON object, or @FILE")
    p.add_argument("--evidence-ref", help="ticket or document reference")
    p.add_argument("--attach", action="append", help="evidence file stored in the database (repeatable)")
    write_options(p, dry_run=False, reason_help="why (required)")
    for name, text in (
        ("approve", "approve: the correction becomes the active result"),
        ("reject", "reject: nothing changes"),
    ):
        p = cp.command(name, cmd_comp_decide, text + " (approver role, not the requester)")
        p.add_argument("id", help="compensation id")
        p.add_argument("--note", help="the decision's note (required to reject)")
        yes_option(p)
    p = cp.command("list", cmd_comp_list, "compensations, newest first")
    p.add_argument("--status", help="PENDING, APPROVED or REJECTED")
    p.add_argument("--json", action="store_true")
    p = cp.command("show", cmd_comp_show, "one compensation with its evidence")
    p.add_argument("id")
    p.add_argument("--json", action="store_true")
    p = cp.command("evidence", cmd_comp_evidence, "an evidence file, byte for byte")
    p.add_argument("id", help="evidence id (see comp show)")
    p.add_argument("-o", "--output", help="write to this file (default: standard output)")


# Writes ------------------------------------------------------------------------------------------------


def cmd_comp_request(ctx: Context) -> int:
    args = ctx.args
    session = ctx.session()
    business_date = inputs.parse_date(args.date, "--date")
    payload = read_payload(args.payload)
    attachments = read_attachments(args.attach or [], session.settings.evidence_max_bytes)
    request = {
        "job_id": args.job,
        "business_date": business_date,
        "target": args.target,
        "payload": payload,
        "reason": args.reason,
        "evidence_ref": args.evidence_ref,
        "attachments": attachments,
    }
    ops.request_compensation(session, **request, dry_run=True)  # every refusal before the question
    reason, body = (args.reason or "").strip(), " ".join(payload.split())
    evidence = ", ".join(
        [*([args.evidence_ref.strip()] if args.evidence_ref else []), *(a.filename for a in attachments)]
    )
    key = f"{args.job} {business_date} {args.target.strip()}"
    confirm(
        ctx,
        f"will request a compensation of {inputs.printable(key, 100)}: {inputs.printable(body, 100)}\n"
        f"  reason: {inputs.printable(reason or '', 80)}; evidence: {inputs.printable(evidence, 80)};"
        " another approver decides it",
    )
    comp_id = ops.request_compensation(session, **request)
    print(f"compensation {comp_id} requested; it waits for another operator with the approver role")
    return 0


def cmd_comp_decide(ctx: Context) -> int:
    approve = ctx.args.command == "approve"
    verb = "approve" if approve else "reject"
    comp_id = inputs.parse_id(ctx.args.id, "compensation id")
    session = ctx.session()
    if not approve:
        reason_given(ctx.args.note)
    ops.decide_compensation(session, comp_id, approve=approve, note=ctx.args.note, dry_run=True)
    with connection(session.db) as conn:
        comp = results_store.get_compensation(conn, comp_id)
    assert comp is not None  # the dry run refused a missing one
    key = f"{comp.job_id} {comp.business_date} {comp.target_key}, requested by {comp.requested_by}"
    effect = (
        f"{inputs.printable(json.dumps(comp.payload, ensure_ascii=False), 80)} becomes the active result"
        if approve
        else "nothing changes"
    )
    confirm(ctx, f"will {verb} compensation {comp_id} ({inputs.printable(key, 120)}): {effect}")
    result_id = ops.decide_compensation(session, comp_id, approve=approve, note=ctx.args.note)
    if approve:
        print(f"compensation {comp_id} approved: result {result_id} is now the active result of its key")
    else:
        print(f"compensation {comp_id} rejected: nothing changed")
    return 0


# Reads -------------------------------------------------------------------------------------------------


def cmd_comp_list(ctx: Context) -> int:
    statuses = (
        tuple(inputs.parse_choice(ctx.args.status, COMPENSATION_STATUSES, "--status"))
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
    print_table(
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
