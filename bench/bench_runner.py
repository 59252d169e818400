"""Runner bookkeeping: N no-op units (default 100,000) through the real runner, against a bare loop that
inserts the same result rows with psycopg executemany in chunks of the same size.

    python -m bench.bench_runner --database-url postgresql://postgres@127.0.0.1:5432/c1bench_1m
    python -m bench.bench_runner --units 10000          # embedded PostgreSQL

Order: baseline, runner, baseline (the baseline is the mean of the two, so a neighbour's burst during one
of them shows as a spread). Target: the runner reaches at least 50% of the bare throughput.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import common, workload
from c1console import ops

TARGET_RATIO = 0.5


def run(url: str, units: int = 100_000, chunk: int = 500, targets: int = 1000) -> dict[str, Any]:
    """One measurement: the runner's throughput beside the bare executemany, interleaved."""
    common.quiet_logs()
    db = common.open_db(url)
    settings = common.settings_for(url, poll_interval_seconds=0.5)
    tag = workload.token()
    days = max(1, units // targets)
    first, last, keys = workload.plan_units(targets, days)
    job = workload.noop_job(f"bench_runner_{tag}", targets, chunk)
    registry = workload.registry_of(job)
    who = workload.session(db, settings, registry)
    bare_job = f"bench_bare_{tag}"
    bare_id = workload.bare_execution(db, bare_job)
    try:
        bare = [workload.bare_insert(url, bare_job, bare_id, keys[: len(keys) // 2], chunk)]
        runner = workload.start_runner(db, settings, registry)
        try:
            began = time.perf_counter()
            created = ops.trigger(who, job.job_id, date_from=first, date_to=last, reason="benchmark")
            assert isinstance(created, ops.Created)
            triggered = time.perf_counter()
            done = workload.wait_terminal(db, created.execution_id)
            finished = time.perf_counter()
        finally:
            runner.stop()
        # The second half of the baseline after the runner: noise on either side shows in the spread.
        bare.append(workload.bare_insert(url, bare_job, bare_id, keys[len(keys) // 2 :], chunk))
    finally:
        workload.close_bare_execution(db, bare_id)
        db.dispose()
    assert done.status == "SUCCESS", done
    times = workload.run_times(done)
    bare_seconds = sum(bare)
    bare_rate = len(keys) / bare_seconds
    runner_rate = len(keys) / times["run_seconds"]
    return {
        "units": len(keys),
        "chunk_size": chunk,
        "execution_id": created.execution_id,
        "bare_seconds": bare_seconds,
        "bare_halves_seconds": bare,
        "bare_units_per_second": bare_rate,
        "trigger_seconds": triggered - began,
        "runner_run_seconds": times["run_seconds"],
        "runner_claim_seconds": times["claim_seconds"],
        "runner_wall_seconds": finished - triggered,
        "runner_units_per_second": runner_rate,
        "ratio": runner_rate / bare_rate,
        "target_ratio": TARGET_RATIO,
        "met": runner_rate / bare_rate >= TARGET_RATIO,
    }


def report(f: dict[str, Any]) -> str:
    return "\n".join(
        [
            f"runner bookkeeping: {f['units']:,} no-op units, chunks of {f['chunk_size']}",
            f"  baseline (executemany): {f['bare_seconds']:.2f}s = {f['bare_units_per_second']:,.0f} units/s"
            f" (halves {f['bare_halves_seconds'][0]:.2f}s / {f['bare_halves_seconds'][1]:.2f}s)",
            f"  runner:                 {f['runner_run_seconds']:.2f}s ="
            f" {f['runner_units_per_second']:,.0f} units/s"
            f" (trigger + plan {f['trigger_seconds']:.2f}s before it,"
            f" claim {f['runner_claim_seconds'] * 1000:.0f} ms)",
            f"  ratio runner/bare: {f['ratio']:.0%} (target >= {f['target_ratio']:.0%}: "
            f"{'met' if f['met'] else 'MISSED'})",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    return common.units_main(__doc__ or "", run, report, 100_000, argv)


if __name__ == "__main__":
    sys.exit(main())
