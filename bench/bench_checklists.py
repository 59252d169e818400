"""Checklists at scale: the daily and monthly checklists on a small and a large generated database,
interleaved, with each store query timed on its own.

    python -m bench.bench_checklists --small-url postgresql://.../c1bench_10k --large-url postgresql://.../c1bench_1m

Targets at 1M executions: daily under 300 ms, monthly under 2 s, and the daily time no more than 2x its
time at 10,000 executions (the baseline, measured in the same script, alternating with the large one).
Days and months are the recent ones operators open: the last business days and the last full months.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import common
from c1console import checklists
from c1console.store import reviews
from c1console.store.engine import Database, connection

DAILY_MS, MONTHLY_MS, DAILY_RATIO = 300.0, 2000.0, 2.0


def recent(db: Database) -> tuple[list[date], list[date]]:
    """The last 5 business dates with executions, and the last 2 full months."""
    with connection(db) as conn:
        last = conn.exec_driver_sql(
            "SELECT max(business_date_to) FROM c1.execution WHERE run_type = 'AUTO'"
        ).scalar_one()
    days, d = [], last
    while len(days) < 5:
        if d.weekday() < 5:
            days.append(d)
        d -= timedelta(days=1)
    first = last.replace(day=1)
    months = []
    for _ in range(2):
        first = (first - timedelta(days=1)).replace(day=1)
        months.append(first)
    return days, months


def timed(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def query_breakdown(db: Database, day: date, month: date) -> dict[str, float]:
    """Each store query behind the checklists, once, in milliseconds."""
    zone = ZoneInfo("UTC")
    start = datetime.combine(day, clock(0), zone)
    end = start + timedelta(days=1)
    m_last = (month + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    m_start = datetime.combine(month, clock(0), zone)
    m_end = datetime.combine(m_last + timedelta(days=1), clock(0), zone)
    calls: dict[str, Callable[[Any], Any]] = {
        "daily.failures_on": lambda c: reviews.failures_on(c, day),
        "daily.latest_per_job": lambda c: reviews.latest_per_job(c, day),
        "daily.auto_fires": lambda c: reviews.auto_fires(c, start, end),
        "daily.missed_fires": lambda c: reviews.missed_fires(c, start, end),
        "daily.long_running": lambda c: reviews.long_running(c, 7200),
        "daily.failed_deliveries": lambda c: reviews.failed_deliveries(c, start, end),
        "monthly.replays_by_week": lambda c: reviews.replays_by_week(c, month, m_last),
        "monthly.errors_by_code": lambda c: reviews.errors_by_code(c, month, m_last),
        "monthly.failures_per_day": lambda c: reviews.failures_per_day(c, month, m_last),
        "monthly.recoveries": lambda c: reviews.recoveries(c, month, m_last),
        "monthly.interventions": lambda c: reviews.interventions(c, month, m_last, m_start, m_end),
    }
    out = {}
    with connection(db) as conn:
        for name, call in calls.items():
            call(conn)  # warm
            out[name] = timed(lambda call=call: call(conn)) * 1000
    return out


def build_ms(db: Database, day: date) -> float:
    """The pure-Python part of the daily checklist (build_daily over the query results), in ms."""
    zone = ZoneInfo("UTC")
    start = datetime.combine(day, clock(0), zone)
    end = start + timedelta(days=1)
    with connection(db) as conn:
        args = (
            reviews.failures_on(conn, day),
            reviews.latest_per_job(conn, day),
            reviews.auto_fires(conn, start, end),
            reviews.missed_fires(conn, start, end),
            reviews.long_running(conn, 7200),
            reviews.failed_deliveries(conn, start, end),
            reviews.schedules(conn),
            reviews.signoffs(conn, "DAILY", day.isoformat()),
        )
    return timed(lambda: checklists.build_daily(day, *args)) * 1000


def run(small_url: str, large_url: str, repeat: int = 5) -> dict[str, Any]:
    common.quiet_logs()
    dbs = {"small": common.open_db(small_url), "large": common.open_db(large_url)}
    try:
        sizes = {name: _count(db) for name, db in dbs.items()}
        plans = {name: recent(db) for name, db in dbs.items()}
        samples: dict[str, dict[str, list[float]]] = {n: {"daily": [], "monthly": []} for n in dbs}
        cold: dict[str, dict[str, float]] = {}
        for name, db in dbs.items():  # the first call of each: connection, plans, cold caches
            days, months = plans[name]
            cold[name] = {
                "daily": timed(lambda db=db, d=days[0]: checklists.daily(db, d)) * 1000,
                "monthly": timed(lambda db=db, m=months[0]: checklists.monthly(db, m)) * 1000,
            }
        for r in range(repeat):
            for name, db in dbs.items():  # alternating small and large: the same neighbours for both
                days, months = plans[name]
                for day in days:
                    samples[name]["daily"].append(timed(lambda db=db, d=day: checklists.daily(db, d)))
                month = months[r % len(months)]
                samples[name]["monthly"].append(timed(lambda db=db, m=month: checklists.monthly(db, m)))
        breakdown = {
            name: query_breakdown(db, plans[name][0][0], plans[name][1][0]) for name, db in dbs.items()
        }
        for name, db in dbs.items():
            breakdown[name]["daily.build_daily (Python)"] = build_ms(db, plans[name][0][1])
    finally:
        for db in dbs.values():
            db.dispose()
    figures: dict[str, Any] = {
        "executions": sizes,
        "cold_ms": cold,
        "queries_ms": breakdown,
        "days": {n: [str(d) for d in p[0]] for n, p in plans.items()},
        "months": {n: [str(m)[:7] for m in p[1]] for n, p in plans.items()},
    }
    for name in dbs:
        for kind in ("daily", "monthly"):
            s = common.summary(samples[name][kind])
            figures[f"{kind}_{name}_ms"] = {k: v * 1000 if k != "n" else v for k, v in s.items()}
    daily_large = figures["daily_large_ms"]["median"]
    monthly_large = figures["monthly_large_ms"]["median"]
    ratio = daily_large / figures["daily_small_ms"]["median"]
    figures.update(
        daily_ratio=ratio,
        met_daily=daily_large < DAILY_MS,
        met_monthly=monthly_large < MONTHLY_MS,
        met_ratio=ratio <= DAILY_RATIO,
    )
    return figures


def _count(db: Database) -> int:
    with connection(db) as conn:
        return int(conn.exec_driver_sql("SELECT count(*) FROM c1.execution").scalar_one())


def report(f: dict[str, Any]) -> str:
    n = f["executions"]
    ds, dl = f["daily_small_ms"], f["daily_large_ms"]
    ms_, ml = f["monthly_small_ms"], f["monthly_large_ms"]
    lines = [
        f"checklists: {n['small']:,} executions (baseline) vs {n['large']:,}",
        f"  daily:   {ds['median']:.0f} ms (p95 {ds['p95']:.0f}) vs {dl['median']:.0f} ms"
        f" (p95 {dl['p95']:.0f})  ratio {f['daily_ratio']:.2f}x"
        f" (target <= {DAILY_RATIO:.0f}x: {'met' if f['met_ratio'] else 'MISSED'});"
        f" < {DAILY_MS:.0f} ms: {'met' if f['met_daily'] else 'MISSED'}",
        f"  monthly: {ms_['median']:.0f} ms vs {ml['median']:.0f} ms"
        f" (< {MONTHLY_MS:.0f} ms: {'met' if f['met_monthly'] else 'MISSED'})",
        f"  first call (cold): daily {f['cold_ms']['small']['daily']:.0f} /"
        f" {f['cold_ms']['large']['daily']:.0f} ms, monthly {f['cold_ms']['small']['monthly']:.0f} /"
        f" {f['cold_ms']['large']['monthly']:.0f} ms",
        "  per query (small / large, ms): "
        + ", ".join(
            f"{q.split('.', 1)[1]} {f['queries_ms']['small'][q]:.1f}/{f['queries_ms']['large'][q]:.1f}"
            for q in f["queries_ms"]["large"]
        ),
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small-url", help="the baseline database (default: embedded c1bench_10k)")
    parser.add_argument("--large-url", help="the large database (default: embedded c1bench)")
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--repeat", type=int, default=5)
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
