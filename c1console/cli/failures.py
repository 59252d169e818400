"""Failures as work items on the command line: how a failure's resolution reads (``exec list``'s OPEN?
column, ``exec show``), ``exec ack``, the redo flags of ``exec replay`` / ``exec resume``, and replaying
a list of failures at once (``exec replay --of 118,131,140``). What is open is read from the one definition
(sql/013, through ``c1console.queries``); every write goes through ``ops``."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from c1console import inputs, ops
from c1console.cli.context import Context, confirm, reason_given
from c1console.errors import BadInput
from c1console.presentation import STATE_MARK, stopped_after, timestamp
from c1console.presentation import resolution_cell as cell
from c1console.queries import (
    ACKNOWLEDGED,
    HANDED_ON,
    OPEN,
    RESOLVED,
    ROLLED_BACK,
    ConsoleQueries,
    Execution,
    FailedUnit,
    Resolution,
)

# What the OPEN? column of `exec list` says (also in its --help); the console's column says the same.
_OPEN, _FIXED, _HANDED = STATE_MARK[OPEN], STATE_MARK[RESOLVED], STATE_MARK[HANDED_ON]
LEGEND = (
    f"OPEN? (FAILED/STOPPED rows): {_OPEN} open = units still failing; {_FIXED} #N = resolved by execution N "
    f"({_FIXED} comp #N: by compensation N); {_HANDED} #N = handed on to #N, its replay or resume that "
    f"failed too (the open item is there); {STATE_MARK[ACKNOWLEDGED]} ack = acknowledged; "
    f"{STATE_MARK[ROLLED_BACK]} rolled back (any status)."
)


def resolution_cell(e: Execution) -> str:
    """Short, for a table column: a FAILED/STOPPED row's state as a work item ("● open", "↻ #124",
    "↻ comp #3", "→ #130", "✓ ack"); "⟲ rolled back" for any rolled-back row."""
    r = e.resolution
    if r is None or e.rolled_back_at is not None:
        return cell(None, rolled_back=e.rolled_back_at is not None)
    return cell(
        r.state, fixed_by=r.fixed_by, fixed_by_compensation=r.fixed_by_compensation, handed_to=r.handed_to
    )


def resolution_text(e: Execution, related: Sequence[Execution] = ()) -> str | None:
    """A sentence, for ``exec show``: where the failure stands now, and who stopped it; None for an execution
    that is neither a failure nor rolled back. ``related``: the executions linked to it (which one it was
    handed on to, a replay or a resume)."""
    r = e.resolution
    if e.rolled_back_at is not None:
        return (
            f"{STATE_MARK[ROLLED_BACK]} rolled back by {e.rolled_back_by} at {timestamp(e.rolled_back_at)}: "
            f"{e.rolled_back_reason or ''}"
        )
    if r is None:
        return None
    text = _state_text(e, r, related)
    stopped = stopped_after(e.status, e.stop_requested_by, e.units_failed)
    return f"{text} ({stopped})" if stopped else text


def _state_text(e: Execution, r: Resolution, related: Sequence[Execution]) -> str:
    if r.state == OPEN:
        text = f"{STATE_MARK[OPEN]} open: {r.open_units} unit(s) "
        text += "not done" if e.status == "STOPPED" else "still failing"
        if r.handed_units:
            text += f", {r.handed_units} more handed on to #{r.handed_to}"
        return text
    if r.state == HANDED_ON:
        later = next((x for x in related if x.execution_id == r.handed_to), None)
        kind = "resume" if later is not None and later.resumed_from == e.execution_id else "replay"
        return (
            f"{STATE_MARK[HANDED_ON]} handed on to #{r.handed_to} (its {kind} failed too): the open item is "
            f"#{r.handed_to} now"
        )
    if r.state == ACKNOWLEDGED:
        return (
            f"{STATE_MARK[ACKNOWLEDGED]} acknowledged by {r.acked_by} at {timestamp(r.acked_at)}: "
            f"{r.ack_reason or ''}"
        )
    if r.state == ROLLED_BACK:  # the execution's own columns say it too; kept for a partial row
        return f"{STATE_MARK[ROLLED_BACK]} rolled back by {r.rolled_back_by} at {timestamp(r.rolled_back_at)}"
    assert r.state == RESOLVED, r.state
    ways = []
    if r.fixed_by is not None:
        ways.append(f"#{r.fixed_by}")
    if r.fixed_by_compensation is not None:
        ways.append(f"compensation #{r.fixed_by_compensation}")
    by = " and ".join(ways) or "later results"
    return f"{STATE_MARK[RESOLVED]} resolved by {by} at {timestamp(r.fixed_at)}"


def unit_fate(u: FailedUnit) -> str:
    """What became of one unit that did not succeed: "↻ fixed by #124", "→ handed on to #130", "● open"."""
    if u.fixed_by is not None:
        return f"{STATE_MARK[RESOLVED]} fixed by #{u.fixed_by}"
    if u.fixed_by_compensation is not None:
        return f"{STATE_MARK[RESOLVED]} fixed by compensation #{u.fixed_by_compensation}"
    if u.handed_to is not None:
        return f"{STATE_MARK[HANDED_ON]} handed on to #{u.handed_to}"
    return f"{STATE_MARK[OPEN]} open"


def resolution_json(e: Execution) -> dict[str, Any]:
    """The same facts for --json: ``open`` on every row, ``resolution`` (or null)."""
    return {"open": e.is_open, "resolution": asdict(e.resolution) if e.resolution else None}


# The redo flags ------------------------------------------------------------------------------------------


def redo_options(p: argparse.ArgumentParser, what: str) -> None:
    p.add_argument(
        "--again",
        action="store_true",
        help=f"{what} also units a later execution fixed since (left out by default; the preview warns)",
    )
    p.add_argument(
        "--supersede-compensation",
        action="store_true",
        help="also replace results an approved compensation wrote (left out by default; the preview warns)",
    )


def redo_of(args: argparse.Namespace) -> ops.Redo:
    return ops.Redo(again=args.again, supersede_compensation=args.supersede_compensation)


# exec ack ------------------------------------------------------------------------------------------------


def cmd_exec_ack(ctx: Context) -> int:
    """An open failure acknowledged (it leaves the open list, who/when/why kept): refusals first, then the
    question (or --yes), then the write."""
    execution_id = inputs.parse_id(ctx.args.id)
    session = ctx.session()
    ops.acknowledge(session, execution_id, ctx.args.reason, dry_run=True)
    what = _ack_preview(ConsoleQueries(session.db), execution_id)
    if ctx.args.dry_run:
        print(f"dry run, nothing written: would acknowledge {what}")
        return 0
    reason_given(ctx.args.reason)
    confirm(ctx, f"will acknowledge {what}")
    ops.acknowledge(session, execution_id, ctx.args.reason)
    print(f"execution {execution_id} acknowledged by {session.operator}: it left the open list")
    return 0


def _ack_preview(queries: ConsoleQueries, execution_id: int) -> str:
    [e] = queries.executions_by_id([execution_id])
    units = e.resolution.open_units if e.resolution else 0
    return (
        f"execution {execution_id} ({e.job_id}, {e.status}): {units} unit(s) still failing; "
        "it leaves the open list, with who, when and why kept beside it"
    )


# exec replay --of A,B,C --------------------------------------------------------------------------------


def replay_list(ctx: Context, ids: Sequence[int], redo: ops.Redo) -> int:
    """One REPLAY per failure of each one's units still failing, all created in one transaction: each
    preview shown, refusals (any refuses all) before the question."""
    args = ctx.args
    session = ctx.session()
    planned = ops.replay_many(session, ids, reason=args.reason, dry_run=True, redo=redo)
    previews = [p for p in planned if isinstance(p, ops.Preview)]
    assert len(previews) == len(planned)
    lines = "\n".join(f"  {p.describe()}" for p in previews)
    if args.dry_run:
        print(f"dry run, nothing written: {len(previews)} REPLAY execution(s):\n{lines}")
        return 0
    reason_given(args.reason)
    total = sum(len(p.units) for p in previews)
    bound = ctx.settings.large_run_units
    if total > bound and not args.yes:
        raise BadInput(
            f"{len(previews)} replays of {total} units in all: more than {bound} units",
            hint="check the list, then add --yes to run it (large_run_units in the config sets the bound)",
        )
    confirm(ctx, f"will create {len(previews)} REPLAY execution(s) in one transaction:\n{lines}")
    for created in ops.replay_many(session, ids, reason=args.reason, redo=redo):
        assert isinstance(created, ops.Created)
        print(f"execution {created.execution_id} created (REPLAY): {created.preview.describe()}")
    return 0
