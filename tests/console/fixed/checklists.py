"""The daily and monthly checklists as c1console.checklists would compute them from the fixed rows."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from c1console import checklists
from c1console.queries import HANDED_ON, OPEN, RESOLVED
from tests.console.fixed.rows import FAILED_ID, PERF, PRICES, RECON, STOPPED_ID, VALUATION, at


def daily_signoffs() -> list[dict[str, Any]]:
    """Two sign-offs of one day, oldest first (as c1.checklist_signoff gives them): signed, then again."""
    return [
        {
            "signoff_id": 41,
            "signed_by": "bob",
            "signed_at": at(95),
            "comment": "prices replay #1041 still open; OPS-2215 follows the TSE feed",
        },
        {
            "signoff_id": 44,
            "signed_by": "carol",
            "signed_at": at(20),
            "comment": "checked again after the 09:00 replay: TSE still late, OPS-2215 escalated",
        },
    ]


def daily_checklist(day: date, signoffs: list[dict[str, Any]] | None = None) -> checklists.Daily:
    """The failures of the fixed rows covering ``day``, as c1.failure has them (rows.resolutions);
    ``signoffs``: the day's (none by default)."""

    def item(
        execution_id: int, job: str, run_type: str, status: str, **fields: object
    ) -> checklists.FailureItem:
        values: dict[str, object] = {
            "execution_id": execution_id,
            "job_id": job,
            "run_type": run_type,
            "status": status,
            "dates": day.isoformat(),
            "error_code": None,
            "error_title": None,
            "operator": None,
            "open_units": 0,
            "resolved": False,
            "resolved_by": None,
            "resolved_at": None,
            "verdict": checklists.OK,
        }
        return checklists.FailureItem(**{**values, **fields})  # type: ignore[arg-type]

    failures = [
        item(
            STOPPED_ID,
            VALUATION,
            "MANUAL",
            "STOPPED",
            operator="bob",
            stopped="stopped by bob",
            state=RESOLVED,
            resolved=True,
            resolved_by=1039,
            resolved_at=at(88.8).isoformat(),
        ),
        item(
            1040,
            PRICES,
            "AUTO",
            "FAILED",
            error_code="C1-EXT-002",
            error_title="External system timed out",
            state=HANDED_ON,
            handed_to=1041,
        ),
        item(
            1041,
            PRICES,
            "REPLAY",
            "FAILED",
            error_code="C1-EXT-002",
            error_title="External system timed out",
            operator="alice",
            open_units=1,
            state=OPEN,
            verdict=checklists.ATTENTION,
        ),
        item(
            FAILED_ID,
            RECON,
            "AUTO",
            "FAILED",
            error_code="C1-DQ-011",
            error_title="Duplicate records",
            state=RESOLVED,
            resolved=True,
            resolved_by=1047,
            resolved_at=at(11.8).isoformat(),
        ),
    ]
    jobs = [
        checklists.JobDay(PRICES, "0 6 * * 1-5", False, 1, 1, 0, 1044, "SUCCESS", checklists.ATTENTION),
        checklists.JobDay(
            VALUATION, "30 6 * * 1-5", False, 1, 0, 1, STOPPED_ID, "STOPPED", checklists.ATTENTION
        ),
        checklists.JobDay(RECON, "0 7 * * 1-5", False, 1, 1, 0, 1047, "SUCCESS", checklists.OK),
        checklists.JobDay(PERF, None, True, 0, 0, 0, None, None, checklists.OK),
    ]
    return checklists.Daily(
        business_date=day,
        verdict=checklists.ATTENTION,
        jobs=jobs,
        failures=failures,
        missed=[{"job_id": VALUATION, "scheduled_for": f"{day}T06:30:00+09:00"}],
        long_running=[],
        failed_deliveries=[
            {
                "notification_id": 77,
                "event": "execution_failed",
                "channel": "slack",
                "attempts": 5,
                "last_error": "HTTP 503 from hooks.slack.com",
            }
        ],
        signoffs=list(signoffs or []),
    )


def monthly_checklist(first: date) -> checklists.Monthly:
    per_day = [0, 1, 0, 0, 2, 0, 0, 0, 1, 0, 0, 3, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 5, 1, 0, 0, 0, 0, 0, 2, 1]
    return checklists.Monthly(
        month=first.strftime("%Y-%m"),
        replays={
            RECON: {"SINGLE": [1, 0, 2, 0, 0], "RANGE": [0, 1, 0, 0, 0]},
            PRICES: {"RANGE": [0, 0, 1, 1, 0]},
        },
        replays_previous={RECON: {"SINGLE": 1}, VALUATION: {"FULL": 1}},
        replay_total=6,
        replay_total_previous=2,
        errors=[
            checklists.ErrorTrend(
                "C1-EXT-002",
                "External system timed out",
                9,
                4,
                [PRICES],
                "2026-10-02",
                "2026-10-30",
            ),
            checklists.ErrorTrend(
                "C1-DQ-011",
                "Duplicate records",
                4,
                4,
                [RECON],
                "2026-10-05",
                "2026-10-23",
            ),
            checklists.ErrorTrend(
                "C1-LOG-005",
                "Calculation error",
                1,
                3,
                [PERF],
                "2026-10-30",
                "2026-10-30",
            ),
        ],
        failures_per_day=per_day[: ((first + timedelta(days=32)).replace(day=1) - first).days],
        mttr_seconds=3900.0,
        recovered=11,
        still_open=1,
        interventions={"alice": {"exec.replay": 4, "exec.trigger": 2}, "bob": {"exec.stop": 1}},
        signoffs=[
            {
                "signed_by": "carol",
                "signed_at": at(600),
                "comment": "one open item: ticket OPS-2211 follows it",
            }
        ],
    )
