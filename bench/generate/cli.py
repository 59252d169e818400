"""The command line, and ``generate()`` for the other benchmarks: plan, load, record the figures."""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bench import common
from bench.generate.checks import check
from bench.generate.loader import load
from bench.generate.parameters import JOBS, OPERATORS
from bench.generate.plan import World


def generate(
    url: str,
    executions: int,
    *,
    end: date | None = None,
    seed: int = 42,
    schedule_for: int | None = None,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    db = common.open_db(url)  # the project's own migrations
    db.dispose()
    began = time.perf_counter()
    world = World(executions, end or date.today() - timedelta(days=1), seed, schedule_for)
    world.plan()
    plan_seconds = time.perf_counter() - began
    span = world.days[world.span_start], world.days[-1]
    log(f"planned {len(world.executions):,} executions, {span[0]}..{span[1]} ({plan_seconds:.1f}s)")
    figures = load(url, world, log)
    total = time.perf_counter() - began
    rows = sum(figures["rows"].values()) + len(JOBS) + len(OPERATORS) + len(world.runner_ids) + 1
    figures.update(
        executions=len(world.executions),
        first_business_date=str(span[0]),
        last_business_date=str(span[1]),
        plan_seconds=plan_seconds,
        total_seconds=total,
        total_rows=rows,
        rows_per_second=rows / total,
        crons={j.job_id: c for j, c in zip(JOBS, world.crons, strict=True)},
    )
    figures_file(url).write_text(json.dumps(figures, indent=2, default=str))
    return figures


def figures_file(url: str) -> Path:
    """Where the load figures of a generated database are kept (run_all --skip-generate reports them)."""
    import tempfile

    host = url.partition("@")[2].partition("/")[0] or "embedded"
    safe = "".join(c if c.isalnum() else "_" for c in f"{host}_{common.dbname_of(url)}")
    return Path(tempfile.gettempdir()) / f"c1bench-figures-{safe}.json"


def main(argv: list[str] | None = None) -> int:
    from bench import generate as package  # its docstring describes the command

    parser = argparse.ArgumentParser(
        prog="python -m bench.generate", description=(package.__doc__ or "").split("\n\n")[0]
    )
    parser.add_argument("--database-url", help="PostgreSQL URL of the database to fill (default: embedded)")
    parser.add_argument(
        "--data-dir", type=Path, help=f"embedded server data (default {common.DEFAULT_DATA_DIR})"
    )
    parser.add_argument("--database", default="c1bench", help="embedded database name (default c1bench)")
    parser.add_argument("--executions", type=int, default=1_000_000)
    parser.add_argument("--end-date", type=date.fromisoformat, help="last business date (default yesterday)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--schedules-of",
        type=int,
        metavar="M",
        help="use the job schedules of an M-execution history (same activity per day, shorter span)",
    )
    parser.add_argument("--recreate", action="store_true", help="drop and create the database first")
    parser.add_argument("--check", action="store_true", help="check consistency and the audit chain after")
    parser.add_argument("--json", help="write the figures to this file")
    args = parser.parse_args(argv)
    url = common.database_url(args.database_url, args.database, args.data_dir)
    if args.recreate:
        common.recreate_database(url)
    else:
        common.ensure_database(url)
    figures = generate(
        url, args.executions, end=args.end_date, seed=args.seed, schedule_for=args.schedules_of
    )
    rows = figures["rows"]
    print(
        f"loaded {figures['total_rows']:,} rows in {figures['total_seconds']:.1f}s"
        f" = {figures['rows_per_second']:,.0f} rows/s"
        f" (COPY {figures['copy_seconds']:.1f}s, indexes {figures['index_seconds']:.1f}s,"
        f" vacuum+analyze {figures['vacuum_analyze_seconds']:.1f}s)"
    )
    print("  " + ", ".join(f"{table} {count:,}" for table, count in rows.items()))
    print(f"  audit head {figures['audit_head']}")
    ok = True
    if args.check:
        ok = check(url, print)
        figures["check_ok"] = ok
    common.emit(figures, args.json)
    return 0 if ok else 1
