"""Parsing what operators type (CLI arguments and dialog fields). Bad input is a BadInput (exit 2)."""

from __future__ import annotations

import re
from datetime import date, timedelta

from c1console.errors import BadInput

DATE_FORMS = "YYYY-MM-DD, today, yesterday or Nd (N days ago)"
MAX_REASON = 2000
EARLIEST, LATEST = date(1900, 1, 1), date(2999, 12, 31)  # business dates outside make no sense here


def parse_date(text: str, what: str = "date", *, today: date | None = None) -> date:
    value = text.strip().lower()
    today = today or date.today()
    if value == "today":
        return today
    if value == "yesterday":
        return today - timedelta(days=1)
    if match := re.fullmatch(r"(\d{1,4})d", value):
        return today - timedelta(days=int(match[1]))
    try:
        parsed = date.fromisoformat(value) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) else _bad(text, what)
    except ValueError:
        return _bad(text, what)
    if not EARLIEST <= parsed <= LATEST:
        raise BadInput(
            f"{what}: {parsed} is out of range", hint=f"use a date between {EARLIEST} and {LATEST}"
        )
    return parsed


def _bad(text: str, what: str) -> date:
    raise BadInput(f"{what}: '{printable(text)}' is not a date", hint=f"use {DATE_FORMS}")


def parse_choice(text: str, choices: tuple[str, ...], what: str) -> list[str]:
    """A comma-separated list of choices, case-insensitive."""
    picked = [part.strip().upper() for part in text.split(",") if part.strip()]
    wrong = [p for p in picked if p not in choices]
    if wrong or not picked:
        raise BadInput(f"{what}: '{printable(text)}' is not one of {', '.join(choices)}")
    return picked


def parse_id(text: str, what: str = "execution id") -> int:
    value = text.strip().lstrip("#")
    if not re.fullmatch(r"\d{1,18}", value) or int(value) == 0:
        raise BadInput(
            f"{what}: '{printable(text)}' is not an id", hint="ids are positive numbers, like 1234"
        )
    return int(value)


def parse_reason(text: str | None, *, required: bool = True) -> str | None:
    """A reason is one line of readable text; control characters are refused, not silently stripped."""
    value = (text or "").strip()
    if not value:
        if required:
            raise BadInput("a reason is required", hint="say why with --reason TEXT")
        return None
    if has_control(value):
        raise BadInput("the reason contains control characters", hint="use plain text on one line")
    if len(value) > MAX_REASON:
        raise BadInput(f"the reason is {len(value)} characters long", hint=f"keep it under {MAX_REASON}")
    return value


def parse_text(text: str, what: str) -> str | None:
    """Text to filter or search by (a search, an actor, an action, job ids): stripped, None when blank.
    Control characters are refused like in a reason: nothing stored holds them, and PostgreSQL refuses a
    NUL in a query parameter outright (the console logged that as an unexpected error)."""
    value = text.strip()
    if has_control(value):
        raise BadInput(f"{what}: '{printable(text)}' contains control characters", hint="use plain text")
    return value or None


def has_control(text: str) -> bool:
    return any(ord(ch) < 32 or ord(ch) == 127 for ch in text)


def printable(text: str, limit: int = 60) -> str:
    """Untrusted text made safe to echo in a one-line message."""
    cleaned = "".join(ch if ch.isprintable() else "?" for ch in text)
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"
