"""The drill-down's table tabs (Units, Events, Related, Audit): their rows and labels from one read of the
execution, and how a table takes new rows with the least work.

Rows are built for one tab at a time (the one shown); labels with their counts for all. ``sync`` updates
in place the cells that changed and appends rows added at the end; only rows reordered or removed refill a
table (a refill re-measures every cell: with hundreds of rows, tens of milliseconds each time).
"""

from __future__ import annotations

from datetime import tzinfo
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.widgets import DataTable

from c1console.screens.cells import dates, one_line, run_type, status_text, when
from c1console.screens.detail_summary import unit_fix
from c1console.screens.tables import cursor_key, move_cursor_to

if TYPE_CHECKING:
    from c1console.queries import Execution, ExecutionDetail, Unit

Rows = list[tuple[str, tuple[Any, ...]]]  # (row key, cells) of a tab's table
TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "units": ("DATE", "TARGET", "STATUS", "FIXED", "CODE", "TRIES", "MESSAGE"),
    "events": ("AT", "CHANGE", "ACTOR", "CODE", "MESSAGE"),
    "related": ("RELATION", "ID", "JOB", "TYPE", "STATUS", "DATES", "BY"),
    "audit": ("ID", "AT", "ACTOR", "ACTION", "EXECUTION", "REASON"),
}


def unit_key(u: Unit) -> str:
    return f"{u.business_date.isoformat()}|{u.target_key}"


def relation(e: Execution, of: Execution) -> str:
    if e.execution_id == of.replay_of:
        return "replay of"
    if e.execution_id == of.resumed_from:
        return "resumed from"
    if e.replay_of == of.execution_id:
        return "replayed by"
    if e.resumed_from == of.execution_id:
        return "resumed by"
    return "related"


def tab_labels(d: ExecutionDetail) -> dict[str, str]:
    """Every tab's label with its counts (cheap: no rows built)."""
    failed = sum(1 for u in d.units if u.status == "FAILED")
    return {
        "units": f"Units {len(d.units)}" + (f" ✖{failed}" if failed else ""),
        "events": f"Events {len(d.events)}",
        "logs": f"Logs {len(d.logs)}",
        "related": f"Related {len(d.related)}",
        "audit": f"Audit {len(d.audit)}",  # with the rows of its replays and resumes
    }


def tab_rows(name: str, d: ExecutionDetail, tz: tzinfo | None) -> Rows:
    """The rows of one table tab."""
    e = d.execution
    if name == "units":
        fixes = {u.key: u for u in d.failed_units}
        return [
            (
                unit_key(u),
                (
                    u.business_date.isoformat(),
                    u.target_key,
                    status_text(u.status),
                    unit_fix(fixes.get((u.business_date, u.target_key))),
                    Text(u.error_code or "", style="red"),
                    str(u.attempts),
                    one_line(u.message, 120),
                ),
            )
            for u in d.units
        ]
    if name == "events":
        return [
            (
                str(v.event_id),
                (
                    when(v.at, tz),
                    f"{v.from_status or '∅'} → {v.to_status}",
                    v.actor,
                    Text(v.error_code or "", style="red"),
                    one_line(v.message, 120),
                ),
            )
            for v in d.events
        ]
    if name == "related":
        return [
            (
                str(r.execution_id),
                (
                    relation(r, e),
                    f"#{r.execution_id}",
                    r.job_id,
                    run_type(r),
                    status_text(r.status),
                    dates(r),
                    r.requested_by,
                ),
            )
            for r in d.related
        ]
    return [
        (
            str(a.audit_id),
            (
                str(a.audit_id),
                when(a.at, tz),
                a.actor,
                a.action,
                Text(f"#{a.execution_id}", style="" if a.execution_id == e.execution_id else "bold")
                if a.execution_id is not None
                else "",
                one_line(a.reason, 100),
            ),
        )
        for a in d.audit
    ]


def same(a: object, b: object) -> bool:
    """Whether two cells draw the same (rich's Text equality ignores the text's own style)."""
    if isinstance(a, Text) and isinstance(b, Text):
        return a.plain == b.plain and a.style == b.style and a.spans == b.spans
    return type(a) is type(b) and a == b


def fill(table: DataTable[Any], rows: Rows) -> None:
    """Refills a table, keeping the cursor on the same row key."""
    keep = cursor_key(table)
    table.clear()
    for key, cells in rows:
        table.add_row(*cells, key=key)
    if keep is not None:
        move_cursor_to(table, keep, scroll=False)


def sync(table: DataTable[Any], before: Rows | None, rows: Rows) -> int:
    """Gives a table that shows ``before`` the rows ``rows``: changed cells in place, new rows at the end
    appended; rows reordered or removed refill it. Returns the cells written."""
    if before is not None and [k for k, _ in rows[: len(before)]] == [k for k, _ in before]:
        written = 0
        columns = list(table.columns)
        for (key, old), (_, new) in zip(before, rows, strict=False):
            for column, a, b in zip(columns, old, new, strict=True):
                if not same(a, b):
                    table.update_cell(key, column, b, update_width=True)
                    written += 1
        for key, cells in rows[len(before) :]:
            table.add_row(*cells, key=key)
            written += len(cells)
        return written
    fill(table, rows)
    return sum(len(cells) for _, cells in rows)
