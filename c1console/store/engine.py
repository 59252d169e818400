"""Connecting to PostgreSQL: a server by URL, else the embedded one.

The raw libpq URL is handed to psycopg untouched (so multi-host URLs and every libpq parameter work);
SQLAlchemy only pools the connections. Passwords never leave this module unmasked.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

import psycopg
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from c1console.config import Settings
from c1console.errors import BadInput, DatabaseUnavailable
from c1console.store.embedded import DEFAULT_DATABASE, embedded_url

CONNECT_TIMEOUT_SECONDS = 5
# Bounded repetitions: masking runs on untrusted input too, and must stay linear on a 100 KB string.
_URL_PASSWORD = re.compile(
    r"(?P<head>\b[a-z][a-z0-9+.-]{0,30}://[^:/@?#\s]{0,256}):(?P<pw>[^@/?#\s]{0,256})@"
)
_PARAM_PASSWORD = re.compile(r"(?P<head>(?:^|[\s?&])password=)(?P<pw>'(?:[^'\\]|\\.)*'|[^\s&]*)")


def mask_url(url: str) -> str:
    """The URL with any password replaced by ***."""
    masked = _URL_PASSWORD.sub(lambda m: f"{m['head']}:***@" if m["pw"] else m[0], url)
    return _PARAM_PASSWORD.sub(lambda m: f"{m['head']}***", masked)


@dataclass(frozen=True)
class Database:
    engine: Engine
    url: str
    embedded: bool

    @property
    def display(self) -> str:
        where = "embedded PostgreSQL, " if self.embedded else ""
        return f"{where}{mask_url(self.url)}"

    def dispose(self) -> None:
        self.engine.dispose()


def resolve_url(settings: Settings, embedded_database: str = DEFAULT_DATABASE) -> tuple[str, bool]:
    if settings.database_url:
        url = settings.database_url.strip()
        if not re.match(r"^postgres(ql)?://", url):
            raise BadInput(
                f"database URL '{mask_url(url)}' is not a PostgreSQL URL",
                hint="use postgresql://user:password@host:5432/dbname",
            )
        return url, False
    return embedded_url(settings.data_dir, embedded_database), True


def open_database(
    settings: Settings, *, check: bool = True, embedded_database: str = DEFAULT_DATABASE
) -> Database:
    url, embedded = resolve_url(settings, embedded_database)
    engine = sa.create_engine(
        "postgresql+psycopg://",
        creator=lambda: psycopg.connect(
            url, connect_timeout=CONNECT_TIMEOUT_SECONDS, application_name="c1console"
        ),
        pool_pre_ping=True,
        pool_size=5,
        max_overflow=10,
    )
    db = Database(engine=engine, url=url, embedded=embedded)
    if check:
        with connection(db):
            pass
    return db


def unavailable(db_url: str, exc: BaseException) -> DatabaseUnavailable:
    reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    detail = reason[0] if reason else type(exc).__name__
    detail = mask_url(detail)
    return DatabaseUnavailable(
        f"database {mask_url(db_url)} is unreachable: {detail}",
        hint="check that PostgreSQL is running and the URL (--database-url / C1_DATABASE_URL) is right",
    )


@contextmanager
def connection(db: Database) -> Iterator[Connection]:
    """A pooled connection; connection failures become DatabaseUnavailable (exit 3)."""
    try:
        conn = db.engine.connect()
    except (sa.exc.OperationalError, sa.exc.InterfaceError, psycopg.OperationalError) as exc:
        raise unavailable(db.url, exc) from None
    with conn:
        yield conn


@contextmanager
def transaction(db: Database, actor: str, *, dry_run: bool = False) -> Iterator[Connection]:
    """One transaction acting as ``actor``: the database's triggers record that name on every event.
    A dry run is rolled back at the end, whatever it did."""
    with connection(db) as conn:
        trans = conn.begin()
        try:
            conn.execute(sa.text("SELECT set_config('c1.actor', :actor, true)"), {"actor": actor})
            yield conn
        except BaseException:
            trans.rollback()
            raise
        if dry_run:
            trans.rollback()
        else:
            trans.commit()


T = TypeVar("T")
CONNECTION_ERRORS = (
    sa.exc.OperationalError,
    sa.exc.InterfaceError,
    psycopg.OperationalError,
    DatabaseUnavailable,
)


def retrying(
    fn: Callable[[], T],
    *,
    attempts: int = 6,
    first_delay: float = 0.5,
    on_retry: Callable[[int, BaseException], None] | None = None,
) -> T:
    """Runs ``fn`` (one whole transaction), again after a lost connection, with exponential backoff.
    Only for transactions that are safe to repeat or that detect their own earlier commit."""
    delay = first_delay
    for attempt in range(1, attempts + 1):
        try:
            return fn()
        except CONNECTION_ERRORS as exc:
            if attempt == attempts:
                raise
            if on_retry is not None:
                on_retry(attempt, exc)
            time.sleep(delay)
            delay = min(delay * 2, 8.0)
    raise AssertionError("unreachable")


def database_now(conn: Connection) -> datetime:
    """The database's clock (the one every created_at was stamped with), not this host's."""
    return conn.exec_driver_sql("SELECT now()").scalar_one()


def transaction_id(conn: Connection) -> str:
    """A token unique to this transaction, for dedupe keys of acts that may repeat later."""
    return str(conn.exec_driver_sql("SELECT txid_current()").scalar_one())


def server_version(conn: Connection) -> str:
    """PostgreSQL's version, as the server reports it (``16.4``)."""
    return str(conn.exec_driver_sql("SHOW server_version").scalar_one())
