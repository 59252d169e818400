"""The reference rows: operators, jobs, runners, the scheduler lease, and the missed fires."""

from __future__ import annotations

import hashlib

from bench.generate.copy_format import iso, ts
from bench.generate.parameters import DAY_US, JOBS, OPERATORS, SYSTEM, US
from bench.generate.writer import Writer


def write_reference_rows(writer: Writer) -> None:
    w = writer.w
    cur = writer.cur
    start = w.day_us[w.span_start] - 30 * DAY_US
    for name, role in OPERATORS.items():
        by = SYSTEM if name == "alice" else "alice"
        cur.execute(
            "INSERT INTO c1.operator (operator_id, role, granted_by, granted_at) VALUES (%s,%s,%s,%s)",
            (name, role, by, iso(start)),
        )
        writer.audit.append(
            (
                start + (0 if name == "alice" else 60 * US * len(writer.audit)),
                by,
                "operator.grant",
                "operator",
                name,
                None,
                "first operator of a new database" if name == "alice" else "team setup",
                {"role": role, "previous": None},
            )
        )
    for j, job in enumerate(JOBS):
        digest = hashlib.sha256(f"{job.job_id}|{w.crons[j]}|{job.tz}".encode()).hexdigest()[:16]
        cur.execute(
            "INSERT INTO c1.job (job_id, title, schedule_cron, timezone, definition_hash, registered_at,"
            " updated_at, schedule_since) VALUES (%s,%s,%s,%s,%s,%s,%s,%s)",
            (job.job_id, job.title, w.crons[j], job.tz, digest, iso(start), iso(start), iso(start)),
        )
    last_end = max(e.ended for e in w.executions) + 60 * US
    w.runner_spans[-1] = (w.runner_spans[-1][0], last_end)
    for n, runner in enumerate(w.runner_ids):
        began, ended = w.runner_spans[n]
        crashed = n < len(w.outages)
        cur.execute(
            "INSERT INTO c1.runner (runner_id, hostname, pid, started_at, heartbeat_at, lease_expires_at,"
            " stopped_at, version) VALUES (%s,%s,%s,%s,%s,%s,%s,'0.1.0')",
            (
                runner,
                runner.split("-")[0],
                int(runner.split("-")[1]),
                iso(began),
                iso(ended - 2 * US),
                iso(ended + 28 * US),
                None if crashed else iso(ended),
            ),
        )
    cur.execute(
        "INSERT INTO c1.lease (name, runner_id, acquired_at, expires_at) VALUES ('scheduler',%s,%s,%s)",
        (w.runner_ids[-1], iso(w.runner_spans[-1][0]), iso(w.runner_spans[-1][1])),
    )
    copier = writer.copier("missed_fire", "job_id, scheduled_for, detected_at, detected_by")
    for j, fire, detected, detector in w.missed:
        copier.add(f"{JOBS[j].job_id}\t{ts(fire)}\t{ts(detected)}\t{w.runner_ids[detector]}\n")
    writer.done(copier)
