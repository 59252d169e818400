"""Results in commit order, each superseded by the next result of its key (runs and compensations)."""

from __future__ import annotations

from array import array

from bench.generate.copy_format import ts
from bench.generate.parameters import JOBS
from bench.generate.writer import Writer


def result_batches(writer: Writer) -> list[tuple[int, int, int, int]]:
    """(commit time, execution index or -compensation index, first unit, end unit): one per chunk commit.
    Results get their ids in commit order, as the database gives them."""
    batches: list[tuple[int, int, int, int]] = []
    for i, ex in enumerate(writer.w.executions):
        if ex.started is None:
            continue
        chunk = JOBS[ex.job].chunk
        region = ex.n if ex.stop_at is None else ex.stop_at
        for first in range(0, region, chunk):
            end = min(region, first + chunk)
            batches.append((ex.started + end * ex.unit_us + 2500, i, first, end))
    for c, comp in enumerate(writer.w.comps):
        batches.append((comp.decided_at, -1 - c, 0, 1))
    batches.sort()
    return batches


def write_results(writer: Writer) -> None:
    w = writer.w
    batches = result_batches(writer)
    # Pass 1: who supersedes whom, following each key in commit order. Per result: its successor's id
    # and the commit (batch) that wrote it, whose time and author the deactivation columns repeat.
    successor = array("q")
    batch_of = array("q")
    last: dict[int, int] = {}
    get = last.get
    grow_successor, grow_batch = successor.append, batch_of.append
    rid = 0
    for b, (_when, i, first, end) in enumerate(batches):
        if i >= 0:
            ex = w.executions[i]
            failed = ex.failed
            nt = ex.nt
            targets = ex.targets
            job_day = (ex.job << 40) | (ex.d0 << 16)
            for p in range(first, end):
                if failed is not None and p in failed:
                    continue
                d, t = divmod(p, nt)
                key = job_day + (d << 16) + (targets[t] if targets is not None else t)
                rid += 1
                grow_successor(0)
                grow_batch(b)
                previous = get(key)
                if previous is not None:
                    successor[previous - 1] = rid
                last[key] = rid
        else:
            comp = w.comps[-1 - i]
            key = (comp.job << 40) | (comp.day << 16) | comp.target
            rid += 1
            grow_successor(0)
            grow_batch(b)
            previous = get(key)
            if previous is not None:
                successor[previous - 1] = rid
            last[key] = rid
    stamps = [ts(when) for when, _i, _f, _e in batches]
    authors = [
        f"superseded by execution {w.executions[i].id}" if i >= 0 else f"superseded by compensation {-i}"
        for _when, i, _f, _e in batches
    ]
    writer.comp_result = {}
    # Pass 2: the rows.
    copier = writer.copier(
        "result",
        "result_id, job_id, business_date, target_key, payload, source, execution_id, compensation_id,"
        " is_active, created_at, superseded_by, deactivated_at, deactivated_reason",
    )
    buf = copier.buf
    append = buf.append
    day_text = w.day_text
    rid = 0
    for b, (_when, i, first, end) in enumerate(batches):
        stamp = stamps[b]
        if i >= 0:
            ex = w.executions[i]
            job = JOBS[ex.job]
            names = job.targets if ex.targets is None else tuple(job.targets[t] for t in ex.targets)
            nt = len(names)
            failed = ex.failed
            head = f"\t{job.job_id}\t"
            tail_run = f"\tRUN\t{ex.id}\t\\N\t"
            for p in range(first, end):
                if failed is not None and p in failed:
                    continue
                d, t = divmod(p, nt)
                rid += 1
                nxt = successor[rid - 1]
                if nxt:
                    nb = batch_of[nxt - 1]
                    tail = f"f\t{stamp}\t{nxt}\t{stamps[nb]}\t{authors[nb]}\n"
                else:
                    tail = f"t\t{stamp}\t\\N\t\\N\t\\N\n"
                append(
                    f'{rid}{head}{day_text[ex.d0 + d]}\t{names[t]}\t{{"rows": {rid % 90000 + 100}, '
                    f'"value": {rid % 99991}.{rid % 97:02d}}}{tail_run}{tail}'
                )
            if len(buf) >= 20_000:
                copier.flush()
        else:
            comp = w.comps[-1 - i]
            rid += 1
            writer.comp_result[comp.id] = rid
            nxt = successor[rid - 1]
            if nxt:
                nb = batch_of[nxt - 1]
                tail = f"f\t{stamp}\t{nxt}\t{stamps[nb]}\t{authors[nb]}\n"
            else:
                tail = f"t\t{stamp}\t\\N\t\\N\t\\N\n"
            job = JOBS[comp.job]
            append(
                f"{rid}\t{job.job_id}\t{day_text[comp.day]}\t{job.targets[comp.target]}\t"
                f'{{"manual": true, "value": 100.00}}\tCOMPENSATION\t\\N\t{comp.id}\t{tail}'
            )
    writer.done(copier)
    writer.result_count = rid
