"""Executions (with the audit rows and alerts of the operators' acts on them), and their status events."""

from __future__ import annotations

from typing import Any

from bench.generate.copy_format import array_text, esc, ts
from bench.generate.parameters import JOBS, NULL, RUNNER_LOST, SYSTEM
from bench.generate.writer import Writer


def write_executions(writer: Writer) -> None:
    w = writer.w
    ex_copy = writer.copier(
        "execution",
        "execution_id, job_id, run_type, status, business_date_from, business_date_to, targets,"
        " replay_kind, replay_of, resumed_from, scheduled_for, requested_by, reason, created_at,"
        " started_at, ended_at,"
        " runner_id, stop_requested_at, stop_requested_by, stop_reason, error_code, error_summary,"
        " units_total, units_done, units_failed",
    )
    audit, notes = writer.audit, writer.notifications
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
            audit.append((ex.created + 1500, ex.by, action, "execution", str(eid), eid, ex.reason, details))
        if ex.stop_by is not None and ex.stop_req is not None:  # always set together
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
    writer.done(ex_copy)


def write_events(writer: Writer) -> None:
    """The transitions the execution_record_event trigger would have written: insert (READY, by whoever
    created it, message the reason), READY->RUNNING by system, then the end (STOPPED by the operator who
    asked, with the stop reason; FAILED with the code and summary)."""
    ev_copy = writer.copier(
        "execution_event",
        "event_id, execution_id, from_status, to_status, at, actor, error_code, message",
    )
    add = ev_copy.add
    event_id = 0
    for ex in writer.w.executions:
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
    writer.done(ev_copy)
