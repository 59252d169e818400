"""What an alert says: pure functions from the facts (notification rows, executions, failed units, and the
failures' state as work items when the message goes out) to a subject, a plain-text body and a JSON
payload. Every channel renders from the same Message.

A failure alert is composed when it is delivered, so it tells what is true then: where that failure stands
(still open, resolved since, handed on, acknowledged), which failure a failed replay or resume was meant
to fix and how many of its units are still open, and how many failures are open in all (read from the one
definition of open, sql/013 through store/failures)."""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from c1console import errors
from c1console.presentation import date_range
from c1console.store.executions import Execution, Unit
from c1console.store.failures import ACKNOWLEDGED, HANDED_ON, OPEN, ROLLED_BACK, OpenFailure, Resolution
from c1console.store.outbox import Notification

MAX_UNITS = 10
MAX_OPEN_IDS = 10  # open failures named by id in "open failures now"
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
    resolution: Resolution | None = None  # a failed execution's state as a work item, when sent
    source: Resolution | None = None  # that of the failure it replayed or resumed, if that is a failure


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
        f"    CLI: c1console exec replay --of {execution_id} --reason {reason}"
    )


def _source_of(e: Execution) -> tuple[str, int] | None:
    """("replay", 118) for a replay of #118, ("resume", 118) for a resume of it."""
    if e.replay_of:
        return "replay", e.replay_of
    if e.resumed_from:
        return "resume", e.resumed_from
    return None


def _meant_to_fix(fact: Fact) -> str | None:
    """A failed replay or resume: the failure it was meant to fix, and how many of its units are still
    open ("replay #130 of #118 failed: 2 unit(s) still open")."""
    e = fact.execution
    linked = _source_of(e) if e is not None else None
    if e is None or linked is None:
        return None
    kind, of = linked
    head = f"{kind} #{e.execution_id} of #{of} failed"
    src = fact.source
    if src is None:  # it re-ran an execution that was not a failure
        return head
    if src.state in (OPEN, HANDED_ON):
        return f"{head}: {src.open_units + src.handed_units} unit(s) still open"
    return f"{head}; #{of} {_settled(src)}"


def _settled(r: Resolution) -> str:
    """A failure that is no longer open: how it was closed."""
    if r.state == ACKNOWLEDGED:
        return f"was acknowledged by {r.acked_by}" + (f": {r.ack_reason}" if r.ack_reason else "")
    if r.state == ROLLED_BACK:
        return f"was rolled back by {r.rolled_back_by}"
    by = [f"#{r.fixed_by}"] if r.fixed_by else []
    by += [f"compensation #{r.fixed_by_compensation}"] if r.fixed_by_compensation else []
    return f"is resolved by {' and '.join(by) or 'later results'}"


def _now(fact: Fact) -> str | None:
    """Where this failure stands when the alert goes out, unless it is simply still open."""
    r = fact.resolution
    if r is None or r.state == OPEN:
        return None
    if r.state == HANDED_ON:
        return f"handed on to #{r.handed_to}, which re-ran its units and failed too: the open item is there"
    return f"#{r.execution_id} {_settled(r)} — nothing left to do for it"


def open_failures_line(open_now: Sequence[OpenFailure]) -> str:
    """How many failures are open now, the newest named: "open failures now: 3 (#131, #130, #99)"."""
    if not open_now:
        return "open failures now: 0"
    ids = ", ".join(f"#{f.execution_id}" for f in open_now[:MAX_OPEN_IDS])
    more = f" and {len(open_now) - MAX_OPEN_IDS} more" if len(open_now) > MAX_OPEN_IDS else ""
    return f"open failures now: {len(open_now)} ({ids}{more})"


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
        linked = _source_of(e)
        of = f" ({linked[0]} of #{linked[1]})" if linked else ""
        return f"{head} {e.error_code or ''} {title}".rstrip() + of
    if n.event == "replay_started" and e is not None and e.replay_of:
        return f"{head} (replay of #{e.replay_of})"
    if n.event == "resumed" and e is not None and e.resumed_from:
        return f"{head} (resume of #{e.resumed_from})"
    return head


def _item_text(fact: Fact, lang: str) -> str:
    n, e = fact.notification, fact.execution
    lines = [_item_subject(fact, lang).removeprefix("[C1] ")]
    if n.event == "failed":
        meant = _meant_to_fix(fact)
        if meant:
            lines.append(f"  {meant}")
        now = _now(fact)
        if now:
            lines.append(f"  now:     {now}")
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
        open_item = _open_item(fact)
        if open_item is not None:
            lines.append("  to replay the failed units:")
            lines.append("    " + _replay_hint(open_item))
    return "\n".join(lines)


def _open_item(fact: Fact) -> int | None:
    """The execution to replay for this failure now: itself, or the one its open units were handed on to;
    None once it is resolved, acknowledged or rolled back."""
    r = fact.resolution
    if r is None:
        return fact.notification.execution_id
    if r.state == OPEN:
        return r.execution_id
    return r.handed_to if r.state == HANDED_ON else None


def _resolution_payload(r: Resolution | None) -> dict[str, Any] | None:
    if r is None:
        return None
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in asdict(r).items()}


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
    if n.event == "failed":
        item["resolution"] = _resolution_payload(fact.resolution)
        linked = _source_of(e) if e is not None else None
        item["meant_to_fix"] = (
            {"execution_id": linked[1], "by": linked[0], "resolution": _resolution_payload(fact.source)}
            if linked
            else None
        )
    return item


def compose(
    facts: Sequence[Fact], lang: str, now: datetime, open_now: Sequence[OpenFailure] | None = None
) -> Message:
    """One message for one notification, or one grouped message for a burst of failures of one job.
    ``open_now``: every open failure when it goes out (a failure alert says how many there are)."""
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
    if open_now is not None:
        text += "\n\n" + open_failures_line(open_now)
    payload: dict[str, Any] = {
        "version": 1,
        "event": first.event,
        "job_id": first.job_id,
        "subject": subject,
        "sent_at": now.isoformat(),
        "items": [_item_payload(f) for f in facts],
    }
    if open_now is not None:
        payload["open_failures"] = {
            "count": len(open_now),
            "execution_ids": [f.execution_id for f in open_now],
        }
    return Message(event=first.event, job_id=first.job_id, subject=subject, text=text, payload=payload)
