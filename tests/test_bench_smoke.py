"""The benchmark generator in quick form: it fills a fresh database that the schema's own checks and
`audit verify` accept (the full-size runs are in bench/, not in the test suite)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]


def test_generator_fills_a_consistent_database(db_url: str, tmp_path: Path) -> None:
    generated = subprocess.run(
        [sys.executable, "-m", "bench.generate", "--database-url", db_url, "--executions", "300", "--check"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert generated.returncode == 0, generated.stdout[-2000:] + generated.stderr[-2000:]
    verified = subprocess.run(
        [sys.executable, "-m", "c1console", "audit", "verify", "--database-url", db_url],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env={**os.environ, "C1_DATA_DIR": str(tmp_path), "PYTHONPATH": str(ROOT)},
    )
    assert verified.returncode == 0 and verified.stdout.startswith("OK "), verified.stdout + verified.stderr
    # the open-failure reads on the generated history agree with a count made here from the view
    failures = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.bench_failures",
            "--small-url",
            db_url,
            "--large-url",
            db_url,
            "--repeat",
            "1",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert failures.returncode == 0, failures.stdout[-2000:] + failures.stderr[-2000:]
    with psycopg.connect(db_url) as raw:
        (failed,) = raw.execute("SELECT count(*) FROM c1.failure").fetchone() or (None,)
        (open_now,) = raw.execute("SELECT count(*) FROM c1.failure WHERE state = 'OPEN'").fetchone() or (
            None,
        )
    assert f"300 executions ({failed:,} failed or stopped, {open_now} open)" in failures.stdout, (
        failures.stdout
    )
