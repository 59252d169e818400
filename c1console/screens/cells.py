"""How values read in a table cell or a line: statuses by symbol and word, failures' resolutions, run
types, business dates, progress, local times, one-line texts."""

from __future__ import annotations

from datetime import date, datetime, tzinfo
from typing import TYPE_CHECKING

from rich.text import Text

from c1console import errors
from c1console.presentation import STATUS_SYMBOL, duration, resolution_cell
from c1console.queries import ACKNOWLEDGED, HANDED_ON, OPEN, RESOLVED, ROLLED_BACK

if TYPE_CHECKING:
    from c1console.queries import Execution

# Colour only ever repeats what the symbol and the word already say (NO_COLOR keeps both).
STATUS_STYLE = {
    "READY": "cyan",
    "RUNNING": "bold yellow",
    "SUCCESS": "green",
    "FAILED": "bold red",
    "STOPPED": "magenta",
    "PENDING": "dim",
    "SKIPPED": "dim",
}
UNIT_SYMBOL = {**STATUS_SYMBOL, "PENDING": "○", "SKIPPED": "-"}
STATUS_ORDER = {"FAILED": 0, "RUNNING": 1, "READY": 2, "STOPPED": 3, "SUCCESS": 4}
LEVEL_STYLE = {"ERROR": "bold red", "WARNING": "yellow", "INFO": "", "DEBUG": "dim"}
BAR_WIDTH = 8
NARROW_JOB = 18  # a job name's most cells in a narrow table (the rest elided)

# A failure's state as a work item (sql/013), by symbol and word; the sort puts open ones first.
RESOLUTION_ORDER = {OPEN: 0, HANDED_ON: 1, ACKNOWLEDGED: 2, RESOLVED: 3, ROLLED_BACK: 4}


def status_text(status: str) -> Text:
    return Text(f"{UNIT_SYMBOL.get(status, '?')} {status}", style=STATUS_STYLE.get(status, ""))


def verdict_text(verdict: str) -> Text:
    """A checklist verdict: OK or ATTENTION, by symbol and word."""
    if verdict == "OK":
        return Text("✔ OK", style="bold green")
    return Text(f"⚠ {verdict}", style="bold yellow")


def run_type(e: Execution) -> str:
    return f"{e.run_type}/{e.replay_kind}" if e.replay_kind else e.run_type


def dates(e: Execution) -> str:
    start, end = e.business_date_from, e.business_date_to
    if start == end:
        return start.isoformat()
    if start.year == end.year:
        return f"{start.isoformat()}..{end.strftime('%m-%d')}"
    return f"{start.isoformat()}..{end.isoformat()}"


RESOLUTION_STYLE = {OPEN: "bold red", HANDED_ON: "yellow", ACKNOWLEDGED: "cyan", RESOLVED: "green"}


def resolution_text(e: Execution) -> Text:
    """Whether a FAILED or STOPPED execution is still open or how it was resolved (presentation's
    ``resolution_cell``), coloured by state; "⟲ rolled back" for any rolled-back execution."""
    r = e.resolution
    rolled_back = e.rolled_back_at is not None or (r is not None and r.state == ROLLED_BACK)
    if r is None or rolled_back:
        return Text(resolution_cell(None, rolled_back=rolled_back), style="magenta")
    cell = resolution_cell(
        r.state, fixed_by=r.fixed_by, fixed_by_compensation=r.fixed_by_compensation, handed_to=r.handed_to
    )
    return Text(cell, style=RESOLUTION_STYLE.get(r.state, ""))


def resolution_order(e: Execution) -> int:
    """Open failures first, then handed on, acknowledged, resolved, rolled back; other executions last."""
    if e.rolled_back_at is not None:
        return RESOLUTION_ORDER[ROLLED_BACK]
    return RESOLUTION_ORDER.get(e.resolution.state, 5) if e.resolution is not None else 6


def progress(e: Execution, *, bar: bool = True) -> Text:
    """Units done of the total, failed ones by ✖ count; a bar for a RUNNING one (``bar``: room for it)."""
    label = f"{e.units_done}/{e.units_total}"
    text = Text()
    if bar and e.status == "RUNNING" and e.units_total:
        finished = min(e.units_total, e.units_done + e.units_failed)
        filled = round(BAR_WIDTH * finished / e.units_total)
        text.append("█" * filled + "░" * (BAR_WIDTH - filled) + " ", style="yellow")
    text.append(label)
    if e.units_failed:
        text.append(f" ✖{e.units_failed}", style="red")
    return text


def when(value: datetime | None, tz: tzinfo | None) -> str:
    """A full local timestamp in the console's time zone (the clock's)."""
    if value is None:
        return ""
    return value.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S")


def short_when(value: datetime | None, tz: tzinfo | None, today: date) -> str:
    """Time only for today, month-day and minutes before that: fits a narrow column."""
    if value is None:
        return ""
    local = value.astimezone(tz)
    if local.date() == today:
        return local.strftime("%H:%M:%S")
    if local.year == today.year:
        return local.strftime("%m-%d %H:%M")
    return local.strftime("%Y-%m-%d")


def run_duration(e: Execution, now: datetime) -> str:
    return duration(e.started_at, e.ended_at, now if e.status == "RUNNING" else None)


def one_line(text: str | None, limit: int = 200) -> str:
    if not text:
        return ""
    flat = errors.one_line(text)
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
