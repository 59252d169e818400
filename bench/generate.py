"""Fills a c1console database with years of realistic history, fast: N executions (default 1,000,000) of a
dozen jobs over two years, their units (about 10 each), results with supersession, events, logs, alerts,
checklist sign-offs, compensations, missed fires and a hash-chained audit log.

    python -m bench.generate --database-url postgresql://postgres@127.0.0.1:5432/c1bench --recreate
    python -m bench.generate --executions 2000            # embedded PostgreSQL in $TMPDIR/c1bench-pgdata

How, and why it is legitimate: the schema is applied with the project's own migrations, then the rows are
loaded the way a DBA restores a dump: as the superuser, with ``session_replication_role = replica`` (which
switches off triggers, including the foreign-key and audit-chain triggers) and COPY, with the secondary
indexes dropped during the load and re-created from their own definitions afterwards. CHECK and NOT NULL
constraints and the primary keys are enforced throughout; re-creating the unique indexes re-validates
invariants 3, 4 and 5; the audit hash chain is computed here with exactly the canonical text of
``c1.audit_canonical()`` (sql/003), and ``--check`` (and ``c1console audit verify``) prove the result: every
foreign key resolves, unit counts match each execution, events follow the legal transitions, supersession
pointers are consistent, and the chain verifies.

The history model (all proportions per execution unless said):
- 7 intraday jobs (prices, FX, index levels, positions, VaR, cash) fire every few minutes on weekdays and
  refresh the same business date, so each fire supersedes the previous one's results; 5 daily jobs
  (valuation, performance, fees, GL, client reports) process the previous business day (T+1). The fire
  frequency is chosen so that AUTO fires are ~95% of N over two years (shorter spans when N is tiny).
- failures 0.8-2.5% by job (1, 2-3 or all units failing, with the job's typical error codes), operator
  stops 0.05-0.5%, a few READY executions stopped before start; a runner outage every ~60 business days
  (missed fires recorded, the executions in flight marked FAILED C1-BAT-007 by the next runner).
- operators react: replay of the failed units (``--of ID --failed-only``) or resume, most within hours;
  some failures stay open, a few are fixed by an approved compensation (four eyes).
- the rest of N are ad-hoc manual acts: MANUAL triggers, SINGLE and RANGE replays, a rare FULL replay.
- a daily checklist sign-off every business day and a monthly one every month; alerts (email + slack)
  for failures, stops, replays, resumes and compensations, a few of them undeliverable.
"""

from __future__ import annotations

import argparse
import bisect
import hashlib
import json
import random
import sys
import time
from array import array
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg
from psycopg.copy import QueuedLibpqWriter

from bench import common

US = 1_000_000
DAY_US = 86_400 * US
EPOCH = date(1970, 1, 1).toordinal()
GENESIS = "0" * 64
SEP = "\x1f"
NULL = "\\N"
SYSTEM = "system"
AUTO_SHARE = 0.96  # AUTO fires as a share of N (the rest: follow-ups and ad-hoc manual acts)
SPAN_DAYS = 730
LEAD_DAYS = 10  # business days kept before the span, for T+1 jobs and replays reaching back
CHANNELS = ("email", "slack")

OPERATORS = {
    "alice": "admin",
    "bob": "operator",
    "chloe": "approver",
    "dan": "operator",
    "erin": "operator",
    "farid": "approver",
    "grace": "viewer",
}
ACTING = ("alice", "bob", "chloe", "dan", "erin", "farid")
APPROVERS = ("chloe", "farid", "alice")

INP_MISSING, INP_MALFORMED = "C1-INP-001", "C1-INP-009"
EXT_TIMEOUT, EXT_UNAVAILABLE, EXT_REJECTED = "C1-EXT-002", "C1-EXT-010", "C1-EXT-016"
DQ_VALIDATION, DQ_DUPLICATES, DQ_GAP = "C1-DQ-004", "C1-DQ-011", "C1-DQ-012"
LOG_UNCLASSIFIED, RUNNER_LOST = "C1-LOG-005", "C1-BAT-007"
MESSAGES = {
    INP_MISSING: ("InputDataError", "input file for {t} on {d} is missing"),
    INP_MALFORMED: ("InputDataError", "input file for {t} is malformed: line 1842 has 7 fields, expected 9"),
    EXT_TIMEOUT: ("ExternalError", "feed timed out after 30s"),
    EXT_UNAVAILABLE: ("ExternalError", "upstream service unavailable (HTTP 503)"),
    EXT_REJECTED: ("ExternalError", "custodian API rejected the request (HTTP 422)"),
    DQ_VALIDATION: ("DataQualityError", "validation failed: 3 positions with negative quantity"),
    DQ_DUPLICATES: ("DataQualityError", "duplicate records: 12 trades appear twice"),
    DQ_GAP: ("DataQualityError", "gap in the series: no close for {d}"),
    LOG_UNCLASSIFIED: ("KeyError", "'nav'"),
}
STOP_REASONS = (
    "upstream file incomplete, stopping to avoid partial results",
    "wrong calendar loaded",
    "running into the close, will rerun after hours",
    "duplicate run started by mistake",
    "vendor announced a correction",
)
REPLAY_REASONS = (
    "vendor re-sent corrected prices",
    "replay failed units after feed recovered",
    "late corporate action",
    "rerun after upstream fix (INC-{n})",
    "recompute with corrected FX rates",
    "client query: rerun for verification",
)
RESUME_REASONS = ("resume after the feed recovered", "resume after runner restart", None)
TRIGGER_REASONS = (None, None, "ad-hoc rerun requested by desk", "month-end check", "missing run")


def _names(prefix: str, n: int, width: int = 2) -> tuple[str, ...]:
    return tuple(f"{prefix}-{i:0{width}d}" for i in range(1, n + 1))


@dataclass(frozen=True)
class JobSpec:
    job_id: str
    title: str
    tz: str
    targets: tuple[str, ...]
    kind: str  # "intraday" (same business date, many fires a day) or "daily" (T+1, one fire)
    weight: float  # share of the intraday fire budget
    hour: int  # first fire, local time
    unit_ms: tuple[int, int]
    fail_p: float
    stop_p: float
    codes: tuple[str, ...]
    chunk: int = 50


JOBS: tuple[JobSpec, ...] = (
    JobSpec(
        "price_ingest_kr",
        "KR market prices (intraday)",
        "Asia/Seoul",
        ("KONEX", "KOSDAQ", "KOSPI", "KRXBOND", "KRXETF", "KRXFUT", "KRXOPT", "KRXREPO"),
        "intraday",
        3,
        8,
        (20, 150),
        0.012,
        0.0005,
        (EXT_TIMEOUT, EXT_UNAVAILABLE, INP_MISSING, DQ_GAP),
    ),
    JobSpec(
        "price_ingest_us",
        "US market prices (intraday)",
        "America/New_York",
        ("ARCA", "BATS", "CBOE", "CME", "IEX", "NASDAQ", "NYSE", "OTC", "PHLX", "TRF"),
        "intraday",
        3,
        8,
        (20, 150),
        0.010,
        0.0005,
        (EXT_TIMEOUT, EXT_UNAVAILABLE, INP_MALFORMED),
    ),
    JobSpec(
        "fx_rates",
        "FX rates",
        "UTC",
        (
            "AUDUSD",
            "EURJPY",
            "EURUSD",
            "GBPUSD",
            "USDCAD",
            "USDCHF",
            "USDCNH",
            "USDHKD",
            "USDJPY",
            "USDKRW",
            "USDSGD",
            "USDTWD",
        ),
        "intraday",
        3,
        6,
        (10, 60),
        0.008,
        0.0003,
        (EXT_TIMEOUT, EXT_REJECTED, DQ_GAP),
    ),
    JobSpec(
        "index_levels",
        "Index levels",
        "Europe/London",
        ("EUROSTOXX50", "FTSE100", "KOSPI200", "NIKKEI225", "SP500", "STOXX600"),
        "intraday",
        2,
        7,
        (20, 100),
        0.008,
        0.0003,
        (EXT_TIMEOUT, INP_MISSING),
    ),
    JobSpec(
        "position_snapshot",
        "Position snapshots",
        "Asia/Seoul",
        _names("BOOK", 15),
        "intraday",
        2,
        8,
        (50, 300),
        0.010,
        0.0008,
        (INP_MISSING, DQ_DUPLICATES, DQ_VALIDATION),
    ),
    JobSpec(
        "risk_var",
        "Value at risk",
        "Asia/Seoul",
        _names("PF", 10, 3),
        "intraday",
        0.6,
        8,
        (400, 2500),
        0.015,
        0.002,
        (INP_MISSING, DQ_VALIDATION, LOG_UNCLASSIFIED),
    ),
    JobSpec(
        "cash_forecast",
        "Cash forecast",
        "Asia/Seoul",
        _names("ACC", 10, 4),
        "intraday",
        0.25,
        8,
        (200, 1200),
        0.012,
        0.002,
        (INP_MISSING, EXT_UNAVAILABLE),
    ),
    JobSpec(
        "portfolio_valuation",
        "Portfolio valuation",
        "Asia/Seoul",
        _names("PF", 24, 3),
        "daily",
        0,
        6,
        (800, 6000),
        0.025,
        0.005,
        (INP_MISSING, DQ_VALIDATION, LOG_UNCLASSIFIED, EXT_TIMEOUT),
    ),
    JobSpec(
        "performance_calc",
        "Performance calculation",
        "Asia/Seoul",
        _names("PF", 24, 3),
        "daily",
        0,
        7,
        (500, 4000),
        0.02,
        0.004,
        (INP_MISSING, DQ_GAP, LOG_UNCLASSIFIED),
    ),
    JobSpec(
        "fee_accrual",
        "Fee accrual",
        "Asia/Seoul",
        _names("FUND", 12),
        "daily",
        0,
        5,
        (300, 2000),
        0.015,
        0.003,
        (INP_MISSING, DQ_VALIDATION),
    ),
    JobSpec(
        "gl_posting",
        "General ledger posting",
        "Asia/Seoul",
        ("GL-HK", "GL-JP", "GL-KR", "GL-SG", "GL-UK", "GL-US"),
        "daily",
        0,
        4,
        (2000, 9000),
        0.02,
        0.005,
        (EXT_REJECTED, EXT_UNAVAILABLE, DQ_DUPLICATES),
    ),
    JobSpec(
        "client_reporting",
        "Client reporting",
        "Asia/Seoul",
        _names("CL", 30, 4),
        "daily",
        0,
        9,
        (300, 3000),
        0.015,
        0.003,
        (INP_MISSING, LOG_UNCLASSIFIED, EXT_REJECTED),
    ),
)


def plan_schedule(job: JobSpec, per_day: float) -> tuple[str, list[int]]:
    """A cron expression (weekdays) close to ``per_day`` fires, and its fire times in local minutes."""
    if job.kind == "daily" or per_day < 1.5:
        return f"0 {job.hour} * * 1-5", [job.hour * 60]
    if per_day <= 14:
        count = round(per_day)
        hours = sorted({job.hour + round(i * 14 / count) for i in range(count)})
        return f"0 {','.join(map(str, hours))} * * 1-5", [h * 60 for h in hours]
    best: tuple[tuple[float, int], int, int] | None = None
    for span in range(1, 15):
        for step in (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30):
            score = (abs(span * 60 // step - per_day), -span)
            if best is None or score < best[0]:
                best = (score, span, step)
    assert best is not None
    _, span, step = best
    hours = f"{job.hour}-{job.hour + span - 1}" if span > 1 else str(job.hour)
    minutes = [h * 60 + m for h in range(job.hour, job.hour + span) for m in range(0, 60, step)]
    return f"*/{step} {hours} * * 1-5", minutes


class Ex:
    """One execution as planned (before ids are known, references are to other Ex objects)."""

    __slots__ = (
        "by",
        "code",
        "created",
        "d0",
        "d1",
        "ended",
        "failed",
        "followup",
        "id",
        "job",
        "nt",
        "reason",
        "replay_of",
        "resumed_from",
        "rkind",
        "rtype",
        "runner",
        "sched",
        "started",
        "status",
        "stop_at",
        "stop_by",
        "stop_reason",
        "stop_req",
        "summary",
        "targets",
        "unit_us",
    )

    def __init__(self, created: int, job: int, rtype: str, d0: int, d1: int, by: str) -> None:
        self.created, self.job, self.rtype, self.d0, self.d1, self.by = created, job, rtype, d0, d1, by
        self.id = 0
        self.rkind = self.reason = self.replay_of = self.resumed_from = self.sched = None
        self.targets: tuple[int, ...] | None = None  # None: every target of the job
        self.nt = 0
        self.status = "SUCCESS"
        self.started: int | None = None
        self.ended = 0
        self.failed: frozenset[int] | None = None
        self.stop_at: int | None = None
        self.stop_by = self.stop_reason = self.stop_req = self.code = self.summary = None
        self.runner: int | None = None
        self.unit_us = 0
        self.followup = False

    @property
    def n(self) -> int:
        return self.nt * (self.d1 - self.d0 + 1)

    def unit_status(self, p: int) -> str:
        if self.failed is not None and p in self.failed:
            return "FAILED"
        if self.stop_at is not None and p >= self.stop_at:
            return "SKIPPED"
        return "SUCCESS"

    def not_succeeded(self) -> list[int]:
        return [p for p in range(self.n) if self.unit_status(p) != "SUCCESS"]

    @property
    def done(self) -> int:
        n = self.n
        region = n if self.stop_at is None else self.stop_at
        return region - len(self.failed or ())

    @property
    def failed_count(self) -> int:
        return len(self.failed or ())


@dataclass
class Comp:
    id: int
    job: int
    day: int
    target: int
    requested_by: str
    requested_at: int
    decided_by: str
    decided_at: int
    source: Ex


class World:
    """The whole planned history (pass 1), from which the rows are written (pass 2)."""

    def __init__(self, executions: int, end: date, seed: int, schedule_for: int | None = None) -> None:
        self.n_target = executions
        # The job schedules of a history of ``schedule_for`` executions (default: this one); a smaller N with
        # the schedules of a larger one is the same activity per day over a shorter span.
        self.schedule_for = schedule_for or executions
        self.rnd = random.Random(seed)
        self.end = end
        first = end - timedelta(days=SPAN_DAYS)
        lead = first - timedelta(days=LEAD_DAYS * 7 // 5 + 4)
        self.days = [
            d for d in (lead + timedelta(n) for n in range((end - lead).days + 1)) if d.weekday() < 5
        ]
        self.span_start = next(i for i, d in enumerate(self.days) if d >= first)
        self.day_text = [d.isoformat() for d in self.days]
        self.day_us = [(d.toordinal() - EPOCH) * DAY_US for d in self.days]
        self.executions: list[Ex] = []
        self.comps: list[Comp] = []
        self.missed: list[tuple[int, int, int, int]] = []  # job, scheduled_for, detected_at, runner
        self.outages: list[tuple[int, int]] = []
        self.runner_ids: list[str] = []
        self.runner_spans: list[tuple[int, int]] = []
        self.crons: list[str] = []
        self.signoffs: list[tuple[str, str, str, int, str, str, int]] = []

    # Pass 1 ----------------------------------------------------------------------------------------------

    def plan(self) -> None:
        auto_budget = AUTO_SHARE * self.schedule_for
        span = len(self.days) - self.span_start
        span = max(5, min(span, int(auto_budget / len(JOBS))))
        per_day_extra = max(0.0, auto_budget / span - len(JOBS))
        total_weight = sum(j.weight for j in JOBS)
        schedules = []
        for job in JOBS:
            wanted = 1 + per_day_extra * job.weight / total_weight if job.weight else 1
            schedules.append(plan_schedule(job, wanted))
        fires_per_day = sum(len(minutes) for _cron, minutes in schedules)
        if fires_per_day * span > (AUTO_SHARE + 0.015) * self.n_target:
            span = max(5, int(AUTO_SHARE * self.n_target / fires_per_day))
        self.span_start = len(self.days) - span
        self.crons = [cron for cron, _minutes in schedules]
        self._plan_outages()
        autos = self._plan_auto(schedules)
        if len(autos) > self.n_target:
            autos = autos[-self.n_target :]
        self._apply_outages(autos)
        followups = self._plan_followups(autos, self.n_target - len(autos))
        adhoc = self._plan_adhoc(self.n_target - len(autos) - len(followups))
        everything = autos + followups + adhoc
        everything.sort(key=lambda e: e.created)
        for n, ex in enumerate(everything, start=1):
            ex.id = n
            if ex.started is not None:
                ex.runner = self.runner_at(ex.started)
        self.executions = everything
        self._plan_compensations()
        self._plan_signoffs()

    def runner_at(self, moment: int) -> int:
        return bisect.bisect_right([s for s, _e in self.outages], moment)

    def _plan_outages(self) -> None:
        rnd = self.rnd
        day = self.span_start + rnd.randint(20, 60)
        while day < len(self.days) - 3:
            start = self.day_us[day] + rnd.randint(1 * 3600, 9 * 3600) * US
            self.outages.append((start, start + rnd.randint(15 * 60, 90 * 60) * US))
            day += rnd.randint(40, 80)
        begin = self.day_us[self.span_start] - 3 * DAY_US
        ends = [s for s, _e in self.outages] + [self.day_us[-1] + DAY_US + 6 * 3600 * US]
        starts = [begin] + [e + 20 * US for _s, e in self.outages]
        for n, (s, e) in enumerate(zip(starts, ends, strict=True)):
            self.runner_ids.append(f"ops{1 + n % 2}-{rnd.randint(1000, 60000)}-{rnd.getrandbits(24):06x}")
            self.runner_spans.append((s, e))

    def _in_outage(self, moment: int) -> int | None:
        i = bisect.bisect_right(self._outage_starts, moment) - 1
        if i >= 0 and moment < self.outages[i][1]:
            return i
        return None

    def _plan_auto(self, schedules: list[tuple[str, list[int]]]) -> list[Ex]:
        rnd = self.rnd
        self._outage_starts = [s for s, _e in self.outages]
        autos: list[Ex] = []
        zones = [ZoneInfo(j.tz) for j in JOBS]
        for day in range(self.span_start, len(self.days)):
            d = self.days[day]
            noon = datetime(d.year, d.month, d.day, 12)
            for j, job in enumerate(JOBS):
                offset = zones[j].utcoffset(noon)
                assert offset is not None
                base = self.day_us[day] - int(offset.total_seconds()) * US
                business_day = day if job.kind == "intraday" else day - 1
                nt = len(job.targets)
                for minute in schedules[j][1]:
                    fire = base + minute * 60 * US
                    outage = self._in_outage(fire)
                    if outage is not None:
                        detected = self.outages[outage][1] + 20 * US
                        self.missed.append((j, fire, detected, outage + 1))
                        continue
                    ex = Ex(
                        fire + rnd.randint(20_000, 900_000), j, "AUTO", business_day, business_day, SYSTEM
                    )
                    ex.sched = fire
                    ex.nt = nt
                    self._run(ex, job, job.fail_p, job.stop_p)
                    autos.append(ex)
        autos.sort(key=lambda e: e.created)
        return autos

    def _run(self, ex: Ex, job: JobSpec, fail_p: float, stop_p: float, *, only_unit: bool = False) -> None:
        """Decides how an execution went: timings, status, which units failed or were skipped."""
        rnd = self.rnd
        n = ex.n
        ex.unit_us = rnd.randint(*job.unit_ms) * 1000
        u = rnd.random()
        if u < 0.0002:  # stopped while still READY (queued behind busy workers)
            ex.status, ex.stop_at = "STOPPED", 0
            ex.stop_req = ex.created + rnd.randint(200_000, 20 * US)
            ex.ended = ex.stop_req
            ex.stop_by, ex.stop_reason = rnd.choice(ACTING), rnd.choice(STOP_REASONS)
            return
        ex.started = ex.created + rnd.randint(5_000, 250_000)
        run_us = n * ex.unit_us + (n // job.chunk + 1) * 3000
        if u < 0.0002 + fail_p:
            ex.status = "FAILED"
            kind = rnd.random()
            if only_unit or kind < 0.7 or n == 1:
                count = 1
            elif kind < 0.9:
                count = min(n, rnd.randint(2, 3))
            else:
                count = n
            if count == n and not only_unit:
                ex.code = rnd.choice((EXT_TIMEOUT, EXT_UNAVAILABLE))
            else:
                ex.code = rnd.choice(job.codes)
            ex.failed = frozenset(rnd.sample(range(n), count))
            ex.ended = ex.started + run_us
            first = min(ex.failed)
            d, t = self.unit_key(ex, first)
            message = self.message(ex.code, d, t)
            ex.summary = (
                f"{count} of {n} unit(s) failed; first: {self.day_text[d]} {job.targets[t]}: {message}"
            )
        elif u < 0.0002 + fail_p + stop_p and n > 1:
            ex.status = "STOPPED"
            ex.stop_req = ex.started + int(run_us * rnd.uniform(0.05, 0.9))
            k = min(n - 1, (ex.stop_req - ex.started) // ex.unit_us + 1)
            ex.stop_at = k
            ex.ended = ex.started + k * ex.unit_us + 4000
            ex.stop_by, ex.stop_reason = rnd.choice(ACTING), rnd.choice(STOP_REASONS)
        else:
            ex.ended = ex.started + run_us

    def unit_key(self, ex: Ex, p: int) -> tuple[int, int]:
        """(business day index, target index) of unit position p."""
        d, t = divmod(p, ex.nt)
        return ex.d0 + d, (ex.targets[t] if ex.targets is not None else t)

    def message(self, code: str, day: int, target: int) -> str:
        return MESSAGES.get(code, ("Error", "failed"))[1].format(d=self.day_text[day], t=target)

    def _apply_outages(self, autos: list[Ex]) -> None:
        """The executions a crashed runner had in flight: FAILED (runner lost) by the next runner."""
        rnd = self.rnd
        starts = [e.created for e in autos]
        for n, (start, end) in enumerate(self.outages):
            i = bisect.bisect_left(starts, start - 3600 * US)
            while i < len(autos) and autos[i].created < start:
                ex = autos[i]
                i += 1
                if ex.status != "SUCCESS" or ex.started is None or not (ex.started < start < ex.ended):
                    continue
                job = JOBS[ex.job]
                done = (start - ex.started) // ex.unit_us
                ex.status, ex.code, ex.failed = "FAILED", RUNNER_LOST, None
                ex.stop_at = min(ex.n - 1, done // job.chunk * job.chunk)
                ex.ended = end + rnd.randint(5, 30) * US
                beat = datetime.fromtimestamp((start - 2 * US) / US, UTC)
                ex.summary = (
                    f"runner {self.runner_ids[n]} stopped heartbeating at {beat:%Y-%m-%d %H:%M:%S} UTC; "
                    "its units in flight were not applied"
                )

    def _plan_followups(self, autos: list[Ex], budget: int) -> list[Ex]:
        """Operators react to failures and stops: replay of the failed units, or resume."""
        rnd = self.rnd
        out: list[Ex] = []
        for src in autos:
            if src.status == "SUCCESS" or len(out) >= budget:
                continue
            job = JOBS[src.job]
            daily = job.kind == "daily"
            u = rnd.random()
            if src.status == "STOPPED":
                action = "resume" if u < 0.6 else "replay" if u < 0.7 else None
            else:
                replay_p, resume_p = (0.55, 0.2) if daily else (0.3, 0.1)
                action = "replay" if u < replay_p else "resume" if u < replay_p + resume_p else None
            if action is None:
                continue
            positions = src.not_succeeded()
            if not positions:
                continue
            delay = rnd.randint(2 * 60, 3 * 3600) * US
            ex = Ex(
                src.ended + delay,
                src.job,
                "REPLAY" if action == "replay" else "MANUAL",
                src.d0,
                src.d0,
                rnd.choice(ACTING),
            )
            while (o := self._in_outage(ex.created)) is not None:
                ex.created = self.outages[o][1] + rnd.randint(60, 600) * US
            ex.targets = tuple(sorted({p % src.nt for p in positions}))
            ex.nt = len(ex.targets)
            ex.followup = True
            if action == "replay":
                ex.rkind = "SINGLE" if ex.nt == 1 else "RANGE"
                ex.replay_of = src
                ex.reason = rnd.choice(REPLAY_REASONS).format(n=rnd.randint(1000, 9999))
            else:
                ex.resumed_from = src
                ex.reason = rnd.choice(RESUME_REASONS)
            self._run(ex, job, 0.03, 0.0, only_unit=True)
            out.append(ex)
        return out

    def _plan_adhoc(self, count: int) -> list[Ex]:
        rnd = self.rnd
        out: list[Ex] = []
        span = len(self.days) - self.span_start
        full_left = {j: max(1, span // 250) for j in range(len(JOBS))}
        weights = [1 if j.kind == "intraday" else 2 for j in JOBS]
        for _ in range(max(0, count)):
            j = rnd.choices(range(len(JOBS)), weights)[0]
            job = JOBS[j]
            act_day = rnd.randint(self.span_start + 2, len(self.days) - 1)
            created = self.day_us[act_day] + rnd.randint(0, 11 * 3600) * US
            while (o := self._in_outage(created)) is not None:
                created = self.outages[o][1] + rnd.randint(60, 600) * US
            u = rnd.random()
            last = act_day - 1 - min(rnd.randint(0, 3), act_day - self.span_start)
            if u < 0.45:
                ex = Ex(created, j, "MANUAL", last, last, rnd.choice(ACTING))
                ex.reason = rnd.choice(TRIGGER_REASONS)
            elif u < 0.75:
                length = rnd.randint(1, 20)
                ex = Ex(created, j, "REPLAY", max(0, last - length + 1), last, rnd.choice(ACTING))
                ex.rkind = "SINGLE"
                ex.targets = (rnd.randrange(len(job.targets)),)
            elif u < 0.98 or full_left[j] == 0:
                length = rnd.randint(2, 15)
                ex = Ex(created, j, "REPLAY", max(0, last - length + 1), last, rnd.choice(ACTING))
                ex.rkind = "RANGE"
            else:
                full_left[j] -= 1
                ex = Ex(
                    created,
                    j,
                    "REPLAY",
                    self.span_start - (job.kind == "daily"),
                    act_day - 1,
                    rnd.choice(ACTING),
                )
                ex.rkind = "FULL"
            if ex.rtype == "REPLAY":
                ex.reason = rnd.choice(REPLAY_REASONS).format(n=rnd.randint(1000, 9999))
            ex.nt = len(ex.targets) if ex.targets is not None else len(job.targets)
            self._run(ex, job, 0.015, 0.003)
            out.append(ex)
        return out

    def _plan_compensations(self) -> None:
        """A few open failures of daily jobs are fixed by hand: requested, then approved by another."""
        rnd = self.rnd
        followed = {id(e.replay_of) for e in self.executions if e.replay_of is not None}
        followed |= {id(e.resumed_from) for e in self.executions if e.resumed_from is not None}
        n = 0
        for ex in self.executions:
            if (
                ex.status != "FAILED"
                or ex.failed is None
                or id(ex) in followed
                or JOBS[ex.job].kind != "daily"
                or rnd.random() > 0.4
            ):
                continue
            d, t = self.unit_key(ex, min(ex.failed))
            asked = ex.ended + rnd.randint(3600, 4 * 3600) * US
            by = rnd.choice(ACTING)
            approver = rnd.choice([a for a in APPROVERS if a != by])
            n += 1
            self.comps.append(
                Comp(n, ex.job, d, t, by, asked, approver, asked + rnd.randint(600, 3600) * US, ex)
            )

    def _plan_signoffs(self) -> None:
        rnd = self.rnd
        for day in range(self.span_start, len(self.days) - 1):
            at = self.day_us[day + 1] + rnd.randint(30 * 60, 120 * 60) * US
            open_items = 0 if rnd.random() < 0.8 else rnd.randint(1, 4)
            comment = (
                "all green" if open_items == 0 else "open items followed up with the desk; replays queued"
            )
            self.signoffs.append(
                (
                    "DAILY",
                    self.day_text[day],
                    rnd.choice(ACTING),
                    at,
                    comment,
                    "OK" if open_items == 0 else "ATTENTION",
                    open_items,
                )
            )
        first = self.days[self.span_start]
        month = date(first.year, first.month, 1)
        while True:
            following = (month + timedelta(days=32)).replace(day=1)
            later = [i for i, d in enumerate(self.days) if d >= following]
            if len(later) < 3:
                break
            at = self.day_us[later[2]] + rnd.randint(60 * 60, 180 * 60) * US
            self.signoffs.append(
                (
                    "MONTHLY",
                    month.strftime("%Y-%m"),
                    rnd.choice(("alice", "chloe")),
                    at,
                    "monthly review done; trends discussed in ops meeting",
                    "OK",
                    0,
                )
            )
            month = following
        self.signoffs.sort(key=lambda s: s[3])


# Text of rows -------------------------------------------------------------------------------------------


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


# Pass 2: rows ---------------------------------------------------------------------------------------------


class Writer:
    def __init__(self, world: World, cur: psycopg.Cursor[Any]) -> None:
        self.w = world
        self.cur = cur
        self.counts: dict[str, int] = {}
        self.audit: list[tuple[int, str, str, str, str, int | None, str | None, dict[str, Any]]] = []
        self.notifications: list[tuple[int, str, str, str, int | None, dict[str, Any]]] = []

    def copier(self, table: str, columns: str) -> Copier:
        return Copier(self.cur, table, columns)

    def done(self, copier: Copier) -> None:
        self.counts[copier.table] = self.counts.get(copier.table, 0) + copier.close()

    def write_all(self, progress: Callable[[str], None]) -> None:
        self.reference_rows()
        progress("reference rows")
        self.executions()
        progress("executions")
        self.events()
        progress("events")
        self.units_and_logs()
        progress("units, logs")
        self.results()
        progress("results")
        self.compensations_and_signoffs()
        self.audit_rows()
        self.notification_rows()
        progress("audit, notifications, sign-offs")

    def reference_rows(self) -> None:
        w = self.w
        cur = self.cur
        start = w.day_us[w.span_start] - 30 * DAY_US
        for name, role in OPERATORS.items():
            by = SYSTEM if name == "alice" else "alice"
            cur.execute(
                "INSERT INTO c1.operator (operator_id, role, granted_by, granted_at) VALUES (%s,%s,%s,%s)",
                (name, role, by, iso(start)),
            )
            self.audit.append(
                (
                    start + (0 if name == "alice" else 60 * US * len(self.audit)),
                    by,
                    "operator.grant",
                    "operator",
                    name,
                    None,
                    "first operator of a new database" if name == "alice" else "team setup",
                    {"role": role, "previous": None},
                )
            )
        for j, job in enumerate(JOBS):
            digest = hashlib.sha256(f"{job.job_id}|{w.crons[j]}|{job.tz}".encode()).hexdigest()[:16]
            cur.execute(
                "INSERT INTO c1.job (job_id, title, schedule_cron, timezone, definition_hash, registered_at,"
                " updated_at, schedule_since) VALUES (%s,%s,%s,%s,%s,%s,%s,%s)",
                (job.job_id, job.title, w.crons[j], job.tz, digest, iso(start), iso(start), iso(start)),
            )
        last_end = max(e.ended for e in w.executions) + 60 * US
        w.runner_spans[-1] = (w.runner_spans[-1][0], last_end)
        for n, runner in enumerate(w.runner_ids):
            began, ended = w.runner_spans[n]
            crashed = n < len(w.outages)
            cur.execute(
                "INSERT INTO c1.runner (runner_id, hostname, pid, started_at, heartbeat_at, lease_expires_at,"
                " stopped_at, version) VALUES (%s,%s,%s,%s,%s,%s,%s,'0.1.0')",
                (
                    runner,
                    runner.split("-")[0],
                    int(runner.split("-")[1]),
                    iso(began),
                    iso(ended - 2 * US),
                    iso(ended + 28 * US),
                    None if crashed else iso(ended),
                ),
            )
        cur.execute(
            "INSERT INTO c1.lease (name, runner_id, acquired_at, expires_at) VALUES ('scheduler',%s,%s,%s)",
            (w.runner_ids[-1], iso(w.runner_spans[-1][0]), iso(w.runner_spans[-1][1])),
        )
        copier = self.copier("missed_fire", "job_id, scheduled_for, detected_at, detected_by")
        for j, fire, detected, runner in w.missed:
            copier.add(f"{JOBS[j].job_id}\t{ts(fire)}\t{ts(detected)}\t{w.runner_ids[runner]}\n")
        self.done(copier)

    def executions(self) -> None:
        w = self.w
        ex_copy = self.copier(
            "execution",
            "execution_id, job_id, run_type, status, business_date_from, business_date_to, targets,"
            " replay_kind, replay_of, resumed_from, scheduled_for, requested_by, reason, created_at,"
            " started_at, ended_at,"
            " runner_id, stop_requested_at, stop_requested_by, stop_reason, error_code, error_summary,"
            " units_total, units_done, units_failed",
        )
        audit, notes = self.audit, self.notifications
        for ex in w.executions:
            job = JOBS[ex.job]
            eid = ex.id
            targets = NULL if ex.targets is None else array_text(job.targets[t] for t in ex.targets)
            replay_of = ex.replay_of.id if ex.replay_of is not None else None
            resumed_from = ex.resumed_from.id if ex.resumed_from is not None else None
            n = ex.n
            ex_copy.add(
                f"{eid}\t{job.job_id}\t{ex.rtype}\t{ex.status}\t{w.day_text[ex.d0]}\t{w.day_text[ex.d1]}\t"
                f"{targets}\t{esc(ex.rkind)}\t{esc(replay_of)}\t{esc(resumed_from)}\t"
                f"{ts(ex.sched) if ex.sched is not None else NULL}\t{ex.by}\t{esc(ex.reason)}\t"
                f"{ts(ex.created)}\t"
                f"{ts(ex.started) if ex.started is not None else NULL}\t{ts(ex.ended)}\t"
                f"{w.runner_ids[ex.runner] if ex.runner is not None else NULL}\t"
                f"{ts(ex.stop_req) if ex.stop_req is not None else NULL}\t{esc(ex.stop_by)}\t"
                f"{esc(ex.stop_reason)}\t{esc(ex.code)}\t{esc(ex.summary)}\t{n}\t{ex.done}\t{ex.failed_count}\n"
            )
            # The operator's acts, as ops.py audits and alerts them.
            if ex.rtype != "AUTO":
                dates = f"{w.day_text[ex.d0]}..{w.day_text[ex.d1]}"
                details: dict[str, Any] = {
                    "job_id": job.job_id,
                    "units": n,
                    "dates": dates,
                    "targets": None if ex.targets is None else [job.targets[t] for t in ex.targets],
                    "supersedes": n,
                    "replay_kind": ex.rkind,
                }
                if ex.rtype == "REPLAY":
                    action = "exec.replay"
                    details["replay_of"] = replay_of
                    notes.append(
                        (
                            ex.created + 2000,
                            "replay_started",
                            f"replay_started:{eid}",
                            ex.job,
                            eid,
                            {"by": ex.by, "reason": ex.reason, "kind": ex.rkind, "units": n},
                        )
                    )
                elif resumed_from is not None:
                    action = "exec.resume"
                    details["resumed_from"] = resumed_from
                    notes.append(
                        (
                            ex.created + 2000,
                            "resumed",
                            f"resumed:{eid}",
                            ex.job,
                            eid,
                            {"by": ex.by, "resumed_from": resumed_from, "reason": ex.reason},
                        )
                    )
                else:
                    action = "exec.trigger"
                audit.append(
                    (ex.created + 1500, ex.by, action, "execution", str(eid), eid, ex.reason, details)
                )
            if ex.stop_by is not None:
                audit.append(
                    (
                        ex.stop_req + 1500,
                        ex.stop_by,
                        "exec.stop",
                        "execution",
                        str(eid),
                        eid,
                        ex.stop_reason,
                        {"job_id": job.job_id, "status_before": "READY" if ex.started is None else "RUNNING"},
                    )
                )
                notes.append(
                    (
                        ex.stop_req + 2000,
                        "stopped",
                        f"stopped:{eid}",
                        ex.job,
                        eid,
                        {"by": ex.stop_by, "reason": ex.stop_reason},
                    )
                )
            if ex.status == "FAILED":
                if ex.code == RUNNER_LOST:
                    lost = w.runner_ids[ex.runner] if ex.runner is not None else "?"
                    detector = w.runner_ids[min(len(w.runner_ids) - 1, (ex.runner or 0) + 1)]
                    audit.append(
                        (
                            ex.ended + 1500,
                            SYSTEM,
                            "exec.fail_runner_lost",
                            "execution",
                            str(eid),
                            eid,
                            "runner lost",
                            {"runner_id": lost, "detected_by": detector},
                        )
                    )
                    notes.append(
                        (
                            ex.ended + 2000,
                            "failed",
                            f"failed:{eid}",
                            ex.job,
                            eid,
                            {"error_code": ex.code, "summary": ex.summary},
                        )
                    )
                else:
                    notes.append(
                        (
                            ex.ended + 2000,
                            "failed",
                            f"failed:{eid}",
                            ex.job,
                            eid,
                            {"error_code": ex.code, "summary": ex.summary, "failed_units": ex.failed_count},
                        )
                    )
        self.done(ex_copy)

    def events(self) -> None:
        """The transitions the execution_record_event trigger would have written: insert (READY, by whoever
        created it, message the reason), READY->RUNNING by system, then the end (STOPPED by the operator who
        asked, with the stop reason; FAILED with the code and summary)."""
        ev_copy = self.copier(
            "execution_event",
            "event_id, execution_id, from_status, to_status, at, actor, error_code, message",
        )
        add = ev_copy.add
        event_id = 0
        for ex in self.w.executions:
            eid = ex.id
            event_id += 1
            add(f"{event_id}\t{eid}\t\\N\tREADY\t{ts(ex.created + 300)}\t{ex.by}\t\\N\t{esc(ex.reason)}\n")
            event_id += 1
            if ex.started is None:  # READY -> STOPPED by an operator
                add(
                    f"{event_id}\t{eid}\tREADY\tSTOPPED\t{ts(ex.ended + 300)}\t{ex.stop_by}\t\\N\t"
                    f"{esc(ex.stop_reason)}\n"
                )
                continue
            add(f"{event_id}\t{eid}\tREADY\tRUNNING\t{ts(ex.started + 300)}\tsystem\t\\N\t\\N\n")
            event_id += 1
            if ex.status == "STOPPED":
                add(
                    f"{event_id}\t{eid}\tRUNNING\tSTOPPED\t{ts(ex.ended + 300)}\t{ex.stop_by}\t\\N\t"
                    f"{esc(ex.stop_reason)}\n"
                )
            elif ex.status == "FAILED":
                add(
                    f"{event_id}\t{eid}\tRUNNING\tFAILED\t{ts(ex.ended + 300)}\tsystem\t{ex.code}\t"
                    f"{esc(ex.summary)}\n"
                )
            else:
                add(f"{event_id}\t{eid}\tRUNNING\tSUCCESS\t{ts(ex.ended + 300)}\tsystem\t\\N\t\\N\n")
        self.done(ev_copy)

    def units_and_logs(self) -> None:
        w = self.w
        unit_copy = self.copier(
            "execution_unit",
            "execution_id, business_date, target_key, status, error_code, message, traceback, attempts,"
            " started_at, ended_at",
        )
        logs: list[str] = []
        log_id = 0
        rnd = random.Random(7)
        day_text = w.day_text
        buf = unit_copy.buf
        add = buf.append
        for ex in w.executions:
            if len(buf) >= 20_000:
                unit_copy.flush()
            job = JOBS[ex.job]
            names = job.targets if ex.targets is None else tuple(job.targets[t] for t in ex.targets)
            nt = len(names)
            eid = ex.id
            unit_us = ex.unit_us
            start = ex.started
            if start is None:
                for p in range(ex.n):
                    d, t = divmod(p, nt)
                    add(
                        f"{eid}\t{day_text[ex.d0 + d]}\t{names[t]}\tSKIPPED\t\\N\t"
                        f"not run: stopped before start\t\\N\t0\t\\N\t\\N\n"
                    )
                continue
            n = ex.n
            stamps = [ts(start + k * unit_us) for k in range(n + 1)]
            if ex.failed is None and ex.stop_at is None and ex.d0 == ex.d1:  # the common case
                head = f"{eid}\t{day_text[ex.d0]}\t"
                buf.extend(
                    [
                        f"{head}{name}\tSUCCESS\t\\N\t\\N\t\\N\t1\t{stamps[t]}\t{stamps[t + 1]}\n"
                        for t, name in enumerate(names)
                    ]
                )
            else:
                for p in range(n):
                    d, t = divmod(p, nt)
                    day = day_text[ex.d0 + d]
                    status = ex.unit_status(p)
                    if status == "SUCCESS":
                        add(
                            f"{eid}\t{day}\t{names[t]}\tSUCCESS\t\\N\t\\N\t\\N\t1\t"
                            f"{stamps[p]}\t{stamps[p + 1]}\n"
                        )
                    elif status == "FAILED":
                        assert ex.code is not None
                        kind, text = MESSAGES.get(ex.code, ("Error", "failed"))
                        message = text.format(d=day, t=names[t])
                        trace = (
                            f'Traceback (most recent call last):\n  File "jobs/{job.job_id}.py", line 88,'
                            f" in unit\n    rows = load(business_date, target)\n{kind}: {message}"
                        )
                        add(
                            f"{eid}\t{day}\t{names[t]}\tFAILED\t{ex.code}\t{esc(message)}\t{esc(trace)}\t1\t"
                            f"{stamps[p]}\t{stamps[p + 1]}\n"
                        )
                        log_id += 1
                        logs.append(
                            f"{log_id}\t{eid}\t{day}\t{names[t]}\t{stamps[p + 1]}\tERROR\t"
                            f"unit failed: {ex.code} {esc(message)}\n"
                        )
                    else:
                        why = (
                            f"not run: stopped by {ex.stop_by}"
                            if ex.status == "STOPPED"
                            else "not run: runner lost"
                        )
                        add(f"{eid}\t{day}\t{names[t]}\tSKIPPED\t\\N\t{why}\t\\N\t0\t\\N\t{ts(ex.ended)}\n")
            if rnd.random() < 0.2:
                log_id += 1
                logs.append(
                    f"{log_id}\t{eid}\t{day_text[ex.d0]}\t{names[0]}\t{ts(start + 1000)}\tINFO\t"
                    f"loaded {rnd.randint(100, 90000)} input rows\n"
                )
        self.done(unit_copy)
        log_copy = self.copier(
            "execution_log", "log_id, execution_id, business_date, target_key, at, level, message"
        )
        for line in logs:
            log_copy.add(line)
        self.done(log_copy)
        self.log_id = log_id

    def result_batches(self) -> list[tuple[int, int, int, int]]:
        """(commit time, execution index or -compensation index, first unit, end unit): one per chunk commit.
        Results get their ids in commit order, as the database gives them."""
        batches: list[tuple[int, int, int, int]] = []
        for i, ex in enumerate(self.w.executions):
            if ex.started is None:
                continue
            chunk = JOBS[ex.job].chunk
            region = ex.n if ex.stop_at is None else ex.stop_at
            for first in range(0, region, chunk):
                end = min(region, first + chunk)
                batches.append((ex.started + end * ex.unit_us + 2500, i, first, end))
        for c, comp in enumerate(self.w.comps):
            batches.append((comp.decided_at, -1 - c, 0, 1))
        batches.sort()
        return batches

    def results(self) -> None:
        w = self.w
        batches = self.result_batches()
        # Pass 1: who supersedes whom, following each key in commit order. Per result: its successor's id
        # and the commit (batch) that wrote it, whose time and author the deactivation columns repeat.
        successor = array("q")
        batch_of = array("q")
        last: dict[int, int] = {}
        get = last.get
        grow_successor, grow_batch = successor.append, batch_of.append
        rid = 0
        for b, (_when, i, first, end) in enumerate(batches):
            if i >= 0:
                ex = w.executions[i]
                failed = ex.failed
                nt = ex.nt
                targets = ex.targets
                job_day = (ex.job << 40) | (ex.d0 << 16)
                for p in range(first, end):
                    if failed is not None and p in failed:
                        continue
                    d, t = divmod(p, nt)
                    key = job_day + (d << 16) + (targets[t] if targets is not None else t)
                    rid += 1
                    grow_successor(0)
                    grow_batch(b)
                    previous = get(key)
                    if previous is not None:
                        successor[previous - 1] = rid
                    last[key] = rid
            else:
                comp = w.comps[-1 - i]
                key = (comp.job << 40) | (comp.day << 16) | comp.target
                rid += 1
                grow_successor(0)
                grow_batch(b)
                previous = get(key)
                if previous is not None:
                    successor[previous - 1] = rid
                last[key] = rid
        stamps = [ts(when) for when, _i, _f, _e in batches]
        authors = [
            f"superseded by execution {w.executions[i].id}" if i >= 0 else f"superseded by compensation {-i}"
            for _when, i, _f, _e in batches
        ]
        self.comp_result: dict[int, int] = {}
        # Pass 2: the rows.
        copier = self.copier(
            "result",
            "result_id, job_id, business_date, target_key, payload, source, execution_id, compensation_id,"
            " is_active, created_at, superseded_by, deactivated_at, deactivated_reason",
        )
        buf = copier.buf
        append = buf.append
        day_text = w.day_text
        rid = 0
        for b, (_when, i, first, end) in enumerate(batches):
            stamp = stamps[b]
            if i >= 0:
                ex = w.executions[i]
                job = JOBS[ex.job]
                names = job.targets if ex.targets is None else tuple(job.targets[t] for t in ex.targets)
                nt = len(names)
                failed = ex.failed
                head = f"\t{job.job_id}\t"
                tail_run = f"\tRUN\t{ex.id}\t\\N\t"
                for p in range(first, end):
                    if failed is not None and p in failed:
                        continue
                    d, t = divmod(p, nt)
                    rid += 1
                    nxt = successor[rid - 1]
                    if nxt:
                        nb = batch_of[nxt - 1]
                        tail = f"f\t{stamp}\t{nxt}\t{stamps[nb]}\t{authors[nb]}\n"
                    else:
                        tail = f"t\t{stamp}\t\\N\t\\N\t\\N\n"
                    append(
                        f'{rid}{head}{day_text[ex.d0 + d]}\t{names[t]}\t{{"rows": {rid % 90000 + 100}, '
                        f'"value": {rid % 99991}.{rid % 97:02d}}}{tail_run}{tail}'
                    )
                if len(buf) >= 20_000:
                    copier.flush()
            else:
                comp = w.comps[-1 - i]
                rid += 1
                self.comp_result[comp.id] = rid
                nxt = successor[rid - 1]
                if nxt:
                    nb = batch_of[nxt - 1]
                    tail = f"f\t{stamp}\t{nxt}\t{stamps[nb]}\t{authors[nb]}\n"
                else:
                    tail = f"t\t{stamp}\t\\N\t\\N\t\\N\n"
                job = JOBS[comp.job]
                append(
                    f"{rid}\t{job.job_id}\t{day_text[comp.day]}\t{job.targets[comp.target]}\t"
                    f'{{"manual": true, "value": 100.00}}\tCOMPENSATION\t\\N\t{comp.id}\t{tail}'
                )
        self.done(copier)
        self.result_count = rid

    def compensations_and_signoffs(self) -> None:
        w = self.w
        copier = self.copier(
            "compensation",
            "compensation_id, job_id, business_date, target_key, payload, reason, evidence_ref, requested_by,"
            " requested_at, status, decided_by, decided_at, decision_note",
        )
        for c in w.comps:
            job = JOBS[c.job]
            day, target = w.day_text[c.day], job.targets[c.target]
            reason = f"vendor cannot resend {target} for {day}; value confirmed by phone"
            ref = f"TICKET-{40000 + c.id}"
            copier.add(
                f'{c.id}\t{job.job_id}\t{day}\t{target}\t{{"manual": true, "value": 100.00}}\t{reason}\t'
                f"{ref}\t{c.requested_by}\t{ts(c.requested_at)}\tAPPROVED\t{c.decided_by}\t"
                f"{ts(c.decided_at)}\tchecked against the custodian statement\n"
            )
            payload_sha = hashlib.sha256(b'{"manual": true, "value": 100.00}').hexdigest()
            self.audit.append(
                (
                    c.requested_at + 1500,
                    c.requested_by,
                    "comp.request",
                    "compensation",
                    str(c.id),
                    None,
                    reason,
                    {
                        "job_id": job.job_id,
                        "business_date": day,
                        "target": target,
                        "payload_sha256": payload_sha,
                        "evidence_ref": ref,
                        "evidence": [],
                    },
                )
            )
            self.audit.append(
                (
                    c.decided_at + 1500,
                    c.decided_by,
                    "comp.approve",
                    "compensation",
                    str(c.id),
                    None,
                    "checked against the custodian statement",
                    {
                        "job_id": job.job_id,
                        "business_date": day,
                        "target": target,
                        "result_id": self.comp_result[c.id],
                        "requested_by": c.requested_by,
                    },
                )
            )
            self.notifications.append(
                (
                    c.requested_at + 2000,
                    "comp_requested",
                    f"comp_requested:{c.id}",
                    c.job,
                    None,
                    {
                        "by": c.requested_by,
                        "reason": reason,
                        "compensation_id": c.id,
                        "key": f"{job.job_id} {day} {target}",
                    },
                )
            )
            self.notifications.append(
                (
                    c.decided_at + 2000,
                    "comp_approved",
                    f"comp_approved:{c.id}",
                    c.job,
                    None,
                    {
                        "by": c.decided_by,
                        "reason": "checked against the custodian statement",
                        "compensation_id": c.id,
                    },
                )
            )
        self.done(copier)
        copier = self.copier(
            "checklist_signoff", "signoff_id, kind, period, signed_by, signed_at, comment, snapshot"
        )
        for n, (kind, period, by, at, comment, verdict, open_items) in enumerate(w.signoffs, start=1):
            snapshot = jsonb_text(
                {"kind": kind.lower(), "period": period, "verdict": verdict, "open_items": open_items}
            )
            copier.add(f"{n}\t{kind}\t{period}\t{by}\t{ts(at)}\t{comment}\t{snapshot}\n")
            self.audit.append(
                (
                    at + 1500,
                    by,
                    "checklist.sign",
                    "checklist",
                    f"{kind.lower()}:{period}",
                    None,
                    comment,
                    {
                        "verdict": verdict,
                        "open_items": open_items,
                        "signoff_id": n,
                        "snapshot_sha256": hashlib.sha256(snapshot.encode()).hexdigest(),
                    },
                )
            )
        self.done(copier)
        self.signoff_count = len(w.signoffs)

    def audit_rows(self) -> None:
        """The chain, computed here as the trigger would have: ids in time order, each hash over the previous
        hash and the canonical text of c1.audit_canonical() (sql/003)."""
        self.audit.sort(key=lambda a: a[0])
        copier = self.copier(
            "audit_log",
            "audit_id, at, actor, action, object_type, object_id, execution_id, reason,"
            " details, prev_hash, hash",
        )
        previous = GENESIS
        for n, (at, actor, action, object_type, object_id, execution_id, reason, details) in enumerate(
            self.audit, start=1
        ):
            text = jsonb_text(details)
            canonical = SEP.join(
                (
                    str(n),
                    ts_canonical(at),
                    actor,
                    action,
                    object_type,
                    object_id,
                    "" if execution_id is None else str(execution_id),
                    reason or "",
                    text,
                )
            )
            digest = hashlib.sha256((previous + canonical).encode()).hexdigest()
            copier.add(
                f"{n}\t{ts(at)}\t{actor}\t{action}\t{object_type}\t{esc(object_id)}\t{esc(execution_id)}\t"
                f"{esc(reason)}\t{esc(text)}\t{previous}\t{digest}\n"
            )
            previous = digest
        self.done(copier)
        self.audit_head = previous

    def notification_rows(self) -> None:
        self.notifications.sort(key=lambda x: x[0])
        rnd = random.Random(11)
        copier = self.copier(
            "notification",
            "notification_id, created_at, event, channel, dedupe_key, job_id, execution_id, details, status,"
            " attempts, next_attempt_at, last_error, sent_at",
        )
        n = 0
        for at, event, key, job, execution_id, details in self.notifications:
            text = esc(json.dumps(details, default=str))
            for channel in CHANNELS:
                n += 1
                if rnd.random() < 0.004:
                    tail = f"FAILED\t5\t{ts(at + 3600 * US)}\tSMTP 451 4.7.1 try again later\t\\N\n"
                else:
                    tail = f"SENT\t1\t{ts(at)}\t\\N\t{ts(at + rnd.randint(300_000, 3 * US))}\n"
                copier.add(
                    f"{n}\t{ts(at)}\t{event}\t{channel}\t{key}\t{JOBS[job].job_id}\t{esc(execution_id)}\t"
                    f"{text}\t{tail}"
                )
        self.done(copier)
        self.notification_count = n


# Loading -------------------------------------------------------------------------------------------------

BIG_TABLES = (
    "execution",
    "execution_event",
    "execution_unit",
    "execution_log",
    "result",
    "audit_log",
    "notification",
)
IDENTITIES = {
    "execution": "execution_id",
    "execution_event": "event_id",
    "execution_log": "log_id",
    "result": "result_id",
    "notification": "notification_id",
    "compensation": "compensation_id",
    "checklist_signoff": "signoff_id",
}


def secondary_indexes(cur: psycopg.Cursor[Any]) -> list[tuple[str, str]]:
    """(name, definition) of the indexes of the big tables that back no constraint: dropped for the load and
    re-created from these very definitions afterwards (as pg_restore does)."""
    return cur.execute(
        """
        SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
          FROM pg_index i
          JOIN pg_class t ON t.oid = i.indrelid
          JOIN pg_namespace s ON s.oid = t.relnamespace
         WHERE s.nspname = 'c1' AND t.relname = ANY(%s)
           AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
         ORDER BY 1
        """,
        (list(BIG_TABLES),),
    ).fetchall()


# Tables whose primary key is cheaper to build once, sorted, than to maintain row by row (10M rows each).
KEYED_TABLES = ("execution_unit", "execution_event", "execution_log", "result")


def key_constraints(cur: psycopg.Cursor[Any]) -> list[tuple[str, str, str, str]]:
    """(table, name, type, definition) of the primary keys of KEYED_TABLES and of the foreign keys that
    reference them: dropped for the load, added back afterwards (adding a foreign key validates it)."""
    return cur.execute(
        """
        SELECT c.conrelid::regclass::text, c.conname, c.contype, pg_get_constraintdef(c.oid)
          FROM pg_constraint c
          JOIN pg_namespace s ON s.oid = c.connamespace
         WHERE s.nspname = 'c1'
           AND ((c.contype IN ('p', 'u') AND c.conrelid::regclass::text = ANY(%s))
                OR (c.contype = 'f' AND c.confrelid::regclass::text = ANY(%s)))
         ORDER BY c.contype = 'f' DESC, 1, 2
        """,
        ([f"c1.{t}" for t in KEYED_TABLES], [f"c1.{t}" for t in KEYED_TABLES]),
    ).fetchall()


def load(url: str, world: World, log: Callable[[str], None]) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    with psycopg.connect(url) as conn:
        cur = conn.cursor()
        if not cur.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user").fetchone()[0]:
            raise SystemExit("generate.py loads as a superuser (session_replication_role); connect as one")
        busy = cur.execute(
            "SELECT (SELECT count(*) FROM c1.execution) + (SELECT count(*) FROM c1.audit_log)"
            " + (SELECT count(*) FROM c1.job)"
        ).fetchone()[0]
        if busy:
            raise SystemExit(
                "the database already holds c1console data; use --recreate (drops it) or another one"
            )
        cur.execute("SET session_replication_role = replica")
        cur.execute("SET maintenance_work_mem = '512MB'")
        cur.execute("SET synchronous_commit = off")
        indexes = secondary_indexes(cur)
        for name, _definition in indexes:
            cur.execute(f"DROP INDEX {name}")
        constraints = key_constraints(cur)  # foreign keys first: they depend on the keys
        for table, name, _kind, _definition in constraints:
            cur.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
        started = time.perf_counter()
        writer = Writer(world, cur)
        writer.write_all(lambda what: log(f"  copied {what} ({time.perf_counter() - started:.0f}s)"))
        copy_seconds = time.perf_counter() - started
        index_start = time.perf_counter()
        for table, name, _kind, definition in reversed(constraints):  # keys first, then foreign keys
            cur.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}")
        for _name, definition in indexes:
            cur.execute(definition)
        index_seconds = time.perf_counter() - index_start
        log(f"  re-created {len(constraints)} keys and {len(indexes)} indexes ({index_seconds:.0f}s)")
        for table, column in IDENTITIES.items():
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('c1.{table}', '{column}'),"
                f" coalesce((SELECT max({column}) FROM c1.{table}), 0) + 1, false)"
            )
        after = secondary_indexes(cur)
        assert sorted(after) == sorted(indexes), "the re-created indexes differ from the schema's"
        assert sorted(key_constraints(cur)) == sorted(constraints), (
            "the re-created keys differ from the schema's"
        )
        cur.execute("SET session_replication_role = origin")
        conn.commit()
        figures.update(
            copy_seconds=copy_seconds,
            index_seconds=index_seconds,
            rows=writer.counts,
            audit_head=writer.audit_head,
        )
    vacuum_start = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "VACUUM (ANALYZE) c1.execution, c1.execution_event, c1.execution_unit, c1.execution_log,"
            " c1.result, c1.audit_log, c1.notification, c1.compensation, c1.checklist_signoff,"
            " c1.missed_fire, c1.job, c1.runner, c1.operator, c1.lease"
        )
    figures["vacuum_analyze_seconds"] = time.perf_counter() - vacuum_start
    return figures


# Checking ------------------------------------------------------------------------------------------------

CHECKS = {
    "units per execution match units_total/done/failed": """
        SELECT count(*) FROM c1.execution e
          LEFT JOIN (SELECT execution_id, count(*) AS n, count(*) FILTER (WHERE status = 'SUCCESS') AS ok,
                            count(*) FILTER (WHERE status = 'FAILED') AS bad
                       FROM c1.execution_unit GROUP BY 1) u USING (execution_id)
         WHERE coalesce(u.n, 0) <> e.units_total OR coalesce(u.ok, 0) <> e.units_done
            OR coalesce(u.bad, 0) <> e.units_failed""",
    "results only for succeeded units": """
        SELECT count(*) FROM c1.result r
         WHERE r.source = 'RUN' AND NOT EXISTS (
               SELECT 1 FROM c1.execution_unit u WHERE u.execution_id = r.execution_id
                  AND u.business_date = r.business_date AND u.target_key = r.target_key
                  AND u.status = 'SUCCESS')""",
    "every succeeded unit has its result": """
        SELECT (SELECT count(*) FROM c1.execution_unit WHERE status = 'SUCCESS')
             - (SELECT count(*) FROM c1.result WHERE source = 'RUN')""",
    "a superseded result points to a newer one of the same key": """
        SELECT count(*) FROM c1.result o JOIN c1.result n ON n.result_id = o.superseded_by
         WHERE o.is_active OR n.job_id <> o.job_id OR n.business_date <> o.business_date
            OR n.target_key <> o.target_key OR n.result_id <= o.result_id
            OR o.deactivated_at <> n.created_at""",
    "every key has exactly one active result": """
        SELECT count(*) FROM (SELECT job_id, business_date, target_key FROM c1.result GROUP BY 1, 2, 3
                               HAVING count(*) FILTER (WHERE is_active) <> 1) k""",
    "events follow the legal transitions and end at the status": """
        SELECT count(*) FROM c1.execution e
          JOIN LATERAL (SELECT string_agg(coalesce(from_status, '-') || '>' || to_status, ' '
                                          ORDER BY event_id) AS path
                          FROM c1.execution_event v WHERE v.execution_id = e.execution_id) p ON true
         WHERE p.path NOT IN ('->READY READY>RUNNING RUNNING>' || e.status, '->READY READY>STOPPED')
            OR (p.path = '->READY READY>STOPPED' AND e.status <> 'STOPPED')""",
    "replays and resumes point back in time": """
        SELECT count(*) FROM c1.execution WHERE replay_of >= execution_id OR resumed_from >= execution_id""",
}


def foreign_key_checks(cur: psycopg.Cursor[Any]) -> dict[str, str]:
    """One anti-join per foreign key of schema c1 (they were not checked while triggers were off)."""
    rows = cur.execute(
        """
        SELECT c.conname, child.relname, a.attname, parent.relname, pa.attname
          FROM pg_constraint c
          JOIN pg_class child ON child.oid = c.conrelid
          JOIN pg_class parent ON parent.oid = c.confrelid
          JOIN pg_namespace s ON s.oid = child.relnamespace
          JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
          JOIN pg_attribute pa ON pa.attrelid = c.confrelid AND pa.attnum = c.confkey[1]
         WHERE c.contype = 'f' AND s.nspname = 'c1' AND cardinality(c.conkey) = 1
         ORDER BY 1
        """
    ).fetchall()
    return {
        f"foreign key {name}": (
            f"SELECT count(*) FROM c1.{child} x WHERE x.{column} IS NOT NULL AND NOT EXISTS"
            f" (SELECT 1 FROM c1.{parent} y WHERE y.{pcolumn} = x.{column})"
        )
        for name, child, column, parent, pcolumn in rows
    }


def check(url: str, log: Callable[[str], None]) -> bool:
    """Consistency of the loaded data, and the audit chain verified the way `c1console audit verify` does."""
    ok = True
    with psycopg.connect(url) as conn:
        cur = conn.cursor()
        checks = {**foreign_key_checks(cur), **CHECKS}
        for what, query in checks.items():
            bad = cur.execute(query).fetchone()[0]
            ok = ok and bad == 0
            log(f"  {'ok ' if bad == 0 else 'BAD'} {what}" + ("" if bad == 0 else f": {bad}"))
    db = common.open_db(url)
    try:
        from c1console.store import audit
        from c1console.store.engine import connection

        with connection(db) as conn:
            report = audit.verify_chain(conn)
    finally:
        db.dispose()
    log(
        f"  {'ok ' if report.ok else 'BAD'} audit chain: {report.rows} rows"
        + ("" if report.ok else f", broken at {report.broken_at}: {report.problem}")
    )
    return ok and report.ok


# Command line --------------------------------------------------------------------------------------------


def generate(
    url: str,
    executions: int,
    *,
    end: date | None = None,
    seed: int = 42,
    schedule_for: int | None = None,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    db = common.open_db(url)  # the project's own migrations
    db.dispose()
    began = time.perf_counter()
    world = World(executions, end or date.today() - timedelta(days=1), seed, schedule_for)
    world.plan()
    plan_seconds = time.perf_counter() - began
    span = world.days[world.span_start], world.days[-1]
    log(f"planned {len(world.executions):,} executions, {span[0]}..{span[1]} ({plan_seconds:.1f}s)")
    figures = load(url, world, log)
    total = time.perf_counter() - began
    rows = sum(figures["rows"].values()) + len(JOBS) + len(OPERATORS) + len(world.runner_ids) + 1
    figures.update(
        executions=len(world.executions),
        first_business_date=str(span[0]),
        last_business_date=str(span[1]),
        plan_seconds=plan_seconds,
        total_seconds=total,
        total_rows=rows,
        rows_per_second=rows / total,
        crons={j.job_id: c for j, c in zip(JOBS, world.crons, strict=True)},
    )
    figures_file(url).write_text(json.dumps(figures, indent=2, default=str))
    return figures


def figures_file(url: str) -> Path:
    """Where the load figures of a generated database are kept (run_all --skip-generate reports them)."""
    import tempfile

    host = url.partition("@")[2].partition("/")[0] or "embedded"
    safe = "".join(c if c.isalnum() else "_" for c in f"{host}_{common.dbname_of(url)}")
    return Path(tempfile.gettempdir()) / f"c1bench-figures-{safe}.json"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="PostgreSQL URL of the database to fill (default: embedded)")
    parser.add_argument(
        "--data-dir", type=Path, help=f"embedded server data (default {common.DEFAULT_DATA_DIR})"
    )
    parser.add_argument("--database", default="c1bench", help="embedded database name (default c1bench)")
    parser.add_argument("--executions", type=int, default=1_000_000)
    parser.add_argument("--end-date", type=date.fromisoformat, help="last business date (default yesterday)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--schedules-of",
        type=int,
        metavar="M",
        help="use the job schedules of an M-execution history (same activity per day, shorter span)",
    )
    parser.add_argument("--recreate", action="store_true", help="drop and create the database first")
    parser.add_argument("--check", action="store_true", help="check consistency and the audit chain after")
    parser.add_argument("--json", help="write the figures to this file")
    args = parser.parse_args(argv)
    url = common.database_url(args.database_url, args.database, args.data_dir)
    if args.recreate:
        common.recreate_database(url)
    else:
        common.ensure_database(url)
    figures = generate(
        url, args.executions, end=args.end_date, seed=args.seed, schedule_for=args.schedules_of
    )
    rows = figures["rows"]
    print(
        f"loaded {figures['total_rows']:,} rows in {figures['total_seconds']:.1f}s"
        f" = {figures['rows_per_second']:,.0f} rows/s"
        f" (COPY {figures['copy_seconds']:.1f}s, indexes {figures['index_seconds']:.1f}s,"
        f" vacuum+analyze {figures['vacuum_analyze_seconds']:.1f}s)"
    )
    print("  " + ", ".join(f"{table} {count:,}" for table, count in rows.items()))
    print(f"  audit head {figures['audit_head']}")
    ok = True
    if args.check:
        ok = check(url, print)
        figures["check_ok"] = ok
    common.emit(figures, args.json)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
