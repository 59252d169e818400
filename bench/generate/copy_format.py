"""Values as COPY text (timestamps, JSON exactly as PostgreSQL prints jsonb, arrays, escapes), and the
buffer that sends the rows of one COPY."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from typing import Any

import psycopg
from psycopg.copy import QueuedLibpqWriter

from bench.generate.parameters import DAY_US, EPOCH, NULL, US


def _day_strings() -> Callable[[int], str]:
    cache: dict[int, str] = {}

    def day(n: int) -> str:
        text = cache.get(n)
        if text is None:
            text = cache[n] = date.fromordinal(EPOCH + n).isoformat()
        return text

    return day


_DAY = _day_strings()


_MINUTES: dict[int, str] = {}


def ts(us: int) -> str:
    """timestamptz in COPY text, UTC (the text of each minute is cached: rows come roughly in time order)."""
    second, micro = divmod(us, US)
    minute, s = divmod(second, 60)
    head = _MINUTES.get(minute)
    if head is None:
        if len(_MINUTES) > 500_000:
            _MINUTES.clear()
        d, m = divmod(minute, 1440)
        h, m = divmod(m, 60)
        head = _MINUTES[minute] = f"{_DAY(d)} {h:02d}:{m:02d}:"
    return f"{head}{s:02d}.{micro:06d}+00"


def ts_canonical(us: int) -> str:
    """The timestamp as c1.audit_canonical() renders it: to_char(at AT TIME ZONE 'UTC', ...US"Z")."""
    d, rest = divmod(us, DAY_US)
    s, micro = divmod(rest, US)
    h, s = divmod(s, 3600)
    m, s = divmod(s, 60)
    return f"{_DAY(d)}T{h:02d}:{m:02d}:{s:02d}.{micro:06d}Z"


def iso(us: int) -> str:
    return datetime.fromtimestamp(us / US, UTC).isoformat()


def esc(value: object) -> str:
    """A value in COPY text format."""
    if value is None:
        return NULL
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


def jsonb_text(value: Any) -> str:
    """JSON exactly as PostgreSQL prints a jsonb value: object keys ordered by length then bytes, ', ' and
    ': ' separators, the same string escapes. Only the types the generator uses (no floats)."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(jsonb_text(v) for v in value) + "]"
    if isinstance(value, dict):
        keys = sorted(value, key=lambda k: (len(k.encode()), k.encode()))
        return (
            "{"
            + ", ".join(f"{json.dumps(k, ensure_ascii=False)}: {jsonb_text(value[k])}" for k in keys)
            + "}"
        )
    raise TypeError(f"jsonb_text: unsupported {type(value).__name__}")


def array_text(items: Iterable[str]) -> str:
    return "{" + ",".join(items) + "}"


class Copier:
    """Buffers COPY text and sends it in large writes."""

    def __init__(self, cur: psycopg.Cursor[Any], table: str, columns: str) -> None:
        # A writer thread sends while this thread keeps generating rows.
        self.cm = cur.copy(f"COPY c1.{table} ({columns}) FROM STDIN", writer=QueuedLibpqWriter(cur))
        self.copy = self.cm.__enter__()
        self.buf: list[str] = []
        self.rows = 0
        self.table = table

    def add(self, line: str) -> None:
        self.buf.append(line)
        if len(self.buf) >= 20_000:
            self.flush()

    def flush(self) -> None:
        if self.buf:
            self.rows += len(self.buf)
            self.copy.write("".join(self.buf))
            self.buf.clear()

    def close(self) -> int:
        self.flush()
        self.cm.__exit__(None, None, None)
        return self.rows
