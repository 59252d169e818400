"""The daily and monthly operations checklists, computed from store/reviews.py queries (rendered as text,
Markdown or JSON by c1console/checklist_text.py, re-exported here). Pure over the query results, apart from
`daily()` / `monthly()` which run them."""

from __future__ import annotations

import functools
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from c1console import errors
from c1console.checklist_text import render_daily, render_monthly, to_json
from c1console.errors import BadInput
from c1console.inputs import printable
from c1console.jobs import WEEKDAYS, fire_times, parse_schedule
from c1console.presentation import (
    STATE_MARK,
    date_range,
    stopped_after,
)
from c1console.store import reviews
from c1console.store.engine import Database, connection
from c1console.store.failures import ACKNOWLEDGED, HANDED_ON, OPEN, RESOLVED, ROLLED_BACK

__all__ = [
    "ATTENTION",
    "BASIS",
    "OK",
    "Daily",
    "ErrorTrend",
    "FailureItem",
    "JobDay",
    "Monthly",
    "daily",
    "monthly",
    "parse_month",
    "previous_business_day",
    "render_daily",
    "render_monthly",
    "to_json",
]

OK, ATTENTION = "OK", "ATTENTION"
# What both checklists count by (the decision of issue 15): an execution belongs to a day when its business
# dates cover it, to a month when they overlap it; said on both screens and in every rendering.
BASIS = "business date"
LONG_RUNNING_SECONDS = 2 * 3600


@dataclass(frozen=True)
class JobDay:
    job_id: str
    schedule: str | None
    paused: bool
    expected_fires: int
    auto_runs: int
    missed: int
    latest_execution_id: int | None
    latest_status: str | None
    verdict: str


@dataclass(frozen=True)
class FailureItem:
    """A FAILED or STOPPED execution of the day as a work item: its state is c1.failure's (sql/013)."""

    execution_id: int
    job_id: str
    run_type: str
    status: str
    dates: str
    error_code: str | None
    error_title: str | None
    operator: str | None
    open_units: int
    resolved: bool  # every unit that did not succeed has a good result since (state RESOLVED)
    resolved_by: int | None
    resolved_at: str | None
    verdict: str  # ATTENTION only while OPEN
    state: str = OPEN  # OPEN, HANDED_ON, RESOLVED, ACKNOWLEDGED or ROLLED_BACK
    resolved_by_compensation: int | None = None
    handed_to: int | None = None  # the replay or resume its open units moved to (HANDED_ON)
    acked_by: str | None = None
    acked_at: str | None = None
    ack_reason: str | None = None
    rolled_back_by: str | None = None
    rolled_back_at: str | None = None
    rolled_back_reason: str | None = None
    stopped: str | None = None  # "stopped by bob after 2 failed units"

    @property
    def is_open(self) -> bool:
        return self.state == OPEN

    @property
    def mark(self) -> str:
        return STATE_MARK.get(self.state, "?")

    def state_text(self) -> str:
        """The state in words, after its mark: reads the same with and without colour."""
        if self.state == OPEN:
            return f"OPEN: {self.open_units} unit(s) without a good result"
        if self.state == HANDED_ON:
            return f"handed on to #{self.handed_to} (its replay or resume failed too)"
        if self.state == ACKNOWLEDGED:
            return f"acknowledged by {self.acked_by}: {self.ack_reason or ''}".rstrip(": ")
        if self.state == ROLLED_BACK:
            return f"rolled back by {self.rolled_back_by}: {self.rolled_back_reason or ''}".rstrip(": ")
        if self.resolved_by is not None:
            return f"resolved by #{self.resolved_by}"
        if self.resolved_by_compensation is not None:
            return f"resolved by compensation #{self.resolved_by_compensation}"
        return "resolved"

    def short_state(self) -> str:
        """The state in a table cell: "● OPEN 2 unit(s)", "↻ #124", "→ #130", "✓ ack kim", "⟲ rolled back"."""
        if self.state == OPEN:
            return f"{self.mark} OPEN {self.open_units} unit(s)"
        if self.state == HANDED_ON:
            return f"{self.mark} #{self.handed_to}"
        if self.state == ACKNOWLEDGED:
            return f"{self.mark} ack {self.acked_by}"
        if self.state == ROLLED_BACK:
            return f"{self.mark} rolled back"
        if self.resolved_by is not None:
            return f"{self.mark} #{self.resolved_by}"
        if self.resolved_by_compensation is not None:
            return f"{self.mark} comp #{self.resolved_by_compensation}"
        return f"{self.mark} resolved"


@dataclass(frozen=True)
class Daily:
    business_date: date
    verdict: str
    jobs: list[JobDay]
    failures: list[FailureItem]
    missed: list[dict[str, str]]
    long_running: list[dict[str, Any]]
    failed_deliveries: list[dict[str, Any]]
    signoffs: list[dict[str, Any]] = field(default_factory=list)
    # the alert channels configured where this was computed; [] says failures reach nobody, None: not known
    alert_channels: list[str] | None = None
    basis: str = BASIS

    @property
    def period(self) -> str:
        return self.business_date.isoformat()

    @property
    def no_alert_channel(self) -> bool:
        return self.alert_channels is not None and not self.alert_channels

    @property
    def open_items(self) -> int:
        return (
            sum(f.is_open for f in self.failures)
            + len(self.missed)
            + len(self.long_running)
            + len(self.failed_deliveries)
        )

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self) | {"kind": "daily", "period": self.period, "open_items": self.open_items}
        data["failures"] = [
            asdict(f) | {"open": f.is_open, "summary": f"{f.mark} {f.state_text()}"} for f in self.failures
        ]
        return _jsonable(data)


def previous_business_day(today: date | None = None) -> date:
    return WEEKDAYS.previous(today or date.today())


def _day_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), tz)
    return start, start + timedelta(days=1)


def daily(
    db: Database,
    day: date | None = None,
    *,
    tz: str = "UTC",
    lang: str = "en",
    long_running_seconds: float = LONG_RUNNING_SECONDS,
    alert_channels: Sequence[str] | None = None,
) -> Daily:
    """``alert_channels``: Settings.channels, so the checklist can say when none is configured."""
    day = day or previous_business_day()
    zone = ZoneInfo(tz)
    start, end = _day_bounds(day, zone)
    with connection(db) as conn:
        failures = reviews.failures_on(conn, day)
        latest = reviews.latest_per_job(conn, day)
        # each job's calendar day is in its own timezone: fetch a margin, filter per job below
        fired = reviews.auto_fires(conn, start - timedelta(days=1), end + timedelta(days=1))
        missed = reviews.missed_fires(conn, start - timedelta(days=1), end + timedelta(days=1))
        running = reviews.long_running(conn, long_running_seconds)
        deliveries = reviews.failed_deliveries(conn, start, end)
        job_schedules = reviews.schedules(conn)
        signed = reviews.signoffs(conn, "DAILY", day.isoformat())
    checklist = build_daily(
        day, failures, latest, fired, missed, running, deliveries, job_schedules, signed, lang=lang
    )
    if alert_channels is None:
        return checklist
    return Daily(**{**checklist.__dict__, "alert_channels": list(alert_channels)})


@functools.lru_cache(maxsize=4096)
def _expected(cron: str | None, job_tz: str, job_id: str, day: date) -> int:
    """How many times the cron fires on ``day`` in the job's zone. Walking an every-minute cron through
    APScheduler costs ~0.1 s a day; a console re-render or a sign-off asks again for the same day."""
    if not cron:
        return 0
    trigger = parse_schedule(job_id, cron, job_tz)
    start, end = _day_bounds(day, ZoneInfo(job_tz))
    return len(fire_times(trigger, start - timedelta(microseconds=1), end - timedelta(microseconds=1)))


def build_daily(
    day: date,
    failures: list[reviews.FailureRow],
    latest: dict[str, tuple[int, str]],
    fired: list[tuple[str, datetime]],
    missed: list[tuple[str, datetime]],
    running: list[tuple[int, str, datetime, str | None]],
    deliveries: list[dict[str, Any]],
    job_schedules: list[tuple[str, str | None, str, bool]],
    signed: list[dict[str, Any]],
    *,
    lang: str = "en",
) -> Daily:
    zones = {job_id: ZoneInfo(job_tz) for job_id, _cron, job_tz, _paused in job_schedules}

    def on_day(job_id: str, at: datetime) -> bool:
        return at.astimezone(zones.get(job_id, UTC)).date() == day

    missed = [(job_id, at) for job_id, at in missed if on_day(job_id, at)]
    missed_by_job = Counter(job_id for job_id, _at in missed)
    fired_by_job = Counter(job_id for job_id, at in fired if on_day(job_id, at))
    failure_items = [_failure_item(f, lang) for f in failures]
    open_jobs = {f.job_id for f in failure_items if f.is_open}
    jobs = []
    for job_id, cron, job_tz, paused in job_schedules:
        last = latest.get(job_id)
        # a FAILED latest run is in the failures: it needs attention while it is open, not once resolved
        bad = job_id in open_jobs or missed_by_job.get(job_id, 0) > 0
        jobs.append(
            JobDay(
                job_id=job_id,
                schedule=cron,
                paused=paused,
                expected_fires=_expected(cron, job_tz, job_id, day),
                auto_runs=fired_by_job.get(job_id, 0),
                missed=missed_by_job.get(job_id, 0),
                latest_execution_id=last[0] if last else None,
                latest_status=last[1] if last else None,
                verdict=ATTENTION if bad else OK,
            )
        )
    checklist = Daily(
        business_date=day,
        verdict=OK,
        jobs=jobs,
        failures=failure_items,
        missed=[{"job_id": j, "scheduled_for": at.isoformat()} for j, at in missed],
        long_running=[
            {"execution_id": i, "job_id": j, "started_at": s.isoformat(), "runner_id": r}
            for i, j, s, r in running
        ],
        failed_deliveries=deliveries,
        signoffs=signed,
    )
    verdict = ATTENTION if checklist.open_items or any(j.verdict == ATTENTION for j in jobs) else OK
    return Daily(**{**checklist.__dict__, "verdict": verdict})


def _failure_item(f: reviews.FailureRow, lang: str) -> FailureItem:
    entry = errors.lookup(f.error_code)
    r = f.resolution
    resolved = r.state == RESOLVED
    return FailureItem(
        execution_id=f.execution_id,
        job_id=f.job_id,
        run_type=f.run_type,
        status=f.status,
        dates=date_range(f.business_date_from, f.business_date_to),
        error_code=f.error_code,
        error_title=entry.title.get(lang) if entry else None,  # type: ignore[arg-type]
        operator=f.stop_requested_by
        if f.stop_requested_by is not None
        else (None if f.run_type == "AUTO" else f.requested_by),
        open_units=r.open_units,
        resolved=resolved,
        resolved_by=r.fixed_by if resolved else None,
        resolved_at=_iso(r.fixed_at) if resolved else None,
        verdict=ATTENTION if r.is_open else OK,
        state=r.state,
        resolved_by_compensation=r.fixed_by_compensation if resolved else None,
        handed_to=r.handed_to if r.state == HANDED_ON else None,
        acked_by=r.acked_by,
        acked_at=_iso(r.acked_at),
        ack_reason=r.ack_reason,
        rolled_back_by=r.rolled_back_by,
        rolled_back_at=_iso(r.rolled_back_at),
        rolled_back_reason=r.rolled_back_reason,
        stopped=stopped_after(f.status, f.stop_requested_by, f.units_failed),
    )


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


# Monthly -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ErrorTrend:
    code: str
    title: str | None
    failures: int
    previous: int
    jobs: list[str]
    first_seen: str
    last_seen: str

    @property
    def trend(self) -> str:
        if self.failures > self.previous:
            return "up"
        return "down" if self.failures < self.previous else "same"


@dataclass(frozen=True)
class Monthly:
    month: str
    replays: dict[str, dict[str, list[int]]]  # job -> kind -> counts for weeks 1..5 (of business dates)
    replays_previous: dict[str, dict[str, int]]  # job -> kind -> count in the previous month
    replay_total: int
    replay_total_previous: int
    errors: list[ErrorTrend]
    failures_per_day: list[int]  # FAILED executions covering each business day, as the daily lists them
    mttr_seconds: float | None  # mean of (last fix - failed ended_at) over the resolved failures
    recovered: int
    still_open: int  # failures (FAILED or STOPPED) of the month in state OPEN
    interventions: dict[str, dict[str, int]]  # operator -> action -> count
    signoffs: list[dict[str, Any]] = field(default_factory=list)
    basis: str = BASIS

    @property
    def period(self) -> str:
        return self.month

    @property
    def verdict(self) -> str:
        return ATTENTION if self.still_open else OK

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self) | {"kind": "monthly", "period": self.month, "verdict": self.verdict}
        data["errors"] = [asdict(e) | {"trend": e.trend} for e in self.errors]
        return _jsonable(data)


def parse_month(text: str | None, today: date | None = None) -> date:
    """'YYYY-MM' to the month's first day; default the previous month."""
    if text is None:
        first = (today or date.today()).replace(day=1)
        return (first - timedelta(days=1)).replace(day=1)
    try:
        year, month = text.strip().split("-")
        return date(int(year), int(month), 1)
    except ValueError:
        raise BadInput(
            f"--month: '{printable(text)}' is not a month", hint="use YYYY-MM, e.g. 2026-10"
        ) from None


def _month_last(first: date) -> date:
    return (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)


def monthly(db: Database, month: date | None = None, *, tz: str = "UTC", lang: str = "en") -> Monthly:
    """The month's executions are those whose business dates overlap it; ``tz`` places the audited acts
    that concern no execution (pauses, sign-offs) in it by when they happened."""
    first = month or parse_month(None)
    last = _month_last(first)
    previous_first = (first - timedelta(days=1)).replace(day=1)
    previous_last = first - timedelta(days=1)
    zone = ZoneInfo(tz)
    start = datetime.combine(first, time(0), zone)
    end = datetime.combine(last + timedelta(days=1), time(0), zone)
    with connection(db) as conn:
        replays = reviews.replays_by_week(conn, first, last)
        replays_prev = reviews.replays_by_week(conn, previous_first, previous_last)
        codes = reviews.errors_by_code(conn, first, last)
        codes_prev = reviews.errors_by_code(conn, previous_first, previous_last)
        per_day = reviews.failures_per_day(conn, first, last)
        recoveries = reviews.recoveries(conn, first, last)
        acts = reviews.interventions(conn, first, last, start, end)
        signed = reviews.signoffs(conn, "MONTHLY", first.strftime("%Y-%m"))
    return build_monthly(
        first, replays, replays_prev, codes, codes_prev, per_day, recoveries, acts, signed, lang=lang
    )


def build_monthly(
    first: date,
    replays: list[tuple[str, str, int, int]],
    replays_prev: list[tuple[str, str, int, int]],
    codes: list[dict[str, Any]],
    codes_prev: list[dict[str, Any]],
    per_day: dict[date, int],
    recoveries: list[reviews.Recovery],
    acts: list[tuple[str, str, int]],
    signed: list[dict[str, Any]],
    *,
    lang: str = "en",
) -> Monthly:
    weekly: dict[str, dict[str, list[int]]] = {}
    for job, kind, week, count in replays:
        weekly.setdefault(job, {}).setdefault(kind, [0] * 5)[min(week, 5) - 1] += count
    previous: dict[str, dict[str, int]] = {}
    for job, kind, _week, count in replays_prev:
        previous.setdefault(job, {})[kind] = previous.get(job, {}).get(kind, 0) + count
    before = {c["code"]: c["failures"] for c in codes_prev}
    trends = []
    for c in codes:
        entry = errors.lookup(c["code"])
        trends.append(
            ErrorTrend(
                code=c["code"],
                title=entry.title.get(lang) if entry else None,  # type: ignore[arg-type]
                failures=c["failures"],
                previous=before.get(c["code"], 0),
                jobs=list(c["jobs"]),
                first_seen=c["first_seen"].isoformat(),
                last_seen=c["last_seen"].isoformat(),
            )
        )
    days = (_month_last(first) - first).days + 1
    durations = [
        max(0.0, (r.fixed_at - r.ended_at).total_seconds())
        for r in recoveries
        if r.state == RESOLVED and r.fixed_at is not None and r.ended_at is not None
    ]
    by_operator: dict[str, dict[str, int]] = {}
    for actor, action, count in acts:
        by_operator.setdefault(actor, {})[action] = count
    return Monthly(
        month=first.strftime("%Y-%m"),
        replays=weekly,
        replays_previous=previous,
        replay_total=sum(r[3] for r in replays),
        replay_total_previous=sum(r[3] for r in replays_prev),
        errors=trends,
        failures_per_day=[per_day.get(first + timedelta(days=n), 0) for n in range(days)],
        mttr_seconds=sum(durations) / len(durations) if durations else None,
        recovered=len(durations),
        still_open=sum(1 for r in recoveries if r.state == OPEN),
        interventions=by_operator,
        signoffs=signed,
    )


def _jsonable(value: Any) -> Any:
    return json.loads(
        json.dumps(value, default=lambda v: v.isoformat() if hasattr(v, "isoformat") else str(v))
    )
