"""Per-execution overhead: a one-unit no-op execution from READY to SUCCESS through the real runner, median
and p95, against a bare APScheduler job calling the same function.

    python -m bench.bench_overhead --database-url postgresql://postgres@127.0.0.1:5432/c1bench_1m

Runner latency: from the moment ``ops.trigger`` has committed (it returns) to the moment the SUCCESS
commit is seen (its NOTIFY reaches a listener in this process), one execution at a time. The database's
own timestamps split it: created_at -> started_at (the runner woke and claimed), started_at -> ended_at
(it read the pending units and ran the unit; ended_at is the start of the transaction that writes the
last chunk and the end) and ended_at -> seen (that transaction, its durable commit and the NOTIFY).
Baseline: a BackgroundScheduler ``add_job`` of the same no-op function with a date trigger of now, from
the call to the function's return. Both are interleaved sample by sample. Target: p50 under 20 ms of
added overhead (runner p50 - baseline p50).
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg
from apscheduler.schedulers.background import BackgroundScheduler

from bench import common, workload
from c1console import ops
from c1console.jobs import UnitContext
from c1console.store import executions
from c1console.store.engine import connection

TARGET_ADDED_MS = 20.0


class Watcher:
    """LISTENs on c1_execution and records when each execution id was last announced."""

    def __init__(self, url: str) -> None:
        self.conn = psycopg.connect(url, autocommit=True)
        self.conn.execute("LISTEN c1_execution")
        self.seen: dict[int, float] = {}

    def wait_for(
        self, db: Any, execution_id: int, timeout: float = 30.0
    ) -> tuple[float, executions.Execution]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for note in self.conn.notifies(timeout=0.5, stop_after=1):
                if note.payload.isdigit() and int(note.payload) == execution_id:
                    heard = time.time()
                    with connection(db) as conn:
                        found = executions.get_execution(conn, execution_id)
                    if found is not None and found.status in executions.TERMINAL:
                        return heard, found
        raise TimeoutError(f"execution {execution_id} did not finish in {timeout}s")

    def close(self) -> None:
        self.conn.close()


def bare_apscheduler(samples: int) -> list[float]:
    scheduler = BackgroundScheduler(timezone=UTC)
    scheduler.start()
    ctx = UnitContext(
        execution_id=0,
        job_id="bare",
        run_type="MANUAL",
        business_date=date(2001, 1, 1),
        target="T00000",
        attempt=1,
        log=__import__("logging").getLogger("bare"),
        stop_requested=lambda: False,
    )
    latencies = []
    try:
        for _ in range(samples):
            done = threading.Event()
            box: list[float] = []

            def job(box: list[float] = box, done: threading.Event = done) -> None:
                workload.noop(ctx.business_date, ctx.target, ctx)
                box.append(time.perf_counter())
                done.set()

            start = time.perf_counter()
            scheduler.add_job(job, "date", run_date=datetime.now(UTC))
            done.wait(10)
            latencies.append(box[0] - start)
            time.sleep(0.02)
    finally:
        scheduler.shutdown(wait=False)
    return latencies


def run(url: str, samples: int = 100, batch_seconds: float | None = None) -> dict[str, Any]:
    """``batch_seconds`` overrides the runner's LISTEN batching window (an experiment; None: as is)."""
    common.quiet_logs()
    db = common.open_db(url)
    settings = common.settings_for(url)
    tag = workload.token()
    job = workload.noop_job(f"bench_one_{tag}", 1, 50)
    registry = workload.registry_of(job)
    who = workload.session(db, settings, registry)
    watcher = Watcher(url)
    if batch_seconds is not None:
        from c1console.store import listen

        original_init = listen.Listener.__init__

        def init(self: Any, *args: Any, **kwargs: Any) -> None:
            kwargs["batch_seconds"] = batch_seconds
            original_init(self, *args, **kwargs)

        listen.Listener.__init__ = init  # type: ignore[method-assign]
    runner = workload.start_runner(db, settings, registry)
    time.sleep(1.0)  # the runner's LISTEN connection is up
    day = date(2001, 1, 2)
    runner_latency, claim, work, end = [], [], [], []
    bare: list[float] = []
    try:
        for n in range(samples + 3):
            created = ops.trigger(who, job.job_id, date_from=day, date_to=day)
            committed = time.time()
            assert isinstance(created, ops.Created)
            heard, done = watcher.wait_for(db, created.execution_id)
            assert done.status == "SUCCESS"
            if n >= 3:  # the first few warm the pools and prepared statements
                runner_latency.append(heard - committed)
                times = workload.run_times(done)
                claim.append(done.started_at.timestamp() - committed)  # type: ignore[union-attr]
                work.append(times["run_seconds"])
                end.append(heard - done.ended_at.timestamp())  # type: ignore[union-attr]
                bare += bare_apscheduler(1)
            time.sleep(0.05)
    finally:
        runner.stop()
        watcher.close()
        if batch_seconds is not None:
            listen.Listener.__init__ = original_init  # type: ignore[method-assign]
        db.dispose()
    r, b = common.summary(runner_latency), common.summary(bare)
    added = (r["median"] - b["median"]) * 1000
    return {
        "variant": "as is" if batch_seconds is None else f"listener batch {batch_seconds * 1000:.0f} ms",
        "samples": samples,
        "runner_ms": {k: v * 1000 if k != "n" else v for k, v in r.items()},
        "bare_ms": {k: v * 1000 if k != "n" else v for k, v in b.items()},
        "commit_to_claim_ms": {k: v * 1000 if k != "n" else v for k, v in common.summary(claim).items()},
        "claim_to_end_ms": {k: v * 1000 if k != "n" else v for k, v in common.summary(work).items()},
        "end_to_seen_ms": {k: v * 1000 if k != "n" else v for k, v in common.summary(end).items()},
        "added_p50_ms": added,
        "added_p95_ms": (r["p95"] - b["p95"]) * 1000,
        "target_added_ms": TARGET_ADDED_MS,
        "met": added < TARGET_ADDED_MS,
    }


def report(f: dict[str, Any]) -> str:
    r, b = f["runner_ms"], f["bare_ms"]
    c, w, e = f["commit_to_claim_ms"], f["claim_to_end_ms"], f["end_to_seen_ms"]
    return "\n".join(
        [
            f"per-execution overhead ({f['variant']}): {f['samples']} one-unit no-op executions",
            f"  baseline (bare APScheduler): p50 {b['median']:.2f} ms, p95 {b['p95']:.2f} ms",
            f"  runner READY->SUCCESS:       p50 {r['median']:.2f} ms, p95 {r['p95']:.2f} ms"
            f"  (commit->claim p50 {c['median']:.1f} ms, claim->end p50 {w['median']:.1f} ms,"
            f" end->seen p50 {e['median']:.1f} ms)",
            f"  added: p50 {f['added_p50_ms']:.1f} ms, p95 {f['added_p95_ms']:.1f} ms"
            f" (target p50 < {f['target_added_ms']:.0f} ms: {'met' if f['met'] else 'MISSED'})",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url")
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--samples", type=int, default=100)
    parser.add_argument("--batch-ms", type=float, help="experiment: the runner's LISTEN batch window")
    parser.add_argument("--json")
    args = parser.parse_args(argv)
    url = common.database_url(args.database_url, "c1bench", args.data_dir)
    batch = None if args.batch_ms is None else args.batch_ms / 1000
    figures = run(url, args.samples, batch)
    print(report(figures))
    common.emit(figures, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
