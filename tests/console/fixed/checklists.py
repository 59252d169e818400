"""The daily and monthly checklists as c1console.checklists would compute them from the fixed rows."""

from __future__ import annotations

from datetime import date, timedelta

from c1console import checklists
from tests.console.fixed.rows import FAILED_ID, PERF, PRICES, RECON, STOPPED_ID, VALUATION, at


def daily_checklist(day: date) -> checklists.Daily:
    failures = [
        checklists.FailureItem(
            FAILED_ID,
            RECON,
            "AUTO",
            "FAILED",
            day.isoformat(),
            "C1-DQ-011",
            "Duplicate records",
            None,
            0,
            True,
            1047,
            at(12).isoformat(),
            checklists.OK,
        ),
        checklists.FailureItem(
            1040,
            PRICES,
            "AUTO",
            "FAILED",
            day.isoformat(),
            "C1-EXT-002",
            "External system timed out",
            None,
            2,
            False,
            None,
            None,
            checklists.ATTENTION,
        ),
        checklists.FailureItem(
            STOPPED_ID,
            VALUATION,
            "MANUAL",
            "STOPPED",
            day.isoformat(),
            None,
            None,
            "bob",
            0,
            True,
            1039,
            at(90).isoformat(),
            checklists.OK,
        ),
    ]
    jobs = [
        checklists.JobDay(PRICES, "0 6 * * 1-5", False, 1, 1, 0, 1040, "FAILED", checklists.ATTENTION),
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
        signoffs=[],
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
                "2026-10-02T06:00:31+00:00",
                "2026-10-30T06:00:29+00:00",
            ),
            checklists.ErrorTrend(
                "C1-DQ-011",
                "Duplicate records",
                4,
                4,
                [RECON],
                "2026-10-05T07:00:10+00:00",
                "2026-10-23T07:00:12+00:00",
            ),
            checklists.ErrorTrend(
                "C1-LOG-005",
                "Calculation error",
                1,
                3,
                [PERF],
                "2026-10-30T09:00:00+00:00",
                "2026-10-30T09:00:00+00:00",
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
