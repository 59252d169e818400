"""Approved compensations and checklist sign-offs, with their audit rows and alerts."""

from __future__ import annotations

import hashlib

from bench.generate.copy_format import jsonb_text, ts
from bench.generate.parameters import JOBS
from bench.generate.writer import Writer


def write_compensations_and_signoffs(writer: Writer) -> None:
    w = writer.w
    copier = writer.copier(
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
        writer.audit.append(
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
        writer.audit.append(
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
                    "result_id": writer.comp_result[c.id],
                    "requested_by": c.requested_by,
                },
            )
        )
        writer.notifications.append(
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
        writer.notifications.append(
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
    writer.done(copier)
    copier = writer.copier(
        "checklist_signoff", "signoff_id, kind, period, signed_by, signed_at, comment, snapshot"
    )
    for n, (kind, period, by, at, comment, verdict, open_items) in enumerate(w.signoffs, start=1):
        snapshot = jsonb_text(
            {"kind": kind.lower(), "period": period, "verdict": verdict, "open_items": open_items}
        )
        copier.add(f"{n}\t{kind}\t{period}\t{by}\t{ts(at)}\t{comment}\t{snapshot}\n")
        writer.audit.append(
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
    writer.done(copier)
    writer.signoff_count = len(w.signoffs)
