"""Execution units (successes, failures with their tracebacks, skipped units) and execution log lines."""

from __future__ import annotations

import random

from bench.generate.copy_format import esc, ts
from bench.generate.parameters import JOBS, MESSAGES
from bench.generate.writer import Writer


def write_units_and_logs(writer: Writer) -> None:
    w = writer.w
    unit_copy = writer.copier(
        "execution_unit",
        "execution_id, business_date, target_key, status, error_code, message, traceback, attempts,"
        " started_at, ended_at",
    )
    logs: list[str] = []
    log_id = 0
    rnd = random.Random(7)
    day_text = w.day_text
    buf = unit_copy.buf
    add = buf.append
    for ex in w.executions:
        if len(buf) >= 20_000:
            unit_copy.flush()
        job = JOBS[ex.job]
        names = job.targets if ex.targets is None else tuple(job.targets[t] for t in ex.targets)
        nt = len(names)
        eid = ex.id
        unit_us = ex.unit_us
        start = ex.started
        if start is None:
            for p in range(ex.n):
                d, t = divmod(p, nt)
                add(
                    f"{eid}\t{day_text[ex.d0 + d]}\t{names[t]}\tSKIPPED\t\\N\t"
                    f"not run: stopped before start\t\\N\t0\t\\N\t\\N\n"
                )
            continue
        n = ex.n
        stamps = [ts(start + k * unit_us) for k in range(n + 1)]
        if ex.failed is None and ex.stop_at is None and ex.d0 == ex.d1:  # the common case
            head = f"{eid}\t{day_text[ex.d0]}\t"
            buf.extend(
                [
                    f"{head}{name}\tSUCCESS\t\\N\t\\N\t\\N\t1\t{stamps[t]}\t{stamps[t + 1]}\n"
                    for t, name in enumerate(names)
                ]
            )
        else:
            for p in range(n):
                d, t = divmod(p, nt)
                day = day_text[ex.d0 + d]
                status = ex.unit_status(p)
                if status == "SUCCESS":
                    add(
                        f"{eid}\t{day}\t{names[t]}\tSUCCESS\t\\N\t\\N\t\\N\t1\t{stamps[p]}\t{stamps[p + 1]}\n"
                    )
                elif status == "FAILED":
                    assert ex.code is not None
                    kind, text = MESSAGES.get(ex.code, ("Error", "failed"))
                    message = text.format(d=day, t=names[t])
                    trace = (
                        f'Traceback (most recent call last):\n  File "jobs/{job.job_id}.py", line 88,'
                        f" in unit\n    rows = load(business_date, target)\n{kind}: {message}"
                    )
                    add(
                        f"{eid}\t{day}\t{names[t]}\tFAILED\t{ex.code}\t{esc(message)}\t{esc(trace)}\t1\t"
                        f"{stamps[p]}\t{stamps[p + 1]}\n"
                    )
                    log_id += 1
                    logs.append(
                        f"{log_id}\t{eid}\t{day}\t{names[t]}\t{stamps[p + 1]}\tERROR\t"
                        f"unit failed: {ex.code} {esc(message)}\n"
                    )
                else:
                    why = (
                        f"not run: stopped by {ex.stop_by}"
                        if ex.status == "STOPPED"
                        else "not run: runner lost"
                    )
                    add(f"{eid}\t{day}\t{names[t]}\tSKIPPED\t\\N\t{why}\t\\N\t0\t\\N\t{ts(ex.ended)}\n")
        if rnd.random() < 0.2:
            log_id += 1
            logs.append(
                f"{log_id}\t{eid}\t{day_text[ex.d0]}\t{names[0]}\t{ts(start + 1000)}\tINFO\t"
                f"loaded {rnd.randint(100, 90000)} input rows\n"
            )
    writer.done(unit_copy)
    log_copy = writer.copier(
        "execution_log", "log_id, execution_id, business_date, target_key, at, level, message"
    )
    for line in logs:
        log_copy.add(line)
    writer.done(log_copy)
    writer.log_id = log_id
