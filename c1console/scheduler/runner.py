"""The runner: claims READY executions and runs them; the leader also fires schedules.

APScheduler 3.11's BackgroundScheduler runs the housekeeping (heartbeat, leader lease, lost-runner
recovery, missed fires) and the cron fires, from a memory job store built from the registry (never its
SQLAlchemyJobStore: schedules live in our job table). Executions run on the runner's own thread pool.
A LISTEN connection wakes the runner at once on new executions and stop requests; polling is the fallback.
No automatic recovery: lost executions are marked FAILED and missed fires recorded, never re-run.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from apscheduler.executors.pool import ThreadPoolExecutor as APThreadPool
from apscheduler.schedulers.background import BackgroundScheduler

from c1console import errors
from c1console.alerts.dispatcher import Dispatcher
from c1console.config import Settings
from c1console.jobs import JobDefinition, Registry, fire_times, latest_fire
from c1console.scheduler.worker import SYSTEM, ExecutionWorker
from c1console.store import audit, jobs, lifecycle, outbox, runners
from c1console.store.engine import Database, transaction
from c1console.store.listen import Listener

if TYPE_CHECKING:
    from sqlalchemy import Connection

log = logging.getLogger("c1console.runner")
VERSION = "0.1.0"
MISSED_FIRE_GRACE = timedelta(seconds=60)
MISSED_FIRE_LOOKBACK = timedelta(days=7)
MAX_MISSED_PER_JOB = 500


class Runner:
    def __init__(
        self,
        db: Database,
        registry: Registry,
        settings: Settings,
        *,
        max_workers: int = 4,
        fire_schedules: bool = True,
        runner_id: str | None = None,
    ) -> None:
        self.db = db
        self.registry = registry
        self.settings = settings
        self.max_workers = max_workers
        self.fire_schedules = fire_schedules
        self.runner_id = runner_id or f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}"
        self.lease_seconds = settings.lease_timeout_seconds
        self.poll_seconds = settings.poll_interval_seconds
        self.is_leader = False
        self._workers: dict[int, ExecutionWorker] = {}
        self._lock = threading.Lock()
        self._wake_lock = threading.Lock()
        self._closing = threading.Event()
        self._stopped = threading.Event()
        self._pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="c1-exec")
        self._scheduler = BackgroundScheduler(
            executors={"default": APThreadPool(4)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 30},
            timezone=UTC,
        )
        self._listener: Listener | None = None
        self.started_at = datetime.now(UTC)

    # Life cycle -------------------------------------------------------------------------------------------

    def start(self) -> Runner:
        with transaction(self.db, SYSTEM) as conn:
            jobs.sync(conn, self.registry.specs())
            runners.register(
                conn, self.runner_id, socket.gethostname(), os.getpid(), self.lease_seconds, VERSION
            )
        self._housekeeping()
        every = max(0.5, self.lease_seconds / 3)
        self._scheduler.add_job(self._housekeeping, "interval", seconds=every, id="housekeeping")
        if self.settings.channels:
            dispatcher = Dispatcher(self.db, self.settings.alerts)
            self._scheduler.add_job(dispatcher.run_safely, "interval", seconds=1, id="alerts")
        for definition in self.registry:
            if definition.trigger is not None and self.fire_schedules:
                self._scheduler.add_job(
                    self._fire,
                    definition.trigger,
                    args=[definition.job_id],
                    id=f"fire:{definition.job_id}",
                    misfire_grace_time=60,
                )
        self._scheduler.start()
        self._listener = Listener(
            self.db.url,
            ["c1_execution"],
            self._notified,
            poll_seconds=self.poll_seconds,
            on_idle=self.wake,
            batch_seconds=0,  # claim at once; a burst is drained by the next wake anyway
            name=f"c1-listen-{self.runner_id}",
        ).start()
        self.wake()
        log.info(
            "runner %s started (%d jobs, %d workers)", self.runner_id, len(self.registry), self.max_workers
        )
        return self

    def stop(self, timeout: float = 60.0) -> None:
        """Graceful: stop claiming, stop running executions at their next unit boundary (STOPPED by system,
        'runner shutdown'), release the lease."""
        if self._closing.is_set():
            self._stopped.wait(timeout)
            return
        self._closing.set()
        self._scheduler.shutdown(wait=False)
        with self._lock:
            for worker in self._workers.values():
                worker.request_stop(SYSTEM, "runner shutdown")
        self._pool.shutdown(wait=True)
        try:
            with transaction(self.db, SYSTEM) as conn:
                runners.mark_stopped(conn, self.runner_id)
        except Exception:
            log.exception("runner %s: could not record the stop", self.runner_id)
        if self._listener is not None:
            self._listener.stop()
        self._stopped.set()
        log.info("runner %s stopped", self.runner_id)

    def wait(self) -> None:
        self._stopped.wait()

    def is_stopped(self) -> bool:
        """Its stop is complete: executions released, the stop recorded."""
        return self._stopped.is_set()

    @property
    def running(self) -> list[int]:
        with self._lock:
            return sorted(self._workers)

    # Claiming ---------------------------------------------------------------------------------------------

    def _notified(self, batch: list[tuple[str, str]]) -> None:
        """A NOTIFY about executions. When it names only executions this runner is running (its own chunk
        commits, mostly), nothing new can be claimable: only a stop request may have come."""
        ids = {payload for _channel, payload in batch}
        with self._lock:
            own = bool(ids) and ids <= {str(execution_id) for execution_id in self._workers}
        if not own:
            self.wake()
            return
        try:
            self._apply_stop_requests()
        except Exception as exc:
            log.warning("runner %s: reading stop requests failed: %s", self.runner_id, exc)

    def wake(self) -> None:
        """Look for stop requests and READY executions now. Safe to call from any thread."""
        if self._closing.is_set() or not self._wake_lock.acquire(blocking=False):
            return
        try:
            self._apply_stop_requests()
            self._claim()
        except Exception as exc:
            log.warning("runner %s: wake failed: %s", self.runner_id, exc)
        finally:
            self._wake_lock.release()

    def _apply_stop_requests(self) -> None:
        with self._lock:
            if not self._workers:
                return
        with transaction(self.db, SYSTEM) as conn:
            requests = lifecycle.stop_requested(conn, self.runner_id)
        with self._lock:
            for execution_id, (by, reason) in requests.items():
                worker = self._workers.get(execution_id)
                if worker is not None:
                    worker.request_stop(by, reason or "stop requested")

    def _claim(self) -> None:
        with self._lock:
            free = self.max_workers - len(self._workers)
        if free <= 0 or self._closing.is_set():
            return
        job_ids = [d.job_id for d in self.registry]
        with transaction(self.db, SYSTEM) as conn:
            claimed = lifecycle.claim(conn, self.runner_id, job_ids, free)
        for execution in claimed:
            definition = self.registry.require(execution.job_id)
            worker = ExecutionWorker(
                db=self.db,
                settings=self.settings,
                runner_id=self.runner_id,
                execution=execution,
                job=definition,
                on_done=self._done,
            )
            with self._lock:
                self._workers[execution.execution_id] = worker
            log.info("execution %s %s: RUNNING", execution.execution_id, execution.job_id)
            self._pool.submit(worker.run)

    def _done(self, execution_id: int) -> None:
        with self._lock:
            self._workers.pop(execution_id, None)
        threading.Thread(target=self.wake, daemon=True).start()

    # Housekeeping -----------------------------------------------------------------------------------------

    def _housekeeping(self) -> None:
        if self._closing.is_set():
            return
        try:
            with transaction(self.db, SYSTEM) as conn:
                runners.heartbeat(conn, self.runner_id, self.lease_seconds)
                self.is_leader = runners.acquire_leadership(conn, self.runner_id, self.lease_seconds)
            self.recover_lost()
            self.recover_abandoned()
            if self.is_leader and self.fire_schedules:
                self.record_missed_fires()
        except Exception as exc:
            log.warning("runner %s: housekeeping failed: %s", self.runner_id, exc)

    def recover_lost(self) -> list[int]:
        """Marks FAILED (runner lost) the RUNNING executions of runners whose lease expired. Never re-runs."""
        with transaction(self.db, SYSTEM) as conn:
            recovered = [
                execution_id
                for execution_id, job_id, owner, heartbeat_at in lifecycle.lost_executions(conn)
                if self._fail_orphan(
                    conn,
                    execution_id,
                    job_id,
                    code=errors.RUNNER_LOST,
                    summary=f"runner {owner} stopped heartbeating at {heartbeat_at:%Y-%m-%d %H:%M:%S %Z}; "
                    "its units in flight were not applied",
                    action="exec.fail_runner_lost",
                    reason="runner lost",
                    details={"runner_id": owner, "detected_by": self.runner_id},
                )
            ]
        for execution_id in recovered:
            log.warning("execution %s: runner lost; marked FAILED (%s)", execution_id, errors.RUNNER_LOST)
        return recovered

    def recover_abandoned(self) -> list[int]:
        """Marks FAILED (SYS) this runner's RUNNING executions that none of its workers runs any more: a
        worker whose commits failed for longer than their retries (the database away) could not record its
        end, and this runner's heartbeat keeps the lease, so no other runner would ever see them as lost."""
        if not self._wake_lock.acquire(timeout=5):  # no claim in flight: claimed ids are all in _workers
            return []
        try:
            with transaction(self.db, SYSTEM) as conn:
                recovered = [
                    execution_id
                    for execution_id, job_id in lifecycle.abandoned_executions(
                        conn, self.runner_id, self.running
                    )
                    if self._fail_orphan(
                        conn,
                        execution_id,
                        job_id,
                        code=errors.SYSTEM_FAILURE,
                        summary="its worker gave up while the database was unreachable; "
                        "the units in flight were not applied",
                        action="exec.fail_abandoned",
                        reason="worker gave up: database unreachable",
                        details={"runner_id": self.runner_id},
                    )
                ]
        finally:
            self._wake_lock.release()
        for execution_id in recovered:
            log.warning(
                "execution %s: abandoned by its worker; marked FAILED (%s)",
                execution_id,
                errors.SYSTEM_FAILURE,
            )
        return recovered

    def _fail_orphan(
        self,
        conn: Connection,
        execution_id: int,
        job_id: str,
        *,
        code: str,
        summary: str,
        action: str,
        reason: str,
        details: dict[str, str],
    ) -> bool:
        """FAILED with ``code``, its pending units SKIPPED, audited as the system, the failure alerted."""
        lifecycle.skip_pending(conn, execution_id, f"not run: {reason}")
        if not lifecycle.fail_lost(conn, execution_id, code, summary):
            return False
        audit.append(
            conn,
            actor=SYSTEM,
            action=action,
            object_type="execution",
            object_id=str(execution_id),
            execution_id=execution_id,
            reason=reason,
            details=details,
        )
        outbox.enqueue_failure(
            conn,
            channels=self.settings.channels,
            job_id=job_id,
            execution_id=execution_id,
            error_code=code,
            summary=summary,
        )
        return True

    def record_missed_fires(self) -> int:
        """Schedule times no runner fired, recorded for the checklist; not run."""
        now = datetime.now(UTC)
        total = 0
        with transaction(self.db, SYSTEM) as conn:
            for definition in self.registry:
                if definition.trigger is None or jobs.is_paused(conn, definition.job_id):
                    continue
                since = runners.fire_baseline(conn, definition.job_id)
                since = max(since, now - MISSED_FIRE_LOOKBACK) if since else now
                missed = fire_times(definition.trigger, since, now - MISSED_FIRE_GRACE, MAX_MISSED_PER_JOB)
                total += runners.record_missed(conn, definition.job_id, missed, self.runner_id)
        if total:
            log.warning("recorded %d missed schedule fire(s)", total)
        return total

    # Schedule fires ---------------------------------------------------------------------------------------

    def _fire(self, job_id: str) -> int | None:
        if not self.is_leader or self._closing.is_set():
            return None
        definition = self.registry.require(job_id)
        assert definition.trigger is not None
        scheduled_for = latest_fire(definition.trigger, datetime.now(UTC))
        if scheduled_for is None:
            return None
        return self.fire(definition, scheduled_for)

    def fire(self, definition: JobDefinition, scheduled_for: datetime) -> int | None:
        """Creates the AUTO execution of one schedule time; idempotent per (job, scheduled_for)."""
        with transaction(self.db, SYSTEM) as conn:
            execution_id = create_auto_execution(conn, definition, scheduled_for)
        if execution_id is not None:
            log.info("fired %s at %s (execution %s)", definition.job_id, scheduled_for, execution_id)
        return execution_id


def create_auto_execution(
    conn: Connection, definition: JobDefinition, scheduled_for: datetime, business_date: date | None = None
) -> int | None:
    """The AUTO execution of one schedule fire, all targets, for the business date the fire processes
    (or ``business_date``). None when there is nothing to run: not a business day, no targets, the job is
    paused, or this fire's execution exists already (one per job and fire time, sql/001)."""
    day = business_date or definition.fire_business_date(scheduled_for)
    if day is None:
        return None
    units = [(day, t) for t in definition.targets_for(day)]
    if not units or jobs.is_paused(conn, definition.job_id):
        return None
    return lifecycle.create(
        conn,
        lifecycle.NewExecution(
            job_id=definition.job_id,
            run_type="AUTO",
            business_date_from=day,
            business_date_to=day,
            targets=None,
            requested_by=SYSTEM,
            units=units,
            scheduled_for=scheduled_for,
        ),
    )
