"""`c1console demo`: the embedded PostgreSQL, the demo jobs, seeded history, a live runner, the console."""

from __future__ import annotations

import logging
import threading
import time

from c1console import identity, ops
from c1console.config import Settings
from c1console.demo import history
from c1console.demo import jobs as demo_jobs
from c1console.errors import BadInput, Refused
from c1console.jobs import Registry
from c1console.scheduler.runner import Runner
from c1console.store import executions
from c1console.store.embedded import drop_database
from c1console.store.engine import Database, connection, open_database

DEMO_DATABASE = "c1demo"
CLI_HINT = (
    "the command line works on this demo too: c1console --demo exec list "
    "(any command; c1console --demo opens a second console)"
)
log = logging.getLogger("c1console.demo")


def open_demo_database(settings: Settings, *, reset: bool) -> Database:
    if settings.database_url:
        if reset:
            raise BadInput(
                "--reset only works on the embedded demo database",
                hint="unset C1_DATABASE_URL / --database-url, or reset your own database yourself",
            )
        return open_database(settings)
    if reset:
        drop_database(settings.data_dir, DEMO_DATABASE)
    return open_database(settings, embedded_database=DEMO_DATABASE)


def demo_registry(seed: int = demo_jobs.DEFAULT_SEED) -> Registry:
    return demo_jobs.register(Registry(), seed=seed)


def prepare_database(db: Database, settings: Settings, operator: str) -> None:
    """The demo's schema is current and whoever runs the demo first is its admin."""
    session = ops.Session(db=db, settings=settings, operator=operator)
    ops.upgrade_schema(session)
    ops.bootstrap_admin(session)


def prepare(settings: Settings, operator: str, *, reset: bool, seed: int) -> ops.Session:
    db = open_demo_database(settings, reset=reset)
    if identity.database_vouches(db):
        db.dispose()
        raise Refused(
            "the demo runs a runner, whose acts the database would record under your own login",
            hint="run the demo on the embedded server (unset C1_DATABASE_URL), or as a service login",
        )
    prepare_database(db, settings, operator)
    session = ops.Session(db=db, settings=settings, operator=operator, registry=demo_registry(seed))
    ops.sync_jobs(session)
    return session


def wait_terminal(db: Database, execution_id: int, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connection(db) as conn:
            found = executions.get_execution(conn, execution_id)
        if found is None or found.status in executions.TERMINAL:
            return
        time.sleep(0.1)
    raise TimeoutError(f"execution {execution_id} did not finish in {timeout:.0f}s; is a runner running?")


def seed_in_background(session: ops.Session) -> threading.Thread:
    def seed() -> None:
        try:
            report = history.seed_history(session, lambda i: wait_terminal(session.db, i))
            log.info("%s", report.describe())
        except Exception:
            log.exception("seeding the demo history failed")

    thread = threading.Thread(target=seed, name="c1-demo-seed", daemon=True)
    thread.start()
    return thread


def run_headless(session: ops.Session) -> int:
    """No console (no terminal, or a log-watching operator): run, seed, print what happens, until SIGTERM,
    SIGINT (Ctrl-C) or SIGHUP."""
    from c1console.scheduler.service import configure_logging, until_stop_signal

    configure_logging()
    with until_stop_signal(session.settings) as stop:
        runner = Runner(session.db, session.registry, session.settings).start()
        try:
            report = history.seed_history(session, lambda i: wait_terminal(session.db, i))
            print(report.describe(), flush=True)
            print(CLI_HINT, flush=True)
            print("live runner firing the demo schedules; Ctrl-C to stop", flush=True)
            while not stop.wait(0.5):
                pass
        finally:
            runner.stop()
    return 0


def run(
    settings: Settings, operator: str, *, reset: bool, seed: int, headless: bool, read_only: bool = False
) -> int:
    session = prepare(settings, operator, reset=reset, seed=seed)
    session.read_only = read_only
    if headless:
        return run_headless(session)
    from c1console.launch import run_console

    def start_seeding(_runner: Runner | None) -> None:
        seed_in_background(session)

    return run_console(session, after_start=start_seeding, greeting=CLI_HINT)
