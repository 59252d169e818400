"""Replay at scale: a RANGE replay of N units (default 250,000: 1,000 targets x 250 business days) with no-op
work, through ops.replay and the real runner, after a first run that wrote the results it supersedes.

    python -m bench.bench_replay --database-url postgresql://postgres@127.0.0.1:5432/c1bench_1m

Reports the seconds and units/s of the first run and of the replay (every unit supersedes one active
result), against the bare-insert baseline measured in the same script (the same rows, psycopg
executemany, chunks of the same size), and checks that the supersession is complete.
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
from c1console.requests import ReplayRange
from c1console.store.engine import connection


def run(
    url: str,
    units: int = 250_000,
    chunk: int = 500,
    targets: int = 1000,
    max_seconds: float = 1800.0,
) -> dict[str, Any]:
    common.quiet_logs()
    db = common.open_db(url)
    settings = common.settings_for(url, poll_interval_seconds=0.5)
    tag = workload.token()
    first, last, keys = workload.plan_units(targets, max(1, units // targets))
    job = workload.noop_job(f"bench_replay_{tag}", targets, chunk)
    registry = workload.registry_of(job)
    who = workload.session(db, settings, registry)
    bare_job = f"bench_bare_{tag}"
    bare_id = workload.bare_execution(db, bare_job)
    figures: dict[str, Any] = {
        "units": len(keys),
        "chunk_size": chunk,
    }
    try:
        figures["bare_seconds"] = workload.bare_insert(url, bare_job, bare_id, keys, chunk)
        runner = workload.start_runner(db, settings, registry)
        try:
            for phase, act in (
                ("first_run", lambda: ops.trigger(who, job.job_id, date_from=first, date_to=last)),
                (
                    "replay",
                    lambda: ops.replay(
                        who, ReplayRange(job.job_id, first, last), reason="benchmark: RANGE replay at scale"
                    ),
                ),
            ):
                began = time.perf_counter()
                created = act()
                assert isinstance(created, ops.Created)
                planned = time.perf_counter()
                done = workload.wait_terminal(db, created.execution_id, timeout=max_seconds)
                assert done.status == "SUCCESS", done
                times = workload.run_times(done)
                figures[phase] = {
                    "execution_id": created.execution_id,
                    "plan_and_create_seconds": planned - began,
                    "run_seconds": times["run_seconds"],
                    "units_per_second": len(keys) / times["run_seconds"],
                    "supersedes_previewed": created.preview.supersedes,
                }
        finally:
            runner.stop()
        with connection(db) as conn:
            replay_id = figures["replay"]["execution_id"]
            superseded = conn.exec_driver_sql(
                "SELECT count(*) FROM c1.result old JOIN c1.result new ON old.superseded_by = new.result_id"
                f" WHERE new.execution_id = {int(replay_id)}"
            ).scalar_one()
            active = conn.exec_driver_sql(
                f"SELECT count(*) FROM c1.result WHERE execution_id = {int(replay_id)} AND is_active"
            ).scalar_one()
        figures["superseded_by_replay"] = superseded
        figures["active_after_replay"] = active
    finally:
        workload.close_bare_execution(db, bare_id)
        db.dispose()
    bare_rate = len(keys) / figures["bare_seconds"]
    figures["bare_units_per_second"] = bare_rate
    for phase in ("first_run", "replay"):
        figures[phase]["ratio_to_bare"] = figures[phase]["units_per_second"] / bare_rate
    figures["supersession_complete"] = superseded == len(keys) == active
    return figures


def report(f: dict[str, Any]) -> str:
    lines = [
        f"replay at scale: RANGE of {f['units']:,} no-op units, chunks of {f['chunk_size']}",
        f"  baseline (executemany): {f['bare_seconds']:.1f}s = {f['bare_units_per_second']:,.0f} units/s",
    ]
    for phase in ("first_run", "replay"):
        p = f[phase]
        lines.append(
            f"  {phase.replace('_', ' '):10s} {p['run_seconds']:.1f}s = {p['units_per_second']:,.0f} units/s"
            f" ({p['ratio_to_bare']:.0%} of bare; plan+create {p['plan_and_create_seconds']:.1f}s before)"
        )
    lines.append(
        f"  superseded by the replay: {f['superseded_by_replay']:,}, its results active:"
        f" {f['active_after_replay']:,} ({'complete' if f['supersession_complete'] else 'INCOMPLETE'})"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    return common.units_main(__doc__ or "", run, report, 250_000, argv)


if __name__ == "__main__":
    sys.exit(main())
