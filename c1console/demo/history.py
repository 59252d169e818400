"""About thirty business days of demo history, made through the same paths as live work.

The audit log cannot be backdated, so history is not inserted as finished rows: AUTO executions are
created for past schedule fires (business dates and ``scheduled_for`` in the past, wall-clock times today)
and the live runner runs them; then the operator acts go through ``ops`` like any operator's: replays,
a resume of a failed execution, a stop and its resume, a MANUAL trigger, a job pause and resume. One
failed execution is left open for the operator to fix and one schedule fire is recorded as missed.

``seed_history`` needs the demo jobs (``c1console.demo.jobs.register``) in ``session.registry`` and a live
runner running them; ``runner_wait(execution_id)`` must block until that execution is terminal.
"""

from __future__ import annotations

import time as clock
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Connection

from c1console import ops
from c1console.demo import jobs as demo
from c1console.errors import Refused
from c1console.jobs import JobDefinition
from c1console.requests import ReplayOf, ReplayRange, ReplayRequest, ReplaySingle
from c1console.scheduler.runner import create_auto_execution
from c1console.scheduler.worker import SYSTEM
from c1console.store import executions, runners
from c1console.store.engine import connection, transaction
from c1console.store.executions import Execution

FIRE_TIME = time(6, 0)  # the daily fire the history shows, in the jobs' timezone
AUTO_JOBS = (demo.MARKET_PRICE_INGEST, demo.PORTFOLIO_VALUATION, demo.POSITION_RECONCILIATION)
MISSED_JOB = demo.POSITION_RECONCILIATION
STOP_WINDOW_DAYS = 10  # performance_calc over 10 days x 12 portfolios = 120 units, stopped part-way
STOP_AFTER_UNITS = 24
POLL_SECONDS = 0.02
START_TIMEOUT_SECONDS = 120.0
LEFT_OPEN = 3  # failed AUTO executions the seeder leaves open: n, r, a and a bulk replay have work to do

RunnerWait = Callable[[int], None]


@dataclass(frozen=True)
class SeedReport:
    """What the database holds after seeding (or already held, when ``seeded`` is False)."""

    seeded: bool
    by_run_type: dict[str, int]
    by_status: dict[str, int]
    open_failed: int | None = None  # the newest of left_open
    left_open: tuple[int, ...] = ()
    stopped: int | None = None
    missed_fires: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def executions(self) -> int:
        return sum(self.by_run_type.values())

    def describe(self) -> str:
        kinds = ", ".join(f"{n} {k}" for k, n in sorted(self.by_run_type.items()))
        states = ", ".join(f"{n} {s}" for s, n in sorted(self.by_status.items()))
        counts = f"{self.executions} executions ({kinds}; {states})"
        if not self.seeded:
            return f"demo history already present, nothing seeded: {counts}"
        text = f"demo history seeded in {self.seconds:.1f}s: {counts}"
        if self.left_open:
            ids = ", ".join(f"#{i}" for i in self.left_open)
            text += f"; {ids} FAILED and left open for you to fix (u lists open failures)"
        if self.missed_fires:
            text += f"; {self.missed_fires} missed schedule fire(s) recorded"
        return text


def seed_history(
    session: ops.Session, runner_wait: RunnerWait, *, days: int = 30, today: date | None = None
) -> SeedReport:
    """Creates ``days`` business days of history before ``today`` (default: today in the jobs' timezone)."""
    if days < 3:
        raise ValueError("seed_history needs at least 3 business days")
    started = clock.monotonic()
    today = today or datetime.now(ZoneInfo(demo.TIMEZONE)).date()
    dates = _business_days(session.registry.require(demo.PORTFOLIO_VALUATION), today, days)
    with connection(session.db) as conn:
        if _has_history(conn, dates[-1]):
            return _report(session, seeded=False)
    ops.sync_jobs(session)
    seeder = _Seeder(session, runner_wait, dates, today)
    seeder.auto_history()
    seeder.operator_acts()
    return _report(
        session,
        seeded=True,
        open_failed=seeder.open_failed,
        left_open=seeder.left_open,
        stopped=seeder.stopped,
        missed=seeder.missed,
        seconds=clock.monotonic() - started,
        notes=seeder.notes,
    )


def _business_days(job: JobDefinition, today: date, days: int) -> list[date]:
    found: list[date] = []
    day = today
    for _ in range(days):
        day = job.calendar.previous(day)
        found.append(day)
    return found[::-1]


def _has_history(conn: Connection, latest: date) -> bool:
    """Operator acts, or AUTO runs of days before the latest: a live runner's fires of the latest business
    day alone (it may fire before seeding starts) are not history."""
    acts = executions.list_executions(conn, run_types=("MANUAL", "REPLAY"), limit=1)
    older = executions.list_executions(conn, until=latest - timedelta(days=1), limit=1)
    return bool(acts or older)


def _all_executions(session: ops.Session) -> list[Execution]:
    found: list[Execution] = []
    before: int | None = None
    with connection(session.db) as conn:
        while page := executions.list_executions(conn, before_id=before, limit=1000):
            found += page
            before = page[-1].execution_id
    return found


def _report(
    session: ops.Session,
    *,
    seeded: bool,
    open_failed: int | None = None,
    left_open: tuple[int, ...] = (),
    stopped: int | None = None,
    missed: int = 0,
    seconds: float = 0.0,
    notes: Sequence[str] = (),
) -> SeedReport:
    everything = _all_executions(session)
    return SeedReport(
        seeded=seeded,
        by_run_type=dict(Counter(e.run_type for e in everything)),
        by_status=dict(Counter(e.status for e in everything)),
        open_failed=open_failed,
        left_open=left_open,
        stopped=stopped,
        missed_fires=missed,
        seconds=round(seconds, 2),
        notes=list(notes),
    )


class _Seeder:
    def __init__(self, session: ops.Session, runner_wait: RunnerWait, dates: list[date], today: date) -> None:
        self.session = session
        self.wait = runner_wait
        self.dates = dates
        self.today = today
        self.seed = demo.seed_of(session.registry.require(demo.PERFORMANCE_CALC))
        self.open_failed: int | None = None
        self.left_open: tuple[int, ...] = ()
        self.stopped: int | None = None
        self.missed = 0
        self.notes: list[str] = []

    # AUTO fires of past days ------------------------------------------------------------------------------

    def fire_time(self, job: JobDefinition, business_date: date) -> datetime:
        """The schedule fire that processes ``business_date``: 06:00 on the next business day (today at the
        latest), or the latest fire before now when that is still ahead."""
        zone = ZoneInfo(job.timezone)
        day = min(_next_business_day(job, business_date), self.today)
        fire = datetime.combine(day, FIRE_TIME, zone)
        now = datetime.now(UTC)
        if fire > now and job.trigger is not None:
            latest = _latest_fire(job, now)
            if latest is not None and latest.astimezone(zone).date() == day:
                fire = latest
        return fire

    def auto_history(self) -> None:
        """One AUTO execution per business day and scheduled job (all targets), run by the live runner. The
        second-latest day's position reconciliation fire is recorded as missed instead (runner down)."""
        missed_day = self.dates[-2]
        created: list[int] = []
        with transaction(self.session.db, SYSTEM) as conn:
            for business_date in self.dates:
                for job_id in AUTO_JOBS:
                    job = self.session.registry.require(job_id)
                    fire = self.fire_time(job, business_date)
                    if job_id == MISSED_JOB and business_date == missed_day:
                        self.missed += runners.record_missed(conn, job_id, [fire], SYSTEM)
                        continue
                    new_id = create_auto_execution(conn, job, fire, business_date)
                    if new_id is None:  # the live runner fired this very time already
                        self.notes.append(f"{job_id} fire at {fire:%Y-%m-%d %H:%M} existed already")
                    else:
                        created.append(new_id)
        for execution_id in created:
            self.wait(execution_id)
        # the live runner's own fires of the latest day may hold a planned fault: let them finish too
        with connection(self.session.db) as conn:
            live = executions.list_executions(
                conn, statuses=("READY", "RUNNING"), run_types=("AUTO",), limit=100
            )
        for execution in live:
            self.wait(execution.execution_id)

    # Operator acts ----------------------------------------------------------------------------------------

    def operator_acts(self) -> None:
        perf = self.session.registry.require(demo.PERFORMANCE_CALC)
        long_days = self.clean_window(perf, STOP_WINDOW_DAYS)
        week_days = self.month_end_week(perf)
        # the long run goes first so the runner has it going while the rest is dispatched
        long_run = self.trigger(
            demo.PERFORMANCE_CALC, long_days, "recalculate returns after the benchmark switch to KOSPI 200 TR"
        )
        pending = self.fix_failed_auto()
        pending += self.range_and_single_replays()
        week = self.trigger(
            demo.PERFORMANCE_CALC, week_days, "weekly performance pack for the investment committee"
        )
        pending.append(week)
        self.stop_and_resume(long_run)
        for execution_id in pending:
            self.wait(execution_id)
        if self.status(week) == "FAILED":
            fix = self.replay(
                ReplayOf(week, failed_only=True),
                reason="month-end boundary fix deployed (release 2.14.1); recomputing",
            )
            self.wait(fix)

    def fix_failed_auto(self) -> list[int]:
        """Every failed AUTO execution is replayed (failed units only) or resumed, except the newest
        ``LEFT_OPEN`` before the latest seeded day, left open for the operator (not the latest day's: the
        live schedule fires that day too, and a later fire would fix them under the operator's eyes)."""
        with connection(self.session.db) as conn:
            failed = executions.list_executions(conn, statuses=("FAILED",), run_types=("AUTO",), limit=10_000)
        failed.sort(key=lambda e: (e.business_date_from, e.execution_id))
        earlier = [e for e in failed if e.business_date_to < self.dates[-1]]
        if not earlier:
            self.notes.append("no AUTO execution failed; nothing left open")
        self.left_open = tuple(e.execution_id for e in earlier[-LEFT_OPEN:])
        self.open_failed = self.left_open[-1] if self.left_open else None
        started: list[int] = []
        to_fix = [e for e in failed if e.execution_id not in self.left_open]
        for n, execution in enumerate(to_fix):
            try:
                if n == 0 and len(to_fix) > 1:
                    created = ops.resume(
                        self.session,
                        execution.execution_id,
                        reason="source confirmed fixed; running the units that did not succeed",
                    )
                    assert isinstance(created, ops.Created)
                    started.append(created.execution_id)
                else:
                    started.append(
                        self.replay(
                            ReplayOf(execution.execution_id, failed_only=True),
                            reason=REPLAY_REASONS[execution.job_id],
                        )
                    )
            except Refused as exc:  # a live schedule fire of the same business date fixed it already
                self.notes.append(f"execution {execution.execution_id} not replayed: {exc}")
        return started

    def range_and_single_replays(self) -> list[int]:
        """A RANGE replay of three days of valuations and a SINGLE replay of one account, the latter while
        the account's job is paused."""
        span = self.dates[-12:-9] if len(self.dates) >= 12 else self.dates[:3]
        restated = f"custodian restated closing prices for {span[0]}..{span[-1]} (ticket MD-4127)"
        started = [self.replay(ReplayRange(demo.PORTFOLIO_VALUATION, span[0], span[-1]), reason=restated)]
        ops.set_job_paused(
            self.session,
            demo.POSITION_RECONCILIATION,
            True,
            "custodian file delayed; holding automatic reconciliation",
        )
        recent = self.dates[-6:-1] if len(self.dates) >= 6 else self.dates[:-1]
        started.append(
            self.replay(
                ReplaySingle(demo.POSITION_RECONCILIATION, "ACC-1003", recent[0], recent[-1]),
                reason="client query on ACC-1003; re-reconcile with the corrected file",
            )
        )
        ops.set_job_paused(
            self.session,
            demo.POSITION_RECONCILIATION,
            False,
            "custodian file received; automatic reconciliation back on",
        )
        return started

    def stop_and_resume(self, execution_id: int) -> None:
        """Stops the long run part-way, then resumes it: a STOPPED execution and its MANUAL resume."""
        if not self.wait_progress(execution_id):
            self.notes.append(f"execution {execution_id} finished before it could be stopped")
            return
        try:
            ops.stop(self.session, execution_id, "stopping to free the database for the month-end close")
        except Refused as exc:
            self.notes.append(f"stop of {execution_id} refused: {exc}")
            return
        self.wait(execution_id)
        if self.status(execution_id) != "STOPPED":
            self.notes.append(f"execution {execution_id} ended {self.status(execution_id)}, not STOPPED")
            return
        self.stopped = execution_id
        resumed = ops.resume(self.session, execution_id, "close window over; resuming the remaining units")
        assert isinstance(resumed, ops.Created)
        self.wait(resumed.execution_id)

    def wait_progress(self, execution_id: int) -> bool:
        """Waits until the execution is RUNNING with some units done; False when it is already over."""
        deadline = clock.monotonic() + START_TIMEOUT_SECONDS
        while clock.monotonic() < deadline:
            with connection(self.session.db) as conn:
                found = executions.get_execution(conn, execution_id)
            assert found is not None
            if found.status in executions.TERMINAL:
                return False
            if found.status == "RUNNING" and found.units_done >= STOP_AFTER_UNITS:
                return True
            clock.sleep(POLL_SECONDS)
        raise TimeoutError(
            f"execution {execution_id} did not start within {START_TIMEOUT_SECONDS:.0f}s; "
            "is the runner running?"
        )

    # Choosing windows -------------------------------------------------------------------------------------

    def manual_faults(self, job: JobDefinition, day: date) -> int:
        return sum(
            demo.planned_fault(job.job_id, day, t, "MANUAL", self.seed) is not None
            for t in job.targets_for(day)
        )

    def clean_window(self, job: JobDefinition, size: int) -> list[date]:
        """The latest run of up to ``size`` business days where no MANUAL fault is planned (so a stop of it
        ends STOPPED, not FAILED)."""
        for length in range(min(size, len(self.dates)), 0, -1):
            for end in range(len(self.dates), length - 1, -1):
                window = self.dates[end - length : end]
                if not any(self.manual_faults(job, d) for d in window):
                    return window
        return self.dates[-1:]

    def month_end_week(self, job: JobDefinition) -> list[date]:
        """Five business days ending on the latest day with a planned MANUAL fault (a month end), else the
        last five."""
        faulty = [n for n, d in enumerate(self.dates) if self.manual_faults(job, d)]
        end = faulty[-1] + 1 if faulty else len(self.dates)
        return self.dates[max(0, end - 5) : end]

    # ops wrappers -------------------------------------------------------------------------------------------

    def trigger(self, job_id: str, days: list[date], reason: str) -> int:
        created = ops.trigger(self.session, job_id, date_from=days[0], date_to=days[-1], reason=reason)
        assert isinstance(created, ops.Created)
        return created.execution_id

    def replay(self, request: ReplayRequest, *, reason: str) -> int:
        created = ops.replay(self.session, request, reason=reason)
        assert isinstance(created, ops.Created)
        return created.execution_id

    def status(self, execution_id: int) -> str:
        with connection(self.session.db) as conn:
            found = executions.get_execution(conn, execution_id)
        assert found is not None
        return found.status


REPLAY_REASONS = {
    demo.MARKET_PRICE_INGEST: "feed vendor confirmed the outage is over; reloading the feeds that timed out",
    demo.PORTFOLIO_VALUATION: "missing prices loaded by the market data team; revaluing those portfolios",
    demo.POSITION_RECONCILIATION: "custodian resent the trade file without the duplicates",
}


def _next_business_day(job: JobDefinition, day: date) -> date:
    following = day + timedelta(days=1)
    while not job.calendar.is_business_day(following):
        following += timedelta(days=1)
    return following


def _latest_fire(job: JobDefinition, now: datetime) -> datetime | None:
    """The job's latest schedule fire at or before ``now`` (within the last two hours)."""
    assert job.trigger is not None
    moment = now - timedelta(hours=2)
    latest = None
    previous = None
    while True:
        fire = job.trigger.get_next_fire_time(previous, moment)
        if fire is None or fire > now:
            return latest
        latest, previous, moment = fire, fire, fire + timedelta(microseconds=1)
