"""Pass 1: the whole history planned in memory (``World``) before any row is written: the jobs' schedules,
their AUTO fires, runner outages, failures and stops, the operators' follow-ups and ad-hoc acts,
compensations and checklist sign-offs."""

from __future__ import annotations

import bisect
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from bench.generate.parameters import (
    ACTING,
    APPROVERS,
    AUTO_SHARE,
    DAY_US,
    EPOCH,
    EXT_TIMEOUT,
    EXT_UNAVAILABLE,
    JOBS,
    LEAD_DAYS,
    MESSAGES,
    REPLAY_REASONS,
    RESUME_REASONS,
    RUNNER_LOST,
    SPAN_DAYS,
    STOP_REASONS,
    SYSTEM,
    TRIGGER_REASONS,
    US,
    JobSpec,
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
    hour_field = f"{job.hour}-{job.hour + span - 1}" if span > 1 else str(job.hour)
    minutes = [h * 60 + m for h in range(job.hour, job.hour + span) for m in range(0, 60, step)]
    return f"*/{step} {hour_field} * * 1-5", minutes


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
        self.rkind: str | None = None
        self.reason: str | None = None
        self.replay_of: Ex | None = None
        self.resumed_from: Ex | None = None
        self.sched: int | None = None
        self.targets: tuple[int, ...] | None = None  # None: every target of the job
        self.nt = 0
        self.status = "SUCCESS"
        self.started: int | None = None
        self.ended = 0
        self.failed: frozenset[int] | None = None
        self.stop_at: int | None = None
        self.stop_by: str | None = None
        self.stop_reason: str | None = None
        self.stop_req: int | None = None
        self.code: str | None = None
        self.summary: str | None = None
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
