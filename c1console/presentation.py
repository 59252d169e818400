"""How states and times read, the same in the console and the CLI: symbol + word, never colour alone."""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

STATUS_SYMBOL = {
    "READY": "◷",
    "RUNNING": "▶",
    "SUCCESS": "✔",
    "FAILED": "✖",
    "STOPPED": "■",
    # unit statuses
    "PENDING": "○",
    "SKIPPED": "-",
}


# Said wherever alert failures would otherwise look like "none": with no channel, nobody hears of them.
NO_ALERT_CHANNEL = "no alert channel configured — failures reach nobody; see [alerts] in the config"


# A FAILED or STOPPED execution as a work item (sql/013's states): the mark that goes with the words.
STATE_MARK = {"OPEN": "●", "RESOLVED": "↻", "HANDED_ON": "→", "ACKNOWLEDGED": "✓", "ROLLED_BACK": "⟲"}


def resolution_cell(
    state: str | None,
    *,
    rolled_back: bool = False,
    fixed_by: int | None = None,
    fixed_by_compensation: int | None = None,
    handed_to: int | None = None,
) -> str:
    """A work item's state in a table cell, the console's and the CLI's: "● open", "↻ #124" (resolved by
    that execution), "↻ comp #3" (by an approved compensation), "→ #130" (handed on), "✓ ack", and
    "⟲ rolled back" for any rolled-back execution; "" for an execution that is neither."""
    if rolled_back or state == "ROLLED_BACK":
        return f"{STATE_MARK['ROLLED_BACK']} rolled back"
    if state is None:
        return ""
    if state == "OPEN":
        return f"{STATE_MARK['OPEN']} open"
    if state == "HANDED_ON":
        return (
            f"{STATE_MARK['HANDED_ON']} #{handed_to}" if handed_to else f"{STATE_MARK['HANDED_ON']} handed on"
        )
    if state == "ACKNOWLEDGED":
        return f"{STATE_MARK['ACKNOWLEDGED']} ack"
    if fixed_by is not None:
        return f"{STATE_MARK['RESOLVED']} #{fixed_by}"
    if fixed_by_compensation is not None:
        return f"{STATE_MARK['RESOLVED']} comp #{fixed_by_compensation}"
    return f"{STATE_MARK['RESOLVED']} resolved"


def stopped_after(status: str, stopped_by: str | None, failed_units: int) -> str | None:
    """How an operator's stop reads: "stopped by bob", or, when units had failed before the stop (the runner
    ends it FAILED, keeping the failure's code and alert), "stopped by bob after 2 failed units"."""
    if stopped_by is None or status not in ("FAILED", "STOPPED"):
        return None
    if status == "FAILED" and failed_units:
        return f"stopped by {stopped_by} after {failed_units} failed unit{'s' if failed_units != 1 else ''}"
    return f"stopped by {stopped_by}"


def status_label(status: str) -> str:
    return f"{STATUS_SYMBOL.get(status, '?')} {status}"


def duration(start: datetime | None, end: datetime | None, now: datetime | None = None) -> str:
    if start is None:
        return ""
    finish = end or now
    if finish is None:
        return ""
    return human_duration(finish - start)


def human_duration(delta: timedelta) -> str:
    seconds = max(0, int(delta.total_seconds()))
    if seconds < 60:
        return f"{seconds}s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m{seconds:02d}s"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours}h{minutes:02d}m"
    return f"{hours // 24}d{hours % 24:02d}h"


def timestamp(value: datetime | None, tz: tzinfo | None = None) -> str:
    """Local time by default; the console passes its clock's zone so snapshots do not depend on the host."""
    if value is None:
        return ""
    return value.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S")


def iso_timestamp(value: str, tz: tzinfo | None = None) -> str:
    """An ISO-8601 time kept as text (checklist JSON), shown like every other time."""
    try:
        return timestamp(datetime.fromisoformat(value), tz)
    except (TypeError, ValueError):
        return str(value)


def date_range(start: object, end: object) -> str:
    return str(start) if start == end else f"{start}..{end}"


def table(headers: list[str], rows: list[list[str]]) -> str:
    """A plain aligned text table for the CLI."""
    widths = [len(h) for h in headers]
    for row in rows:
        widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=True)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    return "\n".join(lines)
