"""Sends the outbox: at least once, never twice what was recorded as SENT, no storms.

Each tick locks the due PENDING rows (SKIP LOCKED, so several runners never send the same row), sends
them and records the outcome in the same transaction. A crash between a send and its commit sends that
message again (at least once); a row committed as SENT is never sent again.
Failures of one job are grouped: a burst waits ``group_wait_seconds`` and goes out as one message, and
after a failure message for a job, further ones wait for ``group_window_seconds`` and go out together.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from c1console import errors
from c1console.alerts.channels import DeliveryError, deliver
from c1console.alerts.config import AlertSettings
from c1console.alerts.messages import Fact, compose
from c1console.store import executions, failures, outbox
from c1console.store.engine import Database, database_now, transaction
from c1console.store.outbox import Notification

log = logging.getLogger("c1console.alerts")
GROUPED = ("failed",)


def _groups(rows: Sequence[Notification]) -> list[list[Notification]]:
    """Failures group by (channel, job); everything else goes alone."""
    grouped: dict[tuple[str, str | None], list[Notification]] = defaultdict(list)
    alone: list[list[Notification]] = []
    for row in rows:
        if row.event in GROUPED:
            grouped[(row.channel, row.job_id)].append(row)
        else:
            alone.append([row])
    return alone + list(grouped.values())


def _facts(conn, rows: Sequence[Notification]) -> list[Fact]:  # type: ignore[no-untyped-def]
    """What each row's message tells, read now: for a failure, its state as a work item and that of the
    failure it replayed or resumed (sql/013, the one definition of open)."""
    facts = []
    for row in rows:
        found = executions.get_execution(conn, row.execution_id) if row.execution_id else None
        if found is None or row.event != "failed":
            facts.append(Fact(notification=row, execution=found))
            continue
        failed = [u for u in executions.units(conn, found.execution_id, limit=20) if u.status == "FAILED"]
        of = found.replay_of or found.resumed_from
        states = failures.resolutions(conn, [found.execution_id, *([of] if of else [])])
        facts.append(
            Fact(
                notification=row,
                execution=found,
                failed_units=failed,
                resolution=states.get(found.execution_id),
                source=states.get(of) if of else None,
            )
        )
    return facts


class Dispatcher:
    def __init__(self, db: Database, alerts: AlertSettings) -> None:
        self.db = db
        self.alerts = alerts

    def tick(self, now: datetime | None = None) -> int:
        """One pass over the due notifications; returns how many rows went out."""
        if not self.alerts.channels:
            return 0
        sent = 0
        lang = errors.language()
        with transaction(self.db, "system") as conn:
            now = now or database_now(conn)
            for group in _groups(outbox.due(conn)):
                first = group[0]
                if first.event in GROUPED and not self._group_ready(conn, group, now):
                    continue
                # a failure alert says how many failures are open as it goes out
                open_now = failures.open_failures(conn) if first.event == "failed" else None
                message = compose(_facts(conn, group), lang, now, open_now)
                ids = [row.notification_id for row in group]
                try:
                    deliver(self.alerts, first.channel, message)
                except DeliveryError as exc:
                    log.warning("alert %s via %s not delivered: %s", ids, first.channel, exc)
                    outbox.mark_attempt_failed(
                        conn,
                        ids,
                        error=str(exc),
                        max_attempts=self.alerts.max_attempts,
                        backoff_seconds=self.alerts.backoff_seconds,
                    )
                    continue
                outbox.mark_sent(conn, ids)
                sent += len(ids)
        return sent

    def _group_ready(self, conn, group: list[Notification], now: datetime) -> bool:  # type: ignore[no-untyped-def]
        oldest = min(row.created_at for row in group)
        if now - oldest < timedelta(seconds=self.alerts.group_wait_seconds):
            return False
        first = group[0]
        return not outbox.recently_sent(
            conn,
            event=first.event,
            channel=first.channel,
            job_id=first.job_id,
            seconds=self.alerts.group_window_seconds,
        )

    def run_safely(self) -> None:
        try:
            self.tick()
        except Exception as exc:
            log.warning("alert dispatch failed: %s", exc)


def send_test(alerts: AlertSettings, channel: str) -> None:
    """`c1console alerts test`: a message straight to one channel, bypassing the outbox."""
    from c1console.alerts.messages import Message

    now = datetime.now(UTC)
    message = Message(
        event="test",
        job_id=None,
        subject="[C1] TEST c1console alert channel",
        text=f"This is a test from c1console at {now:%Y-%m-%d %H:%M:%S %Z}. If you read it, {channel} works.",
        payload={
            "version": 1,
            "event": "test",
            "job_id": None,
            "subject": "[C1] TEST",
            "sent_at": now.isoformat(),
            "items": [],
        },
    )
    deliver(alerts, channel, message)
