"""Fixed data for the console's snapshot tests: the read side (``FixedQueries``) over hard-coded rows, a
frozen clock and canned ops answers (``FixedActions``), so every rendering is byte-stable across runs and
machines.

``build_app()`` gives a ready ConsoleApp (live=False, nothing touches a database or the wall clock). By
stage: rows.py (executions, units, events, logs), records.py (audit, jobs, alerts, compensations),
checklists.py, queries.py, actions.py, app.py.
"""

from __future__ import annotations

from tests.console.fixed.actions import FixedActions, registry
from tests.console.fixed.app import HEADER, build_app
from tests.console.fixed.checklists import daily_checklist, monthly_checklist
from tests.console.fixed.queries import FixedQueries
from tests.console.fixed.records import (
    audit_entries,
    compensations,
    evidence,
    job_rows,
    notifications,
    versions,
)
from tests.console.fixed.rows import (
    ACCOUNTS,
    FAILED_ID,
    FEEDS,
    FRIDAY,
    MONDAY,
    NEW_ID,
    NOW,
    PERF,
    PRICES,
    RECON,
    RUNNING_ID,
    STOPPED_ID,
    TODAY,
    TZ,
    VALUATION,
    at,
    events_of,
    execution,
    executions,
    frozen_clock,
    logs_of,
    units_of,
)

__all__ = [
    "ACCOUNTS",
    "FAILED_ID",
    "FEEDS",
    "FRIDAY",
    "HEADER",
    "MONDAY",
    "NEW_ID",
    "NOW",
    "PERF",
    "PRICES",
    "RECON",
    "RUNNING_ID",
    "STOPPED_ID",
    "TODAY",
    "TZ",
    "VALUATION",
    "FixedActions",
    "FixedQueries",
    "at",
    "audit_entries",
    "build_app",
    "compensations",
    "daily_checklist",
    "events_of",
    "evidence",
    "execution",
    "executions",
    "frozen_clock",
    "job_rows",
    "logs_of",
    "monthly_checklist",
    "notifications",
    "registry",
    "units_of",
    "versions",
]
