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

from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from c1console import errors
from c1console.config import Settings
from c1console.jobs import JobDefinition, UnitContext
from c1console.store import audit, lifecycle, outbox
from c1console.store.engine import Database, connection, retrying, transaction
from c1console.store.executions import Execution

log = logging.getLogger("c1console.runner")
MAX_MESSAGE = 2000
MAX_TRACEBACK = 20_000
SYSTEM = "system"


@dataclass
class _Tally:
    """Failures so far: how many, the first, and whether the job halted on it."""

    failed: int = 0
    first: lifecycle.UnitOutcome | None = None
    halted: bool = False


@dataclass(frozen=True)
class _Verdict:
    """How the execution ends, and who the end is recorded as."""

    status: str
    actor: str
    code: str | None
    summary: str | None


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
        with connection(self.db) as conn:  # a read: no actor, nothing to commit
            units = lifecycle.pending_units(conn, self.execution.execution_id)
        tally = _Tally()
        size = self.job.chunk_size
        outcomes: list[lifecycle.UnitOutcome] = []
        for start in range(0, len(units), size):
            outcomes = self._run_chunk(units[start : start + size], tally)
            if start + size >= len(units) or self.stop_requested() or tally.halted:
                break  # the last chunk is committed with the end, in one transaction
            self._commit(outcomes)
            outcomes = []
        self._finish(len(units), tally, outcomes)

    def _run_chunk(self, keys: list[lifecycle.UnitKey], tally: _Tally) -> list[lifecycle.UnitOutcome]:
        """Runs the units of one chunk up to a stop request or a halting failure."""
        outcomes: list[lifecycle.UnitOutcome] = []
        for key in keys:
            if self.stop_requested():
                break
            outcome = self._run_unit(*key)
            outcomes.append(outcome)
            if outcome.status == "FAILED":
                tally.failed += 1
                tally.first = tally.first or outcome
                if self.job.stop_on_first_failure:
                    tally.halted = True
                    break
        return outcomes

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

        def on_retry(attempt: int, exc: BaseException) -> None:
            retried.append(attempt)
            self._warn_retry(attempt, exc)

        stop_at = retrying(commit, on_retry=on_retry)
        if stop_at is not None and self._stop is None:
            with transaction(self.db, SYSTEM) as conn:
                self._take_stop_request(conn)

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

    def _verdict(self, total: int, tally: _Tally) -> _Verdict:
        stop = self._stop
        if tally.failed:
            first = tally.first
            assert first is not None
            summary = (
                f"{tally.failed} of {total} unit(s) failed; first: {first.business_date} {first.target_key}: "
                f"{first.message}"
            )[:MAX_MESSAGE]
            return _Verdict("FAILED", SYSTEM, first.error_code, summary)
        if stop is not None:
            return _Verdict("STOPPED", stop.by, None, None)
        return _Verdict("SUCCESS", SYSTEM, None, None)

    def _finish(self, total: int, tally: _Tally, outcomes: list[lifecycle.UnitOutcome]) -> None:
        """Commits the last chunk (``outcomes`` and the buffered log lines) and the end of the execution in
        one transaction: a crash before its commit leaves the execution RUNNING with its earlier chunks,
        which the lost-runner recovery ends; after it, everything is recorded."""
        logs = self._buffer.take()
        verdict = retrying(
            lambda: self._record_end(total, tally, outcomes, logs),
            on_retry=lambda n, exc: self._warn_retry(n, exc),
        )
        log.info("execution %s %s: %s", self.execution.execution_id, self.job.job_id, verdict.status)

    def _record_end(
        self,
        total: int,
        tally: _Tally,
        outcomes: list[lifecycle.UnitOutcome],
        logs: list[lifecycle.LogRecord],
    ) -> _Verdict:
        with transaction(self.db, SYSTEM) as conn:
            if outcomes or logs:
                stop_at = lifecycle.commit_chunk(
                    conn, execution=self.execution, runner_id=self.runner_id, outcomes=outcomes, logs=logs
                )
                if stop_at is not None and self._stop is None:
                    self._take_stop_request(conn)
            verdict = self._verdict(total, tally)
            if verdict.actor != SYSTEM:
                lifecycle.act_as(conn, verdict.actor)
            self._record_verdict(conn, verdict, tally)
            return verdict

    def _take_stop_request(self, conn: Connection) -> None:
        requests = lifecycle.stop_requested(conn, self.runner_id)
        by, reason = requests.get(self.execution.execution_id, (SYSTEM, "stop requested"))
        self.request_stop(by, reason)

    def _record_verdict(self, conn: Connection, verdict: _Verdict, tally: _Tally) -> None:
        execution_id = self.execution.execution_id
        stop = self._stop
        if verdict.status != "SUCCESS":
            why = (
                "not run: stopped on first failure"
                if tally.halted and tally.failed
                else f"not run: stopped by {stop.by}"
                if stop
                else "not run"
            )
            lifecycle.skip_pending(conn, execution_id, why)
        if not lifecycle.finish(
            conn,
            execution_id=execution_id,
            runner_id=self.runner_id,
            status=verdict.status,
            error_code=verdict.code,
            error_summary=verdict.summary,
            stop_reason=stop.reason if stop else None,
        ):
            raise lifecycle.OwnershipLost(execution_id)
        if verdict.status == "STOPPED" and stop is not None and stop.by == SYSTEM:
            audit.append(
                conn,
                actor=SYSTEM,
                action="exec.stop",
                object_type="execution",
                object_id=str(execution_id),
                execution_id=execution_id,
                reason=stop.reason,
            )
        if verdict.status == "FAILED":
            outbox.enqueue_failure(
                conn,
                channels=self.settings.channels,
                job_id=self.job.job_id,
                execution_id=execution_id,
                error_code=verdict.code,
                summary=verdict.summary,
                failed_units=tally.failed,
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
            # The database itself is gone: this runner's housekeeping fails it once the database is back
            # (Runner.recover_abandoned), or another runner records runner-lost if this one dies too.
            log.exception("execution %s: could not record the failure", execution_id)


def _checked_payload(payload: object) -> dict[str, object]:
    if not isinstance(payload, dict):
        raise errors.LogicError(f"the unit returned {type(payload).__name__}, not a dict payload")
    try:
        json.dumps(payload)
    except (TypeError, ValueError) as exc:
        raise errors.LogicError(f"the unit's payload is not JSON: {exc}") from None
    return payload
