"""Numbered plain-SQL migrations from sql/: applied in order, each once, under an advisory lock.

Each applied file's SHA-256 is recorded; an applied file edited afterwards is refused rather than
silently diverging from what the database holds.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import re
from dataclasses import dataclass
from datetime import datetime
from importlib.resources.abc import Traversable
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from c1console.errors import BrokenInstall, Refused
from c1console.store.engine import Database, connection

_FILE = re.compile(r"^(\d{3})_([a-z0-9_]+)\.sql$")
_LOCK_KEY = 0x0C1C0DE  # session advisory lock held while migrating
_BOOKKEEPING = """
CREATE SCHEMA IF NOT EXISTS c1;
CREATE TABLE IF NOT EXISTS c1.schema_migration (
    version     integer PRIMARY KEY,
    name        text NOT NULL,
    checksum    text NOT NULL,
    applied_at  timestamptz NOT NULL DEFAULT now(),
    applied_by  text NOT NULL
);
"""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


@dataclass(frozen=True)
class AppliedMigration:
    version: int
    name: str
    checksum: str
    applied_at: datetime


@dataclass(frozen=True)
class SchemaStatus:
    version: int
    pending: list[Migration]
    edited: list[Migration]
    server_version: str

    @property
    def head(self) -> int:
        return max((m.version for m in self.pending), default=self.version)


def sql_files() -> Traversable:
    """The migrations as package data (``c1console.sql``): the same from a wheel, an sdist, an editable
    install; a checkout that was never installed falls back to its top-level sql/."""
    try:
        return importlib.resources.files("c1console.sql")
    except ModuleNotFoundError:
        return Path(__file__).resolve().parents[2] / "sql"


def available() -> list[Migration]:
    """Every migration shipped with this c1console, in order. None at all is a broken installation."""
    found = []
    for entry in sorted(sql_files().iterdir(), key=lambda e: e.name):
        match = _FILE.match(entry.name)
        if match and entry.is_file():
            found.append(Migration(int(match[1]), match[2], entry.read_text(encoding="utf-8")))
    if not found:
        raise BrokenInstall(
            "this c1console installation has no schema migrations (package data c1console/sql is missing)",
            hint="reinstall c1console from its wheel: pip install --force-reinstall c1console-*.whl",
        )
    return found


def applied(conn: Connection) -> dict[int, AppliedMigration]:
    exists = conn.execute(sa.text("SELECT to_regclass('c1.schema_migration') IS NOT NULL")).scalar_one()
    if not exists:
        return {}
    rows = conn.execute(
        sa.text("SELECT version, name, checksum, applied_at FROM c1.schema_migration ORDER BY version")
    )
    return {row.version: AppliedMigration(*row) for row in rows}


def _compare(conn: Connection) -> SchemaStatus:
    done = applied(conn)
    files = available()
    edited = [m for m in files if m.version in done and done[m.version].checksum != m.checksum]
    pending = [m for m in files if m.version not in done]
    server = conn.execute(sa.text("SHOW server_version")).scalar_one()
    return SchemaStatus(version=max(done, default=0), pending=pending, edited=edited, server_version=server)


def status(db: Database) -> SchemaStatus:
    with connection(db) as conn:
        return _compare(conn)


def _refuse_edited(state: SchemaStatus) -> None:
    if state.edited:
        names = ", ".join(f"{m.version:03d}_{m.name}.sql" for m in state.edited)
        raise Refused(
            f"applied migration(s) {names} were edited after being applied",
            hint="restore the original file(s) and add the change as a new numbered migration",
        )


def _run_script(conn: Connection, script: str) -> None:
    # Straight to psycopg with no parameters: a multi-statement script, and '%' in it is not a placeholder.
    conn.connection.driver_connection.execute(script)  # type: ignore[union-attr]


def upgrade(db: Database, actor: str) -> list[Migration]:
    """Applies every pending migration, each in its own transaction. Returns what was applied."""
    with connection(db) as conn:
        conn.execute(sa.text("SELECT pg_advisory_lock(:k)"), {"k": _LOCK_KEY})
        conn.commit()
        try:
            with conn.begin():
                _run_script(conn, _BOOKKEEPING)
                state = _compare(conn)
            _refuse_edited(state)
            for migration in state.pending:
                with conn.begin():
                    _run_script(conn, migration.sql)
                    conn.execute(
                        sa.text(
                            "INSERT INTO c1.schema_migration (version, name, checksum, applied_by)"
                            " VALUES (:v, :n, :c, :a)"
                        ),
                        {"v": migration.version, "n": migration.name, "c": migration.checksum, "a": actor},
                    )
            return state.pending
        finally:
            conn.rollback()
            conn.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": _LOCK_KEY})
            conn.commit()


def require_current(db: Database) -> None:
    """Refuses to work on a database whose schema is behind or edited (exit 4 with the fix)."""
    state = status(db)
    _refuse_edited(state)
    if state.pending:
        raise Refused(
            f"database schema is at version {state.version}, this c1console needs {state.head}",
            hint="run: c1console db upgrade",
        )
