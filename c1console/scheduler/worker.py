"""Runs one claimed execution: its pending units in chunks, each chunk committed in one transaction.

Stop requests are honoured at unit boundaries. A chunk commit doubles as the ownership check: if another
runner declared us lost, the commit is refused and nothing of the chunk is applied.
"""

from __future__ import annotations

import json
import logging
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy.exc import IntegrityError

from c1console import errors
from c1console.config import Settings
from c1console.jobs import JobDefinition, UnitContext
from c1console.store import audit, lifecycle, outbox
from c1console.store.engine import Database, retrying, transaction
from c1console.store.executions import Execution

log = logging.getLogger("c1console.runner")
MAX_MESSAGE = 2000
MAX_TRACEBACK = 20_000
SYSTEM = "system"


@dataclass
class StopSignal:
    """Why the execution should stop at its next unit boundary."""

    by: str
    reason: str


class _BufferHandler(logging.Handler):
    """Collects a job's log lines until the chunk that produced them commits."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.records: list[lifecycle.LogRecord] = []
        self.unit: tuple[date | None, str | None] = (None, None)

    def emit(self, record: logging.LogRecord) -> None:
        level = record.levelname if record.levelname in ("DEBUG", "INFO", "WARNING", "ERROR") else "ERROR"
        try:
            message = record.getMessage()
        except Exception:  # a job's bad format string must not kill the unit
            message = str(record.msg)
        self.records.append(
            lifecycle.LogRecord(
                at=datetime.fromtimestamp(record.created, UTC),
                level=level,
                message=message[:MAX_MESSAGE],
                business_date=self.unit[0],
                target_key=self.unit[1],
            )
        )

    def take(self) -> list[lifecycle.LogRecord]:
        taken, self.records = self.records, []
        return taken


class ExecutionWorker:
    def __init__(
        self,
        *,
        db: Database,
        settings: Settings,
        runner_id: str,
        execution: Execution,
        job: JobDefinition,
        on_done: Callable[[int], None] = lambda _id: None,
    ) -> None:
        self.db = db
        self.settings = settings
        self.runner_id = runner_id
        self.execution = execution
        self.job = job
        self.on_done = on_done
        self._stop: StopSignal | None = None
        self._stop_event = threading.Event()
        self._buffer = _BufferHandler()
        self._logger = logging.Logger(f"c1console.job.{job.job_id}.{execution.execution_id}")
        self._logger.addHandler(self._buffer)
        self._logger.propagate = False

    # Stop requests arrive from the runner's listener thread.
    def request_stop(self, by: str, reason: str) -> None:
        if self._stop is None:
            self._stop = StopSignal(by, reason)
        self._stop_event.set()

    def stop_requested(self) -> bool:
        return self._stop is not None

    def run(self) -> None:
        try:
            self._run()
        except lifecycle.OwnershipLost:
            log.warning(
                "execution %s: no longer ours (runner declared lost); abandoned", self.execution.execution_id
            )
        except Exception as exc:
            self._fail_whole(exc)
        finally:
            self.on_done(self.execution.execution_id)

    def _run(self) -> None:
        with transaction(self.db, SYSTEM) as conn:
            units = lifecycle.pending_units(conn, self.execution.execution_id)
        first_failure: lifecycle.UnitOutcome | None = None
        failed = 0
        halted_on_failure = False
        size = self.job.chunk_size
        for start in range(0, len(units), size):
            outcomes: list[lifecycle.UnitOutcome] = []
            for key in units[start : start + size]:
                if self.stop_requested():
                    break
                outcome = self._run_unit(*key)
                outcomes.append(outcome)
                if outcome.status == "FAILED":
                    failed += 1
                    first_failure = first_failure or outcome
                    if self.job.stop_on_first_failure:
                        halted_on_failure = True
                        break
            self._commit(outcomes)
            if self.stop_requested() or halted_on_failure:
                break
        self._finish(len(units), failed, first_failure, halted_on_failure)

    def _commit(self, outcomes: list[lifecycle.UnitOutcome]) -> None:
        logs = self._buffer.take()
        if not outcomes and not logs:
            return

        def commit() -> datetime | None:
            try:
                with transaction(self.db, SYSTEM) as conn:
                    return lifecycle.commit_chunk(
                        conn, execution=self.execution, runner_id=self.runner_id, outcomes=outcomes, logs=logs
                    )
            except IntegrityError as exc:
                # After a lost connection the earlier attempt may have committed: its rows are there.
                if "result_once_per_execution" in str(exc) and retried:
                    return None
                raise

        retried: list[int] = []
        stop_at = retrying(commit, on_retry=lambda n, exc: (retried.append(n), self._warn_retry(n, exc)))
        if stop_at is not None and self._stop is None:
            with transaction(self.db, SYSTEM) as conn:
                requests = lifecycle.stop_requested(conn, self.runner_id)
            by, reason = requests.get(self.execution.execution_id, (SYSTEM, "stop requested"))
            self.request_stop(by, reason)

    def _warn_retry(self, attempt: int, exc: BaseException) -> None:
        log.warning(
            "execution %s: database connection lost (%s); retrying the commit (attempt %d)",
            self.execution.execution_id,
            str(exc).splitlines()[0] if str(exc) else exc,
            attempt + 1,
        )

    def _run_unit(self, business_date: date, target: str) -> lifecycle.UnitOutcome:
        self._buffer.unit = (business_date, target)
        started = datetime.now(UTC)
        attempt = 0
        while True:
            attempt += 1
            ctx = UnitContext(
                execution_id=self.execution.execution_id,
                job_id=self.job.job_id,
                run_type=self.execution.run_type,
                business_date=business_date,
                target=target,
                attempt=attempt,
                log=self._logger,
                stop_requested=self.stop_requested,
            )
            try:
                payload = self.job.unit(business_date, target, ctx)
                payload = _checked_payload(payload)
                return lifecycle.UnitOutcome(
                    business_date, target, "SUCCESS", attempt, started, datetime.now(UTC), payload=payload
                )
            except Exception as exc:
                code = errors.classify(exc)
                entry = errors.lookup(code)
                retry = entry is not None and entry.transient and attempt <= self.job.retries
                if retry and not self.stop_requested():
                    self._logger.warning("attempt %d failed with %s (%s); retrying", attempt, code, exc)
                    self._stop_event.wait(self.job.retry_delay_seconds)
                    if not self.stop_requested():
                        continue
                message = (str(exc) or type(exc).__name__)[:MAX_MESSAGE]
                self._logger.error("unit failed: %s %s", code, message)
                return lifecycle.UnitOutcome(
                    business_date,
                    target,
                    "FAILED",
                    attempt,
                    started,
                    datetime.now(UTC),
                    error_code=code,
                    message=message,
                    traceback=traceback.format_exc()[-MAX_TRACEBACK:],
                )

    def _finish(self, total: int, failed: int, first: lifecycle.UnitOutcome | None, halted: bool) -> None:
        execution_id = self.execution.execution_id
        stop = self._stop
        if failed:
            status, actor = "FAILED", SYSTEM
            assert first is not None
            summary = (
                f"{failed} of {total} unit(s) failed; first: {first.business_date} {first.target_key}: "
                f"{first.message}"
            )[:MAX_MESSAGE]
            code: str | None = first.error_code
        elif stop is not None:
            status, actor, summary, code = "STOPPED", stop.by, None, None
        else:
            status, actor, summary, code = "SUCCESS", SYSTEM, None, None
        retrying(lambda: self._record_finish(actor, status, code, summary, stop, halted, failed))
        log.info("execution %s %s: %s", execution_id, self.job.job_id, status)

    def _record_finish(
        self,
        actor: str,
        status: str,
        code: str | None,
        summary: str | None,
        stop: StopSignal | None,
        halted: bool,
        failed: int,
    ) -> None:
        execution_id = self.execution.execution_id
        with transaction(self.db, actor) as conn:
            if status != "SUCCESS":
                why = (
                    "not run: stopped on first failure"
                    if halted and failed
                    else f"not run: stopped by {stop.by}"
                    if stop
                    else "not run"
                )
                lifecycle.skip_pending(conn, execution_id, why)
            if not lifecycle.finish(
                conn,
                execution_id=execution_id,
                runner_id=self.runner_id,
                status=status,
                error_code=code,
                error_summary=summary,
                stop_reason=stop.reason if stop else None,
            ):
                raise lifecycle.OwnershipLost(execution_id)
            if status == "STOPPED" and stop is not None and stop.by == SYSTEM:
                audit.append(
                    conn,
                    actor=SYSTEM,
                    action="exec.stop",
                    object_type="execution",
                    object_id=str(execution_id),
                    execution_id=execution_id,
                    reason=stop.reason,
                )
            if status == "FAILED":
                outbox.enqueue_failure(
                    conn,
                    channels=self.settings.channels,
                    job_id=self.job.job_id,
                    execution_id=execution_id,
                    error_code=code,
                    summary=summary,
                    failed_units=failed,
                )

    def _fail_whole(self, exc: Exception) -> None:
        """Something outside the units failed (database gone, a bug): FAILED with the classified code."""
        execution_id = self.execution.execution_id
        code = errors.classify(exc)
        log.error("execution %s failed outside its units: %s", execution_id, exc, exc_info=True)
        try:
            with transaction(self.db, SYSTEM) as conn:
                lifecycle.skip_pending(conn, execution_id, "not run: execution failed")
                lifecycle.finish(
                    conn,
                    execution_id=execution_id,
                    runner_id=self.runner_id,
                    status="FAILED",
                    error_code=code,
                    error_summary=f"{type(exc).__name__}: {exc}"[:MAX_MESSAGE],
                )
                outbox.enqueue_failure(
                    conn,
                    channels=self.settings.channels,
                    job_id=self.job.job_id,
                    execution_id=execution_id,
                    error_code=code,
                    summary=str(exc)[:MAX_MESSAGE],
                )
        except Exception:
            # The database itself is gone: the lease expires and another runner records runner-lost.
            log.exception("execution %s: could not record the failure", execution_id)


def _checked_payload(payload: object) -> dict[str, object]:
    if not isinstance(payload, dict):
        raise errors.LogicError(f"the unit returned {type(payload).__name__}, not a dict payload")
    try:
        json.dumps(payload)
    except (TypeError, ValueError) as exc:
        raise errors.LogicError(f"the unit's payload is not JSON: {exc}") from None
    return payload
