"""Open failures at scale (sql/013's views): the reads behind the header's open count, the open-only list,
the resolution marks of a page and a failure's drill-down, on a small and a large generated database,
interleaved.

    python -m bench.bench_failures --small-url postgresql://.../c1bench_10k --large-url postgresql://.../c1bench_1m

"Open" is computed on read (docs/architecture.md, "Failures as work items"): the count costs an index
probe or two per unit of every FAILED/STOPPED execution in the history, so it grows with the number of
failures ever recorded. Targets at 1M executions: the count (read after each burst of changes, off the UI
thread) under 500 ms, the open-only first page under 1 s (the console's open target), the marks of a
page no more than 2x the page's own read.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import common
from c1console.queries import ConsoleQueries, ExecutionFilter
from c1console.store import executions, failures
from c1console.store.engine import Database, connection

COUNT_MS, OPEN_PAGE_MS, MARKS_RATIO = 500.0, 1000.0, 2.0


def timed(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def page_without_marks(db: Database) -> None:
    with connection(db) as conn:
        executions.list_executions(conn, limit=101)


def newest_failure(db: Database) -> int:
    with connection(db) as conn:
        found = executions.list_executions(conn, statuses=("FAILED",), limit=1)
    return found[0].execution_id


def failed_units(db: Database, execution_id: int) -> None:
    with connection(db) as conn:
        failures.failed_units(conn, execution_id)


def run(small_url: str, large_url: str, repeat: int = 7) -> dict[str, Any]:
    common.quiet_logs()
    dbs = {"small": common.open_db(small_url), "large": common.open_db(large_url)}
    try:
        reads: dict[str, dict[str, Callable[[], Any]]] = {}
        facts: dict[str, dict[str, int]] = {}
        for name, db in dbs.items():
            queries = ConsoleQueries(db)
            failed = newest_failure(db)
            with connection(db) as conn:
                facts[name] = {
                    "executions": int(conn.exec_driver_sql("SELECT count(*) FROM c1.execution").scalar_one()),
                    "failures": int(conn.exec_driver_sql("SELECT count(*) FROM c1.failure").scalar_one()),
                    "open": len(failures.open_failures(conn)),
                }
            reads[name] = {
                "open count": queries.open_failures,
                "open-only page": lambda q=queries: q.executions(ExecutionFilter(open_only=True)),
                "page with marks": lambda q=queries: q.executions(ExecutionFilter()),
                "page without marks": lambda db=db: page_without_marks(db),
                "failure drill-down units": lambda db=db, f=failed: failed_units(db, f),
            }
        cold = {name: {k: timed(fn) for k, fn in r.items()} for name, r in reads.items()}
        samples: dict[str, dict[str, list[float]]] = {n: {k: [] for k in reads[n]} for n in reads}
        for _ in range(repeat):
            for name in dbs:  # alternating small and large: the same neighbours for both
                for key, fn in reads[name].items():
                    samples[name][key].append(timed(fn))
    finally:
        for db in dbs.values():
            db.dispose()
    median = {n: {k: common.summary(v)["median"] for k, v in s.items()} for n, s in samples.items()}
    large = median["large"]
    marks_ratio = large["page with marks"] / large["page without marks"]
    return {
        "facts": facts,
        "cold_ms": cold,
        "median_ms": median,
        "marks_ratio": marks_ratio,
        "met_count": large["open count"] < COUNT_MS,
        "met_open_page": large["open-only page"] < OPEN_PAGE_MS,
        "met_marks": marks_ratio <= MARKS_RATIO,
    }


def report(f: dict[str, Any]) -> str:
    s, lg = f["facts"]["small"], f["facts"]["large"]
    ms, ml = f["median_ms"]["small"], f["median_ms"]["large"]
    ok = {True: "met", False: "MISSED"}
    lines = [
        f"open failures: {s['executions']:,} executions ({s['failures']:,} failed or stopped,"
        f" {s['open']} open) vs {lg['executions']:,} ({lg['failures']:,}, {lg['open']} open);"
        " medians, ms (small / large)",
    ]
    lines += [f"  {key:26} {ms[key]:8.1f} / {ml[key]:8.1f}" for key in ml]
    lines += [
        f"  open count < {COUNT_MS:.0f} ms: {ok[f['met_count']]}; open-only page < {OPEN_PAGE_MS:.0f} ms:"
        f" {ok[f['met_open_page']]}; marks {f['marks_ratio']:.2f}x the page (<= {MARKS_RATIO:.0f}x:"
        f" {ok[f['met_marks']]})",
        "  first call (cold), large: " + ", ".join(f"{k} {v:.0f}" for k, v in f["cold_ms"]["large"].items()),
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small-url", help="the baseline database (default: embedded c1bench_10k)")
    parser.add_argument("--large-url", help="the large database (default: embedded c1bench)")
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--json")
    args = parser.parse_args(argv)
    small = common.database_url(args.small_url, "c1bench_10k", args.data_dir)
    large = common.database_url(args.large_url, "c1bench", args.data_dir)
    figures = run(small, large, args.repeat)
    print(report(figures))
    common.emit(figures, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
