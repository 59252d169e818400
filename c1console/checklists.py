"""The daily and monthly operations checklists: computed from store/reviews.py queries, rendered as text,
Markdown or JSON. Pure over the query results, apart from `daily()` / `monthly()` which run them."""

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
from c1console.errors import BadInput
from c1console.inputs import printable
from c1console.jobs import WEEKDAYS, fire_times, parse_schedule
from c1console.presentation import NO_ALERT_CHANNEL, date_range, human_duration, iso_timestamp
from c1console.store import reviews
from c1console.store.engine import Database, connection

OK, ATTENTION = "OK", "ATTENTION"
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
    execution_id: int
    job_id: str
    run_type: str
    status: str
    dates: str
    error_code: str | None
    error_title: str | None
    operator: str | None
    open_units: int
    resolved: bool
    resolved_by: int | None
    resolved_at: str | None
    verdict: str


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

    @property
    def period(self) -> str:
        return self.business_date.isoformat()

    @property
    def no_alert_channel(self) -> bool:
        return self.alert_channels is not None and not self.alert_channels

    @property
    def open_items(self) -> int:
        return (
            sum(f.verdict == ATTENTION for f in self.failures)
            + len(self.missed)
            + len(self.long_running)
            + len(self.failed_deliveries)
        )

    def as_dict(self) -> dict[str, Any]:
        return _jsonable(
            asdict(self) | {"kind": "daily", "period": self.period, "open_items": self.open_items}
        )


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
    open_jobs = {f.job_id for f in failure_items if f.verdict == ATTENTION}
    jobs = []
    for job_id, cron, job_tz, paused in job_schedules:
        last = latest.get(job_id)
        bad = (
            job_id in open_jobs
            or missed_by_job.get(job_id, 0) > 0
            or (last is not None and last[1] == "FAILED")
        )
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
    resolved = f.open_units == 0
    return FailureItem(
        execution_id=f.execution_id,
        job_id=f.job_id,
        run_type=f.run_type,
        status=f.status,
        dates=date_range(f.business_date_from, f.business_date_to),
        error_code=f.error_code,
        error_title=entry.title.get(lang) if entry else None,  # type: ignore[arg-type]
        operator=f.stop_requested_by
        if f.status == "STOPPED"
        else (None if f.run_type == "AUTO" else f.requested_by),
        open_units=f.open_units,
        resolved=resolved,
        resolved_by=f.resolved_by if resolved else None,
        resolved_at=f.resolved_at.isoformat() if resolved and f.resolved_at else None,
        verdict=OK if resolved else ATTENTION,
    )


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
    replays: dict[str, dict[str, list[int]]]  # job -> kind -> counts for weeks 1..5
    replays_previous: dict[str, dict[str, int]]  # job -> kind -> count in the previous month
    replay_total: int
    replay_total_previous: int
    errors: list[ErrorTrend]
    failures_per_day: list[int]
    mttr_seconds: float | None
    recovered: int
    still_open: int
    interventions: dict[str, dict[str, int]]  # operator -> action -> count
    signoffs: list[dict[str, Any]] = field(default_factory=list)

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


def _month_bounds(first: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    following = (first + timedelta(days=32)).replace(day=1)
    return datetime.combine(first, time(0), zone), datetime.combine(following, time(0), zone)


def monthly(db: Database, month: date | None = None, *, tz: str = "UTC", lang: str = "en") -> Monthly:
    first = month or parse_month(None)
    zone = ZoneInfo(tz)
    start, end = _month_bounds(first, zone)
    previous_first = (first - timedelta(days=1)).replace(day=1)
    prev_start, prev_end = _month_bounds(previous_first, zone)
    with connection(db) as conn:
        replays = reviews.replays_by_week(conn, start, end, tz)
        replays_prev = reviews.replays_by_week(conn, prev_start, prev_end, tz)
        codes = reviews.errors_by_code(conn, start, end)
        codes_prev = reviews.errors_by_code(conn, prev_start, prev_end)
        per_day = reviews.failures_per_day(conn, start, end, tz)
        recoveries = reviews.recoveries(conn, start, end)
        acts = reviews.interventions(conn, start, end)
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
    recoveries: list[tuple[int, str, datetime, datetime | None]],
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
    days = ((first + timedelta(days=32)).replace(day=1) - first).days
    durations = [
        (fixed - failed).total_seconds()
        for _id, _job, failed, fixed in recoveries
        if fixed is not None and failed is not None
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
        still_open=sum(1 for r in recoveries if r[3] is None),
        interventions=by_operator,
        signoffs=signed,
    )


# Rendering ----------------------------------------------------------------------------------------------


def _jsonable(value: Any) -> Any:
    return json.loads(
        json.dumps(value, default=lambda v: v.isoformat() if hasattr(v, "isoformat") else str(v))
    )


def to_json(checklist: Daily | Monthly) -> str:
    return json.dumps(checklist.as_dict(), indent=2, ensure_ascii=False)


def render_daily(c: Daily, markdown: bool = False) -> str:
    h = "## " if markdown else ""
    bullet = "- " if markdown else "  "
    out = [f"{'# ' if markdown else ''}Daily checklist {c.period}: {c.verdict}"]
    if c.signoffs:
        s = c.signoffs[-1]
        out.append(f"signed by {s['signed_by']} at {s['signed_at']:%Y-%m-%d %H:%M}: {s['comment']}")
    out += ["", f"{h}Jobs"]
    rows = [
        [
            j.job_id,
            j.schedule or "manual",
            "paused" if j.paused else "",
            str(j.expected_fires),
            str(j.auto_runs),
            str(j.missed),
            f"#{j.latest_execution_id} {j.latest_status}" if j.latest_execution_id else "-",
            j.verdict,
        ]
        for j in c.jobs
    ]
    out += _table(["JOB", "SCHEDULE", "", "EXPECTED", "RAN", "MISSED", "LATEST", "VERDICT"], rows, markdown)
    out += ["", f"{h}Failed and stopped executions"]
    if not c.failures:
        out.append(f"{bullet}none")
    for f in c.failures:
        state = (
            f"resolved by #{f.resolved_by}"
            if f.resolved and f.resolved_by
            else "resolved"
            if f.resolved
            else f"OPEN: {f.open_units} unit(s) without a good result"
        )
        who = f" by {f.operator}" if f.operator else ""
        out.append(
            f"{bullet}#{f.execution_id} {f.job_id} {f.status} {f.dates} {f.error_code or ''} "
            f"{f.error_title or ''}{who}: {state}".replace("  ", " ")
        )
    out += ["", f"{h}Missed schedule fires"]
    out += [f"{bullet}{m['job_id']} at {iso_timestamp(m['scheduled_for'])}" for m in c.missed] or [
        f"{bullet}none"
    ]
    out += ["", f"{h}Running too long"]
    out += [
        f"{bullet}#{r['execution_id']} {r['job_id']} since {iso_timestamp(r['started_at'])}"
        for r in c.long_running
    ] or [f"{bullet}none"]
    out += ["", f"{h}Alert deliveries that failed"]
    if c.no_alert_channel:
        out.append(f"{bullet}{'**' if markdown else ''}{NO_ALERT_CHANNEL}{'**' if markdown else ''}")
    out += [
        f"{bullet}#{d['notification_id']} {d['event']} via {d['channel']} after {d['attempts']} attempt(s): "
        f"{d['last_error']}"
        for d in c.failed_deliveries
    ] or ([] if c.no_alert_channel else [f"{bullet}none"])
    return "\n".join(out) + "\n"


def render_monthly(c: Monthly, markdown: bool = False) -> str:
    h = "## " if markdown else ""
    bullet = "- " if markdown else "  "
    out = [f"{'# ' if markdown else ''}Monthly checklist {c.month}: {c.verdict}"]
    if c.signoffs:
        s = c.signoffs[-1]
        out.append(f"signed by {s['signed_by']} at {s['signed_at']:%Y-%m-%d %H:%M}: {s['comment']}")
    out += ["", f"{h}Replays ({c.replay_total}; previous month {c.replay_total_previous})"]
    rows = []
    for job, kinds in sorted(c.replays.items()):
        for kind, weeks in sorted(kinds.items()):
            rows.append(
                [
                    job,
                    kind,
                    *(str(w) for w in weeks),
                    str(sum(weeks)),
                    str(c.replays_previous.get(job, {}).get(kind, 0)),
                ]
            )
    for job, previous in sorted(c.replays_previous.items()):
        for kind, count in sorted(previous.items()):
            if kind not in c.replays.get(job, {}):
                rows.append([job, kind, "0", "0", "0", "0", "0", "0", str(count)])
    out += (
        _table(["JOB", "KIND", "W1", "W2", "W3", "W4", "W5", "TOTAL", "PREV"], rows, markdown)
        if rows
        else [f"{bullet}none"]
    )
    out += ["", f"{h}Recurring errors"]
    rows = [
        [
            e.code,
            e.title or "",
            str(e.failures),
            str(e.previous),
            e.trend,
            ", ".join(e.jobs),
            e.first_seen[:10],
            e.last_seen[:10],
        ]
        for e in c.errors
    ]
    out += (
        _table(["CODE", "TITLE", "COUNT", "PREV", "TREND", "JOBS", "FIRST", "LAST"], rows, markdown)
        if rows
        else [f"{bullet}none"]
    )
    mttr = human_duration(timedelta(seconds=c.mttr_seconds)) if c.mttr_seconds is not None else "n/a"
    out += [
        "",
        f"{h}Recovery",
        f"{bullet}mean time to recovery: {mttr} over {c.recovered} recovered failure(s);"
        f" {c.still_open} still open",
    ]
    out += ["", f"{h}Manual interventions"]
    if not c.interventions:
        out.append(f"{bullet}none")
    for operator, actions in sorted(c.interventions.items()):
        out.append(f"{bullet}{operator}: " + ", ".join(f"{a} {n}" for a, n in sorted(actions.items())))
    return "\n".join(out) + "\n"


def _table(headers: list[str], rows: list[list[str]], markdown: bool) -> list[str]:
    if markdown:
        lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
        return lines + ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    from c1console.presentation import table

    return table(headers, rows).splitlines()
