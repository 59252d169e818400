"""What an alert says: pure functions from the facts (notification rows, executions, failed units) to a
subject, a plain-text body and a JSON payload. Every channel renders from the same Message."""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from c1console import errors
from c1console.presentation import date_range
from c1console.store.executions import Execution, Unit
from c1console.store.outbox import Notification

MAX_UNITS = 10
EVENT_WORD = {
    "failed": "FAILED",
    "replay_started": "REPLAY started",
    "stopped": "STOPPED",
    "resumed": "RESUMED",
    "job_paused": "PAUSED",
    "job_resumed": "RESUMED job",
    "test": "TEST",
}


@dataclass(frozen=True)
class Fact:
    notification: Notification
    execution: Execution | None = None
    failed_units: Sequence[Unit] = ()


@dataclass(frozen=True)
class Message:
    event: str
    job_id: str | None
    subject: str
    text: str
    payload: dict[str, Any] = field(default_factory=dict)


def _error(code: str | None) -> errors.ErrorCode | None:
    return errors.lookup(code)


def _replay_hint(execution_id: int) -> str:
    reason = shlex.quote("<why>")
    return (
        f"console: select #{execution_id}, press r (replay failed units), type the reason, Enter\n"
        f"    CLI: c1console exec replay --of {execution_id} --failed-only --reason {reason}"
    )


def _item_subject(fact: Fact, lang: str) -> str:
    n = fact.notification
    word = EVENT_WORD.get(n.event, n.event.upper())
    e = fact.execution
    if n.event.startswith("job_"):
        return f"[C1] {word} {n.job_id}"
    head = f"[C1] {word} {n.job_id} #{n.execution_id}"
    if n.event == "failed" and e is not None:
        entry = _error(e.error_code)
        title = entry.title.get(lang) if entry else ""  # type: ignore[arg-type]
        return f"{head} {e.error_code or ''} {title}".rstrip()
    if n.event == "replay_started" and e is not None and e.replay_of:
        return f"{head} (replay of #{e.replay_of})"
    if n.event == "resumed" and e is not None and e.resumed_from:
        return f"{head} (resume of #{e.resumed_from})"
    return head


def _item_text(fact: Fact, lang: str) -> str:
    n, e = fact.notification, fact.execution
    lines = [_item_subject(fact, lang).removeprefix("[C1] ")]
    by = n.details.get("by")
    if by:
        lines.append(f"  by:      {by}")
    if n.details.get("reason"):
        lines.append(f"  reason:  {n.details['reason']}")
    if e is not None:
        lines.append(
            f"  job:     {e.job_id}   run type: {e.run_type}" + (f" {e.replay_kind}" if e.replay_kind else "")
        )
        lines.append(f"  dates:   {date_range(e.business_date_from, e.business_date_to)}")
        lines.append(
            f"  status:  {e.status}   units: {e.units_done} done, {e.units_failed} failed,"
            f" {e.units_total} in all"
        )
    if n.event == "failed":
        code = (e.error_code if e else None) or n.details.get("error_code")
        entry = _error(code)
        if entry is not None:
            lines.append(f"  error:   {entry.code} {entry.title.get(lang)}")  # type: ignore[arg-type]
            lines.append(f"  cause:   {entry.operator_message.get(lang)}")  # type: ignore[arg-type]
            lines.append(f"  action:  {entry.action.get(lang)}")  # type: ignore[arg-type]
        summary = (e.error_summary if e else None) or n.details.get("summary")
        if summary:
            lines.append(f"  detail:  {summary}")
        if fact.failed_units:
            lines.append("  failed units:")
            for u in fact.failed_units[:MAX_UNITS]:
                lines.append(
                    f"    {u.business_date} {u.target_key} {u.error_code or ''} {u.message or ''}".rstrip()
                )
            if e is not None and e.units_failed > MAX_UNITS:
                lines.append(f"    ... and {e.units_failed - MAX_UNITS} more")
        if n.execution_id is not None:
            lines.append("  to replay the failed units:")
            lines.append("    " + _replay_hint(n.execution_id))
    return "\n".join(lines)


def _item_payload(fact: Fact) -> dict[str, Any]:
    n, e = fact.notification, fact.execution
    item: dict[str, Any] = {
        "notification_id": n.notification_id,
        "event": n.event,
        "job_id": n.job_id,
        "execution_id": n.execution_id,
        "created_at": n.created_at.isoformat(),
        "details": n.details,
    }
    if e is not None:
        item["execution"] = {
            "status": e.status,
            "run_type": e.run_type,
            "replay_kind": e.replay_kind,
            "business_date_from": e.business_date_from.isoformat(),
            "business_date_to": e.business_date_to.isoformat(),
            "error_code": e.error_code,
            "error_summary": e.error_summary,
            "units_total": e.units_total,
            "units_done": e.units_done,
            "units_failed": e.units_failed,
            "replay_of": e.replay_of,
            "resumed_from": e.resumed_from,
        }
        item["failed_units"] = [
            {
                "business_date": u.business_date.isoformat(),
                "target": u.target_key,
                "error_code": u.error_code,
                "message": u.message,
            }
            for u in fact.failed_units[:MAX_UNITS]
        ]
    return item


def compose(facts: Sequence[Fact], lang: str, now: datetime) -> Message:
    """One message for one notification, or one grouped message for a burst of failures of one job."""
    facts = sorted(facts, key=lambda f: (f.notification.execution_id or 0, f.notification.notification_id))
    first = facts[0].notification
    if len(facts) == 1:
        subject = _item_subject(facts[0], lang)
        text = _item_text(facts[0], lang)
    else:
        ids = ", ".join(f"#{f.notification.execution_id}" for f in facts)
        word = EVENT_WORD.get(first.event, first.event.upper())
        subject = f"[C1] {word} {first.job_id}: {len(facts)} executions ({ids})"
        text = "\n\n".join(
            [f"{len(facts)} {first.event} notifications for {first.job_id}, grouped:"]
            + [_item_text(f, lang) for f in facts]
        )
    payload = {
        "version": 1,
        "event": first.event,
        "job_id": first.job_id,
        "subject": subject,
        "sent_at": now.isoformat(),
        "items": [_item_payload(f) for f in facts],
    }
    return Message(event=first.event, job_id=first.job_id, subject=subject, text=text, payload=payload)
