"""Counts the fault suite reports in pytest's summary (what was thrown at the system, what held)."""

from collections import Counter

COUNTS: Counter[str] = Counter()
