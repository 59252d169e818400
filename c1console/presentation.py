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
