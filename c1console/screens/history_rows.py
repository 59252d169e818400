"""A row of the executions table: its columns, its cells (built in the worker that reads a page) and the
value each column sorts by."""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any

from rich.text import Text

from c1console.queries import TERMINAL
from c1console.screens.cells import (
    NARROW_JOB,
    STATUS_ORDER,
    dates,
    progress,
    resolution_order,
    resolution_text,
    run_duration,
    run_type,
    short_when,
    status_text,
)

if TYPE_CHECKING:
    from c1console.queries import Execution

# What matters most for the work comes first (status, open or resolved, progress, error code): at 80
# columns those stay in view, and the columns past the right edge are a scroll away.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "ID"),
    ("job", "JOB"),
    ("status", "STATUS"),
    ("resolution", "RESOLUTION"),
    ("progress", "PROGRESS"),
    ("error", "ERROR"),
    ("dates", "DATES"),
    ("type", "TYPE"),
    ("started", "STARTED"),
    ("duration", "DURATION"),
    ("by", "BY"),
)
LABELS = dict(COLUMNS)
NEWEST_FIRST = ("id", "started", "duration")  # columns whose first sort is descending
WIDE_AT = 120  # narrower screens elide long job names and show progress without its bar
MARK = "*"  # before a marked row's id (space marks; NO_COLOR reads it too)
Cells = tuple[Any, ...]


def plain(value: str) -> Text:
    """A text cell as the table would make it from a str, minus the markup parsing: job names, reasons
    and operators are shown as typed, and a 100-row page is not parsed 600 times."""
    return Text(value, no_wrap=True, end="")


def id_cell(execution_id: int, *, marked: bool = False) -> Text:
    if marked:
        return Text(f"{MARK}{execution_id}", style="bold magenta", justify="right")
    return Text(str(execution_id), justify="right")


def row_id(cell: Text) -> int:
    """The execution id an ID cell shows (marked or not)."""
    return int(cell.plain.lstrip(MARK))


def cells(
    e: Execution, now: datetime, tz: tzinfo | None, *, narrow: bool = False, marked: bool = False
) -> Cells:
    """A row's cells in COLUMNS order; ``narrow``: long job names elided, no progress bar."""
    status = status_text(e.status)
    if e.stop_requested_at is not None and e.status not in TERMINAL:
        status.append(" stopping", style="magenta")
    job = plain(e.job_id)
    if narrow and job.cell_len > NARROW_JOB:
        job.truncate(NARROW_JOB, overflow="ellipsis")
    return (
        id_cell(e.execution_id, marked=marked),
        job,
        status,
        resolution_text(e),
        progress(e, bar=not narrow),
        Text(e.error_code or "", style="red"),
        plain(dates(e)),
        plain(run_type(e)),
        plain(short_when(e.started_at, tz, now.date())),
        plain(run_duration(e, now)),
        plain(e.requested_by),
    )


def sort_value(column: str, e: Execution, now: datetime) -> Any:
    if column == "job":
        return e.job_id
    if column == "type":
        return run_type(e)
    if column == "status":
        return STATUS_ORDER.get(e.status, 9)
    if column == "resolution":
        return resolution_order(e)
    if column == "dates":
        return (e.business_date_from, e.business_date_to)
    if column == "started":
        return (e.started_at or e.created_at).timestamp()
    if column == "duration":
        if e.started_at is None:
            return -1.0
        return ((e.ended_at or now) - e.started_at).total_seconds()
    if column == "progress":
        return (e.units_done + e.units_failed) / e.units_total if e.units_total else 0.0
    if column == "error":
        return e.error_code or ""
    if column == "by":
        return e.requested_by
    return 0
